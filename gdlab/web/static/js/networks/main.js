// The Networks page: build a small network, press play, watch it learn; compare optimizers.
//
// Data flow: the state (state.js, mirrored in the URL) -> a training session on the server
// (POST /api/train/session: the copies, compiled, at epoch 0) -> frames (POST .../advance: more
// epochs of gdlab.nn's fit for every copy in lockstep) -> the views. A change of any setting
// starts a new session (reset); play asks for the next frame as soon as the last one is drawn.

import { api, ApiError } from "../lib/api.js";
import { $, el, banner, fmt, debounce, download } from "../lib/ui.js";
import { OptimizerCard } from "../optimizers/controls.js";
import { DATASETS, FEATURES, REGRESSION, cloneState, fromURL, toURL } from "./state.js";
import * as draw from "./draw.js";

const net = {
  state: null, optimizers: {}, style: null, limits: null, cards: [],
  session: null, gen: 0, playing: false, busy: null, history: [], frame: null, epoch: 0, updates: 0,
  frames: 0, frameTimes: [], csv: null, pick: 0, explained: null, ready: false, looping: false, pending: false, partial: 0,
};
window.gdlabNet = net; // for the browser tests and the curious

const LABEL = { x1: "X₁", x2: "X₂", "x1^2": "X₁²", "x2^2": "X₂²", x1x2: "X₁X₂", sin_x1: "sin(X₁)", sin_x2: "sin(X₂)" };
const MAX_LAYERS = 6, MAX_UNITS = 8, MAX_COPIES = 4;
// the lr an optimizer added to the page starts with: one that moves a small net in tens of epochs
// (the rules' own defaults, e.g. Adam's 0.001, are made for big nets and long runs)
const START_LR = { gd: 0.1, sgd: 0.1, momentum: 0.03, nesterov: 0.03, adagrad: 0.1, rmsprop: 0.01, adadelta: 1,
  adam: 0.03, adamw: 0.03, adamax: 0.03, nadam: 0.03, radam: 0.03, lion: 0.003 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

// ---- colours and labels -------------------------------------------------------------------
function labels() {
  const count = {}, seen = {};
  for (const o of net.state.opts) count[o.name] = (count[o.name] || 0) + 1;
  return net.state.opts.map((o) => {
    seen[o.name] = (seen[o.name] || 0) + 1;
    return count[o.name] > 1 ? `${o.name} #${seen[o.name]}` : o.name;
  });
}

function colors() {
  const used = new Set(), st = net.style;
  return net.state.opts.map((o) => {
    let c = (net.optimizers[o.name] || {}).color;
    if (!c || used.has(c)) c = st.cycle.find((x) => !used.has(x)) || st.cycle[0];
    used.add(c);
    return c;
  });
}

const classColors = () => net.style.class_colors;
const POS = () => classColors()[0], NEG = () => classColors()[1]; // weights and neurons: blue +, orange −

function outputScale() {
  const s = net.session;
  if (s.task === "regression") {
    const ys = [...s.points.train.y, ...(s.points.test ? s.points.test.y : [])];
    return draw.scale("range", [classColors()[0], classColors()[1]], { lo: Math.min(...ys), hi: Math.max(...ys), strength: 0.6 });
  }
  if (s.classes > 2) return draw.scale("class", classColors());
  return draw.scale("prob", [classColors()[0], classColors()[1]], { strength: 0.6 });
}

function pointColor() {
  const s = net.session, cc = classColors();
  if (s.task !== "regression") return (y) => cc[y % cc.length];
  const ys = [...s.points.train.y, ...(s.points.test ? s.points.test.y : [])];
  const lo = Math.min(...ys), hi = Math.max(...ys);
  const a = [47, 111, 222], b = [228, 87, 46];
  return (y) => {
    const t = Math.max(0, Math.min(1, (y - lo) / (hi - lo || 1)));
    const c = a.map((v, i) => Math.round(v + (b[i] - v) * t));
    return `rgb(${c.join(",")})`;
  };
}

// ---- the request -------------------------------------------------------------------------
function body() {
  const s = net.state;
  const [first, ...rest] = s.opts.map((o) => ({ name: o.name, ...o.hp }));
  return {
    dataset: s.d, csv: s.d === "csv" ? net.csv : null, n_samples: s.n, noise: s.noise, test_fraction: s.test,
    data_seed: s.ds, features: s.f, hidden: s.h, activation: s.act, optimizer: first, compare: rest,
    batch_size: s.bs, weight_decay: s.wd, regularization: s.reg ? { kind: s.reg, rate: s.rate } : null, seed: s.seed,
  };
}

function fieldError(err) {
  const f = err.field || "";
  const i = /^compare\[(\d+)\]/.exec(f);
  const card = f.startsWith("optimizer") ? net.cards[0] : i ? net.cards[Number(i[1]) + 1] : null;
  if (card) card.setError(err.message);
  banner(err.message);
}

/** A new session for the current settings (the reset); keeps playing if it was. */
async function restart() {
  const gen = ++net.gen;
  net.pending = true;
  const old = net.session;
  net.busy = (async () => {
    let res;
    try {
      res = await api("/api/train/session", body());
    } catch (err) {
      if (gen !== net.gen) return;
      net.session = null;
      if (err instanceof ApiError) fieldError(err); else throw err;
      return;
    }
    if (gen !== net.gen) { fetch(`/api/train/session/${res.id}`, { method: "DELETE" }); return; }
    banner("");
    for (const c of net.cards) c.setError("");
    net.session = res;
    net.history = res.runs.map(() => ({}));
    net.epoch = 0; net.updates = 0; net.pick = 0; net.explained = null;
    $("#explain-box").hidden = true;
    buildNet();
    buildCompare();
    applyFrame(res.frame);
  })();
  await net.busy;
  if (gen === net.gen) net.pending = false;
  if (old) fetch(`/api/train/session/${old.id}`, { method: "DELETE" }).catch(() => {});
}

/** Train `epochs` more epochs of every copy: a promise of the frame, or null when it could not. */
function request(epochs) {
  const s = net.session, gen = net.gen;
  if (!s) return Promise.resolve(null);
  return api(`/api/train/session/${s.id}/advance`, { epochs }).then((frame) => ({ gen, frame }), (err) => {
    if (gen !== net.gen) return { gen, frame: null };
    setPlaying(false);
    if (err instanceof ApiError && err.field === "epochs" && err.status === 422) banner(err.message, "info");
    else if (err instanceof ApiError && err.status === 404) { banner("the session ended; starting again", "info", 4); restart(); }
    else banner(err.message || String(err));
    return null;
  });
}

/** One update more than shown: the copies a few updates into the next epoch (POST .../step: the
 * session stays at its epoch; the epoch's last step, or play, trains the epoch through the same weights). */
async function step() {
  setPlaying(false);
  while (net.looping) await sleep(20);
  await net.busy;
  const s = net.session, gen = net.gen;
  if (!s) return;
  const k = net.partial + 1;
  if (k >= s.steps_per_epoch) { await advance(1); return; }
  let frame;
  try {
    frame = await api(`/api/train/session/${s.id}/step`, { updates: k });
  } catch (err) {
    if (gen === net.gen) banner(err.message || String(err));
    return;
  }
  if (gen === net.gen) applyFrame(frame);
}

/** Train `epochs` more epochs and show the frame. Calls are chained: a click while the last one is
 * still out waits for it, so frames are applied in the order the epochs were trained (two requests in
 * flight could otherwise answer out of order and swap epochs in the history). */
let advancing = Promise.resolve();
function advance(epochs) {
  const run = advancing.then(async () => {
    const got = await request(epochs);
    if (got && got.frame && got.gen === net.gen) applyFrame(got.frame);
    return got !== null;
  });
  advancing = run.catch(() => {});
  return run;
}

function applyFrame(frame) {
  net.frame = frame;
  frame.runs.forEach((run, i) => {
    const h = net.history[i];
    for (const [k, v] of Object.entries(run.history)) (h[k] = h[k] || []).push(...v);
  });
  net.epoch = frame.epoch; net.updates = frame.updates;
  net.partial = frame.partial || 0; // updates shown into the next epoch ("one step"), not yet trained for good
  net.frames += 1;
  net.frameTimes.push(performance.now());
  if (net.frameTimes.length > 40) net.frameTimes.shift();
  render();
}

// ---- play / pause / epoch / reset -----------------------------------------------------------
function setPlaying(on) {
  net.playing = on;
  $("#play").classList.toggle("playing", on);
  $("#play").title = on ? "pause" : "play";
}

/** While playing: the next frame is asked for before this one is drawn, so the server trains
 * while the browser draws (frames are still applied in order, one request ahead at most). */
async function loop() {
  let ahead = null;
  while (net.playing || ahead) {
    await net.busy;
    if (!net.session) { ahead = null; await sleep(100); continue; }
    const got = await (ahead && ahead.gen === net.gen ? ahead.p : request(net.state.speed));
    ahead = null;
    if (got === null) break;
    if (net.playing) { const gen = net.gen; ahead = { gen, p: request(net.state.speed) }; }
    if (got.frame && got.gen === net.gen) applyFrame(got.frame);
    await nextFrame();
  }
  net.looping = false;
}

// ---- the views --------------------------------------------------------------------------------
function render() {
  const s = net.session;
  if (!s) return;
  $("#epoch-count").textContent = net.epoch.toLocaleString("en");
  $("#update-count").textContent = net.updates.toLocaleString("en");
  const t = [performance.now()];
  for (const part of [renderBoundary, renderNet, renderCompare, renderCurves, renderStats]) { part(); t.push(performance.now()); }
  net.renderMs = t.slice(1).map((v, i) => Math.round((v - t[i]) * 10) / 10); // per view, for the curious
}

function renderBoundary() {
  const s = net.session, canvas = $("#boundary");
  draw.fitCanvas(canvas);
  draw.heatmap(canvas, net.frame.runs[0].z, outputScale());
  const pick = s.points.train.x[net.pick];
  draw.points(canvas, s.bounds, [["train", s.points.train], ["test", s.points.test]], pointColor(),
    { pick: net.explained !== null ? pick : null });
  draw.ticks(canvas, s.bounds);
  const what = s.task === "regression" ? "the prediction over the plane" : s.classes > 2 ? "the most likely class"
    : "P(class 1) over the plane";
  $("#out-caption").textContent = `${what} · train points filled, test hollow`;
  const legend = $("#out-legend");
  if (s.task === "regression" || s.classes === 2) {
    const sc = outputScale(), stops = s.task === "regression" ? [0, 0.25, 0.5, 0.75, 1] : [0, 0.25, 0.5, 0.75, 1];
    const ys = s.task === "regression" ? [...s.points.train.y] : null;
    const lo = ys ? Math.min(...ys) : 0, hi = ys ? Math.max(...ys) : 1;
    const grad = stops.map((t) => `rgb(${sc(lo + t * (hi - lo)).map(Math.round).join(",")}) ${t * 100}%`).join(",");
    legend.replaceChildren(el("span", {}, fmt(lo, 3)), el("i", { style: { background: `linear-gradient(to right, ${grad})` } }),
      el("span", {}, fmt(hi, 3)));
  } else legend.replaceChildren();
}

/** The network diagram: a column per layer (the inputs' features, each hidden layer, the output). */
function buildNet() {
  const s = net.session, host = $("#net");
  host.replaceChildren();
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.classList.add("wires");
  host.append(svg);
  const units = s.sizes.slice(1, -1);
  const biggest = Math.max(s.features.length, ...units, 1);
  const size = Math.max(26, Math.min(46, Math.floor((440 - 40) / biggest) - 8));
  const node = (extra = "") => {
    const c = el("canvas", { width: 40, height: 40 });
    return [el("span", { class: `node ${extra}`, style: { width: `${size}px`, height: `${size}px` } }, c), c];
  };
  net.columns = [];
  net.wires = null; // laid out on the first draw, once the nodes have their places
  net.canvases = { inputs: [], hidden: [], out: null };
  // inputs
  const inCol = el("div", { class: "col" }, el("h4", {}, "features"));
  const inNodes = [];
  for (const f of s.features) {
    const [n, c] = node();
    n.append(el("span", { class: "tag" }, LABEL[f] || f));
    inCol.append(n); inNodes.push(n); net.canvases.inputs.push([f, c]);
  }
  host.append(inCol); net.columns.push(inNodes);
  // hidden layers, each with its own + / − for the neurons
  units.forEach((k, l) => {
    const ctl = el("div", { class: "unit-ctl" },
      el("button", { type: "button", class: "mini-btn", "aria-label": `fewer neurons in layer ${l + 1}`, title: "one neuron fewer",
        disabled: k <= 1, onclick: () => setUnits(l, k - 1) }, "−"),
      el("button", { type: "button", class: "mini-btn", "aria-label": `more neurons in layer ${l + 1}`, title: "one neuron more",
        disabled: k >= MAX_UNITS, onclick: () => setUnits(l, k + 1) }, "+"));
    const col = el("div", { class: "col hidden-layer" }, ctl, el("h4", {}, `${k} neuron${k > 1 ? "s" : ""}`));
    const nodes = [], canvases = [];
    for (let j = 0; j < k; j++) { const [n, c] = node(); col.append(n); nodes.push(n); canvases.push(c); }
    host.append(col); net.columns.push(nodes); net.canvases.hidden.push(canvases);
  });
  // the output
  const outCol = el("div", { class: "col out" }, el("h4", {}, "output"));
  const outNodes = [];
  const outs = s.sizes[s.sizes.length - 1];
  for (let j = 0; j < outs; j++) {
    const [n, c] = node("out");
    outCol.append(n); outNodes.push(n);
    if (j === 0) net.canvases.out = c;
  }
  host.append(outCol); net.columns.push(outNodes);
  $("#layer-count").textContent = String(units.length);
  $("#net-caption").textContent = `${s.sizes.join("-")} network · each neuron's output over the plane · lines: weights (width: size, blue +, orange −)`;
  // the inputs' pictures do not change while training: draw them once
  const gx = s.neuron_grid.x, gy = s.neuron_grid.y;
  const mid = (a) => (a[0] + a[a.length - 1]) / 2, half = (a) => (a[a.length - 1] - a[0]) / 2 || 1;
  const fns = { x1: (u) => u, x2: (u, v) => v, "x1^2": (u) => u * u, "x2^2": (u, v) => v * v, x1x2: (u, v) => u * v,
    sin_x1: (u) => Math.sin(2 * u), sin_x2: (u, v) => Math.sin(2 * v) };
  for (const [f, c] of net.canvases.inputs) {
    const z = gy.map((y) => gx.map((x) => fns[f]((x - mid(gx)) / half(gx), (y - mid(gy)) / half(gy))));
    const span = Math.max(1e-9, ...z.flat().map(Math.abs));
    draw.heatmap(c, z, draw.scale("signed", [NEG(), POS()], { span }));
  }
}

function renderNet() {
  const f = net.frame;
  f.neurons.forEach((layer, l) => layer.forEach((z, j) => {
    const c = net.canvases.hidden[l] && net.canvases.hidden[l][j];
    if (!c) return;
    let span = 1e-9;
    for (const row of z) for (const v of row) span = Math.max(span, Math.abs(v ?? 0));
    draw.heatmap(c, z, draw.scale("signed", [NEG(), POS()], { span }));
  }));
  if (net.canvases.out) draw.heatmap(net.canvases.out, f.runs[0].z, outputScale());
  if (!net.wires) net.wires = draw.wires($("#net svg.wires"), $("#net"), net.columns, [POS(), NEG()]);
  net.wires(f.weights);
}

function buildCompare() {
  const box = $("#compare");
  const runs = net.session.runs;
  box.hidden = runs.length < 2;
  box.replaceChildren();
  if (runs.length < 2) return;
  const cs = colors();
  net.compareEls = runs.map((run, i) => {
    const canvas = el("canvas", { width: 220, height: 220 });
    const stat = el("span", {}, "");
    const fig = el("figure", { style: { "--c": cs[i] } }, canvas,
      el("figcaption", {}, el("b", {}, labels()[i]), stat));
    box.append(fig);
    return { canvas, stat };
  });
}

function renderCompare() {
  if (!net.compareEls || net.session.runs.length < 2) return;
  const s = net.session, sc = outputScale(), pc = pointColor();
  const metric = s.metrics[0];
  net.compareEls.forEach(({ canvas, stat }, i) => {
    draw.fitCanvas(canvas);
    draw.heatmap(canvas, net.frame.runs[i].z, sc);
    draw.points(canvas, s.bounds, [["train", s.points.train], ["test", s.points.test]], pc, { radius: 2.2 });
    const h = net.history[i];
    const last = (k) => (h[k] && h[k].length ? h[k][h[k].length - 1] : null);
    stat.textContent = `loss ${fmt(last("loss"), 3)} · test ${fmt(last("val_loss"), 3)}` +
      (metric === "accuracy" ? ` · acc ${fmt(last("val_accuracy") ?? last("accuracy"), 3)}` : "");
  });
}

let curvesAt = 0;
function renderCurves() {
  if (!window.Plotly) return;
  const now = performance.now();
  if (net.playing && now - curvesAt < 250) { clearTimeout(net.curveTimer); net.curveTimer = setTimeout(renderCurves, 260); return; }
  curvesAt = now;
  clearTimeout(net.curveTimer);
  const s = net.session, cs = colors(), names = labels();
  const metric = s.metrics[0];
  const traces = (key) => net.history.flatMap((h, i) => {
    const out = [];
    for (const [k, dash, side] of [[key, "solid", "train"], [`val_${key}`, "dash", "test"]]) {
      if (!h[k]) continue;
      out.push({ x: h[k].map((_, e) => e + 1), y: h[k], type: "scatter", mode: "lines", name: `${names[i]} ${side}`,
        line: { color: cs[i], width: 2, dash }, hovertemplate: `${names[i]} ${side}<br>epoch %{x}<br>${key} %{y:.4g}<extra></extra>` });
    }
    return out;
  });
  const layout = (title, type) => ({
    margin: { l: 50, r: 12, t: 8, b: 34 }, paper_bgcolor: "#fff", plot_bgcolor: "#fff", showlegend: net.history.length > 1,
    legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 1, xanchor: "right", font: { size: 11 } },
    xaxis: { title: { text: "epoch", font: { size: 11 } }, gridcolor: "#eef0f3", zeroline: false, rangemode: "tozero" },
    yaxis: { title: { text: title, font: { size: 11 } }, gridcolor: "#eef0f3", zeroline: false, type, rangemode: "tozero" },
    font: { family: "system-ui, sans-serif", size: 11, color: "#333" }, uirevision: String(net.gen),
  });
  const config = { displayModeBar: false, responsive: true };
  window.Plotly.react("loss", traces("loss"), layout("loss", "linear"), config);
  window.Plotly.react("metric", traces(metric), layout(metric === "accuracy" ? "accuracy" : "R²", "linear"), config);
  $("#metric-caption").textContent = `${metric === "accuracy" ? "accuracy" : "R²"} per epoch: train (solid), test (dashed)`;
}

