"""JSON with a versioned schema name (``symcalc.derivation/1``), documented in README."""
from __future__ import annotations

import json

from ..printing import latex, text

SCHEMA = "symcalc.derivations/1"


def _math(e) -> dict:
    return {"text": text(e), "latex": latex(e)}


def _shape(shape) -> list:
    return [str(s) for s in shape]


def _step(step) -> dict:
    return {
        "phase": step.phase,
        "sides": [_math(s) for s in step.sides],
        "equation": {"text": " = ".join(text(s) for s in step.sides), "latex": " = ".join(latex(s) for s in step.sides)},
        "shape": _shape(step.shape),
        "factor_shapes": [_shape(s) for s in step.factor_shapes],
        "rules": [{"key": r.key, "name": r.name, "number": r.number} for r in step.rules],
        "wrt": step.wrt.name if step.wrt is not None else None,
        "note": step.note,
    }


def _at(points) -> dict:
    """The derivatives at the --at point: [{wrt, shape, value (numerator or denominator layout, as d)}]."""
    import numpy as np

    values = [(v, np.atleast_2d(value)) for v, value in points]  # a scalar is 1×1, like its shape
    return {"derivatives": [{"wrt": v.name, "shape": list(a.shape), "value": a.tolist()} for v, a in values]}


def document(d, check=None, points=None) -> dict:
    import sympy

    from ..sympy_export import to_sympy
    from ..expr import variables

    return {
        "title": d.title,
        "expression": _math(d.expr),
        "output": d.output.name,
        "variables": [{"name": v.name, "shape": _shape(v.shape)} for v in variables(d.expr)],
        "wrt": [v.name for v in d.wrt],
        "layout": d.layout,
        "intermediates": [{"name": v.name, "definition": _math(e), "shape": _shape(e.shape)} for v, e in d.intermediates],
        "results": [
            {"wrt": v.name, "shape": _shape(c.shape), **_math(c), "srepr": sympy.srepr(to_sympy(c))}
            for v, c in d.closed_forms.items()
        ],
        "steps": [_step(s) for s in d.steps],
        "notes": list(d.notes),
        "verification": _verification(d),
        "check": None if check is None else {
            "status": check.status, "reason": check.reason,
            "passed": check.passed, "worst_relative_error": check.worst, "points": check.points,
            "resampled": check.resampled, "tolerance": check.tolerance, "errors": check.errors,
        },
        **({} if points is None else {"at": _at(points)}),
    }


def _verification(d) -> dict:
    v = d.verification
    return {"status": v.status, "worst_relative_error": v.worst, "points": v.points, "reason": v.reason,
            "message": str(v)}


def render(derivations, checks=None, points=None) -> str:
    """One JSON document for one or several derivations (a catalog entry may have parts)."""
    checks = checks or [None] * len(derivations)
    points = points or [None] * len(derivations)
    doc = {"schema": SCHEMA, "derivations": [document(d, c, p) for d, c, p in zip(derivations, checks, points)]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
