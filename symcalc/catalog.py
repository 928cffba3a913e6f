"""Named derivations: TOML specs shipped in ``symcalc.derivations`` (the repo's derivations/).

A spec names the paper's example, declares the symbols, gives the expression in the parser's
syntax and the variables to differentiate by. Users can copy one and run it by path.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import SymcalcError

KEYS = {"title", "example", "section", "expression", "vectors", "scalars", "matrices", "wrt", "output",
        "intermediates", "notes"}


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    expression: str
    wrt: tuple
    example: str = ""
    section: str = ""
    vectors: str = ""
    scalars: str = ""
    matrices: str = ""
    output: str | None = None
    intermediates: tuple = ()
    notes: tuple = field(default=())

    def derive(self, layout="numerator", wrt=None):
        from .derivation import derive
        from .parse import parse

        expr = parse(self.expression, scalars=self.scalars, vectors=self.vectors, matrices=self.matrices)
        names = {v.name: v for v in _variables(expr)}
        chosen = wrt or self.wrt
        missing = [w for w in chosen if w not in names]
        variables = [names[w] for w in chosen if w in names]
        if missing:
            from .parse import declare

            declared = declare(self.scalars, self.vectors, self.matrices)
            variables += [declared.get(w) or _scalar(w) for w in missing]
        title = f"{self.title} ({self.example})" if self.example else self.title
        return derive(expr, variables, layout=layout, names=list(self.intermediates), output=self.output,
                      title=title, notes=self.notes)


def _variables(expr):
    from .expr import variables

    return variables(expr)


def _scalar(name):
    from .expr import scalar

    return scalar(name)


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


def from_dict(name, data, where) -> Spec:
    unknown = set(data) - KEYS
    if unknown:
        raise SymcalcError(f"{where}: unknown keys {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(KEYS))}")
    for key in ("title", "expression", "wrt"):
        if key not in data:
            raise SymcalcError(f"{where}: missing key {key!r}")
    wrt = data["wrt"]
    wrt = (wrt,) if isinstance(wrt, str) else tuple(wrt)
    try:
        return Spec(name=name, title=str(data["title"]), expression=str(data["expression"]), wrt=wrt,
                    example=str(data.get("example", "")), section=str(data.get("section", "")),
                    vectors=str(data.get("vectors", "")), scalars=str(data.get("scalars", "")),
                    matrices=str(data.get("matrices", "")), output=data.get("output"),
                    intermediates=tuple(data.get("intermediates", ())), notes=tuple(data.get("notes", ())))
    except TypeError as exc:
        raise SymcalcError(f"{where}: {exc}") from exc


def catalog() -> dict[str, Spec]:
    """Every shipped spec by name, sorted."""
    folder = resources.files("symcalc.derivations")
    specs = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            specs[entry.name[:-5]] = from_dict(entry.name[:-5], data, entry.name)
    return dict(sorted(specs.items()))


def find(name: str) -> Spec:
    specs = catalog()
    if name in specs:
        return specs[name]
    raise SymcalcError(f"no derivation named {name!r}; available: {', '.join(specs)}")
