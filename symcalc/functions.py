"""Element-wise functions: each one's derivative lives beside its definition (R1, R6).

>>> from symcalc.expr import scalar
>>> print(FUNCTIONS["tanh"].derivative(scalar("x")))
1 − tanh(x)²
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import expr as E


@dataclass(frozen=True)
class Function:
    """An element-wise function: its derivative f'(a) as an expression, and how to evaluate it."""

    name: str
    text: str  # how the text printer writes it
    latex: str  # how the LaTeX printer writes it (a command or operatorname)
    derivative: Callable[[E.Expr], E.Expr]
    numpy: str  # name of the numpy callable (looked up lazily, numpy is imported only to evaluate)
    kink: bool = False  # not differentiable at 0 of its argument: numeric checks avoid it


def _sigmoid_derivative(a):
    s = E.apply("sigmoid", a)
    return s * (1 - s)


FUNCTIONS = {
    f.name: f
    for f in (
        Function("exp", "exp", r"\exp", lambda a: E.apply("exp", a), "exp"),
        Function("log", "ln", r"\ln", lambda a: 1 / a, "log"),
        Function("sin", "sin", r"\sin", lambda a: E.apply("cos", a), "sin"),
        Function("cos", "cos", r"\cos", lambda a: -E.apply("sin", a), "cos"),
        Function("tan", "tan", r"\tan", lambda a: 1 / E.apply("cos", a) ** 2, "tan"),
        Function("tanh", "tanh", r"\tanh", lambda a: 1 - E.apply("tanh", a) ** 2, "tanh"),
        Function("sigmoid", "σ", r"\sigma", _sigmoid_derivative, "sigmoid"),
        Function("sqrt", "√", r"\sqrt", lambda a: 1 / (2 * E.apply("sqrt", a)), "sqrt"),
        Function("abs", "abs", "abs", lambda a: E.apply("sign", a), "abs", kink=True),
        Function("sign", "sign", r"\operatorname{sign}", lambda a: E.zero(a.shape), "sign", kink=True),
    )
}


def _unary(name):
    def build(e: E.Expr | float) -> E.Expr:
        return E.apply(name, e)

    build.__name__ = name
    build.__doc__ = f"{name}, element-wise."
    return build


exp, log, sin, cos, tan, tanh, sigmoid, sqrt, abs_ = (
    _unary(n) for n in ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "sqrt", "abs")
)
