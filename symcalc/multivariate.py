"""Gradients and Jacobians of scalar functions of several scalars (R2–R4, E3–E5).

Both return a :class:`~symcalc.expr.Block` that prints as the paper writes it and behaves like a
sympy Matrix of expressions: ``len``, iteration and ``g[k]`` go row by row, ``J[i, j]`` picks one
entry, ``.shape`` is (rows, columns).

>>> import symcalc as sc
>>> x, y = sc.scalar("x"), sc.scalar("y")
>>> f, g = 3 * x**2 * y, 2 * x + y**8
>>> grad = sc.gradient(f, [x, y])
>>> grad
[6x y, 3x²]
>>> grad[0], list(grad), grad.shape
(6x y, [6x y, 3x²], (1, 2))
>>> J = sc.jacobian([f, g], [x, y])
>>> J
[[6x y, 3x²], [2, 8y⁷]]
>>> J[1, 1], len(J)
(8y⁷, 4)
>>> sc.evaluate(J, {x: 1, y: 1}).tolist()
[[6.0, 3.0], [2.0, 8.0]]
"""
from __future__ import annotations

from collections.abc import Sequence

from . import expr as E
from .errors import ArgumentError, ShapeError
from .shapes import fmt_shape

_DERIVE_HINT = "for a vector or matrix use sc.derive(f, w).closed_form()"


def _function(f, what: str) -> E.Expr:
    if isinstance(f, (list, tuple)):
        raise ArgumentError(f"{what} takes one scalar function, not a {type(f).__name__}; "
                            "for several functions use sc.jacobian([f, g], [x, y])")
    f = E.as_expr(f)
    if not f.is_scalar:
        raise ShapeError(f"{what} takes scalar functions; {f} is {fmt_shape(f.shape)}: {_DERIVE_HINT}")
    return f


def _functions(functions) -> list[E.Expr]:
    if isinstance(functions, E.Block) and functions.shape[1] == 1:
        functions = list(functions)  # sc.stack([f, g]) is the same list written as a vector
    elif isinstance(functions, E.Expr):
        if not functions.is_scalar:
            raise ShapeError(f"jacobian takes a list of scalar functions, and {functions} is "
                             f"{fmt_shape(functions.shape)}: {_DERIVE_HINT}, or list its entries")
        functions = [functions]
    if not isinstance(functions, Sequence) or isinstance(functions, str) or not functions:
        raise ArgumentError(f"jacobian takes a non-empty list of scalar functions such as [f, g], not {functions!r}")
    return [_function(f, "jacobian") for f in functions]


def _variables(variables, functions, what: str) -> list[E.Var]:
    """Variables, or names of the functions' variables; a single one need not be in a list."""
    if variables is None:
        example = "f" if what == "gradient" else "[f, g]"
        raise ArgumentError(f"{what} needs the variables to differentiate by: sc.{what}({example}, [x, y])")
    if isinstance(variables, (E.Expr, str)):
        variables = [variables]
    if not isinstance(variables, Sequence) or not variables:
        raise ArgumentError(f"{what} takes a non-empty list of scalar variables such as [x, y], not {variables!r}")
    present = {v.name: v for f in functions for v in E.variables(f)}
    return [_variable(v, present, what) for v in variables]


def _variable(v, present: dict, what: str) -> E.Var:
    if isinstance(v, str):
        if v not in present:
            known = ", ".join(present) or "none"
            raise ArgumentError(f"{v!r} is not a variable of the function (its variables: {known}); "
                                "pass the variable itself or one of those names")
        v = present[v]
    if not isinstance(v, E.Var):
        raise ArgumentError(f"{what} differentiates by variables such as sc.scalar('x'), not {v!r}")
    if not v.is_scalar:
        raise ShapeError(f"{what} differentiates by scalars; {v} is {fmt_shape(v.shape)}: {_DERIVE_HINT}")
    return v


def _assembled(expr, variables) -> E.Block:
    from .derivation import derive

    d = derive(expr, list(variables))
    if len(variables) == 1:  # no ∇f step for a single variable: one partial, or one per function
        return E.block([[d.closed_form()]] if expr.is_scalar else [[e] for e in d.closed_form()])
    return d.steps[-1].sides[-1]  # the engine's own ∇f / J step (R3, R4)


def gradient(f: E.Expr, variables: Sequence[E.Var | str] | E.Var | str | None = None) -> E.Block:
    """∇f as a row of partials (R3), 1×n; one variable gives a 1×1 row.

    >>> x = E.scalar("x")
    >>> gradient(x ** 3, "x")
    [3x²]
    """
    f = _function(f, "gradient")
    return _assembled(f, _variables(variables, [f], "gradient"))


def jacobian(functions: Sequence[E.Expr] | E.Expr,
             variables: Sequence[E.Var | str] | E.Var | str | None = None) -> E.Block:
    """The gradients of each function stacked as rows (R4), m×n.

    >>> x, y = E.scalar("x"), E.scalar("y")
    >>> jacobian([x * y, x + y], "x")
    [y, 1]ᵀ
    """
    functions = _functions(functions)
    return _assembled(E.stack(functions), _variables(variables, functions, "jacobian"))
