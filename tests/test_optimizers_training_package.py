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
from tinytorch.core.optimizers import SGD, Adam, Optimizer, StepLR
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


def reference_sgd(params, grads_per_step, lr, momentum=0.0, weight_decay=0.0):
    """torch.optim.SGD (dampening 0, no nesterov), on plain arrays."""
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
                d_p = bufs[i]
            params[i] = params[i] - lr * d_p
        history.append([p.copy() for p in params])
    return history


def reference_adam(params, grads_per_step, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    """torch.optim.Adam (amsgrad False), per-parameter step counts, on plain arrays."""
    params = [np.array(p, dtype=np.float64) for p in params]
    state = [dict(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p)) for p in params]
    history = []
    for grads in grads_per_step:
        for i, g in enumerate(grads):
            if g is None:
                continue
            s = state[i]
            if weight_decay:
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
                 lambda ps: Adam(ps, learning_rate=0.1, weight_decay=0.01)):
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
    for opt in (SGD([a, b], learning_rate=0.1, momentum=0.9), Adam([a, b], learning_rate=0.1)):
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
    assert issubclass(SGD, Optimizer) and issubclass(Adam, Optimizer)
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
    (np.eye(3), "one-hot"),
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


def test_bce_values_gradient_and_clipping():
    rng = np.random.default_rng(6)
    p = rng.uniform(0.02, 0.98, (5, 1))
    t = rng.integers(0, 2, (5, 1)).astype(np.float64)
    loss = BinaryCrossEntropyLoss()(Variable(p), t)
    assert values(loss).item() == pytest.approx(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)), rel=1e-12)
    assert gradcheck(lambda q: BinaryCrossEntropyLoss()(q, t), [Variable(p)])
    edge = Variable([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = BinaryCrossEntropyLoss()(edge, [1.0, 0.0])
        out.backward()
    assert values(out).item() == pytest.approx(-np.log(1e-7), rel=1e-9)
    assert np.all(np.isfinite(values(edge.grad)))
    with pytest.raises(ValueError, match="Sigmoid"):
        BinaryCrossEntropyLoss()(Variable([2.0]), [1.0])


def test_accuracy():
    acc = Accuracy()
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
