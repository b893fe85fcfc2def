#!/usr/bin/env python3
"""The library's architecture, checked on its object files (nm):

- the largest cycle of files calling each other outside lib/ssh/ is the
  task core, at most 5 files;
- no file outside lib/ssh/ uses a symbol of lib/ssh/: SSH is reached only
  through the kind table and the turn hook (function pointers);
- lib/core/ uses nothing of lib/proc/ or lib/ssh/.

Usage: architecture.py BUILD_DIR (the objects are BUILD_DIR/lib/**.o)."""
import pathlib
import subprocess
import sys

CORE_MAX = 5


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", str(obj)], check=True,
                         capture_output=True, text=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if l.strip()}
    out = subprocess.run(["nm", "-u", str(obj)], check=True,
                         capture_output=True, text=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, used


def sccs(graph):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            out.append(comp)

    for v in graph:
        if v not in index:
            visit(v)
    return out


def main():
    root = pathlib.Path(sys.argv[1]) / "lib"
    objs = sorted(root.rglob("*.o"))
    if not objs:
        sys.exit(f"architecture: no objects under {root}")
    name = {o: str(o.relative_to(root.parent)).removesuffix(".o") + ".c" for o in objs}
    owner, uses = {}, {}
    for o in objs:
        defined, used = symbols(o)
        for s in defined:
            owner[s] = name[o]
        uses[name[o]] = used
    graph = {f: {owner[s] for s in u if s in owner and owner[s] != f}
             for f, u in uses.items()}
    errors = []
    for f, calls in sorted(graph.items()):
        if not f.startswith("lib/ssh/"):
            bad = sorted(c for c in calls if c.startswith("lib/ssh/"))
            if bad:
                errors.append(f"{f} calls into SSH: {', '.join(bad)}")
        if f.startswith("lib/core/"):
            bad = sorted(c for c in calls if c.startswith(("lib/proc/", "lib/ssh/")))
            if bad:
                errors.append(f"{f} (core) calls a kind: {', '.join(bad)}")
    biggest = []
    for comp in sccs(graph):
        if len(comp) < 2:
            continue
        outside = sorted(c for c in comp if not c.startswith("lib/ssh/"))
        if outside and len(comp) != len(outside):
            errors.append(f"a cycle mixes SSH and the rest: {', '.join(sorted(comp))}")
        if len(outside) > CORE_MAX:
            errors.append(f"a cycle of {len(outside)} files: {', '.join(outside)}")
        if len(outside) > len(biggest):
            biggest = outside
    for e in errors:
        print(f"architecture: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"== architecture: largest cycle outside lib/ssh/: "
          f"{', '.join(biggest) or 'none'}; nothing else calls SSH")


main()
