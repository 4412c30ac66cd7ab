"""Backends distribute chunks; they compute nothing of their own.

Each backend has ``submit(chunk, key) -> future`` (``key``: a routing hint, chunks of one key
run the same compiled program; see :func:`.tasks.route`), ``wait(futures) -> (done, not_done)`` (returns as
soon as one is done), ``outcome(future) -> ("ok", value) | ("error", message)``, ``window``
(how many chunks to keep in flight), ``cancel(futures)`` (drop chunks, keep the workers) and
``close(cancel=False)``. The chunks run :func:`.tasks.run_chunk`.

- ``local``: in this process, one chunk after the other.
- ``processes``: ``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes, all started
  when the backend is made (by a thread, so that the caller plans meanwhile), by forkserver where the platform has it (else spawn). The forkserver
  preloads :mod:`gdlab.sweeps._worker` (gdlab's runs and, for the compiled engine, numba), so a
  worker is a fork of a process that paid those costs once. A worker that dies breaks the pool:
  the backend starts a new one and the chunks that were in flight come back as errors (retried).
  A chunk's large arrays (its loss curves) come back through a file in the pool's own folder in
  /dev/shm, mapped here and removed at once (see :class:`_Shared`), else through the pool's pipe.

A backend object made by the caller (``Processes(2)``, ``Dask(2, cluster="local")``) can be
passed to several sweeps as ``backend=``: its workers stay up (warm) until its ``close()``.
- ``dask``: a ``distributed.Client`` on ``scheduler`` ("tcp://host:8786"), or on a
  ``LocalCluster`` of ``workers`` single-threaded worker processes started for the sweep
  (``cluster="local"``). dask is imported here, on first use.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import itertools
import mmap
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import shutil
import tempfile
import threading
import weakref

from .tasks import run_chunk

__all__ = ["make_backend", "BACKENDS", "Local", "Processes", "Dask", "is_backend"]

BACKENDS = ("local", "processes", "dask")


def _message(exc):
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Local:
    name = "local"
    window = 1
    workers = 1

    def submit(self, chunk, key=None):
        fut = cf.Future()
        try:
            fut.set_result(run_chunk(chunk))
        except Exception as exc:  # a task's error is a result of the sweep (retried, then recorded)
            fut.set_exception(exc)
        return fut

    def wait(self, futures):
        return set(futures), set()

    def cancel(self, futures):
        pass

    def outcome(self, fut):
        exc = fut.exception()
        return ("error", _message(exc)) if exc is not None else ("ok", fut.result())

    def close(self, cancel=False):
        pass


#: the module the forkserver imports before it forks the workers (see gdlab.sweeps._worker)
WORKER_PRELOAD = "gdlab.sweeps._worker"


def _context():
    """forkserver where the platform has it (else spawn), with gdlab.sweeps._worker in the forkserver's
    preload list when this process has not started its forkserver yet (the list is read when it starts;
    its other entries, "__main__" by default, are kept)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    if server is not None and getattr(server, "_forkserver_pid", None) is None:
        preload = list(getattr(server, "_preload_modules", None) or ["__main__"])
        if WORKER_PRELOAD not in preload:
            context.set_forkserver_preload(preload + [WORKER_PRELOAD])
    return context


def _worker_init():
    """Each worker's initializer: import gdlab.sweeps._worker (a no-op in a fork of a forkserver that did)."""
    importlib.import_module(WORKER_PRELOAD)


#: the result pipe of a lane holds this many bytes (Linux; /proc/sys/fs/pipe-max-size allows 1 MiB by default)
RESULT_PIPE_BYTES = 1 << 20


def _widen_result_pipe(pool):
    """Let the pool's result pipe hold a whole chunk's result (100 tasks of 500 steps: 0.4 MB of loss
    curves), so its worker writes it at once and starts its next chunk, instead of waiting for this
    process to read each 64 kB (measured: the warm 2-worker sweep of bench/bench_sweep.py, median of
    15, 48-53 ms -> 43 ms). Linux only (fcntl.F_SETPIPE_SZ); where it is refused, nothing changes."""
    try:
        import fcntl

        fcntl.fcntl(pool._result_queue._reader.fileno(), fcntl.F_SETPIPE_SZ, RESULT_PIPE_BYTES)
    except (ImportError, AttributeError, OSError, ValueError):
        pass


