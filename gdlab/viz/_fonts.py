"""Labels in any language: find an installed CJK font and use it for text with CJK characters.

No font name is hard-coded as *the* font: gdlab scans matplotlib's font list for families
whose names belong to the well-known CJK families (Noto Sans CJK, Source Han Sans,
WenQuanYi, SimHei, Microsoft YaHei, PingFang, Heiti, AR PL, ...); if none is listed, it
looks for such font files that matplotlib's cached list does not know yet (fonts installed
after matplotlib built its cache) and, last, for any listed font whose character map covers
Chinese. The best one found is used per Text, as a *fallback* family: Latin letters keep the
house font, CJK glyphs come from the CJK font (matplotlib >= 3.6 falls back glyph by glyph).

Where no CJK font exists, gdlab warns once, with the install hint, and draws anyway.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings

INSTALL_HINT = ("install one, e.g. `sudo apt-get install fonts-noto-cjk` (or fonts-wqy-zenhei) on "
                "Debian/Ubuntu, `sudo dnf install google-noto-sans-cjk-fonts` on Fedora; macOS and "
                "Windows ship one. If it is still not found, delete matplotlib's font cache "
                "(the fontlist-*.json file in matplotlib.get_cachedir()).")

# CJK unified ideographs (+ extension A, compatibility), kana, hangul, CJK punctuation, full width forms
_CJK = re.compile("[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff"
                  "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")

# fragments of the names of common CJK families (matched case-insensitively, ignoring spaces)
_NAME_HINTS = (
    "notosanscjk", "notoserifcjk", "notosanssc", "notosanstc", "notosansjp", "notosanskr",
    "notosanshk", "sourcehansans", "sourcehanserif", "wenquanyi", "wqy", "simhei", "simsun",
    "microsoftyahei", "microsoftjhenghei", "pingfang", "heiti", "hiragino", "songti", "kaiti",
    "fangsong", "stheiti", "stsong", "arplukai", "arpluming", "arpl", "droidsansfallback",
    "msgothic", "msmincho", "yugothic", "meiryo", "malgun", "nanum", "takao", "ipagothic",
    "ipaexgothic", "vlgothic", "arialunicode", "unifont",
)
# preferred over others: sans/hei/gothic faces, simplified-Chinese variants
_PREFER = (("sc", 3), ("cn", 3), ("hans", 3), ("yahei", 3), ("hei", 2), ("sans", 2), ("gothic", 2),
           ("zen", 1), ("micro", 1))

_WARNED = False
_CACHE: dict = {}


def has_cjk(text) -> bool:
    """True when ``text`` contains Chinese, Japanese or Korean characters."""
    return bool(text) and _CJK.search(str(text)) is not None


def _squash(name):
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _looks_cjk(name):
    s = _squash(name)
    return any(h in s for h in _NAME_HINTS)


def _score(name):
    s = _squash(name)
    return sum(w for frag, w in _PREFER if frag in s) - ("serif" in s) - ("mono" in s)


def _covers_cjk(path):
    try:
        from matplotlib.ft2font import FT2Font
        cmap = FT2Font(path).get_charmap()
    except Exception:  # unreadable or exotic font file
        return False
    return all(ord(ch) in cmap for ch in "中文梯度")


def _manager():
    from matplotlib import font_manager
    return font_manager.fontManager


def find_cjk_fonts(scan_files=True):
    """Names of the installed font families able to draw CJK text, best first.

    Looks at matplotlib's font list by family name; where that finds nothing and
    ``scan_files`` is true, also adds CJK font files matplotlib's cache does not know yet
    and checks every listed font's character map. Returns [] when there is none.
    """
    fm = _manager()
    names = sorted({e.name for e in fm.ttflist if _looks_cjk(e.name)}, key=lambda n: (-_score(n), n))
    if names or not scan_files:
        return names
    # fonts installed after matplotlib built its cache
    try:
        from matplotlib import font_manager
        known = {os.path.realpath(e.fname) for e in fm.ttflist}
        added = False
        for path in font_manager.findSystemFonts():
            if os.path.realpath(path) in known or not _looks_cjk(os.path.basename(path)):
                continue
            try:
                fm.addfont(path)
                added = True
            except Exception:
                continue
        if added:
            names = sorted({e.name for e in fm.ttflist if _looks_cjk(e.name)}, key=lambda n: (-_score(n), n))
            if names:
                return names
    except Exception:
        pass
    # last resort: any listed font whose character map covers Chinese
    covering = {e.name for e in fm.ttflist if _covers_cjk(e.fname)}
    return sorted(covering, key=lambda n: (-_score(n), n))


def cjk_font():
    """The family name gdlab uses for CJK text, or None when no CJK font is installed (cached)."""
    fm = _manager()
    key = (id(fm), id(fm.ttflist), len(fm.ttflist))
    if key not in _CACHE:
        found = find_cjk_fonts()
        _CACHE.clear()
        _CACHE[(id(fm), id(fm.ttflist), len(fm.ttflist))] = found[0] if found else None
        key = (id(fm), id(fm.ttflist), len(fm.ttflist))
    return _CACHE[key]


def _warn_missing():
    global _WARNED
    if _WARNED:
        return
    _WARNED = True
    warnings.warn("gdlab.viz: a label contains Chinese/Japanese/Korean characters but no CJK font is "
                  "installed, so they will show as empty boxes; " + INSTALL_HINT, UserWarning, stacklevel=4)


def apply_cjk(fig):
    """Give every Text of ``fig`` that contains CJK characters a CJK fallback font.

    Called by every gdlab figure function; call it yourself after adding CJK text to a
    figure. Returns the number of texts changed (0 when no CJK font is installed: then it
    warns once and leaves the text as it is).
    """
    from matplotlib.text import Text
    texts = [t for t in fig.findobj(Text) if has_cjk(t.get_text())]
    if not texts:
        return 0
    family = cjk_font()
    if family is None:
        _warn_missing()
        return 0
    for t in texts:
        current = [f for f in t.get_fontfamily() if f != family]
        t.set_fontfamily(current + [family])
    return len(texts)


@contextlib.contextmanager
def quiet_glyph_warnings():
    """Silence matplotlib's per-glyph 'missing from font' warnings (gdlab has warned once already)."""
    import logging
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(max(level, logging.ERROR))  # "findfont: Failed to find font weight bold for <CJK font>"
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from (current )?font")
            warnings.filterwarnings("ignore", message=r".*Font family .* not found")
            yield
    finally:
        log.setLevel(level)
