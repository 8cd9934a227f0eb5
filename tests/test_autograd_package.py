"""Tests of the exported `tinytorch.core.autograd`: Variable, its operations, backward, gradcheck.

Needs the package built from the module sources: `tito export tensor autograd`.

Every operation's gradient is checked twice: with the module's own `gradcheck`, and with an
independent central-difference check written here (so a broken `gradcheck` cannot hide a
broken gradient).
"""

import warnings

import numpy as np
import pytest

from tinytorch.core import autograd
from tinytorch.core.autograd import (
    Variable,
    absolute,
    add,
    divide,
    exp,
    getitem,
    gradcheck,
    log,
    matmul,
    multiply,
    negate,
    power,
    reduce_mean,
    reduce_sum,
    relu,
    reshape,
    rpower,
    sigmoid,
    subtract,
    tanh,
    transpose,
)
from tinytorch.core.tensor import Tensor


def values(v: Variable) -> np.ndarray:
    assert isinstance(v, Variable), f"expected a Variable, got {type(v).__name__}"
    assert isinstance(v.data, Tensor), f"Variable.data should be a Tensor, got {type(v.data).__name__}"
    return v.data.data


def grad_of(v: Variable) -> np.ndarray:
    assert v.grad is not None, "expected a gradient, got None"
    assert isinstance(v.grad, Variable) and v.grad.requires_grad is False
    return v.grad.data.data


# --------------------------------------------------------------------------- finite differences


