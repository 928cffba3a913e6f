"""The rule registry: each rule object's own example derives, the derivation cites that very
object, and the result passes the numeric check."""
from __future__ import annotations

import dataclasses

import pytest

import symcalc as sc
from symcalc import expr as E
from symcalc.expr import matrixnodes as M
from symcalc.rules import BACKWARDS, JACOBIANS, RULES, Rule

from helpers import checked


@pytest.mark.parametrize("key", list(RULES))
def test_each_rule_example_derives_cites_the_rule_object_and_checks(key):
    rule = RULES[key]
    expr, wrt = rule.example()
    d = checked(sc.derive(expr, wrt))
    assert any(r is rule for s in d.steps for r in s.rules), f"{key}: not cited by its own example"


def test_rules_are_frozen_objects_with_a_formula_docstring():
    for rule in RULES.values():
        assert isinstance(rule, Rule) and dataclasses.is_dataclass(rule)
        with pytest.raises(dataclasses.FrozenInstanceError):
            rule.name = "other"
        assert type(rule).__doc__.strip(), rule.key
        # the backward (adjoint) form is implemented by the matrix rules of issue 12, and by them only
        assert (rule.backward is None) == (rule.section != "matrices"), rule.key


def test_each_differentiable_node_has_one_rule():
    for backward in (False, True):  # one Jacobian rule and one backward rule per node class
        owners = [node for rule in RULES.values() for node in rule.nodes if (rule.section == "matrices") == backward]
        assert len(owners) == len(set(owners))
    assert set(JACOBIANS) == {E.Var, E.Add, E.Mul, E.Div, E.Pow, E.Func, E.Max, E.Step, E.Sum, E.Dot, E.Block,
                              E.Index, E.Transpose, E.MatMul, M.Softmax, M.LogSoftmax, M.LogSumExp, M.Norm}
    assert set(BACKWARDS) == {E.MatMul, E.Add, E.Mul, E.Div, E.Pow, E.Func, E.Max, E.Step, E.Transpose, E.Diag, E.Sum,
                              E.Dot, M.Trace, M.Det, M.Inv, M.Norm, M.Softmax, M.LogSoftmax, M.LogSumExp}
    assert all(node in rule.nodes for node, rule in JACOBIANS.items())
