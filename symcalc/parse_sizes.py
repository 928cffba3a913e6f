"""How big parsed input may get: the parser's limits, and the bound on a constant's digits that each
parsed :class:`Node` carries (sympy evaluates constants exactly, so 2**999999 is refused before it
is built)."""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, replace
from fractions import Fraction

from . import expr as E
from .errors import ParseError

MAX_LENGTH = 10_000
MAX_DEPTH = 200  # brackets, calls and signs nested while parsing
MAX_TREE_DEPTH = 250  # the built tree: chains such as x/x/x/… or xᵀ²ᵀ²… nest without brackets
MAX_EXPONENT_DIGITS = 6
# sympy expands 2**999999 exactly, and Python will not print an int past 4,300 digits
MAX_CONST_DIGITS = 1000
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


@dataclass(frozen=True)
class Node:
    """An expression with the span of text it came from (for errors that point at it).

    For constants the parser also knows how big they can get once sympy evaluates them:
    ``value`` is the exact value of a rational constant, ``digits`` a bound on the digits of any
    constant (None as soon as a variable occurs).
    """

    expr: E.Expr
    start: int
    end: int
    value: Fraction | None = None
    digits: int | None = None


def _digits(f: Fraction) -> int:
    return (abs(f.numerator).bit_length() + f.denominator.bit_length()) * 3 // 10 + 1


def _most(nodes) -> int | None:
    """The digits bound of constants combined without arithmetic (max, sum, a list)."""
    digits = [n.digits for n in nodes]
    return None if None in digits else max(digits, default=1)


class ConstantSizes:
    """The :class:`~symcalc.parse.Parser`'s bookkeeping of how big constants get once computed."""

    # -- how big constants get (sympy evaluates them exactly)
    def check_exponent(self, node: Node) -> None:
        p = node.value
        if p is not None and max(abs(p.numerator), p.denominator) >= 10**MAX_EXPONENT_DIGITS:
            raise ParseError(f"exponent with more than {MAX_EXPONENT_DIGITS} digits", self.text, node.start)

    def fold(self, op: str, left: Node, right: Node, node: Node) -> Node:
        if left.digits is None or right.digits is None:
            return node
        if op == "**":
            return self.fold_power(left, right, node)
        a, b = left.value, right.value
        exact = a is not None and b is not None and op in _ARITH and not (op == "/" and b == 0)
        return self.constant(node, _ARITH[op](a, b) if exact else None, left.digits + right.digits)

    def fold_power(self, base: Node, exponent: Node, node: Node) -> Node:
        a, p = base.value, exponent.value
        if a is not None and a.denominator == 1 and abs(a) <= 1:
            bound = 1  # 0, 1 and −1 stay small under any power
        else:
            size = abs(p) if p is not None else Fraction(10) ** min(exponent.digits, MAX_CONST_DIGITS + 1)
            bound = math.ceil(base.digits * size)
        self.constant(node, None, bound)  # refuse before computing
        exact = a is not None and p is not None and p.denominator == 1 and not (a == 0 and p < 0)
        return self.constant(node, a ** int(p) if exact else None, bound)

    def constant(self, node: Node, value: Fraction | None, digits: int | None) -> Node:
        if value is not None:
            digits = _digits(value)
        if digits is not None and digits > MAX_CONST_DIGITS:
            raise ParseError(f"this constant could have up to {digits:,} digits once computed exactly; "
                             f"the limit is {MAX_CONST_DIGITS:,}", self.text, node.start)
        return replace(node, value=value, digits=digits)
