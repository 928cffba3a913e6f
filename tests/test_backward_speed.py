"""Issue 12's deep network in the backward form: linear work in its depth (bench/deep_tanh.py).

The fully substituted closed forms grow quadratically with the depth L; they are built only when
asked for (``ClosedForms``), the printed result is chosen without building them where they would be
large, and the self-check evaluates the compact form (intermediates and δ's once each). Work is
counted by the budget (deterministic), not timed, so these tests do not depend on the machine.
"""
from __future__ import annotations

import pytest
import sympy

import symcalc as sc
from symcalc import backward, budget
from symcalc import expr as E
from symcalc.check import self_check
from symcalc.engine import substitute_back
from symcalc.errors import LimitError, VerificationError
from symcalc.layout import _value

from helpers import checked


def network(depth: int):
    """(sum(H_L), [W_1..W_L]) for H_k = tanh(H_(k-1) W_k), H_0 = X (N×n)."""
    H, Ws = sc.matrix("X", "N", "n"), []
    for k in range(1, depth + 1):
        Ws.append(sc.matrix(f"W_{k}", "n", "n"))
        H = sc.tanh(H @ Ws[-1])
    return sc.sum_(H), Ws


def work(depth: int) -> int:
    """Work steps of derive (self-check on) with the limit lifted, so every depth has a figure."""
    expr, Ws = network(depth)
    with budget.budget(10**9):
        sc.derive(expr, Ws, layout="denominator")
        return budget.used()


# ---------------------------------------------------------------- the closed forms, built when asked for


def test_two_layers_closed_forms_are_todays_in_both_layouts():
    expr, (W1, W2) = network(2)
    den = sc.derive(expr, [W1, W2], layout="denominator")
    num = sc.derive(expr, [W1, W2])
    assert str(den.closed_form(W1)) == "Xᵀ (((1 − tanh(tanh(X W₁) W₂)²) W₂ᵀ) ⊗ (1 − tanh(X W₁)²))"
    assert str(den.closed_form(W2)) == "tanh(X W₁)ᵀ (1 − tanh(tanh(X W₁) W₂)²)"
    assert str(num.closed_form(W1)) == "(((1 − tanh(tanh(X W₁) W₂)²) W₂ᵀ) ⊗ (1 − tanh(X W₁)²))ᵀX"
    assert str(num.closed_form(W2)) == "(1 − tanh(tanh(X W₁) W₂)²)ᵀ tanh(X W₁)"


def test_closed_forms_are_built_only_when_asked_for_and_kept():
    expr, Ws = network(12)
    d = sc.derive(expr, Ws, layout="denominator")
    d.text(), d.latex(), d.markdown()  # rendering and the self-check need none of them
    assert not any(d._closed.built(W) for W in Ws)
    first = d.closed_form(Ws[0])
    assert d._closed.built(Ws[0]) and not d._closed.built(Ws[1])
    assert d.closed_form(Ws[0]) is first  # kept, not built again
    assert set(d.closed_forms) == set(Ws) and all(d._closed.built(W) for W in Ws)


def test_lazy_closed_forms_are_the_fully_substituted_gradients_in_both_layouts():
    expr, Ws = network(5)
    num = checked(sc.derive(expr, Ws), samples=2)  # check() compares the built closed forms themselves
    den = checked(sc.derive(expr, Ws, layout="denominator"), samples=2)
    for W in Ws:
        assert den.closed_form(W) == _value(num.closed_form(W))  # denominator: the transpose
        assert E.variables(num.closed_form(W)) and not any(
            v.kind == "intermediate" for v in E.variables(num.closed_form(W)))  # no δ or H left in it
        assert num.closed_form(W).shape == (W.shape[1], W.shape[0]) and den.closed_form(W).shape == W.shape


def test_a_closed_form_built_after_derive_is_charged_to_a_budget_of_its_own(monkeypatch):
    expr, Ws = network(6)
    d = sc.derive(expr, Ws, verify=False)
    monkeypatch.setattr(budget, "MAX_WORK", 10)  # a hostile input's closed form cannot run unbounded
    with pytest.raises(LimitError):
        d.closed_form(Ws[0])


# ---------------------------------------------------------------- the printed result


def test_the_size_estimate_is_the_substituted_forms_tree_size():
    expr, Ws = network(5)
    intermediates, out, root = backward.decompose(expr, Ws)
    bw = backward._Pass(intermediates, out, root, Ws)
    gradients = bw.run()
    sizes = backward._Sizes(intermediates, bw.deltas)
    for W in Ws:
        g = gradients[W]
        full = substitute_back(substitute_back(g, bw.deltas), intermediates)
        assert backward._size_with(g, sizes.full) == E.tree_size(full)
        assert backward._size_with(g, sizes.partial) == E.tree_size(substitute_back(g, intermediates))


