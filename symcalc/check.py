"""Numeric verification: closed forms against central finite differences of the original expression.

Symbolic sizes are bound to small, distinct concrete sizes (so a transposed result cannot pass
by accident); points where a kink's argument (max, relu, abs, [·>0]) is near zero are resampled,
as are points outside a function's domain, points where values overflow or underflow to 0, and
ill-conditioned points (two step sizes disagree). The verdict (passed, failed, inconclusive) is
the same for ``--check`` and the self-check every derivation runs. Values are
computed in plain Python floats (:mod:`symcalc.smallnum`): no numpy import, so the self-check
that every derivation runs stays cheap.

>>> import symcalc as sc
>>> x = sc.scalar("x")
>>> r = sc.derive(sc.sin(x ** 2), x).check(samples=3, seed=1)
>>> r.passed, r.points
(True, 3)
>>> print(sc.derive(sc.sin(x ** 2), x).verification)
self-check passed: worst relative error ... at 1 point
"""
from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from . import expr as E
from .errors import SymcalcError
from .functions import FUNCTIONS
from .limits import MAX_DIM, MAX_SAMPLES, SEED_RANGE, check_int, check_name
from .smallnum import Evaluator, Mat

TOLERANCE = 1e-6
KINK_MARGIN = 1e-4  # |argument| below this is too close to a kink for a step of 1e-6
STEP, CONFIRM_STEP = 1e-6, 1e-5  # a mismatch counts only if both steps see it (not cancellation)
MAX_SPREAD = 1e-4  # steps disagreeing more than this (relative): the point is ill-conditioned, judge nothing there
NOISE_MARGIN = 10  # a difference within 10× the steps' disagreement is the differences' own error, not a mismatch
ELEMENT_FLOOR = 1e-3  # an element is measured against at least this fraction of its matrix's largest entry
# A central difference of f with step h carries round-off of about eps·|f|/h whatever the derivative
# is: tanh near ±1 has entries of 1e-8 beside an f of 1, and two steps can agree by chance there.
ROUNDING = 4 * 2.2e-16
DRAWS_PER_SAMPLE = 200  # --check gives up (inconclusive) after this many unusable points per sample
DEFAULT_SIZES = {"n": 3, "N": 5, "m": 4}
SPARE_SIZES = (6, 7, 2, 8, 9)
SELF_CHECK_POINTS = 1
SELF_CHECK_DRAWS = 30  # the self-check gives up (inconclusive) after this many unusable points
# Past this many entries in all (at the check's sizes), the self-check compares each gradient along a
# random direction: differencing entry by entry costs two evaluations per entry, which for a deep
# network's L weight matrices grows with L². `--check` and d.check() always go entry by entry.
DIRECTIONAL_ABOVE = 64


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a check: ``status`` "passed", "failed" or "inconclusive" (no usable point).

    "failed" means a mismatch at a well-conditioned point, beyond the finite differences' own error
    (measured with two step sizes). ``worst``: worst relative error over the points compared.
    ``reason``: why points were resampled (and, when inconclusive, why none could judge).
    """

    status: str
    worst: float
    points: int
    resampled: int
    tolerance: float = TOLERANCE
    errors: dict = field(default_factory=dict)  # variable name → worst error
    reason: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def confirmed(self) -> bool:
        """A clear failure (the two step sizes agree with each other, not with the closed form)."""
        return self.status == "failed"

    def __str__(self) -> str:
        if self.status == "inconclusive":
            return f"INCONCLUSIVE: {self.reason}"
        verdict = "PASS" if self.passed else "FAIL"
        extra = f", {self.resampled} point(s) resampled ({self.reason})" if self.resampled else ""
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
                # past the spare sizes (a deep net's n0…n8), the next free integer: never a silent non-check
                out[s] = next((k for k in spare if k not in out.values()), None) or max(out.values(), default=1) + 1
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


def _finite(m: Mat) -> bool:
    return all(math.isfinite(v) for v in m.values)


def reported_error(got, want, noise=(), floor: float = 0.0) -> float:
    """The error a check reports: the plain relative difference max|got − want| / max|J| while that
    is below the tolerance (what a reader wants to see), else the verdict of :func:`relative_error`."""
    if len(got) != len(want):
        return math.inf
    largest = max((max(abs(g), abs(w)) for g, w in zip(got, want)), default=0.0)
    plain = max((abs(g - w) for g, w in zip(got, want)), default=0.0) / largest if largest else 0.0
    return plain if plain < TOLERANCE else relative_error(got, want, noise, floor)


def relative_error(got, want, noise=(), floor: float = 0.0) -> float:
    """Worst element of (|got − want| − 10·noise) / max(|got|, |want|, 1e-3 · the largest entry).

    Scale-free (no absolute floor: a wrong derivative of size 1e-9 still fails), element by element
    (a small wrong entry is not hidden by a large one), and the part of a difference that the finite
    differences' own error (``noise``, per element, at least ``floor``: their round-off) explains does
    not count. Flat lists; a size mismatch is an infinite error.
    """
    if len(got) != len(want):
        return math.inf
    largest = max((max(abs(g), abs(w)) for g, w in zip(got, want)), default=0.0)
    worst = 0.0
    for g, w, e in zip(got, want, noise or [0.0] * len(want)):
        excess = abs(g - w) - NOISE_MARGIN * max(e, floor)
        if excess > 0:
            worst = max(worst, excess / max(abs(g), abs(w), ELEMENT_FLOOR * largest))
    return worst


def label_values(rng, rows, cols) -> list[float]:
    """Row-major values of a one-hot label: a column whose entries sum to 1, or rows that each do.

    Soft labels (positive, normalised) rather than 0/1: they satisfy every identity a one-hot label
    does that the simplifier uses (Y1⃗ = 1⃗), and a rewrite that assumed more would show."""
    groups, width = (1, rows) if cols == 1 else (rows, cols)
    out = []
    for _ in range(groups):
        raw = [rng.uniform(0.1, 1.0) for _ in range(width)]
        out += [x / sum(raw) for x in raw]
    return out


class _Checker:
    """One expression and its closed forms, at concrete sizes; one evaluator reused throughout."""

    def __init__(self, expr, closed, dims, layout, seed, definitions=(), directional=False):
        self.expr, self.closed, self.layout = expr, closed, layout
        self.directional = directional
        self.definitions = list(definitions)
        defined = {v for v, _ in self.definitions}
        self.variables = [v for v in dict.fromkeys(
            [*E.variables(expr), *closed, *(v for c in closed.values() for v in E.variables(c)),
             *(v for _, d in self.definitions for v in E.variables(d))]) if v not in defined]
        self.sizes = concrete_sizes([*self.variables, *defined], dims)
        self.kinks = list(dict.fromkeys(
            [*kink_arguments(expr), *(k for c in closed.values() for k in kink_arguments(c)),
             *(k for _, d in self.definitions for k in kink_arguments(d))]))
        self.rng = random.Random(seed)
        self.ev = Evaluator({}, self.sizes)
        self.directions = {}  # x → a fixed random direction, when the check compares along directions

    def value(self, e, arrays) -> Mat:
        self.ev.arrays = arrays
        return self.ev(e)

    def draw(self) -> dict:
        out = {}
        for v in self.variables:
            r, c = (int(s) if s.is_Integer else self.sizes[s] for s in v.shape)
            if E.is_onehot(v):
                out[v] = Mat(r, c, label_values(self.rng, r, c))
                continue
            out[v] = Mat(r, c, [self.rng.uniform(0.2, 2.0) * self.rng.choice((-1.0, 1.0)) for _ in range(r * c)])
        for v, d in self.definitions:  # each intermediate and δ once, in order: later ones and the forms read them
            out[v] = self.value(d, out)
        return out

    def unusable(self, arrays) -> str:
        """Why this point cannot judge the closed forms, or '' when it can."""
        for k in self.kinks:
            if any(abs(v) < KINK_MARGIN or v != v for v in self.value(k, arrays).values):
                return "on or near a kink"
        values = [v for e in (self.expr, *self.closed.values()) for v in self.value(e, arrays).values]
        if any(v != v for v in values):
            return "outside the domain (a value is not finite)"
        if not all(math.isfinite(v) for v in values):
            return "a value overflows (is not finite)"
        return ""

    def direction(self, x, count) -> list[float]:
        """x's random direction: entries ±(0.5..1), so every entry of the gradient counts."""
        if x not in self.directions:
            self.directions[x] = [self.rng.uniform(0.5, 1.0) * self.rng.choice((-1.0, 1.0)) for _ in range(count)]
        return self.directions[x]

    def along(self, x, arrays, h) -> Mat:
        """The derivative of a scalar expr along x's direction d, (f(x + sd) − f(x − sd))/2s, as 1×1."""
        base = arrays[x]
        d = self.direction(x, len(base.values))
        arrays = {v: arrays[v] for v in self.variables}
        self.ev.arrays = arrays
        self.ev.freeze(self.expr, x)
        step = h * max(1.0, max(map(abs, base.values), default=1.0))
        ends = [self.value(self.expr, {**arrays, x: Mat(base.rows, base.cols, [a + s * b for a, b in zip(
            base.values, d)])}).values[0] for s in (step, -step)]
        self.ev.fixed = {}
        return Mat(1, 1, [(ends[0] - ends[1]) / (2 * step)])

    def finite_difference(self, x, arrays, h) -> Mat:
        """∂expr/∂x by central differences, numerator layout (one row per element of expr)."""
        if self.directional:
            return self.along(x, arrays, h)
        base = arrays[x]
        arrays = {v: arrays[v] for v in self.variables}  # what expr reads: not the intermediates, copied 2n times
        self.ev.arrays = arrays
        self.ev.freeze(self.expr, x)  # only the path from x changes between the 2n evaluations
        cols = []
        for j, xj in enumerate(base.values):
            step = h * max(1.0, abs(xj))
            shifted = []
            for s in (step, -step):
                values = list(base.values)
                values[j] += s
                shifted.append(self.value(self.expr, {**arrays, x: Mat(base.rows, base.cols, values)}).values)
            cols.append([(p - m) / (2 * step) for p, m in zip(*shifted)])
        self.ev.fixed = {}
        rows = len(cols[0]) if cols else 0
        return Mat(rows, len(cols), [col[i] for i in range(rows) for col in cols])

    def pair(self, x, arrays, h) -> tuple[list, list] | None:
        """(closed form, finite differences) of x as flat lists in one order, or None on overflow."""
        want = self.difference(x, arrays, h)
        if want is None:
            return None
        got = self.value(self.closed[x], arrays)
        by_matrix = x.shape[0] != 1 and x.shape[1] != 1  # want lists W's entries row by row
        flip = (self.layout == "denominator") != by_matrix
        got = (got.T if flip else got).values
        if self.directional:  # the closed form along the same direction: ⟨∂f/∂x, d⟩
            got = [sum(g * d for g, d in zip(got, self.direction(x, len(got))))]
        return got, want

    def pairs(self, arrays, h):
        """{x: (closed form, finite differences)} as flat lists in one order, or None on overflow."""
        out = {}
        for x in self.closed:
            out[x] = self.pair(x, arrays, h)
            if out[x] is None:
                return None
        return out

    def difference(self, x, arrays, h) -> list | None:
        """The finite differences of x as a flat list, or None where they overflow."""
        want = self.finite_difference(x, arrays, h)
        return want.values if _finite(want) else None

    def judge(self, arrays) -> tuple[dict | None, str]:
        """({variable name: relative error}, '') at a point that can judge, or (None, why not).

        One step first (cheap); only a point where it disagrees pays for a second step. That second
        step is taken as soon as a variable disagrees, so a point it shows unusable (the steps
        overflow or disagree) is left before the other variables (a deep network's costliest work)
        are differenced: the verdict is the one all of them would give.
        """
        why = self.unusable(arrays)
        if why:
            return None, why
        size = max(map(abs, self.value(self.expr, arrays).values), default=0.0)  # max|f| at the point
        floor, first, coarse = _rounding(size, STEP), {}, {}
        for x in self.closed:
            first[x] = self.pair(x, arrays, STEP)
            if first[x] is None:
                return None, "the finite differences overflow"
            if reported_error(*first[x], floor=floor) >= TOLERANCE:
                coarse[x] = self.difference(x, arrays, CONFIRM_STEP)
                why = _unusable(first[x], coarse[x], floor)
                if why:
                    return None, why
        if not size and not any(v for got, want in first.values() for v in (*got, *want)):
            return None, "the expression and its derivative are 0 there (or underflow to 0), so the check would compare 0 with 0"
        errors = {x.name: reported_error(got, want, floor=floor) for x, (got, want) in first.items()}
        if max(errors.values(), default=0.0) < TOLERANCE:
            return errors, ""
        return self.refine(arrays, first, size, coarse)

    def refine(self, arrays, first, size, coarse=None) -> tuple[dict | None, str]:
        """A point where one step disagrees, judged with two; a mismatch must also be seen by a
        second pair (steps × 0.3), so two garbage quotients that agree by chance (aliasing) fail nothing."""
        errors, why = self._two_steps(arrays, first, 1.0, size, coarse)
        if why or max(errors.values(), default=0.0) < TOLERANCE:
            return errors, why
        again, why = self._two_steps(arrays, None, 0.3, size)
        if why or max(again.values(), default=0.0) < TOLERANCE:  # the two pairs contradict each other
            return None, why or "the finite differences are unstable (ill-conditioned)"
        return errors, ""

    def _two_steps(self, arrays, first, scale, size, coarse=None) -> tuple[dict | None, str]:
        """Errors against the two steps' Richardson extrapolation, allowing for their disagreement.

        The second step is taken variable by variable (``coarse`` holds those already taken): the
        first that overflows or is unstable makes the point unusable, and the rest are not differenced."""
        first = first if first is not None else self.pairs(arrays, STEP * scale)
        if first is None:
            return None, "the finite differences overflow"
        floor, errors, coarse = _rounding(size, STEP * scale), {}, dict(coarse or {})
        for x, (got, fine) in first.items():
            if x not in coarse:
                coarse[x] = self.difference(x, arrays, CONFIRM_STEP * scale)
            why = _unusable((got, fine), coarse[x], floor)
            if why:
                return None, why
            errors[x.name] = _refined(got, fine, coarse[x], floor)
        return errors, ""


