"""The simplifier's rewrites, one named record each: what it does (``formula``) and the code.

Every rewrite must hold for every value of its operands, through whatever surrounds the node: a
rewrite that holds only element by element may only follow element-wise structure (see
``mul.mask_relu``). Each record has its own numeric soundness test (tests/test_rewrites.py), which
fails for a record that has none.

>>> from symcalc import expr as E
>>> [r.name for r in REWRITES if r.node is E.Sum]
['sum.zero', 'sum.ones', 'sum.dot', 'sum.outer', 'sum.scalars', 'sum.onehot']
>>> from symcalc.expr import vector, ones
>>> print(rewrite_once(ones("n").T @ vector("x")))
sum(x)

The records live in one module per kind of node (``sums``, ``products``, ``arithmetic``,
``matmul``, ``structure``, ``reductions``, ``blocks``); the record type, the registry and the
shared helpers in ``core``. The modules are imported below in a fixed order, which is the order
the rewrites of a node are tried: a new rewrite goes where it should be tried.
"""
from __future__ import annotations

# the order of these imports is the order of REWRITES and of each node's rewrites in BY_NODE
from . import sums  # noqa: F401  Add
from . import products  # noqa: F401  Mul
from . import arithmetic  # noqa: F401  Div, Pow
from . import matmul  # noqa: F401  MatMul
from . import structure  # noqa: F401  Transpose, Diag
from . import reductions  # noqa: F401  Sum, Dot
from . import blocks  # noqa: F401  Step, Index, Block
from . import matrices  # noqa: F401  all-ones factors, traces
from . import factoring  # noqa: F401  Add: common factors and transposes taken out
from .core import BY_NODE, REWRITES, Rewrite, expand_to, negated, rewrite, rewrite_once, unmask_relu

__all__ = ["BY_NODE", "REWRITES", "Rewrite", "expand_to", "negated", "rewrite", "rewrite_once", "unmask_relu"]
