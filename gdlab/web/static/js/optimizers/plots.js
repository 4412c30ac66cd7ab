// The two plots of the Optimizers page, drawn with plotly.js (served by gdlab from the installed
// plotly package): the landscape (contour map, 3-D surface, or the curve of a 1-D function) with
// the paths, and the loss curves. Nothing here computes a result: the numbers come from the API.
//
// Traces of the map, in this order (the paths are redrawn in place as the cursor moves):
//   0 basins (heatmap, hidden unless shown)  1 landscape  2 minima  3 saddles  4 maxima  5 starts
//   6 .. 6+R-1 the paths of the R runs   6+R .. 6+2R-1 their current points   6+2R the highlight

import { fmt } from "../lib/ui.js";

const BASE_LAYOUT = {
  margin: { l: 52, r: 14, t: 12, b: 44 },
  paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  font: { family: "system-ui, DejaVu Sans, sans-serif", size: 12, color: "#222" },
  hoverlabel: { font: { size: 12 } },
};
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"] };

/** Piecewise-linear position of each value among increasing `levels` (0 .. n-1): log-spaced
 *  levels become evenly spaced contours, so plotly draws the library's log levels. */
export function levelIndex(levels) {
  const n = levels.length;
  return (v) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return null;
    if (v <= levels[0]) return 0;
    if (v >= levels[n - 1]) return n - 1 + Math.min(0.99, (v - levels[n - 1]) / Math.max(1e-300, levels[n - 1] - levels[n - 2]) * 0.25);
    let lo = 0, hi = n - 1;
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (levels[mid] <= v) lo = mid; else hi = mid; }
    return lo + (v - levels[lo]) / (levels[hi] - levels[lo]);
  };
}

function colorscale(colors) {
  return colors.map((c, i) => [i / (colors.length - 1), c]);
}

function lighten(hex, f) {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(v + (255 - v) * f));
  return `rgb(${ch.join(",")})`;
}

function markerTrace(points, symbol, color, name, size = 13) {
  return {
    type: "scatter", mode: "markers", x: points.map((p) => p[0]), y: points.map((p) => p[1]), name,
    marker: { symbol, size, color, line: { color: "#222", width: 1 } }, hovertemplate: `${name} (%{x:.4g}, %{y:.4g})<extra></extra>`,
    showlegend: false, cliponaxis: false,
  };
}

export class Views {
  constructor(mapDiv, lossDiv, style, on) {
    this.map = mapDiv;
    this.lossDiv = lossDiv;
    this.style = style;
    this.on = on; // {click(x, y, shift), hover(r, j, s), unhover()}
    this.fn = null;
    this.surface = null;
    this.runs = [];
    this.colors = [];
    this.t = 0;
    this.view = "map";
    this.basins = null;
    this.starts = [];
    this.lossMode = "log";
    this.ready = false;
  }

  // ---- the landscape -------------------------------------------------------------------
  setFunction(info, surface) {
    this.fn = info;
    this.surface = surface;
    this.basins = null;
    const toLevel = levelIndex(surface.levels);
    this.toLevel = toLevel;
    if (info.dim === 2) {
      this.zLevel = surface.z.map((row) => row.map(toLevel));
    }
    const fmin = info.minimum_value;
    // loss axis: f - f* on a log scale where f* is known, f on a log scale when positive, else linear
    this.lossOffset = Number.isFinite(fmin) ? fmin : 0;
    this.lossMode = Number.isFinite(fmin) ? "gap" : "raw";
  }