def _unusable(pair, coarse, floor) -> str:
    """Why a variable's two steps cannot judge it (they overflow or disagree), or ''."""
    if coarse is None:
        return "the finite differences overflow"
    if _refined(*pair, coarse, floor) is None:
        return "the finite differences are unstable (ill-conditioned)"
    return ""


def _rounding(size: float, h: float) -> float:
    """The round-off a central difference with step h carries where max|f| is ``size``: eps·|f|/h."""
    return ROUNDING * size / h


def _refined(got, fine, coarse, floor=0.0) -> float | None:
    """The error of ``got`` against the steps' Richardson extrapolation, allowing for their
    disagreement; None where they disagree too much (ill-conditioned)."""
    noise = [abs(a - b) for a, b in zip(fine, coarse)]
    want = [(100 * a - b) / 99 for a, b in zip(fine, coarse)]  # steps 1:10, so the h² error cancels
    size = max(map(abs, want), default=0.0)  # not the closed form's: a wrong one must not make noise look small
    if max(noise, default=0.0) > MAX_SPREAD * size:
        return None
    return reported_error(got, want, noise, floor)


def check_closed_forms(expr, closed: dict, samples=5, seed=0, dims=None, layout="numerator",
                       max_draws=None, definitions=(), directional=False) -> CheckResult:
    """Compare {variable: closed form} with finite differences of ``expr`` at random points.

    Points are drawn until ``samples`` can judge, or ``max_draws`` (200 per sample) were tried;
    ``reason`` says why points were unusable. The first mismatch found fails the check; no usable
    point at all makes it inconclusive. ``definitions`` [(intermediate, definition)], in order, are
    evaluated once at each point before the forms, which may be written in terms of them.
    ``directional`` (a scalar expr) compares each gradient along one random direction per variable
    instead of entry by entry: two evaluations per variable instead of two per entry.

    >>> x = E.scalar("x")
    >>> u = E.Var("u", x.shape, "intermediate")
    >>> check_closed_forms(x * x, {x: 2 * u}, definitions=[(u, x)]).passed
    True
    >>> check_closed_forms(x * x, {x: 3 * u}, definitions=[(u, x)]).status
    'failed'
    """
    check_settings(samples, seed, dims)
    checker = _Checker(expr, closed, dims, layout, seed, definitions, directional and expr.is_scalar)
    worst, errors, points, draws, why = 0.0, {}, 0, 0, Counter()
    while points < samples and draws < (max_draws or DRAWS_PER_SAMPLE * samples):
        draws += 1
        point, reason = checker.judge(checker.draw())
        if point is None:
            why[reason] += 1
            continue
        points += 1
        for name, err in point.items():
            errors[name] = max(errors.get(name, 0.0), err)
            worst = max(worst, err)
        if worst >= TOLERANCE:
            break
    status = "failed" if worst >= TOLERANCE else "passed" if points else "inconclusive"
    reason = ", ".join(f"{n}× {w}" for w, n in why.most_common())
    if not points:
        reason = f"no usable point in {draws} random draws: {reason}"
    return CheckResult(status, worst, points, draws - points, errors=errors, reason=reason)


