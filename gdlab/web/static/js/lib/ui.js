// Small shared helpers for every page: the banner, number formatting, debouncing, elements.

export const $ = (sel, root = document) => root.querySelector(sel);

/** An element: el("div", {class: "x", onclick: f}, child, "text", ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "style" && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (k.startsWith("--")) node.style.setProperty(k, v);
        else node.style[k] = v;
      }
    }
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let bannerTimer = null;
/** A message across the top of the page (kind "error" or "info"); "" hides it. */
export function banner(message, kind = "error", seconds = 0) {
  const box = $("#banner");
  clearTimeout(bannerTimer);
  box.hidden = !message;
  box.textContent = message || "";
  box.className = `banner ${kind === "info" ? "info" : ""}`;
  if (message && seconds) bannerTimer = setTimeout(() => banner(""), seconds * 1000);
}

/** A number for people: 4 significant digits, exponent notation when very small or large. */
export function fmt(v, digits = 4) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "boolean") return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 2)).replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

export const fmtPoint = (p, digits = 4) => `(${p.map((v) => fmt(v, digits)).join(", ")})`;

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** Save a Blob as a file. */
export function download(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
