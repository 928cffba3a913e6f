"""The rule registry: every rule the engine applies, one object each, with the paper's number (R1–R12).

Each rule lives in the module for its section of the paper (:mod:`.scalar` R1–R2,
:mod:`.gradients` R3–R4, :mod:`.elementwise` R5–R7, :mod:`.reductions` R8–R9, :mod:`.chain`
R10–R12, :mod:`.products` beyond the paper). The engine cites these objects in its steps, the
object that computes a node's Jacobian is found here by the node's class, and the CLI prints its
rule table from them, so what is shown and what is applied cannot drift apart.

>>> RULES["sum_reduction"].label
'vector sum reduction (R8)'
>>> [r.number for r in RULES.values() if r.number][:3]
['R1', 'R1', 'R1']
>>> JACOBIANS[E.Sum] is RULES["sum_reduction"]
True
"""
from __future__ import annotations

from .. import expr as E
from .backward import BACKWARD_RULES
from .base import Rule, col, mm
from .chain import CHAIN, TOTAL, VECTOR_CHAIN
from .elementwise import ELEMENTWISE, ELEMENTWISE_MAX, ELEMENTWISE_UNARY, PIECEWISE_CONSTANT, SCALAR_EXPANSION
from .gradients import GRADIENT, IDENTITY, JACOBIAN
from .products import MATVEC, TRACE, TRANSPOSE
from .reductions import DOT, SUM_REDUCTION
from .vectorfunctions import LOG_SOFTMAX, LOGSUMEXP, NORM, SOFTMAX
from .scalar import (CONSTANT, CONSTANT_MULTIPLE, ELEMENTARY, EXPONENTIAL, MAX_SCALAR, PARTIAL, POWER, PRODUCT,
                     QUOTIENT, SUM_RULE)

__all__ = ["Rule", "RULES", "JACOBIANS", "BACKWARDS", "col", "mm"]

_ORDER = (  # the order of the paper's reference tables
    CONSTANT, CONSTANT_MULTIPLE, POWER, SUM_RULE, PRODUCT, QUOTIENT, EXPONENTIAL, ELEMENTARY, MAX_SCALAR, PARTIAL,
    GRADIENT, JACOBIAN, IDENTITY, ELEMENTWISE, ELEMENTWISE_UNARY, ELEMENTWISE_MAX, SCALAR_EXPANSION, SUM_REDUCTION,
    DOT, CHAIN, TOTAL, VECTOR_CHAIN, MATVEC, TRANSPOSE, PIECEWISE_CONSTANT, TRACE, SOFTMAX, LOG_SOFTMAX, LOGSUMEXP, NORM,
)
RULES = {r.key: r for r in (*_ORDER, *BACKWARD_RULES)}

JACOBIANS = {node: rule for rule in _ORDER for node in rule.nodes}
"""Node class → the rule object that computes its Jacobian (one per class)."""

BACKWARDS = {node: rule for rule in BACKWARD_RULES for node in rule.nodes}
"""Node class → the rule object that passes a gradient back through it (the backward form)."""
