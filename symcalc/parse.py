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
symcalc.errors.ParseError: unknown function 'sine'; did you mean sin, sign?
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

import difflib
import math
import operator
import sys
from dataclasses import dataclass, replace
from fractions import Fraction

from . import expr as E
from .declarations import declare, parse_declarations  # noqa: F401 - part of this module's API
from .errors import ParseError, ShapeError
from .habits import UNSUPPORTED, call_args
from .habits import hint as habit_hint
from .names import digit_problem
from .functions import PARSER_NAMES
from .tokens import Token, tokenize

MAX_LENGTH = 10_000
MAX_DEPTH = 200  # brackets, calls and signs nested while parsing
MAX_TREE_DEPTH = 250  # the built tree: chains such as x/x/x/… or xᵀ²ᵀ²… nest without brackets
MAX_EXPONENT_DIGITS = 6
# sympy expands 2**999999 exactly, and Python will not print an int past 4,300 digits
MAX_CONST_DIGITS = 1000
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}

_UNARY = PARSER_NAMES  # every spelling of an element-wise function, from its record
_SPECIAL = {"sum": 1, "dot": 2, "max": 2, "maximum": 2, "relu": 1}
FUNCTION_NAMES = sorted(n for n in {*_UNARY, *_SPECIAL} if n.isascii())  # σ and √ are symbols, not names


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


class Parser:
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

    def number(self, t: Token) -> Node:
        for offset, ch in enumerate(t.text):  # the tokenizer's \d also matches ৪ (Bengali four, drawn like 8)
            if problem := digit_problem(ch):
                raise ParseError(problem, self.text, t.pos + offset)
        mantissa, _, exp = t.text.lower().partition("e")
        # check the size before Fraction builds it: 1e9999999999 would take forever
        if len(exp.lstrip("+-")) > MAX_EXPONENT_DIGITS or len(mantissa) + abs(int(exp or 0)) > MAX_CONST_DIGITS:
            raise ParseError(f"the number is too large: constants are limited to {MAX_CONST_DIGITS:,} digits",
                             self.text, t.pos)
        value = Fraction(t.text)
        return Node(E.const(value), t.pos, t.pos + len(t.text), value, _digits(value))

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
        return self.constant(Node(expr, start.pos, close.pos + 1), None, _most(items))

    def symbol(self, t: Token) -> E.Expr:
        if t.text in _UNARY or t.text in _SPECIAL:
            raise ParseError(f"{t.text} is a function: write {t.text}(...)", self.text, t.pos)
        if t.text == "T" and self.caret_t is not None and "T" not in self.declared:
            raise ParseError(f"T is a variable here, but the ^T at column {self.caret_t + 1} was read as a "
                             "transpose; write .T or ᵀ for the transpose, or declare T (--scalar T) to make "
                             "^T a power", self.text, t.pos)
        if t.text not in self.checked:  # the tokenizer already refused look-alikes and x__1 (names.py)
            self.checked.add(t.text)
            shown = str(E.scalar(t.text))
            other = self.shown.setdefault(shown, t.text)
            if other != t.text:  # eta and η: two variables that no one could tell apart in the output
                raise ParseError(f"{other} and {t.text} would both print as {shown}; use one spelling",
                                 self.text, t.pos)
        if t.text not in self.symbols:
            self.symbols[t.text] = E.scalar(t.text)  # undeclared names are scalars
        return self.symbols[t.text]

    def call(self, name: Token) -> Node:
        fname = name.text
        if fname == "√" and not self.at("("):
            self.deeper()
            arg = self.postfix()
            self.depth -= 1
            expr = self.guard(lambda: E.apply("sqrt", arg.expr), name.pos, arg.end)
            return self.constant(Node(expr, name.pos, arg.end), None, arg.digits)
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
        expr = self.guard(build, name.pos, close.pos + 1, args)
        # sqrt(4**500) is exact in sympy, so a function of a constant is as big as its argument
        return self.constant(Node(expr, name.pos, close.pos + 1), None, _most(args))

    def unknown(self, name: Token) -> ParseError:
        if name.text in self.symbols or name.text in self.declared:
            return ParseError(f"{name.text} is a variable, not a function; write {name.text} * (...) for a product",
                              self.text, name.pos)
        habit = habit_hint(name.text, call_args(self.text, self.tok.pos) or [])
        if habit:  # transpose(x), mean(x), matmul(a, b): what to write, not the nearest spelling
            unknown = "" if name.text in UNSUPPORTED else f"unknown function {name.text!r}; "
            return ParseError(unknown + habit, self.text, name.pos)
        close = difflib.get_close_matches(name.text, FUNCTION_NAMES, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known functions: {', '.join(FUNCTION_NAMES)}"
        return ParseError(f"unknown function {name.text!r}{hint}", self.text, name.pos)

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

    def check_exponent(self, node: Node) -> None:
        p = node.value
        if p is not None and max(abs(p.numerator), p.denominator) >= 10**MAX_EXPONENT_DIGITS:
            raise ParseError(f"exponent with more than {MAX_EXPONENT_DIGITS} digits", self.text, node.start)

    # -- how big constants get (sympy evaluates them exactly)
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


def _most(nodes) -> int | None:
    """The digits bound of constants combined without arithmetic (max, sum, a list)."""
    digits = [n.digits for n in nodes]
    return None if None in digits else max(digits, default=1)


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
    for name_node, other, on_right in ((operands[0], b, False), (operands[1], a, True)):
        e = name_node.expr
        if isinstance(e, E.Var) and e.is_scalar and e.name not in declared and not other.is_scalar:
            return f"{e.name} was not declared, so it is a scalar; " + _declare_hint(e.name, op, other.shape, on_right)
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


def _declare_hint(name: str, op: str, other: tuple, on_right: bool) -> str:
    """The declaration that makes ``name`` fit beside ``other`` (only @ and · refuse a scalar)."""
    rows, cols = other
    if op == "@" and not on_right:  # X @ w: X is as wide as w is long, with rows of any size
        free = next(s for s in ("m", "M", "k", "p", "q") if s not in map(str, other))
        vector = f", or --vector {name}:{rows} for a dot product" if cols == 1 else ""
        return (f"declare it with --matrix {name}:{free},{rows} ({free} rows of any size; Python: "
                f"matrices=\"{name}:{free},{rows}\"){vector}")
    # X @ v: v is as long as X is wide; w @ v with w a column is a dot product, so v is as long as w
    size = cols if op == "@" and cols != 1 else rows
    return f"declare it with --vector {name}:{size} (Python: vectors=\"{name}:{size}\")"


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
