"""The run store's errors: all are ValueErrors naming the file or the run and what is wrong."""

from __future__ import annotations

__all__ = ["StoreError", "CorruptStoreError", "NewerSchemaError", "RunNotFound", "NotRerunnable"]


class StoreError(ValueError):
    """Something is wrong with a run store or with what was asked of it."""


class CorruptStoreError(StoreError):
    """The file is not a gdlab run store, or is damaged (never reset silently)."""


class NewerSchemaError(StoreError):
    """The file was written by a newer gdlab whose schema this gdlab cannot read."""


class RunNotFound(StoreError, LookupError):
    """No run (or group) with that id, or an id prefix that matches several."""


class NotRerunnable(StoreError):
    """A stored run whose configuration cannot reproduce it; the message says why."""
