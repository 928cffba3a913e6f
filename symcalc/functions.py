"""Element-wise functions: one record per function holds everything about it (R1, R6).

A :class:`Function` says how the function is built, spelled (text, LaTeX, parser), differentiated,
converted to sympy and evaluated (numpy and plain floats). Every other module reads these records,
so adding a function is one entry in ``_RECORDS`` (see CONTRIBUTING.md).

>>> from symcalc.expr import scalar
>>> print(FUNCTIONS["tanh"].derivative(scalar("x")))
1 − tanh(x)²
>>> PARSER_NAMES["ln"], PARSER_NAMES["σ"]
('log', 'sigmoid')
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import sympy

from . import expr as E


@dataclass(frozen=True)
class Function:
    """An element-wise function f and everything the engine needs to know about it."""

    name: str  # the node's name and the parser's
    derivative: Callable[[E.Expr], E.Expr]  # f′(a) as an expression in the argument a
    text: str  # the text printer writes text(arg) ...
    latex: str  # ... and the LaTeX printer latex\left(arg\right)
    sympy: Any  # for simplification and back: a sympy function class, so a result's .func maps back
    numpy: Callable  # (numpy module, array) → array; numpy is imported only when something is evaluated
    python: Callable[[float], float]  # plain floats, numpy's conventions: ±inf on overflow, nan off the domain
    aliases: tuple = ()  # other spellings the parser accepts (ln, σ, √); identifiers are exported too
    kink: bool = False  # not differentiable where its argument is 0: numeric checks keep away
    explicit: Callable | None = None  # the formula for Derivation.result when ``sympy`` is an undefined function
    text_form: str = ""  # a template in {arg} replacing text(arg): |x|
    latex_form: str = ""  # likewise for LaTeX: \sqrt{x}
    builder: str = ""  # the Python builder's name when ``name`` would shadow a builtin (abs_)

    def sympy_formula(self) -> Callable:
        """The sympy callable for full conversions (what users get in Derivation.result)."""
        return self.explicit or self.sympy


def _np(name: str) -> Callable:
    return lambda np, a: getattr(np, name)(a)


def _guard(f):
    """math functions raise where numpy returns inf or nan: return those instead."""

    def g(a):
        if a != a:
            return math.nan
        try:
            return f(a)
        except OverflowError:
            return math.inf
        except ValueError:
            return -math.inf if a == 0 else math.nan

    return g


def _sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a)) if a > -700 else 0.0


def _softplus(a):
    """log(1 + eᵃ) without overflow: for large a it is a + log(1 + e⁻ᵃ)."""
    return a + math.log1p(math.exp(-a)) if a > 0 else math.log1p(math.exp(a))


def _sign(a):
    return math.nan if a != a else float((a > 0) - (a < 0))


def _sigmoid_derivative(a):
    s = E.apply("sigmoid", a)
    return s * (1 - s)


LEAKY_SLOPE = sympy.Rational(1, 100)


def _leaky_relu_derivative(a):
    """[a > 0] + α[a ≤ 0], with [a ≤ 0] written 1 − [a > 0] (one indicator, as relu's)."""
    step = E.Step(a, a.shape)
    return step + E.Const(LEAKY_SLOPE) * (1 - step)


_RECORDS = (
    Function("exp", lambda a: E.apply("exp", a), "exp", r"\exp", sympy.exp, _np("exp"), _guard(math.exp)),
    Function("log", lambda a: 1 / a, "ln", r"\ln", sympy.log, _np("log"), _guard(math.log), aliases=("ln",)),
    Function("sin", lambda a: E.apply("cos", a), "sin", r"\sin", sympy.sin, _np("sin"), _guard(math.sin)),
    Function("cos", lambda a: -E.apply("sin", a), "cos", r"\cos", sympy.cos, _np("cos"), _guard(math.cos)),
    Function("tan", lambda a: 1 / E.apply("cos", a) ** 2, "tan", r"\tan", sympy.tan, _np("tan"), _guard(math.tan)),
    Function("tanh", lambda a: 1 - E.apply("tanh", a) ** 2, "tanh", r"\tanh", sympy.tanh, _np("tanh"), math.tanh),
    Function("sigmoid", _sigmoid_derivative, "σ", r"\sigma", sympy.Function("sigmoid"),
             lambda np, a: 1.0 / (1.0 + np.exp(-a)), _guard(_sigmoid), aliases=("σ",),
             explicit=lambda v: 1 / (1 + sympy.exp(-v))),
    Function("sqrt", lambda a: 1 / (2 * E.apply("sqrt", a)), "√", r"\sqrt", sympy.sqrt, _np("sqrt"),
             _guard(math.sqrt), aliases=("√",), latex_form=r"\sqrt{{{arg}}}"),
    Function("abs", lambda a: E.apply("sign", a), "abs", "abs", sympy.Abs, _np("abs"), abs, kink=True,
             text_form="|{arg}|", latex_form=r"\left|{arg}\right|", builder="abs_"),
    Function("sign", lambda a: E.zero(a.shape), "sign", r"\operatorname{sign}", sympy.sign, _np("sign"), _sign,
             kink=True),
    Function("softplus", lambda a: E.apply("sigmoid", a), "softplus", r"\operatorname{softplus}",
             sympy.Function("softplus"), lambda np, a: np.logaddexp(0.0, a), _guard(_softplus),
             explicit=lambda v: sympy.log(1 + sympy.exp(v))),
    # A fixed slope α = 1/100 (PyTorch's default): a Func node carries no parameters.
    Function("leaky_relu", _leaky_relu_derivative, "leaky_relu", r"\operatorname{leaky\_relu}",
             sympy.Function("leaky_relu"), lambda np, a: np.where(a > 0, a, float(LEAKY_SLOPE) * a),
             lambda a: a if a > 0 else float(LEAKY_SLOPE) * a, kink=True,
             explicit=lambda v: sympy.Max(v, LEAKY_SLOPE * v)),
)

FUNCTIONS = {f.name: f for f in _RECORDS}

PARSER_NAMES = {spelling: f.name for f in _RECORDS for spelling in (f.name, *f.aliases)}
"""Every spelling the parser accepts → the function's name."""

SYMPY_NAMES = {f.sympy: f.name for f in _RECORDS}
"""sympy function → name, to bring simplified scalars back."""


def _builder(name: str, python_name: str):
    def build(e: E.Expr | float) -> E.Expr:
        return E.apply(name, e)

    build.__name__ = build.__qualname__ = python_name
    build.__doc__ = f"{name}, element-wise."
    return build


def _builders() -> dict:
    out = {}
    for f in _RECORDS:
        build = _builder(f.name, f.builder or f.name)
        out[f.builder or f.name] = build
        out.update((alias, build) for alias in f.aliases if alias.isidentifier() and alias.isascii())
    return out


BUILDERS = _builders()
"""Python name → builder (``exp(x)``), aliases included (``ln``); exported by the package."""
globals().update(BUILDERS)
