"""A safe parser for expressions users type: a whitelist tokenizer and a small Pratt parser.

Nothing here evaluates user text: no ``eval``, ``exec``, ``sympify`` or ``parse_expr``. The
paper's notation (⊗ ⊘ · ᵀ ² ³ −) is accepted beside ASCII (``* / dot .T **``).

>>> print(parse("max(0, w @ x + b)", vectors="w x", scalars="b"))
max(0, w·x + b)
>>> print(parse("ln(sin(x³)²)"))
ln(sin(x³)²)
>>> parse("sine(x)")
Traceback (most recent call last):
...
symcalc.errors.ParseError: unknown function 'sine'; did you mean sin, sign?
  sine(x)
  ^
"""
from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from fractions import Fraction

from . import expr as E
from .declarations import declare, parse_declarations  # noqa: F401 - part of this module's API
from .errors import ParseError, ShapeError
from .tokens import Token, tokenize

MAX_LENGTH = 10_000
MAX_DEPTH = 200
MAX_EXPONENT_DIGITS = 6

_UNARY = {"exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh",
          "sigmoid": "sigmoid", "σ": "sigmoid", "sqrt": "sqrt", "√": "sqrt", "abs": "abs", "sign": "sign"}
_SPECIAL = {"sum": 1, "dot": 2, "max": 2, "maximum": 2, "relu": 1}
FUNCTION_NAMES = sorted({*_UNARY, *_SPECIAL} - {"σ", "√"})
@dataclass(frozen=True)
class Node:
    """An expression with the span of text it came from (for errors that point at it)."""

    expr: E.Expr
    start: int
    end: int


class Parser:
    def __init__(self, text: str, symbols: dict, declared: set):
        self.text, self.symbols, self.declared = text, symbols, declared
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

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

    def end(self, node: Node) -> int:
        return self.tokens[self.i - 1].pos + len(self.tokens[self.i - 1].text) if self.i else node.end

    # -- grammar
    def parse(self) -> E.Expr:
        if self.tok.kind == "end":
            raise ParseError("the expression is empty", self.text, 0)
        node = self.additive()
        if self.tok.kind in ("name", "num") or self.at("(", "["):
            raise self.error("expected an operator (write * between factors: 3 * x, not 3x)")
        if self.tok.kind != "end":
            raise self.error("expected an operator or the end of the expression")
        return node.expr

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.at("+", "-"):
            op = self.take()
            right = self.operand(self.multiplicative, op)
            left = self.build(op.text, left, right)
        return left

    def multiplicative(self) -> Node:
        left = self.unary()
        while self.at("*", "/", "@", "·"):
            op = self.take()
            right = self.operand(self.unary, op)
            left = self.build(op.text, left, right)
        return left

    def operand(self, rule, op: Token) -> Node:
        if self.tok.kind == "end" or self.at(")", "]", ","):
            raise self.error(f"expected an operand after {op.text!r}")
        return rule()

    def unary(self) -> Node:
        if self.at("-", "+"):
            op = self.take()
            self.deeper()
            inner = self.operand(self.unary, op)
            self.depth -= 1
            expr = inner.expr if op.text == "+" else self.guard(lambda: -inner.expr, op.pos, inner.end)
            return Node(expr, op.pos, inner.end)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.at("**"):
            op = self.take()
            self.deeper()
            exponent = self.operand(self.unary, op)
            self.depth -= 1
            self.check_exponent(exponent)
            return self.build("**", base, exponent)
        return base

    def check_exponent(self, node: Node) -> None:
        digits = re.sub(r"\D", "", self.text[node.start : node.end].split("e")[0].split("E")[0])
        if isinstance(node.expr, E.Const) and len(digits) > MAX_EXPONENT_DIGITS:
            raise ParseError(f"exponent with more than {MAX_EXPONENT_DIGITS} digits", self.text, node.start)

    def postfix(self) -> Node:
        node = self.primary()
        while self.tok.kind in ("T", "sup") or self.at("ᵀ"):
            t = self.take()
            if t.kind == "sup":
                if len(t.text.lstrip("-")) > MAX_EXPONENT_DIGITS or not t.text.lstrip("-"):
                    raise ParseError("bad superscript exponent", self.text, t.pos)
                k = Node(E.const(int(t.text)), t.pos, t.pos + len(t.text))
                node = self.build("**", node, k)
            else:
                node = Node(self.guard(lambda n=node: n.expr.T, node.start, t.pos + 1), node.start, t.pos + len(t.text))
        return node

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.take()
            return Node(E.const(Fraction(t.text)), t.pos, t.pos + len(t.text))
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
            return Node(inner.expr, t.pos, close.pos + 1)
        if self.at("["):
            return self.listing()
        if t.kind == "end":
            raise self.error("expected an operand")
        raise self.error("expected a number, a name, '(' or '['")

    def listing(self) -> Node:
        start = self.take()
        self.deeper()
        items = [self.additive()]
        while self.at(","):
            self.take()
            items.append(self.additive())
        self.depth -= 1
        close = self.expect("]", "',' or ']'")
        expr = self.guard(lambda: E.stack([n.expr for n in items]), start.pos, close.pos + 1)
        return Node(expr, start.pos, close.pos + 1)

    def symbol(self, t: Token) -> E.Expr:
        if t.text in _UNARY or t.text in _SPECIAL:
            raise ParseError(f"{t.text} is a function: write {t.text}(...)", self.text, t.pos)
        if t.text not in self.symbols:
            self.symbols[t.text] = E.scalar(t.text)  # undeclared names are scalars
        return self.symbols[t.text]

    def call(self, name: Token) -> Node:
        fname = name.text
        if fname == "√" and not self.at("("):
            self.deeper()
            arg = self.postfix()
            self.depth -= 1
            return Node(self.guard(lambda: E.apply("sqrt", arg.expr), name.pos, arg.end), name.pos, arg.end)
        if fname not in _UNARY and fname not in _SPECIAL:
            raise self.unknown(name)
        self.take()  # (
        self.deeper()
        args = []
        if not self.at(")"):
            args.append(self.additive())
            while self.at(","):
                self.take()
                args.append(self.additive())
        if self.at("="):
            raise self.error("keyword arguments are not allowed")
        close = self.expect(")", f"',' or ')' in the call of {fname}")
        self.depth -= 1
        arity = _SPECIAL.get(fname, 1)
        if len(args) != arity:
            raise ParseError(f"{fname} takes {arity} argument{'s' if arity > 1 else ''}, got {len(args)}",
                             self.text, name.pos)
        exprs = [a.expr for a in args]
        build = {
            "sum": lambda: E.sum_(exprs[0]), "dot": lambda: E.dot(*exprs), "relu": lambda: E.relu(exprs[0]),
            "max": lambda: E.maximum(*exprs), "maximum": lambda: E.maximum(*exprs),
        }.get(fname, lambda: E.apply(_UNARY[fname], exprs[0]))
        return Node(self.guard(build, name.pos, close.pos + 1, args), name.pos, close.pos + 1)

    def unknown(self, name: Token) -> ParseError:
        if name.text in self.symbols or name.text in self.declared:
            return ParseError(f"{name.text} is a variable, not a function; write {name.text} * (...) for a product",
                              self.text, name.pos)
        close = difflib.get_close_matches(name.text, FUNCTION_NAMES, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known functions: {', '.join(FUNCTION_NAMES)}"
        return ParseError(f"unknown function {name.text!r}{hint}", self.text, name.pos)

    # -- building with errors that point at the text
    def build(self, op: str, left: Node, right: Node) -> Node:
        ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
               "/": lambda a, b: a / b, "@": lambda a, b: a @ b, "·": _dot, "**": lambda a, b: a**b}
        expr = self.guard(lambda: ops[op](left.expr, right.expr), left.start, right.end, (left, right), op)
        return Node(expr, left.start, right.end)

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


