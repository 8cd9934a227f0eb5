"""Tests of the exported `tinytorch.core.optimizers` and `tinytorch.core.training`.

Needs the package built from the module sources: `tito export tensor autograd optimizers training`
(and, for the end-to-end tests at the bottom, `activations layers networks dataloader`).

The optimizers are compared step by step with independent numpy implementations written
here in PyTorch's own formulation (e.g. Adam's `step_size = lr / bias_correction1`,
`denom = sqrt(v) / sqrt(bias_correction2) + eps`), and the losses with references that do
not use the max-shift trick (`np.logaddexp.reduce`).
"""

from __future__ import annotations

import os
import pathlib
import warnings

import numpy as np
import pytest

from tinytorch.core.autograd import Variable, gradcheck
from tinytorch.core.optimizers import SGD, Adam, AdamW, Optimizer, StepLR
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import (
    Accuracy,
    BinaryCrossEntropyLoss,
    CrossEntropyLoss,
    MeanSquaredError,
    Trainer,
    load_checkpoint,
    save_checkpoint,
)


def values(x) -> np.ndarray:
    return x.data.data if isinstance(x, Variable) else np.asarray(x.data)


# --------------------------------------------------------------------------- references


def reference_sgd(params, grads_per_step, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    """torch.optim.SGD (dampening 0), on plain arrays."""
    params = [np.array(p, dtype=np.float64) for p in params]
    bufs = [None] * len(params)
    history = []
    for grads in grads_per_step:
        for i, g in enumerate(grads):
            if g is None:
                continue
            d_p = g + weight_decay * params[i] if weight_decay else g
            if momentum:
                bufs[i] = d_p.copy() if bufs[i] is None else momentum * bufs[i] + d_p
                d_p = d_p + momentum * bufs[i] if nesterov else bufs[i]
            params[i] = params[i] - lr * d_p
        history.append([p.copy() for p in params])
    return history


def reference_adam(params, grads_per_step, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False):
    """torch.optim.Adam (amsgrad False), or torch.optim.AdamW with decoupled=True; per-parameter
    step counts, on plain arrays."""
    params = [np.array(p, dtype=np.float64) for p in params]
    state = [dict(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p)) for p in params]
    history = []
    for grads in grads_per_step:
        for i, g in enumerate(grads):
            if g is None:
                continue
            s = state[i]
            if weight_decay and decoupled:
                params[i] = params[i] * (1 - lr * weight_decay)
            elif weight_decay:
                g = g + weight_decay * params[i]
            s["step"] += 1
            s["exp_avg"] = s["exp_avg"] * beta1 + (1 - beta1) * g
            s["exp_avg_sq"] = s["exp_avg_sq"] * beta2 + (1 - beta2) * g * g
            bias_correction1 = 1 - beta1 ** s["step"]
            bias_correction2 = 1 - beta2 ** s["step"]
            step_size = lr / bias_correction1
            denom = np.sqrt(s["exp_avg_sq"]) / np.sqrt(bias_correction2) + eps
            params[i] = params[i] - step_size * s["exp_avg"] / denom
        history.append([p.copy() for p in params])
    return history


def run_optimizer(make, start, grads_per_step):
    """Feed prescribed gradients to a real optimizer: loss = Σ g·p has gradient g."""
    ps = [Variable(np.array(p, dtype=np.float64), requires_grad=True) for p in start]
    opt = make(ps)
    history = []
    for grads in grads_per_step:
        opt.zero_grad()
        terms = [(p * g).sum() for p, g in zip(ps, grads) if g is not None]
        if terms:
            total = terms[0]
            for t in terms[1:]:
                total = total + t
            total.backward()
        opt.step()
        history.append([values(p).copy() for p in ps])
    return history


def random_problem(seed, steps=8, skip=False):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(())]
    grads = []
    for step in range(steps):
        row = [rng.standard_normal(p.shape) * 10.0 ** rng.integers(-3, 3) for p in start]
        if skip and step % 3 == 1:
            row[1] = None          # the bias gets no gradient on some steps
        grads.append(row)
    return start, grads


def assert_histories_close(got, want, rtol=1e-10, atol=1e-12):
    for step, (g_row, w_row) in enumerate(zip(got, want)):
        for i, (g, w) in enumerate(zip(g_row, w_row)):
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=f"step {step + 1}, parameter {i}")


# --------------------------------------------------------------------------- optimizers: maths


@pytest.mark.parametrize("momentum, weight_decay", [(0.0, 0.0), (0.9, 0.0), (0.0, 0.01), (0.5, 0.1)])
@pytest.mark.parametrize("skip", [False, True])
def test_sgd_matches_the_pytorch_algorithm(momentum, weight_decay, skip):
    start, grads = random_problem(1, skip=skip)
    got = run_optimizer(lambda ps: SGD(ps, learning_rate=0.05, momentum=momentum, weight_decay=weight_decay),
                        start, grads)
    want = reference_sgd(start, grads, 0.05, momentum, weight_decay)
    assert_histories_close(got, want)


@pytest.mark.parametrize("kwargs", [{}, {"beta1": 0.5, "beta2": 0.9}, {"weight_decay": 0.01}, {"epsilon": 1e-3}])
@pytest.mark.parametrize("skip", [False, True])
def test_adam_matches_the_pytorch_algorithm(kwargs, skip):
    start, grads = random_problem(2, steps=12, skip=skip)
    ref = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
    ref.update({("eps" if k == "epsilon" else k): v for k, v in kwargs.items()})
    got = run_optimizer(lambda ps: Adam(ps, learning_rate=0.01, **kwargs), start, grads)
    want = reference_adam(start, grads, 0.01, **ref)
    assert_histories_close(got, want)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("skip", [False, True])
