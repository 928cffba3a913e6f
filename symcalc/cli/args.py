"""The command line's grammar: the argparse parser with its examples, and the checks of what it read
(a target taken by a list option, an expression starting with '-', options checked at entry)."""
from __future__ import annotations

import argparse

from .. import __version__
from .output import FORMATS


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
  symcalc derive mlp-batch --format numpy --layout denominator --out mlp.py
  symcalc derive "x.T @ A @ x" --wrt x --order 2 --vector x --matrix A:n,n
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
        from ..limits import printable

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
    d.add_argument("--format", choices=FORMATS, help="output format (default: rich on a terminal, else text); numpy, torch, jax: "
                   "a Python module computing the value and gradients")
    d.add_argument("--layout", choices=("numerator", "denominator"), default="numerator")
    d.add_argument("--order", metavar="K", help="1 (default): first derivatives; 2: the Hessian of a scalar by "
                   "one vector (--wrt x), or the mixed block by two (--wrt x y)")
    d.add_argument("--hvp", action="store_true", help="the Hessian-vector product H v instead of H (implies --order 2): "
                   "the gradient of v·∇f, never forming H; v is a new vector named v (v_1 where f has a v)")
    d.add_argument("--vector", nargs="+", default=[], metavar="NAME[:SIZE]", help="declare column vectors")
    d.add_argument("--matrix", nargs="+", default=[], metavar="NAME:ROWS,COLS", help="declare matrices")
    d.add_argument("--scalar", nargs="+", default=[], metavar="NAME", help="declare scalars")
    d.add_argument("--onehot", nargs="+", default=[], metavar="NAME",
                   help="one-hot labels: a vector whose entries sum to 1, a matrix whose rows do (Y1⃗ = 1⃗)")
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
    from ..errors import SymcalcError

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


def _check_args(args) -> None:
    """Options checked at entry (README: Limits), so a bad one is a clear error before any work."""
    from ..check import check_settings
    from ..limits import check_name

    if args.wrt:
        args.wrt = [check_name(name, "--wrt") for name in args.wrt]
    check_settings(args.samples, args.seed, None, ("--samples", "--seed"))
    args.order = _order(args.order, args.wrt)
    if args.hvp and args.order == 1:
        from ..errors import SymcalcError

        raise SymcalcError("--hvp is a product with the Hessian, a second derivative: drop --order 1 (or say --order 2)")
    args.order = 2 if args.hvp else args.order
    _dims(args.dims)
    if args.out == "-":  # standard output, as with no --out
        args.out = None


def _order(text, wrt) -> int | None:
    """--order: 1 or 2 (None when not given: a catalog entry's own order stands)."""
    from ..errors import SymcalcError
    from ..limits import printable

    if text is None:
        return None
    if text.strip() not in ("1", "2"):
        raise SymcalcError(f"--order must be 1 (first derivatives) or 2 (the Hessian), not {printable(text)!r}; "
                           "symcalc derives no higher orders")
    order = int(text)
    if order == 2 and wrt and len(wrt) > 2:
        raise SymcalcError(f"--order 2 takes one variable (the Hessian, --wrt x) or two (the mixed block "
                           f"∂/∂y (∂f/∂x)ᵀ, --wrt x y), not {len(wrt)}")
    return order


def _dims(text):
    if not text:
        return None
    from ..points import parse_dims

    return parse_dims(text)
