"""Safe Python text from symcalc's names and prose: identifiers, comments and docstrings.

Generated code is built from a derivation's tree, never from user text run as code. The only user
text that reaches it is names (of variables, intermediates, sizes) and prose (titles, the math
shown in comments), and each passes through here first: a name becomes an ASCII identifier that
is no keyword, builtin or name the module uses itself (δ_2 → delta_2, lambda → lambda_); a comment
loses its line breaks; a docstring has its backslashes and quotes escaped.

>>> n = Namer()
>>> n.name("δ_2"), n.name("lambda"), n.name("x₁"), n.name("np")
('delta_2', 'lambda_', 'x_1', 'np_')
>>> n.renamed
[('δ_2', 'delta_2'), ('lambda', 'lambda_'), ('x₁', 'x_1'), ('np', 'np_')]
>>> print(comment("a" + chr(10) + "import os"))
a import os
>>> print(docstring_text(chr(34) * 3 + " and " + chr(92)))
\\"\\"\\" and \\\\
"""
from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

from ..names import normalize_name
from ..spelling import GREEK

_GREEK_WORDS = dict(zip("αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΦΨΩ", GREEK))
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789aehijklmnoprstuvx")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Names the generated module uses itself: its imports, the helpers' and the function's own.
MODULE_NAMES = frozenset({"np", "torch", "jax", "jnp", "functools", "math", "dtype", "value_and_grad"})


def _ascii_word(name: str) -> str:
    """Greek letters spelled out, subscripts as _digits, anything else as its code point."""
    out = []
    for ch in unicodedata.normalize("NFKC", normalize_name(str(name)).translate(_SUBSCRIPTS)):
        if ch.isascii() and (ch.isalnum() or ch == "_"):
            out.append(ch)
        elif ch in _GREEK_WORDS:
            out.append(("_" if out and out[-1] != "_" else "") + _GREEK_WORDS[ch])
        else:
            out.append(f"_u{ord(ch):04x}_")
    word = re.sub(r"_+", "_", "".join(out)).strip("_")
    return word if word[:1].isalpha() else "v_" + word


def is_safe(word: str) -> bool:
    """An ASCII identifier the generated code may bind: no keyword, soft keyword, builtin or module name."""
    return bool(_IDENTIFIER.match(word)) and not (keyword.iskeyword(word) or keyword.issoftkeyword(word)
                                                  or hasattr(builtins, word) or word in MODULE_NAMES)


class Namer:
    """Distinct safe identifiers for the names of one generated function, the renamed ones recorded."""

    def __init__(self, taken=()):
        self.taken = set(taken)
        self.given: dict = {}  # original name → identifier
        self.renamed: list = []  # (original, identifier) where they differ, for a comment

    def name(self, original: str, space: str = "") -> str:
        """The identifier for ``original``, the same each time it is asked for; names in another
        ``space`` (a size n beside a variable n) get identifiers of their own."""
        key = (space, original)
        if key not in self.given:
            self.given[key] = self.fresh(_ascii_word(original))
            if self.given[key] != original:
                self.renamed.append((f"{space} {original}".strip(), self.given[key]))
        return self.given[key]

    def fresh(self, stem: str) -> str:
        """``stem``, or ``stem_`` / ``stem_2``, ... when taken or unsafe: a name for the code's own values."""
        word = stem if is_safe(stem) else stem + "_"
        k = 1
        while not is_safe(word) or word in self.taken:
            k += 1
            word = f"{stem}_{k}"
        self.taken.add(word)
        return word


_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def comment(text: str, limit: int = 100) -> str:
    """One line of comment text: control characters, line breaks and surrogates become spaces, and a
    long text is cut with an ellipsis (the comment says where a line comes from, not all of it)."""
    flat = re.sub(r"\s+", " ", _BREAKS.sub(" ", str(text))).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def docstring_text(text: str) -> str:
    """Text safe inside a triple-quoted docstring: backslashes and quotes escaped, control characters
    (but newlines) and surrogates as escapes, so nothing can end the string early."""
    out = []
    for ch in str(text):
        if ch == "\\" or ch == '"':
            out.append("\\" + ch)
        elif ch != "\n" and _BREAKS.match(ch):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) > 0xFF else f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)
