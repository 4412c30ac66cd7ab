// The Optimizers page: pick a function, set the starts, add optimizers, watch them race.
//
// Data flow: the state (state.js, mirrored in the URL) -> requests to the API -> runs -> plots.
// A change of the function, the starts or the run settings streams the whole race again
// (POST /api/race/stream) and plays it; a change of one optimizer's settings re-runs only that
// optimizer (POST /api/race with its label): gdlab.race runs every optimizer independently, so
// the numbers are the same as a whole race's, and a slider redraws in tens of milliseconds.

import { api, stream, ApiError } from "../lib/api.js";
import { $, el, banner, fmt, fmtPoint, debounce, download } from "../lib/ui.js";
import { formulaHTML, formulaText } from "../lib/maths.js";
import { cloneState, fromURL, toURL } from "./state.js";
import { Views } from "./plots.js";
import { OptimizerCard } from "./controls.js";

const lab = {
  catalog: [], optimizers: {}, style: null, limits: null,
  state: null, fn: null, surface: null,
  runs: [], cards: [],
  t: 0, received: -1, playing: false, streaming: null,
  inflight: new Map(), pending: new Map(), timings: [], timingParts: [], drawn: 0, basins: null,
};
window.gdlabLab = lab; // for the browser tests and the curious

const INCLUDE = ["grad", "state"];
const isCatalog = (text) => lab.catalog.some((f) => f.name === text);

// ---- labels, colours, keys ----------------------------------------------------------------
function labels() {
  const count = {}, seen = {};
  for (const o of lab.state.opts) count[o.name] = (count[o.name] || 0) + 1;
  return lab.state.opts.map((o) => {
    seen[o.name] = (seen[o.name] || 0) + 1;
    return count[o.name] > 1 ? `${o.name} #${seen[o.name]}` : o.name;
  });
}

function colors() {
  const used = new Set(), st = lab.style;
  return lab.state.opts.map((o) => {
    let c = (lab.optimizers[o.name] || {}).color;
    if (!c || used.has(c)) c = st.cycle.find((x) => !used.has(x)) || st.cycle[0];
    used.add(c);
    return c;
  });
}

function globalKey() {
  const s = lab.state;
  return JSON.stringify([s.fn, s.starts, s.steps, s.noise, s.seed, s.tol]);
}
const optKey = (i) => JSON.stringify([lab.state.opts[i].name, lab.state.opts[i].hp]); // labels are cosmetic

function settings() {
  const s = lab.state;
  return { function: s.fn, starts: s.starts, steps: s.steps, noise: s.noise, seed: s.seed, tol: s.tol };
}

function raceBody(indices) {
  const names = labels();
  return {
    ...settings(), include: INCLUDE,
    optimizers: indices.map((i) => ({ name: lab.state.opts[i].name, label: names[i], ...lab.state.opts[i].hp })),
  };
}

function syncURL() {
  const url = toURL(lab.state, (name) => (lab.optimizers[name] || {}).defaults);
  history.replaceState(null, "", url);
}

// ---- errors -------------------------------------------------------------------------------
/** Show an API error where it belongs: on an optimizer's card, in the formula box, or on top. */
function showError(err, indices = null) {
  if (err.name === "AbortError") return;
  const field = err instanceof ApiError ? err.field || "" : "";
  const m = /^optimizers\[(\d+)\]/.exec(field);
  if (m && indices) {
    const card = lab.cards[indices[Number(m[1])]];
    if (card) { card.setError(err.message.replace(/^optimizers\[\d+\]\.?/, "").replace(/^[\w.]*: /, "")); return; }
  }
  banner(err.message || String(err));
}

// ---- the function -------------------------------------------------------------------------
function fillCatalog() {
  const select = $("#fn-select");
  select.replaceChildren();
  const groups = { 1: el("optgroup", { label: "one variable" }), 2: el("optgroup", { label: "two variables" }) };
  for (const f of lab.catalog) {
    const text = formulaText(f.formula);
    const shown = text.length > 46 ? text.slice(0, 45) + "…" : text;
    (groups[f.dim] || groups[2]).append(el("option", { value: f.name, title: f.formula }, `${f.name}  —  ${shown}`));
  }
  select.append(groups[2], groups[1], el("option", { value: "", hidden: true, id: "fn-custom" }, "your formula"));
}

