"""The one data structure every renderer reads: a derivation as a list of step records.

A :class:`Step` is plain data (expressions, shapes, rule objects, a note); the engine emits it
as it applies a rule, and renderers only lay it out.
"""
from __future__ import annotations

from dataclasses import dataclass

from .rules import Rule
from .shapes import fmt_shape

# The paper's four phases (R10), plus the rewrite of w·x as sum(w ⊗ x) and the final result.
PHASES = {
    "define": "Intermediate variables (innermost first)",
    "local": "Local derivatives",
    "chain": "Chain rule",
    "backward": "Backward pass: each G (the gradient of L by V, of V's shape), from the output back",
    "substitute": "Substitute back and simplify",
    # a Hessian's Jacobian of the gradient (issue 13); the title is LaTeX-safe (\paragraph prints it as it is)
    "second": "Second derivative: the Jacobian of the gradient, by the same rules",
    "product": "Hessian-vector product: the gradient of the direction times the gradient, by the same rules",
    "result": "Result",
}


def printed_order(shapes) -> tuple:
    """Factor shapes in the order a product prints: a 1×1 factor scales, and the printer writes it first."""
    return tuple(sorted(shapes, key=lambda s: not (s[0] == 1 and s[1] == 1)))


@dataclass(frozen=True)
class Step:
    """``sides[0] = sides[1] = …``: each side an expression; ``shape`` that of the value.

    ``factor_shapes`` holds the shapes a chain-rule product multiplies, so renderers can
    show the shape arithmetic (1×1)(1×n) → 1×n without recomputing anything.
    """

    phase: str
    sides: tuple
    shape: tuple
    rules: tuple[Rule, ...] = ()
    note: str = ""
    factor_shapes: tuple = ()
    wrt: object = None  # the variable this step is about, where it is about one

    @property
    def shape_text(self) -> str:
        if self.factor_shapes:
            return "".join(f"({fmt_shape(s)})" for s in self.factor_shapes) + " → " + fmt_shape(self.shape)
        return fmt_shape(self.shape)

    @property
    def rule_text(self) -> str:
        return ", ".join(r.label for r in self.rules)
