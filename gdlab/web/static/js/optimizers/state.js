// The Optimizers page's state, and its one-to-one encoding in the URL (a copied link reproduces
// the view): ?f=rosenbrock&s=-1.5,2;0,1&o=adam;lr=0.05&o=gd;lr=0.001&steps=500&view=3d&basins=1
//
// f      the function (a catalog name or a formula)
// s      the starts, "x,y;x,y" (absent: the function's default start)
// o      one per optimizer, in order: its name and the hyperparameters that differ from the
//        defaults, "name;key=value;..." (pairs as a/b, flags as true/false)
// steps, noise, seed, tol     the run settings (absent: 500 steps, no noise, no seed, no tol)
// view   "map" (contour, default) or "3d";   focus   the selected optimizer (index)
// basins present: the basin map of the selected optimizer is shown

export const DEFAULT = Object.freeze({
  fn: "rosenbrock",
  starts: null,
  opts: [{ name: "gd", hp: { lr: 0.001 } }, { name: "momentum", hp: { lr: 0.001 } }, { name: "adam", hp: { lr: 0.05 } }],
  steps: 500, noise: null, seed: null, tol: null, view: "map", focus: 0, basins: false,
});

export function cloneState(s) {
  return { ...s, starts: s.starts && s.starts.map((p) => [...p]), opts: s.opts.map((o) => ({ name: o.name, hp: { ...o.hp } })) };
}

const num = (text) => {
  if (text === null || text === undefined || String(text).trim() === "") return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
};

function decodeValue(text) {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text.includes("/")) return text.split("/").map(Number);
  return Number(text);
}

function encodeValue(v) {
  if (Array.isArray(v)) return v.map(String).join("/");
  return String(v);
}

/** The state a URL's query describes (defaults for whatever it leaves out). */
export function fromURL(search) {
  const q = new URLSearchParams(search);
  const s = cloneState(DEFAULT);
  if (q.get("f")) s.fn = q.get("f");
  if (q.get("s")) {
    const pts = q.get("s").split(";").map((p) => p.split(",").map(Number));
    if (pts.length && pts.every((p) => p.length && p.every(Number.isFinite))) s.starts = pts;
  }
  const opts = q.getAll("o").map((entry) => {
    const [name, ...pairs] = entry.split(";");
    const hp = {};
    for (const pair of pairs) {
      const cut = pair.indexOf("=");
      if (cut > 0) hp[pair.slice(0, cut)] = decodeValue(pair.slice(cut + 1));
    }
    return { name: name.trim().toLowerCase(), hp };
  }).filter((o) => o.name);
  if (opts.length) s.opts = opts;
  const steps = num(q.get("steps"));
  if (steps !== null) s.steps = Math.round(steps);
  s.noise = num(q.get("noise"));
  s.seed = num(q.get("seed"));
  s.tol = num(q.get("tol"));
  if (q.get("view") === "3d") s.view = "3d";
  const focus = num(q.get("focus"));
  if (focus !== null) s.focus = Math.max(0, Math.min(s.opts.length - 1, Math.round(focus)));
  s.basins = q.has("basins");
  return s;
}

/** The query string of a state (only what differs from the defaults, plus f and o always). */
export function toURL(s, defaultsOf) {
  const q = new URLSearchParams();
  q.set("f", s.fn);
  if (s.starts) q.set("s", s.starts.map((p) => p.map(String).join(",")).join(";"));
  for (const o of s.opts) {
    const defaults = defaultsOf(o.name) || {};
    const parts = [o.name];
    for (const [k, v] of Object.entries(o.hp)) {
      if (JSON.stringify(v) !== JSON.stringify(defaults[k]) || k === "lr") parts.push(`${k}=${encodeValue(v)}`);
    }
    q.append("o", parts.join(";"));
  }
  if (s.steps !== DEFAULT.steps) q.set("steps", String(s.steps));
  for (const key of ["noise", "seed", "tol"]) if (s[key] !== null && s[key] !== undefined) q.set(key, String(s[key]));
  if (s.view !== "map") q.set("view", s.view);
  if (s.focus) q.set("focus", String(s.focus));
  if (s.basins) q.set("basins", "1");
  return "?" + q.toString().replace(/%2C/g, ",").replace(/%3B/g, ";").replace(/%2F/g, "/").replace(/%3D/g, "=");
}
