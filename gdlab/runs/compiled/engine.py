"""The compiled engine: trace, generate, compile once (cached on disk), run.

:func:`prepare` traces a run's objective and optimizer chain (see :mod:`._trace`) and returns a
:class:`Compiled` program, or raises :class:`Unsupported` saying why the NumPy engine must run
it instead. :meth:`Compiled.run` runs it with the arguments of
:func:`gdlab.runs._engine.run_rows` and returns the same dict, with the same numbers.

Compiled code is kept on disk: each program's source is written once to
``<cache>/engine/<hash>.py`` and compiled by numba with ``cache=True``, so a second process
loads it instead of compiling it (the cache folder: ``$GDLAB_CACHE``, else
``$XDG_CACHE_HOME/gdlab``, else ``~/.cache/gdlab``; numba's own ``NUMBA_CACHE_DIR`` is
honoured for its index files). The first compile of a program is announced on the logger
``gdlab.compiled`` (the CLI prints it as one line).
"""

from __future__ import annotations

import hashlib
import math
import numbers
import os
import threading

import numpy as np

from ..._alloc import keep_large_blocks
from ...optim import Chain
from ...optim.transforms import StepInfo, Transform
from .._engine import progress_every, recorded_steps
from ..._jit.key import NotAKey, typed_key
from ..._jit.load import LOG, available, cache_dir, load
from ._codegen import PER_CALL, Program, generate
from ..._jit.trace import decide, expression, post_order
from ..._jit.trace import (ELEM, ROW, ROWSTEP, RUN, STEP, NodeArray, SymArray, Tracer, TraceError, leaf, sym_leaves,
                           value)

__all__ = ["prepare", "Compiled", "Bound", "Unsupported", "cache_dir", "available", "LOG"]

#: the transforms the tracer knows to be stateless between steps (a new one runs on NumPy until listed)
TRACED_TRANSFORMS = ("add_noise", "clip_by_norm", "clip_by_value")
MAX_DIM = 16
MAX_NODES = 20_000
_STATUS = np.array(["max_steps", "converged", "diverged"], dtype="<U9")
#: runs of at least PARALLEL_MIN_ROWS rows (two blocks) and PARALLEL_MIN_WORK row-steps spread their blocks
#: of rows over numba's threads (numba.get_num_threads(); the rows are independent, so the numbers do not
#: depend on the count); smaller runs stay on one thread, where a parallel launch (about 50 µs measured)
#: would cost more than the second core gives
PARALLEL_MIN_ROWS = 512
PARALLEL_MIN_WORK = 200_000
#: a run's steps go to the loop in chunks of at most this many (the step table of a chunk: a few MB)
MAX_CHUNK_STEPS = 1 << 16
#: step tables kept per program, for runs of at most TABLE_MAX_STEPS steps (Compiled.table)
TABLES_KEPT = 8
TABLE_MAX_STEPS = 20_000
#: guard decisions kept per program (Compiled.matches), keyed by the values the guards read
GUARDS_KEPT = 256
_LOCK = threading.Lock()  # the memos' evictions (threads of the web server run programs side by side)


def _remember(memo, key, value, cap):
    """``memo[key] = value``, the oldest entry dropped first when ``memo`` holds ``cap`` (thread-safe)."""
    with _LOCK:
        while len(memo) >= cap:
            memo.pop(next(iter(memo)))
        memo[key] = value