  _landscapeTraces() {
    const f = this.fn, s = this.surface, st = this.style;
    const levels = s.levels, n = levels.length;
    const ticks = [];
    for (let i = 0; i < n; i += 3) ticks.push(i);
    if (ticks[ticks.length - 1] !== n - 1) ticks.push(n - 1);
    const colorbar = {
      tickvals: ticks, ticktext: ticks.map((i) => fmt(levels[i], 3)), thickness: 12, len: 0.9, outlinewidth: 0,
      title: { text: "f", side: "right" }, tickfont: { size: 10 },
    };
    if (f.dim === 1) {
      return [{ type: "scatter", x: [], y: [], visible: false, hoverinfo: "skip", showlegend: false },
        { type: "scatter", mode: "lines", x: s.x, y: s.z, line: { color: "#555", width: 2 }, name: "f",
          hovertemplate: "x=%{x:.4g}<br>f=%{y:.4g}<extra></extra>", showlegend: false }];
    }
    if (this.view === "3d") {
      return [{
        type: "surface", x: s.x, y: s.y, z: this.zLevel, customdata: s.z, colorscale: colorscale(st.landscape),
        cmin: 0, cmax: n - 1, opacity: 0.93, colorbar, showscale: true,
        hovertemplate: "x=%{x:.4g}<br>y=%{y:.4g}<br>f=%{customdata:.4g}<extra></extra>",
        contours: { z: { show: true, usecolormap: true, width: 1, project: { z: false } } },
        lighting: { ambient: 0.75, diffuse: 0.6, specular: 0.05 },
      }];
    }
    const basins = this.basins;
    const overlay = basins ? this._basinTrace(basins) : { type: "heatmap", z: [[0]], visible: false, hoverinfo: "skip", showscale: false };
    return [overlay, {
      type: "contour", x: s.x, y: s.y, z: this.zLevel, customdata: s.z, name: "f",
      contours: { start: 0, end: n - 1, size: 1, coloring: basins ? "none" : "fill", showlines: true },
      line: { color: basins ? "rgba(30,30,30,0.45)" : "rgba(40,44,52,0.35)", width: basins ? 0.9 : 0.6, smoothing: 0.8 },
      colorscale: colorscale(st.landscape), zmin: 0, zmax: n - 1, colorbar, showscale: !basins,
      hovertemplate: "x=%{x:.4g}<br>y=%{y:.4g}<br>f=%{customdata:.4g}<extra></extra>", showlegend: false,
    }];
  }

  _basinTrace(b) {
    // colour: the minimum reached; shade: how fast (deep = fast, pale = slow); grey: none
    const k = b.minima.length, st = this.style;
    let smax = 1;
    for (const row of b.steps) for (const v of row) if (v > smax) smax = v;
    const z = b.label.map((row, i) => row.map((lab, j) => {
      if (lab < 0) return k + 0.5;
      const fade = Math.log1p(b.steps[i][j]) / Math.log1p(smax);
      return lab + 0.7 * Math.min(0.999, fade);
    }));
    const scale = [];
    for (let i = 0; i < k; i += 1) {
      const c = st.class_colors[i % st.class_colors.length];
      scale.push([i / (k + 1), c], [(i + 0.999) / (k + 1), lighten(c, 0.85)]);
    }
    scale.push([k / (k + 1), "#c9c9c9"], [1, "#c9c9c9"]);
    const text = b.label.map((row, i) => row.map((lab, j) => (lab < 0 ? "reached no minimum"
      : `minimum ${lab + 1} in ${b.steps[i][j]} steps`)));
    return {
      type: "heatmap", x: b.x, y: b.y, z, zmin: 0, zmax: k + 1, colorscale: scale, showscale: false, opacity: 0.72,
      text, hovertemplate: "start (%{x:.3g}, %{y:.3g})<br>%{text}<extra></extra>", zsmooth: false, showlegend: false,
    };
  }

  _markerTraces() {
    const f = this.fn, st = this.style;
    if (this.view === "3d" && f.dim === 2) {
      const z = (p) => this.toLevel(this._f(p)) + 0.15;
      return [{
        type: "scatter3d", mode: "markers", x: f.minima.map((p) => p[0]), y: f.minima.map((p) => p[1]),
        z: f.minima.map(z), marker: { symbol: "diamond", size: 6, color: st.minimum, line: { color: "#222", width: 1 } },
        name: "minimum", hovertemplate: "minimum (%{x:.4g}, %{y:.4g})<extra></extra>", showlegend: false,
      }];
    }
    const pts = (list) => (f.dim === 1 ? list.map((p) => [p[0], this._f(p)]) : list);
    const minima = markerTrace(pts(f.minima), "star", st.minimum, "minimum", 15);
    if (this.basins && f.dim === 2) {
      minima.mode = "markers+text";
      minima.text = f.minima.map((_, k) => String(k + 1));
      minima.textposition = "top right";
      minima.textfont = { size: 13, color: "#111", family: "system-ui, sans-serif" };
    }
    return [
      minima,
      markerTrace(pts(f.saddles), "x-thin-open", "#222", "saddle", 11),
      markerTrace(pts(f.maxima), "triangle-down", "#fff", "maximum", 10),
      markerTrace([], "circle", "#fff", "start", 10),
    ];
  }

  _f(p) {
    // f at a point, from the grid (for markers only): nearest grid value
    const s = this.surface;
    const near = (axis, v) => {
      let best = 0;
      for (let i = 1; i < axis.length; i += 1) if (Math.abs(axis[i] - v) < Math.abs(axis[best] - v)) best = i;
      return best;
    };
    if (this.fn.dim === 1) return s.z[near(s.x, p[0])];
    return s.z[near(s.y, p[1])][near(s.x, p[0])];
  }

