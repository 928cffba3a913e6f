"""Gradients and Jacobians of scalar functions of several scalars (R2–R4, E3–E5).

>>> import symcalc as sc
>>> x, y = sc.scalar("x"), sc.scalar("y")
>>> f, g = 3 * x**2 * y, 2 * x + y**8
>>> print(sc.gradient(f, [x, y]))
[6x y, 3x²]
>>> print(sc.jacobian([f, g], [x, y]))
[[6x y, 3x²], [2, 8y⁷]]
"""
from __future__ import annotations

from dataclasses import dataclass

from . import expr as E
from .errors import ShapeError
from .shapes import fmt_shape


@dataclass(frozen=True)
class Matrix:
    """A small explicit matrix of scalar expressions (rows of partials), numerator layout."""

    rows: tuple

    @property
    def shape(self):
        return (len(self.rows), len(self.rows[0]))

    def __str__(self):
        inner = ", ".join("[" + ", ".join(str(e) for e in row) + "]" for row in self.rows)
        return inner if len(self.rows) == 1 else f"[{inner}]"

    def __getitem__(self, ij):
        i, j = ij
        return self.rows[i][j]

    def evaluate(self, values):
        import numpy as np

        from .evaluate import evaluate

        return np.array([[evaluate(e, values) for e in row] for row in self.rows])

    def sympy(self):
        import sympy

        from .bridge import to_sympy

        return sympy.Matrix([[to_sympy(e) for e in row] for row in self.rows])


def _check_scalars(items, what):
    for e in items:
        if not E.as_expr(e).is_scalar:
            raise ShapeError(f"{what} takes scalars; {e} is {fmt_shape(E.as_expr(e).shape)}")


def partials(f, variables):
    """The partial derivatives ∂f/∂xᵢ (R2), each derived by the engine."""
    from .derivation import derive

    _check_scalars([f, *variables], "gradient")
    d = derive(f, list(variables))
    return [d.closed_form(v) for v in variables]


def gradient(f, variables) -> Matrix:
    """∇f as a row of partials (R3)."""
    return Matrix((tuple(partials(f, variables)),))


def jacobian(functions, variables) -> Matrix:
    """The gradients of each function stacked as rows (R4), m×n."""
    return Matrix(tuple(tuple(partials(f, variables)) for f in functions))