function renderStats() {
  const h = net.history[0], s = net.session;
  const last = (k) => (h[k] && h[k].length ? h[k][h[k].length - 1] : null);
  const m = s.metrics[0];
  const parts = [["train loss", last("loss")], ["test loss", last("val_loss")]];
  if (m === "accuracy") parts.push(["test acc.", last("val_accuracy") ?? last("accuracy")]);
  else parts.push(["test R²", last("val_r2") ?? last("r2")]);
  const fps = net.frameTimes.length > 5 && net.playing
    ? (net.frameTimes.length - 1) / ((net.frameTimes[net.frameTimes.length - 1] - net.frameTimes[0]) / 1000) : null;
  $("#stats").replaceChildren(...parts.flatMap(([k, v], i) => [i ? " · " : "", `${k} `, el("b", {}, fmt(v, 4))]),
    fps ? ` · ${fps.toFixed(0)} frames/s` : "");
}

// ---- Explain step ------------------------------------------------------------------------------
async function explain() {
  const s = net.session;
  if (!s) return;
  if (!s.explainable) {
    banner("Explain step shows nets of at most 8 hidden neurons: remove a layer or some neurons", "info", 6);
    return;
  }
  let e;
  try {
    e = await api(`/api/train/session/${s.id}/explain`, { sample: net.pick });
  } catch (err) { banner(err.message); return; }
  net.explained = e;
  renderBoundary();
  const box = $("#explain-box");
  const f = (v) => fmt(v, 5);
  const rows = e.factors.map(([name, factors]) => {
    const p = name.replace("dE/d", "");
    const g = e.gradients[p], after = e.updated[p], before = after + e.lr * g;
    return el("tr", {}, el("td", {}, el("code", {}, p)),
      el("td", {}, el("code", {}, `${name} = ${factors.map(([k]) => k).join(" · ")}`)),
      el("td", { class: "num" }, factors.map(([, v]) => f(v)).join(" × ")),
      el("td", { class: "num" }, f(g)), el("td", { class: "num" }, `${f(before)} → ${f(after)}`));
  });
  const fwd = Object.entries(e.forward).map(([k, v]) => `${k} = ${f(v)}`).join(",  ");
  box.replaceChildren(
    el("h3", {}, `One backprop step for training point ${net.pick} at (${e.point.map((v) => fmt(v, 3)).join(", ")})`),
    el("p", { class: "sub" }, `inputs ${e.x.map((v) => fmt(v, 4)).join(", ")} (standardised features) · target ${Array.isArray(e.y) ? e.y.join(", ") : e.y}` +
      ` · loss E = ½ Σ (y − ŷ)² on the output, as nn.explain_backprop writes it out · lr ${e.lr} · ` +
      `the products equal backward()'s gradients to ${e.max_abs_error.toExponential(1)} · click a point on the map to explain it`),
    el("p", { class: "sub" }, el("code", {}, fwd)),
    el("table", {}, el("thead", {}, el("tr", {}, ...["parameter", "chain rule", "factors", "dE/dparameter", "one step"].map((t) => el("th", {}, t)))),
      el("tbody", {}, ...rows)),
    el("details", {}, el("summary", {}, "as nn.explain_backprop prints it"), el("pre", {}, e.text)));
  box.hidden = false;
}

