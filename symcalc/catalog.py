"""Named derivations: TOML specs shipped in ``symcalc.derivations`` (the repo's derivations/).

A spec names the paper's example, declares the symbols, and gives one expression (or several
``[[part]]`` tables) in the parser's syntax with the variables to differentiate by. A part may
also write out the paper's own intermediates (``define = ["u_1 = x**2"]`` with ``root``).
Copy one, edit it, and run ``symcalc derive path/to/mine.toml``.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import SymcalcError
from .names import normalize_name

SPEC_KEYS = {"title", "example", "section", "vectors", "scalars", "matrices", "notes", "part", "demo"}
PART_KEYS = {"title", "expression", "wrt", "output", "intermediates", "define", "root", "notes"}


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
    notes: tuple = ()
    demo: str = ""

    @property
    def heading(self) -> str:
        return f"{self.title} ({self.example})" if self.example else self.title

    def derivations(self, layout="numerator", wrt=None, verify=True) -> list:
        """Every part derived, each a :class:`~symcalc.derivation.Derivation`.

        ``wrt`` replaces the parts' own variables; where some parts name one of them, only those
        parts are derived (``--wrt W`` on an entry with a part by W and a part by b). ``verify``
        runs each part's numeric self-check (see :func:`~symcalc.derivation.derive`).
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
            out.append(self._derive(part, layout, wrt, title, notes, verify))
        return out

    def _derive(self, part, layout, wrt, title, notes, verify):
        from .derivation import derive

        given = self._given(part) if part.define else None
        return derive(part.expression, list(wrt or part.wrt), layout=layout, names=list(part.intermediates),
                      output=part.output, title=title, notes=notes, given=given, verify=verify,
                      **self.declarations)

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
            name = normalize_name(name.strip())
            if not eq or not name.isidentifier():
                raise SymcalcError(f"{self.name}: a definition must read 'name = expression', not {line!r}")
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


def _part(data, where) -> Part:
    unknown = set(data) - PART_KEYS
    if unknown:
        raise SymcalcError(f"{where}: unknown keys {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(PART_KEYS))}")
    for key in ("expression", "wrt"):
        if key not in data:
            raise SymcalcError(f"{where}: missing key {key!r}")
    wrt = data["wrt"]
    return Part(
        expression=str(data["expression"]),
        wrt=tuple(normalize_name(str(w)) for w in ((wrt,) if isinstance(wrt, str) else wrt)),
        title=str(data.get("title", "")),
        output=data.get("output"),
        intermediates=tuple(data.get("intermediates", ())),
        define=tuple(data.get("define", ())),
        root=data.get("root"),
        notes=tuple(data.get("notes", ())),
    )


def from_dict(name, data, where) -> Spec:
    top = {k: v for k, v in data.items() if k in SPEC_KEYS}
    part_keys = {k: v for k, v in data.items() if k not in SPEC_KEYS}
    if "title" not in data:
        raise SymcalcError(f"{where}: missing key 'title'")
    if "part" in data:
        if part_keys:
            raise SymcalcError(f"{where}: with [[part]] tables, {', '.join(sorted(part_keys))} belong inside a part")
        parts = tuple(_part(p, f"{where} part {i + 1}") for i, p in enumerate(data["part"]))
    else:
        parts = (_part({**part_keys}, where),)
    return Spec(
        name=name, title=str(top["title"]), parts=parts, example=str(top.get("example", "")),
        section=str(top.get("section", "")), vectors=str(top.get("vectors", "")),
        scalars=str(top.get("scalars", "")), matrices=str(top.get("matrices", "")),
        notes=tuple(top.get("notes", ())), demo=str(top.get("demo", "")),
    )


def load(path) -> Spec:
    """Read one spec file; unknown or missing keys are reported by name."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SymcalcError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SymcalcError(f"{path} is not valid TOML: {exc}") from exc
    return from_dict(path.stem, data, str(path))


def _folder():
    """The installed specs, or the repository's derivations/ when running from a checkout."""
    try:
        return resources.files("symcalc.derivations")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "derivations"


def catalog() -> dict[str, Spec]:
    """Every shipped spec by name, sorted."""
    specs = {}
    for entry in _folder().iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            specs[entry.name[:-5]] = from_dict(entry.name[:-5], data, entry.name)
    return dict(sorted(specs.items()))
