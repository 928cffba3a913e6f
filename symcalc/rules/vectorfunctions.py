"""Beyond the paper: functions of a whole vector (softmax, log-softmax, log-sum-exp, the 2-norm), whose
Jacobians are not diagonal. Over the rows of a matrix they are derived in the backward form
(:mod:`.backward`).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from .. import matrix_builders as MB
from ..expr import matrixnodes as M
from .base import Rule, mm


def _z():
    return E.vector("z")


@dataclass(frozen=True)
class SoftmaxJacobian(Rule):
    """p = softmax(z): ∂p/∂z = diag(p) − ppᵀ"""

    nodes = (M.Softmax,)

    def jacobian(self, d, e):
        d.use(self)
        p = e
        return mm(E.add(E.diag(p), E.neg(E.matmul(p, p.T))), d(e.arg))

    def example(self):
        return MB.softmax(_z()), _z()


@dataclass(frozen=True)
class LogSoftmaxJacobian(Rule):
    """a = log_softmax(z): ∂a/∂z = I − 1⃗pᵀ with p = softmax(z)"""

    nodes = (M.LogSoftmax,)

    def jacobian(self, d, e):
        d.use(self)
        z = e.arg
        p = MB.softmax(z, e.axis)
        return mm(E.add(E.identity(z.shape[0]), E.neg(E.matmul(E.ones(z.shape[0]), p.T))), d(z))

    def example(self):
        return E.dot(E.vector("y"), MB.log_softmax(_z())), _z()


@dataclass(frozen=True)
class LogSumExpJacobian(Rule):
    """l = logsumexp(z): ∂l/∂z = softmax(z)ᵀ"""

    nodes = (M.LogSumExp,)

    def jacobian(self, d, e):
        d.use(self)
        return mm(E.transpose(MB.softmax(e.arg, e.axis)), d(e.arg))

    def example(self):
        return MB.logsumexp(_z()), _z()


@dataclass(frozen=True)
class NormJacobian(Rule):
    """‖z‖ = √(z·z): ∂‖z‖/∂z = zᵀ/‖z‖"""

    nodes = (M.Norm,)

    def jacobian(self, d, e):
        d.use(self)
        return mm(E.div(E.transpose(e.arg), e), d(e.arg))

    def example(self):
        return MB.norm(_z()), _z()


SOFTMAX = SoftmaxJacobian("softmax", "", "softmax", "p = softmax(z): ∂p/∂z = diag(p) − ppᵀ", "beyond")
LOG_SOFTMAX = LogSoftmaxJacobian("log_softmax", "", "log-softmax", "∂log_softmax(z)/∂z = I − 1⃗pᵀ, p = softmax(z)",
                                 "beyond")
LOGSUMEXP = LogSumExpJacobian("logsumexp", "", "log-sum-exp", "∂logsumexp(z)/∂z = softmax(z)ᵀ", "beyond")
NORM = NormJacobian("norm", "", "2-norm", "∂‖z‖/∂z = zᵀ/‖z‖", "beyond")