def test_a_deep_networks_result_is_printed_in_deltas_and_grows_linearly():
    sizes = {}
    for depth in (8, 16, 32):
        expr, Ws = network(depth)
        d = sc.derive(expr, Ws, layout="denominator", verify=False)
        sizes[depth] = len(d.result_latex_all().encode())
        assert "δ" in str(d.steps[-1].sides[-1])  # W_L's gradient H_(L-1)ᵀ δ_L, not written out
    assert sizes[32] <= 10_000
    assert sizes[32] <= 2.1 * sizes[16] and sizes[16] <= 2.1 * sizes[8]


# ---------------------------------------------------------------- the work budget


def test_a_plain_derive_of_32_layers_fits_the_work_budget():
    expr, Ws = network(32)
    d = sc.derive(expr, Ws, layout="denominator")  # MAX_WORK as it is: no LimitError
    assert d.verification.status == "passed"


def test_work_grows_linearly_with_depth():
    w8, w16, w32 = work(8), work(16), work(32)
    assert w16 <= 2.2 * w8 and w32 <= 2.2 * w16
    assert w32 < budget.MAX_WORK / 2


# ---------------------------------------------------------------- the self-check of the compact form


def test_the_self_check_evaluates_the_compact_form():
    expr, Ws = network(3)
    d = sc.derive(expr, Ws, layout="denominator", verify=False)
    assert d.compact_forms == d._closed.gradients  # G_W has W's shape: the denominator layout as it is
    assert any(v.name.startswith("δ") for g in d.compact_forms.values() for v in E.variables(g))
    assert d.intermediates[-1][0].name.startswith("δ")  # the δ's are among the definitions, after the H's
    num = sc.derive(expr, Ws, verify=False)
    assert all(num.compact_forms[W] == E.transpose(g) for W, g in d.compact_forms.items())
    for layout in ("numerator", "denominator"):
        verification, result = self_check(sc.derive(expr, Ws, layout=layout, verify=False))
        assert verification.status == "passed" and set(result.errors) == {W.name for W in Ws}


def _wrong_delta(monkeypatch):
    """The first δ the backward pass names is doubled: every gradient that reads it is wrong."""
    gradient = backward._Pass.gradient

    def doubled(self, v, shared):
        before = len(self.deltas)
        value = gradient(self, v, shared)
        if before == 0 and self.deltas:
            delta, definition = self.deltas[0]
            self.deltas[0] = (delta, 2 * definition)
        return value

    monkeypatch.setattr(backward._Pass, "gradient", doubled)


# depth 10: 90 weight entries at the check's sizes, over DIRECTIONAL_ABOVE, so compared along directions
DEPTHS = [3, 10]


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_a_wrong_delta_is_caught_by_the_self_check(monkeypatch, layout, depth):
    _wrong_delta(monkeypatch)
    expr, Ws = network(depth)
    with pytest.raises(VerificationError) as info:
        sc.derive(expr, Ws, layout=layout)
    assert info.value.result.confirmed and info.value.result.worst > 1e-3


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_a_wrong_gradient_step_is_caught_and_named(monkeypatch, layout, depth):
    """W_1's last step doubled, the δ's right: the check fails for W_1 alone."""
    run = backward._Pass.run

    def wrong_first(self):
        gradients = run(self)
        first = self.wrt[0]
        return {**gradients, first: 2 * gradients[first]}

    monkeypatch.setattr(backward._Pass, "run", wrong_first)
    expr, Ws = network(depth)
    verification, result = self_check(sc.derive(expr, Ws, layout=layout, verify=False))
    assert verification.status == "failed" and result.confirmed
    assert result.errors["W_1"] > 1e-3 and max(result.errors[W.name] for W in Ws[1:]) < 1e-6


@pytest.mark.parametrize("depth", DEPTHS)
def test_a_wrong_definition_of_an_intermediate_is_caught(monkeypatch, depth):
    """The check evaluates the definitions themselves: a wrong one is not trusted."""
    expr, Ws = network(depth)
    d = sc.derive(expr, Ws, layout="denominator", verify=False)
    (h, definition), = [(v, e) for v, e in d.intermediates if v.name == "H_1"]
    d.intermediates = [(v, 2 * e if v == h else e) for v, e in d.intermediates]
    verification, result = self_check(d)
    assert verification.status == "failed" and result.errors["W_1"] > 1e-3


def test_one_wrong_entry_is_seen_along_a_direction():
    """The directional comparison is not blunt: W_1's gradient off by 1e-4 in its entries fails."""
    from symcalc import check

    expr, Ws = network(10)
    d = sc.derive(expr, Ws, layout="denominator", verify=False)
    g = d.compact_forms[Ws[0]]
    bump = E.Const(sympy.Rational(1, 10_000)) * (E.ones("n") @ E.ones("n").T)
    wrong = {**d.compact_forms, Ws[0]: g + bump}
    r = check.check_closed_forms(d.expr, wrong, 1, layout=d.layout, definitions=d.intermediates, directional=True)
    assert r.status == "failed" and r.errors["W_1"] > 1e-6
