"""The ``symcalc`` command. Exit codes: 0 ok, 1 a failed check or self-check, 2 bad usage or input
(or --format svg without Graphviz: the DOT source is printed instead).

Heavy imports (sympy, rich) happen inside the commands, so ``--help`` stays quick.
"""
from __future__ import annotations

import argparse
import sys

FORMATS = ("rich", "text", "latex", "markdown", "json", "mermaid", "dot", "svg")
EXTENSIONS = {".tex": "latex", ".md": "markdown", ".json": "json", ".txt": "text", ".mmd": "mermaid", ".dot": "dot",
              ".gv": "dot", ".svg": "svg"}
GRAPH_FORMATS = ("mermaid", "dot", "svg")  # the dataflow picture alone: --check and --at lines go to stderr


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line and exit 2, as argparse does, minus the noise
        from .limits import printable

        self.exit(2, f"symcalc: {printable(message)}\n(see symcalc {self.prog.split()[-1]} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="symcalc", description="Matrix calculus for deep learning, step by step.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    d = sub.add_parser("derive", help="derive a named example, a spec file, or an expression")
    d.add_argument("target", help="a catalog name (see `symcalc list`), a .toml spec, or an expression")
    d.add_argument("--wrt", nargs="+", metavar="VAR", help="variables to differentiate by")
    d.add_argument("--format", choices=FORMATS, help="output format (default: rich on a terminal, else text)")
    d.add_argument("--layout", choices=("numerator", "denominator"), default="numerator")
    d.add_argument("--vector", nargs="+", default=[], metavar="NAME[:SIZE]", help="declare column vectors")
    d.add_argument("--matrix", nargs="+", default=[], metavar="NAME:ROWS,COLS", help="declare matrices")
    d.add_argument("--scalar", nargs="+", default=[], metavar="NAME", help="declare scalars")
    d.add_argument("--standalone", action="store_true", help="with latex: a complete document")
    d.add_argument("--graph", action="store_true", help="with rich or text: the dataflow graph as a tree under each derivation")
    d.add_argument("--out", metavar="FILE", help="write to FILE (- for standard output); the format follows its extension")
    d.add_argument("--check", action="store_true", help="compare with finite differences (exit 1 on failure)")
    d.add_argument("--samples", type=int, default=5, metavar="K", help="points for --check, 1 to 1000 (default 5)")
    d.add_argument("--seed", type=int, default=0, metavar="S", help="random seed for --check, 0 to 2**32 - 1")
    d.add_argument("--dims", metavar="n=4,N=7", help="concrete sizes for --check, each 1 to 1000")
    d.add_argument("--at", action="append", default=[], metavar="NAME=VALUES",
                   help="evaluate the derivative at a point: --at w=1,2,3 --at X=[[1,2],[3,4]] --at b=0.5")
    d.add_argument("--no-verify", action="store_true",
                   help="skip the numeric self-check every derivation runs before it is printed")
    d.add_argument("--demo", action="store_true", help="run the entry's demonstration (gradient-descent)")
    sub.add_parser("list", help="list the named derivations")
    sub.add_parser("rules", help="print the paper's rule tables, derived by the engine")
    return p


def _derivations(args) -> tuple[list, object]:
    from pathlib import Path

    from . import catalog
    from .errors import SymcalcError

    from .names import normalize_name

    target = args.target
    args.wrt = [normalize_name(w) for w in args.wrt] if args.wrt else args.wrt
    if target.endswith(".toml"):
        if not Path(target).exists():
            raise SymcalcError(f"no such spec file: {target}")
        spec = catalog.load(target)
        return spec.derivations(args.layout, args.wrt, verify=False), spec
    specs = catalog.catalog()
    if target in specs:
        return specs[target].derivations(args.layout, args.wrt, verify=False), specs[target]
    if not args.wrt:
        raise SymcalcError(_missing_wrt(target, args, specs))
    return _from_expression(args), None


def _missing_wrt(target, args, specs) -> str:
    """An expression without --wrt names its variables; anything else lists the catalog."""
    if any(c in target for c in "()+-*/@^[]⊗⊘·ᵀ²³−×") or args.vector or args.scalar or args.matrix:
        from .derivation import variables_of

        names = variables_of(target, _declarations(args))
        return f"say which variables to differentiate by, e.g. --wrt {' '.join(names) or 'x'}"
    return (f"no derivation named {target!r}; available: {', '.join(specs)}\n"
            "to derive an expression instead, say which variables: --wrt w b")


def _declarations(args) -> dict:
    return dict(scalars=" ".join(args.scalar), vectors=" ".join(args.vector), matrices=" ".join(args.matrix))


def _from_expression(args) -> list:
    """One derivation for the scalars and vectors, and one for each matrix (the trace rule)."""
    from .derivation import derive, variables_of
    from .parse import declare

    decl = _declarations(args)
    declared = declare(**decl)
    matrices = [n for n in args.wrt if n in declared and declared[n].shape[0] != 1 and declared[n].shape[1] != 1]
    groups = [[n for n in args.wrt if n not in matrices]] + [[m] for m in matrices]
    variables_of(args.target, decl)  # parse errors first, before any output
    return [derive(args.target, g, layout=args.layout, verify=False, **decl) for g in groups if g]


def _render(ds, fmt: str, standalone=False, checks=None, points=(), graph=False) -> str:
    if fmt == "json":  # values at --at points go inside the document, so stdout stays one JSON value
        from .render.json import render

        return render(ds, checks, [_point_values(d, points) for d in ds] if points else None)
    if fmt == "latex":
        from .render.latex import document, render

        body = "\n".join(render(d) for d in ds)
        return document(body) if standalone else body
    if fmt == "markdown":
        from .render.markdown import render

        return "\n---\n\n".join(render(d) for d in ds)
    if fmt in GRAPH_FORMATS:
        return _render_graph(ds, fmt)
    return "\n".join(d.text() + (_graph_text(d) if graph else "") for d in ds)


def _render_graph(ds, fmt: str) -> str:
    from .render import dot, mermaid

    if fmt == "mermaid":
        return mermaid.render(ds)
    return dot.render(ds) if fmt == "dot" else dot.svg(dot.render(ds))  # svg: GraphvizMissing without dot


def _graph_text(d) -> str:
    from .render.rich import graph_text

    return "\n" + graph_text(d)


def _graph_format(fmt: str, graph: bool) -> None:
    from .errors import SymcalcError

    if graph and fmt not in ("rich", "text"):
        raise SymcalcError(f"--graph adds a tree to the rich and text formats; --format {fmt} cannot hold it "
                           "(mermaid, dot and svg are the graph on its own)")


def _write(ds, args, checks) -> None:
    from pathlib import Path

    from .errors import SymcalcError
    from .limits import printable

    if "\x00" in args.out or not args.out.strip():
        raise SymcalcError(f"--out {printable(args.out)!r} is not a file name")
    fmt = args.format or EXTENSIONS.get(Path(args.out).suffix, "text")
    fmt = "text" if fmt == "rich" else fmt
    _graph_format(fmt, args.graph)
    body = _render(ds, fmt, args.standalone or fmt == "latex", checks, args.at, args.graph)
    try:
        overwrote = _replace_file(Path(args.out), body)
    except (OSError, ValueError) as exc:  # ValueError: a name the OS cannot take at all
        raise SymcalcError(f"cannot write {printable(args.out)}: {getattr(exc, 'strerror', None) or exc}") from None
    if overwrote:
        print(f"symcalc: overwrote {printable(args.out)}", file=sys.stderr)
    print(f"wrote {printable(args.out)} ({fmt})")


def _replace_file(path, body: str) -> bool:
    """Write all of ``body`` or nothing: a temporary file beside ``path``, renamed over it when complete,
    so a full disk or Ctrl-C never leaves a truncated file. True when a file was replaced."""
    import errno
    import os
    import stat
    import tempfile
    from pathlib import Path

    existing = os.stat(path) if path.exists() else None
    if existing and stat.S_ISDIR(existing.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder")
    if existing and not stat.S_ISREG(existing.st_mode):
        path.write_text(body, encoding="utf-8")  # /dev/null, /dev/stdout, a FIFO: nothing to replace
        return False
    target = path.resolve()  # through a symlink, as a plain write would go
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.chmod(tmp, stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return existing is not None


def _umask() -> int:
    import os

    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def _show(ds, args, checks) -> None:
    fmt = args.format or ("rich" if sys.stdout.isatty() else "text")
    _graph_format(fmt, args.graph)
    if fmt == "rich":
        from rich.console import Console

        from .render.rich import THEME, graph_tree, render

        for d in ds:
            render(d)
            if args.graph:
                Console(theme=THEME).print(graph_tree(d))
    else:
        sys.stdout.write(_render(ds, fmt, args.standalone, checks, args.at, args.graph))


def _point_values(d, points) -> list[tuple]:
    """--at: (variable, the derivative's value at the given point as an array), for each variable."""
    import numpy as np

    from .expr import variables
    from .points import parse_points

    values = parse_points(points)
    present = {v.name for v in variables(d.expr)}
    values = {k: v for k, v in values.items() if k in present}  # a catalog entry's parts differ
    return [(v, np.asarray(d.evaluate(values, v), dtype=float)) for v in d.wrt]


def _values_at(d, points) -> list[str]:
    """--at as text lines, for every format but JSON."""
    import numpy as np

    from .printing import text_name

    lines = []
    for v, value in _point_values(d, points):
        text = np.array2string(value, precision=6, suppress_small=True)
        lines.append(f"at the point: ∂{text_name(d.output.name)}/∂{text_name(v.name)} ({d.layout} layout) =\n{text}")
    return lines


def _self_check(ds) -> list:
    """Run each derivation's self-check here, not in derive, so a failure is printed, not raised."""
    from .check import self_check

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
        from .demo import run_demo

        return run_demo(spec)
    failed = [] if args.no_verify else _self_check(ds)
    checks = [d.check(args.samples, args.seed, _dims(args.dims)) for d in ds] if args.check else None
    if args.at:  # evaluated before anything is printed, so bad values are the only output
        _unknown_points(ds, args.at)
    values = [line for d in ds for line in _values_at(d, args.at)] if args.at else []
    from .render.dot import GraphvizMissing

    try:
        (_write if args.out else _show)(ds, args, checks)
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


def _unknown_points(ds, points) -> None:
    from .errors import SymcalcError
    from .expr import variables
    from .points import parse_points

    known = {v.name for d in ds for v in variables(d.expr)}
    unknown = sorted(set(parse_points(points)) - known)
    if unknown:
        raise SymcalcError(f"--at names {', '.join(unknown)}, which the expression does not have; "
                           f"its variables are {', '.join(sorted(known))}")


def _dims(text):
    if not text:
        return None
    from .points import parse_dims

    return parse_dims(text)


def _list() -> int:
    from . import catalog

    specs = catalog.catalog()
    width = max(len(n) for n in specs)
    for name, spec in specs.items():
        print(f"{name:<{width}}  {spec.example:<8} {spec.title}")
    return 0


def _rules() -> int:
    from .tables import render_tables

    sys.stdout.write(render_tables())
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    args.argv = argv  # to print the command that reproduces a failed self-check
    from .errors import SymcalcError
    from .limits import printable

    try:
        if args.command == "list":
            return _list()
        if args.command == "rules":
            return _rules()
        _check_args(args)
        return _derive(args)
    except SymcalcError as exc:
        print(f"symcalc: {printable(str(exc), keep=chr(10))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `symcalc derive neuron | head` is fine
        return 0
    except KeyboardInterrupt:  # Ctrl-C: the shell's convention, 128 + SIGINT
        print("symcalc: interrupted", file=sys.stderr)
        return 130
    except (RecursionError, MemoryError) as exc:  # a last guard: report, never a traceback
        print(f"symcalc: the input is too large or too deeply nested to handle ({type(exc).__name__})",
              file=sys.stderr)
        return 2


def _check_args(args) -> None:
    """Options checked at entry (README: Limits), so a bad one is a clear error before any work."""
    from .check import check_settings
    from .limits import check_name

    if args.wrt:
        args.wrt = [check_name(name, "--wrt") for name in args.wrt]
    check_settings(args.samples, args.seed, None, ("--samples", "--seed"))
    _dims(args.dims)
    if args.out == "-":  # standard output, as with no --out
        args.out = None


if __name__ == "__main__":
    sys.exit(main())
