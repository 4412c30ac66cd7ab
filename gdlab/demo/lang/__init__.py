"""The gallery in more than one language: one string table per language, one translator.

English is the language the experiments are written in: their docstrings, numbers' labels, notes,
captions and the figures' titles and labels are the English text. A language's table
(``lang/zh.py``) holds

- ``UI``: the page's and the terminal's own words, by key (``lang/en.py`` has the same keys);
- ``TEXT``: the experiments' English text -> its translation, exact strings;
- ``PATTERNS``: (English template, translation) for text with numbers in it, e.g.
  ``("{} at step {}", "{0}，第 {1} 步")``: each ``{}`` matches any text, which is itself translated
  when the table knows it (so "diverged at step 4" -> "发散，第 4 步").

:class:`Translator` applies a table to a gallery result (title, explanation, every number's label,
seed and gdlab text and note, the notes, the captions) and to a matplotlib figure's texts (titles,
axis labels, legends, annotations) before it is saved. Text it cannot translate is kept as it is
and remembered in ``missing`` (the tests require it to stay empty); text without words (numbers,
formulas, names of optimizers and variables) needs no translation.
"""

from __future__ import annotations

import importlib
import re

__all__ = ["LANGUAGES", "Translator", "translator", "is_neutral"]

#: the gallery's languages, the default first
LANGUAGES = ("en", "zh")

# words that stay as they are in every language: proper names, optimizers and models by their names
_NEUTRAL_WORDS = {
    "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "RMSProp", "RMSprop", "Lion", "Nesterov",
    "ReLU", "GD", "SGD", "MSE", "Keras", "PyTorch", "GradientTape", "Rosenbrock", "Himmelblau", "Rastrigin",
    "MNIST", "UCI", "NumPy", "Linear", "Sigmoid", "MB", "ms", "Σ",
    # gdlab's names as typed: optimizers, activations, metrics; maths
    "gd", "sgd", "adam", "adamw", "adagrad", "rmsprop", "nesterov", "momentum", "lion", "lr", "mse", "mae", "relu",
    "sigmoid", "tanh", "softmax", "max", "min", "log", "ln", "exp", "sqrt", "std", "mean", "sum", "grad", "dim",
    "cos", "sin", "tan", "plotly", "torch", "alpha", "fit", "dE", "dw", "dy", "dx", "xw", "GIF", "HTML", "Hessian",
    "gdlab", "Goodfellow", "Cohen", "Li", "et", "al", "adafactor", "lbfgs", "muon", "rprop", "Adafactor", "Muon", "Rprop", "BFGS", "PCA", "PC", "rosenbrock", "himmelblau", "rastrigin",
}
# code inside text: dotted or underscored names, name=, name(, quoted strings
_CODE = re.compile(r"\w+(?:[._]\w+)+|\b[A-Za-z]\w*(?==)|\b[A-Za-z]\w*(?=\()|'[^']*'|\w+\.\w+")
_WORD = re.compile(r"[A-Za-z]{2,}")


# plotly: the keys whose strings people read, HTML tags and %{...} placeholders inside them
_PLOTLY_TEXT_KEYS = {"text", "prefix", "label", "name", "hovertemplate"}
_TAG = re.compile(r"(<[^>]*>)")
_PLACEHOLDER = re.compile(r"%\{[^}]*\}")


def is_neutral(text: str) -> bool:
    """True when ``text`` has no word to translate: numbers, symbols, formulas, code and proper names only."""
    rest = _CODE.sub(" ", str(text))
    return all(word in _NEUTRAL_WORDS for word in _WORD.findall(rest))


def _compile(template: str):
    """An English template with ``{}`` holes as an anchored regex (the holes match lazily; a space
    matches any run of spaces, as in the columns of an animation's text)."""
    pieces = [re.sub(r"(\\ )+", r"\\s+", re.escape(p)) for p in template.split("{}")]
    return re.compile(r"^\s*" + "(.+?)".join(pieces) + r"\s*$", re.S)


