"""What the derive command prints or writes: the formats, rendering, files written whole, and the
values at an --at point."""
from __future__ import annotations

import sys

FORMATS = ("rich", "text", "latex", "markdown", "json", "mermaid", "dot", "svg")
EXTENSIONS = {".tex": "latex", ".md": "markdown", ".json": "json", ".txt": "text", ".mmd": "mermaid", ".dot": "dot",
              ".gv": "dot", ".svg": "svg"}
GRAPH_FORMATS = ("mermaid", "dot", "svg")  # the dataflow picture alone: --check and --at lines go to stderr


def _render(ds, fmt: str, standalone=False, checks=None, at=None, ascii=False, graph=False) -> str:
    """``at``: each derivation's values at the --at point (_point_values), or None."""
    if fmt == "json":  # values at --at points go inside the document, so stdout stays one JSON value
        from ..render.json import render

        return render(ds, checks, at)
    if fmt == "latex":
        from ..render.latex import document, render

        body = "\n".join(render(d) for d in ds)
        return document(body) if standalone else body
    if fmt == "markdown":
        from ..render.markdown import render

        return "\n---\n\n".join(render(d) for d in ds)
    if fmt in GRAPH_FORMATS:
        return _render_graph(ds, fmt)
    from ..render.text import PAGE, render

    return "\n".join(render(d, PAGE, ascii) + (_graph_text(d) if graph else "") for d in ds)


def _render_graph(ds, fmt: str) -> str:
    from ..render import dot, mermaid

    if fmt == "mermaid":
        return mermaid.render(ds)
    return dot.render(ds) if fmt == "dot" else dot.svg(dot.render(ds))  # svg: GraphvizMissing without dot


def _graph_text(d) -> str:
    from ..render.rich import graph_text

    return "\n" + graph_text(d)


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


def _show(ds, args, checks, at) -> None:
    fmt = args.format or ("rich" if sys.stdout.isatty() else "text")
    _graph_format(fmt, args.graph)
    if fmt == "rich":
        from ..render.rich import render, render_graph

        console = _console(args)
        for d in ds:
            render(d, console, ascii=_plain_vectors(args))
            if args.graph:
                render_graph(d, console)
    elif fmt == "text":  # on a terminal, for its width; piped, for a page (render.text.PAGE)
        from ..render.text import PAGE, render

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

    known = {v.name for d in ds for v in variables(d.expr)}
    unknown = sorted(set(parse_points(points)) - known)
    if unknown:
        raise SymcalcError(f"--at names {', '.join(unknown)}, which the expression does not have; "
                           f"its variables are {', '.join(sorted(known))}")


def _point_values(d, points) -> list[tuple]:
    """--at: (variable, the derivative's value at the given point as an array), for each variable."""
    import numpy as np

    from ..expr import variables
    from ..points import parse_points

    values = parse_points(points)
    present = {v.name for v in variables(d.expr)}
    values = {k: v for k, v in values.items() if k in present}  # a catalog entry's parts differ
    keys = list(d.closed_forms) if getattr(d, "order", 1) == 2 else d.wrt  # a Hessian has one closed form
    return [(v, np.asarray(d.evaluate(values, v), dtype=float)) for v in keys]


def _values_at(d, values) -> list[str]:
    """A derivation's values at the --at point (_point_values) as text lines, for every format but JSON."""
    import numpy as np

    from ..printing import text
    from ..spelling import text_name

    lines = []
    for v, value in values:
        text_value = np.array2string(value, precision=6, suppress_small=True)
        label = f"∂{text_name(d.output.name)}/∂{text_name(v.name)} ({d.layout} layout)"
        if getattr(d, "order", 1) == 2:  # the Hessian's last result step names it (∇²y, or ∂∇y/∂z for a mixed block)
            label = text(next(s for s in reversed(d.steps) if s.phase == "result").sides[0])
        lines.append(f"at the point: {label} =\n{text_value}")
    return lines
