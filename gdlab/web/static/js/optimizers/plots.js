// The two plots of the Optimizers page, drawn with plotly.js (served by gdlab from the installed
// plotly package): the landscape (contour map, 3-D surface, or the curve of a 1-D function) with
// the paths, and the loss curves. Nothing here computes a result: the numbers come from the API.
//
// The map is two plotly layers in one box: `base` holds what stays (0 basins heatmap, hidden unless
// shown; 1 the landscape; 2 minima; 3 saddles; 4 maxima; 5 starts) and `top`, transparent, holds
// what moves (0 .. R-1 the paths of the R runs, R their current points, R+1 the highlight), so a
// moving cursor or a re-run optimizer redraws the paths only, never the contours. Zooming the top
// layer zooms the base with it. The 3-D view is one layer (`base`, with the paths after the
// landscape).

import { fmt } from "../lib/ui.js";

const BASE_LAYOUT = {
  margin: { l: 52, r: 14, t: 12, b: 44 },
  paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  font: { family: "system-ui, DejaVu Sans, sans-serif", size: 12, color: "#222" },
  hoverlabel: { font: { size: 12 } },
  modebar: { bgcolor: "rgba(255,255,255,0.9)", color: "#9aa1ad", activecolor: "#2f3542" },
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
  constructor(mapBox, lossDiv, style, on) {
    this.box = mapBox;
    this.base = document.createElement("div");
    this.top = document.createElement("div");
    this.base.className = "layer layer-base";
    this.top.className = "layer layer-paths";
    mapBox.append(this.base, this.top);
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
    if (surface) {
      const toLevel = levelIndex(surface.levels);
      this.toLevel = toLevel;
      if (info.dim === 2) this.zLevel = surface.z.map((row) => row.map(toLevel));
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
      x: 1, xanchor: "left", xpad: 10,
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
      margin: { l: 54, r: f.dim === 2 ? 80 : 16, t: 12, b: 44, autoexpand: false },
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
      // one variable: both layers need the same explicit y range (the curve's, padded)
      const z = this.surface.z.filter((v) => v !== null && Number.isFinite(v));
      const lo = Math.min(...z), hi = Math.max(...z), pad = 0.06 * (hi - lo || 1);
      layout.yaxis.range = [lo - pad, hi + pad];
      layout.hovermode = "closest";
      layout.margin = { ...layout.margin, l: 62 };
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

  _allHeads(t) {
    // the current point of every start of every run, as one trace
    const out = { x: [], y: [] };
    if (this.view === "3d" && this.fn.dim === 2) out.z = [];
    for (const run of this.runs) {
      const h = this._heads(run, t);
      out.x.push(...h.x); out.y.push(...h.y);
      if (out.z) out.z.push(...h.z);
    }
    return out;
  }

  _headColors() {
    const c = [];
    this.runs.forEach((run, r) => { const n = run.params.length ? run.params[0].length : 0; for (let j = 0; j < n; j += 1) c.push(this.colors[r]); });
    return c;
  }

  _pathTraces() {
    const three = this.view === "3d" && this.fn.dim === 2;
    const type = three ? "scatter3d" : "scatter";
    const few = (this.steps || 0) + 1 <= 300; // markers on every step only for short runs (markers are costly)
    const paths = this.runs.map((run, r) => ({
      type, mode: few && !three ? "lines+markers" : "lines", ...this._pathXYZ(run, this.t), name: run.label, meta: r,
      line: { color: this.colors[r], width: three ? 5 : 2 }, marker: { size: 4, color: this.colors[r] },
      hovertemplate: `${run.label} (%{x:.4g}, %{y:.4g})<extra></extra>`, showlegend: false, connectgaps: false,
    }));
    const heads = { type, mode: "markers", ...this._allHeads(this.t), hoverinfo: "skip", showlegend: false,
      marker: { size: three ? 5 : 10, color: this._headColors(), line: { color: "#fff", width: 1.5 } } };
    const hl = three
      ? { type, mode: "markers", x: [], y: [], z: [], hoverinfo: "skip", showlegend: false, marker: { size: 7, color: "#000" } }
      : { type, mode: "markers", x: [], y: [], hoverinfo: "skip", showlegend: false,
        marker: { size: 15, color: "rgba(0,0,0,0)", line: { color: "#111", width: 2 } } };
    return [...paths, heads, hl];
  }

  _startsTrace() {
    const d = this.fn.dim;
    return { x: [this.starts.map((p) => p[0])], y: [this.starts.map((p) => (d === 1 ? this._f(p) : p[1]))] };
  }

  get three() { return this.view === "3d" && this.fn && this.fn.dim === 2; }

  /** The layer that holds the paths. */
  get pathDiv() { return this.three ? this.base : this.top; }

  /** Everything redrawn (function, view, runs or basins changed). */
  async drawMap() {
    if (!this.fn || this.fn.dim > 2) {
      this.top.hidden = true;
      this.fixed = undefined;
      await Plotly.react(this.base, [], { ...BASE_LAYOUT, xaxis: { visible: false }, yaxis: { visible: false },
        annotations: [{ text: `${this.fn ? this.fn.dim : "?"} variables: no map to draw (the loss curves show the runs)`,
          showarrow: false, font: { size: 14, color: "#6b6b6b" } }] }, CONFIG);
      return;
    }
    const traces = [...this._landscapeTraces(), ...this._markerTraces()];
    if (!this.three) {
      const st = this._startsTrace();
      traces[5].x = st.x[0];
      traces[5].y = st.y[0];
      traces[5].marker = { symbol: "circle", size: 11, color: "#fff", line: { color: "#222", width: 2 } };
      traces[5].hovertemplate = "start (%{x:.4g}, %{y:.4g})<extra></extra>";
    }
    const layout = this._mapLayout();
    if (this.three) {
      this.top.hidden = true;
      this.fixed = traces.length;
      await Plotly.react(this.base, [...traces, ...this._pathTraces()], layout, CONFIG);
    } else {
      this.top.hidden = false;
      this.fixed = 0;
      const ranges = this.top.layout && this.top.layout.uirevision === layout.uirevision && this.top.layout.xaxis
        ? { x: [...this.top.layout.xaxis.range], y: [...this.top.layout.yaxis.range] } : null;
      if (ranges) { layout.xaxis.range = ranges.x; layout.yaxis.range = ranges.y; }
      const topLayout = { ...layout, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
        xaxis: { ...layout.xaxis }, yaxis: { ...layout.yaxis } };
      await Promise.all([
        Plotly.react(this.base, traces, { ...layout, dragmode: false, hovermode: false }, { ...CONFIG, staticPlot: false, displayModeBar: false }),
        Plotly.react(this.top, this._pathTraces(), topLayout, CONFIG),
      ]);
    }
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
    const room = Math.max(3, Math.floor(((this.lossDiv.clientHeight || 500) - 90) / 42)); // labels that fit
    this.lossDtick = decades >= 2 ? Math.max(1, Math.ceil(decades / room)) : undefined;
    if (this.lossDtick) layout.yaxis.dtick = this.lossDtick;
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
    await this._restyle(this.runs.map((_, r) => r), true);
  }

  /** Some runs' numbers changed (same runs, same colours): only their traces are restyled. */
  async replaceRuns(runs, indices, t) {
    this.runs = runs;
    this.t = t;
    const decades = this.logLoss ? this._lossDecades() : 0;
    const room = Math.max(3, Math.floor(((this.lossDiv.clientHeight || 500) - 90) / 42));
    const dtick = decades >= 2 ? Math.max(1, Math.ceil(decades / room)) : undefined;
    if (this.fixed === undefined || !this._lossFits() || dtick !== this.lossDtick) {
      await Promise.all([this.drawMap(), this.drawLoss()]);
      return;
    }
    await this._restyle(indices, true);
  }

  _lossFits() {
    // the loss axis (log or linear, f or f - f*) still suits every run
    for (const run of this.runs) for (const row of run.loss) for (const v of row) {
      if (v !== null && this.logLoss && !(v - this.lossOffset >= 0)) return false;
    }
    return true;
  }

  async _restyle(indices, heads) {
    const jobs = [];
    if (this.fn && this.fn.dim <= 2 && this.fixed !== undefined) {
      const cols = indices.map((r) => this._pathXYZ(this.runs[r], this.t));
      const idx = indices.map((r) => this.fixed + r);
      if (heads) {
        cols.push(this._allHeads(this.t));
        idx.push(this.fixed + this.runs.length);
      }
      const update = { x: cols.map((c) => c.x), y: cols.map((c) => c.y) };
      if (cols[0] && cols[0].z) update.z = cols.map((c) => c.z);
      if (heads) update["marker.color"] = indices.map((r) => this.colors[r]).concat([this._headColors()]);
      jobs.push(Plotly.restyle(this.pathDiv, update, idx));
    }
    const loss = indices.map((r) => this._lossXY(this.runs[r], this.t));
    jobs.push(Plotly.restyle(this.lossDiv, { x: loss.map((c) => c.x), y: loss.map((c) => c.y) }, indices));
    await Promise.all(jobs);
  }

  setStarts(starts) { this.starts = starts; }

  async setView(view) { this.view = view; await this.drawMap(); }

  async setBasins(b) { this.basins = b; await this.drawMap(); }

  /** Mark step s of start j of run r on both plots. */
  highlight(r, j, s) {
    if (!this.runs[r] || this.fixed === undefined) return;
    const run = this.runs[r], p = run.params[s][j], v = run.loss[s][j];
    const hl = this.fixed + this.runs.length + 1;
    if (this.fn.dim <= 2) {
      const u = { x: [[p[0]]], y: [[this.fn.dim === 1 ? v : p[1]]] };
      if (this.three) u.z = [[this.toLevel(v) + 0.25]];
      Plotly.restyle(this.pathDiv, u, [hl]);
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

  /** f at (x, y) from the grid (bilinear), for the pointer readout. */
  valueAt(x, y) {
    const s = this.surface;
    if (!s || this.fn.dim !== 2) return null;
    const fx = (x - s.x[0]) / (s.x[s.x.length - 1] - s.x[0]) * (s.x.length - 1);
    const fy = (y - s.y[0]) / (s.y[s.y.length - 1] - s.y[0]) * (s.y.length - 1);
    if (!(fx >= 0 && fy >= 0 && fx <= s.x.length - 1 && fy <= s.y.length - 1)) return null;
    const i = Math.min(Math.floor(fy), s.y.length - 2), j = Math.min(Math.floor(fx), s.x.length - 2);
    const u = fx - j, v = fy - i, z = s.z;
    const corners = [z[i][j], z[i][j + 1], z[i + 1][j], z[i + 1][j + 1]];
    if (corners.some((c) => c === null)) return null;
    return (1 - v) * ((1 - u) * corners[0] + u * corners[1]) + v * ((1 - u) * corners[2] + u * corners[3]);
  }

  /** Data coordinates of a mouse event over the 2-D map (null outside the plot area). */
  toData(e) {
    const drag = this.top.querySelector(".nsewdrag");
    if (!drag || !this.top.layout) return null;
    const rect = drag.getBoundingClientRect();
    const u = (e.clientX - rect.left) / rect.width, v = (e.clientY - rect.top) / rect.height;
    if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) return null;
    const xr = this.top.layout.xaxis.range, yr = this.top.layout.yaxis.range;
    return [xr[0] + u * (xr[1] - xr[0]), yr[1] - v * (yr[1] - yr[0])];
  }

  _bind() {
    // plotly's events exist once a div has been plotted: each layer is bound after its first plot
    if (this.top.on && !this.topBound) { this.topBound = true; this._bindTop(); }
    if (this.base.on && !this.baseBound) { this.baseBound = true; this._bindBase(); }
  }

  _hover(div) {
    div.on("plotly_hover", (ev) => {
      const p = ev.points && ev.points[0];
      if (!p) return;
      const where = this._locate(p.curveNumber, p.pointNumber, false);
      if (where) this.on.hover(where.r, where.j, where.s);
    });
  }

  _bindTop() {
    // 2-D and 1-D: the top layer takes the clicks (a plain click, not a zoom drag) and the zoom
    this.top.addEventListener("click", (e) => {
      if (!this.fn || this.fn.dim > 2 || this.three) return;
      const p = this.toData(e);
      if (p) this.on.click(p[0], p[1], !!e.shiftKey);
    });
    this.top.addEventListener("mousemove", (e) => {
      if (!this.on.pointer || !this.fn || this.three) return;
      const p = this.toData(e);
      this.on.pointer(p, p && this.fn.dim === 2 ? this.valueAt(p[0], p[1]) : null);
    });
    this.top.addEventListener("mouseleave", () => this.on.pointer && this.on.pointer(null, null));
    this.top.on("plotly_relayout", () => {
      // the base follows the top layer's zoom and pan
      const lay = this.top.layout;
      if (!lay.xaxis || !lay.xaxis.range) return;
      const update = { "xaxis.range": [...lay.xaxis.range] };
      if (lay.yaxis && lay.yaxis.range) update["yaxis.range"] = [...lay.yaxis.range];
      Plotly.relayout(this.base, update);
    });
    this._hover(this.top);
  }

  _bindBase() {
    this._hover(this.base);
    // 3-D: a click on the surface sets the start
    this.base.on("plotly_click", (ev) => {
      if (!this.three || !ev.points || !ev.points.length) return;
      const p = ev.points[0], e = ev.event || {};
      if (p.x !== undefined && p.y !== undefined && p.curveNumber === 0) this.on.click(p.x, p.y, !!e.shiftKey);
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
