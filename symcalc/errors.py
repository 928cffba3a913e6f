"""The exceptions symcalc raises: every failure a user can cause is a :class:`SymcalcError`."""
from __future__ import annotations


class SymcalcError(Exception):
    """Base class: catch this to handle any symcalc failure.

    >>> issubclass(ShapeError, SymcalcError) and issubclass(ParseError, SymcalcError)
    True
    """


class ShapeError(SymcalcError, ValueError):
    """Operand shapes do not fit the operation.

    ``op`` is the operator symbol, ``operands`` the offending operands, so callers
    (the parser) can add hints that point at the user's text.
    """

    def __init__(self, message: str, op: str | None = None, operands: tuple = ()):
        super().__init__(message)
        self.op = op
        self.operands = operands


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
        if self.text is None or self.pos is None or "\n" in self.text:
            return self.message
        start = max(0, self.pos - 40)  # a window around the column keeps long input readable
        shown = self.text[start : self.pos + 40]
        prefix = "…" if start else ""
        suffix = "…" if self.pos + 40 < len(self.text) else ""
        return f"{self.message}\n  {prefix}{shown}{suffix}\n  {' ' * (len(prefix) + self.pos - start)}^"
