"""``gdlab.expr(text)``: a user's formula, parsed safely into a gdlab Function.

Nothing here calls eval, exec, compile or Python's ``ast``: a hand-written tokenizer and a
recursive-descent parser build a small tree of tuples, which is turned into nested closures
over an ops namespace (gdlab's autodiff on Tensors, NumPy on arrays), so autodiff gives the
gradient and grids evaluate at NumPy speed.

Grammar (``**`` and ``^`` are both powers, right-associative; unary minus binds looser than
a power, so ``-x**2`` is ``-(x**2)`` and ``2**-1`` is ``2**(-1)``)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := primary (("**" | "^") unary)?
    primary := NUMBER | CONSTANT | VARIABLE | FUNCTION "(" expr ("," expr)* ")" | "(" expr ")"

Numbers: ``2``, ``0.5``, ``.5``, ``1e-3``. Constants: ``pi``, ``e``. Functions: see
:data:`FUNCTIONS`. Variables: ``x``, ``y``, ``z`` or ``x0``, ``x1``, ... (not both kinds);
the dimension is the number of distinct variables, ordered x, y, z or by index, unless
``variables=`` names them (then any identifiers, in that order, used or not).

Refused, with the position in the message: attribute access, indexing, names outside the
whitelist, calls of anything but a whitelisted function, keyword arguments, strings,
comparisons and other operators, implicit multiplication (``2x``), input longer than
:data:`MAX_LENGTH` characters or nested deeper than :data:`MAX_DEPTH`.

Beyond ASCII, characters whose meaning is clear are read as ASCII: ``π`` as ``pi``, superscript
digits as powers (``x²`` is ``x**2``, ``x⁻¹`` is ``x**-1``; ``x²**3`` is refused as ambiguous),
``·`` ``×`` as ``*``, ``÷`` as ``/``, ``−`` (U+2212) as ``-``, and any character whose NFKC form
is ASCII as that form (full-width ``ｘ``, no-break spaces, subscript digits: ``x₁`` is ``x1``).
Everything else (a Cyrillic ``х``, a Greek ``α``, an Arabic-Indic ``٣``, ``½``, invisible
characters) is refused with its name and its position in the text as written.

Numbers: constant sub-expressions are computed once, when the formula is parsed, in NumPy
float64 with its warnings off (``1/0`` is inf, ``(-8)**(1/3)`` NaN, ``9**9**9**9**9`` inf after a
few float powers; nothing is computed exactly in Python integers). Variables follow NumPy at run
time: ``x/0`` is inf with NumPy's warning, and a point outside a function's domain has a NaN value
and a NaN gradient.
"""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np

from ._function import NUMPY_OPS as _NUMPY
from ._function import Function

__all__ = ["expr", "ExpressionError", "FUNCTIONS", "CONSTANTS", "MAX_LENGTH", "MAX_DEPTH"]

MAX_LENGTH = 1000
MAX_DEPTH = 40


class ExpressionError(ValueError):
    """A formula that is not allowed or does not parse; ``.position`` is the 0-based offset."""

    def __init__(self, message, position=None, text=None):
        self.position = position
        self.text = text
        full = message
        if text is not None and position is not None and len(text) <= 120:
            full = f"{message}\n    {text}\n    {' ' * position}^"
        super().__init__(full)


# name -> (number of arguments, builder(ops, *args), plain text, latex format)
def _sinh(m, a):
    return (m.exp(a) - m.exp(-a)) / 2.0


def _cosh(m, a):
    return (m.exp(a) + m.exp(-a)) / 2.0


FUNCTIONS = {
    "sin": (1, lambda m, a: m.sin(a), r"\sin"),
    "cos": (1, lambda m, a: m.cos(a), r"\cos"),
    "tan": (1, lambda m, a: m.tan(a), r"\tan"),
    "exp": (1, lambda m, a: m.exp(a), r"\exp"),
    "log": (1, lambda m, a: m.log(a), r"\log"),
    "sqrt": (1, lambda m, a: m.sqrt(a), None),
    "abs": (1, lambda m, a: m.abs(a), None),
    "tanh": (1, lambda m, a: m.tanh(a), r"\tanh"),
    "sinh": (1, _sinh, r"\sinh"),
    "cosh": (1, _cosh, r"\cosh"),
    "sigmoid": (1, lambda m, a: m.sigmoid(a), r"\sigma"),
    "relu": (1, lambda m, a: m.relu(a), r"\operatorname{relu}"),
    "softplus": (1, lambda m, a: m.softplus(a), r"\operatorname{softplus}"),
    "max": (2, lambda m, a, b: m.maximum(a, b), r"\max"),
    "min": (2, lambda m, a, b: m.minimum(a, b), r"\min"),
}
CONSTANTS = {"pi": math.pi, "e": math.e}

