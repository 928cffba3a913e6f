"""Graphviz DOT of the dataflow graph (symcalc.graph), and SVG drawn from it by Graphviz's ``dot``.

Labels are HTML-like (``label=<…>``) with every input character escaped as HTML, and the few
quoted strings escape ``\\`` and ``"``, so no name or title can end a label or add a statement.
"""
from __future__ import annotations

import html

from ..errors import SymcalcError
from ..graph import graph

TIMEOUT = 30  # seconds for one dot run: the catalog's graphs take well under one
_KINDS = {"variable": "a variable", "wrt": "a variable of differentiation", "intermediate": "an intermediate",
          "output": "the output"}
_SHAPES = {"variable": "shape=ellipse", "wrt": 'shape=ellipse, style=filled, fillcolor="#fde68a"',
           "intermediate": "shape=box, style=rounded", "output": 'shape=box, style="rounded,filled", fillcolor="#bbf7d0"'}
INSTALL = "install Graphviz (apt-get install graphviz, brew install graphviz or https://graphviz.org/download/)"


class GraphvizMissing(SymcalcError):
    """No ``dot`` on PATH: the caller still has the DOT source to show."""

    def __init__(self, source: str):
        super().__init__(f"Graphviz's dot is not installed, so no SVG was drawn; {INSTALL}. "
                         "The DOT source follows on standard output (dot -Tsvg draws it)")
        self.source = source


def html_text(s: str) -> str:
    """Text inside an HTML-like label: escaped, a newline a line break."""
    return html.escape(s.replace("\r", ""), quote=True).replace("\t", " ").replace("\n", "<BR/>")


def quoted(s: str) -> str:
    """A DOT quoted string: backslash and quote escaped (a backslash would start \\N, \\G, …)."""
    body = s.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{body}"'


def _label(first: str, second: str) -> str:
    small = f'<BR/><FONT POINT-SIZE="10">{html_text(second)}</FONT>' if second else ""
    return f"<{html_text(first)}{small}>"


def _node(key: str, node) -> str:
    first = f"{node.label} = {node.definition}" if node.definition else node.label
    tip = quoted(f"{node.label}: {node.shape}, {_KINDS[node.kind]}")
    return f"{key} [{_SHAPES[node.kind]}, label={_label(first, node.shape)}, tooltip={tip}]"


def _edge(keys: dict, edge) -> str:
    ends = f"{keys[edge.source]} -> {keys[edge.target]}"
    if edge.differentiated:
        return f"{ends} [label={_label(f'{edge.partial} = {edge.derivative}', edge.rule)}]"
    if edge.rule:
        return f"{ends} [label={_label(edge.rule, '')}]"
    return f"{ends} [style=dashed, tooltip={quoted('not differentiated along this edge')}]"


def _cluster(i: int, g) -> list[str]:
    keys = {n.name: f"g{i}n{j}" for j, n in enumerate(g.nodes)}
    lines = [f"  subgraph cluster_{i} {{", f"    label=<{html_text(g.title or g.heading)}>;",
             f"    tooltip={quoted(g.heading)};"]
    lines += [f"    {_node(keys[n.name], n)};" for n in g.nodes]
    lines += [f"    {_edge(keys, e)};" for e in g.edges]
    return lines + ["  }"]


def render(derivations) -> str:
    """One digraph (one SVG document), each derivation a titled cluster."""
    return render_graphs([graph(d) for d in derivations])


def render_graphs(graphs) -> str:
    lines = ["digraph symcalc {", '  graph [rankdir=LR, fontname="Helvetica", labeljust=l];',
             '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']
    for i, g in enumerate(graphs):
        lines += _cluster(i, g)
    return "\n".join(lines + ["}"]) + "\n"


def svg(source: str, timeout: float = TIMEOUT) -> str:
    """SVG drawn by Graphviz from DOT source: no shell, the source on stdin, a time limit."""
    import shutil
    import subprocess

    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(source)
    try:
        done = subprocess.run([exe, "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SymcalcError(f"Graphviz's dot took longer than {timeout} s and was stopped") from None
    except OSError as exc:
        raise SymcalcError(f"could not run Graphviz's dot ({exc.strerror or exc})") from None
    if done.returncode != 0:
        from ..limits import printable

        reason = printable(done.stderr.decode("utf-8", "replace").strip())[:400]
        raise SymcalcError(f"Graphviz's dot failed (exit {done.returncode}): {reason}")
    return done.stdout.decode("utf-8")