def test_sgd_nesterov_matches_the_pytorch_algorithm(weight_decay, skip):
    start, grads = random_problem(3, skip=skip)
    got = run_optimizer(lambda ps: SGD(ps, learning_rate=0.05, momentum=0.9, weight_decay=weight_decay, nesterov=True),
                        start, grads)
    want = reference_sgd(start, grads, 0.05, 0.9, weight_decay, nesterov=True)
    assert_histories_close(got, want)


@pytest.mark.parametrize("kwargs", [{}, {"weight_decay": 0.1}, {"weight_decay": 1.0}, {"beta1": 0.5, "beta2": 0.9},
                                    {"weight_decay": 0.0}])
@pytest.mark.parametrize("skip", [False, True])
def test_adamw_matches_the_pytorch_algorithm(kwargs, skip):
    start, grads = random_problem(4, steps=10, skip=skip)
    ref = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}
    ref.update(kwargs)
    got = run_optimizer(lambda ps: AdamW(ps, learning_rate=0.02, **kwargs), start, grads)
    want = reference_adam(start, grads, 0.02, decoupled=True, **ref)
    assert_histories_close(got, want)


def test_nesterov_needs_momentum_and_a_bool():
    w = Variable([1.0])
    with pytest.raises(ValueError, match="momentum"):
        SGD([w], learning_rate=0.1, nesterov=True)
    with pytest.raises(TypeError):
        SGD([w], learning_rate=0.1, momentum=0.9, nesterov="yes")
    assert SGD([w], learning_rate=0.1, momentum=0.9).nesterov is False


def test_adamw_defaults_and_decay_by_hand():
    w = Variable([2.0, -3.0], requires_grad=True)
    opt = AdamW([w], learning_rate=0.1, weight_decay=1.0)
    assert isinstance(opt, Adam) and isinstance(opt, Optimizer)
    (w * np.array([1.0, 1.0])).sum().backward()
    opt.step()
    np.testing.assert_allclose(values(w), [1.7, -2.8], atol=1e-8)        # 0.9 · w, then -0.1 · sign(g)
    default = AdamW([w])
    assert (default.learning_rate, default.weight_decay, default.beta1, default.beta2, default.epsilon) == (
        1e-3, 0.01, 0.9, 0.999, 1e-8)
    frozen = Variable([5.0], requires_grad=True)
    opt = AdamW([w, frozen], learning_rate=0.1, weight_decay=0.5)
    opt.zero_grad()
    (w * 1.0).sum().backward()
    opt.step()
    assert values(frozen).tolist() == [5.0], "a parameter without a gradient is not decayed"
    with pytest.raises(ValueError):
        AdamW([w], weight_decay=-1.0)


def feed_in_place(make, start, grads):
    """Like run_optimizer, but after the first backward every step rewrites the gradient arrays
    in place (zero_grad(set_to_none=False) style), so state aliasing a gradient array shows."""
    ps = [Variable(np.array(p), requires_grad=True) for p in start]
    opt = make(ps)
    total = (ps[0] * grads[0][0]).sum()
    for p, g in zip(ps[1:], grads[0][1:]):
        total = total + (p * g).sum()
    total.backward()
    history = []
    for step, row in enumerate(grads):
        if step:
            for p, g in zip(ps, row):
                values(p.grad)[...] = g
        opt.step()
        history.append([values(p).copy() for p in ps])
        for p, g in zip(ps, row):
            assert np.array_equal(values(p.grad), g), "step() changed a gradient array"
    return history, opt


def same_shape_problem(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(shape).astype(dtype) for shape in ((2, 3), (2, 3), (2, 3), (3,))]
    grads = [[rng.standard_normal(x.shape).astype(dtype) for x in start] for _ in range(5)]
    grads[2] = [np.zeros_like(x) for x in start]           # zeroed in place before step 3
    return start, grads


@pytest.mark.parametrize("make, reference", [
    (lambda ps: SGD(ps, learning_rate=0.1, momentum=0.9),
     lambda s, g: reference_sgd(s, g, 0.1, 0.9)),
    (lambda ps: SGD(ps, learning_rate=0.1, momentum=0.9, nesterov=True),
     lambda s, g: reference_sgd(s, g, 0.1, 0.9, nesterov=True)),
    (lambda ps: SGD(ps, learning_rate=0.1, momentum=0.5, weight_decay=1.0),
     lambda s, g: reference_sgd(s, g, 0.1, 0.5, 1.0)),
    (lambda ps: Adam(ps, learning_rate=0.01),
     lambda s, g: reference_adam(s, g, 0.01)),
    (lambda ps: AdamW(ps, learning_rate=0.01, weight_decay=1.0),
     lambda s, g: reference_adam(s, g, 0.01, weight_decay=1.0, decoupled=True)),
])
def test_state_is_per_parameter_and_never_a_gradient_array(make, reference):
    start, grads = same_shape_problem(11)
    got, _ = feed_in_place(make, start, grads)
    assert_histories_close(got, reference(start, grads))


@pytest.mark.parametrize("make, state", [
    (lambda ps: SGD(ps, learning_rate=0.1, momentum=0.9, weight_decay=0.01), lambda o: o.velocities),
    (lambda ps: SGD(ps, learning_rate=0.1, momentum=0.9, nesterov=True), lambda o: o.velocities),
    (lambda ps: Adam(ps, learning_rate=0.01, weight_decay=0.01), lambda o: o.m + o.v),
    (lambda ps: AdamW(ps, learning_rate=0.01), lambda o: o.m + o.v),
])
def test_float32_parameters_keep_float32_state(make, state):
    start, grads = same_shape_problem(12, dtype=np.float32)
    got, opt = feed_in_place(make, start, grads)
    assert all(values(p).dtype == np.float32 for p in opt.parameters)
    assert all(array.dtype == np.float32 for array in state(opt))


def test_sgd_momentum_by_hand():
    p = Variable(1.0, requires_grad=True)
    opt = SGD([p], learning_rate=0.1, momentum=0.9)
    for want in (0.8, 0.46, 0.062):
        opt.zero_grad()
        (p * p).backward()
        opt.step()
        assert values(p).item() == pytest.approx(want, abs=1e-12)