function showFunction() {
  const f = lab.fn;
  const box = $("#fn-formula");
  const custom = !isCatalog(lab.state.fn);
  $("#fn-select").value = custom ? "" : lab.state.fn;
  $("#fn-custom").hidden = !custom;
  const minima = f.minima.length ? `minimum ${fmt(f.minimum_value)} at ${f.minima.slice(0, 2).map((p) => fmtPoint(p, 3)).join(", ")}${f.minima.length > 2 ? ` and ${f.minima.length - 2} more` : ""}`
    : (f.unbounded_below ? "no minimum (unbounded below)" : "minima unknown");
  box.innerHTML = `<span>f = ${formulaHTML(f.formula)}</span>`;
  box.append(el("span", { class: "meta" }, `${f.dim}-D · ${minima}${f.saddles.length ? ` · ${f.saddles.length} saddle${f.saddles.length > 1 ? "s" : ""}` : ""}`));
  box.title = f.latex ? `LaTeX: ${f.latex}` : "";
  if (custom) $("#fn-input").value = lab.state.fn;
}

async function loadFunction(text, { keepStarts = false } = {}) {
  // the function's description (the catalog, or the parser for a formula), then its surface (1-D, 2-D)
  let info = lab.catalog.find((f) => f.name === text);
  if (!info) {
    const parsed = await api("/api/parse", { formula: text });
    if (!parsed.ok) throw new ApiError(`function: ${parsed.error}`, "function", 422);
    info = parsed.function;
  }
  const surface = info.dim <= 2 ? await api("/api/surface", { function: text, n: info.dim === 1 ? lab.limits.max_surface_grid : 121 }) : null;
  lab.state.fn = text;
  lab.fn = info;
  lab.surface = surface;
  if (!keepStarts || (lab.state.starts && lab.state.starts.some((p) => p.length !== info.dim))) lab.state.starts = null;
  lab.basins = null;
  lab.views.setFunction(info, surface);
  showFunction();
  showStarts();
  $("#view-3d").disabled = info.dim !== 2;
  $("#basins").disabled = info.dim !== 2;
  $("#map-caption").textContent = defaultCaption();
}

const checkFormula = debounce(async (text) => {
  const out = $("#fn-parse");
  if (!text.trim()) { out.replaceChildren(); out.className = "parse"; return; }
  let res;
  try { res = await api("/api/parse", { formula: text }); } catch (err) { out.className = "parse"; out.replaceChildren(el("span", { class: "msg" }, err.message)); return; }
  if ($("#fn-input").value !== text) return; // typed on meanwhile
  if (res.ok) {
    out.className = "parse ok";
    out.replaceChildren(`✓ parses: ${res.dim} variable${res.dim > 1 ? "s" : ""}${res.dim > 2 ? " (no map beyond two)" : ""} · Enter to use`);
    applyFormulaSoon(text);
  } else {
    applyFormulaSoon.cancel();
    out.className = "parse bad";
    const pos = Math.max(0, Math.min(res.position ?? 0, text.length));
    const pre = el("pre", {}, text.slice(0, pos), el("mark", {}, text.slice(pos, pos + 1) || " "), text.slice(pos + 1),
      "\n", " ".repeat(pos), el("span", { class: "caret" }, "^"));
    out.replaceChildren(pre, el("span", { class: "msg" }, res.error));
  }
}, 120);

async function applyFormula(text) {
  if (!text.trim() || text === lab.state.fn) return;
  try {
    await loadFunction(text);
    banner("");
    changed({ global: true });
  } catch (err) { showError(err); }
}
const applyFormulaSoon = debounce(applyFormula, 700);

// ---- starts ---------------------------------------------------------------------------------
function starts() {
  return lab.state.starts || [lab.fn.start];
}

