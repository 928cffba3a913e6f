"""The expression layer: immutable nodes with shapes, built with numpy-like operators.

Scalars are 1×1, vectors are columns (n×1), matrices m×n. ``*`` and ``/`` are element-wise
with scalar expansion, ``@`` is the matrix product (vector @ vector is the dot product).
Shapes are checked when an expression is built, so a mismatch is reported where it was made.

>>> w, x, b = vector("w"), vector("x"), scalar("b")
>>> print(relu(w @ x + b))
max(0, w·x + b)
>>> (w @ x + b).shape
(1, 1)
>>> vector("w", 3) + vector("x", 4)
Traceback (most recent call last):
...
symcalc.errors.ShapeError: cannot add w (3×1) and x (4×1): element-wise operations need equal shapes (or a scalar)

A package: ``nodes`` and ``structural`` hold the node classes, ``builders`` the functions that
check shapes and build them (scalar, vector, add, matmul, ...), ``tree`` the walks and queries
(variables, depends, replace, ...). Their public names are re-exported here: ``E.add``, ``E.Var``.
"""
from __future__ import annotations

from ..shapes import ONE, fmt_shape, is_column, is_scalar, size
from .builders import (ONEHOT, add, apply, as_expr, block, const, diag, div, dot, identity, index, is_onehot,
                       matmul, matrix, maximum, mul, neg, one, ones, power, relu, scalar, stack, sum_, transpose,
                       vector, zero)
from .nodes import (SCALAR, Add, Const, Diag, Div, Dot, Expr, Func, Identity, MatMul, Max, Mul, Ones, Pow, Step,
                    Sum, Transpose, Var, Zero)
from .structural import Block, Cases, Index, Partial
from .tree import (depends, depth, is_const, is_negative, negate, negate_leading, replace, tree_size, variables,
                   walk)