#: a chunk's result whose arrays hold at least this many bytes travels through a file in /dev/shm ...
SHARED_MIN_BYTES = 1 << 16
#: ... when /dev/shm keeps this much free after the write (results alive hold their pages there: a small
#: /dev/shm, such as a container's default 64 MB, is left to the programs that need it, and the pipe is used)
SHARED_FREE_BYTES = 256 << 20
_SHARED_NAMES = itertools.count()


class _Shared:
    """A chunk's result as a lane's worker sends it when its arrays are large (a vectorised chunk's loss
    curves: 0.8 MB per 200 tasks of 500 steps): the result pickled (protocol 5) without its arrays'
    bytes, which the worker wrote into a file of the pool's folder in /dev/shm (memory, not disk).
    :meth:`load` maps that file in the calling process and removes it: the arrays are views of the
    mapping (copy on write, so they stay writeable), the same bytes, never copied through the pool's
    result pipe (which cost the calling process ~5 ms per 8 MB of a sweep: one read, two copies)."""

    def __init__(self, data, path, sizes):
        self.data, self.path, self.sizes = data, path, sizes

    def load(self):
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.unlink(self.path)
            view = memoryview(mmap.mmap(fd, sum(self.sizes), access=mmap.ACCESS_COPY))
        finally:
            os.close(fd)
        offsets = itertools.accumulate(self.sizes, initial=0)
        return pickle.loads(self.data, buffers=[view[lo:lo + n] for lo, n in zip(offsets, self.sizes)])


def _run_shared(chunk, folder, free=SHARED_FREE_BYTES):
    """A lane's job: :func:`.tasks.run_chunk`, its result sent as a :class:`_Shared` when its arrays hold
    SHARED_MIN_BYTES or more and ``folder`` takes them with ``free`` bytes to spare; else as it is
    (pickled by the pool)."""
    result = run_chunk(chunk)
    if folder is None:
        return result
    buffers = []
    data = pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
    views = [b.raw() for b in buffers]
    sizes = [v.nbytes for v in views]
    if sum(sizes) < SHARED_MIN_BYTES:
        return result
    path = os.path.join(folder, f"{os.getpid()}-{next(_SHARED_NAMES)}")
    try:
        room = os.statvfs(folder)
        if room.f_bavail * room.f_frsize < sum(sizes) + free:
            return result
        with open(path, "xb") as fh:
            for v in views:
                fh.write(v)
    except OSError:  # the folder is gone or /dev/shm is full: through the pipe as usual
        try:
            os.unlink(path)
        except OSError:
            pass
        return result
    return _Shared(data, path, sizes)


def _shared_folder():
    """A new folder in /dev/shm for one pool's results (None where there is none to write: the results
    then go through the pipe)."""
    if not (os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK)):
        return None
    try:
        return tempfile.mkdtemp(prefix="gdlab-sweep-", dir="/dev/shm")
    except OSError:
        return None


def _remove(folder, pid):
    """Remove a pool's folder, in the process that made it only (not in a fork of it that exits)."""
    if os.getpid() == pid:
        shutil.rmtree(folder, ignore_errors=True)


def _start(pools):
    """Start each pool's worker (ProcessPoolExecutor starts it at the first submit): a no-op call."""
    for pool in pools:
        try:
            pool.submit(os.getpid)
        except (RuntimeError, cf.process.BrokenProcessPool):  # closed or broken meanwhile: its chunks say so
            pass


def _check_workers(workers):
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be an int >= 1, got {workers!r}")
    return workers or min(4, os.cpu_count() or 1)


