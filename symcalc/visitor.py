"""Tree walkers that dispatch on a node's class, not on its class's name.

A walker marks each handler with ``@on(NodeClass, ...)``; a class-level table maps node class to
handler, so a renamed node cannot silently miss its handler, and a node no handler covers is an
:class:`UnsupportedError` naming the walker and the node, never an ``AttributeError``.

>>> from symcalc import expr as E
>>> class Leaves(Visitor):
...     what = "leaf counter"
...     @on(E.Var, E.Const)
...     def _leaf(self, e):
...         return 1
>>> Leaves().visit(E.scalar("x"))
1
>>> Leaves().visit(E.ones(3))
Traceback (most recent call last):
...
symcalc.errors.UnsupportedError: the leaf counter has no case for a Ones node
"""
from __future__ import annotations

from .errors import UnsupportedError


def on(*node_classes):
    """Mark a method as the handler of these node classes."""

    def mark(method):
        method.handles = node_classes
        return method

    return mark


class Visitor:
    """Base of the walkers: ``visit(e)`` calls the handler registered for ``type(e)``."""

    what = "walker"  # how errors name this walker
    table: dict = {}  # node class → handler's name, built per subclass

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Stored by name and resolved on the class, so a subclass that overrides a handler
        # (sympy_export's plain converter) is dispatched to without marking the override again.
        table = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                for node in getattr(attr, "handles", ()):
                    table[node] = name
        cls.table = {node: getattr(cls, name) for node, name in table.items()}

    def visit(self, e):
        handler = self.table.get(type(e))
        if handler is None:
            raise self.unsupported(e)
        return handler(self, e)

    def unsupported(self, e) -> UnsupportedError:
        return UnsupportedError(f"the {self.what} has no case for a {type(e).__name__} node")


class SharedVisitor(Visitor):
    """A walker that handles each distinct node once per top-level call: closed forms share
    subtrees, which a plain tree walk would visit exponentially often (the evaluators use it)."""

    _memo: dict | None = None

    def visit_once(self, e):
        top = self._memo is None
        if top:
            self._memo = {}
        try:
            got = self._memo.get(id(e))
            if got is None:
                got = self._memo[id(e)] = self.visit(e)
            return got
        finally:
            if top:
                self._memo = None
