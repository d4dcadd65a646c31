"""Report the core's import graph: cycles (strongly connected groups of modules, lazy
imports inside functions included), imports that go up the layers of
docs/architecture.md, and the biggest files. For the note of a refactoring, and for
anyone who wants to see the shape at a glance:

    .venv/bin/python tools/import_graph.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

# The rooms of the core from the bottom up (docs/architecture.md); a module belongs to
# the first entry its name starts with.
LAYERS = [
    ("ia_desk.errors", "ia_desk.terms", "ia_desk.validation", "ia_desk.resources"),
    ("ia_desk.db",),
    ("ia_desk.security",),
    ("ia_desk.audit",),
    ("ia_desk.accounts",),
    ("ia_desk.settings",),
    ("ia_desk.policy",),
    ("ia_desk.cases",),
    ("ia_desk.protection",),
    ("ia_desk.evidence",),
    ("ia_desk.discipline",),
    ("ia_desk.registers",),
    ("ia_desk.casefile",),
    ("ia_desk.reports",),
    ("ia_desk.backup", "ia_desk.startup"),
    ("ia_desk.services",),
    ("ia_desk.cli",),
]


def layer_of(module: str) -> int | None:
    for i, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return i
    return None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    sys.setrecursionlimit(10_000)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def main() -> int:
    graph = grimp.build_graph("ia_desk", "ui", include_external_packages=False)
    core = sorted(m for m in graph.modules if m.startswith("ia_desk"))
    edges = {
        m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("ia_desk")}
        for m in core
    }
    groups = cycles(edges)
    print(f"modules: {len(core)}; import cycles: {len(groups)}")
    for g in groups:
        print(f"  {len(g)} modules: {', '.join(g)}")
    upward = [
        (m, i)
        for m in core
        for i in sorted(edges[m])
        if (a := layer_of(m)) is not None and (b := layer_of(i)) is not None and b > a
    ]
    print(f"upward imports: {len(upward)}")
    for m, i in upward:
        print(f"  {m} -> {i}")
    ui = sorted(m for m in graph.modules if m.startswith("ui"))
    reach = sorted(
        {
            i
            for m in ui
            for i in graph.find_modules_directly_imported_by(m)
            if i.startswith("ia_desk")
        }
    )
    print(f"core modules ui imports directly: {len(reach)}")
    for m in reach:
        print(f"  {m}")
    files = sorted(
        (
            (len(p.read_text().splitlines()), str(p))
            for d in ("ia_desk", "ui")
            for p in Path(d).rglob("*.py")
            if "migrations" not in p.parts
        ),
        reverse=True,
    )
    print("biggest files:")
    for n, p in files[:10]:
        print(f"  {n:>5} {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
