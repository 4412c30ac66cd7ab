"""``resolve_function``: a Function from whatever a user wrote (a name, a formula, a callable).

Every front end asks this one function: runs (``gdlab.minimize("rosenbrock", ...)``), the command
line (``gdlab minimize "x**2 - y**2"``), and later the server and sweeps. The rule for text:

- ``NAME`` or ``NAME:key=value:...`` where NAME is an identifier (letters, digits, ``_``, ``-``)
  and not a variable (``x``, ``y``, ``z``, one lower-case letter, ``x0``, ``x1``, ...) is a catalog
  name, so a typo gets the catalog's "did you mean" error, never a parse error;
- text the catalog knows as it stands (``"x^2"``, ``"x**2 - y**2"``, ``"six hump camel"``: the
  catalog's aliases and spellings) is that catalog function, with its minima, bounds and start;
- anything else is a formula, parsed by :func:`~gdlab.functions.expr` (its errors point at the
  position).

The rule reads the text as the parser does (full-width forms as ASCII, ``x²`` as ``x**2``, ``π`` as
``pi``), so ``"x²"`` is a formula and ``"ｒｏｓｅｎｂｒｏｃｋ"`` the catalog's Rosenbrock; a character the
parser refuses (a Cyrillic ``х``) gets the parser's message and position.
"""

from __future__ import annotations

import inspect
import numbers
import re

from .._registry import parse_params
from ._function import Function
from .catalog import CATALOG, REGISTRY, get
from .expr import ExpressionError, _ascii, expr

__all__ = ["resolve_function"]

_NAME = re.compile(r"[A-Za-z_][\w\-]*", re.ASCII)
_VARIABLE = re.compile(r"[a-z]|x\d+", re.ASCII)


def resolve_function(name_or_formula, dim=None) -> Function:
    """A gdlab :class:`Function` from a Function, a catalog name, a formula or a callable.

    >>> resolve_function("rosenbrock").dim
    2
    >>> resolve_function("rosenbrock:dim=5").dim            # NAME:key=value gives parameters
    5
    >>> resolve_function("x**2 + 3*y**2").formula          # a formula in x, y, z or x0, x1, ...
    'x**2 + 3 * y**2'
    >>> resolve_function(lambda x: x[..., 0] ** 2 + x[..., 1] * x[..., 2], dim=3).dim
    3

    Parameters
    ----------
    name_or_formula : Function | str | callable
        A Function (returned as it is); text (see the module's rule: name, catalog spelling, or
        formula); or a callable written with gdlab ops on the last axis, wrapped as
        ``Function(f, dim, name=f.__name__)``.
    dim : int, optional
        The dimension. Required for a plain callable. A catalog function that takes ``dim``
        (sphere, rosenbrock, ...) is built with it; any other Function must have it.

    Raises
    ------
    UnknownNameError (a ValueError)
        A name the catalog does not know, with the close names ("did you mean").
    ExpressionError (a ValueError)
        A formula that does not parse, with the position.
    ValueError, TypeError
        Empty text, a malformed ``key=value``, a parameter the function does not take, a
        callable without ``dim``, a dimension that does not match, anything else.
    """
    f = name_or_formula
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or dim < 1):
        raise ValueError(f"dim must be None or an int >= 1, got {dim!r}")
    if isinstance(f, Function):
        return _check_dim(f, dim)
    if isinstance(f, str):
        return _from_text_cached(f, dim)
    if callable(f):
        if dim is None:
            raise ValueError("dim is required when f is a plain callable (the size of its input's last axis)")
        return Function(f, dim, name=getattr(f, "__name__", "f"))
    raise TypeError(f"f must be a gdlab Function, a catalog name, a formula or a callable, got {f!r}")


#: text -> the Function it names (built once; each call returns a copy): catalog factories and the
#: parser are deterministic, so a repeated name or formula costs a copy (~10 us), not a build (~40 us)
_BUILT: dict = {}
_MAX_BUILT = 256


def built_function(text: str) -> Function:
    """The Function ``text`` names (as :func:`resolve_function` reads it), the one built once per process and
    shared, not a copy: for callers that never change it and hand out copies (gdlab.runs' call memo)."""
    return _from_text_cached(text, None, copy=False)


def _from_text_cached(text: str, dim, copy=True) -> Function:
    key = (text, dim)
    f = _BUILT.get(key)
    if f is None:
        f = _from_text(text, dim)
        if len(_BUILT) >= _MAX_BUILT:
            _BUILT.pop(next(iter(_BUILT), None), None)
        _BUILT[key] = f
    return f.copy() if copy else f


def _from_text(text: str, dim) -> Function:
    s = text.strip()
    if not s:
        raise ValueError("empty FUNCTION_OR_FORMULA: give a catalog name (see 'gdlab functions') or a formula")
    try:  # decided on the ASCII reading the parser gives (full-width letters, x² = x**2, ...)
        plain = _ascii(s)[0]
    except ExpressionError:  # a character the parser refuses: a formula, and expr says where
        return _check_dim(expr(s), dim)
    name, sep, rest = plain.partition(":")
    name = name.strip()
    if name in REGISTRY or (_NAME.fullmatch(name) and not _VARIABLE.fullmatch(name)):
        params = parse_params(rest.split(":"), f"function parameter in {s!r}") if sep else {}
        if dim is not None and "dim" not in params and "dim" in _parameters(name):
            params["dim"] = dim
        return _check_dim(get(name, **params), dim)
    return _check_dim(expr(text), dim)  # unstripped: the parser's positions are the user's


def _parameters(name: str):
    return inspect.signature(CATALOG[REGISTRY.canonical(name)]).parameters


def _check_dim(f: Function, dim) -> Function:
    if dim is not None and f.dim != dim:
        raise ValueError(f"{f.name!r} is a {f.dim}-D function, not dim={dim}")
    return f
