"""Tests of the exported `tinytorch.core.compression` (module 10).

Needs the package built from the module sources: `tito export compression` (with its
prerequisites tensor, activations, layers, networks, autograd, optimizers, training,
dataloader).

Small cases are checked against values worked out by hand; the distillation loss against
an independent numpy reference (no max-shift trick: `np.logaddexp.reduce`) and by finite
differences. At the bottom, the three results of the module on the digits, with the
teacher trained once per test session by the `mlp-digits` recipe.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinytorch.core.autograd import Variable, gradcheck
from tinytorch.core.compression import (
    CompressionMetrics,
    DistillationLoss,
    QuantizedDense,
    QuantizedModel,
    QuantizedTensor,
    apply_masks,
    calculate_sparsity,
    clone_model,
    dense_layers,
    dequantize,
    evaluate_accuracy,
    neuron_importance,
    prune_model,
    prune_neurons,
    prune_weights_by_magnitude,
    quantize,
    quantize_model,
    train_student,
)
from tinytorch.core.dataloader import DataLoader, TensorDataset, load_digits
from tinytorch.core.layers import Dense, Parameter
from tinytorch.core.networks import Sequential, create_mlp
from tinytorch.core.optimizers import Adam, StepLR
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import CrossEntropyLoss, Trainer


def values(x) -> np.ndarray:
    if isinstance(x, Variable):
        return x.data.data
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x)


def dense(weights, bias=None) -> Dense:
    weights = np.asarray(weights, dtype=np.float32)
    layer = Dense(*weights.shape, use_bias=bias is not None, seed=0)
    layer.weights = Parameter(weights.copy())
    if bias is not None:
        layer.bias = Parameter(np.asarray(bias, dtype=np.float32))
    return layer


# --------------------------------------------------------------------------- pruning


def test_prune_weights_by_magnitude_exact():
    w = np.array([[0.8, -0.1, 0.3], [-0.9, 0.05, 0.4]], dtype=np.float32)
    pruned, keep = prune_weights_by_magnitude(w, 0.5)
    np.testing.assert_array_equal(pruned, np.array([[0.8, 0.0, 0.0], [-0.9, 0.0, 0.4]], dtype=np.float32))
    assert keep.dtype == bool and keep.tolist() == [[True, False, False], [True, False, True]]
    assert pruned.dtype == np.float32
    assert w[0, 1] == np.float32(-0.1), "the input is not modified"


@pytest.mark.parametrize("sparsity, removed", [(0.0, 0), (0.25, 2), (0.3, 2), (0.5, 4), (0.9, 7), (1.0, 8)])
def test_prune_removes_round_sparsity_n(sparsity, removed):
    pruned, keep = prune_weights_by_magnitude(np.arange(1.0, 9.0), sparsity)
    assert int((~keep).sum()) == removed
    np.testing.assert_array_equal(pruned[:removed], 0.0)                # the smallest go first
    np.testing.assert_array_equal(pruned[removed:], np.arange(1.0, 9.0)[removed:])


def test_prune_ties_are_broken_by_position():
    _, keep = prune_weights_by_magnitude(np.array([2.0, -2.0, 2.0, 1.0]), 0.5)
    assert keep.tolist() == [False, True, True, False]


@pytest.mark.parametrize("bad", [-0.01, 1.01])
def test_prune_rejects_bad_sparsity(bad):
    with pytest.raises(ValueError):
        prune_weights_by_magnitude(np.ones(4), bad)


def test_calculate_sparsity_arrays_and_models():
    assert calculate_sparsity(np.array([0.0, 1.0, 0.0, 0.0])) == 0.75
    assert calculate_sparsity(Tensor([[1.0, 0.0], [0.0, 0.0]])) == 0.75
    assert calculate_sparsity(Variable(np.zeros(5))) == 1.0
    model = Sequential([dense(np.zeros((4, 2)), np.zeros(2)), dense(np.ones((2, 4)), np.zeros(4))])
    assert calculate_sparsity(model) == 0.5          # 8 zero weights of 16; the zero biases do not count
    assert calculate_sparsity(dense_layers(model)[1]) == 0.0
    with pytest.raises(ValueError):
        calculate_sparsity(np.array([]))


def test_prune_model_per_layer_and_global():
    def model():
        return Sequential([dense([[4.0, -1.0], [0.2, 3.0]], [0.0, 0.0]), dense([[0.5], [0.6]], [1.0])])

    per_layer = model()
    masks = prune_model(per_layer, 0.5)
    np.testing.assert_array_equal(values(per_layer.layers[0].weights), [[4.0, 0.0], [0.0, 3.0]])
    np.testing.assert_array_equal(values(per_layer.layers[1].weights), np.array([[0.0], [0.6]], np.float32))
    assert [m.tolist() for m in masks] == [[[True, False], [False, True]], [[False], [True]]]
    global_ = model()
    masks = prune_model(global_, 0.5, scope="global")   # 3 of 6: 0.2, 0.5, 0.6
    np.testing.assert_array_equal(values(global_.layers[0].weights), [[4.0, -1.0], [0.0, 3.0]])
    np.testing.assert_array_equal(values(global_.layers[1].weights), [[0.0], [0.0]])
    assert calculate_sparsity(global_) == 0.5
    with pytest.raises(ValueError):
        prune_model(model(), 0.5, scope="neuron")


def test_masks_survive_fine_tuning():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = create_mlp(8, [16], 2, seed=0)
    masks = prune_model(model, 0.75)
    before = [values(layer.weights).copy() for layer in dense_layers(model)]
    losses = train_student(model, x, y, epochs=5, learning_rate=1e-2, masks=masks, batch_size=16)
    assert len(losses) == 5 and losses[-1] < losses[0]
    for layer, mask, old in zip(dense_layers(model), masks, before):
        w = values(layer.weights)
        assert np.all(w[~mask] == 0.0), "pruned weights stay exactly zero"
        assert np.any(w[mask] != old[mask]), "kept weights are trained"
    assert calculate_sparsity(model) == pytest.approx((96 + 24) / 160)

    # without the masks the optimizer revives them
    revived = create_mlp(8, [16], 2, seed=0)
    prune_model(revived, 0.75)
    train_student(revived, x, y, epochs=1, learning_rate=1e-2, batch_size=16)
    assert calculate_sparsity(revived) < 0.1


def test_apply_masks_in_place_and_checked():
    model = Sequential([dense(np.ones((2, 2)), np.zeros(2))])
    array = values(model.layers[0].weights)
    apply_masks(model, [np.array([[True, False], [False, True]])])
    assert values(model.layers[0].weights) is array
    np.testing.assert_array_equal(array, [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError):
        apply_masks(model, [])
    with pytest.raises(ValueError):
        apply_masks(model, [np.ones((3, 2), dtype=bool)])


def test_apply_masks_converts_lists_and_numbers_to_booleans():
    model = Sequential([dense([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0]), dense([[5.0, 6.0], [7.0, 8.0]], [0.0, 0.0])])
    apply_masks(model, [[[True, False], [False, True]], np.array([[1, 0], [1, 1]])])
    np.testing.assert_array_equal(values(model.layers[0].weights), [[1.0, 0.0], [0.0, 4.0]])
    np.testing.assert_array_equal(values(model.layers[1].weights), [[5.0, 0.0], [7.0, 8.0]])


# --------------------------------------------------------------------------- structured pruning


def test_neuron_importance_is_column_l2_norm():
    np.testing.assert_allclose(neuron_importance(dense([[3.0, 1.0, 0.0], [4.0, 1.0, 0.0]])), [5.0, np.sqrt(2), 0.0])
    assert neuron_importance(dense(np.ones((2, 3)))).dtype == np.float64


def test_prune_neurons_keeps_kept_neurons_exact():
    model = create_mlp(6, [8, 5], 3, seed=7)
    w = values(model.layers[0].weights)
    w[:, [2, 5, 6]] *= 1e-3                      # the three weakest neurons of the first hidden layer
    x = Tensor(np.random.default_rng(1).standard_normal((10, 6)).astype(np.float32))
    small = prune_neurons(model, 0, keep=5)
    assert [(l.input_size, l.output_size) for l in dense_layers(small)] == [(6, 5), (5, 5), (5, 3)]
    hidden = values(model.layers[1](model.layers[0](x)))
    hidden_small = values(small.layers[1](small.layers[0](x)))
    np.testing.assert_allclose(hidden_small, hidden[:, [0, 1, 3, 4, 7]], rtol=0, atol=1e-6)
    assert values(model.layers[0].weights).shape == (6, 8), "the original is not modified"

    # dead neurons: removing them leaves the output unchanged
    model = create_mlp(6, [8, 5], 3, seed=8)
    values(model.layers[2].weights)[:, [0, 4]] = 0.0     # second hidden layer, neurons 0 and 4
    small = prune_neurons(model, 1, keep=3)
    np.testing.assert_allclose(values(small(x)), values(model(x)), rtol=0, atol=1e-5)
    assert dense_layers(small)[2].input_size == 3
    assert sum(values(p).size for p in small.parameters()) == 6 * 8 + 8 + 8 * 3 + 3 + 3 * 3 + 3


def test_prune_neurons_errors():
    model = create_mlp(4, [6], 2, seed=0)
    for layer_index, keep in ((1, 2), (-1, 2), (0, 0), (0, 7)):
        with pytest.raises(ValueError):
            prune_neurons(model, layer_index, keep)


def test_prune_neurons_boundaries_and_independence():
    model = create_mlp(4, [6, 5], 2, seed=3)
    x = Tensor(np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32))
    before = [values(p).copy() for p in model.parameters()]
    assert [(l.input_size, l.output_size) for l in dense_layers(prune_neurons(model, 0, keep=1))] == [(4, 1), (1, 5), (5, 2)]
    full = prune_neurons(model, 1, keep=5)
    np.testing.assert_allclose(values(full(x)), values(model(x)), rtol=0, atol=1e-6)
    for p in full.parameters():                     # the pruned copy shares nothing with the original
        values(p)[...] = 0.0
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(values(p), old)


# --------------------------------------------------------------------------- quantization


def test_symmetric_per_tensor_exact():
    q = quantize(np.array([-2.54, -1.0, 0.0, 0.5, 1.3]))
    assert isinstance(q, QuantizedTensor) and q.scheme == "symmetric" and q.axis is None
    assert q.values.dtype == np.int8 and q.values.tolist() == [-127, -50, 0, 25, 65]
    assert q.scale.dtype == np.float32 and q.scale.shape == () and float(q.scale) == np.float32(0.02)
    assert q.zero_point.tolist() == 0
    x_hat = dequantize(q)
    assert x_hat.dtype == np.float32
    np.testing.assert_allclose(x_hat, [-2.54, -1.0, 0.0, 0.5, 1.3], atol=1e-6)
    assert q.nbytes == 5 + 4


def test_affine_per_tensor_exact():
    q = quantize(np.array([-1.0, 0.0, 1.55]), scheme="affine")
    assert float(q.scale) == np.float32(0.01) and int(q.zero_point) == -28
    assert q.values.tolist() == [-128, -28, 127]
    np.testing.assert_allclose(dequantize(q), [-1.0, 0.0, 1.55], atol=1e-6)
    assert q.nbytes == 3 + 4 + 4
    q = quantize(np.array([0.0, 1.0, 2.0, 5.1]), scheme="affine")
    assert int(q.zero_point) == -128 and q.values.tolist() == [-128, -78, -28, 127]
    q = quantize(np.array([-5.1, -2.0, 0.0]), scheme="affine")      # all negative: 0 lands on 127
    assert int(q.zero_point) == 127 and q.values.tolist() == [-128, 27, 127]


def test_affine_clips_q_when_rounding_overshoots():
    s = float(np.float32(0.01))
    q = quantize(np.array([-(100.5 + 1e-6) * s, 0.0, (154.5 + 1e-6) * s]), scheme="affine")
    assert int(q.zero_point) == -27 and q.values.tolist() == [-128, -27, 127]   # 155 - 27 = 128 is clipped


def test_quantize_edge_values_and_inputs():
    q = quantize(np.zeros(3), scheme="affine")                  # hi == lo
    assert float(q.scale) == 1.0 and int(q.zero_point) == -128 and q.values.tolist() == [-128] * 3
    np.testing.assert_array_equal(dequantize(q), 0.0)
    q = quantize(np.array([[0.0, 2.0], [0.0, -1.0]]), per_channel=True)
    assert q.scale.tolist() == [[1.0, np.float32(2.0 / 127)]] and q.zero_point.dtype == np.int32
    assert quantize(np.ones(2)).zero_point.dtype == np.int32
    x32 = np.array([1.0, 0.035433072596788406, 0.04330708459019661], dtype=np.float32)
    assert quantize(x32).values.tolist() == [127, 5, 5]         # x / s in float64: 4.50000012 and 5.49999988
    np.testing.assert_array_equal(quantize(x32).values, quantize(x32.astype(np.float64)).values)
    x = np.array([[0.5, -2.0], [1.25, 0.1]])
    for scheme in ("symmetric", "affine"):
        quantize(x, scheme=scheme, per_channel=True)
    np.testing.assert_array_equal(x, [[0.5, -2.0], [1.25, 0.1]])   # the input is not modified
    assert quantize([[-1.0, 0.5]]).values.tolist() == [[-127, 64]]
    np.testing.assert_array_equal(quantize(x, per_channel=True, axis=-2).values, quantize(x, per_channel=True, axis=0).values)
    with pytest.raises(ValueError):
        quantize(np.zeros((0, 2)))


def test_per_channel_exact():
    w = np.array([[1.0, -0.1, 0.0], [-0.5, 0.04, 0.0], [0.25, 0.02, 0.0]])
    q = quantize(w, per_channel=True)
    assert q.axis == 1 and q.scale.shape == (1, 3) and q.zero_point.shape == (1, 3)
    np.testing.assert_allclose(q.scale, np.array([[1.0 / 127, 0.1 / 127, 1.0]], dtype=np.float32))
    assert q.values.tolist() == [[127, -127, 0], [-64, 51, 0], [32, 25, 0]]
    assert q.nbytes == 9 + 3 * 4
    q0 = quantize(w, scheme="affine", per_channel=True, axis=0)
    assert q0.axis == 0 and q0.scale.shape == (3, 1) and q0.nbytes == 9 + 3 * 4 + 3 * 4
    with pytest.raises(ValueError):
        quantize(w, per_channel=True, axis=2)
    with pytest.raises(ValueError):
        quantize(w, scheme="int4")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("scheme", ["symmetric", "affine"])
@pytest.mark.parametrize("per_channel, axis", [(False, -1), (True, 0), (True, -1)])
def test_error_bound_property(seed, scheme, per_channel, axis):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 40, size=2))
    x = (rng.standard_normal(shape) * rng.uniform(0.01, 10) + rng.uniform(-3, 3)).astype(np.float32)
    q = quantize(x, scheme=scheme, per_channel=per_channel, axis=axis)
    error = np.abs(x.astype(np.float64) - dequantize(q))
    bound = np.broadcast_to(q.scale.astype(np.float64) / 2, error.shape)
    assert np.all(error <= bound * (1 + 1e-4)), float(np.max(error / bound))
    assert q.values.dtype == np.int8
    lowest = -127 if scheme == "symmetric" else -128
    assert q.values.min() >= lowest and q.values.max() <= 127


def test_per_channel_beats_per_tensor_on_different_ranges():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((128, 4)) * np.array([3.0, 0.3, 0.03, 0.003])
    for scheme in ("symmetric", "affine"):
        per_tensor = dequantize(quantize(w, scheme))
        per_channel = dequantize(quantize(w, scheme, per_channel=True))
        tensor_error = np.abs(per_tensor - w).max(axis=0) / np.abs(w).max(axis=0)
        channel_error = np.abs(per_channel - w).max(axis=0) / np.abs(w).max(axis=0)
        assert np.all(channel_error <= 1 / 127 + 1e-6)      # at most one step of each channel's own range
        assert tensor_error[3] >= 0.5                        # the small channel is mostly erased per tensor
        assert np.mean((per_channel - w) ** 2) < np.mean((per_tensor - w) ** 2)


def test_zeros_survive_symmetric_quantization():
    pruned, _ = prune_weights_by_magnitude(np.random.default_rng(0).standard_normal((32, 16)), 0.9)
    for per_channel in (False, True):
        assert np.all(dequantize(quantize(pruned, per_channel=per_channel))[pruned == 0] == 0.0)


def test_quantized_model_forward_and_bytes():
    model = create_mlp(5, [4], 3, seed=2)
    values(model.layers[2].bias)[:] = [0.5, -0.5, 0.25]
    qmodel = quantize_model(model)
    assert isinstance(qmodel, QuantizedModel) and isinstance(qmodel.layers[0], QuantizedDense)
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    w1, w2 = dequantize(qmodel.layers[0].qweight), dequantize(qmodel.layers[2].qweight)
    expected = np.maximum(x @ w1, 0) @ w2 + np.array([0.5, -0.5, 0.25], np.float32)
    out = qmodel(Tensor(x))
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(values(out), expected, rtol=1e-6, atol=1e-6)
    assert qmodel.weight_nbytes == (20 + 4 * 4) + (12 + 3 * 4)
    assert qmodel.nbytes == qmodel.weight_nbytes + (4 + 3) * 4
    per_tensor_affine = quantize_model(model, scheme="affine", per_channel=False)
    assert per_tensor_affine.weight_nbytes == (20 + 4 + 4) + (12 + 4 + 4)


def test_quantized_dense_inputs():
    layer = QuantizedDense(dense([[1.0, -2.0, 0.5], [0.25, 1.0, -1.0]], [0.5, 0.0, -0.5]))
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    expected = x @ dequantize(layer.qweight) + layer.bias
    for given in (x, x.tolist(), Tensor(x.astype(np.float32)), Variable(x)):
        out = values(layer(given))
        assert out.dtype == np.float32 and out.shape == (2, 3)
        np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(values(layer(x[1])), expected[1], rtol=1e-6, atol=1e-6)   # one sample, shape (2,)
    for bad in (np.float32(1.0), np.ones((2, 3))):
        with pytest.raises(ValueError):
            layer(bad)


# --------------------------------------------------------------------------- distillation


def reference_distillation(z, t, y, T, alpha):
    log_ps = z / T - np.logaddexp.reduce(z / T, axis=1, keepdims=True)
    log_pt = t / T - np.logaddexp.reduce(t / T, axis=1, keepdims=True)
    kl = np.mean(np.sum(np.exp(log_pt) * (log_pt - log_ps), axis=1))
    log_p = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    return alpha * T * T * kl + (1 - alpha) * -np.mean(log_p[np.arange(len(y)), y])


@pytest.mark.parametrize("T, alpha", [(4.0, 0.5), (1.0, 0.0), (2.0, 1.0), (8.0, 0.9)])
def test_distillation_loss_value(T, alpha):
    rng = np.random.default_rng(int(T * 10 + alpha * 100))
    z, t = rng.standard_normal((7, 5)) * 4, rng.standard_normal((7, 5)) * 4
    y = rng.integers(0, 5, 7)
    loss = DistillationLoss(temperature=T, alpha=alpha)(Variable(z), Tensor(t), y)
    assert isinstance(loss, Variable) and loss.shape == ()
    assert float(values(loss)) == pytest.approx(reference_distillation(z, t, y, T, alpha), rel=1e-12, abs=1e-12)


def test_distillation_loss_hand_value():
    # teacher = student, so the KL term is 0; CE of logits [2, 0] with label 0 is log(1 + e^-2); alpha = 0.5
    z = np.array([[2.0, 0.0]])
    loss = DistillationLoss(temperature=2.0, alpha=0.5)(Variable(z), z, [0])
    assert float(values(loss)) == pytest.approx(0.5 * np.log(1 + np.exp(-2.0)), rel=1e-12)


@pytest.mark.parametrize("T, alpha", [(4.0, 0.5), (1.0, 0.7), (3.0, 1.0), (5.0, 0.0)])
def test_distillation_loss_gradcheck(T, alpha):
    rng = np.random.default_rng(1)
    t, y = rng.standard_normal((4, 6)) * 3, np.array([0, 5, 2, 2])
    loss_fn = DistillationLoss(temperature=T, alpha=alpha)
    assert gradcheck(lambda s: loss_fn(s, t, y), [Variable(rng.standard_normal((4, 6)) * 2)])


def test_distillation_gradient_formula_and_t_squared():
    rng = np.random.default_rng(2)
    z, t, y = rng.standard_normal((8, 10)) * 3, rng.standard_normal((8, 10)) * 3, rng.integers(0, 10, 8)
    T, alpha = 4.0, 0.3
    s = Variable(z.copy(), requires_grad=True)
    DistillationLoss(T, alpha)(s, t, y).backward()
    softmax = lambda a: np.exp(a - np.logaddexp.reduce(a, axis=1, keepdims=True))  # noqa: E731
    onehot = np.eye(10)[y]
    expected = (alpha * T * (softmax(z / T) - softmax(t / T)) + (1 - alpha) * (softmax(z) - onehot)) / 8
    np.testing.assert_allclose(s.grad.data.data, expected, rtol=1e-10, atol=1e-12)
    # with the T² factor the soft gradient keeps its size as T grows; without it, it would shrink like 1/T²
    norms = []
    for T in (4.0, 8.0, 16.0):
        v = Variable(z.copy(), requires_grad=True)
        DistillationLoss(T, 1.0)(v, t, y).backward()
        norms.append(np.linalg.norm(v.grad.data.data))
    assert max(norms) / min(norms) < 1.2


def test_distillation_loss_dtypes_and_errors():
    z = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    s = Variable(z, requires_grad=True)
    loss = DistillationLoss()(s, z * 2, np.array([1, 2, 3]))
    loss.backward()
    assert s.grad.data.data.dtype == np.float32
    assert isinstance(DistillationLoss()(Tensor(z), z, [0, 1, 2]), Tensor)
    for bad in (lambda: DistillationLoss(temperature=-1.0), lambda: DistillationLoss(alpha=-0.1),
                lambda: DistillationLoss()(Variable(z), z[:2], [0, 1, 2]),
                lambda: DistillationLoss()(Variable(z), z, [0, 1, 4])):
        with pytest.raises(ValueError):
            bad()
    for bad in (lambda: DistillationLoss()(Variable(z), z[:1], [0, 1, 2]),     # would broadcast
                lambda: DistillationLoss()(Variable(z[0]), z[0], [0])):
        with pytest.raises(ValueError):
            bad()


@pytest.mark.parametrize("make", [Variable, Tensor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_distillation_loss_keeps_the_float_dtype(make, dtype):
    z = np.random.default_rng(1).standard_normal((3, 4)).astype(dtype)
    assert values(DistillationLoss()(make(z), z[::-1], [0, 1, 2])).dtype == dtype


def test_distillation_loss_computes_in_float64():
    rng = np.random.default_rng(3)
    z = (1e6 + rng.integers(-3, 4, size=(5, 6))).astype(np.float32)   # near 1e6, float32 z / T is off by ~0.01
    t = (1e6 + rng.integers(-3, 4, size=(5, 6))).astype(np.float32)
    y = rng.integers(0, 6, 5)
    got = float(values(DistillationLoss(3.0, 0.5)(Variable(z), t, y)))
    assert got == pytest.approx(reference_distillation(z.astype(np.float64), t.astype(np.float64), y, 3.0, 0.5), rel=1e-6)


# --------------------------------------------------------------------------- metrics


def test_metrics_bytes_float_and_int8():
    model = Sequential([dense(np.arange(12.0).reshape(3, 4), np.zeros(4)), dense(np.ones((4, 2)), [1.0, 0.0])])
    m = CompressionMetrics.measure(model)
    assert (m.parameters, m.nonzero, m.bytes) == (12 + 4 + 8 + 2, 11 + 8 + 1, 26 * 4)
    assert m.sparsity == pytest.approx(1 / 20) and m.accuracy is None
    q = CompressionMetrics.measure(quantize_model(model))
    assert q.parameters == 26 and q.nonzero == 20
    assert q.bytes == (12 + 4 * 4 + 4 * 4) + (8 + 2 * 4 + 2 * 4)       # int8 + scales + float32 bias, per layer
    assert set(m.as_dict()) == {"parameters", "nonzero", "bytes", "sparsity", "accuracy"}


def test_metrics_accuracy():
    model = Sequential([dense(np.eye(3), np.zeros(3))])
    x = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    m = CompressionMetrics.measure(model, x, np.array([0, 2, 0, 0]))
    assert m.accuracy == 0.75
    assert evaluate_accuracy(model, x, [0, 2, 1, 0]) == 1.0


# --------------------------------------------------------------------------- the three results on digits


@pytest.fixture(scope="module")
def digits_teacher():
    """The mlp-digits model and recipe (tito/milestones/train.py), trained once."""
    x_train, y_train, x_test, y_test = load_digits()
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-2
    x_train, x_test = (((x - mean) / std).astype(np.float32) for x in (x_train, x_test))
    teacher = create_mlp(64, [256, 256], 10, seed=0)
    optimizer = Adam(teacher.parameters(), learning_rate=2e-3)
    schedule = StepLR(optimizer, step_size=5, gamma=0.5)
    Trainer(teacher, optimizer, CrossEntropyLoss()).fit(
        DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, seed=0), epochs=20,
        on_epoch_end=lambda epoch, logs: schedule.step())
    accuracy = evaluate_accuracy(teacher, x_test, y_test)
    assert accuracy >= 0.98, f"the mlp-digits recipe should reach 98% (got {accuracy:.4f})"
    logits = values(teacher(Tensor(x_train)))
    return teacher, logits, accuracy, (x_train, y_train, x_test, y_test)


def test_digits_prune_90_percent(digits_teacher):
    teacher, logits, accuracy, (x_train, y_train, x_test, y_test) = digits_teacher
    pruned = clone_model(teacher)
    masks = prune_model(pruned, 0.9)
    train_student(pruned, x_train, y_train, epochs=10, learning_rate=1e-2, step_size=3, teacher_logits=logits,
                  loss=DistillationLoss(4.0, 0.5), masks=masks, seed=0)
    m = CompressionMetrics.measure(pruned, x_test, y_test)
    assert m.sparsity >= 0.9 and m.nonzero == 85002 - 76032
    assert m.accuracy >= accuracy - 0.01
    assert calculate_sparsity(teacher) == 0.0


def test_digits_int8(digits_teacher):
    teacher, _, accuracy, (_, _, x_test, y_test) = digits_teacher
    qmodel = quantize_model(teacher)
    m = CompressionMetrics.measure(qmodel, x_test, y_test)
    float_bytes = sum(values(layer.weights).nbytes for layer in dense_layers(teacher))
    assert float_bytes == 337920 and qmodel.weight_nbytes == 84480 + 522 * 4
    assert 3.9 <= float_bytes / qmodel.weight_nbytes <= 4.0
    assert m.bytes == 84480 + 522 * 4 + 522 * 4
    assert m.accuracy >= accuracy - 0.005


def test_digits_distilled_student(digits_teacher):
    teacher, logits, accuracy, (x_train, y_train, x_test, y_test) = digits_teacher
    student = create_mlp(64, [32], 10, seed=1)
    train_student(student, x_train, y_train, epochs=20, learning_rate=1e-2, step_size=5, teacher_logits=logits,
                  loss=DistillationLoss(4.0, 0.5), seed=0)
    m = CompressionMetrics.measure(student, x_test, y_test)
    assert CompressionMetrics.measure(teacher).parameters / m.parameters >= 4
    assert m.accuracy >= 0.95 * accuracy
