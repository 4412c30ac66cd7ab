"""The progress display of ``fit(verbose=...)``.

verbose=1: one progress bar per epoch, drawn with ``rich`` when it is installed (it
comes with ``pip install gdlab[cli]``; imported here, on first use only) and as plain
text otherwise; verbose=2: one line per epoch; verbose=0: nothing. The bar is redrawn
at most ten times a second, so it costs next to nothing per batch.
"""

from __future__ import annotations

import sys
import time

from .callbacks import Callback

__all__ = ["ProgressBar", "format_logs"]

_REFRESH_S = 0.1


def format_logs(logs) -> str:
    return " - ".join(f"{k}: {_fmt(v)}" for k, v in logs.items())


def _fmt(v):
    v = float(v)
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.4e}"
    return f"{v:.4f}"


class ProgressBar(Callback):
    """Keras-like progress output (a Callback that fit adds for verbose=1 or 2)."""

    def __init__(self, verbose=1, file=None, use_rich=None):
        super().__init__()
        self.verbose = verbose
        self.file = file
        self.use_rich = use_rich

    @property
    def _out(self):
        return self.file if self.file is not None else sys.stdout

    def on_train_begin(self, logs=None):
        self._rich = None
        if self.verbose == 1 and self.use_rich is not False:
            try:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            except ImportError:
                if self.use_rich:
                    raise
            else:
                console = Console(file=self.file) if self.file is not None else None
                self._rich = Progress(
                    TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[logs]}"), console=console, auto_refresh=False, transient=False,
                )
                self._rich.start()
        self._total_epochs = self.params.get("epochs", 0)
        self._first = self.params.get("initial_epoch", 0)
        self._steps = self.params.get("steps", 0)

    def _label(self, epoch):
        return f"Epoch {epoch - self._first + 1}/{self._total_epochs}"

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._t0 = self._last = time.perf_counter()
        self._done = 0
        self._loss_sum = 0.0
        self._seen = 0
        if self._rich is not None:
            self._task = self._rich.add_task(self._label(epoch), total=self._steps, logs="")
            self._rich.refresh()

    def on_batch_end(self, batch, logs=None):
        self._done = batch + 1
        if logs:
            self._loss_sum += logs["loss"] * logs["size"]
            self._seen += logs["size"]
        now = time.perf_counter()
        if self.verbose != 1 or now - self._last < _REFRESH_S:
            return
        self._last = now
        text = f"{now - self._t0:.1f}s - loss: {_fmt(self._loss_sum / self._seen)}" if self._seen else ""
        if self._rich is not None:
            self._rich.update(self._task, completed=self._done, logs=text)
            self._rich.refresh()
        elif self._isatty():
            self._out.write("\r" + self._plain_line(text))
            self._out.flush()

    def _isatty(self):
        try:
            return self._out.isatty()
        except (AttributeError, ValueError):
            return False

    def _plain_line(self, text, width=30):
        filled = int(width * self._done / self._steps) if self._steps else width
        bar = "=" * filled + (">" if filled < width else "") + "." * max(width - filled - 1, 0)
        return f"{self._label(self._epoch)} [{bar}] {self._done}/{self._steps} - {text}"

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self._t0
        text = format_logs(logs or {})
        if self._rich is not None:
            self._rich.update(self._task, completed=self._steps, logs=f"{elapsed:.2f}s - {text}")
            self._rich.refresh()
        elif self.verbose == 1:
            prefix = "\r" if self._isatty() else ""
            self._out.write(prefix + self._plain_line(f"{elapsed:.2f}s - {text}") + "\n")
            self._out.flush()
        else:
            self._out.write(f"{self._label(epoch)} - {elapsed:.2f}s - {text}\n")
            self._out.flush()

    def on_train_end(self, logs=None):
        self.close()

    def close(self):
        """Stop the rich display (idempotent)."""
        if getattr(self, "_rich", None) is not None:
            self._rich.stop()
            self._rich = None
