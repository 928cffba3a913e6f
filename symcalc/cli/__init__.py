"""The ``symcalc`` command. Exit codes: 0 ok, 1 a failed check or self-check, 2 bad usage or input
(or --format svg without Graphviz: the DOT source is printed instead).

Heavy imports (sympy, rich) happen inside the commands, so ``--help`` stays quick.
"""
from __future__ import annotations

import sys

from .args import _check_args, _dash_expression, _find_target, _parser
from .derive import _derive
from .output import _console, _print  # noqa: F401 - _console: tests import it from symcalc.cli


def _list(args) -> int:
    """The catalog as a table, measured by rich (display cells, wrapping within the title column)."""
    from rich.table import Table

    from .. import catalog

    table = Table(box=None, pad_edge=False, show_header=False, padding=(0, 2, 0, 0))
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("example", no_wrap=True, style="cyan")
    table.add_column("title", ratio=1)
    for name, spec in catalog.catalog().items():
        table.add_row(name, spec.example, spec.title)
    _print(args, table)
    return 0


def _rules(args) -> int:
    from ..tables import renderable

    _print(args, renderable())
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if dash := _dash_expression(argv):
        from ..limits import printable

        print(f"symcalc: {printable(dash)}", file=sys.stderr)
        return 2
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `symcalc`: the help, as a usage error (README: The command line)
        parser.print_help()
        return 2
    args.argv = argv  # to print the command that reproduces a failed self-check
    from ..errors import SymcalcError
    from ..limits import printable

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
    from ..errors import SymcalcError

    try:
        import shtab
    except ImportError:
        raise SymcalcError('shell completion needs the shtab package: pip install "symcalc[completion]"') from None
    sys.stdout.write(shtab.complete(_parser(), shell=args.shell))
    return 0


COMMANDS = {"derive": _derive_command, "list": _list, "rules": _rules,
            "completion": _completion}
