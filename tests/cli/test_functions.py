"""gdlab functions: the catalog, one function, a formula."""


def test_functions(run_cli):
    code, out, _ = run_cli("functions")
    assert code == 0
    for name in ("square", "rosenbrock", "himmelblau", "rastrigin", "saddle"):
        assert name in out
    code, out, _ = run_cli("functions", "rosenbrock")
    assert code == 0 and "100*(y - x**2)**2 + (1 - x)**2" in out and "(1, 1)" in out and "bounds" in out
    code, out, _ = run_cli("functions", "x**2 - y**2")
    assert code == 0 and "x**2 - y**2" in out


def test_unknown_name_suggests_the_close_one(refused):
    refused(["functions", "rosenbrok"], "did you mean 'rosenbrock'")