function pickPoint(ev) {
  const s = net.session;
  if (!s) return;
  const c = ev.currentTarget, r = c.getBoundingClientRect();
  const [[x0, x1], [y0, y1]] = s.bounds;
  const x = x0 + ((ev.clientX - r.left) / r.width) * (x1 - x0), y = y1 - ((ev.clientY - r.top) / r.height) * (y1 - y0);
  let best = 0, d = Infinity;
  s.points.train.x.forEach(([a, b], i) => {
    const di = ((a - x) / (x1 - x0)) ** 2 + ((b - y) / (y1 - y0)) ** 2;
    if (di < d) { d = di; best = i; }
  });
  net.pick = best;
  if (s.explainable) explain();
}

// ---- downloads ---------------------------------------------------------------------------------
async function fetchFile(path, name) {
  const s = net.session;
  if (!s) return;
  const res = await fetch(`/api/train/session/${s.id}/${path}`);
  if (!res.ok) { banner(`download failed: ${res.status}`); return; }
  download(await res.blob(), name);
  $("#action-note").textContent = `saved ${name}`;
}

// ---- the controls ------------------------------------------------------------------------------
function changed({ immediate = false } = {}) {
  history.replaceState(null, "", toURL(net.state) + location.hash);
  net.pending = true;
  if (immediate) restart(); else restartSoon();
}
const restartSoon = debounce(() => restart(), 250);

