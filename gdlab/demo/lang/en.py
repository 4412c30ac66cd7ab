"""The gallery in English: the page's and the terminal's own words (the experiments' text is English already).

The keys are those of every language's ``UI`` (tests/demo/test_lang.py checks it).
"""

UI = {
    "html_lang": "en",
    "page_title": "gdlab gallery",
    "page_lead": "Every experiment of the five seed articles, reproduced with gdlab and drawn by gdlab, beside the "
                 "numbers the articles print — and a few things no tutorial shows. Click a figure to open it full size.",
    "chip_experiments": "{n} experiments",
    "chip_files": "{n} figures and reports",
    "chip_reproduced": "{n} seed numbers reproduced ✓",
    "chip_corrected": "{n} seed errors corrected",
    "chip_failed": "{n} failed",
    "chip_quick": "quick mode",
    "chip_full": "full mode",
    "legend_match": "gdlab reproduces the seed's printed number",
    "legend_corrected": "the seed's number is wrong; the note says why",
    "legend_new": "a number the seed does not print",
    "mark_match": "✓",
    "mark_approx": "≈ ✓",
    "mark_corrected": "corrected",
    "mark_new": "new",
    "mark_mismatch": "✗ differs",
    "badge_failed": "failed",
    "badge_mismatch": "differs",
    "badge_corrected": "seed corrected",
    "col_quantity": "quantity",
    "col_seed": "seed",
    "col_gdlab": "gdlab",
    "interactive_report": "interactive report",
    "open_report": "open interactive report ↗",
    "lightbox_hint": "click or press Esc to close",
    "missing_file": "(missing)",
    "footer": "Made by <code>{command}</code>. Numbers are gdlab's own, computed when this page was made; the seed "
              "column quotes the articles. This page loads nothing from the network.",
    "live_lead": "Play with these live in the browser lab: run {command}, then open",
    "live_optimizers": "Optimizers",
    "live_optimizers_tip": "race the optimizers on a landscape",
    "live_networks": "Networks",
    "live_networks_tip": "train a small network on 2-D data, optimizers side by side",
    "live_note": "(the lab runs on your machine: these links work while it runs)",
    "summary_title": "gdlab demo: the seeds' numbers reproduced",
    "figures_only": "(figures only)",
    "failed": "failed",
    "font_hint": "no CJK font is installed: the Chinese labels in the figures will show as boxes. Install one, e.g. "
                 "sudo apt-get install fonts-wqy-zenhei (or fonts-noto-cjk); macOS and Windows have one. "
                 "The gallery is written anyway.",
}
