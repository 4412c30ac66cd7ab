// One card per optimizer: its hyperparameters as controls, built from the rule's metadata
// (GET /api/optimizers: name, kind and default of every hyperparameter), so a new optimizer in
// gdlab.optim appears here with no change to this file. lr gets a log slider and a number box.

import { el, fmt } from "../lib/ui.js";

export const LR_MIN = 1e-5;
export const LR_MAX = 10;
const SLIDER_STEPS = 600;

const toPos = (lr) => Math.round(((Math.log10(Math.min(LR_MAX, Math.max(LR_MIN, lr))) - Math.log10(LR_MIN))
  / (Math.log10(LR_MAX) - Math.log10(LR_MIN))) * SLIDER_STEPS);
const fromPos = (pos) => Number((10 ** (Math.log10(LR_MIN) + (pos / SLIDER_STEPS) * (Math.log10(LR_MAX) - Math.log10(LR_MIN)))).toPrecision(3));

function parseNumber(text) {
  const s = String(text).trim();
  if (s === "") return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

export class OptimizerCard {
  /**
   * meta: the /api/optimizers entry; opt: the state's {name, hp}; on: {change(key, live), remove(), focus(),
   * duplicate()}.
   */
  constructor(meta, opt, on) {
    this.meta = meta;
    this.opt = opt;
    this.on = on;
    this.inputs = {};
    this.build();
  }

  value(key) {
    return key in this.opt.hp ? this.opt.hp[key] : this.meta.defaults[key];
  }

  build() {
    const m = this.meta;
    this.nameEl = el("span", { class: "name", title: `${m.summary}\nclick: select (basins use the selected optimizer)`,
      onclick: () => this.on.focus() });
    this.chip = el("span", { class: "chip" }, "…");
    const head = el("div", { class: "opt-head" }, this.nameEl, this.chip,
      el("button", { type: "button", class: "mini", title: "add a copy (the same optimizer with other settings)",
        "aria-label": "duplicate", onclick: () => this.on.duplicate() }, "+"),
      el("button", { type: "button", class: "mini", title: "remove", "aria-label": "remove", onclick: () => this.on.remove() }, "×"));

    // lr: log slider + exact number box
    this.slider = el("input", { type: "range", class: "lr-slider", min: 0, max: SLIDER_STEPS, step: 1,
      "aria-label": `${m.name} learning rate` });
    this.lrBox = el("input", { type: "text", inputmode: "decimal", "aria-label": `${m.name} lr value`, class: "lr-box" });
    this.slider.addEventListener("input", () => {
      const lr = fromPos(Number(this.slider.value));
      this.opt.hp.lr = lr;
      this.lrBox.value = String(lr);
      this.lrBox.classList.remove("invalid");
      this.on.change("lr", true);
    });
    this.lrBox.addEventListener("change", () => {
      const v = parseNumber(this.lrBox.value);
      if (v === undefined || v === null || v < 0) { this.lrBox.classList.add("invalid"); return; }
      this.lrBox.classList.remove("invalid");
      this.opt.hp.lr = v;
      this.slider.value = toPos(v);
      this.on.change("lr", false);
    });
    const lrRow = el("div", { class: "lr-row" }, el("span", {}, "lr"), this.slider, this.lrBox);
    this.boundEl = el("div", { class: "bound" });

    const grid = el("div", { class: "hp" }), flags = el("div", { class: "flags" });
    for (const p of m.params) {
      if (p.name === "lr" || p.kind === "fixed") continue;  // fixed: None, names, triples keep their defaults
      (p.kind === "flag" ? flags : grid).append(this.control(p));
    }
    this.errEl = el("div", { class: "err", hidden: true });
    this.root = el("div", { class: "opt" }, head, lrRow, this.boundEl, grid, flags, this.errEl);
    this.sync();
  }

  control(p) {
    const key = p.name;
    const label = key.replace(/_/g, " ");
    if (p.kind === "flag") {
      const box = el("input", { type: "checkbox", "aria-label": `${this.meta.name} ${key}` });
      box.addEventListener("change", () => { this.set(key, box.checked); });
      this.inputs[key] = { sync: () => { box.checked = !!this.value(key); } };
      return el("label", { class: "flag", dataset: { key } }, box, el("span", {}, label));
    }
    if (p.kind === "pair") {
      const a = el("input", { type: "text", inputmode: "decimal", "aria-label": `${this.meta.name} ${key}[0]` });
      const b = el("input", { type: "text", inputmode: "decimal", "aria-label": `${this.meta.name} ${key}[1]` });
      const read = () => {
        const va = parseNumber(a.value), vb = parseNumber(b.value);
        a.classList.toggle("invalid", va === undefined || va === null);
        b.classList.toggle("invalid", vb === undefined || vb === null);
        if (va === undefined || va === null || vb === undefined || vb === null) return;
        this.set(key, [va, vb]);
      };
      a.addEventListener("change", read);
      b.addEventListener("change", read);
      this.inputs[key] = { sync: () => { const v = this.value(key); a.value = String(v[0]); b.value = String(v[1]); } };
      return el("label", { class: "pairbox", dataset: { key } }, el("span", { title: key }, label), el("span", { class: "pair" }, a, b));
    }
    const box = el("input", { type: "text", inputmode: "decimal", "aria-label": `${this.meta.name} ${key}` });
    box.addEventListener("change", () => {
      const v = parseNumber(box.value);
      if (v === undefined || v === null) { box.classList.add("invalid"); return; }
      box.classList.remove("invalid");
      this.set(key, v);
    });
    this.inputs[key] = { sync: () => { box.value = String(this.value(key)); } };
    return el("label", { dataset: { key } }, el("span", { title: key }, label), box);
  }

  set(key, value) {
    if (JSON.stringify(value) === JSON.stringify(this.meta.defaults[key])) delete this.opt.hp[key];
    else this.opt.hp[key] = value;
    this.markChanged();
    this.on.change(key, false);
  }

  markChanged() {
    for (const label of this.root.querySelectorAll(".hp label, .flags label")) {
      label.classList.toggle("changed", label.dataset.key in this.opt.hp);
    }
  }

  /** Controls from the state (after a URL load, tuning, or a relabel). */
  sync(label, color) {
    if (label !== undefined) this.nameEl.textContent = label;
    if (color) this.root.style.setProperty("--c", color);
    const lr = this.value("lr");
    this.slider.value = toPos(lr);
    this.lrBox.value = String(Number(lr.toPrecision(6)));
    this.lrBox.title = `lr = ${lr}`;
    this.lrBox.classList.remove("invalid");
    for (const input of Object.values(this.inputs)) input.sync();
    this.markChanged();
  }

  setFocus(on) { this.root.classList.toggle("focus", on); }

  setError(message) {
    this.errEl.hidden = !message;
    this.errEl.textContent = message || "";
    if (message) this.chip.className = "chip diverged";
    if (message) this.chip.textContent = "error";
  }

  setPending() { this.chip.className = "chip"; this.chip.textContent = "…"; }

  /** A run's statuses and the stability bound (from gdlab.runs.stability). */
  setResult(run) {
    this.setError("");
    const st = run.status || [];
    const counts = {};
    for (const s of st) counts[s] = (counts[s] || 0) + 1;
    const kinds = Object.keys(counts);
    let text;
    if (st.length === 1) {
      text = st[0] === "max_steps" ? "max_steps" : `${st[0]} @${run.stopped_at[0]}`;
    } else text = kinds.map((k) => `${counts[k]} ${k}`).join(", ");
    this.chip.textContent = text;
    this.chip.className = `chip ${kinds.length === 1 ? kinds[0] : ""}`;
    this.chip.title = st.length === 1 ? `final loss ${fmt(run.final_loss[0], 6)}` : "";
    this.setBound(run.stability);
  }

  setBound(stab) {
    const lr = this.value("lr");
    const el_ = this.boundEl;
    el_.classList.remove("over");
    this.slider.style.background = "";
    if (!stab) { el_.textContent = ""; return; }
    const max = stab.max_stable_lr;
    if (max === null || max === undefined) {
      el_.textContent = "adaptive step: no fixed-lr stability bound";
      return;
    }
    if (max === 0) {
      el_.textContent = stab.exact ? "no lr is stable: negative curvature (a saddle direction)"
        : (stab.at === "minimum" ? "no lr is stable (negative curvature)" : "no lr is stable at the start (negative curvature there)");
      el_.classList.add("over");
      return;
    }
    const at = stab.point ? stab.point.map((v) => fmt(v, 3)).join(", ") : "";
    const where = stab.exact ? "exact: a quadratic" : (stab.at === "minimum" ? `near the minimum (${at})` : "local, at the start");
    el_.textContent = `stable for lr < ${fmt(max, 4)} (${where})`;
    if (lr >= max) { el_.classList.add("over"); el_.textContent = `lr ≥ the stable bound ${fmt(max, 4)} (${where})`; }
    const pct = (toPos(max) / SLIDER_STEPS) * 100;
    if (max > LR_MIN && max < LR_MAX) {
      this.slider.style.background = `linear-gradient(to right, transparent ${pct}%, rgba(198,40,40,.16) ${pct}%)`;
    }
  }
}
