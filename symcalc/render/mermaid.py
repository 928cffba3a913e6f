"""Mermaid flowchart of the dataflow graph (symcalc.graph): GitHub renders it in a ```mermaid block.

Every label is a quoted string with Mermaid's entity codes (#34; for a quote) for each character
that could end the string, open HTML, start Markdown or close the surrounding code fence, so a
name or title always shows as typed.
"""
from __future__ import annotations

from ..graph import graph

# Mermaid's own escapes are #<decimal code>; (it turns them into HTML entities after parsing).
_UNSAFE = '"#&<>`*_~\\|'
_SHAPES = {"variable": ("(", ")"), "wrt": ("([", "])"), "intermediate": ("[", "]"), "output": ("[[", "]]")}
_STYLES = ["classDef wrt fill:#fde68a,stroke:#b45309", "classDef output fill:#bbf7d0,stroke:#15803d"]


def mermaid_text(s: str) -> str:
    """Text for inside a quoted Mermaid label; a newline becomes a line break."""
    out = (f"#{ord(c)};" if c in _UNSAFE else c for c in s.replace("\r", ""))
    return "".join(out).replace("\t", " ").replace("\n", "<br/>")


def _label(*lines: str) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines if line) + '"'


def _node(key: str, node) -> str:
    first = f"{node.label} = {node.definition}" if node.definition else node.label
    left, right = _SHAPES[node.kind]
    return f"{key}{left}{_label(first, node.shape)}{right}"


def _edge(keys: dict, edge) -> str:
    head = f"{keys[edge.source]} {'-->' if edge.carries else '-.->'}"
    equation = f"{edge.partial} = {edge.derivative}" if edge.differentiated else ""
    text = _label(equation, edge.rule)
    return f"{head}|{text}| {keys[edge.target]}" if text != '""' else f"{head} {keys[edge.target]}"


def _subgraph(i: int, g) -> list[str]:
    keys = {n.name: f"g{i}n{j}" for j, n in enumerate(g.nodes)}
    lines = [f"  subgraph g{i}[{_label(g.title or g.heading)}]", "    direction LR"]
    lines += [f"    {_node(keys[n.name], n)}" for n in g.nodes]
    lines += [f"    {_edge(keys, e)}" for e in g.edges]
    lines.append("  end")
    for kind in ("wrt", "output"):
        chosen = [keys[n.name] for n in g.nodes if n.kind == kind]
        lines += [f"  class {','.join(chosen)} {kind}"] if chosen else []
    return lines


def render(derivations) -> str:
    """One flowchart; each derivation (a catalog entry may have parts) a titled subgraph."""
    return render_graphs([graph(d) for d in derivations])


def render_graphs(graphs) -> str:
    lines = ["flowchart LR"]
    for i, g in enumerate(graphs):
        lines += _subgraph(i, g)
    return "\n".join(lines + [f"  {s}" for s in _STYLES]) + "\n"
