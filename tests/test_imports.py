"""symcalc's modules import each other without a cycle at module level (issue 11): read from the
source with ``ast``, so the test sees every ``import`` statement outside a function body.

Imports inside functions are the deliberate lazy ones (heavy modules kept off ``--help``'s path,
printing called from ``Expr.__str__``); they run after every module has loaded.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symcalc"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node, here: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = here if is_package else here.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    mod = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
    return [mod] + [f"{mod}.{a.name}" for a in node.names]


def module_graph() -> dict[str, set[str]]:
    paths = list(PACKAGE.rglob("*.py"))
    names = {_module(p) for p in paths}
    graph = {}
    for path in paths:
        here = _module(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        targets = {t for n in top for t in _targets(n, here, path.name == "__init__.py")}
        graph[here] = {t for t in targets if t in names and t != here}
    return graph


def find_cycle(graph) -> list[str]:
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        state[m] = "done"
        stack.pop()
        return []

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return []


def test_the_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_module_level_imports_have_no_cycle():
    graph = module_graph()
    assert len(graph) > 30 and "symcalc.engine" in graph["symcalc.derivation"]
    assert find_cycle(graph) == [], " → ".join(find_cycle(graph))