def test_adam_first_step_is_lr_times_sign():
    g = np.array([1e4, -3.0, 2e-5, -1e-9])
    w = Variable(np.zeros(4), requires_grad=True)
    opt = Adam([w], learning_rate=0.001)
    (w * g).sum().backward()
    opt.step()
    np.testing.assert_allclose(values(w), -0.001 * g / (np.abs(g) + 1e-8), rtol=1e-13, atol=0)
    assert np.allclose(values(w)[:3], -0.001 * np.sign(g[:3]), rtol=1e-3)


def test_updates_are_in_place_and_keep_dtype():
    for make in (lambda ps: SGD(ps, learning_rate=0.1, momentum=0.9, weight_decay=0.01),
                 lambda ps: SGD(ps, learning_rate=0.1, momentum=0.9, nesterov=True),
                 lambda ps: Adam(ps, learning_rate=0.1, weight_decay=0.01),
                 lambda ps: AdamW(ps, learning_rate=0.1)):
        w = Variable(np.ones((2, 3), dtype=np.float32), requires_grad=True)
        array, tensor = values(w), w.data
        alias = Tensor(array)                     # anything else sharing the array
        opt = make([w])
        for _ in range(3):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
        assert w.data is tensor and values(w) is array
        assert values(w).dtype == np.float32
        assert np.array_equal(alias.data, values(w)) and not np.allclose(values(w), 1.0)
        assert w.grad_fn is None and w.is_leaf, "the update must not put the parameter into a graph"


def test_step_does_not_touch_gradients_or_state_of_skipped_parameters():
    a = Variable([1.0, 2.0], requires_grad=True)
    b = Variable([3.0], requires_grad=True)
    for opt in (SGD([a, b], learning_rate=0.1, momentum=0.9), SGD([a, b], learning_rate=0.1, momentum=0.9, nesterov=True),
                Adam([a, b], learning_rate=0.1), AdamW([a, b], learning_rate=0.1, weight_decay=0.1)):
        opt.zero_grad()
        (a * np.array([1.0, -1.0])).sum().backward()
        grad = values(a.grad).copy()
        before_b = values(b).copy()
        opt.step()
        opt.step()
        assert np.array_equal(values(a.grad), grad)
        assert np.array_equal(values(b), before_b)
    adam = Adam([a, b], learning_rate=0.1)
    (a * 1.0).sum().backward()
    adam.step()
    assert adam.steps == [1, 0]


def test_duplicate_parameters_are_updated_once():
    w = Variable([1.0], requires_grad=True)
    opt = SGD([w, w], learning_rate=0.5)
    (w * 2.0).sum().backward()
    opt.step()
    assert values(w).tolist() == [0.0]


def test_zero_grad_sets_none():
    w = Variable([1.0, 2.0], requires_grad=True)
    for opt in (SGD([w], learning_rate=0.1), Adam([w])):
        (w * w).sum().backward()
        opt.zero_grad()
        assert w.grad is None


@pytest.mark.parametrize("make, error", [
    (lambda w: SGD([w], learning_rate=0.0), ValueError),
    (lambda w: SGD([w], learning_rate=-1e-3), ValueError),
    (lambda w: SGD([w], learning_rate=float("inf")), ValueError),
    (lambda w: SGD([w], learning_rate="0.1"), TypeError),
    (lambda w: SGD([w], learning_rate=0.1, momentum=1.0), ValueError),
    (lambda w: SGD([w], learning_rate=0.1, momentum=-0.5), ValueError),
    (lambda w: SGD([w], learning_rate=0.1, weight_decay=-1.0), ValueError),
    (lambda w: Adam([w], beta1=1.0), ValueError),
    (lambda w: Adam([w], beta2=1.5), ValueError),
    (lambda w: Adam([w], epsilon=-1.0), ValueError),
    (lambda w: Adam([w], learning_rate=0), ValueError),
    (lambda w: AdamW([w], beta1=-0.1), ValueError),
    (lambda w: SGD([w], learning_rate=0.1, momentum=0.0, nesterov=True), ValueError),
    (lambda w: SGD([], learning_rate=0.1), ValueError),
    (lambda w: SGD(w, learning_rate=0.1), TypeError),
    (lambda w: SGD(None, learning_rate=0.1), TypeError),
])
def test_bad_hyper_parameters_are_refused(make, error):
    with pytest.raises(error):
        make(Variable([1.0], requires_grad=True))


def test_tensor_parameter_error_explains_the_fix():
    with pytest.raises(TypeError, match="module 07") as info:
        Adam([Variable([1.0]), Tensor([1.0, 2.0])])
    assert "parameter 1" in str(info.value) and "Parameter" in str(info.value)


def test_optimizer_base_class_and_repr():
    assert issubclass(SGD, Optimizer) and issubclass(Adam, Optimizer) and issubclass(AdamW, Adam)
    opt = SGD([Variable([1.0])], learning_rate=0.1)
    assert "SGD" in repr(opt) and opt.learning_rate == 0.1


# --------------------------------------------------------------------------- optimizers: convergence


def quadratic_minimum(make, steps):
    target = np.array([3.0, -2.0, 0.5])
    scale = np.array([1.0, 10.0, 0.3])
    w = Variable(np.zeros(3), requires_grad=True)
    opt = make([w])
    for _ in range(steps):
        opt.zero_grad()
        d = w - target
        (d * d * scale).sum().backward()
        opt.step()
    return values(w), target


