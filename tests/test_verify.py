"""The numeric self-check every derivation runs (issue 8): failures raise or exit 1, never print as results."""
from __future__ import annotations

import json

import pytest

import symcalc as sc
from symcalc import catalog
from symcalc.check import check_closed_forms, self_check
from symcalc.cli import main

from helpers import checked

SPECS = catalog.catalog()


def test_a_wrong_closed_form_raises_verification_error(broken_engine):
    with pytest.raises(sc.VerificationError) as info:
        sc.derive("tanh(w @ x)", "w", vectors="w x")
    err = info.value
    assert isinstance(err, sc.SymcalcError)
    assert err.derivation.verification.status == "failed"
    assert err.result.confirmed and err.result.worst > 1e-3  # far beyond the 1e-6 tolerance
    assert "bug in symcalc" in str(err)


def test_a_wrong_matrix_derivative_raises_too(broken_engine):
    with pytest.raises(sc.VerificationError):
        sc.derive("y @ (W @ x)", "W", vectors="x:n y:m", matrices="W:m,n")


def test_the_cli_prints_the_failed_derivation_says_bug_and_exits_1(broken_engine, capsys):
    code = main(["derive", "affine", "--wrt", "w", "--format", "text"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "FAILED SELF-CHECK" in out and "self-check FAILED" in out and "∂z/∂w" in out
    assert "this is a bug in symcalc; please report it" in err
    assert "symcalc derive affine --wrt w --format text" in err


def test_the_repro_command_is_shell_quoted(broken_engine, capsys):
    assert main(["derive", "tanh(w @ x)", "--wrt", "w", "--vector", "w", "x"]) == 1
    assert "symcalc derive 'tanh(w @ x)' --wrt w --vector w x" in capsys.readouterr().err


def test_json_carries_the_failure(broken_engine, capsys):
    assert main(["derive", "affine", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert {d["verification"]["status"] for d in doc["derivations"]} == {"failed"}


def test_verify_false_and_no_verify_skip_it(broken_engine, capsys):
    d = sc.derive("w @ x", "w", vectors="w x", verify=False)
    assert d.verification.status == "skipped"
    assert not d.check(samples=2).passed  # the doubled form really is wrong: nothing was hidden
    assert all(d.verification.status == "skipped" for d in SPECS["affine"].derivations(verify=False))
    assert main(["derive", "affine", "--no-verify", "--format", "text"]) == 0
    out, err = capsys.readouterr()
    assert "self-check" not in out and err == ""


def test_a_passing_derivation_records_it():
    d = checked(sc.derive("tanh(w @ x)", "w", vectors="w x"))
    v = d.verification
    assert v.status == "passed" and v.points == 1 and v.worst < 1e-6
    assert "self-check" not in d.text()  # a pass is not noise in the output


@pytest.mark.parametrize("expr, why", [
    (sc.relu(sc.scalar("x") - sc.scalar("x")), "kink"),  # the kink's argument is constant zero
    (sc.abs_(sc.sin(sc.scalar("x")) ** 2 + sc.cos(sc.scalar("x")) ** 2 - 1), "kink"),  # zero up to round-off
    (sc.sqrt(-(sc.scalar("x") * sc.scalar("x")) - 1), "domain"),  # defined nowhere
    (sc.log(-(sc.scalar("x") * sc.scalar("x"))), "domain"),
    (sc.exp(sc.exp(sc.exp(sc.scalar("x") * sc.scalar("x") + 6))), "not finite"),  # overflows everywhere
    (sc.sin(100000000 * sc.scalar("x")), "ill-conditioned"),  # the two step sizes disagree
])
def test_no_usable_point_is_inconclusive_with_a_note(expr, why):
    d = sc.derive(expr, "x")
    v = d.verification
    assert v.status == "inconclusive" and why in v.reason
    assert f"self-check inconclusive: {v.reason}" in d.text()
    assert "inconclusive" in d.markdown() and "inconclusive" in d.latex()


def test_the_ill_conditioned_point_is_inconclusive_for_check_too():
    """--check judges with the same two steps: a correct result at ill-conditioned points is not called wrong."""
    x = sc.scalar("x")
    d = sc.derive(sc.sin(100000000 * x), x)
    assert d.check(samples=1).status == "inconclusive"
    assert sc.derive(sc.sin(1000 * x), x).verification.status == "passed"


def test_the_cli_shows_inconclusive_and_exits_0(capsys):
    code = main(["derive", "sqrt(-(x*x) - 1)", "--wrt", "x", "--format", "text"])
    out, _ = capsys.readouterr()
    assert code == 0 and "self-check inconclusive" in out and "outside the domain" in out


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_every_catalog_entry_passes_its_self_check(name, layout):
    for d in SPECS[name].derivations(layout):
        assert d.verification.status == "passed", f"{name} ({layout}): {d.verification}"
        checked(d, samples=2)


def test_the_self_check_caps_its_work():
    x = sc.scalar("x")
    d = sc.derive(sc.relu(x - x), x)
    _, result = self_check(d)
    assert result.points == 0 and result.resampled <= 30
    full = check_closed_forms(d.expr, dict(d._closed), samples=1)  # the full check: 200 draws, then says why
    assert full.status == "inconclusive" and full.resampled == 200 and "kink" in full.reason