class Processes:
    """``workers`` worker processes, each a one-process ``concurrent.futures`` pool (a *lane*), all
    started as it is made (their forks one after the other, from a thread).

    Made by ``gdlab.sweep(grid, "processes", workers=N)`` for one sweep, or by the caller and
    passed as ``backend=`` to several sweeps, whose workers then stay up between them (gdlab,
    numba and the compiled programs already loaded); ``close()`` (or a ``with`` block) stops them::

        with gdlab.sweeps.Processes(2) as pool:
            a = gdlab.sweep(grid_a, backend=pool)
            b = gdlab.sweep(grid_b, backend=pool)

    Routing: a chunk goes to the least busy of the lanes that have run chunks of the same key (the
    tasks' function and optimizer: the same compiled program, which a worker loads once, ~15 ms),
    unless that lane has ``STEAL`` chunks more in flight than the least busy lane of all, which then
    takes it (and has the program from then on). A key no lane has run goes to the least busy lane.
    So a new pool loads each program about once, and a warm one, whose workers have them all,
    balances its chunks over all lanes. Where a chunk runs changes nothing in its numbers.
    """

    name = "processes"
    #: a lane this many chunks busier than the least busy one gives its next chunk away
    STEAL = 3

    def __init__(self, workers=None):
        self.workers = _check_workers(workers)
        self.window = 2 * self.workers  # per lane: one running, one queued (the rest is routed when a lane frees)
        self._context = _context()
        self._suspects = set()
        self._inflight = {}  # lane index -> its futures not done
        self._keys = [set() for _ in range(self.workers)]  # lane index -> the routing keys it has run
        self._folder = _shared_folder()  # the results' arrays on their way (removed at close, or at exit)
        self._free = SHARED_FREE_BYTES
        self._cleanup = weakref.finalize(self, _remove, self._folder, os.getpid()) if self._folder else None
        self._lanes = [self._new_pool() for _ in range(self.workers)]
        # the workers start now (a pool starts its worker on its first submit), from a thread: each start waits
        # for the forkserver's fork of a large process (~7-14 ms), one after the other, while this thread
        # goes on planning and sends the first chunk as soon as its lane's worker is forked
        self._starting = threading.Thread(target=_start, args=(list(self._lanes),), name="gdlab-sweeps-start",
                                          daemon=True)
        self._starting.start()

    def _new_pool(self):
        pool = cf.ProcessPoolExecutor(max_workers=1, mp_context=self._context, initializer=_worker_init)
        _widen_result_pipe(pool)
        return pool

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _lane(self, key):
        for k in range(self.workers):
            self._inflight[k] = {f for f in self._inflight.get(k, ()) if not f.done()}
        busy = [len(self._inflight[k]) for k in range(self.workers)]
        least = min(range(self.workers), key=busy.__getitem__)
        have = [k for k in range(self.workers) if key in self._keys[k]] if key is not None else []
        if have:
            home = min(have, key=busy.__getitem__)
            if busy[home] - busy[least] < self.STEAL:
                return home
        if key is not None:
            self._keys[least].add(key)
        return least

    def submit(self, chunk, key=None):
        k = self._lane(key)
        try:
            fut = self._lanes[k].submit(_run_shared, chunk, self._folder, self._free)
        except cf.process.BrokenProcessPool:
            self._restart()
            fut = self._lanes[k].submit(_run_shared, chunk, self._folder, self._free)
        fut.gdlab_pool = self._lanes[k]
        self._inflight[k].add(fut)
        return fut

    def wait(self, futures):
        while True:
            done, not_done = cf.wait(futures, timeout=1.0, return_when=cf.FIRST_COMPLETED)
            if done:
                return done, not_done
            # a chunk handed to a pool in the instant it broke may never be failed by it: fail it here
            lost = {f for f in not_done if getattr(f.gdlab_pool, "_broken", False)}
            if lost:
                return lost, not_done - lost
            self._unstick({f.gdlab_pool for f in not_done})

    def _unstick(self, pools):
        """A worker killed while it was writing its (large) result leaves the pool's manager thread
        waiting forever for the rest of that message (concurrent.futures does not look at the
        workers while it reads). Seen twice in a row: kill the pool's other workers and close this
        process's end of the result pipe, so the read ends (EOF) and the pool breaks as it should
        (its chunks come back as BrokenProcessPool and are retried)."""
        for pool in pools:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            dead = any(p.exitcode is not None for p in processes)
            if not dead:
                self._suspects.discard(pool)
                continue
            if pool not in self._suspects:
                self._suspects.add(pool)
                continue
            for p in processes:
                if p.exitcode is None:
                    p.kill()
            for p in processes:
                p.join(timeout=5)
            pool._result_queue._writer.close()
            self._suspects.discard(pool)

    def outcome(self, fut):
        if not fut.done():
            self._restart()
            return "error", "the worker process died while running it (BrokenProcessPool)"
        exc = fut.exception()
        if exc is None:
            value = fut.result()
            if isinstance(value, _Shared):
                try:
                    value = value.load()
                except OSError as exc:  # its file is gone (the folder removed under it): run it again
                    return "error", f"its result could not be read back from {value.path} ({_message(exc)})"
            return "ok", value
        if isinstance(exc, cf.process.BrokenProcessPool):
            self._restart()
            return "error", "the worker process died while running it (BrokenProcessPool)"
        return "error", _message(exc)

    def cancel(self, futures):
        """Drop chunks not started yet (a sweep stopped by Ctrl-C); the workers stay up."""
        for fut in futures:
            fut.cancel()

    def _restart(self):
        """Every broken lane gets a new pool (a new worker, which has loaded no program yet)."""
        for k, pool in enumerate(self._lanes):
            if getattr(pool, "_broken", False):
                pool.shutdown(wait=False, cancel_futures=True)
                self._lanes[k] = self._new_pool()
                _start([self._lanes[k]])
                self._inflight[k] = set()
                self._keys[k] = set()

    def close(self, cancel=False):
        self._starting.join()
        for pool in self._lanes:
            pool.shutdown(wait=False, cancel_futures=cancel)
        if not cancel:
            for pool in self._lanes:
                pool.shutdown(wait=True)
        if self._cleanup is not None:  # results never read (a sweep stopped by Ctrl-C) go with the folder
            self._cleanup()


