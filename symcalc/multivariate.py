"""Gradients and Jacobians of scalar functions of several scalars (R2–R4, E3–E5).

>>> import symcalc as sc
>>> x, y = sc.scalar("x"), sc.scalar("y")
>>> f, g = 3 * x**2 * y, 2 * x + y**8
>>> print(sc.gradient(f, [x, y]))
[6x y, 3x²]
>>> J = sc.jacobian([f, g], [x, y])
>>> print(J)
[[6x y, 3x²], [2, 8y⁷]]
>>> sc.evaluate(J, {x: 1, y: 1}).tolist()
[[6.0, 3.0], [2.0, 8.0]]
"""
from __future__ import annotations

from . import expr as E
from .errors import ShapeError
from .shapes import fmt_shape


def _scalars(items, what):
    items = [E.as_expr(e) for e in items]
    for e in items:
        if not e.is_scalar:
            raise ShapeError(f"{what} takes scalars; {e} is {fmt_shape(e.shape)}")
    return items


def _assembled(expr, variables):
    from .derivation import derive

    d = derive(expr, list(variables))
    return d.steps[-1].sides[-1]  # the engine's own ∇f / J step (R3, R4)


def gradient(f, variables) -> E.Expr:
    """∇f as a row of partials (R3); one variable gives the single partial."""
    f, *variables = _scalars([f, *variables], "gradient")
    if len(variables) == 1:
        from .derivation import derive

        return derive(f, variables).closed_form()
    return _assembled(f, variables)


def jacobian(functions, variables) -> E.Expr:
    """The gradients of each function stacked as rows (R4), m×n."""
    functions = _scalars(functions, "jacobian")
    variables = _scalars(variables, "jacobian")
    if len(variables) == 1:
        from .derivation import derive

        return E.stack([derive(f, variables).closed_form() for f in functions])
    return _assembled(E.stack(functions), variables)
