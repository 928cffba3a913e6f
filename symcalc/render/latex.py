r"""LaTeX: the derivation as ``align*`` blocks, rule names as ``\text{}`` annotations."""
from __future__ import annotations

from ..printing import latex as fmt
from ..shapes import fmt_shape
from .common import heading, layout_note, sections


_TEXT_ESCAPES = {"·": r"$\cdot$", "−": "-", "–": "--", "∂": r"$\partial$", "ᵀ": r"$^T$", "&": r"\&",
                 "⊗": r"$\otimes$", "→": r"$\to$", "_": r"\_", "%": r"\%", "#": r"\#", "Σ": r"$\Sigma$"}


def tex_text(s: str) -> str:
    """Prose for \\text{} and paragraphs, with the Unicode pdflatex cannot take replaced."""
    return "".join(_TEXT_ESCAPES.get(c, c) for c in s)


def _shape(shape) -> str:
    return fmt_shape(shape).replace("×", r"\times ")


def _annotation(step) -> str:
    parts = []
    if step.factor_shapes:
        parts.append("".join(f"({_shape(s)})" for s in step.factor_shapes) + r" \to " + _shape(step.shape))
    else:
        parts.append(_shape(step.shape))
    text = tex_text(step.rule_text)
    return r"&& " + parts[0] + (rf" \quad \text{{{text}}}" if text else "")


def equation_line(step) -> str:
    lhs, *rest = (fmt(s) for s in step.sides)
    return f"{lhs} &= " + " = ".join(rest) + " " + _annotation(step)


def render(d, standalone: bool = False) -> str:
    body = []
    if d.title:
        body.append(rf"\section*{{{tex_text(d.title)}}}")
    names = ", ".join(fmt(v) for v in d.wrt)
    body.append(rf"\[ {heading(d, fmt)} \qquad \text{{with respect to }} {names} \]")
    shapes = ",\\ ".join(f"{v} \\in \\mathbb{{R}}^{{{_shape(s)}}}" for v, s in
                         ((fmt(var), var.shape) for var in _vars(d)))
    body.append(rf"\[ {shapes} \]")
    body.append(r"\noindent " + tex_text(layout_note(d)) + r"\par")
    for sec in sections(d):
        body.append(rf"\paragraph{{{sec.number}. {sec.title}}}" if sec.phase != "result" else r"\paragraph{Result}")
        body.append(r"\begin{align*}")
        body.append(" \\\\\n".join(equation_line(s) for s in sec.steps))
        body.append(r"\end{align*}")
        for s in sec.steps:
            if s.note:
                body.append(rf"\noindent\emph{{{tex_text(s.note)}}}\par")
    text = "\n".join(body) + "\n"
    if not standalone:
        return text
    return (
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n"
        "\\begin{document}\n" + text + "\\end{document}\n"
    )


def _vars(d):
    from ..expr import variables

    return variables(d.expr)
