"""Named derivations: TOML specs shipped in ``symcalc.derivations`` (the repo's derivations/).

A spec names the paper's example, declares the symbols, and gives one expression (or several
``[[part]]`` tables) in the parser's syntax with the variables to differentiate by. A part may
also write out the paper's own intermediates (``define = ["u_1 = x**2"]`` with ``root``).
Copy one, edit it, and run ``symcalc derive path/to/mine.toml``.
"""
from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import SymcalcError
from .limits import MAX_SPEC_BYTES, check_name, check_text
from .names import normalize_name


@dataclass(frozen=True)
class Part:
    expression: str
    wrt: tuple
    title: str = ""
    output: str | None = None
    intermediates: tuple = ()
    define: tuple = ()
    root: str | None = None
    notes: tuple = ()
    order: int = 1  # 2: the Hessian (or the mixed block by two variables), derived by symcalc.hessian


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    parts: tuple
    example: str = ""
    section: str = ""
    vectors: str = ""
    scalars: str = ""
    matrices: str = ""
    onehot: str = ""
    notes: tuple = ()
    demo: str = ""

    @property
    def heading(self) -> str:
        return f"{self.title} ({self.example})" if self.example else self.title

    def derivations(self, layout="numerator", wrt=None, verify=True, order=None) -> list:
        """Every part derived, each a :class:`~symcalc.derivation.Derivation`.

        ``wrt`` replaces the parts' own variables; where some parts name one of them, only those
        parts are derived (``--wrt W`` on an entry with a part by W and a part by b). ``verify``
        runs each part's numeric self-check (see :func:`~symcalc.derivation.derive`). ``order``
        (1 or 2) replaces the parts' own ``order``.
        """
        parts = list(enumerate(self.parts))
        if wrt:
            wrt = [normalize_name(w) for w in wrt]
            chosen = [(i, p) for i, p in parts if set(wrt) & set(p.wrt)]
            parts = chosen or parts
        out = []
        for i, part in parts:
            title = self.heading if len(self.parts) == 1 else f"{self.heading} — {part.title or part.expression}"
            notes = (*part.notes, *(self.notes if i == len(self.parts) - 1 else ()))
            out.append(self._derive(part, layout, wrt, title, notes, verify, order or part.order))
        return out

    def _derive(self, part, layout, wrt, title, notes, verify, order=1):
        from .derivation import derive

        if order == 2:
            return self._second(part, layout, list(wrt or part.wrt), title, notes, verify)
        given = self._given(part) if part.define else None
        return derive(part.expression, list(wrt or part.wrt), layout=layout, names=list(part.intermediates),
                      output=part.output, title=title, notes=notes, given=given, verify=verify,
                      onehot=self._labels(part), **self.declarations)

    def _second(self, part, layout, wrt, title, notes, verify):
        """A part of order 2: the Hessian by one variable, or the mixed block by two."""
        from .hessian import hessian

        if len(wrt) > 2 or part.define:
            raise SymcalcError(f"{self.name}: order 2 takes one or two variables (wrt) and no define, "
                               f"not {', '.join(wrt)}" + (" with define" if part.define else ""))
        return hessian(part.expression, *wrt, layout=layout, title=title, notes=notes, names=list(part.intermediates) or None,
                       output=part.output, verify=verify, onehot=self._labels(part), **self.declarations)

    def _labels(self, part) -> str:
        """The spec's one-hot labels that this part's expression uses (one declaration serves every part)."""
        from .derivation import variables_of

        used = set(variables_of(part.expression, self.declarations)) if self.onehot else set()
        return " ".join(n for n in self.onehot.split() if n in used)

    @property
    def declarations(self) -> dict:
        return {"scalars": self.scalars, "vectors": self.vectors, "matrices": self.matrices}

    def parse(self, text, extra=None):
        from .parse import parse

        decl = dict(self.declarations)
        for kind, names in (extra or {}).items():
            decl[kind] = f"{decl[kind]} {names}".strip()
        return parse(text, **decl)

    def _given(self, part):
        """The paper's own intermediates, each parsed with the ones before it in scope."""
        from . import expr as E

        defined, extra = [], {"scalars": "", "vectors": ""}
        for line in (*part.define, f"{part.output or 'y'} = {part.root or part.expression}"):
            name, eq, text = line.partition("=")
            if not eq:
                raise SymcalcError(f"{self.name}: a definition must read 'name = expression', not {line!r}")
            name = check_name(name.strip(), f"{self.name}: define")
            rhs = _intermediate_refs(self.parse(text, extra), defined)
            defined.append((E.Var(name, rhs.shape, "intermediate"), rhs))
            kind = "scalars" if rhs.is_scalar else "vectors"
            extra[kind] += f" {name}" if rhs.is_scalar else f" {name}:{rhs.shape[0]}"
        root = defined.pop()[1]
        return defined, root


