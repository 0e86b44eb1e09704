#!/usr/bin/env python3
"""The dependency check of `make test` (issue 10, docs/architecture.md "Bounded contexts").

src/ is layered:
  core/<part>/        base, db, audit, auth, flow, http, ocpp, events, jobs, module, calendar — the engine
  shared/<module>/    org, notify, attach — used by every context
  <context>/<module>/ fieldwork, safety, charging, customer, metering — the domains
  cli/, main.c, modules.c — the composition root: may include anything

Rules (each violation is printed with the file and the include):
  1. core includes only core;
  2. shared includes only core and shared;
  3. a context includes core, shared and itself; another context only through that context's declared interface,
     the headers under src/<context>/interface/ ;
  4. no circle: between contexts (counting interface includes), and between modules (folders) of shared and the
     contexts, the core counting as one module (its parts — base, db, audit, auth, flow, http, module — are one
     library whose glue files know each other; what matters is that nothing in it reaches up).
Exit status 1 on any violation."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
CONTEXTS = {"fieldwork", "safety", "charging", "customer", "metering"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def unit(path):
    """(layer, module) of a path relative to src/."""
    parts = path.split("/")
    if len(parts) == 1 or parts[0] == "cli":
        return ("app", "app")
    if parts[0] == "core":
        return ("core", "core")  # the engine is one unit here: its parts are layered by convention (see below)
    if parts[0] == "shared":
        return ("shared", "shared/" + parts[1])
    if parts[0] in CONTEXTS:
        return (parts[0], parts[0] + "/" + parts[1])
    return ("unknown", path)


def main():
    problems = []
    module_edges = {}
    context_edges = {}
    for dirpath, _, files in os.walk(ROOT):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.relpath(os.path.join(dirpath, name), ROOT)
            layer, mod = unit(path)
            if layer == "unknown":
                problems.append(f"{path}: not in a known layer (core, shared, a context, cli)")
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                if not os.path.exists(os.path.join(ROOT, inc)):
                    continue  # generated or local headers
                ilayer, imod = unit(inc)
                if layer == "app":
                    continue
                if ilayer == "app":
                    problems.append(f"{path}: includes the composition root's {inc}")
                elif layer == "core" and ilayer != "core":
                    problems.append(f"{path}: core includes {ilayer} ({inc})")
                elif layer == "shared" and ilayer not in ("core", "shared"):
                    problems.append(f"{path}: shared includes the {ilayer} context ({inc})")
                elif layer in CONTEXTS and ilayer in CONTEXTS and ilayer != layer:
                    if not inc.startswith(ilayer + "/interface/"):
                        problems.append(f"{path}: {layer} includes {inc}, not {ilayer}'s interface ({ilayer}/interface/)")
                    context_edges.setdefault(layer, set()).add(ilayer)
                if imod != mod:
                    module_edges.setdefault(mod, set()).add(imod)
    for graph, what in ((context_edges, "contexts"), (module_edges, "modules")):
        cycle = find_cycle(graph)
        if cycle:
            problems.append(f"a circle between {what}: " + " -> ".join(cycle))
    for p in problems:
        print("check-deps: " + p)
    if problems:
        print(f"check-deps: {len(problems)} problem(s)")
        return 1
    n = sum(len(v) for v in module_edges.values())
    print(f"check-deps: ok ({len(module_edges)} modules, {n} module dependencies, no circle)")
    return 0


def find_cycle(graph):
    """One cycle as a list of nodes (first == last), or None. Iterative DFS with colours."""
    colour = {}
    for start in sorted(graph):
        if colour.get(start):
            continue
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            c = colour.get(nxt)
            if c == 1:
                return path[path.index(nxt):] + [nxt]
            if not c:
                colour[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(graph.get(nxt, ())))))
    return None


if __name__ == "__main__":
    sys.exit(main())
