"""The fuzz suite's contract for library calls: a result, or gdlab's own error.

"gdlab's own error" is a ValueError or TypeError (the developers' guide: a ValueError subclass names the
bad value, a TypeError the wrong kind of value) raised by a line of gdlab itself, with a message. One
raised from inside NumPy, json, zipfile, ... that leaks through gdlab, any other exception type
(ZeroDivisionError, OverflowError, RecursionError, MemoryError, AttributeError, zlib.error, ...), and a
warning turned into an error are failures of the contract.
"""

import os
import traceback

import gdlab

PACKAGE = os.path.dirname(os.path.abspath(gdlab.__file__)) + os.sep


def raised_by_gdlab(exc) -> bool:
    """Whether ``exc`` was raised by a line of gdlab (its innermost traceback frame is in the package)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and os.path.abspath(frames[-1].filename).startswith(PACKAGE)


def check_own_error(exc, what):
    """Fail unless ``exc`` is gdlab's own error (see the module docstring)."""
    shown = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert isinstance(exc, (ValueError, TypeError)), f"{what}: {type(exc).__name__}, not gdlab's error:\n{shown}"
    assert raised_by_gdlab(exc), f"{what}: raised outside gdlab:\n{shown}"
    assert str(exc).strip() and "\n" not in str(exc).strip().splitlines()[0], f"{what}: no message:\n{shown}"
