"""The rule registry: each rule object's own example derives, the derivation cites that very
object, and the result passes the numeric check."""
from __future__ import annotations

import dataclasses

import pytest

import symcalc as sc
from symcalc import expr as E
from symcalc.rules import JACOBIANS, RULES, Rule

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
        assert rule.backward is None  # room for the adjoint form, not implemented yet


def test_each_differentiable_node_has_one_rule():
    owners = [node for rule in RULES.values() for node in rule.nodes]
    assert len(owners) == len(set(owners))
    assert set(JACOBIANS) == {E.Var, E.Add, E.Mul, E.Div, E.Pow, E.Func, E.Max, E.Step, E.Sum, E.Dot, E.Block,
                              E.Index, E.Transpose, E.MatMul}
    assert all(node in rule.nodes for node, rule in JACOBIANS.items())
