"""The derive command: its derivations (a catalog entry, a spec file or an expression), their
self-checks, --check and --at, and the output."""
from __future__ import annotations

import sys

from .args import OPERATORS, _dims
from .output import GRAPH_FORMATS, _point_values, _show, _unknown_points, _values_at, _write


def _derivations(args) -> tuple[list, object]:
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
    checks = [d.check(args.samples, args.seed, _dims(args.dims)) for d in ds] if args.check else None
    at = None
    if args.at:  # evaluated once, before anything is printed, so bad values are the only output
        _unknown_points(ds, args.at)
        at = [_point_values(d, args.at) for d in ds]
    values = [line for d, v in zip(ds, at) for line in _values_at(d, v)] if at else []
    from ..render.dot import GraphvizMissing

    try:
        (_write if args.out else _show)(ds, args, checks, at)
    except GraphvizMissing as exc:  # README: the DOT source instead of the SVG, exit 2
        print(f"symcalc: {exc}", file=sys.stderr)
        sys.stdout.write(exc.source)
        return 2
    extra = sys.stderr if args.format in GRAPH_FORMATS else sys.stdout  # keep a piped picture whole
    if checks and args.format != "json":
        for d, c in zip(ds, checks):
            print(f"check{' (' + d.title + ')' if len(ds) > 1 and d.title else ''}: {c}", file=extra)
    if values and args.format != "json":
        print("\n".join(values), file=extra)
    if failed:
        _report_bug(failed, args.argv)
        return 1
    return 1 if checks and any(c.status == "failed" for c in checks) else 0  # inconclusive: the line says why