class Dask:
    name = "dask"

    def __init__(self, workers, scheduler=None, cluster=None):
        try:
            import distributed
        except ImportError:
            raise ImportError("the dask backend needs dask.distributed: pip install 'gdlab[cluster]'") from None
        self._distributed = distributed
        self._cluster = None
        # distributed's nannies write their workers' settings (MALLOC_TRIM_THRESHOLD_, OMP_NUM_THREADS=1, ...)
        # into this process's os.environ; they are put back as they were once the cluster runs and at close
        self._environ = dict(os.environ)
        if scheduler is not None:
            self.client = distributed.Client(scheduler, timeout="20s")
        else:
            try:
                self._cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                         dashboard_address=None, host="127.0.0.1",
                                                         silence_logs=40)
                self.client = distributed.Client(self._cluster)
            finally:
                self._restore_environ()
        threads = sum(self.client.nthreads().values()) or workers
        self.workers = threads
        self.window = max(4, 2 * threads)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def submit(self, chunk, key=None):
        return self.client.submit(run_chunk, chunk, pure=False)

    def wait(self, futures):
        result = self._distributed.wait(list(futures), return_when="FIRST_COMPLETED")
        return set(result.done), set(result.not_done)

    def outcome(self, fut):
        try:
            value = fut.result()
        except Exception as exc:
            fut.release()
            if type(exc).__name__ == "KilledWorker":
                return "error", "the worker running it died, again and again (dask KilledWorker)"
            return "error", _message(exc)
        fut.release()
        return "ok", value

    def cancel(self, futures):
        """Drop the chunks not finished (a sweep stopped by Ctrl-C); the cluster stays up."""
        for fut in futures:
            fut.cancel()

    def _restore_environ(self):
        if os.environ != self._environ:
            os.environ.clear()
            os.environ.update(self._environ)

    def close(self, cancel=False):
        try:
            self.client.close()
        finally:
            try:
                if self._cluster is not None:
                    self._cluster.close()
            finally:
                self._restore_environ()


def is_backend(obj) -> bool:
    """Whether ``obj`` is a backend object (Local, Processes, Dask or one of the same shape)."""
    return all(callable(getattr(obj, m, None)) for m in ("submit", "wait", "outcome", "cancel", "close")) and \
        isinstance(getattr(obj, "window", None), int)


def make_backend(backend, workers=None, scheduler=None, cluster=None):
    """The backend object for ``backend`` ("local", "processes" or "dask")."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    _check_workers(workers)
    if scheduler is not None and backend != "dask":
        raise ValueError(f"scheduler= is for backend='dask', not {backend!r}")
    if cluster is not None and cluster != "local":
        raise ValueError(f"cluster must be 'local' (a LocalCluster for the sweep) or None, got {cluster!r}")
    if backend == "local":
        return Local()
    workers = _check_workers(workers)
    if backend == "processes":
        return Processes(workers)
    if scheduler is not None and cluster is not None:
        raise ValueError("give scheduler= (a running cluster) or cluster='local', not both")
    if scheduler is not None and not (isinstance(scheduler, str) and "://" in scheduler):
        raise ValueError(f"scheduler must be an address such as 'tcp://10.0.0.5:8786', got {scheduler!r}")
    return Dask(workers, scheduler=scheduler, cluster=cluster)
