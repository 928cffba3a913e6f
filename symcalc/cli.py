"""The ``symcalc`` command. Exit codes: 0 ok, 1 a failed check or self-check, 2 bad usage or input
(or --format svg without Graphviz: the DOT source is printed instead).

Heavy imports (sympy, rich) happen inside the commands, so ``--help`` stays quick.
"""
from __future__ import annotations

import argparse
import sys

from . import __version__

FORMATS = ("rich", "text", "latex", "markdown", "json", "mermaid", "dot", "svg")
EXTENSIONS = {".tex": "latex", ".md": "markdown", ".json": "json", ".txt": "text", ".mmd": "mermaid", ".dot": "dot",
              ".gv": "dot", ".svg": "svg"}
GRAPH_FORMATS = ("mermaid", "dot", "svg")  # the dataflow picture alone: --check and --at lines go to stderr


EXAMPLES = {
    "symcalc": """examples:
  symcalc derive neuron                  the gradient of a ReLU neuron, step by step
  symcalc derive "sin(x**2)" --wrt x     an expression of your own
  symcalc list                           the named derivations
  symcalc rules                          the paper's rule tables

Without a command, symcalc prints this help and exits with 2 (a usage error).
Exit codes: 0 ok, 1 a failed --check or self-check, 2 bad usage or input.""",
    "derive": """examples:
  symcalc derive neuron
  symcalc derive loss --wrt b --check
  symcalc derive path/to/mine.toml --format markdown --out mine.md
  symcalc derive "max(0, w @ x + b)" --wrt w b --vector w x --scalar b
  symcalc derive --wrt w --vector w x -- "w @ x"    (-- ends a list of names)
  symcalc derive neuron --at w=1,2,3 --at x=0.5,-1,2 --at b=0.25
  symcalc derive gradient-descent --demo""",
    "list": "example:\n  symcalc list\n  symcalc list --no-color | grep E1",
    "rules": "example:\n  symcalc rules\n  symcalc rules | less",
    "completion": """examples:
  symcalc completion bash > ~/.local/share/bash-completion/completions/symcalc
  symcalc completion zsh > ~/.zfunc/_symcalc
(needs the optional shtab package: pip install "symcalc[completion]")""",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line and exit 2, as argparse does, minus the noise
        from .limits import printable

        self.exit(2, f"symcalc: {printable(message)}\n(see {self.prog} --help)\n")


def _sub(sub, name, help_text):
    """A subcommand with its examples under --help and the options every command shares."""
    p = sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--no-color", action="store_true", help="no colour (also: the NO_COLOR environment variable)")
    return p


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="symcalc", description="Matrix calculus for deep learning, step by step.",
                epilog=EXAMPLES["symcalc"], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"symcalc {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar="{derive,list,rules,completion}")
    d = _sub(sub, "derive", "derive a named example, a spec file, or an expression")
    d.add_argument("target", nargs="?", help="a catalog name (see `symcalc list`), a .toml spec, or an expression")
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
    d.add_argument("--ascii", action="store_true",
                   help="write the ones and zeros vectors 1⃗ 0⃗ as 𝟙 𝟘 (no combining arrow, which many fonts lack)")
    d.add_argument("--demo", action="store_true", help="run the entry's demonstration (gradient-descent)")
    _sub(sub, "list", "list the named derivations")
    _sub(sub, "rules", "print the paper's rule tables, derived by the engine")
    c = _sub(sub, "completion", "print a shell completion script")
    c.add_argument("shell", choices=("bash", "zsh"))
    return p


NAME_LISTS = ("wrt", "vector", "matrix", "scalar")


def _find_target(args) -> None:
    """`--vector w x "w @ x"`: a list option took the target too. Take back its last value when that is
    plainly no name (an expression or a spec file); otherwise say how to write the command."""
    if args.target is not None:
        return
    from .errors import SymcalcError

    taken = [k for k in NAME_LISTS if getattr(args, k) and _not_a_name(getattr(args, k)[-1])]
    if len(taken) == 1:
        args.target = getattr(args, taken[0]).pop()
        return
    used = [f"--{k}" for k in NAME_LISTS if getattr(args, k)]
    took = f": {', '.join(used)} took every word after {'them' if len(used) > 1 else 'it'} as a name" if used else ""
    raise SymcalcError("derive needs a target (a catalog name, a .toml spec, or an expression) and got none"
                       + took
                       + '\nwrite the target first, as in: symcalc derive "w @ x" --vector w x --wrt w'
                       + '\nor end the names with --, as in: symcalc derive --wrt w --vector w x -- "w @ x"'
                       + "\n(see symcalc derive --help)")


def _not_a_name(value: str) -> bool:
    return value.endswith(".toml") or any(c in value for c in OPERATORS)


OPERATORS = "()+-*/@^[]⊗⊘·ᵀ²³−×"


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
    if target in catalog.names():
        spec = catalog.entry(target)
        return spec.derivations(args.layout, args.wrt, verify=False), spec
    if not args.wrt:
        raise SymcalcError(_missing_wrt(target, args, catalog.names()))
    return _from_expression(args), None


def _missing_wrt(target, args, specs) -> str:
    """An expression without --wrt names its variables; anything else lists the catalog."""
    if any(c in target for c in OPERATORS) or args.vector or args.scalar or args.matrix:
        from .derivation import variables_of

        names = variables_of(target, _declarations(args))
        return f"say which variables to differentiate by, e.g. --wrt {' '.join(names) or 'x'}"
    return (f"no derivation named {target!r}; available: {', '.join(specs)}\n"
            "to derive an expression instead, say which variables: --wrt w b")


def _declarations(args) -> dict:
    return dict(scalars=" ".join(args.scalar), vectors=" ".join(args.vector), matrices=" ".join(args.matrix))


def _from_expression(args) -> list:
    """One derivation for the scalars and vectors, and one for each matrix (the trace rule)."""
    from .derivation import derive_each, variables_of

    decl = _declarations(args)
    variables_of(args.target, decl)  # parse errors first, before any output
    return derive_each(args.target, args.wrt, layout=args.layout, verify=False, **decl)


def _render(ds, fmt: str, standalone=False, checks=None, at=None, ascii=False, graph=False) -> str:
    """``at``: each derivation's values at the --at point (_point_values), or None."""
    if fmt == "json":  # values at --at points go inside the document, so stdout stays one JSON value
        from .render.json import render

        return render(ds, checks, at)
    if fmt == "latex":
        from .render.latex import document, render

        body = "\n".join(render(d) for d in ds)
        return document(body) if standalone else body
    if fmt == "markdown":
        from .render.markdown import render

        return "\n---\n\n".join(render(d) for d in ds)
    if fmt in GRAPH_FORMATS:
        return _render_graph(ds, fmt)
    from .render.text import PAGE, render

    return "\n".join(render(d, PAGE, ascii) + (_graph_text(d) if graph else "") for d in ds)


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


def _write(ds, args, checks, at) -> None:
    from pathlib import Path

    from .errors import SymcalcError
    from .limits import printable

    if "\x00" in args.out or not args.out.strip():
        raise SymcalcError(f"--out {printable(args.out)!r} is not a file name")
    fmt = args.format or EXTENSIONS.get(Path(args.out).suffix, "text")
    fmt = "text" if fmt == "rich" else fmt
    _graph_format(fmt, args.graph)
    body = _render(ds, fmt, args.standalone or fmt == "latex", checks, at, _plain_vectors(args), args.graph)
    try:
        overwrote = _replace_file(Path(args.out), body)
    except (OSError, ValueError) as exc:  # ValueError: a name the OS cannot take at all
        raise SymcalcError(f"cannot write {printable(args.out)}: {getattr(exc, 'strerror', None) or exc}") from None
    # a status, not output: stdout stays for what was asked (README: The command line)
    status = f"overwrote {printable(args.out)}" if overwrote else f"wrote {printable(args.out)} ({fmt})"
    print(f"symcalc: {status}", file=sys.stderr)


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


def _show(ds, args, checks, at) -> None:
    fmt = args.format or ("rich" if sys.stdout.isatty() else "text")
    _graph_format(fmt, args.graph)
    if fmt == "rich":
        from .render.rich import render, render_graph

        console = _console(args)
        for d in ds:
            render(d, console, ascii=_plain_vectors(args))
            if args.graph:
                render_graph(d, console)
    elif fmt == "text":  # on a terminal, for its width; piped, for a page (render.text.PAGE)
        from .render.text import PAGE, render

        width = _console(args).width if sys.stdout.isatty() else PAGE
        graph = _graph_text if args.graph else (lambda d: "")
        sys.stdout.write("\n".join(render(d, width, _plain_vectors(args)) + graph(d) for d in ds))
    else:
        sys.stdout.write(_render(ds, fmt, args.standalone, checks, at, graph=args.graph))


def _console(args):
    from rich.console import Console

    return Console(no_color=True if getattr(args, "no_color", False) else None)  # None: rich reads NO_COLOR


def _plain_vectors(args) -> bool:
    """𝟙 for 1⃗ when asked (--ascii, SYMCALC_ASCII=1) or on the Linux console, whose font has no U+20D7."""
    import os

    console = sys.stdout.isatty() and os.environ.get("TERM") == "linux"
    return bool(args.ascii or os.environ.get("SYMCALC_ASCII") or console)


def _point_values(d, points) -> list[tuple]:
    """--at: (variable, the derivative's value at the given point as an array), for each variable."""
    import numpy as np

    from .expr import variables
    from .points import parse_points

    values = parse_points(points)
    present = {v.name for v in variables(d.expr)}
    values = {k: v for k, v in values.items() if k in present}  # a catalog entry's parts differ
    return [(v, np.asarray(d.evaluate(values, v), dtype=float)) for v in d.wrt]


def _values_at(d, values) -> list[str]:
    """A derivation's values at the --at point (_point_values) as text lines, for every format but JSON."""
    import numpy as np

    from .spelling import text_name

    lines = []
    for v, value in values:
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
    at = None
    if args.at:  # evaluated once, before anything is printed, so bad values are the only output
        _unknown_points(ds, args.at)
        at = [_point_values(d, args.at) for d in ds]
    values = [line for d, v in zip(ds, at) for line in _values_at(d, v)] if at else []
    from .render.dot import GraphvizMissing

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


def _list(args) -> int:
    """The catalog as a table, measured by rich (display cells, wrapping within the title column)."""
    from rich.table import Table

    from . import catalog

    table = Table(box=None, pad_edge=False, show_header=False, padding=(0, 2, 0, 0))
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("example", no_wrap=True, style="cyan")
    table.add_column("title", ratio=1)
    for name, spec in catalog.catalog().items():
        table.add_row(name, spec.example, spec.title)
    _print(args, table)
    return 0


def _rules(args) -> int:
    from .tables import renderable

    _print(args, renderable())
    return 0


def _dash_expression(argv) -> str | None:
    """An expression typed with a leading '-' (-x**2), which argparse takes for an unknown option and
    then reports as a missing target: the one error that says what to type instead."""
    import re

    if argv[:1] != ["derive"]:
        return None
    for arg in argv[1:]:
        if arg == "--":
            return None
        if arg[:1] == "-" and arg[1:2] not in ("-", "h", "") and not re.fullmatch(r"-[0-9]+", arg):
            shown = arg.replace('"', '\\"')
            return (f"{arg!r} starts with '-', so it was taken for an option; an expression starting with '-' "
                    f'needs a space or -- before it: symcalc derive " {shown}" --wrt ..., or '
                    f'symcalc derive --wrt ... -- "{shown}" (after --, nothing is an option)')
    return None


def _print(args, renderable) -> None:
    """On a terminal, rich as it is; piped, the same layout as plain lines without trailing blanks."""
    console = _console(args)
    if sys.stdout.isatty():
        console.print(renderable)
        return
    with console.capture() as capture:
        console.print(renderable)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if dash := _dash_expression(argv):
        from .limits import printable

        print(f"symcalc: {printable(dash)}", file=sys.stderr)
        return 2
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `symcalc`: the help, as a usage error (README: The command line)
        parser.print_help()
        return 2
    args.argv = argv  # to print the command that reproduces a failed self-check
    from .errors import SymcalcError
    from .limits import printable

    try:
        return COMMANDS[args.command](args)
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


def _derive_command(args) -> int:
    _find_target(args)
    _check_args(args)
    return _derive(args)


def _completion(args) -> int:
    from .errors import SymcalcError

    try:
        import shtab
    except ImportError:
        raise SymcalcError('shell completion needs the shtab package: pip install "symcalc[completion]"') from None
    sys.stdout.write(shtab.complete(_parser(), shell=args.shell))
    return 0


COMMANDS = {"derive": _derive_command, "list": _list, "rules": _rules,
            "completion": _completion}


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
