"""symcalc: the matrix calculus of deep learning, derived step by step (Parr & Howard).

>>> import symcalc as sc
>>> w, x, b = sc.vector("w"), sc.vector("x"), sc.scalar("b")
>>> print(sc.derive(w @ x + b, w).closed_form())
xᵀ

Names that would shadow a builtin carry a trailing underscore (``sum_``, ``abs_``), so
``from symcalc import *`` leaves ``sum``, ``abs`` and ``max`` alone. ``sc.sum`` and ``sc.abs``
stay as attributes (the paper's names), outside ``__all__``.
"""
from __future__ import annotations

from typing import Any

from .derivation import Derivation, derive
from .errors import ArgumentError, ParseError, ShapeError, SymcalcError, UnsupportedError, VerificationError
from .expr import Expr, const, diag, dot, matrix, maximum, relu, scalar, stack, sum_, vector
from .functions import BUILDERS
from .multivariate import gradient, jacobian
from .parse import parse


def _version() -> str:
    """The installed distribution's version; a source tree that was never installed has none."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("symcalc")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()


def evaluate(expr: Expr, values: dict[Any, Any], sizes: dict | None = None) -> Any:
    """The value of an expression at a point, values keyed by variable or name (numpy on first use).

    >>> x = scalar("x")
    >>> evaluate(x ** 2, {x: 3}), evaluate(x ** 2, {"x": 3})
    (9.0, 9.0)
    """
    from .derivation import by_var
    from .expr import as_expr
    from .numeric import evaluate as _evaluate

    expr = as_expr(expr)
    return _evaluate(expr, by_var(expr, values), sizes)


globals().update(BUILDERS)  # exp, log, ln, ...: one per function record, aliases included
sum = sum_  # noqa: A001 - the paper's name, for sc.sum(...); not exported by *
abs = BUILDERS["abs_"]  # noqa: A001 - likewise sc.abs(...)

__all__ = [
    "Derivation", "derive", "ArgumentError", "ParseError", "ShapeError", "SymcalcError", "UnsupportedError",
    "VerificationError", "Expr", "evaluate", "const", "diag", "dot", "matrix", "maximum", "relu", "scalar", "stack",
    "sum_", "vector", *BUILDERS, "gradient", "jacobian", "parse", "__version__",
]
