// Drawing for the Networks page, on canvas and SVG: heat maps of the plane (the output, each
// neuron, each input feature), the data points (train filled, test hollow), the weights as lines.

const hex = (c) => [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
const mix = (a, b, t) => [0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * t);
const WHITE = [250, 250, 252];

/** A colour scale: value -> [r, g, b]. kind: "prob" (0..1 between two class colours), "signed"
 * (symmetric around 0, scaled by `span`), "range" ([lo, hi] between the two colours), "class". */
export function scale(kind, colors, { span = 1, lo = 0, hi = 1, strength = 0.85 } = {}) {
  const c0 = hex(colors[0]), c1 = hex(colors[1]);
  const light = (c, t) => mix(WHITE, c, t);
  if (kind === "class") {
    const cs = colors.map(hex);
    return (v) => light(cs[Math.max(0, Math.min(cs.length - 1, Math.round(v)))], 0.45);
  }
  const diverge = (t) => (t < 0.5 ? light(c0, (0.5 - t) * 2 * strength) : light(c1, (t - 0.5) * 2 * strength)); // t in [0, 1]
  if (kind === "prob") return (v) => diverge(Math.max(0, Math.min(1, v)));
  if (kind === "range") return (v) => diverge(Math.max(0, Math.min(1, (v - lo) / (hi - lo || 1))));
  return (v) => diverge(Math.max(0, Math.min(1, 0.5 + v / (2 * (span || 1)))));
}

/** z (rows of x2 ascending) as a heat map filling `canvas`, smoothly interpolated. */
let off = null;
export function heatmap(canvas, z, color) {
  const n = z.length, m = z[0].length;
  off = off || document.createElement("canvas");
  if (off.width !== m || off.height !== n) { off.width = m; off.height = n; }
  const octx = off.getContext("2d");
  const img = octx.createImageData(m, n);
  for (let i = 0; i < n; i++) {
    const row = z[n - 1 - i];
    for (let j = 0; j < m; j++) {
      const v = row[j];
      const c = v === null ? [200, 200, 200] : color(v);
      const k = 4 * (i * m + j);
      img.data[k] = c[0]; img.data[k + 1] = c[1]; img.data[k + 2] = c[2]; img.data[k + 3] = 255;
    }
  }
  octx.putImageData(img, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(off, 0, 0, m, n, 0, 0, canvas.width, canvas.height);
}

/** Fit a canvas's pixels to its CSS size (sharp on high-density screens); returns the scale. */
export function fitCanvas(canvas) {
  const r = window.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * r), h = Math.round(canvas.clientHeight * r);
  if (w && h && (canvas.width !== w || canvas.height !== h)) { canvas.width = w; canvas.height = h; }
  return r;
}

/** The data points over a heat map: train filled, test hollow; `pick` ringed. */
export function points(canvas, bounds, sets, pointColor, { pick = null, radius = 3.4 } = {}) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, r = window.devicePixelRatio || 1;
  const [[x0, x1], [y0, y1]] = bounds;
  const px = (x) => ((x - x0) / (x1 - x0)) * W, py = (y) => H - ((y - y0) / (y1 - y0)) * H;
  const rad = radius * r * Math.min(1, Math.max(0.55, W / (440 * r)));
  for (const [kind, set] of sets) {
    if (!set) continue;
    ctx.lineWidth = (kind === "test" ? 1.6 : 1) * r;
    for (let i = 0; i < set.x.length; i++) {
      const [a, b] = set.x[i];
      const c = pointColor(set.y[i]);
      ctx.beginPath();
      ctx.arc(px(a), py(b), rad, 0, 2 * Math.PI);
      if (kind === "train") { ctx.fillStyle = c; ctx.fill(); ctx.strokeStyle = "rgba(255,255,255,.95)"; ctx.stroke(); }
      else { ctx.fillStyle = "rgba(255,255,255,.9)"; ctx.fill(); ctx.strokeStyle = c; ctx.stroke(); }
    }
  }
  if (pick) {
    ctx.beginPath();
    ctx.arc(px(pick[0]), py(pick[1]), rad * 2.4, 0, 2 * Math.PI);
    ctx.lineWidth = 2 * r; ctx.strokeStyle = "#1f2430"; ctx.stroke();
  }
}

/** Light axes ticks along the edges of a plane canvas. */
export function ticks(canvas, bounds) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, r = window.devicePixelRatio || 1;
  const [[x0, x1], [y0, y1]] = bounds;
  ctx.font = `${10 * r}px system-ui, sans-serif`;
  ctx.fillStyle = "rgba(40,44,52,.6)";
  const step = (lo, hi) => { const raw = (hi - lo) / 4, p = 10 ** Math.floor(Math.log10(raw)); return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw); };
  const sx = step(x0, x1), sy = step(y0, y1);
  ctx.textBaseline = "bottom"; ctx.textAlign = "center";
  for (let v = Math.ceil(x0 / sx) * sx; v <= x1; v += sx) {
    const x = ((v - x0) / (x1 - x0)) * W;
    if (x > 14 * r && x < W - 14 * r) ctx.fillText(String(Number(v.toPrecision(3))), x, H - 2 * r);
  }
  ctx.textBaseline = "middle"; ctx.textAlign = "left";
  for (let v = Math.ceil(y0 / sy) * sy; v <= y1; v += sy) {
    const y = H - ((v - y0) / (y1 - y0)) * H;
    if (y > 12 * r && y < H - 16 * r) ctx.fillText(String(Number(v.toPrecision(3))), 3 * r, y);
  }
}