_XYZ = ("x", "y", "z")
_INDEXED = re.compile(r"x(0|[1-9][0-9]*)\Z")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# -------------------------------------------------------------------------------------
# tokenizer

_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")
_REFUSED = {
    ".": "attribute access is not allowed",
    "[": "indexing is not allowed",
    "]": "indexing is not allowed",
    "=": "assignments and comparisons are not allowed",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "comparisons are not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "@": "matrix products are not allowed (write the sum out)",
    "%": "the modulo operator is not allowed",
    "&": "bitwise operators are not allowed",
    "|": "bitwise operators are not allowed (write abs(...) for an absolute value)",
    "~": "bitwise operators are not allowed",
    ";": "only one expression is allowed",
    ":": "slices and lambdas are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "#": "comments are not allowed",
    "\\": "backslashes are not allowed",
}


# Non-ASCII characters whose meaning is clear, read as ASCII. Superscript digits are powers (x² is
# x**2, x⁻¹ is x**-1); other characters are read as their NFKC form when that is ASCII (full-width
# forms, no-break spaces, subscript digits: x₁ is x1); anything else is refused with its position.
_READ_AS = {"π": "pi", "·": "*", "×": "*", "⋅": "*", "∙": "*", "∗": "*", "−": "-", "÷": "/"}
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
                 "⁹": "9", "⁻": "-", "⁺": "+"}
_SUPERSCRIPT_POWER = re.compile(r"[-+]?[0-9]+\Z")


def _refused_character(c, i):
    code = f"U+{ord(c):04X}"
    name = unicodedata.name(c, "")
    what = f"{c!r} ({code} {name})" if name else f"{c!r} ({code})"
    digit = unicodedata.decimal(c, None)
    if digit is not None:
        why = f"a digit of another script; write the ASCII digit {digit}"
    elif unicodedata.decomposition(c).startswith(("<super>", "<sub>")):
        why = "only superscript digits (x², x⁻¹) and subscript digits (x₁) are read"
    elif unicodedata.category(c).startswith("L"):
        why = ("a letter outside ASCII; variables, constants and functions are spelled in ASCII letters "
               "(x, y, z, x0, pi, sin, ...)")
    else:
        why = "outside ASCII, only π, superscript digits, · × ÷ − and full-width forms are read"
    return f"unexpected {what} at position {i}: {why}"


def _ascii(text):
    """``(ascii_text, where)``: the formula in ASCII, and ``where[k]``, the position in ``text`` of
    the k-th ASCII character (``where[len(ascii_text)] == len(text)``), so that every message can
    point into the text the user wrote."""
    if text.isascii():
        return text, range(len(text) + 1)
    out, where = [], []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isascii():
            piece = c
        elif c in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            power = "".join(_SUPERSCRIPTS[s] for s in text[i:j])
            if not _SUPERSCRIPT_POWER.match(power):
                raise ExpressionError(f"malformed superscript {text[i:j]!r} at position {i}: write a power "
                                      "as x², x⁻¹ or x**2", i, text)
            k = j
            while k < n and text[k] in " \t":
                k += 1
            if k < n and (text.startswith(("**", "^"), k) or text[k] in _SUPERSCRIPTS):
                raise ExpressionError(f"a power of the power {text[i:j]!r} at position {k}: write (x²)**3 or "
                                      "x**(2**3)", k, text)
            piece = "**" + power.lstrip("+")
            out.extend(piece)
            where.extend([i] * len(piece))
            i = j
            continue
        else:
            piece = _READ_AS.get(c)
            if piece is None:
                form = unicodedata.normalize("NFKC", c)
                tag = unicodedata.decomposition(c)
                if form.isascii() and (not tag.startswith(("<super>", "<sub>")) or form.isdigit()):
                    piece = form
                else:
                    raise ExpressionError(_refused_character(c, i), i, text)
        out.extend(piece)
        where.extend([i] * len(piece))
        i += 1
    where.append(n)
    return "".join(out), where


