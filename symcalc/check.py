"""Numeric verification: closed forms against central finite differences of the original expression.

Symbolic sizes are bound to small, distinct concrete sizes (so a transposed result cannot pass
by accident); points where a kink's argument (max, relu, abs, [·>0]) is near zero are resampled,
as are points outside a function's domain.

>>> import symcalc as sc
>>> x = sc.scalar("x")
>>> r = sc.derive(sc.sin(x ** 2), x).check(samples=3, seed=1)
>>> r.passed, r.points
(True, 3)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import expr as E
from .errors import SymcalcError
from .numeric import Evaluator
from .functions import FUNCTIONS
from .limits import MAX_DIM, MAX_SAMPLES, SEED_RANGE, check_int, check_name

TOLERANCE = 1e-6
KINK_MARGIN = 1e-4  # |argument| below this is too close to a kink for a step of 1e-6
DEFAULT_SIZES = {"n": 3, "N": 5, "m": 4}
SPARE_SIZES = (6, 7, 2, 8, 9)


@dataclass(frozen=True)
class CheckResult:
    """Worst relative error over all points and variables; ``passed`` when below the tolerance."""

    worst: float
    points: int
    resampled: int
    tolerance: float = TOLERANCE
    errors: dict = field(default_factory=dict)  # variable name → worst error

    @property
    def passed(self) -> bool:
        return self.worst < self.tolerance

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        extra = f", {self.resampled} point(s) resampled (near a kink or outside the domain)" if self.resampled else ""
        return f"{verdict}: worst relative error {self.worst:.2e} over {self.points} point(s){extra}"


def concrete_sizes(variables, dims=None) -> dict:
    """Symbol → int for every symbolic size, from ``dims`` (names) or small distinct defaults."""
    dims = dict(dims or {})
    out, spare = {}, list(SPARE_SIZES)
    for v in variables:
        for s in v.shape:
            if s.is_Integer or s in out:
                continue
            name = str(s)
            if name in dims:
                out[s] = int(dims[name])
            elif name in DEFAULT_SIZES and DEFAULT_SIZES[name] not in out.values():
                out[s] = DEFAULT_SIZES[name]
            else:
                out[s] = next(k for k in spare if k not in out.values())
    return out


def kink_arguments(e):
    """The arguments whose sign switches a piece: max, [·>0], abs, sign."""
    for node in E.walk(e):
        if isinstance(node, E.Max):
            yield node.right - node.left
        elif isinstance(node, (E.Step, E.Cases)):
            yield node.arg
        elif isinstance(node, E.Func) and FUNCTIONS[node.name].kink:
            yield node.arg


def _value(e, arrays, sizes):
    with np.errstate(all="ignore"):
        return Evaluator(arrays, sizes)(e)


def _draw(rng, variables, sizes):
    out = {}
    for v in variables:
        shape = tuple(int(s) if s.is_Integer else sizes[s] for s in v.shape)
        out[v] = rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return out


def _usable(expr, closed_forms, arrays, sizes) -> bool:
    for k in [*kink_arguments(expr), *(a for c in closed_forms for a in kink_arguments(c))]:
        if np.any(np.abs(_value(k, arrays, sizes)) < KINK_MARGIN):
            return False
    values = [_value(expr, arrays, sizes), *(_value(c, arrays, sizes) for c in closed_forms)]
    return all(np.all(np.isfinite(v)) for v in values)


def finite_difference(expr, x, arrays, sizes, h=1e-6):
    """∂expr/∂x by central differences, numerator layout (one row per element of expr)."""
    base = arrays[x]
    cols = []
    for j in range(base.size):
        step = h * max(1.0, abs(base.flat[j]))
        plus, minus = base.copy(), base.copy()
        plus.flat[j] += step
        minus.flat[j] -= step
        fp = _value(expr, {**arrays, x: plus}, sizes).ravel()
        fm = _value(expr, {**arrays, x: minus}, sizes).ravel()
        cols.append((fp - fm) / (2 * step))
    return np.column_stack(cols)


def relative_error(got, want) -> float:
    got = np.asarray(got, dtype=float).reshape(want.shape)
    return float(np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want)))))


def check_closed_forms(expr, closed: dict, samples=5, seed=0, dims=None, layout="numerator") -> CheckResult:
    """Compare {variable: closed form} with finite differences of ``expr`` at random points."""
    check_settings(samples, seed, dims)
    variables = list(dict.fromkeys([*E.variables(expr), *closed, *(v for c in closed.values() for v in E.variables(c))]))
    sizes = concrete_sizes(variables, dims)
    rng = np.random.default_rng(seed)
    worst, errors, resampled, points = 0.0, {}, 0, 0
    while points < samples:
        arrays = _draw(rng, variables, sizes)
        if not _usable(expr, closed.values(), arrays, sizes):
            resampled += 1
            if resampled > 200 * samples:
                raise SymcalcError("could not find points away from kinks and inside the domain")
            continue
        points += 1
        for x, form in closed.items():
            want = finite_difference(expr, x, arrays, sizes)
            got = _value(form, arrays, sizes)
            if x.shape[0] != 1 and x.shape[1] != 1:  # by a matrix: want lists W's entries row by row
                got = got if layout == "denominator" else got.T
                want = want.reshape(got.shape)
            elif layout == "denominator":
                got = got.T
            err = relative_error(got, want)
            errors[x.name] = max(errors.get(x.name, 0.0), err)
            worst = max(worst, err)
    return CheckResult(worst, points, resampled, errors=errors)


def check_settings(samples, seed, dims, names=("samples", "seed")) -> None:
    """The limits on a check (README: Limits): numpy would fail obscurely, or run for hours, beyond them."""
    check_int(samples, 1, MAX_SAMPLES, names[0])
    check_int(seed, *SEED_RANGE, names[1])
    if dims is not None and not isinstance(dims, dict):
        raise SymcalcError(f"dims must be a dict of sizes such as {{'n': 4}}, not {dims!r}")
    for name, size in (dims or {}).items():
        check_int(size, 1, MAX_DIM, f"dims: the size {check_name(name, 'dims')}")


def check(d, samples=5, seed=0, dims=None) -> CheckResult:
    """Check every closed form of a derivation."""
    return check_closed_forms(d.expr, dict(d._closed), samples, seed, dims, d.layout)
