"""The rule registry: every rule the engine applies, with the paper's number (R1–R12).

The engine cites these objects in its steps and the CLI prints its rule table from them,
so what is shown and what is applied cannot drift apart.

>>> RULES["sum_reduction"].label
'vector sum reduction (R8)'
>>> [r.number for r in RULES.values() if r.number][:3]
['R1', 'R1', 'R1']
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A differentiation rule: ``formula`` is what it says, ``number`` the paper's R-number
    ('' for rules beyond the paper, such as the matrix–vector product)."""

    key: str
    number: str
    name: str
    formula: str
    section: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name


_TABLE = [
    # key, number, name, formula, section of the paper's reference tables
    ("constant", "R1", "constant rule", "d/dx c = 0", "scalar"),
    ("constant_multiple", "R1", "constant multiple rule", "d/dx c f = c df/dx", "scalar"),
    ("power", "R1", "power rule", "d/dx xᵏ = k xᵏ⁻¹", "scalar"),
    ("sum_rule", "R1", "sum rule", "d/dx (f + g) = df/dx + dg/dx", "scalar"),
    ("product", "R1", "product rule", "d/dx fg = f dg/dx + g df/dx", "scalar"),
    ("quotient", "R1", "quotient rule", "d/dx f/g = (g df/dx − f dg/dx)/g²", "scalar"),
    ("exponential", "R1", "exponential rule", "d/dx a^g = a^g (ln a dg/dx + g/a da/dx)", "scalar"),
    ("elementary", "R1", "elementary function", "d/dx f(x) = f′(x) (exp, ln, sin, cos, tanh, σ, ...)", "scalar"),
    ("max_scalar", "R1", "max(0, ·) rule", "d/dz max(0, z) = [z > 0]", "scalar"),
    ("partial", "R2", "partial derivative", "∂f/∂x holds the other variables constant", "gradients"),
    ("gradient", "R3", "gradient", "∇f = [∂f/∂x₁, …, ∂f/∂xₙ]", "gradients"),
    ("jacobian", "R4", "Jacobian", "J = [∇f₁; …; ∇fₘ], m×n", "gradients"),
    ("identity", "R4", "identity", "∂x/∂x = I", "gradients"),
    ("elementwise", "R5", "element-wise diagonal", "∂(f(w) ○ g(x))/∂w = diag(∂(fᵢ ○ gᵢ)/∂wᵢ)", "elementwise"),
    ("elementwise_unary", "R6", "element-wise function", "∂f(x)/∂x = diag(f′(xᵢ))", "elementwise"),
    ("elementwise_max", "R6", "element-wise max(0, ·)", "∂max(0, x)/∂x = diag([xᵢ > 0])", "elementwise"),
    ("scalar_expansion", "R7", "scalar expansion", "∂(x + z)/∂z = 1⃗, ∂(xz)/∂x = Iz, ∂(xz)/∂z = x", "expansion"),
    ("sum_reduction", "R8", "vector sum reduction", "∂sum(f(x))/∂x = 1⃗ᵀ ∂f/∂x", "reductions"),
    ("dot", "R9", "dot product", "w·x = sum(w ⊗ x): ∂/∂w = xᵀ, ∂/∂x = wᵀ", "reductions"),
    ("chain", "R10", "single-variable chain rule", "dy/dx = dy/du du/dx", "chain"),
    ("total", "R11", "total-derivative chain rule", "∂f/∂x = Σᵢ ∂f/∂uᵢ ∂uᵢ/∂x", "chain"),
    ("vector_chain", "R12", "vector chain rule", "∂f(g(x))/∂x = ∂f/∂g ∂g/∂x", "chain"),
    ("matvec", "", "matrix–vector product", "∂(Av)/∂v = A, ∂(uᵀv)/∂u = vᵀ", "beyond"),
    ("transpose", "", "transpose", "∂xᵀ/∂x lists the same elements as ∂x/∂x", "beyond"),
    ("piecewise_constant", "", "piecewise constant", "d/dx [x > 0] = 0 and d/dx sign(x) = 0 away from 0", "beyond"),
    ("trace", "", "trace rule for matrices", "z = Wb: df = ∂f/∂z dW b = tr(b ∂f/∂z dW), so ∂f/∂W = b ∂f/∂z", "beyond"),
]

RULES = {row[0]: Rule(*row) for row in _TABLE}