def _intermediate_refs(expr, defined):
    """Symbols that name intermediates become them; g_1 names element 1 of a written-out g."""
    from . import expr as E

    mapping = {}
    for v in E.variables(expr):
        for var, d in defined:
            if v.name == var.name:
                mapping[v] = var
            elif v.name.startswith(var.name + "_") and v.name[len(var.name) + 1 :].isdigit():
                mapping[v] = E.index(var, int(v.name[len(var.name) + 1 :]) - 1)
    return E.replace(expr, mapping)


@dataclass(frozen=True)
class Field:
    """One key of a spec file: what it must hold (said in errors), its check, whether it is required."""

    expected: str
    check: Callable  # (value, label) -> the value as the Spec keeps it
    required: bool = False


def _wrong(label, expected, value) -> SymcalcError:
    shown = repr(value)
    return SymcalcError(f"{label} must be {expected}, not {shown[:60] + '…' if len(shown) > 60 else shown}")


def _string(value, label):  # expressions and declarations: the parser vets what is inside
    if not isinstance(value, str):
        raise _wrong(label, "a string", value)
    return value


def _texts(value, label):
    if not isinstance(value, (str, list)):
        raise _wrong(label, "a list of strings", value)
    return tuple(check_text(v, f"{label} {i + 1}") for i, v in enumerate([value] if isinstance(value, str) else value))


def _strings(value, label):
    if not isinstance(value, list):
        raise _wrong(label, "a list of strings", value)
    return tuple(_string(v, f"{label} {i + 1}") for i, v in enumerate(value))


def _names(value, label):
    if not isinstance(value, (str, list)):
        raise _wrong(label, "a list of variable names", value)
    return tuple(check_name(v, label) for v in ([value] if isinstance(value, str) else value))


def _wrt(value, label):
    names = _names(value, label)
    if not names:
        raise SymcalcError(f"{label} must name at least one variable to differentiate by")
    return names


def _order(value, label):
    if not isinstance(value, int) or isinstance(value, bool) or value not in (1, 2):
        raise _wrong(label, "1 or 2 (2: the Hessian)", value)
    return value


def _demo(value, label):
    if value not in DEMOS:
        raise _wrong(label, f"one of {', '.join(map(repr, DEMOS))}", value)
    return value


def _parts(value, label):
    if isinstance(value, dict):
        raise SymcalcError(f"{label}: write [[part]] (an array of tables), not [part]")
    if not isinstance(value, list) or not value:
        raise _wrong(label, "one or more [[part]] tables", value)
    return value


