"""Numbers in generated code: literals, and constants in the sizes (2/N) as arithmetic over their names.

>>> import sympy
>>> N, m = sympy.symbols("N m")
>>> sympy_text(2 / N, str), sympy_text(1 / (N * m), str), number(-0.5).text
('2 / N', '1 / (N * m)', '-0.5')
"""
from __future__ import annotations

import sympy

from .. import expr as E
from ..errors import UnsupportedError
from .code import ATOM, UNARY, Code


def sized(e) -> bool:
    """Whether a symbolic size enters ``e`` (1⃗ of length n, 1/N)."""
    return any(any(not s.is_Integer for s in n.shape) or (isinstance(n, E.Const) and n.value.free_symbols)
               for n in E.walk(e))


def as_float(code: Code) -> Code:
    """An integer literal as a float one (numpy converts 0 to 0.0 at each call otherwise)."""
    plain = code.text.removeprefix("-")
    return Code(code.text + ".0", code.prec, code.shape) if plain.isdigit() else code


def number(value: float) -> Code:
    text = repr(float(value))
    return Code(text, UNARY if text.startswith("-") else ATOM)


def sympy_text(v, size) -> str:
    """A constant in the sizes (2/N, 1/(N m)) as Python arithmetic over their names."""
    num, den = sympy.fraction(sympy.together(v))
    text = _poly(num, size)
    return text if den == 1 else f"{_wrapped(num, size)} / {_wrapped(den, size)}"


def _wrapped(v, size) -> str:
    text = _poly(v, size)
    return text if v.is_Atom else f"({text})"


def _poly(v, size) -> str:
    if v.is_Integer:
        return str(int(v))
    if v.is_Rational:
        return f"({v.p} / {v.q})"
    if v.is_Float:
        return repr(float(v))
    if v.is_Symbol:
        return size(v)
    if v.is_Add:
        return " + ".join(_wrapped(a, size) for a in v.args)
    if v.is_Mul:
        return " * ".join(_wrapped(a, size) for a in v.args)
    if v.is_Pow:
        return f"{_wrapped(v.base, size)} ** {_wrapped(v.exp, size)}"
    raise UnsupportedError(f"the constant {v} has no spelling in the code generator")
