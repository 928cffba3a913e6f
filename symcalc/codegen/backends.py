"""How each array library spells what the generated code computes: one table per backend, as data.

A spelling is a template whose ``{0}``, ``{1}``, ... are filled with code. A placeholder stands only
where any expression may go (a call's argument) or before ``.``, ``[`` (the emitter puts
parentheses around anything but an atom there) or `` >`` (every value binds tighter), so a template never changes how its arguments
group. Functions the library lacks, or that would evaluate an argument twice, are small helpers
defined in the generated module itself (``_sigmoid``), included only when the code calls them.

>>> NUMPY.spell("tanh", "Z_1")
'np.tanh(Z_1)'
>>> TORCH.spell("sum_rows", "A"), TORCH.tight("sum_rows", 0)
('A.sum(dim=1, keepdim=True)', True)
>>> JAX.spell("logsumexp", "Z", 1)
'jax.nn.logsumexp(Z, axis=1, keepdims=True)'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import UnsupportedError


@dataclass(frozen=True)
class Backend:
    """One array library: its imports, spellings and helpers, and how arguments come in."""

    name: str
    arrays: str  # what the function takes, for its docstring
    imports: tuple  # (statement, the name it binds): a statement is emitted when its name is used
    spellings: dict
    helpers: dict = field(default_factory=dict)  # name → source of a helper function
    dtype: str = ""  # the statement fixing the float type of the arguments ({0}: the arguments), if any
    dot_method: str = ""  # a matrix product as a.dot(b) rather than a @ b, where that is faster

    def spell(self, key: str, *args) -> str:
        """The template ``key`` filled with ``args`` (code text); UnsupportedError when there is none."""
        template = self.spellings.get(key)
        if template is None:
            raise UnsupportedError(f"the {self.name} code generator has no spelling for {key}")
        return template.format(*args)

    def has(self, key: str) -> bool:
        return key in self.spellings

    def tight(self, key: str, i: int) -> bool:
        """Whether argument ``i`` of ``key`` stands before ``.`` or ``[`` (so it must be an atom)."""
        return bool(re.search(rf"\{{{i}\}}[.\[]", self.spellings.get(key, "")))


_COMMON_HELPERS = {
    "_shape_error": '''
def _shape_error(names, got, want):
    """The arguments whose shapes disagree with the sizes read from the others, as one error."""
    wrong = [f"{n} has shape {g}, expected {w}" for n, g, w in zip(names, got, want) if g != w]
    return ValueError("the arguments disagree on sizes: " + "; ".join(wrong))
''',
}

_NUMPY_HELPERS = {
    "_matrix": '''
def _matrix(a, name):
    """A 2-D float array."""
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a matrix (a 2-D array), not an array of shape {a.shape}")
    return a
''',
    "_column": '''
def _column(a, name):
    """A column vector, given with shape (n,) or (n, 1), as an (n, 1) float array."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 1 or (a.ndim == 2 and a.shape[1] == 1):
        return a.reshape(-1, 1)
    raise ValueError(f"{name} must be a vector, of shape (n,) or (n, 1), not {a.shape}")
''',
    "_column_kept": '''
def _column_kept(a, name):
    """_column(a, name), and the shape a came in (the gradient goes back in it)."""
    a = np.asarray(a, dtype=float)
    return _column(a, name), a.shape
''',
    "_scalar": '''
def _scalar(a, name):
    """A number (or an array of one element) as a 1×1 float array."""
    a = np.asarray(a, dtype=float)
    if a.size != 1:
        raise ValueError(f"{name} must be a number, not an array of shape {a.shape}")
    return a.reshape(1, 1)
''',
    "_sigmoid": '''
def _sigmoid(a):
    """The logistic function 1 / (1 + exp(-a))."""
    return 1.0 / (1.0 + np.exp(-a))
''',
    "_leaky_relu": '''
def _leaky_relu(a):
    """a where a > 0, else a / 100 (PyTorch's default slope)."""
    return np.where(a > 0, a, 0.01 * a)
''',
    "_logsumexp": '''
def _logsumexp(a, axis):
    """log(sum(exp(a))) along axis (kept, of length 1), shifted by the maximum so exp cannot overflow."""
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return top + np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True))
''',
    "_log_softmax": '''
def _log_softmax(a, axis):
    """a − logsumexp(a) along axis."""
    return a - _logsumexp(a, axis)
''',
    "_softmax": '''
def _softmax(a, axis):
    """exp(a) / sum(exp(a)) along axis."""
    return np.exp(_log_softmax(a, axis))
''',
    "_block": '''
def _block(rows):
    """A matrix written out from 1×1 entries (numbers or 1×1 arrays)."""
    return np.array([[np.reshape(v, ()) for v in row] for row in rows], dtype=float)
''',
}

_TENSOR_HELPERS = {  # torch and jax alike: {m} the module, {convert} its conversion, {count} a size, {t} the type
    "_matrix": '''
def _matrix(a, name, dtype):
    """A 2-D {t} of the float type dtype."""
    a = {convert}(a, dtype=dtype)
    if a.ndim != 2:
        raise ValueError(f"{{name}} must be a matrix (2-D), not of shape {{tuple(a.shape)}}")
    return a
