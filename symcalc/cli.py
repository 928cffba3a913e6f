"""The ``symcalc`` command. Exit codes: 0 ok, 1 a failed check, 2 bad usage or input.

Heavy imports (sympy, rich) happen inside the commands, so ``--help`` stays quick.
"""
from __future__ import annotations

import argparse
import sys

FORMATS = ("rich", "text", "latex")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="symcalc", description="Matrix calculus for deep learning, step by step.")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("derive", help="derive a named example, a spec file, or an expression")
    d.add_argument("target", help="a catalog name (see `symcalc list`), a .toml spec, or an expression")
    d.add_argument("--wrt", nargs="+", metavar="VAR", help="variables to differentiate by")
    d.add_argument("--format", choices=FORMATS, help="output format (default: rich on a terminal, else text)")
    d.add_argument("--layout", choices=("numerator", "denominator"), default="numerator")
    d.add_argument("--vector", nargs="+", default=[], metavar="NAME[:SIZE]", help="declare column vectors")
    d.add_argument("--matrix", nargs="+", default=[], metavar="NAME:ROWS,COLS", help="declare matrices")
    d.add_argument("--scalar", nargs="+", default=[], metavar="NAME", help="declare scalars")
    sub.add_parser("list", help="list the named derivations")
    return p


def _derivation(args):
    from pathlib import Path

    from . import catalog

    target = args.target
    if target.endswith(".toml") and Path(target).exists():
        return catalog.load(target).derive(args.layout, args.wrt)
    specs = catalog.catalog()
    if target in specs:
        return specs[target].derive(args.layout, args.wrt)
    if not args.wrt:
        from .errors import SymcalcError

        raise SymcalcError(
            f"no derivation named {target!r}; available: {', '.join(specs)}\n"
            "to derive an expression instead, say which variables: --wrt w b"
        )
    return _from_expression(args)


def _from_expression(args):
    from .derivation import derive
    from .expr import variables
    from .parse import declare, parse

    decl = dict(scalars=" ".join(args.scalar), vectors=" ".join(args.vector), matrices=" ".join(args.matrix))
    expr = parse(args.target, **decl)
    present = {v.name: v for v in variables(expr)}
    declared = declare(**decl)
    wrt = [present.get(n) or declared.get(n) or _scalar(n) for n in args.wrt]
    return derive(expr, wrt, layout=args.layout)


def _scalar(name):
    from .expr import scalar

    return scalar(name)


def _emit(d, fmt: str) -> None:
    if fmt == "rich":
        from .render.rich import render

        render(d)
    elif fmt == "latex":
        sys.stdout.write(d.latex())
    else:
        sys.stdout.write(d.text())


def _list() -> None:
    from . import catalog

    specs = catalog.catalog()
    width = max(len(n) for n in specs)
    for name, spec in specs.items():
        print(f"{name:<{width}}  {spec.example:<8} {spec.title}")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from .errors import SymcalcError

    try:
        if args.command == "list":
            _list()
            return 0
        d = _derivation(args)
        _emit(d, args.format or ("rich" if sys.stdout.isatty() else "text"))
    except SymcalcError as exc:
        print(f"symcalc: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
