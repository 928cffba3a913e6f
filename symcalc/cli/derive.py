"""The derive command: its derivations (a catalog entry, a spec file or an expression), their
self-checks, --check and --at, and the output."""
from __future__ import annotations

import sys

from .args import OPERATORS, _dims
from .output import (WHOLE_FORMATS, _point_values, _show, _unknown_points, _values_at, _write, in_document, say,
                     value_width)


def _derivations(args) -> tuple[list, object]:
    """The derivations the command names; with --hvp, each Hessian's product H v instead."""
    ds, spec = _named(args)
    if args.hvp:
        from ..hessian import product_of

        ds = [product_of(d, verify=False) for d in ds]
    return ds, spec


def _named(args) -> tuple[list, object]:
    from pathlib import Path

    from .. import catalog
    from ..errors import SymcalcError

    from ..names import normalize_name

    target = args.target
    args.wrt = [normalize_name(w) for w in args.wrt] if args.wrt else args.wrt
    if target.endswith(".toml"):
        if not Path(target).exists():
            raise SymcalcError(f"no such spec file: {target}")
        spec = catalog.load(target)
        return spec.derivations(args.layout, args.wrt, verify=False, order=args.order), spec
    if target in catalog.names():
        spec = catalog.entry(target)
        return spec.derivations(args.layout, args.wrt, verify=False, order=args.order), spec
    if not args.wrt:
        raise SymcalcError(_missing_wrt(target, args, catalog.names()))
    return _from_expression(args), None


def _missing_wrt(target, args, specs) -> str:
    """An expression without --wrt names its variables; anything else lists the catalog."""
    if any(c in target for c in OPERATORS) or args.vector or args.scalar or args.matrix:
        from ..derivation import variables_of

        names = variables_of(target, _declarations(args))
        return f"say which variables to differentiate by, e.g. --wrt {' '.join(names) or 'x'}"
    return (f"no derivation named {target!r}; available: {', '.join(specs)}\n"
            "to derive an expression instead, say which variables: --wrt w b")


def _declarations(args) -> dict:
    return dict(scalars=" ".join(args.scalar), vectors=" ".join(args.vector), matrices=" ".join(args.matrix))


def _from_expression(args) -> list:
    """One derivation for the scalars and vectors, and one for each matrix (the trace rule)."""
    from ..derivation import derive_each, variables_of

    decl = _declarations(args)
    variables_of(args.target, decl)  # parse errors first, before any output
    if args.order == 2:
        from ..hessian import hessian

        return [hessian(args.target, *args.wrt, layout=args.layout, verify=False, onehot=" ".join(args.onehot), **decl)]
    return derive_each(args.target, args.wrt, layout=args.layout, verify=False, onehot=" ".join(args.onehot), **decl)


def _self_check(ds) -> list:
    """Run each derivation's self-check here, not in derive, so a failure is printed, not raised."""
    from ..check import self_check

    for d in ds:
        d.verification, _ = self_check(d)
    return [d for d in ds if d.verification.status == "failed"]


def _known_dims(ds, dims):
    """--dims may only name sizes the derivations have: a typo (--dims q=3) or a size declared as a
    number (--matrix X:4,3) would otherwise be ignored without a word."""
    if not dims:
        return dims
    from ..errors import SymcalcError
    from ..expr import variables

    sizes = sorted({str(s) for d in ds for v in variables(d.expr) for s in v.shape if not s.is_Integer})
    unknown = [name for name in dims if name not in sizes]
    if unknown and not sizes:
        raise SymcalcError(f"--dims names {', '.join(unknown)}, but the expression has no sizes to set: every "
                           "size is a number (or it has no vectors or matrices)")
    if unknown:
        raise SymcalcError(f"--dims names {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} not "
                           f"a size of the expression; its sizes are {', '.join(sizes)}")
    return dims


MAX_CHECK_WORK = 5_000_000_000  # float operations (smallnum.cost): `w @ w --dims n=1000 --samples 1000` is 4e9


def _check_work(ds, dims, samples) -> None:
    """Refuse a --check whose finite differences would run for hours before it starts: each sample
    evaluates the expression twice per entry of every variable, and a product of matrices costs
    N·n·k (--dims N=300,n=300,k=300 on sum(tanh(X @ W)) is 10^13 operations)."""
    from ..check import concrete_sizes
    from ..errors import LimitError
    from ..expr import variables
    from ..smallnum import cost

    for d in ds:
        sizes = concrete_sizes(variables(d.expr), dims)
        entries = sum((int(s) if s.is_Integer else sizes[s]) * (int(t) if t.is_Integer else sizes[t])
                      for s, t in (v.shape for v in d.wrt))
        work = samples * 2 * entries * cost(d.expr, sizes)
        if work > MAX_CHECK_WORK:
            shown = ", ".join(f"{k}={v}" for k, v in sorted((str(k), v) for k, v in sizes.items()))
            names = ", ".join(v.name for v in d.wrt)
            raise LimitError(f"--check at these sizes ({shown}) would take about {work:.0e} operations "
                             f"({samples} sample(s), two evaluations per entry of {names}); "
                             f"the limit is {MAX_CHECK_WORK:.0e}: use smaller --dims or fewer --samples")


def _report_bug(failed, argv) -> None:
    import shlex

    names = ", ".join(d.title or repr(d) for d in failed)
    print(f"symcalc: the derivation above failed its numeric self-check ({names}).\n"
          "this is a bug in symcalc; please report it with the command that reproduces it:\n"
          f"  symcalc {shlex.join(argv)}", file=sys.stderr)


def _derive(args) -> int:
    ds, spec = _derivations(args)
    if args.demo:
        from ..demo import run_demo

        return run_demo(spec)
    failed = [] if args.no_verify else _self_check(ds)
    dims = _known_dims(ds, _dims(args.dims))
    if args.check:
        _check_work(ds, dims, args.samples)
    checks = [d.check(args.samples, args.seed, dims) for d in ds] if args.check else None
    at = None
    if args.at:  # evaluated once, before anything is printed, so bad values are the only output
        _unknown_points(ds, args.at)
        at = [_point_values(d, args.at) for d in ds]
    width = value_width(args)
    values = [line for d, v in zip(ds, at) for line in _values_at(d, v, width, len(ds) > 1)] if at else []
    from ..render.dot import GraphvizMissing

    try:
        (_write if args.out else _show)(ds, args, checks, at)
    except GraphvizMissing as exc:  # README: the DOT source instead of the SVG, exit 2
        print(f"symcalc: {exc}", file=sys.stderr)
        sys.stdout.write(exc.source)
        return 2
    extra = sys.stderr if args.format in WHOLE_FORMATS else sys.stdout  # keep a piped picture or program whole
    if (checks or values) and not in_document(args):
        lines = [f"check{' (' + d.title + ')' if len(ds) > 1 and d.title else ''}: {c}"
                 for d, c in zip(ds, checks or [])]
        say(args, lines + values, extra)
    if failed:
        _report_bug(failed, args.argv)
        return 1
    return 1 if checks and any(c.status == "failed" for c in checks) else 0  # inconclusive: the line says why
