#!/usr/bin/env python3
"""Fails when the library's modules import each other in a circle.

Every `.rs` file under lib/src is a module (`store/read.rs` is
`store::read`, `store/mod.rs` is `store`). An edge A -> B means A names
`crate::B...` or a `super::` path that resolves to B. Edges from a module to
its own descendants or ancestors are ignored: a parent declares and re-exports
its children, and a child uses its parent's shared items; what must hold is
that no two sibling subtrees depend on each other in a circle, at any depth.
So the graph checked is, for every folder, its child subtrees with the edges
between them: each must be acyclic (Tarjan's strongly connected components).

Usage: python3 scripts/check_layers.py [lib/src]
"""

import re
import sys
from pathlib import Path

PATH = re.compile(r"\b(crate|super(?:::super)*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super(?:::super)*)::\{([^;]*)\};", re.S)


def module_of(root: Path, file: Path) -> tuple:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return tuple(parts)


def strip(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    # Tests may reach anywhere: only the code that ships has layers.
    cut = re.search(r"#\[cfg\(test\)\]\s*mod\s+tests", text)
    return text[: cut.start()] if cut else text


def targets(module: tuple, is_dir_module: bool, text: str, modules: set) -> set:
    found = set()

    def resolve(head: str, names: list):
        if head == "crate":
            base = ()
        else:
            ups = head.count("super")
            # In foo/bar.rs (module foo::bar), `super` is foo; in foo/mod.rs
            # (module foo) `super` is foo's parent.
            base = module[: len(module) - ups]
        path = base + tuple(names)
        # The longest prefix that is a module is what the path names.
        while path and path not in modules:
            path = path[:-1]
        if path:
            found.add(path)

    for head, group in USE_GROUP.findall(text):
        for item in re.split(r",(?![^{]*\})", group):
            names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", item.split(" as ")[0])
            if names and names[0] != "self":
                resolve(head, names[:3])
    for head, rest in PATH.findall(text):
        resolve(head, rest.strip(":").split("::"))
    return found


def sccs(nodes, edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(component)

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "lib/src")
    files = sorted(root.rglob("*.rs"))
    modules = {module_of(root, f) for f in files}
    edges = {}
    for file in files:
        module = module_of(root, file)
        text = strip(file.read_text())
        is_dir_module = file.name in ("mod.rs", "lib.rs")
        for target in targets(module, is_dir_module, text, modules):
            edges.setdefault(module, set()).add(target)
    # For every folder, the edges between its child subtrees.
    circles = []
    parents = {m[:-1] for m in modules if m}
    for parent in sorted(parents):
        children = {m[: len(parent) + 1] for m in modules if len(m) > len(parent) and m[: len(parent)] == parent}
        child_edges = {}
        for source, ts in edges.items():
            if source[: len(parent)] != parent or len(source) <= len(parent):
                continue
            a = source[: len(parent) + 1]
            for t in ts:
                if t[: len(parent)] != parent or len(t) <= len(parent):
                    continue
                b = t[: len(parent) + 1]
                if a != b:
                    child_edges.setdefault(a, set()).add(b)
        for component in sccs(children, child_edges):
            if len(component) > 1:
                circles.append(sorted("::".join(m) for m in component))
    for circle in circles:
        print("import circle: " + " <-> ".join(circle), file=sys.stderr)
    if circles:
        print(
            "hint: a module may use the ones below it in src/lib.rs's layers, never one above; "
            "move what both need down a layer",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
