"""Tracing NumPy code into scalar programs for numba (rank below every layer: NumPy only).

:mod:`gdlab._jit.trace` records what NumPy code does on symbolic arrays; the compiled run engine
(gdlab.runs.compiled) and the fused optimizer steps (gdlab.optim.fused) write the recorded
programs out for numba. numba itself is imported only by the generated modules.
"""