  _mapLayout() {
    const f = this.fn, b = this.surface.bounds;
    if (this.view === "3d" && f.dim === 2) {
      const lv = this.surface.levels, n = lv.length, ticks = [0, 4, 8, 12, n - 1];
      return {
        ...BASE_LAYOUT, margin: { l: 0, r: 0, t: 0, b: 0 }, uirevision: f.name + "3d",
        scene: {
          xaxis: { title: { text: "x" }, range: b[0] }, yaxis: { title: { text: "y" }, range: b[1] },
          zaxis: { title: { text: "f" }, tickvals: ticks, ticktext: ticks.map((i) => fmt(lv[i], 3)) },
          aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.6 }, camera: { eye: { x: -1.45, y: -1.55, z: 1.05 } },
        },
      };
    }
    const layout = {
      ...BASE_LAYOUT, uirevision: f.name, hovermode: "closest", dragmode: "zoom",
      xaxis: { title: { text: f.dim === 1 ? "x" : "x", standoff: 6 }, range: [...b[0]], zeroline: false, showgrid: false,
        mirror: true, showline: true, linecolor: "#888", ticks: "outside" },
      yaxis: { title: { text: f.dim === 1 ? "f(x)" : "y", standoff: 4 }, zeroline: false, showgrid: f.dim === 1,
        gridcolor: "#eee", mirror: true, showline: true, linecolor: "#888", ticks: "outside" },
    };
    if (f.dim === 2) {
      layout.yaxis.range = [...b[1]];
      const wx = b[0][1] - b[0][0], wy = b[1][1] - b[1][0];
      if (Math.max(wx, wy) / Math.min(wx, wy) < 2.5) { layout.yaxis.scaleanchor = "x"; layout.yaxis.constrain = "domain"; layout.xaxis.constrain = "domain"; }
    } else {
      layout.hovermode = "x";
      layout.margin = { ...BASE_LAYOUT.margin, l: 58 };
    }
    return layout;
  }

  // ---- paths ---------------------------------------------------------------------------
  _pathXYZ(run, t) {
    // every start's path up to step t, separated by nulls (one trace per run)
    const x = [], y = [], z = [];
    const P = run.params, n = P.length ? P[0].length : 0, upto = Math.min(t, P.length - 1);
    const d = this.fn.dim, three = this.view === "3d" && d === 2;
    for (let j = 0; j < n; j += 1) {
      for (let s = 0; s <= upto; s += 1) {
        const p = P[s][j];
        x.push(p[0]);
        if (d === 1) y.push(run.loss[s][j]);
        else {
          y.push(p[1]);
          if (three) z.push(this.toLevel(run.loss[s][j]) + 0.12);
        }
      }
      x.push(null); y.push(null); if (three) z.push(null);
    }
    return three ? { x, y, z } : { x, y };
  }

  _heads(run, t) {
    const P = run.params, upto = Math.min(t, P.length - 1), d = this.fn.dim;
    const pts = upto >= 0 ? P[upto] : [];
    const three = this.view === "3d" && d === 2;
    const out = { x: pts.map((p) => p[0]), y: pts.map((p, j) => (d === 1 ? run.loss[upto][j] : p[1])) };
    if (three) out.z = pts.map((p, j) => this.toLevel(run.loss[upto][j]) + 0.2);
    return out;
  }

  _pathTraces() {
    const three = this.view === "3d" && this.fn.dim === 2;
    const type = three ? "scatter3d" : "scatter";
    const few = this.runs.every((r) => r.params.length <= 400);
    const paths = this.runs.map((run, r) => ({
      type, mode: few && !three ? "lines+markers" : "lines", ...this._pathXYZ(run, this.t), name: run.label, meta: r,
      line: { color: this.colors[r], width: three ? 5 : 2 }, marker: { size: 4, color: this.colors[r] },
      hovertemplate: `${run.label} (%{x:.4g}, %{y:.4g})<extra></extra>`, showlegend: false, connectgaps: false,
    }));
    const heads = this.runs.map((run, r) => ({
      type, mode: "markers", ...this._heads(run, this.t), name: run.label, meta: r, hoverinfo: "skip",
      marker: { size: three ? 5 : 10, color: this.colors[r], line: { color: "#fff", width: 1.5 } }, showlegend: false,
    }));
    const hl = three
      ? { type, mode: "markers", x: [], y: [], z: [], hoverinfo: "skip", showlegend: false, marker: { size: 7, color: "#000" } }
      : { type, mode: "markers", x: [], y: [], hoverinfo: "skip", showlegend: false,
        marker: { size: 15, color: "rgba(0,0,0,0)", line: { color: "#111", width: 2 } } };
    return [...paths, ...heads, hl];
  }

  _startsTrace() {
    const d = this.fn.dim;
    return { x: [this.starts.map((p) => p[0])], y: [this.starts.map((p) => (d === 1 ? this._f(p) : p[1]))] };
  }

  /** Everything redrawn (function, view, runs or basins changed). */
  async drawMap() {
    if (!this.fn || this.fn.dim > 2) {
      await Plotly.react(this.map, [], { ...BASE_LAYOUT, xaxis: { visible: false }, yaxis: { visible: false },
        annotations: [{ text: `${this.fn ? this.fn.dim : "?"} variables: no map to draw (the loss curves show the runs)`,
          showarrow: false, font: { size: 14, color: "#6b6b6b" } }] }, CONFIG);
      return;
    }
    const traces = [...this._landscapeTraces(), ...this._markerTraces()];
    if (!(this.view === "3d" && this.fn.dim === 2)) {
      const st = this._startsTrace();
      traces[5].x = st.x[0];
      traces[5].y = st.y[0];
      traces[5].marker = { symbol: "circle", size: 11, color: "#fff", line: { color: "#222", width: 2 } };
      traces[5].hovertemplate = "start (%{x:.4g}, %{y:.4g})<extra></extra>";
    }
    this.fixed = traces.length;
    traces.push(...this._pathTraces());
    await Plotly.react(this.map, traces, this._mapLayout(), CONFIG);
    this._bind();
  }

  _lossLayout() {
    const gap = this.lossMode === "gap";
    return {
      ...BASE_LAYOUT, margin: { l: 62, r: 12, t: 30, b: 44 }, hovermode: "closest", uirevision: "loss",
      xaxis: { title: { text: "step", standoff: 6 }, range: [0, this.steps || 1], showline: true, linecolor: "#888",
        zeroline: false, gridcolor: "#eee", ticks: "outside" },
      yaxis: { title: { text: gap ? "f − f*  (log)" : (this.logLoss ? "f  (log)" : "f"), standoff: 4 },
        type: this.logLoss ? "log" : "linear", exponentformat: "power", showline: true, linecolor: "#888",
        gridcolor: "#eee", ticks: "outside", autorange: true },
      legend: { orientation: "h", x: 0, y: 1.01, yanchor: "bottom", font: { size: 11 } },
    };
  }

  _lossXY(run, t) {
    const x = [], y = [];
    const L = run.loss, n = L.length ? L[0].length : 0, upto = Math.min(t, L.length - 1), off = this.lossOffset;
    const log = this.logLoss;
    for (let j = 0; j < n; j += 1) {
      for (let s = 0; s <= upto; s += 1) {
        const v = L[s][j];
        const w = v === null ? null : v - off;
        x.push(s);
        y.push(w === null || (log && !(w > 0)) ? null : w);
      }
      x.push(null); y.push(null);
    }
    return { x, y };
  }

  _lossDecades() {
    let lo = Infinity, hi = -Infinity;
    for (const run of this.runs) for (const row of run.loss) for (const v of row) {
      const w = v === null ? null : v - this.lossOffset;
      if (w !== null && w > 0 && Number.isFinite(w)) { if (w < lo) lo = w; if (w > hi) hi = w; }
    }
    return hi > lo ? Math.log10(hi) - Math.log10(lo) : 0;
  }

  async drawLoss() {
    // log scale when every finite value (minus f*) is positive
    let positive = true;
    for (const run of this.runs) for (const row of run.loss) for (const v of row) {
      if (v !== null && !(v - this.lossOffset > 0) && !(this.lossMode === "gap" && v - this.lossOffset === 0)) positive = false;
    }
    this.logLoss = positive;
    if (this.lossMode === "gap" && !positive) this.lossMode = "raw";
    const traces = this.runs.map((run, r) => ({
      type: "scatter", mode: "lines", ...this._lossXY(run, this.t), name: run.label, meta: r,
      line: { color: this.colors[r], width: 2 }, connectgaps: false,
      hovertemplate: `${run.label}<br>step %{x}<br>%{y:.4g}<extra></extra>`,
    }));
    const layout = this._lossLayout();
    const decades = this.logLoss ? this._lossDecades() : 0;
    if (decades >= 2) layout.yaxis.dtick = Math.max(1, Math.ceil(decades / 7));
    await Plotly.react(this.lossDiv, traces, layout, CONFIG);
    this._bindLoss();
  }

  /** Runs replaced: redraw both plots at step t. */
  async setRuns(runs, colors, steps, t) {
    this.runs = runs;
    this.colors = colors;
    this.steps = steps;
    this.t = t;
    await Promise.all([this.drawMap(), this.drawLoss()]);
  }

  /** Only the cursor moved: the paths, heads and loss curves restyled in place (fast). */
  async setCursor(t) {
    this.t = t;
    if (!this.runs.length) return;
    const jobs = [];
    if (this.fn && this.fn.dim <= 2 && this.fixed !== undefined) {
      const R = this.runs.length;
      const cols = this.runs.map((run) => this._pathXYZ(run, t)).concat(this.runs.map((run) => this._heads(run, t)));
      const update = { x: cols.map((c) => c.x), y: cols.map((c) => c.y) };
      if (cols[0].z) update.z = cols.map((c) => c.z);
      const idx = [];
      for (let i = 0; i < 2 * R; i += 1) idx.push(this.fixed + i);
      jobs.push(Plotly.restyle(this.map, update, idx));
    }
    const loss = this.runs.map((run) => this._lossXY(run, t));
    jobs.push(Plotly.restyle(this.lossDiv, { x: loss.map((c) => c.x), y: loss.map((c) => c.y) },
      this.runs.map((_, r) => r)));
    await Promise.all(jobs);
  }

  setStarts(starts) { this.starts = starts; }

  async setView(view) { this.view = view; await this.drawMap(); }

  async setBasins(b) { this.basins = b; await this.drawMap(); }

  /** Mark step s of start j of run r on both plots. */
  highlight(r, j, s) {
    if (!this.runs[r] || this.fixed === undefined) return;
    const run = this.runs[r], p = run.params[s][j], v = run.loss[s][j];
    const hl = this.fixed + 2 * this.runs.length;
    const three = this.view === "3d" && this.fn.dim === 2;
    if (this.fn.dim <= 2) {
      const u = { x: [[p[0]]], y: [[this.fn.dim === 1 ? v : p[1]]] };
      if (three) u.z = [[this.toLevel(v) + 0.25]];
      Plotly.restyle(this.map, u, [hl]);
    }
  }

  // ---- events --------------------------------------------------------------------------
  _locate(curve, pointIndex, isLoss) {
    // (run, start, step) of a hovered point of a path or loss trace
    const r = isLoss ? curve : curve - this.fixed;
    if (r < 0 || r >= this.runs.length) return null;
    const run = this.runs[r];
    const block = Math.min(this.t, run.params.length - 1) + 2;
    const j = Math.floor(pointIndex / block), s = pointIndex % block;
    if (s >= block - 1) return null;
    return { r, j, s };
  }

  _bind() {
    if (this.map._gdlabBound) return;
    this.map._gdlabBound = true;
    this.map.on("plotly_click", (ev) => {
      const f = this.fn;
      if (!f || f.dim > 2 || !ev.points || !ev.points.length) return;
      const e = ev.event || {};
      if (this.view === "3d" && f.dim === 2) {
        const p = ev.points[0];
        if (p.x !== undefined && p.y !== undefined) this.on.click(p.x, p.y, !!e.shiftKey);
        return;
      }
      const drag = this.map.querySelector(".nsewdrag");
      if (!drag || e.clientX === undefined) return;
      const rect = drag.getBoundingClientRect();
      const xr = this.map.layout.xaxis.range, yr = this.map.layout.yaxis.range || [0, 1];
      const x = xr[0] + ((e.clientX - rect.left) / rect.width) * (xr[1] - xr[0]);
      const y = yr[1] - ((e.clientY - rect.top) / rect.height) * (yr[1] - yr[0]);
      this.on.click(x, y, !!e.shiftKey);
    });
    this.map.on("plotly_hover", (ev) => {
      const p = ev.points && ev.points[0];
      if (!p) return;
      const where = this._locate(p.curveNumber, p.pointNumber, false);
      if (where) this.on.hover(where.r, where.j, where.s);
    });
  }

  _bindLoss() {
    if (this.lossDiv._gdlabBound) return;
    this.lossDiv._gdlabBound = true;
    this.lossDiv.on("plotly_hover", (ev) => {
      const p = ev.points && ev.points[0];
      if (!p) return;
      const where = this._locate(p.curveNumber, p.pointNumber, true);
      if (where) this.on.hover(where.r, where.j, where.s);
    });
  }
}
