"""The gallery page: one static, self-contained ``index.html`` (inline CSS, one small inline script for
the lightbox, no network).

Each experiment is a card: its title and one-line explanation, its figures (images and GIFs shown,
interactive reports linked with a preview), and the table of numbers it reproduces — the seed's
value, gdlab's value and a mark: ✓ (reproduced), ≈ (the seed's figure is approximate),
"corrected" (the seed is wrong; the note says why) or "new" (a number the seed does not print).
"""

from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path

from ._core import GROUPS
from .lang import translator

__all__ = ["render_index", "write_index"]

CSS = """
:root {
  --bg: #f6f7f9; --card: #ffffff; --ink: #1d2330; --muted: #5d6677; --line: #e3e7ee;
  --accent: #2f6fde; --ok: #1f8f4e; --okbg: #e5f5ec; --fix: #9a6200; --fixbg: #fff3d6;
  --new: #1e6f8f; --newbg: #e3f2f8; --bad: #b42318; --badbg: #fde8e6;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Noto Sans CJK SC",
        "PingFang SC", "Microsoft YaHei", sans-serif; }
header { background: linear-gradient(135deg, #14213d 0%, #2f4f8f 60%, #2f6fde 100%); color: #fff;
  padding: 36px 48px 28px; }
header h1 { margin: 0 0 6px; font-size: 30px; letter-spacing: -0.01em; }
header h1 .logo { display: inline-block; margin-right: 10px; font-weight: 800; }
header p { margin: 0; color: #dbe5ff; max-width: 900px; }
.live { margin: 16px 0 0; color: #dbe5ff; font-size: 14px; display: flex; flex-wrap: wrap; align-items: center;
  gap: 6px 10px; }
.live code { background: rgba(0,0,0,0.22); border-radius: 6px; padding: 1px 7px; color: #fff; }
.live a { background: #fff; color: #1d3f8f; text-decoration: none; font-weight: 600; border-radius: 999px;
  padding: 3px 12px; font-size: 13px; box-shadow: 0 1px 3px rgba(0,0,0,0.2); }
.live a:hover { background: #e6eeff; }
.live .hint { color: #b9c8ee; font-size: 12.5px; }
.chips { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 18px; }
.chip { background: rgba(255,255,255,0.14); border: 1px solid rgba(255,255,255,0.22); border-radius: 999px;
  padding: 3px 12px; font-size: 13px; color: #fff; white-space: nowrap; }
nav { position: sticky; top: 0; z-index: 5; background: rgba(246,247,249,0.94); backdrop-filter: blur(6px);
  border-bottom: 1px solid var(--line); padding: 10px 48px; display: flex; flex-wrap: wrap; gap: 6px 18px; }
nav a { color: var(--muted); text-decoration: none; font-size: 14px; }
nav a:hover { color: var(--accent); }
main { padding: 8px 48px 48px; max-width: 1700px; margin: 0 auto; }
section h2 { margin: 34px 0 4px; font-size: 21px; }
section .lead { margin: 0 0 14px; color: var(--muted); font-size: 14px; }
.grid { columns: 2 560px; column-gap: 20px; }
.grid > .card { break-inside: avoid; margin-bottom: 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; overflow: hidden;
  box-shadow: 0 1px 2px rgba(16,24,40,0.04), 0 4px 14px rgba(16,24,40,0.05); display: flex; flex-direction: column;
  width: 100%; }
.card.failed { border-color: #f1b5ae; }
.card-head { padding: 14px 18px 6px; display: flex; align-items: flex-start; gap: 10px; }
.card-head h3 { margin: 0; font-size: 17px; flex: 1; }
.card-head code { font-size: 12px; color: var(--muted); background: #f0f2f6; border-radius: 6px; padding: 1px 6px; }
.explain { margin: 0 18px 10px; color: var(--muted); font-size: 14px; }
.figs { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; padding: 0 14px; }
.figs.one, .figs.two { grid-template-columns: 1fr; }
.figs.many > figure:first-child { grid-column: 1 / -1; }
figure { margin: 0; background: #fafbfc; border: 1px solid var(--line); border-radius: 8px; padding: 6px;
  display: flex; flex-direction: column; }
figure a.img { display: block; }
figure img { width: 100%; height: auto; display: block; border-radius: 4px; }
figcaption { font-size: 12.5px; color: var(--muted); padding: 4px 2px 0; }
figure a.img { cursor: zoom-in; }
.interactive { display: flex; align-items: center; justify-content: center; min-height: 120px;
  background: linear-gradient(135deg, #eef3ff, #f7faff); border-radius: 4px; text-decoration: none; color: var(--accent);
  font-weight: 600; }
.interactive img { opacity: 0.9; }
a.open { align-self: flex-end; margin: 6px 2px 0; background: var(--accent); color: #fff; text-decoration: none;
  border-radius: 6px; padding: 4px 10px; font-size: 13px; font-weight: 600; box-shadow: 0 2px 6px rgba(0,0,0,0.18); }
#lightbox { position: fixed; inset: 0; z-index: 50; background: rgba(15,20,32,0.88); display: flex;
  flex-direction: column; align-items: center; justify-content: center; padding: 20px; cursor: zoom-out; }
#lightbox[hidden] { display: none; }
#lightbox img { max-width: min(96vw, 1900px); max-height: 86vh; width: auto; height: auto; background: #fff;
  border-radius: 6px; box-shadow: 0 8px 30px rgba(0,0,0,0.4); cursor: default; }
#lightbox p { color: #e8ecf4; font-size: 14px; margin: 10px 0 0; max-width: 90vw; text-align: center; }
#lightbox .hint { color: #9aa4b8; font-size: 12px; margin-top: 4px; }
table.nums { width: calc(100% - 28px); margin: 12px 14px 4px; border-collapse: collapse; font-size: 13.5px; }
table.nums th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.04em; border-bottom: 1px solid var(--line); padding: 4px 6px; }
table.nums td { border-bottom: 1px solid #f0f2f6; padding: 5px 6px; vertical-align: top; }
table.nums td.v { font-family: "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px;
  white-space: nowrap; }
table.nums td.v.long { white-space: normal; overflow-wrap: anywhere; min-width: 9em; }
table.nums td.m { white-space: nowrap; text-align: right; }
.note { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
.mark { border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; }
.mark.match, .mark.approx { color: var(--ok); background: var(--okbg); }
.mark.corrected { color: var(--fix); background: var(--fixbg); }
.mark.new { color: var(--new); background: var(--newbg); }
.mark.mismatch, .mark.failed { color: var(--bad); background: var(--badbg); }
.notes { margin: 6px 18px 0; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.notes li::before { content: "›"; color: var(--accent); margin-right: 6px; }
details.text { margin: 10px 18px 0; font-size: 13px; }
details.text summary { cursor: pointer; color: var(--accent); }
details.text pre { background: #f6f8fb; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px;
  font-size: 11.5px; line-height: 1.45; overflow-x: auto; max-height: 420px; }
details.text a { font-size: 12px; color: var(--muted); }
.foot { margin-top: auto; padding: 10px 18px 12px; font-size: 12px; color: #8a93a3; display: flex; gap: 12px; }
.error { margin: 4px 18px 10px; padding: 10px 12px; background: var(--badbg); color: var(--bad); border-radius: 8px;
  font-family: "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; white-space: pre-wrap; }
footer { padding: 24px 48px 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); }
.legend { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 16px 0 0; font-size: 13px; color: var(--muted); }
@media (max-width: 700px) { header, nav, main, footer { padding-left: 16px; padding-right: 16px; }
  .grid { columns: 1; } }
"""