@pytest.mark.parametrize("make, steps", [
    (lambda ps: SGD(ps, learning_rate=0.04), 800),
    (lambda ps: SGD(ps, learning_rate=0.02, momentum=0.9), 400),
    (lambda ps: Adam(ps, learning_rate=0.05), 1500),
    (lambda ps: SGD(ps, learning_rate=0.02, momentum=0.9, nesterov=True), 400),
    (lambda ps: AdamW(ps, learning_rate=0.05, weight_decay=0.0), 1500),
])
def test_optimizers_converge_to_a_known_minimum(make, steps):
    got, target = quadratic_minimum(make, steps)
    np.testing.assert_allclose(got, target, atol=1e-6)


def test_adam_solves_rosenbrock():
    x, y = Variable(-1.5, requires_grad=True), Variable(2.0, requires_grad=True)
    opt = Adam([x, y], learning_rate=0.02)
    for _ in range(3000):
        opt.zero_grad()
        a, b = 1.0 - x, y - x * x
        (a * a + b * b * 100.0).backward()
        opt.step()
    assert values(x).item() == pytest.approx(1.0, abs=1e-3)
    assert values(y).item() == pytest.approx(1.0, abs=2e-3)


def test_step_lr_schedule():
    w = Variable([1.0])
    opt = SGD([w], learning_rate=0.1)
    sched = StepLR(opt, step_size=3, gamma=0.5)
    rates = [sched.get_lr()]
    for _ in range(9):
        sched.step()
        rates.append(opt.learning_rate)
    np.testing.assert_allclose(rates, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125], rtol=1e-14)
    assert sched.last_epoch == 9 and sched.get_lr() == pytest.approx(0.0125)
    for step_size in (1, 2, 4):                       # the decay happens exactly at multiples of step_size
        sched = StepLR(SGD([w], learning_rate=1.0), step_size=step_size, gamma=0.5)
        for epoch in range(1, 3 * step_size + 1):
            sched.step()
            assert sched.optimizer.learning_rate == 0.5 ** (epoch // step_size)
    with pytest.raises(ValueError):
        StepLR(opt, step_size=0)
    with pytest.raises(ValueError):
        StepLR(opt, step_size=1, gamma=-0.1)
    with pytest.raises(TypeError):
        StepLR("not an optimizer", step_size=1)


# --------------------------------------------------------------------------- losses


def reference_cross_entropy(z, y):
    z = np.asarray(z, dtype=np.float64)
    log_norm = np.logaddexp.reduce(z, axis=1)           # no max-shift trick: independent of the module
    return float(np.mean(log_norm - z[np.arange(len(y)), y]))


@pytest.mark.parametrize("seed", range(5))
def test_cross_entropy_matches_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    n, c = rng.integers(1, 20), rng.integers(2, 12)
    z = rng.standard_normal((n, c)) * rng.uniform(0.1, 50)
    y = rng.integers(0, c, n)
    loss = CrossEntropyLoss()(Variable(z), Tensor(y))
    assert isinstance(loss, Variable) and loss.shape == ()
    assert values(loss).item() == pytest.approx(reference_cross_entropy(z, y), rel=1e-12, abs=1e-12)


def test_cross_entropy_gradient():
    rng = np.random.default_rng(10)
    z = rng.standard_normal((6, 5)) * 4
    y = rng.integers(0, 5, 6)
    assert gradcheck(lambda q: CrossEntropyLoss()(q, y), [Variable(z)])
    logits = Variable(z, requires_grad=True)
    loss = CrossEntropyLoss()(logits, y)
    assert loss._parents == (logits,) and loss.grad_fn.__name__ == "cross_entropy_backward"
    loss.backward()
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    softmax[np.arange(6), y] -= 1
    np.testing.assert_allclose(values(logits.grad), softmax / 6, rtol=1e-10, atol=1e-14)


def test_cross_entropy_extreme_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0], [1e4, 0.0, -1e4]])
    y = np.array([1, 2, 0])
    logits = Variable(z, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # no overflow RuntimeWarning allowed
        loss = CrossEntropyLoss()(logits, y)
        loss.backward()
    assert values(loss).item() == pytest.approx((2000.0 + np.log(2.0) + 0.0) / 3, rel=1e-12)
    assert np.all(np.isfinite(values(logits.grad)))
    assert np.all(np.abs(values(logits.grad)) <= 1.0 / 3 + 1e-12)


def test_cross_entropy_float32_and_tensor_inputs():
    z = np.random.default_rng(4).standard_normal((8, 3)).astype(np.float32)
    y = np.arange(8) % 3
    w = Variable(z, requires_grad=True)
    loss = CrossEntropyLoss()(w, y)
    loss.backward()
    assert values(loss).dtype == np.float32 and values(w.grad).dtype == np.float32
    t = CrossEntropyLoss()(Tensor(z), Tensor(y))
    assert type(t) is Tensor and float(t.data) == pytest.approx(reference_cross_entropy(z, y), rel=1e-6)


@pytest.mark.parametrize("labels, match", [
    ([0, 1, 5], "not a class index"),
    ([0, -1, 1], "not a class index"),
    (np.ones((3, 3)), "sum to 1"),
    (np.eye(3) * 0.5 - 0.1, r"\[0, 1\]"),
    (np.full((3, 3), np.nan), r"\[0, 1\]"),
    (np.full((3, 4), 0.25), r"\(3,\).*\(3, 3\)"),
    (np.eye(3, dtype=bool), "dtype bool"),
    ([0, 1], r"\(3,\)"),
    ([0.0, 1.5, 2.0], "whole numbers"),
])
def test_cross_entropy_label_errors(labels, match):
    with pytest.raises(ValueError, match=match):
        CrossEntropyLoss()(Variable(np.zeros((3, 3))), labels)


def test_cross_entropy_logits_must_be_2d():
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        CrossEntropyLoss()(Variable(np.zeros(3)), [0])


def test_mse_values_gradient_and_shape_check():
    rng = np.random.default_rng(5)
    p, t = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    loss = MeanSquaredError()(Variable(p), Tensor(t))
    assert values(loss).item() == pytest.approx(np.mean((p - t) ** 2), rel=1e-12)
    assert gradcheck(lambda q: MeanSquaredError()(q, t), [Variable(p)])
    assert type(MeanSquaredError()(Tensor(p), Tensor(t))) is Tensor
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        MeanSquaredError()(Variable(np.zeros((4, 1))), np.zeros(4))


def test_cross_entropy_probability_targets():
    rng = np.random.default_rng(8)
    z = rng.standard_normal((7, 5)) * 3
    t = np.exp(rng.standard_normal((7, 5)))
    t /= t.sum(axis=1, keepdims=True)
    log_softmax = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    logits = Variable(z, requires_grad=True)
    loss = CrossEntropyLoss()(logits, Tensor(t))
    assert values(loss).item() == pytest.approx(-(t * log_softmax).sum(axis=1).mean(), rel=1e-12)
    loss.backward()
    np.testing.assert_allclose(values(logits.grad), (np.exp(log_softmax) - t) / 7, rtol=1e-10, atol=1e-15)
    assert gradcheck(lambda q: CrossEntropyLoss()(q, t), [Variable(z.copy())])
    y = rng.integers(0, 5, 7)
    assert values(CrossEntropyLoss()(Variable(z), np.eye(5)[y])).item() == pytest.approx(reference_cross_entropy(z, y), rel=1e-12)


@pytest.mark.parametrize("targets", ["indices", "probabilities"])
def test_cross_entropy_backward_is_repeatable_and_leaves_inputs_alone(targets):
    rng = np.random.default_rng(9)
    z = rng.standard_normal((6, 4))
    y = rng.integers(0, 4, 6) if targets == "indices" else np.full((6, 4), 0.25)
    z0, y0 = z.copy(), y.copy()
    logits = Variable(z, requires_grad=True)
    loss = CrossEntropyLoss()(logits, y)
    loss.backward()
    first = values(logits.grad).copy()
    logits.grad = None
    loss.backward()
    np.testing.assert_array_equal(values(logits.grad), first)
    logits.grad = None
    CrossEntropyLoss()(logits, y).backward()
    np.testing.assert_array_equal(values(logits.grad), first)
    np.testing.assert_array_equal(z, z0)
    np.testing.assert_array_equal(y, y0)


def reference_bce(p, t):
    """torch.nn.functional.binary_cross_entropy: logs clamped at -100, log1p for log(1 - p)."""
    with np.errstate(divide="ignore"):
        return -np.mean(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))


