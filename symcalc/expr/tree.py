"""Tree queries: traversal, depth and size, the variables an expression holds, signs, substitution.

Properties of a whole tree (depth, size, variables) are computed once per distinct node and kept on
it: nodes are immutable, and closed forms share subtrees.
"""
from __future__ import annotations

from .builders import neg
from .nodes import Const, Expr, Mul, Var


def walk(e: Expr):
    """Pre-order traversal, each distinct node once (closed forms share subtrees: a tree walk of
    a deep chain rule would visit them exponentially often)."""
    stack, seen = [e], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        yield node
        stack.extend(reversed(node.args))


def _memo(e: Expr, key: str, combine):
    """A property of the tree computed once per distinct node, bottom-up and without recursion."""
    if key in e.__dict__:
        return e.__dict__[key]
    stack = [e]
    while stack:
        node = stack[-1]
        pending = [a for a in node.args if key not in a.__dict__]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if key not in node.__dict__:
            object.__setattr__(node, key, combine(node))
    return e.__dict__[key]


def depth(e: Expr) -> int:
    """Nesting depth."""
    return _memo(e, "_depth", lambda n: 1 + max((a.__dict__["_depth"] for a in n.args), default=0))


def tree_size(e: Expr) -> int:
    """Nodes in ``e`` counted as printed: a shared subtree once per place it appears."""
    return _memo(e, "_size", lambda n: 1 + sum(a.__dict__["_size"] for a in n.args))


def _variables(n):
    if isinstance(n, Var):
        return (n,)
    return tuple(dict.fromkeys(v for a in n.args for v in a.__dict__["_vars"]))


def variables(e: Expr) -> list:
    """The variables in ``e``, in order of first appearance."""
    return list(_memo(e, "_vars", _variables))


def depends(e: Expr, v: Var) -> bool:
    return v in _memo(e, "_vars", _variables)


def is_const(e: Expr) -> bool:
    """True when ``e`` holds no variables."""
    return not _memo(e, "_vars", _variables)


def is_negative(e: Expr) -> bool:
    """True for −3 and for −2·x: a leading negative constant."""
    if isinstance(e, Const):
        return e.value.is_negative is True
    return isinstance(e, Mul) and isinstance(e.items[0], Const) and e.items[0].value.is_negative is True


def negate_leading(e: Expr) -> Expr:
    """−e for an expression with a leading negative constant (so −(−2x) is 2x, not a new Mul)."""
    if isinstance(e, Const):
        return Const(-e.value)
    coeff = -e.items[0].value
    rest = e.items[1:] if coeff == 1 else (Const(coeff), *e.items[1:])
    return rest[0] if len(rest) == 1 else Mul(rest, e.shape)


def negate(e: Expr) -> Expr:
    """−e, folding the sign into a leading constant where there is one."""
    return negate_leading(e) if is_negative(e) else neg(e)


def replace(e: Expr, mapping: dict) -> Expr:
    """Substitute nodes (usually variables) by expressions, bottom-up."""
    if e in mapping:
        return mapping[e]
    if not e.args:
        return e
    new = tuple(replace(a, mapping) for a in e.args)
    return e if new == e.args else e.rebuild(new)