_GROUP_LEAD = {
    "000": "Gradient descent written by hand on y = x²: the visited points, the direction of the updates, the learning rate.",
    "001": "One-variable descent, a linear regression with recorded gradients, and backpropagation worked by hand.",
    "002": "The three regimes: the whole data set per update (GD), one sample (SGD), a few samples (mini-batch).",
    "003": "Optimizer paths on a regression's loss surface, the saddle point x² − y², and a small ReLU network.",
    "004": "Central differences against autodiff, the gradient field, the learning rate's effect, and a digits classifier.",
    "beyond": "What no tutorial shows: tuned optimizer races, basins of attraction, a decision boundary as it learns.",
}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _figure_html(fig, tr) -> str:
    caption = f"<figcaption>{_e(fig.caption)}</figcaption>" if fig.caption else ""
    if fig.kind == "html":
        inner = f'<img src="{_e(fig.preview)}" alt="{_e(fig.caption)}" loading="lazy">' if fig.preview else \
            f"<span>{_e(tr.ui('interactive_report'))}</span>"
        # the button under the preview, not over it (it hid the preview's legend)
        return (f'<figure><a class="interactive" href="{_e(fig.path)}">{inner}</a>'
                f'<a class="open" href="{_e(fig.path)}">{_e(tr.ui("open_report"))}</a>{caption}</figure>')
    # a click opens the image full size in the page's lightbox (the link still works without script)
    return (f'<figure><a class="img" href="{_e(fig.path)}" data-caption="{_e(fig.caption)}">'
            f'<img src="{_e(fig.path)}" alt="{_e(fig.caption)}" loading="lazy"></a>{caption}</figure>')