def test_bce_values_gradient_and_clamp():
    rng = np.random.default_rng(6)
    p = rng.uniform(0.02, 0.98, (5, 3))
    t = rng.integers(0, 2, (5, 3)).astype(np.float64)
    loss = BinaryCrossEntropyLoss()(Variable(p), t)
    assert values(loss).item() == pytest.approx(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)), rel=1e-12)
    assert gradcheck(lambda q: BinaryCrossEntropyLoss()(q, t), [Variable(p)])
    edge = Variable([0.0, 1.0, 0.0, 1.0, 1e-50], requires_grad=True)
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = BinaryCrossEntropyLoss()(edge, target)
        out.backward()
    assert values(out).item() == pytest.approx(300.0 / 5, rel=1e-12)          # three logs clamped at -100
    np.testing.assert_allclose(values(edge.grad), [-1e12 / 5, 1e12 / 5, 0.0, 0.0, -1e12 / 5], rtol=1e-9)
    first = values(edge.grad).copy()
    edge.grad = None
    out.backward()
    np.testing.assert_array_equal(values(edge.grad), first)
    assert values(BinaryCrossEntropyLoss()(Variable([1e-20]), [0.0])).item() == pytest.approx(1e-20, rel=1e-9)
    with pytest.raises(ValueError, match="Sigmoid"):
        BinaryCrossEntropyLoss()(Variable([2.0]), [1.0])
    with pytest.raises(ValueError, match="Sigmoid"):
        BinaryCrossEntropyLoss()(Variable([np.nan]), [1.0])
    for bad in ([1.5], [-0.5], [np.nan]):
        with pytest.raises(ValueError, match="targets"):
            BinaryCrossEntropyLoss()(Variable([0.5]), bad)


def test_losses_keep_float32():
    rng = np.random.default_rng(13)
    z = rng.standard_normal((6, 3)).astype(np.float32)
    p = rng.uniform(0.01, 0.99, (6, 1)).astype(np.float32)
    cases = [(CrossEntropyLoss(), z, np.arange(6) % 3), (CrossEntropyLoss(), z, np.full((6, 3), 1 / 3, dtype=np.float32)),
             (BinaryCrossEntropyLoss(), p, (np.arange(6) % 2).reshape(6, 1).astype(np.float32)),
             (MeanSquaredError(), p, np.ones((6, 1), dtype=np.float32))]
    for loss_fn, x, y in cases:
        v = Variable(x.copy(), requires_grad=True)
        loss = loss_fn(v, y)
        loss.backward()
        assert values(loss).dtype == np.float32 and values(v.grad).dtype == np.float32, repr(loss_fn)
        assert values(loss_fn(Tensor(x), y)).dtype == np.float32, repr(loss_fn)


def test_accuracy():
    acc = Accuracy()
    assert acc(Tensor([[1.0, 1.0, 0.0]]), [0]) == 1.0                      # ties: the first class
    assert acc(Tensor([0.5, 0.0, 1.0]), [0, 0, 1]) == 1.0                 # p = 0.5 is class 0; [0, 1] is probabilities
    assert acc(Tensor([0.0, 2.0]), [0, 1]) == 1.0                         # logits: 0 is class 0
    assert type(acc(Tensor([[0.1, 0.9]]), [1])) is float
    assert acc(Tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), Tensor([1, 0, 0])) == pytest.approx(2 / 3)
    assert acc(Variable(np.array([[5.0], [-5.0]])), np.array([1, 0])) == 1.0
    assert acc(np.array([0.7, 0.2]), np.array([[1], [1]])) == 0.5
    assert acc(Tensor(np.eye(4)), Tensor(np.eye(4))) == 1.0
    with pytest.raises(ValueError):
        acc(Tensor(np.zeros((3, 2))), Tensor([0, 1]))