def check_settings(samples, seed, dims, names=("samples", "seed")) -> None:
    """The limits on a check (README: Limits): numpy would fail obscurely, or run for hours, beyond them."""
    check_int(samples, 1, MAX_SAMPLES, names[0])
    check_int(seed, *SEED_RANGE, names[1])
    if dims is not None and not isinstance(dims, dict):
        raise SymcalcError(f"dims must be a dict of sizes such as {{'n': 4}}, not {dims!r}")
    for name, size in (dims or {}).items():
        check_int(size, 1, MAX_DIM, f"dims: the size {check_name(name, 'dims')}")


def _along_all(d, forms, definitions) -> CheckResult:
    """One comparison for all the variables at once: with x → x + tD (a random D per variable),
    d/dt f = Σ ⟨∂f/∂x, D⟩, so two evaluations of f check every gradient (a deep network's per-variable
    differences cost L²). Its errors are reported for every variable; a failure is then named by the
    per-variable check."""
    taken = {v.name for v in E.variables(d.expr)} | {v.name for v, _ in definitions}
    t = E.Var(_fresh("t", taken), (E.ONE, E.ONE))
    moved, total = {}, []
    for x in d.wrt:
        D = E.Var(_fresh(f"D_{x.name}", taken), x.shape)
        moved[x] = E.add(x, E.mul(t, D))
        G = forms[x] if d.layout == "denominator" else E.transpose(forms[x])  # x's shape either way
        total.append(E.sum_(E.mul(G, D)))
    r = check_closed_forms(E.replace(d.expr, moved), {t: E.replace(E.add(*total), moved)}, SELF_CHECK_POINTS,
                           seed=0, max_draws=SELF_CHECK_DRAWS,
                           definitions=[(v, E.replace(e, moved)) for v, e in definitions])
    worst = r.errors.get(t.name, 0.0)
    return CheckResult(r.status, r.worst, r.points, r.resampled, errors={x.name: worst for x in d.wrt},
                       reason=r.reason)


