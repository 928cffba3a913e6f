"""Markdown with ``$$…$$`` math (GitHub, GitLab, Jupyter and VS Code render it)."""
from __future__ import annotations

from ..printing import latex as fmt
from .common import failure_banner, heading, layout_note, notes, sections
from ..shapes import fmt_shape


def _step(step) -> str:
    lhs, *rest = (fmt(s) for s in step.sides)
    meta = f"`{step.shape_text}`" + (f" — {step.rule_text}" if step.rule_text else "")
    note = f"\n\n*{step.note}*" if step.note else ""
    return f"$$ {lhs} = {' = '.join(rest)} $$\n\n{meta}{note}"


def render(d) -> str:
    out = [f"# {d.title}" if d.title else "# Derivation", ""]
    out += [f"**{failure_banner(d)}**", ""] if failure_banner(d) else []
    names = ", ".join(f"${fmt(v)}$" for v in d.wrt)
    out += [f"$$ {heading(d, fmt)} $$", "", f"Differentiated with respect to {names}; {layout_note(d)}.", ""]
    from ..expr import variables

    out += ["| variable | shape |", "|---|---|"]
    # the shape as code, as under each step: n×1 in math mode came out split over two columns in Jupyter
    out += [f"| ${fmt(v)}$ | `{fmt_shape(v.shape)}` |" for v in variables(d.expr)]
    for sec in sections(d):
        out += ["", f"## {sec.title}" if sec.phase == "result" else f"## {sec.number}. {sec.title}", ""]
        out += [_step(s) + "\n" for s in sec.steps]
    if notes(d):
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes(d)]
    return "\n".join(out).rstrip() + "\n"
