"""One registry for everything gdlab looks up by name, beneath every layer.

A :class:`Registry` maps names (and aliases) to objects for one kind of thing: functions of the
catalog, optimizers, schedules, losses, metrics, initialisers, data sets, demo experiments. Every
lookup goes through :meth:`Registry.get`; every unknown name gets the same message::

    unknown optimizer 'adamm'. Did you mean 'adam', 'radam', 'nadam'? Known optimizers: gd, sgd, ...

raised as :class:`UnknownNameError` (a ValueError). Keys are case-folded, with surrounding spaces
dropped and '-' or inner spaces read as '_' (a registry may bring its own ``key``). The registry
can wrap a dict that a module already publishes (``Registry("optimizer", RULES)``): that dict then
stays the table, and the registry reads it as it is.

Names with parameters are written ``NAME:key=value:key=value`` on the command line and in
requests; :func:`parse_params` and :func:`parse_value` read the ``key=value`` part.

Lookups happen at boundaries (a constructor, a public function, a command), once per call:
a key function and a dict lookup. ``difflib`` is imported only to word an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["Registry", "UnknownNameError", "normalize", "parse_params", "parse_value"]


def normalize(name: str) -> str:
    """The default key: lower case, no surrounding spaces, '-' and inner spaces read as '_'."""
    return "_".join(name.strip().lower().replace("-", " ").split())


class UnknownNameError(ValueError):
    """A name no registry entry or alias answers to; ``suggestions`` holds the close registered names."""

    def __init__(self, message: str, *, kind: str, name, suggestions: list[str]):
        super().__init__(message)
        self.kind = kind
        self.name = name
        self.suggestions = suggestions


class Registry:
    """Names -> objects of one ``kind``, with aliases, case-folding, listing and "did you mean".

    Parameters
    ----------
    kind : str
        What the entries are, for messages ("optimizer", "loss", "initialiser").
    entries : dict, optional
        An existing name -> object table to use as this registry's storage (it is not copied);
        its names must already be keys (``key(name) == name``).
    aliases : dict, optional
        An existing alias -> name table, used the same way.
    plural : str, optional
        The plural for "Known ...:" (default ``kind + "s"``).
    key : callable, optional
        Text -> key (default :func:`normalize`).
    note : str, optional
        A sentence added to the end of every unknown-name message.
    listed : bool
        Whether the message lists the known names (off where they are many; then say where to
        look in ``note``).

    Names list in registration order; an alias is never listed, but it is found, and a typo
    close to it suggests the name it stands for.
    """

    def __init__(self, kind: str, entries: dict | None = None, *, aliases: dict | None = None,
                 plural: str | None = None, key: Callable[[str], str] = normalize, note: str = "",
                 listed: bool = True):
        self.kind = kind
        self.plural = plural or f"{kind}s"
        self.note = note
        self.listed = listed
        self._key = key
        self._entries = {} if entries is None else entries
        self._aliases = {} if aliases is None else aliases
        for name in self._entries:
            self._check_new(name, existing=False)
        for alias, name in self._aliases.items():
            self._check_new(alias, existing=False)
            if alias in self._entries:
                raise ValueError(f"{kind} alias {alias!r} is also a name")
            if name not in self._entries:
                raise ValueError(f"{kind} alias {alias!r} stands for {name!r}, which is not registered")

    # -- registering ------------------------------------------------------------------------------

    def _check_new(self, name, existing=True) -> str:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a {self.kind} name must be a non-empty str, got {name!r}")
        if self._key(name) != name:
            raise ValueError(f"{self.kind} name {name!r} is not in key form; register it as {self._key(name)!r}")
        if existing and (name in self._entries or name in self._aliases):
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        return name

    def register(self, name: str, obj, *, aliases: Iterable[str] = ()):
        """Add ``obj`` as ``name`` (and each alias); a name or alias already taken is refused. Returns ``obj``."""
        aliases = list(aliases)
        for new in [name, *aliases]:
            self._check_new(new)
        if len(set([name, *aliases])) != len(aliases) + 1:
            raise ValueError(f"{self.kind} {name!r}: a name or alias is given twice")
        self._entries[name] = obj
        for alias in aliases:
            self._aliases[alias] = name
        return obj

    def alias(self, alias: str, name: str) -> None:
        """Let ``alias`` stand for the registered ``name``."""
        self._check_new(alias)
        if name not in self._entries:
            raise ValueError(f"cannot alias {alias!r} to {name!r}: no {self.kind} {name!r} is registered")
        self._aliases[alias] = name

    # -- looking up -------------------------------------------------------------------------------

    def _find(self, name):
        if name in self._entries:  # already a key (keys are in key form, so key(name) == name)
            return name
        key = self._key(name)
        return key if key in self._entries else self._aliases.get(key)

    def canonical(self, name: str) -> str:
        """The registered name ``name`` stands for (itself, an alias of it, another case or spelling).

        TypeError if ``name`` is not a str; :class:`UnknownNameError` (a ValueError) if nothing answers.
        """
        if not isinstance(name, str):
            raise TypeError(f"{self.kind} name must be a str, got {name!r} ({type(name).__name__})")
        found = self._find(name)
        if found is None:
            raise self.error(name)
        return found

    def get(self, name: str):
        """The object registered as ``name`` (see :meth:`canonical` for what is accepted and raised)."""
        return self._entries[self.canonical(name)]

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(list(self._entries))

    def names(self, *, aliases: bool = False) -> list[str]:
        """The registered names in registration order (then the aliases, with ``aliases=True``)."""
        return list(self._entries) + (list(self._aliases) if aliases else [])

    # -- unknown names ----------------------------------------------------------------------------

    def suggest(self, name, n: int = 3) -> list[str]:
        """Up to ``n`` registered names close to ``name`` (a close alias counts as its name), best first."""
        import difflib

        key = self._key(name) if isinstance(name, str) else str(name)
        close = difflib.get_close_matches(key, self.names(aliases=True), n=n, cutoff=0.6)
        return list(dict.fromkeys(self._aliases.get(c, c) for c in close))

    def error(self, name) -> UnknownNameError:
        """The error for an unknown ``name``: what it is, the close names, the known ones, the note."""
        close = self.suggest(name)
        parts = [f"unknown {self.kind} {name!r}."]
        if close:
            parts.append(f"Did you mean {', '.join(map(repr, close))}?")
        if self.listed:
            parts.append(f"Known {self.plural}: {', '.join(self._entries) or 'none'}")
        if self.note:
            parts.append(self.note)
        return UnknownNameError(" ".join(parts), kind=self.kind, name=name, suggestions=close)


# ------------------------------------------------------------------------------------------------
# parameters as text: the key=value part of NAME:key=value

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf(?:inity)?|nan", re.IGNORECASE)
_WORDS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False,
          "none": None, "null": None}
_TUPLE = re.compile(r"[,/;]")


def parse_value(text, what: str = "value"):
    """A parameter's value from text: a number (int where it is whole), true/false/none, a tuple
    (``0.9,0.999``, ``(0.9, 0.999)``; ``/`` and ``;`` separate too), or the word itself.

    ValueError, naming ``what``, for an empty or non-finite value.
    """
    s = str(text).strip()
    if len(s) >= 2 and s[0] in "([" and s[-1] in ")]":
        inner = s[1:-1].strip()
        return tuple(parse_value(part, what) for part in _TUPLE.split(inner)) if inner else ()
    if s.lower() in _WORDS:
        return _WORDS[s.lower()]
    if _TUPLE.search(s):
        return tuple(parse_value(part, what) for part in _TUPLE.split(s))
    if re.fullmatch(r"[-+]?\d+", s):
        return int(s)
    if _NUMBER.fullmatch(s):
        value = float(s)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{what}: {s!r} is not a finite number")
        return value
    if not s:
        raise ValueError(f"{what}: empty value")
    return s


def parse_params(pairs: Iterable[str], what: str) -> dict:
    """``["momentum=0.9", "betas=0.9,0.99"]`` -> ``{"momentum": 0.9, "betas": (0.9, 0.99)}``; ``-`` in a key
    reads as ``_``.

    ``what`` names the pairs in the error for a malformed one ("function parameter in 'sphere:dim'",
    "--param"); a bad value is named ``what`` and its key.
    """
    params = {}
    for pair in pairs:
        key, sep, value = str(pair).partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key) or not value.strip():
            raise ValueError(f"malformed {what} {pair!r}: expected KEY=VALUE, e.g. momentum=0.9")
        params[key] = parse_value(value, what=f"{what} {key}")
    return params