def numeric_gradients(fn, arrays, weight, eps=1e-6):
    """Central differences of sum(fn(*arrays) * weight) with respect to every array."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]

    def objective(arrs):
        out = fn(*[Variable(a, requires_grad=False) for a in arrs])
        return float(np.sum(np.asarray(values(out), dtype=np.float64) * weight))

    gradients = []
    for i, base in enumerate(arrays):
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (objective(plus) - objective(minus)) / (2 * eps)
        gradients.append(g)
    return gradients


def analytic_gradients(fn, arrays, weight):
    leaves = [Variable(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*leaves)
    out.backward(weight)
    return out, [grad_of(leaf) for leaf in leaves]


# --------------------------------------------------------------------------- the cases

_rng = np.random.default_rng(20240607)


def sym(*shape):
    return _rng.standard_normal(shape)


def pos(*shape):
    return _rng.uniform(0.5, 2.0, shape)


def away(*shape):
    """Values at least 0.2 away from 0 (relu's kink)."""
    x = _rng.uniform(0.2, 2.0, shape)
    return x * _rng.choice([-1.0, 1.0], shape)


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


M = sym(3, 3)  # a constant matrix

# (id, fn on Variables, inputs, reference on ndarrays or None when fn works on ndarrays too)
CASES = [
    ("add", lambda a, b: add(a, b), [sym(2, 3), sym(2, 3)], lambda a, b: a + b),
    ("add-bias", lambda a, b: a + b, [sym(3, 4), sym(4)], None),
    ("add-outer", lambda a, b: a + b, [sym(3, 1), sym(1, 4)], None),
    ("add-scalar-var", lambda a, b: a + b, [sym(), sym(2, 3)], None),
    ("add-3d-bcast", lambda a, b: a + b, [sym(2, 3, 4), sym(3, 1)], None),
    ("add-const", lambda a: a + 2.5, [sym(3)], None),
    ("radd-const", lambda a: 2.5 + a, [sym(3)], None),
    ("sub", lambda a, b: subtract(a, b), [sym(2, 3), sym(2, 3)], lambda a, b: a - b),
    ("sub-bcast", lambda a, b: a - b, [sym(2, 3, 4), sym(3, 1)], None),
    ("sub-bcast-rev", lambda a, b: a - b, [sym(4), sym(3, 4)], None),
    ("rsub-const", lambda a: 1.0 - a, [sym(2, 2)], None),
    ("mul", lambda a, b: multiply(a, b), [sym(2, 3), sym(2, 3)], lambda a, b: a * b),
    ("mul-outer", lambda a, b: a * b, [sym(3, 1), sym(1, 4)], None),
    ("mul-bcast", lambda a, b: a * b, [sym(2, 3, 4), sym(4)], None),
    ("mul-self", lambda a: a * a, [sym(5)], None),
    ("rmul-const", lambda a: 3.0 * a, [sym(2)], None),
    ("div", lambda a, b: divide(a, b), [sym(2, 3), pos(2, 3)], lambda a, b: a / b),
    ("div-bcast", lambda a, b: a / b, [sym(3, 4), pos(4)], None),
    ("div-bcast-num", lambda a, b: a / b, [sym(4), pos(3, 1)], None),
    ("rdiv-const", lambda a: 1.0 / a, [pos(3)], None),
    ("div-const", lambda a: a / 4.0, [sym(3)], None),
    ("pow2", lambda a: a ** 2, [sym(3)], None),
    ("pow3", lambda a: power(a, 3), [sym(2, 2)], lambda a: a ** 3),
    ("pow-half", lambda a: a ** 0.5, [pos(4)], None),
    ("pow-neg", lambda a: a ** -1.5, [pos(4)], None),
    ("pow-zero", lambda a: a ** 0, [sym(3)], None),
    ("rpow", lambda a: 2 ** a, [sym(2, 3)], lambda a: 2.0 ** a),
    ("rpower", lambda a: rpower(0.5, a), [sym(3)], lambda a: 0.5 ** a),
    ("abs", lambda a: abs(a), [away(2, 3)], np.abs),
    ("abs-method", lambda a: a.abs(), [away(4)], np.abs),
    ("absolute", lambda a: absolute(a), [away(3)], np.abs),
    ("neg", lambda a: -a, [sym(2, 3)], None),
    ("negate", lambda a: negate(a), [sym(3)], lambda a: -a),
    ("matmul", lambda a, b: matmul(a, b), [sym(2, 3), sym(3, 4)], lambda a, b: a @ b),
    ("matmul-op", lambda a, b: a @ b, [sym(4, 2), sym(2, 3)], None),
    ("matmul-mat-vec", lambda a, b: a @ b, [sym(4, 3), sym(3)], None),
    ("matmul-vec-mat", lambda a, b: a @ b, [sym(3), sym(3, 2)], None),
    ("matmul-vec-vec", lambda a, b: a @ b, [sym(3), sym(3)], None),
    ("matmul-batched", lambda a, b: a @ b, [sym(2, 3, 4), sym(4, 2)], None),
    ("matmul-batched-both", lambda a, b: a @ b, [sym(2, 3, 4), sym(2, 4, 2)], None),
    ("matmul-batch-bcast", lambda a, b: a @ b, [sym(2, 1, 3, 2), sym(3, 2, 4)], None),
    ("matmul-batched-vec", lambda a, b: a @ b, [sym(2, 3, 4), sym(4)], None),
    ("matmul-vec-batched", lambda a, b: a @ b, [sym(3), sym(2, 3, 4)], None),
    ("rmatmul-ndarray", lambda a: M @ a, [sym(3, 2)], None),
    ("matmul-batched-nonsquare", lambda a, b: a @ b, [sym(2, 3, 4), sym(2, 4, 5)], None),
    ("matmul-batched-shared-weight", lambda a, b: a @ b, [sym(3, 2, 4), sym(4, 5)], None),
    ("matmul-shared-input-batched-weight", lambda a, b: a @ b, [sym(2, 4), sym(3, 4, 5)], None),
    ("index-int", lambda a: a[1], [sym(3, 4)], None),
    ("index-scalar", lambda a: a[1, 2], [sym(3, 4)], None),
    ("index-slice", lambda a: a[:, 1:3], [sym(3, 4)], None),
    ("index-negative-step", lambda a: a[::-1, -1], [sym(3, 4)], None),
    ("index-repeated", lambda a: a[[0, 2, 0]], [sym(3, 4)], None),
    ("index-pairs-repeated", lambda a: a[[0, 0, 2], [1, 1, 3]], [sym(3, 4)], None),
    ("index-mask", lambda a: a[np.array([[True, False, True, False]] * 3)], [sym(3, 4)], None),
    ("index-ellipsis-newaxis", lambda a: a[..., None, 1], [sym(2, 3, 4)], None),
    ("getitem", lambda a: getitem(a, (slice(None), [3, 0, 3])), [sym(2, 4)], lambda a: a[:, [3, 0, 3]]),
    ("index-then-mul", lambda a: a[1:, ::2] * a[:2, 1::2], [sym(3, 4)], None),
    ("sum", lambda a: reduce_sum(a), [sym(2, 3)], lambda a: a.sum()),
    ("sum-axis0", lambda a: a.sum(axis=0), [sym(2, 3, 4)], None),
    ("sum-axis1-keep", lambda a: a.sum(axis=1, keepdims=True), [sym(2, 3, 4)], None),
    ("sum-axis-neg", lambda a: a.sum(axis=-1), [sym(2, 3, 4)], None),
    ("sum-axes-tuple", lambda a: a.sum(axis=(0, 2)), [sym(2, 3, 4)], None),
    ("sum-axes-tuple-keep", lambda a: a.sum(axis=(0, -1), keepdims=True), [sym(2, 3, 4)], None),
    ("sum-all-keep", lambda a: a.sum(keepdims=True), [sym(2, 3)], None),
    ("mean", lambda a: reduce_mean(a), [sym(2, 3)], lambda a: a.mean()),
    ("mean-axis1", lambda a: a.mean(axis=1), [sym(2, 3, 4)], None),
    ("mean-axis-keep", lambda a: a.mean(axis=-2, keepdims=True), [sym(2, 3, 4)], None),
    ("mean-axes-tuple", lambda a: a.mean(axis=(0, 1)), [sym(2, 3, 4)], None),
    ("exp", lambda a: exp(a), [sym(2, 3)], np.exp),
    ("exp-method", lambda a: a.exp(), [sym(4)], np.exp),
    ("log", lambda a: log(a), [pos(2, 3)], np.log),
    ("log-method", lambda a: a.log(), [pos(4)], np.log),
    ("relu", lambda a: relu(a), [away(3, 4)], lambda a: np.maximum(a, 0)),
    ("relu-method", lambda a: a.relu(), [away(5)], lambda a: np.maximum(a, 0)),
    ("sigmoid", lambda a: sigmoid(a), [3 * sym(3, 4)], np_sigmoid),
    ("sigmoid-method", lambda a: a.sigmoid(), [sym(5)], np_sigmoid),
    ("tanh", lambda a: tanh(a), [sym(3, 4)], np.tanh),
    ("tanh-method", lambda a: a.tanh(), [sym(5)], np.tanh),
    ("reshape", lambda a: reshape(a, 3, 2), [sym(2, 3)], lambda a: a.reshape(3, 2)),
    ("reshape-tuple", lambda a: a.reshape((4, 3)), [sym(2, 6)], None),
    ("reshape-infer", lambda a: a.reshape(-1), [sym(2, 3, 2)], None),
    ("transpose", lambda a: transpose(a), [sym(2, 3)], lambda a: a.T),
    ("T-2d", lambda a: a.T, [sym(3, 4)], None),
    ("T-3d", lambda a: a.T, [sym(2, 3, 4)], None),
    ("softmax", lambda a: a.exp() / a.exp().sum(axis=1, keepdims=True), [sym(3, 4)],
     lambda a: np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)),
    ("mlp", lambda x, W, b, V: ((x @ W + b).relu() @ V).sum(),
     [sym(4, 3), sym(3, 5), sym(5), sym(5, 2)],
     lambda x, W, b, V: (np.maximum(x @ W + b, 0) @ V).sum()),
    ("logistic-loss", lambda w, x: (-(x @ w).sigmoid().log()).mean(), [sym(3), sym(6, 3)],
     lambda w, x: (-np.log(np_sigmoid(x @ w))).mean()),
    ("centre-scale", lambda a: (a - a.mean(axis=0)) / ((a * a).mean(axis=0) + 1.0) ** 0.5, [sym(4, 3)],
     lambda a: (a - a.mean(axis=0)) / ((a * a).mean(axis=0) + 1.0) ** 0.5),
    ("tanh-chain", lambda a, b: (a * b).tanh() * a - b / (1.0 + a * a), [sym(2, 3), sym(3)],
     lambda a, b: np.tanh(a * b) * a - b / (1.0 + a * a)),
]
CASE_IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("name, fn, inputs, reference", CASES, ids=CASE_IDS)
def test_forward_matches_numpy(name, fn, inputs, reference):
    out = fn(*[Variable(a) for a in inputs])
    expected = np.asarray((reference or fn)(*inputs))
    assert values(out).shape == expected.shape, f"{name}: shape {values(out).shape} != {expected.shape}"
    np.testing.assert_allclose(values(out), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, fn, inputs, reference", CASES, ids=CASE_IDS)
def test_gradcheck_passes(name, fn, inputs, reference):
    assert gradcheck(fn, [Variable(a) for a in inputs]) is True


@pytest.mark.parametrize("name, fn, inputs, reference", CASES, ids=CASE_IDS)
def test_gradients_match_independent_finite_differences(name, fn, inputs, reference):
    out_shape = np.shape(np.asarray(values(fn(*[Variable(a, requires_grad=False) for a in inputs]))))
    weight = np.random.default_rng(7).standard_normal(out_shape)
    out, analytic = analytic_gradients(fn, inputs, weight)
    numeric = numeric_gradients(fn, inputs, weight)
    for i, (a, n, x) in enumerate(zip(analytic, numeric, inputs)):
        assert a.shape == np.shape(x), f"{name}: gradient of input {i} has shape {a.shape}, input {np.shape(x)}"
        np.testing.assert_allclose(a, n, rtol=1e-4, atol=1e-6, err_msg=f"{name}: input {i}")


# --------------------------------------------------------------------------- the worked example


def test_seed_example():
    x = Variable(3.0, requires_grad=True)
    y = Variable(4.0, requires_grad=True)
    z = x**2 + 2*x*y + y**2
    assert values(z).item() == 49.0
    z.backward()
    assert grad_of(x).item() == 14.0
    assert grad_of(y).item() == 14.0


def test_chain_rule_examples():
    x = Variable(3.0)
    y = Variable(2.0)
    ((x + y) * (x - y)).backward()
    assert grad_of(x).item() == 6.0 and grad_of(y).item() == -4.0
    x2 = Variable(1.0)
    ((x2 + 1) * (x2 + 2) * (x2 + 3)).backward()
    assert grad_of(x2).item() == 26.0


# --------------------------------------------------------------------------- Variable basics


def test_variable_construction():
    x = Variable(5.0)
    assert x.requires_grad is True and x.is_leaf is True and x.grad is None and x.grad_fn is None
    assert x.shape == () and x.size == 1 and values(x).item() == 5.0

    ints = Variable([1, 2, 3])
    assert values(ints).dtype == np.float64, "integer data should become float64"
    assert values(ints).tolist() == [1.0, 2.0, 3.0]
    assert values(Variable(True)).dtype == np.float64

    t = Tensor(np.array([[1.5, 2.5]]))
    v = Variable(t, requires_grad=False)
    assert v.shape == (1, 2) and v.requires_grad is False
    assert values(Variable(Tensor([4, 5]))).dtype == np.float64

    f32 = Variable(np.array([1.0, 2.0], dtype=np.float32))
    assert values(f32).dtype == np.float32, "floating data keeps its dtype"
    (f32 * 2.0).backward()
    assert grad_of(f32).dtype == np.float32, "a gradient has its leaf's dtype"


def test_repr_names_backward_functions():
    assert repr(Variable([1, 2])) == "Variable([1.0, 2.0], requires_grad=True)"
    assert repr(Variable(3.0, requires_grad=False)) == "Variable(3.0, requires_grad=False)"
    x = Variable([1.0, 2.0])
    m = Variable([[1.0, 0.0], [0.0, 1.0]])
    expected = {
        "add_backward": x + 1, "subtract_backward": x - 1, "multiply_backward": x * 2,
        "divide_backward": x / 2, "power_backward": x ** 2, "negate_backward": -x,
        "matmul_backward": m @ x, "sum_backward": x.sum(), "exp_backward": x.exp(),
        "log_backward": x.log(), "relu_backward": x.relu(), "sigmoid_backward": x.sigmoid(),
        "tanh_backward": x.tanh(), "reshape_backward": x.reshape(2, 1), "transpose_backward": m.T,
        "abs_backward": abs(x), "rpower_backward": 2 ** x, "getitem_backward": x[0],
    }
    for name, result in expected.items():
        assert result.grad_fn is not None and result.grad_fn.__name__ == name, repr(result)
        assert f"grad_fn={name}" in repr(result)
        assert result.is_leaf is False


def test_requires_grad_propagation():
    k = Variable(2.0, requires_grad=False)
    r = k * 3.0 + 1.0
    assert r.requires_grad is False and r.is_leaf is True and r.grad_fn is None, "constants build no graph"
    x = Variable(2.0)
    s = x * k
    assert s.requires_grad is True and s.is_leaf is False
    s.backward()
    assert grad_of(x).item() == 2.0
    assert k.grad is None, "a Variable with requires_grad=False gets no gradient"


def test_backward_on_non_grad_variable_raises():
    with pytest.raises(RuntimeError):
        Variable(1.0, requires_grad=False).backward()
    with pytest.raises(RuntimeError):
        (Variable([1.0, 2.0], requires_grad=False) + 1.0).backward()


# --------------------------------------------------------------------------- operators


def test_reflected_and_foreign_operands():
    v = Variable([1.0, 2.0, 3.0])
    a = np.array([2.0, 3.0, 4.0])
    for result, expected in [
        (a * v, a * [1, 2, 3]), (a + v, a + [1, 2, 3]), (a - v, a - [1, 2, 3]), (a / v, a / [1, 2, 3]),
        (2 - v, [1.0, 0.0, -1.0]), (6 / v, [6.0, 3.0, 2.0]), (2 * v, [2.0, 4.0, 6.0]),
        (v + [1, 1, 1], [2.0, 3.0, 4.0]), (Tensor(np.array([1.0, 1.0, 1.0])) + v, [2.0, 3.0, 4.0]),
        (Tensor(np.array([2.0, 2.0, 2.0])) * v, [2.0, 4.0, 6.0]), (np.float64(2.0) * v, [2.0, 4.0, 6.0]),
    ]:
        assert isinstance(result, Variable), f"expected a Variable, got {type(result).__name__}"
        np.testing.assert_allclose(values(result), expected)

    (a * v).backward()
    np.testing.assert_allclose(grad_of(v), a)

    u = Variable([1.0, 1.0])
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    p = W @ u
    assert isinstance(p, Variable)
    np.testing.assert_allclose(values(p), [3.0, 7.0])
    p.backward()
    np.testing.assert_allclose(grad_of(u), [4.0, 6.0])


def test_unsupported_operands_raise_type_error():
    x = Variable(2.0)
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x ** Variable(2.0)
    with pytest.raises(TypeError):
        power(x, np.array([1.0, 2.0]))


def test_matmul_rejects_scalars():
    with pytest.raises(ValueError):
        matmul(Variable(2.0), Variable([1.0, 2.0]))


# --------------------------------------------------------------------------- broadcasting


def test_unbroadcast():
    unbroadcast = autograd._unbroadcast
    g = np.ones((3, 4))
    cases = [((4,), np.full(4, 3.0)), ((3, 1), np.full((3, 1), 4.0)), ((1, 4), np.full((1, 4), 3.0)),
             ((), np.array(12.0)), ((3, 4), g), ((1, 1), np.full((1, 1), 12.0))]
    for shape, expected in cases:
        got = unbroadcast(g, shape)
        assert np.shape(got) == shape, f"{shape}: got shape {np.shape(got)}"
        np.testing.assert_allclose(got, expected)
    got = unbroadcast(np.arange(24.0).reshape(2, 3, 4), (3, 1))
    np.testing.assert_allclose(got, np.arange(24.0).reshape(2, 3, 4).sum(axis=(0, 2)).reshape(3, 1))


def test_bias_gradient_has_bias_shape():
    X = Variable(np.arange(12.0).reshape(3, 4))
    b = Variable([0.1, 0.2, 0.3, 0.4])
    (X + b).backward()
    assert grad_of(b).shape == (4,)
    np.testing.assert_allclose(grad_of(b), [3.0, 3.0, 3.0, 3.0])
    np.testing.assert_allclose(grad_of(X), np.ones((3, 4)))


def test_outer_broadcast_gradients():
    col = Variable([[1.0], [2.0], [3.0]])
    row = Variable([[1.0, 10.0, 100.0, 1000.0]])
    (col * row).backward()
    assert grad_of(col).shape == (3, 1) and grad_of(row).shape == (1, 4)
    np.testing.assert_allclose(grad_of(col), np.full((3, 1), 1111.0))
    np.testing.assert_allclose(grad_of(row), np.full((1, 4), 6.0))


# --------------------------------------------------------------------------- backward mechanics


def test_default_and_explicit_gradients():
    x = Variable([1.0, 2.0, 3.0])
    (x * 2.0).backward()
    np.testing.assert_allclose(grad_of(x), [2.0, 2.0, 2.0])  # default: ones

    for gradient in (Variable([1.0, 0.0, 2.0]), Tensor(np.array([1.0, 0.0, 2.0])), np.array([1.0, 0.0, 2.0]), [1.0, 0.0, 2.0]):
        y = Variable([1.0, 2.0, 3.0])
        (y * 2.0).backward(gradient)
        np.testing.assert_allclose(grad_of(y), [2.0, 0.0, 4.0])

    z = Variable([1.0, 2.0])
    (z * 3.0).backward(0.5)  # a number is broadcast
    np.testing.assert_allclose(grad_of(z), [1.5, 1.5])

    with pytest.raises(ValueError):
        (Variable([1.0, 2.0]) * 1.0).backward(np.ones(3))


def test_leaf_backward():
    x = Variable([1.0, 2.0])
    x.backward()
    np.testing.assert_allclose(grad_of(x), [1.0, 1.0])
    assert not np.shares_memory(grad_of(x), values(x))


def test_non_leaf_nodes_keep_no_grad():
    x = Variable(2.0)
    h = x * 3.0
    y = h.tanh()
    y.backward()
    assert h.grad is None and y.grad is None
    assert grad_of(x).item() == pytest.approx(3.0 * (1.0 - np.tanh(6.0) ** 2))


def test_x_plus_x():
    x = Variable(3.0)
    (x + x).backward()
    assert grad_of(x).item() == 2.0
    x2 = Variable([1.0, 2.0])
    (x2 * x2 * x2).backward()
    np.testing.assert_allclose(grad_of(x2), [3.0, 12.0])


def test_diamond_40_doublings():
    x = Variable(1.5)
    y = x
    for _ in range(40):
        y = y + y
    y.backward()
    assert values(y).item() == 1.5 * 2.0 ** 40
    assert grad_of(x).item() == 2.0 ** 40


def test_diamond_40_doublings_through_multiplications():
    x = Variable(1.0)
    y = x
    for _ in range(40):
        y = y * 0.5 + y * 1.5     # each node used twice; dy/dx doubles at every level
    y.backward()
    assert grad_of(x).item() == 2.0 ** 40


def test_chain_of_20000_operations():
    x = Variable(0.5)
    y = x
    for i in range(20000):
        y = y * 1.0001 if i % 2 == 0 else y + 0.5
    y.backward()  # must not raise RecursionError
    assert grad_of(x).item() == pytest.approx(1.0001 ** 10000, rel=1e-9)
    y.backward()  # the graph can be walked again: gradients accumulate
    assert grad_of(x).item() == pytest.approx(2 * 1.0001 ** 10000, rel=1e-9)


def test_deep_chain_with_a_skip_connection_at_every_step():
    x = Variable(0.3)
    y = x
    for _ in range(20000):
        y = y * 0.5 + x           # x is used by every step
    y.backward()
    # y_n = 0.5 y_{n-1} + x  ⇒  dy_n/dx = 0.5 dy_{n-1}/dx + 1 → 2 (geometric series)
    assert grad_of(x).item() == pytest.approx(2.0, rel=1e-12)


def test_gradients_accumulate_until_zero_grad():
    x = Variable([1.0, 2.0, 3.0])
    y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(grad_of(x), [2.0, 4.0, 6.0])
    y.backward()
    np.testing.assert_allclose(grad_of(x), [4.0, 8.0, 12.0])
    (x * 10.0).sum().backward()
    np.testing.assert_allclose(grad_of(x), [14.0, 18.0, 22.0])
    x.zero_grad()
    assert x.grad is None
    y.backward()
    np.testing.assert_allclose(grad_of(x), [2.0, 4.0, 6.0])


def test_gradients_never_alias():
    a = Variable([1.0, 2.0])
    b = Variable([3.0, 4.0])
    (a + b).backward()
    assert not np.shares_memory(grad_of(a), grad_of(b))
    grad_of(a)[0] = 100.0
    assert grad_of(b).tolist() == [1.0, 1.0], "changing one gradient must not change another"

    seed = np.array([1.0, 1.0])
    c = Variable([5.0, 6.0])
    d = Variable([7.0, 8.0])
    (c + d).backward(seed)
    seed[0] = 50.0
    assert grad_of(c).tolist() == [1.0, 1.0] and grad_of(d).tolist() == [1.0, 1.0]

    e = Variable([1.0, 2.0])
    e.backward(seed)
    assert not np.shares_memory(grad_of(e), seed)

    # A reduction's gradient is a broadcast view inside the engine: leaves must own theirs
    f = Variable([[1.0, 2.0], [3.0, 4.0]])
    f.sum().backward()
    grad_of(f)[0, 0] = 9.0
    assert grad_of(f).tolist() == [[9.0, 1.0], [1.0, 1.0]], "a leaf's gradient must be a writable array of its own"


def test_gradient_sums_do_not_write_into_shared_arrays():
    # add_backward hands one array to both parents; summing into it in place would
    # corrupt the gradient still waiting for the other parent.
    x = Variable(1.0)
    y = Variable(1.0)
    u = x * 1.0
    w = u * 2.0
    r = y * 3.0 + (u + w)       # r = 3y + 3x
    r.backward()
    assert grad_of(x).item() == 3.0
    assert grad_of(y).item() == 3.0

    p = Variable(2.0)
    q = Variable(5.0)
    s = p + q
    t = (s + p) + (s + q)       # t = 3p + 3q
    t.backward()
    assert grad_of(p).item() == 3.0 and grad_of(q).item() == 3.0


# --------------------------------------------------------------------------- numerics


def test_sigmoid_is_stable_at_extremes():
    x = Variable([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s = x.sigmoid()
            s.backward()
    assert np.all(np.isfinite(values(s))) and np.all(np.isfinite(grad_of(x)))
    np.testing.assert_allclose(values(s), [0.0, np_sigmoid(-50.0), 0.5, np_sigmoid(50.0), 1.0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(grad_of(x)[[0, 2, 4]], [0.0, 0.25, 0.0])


def test_relu_gradient_at_zero_is_zero():
    x = Variable([-1.0, 0.0, 1.0])
    x.relu().backward()
    assert grad_of(x).tolist() == [0.0, 0.0, 1.0]


# --------------------------------------------------------------------------- gradcheck itself


def test_gradcheck_reports_a_wrong_gradient():
    def wrong_square(a):
        a_values = a.data.data

        def wrong_backward(grad_output):
            return (grad_output * a_values,)  # should be 2 * a

        return autograd._make_result(a_values * a_values, (a,), wrong_backward)

    with pytest.raises(AssertionError) as info:
        gradcheck(wrong_square, [Variable([1.0, 2.0])])
    message = str(info.value)
    assert "input 0" in message and "index" in message and "analytic" in message and "numeric" in message


def test_gradcheck_checks_only_inputs_that_require_grad_and_leaves_inputs_alone():
    a = Variable([1.0, 2.0])
    k = Variable([3.0, 4.0], requires_grad=False)
    assert gradcheck(lambda p, q: p * q, [a, k]) is True
    assert a.grad is None and k.grad is None, "gradcheck works on copies"
    assert values(a).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError):
        gradcheck(lambda p: p * 2.0, [Variable(1.0, requires_grad=False)])


def test_gradcheck_uses_float64_copies():
    a = Variable(np.array([0.3, -1.2, 2.0], dtype=np.float32))
    assert gradcheck(lambda p: p.tanh() * p, [a]) is True


# --------------------------------------------------------------------------- training


def test_linear_regression_converges():
    w = Variable(0.1)
    b = Variable(0.0)
    xs = np.array([1.0, 2.0, 3.0, 4.0])
    ys = 2.0 * xs + 1.0
    for _ in range(300):
        loss = ((w * xs + b - ys) ** 2).sum()
        w.zero_grad()
        b.zero_grad()
        loss.backward()
        w.data = Tensor(values(w) - 0.01 * grad_of(w))
        b.data = Tensor(values(b) - 0.01 * grad_of(b))
    assert values(w).item() == pytest.approx(2.0, abs=0.01)
    assert values(b).item() == pytest.approx(1.0, abs=0.02)


def test_two_layer_network_learns_xor():
    rng = np.random.default_rng(0)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    W1 = Variable(rng.standard_normal((2, 8)))
    b1 = Variable(np.zeros(8))
    W2 = Variable(rng.standard_normal((8, 1)))
    b2 = Variable(np.zeros(1))
    params = [W1, b1, W2, b2]
    for _ in range(2000):
        p = ((X @ W1 + b1).tanh() @ W2 + b2).sigmoid()
        loss = (-(Y * p.log() + (1.0 - Y) * (1.0 - p).log())).mean()
        for param in params:
            param.zero_grad()
        loss.backward()
        for param in params:
            assert grad_of(param).shape == param.shape
            param.data = Tensor(values(param) - 0.5 * grad_of(param))
    p = ((X @ W1 + b1).tanh() @ W2 + b2).sigmoid()
    assert np.all((values(p) > 0.5) == (Y > 0.5)), f"XOR not learned: {values(p).ravel()}"


def test_apply_op_wraps_a_numpy_computation_as_one_node():
    from tinytorch.core.autograd import Variable, apply_op
    from tinytorch.core.tensor import Tensor

    x = Variable(np.array([1.0, -2.0, 3.0]))
    c = Tensor(np.array([2.0, 2.0, 2.0]))  # a constant operand
    out = apply_op(x.data.data ** 2 * c.data, (x, c), lambda g: (2 * x.data.data * c.data * g, None), "square_scale")
    assert out.grad_fn.__name__ == "square_scale" and not out.is_leaf
    np.testing.assert_allclose(out.data.data, [2.0, 8.0, 18.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data.data, [4.0, -8.0, 12.0])
    constant = apply_op(np.ones(2), (Tensor(np.ones(2)),), lambda g: (g,))
    assert constant.requires_grad is False and constant.is_leaf


# --------------------------------------------------------------------------- dtypes (issue 11)

DTYPES = [np.float32, np.float64]
A23 = np.array([[1.0, -2.0, 3.5], [0.5, 4.0, -1.5]])
B23 = np.array([[2.0, 0.25, -3.0], [1.5, -0.5, 6.0]])
P23 = np.abs(A23) + 0.5

# Every operation on float Variables, and what a float32 input must give: float32 values
# and float32 gradients (and float64 stays float64). Python numbers never promote.
DTYPE_CASES = [
    ("add", lambda a, b: a + b, [A23, B23]),
    ("sub", lambda a, b: a - b, [A23, B23]),
    ("mul", lambda a, b: a * b, [A23, B23]),
    ("div", lambda a, b: a / b, [A23, B23]),
    ("matmul", lambda a, b: a @ b.T, [A23, B23]),
    ("matmul-batched", lambda a, b: a @ b, [np.stack([A23, B23]), np.stack([B23.T, A23.T])]),
    ("add-scalar", lambda a: a + 1, [A23]),
    ("radd-scalar", lambda a: 1.5 + a, [A23]),
    ("sub-scalar", lambda a: a - 1, [A23]),
    ("rsub-scalar", lambda a: 2.0 - a, [A23]),
    ("mul-scalar", lambda a: a * 2.0, [A23]),
    ("rmul-scalar", lambda a: 2 * a, [A23]),
    ("div-scalar", lambda a: a / 2, [A23]),
    ("rdiv-scalar", lambda a: 1.0 / a, [P23]),
    ("mul-numpy-scalar", lambda a: a * np.float64(2.0), [A23]),
    ("pow", lambda a: a ** 3, [A23]),
    ("pow-numpy-exponent", lambda a: a ** np.float64(2.0), [A23]),
    ("pow-half", lambda a: a ** 0.5, [P23]),
    ("pow-zero", lambda a: a ** 0, [A23]),
    ("rpow", lambda a: 2 ** a, [A23]),
    ("neg", lambda a: -a, [A23]),
    ("abs", lambda a: abs(a), [A23]),
    ("sum", lambda a: a.sum(), [A23]),
    ("sum-axis", lambda a: a.sum(axis=1, keepdims=True), [A23]),
    ("mean", lambda a: a.mean(), [A23]),
    ("mean-axis", lambda a: a.mean(axis=0), [A23]),
    ("np-sum", lambda a: np.sum(a), [A23]),
    ("np-mean", lambda a: np.mean(a, axis=1), [A23]),
    ("exp", lambda a: a.exp(), [A23]),
    ("log", lambda a: a.log(), [P23]),
    ("relu", lambda a: a.relu(), [A23]),
    ("sigmoid", lambda a: a.sigmoid(), [A23]),
    ("tanh", lambda a: a.tanh(), [A23]),
    ("reshape", lambda a: a.reshape(3, 2), [A23]),
    ("transpose", lambda a: a.T, [A23]),
    ("index", lambda a: a[[1, 0, 1], 1:], [A23]),
    ("mask", lambda a: a[a > 0], [A23]),
    ("bias", lambda a, b: a + b[0], [A23, B23]),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name, fn, inputs", DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES])
def test_dtype_is_kept_in_values_and_gradients(name, fn, inputs, dtype):
    leaves = [Variable(np.array(a, dtype=dtype)) for a in inputs]
    out = fn(*leaves)
    assert values(out).dtype == dtype, f"{name}: forward is {values(out).dtype}, expected {np.dtype(dtype).name}"
    seed = np.linspace(0.5, 1.5, values(out).size).reshape(values(out).shape).astype(dtype)
    out.backward(seed)
    for leaf in leaves:
        assert grad_of(leaf).dtype == dtype, f"{name}: a gradient is {grad_of(leaf).dtype}"
    local = out.grad_fn(seed)
    for g in local:
        if g is not None:
            assert np.asarray(g).dtype == dtype, f"{name}: {out.grad_fn.__name__} returned {np.asarray(g).dtype}"


@pytest.mark.parametrize("name, fn, inputs", DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES])
def test_inputs_unchanged_and_second_backward_identical(name, fn, inputs):
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    leaves = [Variable(a.copy()) for a in arrays]
    out = fn(*leaves)
    before = values(out).copy()
    seed = np.linspace(0.5, 1.5, before.size).reshape(before.shape)
    given = seed.copy()
    out.backward(given)
    first = [grad_of(leaf).copy() for leaf in leaves]
    for leaf in leaves:
        leaf.zero_grad()
    out.backward(given)
    for leaf, g in zip(leaves, first):
        np.testing.assert_array_equal(grad_of(leaf), g, err_msg=f"{name}: the second backward differs")
    out.backward(given)
    for leaf, g in zip(leaves, first):
        np.testing.assert_allclose(grad_of(leaf), 2 * g, err_msg=f"{name}: gradients should accumulate")
    for leaf, a in zip(leaves, arrays):
        np.testing.assert_array_equal(values(leaf), a, err_msg=f"{name}: an input changed")
    np.testing.assert_array_equal(values(out), before, err_msg=f"{name}: the result changed during backward")
    np.testing.assert_array_equal(given, seed, err_msg=f"{name}: the gradient passed to backward changed")


def test_python_scalar_constants_take_the_variable_dtype():
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    for result in (x * 2.0, x + 1, 2.0 - x, x / 2, 1.0 / x, x.mean(), 2 ** x, x ** 2, x * np.float64(3.0),
                   x + np.int64(1), x + np.array([1, 2])):
        assert values(result).dtype == np.float32
    s = Variable(np.float32(2.0))
    assert values(s * 3.0 + 1.0).dtype == np.float32
    # float arrays follow numpy: a float64 array does promote (and so does PyTorch for float64 tensors)
    assert values(x * np.array([1.0, 1.0])).dtype == np.float64
    (x * np.array([1.0, 1.0])).backward()
    assert grad_of(x).dtype == np.float32, "a leaf's gradient has the leaf's dtype"


# --------------------------------------------------------------------------- values at the edges


@pytest.mark.parametrize("n, value, slope", [(0, 1.0, 0.0), (1, 0.0, 1.0), (2, 0.0, 0.0), (3, 0.0, 0.0), (0.5, 0.0, np.inf)])
def test_power_at_zero_matches_pytorch(n, value, slope):
    x = Variable(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = x ** n
        y.backward()
    assert values(y).item() == value
    assert grad_of(x).item() == slope


def test_power_zero_gradient_everywhere():
    x = Variable([-2.0, 0.0, 3.0])
    (x ** 0).sum().backward()
    assert grad_of(x).tolist() == [0.0, 0.0, 0.0]


def test_abs_gradient_is_sign_and_zero_at_zero():
    x = Variable([-2.0, 0.0, 3.0])
    y = abs(x)
    assert values(y).tolist() == [2.0, 0.0, 3.0]
    y.sum().backward()
    assert grad_of(x).tolist() == [-1.0, 0.0, 1.0]


def test_rpow_values_gradient_and_arguments():
    x = Variable([0.0, 1.0, 3.0])
    y = 2 ** x
    assert values(y).tolist() == [1.0, 2.0, 8.0]
    y.sum().backward()
    np.testing.assert_allclose(grad_of(x), np.array([1.0, 2.0, 8.0]) * np.log(2.0))
    for base in (0.0, -1.0):
        with pytest.raises(ValueError):
            rpower(base, x)
    with pytest.raises(TypeError):
        "2" ** x
    with pytest.raises(TypeError):
        np.array([2.0, 2.0, 2.0]) ** x


# --------------------------------------------------------------------------- indexing


def test_indexing_scatter_adds_repeated_indices():
    x = Variable([10.0, 20.0, 30.0, 40.0])
    y = x[[0, 2, 0]]
    assert values(y).tolist() == [10.0, 30.0, 10.0]
    y.backward(np.array([1.0, 2.0, 3.0]))
    assert grad_of(x).tolist() == [4.0, 0.0, 2.0, 0.0]
    y.backward(np.array([1.0, 2.0, 3.0]))
    assert grad_of(x).tolist() == [8.0, 0.0, 4.0, 0.0], "a second backward adds the same again"


def test_indexing_with_comparison_masks_and_embeddings():
    m = Variable(np.arange(6.0).reshape(2, 3) - 2.0)
    picked = m[m > 0]
    assert values(picked).tolist() == [1.0, 2.0, 3.0]
    picked.sum().backward()
    assert grad_of(m).tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    E = Variable(np.arange(12.0).reshape(4, 3))
    E[np.array([2, 0, 2])].sum().backward()
    assert grad_of(E)[:, 0].tolist() == [1.0, 0.0, 2.0, 0.0]


def test_indexing_result_is_a_graph_node():
    x = Variable(np.arange(6.0).reshape(2, 3))
    row = x[1]
    assert row.grad_fn.__name__ == "getitem_backward" and row.shape == (3,)
    k = Variable(np.arange(3.0), requires_grad=False)
    assert k[0].requires_grad is False and k[0].is_leaf


# --------------------------------------------------------------------------- batched matmul


def test_batched_matmul_gradients_swap_the_last_two_axes():
    rng = np.random.default_rng(11)
    A, B = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    G = rng.standard_normal((2, 3, 5))
    a, b = Variable(A), Variable(B)
    (a @ b).backward(G)
    np.testing.assert_allclose(grad_of(a), np.einsum("bnm,bkm->bnk", G, B), rtol=1e-12)
    np.testing.assert_allclose(grad_of(b), np.einsum("bnk,bnm->bkm", A, G), rtol=1e-12)


def test_batched_matmul_shared_weight_sums_over_the_batch():
    rng = np.random.default_rng(12)
    A, W = rng.standard_normal((3, 2, 4)), rng.standard_normal((4, 5))
    G = rng.standard_normal((3, 2, 5))
    a, w = Variable(A), Variable(W)
    (a @ w).backward(G)
    assert grad_of(w).shape == (4, 5)
    np.testing.assert_allclose(grad_of(w), np.einsum("bnk,bnm->km", A, G), rtol=1e-12)
    np.testing.assert_allclose(grad_of(a), G @ W.T, rtol=1e-12)


# --------------------------------------------------------------------------- numpy / Python interop


def test_numpy_conversions():
    v = Variable(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
    arr = np.asarray(v)
    assert arr.dtype == np.float32 and arr.shape == (2, 2) and arr.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert np.asarray(v, dtype=np.float64).dtype == np.float64
    assert np.array(v, copy=True) is not values(v)
    assert v.numpy() is values(v), "numpy() shares memory, like torch's detach().numpy()"
    assert v.dtype == np.float32 and v.ndim == 2
    one = Variable([[2.5]])
    assert one.item() == 2.5 and float(one) == 2.5 and isinstance(float(one), float)
    with pytest.raises((TypeError, ValueError)):
        float(v)
    stacked = np.array([Variable(1.0), Variable(2.0)])
    assert stacked.dtype == np.float64 and stacked.tolist() == [1.0, 2.0]


def test_numpy_reductions_call_the_differentiable_methods():
    v = Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    total = np.sum(v)
    assert isinstance(total, Variable) and values(total).item() == 21.0
    total.backward()
    np.testing.assert_array_equal(grad_of(v), np.ones((2, 3)))
    assert values(np.mean(v, axis=0)).tolist() == [2.5, 3.5, 4.5]
    assert np.sum(v, axis=1, keepdims=True).shape == (2, 1)
    v32 = Variable(np.array([1.0, 2.0], dtype=np.float32))
    wide = np.sum(v32, dtype=np.float64)
    assert values(wide).dtype == np.float64
    wide.backward()
    assert grad_of(v32).dtype == np.float32
    with pytest.raises(TypeError):
        np.sum(v, out=np.zeros(()))
    with pytest.raises(TypeError):
        v.sum(dtype=np.int64)


def test_comparisons_return_boolean_tensors_without_gradient():
    import operator

    v = Variable([1.0, 2.0, 3.0])
    w = Variable([3.0, 2.0, 1.0])
    for op, expected in [(operator.lt, [True, False, False]), (operator.le, [True, True, False]),
                         (operator.gt, [False, False, True]), (operator.ge, [False, True, True]),
                         (operator.eq, [False, True, False]), (operator.ne, [True, False, True])]:
        for other in (w, np.array([3.0, 2.0, 1.0]), Tensor(np.array([3.0, 2.0, 1.0])), [3.0, 2.0, 1.0]):
            result = op(v, other)
            assert type(result) is Tensor and result.data.dtype == np.bool_
            assert result.data.tolist() == expected, (op, other)
    assert (2.0 < v).data.tolist() == [False, False, True]
    assert (np.array([2.0, 2.0, 2.0]) < v).data.tolist() == [False, False, True]
    assert (v == None) is False and (v != None) is True  # noqa: E711
    assert (v == "a") is False


def test_variables_hash_by_identity():
    a, b = Variable([1.0, 2.0]), Variable([1.0, 2.0])
    d = {a: 1, b: 2}
    assert len(d) == 2 and d[a] == 1 and d[b] == 2
    assert a in {a} and b not in {a}
    assert hash(a) != hash(b)
