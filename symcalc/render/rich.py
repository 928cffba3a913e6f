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