# --------------------------------------------------------------------------- Trainer


class LinearModel:
    def __init__(self, n_in, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.w = Variable(rng.standard_normal((n_in, n_out)) * 0.1, requires_grad=True)
        self.b = Variable(np.zeros(n_out), requires_grad=True)

    def parameters(self):
        return [self.w, self.b]

    def __call__(self, x):
        return x @ self.w + self.b


def blobs(seed, n_per_class=40, classes=3):
    rng = np.random.default_rng(seed)
    centers = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]])[:classes]
    x = np.concatenate([rng.normal(c, 0.7, (n_per_class, 2)) for c in centers])
    y = np.repeat(np.arange(classes), n_per_class)
    order = rng.permutation(len(y))
    return x[order], y[order]


def batches(x, y, size):
    return [(Tensor(x[i:i + size]), Tensor(y[i:i + size])) for i in range(0, len(y), size)]


def test_trainer_reaches_100_percent_on_separable_blobs():
    x, y = blobs(0)
    xv, yv = blobs(1, n_per_class=20)
    model = LinearModel(2, 3)
    trainer = Trainer(model, SGD(model.parameters(), learning_rate=0.2, momentum=0.9), CrossEntropyLoss())
    logs_seen = []
    history = trainer.fit(batches(x, y, 25), epochs=10, val_loader=batches(xv, yv, 60),
                          on_epoch_end=lambda epoch, logs: logs_seen.append((epoch, logs)))
    assert list(history) == ["train_loss", "train_accuracy", "val_loss", "val_accuracy"]
    assert {len(v) for v in history.values()} == {10}
    assert history["train_accuracy"][-1] == 1.0 and history["val_accuracy"][-1] == 1.0
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert [e for e, _ in logs_seen] == list(range(10))
    assert all(isinstance(v, float) for _, logs in logs_seen for v in logs.values())
    assert trainer.evaluate(batches(xv, yv, 7)) == pytest.approx(trainer.evaluate(batches(xv, yv, 60)), rel=1e-12)


def test_trainer_passes_outputs_then_labels_to_metrics():
    seen = []

    class TrueClassScore:
        name = "score"

        def __call__(self, outputs, labels):
            scores, classes = values(outputs), np.asarray(labels.data).astype(int)
            seen.append((scores.shape, classes.shape))
            return np.float32(np.mean(scores[np.arange(len(classes)), classes]))

    x, y = blobs(4, n_per_class=5)
    model = LinearModel(2, 3)
    trainer = Trainer(model, SGD(model.parameters(), learning_rate=0.01), CrossEntropyLoss(), metrics=[TrueClassScore()])
    result = trainer.evaluate(batches(x, y, 6))
    assert seen[0] == ((6, 3), (6,))
    out = x @ values(model.w) + values(model.b)
    assert result["score"] == pytest.approx(out[np.arange(15), y].mean(), rel=1e-6)
    assert type(result["score"]) is float and type(result["loss"]) is float
    logs = trainer.train_epoch(batches(x, y, 15))
    assert seen[-1] == ((15, 3), (15,)) and type(logs["score"]) is float


def test_trainer_with_adam_mse_and_no_metrics():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = LinearModel(3, 1)
    trainer = Trainer(model, Adam(model.parameters(), learning_rate=0.05), MeanSquaredError(), metrics=[])
    history = trainer.fit(batches(x, y, 16), epochs=60)
    assert list(history) == ["train_loss"]
    assert history["train_loss"][-1] < 1e-4
    np.testing.assert_allclose(values(model.w).ravel(), [1.0, -2.0, 0.5], atol=1e-2)


def test_trainer_step_lr_through_on_epoch_end():
    x, y = blobs(2)
    model = LinearModel(2, 3)
    opt = SGD(model.parameters(), learning_rate=0.1)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    rates = []
    Trainer(model, opt, CrossEntropyLoss()).fit(
        batches(x, y, 30), epochs=5, on_epoch_end=lambda e, logs: (rates.append(opt.learning_rate), sched.step()))
    assert rates == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_trainer_errors():
    x, y = blobs(0, n_per_class=4)

    class TensorModel:
        def parameters(self):
            return []

        def __call__(self, x):
            return x @ Tensor(np.ones((2, 3)))

    opt = SGD([Variable([0.0])], learning_rate=0.1)
    with pytest.raises(TypeError, match="Variable"):
        Trainer(TensorModel(), opt, CrossEntropyLoss()).fit(batches(x, y, 4), epochs=1)
    model = LinearModel(2, 3)
    trainer = Trainer(model, SGD(model.parameters(), learning_rate=0.1), CrossEntropyLoss())
    with pytest.raises(ValueError, match="generator"):
        trainer.fit((b for b in batches(x, y, 4)), epochs=2)
    with pytest.raises(ValueError, match="pair"):
        trainer.fit([(Tensor(x), Tensor(y), Tensor(y))], epochs=1)
    with pytest.raises(ValueError):
        trainer.fit(batches(x, y, 4), epochs=0)
    with pytest.raises(TypeError):
        trainer.fit(None, epochs=1)
    with pytest.raises(TypeError):
        Trainer(model, object(), CrossEntropyLoss())


# --------------------------------------------------------------------------- checkpoints


def test_checkpoint_round_trip(tmp_path):
    a, b = LinearModel(4, 3, seed=0), LinearModel(4, 3, seed=1)
    path = save_checkpoint(a, tmp_path / "sub" / "ckpt")
    assert path == str(tmp_path / "sub" / "ckpt") and os.path.isfile(path)
    arrays = [values(p) for p in b.parameters()]
    load_checkpoint(b, path)
    for pa, pb, arr in zip(a.parameters(), b.parameters(), arrays):
        assert np.array_equal(values(pa), values(pb)) and values(pb) is arr


