"""The page's training sessions: a bounded, thread-safe store of live objects by id.

A session is created by one request and advanced by later ones (the Networks page's play,
step and epoch buttons), so its object (a :class:`gdlab.nn.playground.Playground`) lives on
the server between requests. The store holds at most ``max_sessions``; a new one pushes out
the least recently used, and one idle for ``idle`` seconds is dropped. Each session has a lock,
so two requests never train the same copies at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict


class Session:
    def __init__(self, value):
        self.value = value
        self.lock = threading.Lock()
        self.used = time.monotonic()


class Sessions:
    def __init__(self, max_sessions: int, idle: float):
        self.max_sessions = int(max_sessions)
        self.idle = float(idle)
        self._items: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now):
        for key in [k for k, s in self._items.items() if now - s.used > self.idle]:
            del self._items[key]

    def add(self, value) -> str:
        """Keep ``value``; its new id (unguessable)."""
        key = secrets.token_urlsafe(12)
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            while len(self._items) >= self.max_sessions:
                self._items.popitem(last=False)
            self._items[key] = Session(value)
        return key

    def get(self, key: str) -> Session | None:
        """The session ``key`` (now the most recently used), or None when it is unknown or expired."""
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            s = self._items.get(key)
            if s is not None:
                s.used = now
                self._items.move_to_end(key)
            return s

    def drop(self, key: str) -> bool:
        with self._lock:
            return self._items.pop(key, None) is not None

    def __len__(self):
        with self._lock:
            return len(self._items)