def _tokenize(text):
    """[(kind, value, position)]: kinds "num", "name", "op", then "end" (or "bad": a refused character).

    Positions are in ``text`` as written; the tokens are read from its ASCII form (see :func:`_ascii`).
    """
    a, where = _ascii(text)
    tokens = []
    i, n = 0, len(a)
    while i < n:
        c = a[i]
        if c in " \t\n\r":
            i += 1
            continue
        if c in _DIGITS or (c == "." and i + 1 < n and a[i + 1] in _DIGITS
                            and not (tokens and tokens[-1][0] in ("name", "num") or tokens and tokens[-1][1] == ")")):
            m = _NUMBER.match(a, i)
            end = m.end()
            if end < n and (a[end] in _LETTERS):
                if a[end] in "eE":  # "1e" with no exponent digits
                    raise ExpressionError(f"malformed number {a[i:end + 1]!r} at position {where[i]}", where[i], text)
                raise ExpressionError(
                    f"unexpected {text[where[end]]!r} at position {where[end]}: implicit multiplication is not "
                    f"allowed, write {text[where[i]:where[end]]}*{text[where[end]]}", where[end], text)
            if end < n and a[end] == ".":
                raise ExpressionError(f"unexpected '.' at position {where[end]}: malformed number or attribute "
                                      "access", where[end], text)
            tokens.append(("num", float(a[i:end]), where[i]))
            i = end
            continue
        if c in _LETTERS:
            m = _NAME.match(a, i)
            tokens.append(("name", m.group(), where[i]))
            i = m.end()
            continue
        if a.startswith("**", i):
            tokens.append(("op", "**", where[i]))
            i += 2
            continue
        if c in "+-*/^(),":
            tokens.append(("op", c, where[i]))
            i += 1
            continue
        if c == "." and tokens and (tokens[-1][0] in ("name", "num") or tokens[-1][1] == ")"):
            reason = "attribute access is not allowed"
        else:
            reason = _REFUSED.get(c, "only numbers, variables, + - * / ** ^, parentheses and whitelisted "
                                     "functions are allowed")
        # Refused characters become a "bad" token: the parser reports it when it gets there,
        # so an earlier problem (e.g. an unknown function name) is reported first.
        tokens.append(("bad", f"unexpected {text[where[i]]!r} at position {where[i]}: {reason}", where[i]))
        return tokens
    tokens.append(("end", None, where[n]))
    return tokens


# -------------------------------------------------------------------------------------
# parser: nodes are tuples ("num", v) | ("var", name) | ("neg", a) | ("bin", op, a, b) | ("call", name, args)


