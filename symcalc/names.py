"""One spelling per name, shared by every entry point: x₁ is x_1, xₐ is x_a, 𝐼 is I.

The parser, declarations, --wrt, --at, spec files and the API's wrt and value keys all pass names
through :func:`normalize_name`, so a name means the same variable wherever it is typed.

>>> normalize_name("x₁"), normalize_name("x_₁₂"), normalize_name("wₐ"), normalize_name("𝐼")
('x_1', 'x_12', 'w_a', 'I')
"""
from __future__ import annotations

import re
import unicodedata

_SUB_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
_SUB_LETTERS = "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
_PLAIN = str.maketrans(_SUB_DIGITS + _SUB_LETTERS, "0123456789" + "aehijklmnoprstuvx")
_SUBSCRIPT_RUN = re.compile(f"_*([{_SUB_DIGITS}]+|[{_SUB_LETTERS}]+)")


def normalize_name(name):
    """The canonical spelling of a variable name (non-strings pass through for the caller to refuse)."""
    if not isinstance(name, str):
        return name
    name = _SUBSCRIPT_RUN.sub(lambda m: "_" + m.group(1).translate(_PLAIN), name)
    # NFKC folds mathematical italic/bold letters (how the printer marks a user's I) to plain ones
    return unicodedata.normalize("NFKC", name)