#: the lightbox: a click on a figure shows it full size over the page; a click or Escape closes it
LIGHTBOX = """<div id="lightbox" hidden><img alt=""><p></p><p class="hint">__HINT__</p></div>
<script>
(function () {
  var box = document.getElementById("lightbox"), img = box.querySelector("img"), cap = box.querySelector("p");
  function close() { box.hidden = true; img.removeAttribute("src"); }
  document.querySelectorAll("a.img").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      img.src = a.getAttribute("href"); img.alt = a.dataset.caption || ""; cap.textContent = a.dataset.caption || "";
      box.hidden = false;
    });
  });
  box.addEventListener("click", close);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
})();
</script>"""


def _numbers_html(numbers, tr) -> str:
    if not numbers:
        return ""
    rows = []
    for n in numbers:
        note = f'<span class="note">{_e(n.note)}</span>' if n.note else ""
        seed_cls = "v long" if len(n.seed) > 22 else "v"
        gdlab_cls = "v long" if len(n.gdlab) > 22 else "v"
        rows.append(
            f'<tr><td>{_e(n.label)}{note}</td><td class="{seed_cls}">{_e(n.seed)}</td>'
            f'<td class="{gdlab_cls}">{_e(n.gdlab)}</td>'
            f'<td class="m"><span class="mark {_e(n.status)}">{_e(tr.ui("mark_" + n.status))}</span></td></tr>'
        )
    head = "".join(f"<th>{_e(tr.ui(k))}</th>" for k in ("col_quantity", "col_seed", "col_gdlab"))
    return (f'<table class="nums"><thead><tr>{head}<th></th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _text_html(fig, out, tr) -> str:
    try:
        body = (Path(out) / fig.path).read_text(encoding="utf-8")
    except OSError:
        body = tr.ui("missing_file")
    return (f'<details class="text"><summary>{_e(fig.caption or fig.path)}</summary><pre>{_e(body)}</pre>'
            f'<a href="{_e(fig.path)}">{_e(fig.path)}</a></details>')


def _card_html(r, out=".", tr=None) -> str:
    tr = tr or translator("en")
    badge = ""
    if r.status == "failed":
        badge = f'<span class="mark failed">{_e(tr.ui("badge_failed"))}</span>'
    elif r.status == "mismatch":
        badge = f'<span class="mark mismatch">{_e(tr.ui("badge_mismatch"))}</span>'
    elif any(n.status == "corrected" for n in r.numbers):
        badge = f'<span class="mark corrected">{_e(tr.ui("badge_corrected"))}</span>'
    figs = [f for f in r.figures if f.kind != "text"]
    texts = "".join(_text_html(f, out, tr) for f in r.figures if f.kind == "text")
    figs_html = ""
    if figs:
        cls = "figs " + {1: "one", 2: "two"}.get(len(figs), "many")
        figs_html = f'<div class="{cls}">' + "".join(_figure_html(f, tr) for f in figs) + "</div>"
    error = f'<div class="error">{_e(r.error)}</div>' if r.error else ""
    notes = "".join(f"<li>{_e(t)}</li>" for t in r.notes)
    notes_html = f'<ul class="notes">{notes}</ul>' if notes else ""
    cls = "card failed" if r.status == "failed" else "card"
    return (
        f'<article class="{cls}" id="{_e(r.name)}">'
        f'<div class="card-head"><h3>{_e(r.title)}</h3>{badge}<code>{_e(r.name)}</code></div>'
        f'<p class="explain">{_e(r.explain)}</p>{error}{figs_html}{_numbers_html(r.numbers, tr)}{notes_html}{texts}'
        f'<div class="foot"><span>gdlab demo --only {_e(r.name)}</span><span>{r.seconds:.1f} s</span></div>'
        "</article>"
    )


#: the browser lab's pages the gallery links to (``gdlab serve``'s paths), by their UI key
LAB_PAGES = (("live_optimizers", "/optimizers"), ("live_networks", "/networks"))


def lab_url(path: str) -> str:
    """The address of a ``gdlab serve`` page on this machine, where the command listens by default."""
    from gdlab.web import DEFAULT_HOST, DEFAULT_PORT

    return f"http://{DEFAULT_HOST}:{DEFAULT_PORT}{path}"


def _live_html(tr) -> str:
    """"Play with these live": the command and a link to each page of the lab on the loopback address
    (the gallery is an offline file: nothing is loaded from these links, they are followed when clicked)."""
    links = "".join(f'<a href="{_e(lab_url(path))}" title="{_e(tr.ui(key + "_tip"))}">{_e(tr.ui(key))} ↗</a>'
                    for key, path in LAB_PAGES)
    lead = _e(tr.ui("live_lead", command="\0")).replace("\0", "<code>gdlab serve</code>")
    return f'<p class="live"><span>{lead}</span>{links}<span class="hint">{_e(tr.ui("live_note"))}</span></p>'


def render_index(report) -> str:
    """The page for a gallery run (see module docstring), in the report's language."""
    import gdlab

    tr = translator(getattr(report, "lang", "en"))
    ui = tr.ui

    results = report.results
    counts: dict[str, int] = {}
    for r in results:
        for n in r.numbers:
            counts[n.status] = counts.get(n.status, 0) + 1
    n_files = sum(len(r.figures) for r in results)
    n_failed = sum(1 for r in results if r.status == "failed")
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    chips = [
        ui("chip_experiments", n=len(results)),
        ui("chip_files", n=n_files),
        ui("chip_reproduced", n=counts.get("match", 0) + counts.get("approx", 0)),
        ui("chip_corrected", n=counts.get("corrected", 0)),
        f"gdlab {getattr(gdlab, '__version__', '')}",
        ui("chip_quick" if report.quick else "chip_full") + f" · {report.seconds:.0f} s · {when}",
    ]
    if n_failed:
        chips.insert(0, ui("chip_failed", n=n_failed))
    sections, nav = [], []
    for group, title in GROUPS.items():
        title = tr(title)
        cards = [r for r in results if r.seed == group]
        if not cards:
            continue
        anchor = f"seed{group}" if group != "beyond" else "beyond"
        nav.append(f'<a href="#{anchor}">{_e(title.split(" · ")[0])}</a>')
        sections.append(
            f'<section id="{anchor}"><h2>{_e(title)}</h2><p class="lead">{_e(tr(_GROUP_LEAD.get(group, "")))}</p>'
            f'<div class="grid">{"".join(_card_html(r, report.out, tr) for r in cards)}</div></section>'
        )
    legend = "".join(
        f'<span><span class="mark {k}">{_e(ui("mark_" + k))}</span> {_e(ui("legend_" + k))}</span>'
        for k in ("match", "corrected", "new")
    )
    command = "gdlab demo" + (" --quick" if report.quick else "") + (f" --lang {tr.lang}" if tr.lang != "en" else "")
    return f"""<!DOCTYPE html>
<html lang="{ui("html_lang")}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(ui("page_title"))}</title>
<style>{CSS}</style></head>
<body>
<header><h1><span class="logo">∇</span>{_e(ui("page_title"))}</h1>
<p>{_e(ui("page_lead"))}</p>
<div class="chips">{"".join(f'<span class="chip">{_e(c)}</span>' for c in chips)}</div>
{_live_html(tr)}</header>
<nav>{"".join(nav)}</nav>
<main><div class="legend">{legend}</div>{"".join(sections)}</main>
<footer>{ui("footer", command=_e(command))}</footer>
{LIGHTBOX.replace("__HINT__", _e(ui("lightbox_hint")))}
</body></html>
"""


def write_index(report) -> Path:
    path = Path(report.index_path)
    path.write_text(render_index(report), encoding="utf-8")
    return path
