"""A safe parser for expressions users type: a whitelist tokenizer and a small Pratt parser.

Nothing here evaluates user text: no ``eval``, ``exec``, ``sympify`` or ``parse_expr``. The
paper's notation is accepted beside ASCII: ⊗ ×  for ``*``, ⊘ for ``/``, − for ``-``, ``·`` for
dot, ᵀ for ``.T``, superscripts (x², x⁻¹) and ``^`` for ``**``, σ for sigmoid, √x, x₁ for x_1,
``[a, b]`` for a column of scalars. Precedence, loosest first: ``+ -``; ``* / @ ·``; unary signs;
``**`` (right to left, so -x**2 is -(x**2)); postfix ``.T ᵀ ²``.

Names are plain symbols, whatever sympy would make of them (``E``, ``I``, ``pi``, ``lambda``);
undeclared ones are scalars. Limits keep every input cheap: 10,000 characters, 200 nested
levels, exponents of at most 6 digits, constants of at most 1,000 digits.

>>> print(parse("max(0, w @ x + b)", vectors="w x", scalars="b"))
max(0, w·x + b)
>>> print(parse("ln(sin(x³)²)"))
ln(sin(x³)²)
>>> parse("sine(x)")
Traceback (most recent call last):
...
symcalc.errors.ParseError: unknown function 'sine'; did you mean sin, sign, inv?
  sine(x)
  ^
>>> parse("2**999999")
Traceback (most recent call last):
...
symcalc.errors.ParseError: this constant could have up to 999,999 digits once computed exactly; the limit is 1,000
  2**999999
  ^
"""
from __future__ import annotations

import sys
from dataclasses import replace
from fractions import Fraction

from . import expr as E
from .declarations import declare, parse_declarations  # noqa: F401 - part of this module's API
from .errors import ParseError, ShapeError
from .parse_atoms import FUNCTION_NAMES, Atoms  # noqa: F401 - FUNCTION_NAMES: part of this module's API
from .parse_hints import _shape_hint
from .parse_sizes import (  # noqa: F401 - the limits are part of this module's API
    MAX_CONST_DIGITS, MAX_DEPTH, MAX_EXPONENT_DIGITS, MAX_LENGTH, MAX_TREE_DEPTH, ConstantSizes, Node, _digits,
)
from .tokens import Token, tokenize


