r"""How names are spelled: Greek words as letters, digits and letters after ``_`` as subscripts, in
Unicode text and in LaTeX; a character TeX would act on is never passed through.

>>> text_name("beta_1"), text_name("x_i"), latex_name("beta_1"), latex_name("w", bold=True)
('β₁', 'xᵢ', '\\beta_{1}', '\\mathbf{w}')
"""
from __future__ import annotations

from .functions import FUNCTIONS

# A user's name that the printer also uses for a constant prints in mathematical italic (the
# parser reads it back as the same name): the identity keeps the paper's upright I.
_RESERVED_TEXT = {"I": "𝐼"}

GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
).split()
_GREEK_CHARS = "αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΦΨΩ"
_GREEK_TEXT = dict(zip(GREEK, _GREEK_CHARS))
_GREEK_LATEX = {c: "\\" + g for g, c in _GREEK_TEXT.items()}
_GREEK_LATEX["ο"] = "o"
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUBSCRIPT_LETTERS = dict(zip("aehijklmnoprstuvx", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))

_FUNCTION_SPELLINGS = frozenset({f.text for f in FUNCTIONS.values()} | set(FUNCTIONS) | {"diag", "sum", "max", "ln"})


def looks_like_function(name: str) -> bool:
    """A variable printed like a function name (sigma prints σ, as sigmoid does)."""
    return name in _FUNCTION_SPELLINGS or text_name(name) in _FUNCTION_SPELLINGS


def text_name(name: str) -> str:
    """``beta`` → β, ``x_1`` → x₁."""
    base, _, sub = name.partition("_")
    base = _GREEK_TEXT.get(base, _RESERVED_TEXT.get(base, base))
    if sub == "hat":
        return base + "\u0302"
    if sub.isdigit():
        return base + sub.translate(SUBSCRIPT)
    if sub and all(c in _SUBSCRIPT_LETTERS for c in sub):
        return base + "".join(_SUBSCRIPT_LETTERS[c] for c in sub)
    return f"{base}_{sub}" if sub else base


def latex_name(name: str, bold: bool = False) -> str:
    """``beta`` → \\beta, ``x_1`` → x_{1}, ``β`` → \\beta."""
    if "·" in name:  # a Hessian-vector product's v·∇f
        return r" \cdot ".join(latex_name(part, bold) for part in name.split("·"))
    if name.startswith("∇²"):  # a Hessian's label ∇²f
        return r"\nabla^{2} " + latex_name(name[2:], bold)
    if name.startswith("∇"):
        return r"\nabla " + latex_name(name[1:], bold)
    name = _tex_safe(name)
    base, _, sub = name.partition("_")
    if base in _GREEK_TEXT:
        base = "\\" + base
    elif all(c in _GREEK_LATEX for c in base):
        base = " ".join(_GREEK_LATEX[c] for c in base)
    elif len(base) > 1:
        base = rf"\mathrm{{{base}}}"
    if bold:
        base = rf"\mathbf{{{base}}}"
    if sub == "hat":
        return rf"\hat{{{base}}}"
    return f"{base}_{{{sub}}}" if sub else base


def _tex_safe(name: str) -> str:
    """Names are checked at entry; should one ever carry a character TeX would act on, it is
    spelled as its code point, never passed through (a backslash here could \\input a file)."""
    return "".join(c if c.isalnum() and (c.isascii() or c in _GREEK_LATEX) or c == "_" else f"U{ord(c):04X}"
                   for c in name)
