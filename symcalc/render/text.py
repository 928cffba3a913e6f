"""Plain text: what a pipe or a file gets (no ANSI codes), in the paper's Unicode notation.

Columns are measured in display cells (``cells``), so rows holding 1⃗ line up with the rest.
"""
from __future__ import annotations

from .. import expr as E
from ..printing import text as fmt
from ..shapes import fmt_shape
from .common import (break_equation, cases_lines, cells, failure_banner, heading, layout_note, notes,
                     plain_vectors, sections, variables_line, wrap)

WIDTH = 46  # the equation column
PAGE = 110  # the command line's piped text: a page wide enough for the chain rule's shape and rule beside most equations


def equation(step) -> str:
    return " = ".join(fmt(s) for s in step.sides)


def _cases_lines(lhs, e, width=10_000) -> list[str]:
    return cases_lines(lhs, e, fmt, width)


def _beside(first: str, meta: str) -> str:
    return first + " " * (WIDTH - cells(first)) + "  " + meta


def step_lines(step, width=PAGE) -> list[str]:
    """The equation, with its shape and rule beside it when they fit, else on a line of their own."""
    meta = "  ".join(x for x in (step.shape_text, step.rule_text) if x)
    value = step.sides[-1]
    if step.phase == "result" and isinstance(value, E.Cases):
        lines = _cases_lines(fmt(step.sides[0]), value, width)
    else:
        lines = break_equation([fmt(s) for s in step.sides], width)
    if cells(lines[0]) <= WIDTH and WIDTH + 2 + cells(meta) <= width:
        lines[0] = _beside(lines[0], meta)
    elif meta:
        lines += wrap(meta, width, "    ", "      ")
    if step.note:
        lines += wrap(step.note, width, "    ", "    ")
    return lines


def render(d, width=None, ascii=False) -> str:
    """``width=None`` (the Python API's d.text()): nothing is wrapped; the command line passes PAGE."""
    width = width or 10_000
    out = [failure_banner(d)] if failure_banner(d) else []
    if d.title:
        out += wrap(d.title, width)
    names = ", ".join(v.name for v in d.wrt)
    out.append(f"{heading(d, fmt)}, differentiated with respect to {names}")
    out.append("  " + "   ".join(f"{v}: {s}" for v, s in variables_line(d, fmt, fmt_shape)))
    out += wrap(layout_note(d), width, "  ", "  ")
    for sec in sections(d):
        out.append("")
        out.append(f"{sec.number}. {sec.title}" if sec.phase != "result" else sec.title)
        for step in sec.steps:
            out.extend("   " + line for line in step_lines(step, width - 3))
    if notes(d):
        out.append("")
        out.append("Notes")
        for note in notes(d):
            out += wrap(note, width, "   • ", "     ")
    text = "\n".join(out) + "\n"
    return plain_vectors(text) if ascii else text