DEMOS = ("neuron",)
_TEXT = Field("a string", check_text)
# The schema, declared once: every key a spec file may hold, at the top and in a [[part]].
SPEC_FIELDS = {
    "title": Field("a string", check_text, required=True), "example": _TEXT, "section": _TEXT,
    "vectors": Field("declarations such as 'w x y:N'", _string), "scalars": Field("declarations such as 'b'", _string),
    "matrices": Field("declarations such as 'X:N,n'", _string),
    "onehot": Field("names of one-hot labels such as 'Y'", _string), "notes": Field("a list of strings", _texts),
    "part": Field("one or more [[part]] tables", _parts), "demo": Field(f"one of {DEMOS}", _demo),
}
PART_FIELDS = {
    "title": _TEXT, "expression": Field("an expression", _string, required=True),
    "wrt": Field("a list of variable names", _wrt, required=True), "output": Field("a variable name", check_name),
    "intermediates": Field("a list of variable names", _names),
    "define": Field("a list of 'name = expression' strings", _strings), "root": Field("an expression", _string),
    "notes": Field("a list of strings", _texts), "order": Field("1 or 2 (2: the Hessian)", _order),
}
SPEC_KEYS, PART_KEYS = set(SPEC_FIELDS), set(PART_FIELDS)


def _validated(data, fields, where) -> dict:
    """The values checked against the schema, or an error naming the file, the part and the key."""
    unknown = set(data) - set(fields)
    if unknown:
        raise SymcalcError(f"{where}: unknown keys {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(fields))}")
    for key, field_ in fields.items():
        if field_.required and key not in data:
            raise SymcalcError(f"{where}: missing key {key!r} ({field_.expected})")
    return {key: fields[key].check(value, f"{where}: {key}") for key, value in data.items()}


def _part(data, where) -> Part:
    if not isinstance(data, dict):
        raise _wrong(where, "a table ([[part]])", data)
    return Part(**_validated(data, PART_FIELDS, where))


def from_dict(name, data, where) -> Spec:
    top = _validated({k: v for k, v in data.items() if k in SPEC_FIELDS}, SPEC_FIELDS, where)
    part_keys = {k: v for k, v in data.items() if k not in SPEC_FIELDS}
    if "part" in top:
        if part_keys:
            raise SymcalcError(f"{where}: with [[part]] tables, {', '.join(sorted(part_keys))} belong inside a part")
        parts = tuple(_part(p, f"{where}: part {i + 1}") for i, p in enumerate(top.pop("part")))
    else:
        parts = (_part(part_keys, where),)
    return Spec(name=name, parts=parts, **top)


def load(path) -> Spec:
    """Read one spec file: a regular UTF-8 file of at most MAX_SPEC_BYTES, checked against the schema."""
    path = Path(path)
    raw = _read_bounded(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SymcalcError(f"{path}: line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SymcalcError(f"{path}: not valid TOML: {exc}") from None
    return from_dict(path.stem, data, str(path))


def _read_bounded(path) -> bytes:
    """The file's bytes, refusing anything but a regular file before opening it (no FIFO, no /dev/zero)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise SymcalcError(f"{path} is not a regular file; a spec must be a .toml file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # swapped for a FIFO since: no hang
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise SymcalcError(f"{path} is not a regular file; a spec must be a .toml file")
            raw = f.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SymcalcError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise SymcalcError(f"{path} is larger than {MAX_SPEC_BYTES // 1024} kB, the limit for a spec file")
    return raw


def _folder():
    """The installed specs, or the repository's derivations/ when running from a checkout."""
    try:
        return resources.files("symcalc.derivations")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "derivations"


def names() -> list[str]:
    """The shipped specs' names, sorted (nothing is read or validated)."""
    return sorted(e.name[:-5] for e in _folder().iterdir() if e.name.endswith(".toml"))


def entry(name: str) -> Spec:
    """One shipped spec, read and validated (``symcalc derive neuron`` needs only its own)."""
    path = _folder() / f"{name}.toml"
    return from_dict(name, tomllib.loads(path.read_text(encoding="utf-8")), path.name)


def catalog() -> dict[str, Spec]:
    """Every shipped spec by name, sorted."""
    return {name: entry(name) for name in names()}
