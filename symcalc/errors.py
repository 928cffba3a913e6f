"""The exceptions symcalc raises: every failure a user can cause is a :class:`SymcalcError`."""
from __future__ import annotations


class SymcalcError(Exception):
    """Base class: catch this to handle any symcalc failure.

    >>> issubclass(ShapeError, SymcalcError) and issubclass(ParseError, SymcalcError)
    True
    """


def caret(message: str, text: str | None, pos: int | None) -> str:
    """The message, then the text (a window of it when long) with a caret under column ``pos``."""
    if text is None or pos is None or "\n" in text:
        return message
    start = max(0, pos - 40)
    prefix, suffix = ("…" if start else ""), ("…" if pos + 40 < len(text) else "")
    shown = text[start : pos + 40]
    return f"{message}\n  {prefix}{shown}{suffix}\n  {' ' * (len(prefix) + pos - start)}^"


class ShapeError(SymcalcError, ValueError):
    """Operand shapes do not fit the operation.

    ``op`` is the operator symbol, ``operands`` the offending operands, so callers
    (the parser) can add hints and point at the user's text (``text``, ``pos``).
    """

    def __init__(self, message: str, op: str | None = None, operands: tuple = (), text=None, pos=None, hint=""):
        super().__init__(message)
        self.message = message
        self.op = op
        self.operands = operands
        self.text, self.pos, self.hint = text, pos, hint

    def __str__(self) -> str:
        return caret(self.message, self.text, self.pos) + (f"\n  hint: {self.hint}" if self.hint else "")


class ArgumentError(SymcalcError, TypeError):
    """An argument of the wrong kind: a list where an expression goes, an expression where a
    variable is needed, a missing ``wrt``. Also a :class:`TypeError`, as Python's own would be.

    >>> issubclass(ArgumentError, TypeError) and issubclass(ArgumentError, SymcalcError)
    True
    """


class UnsupportedError(SymcalcError):
    """No rule applies: symcalc refuses rather than guess a result it cannot vouch for."""


class ParseError(SymcalcError, ValueError):
    """The user's text is not a valid expression or declaration.

    ``str(err)`` shows the text with a caret under the offending column.

    >>> print(ParseError("unexpected ')'", text="w + )", pos=4))
    unexpected ')'
      w + )
          ^
    """

    def __init__(self, message: str, text: str | None = None, pos: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.pos = pos

    def __str__(self) -> str:
        return caret(self.message, self.text, self.pos)


class VerificationError(SymcalcError):
    """A derivation failed its own numeric self-check: a bug in symcalc, never a result to use.

    ``derivation`` is the derivation (its ``verification`` says how it failed); ``result`` the
    :class:`~symcalc.check.CheckResult` of the comparison.

    >>> issubclass(VerificationError, SymcalcError)
    True
    """

    def __init__(self, message: str, derivation=None, result=None):
        super().__init__(message)
        self.derivation, self.result = derivation, result


class LimitError(SymcalcError):
    """An input is within the typed limits but needs more work than one derivation may do."""