class Parser(Atoms, ConstantSizes):
    """The grammar by operator precedence; atoms (:mod:`symcalc.parse_atoms`) and the sizes of
    constants (:mod:`symcalc.parse_sizes`) come from the mixins."""

    def __init__(self, text: str, symbols: dict, declared: set):
        self.text, self.symbols, self.declared = text, symbols, declared
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.shown: dict = {}  # printed form -> the name typed
        self.checked: set = set()
        self.caret_t: int | None = None  # where x^T was read as a transpose
        self.notes: list = []  # (name, note) for the derivation: an exponent that is a new variable

    # -- token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def at(self, *ops) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def expect(self, op: str, what: str) -> Token:
        if not self.at(op):
            raise self.error(f"expected {what}")
        return self.take()

    def error(self, message: str, pos: int | None = None) -> ParseError:
        t = self.tok
        found = "end of input" if t.kind == "end" else repr(t.text)
        return ParseError(f"{message}, found {found}", self.text, t.pos if pos is None else pos)

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", self.text, self.tok.pos)

    # -- grammar
    def parse(self) -> E.Expr:
        if self.tok.kind == "end":
            raise ParseError("the expression is empty", self.text, 0)
        node = self.additive()
        if self.tok.kind in ("name", "num") or self.at("(", "["):
            raise self.error("expected an operator (write * between factors: 3 * x, not 3x)")
        if self.tok.kind != "end":
            raise self.error("expected an operator or the end of the expression")
        if E.depth(node.expr) > MAX_TREE_DEPTH:  # iterative: safe on any depth
            raise ParseError(f"the expression nests more than {MAX_TREE_DEPTH} levels deep "
                             "(each step of a chain such as x/x/x… nests in the next)", self.text, 0)
        return node.expr

    def additive(self) -> Node:
        return self.chain(self.multiplicative, ("+", "-"))

    def multiplicative(self) -> Node:
        return self.chain(self.unary, ("*", "/", "@", "·"))

    def chain(self, rule, ops) -> Node:
        """Left-associative operators; runs of + − or of * are built in one n-ary call, because
        the core's add and mul flatten, so building a 5,000-term sum pairwise is quadratic."""
        acc, run = rule(), []
        while self.at(*ops):
            op = self.take()
            node = self.operand(rule, op)
            if op.text in "+-*":  # one level holds + − or * (with / @ ·), never both
                run.append((op, node))
            else:
                acc, run = self.build(op.text, self.flat(acc, run), node), []
        return self.flat(acc, run)

    def flat(self, first: Node, run: list) -> Node:
        if not run:
            return first
        combine = E.mul if run[0][0].text == "*" else E.add
        exprs = [first.expr, *(E.neg(n.expr) if op.text == "-" else n.expr for op, n in run)]
        try:
            expr = combine(*exprs)
        except ShapeError:  # build again pair by pair, so the error names the pair that fails
            for op, n in run:
                first = self.build(op.text, first, n)
            return first
        except RecursionError:
            raise ParseError("the expression is nested too deeply", self.text, first.start) from None
        acc = first
        for op, n in run:
            acc = self.fold(op.text, acc, n, Node(expr, first.start, n.end))
        return acc

    def operand(self, rule, op: Token) -> Node:
        if self.tok.kind == "end" or self.at(")", "]", ","):
            typed = self.text[op.pos : op.pos + (2 if self.text.startswith("**", op.pos) else 1)]
            raise self.error(f"expected an operand after {typed!r}")  # the user's ^ or −, not our **
        return rule()

    def unary(self) -> Node:
        if self.at("-", "+"):
            op = self.take()
            self.deeper()
            inner = self.operand(self.unary, op)
            self.depth -= 1
            if op.text == "+":
                return replace(inner, start=op.pos)
            expr = self.guard(lambda: -inner.expr, op.pos, inner.end)
            value = -inner.value if inner.value is not None else None
            return Node(expr, op.pos, inner.end, value, inner.digits)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        while self.at("**") and self.caret_transpose():
            self.take()
            t = self.take()
            expr = self.guard(lambda n=base: n.expr.T, base.start, t.pos + 1)
            base = replace(base, expr=expr, end=t.pos + 1)
        if self.at("**"):
            op = self.take()
            self.deeper()
            exponent = self.operand(self.unary, op)
            self.depth -= 1
            self.note_exponent(base, exponent)
            return self.build("**", base, exponent)
        return base

    def caret_transpose(self) -> bool:
        """x^T and x**T are a transpose, as a student writes xᵀ in LaTeX, unless T is declared."""
        after = self.tokens[self.i + 1]
        if after.kind != "name" or after.text != "T" or "T" in self.declared or self.tokens[self.i + 2].text == "(":
            return False  # a name token is never last: the end token follows it
        if "T" in self.symbols:  # T already read as a variable: x^T could mean either
            raise ParseError("x^T is a transpose, but T is also a variable in this expression; write x.T or xᵀ "
                             "for a transpose, or declare T (--scalar T) to make x^T a power", self.text, after.pos)
        self.caret_t = after.pos
        return True

    def note_exponent(self, base: Node, exponent: Node) -> None:
        """x^n with n undeclared is a power by a new variable n: likely meant, but say so (x^t may be a transpose)."""
        e = exponent.expr
        if isinstance(e, E.Var) and len(e.name) == 1 and e.name not in self.declared and base.digits is None:
            source = self.text[base.start : exponent.end]
            self.notes.append((e.name, f"in {source}, {e.name} was not declared, so it is a scalar variable and "
                                       f"this is a power (declare --scalar {e.name} to say so; a transpose is "
                                       f"written {self.text[base.start:base.end]}.T or ^T)"))

    def postfix(self) -> Node:
        node = self.primary()
        while self.tok.kind in ("T", "sup") or self.at("ᵀ"):
            t = self.take()
            if t.kind == "sup":
                digits = t.text.removeprefix("-")
                if not digits.isdigit():  # ⁻ alone, or inside: x²⁻¹
                    raise ParseError("bad superscript exponent: digits after at most one leading ⁻, as in x⁻¹",
                                     self.text, t.pos)
                if len(digits) > MAX_EXPONENT_DIGITS:
                    raise ParseError(f"exponent with more than {MAX_EXPONENT_DIGITS} digits", self.text, t.pos)
                k = Fraction(int(t.text))
                node = self.build("**", node, Node(E.const(k), t.pos, t.pos + len(t.text), k, _digits(k)))
            else:
                expr = self.guard(lambda n=node: n.expr.T, node.start, t.pos + 1)
                node = replace(node, expr=expr, end=t.pos + len(t.text))
                if t.kind == "T" and self.at("("):
                    raise ParseError(".T is a transpose, not a method: write x.T without parentheses",
                                     self.text, self.tok.pos)
        return node

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.take()
            return self.number(t)
        if t.kind == "name":
            self.take()
            if self.at("(") or t.text in ("√",):
                return self.call(t)
            return Node(self.symbol(t), t.pos, t.pos + len(t.text))
        if self.at("("):
            self.take()
            self.deeper()
            inner = self.additive()
            self.depth -= 1
            close = self.expect(")", "')' to close the '(' at column " + str(t.pos + 1))
            return replace(inner, start=t.pos, end=close.pos + 1)
        if self.at("["):
            return self.listing()
        if t.kind == "end":
            raise self.error("expected an operand")
        raise self.error("expected a number, a name, '(' or '['")

    # -- building with errors that point at the text
    def build(self, op: str, left: Node, right: Node) -> Node:
        if op == "**":
            self.check_exponent(right)
        if op == "/" and right.value == 0 or op == "**" and left.value == 0 and (right.value or 0) < 0:
            raise ParseError("division by zero", self.text, right.start)
        ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b, "@": lambda a, b: a @ b, "·": _dot, "**": lambda a, b: a**b}
        expr = self.guard(lambda: ops[op](left.expr, right.expr), left.start, right.end, (left, right), op)
        return self.fold(op, left, right, Node(expr, left.start, right.end))

    def guard(self, build, start, end, operands=(), op=None):
        try:
            return build()
        except ShapeError as exc:
            raise self.shape_error(exc, start, end, operands, op) from None
        except RecursionError:
            raise ParseError("the expression is nested too deeply", self.text, start) from None

    def shape_error(self, exc, start, end, operands, op) -> ShapeError:
        source = self.text[start:end]
        message = f"in {source!r}: {exc}"
        hint = _shape_hint(op, operands, self.text, self.declared)
        return ShapeError(message, op=exc.op, operands=exc.operands, text=self.text, pos=start, hint=hint)


def _dot(a, b):
    """a·b: the dot product of vectors; of two scalars, their product (as the printer writes 3·2^x)."""
    return a * b if a.is_scalar and b.is_scalar else E.dot(a, b)


def parse(text: str, *, scalars: str = "", vectors: str = "", matrices: str = "", size: str = "n") -> E.Expr:
    """Parse a user's expression. Undeclared names are scalars; the declarations give shapes."""
    return parse_with_notes(text, scalars=scalars, vectors=vectors, matrices=matrices, size=size)[0]


def parse_with_notes(text: str, *, scalars="", vectors="", matrices="", size="n") -> tuple[E.Expr, list]:
    """The expression and [(name, note)]: what a reader may have misread, for the derivation's notes."""
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    symbols = declare(scalars, vectors, matrices, size)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 12 * MAX_DEPTH + 500))  # each nesting level costs a few frames
    try:
        parser = Parser(text, symbols, set(symbols))
        return parser.parse(), parser.notes
    except RecursionError:
        raise ParseError("the expression is nested too deeply") from None
    finally:
        sys.setrecursionlimit(limit)
