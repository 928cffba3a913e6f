"""symcalc: the matrix calculus of deep learning, derived step by step (Parr & Howard).

>>> import symcalc as sc
>>> w, x, b = sc.vector("w"), sc.vector("x"), sc.scalar("b")
>>> print(sc.derive(w @ x + b, w).closed_form())
xᵀ
"""
from .derivation import Derivation, derive
from .errors import ArgumentError, ParseError, ShapeError, SymcalcError, UnsupportedError, VerificationError
from .expr import const, diag, dot, matrix, maximum, relu, scalar, stack, sum_, vector
from .functions import abs_, cos, exp, log, sigmoid, sin, sqrt, tan, tanh
from .multivariate import gradient, jacobian
from .parse import parse

def evaluate(expr, values, sizes=None):
    """The value of an expression at a point (numpy is imported on first use).

    >>> x = scalar("x")
    >>> evaluate(x ** 2, {x: 3})
    9.0
    """
    from .derivation import by_var
    from .expr import as_expr
    from .numeric import evaluate as _evaluate

    expr = as_expr(expr)
    return _evaluate(expr, by_var(expr, values), sizes)


sum = sum_  # noqa: A001 - the paper's name; the builtin stays reachable as builtins.sum
ln = log

__all__ = [
    "Derivation", "derive", "ArgumentError", "ParseError", "ShapeError", "SymcalcError", "UnsupportedError", "VerificationError",
    "evaluate", "const", "diag", "dot", "matrix", "maximum", "relu", "scalar", "stack", "sum", "sum_",
    "vector", "abs_", "cos", "exp", "log", "ln", "sigmoid", "sin", "sqrt", "tan", "tanh",
    "gradient", "jacobian", "parse",
]
