"""The parser's atoms: numbers, names, ``[a, b]`` lists and function calls, with the special forms
``sum``, ``dot``, ``max``/``maximum`` and ``relu``, and the hints for an unknown function."""
from __future__ import annotations

import difflib
from fractions import Fraction

from . import expr as E
from . import matrix_builders as MB
from .errors import ParseError
from .functions import PARSER_NAMES
from .habits import UNSUPPORTED, call_args
from .habits import hint as habit_hint
from .names import digit_problem
from .parse_sizes import MAX_CONST_DIGITS, MAX_EXPONENT_DIGITS, Node, _digits, _most
from .tokens import Token

_UNARY = PARSER_NAMES  # every spelling of an element-wise function, from its record
_SPECIAL = {"sum": 1, "dot": 2, "max": 2, "maximum": 2, "relu": 1, "mean": 1, "trace": 1, "det": 1, "inv": 1,
            "norm": 1, "softmax": 1, "log_softmax": 1, "logsumexp": 1}
_AXIS = {"sum", "mean", "softmax", "log_softmax", "logsumexp"}  # the calls that take axis=0 or axis=1
FUNCTION_NAMES = sorted(n for n in {*_UNARY, *_SPECIAL} if n.isascii())  # σ and √ are symbols, not names


class Atoms:
    """The :class:`~symcalc.parse.Parser`'s rules for atoms (a mixin: it uses the parser's tokens)."""

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
        args, axis = [], None
        if not self.at(")"):
            args.append(self.additive())
            while self.at(","):
                self.take()
                if self.tok.kind == "name" and self.tokens[self.i + 1].text == "=":
                    axis = self.axis(fname)
                    break
                args.append(self.additive())
        if self.at("="):
            raise self.error("keyword arguments are not allowed" + (
                "; the one keyword is axis, after the argument: sum(M, axis=0)" if fname in _AXIS else ""))
        close = self.expect(")", f"',' or ')' in the call of {fname}")
        self.depth -= 1
        arity = _SPECIAL.get(fname, 1)
        if len(args) != arity:
            raise ParseError(f"{fname} takes {arity} argument{'s' if arity > 1 else ''}, got {len(args)}",
                             self.text, name.pos)
        exprs = [a.expr for a in args]
        build = {
            "sum": lambda: E.sum_(exprs[0], axis), "dot": lambda: E.dot(*exprs), "relu": lambda: E.relu(exprs[0]),
            "max": lambda: E.maximum(*exprs), "maximum": lambda: E.maximum(*exprs),
            "mean": lambda: MB.mean(exprs[0], axis), "trace": lambda: MB.trace(exprs[0]),
            "det": lambda: MB.det(exprs[0]), "inv": lambda: MB.inv(exprs[0]), "norm": lambda: MB.norm(exprs[0]),
            "softmax": lambda: MB.softmax(exprs[0], axis), "log_softmax": lambda: MB.log_softmax(exprs[0], axis),
            "logsumexp": lambda: MB.logsumexp(exprs[0], axis),
        }.get(fname, lambda: E.apply(_UNARY[fname], exprs[0]))
        expr = self.guard(build, name.pos, close.pos + 1, args)
        # sqrt(4**500) is exact in sympy, so a function of a constant is as big as its argument
        return self.constant(Node(expr, name.pos, close.pos + 1), None, _most(args))

    def axis(self, fname: str) -> int:
        """``axis=0`` or ``axis=1`` after the argument of sum, mean and the softmax family."""
        key = self.take()
        if key.text != "axis" or fname not in _AXIS:
            where = f"{fname} takes no keyword arguments" if fname not in _AXIS else f"{fname}'s one keyword is axis"
            raise ParseError(f"{where} (not {key.text}=)", self.text, key.pos)
        self.take()  # =
        value = self.take()
        if value.kind != "num" or value.text not in ("0", "1"):
            raise ParseError("axis must be 0 (down each column) or 1 (along each row)", self.text, value.pos)
        return int(value.text)

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
