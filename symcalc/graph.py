"""The derivation's dataflow picture (the paper's chain-rule diagram) as plain nodes and edges.

Nodes are the expression's variables, the intermediates and the output; an edge runs from each
parameter of a definition to the variable it defines, and carries the local derivative the
derivation already computed for it (its ``local`` step), with that step's rules. Nothing here
differentiates: the picture is read from ``d.intermediates``, ``d.output``, ``d.root`` and ``d.steps``.

>>> import symcalc as sc
>>> g = graph(sc.derive("max(0, w @ x + b)", ["w", "b"], vectors="w x", scalars="b"))
>>> [n.name for n in g.nodes]
['w', 'x', 'b', 'u_1', 'u_2', 'y']
>>> [(e.source, e.target, e.derivative) for e in g.edges][:2]
[('w', 'u_1', 'diag(x)'), ('x', 'u_1', '')]
"""
from __future__ import annotations

from dataclasses import dataclass

from . import expr as E
from .printing import text
from .shapes import fmt_shape

KINDS = ("variable", "wrt", "intermediate", "output")  # wrt: a variable the derivation differentiates by


@dataclass(frozen=True)
class Node:
    name: str  # the variable's own name: unique in a derivation, so it identifies the node
    label: str  # the name as printed (u₁, ŵ)
    kind: str
    shape: str
    definition: str = ""  # what an intermediate or the output stands for, as printed


@dataclass(frozen=True)
class Edge:
    source: str  # node names: the derivative flows from source to target
    target: str
    partial: str = ""  # ∂target/∂source as printed; '' where the derivation does not differentiate it
    derivative: str = ""  # that local derivative's value
    rule: str = ""  # the step's rules with the paper's numbers

    @property
    def differentiated(self) -> bool:
        return bool(self.derivative)

    @property
    def carries(self) -> bool:
        """The derivative flows along it: a local derivative, or a rule its definition cites (trace)."""
        return bool(self.derivative or self.rule)


@dataclass(frozen=True)
class Graph:
    title: str
    heading: str  # y = expression, for a derivation without a title
    nodes: tuple
    edges: tuple


def graph(d) -> Graph:
    """The dataflow graph of a derivation, its edges labelled from the derivation's local steps."""
    wrt = {v.name for v in d.wrt}
    inputs = list(dict.fromkeys([*E.variables(d.expr), *d.wrt]))  # a variable of differentiation may be absent
    nodes = [Node(v.name, text(v), "wrt" if v.name in wrt else "variable", fmt_shape(v.shape)) for v in inputs]
    defined = [*d.intermediates, (d.output, d.root)]
    nodes += [Node(v.name, text(v), "output" if v.name == d.output.name else "intermediate", fmt_shape(e.shape), text(e))
              for v, e in defined]
    heading = f"{text(d.output)} = {text(d.expr)}"
    return Graph(d.title or "", heading, tuple(nodes), tuple(_edges(d, defined)))


def _edges(d, defined) -> list[Edge]:
    local = {(s.sides[0].num.name, s.sides[0].den.name): s for s in d.steps if s.phase == "local"}
    rules = {s.sides[0].name: s.rule_text for s in d.steps if s.phase == "define"}
    wrt = {v.name for v in d.wrt}
    edges = []
    for v, definition in defined:
        for p in E.variables(definition):
            step = local.pop((v.name, p.name), None)
            if step is not None:
                edges.append(Edge(p.name, v.name, text(step.sides[0]), text(step.sides[-1]), step.rule_text))
            else:  # held constant, or (z = W b) reached through the trace rule its definition cites
                edges.append(Edge(p.name, v.name, rule=rules.get(v.name, "") if p.name in wrt else ""))
    # a local step outside the definitions would be an engine bug; show it rather than drop it
    edges += [Edge(p, v, text(s.sides[0]), text(s.sides[-1]), s.rule_text) for (v, p), s in local.items()]
    return edges