def _fresh(name, taken) -> str:
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def differentiated(d):
    """What a derivation's closed forms are derivatives of: the expression, or for a second derivative
    (``symcalc.hessian``) the gradient, so the Hessian is compared with differences of the gradient."""
    return getattr(d, "differentiated", d.expr)


def check(d, samples=5, seed=0, dims=None) -> CheckResult:
    """Check every closed form of a derivation."""
    return check_closed_forms(differentiated(d), d.closed_forms, samples, seed, dims, d.layout)


@dataclass(frozen=True)
class Verification:
    """The outcome of a derivation's self-check, the one record every renderer shows.

    ``status`` is "passed", "failed" (a clear mismatch, confirmed with two step sizes),
    "inconclusive" (no usable point; ``reason`` says why) or "skipped" (``verify=False``).

    >>> print(Verification("inconclusive", reason="no usable point in 30 random draws: 30× on or near a kink"))
    self-check inconclusive: no usable point in 30 random draws: 30× on or near a kink
    """

    status: str
    worst: float | None = None
    points: int = 0
    reason: str = ""
    errors: dict = field(default_factory=dict)

    def __str__(self) -> str:
        if self.status == "passed":
            return (f"self-check passed: worst relative error {self.worst:.1e} "
                    f"at {self.points} point{'s' if self.points != 1 else ''}")
        if self.status == "failed":
            per = ", ".join(f"∂/∂{k} {v:.1e}" for k, v in self.errors.items() if v >= TOLERANCE)
            return (f"self-check FAILED: the closed form differs from central finite differences "
                    f"(relative error {per}) at a well-conditioned point, confirmed with two step sizes")
        if self.status == "inconclusive":
            return f"self-check inconclusive: {self.reason}"
        return "self-check skipped"