function showStarts() {
  const box = $("#starts");
  const pts = starts();
  const shown = pts.slice(0, 3).map((p) => el("code", {}, fmtPoint(p, 3)));
  const parts = [el("span", {}, pts.length > 1 ? `${pts.length} starts:` : "start:"), ...shown,
    pts.length > 3 ? el("span", {}, `+ ${pts.length - 3} more`) : null,
    lab.state.starts ? el("button", { type: "button", title: "the function's default start", onclick: () => {
      lab.state.starts = null; showStarts(); changed({ global: true });
    } }, "reset") : null];
  box.replaceChildren(...parts.filter(Boolean));
  lab.views.setStarts(pts);
}

function onMapClick(x, y, shift) {
  const p = lab.fn.dim === 1 ? [Number(x.toPrecision(4))] : [Number(x.toPrecision(4)), Number(y.toPrecision(4))];
  const max = lab.limits.max_starts;
  if (shift) lab.state.starts = [...starts(), p].slice(-max);
  else lab.state.starts = [p];
  showStarts();
  changed({ global: true });
}

// ---- optimizer cards -------------------------------------------------------------------------
function buildCards() {
  const list = $("#opt-list");
  lab.cards = lab.state.opts.map((opt, i) => {
    const card = new OptimizerCard(lab.optimizers[opt.name], opt, {
      change: (key, live) => optimizerChanged(card, key, live),
      remove: () => removeOptimizer(lab.cards.indexOf(card)),
      focus: () => setFocus(lab.cards.indexOf(card)),
      duplicate: () => addOptimizer(opt.name, { ...opt.hp }, lab.cards.indexOf(card) + 1),
    });
    return card;
  });
  list.replaceChildren(...lab.cards.map((c) => c.root));
  relabel();
}

function relabel() {
  const names = labels(), cols = colors();
  lab.cards.forEach((c, i) => { c.sync(names[i], cols[i]); c.setFocus(i === lab.state.focus); });
  if (lab.fn) $("#view-3d").disabled = lab.fn.dim !== 2;
  lab.runs.forEach((r, i) => { if (r) r.label = names[i]; });
}

function setFocus(i) {
  lab.state.focus = i;
  relabel();
  syncURL();
  if (lab.state.basins) loadBasins();
}

function addOptimizer(name, hp = null, at = null) {
  const meta = lab.optimizers[name];
  if (!meta) return;
  if (lab.state.opts.length >= lab.limits.max_optimizers) { banner(`at most ${lab.limits.max_optimizers} optimizers`, "info", 4); return; }
  const defaultsLr = { lr: meta.defaults.lr };
  const opt = { name, hp: hp || defaultsLr };
  const index = at === null ? lab.state.opts.length : at;
  lab.state.opts.splice(index, 0, opt);
  lab.runs.splice(index, 0, null);
  buildCards();
  changed({});
}

function removeOptimizer(i) {
  if (lab.state.opts.length <= 1) { banner("a race needs at least one optimizer", "info", 3); return; }
  lab.state.opts.splice(i, 1);
  lab.runs.splice(i, 1);
  if (lab.state.focus >= lab.state.opts.length) lab.state.focus = lab.state.opts.length - 1;
  buildCards();
  changed({});
}

function optimizerChanged(card, key, live) {
  const i = lab.cards.indexOf(card);
  card.setError("");
  if (live) lab.sliderAt = performance.now();
  changed({ live: i });
  if (lab.state.basins && i === lab.state.focus) loadBasinsSoon();
}

// ---- running --------------------------------------------------------------------------------
/** After any change: sync the URL, then fetch what is stale (everything, or some optimizers). */
function changed({ global = false, live = null } = {}) {
  syncURL();
  const gk = globalKey();
  const stale = lab.state.opts.map((_, i) => !lab.runs[i] || lab.runs[i].gkey !== gk || lab.runs[i].okey !== optKey(i));
  if (global || lab.runs.every((r) => !r || r.gkey !== gk)) { runAll(); return; }
  const some = stale.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
  if (some.length) runSome(some, live !== null);
  else redraw();
  if (lab.state.basins && global) loadBasinsSoon();
}

