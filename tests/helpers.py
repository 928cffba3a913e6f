"""Shared test helpers: every derivative a test produces is also checked numerically."""
from __future__ import annotations

import numpy as np
import sympy

import symcalc as sc


def checked(d, samples=4, seed=0):
    """Assert the derivation's closed forms match central finite differences; return it."""
    result = d.check(samples=samples, seed=seed)
    assert result.passed, f"{d!r}: {result}"
    return d


def closed(expr, wrt, **kw):
    """The closed form of ∂expr/∂wrt as text, after a passing numeric check."""
    d = checked(sc.derive(expr, wrt, **kw))
    return str(d.closed_form(wrt))


def sympy_value(obj, values: dict):
    """Evaluate a sympy result (Derivation.result) at concrete values, as a float array."""
    subs = {}
    for var, val in values.items():
        a = np.atleast_1d(np.asarray(val, dtype=float))
        if var.is_scalar:
            subs[sympy.Symbol(var.name)] = float(a[0])
        else:
            a = a.reshape(-1, 1) if a.ndim == 1 else a
            subs[sympy.MatrixSymbol(var.name, *var.shape)] = sympy.Matrix(a)
    out = obj.subs(subs).doit()
    if hasattr(out, "as_explicit"):
        out = out.as_explicit()
    return np.array(sympy.Matrix(out).evalf(), dtype=float) if not out.is_number else float(out)


def agreeing_differences(fd, f, env, var, agreement):
    """``fd(f, env, var, h)`` at steps 1e-6 and 1e-5, or None where they are not finite or disagree by
    more than ``agreement`` relative (a kink is near, or round-off): the random tests' oracle."""
    with np.errstate(all="ignore"):
        coarse, fine = fd(f, env, var, 1e-5), fd(f, env, var, 1e-6)
    if not (np.all(np.isfinite(coarse)) and np.all(np.isfinite(fine))):
        return None
    scale = max(1.0, float(np.max(np.abs(fine))))
    return fine if np.max(np.abs(coarse - fine)) / scale < agreement else None
