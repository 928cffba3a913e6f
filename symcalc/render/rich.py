"""The terminal view: a panel per phase, each step a row of equation, shape and rule.

Laid out for the console's width: where the three columns leave the equation too little room, the
shape and rule go on a line of their own under the equation, and long equations break at '=' and at
top-level + and − with hanging indents (common.break_equation), never at the panel's edge.
Mathematics goes in as ``Text`` objects, never as markup strings: rich would eat ``[n×n]``.
"""
from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from .. import expr as E
from ..printing import text as fmt
from ..shapes import fmt_shape
from .common import (break_equation, cases_lines, cells, failure_banner, heading, layout_note, notes,
                     plain_vectors, sections, variables_line)

THEME = Theme({"eq": "bold", "shape": "cyan", "rule": "magenta", "note": "italic dim", "result": "bold green",
               "title": "bold", "phase": "bold blue"})
RULE_WIDTH = 42  # the rule column wraps beyond this
RULE_MIN = 24
ROOMY = 40  # an equation column at least this wide keeps the three-column layout
FRAME = 4  # a panel's border and padding, both sides


def _lines(step, width: int) -> list[str]:
    value = step.sides[-1]
    if step.phase == "result" and isinstance(value, E.Cases):
        return cases_lines(fmt(step.sides[0]), value, fmt, width)
    return break_equation([fmt(s) for s in step.sides], width)


def _equation(step, width: int, fix) -> Group:
    style = "result" if step.phase == "result" else "eq"
    parts = [Text(fix("\n".join(_lines(step, width))), style=style)]
    if step.note:  # a note hangs under its equation, indented, however it wraps
        parts.append(Padding(Text(fix(step.note), style="note"), (0, 0, 0, 2)))
    return Group(*parts)


def _meta(step) -> tuple[Text, Text]:
    return Text(step.shape_text, style="shape"), Text(step.rule_text, style="rule")


def _columns(steps, inner: int) -> int | None:
    """The equation column's width when equation, shape and rule fit side by side, else None.
    The rule column may wrap down to RULE_MIN cells so that a short equation keeps its row."""
    shape = max(cells(s.shape_text) for s in steps)
    rule = min(RULE_WIDTH, max(cells(s.rule_text) for s in steps))
    widest = max(cells(line) for s in steps for line in _lines(s, 10_000))
    room = inner - shape - rule - 4  # two gaps of two cells between the columns
    if room >= min(ROOMY, widest):
        return room
    return widest if inner - shape - 4 - widest >= min(rule, RULE_MIN) else None


def _table(steps, inner: int, fix) -> Table:
    room = _columns(steps, inner)
    table = Table(show_header=False, box=None, pad_edge=False, expand=True)
    if room is not None:
        squeezed = room < ROOMY  # the equations keep their width, the rules wrap
        table.add_column("equation", width=room if squeezed else None, ratio=None if squeezed else 1,
                         min_width=None if squeezed else ROOMY)
        table.add_column("shape", no_wrap=True)
        table.add_column("rule", ratio=1 if squeezed else None, max_width=None if squeezed else RULE_WIDTH)
        for step in steps:
            table.add_row(_equation(step, room, fix), *_meta(step))
        return table
    table.add_column("step", ratio=1)
    for step in steps:  # narrow: shape and rule on their own line, hanging under the equation
        shape, rule = _meta(step)
        meta = Text.assemble(shape, "  " if step.rule_text else "", rule)
        table.add_row(Group(_equation(step, inner, fix), Padding(meta, (0, 0, 0, 4))))
    return table


def _head(d, fix) -> Text:
    names = ", ".join(v.name for v in d.wrt)
    head = Text(failure_banner(d) + "\n" if failure_banner(d) else "", style="bold red")
    head.append(d.title + "\n" if d.title else "", style="title")
    head.append(fix(heading(d, fmt)), style="eq")
    head.append(f"   with respect to {names}\n")
    head.append("   ".join(f"{v}: {s}" for v, s in variables_line(d, fmt, fmt_shape)), style="shape")
    head.append("\n" + layout_note(d), style="note")
    return head


def _notes(d, fix) -> Table:
    """Bullets with a hanging indent: a wrapped note continues under its own text, not under the •."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for note in notes(d):
        grid.add_row(Text("•", style="note"), Text(fix(note), style="note"))
    return grid


def renderable(d, width=100, ascii=False):
    fix = plain_vectors if ascii else (lambda s: s)
    parts = [_head(d, fix)]
    for sec in sections(d):
        result = sec.phase == "result"
        title = Text(sec.title if result else f"{sec.number}. {sec.title}", style="phase")
        parts.append(Panel(_table(sec.steps, width - FRAME, fix), title=title, title_align="left",
                           border_style="green" if result else "blue"))
    if notes(d):
        parts.append(_notes(d, fix))
    return Group(*parts)


def render(d, console=None, ascii=False) -> None:
    from rich.console import Console

    console = console or Console()
    with console.use_theme(THEME):  # popped again: the caller's console keeps its own theme
        console.print(renderable(d, console.width, ascii))


def segments(d, console, options, ascii=False) -> list:
    """What :func:`render` prints, as segments for rich's console protocol (``Derivation.__rich_console__``),
    laid out for ``options.max_width``. They are rendered here, in full, under symcalc's theme, which is
    popped again before they are returned: the caller's console keeps its own theme."""
    with console.use_theme(THEME):
        return list(console.render(renderable(d, options.max_width, ascii), options))


def render_graph(d, console, ascii=False) -> None:
    """Print the dataflow tree (``--graph``) in symcalc's theme."""
    with console.use_theme(THEME):
        console.print(graph_tree(d, ascii))


def graph_tree(d, ascii=False):
    """The dataflow graph (symcalc.graph) as a Tree from the output back to the variables, each
    branch the edge's local derivative; a node reached twice is expanded only the first time.
    ``ascii``: 1⃗ 0⃗ as 𝟙 𝟘, as in the derivation above it (--ascii)."""
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
            _grow(tree, n, None, nodes, into, seen, plain_vectors if ascii else str)
    return tree


def _grow(parent, node, edge, nodes, into, seen, fix=str) -> None:
    label = Text(fix(f"{node.label} = {node.definition}" if node.definition else node.label), style="eq")
    label.append(f"  {node.shape}", style="shape")
    if edge is not None and edge.differentiated:
        label.append(fix(f"   {edge.partial} = {edge.derivative}"), style="result")
    if edge is not None and edge.rule:
        label.append(fix(f"  {edge.rule}"), style="rule")
    if edge is not None and not edge.carries:
        label.append("   (held constant)", style="note")
    again = node.name in seen and node.name in into
    label.append("   (expanded above)" if again else "", style="note")
    branch = parent.add(label)
    seen.add(node.name)
    for e in [] if again else into.get(node.name, []):
        _grow(branch, nodes[e.source], e, nodes, into, seen, fix)


def graph_text(d, width: int = 100, ascii=False) -> str:
    """The tree as plain text (no ANSI codes), for the text format."""
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    Console(file=out, width=width, color_system=None, theme=THEME).print(graph_tree(d, ascii))
    return out.getvalue()
