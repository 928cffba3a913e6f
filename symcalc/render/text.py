"""Plain text: what a pipe or a file gets (no ANSI codes), in the paper's Unicode notation."""
from __future__ import annotations

from .. import expr as E
from ..printing import text as fmt
from ..shapes import fmt_shape
from .common import failure_banner, heading, layout_note, notes, sections, variables_line

WIDTH = 46


def equation(step) -> str:
    return " = ".join(fmt(s) for s in step.sides)


def _cases_lines(lhs, e) -> list[str]:
    pad = " " * (len(lhs) + 3)
    cond = fmt(e.arg)
    return [f"{lhs} = {fmt(e.below)}   if {cond} ≤ 0", f"{pad}{fmt(e.above)}   if {cond} > 0"]


def step_lines(step) -> list[str]:
    meta = "  ".join(x for x in (step.shape_text, step.rule_text) if x)
    value = step.sides[-1]
    if step.phase == "result" and isinstance(value, E.Cases):
        lines = _cases_lines(fmt(step.sides[0]), value)
        lines[0] = f"{lines[0]:<{WIDTH}}  {meta}"
    else:
        eq = equation(step)
        lines = [f"{eq:<{WIDTH}}  {meta}" if len(eq) <= WIDTH else eq]
        if len(eq) > WIDTH:
            lines.append(" " * 4 + meta)
    if step.note:
        lines.append("    " + step.note)
    return lines


def render(d) -> str:
    out = [failure_banner(d)] if failure_banner(d) else []
    if d.title:
        out.append(d.title)
    names = ", ".join(v.name for v in d.wrt)
    out.append(f"{heading(d, fmt)}, differentiated with respect to {names}")
    out.append("  " + "   ".join(f"{v}: {s}" for v, s in variables_line(d, fmt, fmt_shape)))
    out.append("  " + layout_note(d))
    for sec in sections(d):
        out.append("")
        out.append(f"{sec.number}. {sec.title}" if sec.phase != "result" else sec.title)
        for step in sec.steps:
            out.extend("   " + line for line in step_lines(step))
    if notes(d):
        out.append("")
        out.append("Notes")
        out.extend(f"   • {note}" for note in notes(d))
    return "\n".join(out) + "\n"
