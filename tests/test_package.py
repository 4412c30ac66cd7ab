"""The package's own promises: a light import, lazy subpackages, the top-level names."""

import subprocess
import sys

import pytest

import gdlab

HEAVY = ("matplotlib", "plotly", "PIL", "rich", "click", "torch", "scipy", "fastapi", "uvicorn", "starlette")


def test_import_gdlab_loads_numpy_and_nothing_heavier():
    code = (
        "import sys, gdlab; "
        f"heavy = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", ["minimize", "race", "lr_sweep", "tune", "Trajectory", "expr", "analyze",
                                  "stability", "classify_point", "sweep", "regression_loss", "SGD", "Adam", "AdamW",
                                  "Lion", "clip_grad_norm_"])
def test_lazy_top_level_names_resolve(name):
    assert callable(getattr(gdlab, name))
    assert name in dir(gdlab)


@pytest.mark.parametrize("name", ["optim", "functions", "runs", "nn", "datasets", "numdiff", "store", "sweeps"])
def test_subpackages_are_reachable_as_attributes(name):
    assert getattr(gdlab, name).__name__ == f"gdlab.{name}"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'minimise'"):
        gdlab.minimise  # noqa: B018


def test_version_matches_the_package_metadata():
    from importlib.metadata import version

    assert gdlab.__version__ == version("gdlab")


# The layers, lowest first: a module may import (statically, `from ..x import` or `import gdlab.x`)
# only from layers of a lower rank than its own. `import gdlab` and attribute access are not seen.
# _registry sits beneath every layer (numdiff, datasets and optim at rank 0 use it too).
RANK = {"_registry": -1, "_jit": -1, "_alloc": 0, "_atomic": 0, "_display": 0, "_plain": 0, "numdiff": 0, "datasets": 0, "optim": 0, "autodiff": 1, "functions": 2, "runs": 3,
        "nn": 3, "store": 4, "viz": 4, "sweeps": 5, "web": 5, "widgets": 5, "demo": 6, "cli": 7, "__main__": 8, "__init__": 8}


def _gdlab_imports(path, package):
    """The gdlab layers a module imports: (line, layer) pairs."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                targets = [".".join(base + [node.module])] if node.module else [
                    ".".join(base + [a.name]) for a in node.names]
            else:
                targets = [node.module or ""]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        found += [(node.lineno, t.split(".")[1]) for t in targets if t.startswith("gdlab.")]
    return found


def test_each_layer_imports_only_the_layers_below_it():
    from pathlib import Path

    root = Path(gdlab.__file__).parent
    wrong = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        layer = parts[0].removesuffix(".py")
        assert layer in RANK, f"{layer}: a new layer; give it a rank here and a line in the README"
        package = ["gdlab", *parts[:-1]]
        for line, target in _gdlab_imports(path, package):
            if target != layer and RANK[target] >= RANK[layer]:
                wrong.append(f"{path.relative_to(root.parent)}:{line} ({layer}) imports gdlab.{target}")
    assert not wrong, "\n".join(wrong)


# Inside each subpackage, the modules import each other without a circle: the graph of
# module -> module imports (module-level and function-level, relative and absolute) is acyclic.
def _subpackages():
    from pathlib import Path

    root = Path(gdlab.__file__).parent
    return sorted(p.parent.name for p in root.glob("*/__init__.py"))


def _module_name(path, root):
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _internal_imports(path, name, modules):
    """The modules of ``modules`` (a set of dotted names) that the module ``name`` at ``path`` imports."""
    import ast

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from P import m` imports the module P.m when there is one, else a name of P
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in modules and t != name)
    return found


def _cycle(graph):
    """One import circle of ``graph`` (module -> set of modules) as a list, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def import_graph(package):
    """{module: set of modules it imports} for every module of ``gdlab.<package>``, nested ones included."""
    from pathlib import Path

    root = Path(gdlab.__file__).parent
    paths = {_module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    return {name: _internal_imports(path, name, set(paths)) for name, path in paths.items()}


@pytest.mark.parametrize("package", _subpackages())
def test_no_import_circle_inside_a_subpackage(package):
    graph = import_graph(package)
    assert graph, f"gdlab.{package} has no modules"
    cycle = _cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_circle_finder_finds_circles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