function newRun(summary, i, gk) {
  return {
    label: summary.label, optimizer: summary.optimizer, hyperparameters: summary.hyperparameters,
    params: [], loss: [], grad: [], state: {}, status: null, stopped_at: null, final_loss: null, stability: null,
    gkey: gk, okey: optKey(i),
  };
}

function appendFrame(run, part) {
  for (const v of part.params) run.params.push(v);
  for (const v of part.loss) run.loss.push(v);
  if (part.grad) for (const v of part.grad) run.grad.push(v);
  if (part.state) for (const [k, arr] of Object.entries(part.state)) {
    if (!run.state[k]) run.state[k] = [];
    for (const v of arr) run.state[k].push(v);
  }
}

function finish(run, s) {
  run.status = s.status; run.stopped_at = s.stopped_at; run.final_loss = s.final_loss; run.stability = s.stability;
}

/** The whole race, streamed, and played from step 0. */
async function runAll() {
  if (lab.streaming) lab.streaming.abort();
  const ctl = new AbortController();
  lab.streaming = ctl;
  const gk = globalKey();
  const indices = lab.state.opts.map((_, i) => i);
  lab.cards.forEach((c) => c.setPending());
  lab.received = -1;
  lab.t = 0;
  let runs = null;
  try {
    await stream("/api/race/stream", raceBody(indices), {
      start: (d) => {
        runs = d.runs.map((r, i) => newRun(r, i, gk));
        lab.runs = runs;
        lab.steps = d.steps;
        lab.views.setRuns(runs, colors(), d.steps, 0).then(() => play(true));
        setScrub();
      },
      frame: (d) => { d.runs.forEach((part, i) => appendFrame(runs[i], part)); lab.received = d.to - 1; },
      end: (d) => { d.runs.forEach((s, i) => finish(runs[i], s)); showResults(); lab.views.drawLoss(); },
    }, { signal: ctl.signal });
    banner("");
  } catch (err) {
    if (err.name !== "AbortError") { lab.runs = []; lab.views.setRuns([], [], lab.state.steps, 0); showError(err, indices); }
  } finally {
    if (lab.streaming === ctl) lab.streaming = null;
  }
}

/** Some optimizers re-run (their settings changed), drawn at once. One request per card at a time. */
async function runSome(indices, live) {
  const key = indices.join(",");
  if (lab.inflight.get(key)) { lab.pending.set(key, { indices, live }); return; }
  lab.inflight.set(key, true);
  const sentAt = live ? lab.sliderAt : performance.now();
  const gk = globalKey();
  const okeys = indices.map(optKey);
  try {
    const res = await api("/api/race", raceBody(indices));
    const fetched = performance.now();
    if (gk === globalKey()) {
      res.runs.forEach((r, k) => {
        const i = indices[k];
        if (optKey(i) !== okeys[k]) return;
        lab.runs[i] = { ...r, gkey: gk, okey: okeys[k], grad: r.grad || [], state: r.state || {} };
      });
      const sameSteps = lab.steps === res.steps;
      lab.steps = res.steps;
      if (!lab.playing) lab.t = lab.steps;
      await redraw(sameSteps ? indices : null);
      if (live) {
        const now = performance.now();
        lab.timings.push(now - sentAt);
        lab.timingParts.push({ wait_and_fetch: fetched - sentAt, draw: now - fetched });
      }
    }
    banner("");
  } catch (err) {
    showError(err, indices);
  } finally {
    lab.inflight.delete(key);
    const next = lab.pending.get(key);
    if (next) { lab.pending.delete(key); runSome(next.indices, next.live); }
  }
}

/** Draw the runs: only the traces of `only` (indices) when nothing else changed, else everything. */
async function redraw(only = null) {
  const runs = lab.runs.filter(Boolean);
  if (runs.length !== lab.state.opts.length) return;
  const cols = colors();
  const sameLayout = only && lab.views.runs.length === runs.length && JSON.stringify(lab.views.colors) === JSON.stringify(cols)
    && lab.views.runs.every((r, i) => r && r.label === lab.runs[i].label);
  if (sameLayout) await lab.views.replaceRuns(lab.runs, only, lab.t);
  else await lab.views.setRuns(lab.runs, cols, lab.steps, lab.t);
  setScrub();
  showResults();
  lab.drawn += 1;
  document.body.dataset.drawn = String(lab.drawn);
}

