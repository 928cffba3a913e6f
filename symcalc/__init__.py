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

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for the annotations only: importing expr loads sympy
    from .expr import Expr


def _version() -> str:
    """The installed distribution's version; a source tree that was never installed has none."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("symcalc")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()

# Names load on first use (PEP 562), so `symcalc --help` and `--version` never import sympy.
_LAZY = {
    "derivation": "Derivation derive",
    "errors": "ArgumentError ParseError ShapeError SymcalcError UnsupportedError VerificationError",
    "expr": "Expr const diag dot matrix maximum relu scalar stack sum_ vector",
    "multivariate": "gradient jacobian", "parse": "parse", "hessian": "hessian hvp",
    "matrix_builders": "det inv log_softmax logsumexp mean norm softmax trace",
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names.split()}
_ALIASES = {"sum": "sum_", "abs": "abs_"}  # the paper's names, outside __all__


_EXPORTED = ("Derivation derive ArgumentError ParseError ShapeError SymcalcError UnsupportedError VerificationError "
             "Expr evaluate const diag dot matrix maximum relu scalar stack sum_ vector gradient jacobian hessian hvp parse "
             "det inv log_softmax logsumexp mean norm softmax trace "
             "__version__").split()


def __getattr__(name):
    if name == "__all__":  # computed on first use: every function record's builder is exported
        return [*_EXPORTED, *import_module(".functions", __name__).BUILDERS]
    real = _ALIASES.get(name, name)
    if real in _WHERE:
        value = getattr(import_module(f".{_WHERE[real]}", __name__), real)
    else:  # an element-wise function: one builder per record of symcalc.functions (exp, ln, softplus, ...)
        value = import_module(".functions", __name__).BUILDERS.get(real)
        if value is None:
            raise AttributeError(f"module 'symcalc' has no attribute {name!r}")
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    def __setattr__(self, name, value):
        # importing the submodules symcalc.parse and symcalc.hessian must not hide the functions of their names
        if not (name in ("parse", "hessian") and isinstance(value, types.ModuleType)):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def evaluate(expr: "Expr", values: dict[Any, Any], sizes: dict | None = None) -> Any:
    """The value of an expression at a point, values keyed by variable or name (numpy on first use).

    >>> from symcalc import scalar
    >>> x = scalar("x")
    >>> evaluate(x ** 2, {x: 3}), evaluate(x ** 2, {"x": 3})
    (9.0, 9.0)
    """
    from .derivation import by_var
    from .expr import as_expr
    from .numeric import evaluate as _evaluate

    expr = as_expr(expr)
    return _evaluate(expr, by_var(expr, values), sizes)