function setUnits(layer, k) {
  net.state.h[layer] = Math.max(1, Math.min(MAX_UNITS, k));
  changed({ immediate: true });
}

function buildDataPicker() {
  const box = $("#ds-pick");
  box.replaceChildren();
  for (const name of DATASETS) {
    const c = el("canvas", { width: 64, height: 64 });
    draw.thumbnail(c, name, classColors());
    const b = el("button", { type: "button", role: "radio", "aria-checked": String(net.state.d === name), dataset: { ds: name },
      title: REGRESSION.has(name) ? `${name} (regression)` : `${name} (classification)`,
      onclick: () => {
        net.state.d = name;
        for (const x of box.children) x.setAttribute("aria-checked", String(x.dataset.ds === name));
        $("#csv-note").textContent = "";
        changed({ immediate: true });
      } }, c, name);
    box.append(b);
  }
}

function buildFeatures() {
  const box = $("#features");
  box.replaceChildren();
  for (const f of FEATURES) {
    const input = el("input", { type: "checkbox", value: f, "aria-label": `feature ${f}` });
    input.checked = net.state.f.includes(f);
    input.addEventListener("change", () => {
      const on = FEATURES.filter((x) => box.querySelector(`input[value="${x}"]`).checked);
      if (!on.length) { input.checked = true; return; }
      net.state.f = on;
      changed({ immediate: true });
    });
    box.append(el("label", { title: f }, input, LABEL[f]));
  }
}

