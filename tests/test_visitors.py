"""Every tree walker dispatches on the node's class and refuses an unknown node with an
UnsupportedError that names it (never an AttributeError)."""
from __future__ import annotations

import dataclasses
import inspect

import pytest

import symcalc as sc
from symcalc import diff, expr as E, numeric, printing, smallnum, sympy_export, sympy_scalars
from symcalc.visitor import Visitor

NODES = {c for _, c in inspect.getmembers(E, inspect.isclass)
         if issubclass(c, E.Expr) and dataclasses.is_dataclass(c)}


@dataclasses.dataclass(frozen=True)
class Mystery(E.Expr):
    """A node no walker knows."""

    shape: tuple = E.SCALAR


WALKERS = [
    (lambda: printing.text(Mystery()), "text printer"),
    (lambda: printing.latex(Mystery()), "LaTeX printer"),
    (lambda: numeric.Evaluator({}, {})(Mystery()), "numpy evaluator"),
    (lambda: smallnum.Evaluator({}, {})(Mystery()), "float evaluator"),
    (lambda: sympy_export.to_sympy(Mystery()), "conversion to sympy"),
    (lambda: sympy_export.to_plain(Mystery()), "conversion to sympy"),
    (lambda: sympy_scalars._ToScalar().visit(Mystery()), "conversion of scalars to sympy"),
]


@pytest.mark.parametrize("call, what", WALKERS)
def test_unknown_node_is_unsupported_and_named(call, what):
    with pytest.raises(sc.UnsupportedError, match=f"the {what} has no case for a Mystery node"):
        call()


def test_differ_names_the_unknown_node():
    x = sc.scalar("x")
    node = E.Func("exp", x, x.shape)
    object.__setattr__(node, "__class__", type("Strange", (E.Func,), {}))
    with pytest.raises(sc.UnsupportedError, match="no rule differentiates Strange node"):
        diff.Differ(x)(node)


@pytest.mark.parametrize("walker", [printing.TextPrinter, printing.LatexPrinter, numeric.Evaluator,
                                    smallnum.Evaluator, sympy_export._ToFull, sympy_export._ToPlain])
def test_full_walkers_cover_every_node(walker):
    assert issubclass(walker, Visitor)
    assert NODES - set(walker.table) <= {E.Partial}, NODES - set(walker.table)  # ∂f/∂x is a label only


def test_subclass_overrides_are_dispatched():
    assert sympy_export._ToPlain.table[E.Dot] is sympy_export._ToPlain._Dot is not sympy_export._ToFull._Dot
