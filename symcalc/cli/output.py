"""What the derive command prints or writes: the formats, rendering, files written whole, and the
values at an --at point."""
from __future__ import annotations

import sys

CODE_FORMATS = ("numpy", "torch", "jax")  # the derivation as a Python module (symcalc.codegen)
FORMATS = ("rich", "text", "latex", "markdown", "json", "mermaid", "dot", "svg", *CODE_FORMATS)
EXTENSIONS = {".tex": "latex", ".md": "markdown", ".json": "json", ".txt": "text", ".mmd": "mermaid", ".dot": "dot",
              ".gv": "dot", ".svg": "svg", ".py": "numpy"}
GRAPH_FORMATS = ("mermaid", "dot", "svg")  # the dataflow picture alone: --check and --at lines go to stderr
WHOLE_FORMATS = GRAPH_FORMATS + CODE_FORMATS  # a picture or a program: extra lines go to stderr, it stays whole


def _render(ds, fmt: str, standalone=False, checks=None, at=None, ascii=False, graph=False) -> str:
    """``at``: each derivation's values at the --at point (_point_values), or None."""
    if fmt == "json":  # values at --at points go inside the document, so stdout stays one JSON value
        from ..render.json import render

        return render(ds, checks, at)
    checks, at = checks or [None] * len(ds), at or [None] * len(ds)
    if fmt == "latex":  # --check and --at inside the document too, so it still compiles
        from ..render.latex import document, render, values

        body = "\n".join(render(d) + values(d, c, p) for d, c, p in zip(ds, checks, at))
        return document(body) if standalone else body
    if fmt == "markdown":
        from ..render.markdown import render, values

        return "\n---\n\n".join(render(d) + values(d, c, p) for d, c, p in zip(ds, checks, at))
    if fmt in GRAPH_FORMATS:
        return _render_graph(ds, fmt)
    if fmt in CODE_FORMATS:
        from ..codegen import to_source

        return to_source(ds, fmt)
    from ..render.text import PAGE, render

    return "\n".join(render(d, PAGE, ascii) + (_graph_text(d, ascii) if graph else "") for d in ds)


def _render_graph(ds, fmt: str) -> str:
    from ..render import dot, mermaid

    if fmt == "mermaid":
        return mermaid.render(ds)
    return dot.render(ds) if fmt == "dot" else dot.svg(dot.render(ds))  # svg: GraphvizMissing without dot


def _graph_text(d, ascii=False) -> str:
    from ..render.rich import graph_text

    return "\n" + graph_text(d, ascii=ascii)


def _graph_format(fmt: str, graph: bool) -> None:
    from ..errors import SymcalcError

    if graph and fmt not in ("rich", "text"):
        raise SymcalcError(f"--graph adds a tree to the rich and text formats; --format {fmt} cannot hold it "
                           "(mermaid, dot and svg are the graph on its own)")


def _write(ds, args, checks, at) -> None:
    from pathlib import Path

    from ..errors import SymcalcError
    from ..limits import printable

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


DOCUMENTS = ("json", "latex", "markdown")  # formats whose document holds the --check and --at results


def shown_format(args) -> str:
    """The format of standard output: --format, else rich on a terminal and text when piped."""
    return args.format or ("rich" if sys.stdout.isatty() else "text")


def in_document(args) -> bool:
    """Whether the output holds the --check and --at results, so no separate lines follow it. Written
    to a file, the lines still go to standard output (except for --format json, as ever)."""
    return args.format == "json" if args.out else shown_format(args) in DOCUMENTS


def _fitted(args) -> bool:
    """Whether the --check and --at lines go to a console laid out for its width: a terminal, or rich."""
    fmt = shown_format(args)
    return (sys.stdout.isatty() or fmt == "rich") and not args.out and fmt not in GRAPH_FORMATS


def value_width(args) -> int:
    """How wide numpy may print a value at the --at point: its default 75, or less on a narrow console."""
    return min(75, _console(args).width) if _fitted(args) else 75


def say(args, lines, stream) -> None:
    """The --check and --at lines after the output: on a terminal, or with rich, wrapped to the
    console's width as the panels are (a long catalog title made a 196-column check line)."""
    if stream is sys.stdout and _fitted(args):
        from ..render.common import wrap

        width = _console(args).width  # the terminal's, or COLUMNS (80) when piped
        lines = [out for line in lines for text in line.split("\n") for out in wrap(text, width, "", "  ")]
    print("\n".join(lines), file=stream)


def _show(ds, args, checks, at) -> None:
    fmt = shown_format(args)
    _graph_format(fmt, args.graph)
    if fmt == "rich":
        from ..render.rich import render, render_graph

        console = _console(args)
        for d in ds:
            render(d, console, ascii=_plain_vectors(args))
            if args.graph:
                render_graph(d, console, _plain_vectors(args))
    elif fmt == "text":  # on a terminal, for its width; piped, for a page (render.text.PAGE)
        from ..render.text import PAGE, render

        width = _console(args).width if sys.stdout.isatty() else PAGE
        graph = (lambda d: _graph_text(d, _plain_vectors(args))) if args.graph else (lambda d: "")
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


