"""Issue 9: --check tells the truth. A correct derivative never fails (steep, huge or ill-conditioned
values are judged with two step sizes or called inconclusive), a wrong one still fails, and overflow
or 0-against-0 comparisons are inconclusive with the reason, never a pass and never exit 1."""
from __future__ import annotations

import json

import pytest

import symcalc as sc
from symcalc.check import TOLERANCE, check_closed_forms, relative_error
from symcalc.cli import main

from helpers import checked

x = sc.scalar("x")


def run(capsys, *argv):
    code = main(["derive", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_steep_correct_derivative_passes(capsys):
    """exp(exp(exp(x))): the 1e-6 step's truncation error (7e-6) once failed this correct result."""
    checked(sc.derive("exp(exp(exp(x)))", "x"), samples=5)
    code, out, _ = run(capsys, "exp(exp(exp(x)))", "--wrt", "x", "--check", "--format", "text")
    assert code == 0 and "check: PASS" in out


@pytest.mark.parametrize("expr, why", [
    ("x**999999", "underflow to 0"),  # |x| < 1: 0 against 0; |x| > 1: overflow
    ("x**999999", "overflows"),
    ("exp(exp(exp(x**2 + 6)))", "overflows"),  # once "could not find points away from kinks", exit 2
    ("sin(1e8*x)", "ill-conditioned"),  # once FAIL, exit 1
])
def test_no_usable_point_is_inconclusive_with_the_reason(capsys, expr, why):
    result = sc.derive(expr, "x").check()
    assert result.status == "inconclusive" and not result.passed and why in result.reason
    code, out, err = run(capsys, expr, "--wrt", "x", "--check", "--format", "text")
    assert code == 0 and err == ""
    assert "check: INCONCLUSIVE: no usable point in 1000 random draws" in out and why in out


def test_json_carries_the_status_and_reason(capsys):
    code, out, _ = run(capsys, "x**999999", "--wrt", "x", "--check", "--format", "json")
    block = json.loads(out)["derivations"][0]["check"]
    assert code == 0 and block["status"] == "inconclusive" and not block["passed"]
    assert "underflow" in block["reason"]
    code, out, _ = run(capsys, "exp(exp(exp(x)))", "--wrt", "x", "--check", "--format", "json")
    assert code == 0 and json.loads(out)["derivations"][0]["check"]["status"] == "passed"


def test_a_wrong_closed_form_still_fails_check_with_exit_1(broken_engine, capsys):
    code, out, _ = run(capsys, "tanh(w @ x)", "--wrt", "w", "--vector", "w", "x", "--no-verify", "--check",
                       "--format", "text")
    assert code == 1 and "check: FAIL" in out
    code, out, _ = run(capsys, "exp(exp(exp(x)))", "--wrt", "x", "--no-verify", "--check", "--format", "json")
    block = json.loads(out)["derivations"][0]["check"]
    assert code == 1 and block["status"] == "failed" and block["worst_relative_error"] > 0.1


@pytest.mark.parametrize("factor", [2.0, 1.001, -1.0])
@pytest.mark.parametrize("expr", ["exp(exp(exp(x)))", "1e-9 * x**2", "1e9 * sin(x)", "exp(exp(x))"])
def test_wrong_closed_forms_fail_at_every_scale(expr, factor):
    """Scale-free: a wrong derivative of size 1e-9 fails (the old max(1, |J|) floor passed it)."""
    d = checked(sc.derive(expr, "x"))
    result = check_closed_forms(d.expr, {v: factor * c for v, c in d._closed.items()})
    assert result.status == "failed" and result.confirmed and result.worst > 5e-4


def test_a_transposed_matrix_derivative_fails():
    w, v = sc.vector("w"), sc.vector("x")
    assert check_closed_forms(w @ v, {w: w.T}).status == "failed"  # the right answer is xᵀ


def test_error_is_elementwise_and_scale_free():
    assert relative_error([1e6, 0.02], [1e6, 0.01]) > TOLERANCE  # max(1, max|J|) hid it (1e-8)
    assert relative_error([1.0, 2e-3], [1.0, 1e-3]) > 0.1  # entries down to 1e-3 of the largest: relative
    assert relative_error([2e-9], [1e-9]) == pytest.approx(0.5)
    assert relative_error([1.0, 1e-17], [1.0, 1e-11]) < TOLERANCE  # round-off next to a unit entry
    assert relative_error([1.0], [1.0 + 1e-4], noise=[1e-4]) == 0.0  # the differences' own error
    assert relative_error([1.0], [1.0, 2.0]) == float("inf")


@pytest.mark.parametrize("expr", ["sin(x)**2 + cos(x)**2", "sin(1000*x)", "log(x**2) * 1e-12", "exp(-x**2) * 1e300"])
def test_correct_derivatives_at_awkward_scales_pass(expr):
    d = checked(sc.derive(expr, "x"), samples=5)
    assert d.verification.status == "passed"


def test_the_self_check_and_check_agree(capsys):
    """The default self-check and --check share one verdict: the CLI line says what the note says."""
    d = sc.derive("exp(exp(exp(x**2 + 6)))", "x")
    assert d.verification.status == d.check().status == "inconclusive"


@pytest.mark.parametrize("expr, wrt, decl", [
    ("tanh(w.T @ M @ (u + a))", "M", dict(vectors="u w:N", matrices="M:N,n")),
    ("tan(tanh((u @ u) * (M @ u)))", "u", dict(vectors="u", matrices="M:N,n")),
])
def test_round_off_beside_a_saturated_function_is_not_a_failure(expr, wrt, decl):
    """Found by the slow property run: tanh near ±1 has Jacobian entries of 1e-8 beside values of 1,
    where the differences' round-off (eps·|f|/h ≈ 1e-10) is all the 'mismatch' there is. The closed
    forms agree with an independent oracle to 1e-10; the self-check and --check called them FAILED."""
    d = sc.derive(expr, wrt, **decl)  # the self-check no longer raises
    assert d.verification.status == "passed"
    assert d.check(samples=20).passed
    from symcalc.check import check_closed_forms

    wrong = check_closed_forms(d.expr, {d.wrt[0]: 1.0001 * d.closed_form()}, samples=3)
    assert wrong.status == "failed"  # a wrong closed form still fails at the same points
