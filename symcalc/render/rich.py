"""The terminal view: a panel per phase, each step a row of equation, shape and rule.

Mathematics goes in as ``Text`` objects, never as markup strings: rich would eat ``[n×n]``.
"""
from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from ..printing import text as fmt
from ..shapes import fmt_shape
from .common import failure_banner, heading, layout_note, notes, sections, variables_line

THEME = Theme({"eq": "bold", "shape": "cyan", "rule": "magenta", "note": "italic dim", "result": "bold green",
               "title": "bold", "phase": "bold blue"})


def _equation(step, width: int) -> str:
    """lhs = a = b, broken before each '=' and aligned when it does not fit the column."""
    sides = [fmt(s) for s in step.sides]
    line = " = ".join(sides)
    if len(line) <= width or len(sides) < 3:
        return line
    pad = " " * len(sides[0])
    return f"{sides[0]} = {sides[1]}\n" + "\n".join(f"{pad} = {s}" for s in sides[2:])


def _row(step, result=False, width=60):
    if result:
        eq = Text(_result_text(step), style="result")
    else:
        eq = Text(_equation(step, width), style="eq")
    if step.note:
        eq.append("\n" + step.note, style="note")
    return eq, Text(step.shape_text, style="shape"), Text(step.rule_text, style="rule")


def _result_text(step):
    from .. import expr as E
    from .text import _cases_lines

    value = step.sides[-1]
    if isinstance(value, E.Cases):
        return "\n".join(_cases_lines(fmt(step.sides[0]), value))
    return " = ".join(fmt(s) for s in step.sides)


def renderable(d, width=100):
    names = ", ".join(v.name for v in d.wrt)
    head = Text(failure_banner(d) + "\n" if failure_banner(d) else "", style="bold red")
    head.append(d.title + "\n" if d.title else "", style="title")
    head.append(f"{heading(d, fmt)}", style="eq")
    head.append(f"   with respect to {names}\n")
    head.append("   ".join(f"{v}: {s}" for v, s in variables_line(d, fmt, fmt_shape)), style="shape")
    head.append("\n" + layout_note(d), style="note")
    parts = [head]
    for sec in sections(d):
        result = sec.phase == "result"
        table = Table(show_header=False, box=None, pad_edge=False, expand=True)
        table.add_column("equation", overflow="fold", ratio=1, min_width=28)
        table.add_column("shape", no_wrap=True)
        table.add_column("rule", max_width=42)
        room = max(28, width - 8 - max(len(s.shape_text) + min(42, len(s.rule_text)) for s in sec.steps))
        for step in sec.steps:
            table.add_row(*_row(step, result, room))
        title = Text(sec.title if result else f"{sec.number}. {sec.title}", style="phase")
        parts.append(Panel(table, title=title, title_align="left", border_style="green" if result else "blue"))
    if notes(d):
        parts.append(Text("\n".join(f"• {note}" for note in notes(d)), style="note"))
    return Group(*parts)


def render(d, console=None) -> None:
    from rich.console import Console

    if console is None:
        console = Console(theme=THEME)
    else:
        console.push_theme(THEME)
    console.print(renderable(d, console.width))


def graph_tree(d):
    """The dataflow graph (symcalc.graph) as a Tree from the output back to the variables, each
    branch the edge's local derivative; a node reached twice is expanded only the first time."""
    from rich.tree import Tree

    from ..graph import graph

    g = graph(d)
    nodes, into = {n.name: n for n in g.nodes}, {}
    for e in g.edges:
        into.setdefault(e.target, []).append(e)
    tree = Tree(Text("Dataflow: each edge's local derivative, from the output back", style="phase"))
    seen: set = set()
    sources = {e.source for e in g.edges}
    # the output, then any variable no edge leaves (one of differentiation absent from the expression)
    for n in sorted(g.nodes, key=lambda n: n.kind != "output"):
        if n.kind == "output" or n.name not in sources:
            _grow(tree, n, None, nodes, into, seen)
    return tree


def _grow(parent, node, edge, nodes, into, seen) -> None:
    label = Text(f"{node.label} = {node.definition}" if node.definition else node.label, style="eq")
    label.append(f"  {node.shape}", style="shape")
    if edge is not None and edge.differentiated:
        label.append(f"   {edge.partial} = {edge.derivative}", style="result")
    if edge is not None and edge.rule:
        label.append(f"  {edge.rule}", style="rule")
    if edge is not None and not edge.carries:
        label.append("   (held constant)", style="note")
    again = node.name in seen and node.name in into
    label.append("   (expanded above)" if again else "", style="note")
    branch = parent.add(label)
    seen.add(node.name)
    for e in [] if again else into.get(node.name, []):
        _grow(branch, nodes[e.source], e, nodes, into, seen)


def graph_text(d, width: int = 100) -> str:
    """The tree as plain text (no ANSI codes), for the text format."""
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    Console(file=out, width=width, color_system=None, theme=THEME).print(graph_tree(d))
    return out.getvalue()
