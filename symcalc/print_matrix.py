"""How both printers write the matrix world's nodes (a mixin of :class:`symcalc.printing._Printer`):
tr(A), det(A), A⁻¹, ‖x‖, softmax(Z, axis=1), and the upstream gradient G_Z.

>>> from symcalc.expr import matrix
>>> from symcalc.matrix_builders import inv, softmax, trace
>>> from symcalc.printing import latex, text
>>> A = matrix("A", "n", "n")
>>> print(text(trace(inv(A) @ A)), "|", text(softmax(A, 1)), "|", latex(inv(A).T))
tr(A⁻¹ A) | softmax(A, axis=1) | \\left(\\mathbf{A}^{-1}\\right)^{T}
"""
from __future__ import annotations

from .expr import matrixnodes as M
from .visitor import on

ATOM, POW = 100, 30  # the printers' precedences of an atom and of a power (as in printing)


class MatrixPrinting:
    stacked = False  # True for LaTeX

    @on(M.Trace)
    def _Trace(self, e):
        return self.call("tr", self.p(e.arg)), ATOM

    @on(M.Det)
    def _Det(self, e):
        return self.call("det", self.p(e.arg)), ATOM

    @on(M.Inv)
    def _Inv(self, e):
        base = self.p(e.arg, POW + 1)
        return (base + "^{-1}" if self.stacked else base + "⁻¹"), POW

    @on(M.Norm)
    def _Norm(self, e):
        inner = self.p(e.arg)
        return (rf"\left\lVert {inner} \right\rVert" if self.stacked else f"‖{inner}‖"), ATOM

    @on(*M.ALONG)
    def _Along(self, e):
        name = {M.Softmax: "softmax", M.LogSoftmax: "log_softmax", M.LogSumExp: "logsumexp"}[type(e)]
        arg = self.p(e.arg)
        rows, cols = e.arg.shape
        if cols != 1:  # a vector's own axis goes without saying; a matrix's is named
            arg += r", \text{axis}=" + str(e.axis) if self.stacked else f", axis={e.axis}"
        if self.stacked:
            escaped = name.replace("_", "\\_")
            return rf"\operatorname{{{escaped}}}\left({arg}\right)", ATOM
        return f"{name}({arg})", ATOM

    @on(M.Grad)
    def _Grad(self, e):
        of = self.p(e.of, ATOM)
        return (rf"\mathbf{{G}}_{{{of}}}" if self.stacked else f"G_{of}"), ATOM
