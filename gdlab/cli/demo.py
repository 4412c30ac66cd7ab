"""``gdlab demo``: the gallery, every seed experiment and the showcases, into a folder with an index.html."""

from __future__ import annotations

import click

from .common import CONTEXT, Number, check_folder, checking, make_console, progress_bar


@click.command("demo", context_settings=CONTEXT)
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), default="gallery", show_default=True,
              help="Folder for the figures and index.html (created if needed).")
@click.option("--only", "only", multiple=True, metavar="NAMES",
              help="Run only these experiments: comma-separated names, seeds (000..004, beyond), or words of "
                   "names (saddle: every experiment with saddle in its name).")
@click.option("--quick", is_flag=True, help="Fewer steps, frames and epochs, lower dpi (for CI).")
@click.option("--list", "list_only", is_flag=True, help="List the experiments and exit.")
@click.option("--jobs", "-j", type=Number(min=1, max=64, integer=True), default=1, show_default=True,
              help="Run experiments in this many processes, 1 to 64.")
@click.option("--lang", "lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="The gallery's language: en (English) or zh (Chinese: page, cards, figure titles and labels).")
def command(out, only, quick, list_only, jobs, lang):
    """Reproduce every experiment of the five seeds, and the showcases, into a gallery.

    Writes the figures, animations and interactive reports into OUT with an index.html that
    shows each figure beside the numbers it reproduces (the seed's, gdlab's, and a note where
    the seed is wrong), and prints a summary table. Exits with status 1 if any experiment failed.

    \b
    Examples:
      gdlab demo                          # the whole gallery into ./gallery
      gdlab demo --quick --out /tmp/g     # fast (CI)
      gdlab demo --only seed000_x2,saddle # seed000_x2 and the three saddle experiments
      gdlab demo --only 003               # every experiment of seed 003
      gdlab demo --lang zh --out gallery-zh  # the gallery in Chinese
      gdlab demo --list
    """
    from gdlab import demo

    console = make_console()
    if list_only:
        demo.print_list(console)
        return
    with checking():
        selected = demo.select([n for item in only for n in item.split(",") if n.strip()])
    out = check_folder(out, "--out")
    if lang != "en":
        _font_hint(console, lang)
    with progress_bar(transient=True, unit="experiments") as progress:
        report = demo.run_gallery(out, selected, quick=quick, jobs=jobs, progress=progress, lang=lang)
    demo.print_summary(console, report)
    click.echo(f"wrote {report.index_path}", err=True)
    if report.n_failed:
        raise click.exceptions.Exit(1)


def _font_hint(console, lang):
    """Where the figures' labels need a CJK font and none is installed: say how to get one (the gallery is still written)."""
    from gdlab import viz
    from gdlab.demo.lang import translator

    if viz.cjk_font() is None:
        console.print(f"gdlab: note: {translator(lang).ui('font_hint')}", markup=False, highlight=False)