function bindNumber(sel, key, { integer = false, allowEmpty = false } = {}) {
  const box = $(sel);
  box.value = net.state[key] === null ? "" : net.state[key];
  box.addEventListener("change", () => {
    const text = box.value.trim();
    if (text === "" && allowEmpty) { net.state[key] = null; box.classList.remove("invalid"); changed(); return; }
    const v = Number(text);
    const ok = text !== "" && Number.isFinite(v) && v >= 0 && (!integer || Number.isInteger(v));
    box.classList.toggle("invalid", !ok);
    if (!ok) return;
    net.state[key] = v;
    changed();
  });
}

function buildCards() {
  const list = $("#opt-list");
  list.replaceChildren();
  const cs = colors(), names = labels();
  net.cards = net.state.opts.map((opt, i) => {
    const card = new OptimizerCard(net.optimizers[opt.name], opt, {
      change: () => changed(),
      remove: () => {
        if (net.state.opts.length === 1) { banner("the network needs an optimizer", "info", 3); return; }
        net.state.opts.splice(i, 1); buildCards(); changed({ immediate: true });
      },
      focus: () => {},
      duplicate: () => {
        if (net.state.opts.length >= MAX_COPIES) { banner(`at most ${MAX_COPIES} networks side by side`, "info", 3); return; }
        net.state.opts.splice(i + 1, 0, { name: opt.name, hp: { ...opt.hp } }); buildCards(); changed({ immediate: true });
      },
    });
    card.sync(i === 0 ? names[i] : `${names[i]} (compare)`, cs[i]);
    card.chip.textContent = i === 0 ? "main" : "compare";
    list.append(card.root);
    return card;
  });
  $("#opt-add").disabled = net.state.opts.length >= MAX_COPIES;
}