def _shape_hint(op, operands, text, declared) -> str:
    if len(operands) != 2:
        return ""
    (a, b) = (n.expr for n in operands)
    sa, sb = (text[n.start : n.end] for n in operands)
    if op not in ("+", "-", "*", "/", "@", "·"):
        return ""
    for name_node, other in ((operands[0], b), (operands[1], a)):
        e = name_node.expr
        if isinstance(e, E.Var) and e.is_scalar and e.name not in declared and not other.is_scalar:
            rows = other.shape[0] if op != "@" or name_node is operands[1] else other.shape[1]
            return (f"{e.name} was not declared, so it is a scalar; declare it with --vector {e.name}:{rows} "
                    f"(Python: vectors=\"{e.name}:{rows}\")")
    if op == "@" and E.is_column(a.shape) and E.is_column(b.shape):
        return (f"{sa} @ {sb} is the dot product of two vectors, which needs equal lengths: "
                f"({E.fmt_shape(a.shape)}) and ({E.fmt_shape(b.shape)})")
    if op == "@":
        inner = f"({E.fmt_shape(a.shape)}) @ ({E.fmt_shape(b.shape)})"
        for candidate, text_ in ((lambda: b @ a, f"{sb} @ {sa}"), (lambda: a.T @ b, f"{sa}.T @ {sb}"),
                                 (lambda: a @ b.T, f"{sa} @ {sb}.T")):
            try:
                candidate()
                return f"{sa} @ {sb} needs inner sizes to agree: {inner}; did you mean {text_}?"
            except ShapeError:
                continue
        return f"{sa} @ {sb} needs inner sizes to agree: {inner}"
    if op in "+-*/" and a.shape == (b.shape[1], b.shape[0]):
        return f"the shapes are transposes of each other; did you mean {sa} {op} {sb}.T?"
    return ""


def parse(text: str, *, scalars: str = "", vectors: str = "", matrices: str = "", size: str = "n") -> E.Expr:
    """Parse a user's expression. Undeclared names are scalars; the declarations give shapes."""
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    symbols = declare(scalars, vectors, matrices, size)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 12 * MAX_DEPTH + 500))  # each nesting level costs a few frames
    try:
        return Parser(text, symbols, set(symbols)).parse()
    except RecursionError:
        raise ParseError("the expression is nested too deeply") from None
    finally:
        sys.setrecursionlimit(limit)
