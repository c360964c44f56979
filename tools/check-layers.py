#!/usr/bin/env python3
"""check-layers.py SRC: refuse an #include that goes up a layer, and report the largest
circle of modules (a .c/.h pair) that include each other. Layers, bottom to top, are the
folders of SRC: base, vm, engine, host. Exit 1 on a violation or a circle of more than 3."""
import os
import re
import sys

LAYERS = ["base", "vm", "engine", "host"]
MAX_CIRCLE = 3


def includes(path):
    with open(path) as f:
        return re.findall(r'^\s*#\s*include\s+"([^"]+)"', f.read(), re.M)


def main(src):
    bad, graph = [], {}
    for layer in LAYERS:
        for name in sorted(os.listdir(os.path.join(src, layer))):
            if not name.endswith((".c", ".h", ".S")):
                continue
            mod = layer + "/" + os.path.splitext(name)[0]
            edges = graph.setdefault(mod, set())
            for inc in includes(os.path.join(src, layer, name)):
                top = inc.split("/")[0]
                if top in LAYERS:
                    if LAYERS.index(top) > LAYERS.index(layer):
                        bad.append(f"{layer}/{name}: includes {inc}, a layer above")
                    if os.path.splitext(inc)[0] != mod:
                        edges.add(os.path.splitext(inc)[0])
                elif "/" not in inc and os.path.exists(os.path.join(src, layer, inc)):
                    bad.append(f"{layer}/{name}: includes \"{inc}\" without its folder")
    circle = largest_circle(graph)
    for b in bad:
        print("check-layers: " + b, file=sys.stderr)
    print(f"check-layers: {len(graph)} modules, largest include circle {len(circle)}"
          + (f" ({' '.join(sorted(circle))})" if len(circle) > 1 else ""))
    if len(circle) > MAX_CIRCLE:
        print(f"check-layers: circle larger than {MAX_CIRCLE}", file=sys.stderr)
        return 1
    return 1 if bad else 0


def largest_circle(graph):
    """Tarjan's strongly connected components; the largest one."""
    index, low, stack, on, best, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > len(best):
                best[:] = comp

    for v in list(graph):
        if v not in index:
            visit(v)
    return best


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src"))
