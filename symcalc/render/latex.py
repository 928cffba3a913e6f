r"""LaTeX: the derivation as ``align*`` blocks, rule names as ``\text{}`` annotations."""
from __future__ import annotations

import unicodedata

from ..printing import latex as fmt
from ..shapes import fmt_shape
from .common import failure_banner, heading, layout_note, notes, sections


_TEXT_ESCAPES = {
    "·": r"$\cdot$", "−": "-", "–": "--", "—": "---", "∂": r"$\partial$", "ᵀ": r"$^T$", "&": r"\&",
    "⊗": r"$\otimes$", "⊘": r"$\oslash$", "→": r"$\to$", "_": r"\_", "%": r"\%", "#": r"\#",
    "Σ": r"$\Sigma$", "≤": r"$\le$", "≥": r"$\ge$", "×": r"$\times$", "²": r"$^2$", "³": r"$^3$",
    "σ": r"$\sigma$", "η": r"$\eta$", "∇": r"$\nabla$", "…": r"\ldots{}", "•": r"\textbullet{}",
    "≈": r"$\approx$", "≠": r"$\neq$", "$": r"\$", "{": r"\{", "}": r"\}", "^": r"\^{}", "~": r"\~{}",
    "\\": r"\textbackslash{}", "‖": r"$\|$", "ŵ": r"$\hat{w}$", "𝐼": "$I$", "<": r"$<$", ">": r"$>$",
    "←": r"$\leftarrow$", "↦": r"$\mapsto$", "∈": r"$\in$", "∑": r"$\Sigma$", "⊙": r"$\odot$", "≔": r"$:=$",
    "|": r"$|$",
}


_PAIRS = {"1⃗": r"$\vec{1}$", "0⃗": r"$\vec{0}$", "x̂": r"$\hat{x}$"}


def tex_text(s: str) -> str:
    """Prose for \\text{} and paragraphs, with what pdflatex cannot take replaced."""
    out = []
    for i, c in enumerate(s):
        pair = s[i : i + 2]
        if pair in _PAIRS:
            out.append(_PAIRS[pair])
        elif c in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[c])
        elif ord(c) < 128:
            out.append(c)
        elif unicodedata.category(c).startswith("M"):
            continue  # a combining mark with no plain-TeX spelling
        else:
            out.append(_script(c) or _greek(c))
    return "".join(out)


def _script(c: str) -> str:
    """ᵢ → $_{i}$, ⁸ → $^{8}$: Unicode sub- and superscripts as TeX's (pdflatex has no glyph for them)."""
    kind, _, code = unicodedata.decomposition(c).partition(" ")
    if kind not in ("<sub>", "<super>") or not code:
        return ""
    base = chr(int(code, 16))
    inner = tex_text(base).strip("$") if not base.isascii() else base
    return f"$_{{{inner}}}$" if kind == "<sub>" else f"$^{{{inner}}}$"


def _greek(c: str) -> str:
    name = unicodedata.name(c, "").lower()
    if name.startswith("greek small letter "):
        return rf"$\{name.split()[-1]}$"
    if name.startswith("greek capital letter "):
        return rf"$\{name.split()[-1].capitalize()}$"
    return "?"


def _shape(shape) -> str:
    return fmt_shape(shape).replace("×", r"\times ")


def _annotation(step) -> str:
    parts = []
    if step.factor_shapes:
        parts.append("".join(f"({_shape(s)})" for s in step.factor_shapes) + r" \to " + _shape(step.shape))
    else:
        parts.append(_shape(step.shape))
    text = tex_text(step.rule_text)
    if len(step.rule_text) > RULES_INLINE:  # the backward pass's lists of rules: wrapped in a column of their
        # own, as the text formats wrap them, not run off the page in one line
        return r"&& " + parts[0] + rf" \quad \parbox[t]{{{RULES_WIDTH}}}{{\raggedright\footnotesize {text}}}"
    return r"&& " + parts[0] + (rf" \quad \text{{{text}}}" if text else "")


RULES_INLINE = 40  # characters of rule names kept on one line beside the shape
RULES_WIDTH = r"0.3\linewidth"


def equation_line(step) -> str:
    lhs, *rest = (fmt(s) for s in step.sides)
    return f"{lhs} &= " + " = ".join(rest) + " " + _annotation(step)


def render(d, standalone: bool = False) -> str:
    body = []
    if d.title:
        body.append(rf"\section*{{{tex_text(d.title)}}}")
    if failure_banner(d):
        body.append(rf"\noindent\textbf{{{tex_text(failure_banner(d))}}}\par")
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
    if notes(d):
        body.append(r"\paragraph{Notes}")
        body.append("\\begin{itemize}\n" + "\n".join(rf"\item {tex_text(n)}" for n in notes(d)) + "\n\\end{itemize}")
    text = "\n".join(body) + "\n"
    return document(text) if standalone else text


def values(d, check=None, points=None) -> str:
    """--check and --at in the document (so stdout stays one LaTeX document): the verdict as a
    paragraph, each derivative's value at the point verbatim as numpy prints it."""
    from .common import array_text

    out = []
    if check is not None:
        out.append(rf"\paragraph{{Check}} {tex_text(str(check))}\par")
    if points:
        out.append(r"\paragraph{At the point}")
        for v, value in points:
            out.append(rf"\noindent $\partial {fmt(d.output)} / \partial {fmt(v)}$ ({d.layout} layout):")
            out.append("\\begin{verbatim}\n" + array_text(value) + "\n\\end{verbatim}")
    return "\n".join(out) + "\n" if out else ""


def document(body: str) -> str:
    """A complete pdflatex document around rendered derivations."""
    return (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n"
        "\\allowdisplaybreaks\n\\begin{document}\n" + body + "\\end{document}\n"
    )


def _vars(d):
    from ..expr import variables

    return variables(d.expr)