''',
    "_column": '''
def _column(a, name, dtype):
    """A column vector, given with shape (n,) or (n, 1), as an (n, 1) {t}."""
    a = {convert}(a, dtype=dtype)
    if a.ndim == 1 or (a.ndim == 2 and a.shape[1] == 1):
        return a.reshape(-1, 1)
    raise ValueError(f"{{name}} must be a vector, of shape (n,) or (n, 1), not {{tuple(a.shape)}}")
''',
    "_column_kept": '''
def _column_kept(a, name, dtype):
    """_column(a, name, dtype), and the shape a came in (the gradient goes back in it)."""
    a = {convert}(a, dtype=dtype)
    return _column(a, name, dtype), tuple(a.shape)
''',
    "_scalar": '''
def _scalar(a, name, dtype):
    """A number (or a {t} of one element) as a 1×1 {t}."""
    a = {convert}(a, dtype=dtype)
    if {count} != 1:
        raise ValueError(f"{{name}} must be a number, not of shape {{tuple(a.shape)}}")
    return a.reshape(1, 1)
''',
    "_block": '''
def _block(rows, dtype):
    """A matrix written out from 1×1 entries (numbers or 1×1 {t}s)."""
    return {m}.stack([{m}.stack([{convert}(v, dtype=dtype).reshape(()) for v in row]) for row in rows])
''',
}

_TORCH_DTYPE = '''
def _dtype(*arrays):
    """The float type of the tensors among the arguments (the widest), else torch's default."""
    found = [a.dtype for a in arrays if torch.is_tensor(a) and a.is_floating_point()]
    return functools.reduce(torch.promote_types, found) if found else torch.get_default_dtype()
