"""The ``symcalc`` command. Exit codes: 0 ok, 1 a failed check, 2 bad usage or input.

Heavy imports (sympy, rich) happen inside the commands, so ``--help`` stays quick.
"""
from __future__ import annotations

import argparse
import sys

FORMATS = ("rich", "text", "latex", "markdown", "json")
EXTENSIONS = {".tex": "latex", ".md": "markdown", ".json": "json", ".txt": "text"}


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
    d.add_argument("--standalone", action="store_true", help="with latex: a complete document")
    d.add_argument("--out", metavar="FILE", help="write to FILE; the format follows its extension")
    d.add_argument("--check", action="store_true", help="compare with finite differences (exit 1 on failure)")
    d.add_argument("--samples", type=int, default=5, metavar="K", help="points for --check (default 5)")
    d.add_argument("--seed", type=int, default=0, metavar="S", help="random seed for --check")
    d.add_argument("--dims", metavar="n=4,N=7", help="concrete sizes for --check")
    d.add_argument("--at", action="append", default=[], metavar="NAME=VALUES",
                   help="evaluate the derivative at a point: --at w=1,2,3 --at X=[[1,2],[3,4]] --at b=0.5")
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


def _render(d, fmt: str, standalone=False, check=None) -> str:
    if fmt == "latex":
        from .render.latex import render

        return render(d, standalone=standalone)
    if fmt == "markdown":
        from .render.markdown import render

        return render(d)
    if fmt == "json":
        from .render.json import render

        return render(d, check)
    return d.text()


def _output(d, args, check, values) -> None:
    if args.out:
        from pathlib import Path

        fmt = args.format or EXTENSIONS.get(Path(args.out).suffix, "text")
        body = _render(d, "text" if fmt == "rich" else fmt, args.standalone or fmt == "latex", check)
        try:
            Path(args.out).write_text(body, encoding="utf-8")
        except OSError as exc:
            from .errors import SymcalcError

            raise SymcalcError(f"cannot write {args.out}: {exc}") from exc
        print(f"wrote {args.out} ({fmt})")
    else:
        fmt = args.format or ("rich" if sys.stdout.isatty() else "text")
        if fmt == "rich":
            from .render.rich import render

            render(d)
        else:
            sys.stdout.write(_render(d, fmt, args.standalone, check))
    if check is not None and args.format != "json":
        print(f"check: {check}")
    for line in values:
        print(line)


def _values_at(d, points) -> list[str]:
    """--at: the derivative's value at the given point, one block per variable."""
    if not points:
        return []
    from .points import parse_points

    import numpy as np

    values = parse_points(points)
    lines = []
    for v in d.wrt:
        value = d.evaluate(values, v)
        text = np.array2string(np.asarray(value), precision=6, suppress_small=True)
        lines.append(f"at the point: ∂{d.output.name}/∂{v.name} = {text}")
    return lines


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
        check = d.check(args.samples, args.seed, _dims(args.dims)) if args.check else None
        _output(d, args, check, _values_at(d, args.at))
    except SymcalcError as exc:
        print(f"symcalc: {exc}", file=sys.stderr)
        return 2
    return 1 if check is not None and not check.passed else 0


def _dims(text):
    if not text:
        return None
    from .points import parse_dims

    return parse_dims(text)


if __name__ == "__main__":
    sys.exit(main())
