"""From derivation to running code (issue 13): a derivation as a self-contained Python module.

:func:`to_source` writes the module for numpy, torch or jax: one function taking the variables by
name and returning the value and a dict of gradients. The code reads like the derivation: the
forward pass computes each intermediate once under its name, the backward pass each upstream
gradient (δ) once, every line commented with the rule it comes from, and no subexpression is
computed twice. :func:`compile_numpy` runs the numpy module and returns its function.

The modules: :mod:`.names` (safe identifiers and escaped text), :mod:`.backends` (each library's
spellings, as data), :mod:`.plan` (the lines, read off the derivation), :mod:`.emit` (an expression
as code, common subexpressions once), :mod:`.module` (the function around them).

>>> import symcalc as sc
>>> d = sc.derive("max(0, w @ x + b)", ["w", "b"], vectors="w x", scalars="b", layout="denominator")
>>> f = compile_numpy(d)
>>> value, grads = f(w=[1.0, 2.0], x=[3.0, -1.0], b=0.5)
>>> value, grads["w"].tolist(), grads["b"]
(1.5, [3.0, -1.0], 1.0)
"""
from __future__ import annotations

import hashlib
import linecache

from ..errors import UnsupportedError
from .backends import BACKENDS
from .module import module_source

__all__ = ["BACKENDS", "to_source", "compile_numpy"]


def to_source(derivations, backend: str = "numpy") -> str:
    """The Python module (text) computing the value and gradients of a derivation, or of several
    (one function each), with ``backend`` = "numpy", "torch" or "jax".

    >>> import symcalc as sc
    >>> source = to_source(sc.derive("x ** 3", "x"), "torch")
    >>> print(source[source.index("    # the output"):])
        # the output
        y = x ** 3  # y = x³
        # the gradients
        grad_x = 3 * x ** 2  # dy/dx = 3x² (power rule (R1))
        gradients = {
            'x': torch.as_tensor(grad_x, dtype=dtype).reshape(()),
        }
        return torch.as_tensor(y, dtype=dtype).reshape(()), gradients
    <BLANKLINE>
    """
    items = derivations if isinstance(derivations, (list, tuple)) else [derivations]
    for d in items:
        if getattr(d, "order", 1) != 1:  # the plan reads a gradient's steps; a Hessian's are two derivations
            raise UnsupportedError("code generation covers first derivatives only for now; for a Hessian, "
                                   "generate the gradient's code (--order 1) and differentiate it numerically")
    return module_source(items, backend)


def compile_numpy(d):
    """The numpy function of :func:`to_source` for one derivation, ready to call. The module text is
    compiled from our own source (built from the validated tree, never from user text run as code)
    in a namespace of its own; ``f.source`` holds the text, and tracebacks show its lines."""
    source = to_source(d, "numpy")
    filename = f"<symcalc generated {hashlib.sha1(source.encode()).hexdigest()[:12]}>"
    namespace = {"__name__": "symcalc_generated"}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our generated module, see above
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    f = namespace["value_and_grad"]
    f.source = source
    return f
