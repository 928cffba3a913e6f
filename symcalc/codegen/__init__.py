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
    return module_source(functions(items), backend)


def functions(derivations) -> list:
    """(derivation, mode, function name) for each function of the module: value_and_grad for a
    gradient; value_grad_hessian and hessian_vector_product for a Hessian (the product derived as
    the gradient of v·∇f); hessian_vector_product for :func:`symcalc.hvp`'s derivation. Several
    derivations number their functions (value_and_grad_1, ...)."""
    from ..hessian import product_of

    out = []
    for i, d in enumerate(derivations):
        suffix = f"_{i + 1}" if len(derivations) > 1 else ""
        if hasattr(d, "direction"):
            out.append((d, "hvp", "hessian_vector_product" + suffix))
        elif getattr(d, "order", 1) == 2:
            out += [(d, "hessian", "value_grad_hessian" + suffix),
                    (product_of(d), "hvp", "hessian_vector_product" + suffix)]
        else:
            out.append((d, "grad", "value_and_grad" + suffix))
    return out


def compile_numpy(d):
    """The numpy function of :func:`to_source` for one derivation, ready to call. The module text is
    compiled from our own source (built from the validated tree, never from user text run as code)
    in a namespace of its own; ``f.source`` holds the text, and tracebacks show its lines. For a
    Hessian the function is ``value_grad_hessian``, with the Hessian-vector product as ``f.hvp``."""
    source = to_source(d, "numpy")
    filename = f"<symcalc generated {hashlib.sha1(source.encode()).hexdigest()[:12]}>"
    namespace = {"__name__": "symcalc_generated"}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our generated module, see above
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    first = next(namespace[n] for n in ("value_and_grad", "value_grad_hessian", "hessian_vector_product")
                 if n in namespace)
    if first.__name__ == "value_grad_hessian":
        first.hvp = namespace["hessian_vector_product"]
    first.source = source
    return first