class Translator:
    """Translates the gallery's English text into ``lang`` (``en``: the identity)."""

    def __init__(self, lang: str = "en"):
        if lang not in LANGUAGES:
            raise ValueError(f"unknown gallery language {lang!r}; choose one of {', '.join(LANGUAGES)}")
        self.lang = lang
        table = importlib.import_module(f"{__name__}.{lang}")
        self.ui_table = dict(table.UI)
        self.exact = dict(getattr(table, "TEXT", {}))
        # the most specific template first (the most text of its own): "{} of {}" must not shadow a title
        patterns = sorted(getattr(table, "PATTERNS", []), key=lambda p: -len(p[0].replace("{}", "")))
        self.patterns = [(_compile(en), out, en) for en, out in patterns]
        self.missing: set[str] = set()
        self.used: set[str] = set()

    # ---------------------------------------------------------------------------------- text
    def ui(self, key: str, **values) -> str:
        """The page's or the terminal's own text ``key``, with ``values`` filled in."""
        return self.ui_table[key].format(**values)

    def __call__(self, text):
        """``text`` in this language (unchanged when it is English, empty or needs no translation)."""
        if self.lang == "en" or not isinstance(text, str) or not text.strip():
            return text
        if "\n" in text:
            return self._lines(text)
        out = self._lookup(text.strip())
        if out is None:
            if not is_neutral(text):
                self.missing.add(text)
            return text
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        return lead + out + trail

    def _lines(self, text):
        """Text on several lines: line by line where every line translates; else, a sentence wrapped
        into lines is translated whole and wrapped again (a Chinese character is about twice as wide
        as a letter); else line by line, keeping what is unknown."""
        import textwrap

        lines = text.split("\n")
        missing = set(self.missing)
        by_line = "\n".join(self(line) for line in lines)
        if self.missing == missing:
            return by_line
        joined = " ".join(line.strip() for line in lines if line.strip())
        before = set(self.missing)
        whole = self._lookup(joined)
        if whole is None or self.missing != before:
            self.missing = before
            return by_line
        self.missing = missing
        width = max(8, max(len(line) for line in lines) * 5 // 9)
        return "\n".join(textwrap.wrap(whole, width=width, break_long_words=True)) or whole

    def _lookup(self, text):
        if text in self.exact:
            self.used.add(text)
            return self.exact[text]
        for regex, out, key in self.patterns:
            m = regex.match(text)
            if m:
                self.used.add(key)
                return out.format(*(self._part(g) for g in m.groups()))
        return None

    def _part(self, text):
        found = self._lookup(text.strip())
        if found is None:
            if not is_neutral(text):
                self.missing.add(text)
            return text
        return found

    # ---------------------------------------------------------------------------------- results
    def result(self, result):
        """Translate a gallery Result in place: title, explanation, numbers, notes and captions."""
        if self.lang == "en":
            return result
        result.title, result.explain = self(result.title), self(result.explain)
        for n in result.numbers:
            n.label, n.seed, n.gdlab, n.note = self(n.label), self(n.seed), self(n.gdlab), self(n.note)
        result.notes = [self(t) for t in result.notes]
        for f in result.figures:
            f.caption = self(f.caption)
        return result

    # ---------------------------------------------------------------------------------- figures
    def figure(self, fig):
        """Translate every text of a matplotlib figure (titles, labels, legends, annotations) in place."""
        if self.lang == "en" or fig is None:
            return fig
        from matplotlib.text import Text

        for t in fig.findobj(Text):
            text = t.get_text()
            if text and not text.startswith("$"):
                new = self(text)
                if new != text:
                    t.set_text(new)
        try:
            from gdlab.viz import apply_cjk

            apply_cjk(fig)
        except ImportError:  # pragma: no cover - the gallery needs gdlab.viz anyway
            pass
        return fig

    def markup(self, text):
        """A plotly text (a hover template, a title): the words between its HTML tags translated, the
        tags and the ``%{...}`` placeholders kept as they are."""
        if self.lang == "en" or not isinstance(text, str) or not text.strip():
            return text
        holes = _PLACEHOLDER.findall(text)
        count = iter(range(len(holes)))
        masked = _PLACEHOLDER.sub(lambda m: f"⟨{next(count)}⟩", text)
        out = "".join(piece if _TAG.fullmatch(piece) else self(piece) for piece in _TAG.split(masked))
        return re.sub(r"⟨(\d+)⟩", lambda m: holes[int(m.group(1))], out)

    def plotly(self, fig):
        """Translate a plotly figure in place: its titles, axis titles, annotations, buttons, slider,
        trace names and hover templates, and the report header gdlab.viz keeps in ``layout.meta``."""
        if self.lang == "en" or fig is None:
            return fig
        layout = fig.layout.to_plotly_json()
        layout.pop("template", None)
        meta = layout.pop("meta", None)
        fig.update_layout(self._plotly_texts(layout))
        if isinstance(meta, dict) and isinstance(meta.get("gdlab_header"), dict):
            head = dict(meta["gdlab_header"])
            head["title"] = self.markup(head.get("title"))
            head["rows"] = [[self(k), self(v)] for k, v in head.get("rows") or []]
            fig.update_layout(meta={**meta, "gdlab_header": head})
        for trace in fig.data:
            trace.update(self._plotly_texts({k: v for k, v in trace.to_plotly_json().items()
                                             if k in _PLOTLY_TEXT_KEYS or isinstance(v, dict)}))
        return fig

    def _plotly_texts(self, spec):
        """``spec`` (a plotly JSON dict) with the strings under its text keys translated."""
        if isinstance(spec, dict):
            return {k: (self.markup(v) if k in _PLOTLY_TEXT_KEYS and isinstance(v, str) else self._plotly_texts(v))
                    for k, v in spec.items()}
        if isinstance(spec, (list, tuple)) and spec and all(isinstance(v, dict) for v in spec):
            return [self._plotly_texts(v) for v in spec]
        return spec

    def movie(self, movie):
        """Translate a viz Movie's figure, and the texts its frames set, before it is saved."""
        if self.lang == "en":
            return movie
        self.figure(movie.figure)
        update = movie._update  # the frames' own text (step, loss) is set by the update; translate after it

        def translated(i):
            out = update(i)
            self.figure(movie.figure)
            return out

        movie._update = translated
        return movie


def translator(lang: str = "en") -> Translator:
    """A new :class:`Translator` for ``lang`` (ValueError naming the languages for an unknown one)."""
    return Translator(lang)
