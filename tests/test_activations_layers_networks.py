"""Tests of the exported `tinytorch.core.activations`, `.layers` and `.networks`.

Needs the package built from the module sources: `tito export tensor activations layers
networks autograd`. Values are compared with numpy formulas; the numerics must be stable
with every floating-point warning turned into an error; and, since autograd is exported,
every activation, the Dense layer and whole MLPs are checked against finite differences
with `tinytorch.core.autograd.gradcheck` (the design in docs/curriculum-api.md: weights
come from `Parameter`, so the layers written before autograd carry gradients after it).
"""

import contextlib
import importlib.abc
import sys
import warnings

import numpy as np
import pytest

from tinytorch.core.activations import Activation, ReLU, Sigmoid, Softmax, Tanh
from tinytorch.core.autograd import Variable, gradcheck
from tinytorch.core.layers import Dense, Parameter, matmul, matmul_naive
from tinytorch.core.networks import Sequential, create_mlp
from tinytorch.core.tensor import Tensor


def values(x) -> np.ndarray:
    """The values of a Tensor or a Variable."""
    return np.asarray(x.data)


@contextlib.contextmanager
def strict_numerics():
    """Every numpy floating-point warning (overflow, invalid, divide) becomes an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


def stable_sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def softmax_reference(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


RNG = np.random.default_rng(2024)
SHAPES = [(7,), (4, 5), (2, 3, 4)]


# --------------------------------------------------------------------------- activations: Tensor path

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation, reference", [
    (ReLU(), lambda x: np.maximum(x, 0)),
    (Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (Tanh(), np.tanh),
], ids=["relu", "sigmoid", "tanh"])
def test_elementwise_activations_match_numpy(activation, reference, shape, dtype):
    x = (RNG.standard_normal(shape) * 4).astype(dtype)
    before = x.copy()
    out = activation(Tensor(x))
    assert isinstance(out, Tensor)
    assert out.shape == shape and out.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.data, reference(x.astype(np.float64)), rtol=tol, atol=tol)
    np.testing.assert_array_equal(x, before)  # the input is not modified
    np.testing.assert_array_equal(activation.forward(Tensor(x)).data, out.data)


def test_relu_exact_values():
    out = ReLU()(Tensor([[-2.0, -0.0, 0.0, 0.5, 3.0]]))
    np.testing.assert_array_equal(out.data, [[0.0, 0.0, 0.0, 0.5, 3.0]])
    ints = ReLU()(Tensor([-1, 2]))
    assert ints.data.tolist() == [0, 2] and np.issubdtype(ints.dtype, np.integer)  # integer data stays integer


def test_relu_at_and_around_zero():
    # ReLU(0) = 0 exactly, and nothing is nudged: the smallest numbers either side of 0
    x = np.array([-1e-300, -5e-324, -0.0, 0.0, 5e-324, 1e-300])
    np.testing.assert_array_equal(ReLU()(Tensor(x)).data, [0.0, 0.0, 0.0, 0.0, 5e-324, 1e-300])
    x32 = np.array([-1e-45, 0.0, 1e-45], dtype=np.float32)  # float32 subnormals
    out = ReLU()(Tensor(x32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, np.array([0.0, 0.0, 1e-45], dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", [ReLU(), Sigmoid(), Tanh(), Softmax(), Softmax(axis=0), Softmax(axis=1)],
                         ids=["relu", "sigmoid", "tanh", "softmax", "softmax-axis0", "softmax-axis1"])
def test_activations_keep_dtype_and_never_touch_their_input(activation, dtype):
    x = (RNG.standard_normal((4, 3, 5)) * 50).astype(dtype)  # non-square, large enough to overflow a naive exp
    before = x.copy()
    t = Tensor(x)
    with strict_numerics():
        out = activation(t)
    assert isinstance(out, Tensor) and out is not t and out.dtype == dtype and out.shape == x.shape
    assert not np.shares_memory(out.data, x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(t.data, before)
    v = Variable(x.copy())
    with strict_numerics():
        vout = activation(v)
    assert isinstance(vout, Variable) and values(vout).dtype == dtype
    np.testing.assert_allclose(values(vout), out.data, rtol=1e-6 if dtype == np.float32 else 1e-12, atol=1e-30)


def test_sigmoid_known_values_and_symmetry():
    x = np.array([-5.0, -1.0, 0.0, 1.0, 5.0])
    out = Sigmoid()(Tensor(x)).data
    np.testing.assert_allclose(out, [0.0066928509242848554, 0.2689414213699951, 0.5, 0.7310585786300049,
                                     0.9933071490757153], rtol=1e-14)
    np.testing.assert_allclose(out + Sigmoid()(Tensor(-x)).data, 1.0, rtol=1e-15)


def test_tanh_known_values():
    np.testing.assert_allclose(Tanh()(Tensor([-1.0, 0.0, 2.0])).data, [-0.7615941559557649, 0.0, 0.9640275800758169],
                               rtol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_matches_numpy(shape, axis):
    x = RNG.standard_normal(shape) * 5
    out = Softmax(axis=axis)(Tensor(x))
    assert isinstance(out, Tensor) and out.shape == shape
    np.testing.assert_allclose(out.data, softmax_reference(x, axis), rtol=1e-12)
    np.testing.assert_allclose(out.data.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(Softmax(axis=axis)(Tensor(x + 123.0)).data, out.data, rtol=1e-9)


def test_softmax_known_values_and_default_axis():
    assert Softmax().axis == -1
    out = Softmax()(Tensor([[1.0, 1.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(out.data, [[0.5, 0.5], [0.25, 0.75]], rtol=1e-14)
    out = Softmax()(Tensor(np.array([2.0, 1.0, 0.1], dtype=np.float32)))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, [0.65900114, 0.24243297, 0.09856589], rtol=1e-6)


def test_activation_interface():
    for activation in (ReLU(), Sigmoid(), Tanh(), Softmax()):
        assert isinstance(activation, Activation)
        assert activation.parameters() == []
        assert callable(activation)
    assert repr(ReLU()) == "ReLU()" and repr(Softmax(axis=0)) == "Softmax(axis=0)"


@pytest.mark.parametrize("shape, axis", [((4, 5), -1), ((4, 5), 0), ((3, 7), 1), ((2, 3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), 0)])
def test_softmax_axis_and_keepdims_on_non_square_batches(shape, axis):
    x = RNG.standard_normal(shape) * 4 + np.arange(shape[-1])  # rows differ, columns differ
    out = Softmax(axis=axis)(Tensor(x)).data
    assert out.shape == shape
    np.testing.assert_allclose(out, softmax_reference(x, axis), rtol=1e-12)
    np.testing.assert_allclose(out.sum(axis=axis), 1.0, rtol=1e-12)
    # each slice along `axis` is normalised on its own: a per-slice shift changes nothing
    shift = RNG.standard_normal(np.sum(x, axis=axis, keepdims=True).shape) * 300
    with strict_numerics():
        np.testing.assert_allclose(Softmax(axis=axis)(Tensor(x + shift)).data, out, rtol=1e-9)


# --------------------------------------------------------------------------- activations: stability

EXTREMES = np.array([[-1000.0, -100.0, -1.0, 0.0, 1.0, 100.0, 1000.0]])


def test_sigmoid_is_stable_at_1000():
    with strict_numerics():
        out = Sigmoid()(Tensor(EXTREMES)).data
    assert np.all(np.isfinite(out)) and np.all((out >= 0) & (out <= 1))
    assert out[0, 0] == 0.0 and out[0, -1] == 1.0 and out[0, 3] == 0.5
    np.testing.assert_allclose(out, stable_sigmoid(EXTREMES), rtol=1e-15, atol=1e-300)


def test_sigmoid_float32_is_stable_where_exp_overflows():
    x = np.array([-200.0, -89.0, 89.0, 200.0], dtype=np.float32)  # e^89 overflows float32
    with strict_numerics():
        out = Sigmoid()(Tensor(x)).data
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0.0, 0.0, 1.0, 1.0], atol=1e-30)


def test_tanh_is_stable_at_1000():
    with strict_numerics():
        out = Tanh()(Tensor(EXTREMES)).data
    assert out[0, 0] == -1.0 and out[0, -1] == 1.0 and out[0, 3] == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_at_1000(dtype):
    x = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -1000.0]], dtype=dtype)
    with strict_numerics():
        out = Softmax()(Tensor(x)).data
        columns = Softmax(axis=0)(Tensor(x)).data
    assert out.dtype == dtype
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(columns))
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(out, softmax_reference(x), rtol=tol, atol=1e-30)
    np.testing.assert_allclose(out[0], [1.0, 0.0, 0.0], atol=tol)
    np.testing.assert_allclose(out[2], [1 / 3] * 3, rtol=tol)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=tol)
    np.testing.assert_allclose(columns.sum(axis=0), 1.0, rtol=tol)


# --------------------------------------------------------------------------- activations: Variable path

def test_activations_return_variables_with_the_same_values():
    x = RNG.standard_normal((3, 4)) * 3
    for activation in (ReLU(), Sigmoid(), Tanh(), Softmax(), Softmax(axis=0)):
        out = activation(Variable(x))
        assert isinstance(out, Variable), f"{activation!r} of a Variable should be a Variable"
        assert out.requires_grad
        np.testing.assert_allclose(values(out), values(activation(Tensor(x))), rtol=1e-12)


def test_variable_path_is_stable_at_1000():
    with strict_numerics():
        for activation in (Sigmoid(), Tanh(), Softmax(), ReLU()):
            x = Variable(EXTREMES, requires_grad=True)
            out = activation(x)
            out.backward(np.ones(out.shape))
            assert np.all(np.isfinite(values(out))) and np.all(np.isfinite(values(x.grad)))
    np.testing.assert_allclose(values(Softmax()(Variable([[1000.0, -1000.0]]))), [[1.0, 0.0]])


# Points away from ReLU's kink at 0, so finite differences see a smooth function.
SMOOTH_POINTS = np.array([[-1.5, -0.7, 0.3, 1.1], [0.9, -0.2, 2.0, -2.5], [0.45, 0.6, -1.2, 0.15]])


@pytest.mark.parametrize("activation", [ReLU(), Sigmoid(), Tanh(), Softmax(), Softmax(axis=0)],
                         ids=["relu", "sigmoid", "tanh", "softmax", "softmax-axis0"])
def test_activation_gradients_match_finite_differences(activation):
    assert gradcheck(lambda x: activation(x), [Variable(SMOOTH_POINTS, requires_grad=True)])


def test_softmax_gradient_at_large_logits():
    assert gradcheck(lambda x: Softmax()(x), [Variable([[500.0, 499.0, 498.5], [-600.0, -601.0, -599.0]])])


def test_softmax_gradient_formula():
    x = Variable([[0.2, -1.0, 0.5]], requires_grad=True)
    s = Softmax()(x)
    w = np.array([[1.0, 2.0, -1.0]])
    (s * w).sum().backward()
    p = values(s)
    np.testing.assert_allclose(values(x.grad), p * (w - (w * p).sum(axis=-1, keepdims=True)), rtol=1e-12)


# --------------------------------------------------------------------------- matmul

@pytest.mark.parametrize("function", [matmul_naive, matmul], ids=["naive", "vectorised"])
def test_matmul_values(function):
    out = function(Tensor([[1, 2], [3, 4]]), Tensor([[5, 6], [7, 8]]))
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.data, [[19, 22], [43, 50]])
    assert out.dtype == np.result_type(np.int64, np.int64)
    a, b = RNG.standard_normal((6, 4)), RNG.standard_normal((4, 3))
    np.testing.assert_allclose(function(Tensor(a), Tensor(b)).data, a @ b, rtol=1e-12)
    a32 = a.astype(np.float32)
    assert function(Tensor(a32), Tensor(b.astype(np.float32))).dtype == np.float32


@pytest.mark.parametrize("function", [matmul_naive, matmul], ids=["naive", "vectorised"])
@pytest.mark.parametrize("dtype_a, dtype_b", [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.int64),
                                              (np.int64, np.float64), (np.float32, np.float64), (np.int32, np.float32)])
def test_matmul_result_dtype_is_numpys(function, dtype_a, dtype_b):
    a = np.array([[1, 2, 3], [4, 5, 6]]).astype(dtype_a)
    b = (np.array([[0.5, 1.0, -1.0, 2.0], [0.25, 0.0, 3.0, 1.0], [1.0, -0.5, 0.0, 0.75]]) * (1 if np.issubdtype(dtype_b, np.floating) else 4)).astype(dtype_b)
    out = function(Tensor(a), Tensor(b))
    assert isinstance(out, Tensor)
    assert out.dtype == (a @ b).dtype
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-6)


@pytest.mark.parametrize("function", [matmul_naive, matmul], ids=["naive", "vectorised"])
@pytest.mark.parametrize("shape_a, shape_b", [((1, 1), (1, 1)), ((1, 3), (3, 1)), ((3, 1), (1, 4)), ((1, 3), (3, 4)), ((4, 3), (3, 5))])
def test_matmul_rectangular_and_smallest_matrices(function, shape_a, shape_b):
    a = (np.arange(np.prod(shape_a)) - 1.5).reshape(shape_a)
    b = (np.arange(np.prod(shape_b)) * 0.5 + 1.0).reshape(shape_b)
    out = function(Tensor(a), Tensor(b))
    assert out.shape == (shape_a[0], shape_b[1])
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12)


@pytest.mark.parametrize("function", [matmul_naive, matmul], ids=["naive", "vectorised"])
def test_matmul_accepts_lists_and_arrays_and_leaves_them_alone(function):
    a, b = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    before = b.copy()
    for left, right in [(a, b), (np.array(a), b.tolist()), (a, b.tolist()), (Tensor(a), b)]:
        out = function(left, right)
        assert isinstance(out, Tensor)
        np.testing.assert_array_equal(out.data, [[4.0, -1.0], [10.0, -1.0]])
    np.testing.assert_array_equal(b, before)


@pytest.mark.parametrize("shape_a, shape_b", [((5,), (5, 3)), ((4, 5), (5,)), ((2, 3, 4), (4, 6)), ((2, 3, 4), (2, 4, 1))])
def test_matmul_follows_numpy_for_vectors_and_batches(shape_a, shape_b):
    a, b = RNG.standard_normal(shape_a), RNG.standard_normal(shape_b)
    out = matmul(Tensor(a), Tensor(b))
    assert out.shape == (a @ b).shape
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12)


@pytest.mark.parametrize("function", [matmul_naive, matmul], ids=["naive", "vectorised"])
@pytest.mark.parametrize("shape_a, shape_b", [((2, 3), (2, 3)), ((32, 784), (100, 10)), ((1, 4), (3, 1))])
def test_matmul_error_names_both_shapes(function, shape_a, shape_b):
    with pytest.raises(ValueError) as info:
        function(Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b)))
    assert str(shape_a) in str(info.value) and str(shape_b) in str(info.value)


@pytest.mark.parametrize("shape_a, shape_b", [((), (2,)), ((2,), ()), ((), ()), ((2, 3, 4), (2, 5, 6)), ((3, 1, 2, 4), (5, 3, 3))])
def test_matmul_rejects_scalars_on_either_side_and_batched_mismatches(shape_a, shape_b):
    with pytest.raises(ValueError) as info:
        matmul(Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b)))
    assert str(shape_a) in str(info.value) and str(shape_b) in str(info.value)


@pytest.mark.parametrize("shape_a, shape_b", [((3,), (3, 2)), ((2, 3), (3,)), ((2, 2, 3), (3, 2)), ((2, 3), (2, 3, 1))])
def test_matmul_naive_needs_two_matrices(shape_a, shape_b):
    with pytest.raises(ValueError) as info:
        matmul_naive(Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b)))
    assert str(shape_a) in str(info.value) and str(shape_b) in str(info.value)


def test_matmul_broadcast_batches():
    a, b = RNG.standard_normal((3, 1, 2, 4)), RNG.standard_normal((5, 4, 3))
    out = matmul(Tensor(a), Tensor(b))
    assert out.shape == (3, 5, 2, 3)
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12)


def test_matmul_rejects_scalars_and_naive_needs_matrices():
    with pytest.raises(ValueError, match=r"\(\)"):
        matmul(Tensor(2.0), Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        matmul_naive(Tensor([1.0, 2.0, 3.0]), Tensor(np.ones((3, 2))))


# --------------------------------------------------------------------------- Parameter

def test_parameter_is_a_trainable_variable_once_autograd_is_exported():
    p = Parameter(np.array([[1.0, 2.0]], dtype=np.float32))
    assert isinstance(p, Variable)
    assert p.requires_grad is True and p.grad is None and p.is_leaf
    assert p.data.dtype == np.float32
    np.testing.assert_array_equal(values(p), [[1.0, 2.0]])
    assert isinstance(Parameter(Tensor([1.0])), Variable)
    assert isinstance(Parameter([1.0, 2.0]), Variable)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameter_keeps_the_dtype(dtype, monkeypatch):
    values_in = np.array([[1.0, -2.0, 0.5]], dtype=dtype)
    assert values(Parameter(values_in)).dtype == dtype
    monkeypatch.setitem(sys.modules, "tinytorch.core.autograd", None)
    p = Parameter(values_in)
    assert type(p) is Tensor and p.dtype == dtype


def test_parameter_falls_back_to_a_tensor_without_autograd(monkeypatch):
    monkeypatch.setitem(sys.modules, "tinytorch.core.autograd", None)  # import now fails: ModuleNotFoundError
    p = Parameter(np.array([1.0, 2.0], dtype=np.float32))
    assert type(p) is Tensor and p.dtype == np.float32
    np.testing.assert_array_equal(p.data, [1.0, 2.0])
    t = Tensor([3.0])
    assert Parameter(t) is t
    layer = Dense(3, 2, seed=0)
    assert type(layer.weights) is Tensor and type(layer.bias) is Tensor
    out = layer(Tensor(np.ones((4, 3))))
    assert type(out) is Tensor and out.shape == (4, 2)


class _BrokenAutograd(importlib.abc.MetaPathFinder):
    """Makes `import tinytorch.core.autograd` fail because some *other* module is missing."""

    def find_spec(self, name, path=None, target=None):
        if name == "tinytorch.core.autograd":
            raise ModuleNotFoundError("No module named 'not_installed'", name="not_installed")
        return None


def test_parameter_does_not_hide_other_import_errors(monkeypatch):
    monkeypatch.delitem(sys.modules, "tinytorch.core.autograd")
    monkeypatch.setattr(sys, "meta_path", [_BrokenAutograd(), *sys.meta_path])
    with pytest.raises(ModuleNotFoundError) as info:
        Parameter([1.0])
    assert info.value.name == "not_installed"


# --------------------------------------------------------------------------- Dense

def test_dense_shapes_dtypes_and_parameters():
    layer = Dense(4, 3, seed=0)
    assert layer.input_size == 4 and layer.output_size == 3
    assert isinstance(layer.weights, Variable) and isinstance(layer.bias, Variable)
    assert layer.weights.shape == (4, 3) and layer.bias.shape == (3,)
    assert layer.weights.data.dtype == np.float32 and layer.bias.data.dtype == np.float32
    np.testing.assert_array_equal(values(layer.bias), np.zeros(3))
    params = layer.parameters()
    assert len(params) == 2 and params[0] is layer.weights and params[1] is layer.bias
    no_bias = Dense(4, 3, use_bias=False)
    assert no_bias.bias is None and no_bias.parameters() == [no_bias.weights]
    assert repr(layer) == "Dense(4 -> 3)"


def test_dense_layers_never_share_arrays():
    layers = [Dense(4, 4, seed=0), Dense(4, 4, seed=0), Dense(4, 4), Dense(4, 4)]
    np.testing.assert_array_equal(values(layers[0].weights), values(layers[1].weights))
    assert not np.array_equal(values(layers[2].weights), values(layers[3].weights))
    for i in range(len(layers)):
        for j in range(i + 1, len(layers)):
            for name in ("weights", "bias"):
                assert not np.shares_memory(values(getattr(layers[i], name)), values(getattr(layers[j], name)))


@pytest.mark.parametrize("n_in, n_out", [(1, 1), (3, 5), (7, 2)])
def test_dense_non_square_shapes(n_in, n_out):
    layer = Dense(n_in, n_out, seed=0)
    assert layer.weights.shape == (n_in, n_out) and layer.bias.shape == (n_out,)
    assert values(layer.weights).dtype == np.float32 and values(layer.bias).dtype == np.float32


@pytest.mark.parametrize("init, std", [("xavier", lambda i, o: np.sqrt(2 / (i + o))), ("he", lambda i, o: np.sqrt(2 / i))])
def test_dense_seeded_init_is_reproducible_and_exact(init, std):
    layer = Dense(6, 5, weight_init=init, seed=11)
    expected = np.random.default_rng(11).normal(0.0, std(6, 5), size=(6, 5)).astype(np.float32)
    np.testing.assert_allclose(values(layer.weights), expected, rtol=1e-6)
    np.testing.assert_array_equal(values(layer.weights), values(Dense(6, 5, weight_init=init, seed=11).weights))
    assert not np.array_equal(values(layer.weights), values(Dense(6, 5, weight_init=init, seed=12).weights))
    assert not np.array_equal(values(Dense(6, 5, weight_init=init).weights), values(Dense(6, 5, weight_init=init).weights))


@pytest.mark.parametrize("n_in, n_out, init, std", [
    (1000, 1000, "xavier", np.sqrt(2 / 2000)),
    (300, 3000, "xavier", np.sqrt(2 / 3300)),
    (1000, 1000, "he", np.sqrt(2 / 1000)),
    (200, 5000, "he", np.sqrt(2 / 200)),
])
def test_dense_init_has_the_right_std(n_in, n_out, init, std):
    w = values(Dense(n_in, n_out, weight_init=init, seed=3).weights).astype(np.float64)
    n = w.size
    # The sample std of n normal draws has relative standard error 1/sqrt(2n) (0.07% here): allow 5 of them.
    assert abs(w.std() / std - 1) < 5 / np.sqrt(2 * n)
    assert abs(w.mean()) < 5 * std / np.sqrt(n)
    # Normal, not uniform: about 68.3% of the draws within one std.
    assert abs(np.mean(np.abs(w) < std) - 0.6827) < 0.005


def test_dense_rejects_unknown_weight_init():
    with pytest.raises(ValueError) as info:
        Dense(3, 2, weight_init="kaiming_uniform")
    assert "'xavier'" in str(info.value) and "'he'" in str(info.value)


def test_dense_forward_values():
    layer = Dense(5, 4, seed=1)
    layer.bias = Parameter(RNG.standard_normal(4).astype(np.float32))
    w, b = values(layer.weights), values(layer.bias)
    for shape in [(8, 5), (5,), (2, 3, 5)]:
        x = RNG.standard_normal(shape)
        out = layer(Tensor(x))
        assert out.shape == shape[:-1] + (4,)
        np.testing.assert_allclose(values(out), x @ w + b, rtol=1e-6, atol=1e-6)
    layer = Dense(3, 2, use_bias=False, seed=0)
    x = RNG.standard_normal((4, 3))
    np.testing.assert_allclose(values(layer(Tensor(x))), x @ values(layer.weights), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_3_to_5_on_a_batch_of_4_keeps_dtype_and_input(dtype):
    layer = Dense(3, 5, seed=0)
    w = (np.arange(15, dtype=np.float32).reshape(3, 5) - 7) / 4
    b = np.array([0.5, -1.0, 2.0, 0.0, 0.25], dtype=np.float32)
    layer.weights, layer.bias = Parameter(w), Parameter(b)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.0, 0.0, 0.0], [2.0, -3.0, 1.5]], dtype=dtype)
    before = x.copy()
    out = layer(Tensor(x))
    assert out.shape == (4, 5) and values(out).dtype == dtype
    np.testing.assert_allclose(values(out), x.astype(np.float64) @ w + b, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(values(out)[2], b)  # a zero row gives exactly the bias
    np.testing.assert_array_equal(x, before)
    single = layer(Tensor(x[:1]))
    assert single.shape == (1, 5) and values(single).dtype == dtype  # a batch of one stays a batch


def test_dense_1_to_1():
    layer = Dense(1, 1, seed=0)
    layer.weights, layer.bias = Parameter(np.array([[-2.0]], dtype=np.float32)), Parameter(np.array([0.5], dtype=np.float32))
    out = layer(Tensor(np.array([[3.0]], dtype=np.float32)))
    assert out.shape == (1, 1) and values(out).dtype == np.float32
    np.testing.assert_array_equal(values(out), [[-5.5]])


@pytest.mark.parametrize("sizes, shape", [((64, 10), (32, 63)), ((3, 2), (4,)), ((3, 2), ()), ((3, 2), (2, 3, 4))])
def test_dense_shape_error_message(sizes, shape):
    with pytest.raises(ValueError) as info:
        Dense(*sizes)(Tensor(np.ones(shape)))
    assert str(info.value) == (f"Dense({sizes[0]} -> {sizes[1]}) expects inputs whose last axis is {sizes[0]}, "
                               f"got shape {shape}")
    with pytest.raises(ValueError, match=r"^Dense\(64 -> 10\) expects inputs whose last axis is 64, got shape \(32, 63\)$"):
        Dense(64, 10)(Variable(np.ones((32, 63))))


def dense_function(layer):
    """fn(x, W, b) = layer(x) with the layer's weights and bias replaced by the given Variables."""
    def fn(x, weights, bias):
        layer.weights, layer.bias = weights, bias
        return layer(x)
    return fn


