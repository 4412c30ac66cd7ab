"""gdlab functions: the catalog (with each function's parameters), one function, a formula."""

import inspect


def test_functions(run_cli):
    code, out, _ = run_cli("functions")
    assert code == 0
    for name in ("square", "rosenbrock", "himmelblau", "rastrigin", "saddle"):
        assert name in out
    code, out, _ = run_cli("functions", "rosenbrock")
    assert code == 0 and "100*(y - x**2)**2 + (1 - x)**2" in out and "(1, 1)" in out and "bounds" in out
    code, out, _ = run_cli("functions", "x**2 - y**2")
    assert code == 0 and "x**2 - y**2" in out


def test_the_listing_shows_each_functions_parameters(run_cli, monkeypatch):
    """The parameters column is the catalog factories' keyword arguments with their defaults."""
    from gdlab.functions import CATALOG

    monkeypatch.setenv("COLUMNS", "400")  # one row per function, to read the cells
    code, out, _ = run_cli("functions")
    assert code == 0 and "parameters" in out
    rows = {cells[0]: cells for cells in ([c.strip() for c in line.split("│")[1:-1]]
                                          for line in out.splitlines() if line.startswith("│"))}
    for name, factory in CATALOG.items():
        params = [f"{p.name}={p.default:g}" if isinstance(p.default, float) else f"{p.name}={p.default}"
                  for p in inspect.signature(factory).parameters.values()]
        assert rows[name][2] == (", ".join(params) or "-"), name
    assert rows["ill_conditioned"][2] == "dim=2, condition=100"


def test_minima_unknown_for_a_formula_none_where_unbounded(run_cli):
    code, out, _ = run_cli("functions", "x**2 + y")
    assert code == 0 and "unknown" in out and "none" not in out
    code, out, _ = run_cli("functions", "saddle")                 # x^2 - y^2 is unbounded below
    assert code == 0 and "none (unbounded below)" in out
    code, out, _ = run_cli("functions", "ill_conditioned:condition=10")
    assert code == 0 and "dim=2, condition=10" in out


def test_unknown_name_suggests_the_close_one(refused):
    refused(["functions", "rosenbrok"], "did you mean 'rosenbrock'")
    refused(["functions", "sphere:dim=0"], "dim")
