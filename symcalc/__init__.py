"""symcalc: the matrix calculus of deep learning, derived step by step (Parr & Howard).

>>> import symcalc as sc
>>> w, x, b = sc.vector("w"), sc.vector("x"), sc.scalar("b")
>>> print(sc.derive(w @ x + b, w).closed_form())
xᵀ
"""
import sys
import types
from importlib import import_module

__version__ = "0.1.0"

# Names load on first use (PEP 562), so `symcalc --help` and `--version` never import sympy.
_LAZY = {
    "derivation": "Derivation derive", "errors": "ParseError ShapeError SymcalcError UnsupportedError VerificationError",
    "expr": "const diag dot matrix maximum relu scalar stack sum_ vector",
    "functions": "abs_ cos exp log sigmoid sin sqrt tan tanh", "multivariate": "gradient jacobian", "parse": "parse",
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names.split()}
_ALIASES = {"sum": "sum_", "ln": "log"}  # the paper's names; the builtin sum stays reachable as builtins.sum


def __getattr__(name):
    real = _ALIASES.get(name, name)
    if real not in _WHERE:
        raise AttributeError(f"module 'symcalc' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[real]}", __name__), real)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    def __setattr__(self, name, value):
        # importing the submodule symcalc.parse must not hide the function sc.parse (as the eager import never did)
        if not (name == "parse" and isinstance(value, types.ModuleType)):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def evaluate(expr, values, sizes=None):
    """The value of an expression at a point (numpy is imported on first use).

    >>> from symcalc import scalar
    >>> x = scalar("x")
    >>> evaluate(x ** 2, {x: 3})
    9.0
    """
    from .numeric import evaluate as _evaluate

    return _evaluate(expr, values, sizes)


__all__ = [
    "Derivation", "derive", "ParseError", "ShapeError", "SymcalcError", "UnsupportedError", "VerificationError",
    "evaluate", "const", "diag", "dot", "matrix", "maximum", "relu", "scalar", "stack", "sum", "sum_",
    "vector", "abs_", "cos", "exp", "log", "ln", "sigmoid", "sin", "sqrt", "tan", "tanh",
    "gradient", "jacobian", "parse",
]