// ---- playback -------------------------------------------------------------------------------
function setScrub() {
  const scrub = $("#scrub");
  scrub.max = String(lab.steps || 1);
  scrub.value = String(lab.t);
  $("#step-label").textContent = `step ${lab.t} / ${lab.steps || 0}`;
  $("#play").classList.toggle("playing", lab.playing);
  $("#play").title = lab.playing ? "pause" : "play";
}

let drawing = false;
async function moveTo(t) {
  lab.t = Math.max(0, Math.min(t, lab.steps || 0));
  setScrub();
  if (drawing) return;
  drawing = true;
  try { await lab.views.setCursor(lab.t); } finally { drawing = false; }
}

function play(from0 = false) {
  if (from0) lab.t = 0;
  if (lab.t >= lab.steps) lab.t = 0;
  lab.playing = true;
  setScrub();
  // time-based: a race plays in about 2 s (less when short) whatever the frame rate, so a slow
  // machine shows fewer frames, not a slower race
  const duration = Math.min(2000, Math.max(600, 4 * (lab.steps || 1)));
  const rate = (lab.steps || 1) / duration;
  let last = performance.now(), carry = 0;
  const tick = async (now) => {
    if (!lab.playing) return;
    carry += (now - last) * rate;
    last = now;
    const advance = Math.floor(carry);
    carry -= advance;
    const target = Math.min(lab.t + Math.max(advance, 0), lab.received, lab.steps);
    if (target > lab.t) await moveTo(target);
    if (lab.t >= lab.steps) {
      lab.playing = false;
      setScrub();
      lab.drawn += 1;
      document.body.dataset.drawn = String(lab.drawn);
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function pause() { lab.playing = false; setScrub(); }

// ---- results, inspector ------------------------------------------------------------------------
function showResults() {
  const body = $("#runs tbody");
  const cols = colors();
  body.replaceChildren();
  lab.runs.forEach((run, i) => {
    if (!run) return;
    if (run.status) lab.cards[i] && lab.cards[i].setResult(run);
    const st = run.status || [];
    const counts = {};
    for (const s of st) counts[s] = (counts[s] || 0) + 1;
    const status = st.length === 1
      ? el("span", { class: `status ${st[0]}` }, st[0])
      : el("span", {}, Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", "));
    const losses = (run.final_loss || []).filter((v) => v !== null);
    const final = st.length === 1 ? fmt(run.final_loss[0], 6) : (losses.length ? `best ${fmt(Math.min(...losses), 4)}` : "–");
    const steps = st.length === 1 ? String(run.stopped_at[0]) : `≤ ${Math.max(...(run.stopped_at || [0]))}`;
    const s = run.stability;
    let bound = "–";
    if (s) {
      const where = s.exact ? "exact" : (s.at === "minimum" ? `near ${fmtPoint(s.point, 3)}` : "at the start");
      if (s.max_stable_lr === null) bound = "adaptive: none";
      else if (s.max_stable_lr === 0) bound = `none: negative curvature (${where})`;
      else bound = `lr < ${fmt(s.max_stable_lr, 4)} (${where})`;
    }
    body.append(el("tr", {},
      el("td", {}, el("span", { class: "swatch", style: { "--c": cols[i] } }), run.label,
        el("div", { class: "small" }, `lr ${fmt(run.hyperparameters.lr, 4)}`)),
      el("td", {}, status), el("td", { class: "num" }, final), el("td", { class: "num" }, steps),
      el("td", { class: "small" }, bound)));
  });
}

const vec = (v) => (v ? `(${v.map((x) => fmt(x, 5)).join(", ")})` : "–");

function inspect(r, j, s) {
  const run = lab.runs[r];
  if (!run || !run.params[s]) return;
  lab.views.highlight(r, j, s);
  const p = run.params[s][j], g = run.grad[s] ? run.grad[s][j] : null, f = run.loss[s][j];
  const next = run.params[s + 1] ? run.params[s + 1][j] : null;
  const dx = next ? next.map((v, k) => v - p[k]) : null;
  const eff = dx && g ? dx.map((v, k) => (g[k] !== 0 ? -v / g[k] : null)) : null;
  const meta = lab.optimizers[run.optimizer] || { state: {} };
  const rows = [
    ["step", `${s} of ${lab.steps}${run.params[0].length > 1 ? ` · start ${j + 1}` : ""}`],
    ["x", vec(p)], ["f(x)", fmt(f, 8)],
    ["∇f", vec(g)], ["|∇f|", g ? fmt(Math.hypot(...g), 5) : "–"],
    ["lr", fmt(run.hyperparameters.lr, 5)],
  ];
  for (const [k, arr] of Object.entries(run.state || {})) {
    if (arr[s]) rows.push([k, vec(arr[s][j]), meta.state[k]]);
  }
  if (dx) {
    rows.push(["next step Δx", vec(dx)]);
    rows.push(["effective lr", vec(eff), "−Δx / ∇f per coordinate: the lr plain GD would need for this step"]);
  }
  const box = $("#inspector");
  box.replaceChildren(el("h3", {}, el("span", { class: "swatch", style: { "--c": colors()[r] } }), run.label),
    el("dl", {}, rows.flatMap(([k, v, note]) => [el("dt", {}, k), el("dd", {}, v, note ? el("small", {}, `  ${note}`) : null)])));
}

// ---- tune, basins, downloads ---------------------------------------------------------------------
async function tune() {
  const btn = $("#tune"), note = $("#action-note");
  btn.disabled = true;
  note.textContent = "tuning: every optimizer, the same budget, 25 learning rates from 1e-5 to 10…";
  const names = labels();
  try {
    const res = await api("/api/tune", { ...settings(), optimizers: lab.state.opts.map((o, i) => ({ name: o.name, label: names[i], ...o.hp })) });
    const parts = [];
    res.runs.forEach((r, i) => {
      if (r.best_lr !== null) lab.state.opts[i].hp.lr = r.best_lr;
      parts.push(`${r.label} ${r.best_lr === null ? "(every lr diverged)" : fmt(r.best_lr, 3)}`);
    });
    note.textContent = `tuned lr (final loss, ${res.steps} steps): ${parts.join(" · ")}`;
    relabel();
    syncURL();
    runAll();
    if (lab.state.basins) loadBasinsSoon();
  } catch (err) {
    note.textContent = "";
    showError(err, lab.state.opts.map((_, i) => i));
  } finally { btn.disabled = false; }
}

async function loadBasins() {
  const btn = $("#basins"), note = $("#action-note");
  btn.setAttribute("aria-pressed", String(lab.state.basins));
  if (!lab.state.basins) { lab.basins = null; await lab.views.setBasins(null); $("#map-caption").textContent = defaultCaption(); return; }
  if (!lab.fn || lab.fn.dim !== 2) { note.textContent = "basins need a function of two variables"; return; }
  const i = lab.state.focus, opt = lab.state.opts[i];
  const steps = lab.state.steps;
  const grid = Math.max(2, Math.min(60, Math.floor(Math.sqrt(lab.limits.max_basin_numbers / (2 * (steps + 1))))));
  note.textContent = `basins of ${labels()[i]}: ${grid}×${grid} starts…`;
  try {
    const b = await api("/api/basins", { function: lab.state.fn, optimizer: { name: opt.name, ...opt.hp }, steps, grid,
      noise: lab.state.noise, seed: lab.state.seed, tol: lab.state.tol });
    if (!lab.state.basins) return;
    lab.basins = b;
    await lab.views.setBasins(b);
    const cc = lab.style.class_colors;
    const items = b.minima.map((m, k) => el("span", { class: "basin" }, el("span", { class: "swatch", style: { "--c": cc[k % cc.length] } }),
      `${k + 1} ${fmtPoint(m, 3)} ${Math.round(100 * b.share[k])}%`));
    const none = b.share[b.share.length - 1];
    if (none > 0) items.push(el("span", { class: "basin" }, el("span", { class: "swatch", style: { "--c": "#c9c9c9" } }), `none ${Math.round(100 * none)}%`));
    $("#map-caption").replaceChildren(`basins of ${labels()[i]} (${grid}×${grid} starts, ${steps} steps; pale = slow): `, ...items);
    note.textContent = "";
  } catch (err) {
    note.textContent = err.message.replace(/^function: /, "");
    lab.state.basins = false;
    btn.setAttribute("aria-pressed", "false");
    syncURL();
  }
}
const loadBasinsSoon = debounce(loadBasins, 250);

function showPointer(p, f) {
  const out = $("#map-pointer");
  if (!p) { out.textContent = ""; return; }
  out.textContent = lab.fn.dim === 1 ? `x = ${fmt(p[0], 4)}`
    : `(${fmt(p[0], 4)}, ${fmt(p[1], 4)})${f === null ? "" : `  f ≈ ${fmt(f, 4)}`}`;
}

function defaultCaption() {
  if (lab.fn && lab.fn.dim === 1) return "click the curve to set the start · shift-click to add a start";
  if (lab.fn && lab.fn.dim > 2) return "";
  if (lab.state.view === "3d") return "click the surface to set the start · drag to turn it · heights log-spaced";
  return "click the map to set the start · shift-click to add a start · contours log-spaced where f's range is wide";
}

async function downloadPNG() {
  const w = 1600, h = 640;
  const V = lab.views;
  const layers = [V.base, ...(V.top.hidden ? [] : [V.top])];
  const [b, ...maps] = await Promise.all([
    Plotly.toImage(V.lossDiv, { format: "png", width: 700, height: h }),
    ...layers.map((div) => Plotly.toImage(div, { format: "png", width: 900, height: h })),
  ]);
  const canvas = el("canvas", { width: w, height: h + 40 });
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h + 40);
  ctx.fillStyle = "#222";
  ctx.font = "16px sans-serif";
  ctx.fillText(`${lab.state.fn} · ${labels().join(", ")} · ${lab.state.steps} steps`, 16, 26);
  const load = (src) => new Promise((ok) => { const img = new Image(); img.onload = () => ok(img); img.src = src; });
  const [ib, ...im] = await Promise.all([load(b), ...maps.map(load)]);
  for (const img of im) ctx.drawImage(img, 0, 40);
  ctx.drawImage(ib, 900, 40);
  canvas.toBlob((blob) => download(blob, `gdlab-${safeName()}.png`));
}

const safeName = () => (isCatalog(lab.state.fn) ? lab.state.fn : "formula");

function downloadJSON() {
  const runs = lab.runs.filter(Boolean).map((r) => ({
    label: r.label, optimizer: r.optimizer, hyperparameters: r.hyperparameters, status: r.status,
    stopped_at: r.stopped_at, final_loss: r.final_loss, stability: r.stability, params: r.params, loss: r.loss,
    grad: r.grad, state: r.state,
  }));
  const payload = { url: location.href, request: raceBody(lab.state.opts.map((_, i) => i)), function: lab.fn, runs };
  download(new Blob([JSON.stringify(payload)], { type: "application/json" }), `gdlab-${safeName()}.json`);
}

async function copyLink() {
  const note = $("#action-note");
  try {
    await navigator.clipboard.writeText(location.href);
    note.textContent = "link copied: it reproduces this view";
  } catch (_) {
    note.textContent = location.href;
  }
}

// ---- wiring -----------------------------------------------------------------------------------
function wire() {
  $("#fn-select").addEventListener("change", async (e) => {
    const name = e.target.value;
    if (!name) return;
    $("#fn-input").value = "";
    $("#fn-parse").replaceChildren();
    try { await loadFunction(name); changed({ global: true }); } catch (err) { showError(err); }
  });
  const input = $("#fn-input");
  input.addEventListener("input", () => checkFormula(input.value));
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") { applyFormulaSoon.cancel(); applyFormula(input.value); } });

  const numberField = (id, key, { integer = false, min = 0, max = Infinity, allowEmpty = true } = {}) => {
    const box = $(id);
    box.value = lab.state[key] === null ? "" : String(lab.state[key]);
    box.addEventListener("change", () => {
      const text = box.value.trim();
      let v = text === "" ? null : Number(text);
      const bad = (v === null && !allowEmpty) || (v !== null && (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))));
      box.classList.toggle("invalid", bad);
      if (bad) { banner(`${key}: ${integer ? "a whole number" : "a number"} from ${min} to ${max}${allowEmpty ? ", or empty" : ""}`, "info", 5); return; }
      lab.state[key] = v;
      changed({ global: true });
    });
  };
  numberField("#steps", "steps", { integer: true, min: 1, max: lab.limits.max_steps, allowEmpty: false });
  numberField("#noise", "noise", { min: 0 });
  numberField("#seed", "seed", { integer: true, min: 0, max: 2 ** 32 - 1 });
  numberField("#tol", "tol", { min: Number.MIN_VALUE });

  const add = $("#opt-add");
  for (const name of Object.keys(lab.optimizers)) add.append(el("option", { value: name }, name));
  add.addEventListener("change", () => { if (add.value) addOptimizer(add.value); add.value = ""; });

  $("#play").addEventListener("click", () => (lab.playing ? pause() : play()));
  $("#step").addEventListener("click", () => { pause(); moveTo(lab.t + 1); });
  $("#restart").addEventListener("click", () => play(true));
  $("#scrub").addEventListener("input", (e) => { pause(); moveTo(Number(e.target.value)); });
  const setView = async (view) => {
    lab.state.view = view;
    $("#view-map").setAttribute("aria-pressed", String(view === "map"));
    $("#view-3d").setAttribute("aria-pressed", String(view === "3d"));
    syncURL();
    await lab.views.setView(view);
    if (!lab.state.basins) $("#map-caption").textContent = defaultCaption();
  };
  $("#view-map").addEventListener("click", () => setView("map"));
  $("#view-3d").addEventListener("click", () => setView("3d"));
  $("#tune").addEventListener("click", tune);
  $("#basins").addEventListener("click", () => { lab.state.basins = !lab.state.basins; syncURL(); loadBasins(); });
  $("#copy-link").addEventListener("click", copyLink);
  $("#download-png").addEventListener("click", downloadPNG);
  $("#download-json").addEventListener("click", downloadJSON);
}

