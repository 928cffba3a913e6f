"""The parser's tokenizer: a whitelist of characters, names checked for look-alike letters (names.py).

>>> [t.text for t in tokenize("w ⊗ xᵀ²")][:5]
['w', '*', 'x', 'ᵀ', '2']
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import ParseError
from .habits import attribute_hint
from .names import normalize_name, spelling_problem

_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
                 "⁹": "9", "⁻": "-"}
_SUBSCRIPTS = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9"}
_OPERATORS = {"**": "**", "^": "**", "+": "+", "-": "-", "−": "-", "*": "*", "×": "*", "⊗": "*", "/": "/",
              "⊘": "/", "@": "@", "·": "·", "(": "(", ")": ")", "[": "[", "]": "]", ",": ",", "ᵀ": "ᵀ"}
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "sup" (superscript power), "T" (.T), "end"
    text: str
    pos: int


def check_identifier(raw: str, text: str, pos: int) -> str:
    """A typed name in its normal form, or a ParseError at the character that makes it no name
    (a look-alike letter, a digit other than 0-9, two scripts, a doubled underscore: names.py)."""
    problem = spelling_problem(raw)
    if problem:
        offset, message = problem
        raise ParseError(message, text, pos + offset)
    return normalize_name(raw)


def _name_char(ch: str) -> bool:
    # ² and ᵀ count as alphanumeric to Python, but here they are powers and transposes
    if ch in _SUPERSCRIPTS or ch == "ᵀ" or ch in "σ√":
        return False
    return ch.isalnum() or ch == "_" or ch in _SUBSCRIPTS


def tokenize(text: str) -> list[Token]:
    tokens, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        m = _NUMBER.match(text, i)
        if m:
            tokens.append(Token("num", m.group(), i))
            i = m.end()
            continue
        if _name_char(ch) and not ch.isdigit():
            j = i
            while j < len(text) and _name_char(text[j]):
                j += 1
            name = check_identifier(text[i:j], text, i)
            tokens.append(Token("name", name, i))
            i = j
            continue
        if ch == "." and text[i + 1 : i + 2] == "T" and not (text[i + 2 : i + 3].isalnum() or text[i + 2 : i + 3] == "_"):
            tokens.append(Token("T", ".T", i))
            i += 2
            continue
        if ch == ".":
            raise ParseError("attribute access is not allowed; only .T (transpose) may follow an expression"
                             + attribute_hint(text, i), text, i)
        if ch in _SUPERSCRIPTS:
            j = i
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            tokens.append(Token("sup", "".join(_SUPERSCRIPTS[c] for c in text[i:j]), i))
            i = j
            continue
        if ch in "σ√":
            tokens.append(Token("name", ch, i))
            i += 1
            continue
        if ch == "=" and tokens and tokens[-1].text == "axis" and text[i + 1 : i + 2] != "=":  # sum(M, axis=0)
            tokens.append(Token("op", "=", i))
            i += 1
            continue
        two = text[i : i + 2]
        if two in _OPERATORS:
            tokens.append(Token("op", _OPERATORS[two], i))
            i += 2
            continue
        if ch in _OPERATORS:
            tokens.append(Token("op", _OPERATORS[ch], i))
            i += 1
            continue
        raise ParseError(f"unexpected character {ch!r} ({unicodedata.name(ch, 'unknown')})" + _hint_char(ch), text, i)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _hint_char(ch: str) -> str:
    transpose = "; for a transpose write x.T or xᵀ (a prime is not a transpose, and strings are not allowed)"
    hints = {"=": "; comparisons and assignments are not expressions", "'": transpose, "’": transpose, "′": transpose,
             "{": "; use ( ) for grouping: x^(2), not x^{2}", "}": "; use ( ) for grouping: x^(2), not x^{2}",
             '"': "; strings are not allowed", ":": "; slices and lambdas are not allowed",
             "!": "", "<": "; comparisons are not allowed",
             ">": "; comparisons are not allowed", "&": "", "|": "; write abs(x) for |x|"}
    return hints.get(ch, "")
