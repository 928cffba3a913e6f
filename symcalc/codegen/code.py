"""A value in generated code: its text, how tightly it binds, and the shape numpy will give it.

>>> a, b = Code("a + b", SUM, (ONE, ONE)), Code("x", ATOM)
>>> f"{a.at(PRODUCT)} * {b.at(UNARY)}"
'(a + b) * x'
>>> import sympy
>>> broadcast((sympy.Symbol("N"), ONE), (ONE, sympy.Symbol("m")), ())
(N, m)
"""
from __future__ import annotations

from dataclasses import dataclass

from ..shapes import ONE

# Python's precedence, loosest first: a value is parenthesized where it is looser than its place needs.
COMPARE, SUM, MATPROD, PRODUCT, UNARY, POWER, ATOM = range(7)  # MATPROD: @, as * to Python, but
# parenthesized inside an element-wise product for the reader: (δ @ Wᵀ) * (1 - H ** 2)

@dataclass(frozen=True)
class Code:
    """Code for a value: its text, how tightly it binds, and the shape numpy gives it: () for a 0-d
    scalar or a number, else (rows, cols) with 1 along each axis the value is still broadcast along.
    With ``diag``, the value is the diagonal matrix diag(text): the text is its diagonal, a column (or
    a number, for a multiple of I), and the n×n matrix is built only where something needs it."""

    text: str
    prec: int = ATOM
    shape: tuple = ()
    diag: bool = False

    def with_text(self, text: str, prec: int, shape=None) -> "Code":
        """The same kind of value (diagonal or not) with other text."""
        return Code(text, prec, self.shape if shape is None else shape, self.diag)

    def at(self, prec: int) -> str:
        """The text, parenthesized unless it binds at least as tightly as ``prec``."""
        return self.text if self.prec >= prec else f"({self.text})"


def broadcast(*shapes) -> tuple:
    """numpy's shape of an element-wise result: along each axis, the operands' length other than 1."""
    shapes = [s for s in shapes if s != ()]
    if not shapes:
        return ()
    return tuple(next((s[i] for s in shapes if s[i] != ONE), ONE) for i in (0, 1))


def trivial(code: Code) -> bool:
    """A name, a number or a transposed name: nothing to compute, so never worth a temporary."""
    text = code.text[1:] if code.text.startswith("-") else code.text
    return text.removesuffix(".T").replace("_", "").replace(".", "").isalnum()
