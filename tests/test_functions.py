"""Element-wise functions added as one record each (symcalc/functions.py): every use of the record
(derivative, parser, text, LaTeX, sympy, numpy, plain floats) works with no other edit."""
from __future__ import annotations

import math

import numpy as np
import pytest

import symcalc as sc
from symcalc.bridge import from_sympy, scalar_to_sympy, to_plain
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
    assert math.isnan(both("softplus", math.nan)[1])


def test_softplus_round_trips_through_sympy_and_lambdifies():
    e = 2 * sc.softplus(z)
    s, back = scalar_to_sympy(e)
    assert from_sympy(s, back) == e
    assert float(to_plain(sc.softplus(z)).subs("z", 0.0)) == pytest.approx(math.log(2))
