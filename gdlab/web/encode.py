"""JSON for arrays: exact floats (Python's shortest round-trip repr), None where not finite.

JSON has no inf or nan; a diverged run's loss becomes ``null``. Big responses are encoded in
the worker thread (:func:`dumps` returns bytes) so the event loop stays free.
"""

from __future__ import annotations

import json

from .._plain import plain


def dumps(payload) -> bytes:
    """Compact JSON bytes of ``payload`` (after :func:`plain`)."""
    return json.dumps(plain(payload), separators=(",", ":"), allow_nan=False).encode()
