"""The rule object: the paper's number, name and formula, its own example, and its Jacobian.

Modelled on sympy's ``manualintegrate``: the step *is* the rule object, so a derivation's
citation is the object whose code ran. A rule that differentiates nodes lists their classes in
``nodes`` and implements ``jacobian``; a rule the engine only cites (the chain rules, partial
derivatives) leaves both empty. ``backward`` is the room for the adjoint form
(G_Z = ∂L/∂Z ↦ G_W, as Z = XW ⇒ G_W = Xᵀ G_Z): not implemented yet, ``None`` everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import expr as E


@dataclass(frozen=True)
class Rule:
    """A differentiation rule: ``formula`` is what it says, ``number`` the paper's R-number
    ('' for rules beyond the paper, such as the matrix–vector product)."""

    key: str
    number: str
    name: str
    formula: str
    section: str

    nodes: ClassVar[tuple] = ()  # the node classes whose Jacobian this rule computes
    backward: ClassVar[Any] = None  # the adjoint form, G_out ↦ G_in, once rules carry one

    @property
    def label(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name

    def applies(self, d, e) -> bool:
        """Whether this rule differentiates ``e`` (rules sharing a node class split it by shape)."""
        return True

    def jacobian(self, d, e):
        """∂e/∂x, raw, for the differentiation context ``d`` (:class:`symcalc.diff.Differ`)."""
        raise NotImplementedError(f"{self.name} is cited, not applied to a node")

    def example(self) -> tuple:
        """(expression, variable or [variables]) whose derivation cites this rule: the table's row."""
        raise NotImplementedError


def col(e):
    """A row vector as a column (same elements); columns and scalars unchanged."""
    from ..shapes import is_row

    return E.transpose(e) if is_row(e.shape) else e


def mm(*factors):
    """Raw matrix product that tolerates 1×1 factors (as scaling)."""
    scalars = [f for f in factors if f.is_scalar]
    others = [f for f in factors if not f.is_scalar]
    if not others:
        return E.mul(*scalars)
    prod = others[0] if len(others) == 1 else E.MatMul(tuple(others), (others[0].shape[0], others[-1].shape[1]))
    return E.mul(*scalars, prod) if scalars else prod
