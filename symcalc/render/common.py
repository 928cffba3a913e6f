"""What every renderer shares: the derivation cut into titled sections of steps."""
from __future__ import annotations

from dataclasses import dataclass

from ..steps import PHASES


@dataclass(frozen=True)
class Section:
    number: int
    phase: str
    title: str
    steps: tuple


def sections(d) -> list[Section]:
    """The steps grouped by phase in the paper's order, numbered from 1."""
    out = []
    for phase, title in PHASES.items():
        steps = tuple(s for s in d.steps if s.phase == phase)
        if steps:
            out.append(Section(len(out) + 1, phase, title, steps))
    return out


def heading(d, fmt) -> str:
    """'y = expr' as the derivation's subject, in a printer's format."""
    return f"{fmt(d.output)} = {fmt(d.expr)}"


def variables_line(d, fmt, shape) -> list[tuple[str, str]]:
    from ..expr import variables

    return [(fmt(v), shape(v.shape)) for v in variables(d.expr)]


def layout_note(d) -> str:
    if getattr(d, "layout_text", None):  # a second derivative: gradient and Hessian each in their own layout
        return d.layout_text
    if d.layout == "numerator":
        return "numerator layout: ∂f/∂x has a row per element of f, a column per element of x"
    return "denominator layout: every derivative is the transpose of the numerator-layout one"


def notes(d) -> tuple:
    """The derivation's notes, plus its self-check when that is not a plain pass or skip."""
    v = getattr(d, "verification", None)
    shown = v is not None and v.status in ("failed", "inconclusive")
    return (*d.notes, str(v)) if shown else tuple(d.notes)


def array_text(value, width: int = 75) -> str:
    """A value at an --at point as numpy prints it: 6 decimals, tiny entries as 0, rows broken to
    ``width`` (numpy's own default), summarised with ... past 1,000 entries."""
    import numpy as np

    return np.array2string(value, precision=6, suppress_small=True, max_line_width=width)


def failure_banner(d) -> str:
    """A first line for a derivation that failed its self-check ('' otherwise)."""
    v = getattr(d, "verification", None)
    if v is None or v.status != "failed":
        return ""
    return "FAILED SELF-CHECK: this result is wrong (a bug in symcalc); see the note at the end"


# ---------------------------------------------------------------- laying text out in terminal cells
# Widths are display cells (rich.cells.cell_len), not len(): 1⃗ is two code points in one cell.
OPEN, CLOSE = "([{⟨", ")]}⟩"


def cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def plain_vectors(text: str) -> str:
    """1⃗ 0⃗ as 𝟙 𝟘: the combining arrow U+20D7 is missing from many monospace fonts (--ascii)."""
    return text.replace("1\u20d7", "𝟙").replace("0\u20d7", "𝟘")


def top_level_split(text: str, seps: tuple) -> list[str]:
    """``text`` cut before each separator that stands outside all brackets (the separator starts a piece)."""
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(text):
        depth += (text[i] in OPEN) - (text[i] in CLOSE)
        sep = next((s for s in seps if depth == 0 and i > start and text.startswith(s, i)), None)
        if sep:
            pieces.append(text[start:i])
            start = i + (sep == " ")  # a product's space is dropped at the break, a sign is kept
        i += len(sep) if sep and sep != " " else 1
    return pieces + [text[start:]]


def pack(pieces: list[str], width: int, indent: str) -> list[str]:
    """Pieces joined greedily into lines of at most ``width`` cells; later lines start with ``indent``."""
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if cells(lines[-1] + piece) <= width:
            lines[-1] += piece
        else:
            lines.append(indent + piece.lstrip())
    return lines


def _break_side(text: str, width: int, indent: str) -> list[str]:
    """One long side: at top-level + and −, then (still too long) between a product's factors."""
    if cells(text) <= width:
        return [text]
    lines = pack(top_level_split(text, (" + ", " − ", " - ")), width, indent + "  ")
    out = []
    for line in lines:
        factors = top_level_split(line, (" ",)) if cells(line) > width else [line]
        out += pack([factors[0]] + [" " + f for f in factors[1:]], width, indent + "    ")
    return out


def break_equation(sides: list[str], width: int) -> list[str]:
    """``a = b = c`` in lines of at most ``width`` cells where it can be: breaks go before '=' (each
    continuation hangs under the first '='), then at top-level + and −, with deeper hanging indents."""
    line = " = ".join(sides)
    if cells(line) <= width or len(sides) < 2:
        return [line] if len(sides) < 2 else _break_side(line, width, "")
    pad = " " * min(cells(sides[0]) + 1, width // 2)
    lines = [f"{sides[0]} = "]
    for side in sides[1:]:
        if lines[-1].endswith("= ") and cells(lines[-1] + side) <= width:
            lines[-1] += side
        elif cells(lines[-1] + " = " + side) <= width and not lines[-1].endswith("= "):
            lines[-1] += " = " + side
        else:
            head = lines.pop() if lines[-1].endswith("= ") else None
            start = head if head is not None else pad + "= "
            lines += _break_side(start + side, width, pad)
    return lines


def cases_lines(lhs: str, e, fmt, width: int = 10_000) -> list[str]:
    """The paper's cases, both 'if's in one column; each 'if' on its own line when that is too wide."""
    pad = " " * (cells(lhs) + 3)
    below, above, cond = fmt(e.below), fmt(e.above), fmt(e.arg)
    column = max(cells(below), cells(above))
    rows = [(below, f"if {cond} ≤ 0"), (above, f"if {cond} > 0")]
    lines = [f"{value}{' ' * (column - cells(value))}   {test}" for value, test in rows]
    if cells(pad + lines[1]) > width:
        lines = [part for value, test in rows for part in (value, "    " + test)]
    return [f"{lhs} = {lines[0]}"] + [pad + line for line in lines[1:]]


def wrap(text: str, width: int, first: str = "", indent: str = "") -> list[str]:
    """Words of ``text`` in lines of ``width`` cells: ``first`` before the first, a hanging ``indent`` after."""
    return pack([first + text.split(" ")[0]] + [" " + w for w in text.split(" ")[1:]], width, indent)