@pytest.mark.parametrize("init", ["xavier", "he"])
def test_dense_gradients_match_finite_differences(init):
    layer = Dense(4, 3, weight_init=init, seed=0)
    inputs = [
        Variable(RNG.standard_normal((5, 4)), requires_grad=True),
        Variable(values(layer.weights).astype(np.float64), requires_grad=True),
        Variable(RNG.standard_normal(3), requires_grad=True),
    ]
    assert gradcheck(dense_function(layer), inputs)


def test_dense_gradients_reach_its_own_parameters():
    layer = Dense(3, 2, seed=0)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    upstream = np.array([[1.0, -2.0], [0.5, 3.0]])
    out = layer(Tensor(x))
    assert isinstance(out, Variable) and out.requires_grad
    out.backward(upstream)
    np.testing.assert_allclose(values(layer.weights.grad), x.T @ upstream, rtol=1e-6)
    np.testing.assert_allclose(values(layer.bias.grad), upstream.sum(axis=0), rtol=1e-6)
    assert layer.weights.grad.shape == layer.weights.shape and layer.bias.grad.shape == layer.bias.shape


def test_dense_input_gradient():
    layer = Dense(3, 2, seed=4)
    x = Variable(RNG.standard_normal((2, 3)), requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_allclose(values(x.grad), np.ones((2, 2)) @ values(layer.weights).T, rtol=1e-6)


# --------------------------------------------------------------------------- Sequential and create_mlp

def test_sequential_order_parameters_and_nesting():
    assert Sequential([lambda t: t * 2, lambda t: t + 1])(Tensor([1.0])).data.tolist() == [3.0]
    assert Sequential([lambda t: t + 1, lambda t: t * 2])(Tensor([1.0])).data.tolist() == [4.0]
    t = Tensor([1.0])
    assert Sequential([])(t) is t
    first, second = Dense(3, 4, seed=0), Dense(4, 2, seed=1)
    net = Sequential([first, ReLU(), second])
    assert len(net) == 3 and net[0] is first and net.layers[2] is second
    params = net.parameters()
    assert len(params) == 4 and all(p is q for p, q in zip(params, [first.weights, first.bias, second.weights, second.bias]))
    x = RNG.standard_normal((6, 3))
    want = np.maximum(x @ values(first.weights) + values(first.bias), 0) @ values(second.weights) + values(second.bias)
    np.testing.assert_allclose(values(net(Tensor(x))), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(values(net.forward(Tensor(x))), want, rtol=1e-6, atol=1e-6)
    outer = Sequential([net, Sigmoid(), lambda v: v])
    assert len(outer.parameters()) == 4
    np.testing.assert_allclose(values(outer(Tensor(x))), stable_sigmoid(want), rtol=1e-6)


def test_create_mlp_structure_and_seeding():
    mlp = create_mlp(4, [8, 6], 3, seed=10)
    assert isinstance(mlp, Sequential)
    assert [type(layer).__name__ for layer in mlp.layers] == ["Dense", "ReLU", "Dense", "ReLU", "Dense"]
    dense = [layer for layer in mlp.layers if isinstance(layer, Dense)]
    assert [(d.input_size, d.output_size) for d in dense] == [(4, 8), (8, 6), (6, 3)]
    for i, d in enumerate(dense):
        he = Dense(d.input_size, d.output_size, weight_init="he", seed=10 + i)  # ReLU networks default to He
        np.testing.assert_array_equal(values(d.weights), values(he.weights))
    assert mlp.layers[1] is not mlp.layers[3]
    again = create_mlp(4, [8, 6], 3, seed=10)
    assert all(np.array_equal(values(p), values(q)) for p, q in zip(mlp.parameters(), again.parameters()))
    assert len(mlp.parameters()) == 6

    net = create_mlp(3, [5, 5], 2, activation=Tanh, output_activation=Softmax, seed=0)
    np.testing.assert_array_equal(values(net.layers[0].weights), values(Dense(3, 5, weight_init="xavier", seed=0).weights))
    assert [type(layer).__name__ for layer in net.layers] == ["Dense", "Tanh", "Dense", "Tanh", "Dense", "Softmax"]
    probs = values(net(Tensor(RNG.standard_normal((9, 3)))))
    assert probs.shape == (9, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    assert [type(layer).__name__ for layer in create_mlp(2, [], 1).layers] == ["Dense"]
    assert [type(layer).__name__ for layer in create_mlp(2, (), 1, output_activation=Sigmoid).layers] == ["Dense", "Sigmoid"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_keeps_dtype_and_input(dtype):
    mlp = create_mlp(5, (7, 3, 4), 2, output_activation=Softmax, seed=3)
    x = RNG.standard_normal((6, 5)).astype(dtype)
    before = x.copy()
    out = mlp(Tensor(x))
    assert out.shape == (6, 2) and values(out).dtype == dtype
    h = x.astype(np.float64)
    dense = [layer for layer in mlp.layers if isinstance(layer, Dense)]
    for i, layer in enumerate(dense):
        h = h @ values(layer.weights) + values(layer.bias)
        if i < len(dense) - 1:
            h = np.maximum(h, 0)
    np.testing.assert_allclose(values(out), softmax_reference(h), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(x, before)


def test_create_mlp_deep_non_square_and_same_shape_layers():
    deep = create_mlp(5, (7, 3, 4), 2, seed=3)
    assert [type(layer).__name__ for layer in deep.layers] == ["Dense", "ReLU"] * 3 + ["Dense"]
    dense = [layer for layer in deep.layers if isinstance(layer, Dense)]
    assert [(d.input_size, d.output_size) for d in dense] == [(5, 7), (7, 3), (3, 4), (4, 2)]
    for i, d in enumerate(dense):
        np.testing.assert_array_equal(values(d.weights), values(Dense(d.input_size, d.output_size, weight_init="he", seed=3 + i).weights))

    square = create_mlp(4, [4, 4], 4, activation=Tanh, seed=0)
    dense = [layer for layer in square.layers if isinstance(layer, Dense)]
    assert len({id(d) for d in dense}) == 3 and square.layers[1] is not square.layers[3]
    params = square.parameters()
    assert len(params) == 6 and len({id(p) for p in params}) == 6
    for i in range(len(params)):
        for j in range(i + 1, len(params)):
            assert not np.shares_memory(values(params[i]), values(params[j]))
    assert not np.array_equal(values(dense[0].weights), values(dense[1].weights))

    forced = create_mlp(3, [5, 4], 2, weight_init="xavier", seed=1)
    for i, d in enumerate(layer for layer in forced.layers if isinstance(layer, Dense)):
        np.testing.assert_array_equal(values(d.weights), values(Dense(d.input_size, d.output_size, weight_init="xavier", seed=1 + i).weights))
    unseeded = [create_mlp(4, [8], 3) for _ in range(2)]
    assert not np.array_equal(values(unseeded[0].layers[0].weights), values(unseeded[1].layers[0].weights))
    assert [type(layer).__name__ for layer in create_mlp(3, [4, 4], 1, output_activation=Sigmoid).layers] == ["Dense", "ReLU", "Dense", "ReLU", "Dense", "Sigmoid"]


def test_sequential_same_shape_layers_in_order():
    same = [Dense(4, 4, seed=s) for s in (0, 1, 2)]
    net = Sequential([same[0], Tanh(), same[1], lambda t: t, same[2]])
    params = net.parameters()
    assert len(params) == 6 and all(p is q for p, q in zip(params, [p for d in same for p in (d.weights, d.bias)]))
    x = RNG.standard_normal((2, 4))
    w = [(values(d.weights), values(d.bias)) for d in same]
    want = (np.tanh(x @ w[0][0] + w[0][1]) @ w[1][0] + w[1][1]) @ w[2][0] + w[2][1]
    np.testing.assert_allclose(values(net(Tensor(x))), want, rtol=1e-6, atol=1e-6)


def test_create_mlp_parameter_count_and_forward():
    mlp = create_mlp(784, [128, 64], 10, seed=0)
    assert sum(values(p).size for p in mlp.parameters()) == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10 == 109_386
    out = mlp(Tensor(np.zeros((32, 784), dtype=np.float32)))
    assert out.shape == (32, 10)
    np.testing.assert_allclose(values(out), 0.0)  # zero input and zero biases


def mlp_function(mlp):
    """fn(x, W1, b1, W2, b2, ...) = mlp(x) with every Dense's parameters replaced by the given Variables."""
    dense = [layer for layer in mlp.layers if isinstance(layer, Dense)]

    def fn(x, *params):
        for i, layer in enumerate(dense):
            layer.weights, layer.bias = params[2 * i], params[2 * i + 1]
        return mlp(x)
    return fn


@pytest.mark.parametrize("activation, output_activation", [(Tanh, None), (Sigmoid, Softmax), (ReLU, Sigmoid)],
                         ids=["tanh", "sigmoid-softmax", "relu-sigmoid"])
def test_mlp_gradients_match_finite_differences(activation, output_activation):
    mlp = create_mlp(3, [4, 3], 2, activation=activation, output_activation=output_activation, seed=7)
    x = Variable(RNG.standard_normal((4, 3)), requires_grad=True)
    params = [Variable(values(p).astype(np.float64), requires_grad=True) for p in mlp.parameters()]
    params[1::2] = [Variable(RNG.standard_normal(p.shape) * 0.5, requires_grad=True) for p in params[1::2]]  # non-zero biases
    assert gradcheck(mlp_function(mlp), [x, *params])


def test_mlp_trains_with_its_own_parameters():
    """The layers written before autograd train after it: plain gradient descent on XOR."""
    x = Tensor(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    mlp = create_mlp(2, [8], 1, activation=Tanh, seed=0)
    losses = []
    for _ in range(500):
        error = mlp(x) - y
        loss = (error * error).mean()
        for p in mlp.parameters():
            p.zero_grad()
        loss.backward()
        for p in mlp.parameters():
            p.data = Tensor((values(p) - 0.2 * values(p.grad)).astype(np.float32))
        losses.append(float(values(loss)))
    assert losses[-1] < 0.01 < losses[0], f"loss went from {losses[0]:.4f} to {losses[-1]:.4f}"
    np.testing.assert_allclose(values(mlp(x)), y, atol=0.2)