class _Parser:
    def __init__(self, text, variables):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.variables = variables  # None: infer
        self.seen = []  # (name, position) in order of appearance

    def error(self, message, position):
        raise ExpressionError(message, position, self.text)

    def peek(self):
        tok = self.tokens[self.i]
        if tok[0] == "bad":
            self.error(tok[1], tok[2])
        return tok

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def enter(self, position):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.error(f"the formula is nested too deeply at position {position} (at most {MAX_DEPTH} levels)", position)

    def leave(self):
        self.depth -= 1

    def describe(self, tok):
        kind, value, pos = tok
        if kind == "end":
            return "end of input"
        if kind == "num":
            return f"number {self.text[pos:pos + 12].split()[0]!r}"
        return repr(value)

    def parse(self):
        if self.peek()[0] == "end":
            self.error("empty formula: write an expression such as 'x**2 + y**2'", 0)
        node = self.expr()
        tok = self.peek()
        if tok[0] != "end":
            if tok[0] in ("name", "num") or tok[1] == "(":
                self.error(f"unexpected {self.describe(tok)} at position {tok[2]}: missing an operator "
                           "(implicit multiplication is not allowed; write * between factors)", tok[2])
            if tok[1] == ")":
                self.error(f"unexpected ')' at position {tok[2]}: no matching '('", tok[2])
            self.error(f"unexpected {self.describe(tok)} at position {tok[2]}", tok[2])
        return node

    def expr(self):
        node = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("-", "+"):
            self.take()
            self.enter(tok[2])
            operand = self.unary()
            self.leave()
            return ("neg", operand) if tok[1] == "-" else operand
        return self.power()

    def power(self):
        base = self.primary()
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("**", "^"):
            self.take()
            self.enter(tok[2])
            exponent = self.unary()
            self.leave()
            return ("bin", "**", base, exponent)
        return base

    def primary(self):
        tok = self.take()
        kind, value, pos = tok
        if kind == "num":
            return ("num", value)
        if kind == "op" and value == "(":
            self.enter(pos)
            node = self.expr()
            self.leave()
            close = self.take()
            if close[1] != ")" or close[0] != "op":
                self.error(f"expected ')' at position {close[2]} to close the '(' at position {pos}, "
                           f"got {self.describe(close)}", close[2])
            return node
        if kind == "name":
            nxt = self.peek()
            if nxt[0] == "op" and nxt[1] == "(":
                return self.call(value, pos)
            return self.name(value, pos)
        if kind == "end":
            self.error(f"unexpected end of input at position {pos}: an operand is missing", pos)
        self.error(f"unexpected {self.describe(tok)} at position {pos}: expected a number, a variable, "
                   "a function call or '('", pos)

    def call(self, name, pos):
        if name not in FUNCTIONS:
            if name in CONSTANTS or self.is_variable(name):
                what = "a constant" if name in CONSTANTS else "a variable"
                self.error(f"{name!r} at position {pos} is {what} and cannot be called "
                           "(implicit multiplication is not allowed; write * before '(')", pos)
            self.error(f"unknown function {name!r} at position {pos}; allowed: {', '.join(FUNCTIONS)}", pos)
        arity = FUNCTIONS[name][0]
        open_tok = self.take()
        self.enter(open_tok[2])
        args = []
        if self.peek()[1] == ")" and self.peek()[0] == "op":
            self.error(f"{name}() at position {pos} needs {arity} argument{'s' if arity > 1 else ''}", pos)
        while True:
            args.append(self.expr())
            sep = self.take()
            if sep[0] == "op" and sep[1] == ",":
                continue
            if sep[0] == "op" and sep[1] == ")":
                break
            self.error(f"expected ',' or ')' at position {sep[2]} in the call of {name} at position {pos}, "
                       f"got {self.describe(sep)}", sep[2])
        self.leave()
        if len(args) != arity:
            self.error(f"{name}() at position {pos} takes {arity} argument{'s' if arity > 1 else ''}, "
                       f"got {len(args)}", pos)
        return ("call", name, tuple(args))

    def is_variable(self, name):
        if self.variables is not None:
            return name in self.variables
        return name in _XYZ or _INDEXED.match(name) is not None

    def name(self, name, pos):
        if name in CONSTANTS and (self.variables is None or name not in self.variables):
            return ("num", CONSTANTS[name])
        if self.is_variable(name):
            if name not in [s for s, _ in self.seen]:
                self.seen.append((name, pos))
            return ("var", name)
        if name in FUNCTIONS:
            self.error(f"function {name!r} at position {pos} must be called with parentheses, e.g. {name}(x)", pos)
        if name.startswith("_") or name in ("import", "lambda", "exec", "eval", "open", "os", "sys", "np", "numpy"):
            detail = "names outside the whitelist are not allowed"
        else:
            detail = "not a variable, a constant or a function"
        allowed = (", ".join(self.variables) if self.variables is not None
                   else "x, y, z or x0, x1, ...")
        self.error(f"unknown name {name!r} at position {pos}: {detail}; variables: {allowed}; "
                   f"constants: {', '.join(CONSTANTS)}; functions: {', '.join(FUNCTIONS)}", pos)


def _order_variables(seen, text):
    """Distinct variables in the defined order: x, y, z, or x0, x1, ... by index."""
    names_ = [s for s, _ in seen]
    xyz = [s for s in names_ if s in _XYZ]
    idx = [s for s in names_ if s not in _XYZ]
    if xyz and idx:
        pos = next(p for s, p in seen if s in (idx[0],))
        raise ExpressionError(
            f"variable {idx[0]!r} at position {pos} mixes x0, x1, ... with x, y, z; use one naming "
            "(or pass variables=...)", pos, text)
    if xyz:
        return tuple(s for s in _XYZ if s in xyz)
    return tuple(sorted(idx, key=lambda s: int(s[1:])))