def test_checkpoint_of_tensor_parameters(tmp_path):
    class TensorModel:
        def __init__(self, value):
            self.w = Tensor(np.full((2, 2), value))

        def parameters(self):
            return [self.w]

    save_checkpoint(TensorModel(3.0), tmp_path / "t.npz")
    target = TensorModel(0.0)
    load_checkpoint(target, tmp_path / "t.npz")
    assert np.all(target.w.data == 3.0)


def test_checkpoint_mismatch_errors(tmp_path):
    path = save_checkpoint(LinearModel(4, 3), tmp_path / "m.npz")
    wrong = LinearModel(4, 5)
    before = [values(p).copy() for p in wrong.parameters()]
    with pytest.raises(ValueError, match=r"parameter 0.*\(4, 3\).*\(4, 5\)"):
        load_checkpoint(wrong, path)
    assert all(np.array_equal(b, values(p)) for b, p in zip(before, wrong.parameters()))

    class Three(LinearModel):
        def __init__(self):
            super().__init__(4, 3)
            self.extra = Variable(np.zeros(7))

        def parameters(self):
            return [self.w, self.b, self.extra]

    with pytest.raises(ValueError, match=r"2 parameters but the model has 3.*parameter 2.*\(7,\)"):
        load_checkpoint(Three(), path)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_checkpoint(LinearModel(4, 3), tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(ValueError, match="not a checkpoint"):
        load_checkpoint(LinearModel(4, 3), tmp_path / "junk.npz")
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(ValueError, match="not a checkpoint"):
        load_checkpoint(LinearModel(4, 3), tmp_path / "other.npz")
    with pytest.raises(TypeError):
        save_checkpoint(object(), tmp_path / "x.npz")


# --------------------------------------------------------------------------- with the other modules


def test_sgd_updates_a_dense_layer_in_place():
    from tinytorch.core.layers import Dense

    layer = Dense(3, 2, seed=0)
    w_array = values(layer.weights)
    opt = SGD(layer.parameters(), learning_rate=0.1)
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    out = layer(x)
    assert isinstance(out, Variable)
    (out * out).sum().backward()
    expected = w_array - 0.1 * values(layer.weights.grad)
    opt.step()
    assert values(layer.weights) is w_array and values(layer.weights).dtype == np.float32
    np.testing.assert_allclose(values(layer.weights), expected, rtol=1e-6)


def test_xor_with_create_mlp_and_adam():
    from tinytorch.core.activations import Tanh
    from tinytorch.core.networks import create_mlp

    x = Tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
    y = Tensor(np.array([0, 1, 1, 0], dtype=np.int64))
    model = create_mlp(2, [8], 2, activation=Tanh, seed=0)
    trainer = Trainer(model, Adam(model.parameters(), learning_rate=0.05), CrossEntropyLoss())
    trainer.fit([(x, y)], epochs=300)
    assert trainer.evaluate([(x, y)])["accuracy"] == 1.0


def test_end_to_end_digits_with_dataloader(tmp_path):
    from tinytorch.core.dataloader import DataLoader, TensorDataset, load_digits
    from tinytorch.core.networks import create_mlp

    x_train, y_train, x_test, y_test = load_digits()
    train = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, seed=0)
    test = DataLoader(TensorDataset(x_test, y_test), batch_size=128)
    model = create_mlp(64, [64], 10, seed=0)
    trainer = Trainer(model, Adam(model.parameters(), learning_rate=3e-3), CrossEntropyLoss())
    history = trainer.fit(train, epochs=10, val_loader=test)
    assert len(history["val_accuracy"]) == 10
    result = trainer.evaluate(test)
    assert result["accuracy"] > 0.90, f"test accuracy {result['accuracy']:.3f}"
    assert result["accuracy"] == history["val_accuracy"][-1]

    path = save_checkpoint(model, tmp_path / "digits.npz")
    fresh = create_mlp(64, [64], 10, seed=1)
    load_checkpoint(fresh, path)
    assert Trainer(fresh, Adam(fresh.parameters()), CrossEntropyLoss()).evaluate(test) == result
    with pytest.raises(ValueError, match="parameter 0"):
        load_checkpoint(create_mlp(64, [32], 10), path)


# --------------------------------------------------------------------------- PyTorch as the oracle
# torch is used only here, to check that the numbers are PyTorch's own; skipped without it.

TORCH_OPTIMIZERS = {
    "sgd": (lambda ps: SGD(ps, learning_rate=0.05), lambda t, ps: t.optim.SGD(ps, lr=0.05)),
    "sgd-momentum-wd": (lambda ps: SGD(ps, learning_rate=0.05, momentum=0.9, weight_decay=0.1),
                        lambda t, ps: t.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.1)),
    "sgd-wd-1": (lambda ps: SGD(ps, learning_rate=0.05, momentum=0.5, weight_decay=1.0),
                 lambda t, ps: t.optim.SGD(ps, lr=0.05, momentum=0.5, weight_decay=1.0)),
    "sgd-nesterov": (lambda ps: SGD(ps, learning_rate=0.05, momentum=0.9, nesterov=True),
                     lambda t, ps: t.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
    "sgd-nesterov-wd": (lambda ps: SGD(ps, learning_rate=0.05, momentum=0.8, weight_decay=0.3, nesterov=True),
                        lambda t, ps: t.optim.SGD(ps, lr=0.05, momentum=0.8, weight_decay=0.3, nesterov=True)),
    "adam": (lambda ps: Adam(ps, learning_rate=0.01), lambda t, ps: t.optim.Adam(ps, lr=0.01)),
    "adam-l2": (lambda ps: Adam(ps, learning_rate=0.01, beta1=0.5, beta2=0.9, epsilon=1e-3, weight_decay=1.0),
                lambda t, ps: t.optim.Adam(ps, lr=0.01, betas=(0.5, 0.9), eps=1e-3, weight_decay=1.0)),
    "adamw-default": (lambda ps: AdamW(ps, learning_rate=0.01), lambda t, ps: t.optim.AdamW(ps, lr=0.01)),
    "adamw-wd-1": (lambda ps: AdamW(ps, learning_rate=0.05, weight_decay=1.0),
                   lambda t, ps: t.optim.AdamW(ps, lr=0.05, weight_decay=1.0)),
}