def _print(args, renderable) -> None:
    """On a terminal, rich as it is; piped, the same layout as plain lines without trailing blanks."""
    console = _console(args)
    if sys.stdout.isatty():
        console.print(renderable)
        return
    with console.capture() as capture:
        console.print(renderable)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))


def _unknown_points(ds, points) -> None:
    from ..errors import SymcalcError
    from ..expr import variables
    from ..points import parse_points
    from ..shapes import fmt_shape

    known = {v.name for d in ds for v in point_variables(d)}
    unknown = sorted(set(parse_points(points)) - known)
    sizes = {str(s): v for d in ds for v in variables(d.expr) for s in v.shape if not s.is_Integer}
    for name in unknown:
        if name in sizes:
            v = sizes[name]
            raise SymcalcError(f"--at names {name}, but {name} is a size (of {v.name}, {fmt_shape(v.shape)}), not a "
                               f"variable: sizes are read from the values, as in {v.name}=[[1, 2], [3, 4]]")
    if unknown:
        raise SymcalcError(f"--at names {', '.join(unknown)}, which the expression does not have; "
                           f"its variables are {', '.join(sorted(known))}")


def point_variables(d) -> list:
    """The variables a point gives values to: the expression's, and a Hessian-vector product's v."""
    from ..expr import variables

    return list(dict.fromkeys([*variables(d.expr), *variables(getattr(d, "differentiated", d.expr))]))


def _point_values(d, points) -> list[tuple]:
    """--at: (variable, the derivative's value at the given point as an array), for each variable."""
    import numpy as np

    from ..points import parse_points

    values = parse_points(points)
    present = {v.name for v in point_variables(d)}
    values = {k: v for k, v in values.items() if k in present}  # a catalog entry's parts differ
    keys = list(d.closed_forms) if getattr(d, "order", 1) == 2 else d.wrt  # a Hessian has one closed form
    with np.errstate(all="ignore"):  # an overflow is refused below with its reason, not a RuntimeWarning
        out = [(v, np.asarray(d.evaluate(values, v), dtype=float)) for v in keys]
    _defined_at(d, values, out)
    return out


def _defined_at(d, values, derivatives) -> None:
    """Refuse a point where the expression has no real value (log of a negative determinant, a
    singular inverse) or a derivative is not a finite number (an overflow): a NaN or Infinity would
    print as a number and is no JSON."""
    import numpy as np

    from ..derivation import by_var
    from ..errors import SymcalcError
    from ..expr import variables
    from ..numeric import undefined
    from ..printing import text
    from ..spelling import text_name

    own = {v.name for v in variables(d.expr)}  # a Hessian-vector product's v is not f's
    where = undefined(d.expr, by_var(d.expr, {k: x for k, x in values.items() if getattr(k, "name", k) in own}))
    if where is not None:
        part = _short(text(where))
        whole = "" if where is d.expr else f" ({_short(text(d.expr))})"
        raise SymcalcError(f"--at: the expression{whole} is not defined at this point: {part} has no real value "
                           "there (the logarithm of a number ≤ 0, the root of a negative one, a division by zero "
                           "or a singular matrix); choose another point")
    for v, value in derivatives:
        if not np.isfinite(value).all():
            what = "inf: the values overflow float64" if np.isinf(value).any() else "NaN"
            raise SymcalcError(f"--at: ∂{text_name(d.output.name)}/∂{text_name(v.name)} is not a finite number at "
                               f"this point ({what}); choose smaller values or another point")


def _short(s: str, room: int = 80) -> str:
    return s if len(s) <= room else s[: room - 1] + "…"


def _values_at(d, values, width: int = 75, part: bool = False) -> list[str]:
    """A derivation's values at the --at point (_point_values) as text lines, for the formats whose
    document does not hold them. ``part``: name the derivation's title, as the check lines do (a
    catalog entry's parts may share the output and the variable: the cookbook's two ∂L/∂X)."""
    from ..render.common import array_text
    from ..spelling import text_name

    title = f" ({d.title})" if part and d.title else ""
    lines = []
    for v, value in values:
        text_value = array_text(value, width)
        partial = f"∂{text_name(d.output.name)}/∂{text_name(v.name)} ({d.layout} layout)"
        if getattr(d, "order", 1) == 2:  # the Hessian's last result step names it (∇²y, or ∂∇y/∂z for a mixed block)
            from ..printing import text

            partial = text(next(s for s in reversed(d.steps) if s.phase == "result").sides[0])
        lines.append(f"at the point{title}: {partial} =\n{text_value}")
    return lines
