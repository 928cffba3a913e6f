"""Markdown with ``$$…$$`` math (GitHub, GitLab, Jupyter and VS Code render it)."""
from __future__ import annotations

import html
import re

from ..printing import latex as fmt
from .common import failure_banner, heading, layout_note, notes, sections
from ..shapes import fmt_shape


_MARKUP = re.compile(r"([\\*_\[\]#|$~])")  # not `: a code span shows its text as typed


def md_text(s: str) -> str:
    """Prose for Markdown: HTML escaped, Markdown's and math's punctuation backslashed, so a title or
    note shows as typed and never becomes a link, a heading, math or a <script>."""
    return _MARKUP.sub(r"\\\1", html.escape(s, quote=False))


def _step(step) -> str:
    lhs, *rest = (fmt(s) for s in step.sides)
    meta = f"`{step.shape_text}`" + (f" — {md_text(step.rule_text)}" if step.rule_text else "")
    note = f"\n\n*{md_text(step.note)}*" if step.note else ""
    return f"$$ {lhs} = {' = '.join(rest)} $$\n\n{meta}{note}"


def render(d) -> str:
    out = [f"# {md_text(d.title)}" if d.title else "# Derivation", ""]
    out += [f"**{md_text(failure_banner(d))}**", ""] if failure_banner(d) else []
    names = ", ".join(f"${fmt(v)}$" for v in d.wrt)
    out += [f"$$ {heading(d, fmt)} $$", "", f"Differentiated with respect to {names}; {md_text(layout_note(d))}.", ""]
    from ..expr import variables

    out += ["| variable | shape |", "|---|---|"]
    # the shape as code, as under each step: n×1 in math mode came out split over two columns in Jupyter
    out += [f"| ${fmt(v)}$ | `{fmt_shape(v.shape)}` |" for v in variables(d.expr)]
    for sec in sections(d):
        out += ["", f"## {sec.title}" if sec.phase == "result" else f"## {sec.number}. {sec.title}", ""]
        out += [_step(s) + "\n" for s in sec.steps]
    if notes(d):
        out += ["", "## Notes", ""] + [f"- {md_text(n)}" for n in notes(d)]
    return "\n".join(out).rstrip() + "\n"


def values(d, check=None, points=None) -> str:
    """--check and --at in the document: the verdict as prose, each derivative's value at the point in
    a code block as numpy prints it."""
    from .common import array_text

    out = []
    if check is not None:
        out += ["## Check", "", md_text(str(check)), ""]
    if points:
        out += ["## At the point", ""]
        for v, value in points:
            out += [rf"$\partial {fmt(d.output)} / \partial {fmt(v)}$ ({d.layout} layout):", "", "```text",
                    array_text(value), "```", ""]
    return "\n" + "\n".join(out).rstrip() + "\n" if out else ""