def _threads():
    """numba's thread count. Before numba starts its pool (at the first parallel run): OpenMP's threads wait
    passively (OMP_WAIT_POLICY=PASSIVE unless it is set), because spinning threads on a machine with more
    work than cores cost each parallel run a scheduler time slice (measured 8 ms a run instead of 10 µs on
    the 2-core development machine under load)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import numba

    return numba.get_num_threads()


_DUMMY_LRT = np.zeros(1)
_DUMMIES: dict = {}


_RECORDED: dict = {}
_ZEROS: dict = {}


def _recorded(steps, every):
    """recorded_steps(steps, every) as int64, read only by the loop: shared by the runs that record the same
    steps (the last 64, of runs of at most TABLE_MAX_STEPS steps, are kept: at most 10 MB)."""
    key = (steps, every)
    at = _RECORDED.get(key)
    if at is None:
        at = recorded_steps(steps, every)
        at = at if at.dtype == np.int64 else at.astype(np.int64)
        at.flags.writeable = False
        if steps <= TABLE_MAX_STEPS:
            _remember(_RECORDED, key, at, 64)
    return at


def _zeros(n):
    """A (1, n) array of zeros for the loop's arguments it does not use (no per-row hyperparameters, no scalar
    state): never written, so shared (the last 64 sizes of at most 4,096 rows are kept: at most 2 MB)."""
    z = _ZEROS.get(n)
    if z is None:
        z = np.zeros((1, n))
        if n <= 4096:
            _remember(_ZEROS, n, z, 64)
    return z


def _dummies(d):
    """Stand-ins for the histories a run does not record ((1, 1, d), (1, 1), (1, 1, 1, d)): the loop writes a
    history only where it is recorded, so one set serves every run (writeable, as numba's types want)."""
    got = _DUMMIES.get(d)
    if got is None:
        got = _DUMMIES[d] = (np.zeros((1, 1, d)), np.zeros((1, 1)), np.zeros((1, 1, 1, d)))
    return got


class Unsupported(Exception):
    """This run cannot be compiled (the reason is the message); the NumPy engine runs it."""


# -- tracing ------------------------------------------------------------------------------------

class _FakeRNG:
    """The noise transform's generator during a trace: its draws are the inputs xi."""

    def standard_normal(self, size=None, dtype=None, out=None):
        if out is None or not (isinstance(out, np.ndarray) and out.dtype == object):
            raise TraceError("a random draw the tracer cannot follow")
        for idx in np.ndindex(*out.shape):
            out[idx] = leaf(("xi",) + idx, ELEM)
        return out


def hp_values(hp, n):
    """[(name, value, level)] of a run's numeric hyperparameters: floats (RUN) or per-row (n,) arrays (ROW)."""
    out = []

    def one(name, v):
        t = type(v)
        if t is float or t is int:  # the common case first
            out.append((name, float(v), RUN))
            return
        if isinstance(v, (bool, np.bool_)) or v is None or isinstance(v, str):
            return
        if isinstance(v, np.ndarray) and v.size > 1:
            if v.size != n:
                raise Unsupported(f"the hyperparameter {name} has shape {v.shape}")
            out.append((name, np.asarray(v, dtype=np.float64).reshape(n), ROW))
        elif isinstance(v, (numbers.Real, np.ndarray, np.generic)):
            out.append((name, float(np.asarray(v).reshape(())), RUN))
        else:
            raise Unsupported(f"the hyperparameter {name}={v!r} is not a number")

    for k, v in hp.items():
        if isinstance(v, tuple):
            for i, x in enumerate(v):
                one(f"{k}[{i}]", x)
        else:
            one(k, v)
    return out


def _symbolic_outputs(tr):
    """The transform ``tr`` with the arrays it returns seen as SymArrays (its scratch buffers are object arrays)."""
    def update(grads, state, params, info):
        out, state = tr.update(grads, state, params, info)
        return [SymArray(g) if isinstance(g, np.ndarray) and g.dtype == object else g for g in out], state
    return Transform(tr.name, tr.init, update, tr.hyperparameters)


def _hp_leaves(hp, tag, n):
    """Hyperparameters with every number replaced by a leaf: (symbolic dict, [(name, value, level)])."""
    out, inputs = {}, []

    def one(name, v):
        if isinstance(v, (bool, np.bool_)) or v is None or isinstance(v, str):
            return v
        if isinstance(v, np.ndarray) and v.size > 1:
            if v.size != n:
                raise Unsupported(f"the hyperparameter {name} has shape {v.shape}")
            row = np.asarray(v, dtype=np.float64).reshape(n)
            inputs.append((name, row, ROW))
            return leaf((tag, name), ROW, row)
        if isinstance(v, (numbers.Real, np.ndarray, np.generic)):
            x = float(np.asarray(v).reshape(()))
            inputs.append((name, x, RUN))
            return leaf((tag, name), RUN, x)
        raise Unsupported(f"the hyperparameter {name}={v!r} is not a number")

    for k, v in hp.items():
        if isinstance(v, tuple):
            out[k] = tuple(one(f"{k}[{i}]", x) for i, x in enumerate(v))
        else:
            out[k] = one(k, v)
    return out, inputs


def _trace_vg(f, gradient, d):
    from ...autodiff import enable_grad
    from ...autodiff.tensor import _leaf

    with Tracer() as tr:
        X = sym_leaves("x", (1, d))
        autodiff = gradient == "autodiff" or (gradient == "auto" and not f.has_closed_form_grad)
        if autodiff:
            L = _leaf(X.a.view(NodeArray))  # the same leaves, in an array whose masks are symbolic
            with enable_grad():
                out = f._eval_tensor(L)
            if out.requires_grad:
                out.backward(np.ones(1))
            g = L.grad
            if g is None:
                raise TraceError("no gradient")
            v = out.data
        elif f._fused is not None:  # Function.closed_form_value_and_grad, without its float64 conversions
            v, g = f._fused(X, np.empty_like(X))
        else:
            from ...functions._function import NUMPY_OPS

            if not f._generic:
                raise TraceError("a function not written against the ops namespace")
            g = f._grad(X)
            v = f._value(X, NUMPY_OPS)
        v = value(v if not isinstance(v, np.ndarray) else SymArray(np.asarray(v, dtype=object).reshape(1)))
        g = g if isinstance(g, SymArray) else SymArray(np.asarray(g, dtype=object))
        if g.shape != (1, d):
            raise TraceError(f"a gradient of shape {g.shape}")
        gs = [value(g[0, i]) for i in range(d)]
        if len(tr.nodes) > MAX_NODES:
            raise TraceError(f"the objective traces to {len(tr.nodes)} operations")
    return v, gs


def _numeric_state(init_state):
    """{key: "array" | "scalar"} of a rule's state (scratch keys and the step are not carried)."""
    kinds = {}
    for k, v in init_state.items():
        if k == "step" or k.startswith("_"):
            continue
        if isinstance(v, np.ndarray):
            kinds[k] = "array"
        elif isinstance(v, numbers.Real) and not isinstance(v, bool):
            kinds[k] = "scalar"
        else:
            raise Unsupported(f"the optimizer state {k!r} is a {type(v).__name__}")
    return kinds


def prepare(f, gradient, chain, hp, hyper, n, d, lr_values):
    """Trace a run into a :class:`Compiled` program, or raise :class:`Unsupported` (why, in words)."""
    if d > MAX_DIM:
        raise Unsupported(f"d = {d} > {MAX_DIM}")
    if getattr(chain.rule, "needs_loss", False):
        raise Unsupported(f"{chain.rule.name} takes the loss at each step (a line search): it runs on NumPy")
    for tr in chain.transforms:
        if tr.name not in TRACED_TRANSFORMS:
            raise Unsupported(f"the transform {tr.name!r}")
    try:
        vg = _trace_vg(f, gradient, d)
    except TraceError as exc:
        raise Unsupported(f"the objective {f.name!r} cannot be traced: {exc}") from None
    except Exception as exc:  # anything the traced code did that symbols cannot do
        raise Unsupported(f"the objective {f.name!r} cannot be traced ({type(exc).__name__}: {exc})") from None
    try:
        with Tracer():
            _, hp_inputs = _hp_leaves(hp, "hp", n)
            _, hyper_inputs = _hp_leaves(hyper or {}, "hy", n)
        init = chain.rule.init(np.zeros((1, d)), **hp, rows=True)
        kinds0 = _numeric_state(init)
        flags = {k: v for k, v in init.items() if k.startswith("_") and not isinstance(v, np.ndarray)}
        sc_keys = [k for k, v in kinds0.items() if v == "scalar"]
        first, keys1 = _step_in_trace(chain, hp, hyper, n, lr_values, d, kinds0, sc_keys, flags)
        kinds1 = {**{k: "array" for k in keys1}, **{k: "scalar" for k in sc_keys}}
        second, keys2 = _step_in_trace(chain, hp, hyper, n, lr_values, d, kinds1, sc_keys, flags)
        third, keys3 = _step_in_trace(chain, hp, hyper, n, lr_values, d, kinds1, sc_keys, flags)
    except TraceError as exc:
        raise Unsupported(f"the step of {chain!r} cannot be traced: {exc}") from None
    except Unsupported:
        raise
    except Exception as exc:
        raise Unsupported(f"the step of {chain!r} cannot be traced ({type(exc).__name__}: {exc})") from None
    if keys2 != keys1 or keys3 != keys2:
        raise Unsupported("the optimizer's state changes shape after the first step")
    return Compiled(d, vg, first, second, third, keys1, [k for k in kinds0 if kinds0[k] == "array"], sc_keys,
                    hp_inputs, hyper_inputs, lr_values)


def _step_in_trace(chain, hp, hyper, n, lr_values, d, kinds, sc_keys, flags):
    """One symbolic step of the chain in a fresh trace: (outputs, the state's array keys after it)."""
    with Tracer() as tr:
        hp_sym, _ = _hp_leaves(hp, "hp", n)
        hyper_sym, _ = _hp_leaves(hyper or {}, "hy", n)
        lr_leaf = None if lr_values is None else leaf(("lr",), STEP if lr_values.ndim == 1 else ROWSTEP)
        P = sym_leaves("p", (1, d))
        G = sym_leaves("g", (1, d))
        state = {}
        for k, kind in kinds.items():
            state[k] = sym_leaves(("s", k), (1, d)) if kind == "array" else leaf(("sc", k), ROWSTEP)
        state["step"] = leaf("t", STEP)
        state.update(flags)  # the rule's own markers from init (e.g. "_rows": reductions per run)
        tchain = Chain(chain.rule, [_symbolic_outputs(tr) for tr in chain.transforms],
                       lr=None if lr_leaf is None else (lambda t: lr_leaf))
        tstate = tchain.init([P])
        for s in tstate:
            if "rng" in s:
                s["rng"] = _FakeRNG()
        info = StepInfo(0, [(hyper_sym, 1)], rows=True)
        tchain.update([G], tstate, [P], [state], [dict(hp_sym)], info)
        if len(tr.nodes) > MAX_NODES:
            raise TraceError(f"the optimizer step traces to {len(tr.nodes)} operations")
        arrays = {k: a for k, a in state.items() if isinstance(a, SymArray) and not k.startswith("_")}
        for k, a in arrays.items():
            if a.shape != (1, d):
                raise TraceError(f"a state array {k!r} of shape {a.shape}")
        others = [k for k, v in state.items() if k != "step" and not k.startswith("_") and k not in arrays
                  and k not in sc_keys]
        if others:
            raise TraceError(f"state entries the compiled engine does not carry: {others}")
        out = {"p": [value(P[0, i]) for i in range(d)],
               "s": {k: [value(a[0, i]) for i in range(d)] for k, a in arrays.items()},
               "sc": {k: value(state[k]) for k in sc_keys},
               "guards": [(tr.nodes[i], outcome) for i, outcome in tr.guards]}
    return out, list(arrays)


# -- the compiled program ---------------------------------------------------------------------


def _leaf_names(d, keys, sc_keys, hp_inputs, hyper_inputs, lr_values):
    names = {("x", 0, i): f"p{i}" for i in range(d)}
    names.update({("p", 0, i): f"p{i}" for i in range(d)})
    names.update({("g", 0, i): f"g{i}" for i in range(d)})
    names.update({("xi", 0, i): f"XI[t - t0, r, {i}]" for i in range(d)})
    for k, key in enumerate(keys):
        names.update({(("s", key), 0, i): f"s{k}_{i}" for i in range(d)})
    for k, key in enumerate(sc_keys):
        names[("sc", key)] = f"sc{k}"
    names["t"] = "tf"
    js = jr = 0
    for tag, inputs in (("hp", hp_inputs), ("hy", hyper_inputs)):
        for name, _, level in inputs:
            if level == RUN:
                names[(tag, name)] = f"hs{js}"  # a local, loaded once (see _codegen)
                js += 1
            else:
                names[(tag, name)] = f"HPR[{jr}, r]"
                jr += 1
    if lr_values is not None:
        names[("lr",)] = "LRT[t]" if lr_values.ndim == 1 else "LRT[t, r]"
    return names, js, jr


def _tr_key(out, keys, sc_keys):
    return out["p"] + [x for k in keys for x in out["s"][k]] + [out["sc"][k] for k in sc_keys]


class Compiled:
    """A traced run: :meth:`run` it (numba compiles its source on first use, then loads it from disk)."""

    #: set when gdlab.runs.compiled drops the program from its table (a memo that holds it then misses)
    dropped = False

    def __init__(self, d, vg, first, second, third, keys, keys0, sc_keys, hp_inputs, hyper_inputs, lr_values):
        self.d, self.keys, self.sc_keys = d, keys, sc_keys
        self.signature = [(name, level) for name, _, level in hp_inputs + hyper_inputs]
        unique = {}
        for node, outcome in first["guards"] + second["guards"] + third["guards"]:
            unique.setdefault((expression(node), outcome), (node, outcome))  # the same test in each trace
        self.guards = list(unique.values())
        #: the hyperparameters the guards read (their decisions are kept by these values: matches)
        self.guard_names = tuple(sorted({x.key[1] for node, _ in self.guards for x in post_order([node])
                                         if x.op == "leaf" and isinstance(x.key, tuple) and len(x.key) == 2
                                         and x.key[0] in ("hp", "hy")}))
        self._decisions = {}
        leaves, n_hps, n_hpr = _leaf_names(d, keys, sc_keys, hp_inputs, hyper_inputs, lr_values)
        run_inputs = [(tag, name) for tag, inputs in (("hp", hp_inputs), ("hy", hyper_inputs))
                      for name, _, level in inputs if level == RUN]
        #: the slots of HPS the step table may depend on (all but the lr's: see _codegen.table_split)
        self.table_slots = np.array([k for k, key in enumerate(run_inputs) if key not in PER_CALL], dtype=np.intp)
        left_out = [k for k, key in enumerate(run_inputs) if key in PER_CALL]
        self._cut = (8 * left_out[0], 8 * left_out[0] + 8) if len(left_out) == 1 else None  # the lr's bytes
        steady_src = generate(Program(d, vg, second, None, leaves), n_hps=n_hps, n_hpr=n_hpr, state_keys=keys,
                              n_sc=len(sc_keys), first_keys=keys0)
        third_src = generate(Program(d, vg, third, None, leaves), n_hps=n_hps, n_hpr=n_hpr, state_keys=keys,
                             n_sc=len(sc_keys), first_keys=keys0)
        if steady_src != third_src:
            raise Unsupported("the optimizer's step changes from step to step")
        first_src = generate(Program(d, vg, first, None, leaves), n_hps=n_hps, n_hpr=n_hpr, state_keys=keys,
                             n_sc=len(sc_keys), first_keys=keys0)
        if first_src == steady_src:
            self.source = steady_src
        else:
            self.source = generate(Program(d, vg, second, first, leaves), n_hps=n_hps, n_hpr=n_hpr,
                                   state_keys=keys, n_sc=len(sc_keys), first_keys=keys0)
        self.key = hashlib.sha256(self.source.encode()).hexdigest()[:24]

    # -- compiling and loading
    def function(self, parallel=False):
        """The numba dispatcher (its source imported from the cache folder, written there the first time):
        ``run``, or ``run_parallel`` (its blocks of rows spread over numba's threads; compiled on first use)."""
        module = self._load()
        return module.run_parallel if parallel else module.run

    def _load(self):
        module = getattr(self, "_module", None)
        if module is None:
            module, _ = load(self.source, "run", "the numba engine for this run")
            self._module = module
        return module

    def table(self, HPS, LRT, t0, t1, keep):
        """The step table of steps t0..t1-1 (see _codegen.generate), read only by the run. ``keep``: the last
        few tables (of runs of at most TABLE_MAX_STEPS steps) are kept, keyed by the exact bits of the
        hyperparameters the table depends on (all but the lr: see _codegen.table_split; a schedule's table
        of learning rates is not read), for the next run with the same ones (a start dragged in the
        playground, or a new lr)."""
        if not keep:
            return self._load().table(HPS, LRT, t0, t1)
        tables = self.__dict__.setdefault("_tables", {})
        cut = self._cut
        if cut is not None:  # the bytes of HPS but the lr's (one float64 a slot)
            b = HPS.tobytes()
            key = (b[:cut[0]] + b[cut[1]:], t0, t1)
        else:
            key = (HPS[self.table_slots].tobytes(), t0, t1)
        tab = tables.get(key)
        if tab is None:
            tab = self._load().table(HPS, LRT, t0, t1)
            tab.flags.writeable = False
            _remember(tables, key, tab, TABLES_KEPT)
        return tab

    def matches(self, inputs):
        """Whether this program serves hyperparameters ``inputs`` (hp_values of the rule's and the transforms'):
        the same names and kinds, and every branch the trace took on their values taken the same way."""
        if [(name, level) for name, _, level in inputs] != self.signature:
            return False
        env = {name: v for name, v, _ in inputs}
        try:  # the decisions for these values of the names the guards read, when seen before (a new lr)
            key = typed_key(tuple(env[name] for name in self.guard_names))
        except (NotAKey, KeyError):
            key = None
        got = self._decisions.get(key) if key is not None else None
        if got is None:
            got = all(decide(node, env) == outcome for node, outcome in self.guards)
            if key is not None:
                _remember(self._decisions, key, got, GUARDS_KEPT)
        return got

    def run(self, X0, steps, *, inputs, init_state, tol=None, bound=math.inf, record=(), every=1, progress=None,
            noise_rng=None, lr_values=None):
        """As :func:`gdlab.runs._engine.run_rows` (same dict). ``inputs``: hp_values of the rule's then the
        transforms' hyperparameters; ``init_state``: ``rule.init`` of the (n, d) starts; ``noise_rng``: the
        noise transform's generator. The same as ``self.bind(n, d, steps, ...)(X0, bound, progress, noise_rng)``."""
        n, d = X0.shape
        return self.bind(n, d, steps, inputs=inputs, init_state=init_state, tol=tol, record=record, every=every,
                         noise=noise_rng is not None, lr_values=lr_values)(X0, bound, progress, noise_rng)

    def bind(self, n, d, steps, *, inputs, init_state, tol=None, record=(), every=1, noise=False,
             lr_values=None) -> "Bound":
        """This program with the arguments of runs of n starts bound, all but the starts and the divergence
        bound (see :meth:`run`; ``noise``: whether the runs draw gradient noise): a :class:`Bound`, which runs
        it from given starts, on fresh arrays each time it is called."""
        return Bound(self, n, d, steps, inputs, init_state, tol, record, every, noise, lr_values)


class Bound:
    """A :class:`Compiled` program with the arguments of runs of n starts bound: ``bound(X0, bound,
    progress=None, noise_rng=None)`` runs it from the starts X0 (n, d) with that divergence bound and returns
    :meth:`Compiled.run`'s dict. What does not change from run to run is made once (the initial state laid
    out for the loop, the hyperparameters' arrays, the recorded steps, the step table of a run in one chunk);
    each call makes fresh arrays for what the loop writes and returns, so calls are independent (also from
    several threads at once: the loop releases the GIL) and a returned array can be changed without changing
    the next call's. It holds about K * n * d + n numbers (K state arrays), the hyperparameters' and the
    recorded steps' arrays, a schedule's lr table and the step table of its run (at most TABLE_MAX_STEPS rows
    of a few numbers, when it is kept)."""

    __slots__ = ("program", "n", "d", "steps", "S", "SC", "HPS", "HPR", "LRT", "AT", "R", "tol", "use_tol",
                 "rec", "need_gn", "noise", "TAB")

    def __init__(self, program, n, d, steps, inputs, init_state, tol, record, every, noise, lr_values):
        self.program, self.n, self.d, self.steps = program, n, d, steps
        K = len(program.keys)
        self.AT = _recorded(steps, every)
        self.R = len(self.AT)
        S = np.zeros((max(K, 1), d, n))
        for k, key in enumerate(program.keys):
            if key in init_state:
                S[k] = np.asarray(init_state[key]).T
        if program.sc_keys:
            SC = np.zeros((len(program.sc_keys), n))
            for k, key in enumerate(program.sc_keys):
                SC[k] = float(init_state[key])
        else:  # the loop writes SC only where it has scalar state: one shared stand-in
            SC = None
        self.S, self.SC = S, SC
        hps = [v for _, v, lvl in inputs if lvl == RUN]
        hpr = [v for _, v, lvl in inputs if lvl != RUN]
        hps.append(0.0)
        self.HPS = np.array(hps, dtype=np.float64)
        self.HPR = np.array(hpr, dtype=np.float64).reshape(len(hpr), n) if hpr else _zeros(n)
        self.LRT = _DUMMY_LRT if lr_values is None else np.ascontiguousarray(
            lr_values if lr_values.ndim == 1 else lr_values.reshape(lr_values.shape[0], n))
        rec_p, rec_l, rec_g, rec_gn = "params" in record, "loss" in record, "grad" in record, "grad_norm" in record
        self.rec = (rec_p, rec_l, rec_g, rec_gn, K > 0 and "state" in record)
        self.tol, self.use_tol = 0.0 if tol is None else float(tol), tol is not None
        self.need_gn = tol is not None or rec_gn
        self.noise = bool(noise)
        T = steps + 1
        # the step table of a run in one chunk (no noise blocks, no progress hook), when it is kept anyway
        self.TAB = None
        if not noise and T <= MAX_CHUNK_STEPS and T <= TABLE_MAX_STEPS:
            self.TAB = program.table(self.HPS, self.LRT, 0, T, keep=True)

    @property
    def nbytes(self):
        """The bytes of the arrays it holds (shared stand-ins and the step table not counted)."""
        return sum(a.nbytes for a in (self.S, self.SC, self.HPS, self.HPR, self.LRT, self.AT) if a is not None)

    def __call__(self, X0, bound=math.inf, progress=None, noise_rng=None):
        prog, n, d, steps, R = self.program, self.n, self.d, self.steps, self.R
        if X0.shape != (n, d):
            raise ValueError(f"starts of shape {X0.shape} for a program bound to ({n}, {d})")
        if self.noise and noise_rng is None:
            raise ValueError("this run draws gradient noise: give its generator (noise_rng)")
        fn = prog.function(parallel=n >= PARALLEL_MIN_ROWS and n * steps >= PARALLEL_MIN_WORK and _threads() > 1)
        K = len(prog.keys)
        T = steps + 1
        X = np.array(np.asarray(X0, dtype=np.float64).T, order="C", copy=True)  # (d, n), a copy: X0 stays
        S = self.S.copy()
        SC = _zeros(n) if self.SC is None else self.SC.copy()
        HPS, HPR, LRT, AT = self.HPS, self.HPR, self.LRT, self.AT
        rec_p, rec_l, rec_g, rec_gn, rec_s = self.rec
        dummy = _dummies(d)  # arrays the loop does not touch (what is not recorded), shared by every run
        keep_large_blocks(8 * R * n * (K * d if rec_s else d if rec_p or rec_g else 1 if rec_l or rec_gn else 0))
        P = np.empty((R, n, d)) if rec_p else dummy[0]
        L = np.empty((R, n)) if rec_l else dummy[1]
        G = np.empty((R, n, d)) if rec_g else dummy[0]
        GN = np.empty((R, n)) if rec_gn else dummy[1]
        SH = np.zeros((K, R, n, d)) if rec_s else dummy[2]
        done = np.zeros(n, dtype=np.bool_)
        stopped = np.empty(n, dtype=np.int64)
        stopped.fill(steps)
        status = np.zeros(n, dtype=np.int64)
        final = np.empty((n, d))
        final_loss = np.empty(n)
        bound = float(bound)
        tol, use_tol, need_gn = self.tol, self.use_tol, self.need_gn
        chunk = min(T, MAX_CHUNK_STEPS)  # bounds the step table and the noise block
        if noise_rng is not None:
            chunk = max(1, min(T, (1 << 22) // max(1, n * d)))  # noise drawn in blocks of about 32 MB
        if progress is not None:
            chunk = min(chunk, progress_every(steps))
        t0 = 0
        report_at = progress_every(steps) if progress is not None else T
        all_done = False
        while t0 < T:
            t1 = min(T, t0 + chunk)
            if progress is not None and t0 >= report_at:
                progress(t0, steps)
                report_at += progress_every(steps)
            if noise_rng is not None:
                m = min(t1, steps) - t0
                XI = np.empty((max(m, 0), n, d))
                if m > 0:
                    noise_rng.standard_normal(out=XI)
                if m < t1 - t0:
                    XI = np.concatenate([XI, np.zeros((t1 - t0 - m, n, d))]) if m > 0 else np.zeros((t1 - t0, n, d))
            else:
                XI = dummy[0]  # read only by a program with noise
            TAB = self.TAB
            if TAB is None or t0 != 0 or t1 != T:
                TAB = prog.table(HPS, LRT, t0, t1, keep=t1 - t0 <= TABLE_MAX_STEPS)
            fn(X, S, SC, HPS, HPR, LRT, XI, TAB, t0, t1, steps, bound, tol, use_tol, AT, done, stopped, status,
               final, final_loss, P, L, G, GN, SH, rec_p, rec_l, rec_g, rec_gn, rec_s, need_gn)
            t0 = t1
            # a row is done once its status is set (converged or diverged; every row at the last step)
            all_done = t1 == T or done.all()
            if all_done:
                break
        steps_run = (int(stopped[0]) if n == 1 else int(stopped.max())) if all_done else steps
        if progress is not None:
            progress(steps_run, steps)
        return {
            "params": P if rec_p else None, "loss": L if rec_l else None,
            "grad": G if rec_g else None, "grad_norm": GN if rec_gn else None,
            "state": {k: SH[i] for i, k in enumerate(prog.keys)} if rec_s else {},
            "status": _STATUS[status], "stopped_at": stopped, "final": final,
            "final_loss": final_loss, "steps_run": steps_run, "recorded_steps": AT,
        }
