"""The layering of the code, read from its imports (with `ast`, nothing is executed): no import cycle
among the modules of `dsl` and `interpreter`, `dsl` importing nothing from `interpreter`, and an import
inside a function only for a heavy dependency, said on its line.

The graph holds the imports a module makes when it is loaded: its module-level statements (those
under `if TYPE_CHECKING:` are read by the type checker only, for annotations, and are left out); a
second graph adds the imports made inside functions, and has no cycle either.
An import inside a function would hide a cycle from this test: each must give its reason in a
comment on its line (`# polars (heavy): only for a population`)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("dsl", "interpreter")


def modules() -> dict[str, Path]:
    """Module name → file, for every module of the packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def own_module(name: str, known: dict[str, Path]) -> str | None:
    """The module of ours an imported name belongs to (`interpreter.api.load` → `interpreter.api`)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imported_names(node: ast.Import | ast.ImportFrom, module: str, path: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # a relative import, from this module's package
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([base] if base else [])])
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def statements(tree: ast.AST, in_function: bool = False):
    """(import statement, whether it is inside a function), skipping `if TYPE_CHECKING:` blocks."""
    for child in ast.iter_child_nodes(tree):
        if is_type_checking(child):
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        yield from statements(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))


def graph(in_functions: bool = False) -> dict[str, set[str]]:
    """Module → the modules of ours it imports when loaded (`in_functions`: or when one of its functions runs)."""
    known = modules()
    edges: dict[str, set[str]] = {}
    for module, path in known.items():
        edges[module] = set()
        for node, in_function in statements(ast.parse(path.read_text(encoding="utf-8"))):
            if in_function and not in_functions:
                continue
            for name in imported_names(node, module, path):
                target = own_module(name, known)
                if target is not None and target != module:
                    edges[module].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), or of one importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_no_import_cycle_even_through_the_imports_in_functions():
    """A heavy dependency imported in a function is no licence for a cycle."""
    assert cycles(graph(in_functions=True)) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_language_imports_nothing_from_the_interpreter():
    edges = graph()
    wrong = {
        module: sorted(t for t in targets if t.startswith("interpreter"))
        for module, targets in edges.items()
        if module.startswith("dsl")
    }
    assert {module: targets for module, targets in wrong.items() if targets} == {}


def test_imports_in_functions_say_why():
    unexplained = []
    for path in modules().values():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, in_function in statements(ast.parse("\n".join(lines))):
            said = "#" in lines[node.lineno - 1] or "#" in lines[(node.end_lineno or node.lineno) - 1]
            if in_function and not said:
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert unexplained == []