SKIPPED = Verification("skipped")


def _entries(variables) -> int:
    sizes = concrete_sizes(list(variables))
    return sum(math.prod(int(s) if s.is_Integer else sizes[s] for s in v.shape) for v in variables)


def self_check(d) -> tuple[Verification, CheckResult | None]:
    """The quick check run on every derivation: one point, capped draws, confirmed mismatches.

    A backward-form derivation is checked in its compact form: the intermediates and δ's evaluated
    once each, in order, then every result in terms of them, so the check stays linear in a deep
    network's depth (its fully substituted closed forms are quadratic, and built only when asked for).
    """
    compact = d.compact_forms
    forms, definitions = (d.closed_forms, ()) if compact is None else (compact, d.intermediates)
    directional = _entries(d.wrt) > DIRECTIONAL_ABOVE
    try:
        r = _along_all(d, forms, definitions) if directional and differentiated(d).is_scalar else None
        if r is None or r.status != "passed":  # the per-variable comparison names a mismatch
            r = check_closed_forms(differentiated(d), forms, SELF_CHECK_POINTS, seed=0, layout=d.layout,
                                   max_draws=SELF_CHECK_DRAWS, definitions=definitions, directional=directional)
    except Exception as exc:  # noqa: BLE001 - a checker limit must not hide the derivation; say so instead
        return Verification("inconclusive", reason=f"the closed form could not be evaluated ({exc})"), None
    if r.status == "inconclusive":
        return Verification("inconclusive", points=0, reason=r.reason), r
    return Verification(r.status, r.worst, r.points, errors=r.errors), r
