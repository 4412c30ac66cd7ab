// The Networks page's state, and its one-to-one encoding in the URL (a copied link gives the
// same network, data and optimizers): ?d=moons&n=200&noise=0.15&test=0.5&ds=0&f=x1,x2&h=4,4
// &act=tanh&reg=l1&rate=0.003&wd=0&seed=0&bs=10&o=adam;lr=0.03&o=gd;lr=0.1&speed=1
//
// d, n, noise, test, ds   the data set, samples, noise, test fraction, data seed
// f        the input features;   h   neurons per hidden layer ("" for none)
// act, wd, seed, bs       activation, the optimizer's weight decay, init seed, batch size ("full": the full batch)
// reg, rate               the regularization ("none", "l1", "l2": a penalty on the weights in the loss) and its rate
// o        one per network, in order (the first is the main one, the others are compared):
//          the optimizer and the hyperparameters that differ from its defaults, "name;key=value;..."
// speed    epochs per frame while playing

export const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"];
export const DATASETS = ["moons", "circles", "spirals", "xor", "blobs", "linear", "polynomial", "sine"];
export const REGRESSION = new Set(["linear", "polynomial", "sine"]);

export const DEFAULT = Object.freeze({
  d: "moons", n: 200, noise: 0.15, test: 0.5, ds: 0, f: ["x1", "x2"], h: [4, 4], act: "tanh", reg: null, rate: 0.001,
  wd: 0, seed: 0, bs: 10, opts: [{ name: "adam", hp: { lr: 0.03 } }], speed: 1,
});

export function cloneState(s) {
  return { ...s, f: [...s.f], h: [...s.h], opts: s.opts.map((o) => ({ name: o.name, hp: { ...o.hp } })) };
}

const num = (text, fallback, ok = () => true) => {
  if (text === null || text === undefined || String(text).trim() === "") return fallback;
  const v = Number(text);
  return Number.isFinite(v) && ok(v) ? v : fallback;
};

function decodeValue(text) {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text.includes("/")) return text.split("/").map(Number);
  return Number(text);
}
const encodeValue = (v) => (Array.isArray(v) ? v.map(String).join("/") : String(v));

export function fromURL(search) {
  const q = new URLSearchParams(search);
  const s = cloneState(DEFAULT);
  if (DATASETS.includes(q.get("d"))) s.d = q.get("d");
  s.n = num(q.get("n"), s.n, (v) => Number.isInteger(v) && v >= 4);
  s.noise = num(q.get("noise"), s.noise, (v) => v >= 0);
  s.test = num(q.get("test"), s.test, (v) => v >= 0 && v <= 0.9);
  s.ds = num(q.get("ds"), s.ds, (v) => Number.isInteger(v) && v >= 0);
  if (q.has("f")) {
    const f = q.get("f").split(",").filter((x) => FEATURES.includes(x));
    if (f.length) s.f = FEATURES.filter((x) => f.includes(x));
  }
  if (q.has("h")) {
    const text = q.get("h").trim();
    const h = text === "" ? [] : text.split(",").map(Number);
    if (h.every((v) => Number.isInteger(v) && v >= 1 && v <= 8) && h.length <= 6) s.h = h;
  }
  if (["tanh", "relu", "sigmoid", "leaky_relu", "softplus"].includes(q.get("act"))) s.act = q.get("act");
  if (["l1", "l2"].includes(q.get("reg"))) s.reg = q.get("reg");
  s.rate = num(q.get("rate"), s.rate, (v) => v >= 0 && v <= 10);
  s.wd = num(q.get("wd"), s.wd, (v) => v >= 0);
  s.seed = num(q.get("seed"), s.seed, (v) => Number.isInteger(v) && v >= 0);
  if (q.get("bs") === "full") s.bs = null;
  else s.bs = num(q.get("bs"), s.bs, (v) => Number.isInteger(v) && v >= 1);
  const opts = q.getAll("o").map((entry) => {
    const [name, ...pairs] = entry.split(";");
    const hp = {};
    for (const p of pairs) {
      const [k, v] = p.split("=");
      if (k && v !== undefined) hp[k] = decodeValue(v);
    }
    return { name: name.trim().toLowerCase(), hp };
  }).filter((o) => o.name);
  if (opts.length) s.opts = opts.slice(0, 4);
  s.speed = num(q.get("speed"), s.speed, (v) => Number.isInteger(v) && v >= 1 && v <= 50);
  return s;
}

export function toURL(s) {
  const q = new URLSearchParams();
  q.set("d", s.d); q.set("n", s.n); q.set("noise", s.noise); q.set("test", s.test); q.set("ds", s.ds);
  q.set("f", s.f.join(",")); q.set("h", s.h.join(",")); q.set("act", s.act);
  q.set("reg", s.reg ?? "none"); q.set("rate", s.rate); q.set("wd", s.wd);
  q.set("seed", s.seed); q.set("bs", s.bs === null ? "full" : s.bs);
  for (const o of s.opts) {
    q.append("o", [o.name, ...Object.entries(o.hp).map(([k, v]) => `${k}=${encodeValue(v)}`)].join(";"));
  }
  q.set("speed", s.speed);
  return `?${q.toString().replace(/%2C/g, ",").replace(/%3B/g, ";").replace(/%3D/g, "=").replace(/%5E/g, "^").replace(/%2F/g, "/")}`;
}