# -------------------------------------------------------------------------------------
# compilation to closures over an ops namespace


def _compile(node, index):
    """``(fn, constant)``: ``fn(cols, m)`` computes the node over an ops namespace ``m``; ``constant`` is
    its value (a float) when the node holds no variable, else None.

    A constant sub-expression is computed once, here, in NumPy float64 with its warnings off: 1/0 is
    inf, 0**-1 is inf, (-8)**(1/3) is nan, 2**1024 and e**1000 overflow to inf, and a tower such as
    9**9**9**9**9 costs a few float powers (numbers are floats from the tokenizer on, so no power is
    ever computed exactly). At run time it is a Python float, so float32 inputs stay float32.
    """
    kind = node[0]
    if kind == "num":
        return _constant(node[1])
    if kind == "var":
        i = index[node[1]]
        return (lambda cols, m: cols[i]), None
    if kind == "neg":
        a, ca = _compile(node[1], index)
        if ca is not None:
            return _constant(-np.float64(ca))
        return (lambda cols, m: -a(cols, m)), None
    if kind == "bin":
        op = node[1]
        (a, ca), (b, cb) = _compile(node[2], index), _compile(node[3], index)
        if ca is not None and cb is not None:
            with np.errstate(all="ignore"):
                return _constant(_NUMPY_BINARY[op](np.float64(ca), np.float64(cb)))
        if op == "+":
            return (lambda cols, m: a(cols, m) + b(cols, m)), None
        if op == "-":
            return (lambda cols, m: a(cols, m) - b(cols, m)), None
        if op == "*":
            return (lambda cols, m: a(cols, m) * b(cols, m)), None
        if op == "/":
            return (lambda cols, m: a(cols, m) / b(cols, m)), None
        if cb is not None and cb.is_integer() and abs(cb) <= 16:
            k = int(cb)  # an integer power: exact for negative bases
            return (lambda cols, m: a(cols, m) ** k), None
        return (lambda cols, m: a(cols, m) ** b(cols, m)), None
    if kind == "call":
        build = FUNCTIONS[node[1]][1]
        compiled = [_compile(arg, index) for arg in node[2]]
        if all(c is not None for _, c in compiled):
            with np.errstate(all="ignore"):
                return _constant(build(_NUMPY, *(np.float64(c) for _, c in compiled)))
        args = [f for f, _ in compiled]
        if len(args) == 1:
            f0 = args[0]
            return (lambda cols, m: build(m, f0(cols, m))), None
        return (lambda cols, m: build(m, *(f(cols, m) for f in args))), None
    raise AssertionError(f"unknown node {kind}")


def _constant(value):
    v = float(value)
    return (lambda cols, m: v), v


_NUMPY_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power}


# -------------------------------------------------------------------------------------
# printing: plain text and LaTeX from the tree

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}