async function main() {
  try {
    const [catalog, optimizers, style, limits] = await Promise.all([
      api("/api/functions"), api("/api/optimizers"), api("/api/style"), api("/api/limits")]);
    lab.catalog = catalog;
    lab.optimizers = Object.fromEntries(optimizers.map((o) => [o.name, o]));
    lab.style = style;
    lab.limits = limits;
    if (typeof Plotly === "undefined") throw new Error("plotly.js did not load (is plotly installed on the server?)");
    lab.state = fromURL(location.search);
    const unknown = lab.state.opts.filter((o) => !lab.optimizers[o.name]).map((o) => o.name);
    if (unknown.length) banner(`unknown optimizer(s) in the link, left out: ${unknown.join(", ")}`, "info", 8);
    lab.state.opts = lab.state.opts.filter((o) => lab.optimizers[o.name]);
    if (!lab.state.opts.length) lab.state.opts = cloneState(fromURL("")).opts;
    lab.state.steps = Math.max(1, Math.min(lab.state.steps, limits.max_steps));
    lab.views = new Views($("#map"), $("#loss"), style, { click: onMapClick, hover: inspect, pointer: showPointer });
    fillCatalog();
    wire();
    buildCards();
    $("#view-map").setAttribute("aria-pressed", String(lab.state.view === "map"));
    $("#view-3d").setAttribute("aria-pressed", String(lab.state.view === "3d"));
    lab.views.view = lab.state.view;
    try {
      await loadFunction(lab.state.fn, { keepStarts: true });
    } catch (err) {
      showError(err);
      lab.state.fn = "rosenbrock";
      await loadFunction(lab.state.fn);
    }
    $("#map-caption").textContent = defaultCaption();
    changed({ global: true });
    if (lab.state.basins) loadBasins();
    document.body.dataset.ready = "1";
  } catch (err) {
    banner(err.message || String(err));
  }
}

main();
