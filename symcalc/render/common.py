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
    if d.layout == "numerator":
        return "numerator layout: ∂f/∂x has a row per element of f, a column per element of x"
    return "denominator layout: every derivative is the transpose of the numerator-layout one"


def notes(d) -> tuple:
    """The derivation's notes, plus its self-check when that is not a plain pass or skip."""
    v = getattr(d, "verification", None)
    shown = v is not None and v.status in ("failed", "inconclusive")
    return (*d.notes, str(v)) if shown else tuple(d.notes)


def failure_banner(d) -> str:
    """A first line for a derivation that failed its self-check ('' otherwise)."""
    v = getattr(d, "verification", None)
    if v is None or v.status != "failed":
        return ""
    return "FAILED SELF-CHECK: this result is wrong (a bug in symcalc); see the note at the end"