def _num_text(v):
    if v == math.pi:
        return "pi"
    if v == math.e:
        return "e"
    if v == math.inf:  # a literal past the float range, such as 1e400: printed so that it parses again
        return "1e999"
    return repr(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(v)


def _text(node, parent=0, right=False):
    kind = node[0]
    if kind == "num":
        return _num_text(node[1])
    if kind == "var":
        return node[1]
    if kind == "call":
        return f"{node[1]}({', '.join(_text(a) for a in node[2])})"
    if kind == "neg":
        s = "-" + _text(node[1], _PREC["neg"])
        return f"({s})" if parent > _PREC["neg"] or (parent and right) else s
    op = node[1]
    p = _PREC[op]
    if op == "**":
        s = f"{_text(node[2], p + 1)}**{_text(node[3], p)}"
    else:
        sep = f" {op} " if op in "+-" else (" * " if op == "*" else " / ")
        s = f"{_text(node[2], p)}{sep}{_text(node[3], p + 1 if op in '-/' else p, right=True)}"
    return f"({s})" if p < parent else s


def _latex_var(name):
    m = _INDEXED.match(name)
    return f"x_{{{m.group(1)}}}" if m else name


def _latex(node, parent=0):
    kind = node[0]
    if kind == "num":
        v = node[1]
        return r"\pi" if v == math.pi else ("e" if v == math.e else (r"\infty" if v == math.inf else _num_text(v)))
    if kind == "var":
        return _latex_var(node[1])
    if kind == "call":
        name, args = node[1], node[2]
        inner = ", ".join(_latex(a) for a in args)
        if name == "sqrt":
            return rf"\sqrt{{{inner}}}"
        if name == "abs":
            return rf"\left|{inner}\right|"
        return rf"{FUNCTIONS[name][2]}\left({inner}\right)"
    if kind == "neg":
        s = "-" + _latex(node[1], _PREC["neg"])
        return rf"\left({s}\right)" if parent > _PREC["neg"] else s
    op = node[1]
    p = _PREC[op]
    if op == "/":
        return rf"\frac{{{_latex(node[2])}}}{{{_latex(node[3])}}}"
    if op == "**":
        s = f"{_latex(node[2], p + 1)}^{{{_latex(node[3])}}}"
    elif op == "*":
        s = rf"{_latex(node[2], p)} \cdot {_latex(node[3], p + 1)}"
    else:
        s = f"{_latex(node[2], p)} {op} {_latex(node[3], p + 1 if op == '-' else p)}"
    return rf"\left({s}\right)" if p < parent else s


# -------------------------------------------------------------------------------------
# the public function


def expr(text, variables=None, *, name=None, bounds=None, start=None, minima=None) -> Function:
    """Parse the formula ``text`` into a :class:`~gdlab.functions.Function`.

    >>> f = gdlab.expr("3*x**2 + 2*x + 1")          # dim 1
    >>> f = gdlab.expr("sin(x)*cos(y) + 0.1*(x**2 + y**2)")   # dim 2, variables (x, y)
    >>> f = gdlab.expr("w1**2 + 10*w2**2", variables=("w1", "w2"))

    Parameters
    ----------
    text : str
        The formula (at most :data:`MAX_LENGTH` characters, nesting at most :data:`MAX_DEPTH`).
    variables : sequence of str, optional
        The variables in order; default: the distinct x, y, z (in that order) or x0, x1, ...
        (by index) that appear. A formula with no variable is a function of x.
    name, bounds, start, minima : optional
        Passed to the Function (default name: the formula; default bounds [-5, 5] per variable).

    Raises
    ------
    ExpressionError (a ValueError) with the 0-based position of the problem; TypeError when
    ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"expr needs the formula as a str, got {text!r} ({type(text).__name__})")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the formula is too long: {len(text)} characters (at most {MAX_LENGTH})",
                              MAX_LENGTH, None)
    if variables is not None:
        if isinstance(variables, str):
            variables = [v.strip() for v in variables.replace(",", " ").split()]
        variables = tuple(variables)
        for v in variables:
            if not isinstance(v, str) or not _IDENT.match(v):
                raise ValueError(f"variables must be identifiers such as 'x' or 'w1', got {v!r}")
            if v in FUNCTIONS:
                raise ValueError(f"variable {v!r} clashes with the function of that name")
        if not variables or len(set(variables)) != len(variables):
            raise ValueError(f"variables must be distinct and not empty, got {variables!r}")
    parser = _Parser(text, variables)
    tree = parser.parse()
    if variables is None:
        variables = _order_variables(parser.seen, text) or ("x",)
    index = {v: i for i, v in enumerate(variables)}
    body, value_if_constant = _compile(tree, index)
    dim = len(variables)
    constant = value_if_constant is not None

    def value(x, m):
        cols = [x[..., i] for i in range(dim)]
        out = body(cols, m)
        if constant:  # a constant formula still returns one value per point
            out = out + 0.0 * cols[0]
        return out

    formula = _text(tree)
    return Function(
        value, dim, generic=True, name=name or formula, formula=formula, latex=_latex(tree),
        description=f"The formula {text.strip()!r} in the variables ({', '.join(variables)}).",
        bounds=bounds if bounds is not None else np.tile([-5.0, 5.0], (dim, 1)),
        start=start, minima=minima, params={"text": text, "variables": variables}, variables=variables,
    )