/** The weights as curves between node boxes (laid out once per network): returns update(weights),
 * which sets each curve's width by |w| (relative to its layer's largest) and colour by sign. */
export function wires(svg, host, columns, colors) {
  const box = host.getBoundingClientRect();
  const NS = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
  const centre = (node, side) => {
    const b = node.getBoundingClientRect();
    return [side === "out" ? b.right - box.left : b.left - box.left, b.top - box.top + b.height / 2];
  };
  const paths = columns.slice(0, -1).map((from, l) => from.map((a) => columns[l + 1].map((b) => {
    const [ax, ay] = centre(a, "out"), [bx, by] = centre(b, "in");
    const mx = (ax + bx) / 2;
    const p = document.createElementNS(NS, "path");
    p.setAttribute("d", `M${ax},${ay} C${mx},${ay} ${mx},${by} ${bx},${by}`);
    p.setAttribute("fill", "none");
    p.append(document.createElementNS(NS, "title"));
    svg.append(p);
    return p;
  })));
  return (weights) => weights.forEach((layer, l) => {
    if (!paths[l]) return;
    let max = 1e-12;
    for (const row of layer.weight) for (const w of row) max = Math.max(max, Math.abs(w ?? 0));
    layer.weight.forEach((row, i) => row.forEach((w, j) => {
      const p = paths[l][i] && paths[l][i][j];
      if (!p) return;
      const t = Math.abs(w ?? 0) / max;
      p.setAttribute("stroke", (w ?? 0) >= 0 ? colors[0] : colors[1]);
      p.setAttribute("stroke-width", (0.4 + 4.2 * t).toFixed(2));
      p.setAttribute("stroke-opacity", (0.25 + 0.6 * t).toFixed(2));
      p.firstChild.textContent = `w = ${w}`;
    }));
  });
}

/** A small picture of a data set for its button (shapes only, drawn here; the real points come from the server). */
export function thumbnail(canvas, name, colors) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width = 64, H = canvas.height = 64;
  ctx.fillStyle = "#f7f8fa"; ctx.fillRect(0, 0, W, H);
  const c = colors.slice(0, 2);
  let s = 7;
  const rnd = () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
  const dot = (x, y, k) => { ctx.fillStyle = c[k]; ctx.beginPath(); ctx.arc(32 + 26 * x, 32 - 26 * y, 1.8, 0, 7); ctx.fill(); };
  const heat = (f) => {
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) {
      const v = f(-1 + (j + 0.5) / 8, 1 - (i + 0.5) / 8);
      const col = mix(WHITE, hex(v >= 0 ? c[0] : c[1]), Math.min(1, Math.abs(v)) * 0.8);
      ctx.fillStyle = `rgb(${col.map(Math.round).join(",")})`; ctx.fillRect(j * 4, i * 4, 4, 4);
    }
  };
  for (let i = 0; i < 60; i++) {
    const t = rnd() * Math.PI, a = rnd() * 2 * Math.PI, k = i % 2, e = () => (rnd() - 0.5) * 0.12;
    if (name === "moons") dot(k ? 1 - Math.cos(t) - 0.5 + e() : Math.cos(t) - 0.5 + e(), (k ? 0.5 - Math.sin(t) : Math.sin(t)) - 0.2 + e(), k);
    else if (name === "circles") dot((k ? 0.45 : 0.95) * Math.cos(a) + e(), (k ? 0.45 : 0.95) * Math.sin(a) + e(), k);
    else if (name === "spirals") { const r = rnd(); const th = 2 * Math.PI * (r + k / 2); dot(0.95 * r * Math.cos(th), 0.95 * r * Math.sin(th), k); }
    else if (name === "xor") { const x = rnd() * 2 - 1, y = rnd() * 2 - 1; dot(x, y, (x > 0) !== (y > 0) ? 1 : 0); }
    else if (name === "blobs") dot((k ? 0.5 : -0.5) + e() * 3, (k ? -0.4 : 0.4) + e() * 3, k);
  }
  if (name === "linear") heat((x, y) => (x + y) / 1.6);
  if (name === "polynomial") heat((x, y) => 1 - (x * x + y * y));
  if (name === "sine") heat((x, y) => Math.sin(Math.PI * x) * Math.sin(Math.PI * y));
}
