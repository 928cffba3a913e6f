"""Element-wise functions added as one record each (symcalc/functions.py): every use of the record
(derivative, parser, text, LaTeX, sympy, numpy, plain floats) works with no other edit."""
from __future__ import annotations

import math

import numpy as np
import pytest

import symcalc as sc
from symcalc.sympy_export import to_plain
from symcalc.sympy_scalars import from_sympy, scalar_to_sympy
from symcalc.functions import FUNCTIONS
from symcalc.printing import latex, text
from symcalc.smallnum import Evaluator, Mat

from helpers import checked

w, x, b, z = sc.vector("w"), sc.vector("x"), sc.scalar("b"), sc.scalar("z")


def both(name, point):
    """numpy's and plain Python's value of name(z) at z = point."""
    e = FUNCTIONS[name]
    by_numpy = float(e.numpy(np, np.array([[point]]))[0, 0])
    by_floats = Evaluator({z: Mat(1, 1, [point])}, {})(sc.parse(f"{name}(z)")).values[0]
    return by_numpy, by_floats


# ---------------------------------------------------------------------------------------------- softplus


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_softplus_neuron_checks_numerically(layout):
    d = checked(sc.derive(sc.softplus(w @ x + b), [w, b], layout=layout))
    assert "σ(w·x + b)" in str(d.closed_form(w))


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_softplus_elementwise_checks_numerically(layout):
    d = checked(sc.derive(sc.sum(sc.softplus(w * x)), w, layout=layout))
    assert "σ" in str(d.closed_form())


def test_softplus_derivative_is_sigmoid():
    assert str(sc.derive(sc.softplus(z), z).closed_form()) == "σ(z)"


def test_softplus_parses_prints_and_typesets():
    e = sc.parse("softplus(2 * z)")
    assert e == sc.softplus(2 * z)
    assert text(e) == "softplus(2z)"
    assert latex(e) == r"\operatorname{softplus}\left(2z\right)"
    assert sc.parse(text(sc.softplus(z))) == sc.softplus(z)  # the printed name reads back


def test_softplus_values_agree_and_stay_finite():
    for point in (-800.0, -3.0, 0.0, 2.5, 800.0):
        by_numpy, by_floats = both("softplus", point)
        assert by_floats == pytest.approx(by_numpy, rel=1e-12, abs=1e-300)
    assert both("softplus", 0.0)[1] == pytest.approx(math.log(2))
    with np.errstate(invalid="ignore"):
        assert all(math.isnan(v) for v in both("softplus", math.nan))


def test_softplus_round_trips_through_sympy_and_lambdifies():
    e = 2 * sc.softplus(z)
    s, back = scalar_to_sympy(e)
    assert from_sympy(s, back) == e
    assert float(to_plain(sc.softplus(z)).subs("z", 0.0)) == pytest.approx(math.log(2))


# -------------------------------------------------------------------------------------------- leaky_relu


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_leaky_relu_neuron_checks_numerically(layout):
    d = checked(sc.derive(sc.leaky_relu(w @ x + b), [w, b], layout=layout))
    assert "[w·x + b > 0]" in str(d.closed_form(w))


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("seed", [0, 1, 2])  # mixed signs: both slopes are exercised
def test_leaky_relu_elementwise_checks_numerically(layout, seed):
    d = sc.derive(sc.sum(sc.leaky_relu(w * x)), w, layout=layout)
    assert d.check(samples=6, seed=seed).passed


def test_leaky_relu_derivative_has_both_slopes():
    d = sc.derive(sc.leaky_relu(z), z)
    assert d.evaluate({z: 2.0}) == 1.0
    assert d.evaluate({z: -2.0}) == pytest.approx(0.01)
    assert FUNCTIONS["leaky_relu"].kink  # the check keeps away from 0


def test_leaky_relu_parses_prints_and_typesets():
    e = sc.parse("leaky_relu(w ⊗ x)", vectors="w x")
    assert e == sc.leaky_relu(w * x)
    assert text(e) == "leaky_relu(w ⊗ x)"
    assert latex(e) == r"\operatorname{leaky\_relu}\left(\mathbf{w} \otimes \mathbf{x}\right)"
    assert sc.parse(text(sc.leaky_relu(z))) == sc.leaky_relu(z)


def test_leaky_relu_values_agree():
    for point in (-5.0, -1e-3, 0.0, 3.0, math.inf, -math.inf):
        by_numpy, by_floats = both("leaky_relu", point)
        assert by_floats == by_numpy
    assert both("leaky_relu", -5.0)[1] == pytest.approx(-0.05)
    assert math.isnan(both("leaky_relu", math.nan)[1])


def test_leaky_relu_round_trips_through_sympy_and_lambdifies():
    e = 2 * sc.leaky_relu(z)
    s, back = scalar_to_sympy(e)
    assert from_sympy(s, back) == e
    plain = to_plain(sc.leaky_relu(z))
    assert float(plain.subs("z", -3.0)) == pytest.approx(-0.03) and float(plain.subs("z", 3.0)) == 3.0
