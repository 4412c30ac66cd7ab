// Formulas as people write them: "100*(y - x**2)**2" -> 100(y − x²)² (HTML with superscripts, or
// plain Unicode for <option> labels). Reads the library's plain-text formulas (gdlab's own printer).

const TOKEN = /\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|([A-Za-z_]\w*)|(\*\*|\^|[-+*/(),=]))/y;

function tokenize(text) {
  const out = [];
  TOKEN.lastIndex = 0;
  let m;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) {
    if (m[1] !== undefined) out.push({ t: "num", v: m[1] });
    else if (m[2] !== undefined) out.push({ t: "name", v: m[2] });
    else out.push({ t: "op", v: m[3] === "^" ? "**" : m[3] });
  }
  if (TOKEN.lastIndex < text.trimEnd().length) return null; // not a formula we can read
  return out;
}

const FUNCS = new Set(["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "sigmoid", "relu",
  "softplus", "max", "min"]);
const SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", "-": "⁻", ".": "·" };
const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

const GREEK = { pi: "π", lambda: "λ", sum: "Σ" };
const SUB = { i: "ᵢ", 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉" };

function variable(name, html) {
  // x0 -> x with subscript 0; x_i, lambda_i, sum_i -> subscript i; pi, lambda -> Greek
  const m = /^([A-Za-z]+?)_?(\d+|(?<=_)i)$/.exec(name);
  const base = m ? m[1] : name, sub = m ? m[2] : "";
  const shown = GREEK[base] || base;
  const italic = !(base in GREEK) && base.length === 1;
  if (html) {
    const core = italic ? `<i>${esc(shown)}</i>` : esc(shown);
    return sub ? `${core}<sub>${sub}</sub>` : core;
  }
  return shown + [...sub].map((c) => SUB[c] || c).join("");
}

// a factor that may stand next to another without a multiplication sign
const juxtaposable = (t) => t && t.t === "name" && !FUNCS.has(t.v);

// one operand of a power: a number, a name (or call), a (group), or a signed operand; returns [end, text]
function atom(toks, i) {
  let j = i, sign = "";
  if (toks[j] && toks[j].v === "-") { sign = "-"; j += 1; }
  const t = toks[j];
  if (!t) return [j, sign];
  if (t.t === "num" || (t.t === "name" && !(toks[j + 1] && toks[j + 1].v === "("))) return [j + 1, sign + t.v, true];
  let depth = 0, k = t.t === "name" ? j + 1 : j;
  for (; k < toks.length; k += 1) {
    if (toks[k].v === "(") depth += 1;
    else if (toks[k].v === ")") { depth -= 1; if (depth === 0) break; }
  }
  return [k + 1, null];
}

function render(toks, html) {
  let out = "";
  for (let i = 0; i < toks.length; i += 1) {
    const t = toks[i], prev = toks[i - 1], next = toks[i + 1];
    if (t.t === "num") out += t.v;
    else if (t.t === "name") out += FUNCS.has(t.v) ? (html ? `<span>${t.v}</span>` : t.v) : variable(t.v, html);
    else if (t.v === "**") {
      const [end, simple] = atom(toks, i + 1);
      let inner = toks.slice(i + 1, end);
      if (inner.length > 2 && inner[0].v === "(" && inner[inner.length - 1].v === ")") inner = inner.slice(1, -1);
      const body = render(inner, html);
      if (html) out += `<sup>${body}</sup>`;
      else if (simple && /^[-\d.]+$/.test(simple)) out += [...simple].map((c) => SUP[c]).join("");
      else out += `^(${body})`;
      i = end - 1;
    } else if (t.v === "*") {
      // 100*(...) and 3*x read as juxtaposition; otherwise a centred dot
      const implicit = prev && next && (
        (prev.t === "num" && (next.v === "(" || next.t === "name")) || (juxtaposable(prev) && juxtaposable(next)));
      out += implicit ? "" : " · ";
    } else if (t.v === "-") out += prev && (prev.t !== "op" || prev.v === ")") ? " − " : "−";
    else if (t.v === "+") out += prev && (prev.t !== "op" || prev.v === ")") ? " + " : "+";
    else if (t.v === "/") out += " / ";
    else if (t.v === ",") out += ", ";
    else if (t.v === "=") out += " = ";
    else out += t.v;
  }
  return out;
}

/** HTML of a formula (superscripts, italic variables); the escaped text when it cannot be read. */
export function formulaHTML(text) {
  const toks = tokenize(text || "");
  return toks ? render(toks, true) : esc(text || "");
}

/** Plain Unicode of a formula (for option labels). */
export function formulaText(text) {
  const toks = tokenize(text || "");
  return toks ? render(toks, false) : text || "";
}