'''


def _tensor_helpers(module: str, convert: str, count: str, kind: str) -> dict:
    return {name: src.format(m=module, convert=convert, count=count, t=kind) for name, src in _TENSOR_HELPERS.items()}


def _functions(prefix: str, **special) -> dict:
    """The element-wise functions every library names alike (np.exp, torch.exp, jnp.exp), and the others."""
    plain = {name: f"{prefix}.{name}({{0}})" for name in ("exp", "log", "sin", "cos", "tan", "tanh", "sqrt", "abs",
                                                           "sign")}
    return {**plain, **special}


NUMPY = Backend(
    name="numpy",
    arrays="numpy arrays (or anything np.asarray takes: lists, numbers)",
    imports=(("import numpy as np", "np"),),
    spellings={
        **_functions("np", sigmoid="_sigmoid({0})", softplus="np.logaddexp(0.0, {0})",
                     leaky_relu="_leaky_relu({0})"),
        "maximum": "np.maximum({0}, {1})", "clamp_min": "np.maximum({1}, {0})",
        "where": "np.where({0}, {1}, {2})",
        "sum": "{0}.sum()", "sum_rows": "{0}.sum(axis=1, keepdims=True)",  # the methods: np.sum costs more
        "sum_cols": "{0}.sum(axis=0, keepdims=True)", "vdot": "np.vdot({0}, {1})",
        "trace": "np.trace({0})", "det": "np.linalg.det({0})", "inv": "np.linalg.inv({0})",
        "norm": "np.linalg.norm({0})", "softmax": "_softmax({0}, {1})", "log_softmax": "_log_softmax({0}, {1})",
        "logsumexp": "_logsumexp({0}, {1})", "ones": "np.ones({0})", "zeros": "np.zeros({0})", "eye": "np.eye({0})",
        "diag": "np.diagflat({0})", "broadcast": "np.broadcast_to({0}, {1})",
        "broadcast_out": "np.broadcast_to({0}, {1}).copy()", "copy_out": "{0}.copy()", "block": "_block({0})",
        "matrix_in": "_matrix({0}, {1})", "column_in": "_column({0}, {1})", "scalar_in": "_scalar({0}, {1})",
        "column_kept_in": "_column_kept({0}, {1})", "scalar_out": "float({0})", "scalar_out_2d": "{0}.item()",
    },
    helpers={**_COMMON_HELPERS, **_NUMPY_HELPERS},
    dot_method="dot",  # numpy 2's @ has more overhead, and no BLAS for an inner size of 1 (3× slower there)
)

TORCH = Backend(
    name="torch",
    arrays="torch tensors (or anything torch.as_tensor takes); the float type is the widest of the tensors given",
    imports=(("import functools", "functools"), ("import torch", "torch")),
    spellings={
        **_functions("torch", sigmoid="torch.sigmoid({0})", softplus="torch.nn.functional.softplus({0})",
                     leaky_relu="torch.nn.functional.leaky_relu({0}, 0.01)"),
        "maximum": "torch.maximum({0}, {1})", "clamp_min": "torch.clamp({1}, min={0})",
        "where": "torch.where({0}, {1}, {2}).to(dtype)",
        "sum": "{0}.sum()", "sum_rows": "{0}.sum(dim=1, keepdim=True)", "sum_cols": "{0}.sum(dim=0, keepdim=True)", "vdot": "torch.sum(torch.mul({0}, {1}))",
        "trace": "torch.trace({0})", "det": "torch.linalg.det({0})", "inv": "torch.linalg.inv({0})",
        "norm": "torch.linalg.norm({0})", "softmax": "torch.softmax({0}, dim={1})",
        "log_softmax": "torch.log_softmax({0}, dim={1})", "logsumexp": "torch.logsumexp({0}, dim={1}, keepdim=True)",
        "ones": "torch.ones({0}, dtype=dtype)", "zeros": "torch.zeros({0}, dtype=dtype)",
        "eye": "torch.eye({0}, dtype=dtype)", "diag": "torch.diag({0}.reshape(-1))",
        "broadcast": "torch.broadcast_to(torch.as_tensor({0}, dtype=dtype), {1})",
        "broadcast_out": "torch.broadcast_to(torch.as_tensor({0}, dtype=dtype), {1}).clone()", "copy_out": "{0}.clone()",
        "block": "_block({0}, dtype)", "matrix_in": "_matrix({0}, {1}, dtype)", "column_in": "_column({0}, {1}, dtype)",
        "scalar_in": "_scalar({0}, {1}, dtype)", "column_kept_in": "_column_kept({0}, {1}, dtype)",
        "scalar_out": "torch.as_tensor({0}, dtype=dtype).reshape(())",
        "scalar_out_2d": "torch.as_tensor({0}, dtype=dtype).reshape(())",
    },
    helpers={**_COMMON_HELPERS, **_tensor_helpers("torch", "torch.as_tensor", "a.numel()", "tensor"), "_dtype": _TORCH_DTYPE},
    dtype="dtype = _dtype({0})",
)
JAX = Backend(
    name="jax",
    arrays="jax or numpy arrays (or anything jnp.asarray takes); the float type is jax's default float "
           "(float64 only with jax_enable_x64)",
    imports=(("import jax", "jax"), ("import jax.numpy as jnp", "jnp")),
    spellings={
        **_functions("jnp", sigmoid="jax.nn.sigmoid({0})", softplus="jax.nn.softplus({0})",
                     leaky_relu="jax.nn.leaky_relu({0}, 0.01)"),
        "maximum": "jnp.maximum({0}, {1})", "clamp_min": "jnp.maximum({0}, {1})",
        "where": "jnp.where({0}, {1}, {2})",
        "sum": "{0}.sum()", "sum_rows": "{0}.sum(axis=1, keepdims=True)", "sum_cols": "{0}.sum(axis=0, keepdims=True)", "vdot": "jnp.vdot({0}, {1})",
        "trace": "jnp.trace({0})", "det": "jnp.linalg.det({0})", "inv": "jnp.linalg.inv({0})",
        "norm": "jnp.linalg.norm({0})", "softmax": "jax.nn.softmax({0}, axis={1})",
        "log_softmax": "jax.nn.log_softmax({0}, axis={1})", "logsumexp": "jax.nn.logsumexp({0}, axis={1}, keepdims=True)",
        "ones": "jnp.ones({0}, dtype=dtype)", "zeros": "jnp.zeros({0}, dtype=dtype)",
        "eye": "jnp.eye({0}, dtype=dtype)", "diag": "jnp.diag(jnp.ravel({0}))",
        "broadcast": "jnp.broadcast_to({0}, {1})", "broadcast_out": "jnp.broadcast_to({0}, {1})",
        "copy_out": "{0}",  # jax arrays are immutable: nothing a caller does to a result reaches an argument
        "block": "_block({0}, dtype)", "matrix_in": "_matrix({0}, {1}, dtype)", "column_in": "_column({0}, {1}, dtype)",
        "scalar_in": "_scalar({0}, {1}, dtype)", "column_kept_in": "_column_kept({0}, {1}, dtype)",
        "scalar_out": "jnp.asarray({0}, dtype=dtype).reshape(())",
        "scalar_out_2d": "jnp.asarray({0}, dtype=dtype).reshape(())",
    },
    helpers={**_COMMON_HELPERS, **_tensor_helpers("jnp", "jnp.asarray", "a.size", "array")},
    dtype="dtype = jnp.result_type(float, {0})",
)
BACKENDS = {b.name: b for b in (NUMPY, TORCH, JAX)}

_CALLED = re.compile(r"\b(_[a-z_]+)\(")


def helpers_used(backend: Backend, code: str) -> list[str]:
    """The helpers ``code`` calls, with the helpers they call, in a fixed order (the table's)."""
    wanted, todo = set(), set(_CALLED.findall(code))
    while todo:
        name = todo.pop()
        if name in backend.helpers and name not in wanted:
            wanted.add(name)
            todo |= set(_CALLED.findall(backend.helpers[name]))
    return [name for name in backend.helpers if name in wanted]


def backend(name: str) -> Backend:
    """The backend called ``name`` (numpy, torch, jax)."""
    if name not in BACKENDS:
        raise UnsupportedError(f"no code generator for {name!r}; choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name]
