"""No import circle inside assistant/: every import counts, including those under TYPE_CHECKING and
those inside functions, since a circle hidden that way is still a design where two modules need each
other (and one edit away from failing at import time)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "assistant"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that ``path`` imports anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    paths = {module_name(p, root): p for p in root.rglob("*.py")}
    modules = set(paths)
    return {name: imports_of(path, name, modules) for name, path in paths.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circle_in_assistant() -> None:
    graph = import_graph(ROOT)
    assert len(graph) > 50  # the whole package was walked
    assert circles(graph) == []


def test_the_pipeline_reads_top_to_bottom_with_writers_below() -> None:
    graph = import_graph(ROOT)
    for writer in ("assistant.llm.answerer", "assistant.llm.assemble", "assistant.compose"):
        assert "assistant.pipeline" not in graph[writer]
    assert "assistant.evaluation.runner" not in graph["assistant.evaluation.report"]


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ({"a": "import assistant.b\n", "b": "from assistant.a import x\n"}, [["a", "b"]]),
        (
            {
                "a": "from assistant import b\n",
                "b": "def f():\n    from . import c\n",
                "c": "if TYPE_CHECKING:\n    from assistant.a import y\n",
            },
            [["a", "b", "c"]],
        ),
        ({"a": "import assistant.b\n", "b": "from assistant.c import z\n", "c": "x = 1\n"}, []),
    ],
)
def test_the_check_finds_circles_however_hidden(
    tmp_path: Path, sources: dict[str, str], expected: list[list[str]]
) -> None:
    pkg = tmp_path / "assistant"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, text in sources.items():
        (pkg / f"{name}.py").write_text(text)
    assert circles(import_graph(pkg)) == [[f"assistant.{m}" for m in c] for c in expected]