def torch_history(torch, make, start, grads, dtype):
    params = [torch.tensor(np.array(x, dtype=dtype), requires_grad=True) for x in start]
    opt = make(torch, params)
    history = []
    for row in grads:
        opt.zero_grad()
        for p, g in zip(params, row):
            if g is not None:
                p.grad = torch.tensor(np.array(g, dtype=dtype))
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
@pytest.mark.parametrize("skip", [False, True])
def test_optimizers_match_torch_float64(name, skip):
    torch = pytest.importorskip("torch")
    ours, theirs = TORCH_OPTIMIZERS[name]
    start, grads = random_problem(21, steps=10, skip=skip)
    start = start[:2] + [start[0] * 0.5]                       # two parameters of the same shape
    grads = [[row[0], row[1], None if row[1] is None else row[0][::-1].copy()] for row in grads]
    assert_histories_close(run_optimizer(ours, start, grads), torch_history(torch, theirs, start, grads, np.float64))


@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
def test_optimizers_match_torch_float32(name):
    torch = pytest.importorskip("torch")
    ours, theirs = TORCH_OPTIMIZERS[name]
    start, grads = same_shape_problem(22, dtype=np.float32)
    got, opt = feed_in_place(ours, start, grads)
    want = torch_history(torch, theirs, start, grads, np.float32)
    assert all(values(p).dtype == np.float32 for p in opt.parameters)
    assert_histories_close(got, want, rtol=1e-5, atol=1e-6)


def test_step_lr_matches_torch():
    torch = pytest.importorskip("torch")
    ours = StepLR(SGD([Variable([1.0])], learning_rate=0.1), step_size=3, gamma=0.5)
    their_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.lr_scheduler.StepLR(their_opt, step_size=3, gamma=0.5)
    for _ in range(12):
        their_opt.step()
        theirs.step()
        ours.step()
        assert ours.optimizer.learning_rate == pytest.approx(their_opt.param_groups[0]["lr"], rel=1e-12)


def torch_loss_and_grad(torch, fn, x, *rest):
    xt = torch.tensor(x, requires_grad=True)
    loss = fn(xt, *[torch.tensor(r) for r in rest])
    loss.backward()
    return loss.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(31)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    z = (rng.standard_normal((9, 4)) * 5).astype(dtype)
    z[0] = [1000, -1000, 0, 3]
    y = rng.integers(0, 4, 9)
    soft = np.exp(rng.standard_normal((9, 4)))
    soft = (soft / soft.sum(axis=1, keepdims=True)).astype(dtype)
    smooth = (np.eye(4)[y] * 0.9 + 0.025).astype(dtype)
    for target in (y, soft, smooth):
        want_loss, want_grad = torch_loss_and_grad(torch, F.cross_entropy, z, target)
        logits = Variable(z.copy(), requires_grad=True)
        loss = CrossEntropyLoss()(logits, target)
        loss.backward()
        assert values(loss).dtype == dtype and values(logits.grad).dtype == dtype
        np.testing.assert_allclose(values(loss), want_loss, **tol)
        np.testing.assert_allclose(values(logits.grad), want_grad, **tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(32)
    p = np.concatenate([[0.0, 1.0, 0.0, 1.0, 1e-30, 1 - 1e-7], rng.uniform(0.001, 0.999, 10)]).astype(dtype)
    t = np.concatenate([[1.0, 0.0, 0.0, 1.0, 1.0, 0.0], rng.uniform(0, 1, 10)]).astype(dtype)
    want_loss, want_grad = torch_loss_and_grad(torch, F.binary_cross_entropy, p, t)
    q = Variable(p.copy(), requires_grad=True)
    loss = BinaryCrossEntropyLoss()(q, t)
    loss.backward()
    assert values(loss).dtype == dtype and values(q.grad).dtype == dtype
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(values(loss), want_loss, **tol)
    # rtol 1e-8: PyTorch's denominator clamp is the float32 constant 1e-12 (9.99999996e-13) even
    # in float64, which moves the gradient at p = 0 or 1 by 4e-9 relative
    np.testing.assert_allclose(values(q.grad), want_grad, rtol=max(tol["rtol"], 1e-8), atol=tol["atol"])
    for bad_p, bad_t in (([0.5], [1.5]), ([0.5], [np.nan]), ([1.5], [1.0]), ([np.nan], [1.0])):
        with pytest.raises(RuntimeError):
            F.binary_cross_entropy(torch.tensor(bad_p), torch.tensor(bad_t))
        with pytest.raises(ValueError):
            BinaryCrossEntropyLoss()(Variable(bad_p), bad_t)


def test_mse_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(33)
    for dtype in (np.float64, np.float32):
        p, t = rng.standard_normal((5, 3)).astype(dtype), rng.standard_normal((5, 3)).astype(dtype)
        want_loss, want_grad = torch_loss_and_grad(torch, torch.nn.functional.mse_loss, p, t)
        v = Variable(p.copy(), requires_grad=True)
        loss = MeanSquaredError()(v, Tensor(t))
        loss.backward()
        assert values(loss).dtype == dtype
        np.testing.assert_allclose(values(loss), want_loss, rtol=1e-6)
        np.testing.assert_allclose(values(v.grad), want_grad, rtol=1e-6, atol=1e-7)