function syncControls() {
  const s = net.state;
  buildDataPicker();
  buildFeatures();
  for (const [sel, key] of [["#n-samples", "n"], ["#noise", "noise"], ["#test-fraction", "test"], ["#data-seed", "ds"],
    ["#weight-decay", "wd"], ["#seed", "seed"], ["#reg-rate", "rate"]]) $(sel).value = s[key];
  $("#regularization").value = s.reg ?? "none";
  $("#reg-rate").disabled = !s.reg;
  $("#batch-size").value = s.bs === null ? "" : s.bs;
  $("#activation").value = s.act;
  $("#speed").value = String(s.speed);
  buildCards();
}

function wire() {
  bindNumber("#n-samples", "n", { integer: true });
  bindNumber("#noise", "noise");
  bindNumber("#test-fraction", "test");
  bindNumber("#data-seed", "ds", { integer: true });
  bindNumber("#weight-decay", "wd");
  bindNumber("#reg-rate", "rate");
  $("#regularization").addEventListener("change", (e) => {
    net.state.reg = e.target.value === "none" ? null : e.target.value;
    $("#reg-rate").disabled = !net.state.reg;
    changed({ immediate: true });
  });
  bindNumber("#seed", "seed", { integer: true });
  bindNumber("#batch-size", "bs", { integer: true, allowEmpty: true });
  $("#activation").addEventListener("change", (e) => { net.state.act = e.target.value; changed({ immediate: true }); });
  $("#speed").addEventListener("change", (e) => { net.state.speed = Number(e.target.value); history.replaceState(null, "", toURL(net.state)); });
  $("#layer-add").addEventListener("click", () => {
    if (net.state.h.length >= MAX_LAYERS) return;
    net.state.h.push(net.state.h.length ? net.state.h[net.state.h.length - 1] : 4);
    changed({ immediate: true });
  });
  $("#layer-remove").addEventListener("click", () => {
    if (!net.state.h.length) return;
    net.state.h.pop();
    changed({ immediate: true });
  });
  const add = $("#opt-add");
  for (const name of Object.keys(net.optimizers)) add.append(el("option", { value: name }, name));
  add.addEventListener("change", () => {
    const name = add.value;
    add.value = "";
    if (!name || net.state.opts.length >= MAX_COPIES) return;
    net.state.opts.push({ name, hp: { lr: START_LR[name] ?? net.optimizers[name].defaults.lr } });
    buildCards();
    changed({ immediate: true });
  });
  $("#play").addEventListener("click", () => {
    setPlaying(!net.playing);
    if (net.playing && !net.looping) { net.looping = true; loop(); }
  });
  $("#epoch").addEventListener("click", async () => {
    setPlaying(false);
    while (net.looping) await sleep(20);
    await net.busy;
    await advance(1);
  });
  $("#step").addEventListener("click", () => step());
  $("#reset").addEventListener("click", () => restart());
  $("#boundary").addEventListener("click", pickPoint);
  $("#explain").addEventListener("click", () => explain());
  $("#dl-model").addEventListener("click", () => fetchFile("model", "gdlab-network.npz"));
  $("#dl-json").addEventListener("click", () => fetchFile("history?format=json", "gdlab-network-history.json"));
  $("#dl-csv").addEventListener("click", () => fetchFile("history?format=csv", "gdlab-network-history.csv"));
  $("#copy-link").addEventListener("click", async () => {
    const url = location.href;
    try { await navigator.clipboard.writeText(url); $("#action-note").textContent = "link copied"; }
    catch (_) { $("#action-note").textContent = url; }
  });
  $("#csv-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    if (file.size > net.limits.max_csv) {
      $("#csv-note").textContent = `${file.name} is ${file.size.toLocaleString("en")} bytes; at most ${net.limits.max_csv.toLocaleString("en")}`;
      return;
    }
    net.csv = await file.text();
    net.state.d = "csv";
    for (const x of $("#ds-pick").children) x.setAttribute("aria-checked", "false");
    $("#csv-note").textContent = `${file.name}: your points (not kept in the link)`;
    changed({ immediate: true });
  });
  window.addEventListener("resize", debounce(() => { if (net.session) { net.wires = null; render(); } }, 150));
}

async function main() {
  try {
    const [opts, style, limits] = await Promise.all([api("/api/optimizers"), api("/api/style"), api("/api/limits")]);
    for (const o of opts) net.optimizers[o.name] = o;
    net.style = style;
    net.limits = limits;
  } catch (err) {
    banner(err.message || String(err));
    return;
  }
  net.state = fromURL(location.search);
  net.state.opts = net.state.opts.filter((o) => net.optimizers[o.name]);
  if (!net.state.opts.length) net.state.opts = cloneState(fromURL("")).opts;
  syncControls();
  wire();
  history.replaceState(null, "", toURL(net.state) + location.hash);
  await restart();
  document.body.dataset.ready = "1";
  net.ready = true;
}

main();
