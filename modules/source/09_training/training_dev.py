# %% [markdown]
# # Training
#
# You have tensors, layers, autograd and optimizers. This module connects them into the
# thing they exist for: **training a network on data**, epoch after epoch, until it is
# good at its task, and saving the result.
#
# By the end of the module you will have built:
# - **loss functions** that say how wrong a prediction is: `MeanSquaredError` for
#   regression, `CrossEntropyLoss` for classification (computed from logits, stable at
#   ±1000, with class indices or class probabilities as targets, and a hand-written fused
#   backward) and `BinaryCrossEntropyLoss` (with PyTorch's clamped logarithm), each
#   giving the numbers `torch.nn.functional` gives,
# - an `Accuracy` metric,
# - a `Trainer` that runs the training loop over any loader of batches, evaluates on
#   validation data, and records the history of every epoch,
# - `save_checkpoint` / `load_checkpoint`, to keep what was learned.

# %% nbgrader={"grade": false, "grade_id": "training-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.training
#| export
import os
import sys
import zipfile
from typing import Callable, Dict, Iterable, List, Optional

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import Variable, apply_op

# %% nbgrader={"grade": false, "grade_id": "training-banner", "locked": true, "schema_version": 3, "solution": false}
from tinytorch.core.autograd import gradcheck   # the tests check every loss's gradient with it

print("🔥 TinyTorch Training Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to train neural networks!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/09_training/training_dev.py`
# **Building Side:** Code exports to `tinytorch.core.training`
#
# ```python
# # Final package structure:
# from tinytorch.core.training import CrossEntropyLoss, Accuracy, Trainer
# from tinytorch.core.training import save_checkpoint, load_checkpoint
# from tinytorch.core.optimizers import Adam            # module 08
# from tinytorch.core.networks import create_mlp        # module 04
# from tinytorch.core.dataloader import DataLoader      # module 06
# ```
#
# **Why this matters:**
# - **Learning:** The training loop is the heartbeat of deep learning: five lines,
#   each one essential, in an order that matters
# - **Production:** `nn.MSELoss`, `nn.CrossEntropyLoss`, `nn.BCELoss` in PyTorch; the
#   `Trainer` is what Keras' `model.fit` and PyTorch Lightning's `Trainer` do for you
# - **Consistency:** Losses return scalar Variables, so `loss.backward()` just works
# - **Foundation:** Every model in the course (an MLP, a CNN) is trained with this code

# %% [markdown]
# ## The Anatomy of Training
#
# ```
#            ┌──────────────────────── one epoch: every batch of the training set once ───┐
#            │                                                                            │
#  loader ──→│ x, y ──→ model(x) ──→ logits ──→ loss(logits, y) ──→ L (a scalar Variable) │
#            │                                                        │                   │
#            │          optimizer.zero_grad()   ← forget the last batch's gradients       │
#            │          L.backward()            ← autograd: ∂L/∂p for every parameter p    │
#            │          optimizer.step()        ← p ← p − η·(…)                           │
#            └────────────────────────────────────────────────────────────────────────────┘
#  then: evaluate on validation data (forward only), record the epoch's numbers, repeat
# ```
#
# - The **loss** turns "how wrong" into one number. Its gradient is what teaches the
#   network: the choice of loss *is* the choice of what the network should learn.
# - A **metric** (accuracy) is what *we* care about. It is not differentiable (a
#   prediction is right or wrong, nothing in between), so we cannot train on it
#   directly; we train on the loss and watch the metric.
# - **Validation data** is held out from training. Training loss always goes down with
#   enough effort; only the validation numbers tell you whether the network learned
#   something general or memorised the training set (overfitting).
#
# ### Where each piece comes from
# | piece | module | here it is |
# | --- | --- | --- |
# | batches `(x, y)` | 06 `DataLoader` | any iterable of `(x, y)` pairs: a list works |
# | `model(x)` and `model.parameters()` | 03–05 | any object with these two |
# | gradients | 07 autograd | `loss.backward()` |
# | `optimizer.zero_grad()`, `step()` | 08 | any object with these two |
#
# The `Trainer` only relies on these small interfaces. So the tests in this module build
# their own tiny model and optimizer and pass plain lists as loaders: this module
# depends on nothing but tensors and autograd.

# %% [markdown]
# ## Step 1: Mean Squared Error — A Loss Made of Operations
#
# ### The regression loss
# ```
# MSE(ŷ, y) = (1/n) · Σᵢ (ŷᵢ − yᵢ)²            over all n elements
# ```
# Squaring makes every error positive and punishes big errors much more than small
# ones. Its gradient is simply ∂MSE/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n: each prediction is pulled towards
# its target, harder when it is further away.
#
# ### Autograd gives you the backward for free
# MSE is built from operations you differentiated in module 07 (`-`, `*`, `mean`), so if
# you compute it **with Variables**, its backward pass comes for free:
# ```
# predictions − targets      a Variable, if predictions is one (Variable − Tensor works)
# its square, then .mean()   a scalar Variable: loss.backward() works
# ```
#
# ### Tensors in, Tensor out
# A loss may also be called on plain Tensors (a model without trainable weights, or
# just checking a number). Then there is nothing to differentiate: compute the value with
# numpy and return a 0-d `Tensor`.
#
# ### A classic bug, caught
# A model for one output returns shape `(N, 1)`; targets often have shape `(N,)`.
# `(N, 1) − (N,)` **broadcasts to (N, N)**: every prediction compared with every target.
# The loss is then silently wrong and the network learns to predict the mean. PyTorch
# only warns about this; we refuse it, with a message that says how to fix it.
#
# ### Provided helpers
# - `_values(x)`: the ndarray behind a Variable, a Tensor, an ndarray or a list.
# - `_check_same_shape(name, predictions, targets)`: the check above.
# - `_value_range(values)`: "values in [min, max]" (and "and NaN") for error messages.

# %% nbgrader={"grade": false, "grade_id": "training-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _values(x) -> np.ndarray:
    """The numbers behind a Variable, a Tensor, an ndarray, a list or a number."""
    if isinstance(x, Variable):
        return x.data.data
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x)


def _value_range(values: np.ndarray) -> str:
    """For error messages: "[min, max]" of the numbers, and whether there are NaNs."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    numbers = values[~np.isnan(values)]
    text = f"values in [{numbers.min():g}, {numbers.max():g}]" if numbers.size else "no numbers"
    return text + (" and NaN" if numbers.size < values.size else "")


def _check_same_shape(name: str, predictions: np.ndarray, targets: np.ndarray) -> None:
    """Losses compare predictions and targets element by element: their shapes must match."""
    if predictions.shape != targets.shape:
        raise ValueError(
            f"{name}: predictions have shape {predictions.shape} but targets have shape {targets.shape}. "
            "They must match: numpy would broadcast them (e.g. (N, 1) and (N,) to (N, N)) and compare "
            "every prediction with every target. Reshape one of them, e.g. targets.reshape(-1, 1).")
    if predictions.size == 0:
        raise ValueError(f"{name}: got an empty batch; a loss needs at least one prediction")

# %% nbgrader={"grade": false, "grade_id": "mse-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class MeanSquaredError:
    """Mean squared error, the regression loss: mean((predictions - targets)²)."""

    def __call__(self, predictions, targets):
        return self.forward(predictions, targets)

    def forward(self, predictions, targets):
        """
        The mean of the squared differences, as a scalar Variable (or a Tensor for Tensors).

        TODO: Implement the MSE loss.

        STEP-BY-STEP IMPLEMENTATION:
        1. Check the shapes: _check_same_shape("MeanSquaredError", _values(predictions), _values(targets))
        2. If neither predictions nor targets is a Variable: compute the mean squared
           difference with numpy and return it as a 0-d Tensor
        3. Otherwise compute it with Variable operations, so autograd records it:
           the difference of predictions and targets, squared elementwise, then its mean

        EXAMPLE USAGE:
        ```python
        mse = MeanSquaredError()
        pred = Variable([1.0, 2.0, 4.0])
        loss = mse(pred, Tensor([1.0, 3.0, 2.0]))   # (0 + 1 + 4) / 3 = 1.6667
        loss.backward()
        print(pred.grad)                             # 2 (pred - y) / 3 = [0, -0.667, 1.333]
        ```

        IMPLEMENTATION HINTS:
        - isinstance(x, Variable) tells you whether there is a graph to build
        - Variable - Tensor and Tensor - Variable both give a Variable
        - Variables have .mean() (module 07, Step 12)
        - np.mean returns a numpy scalar; Tensor(...) wraps it
        """
        ### BEGIN SOLUTION
        p, t = _values(predictions), _values(targets)
        _check_same_shape("MeanSquaredError", p, t)
        if not isinstance(predictions, Variable) and not isinstance(targets, Variable):
            return Tensor(np.mean((p - t) ** 2))
        diff = predictions - targets
        return (diff * diff).mean()
        ### END SOLUTION

    def __repr__(self) -> str:
        return "MeanSquaredError()"

# %% nbgrader={"grade": true, "grade_id": "test-mse-loss", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_mse_loss():
    """MSE: values, gradients through autograd, Tensor inputs, shape checks"""
    print("🔬 Unit Test: Mean Squared Error...")

    mse = MeanSquaredError()
    pred = Variable([1.0, 2.0, 4.0], requires_grad=True)
    loss = mse(pred, Tensor([1.0, 3.0, 2.0]))
    assert isinstance(loss, Variable), f"with a Variable prediction the loss should be a Variable, got {type(loss).__name__}"
    assert loss.shape == (), f"the loss should be a scalar (shape ()), got shape {loss.shape}"
    assert abs(loss.data.data.item() - 5.0 / 3.0) < 1e-12, f"(0² + 1² + 2²) / 3 = 1.6667, got {loss.data.data.item()}"
    loss.backward()
    assert np.allclose(pred.grad.data.data, [0.0, -2.0 / 3.0, 4.0 / 3.0]), (
        f"∂MSE/∂pred = 2 (pred - y) / n = [0, -0.667, 1.333], got {pred.grad.data.data.tolist()}")

    # 2-D predictions: the mean is over every element
    p = Variable(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    y = np.array([[0.0, 0.0], [0.0, 0.0]])
    assert abs(mse(p, y).data.data.item() - 7.5) < 1e-12, "(1 + 4 + 9 + 16) / 4 = 7.5"
    assert gradcheck(lambda q: mse(q, y), [Variable(np.random.default_rng(1).standard_normal((2, 2)))])

    # Tensors in: a Tensor out, with the same value; lists and ndarrays work too
    t = mse(Tensor([1.0, 2.0, 4.0]), Tensor([1.0, 3.0, 2.0]))
    assert isinstance(t, Tensor) and not isinstance(t, Variable), f"Tensors in should give a Tensor, got {type(t).__name__}"
    assert abs(float(t.data) - 5.0 / 3.0) < 1e-12, f"expected 1.6667, got {t.data}"
    from_lists = mse([1.0, 2.0, 4.0], [1.0, 3.0, 2.0])
    assert abs(float(from_lists.data) - 5.0 / 3.0) < 1e-12, f"lists should work like Tensors: expected 1.6667, got {from_lists.data}"

    # float32 in, float32 out: the loss, and the gradient (a (3, 2) batch)
    p32 = Variable(np.array([[1.0, 2.0], [4.0, 0.5], [0.0, -1.0]], dtype=np.float32), requires_grad=True)
    y32 = np.array([[1.0, 3.0], [2.0, 0.5], [1.0, 1.0]], dtype=np.float32)
    loss32 = mse(p32, Tensor(y32))
    loss32.backward()
    assert loss32.data.data.dtype == np.float32, f"float32 predictions and targets should give a float32 loss, got {loss32.data.data.dtype}"
    assert abs(loss32.data.data.item() - 10.0 / 6.0) < 1e-6, f"(0 + 1 + 4 + 0 + 1 + 4) / 6, got {loss32.data.data.item()}"
    assert p32.grad.data.data.dtype == np.float32 and np.allclose(p32.grad.data.data, (p32.data.data - y32) / 3.0), (
        f"∂MSE/∂p = 2 (p - y) / 6, float32, got {p32.grad.data.data.tolist()} ({p32.grad.data.data.dtype})")
    t32 = mse(Tensor(p32.data.data), Tensor(y32))
    assert t32.data.dtype == np.float32, f"float32 Tensors should give a float32 Tensor, got {t32.data.dtype}"

    # Gradients also reach the targets if they are Variables
    target = Variable([0.0, 1.0], requires_grad=True)
    mse(Tensor([1.0, 1.0]), target).backward()
    assert np.allclose(target.grad.data.data, [-1.0, 0.0]), f"∂MSE/∂y = -2 (p - y) / n = [-1, 0], got {target.grad.data.data.tolist()}"

    # The (N, 1) vs (N,) broadcasting bug is refused
    try:
        mse(Variable(np.zeros((4, 1))), Tensor(np.zeros(4)))
    except ValueError as exc:
        assert "(4, 1)" in str(exc) and "(4,)" in str(exc), f"the message should name both shapes, got: {exc}"
    else:
        raise AssertionError("predictions (4, 1) and targets (4,) should raise ValueError, not broadcast to (4, 4)")

    print("✅ MSE tests passed!")

test_mse_loss()

# %% [markdown]
# ## Step 2: Cross-Entropy from Logits — Stable, and One Node
#
# ### From scores to probabilities
# A classifier's last layer outputs **logits**: one unbounded score zⱼ per class.
# Softmax turns them into probabilities, and cross-entropy measures how much probability
# the model gave to the right class y:
# ```
# softmax(z)ⱼ = e^zⱼ / Σₖ e^zₖ
# CE(z, y) = −log softmax(z)_y             (averaged over the batch)
# ```
# A confident right answer (p_y → 1) costs almost nothing; a confident wrong answer
# (p_y → 0) costs a lot, without bound. That is what makes the network fix its worst
# mistakes first.
#
# ### The overflow problem
# Compute it literally and it breaks on perfectly ordinary logits:
# ```
# z = [1000, 0]:  e^1000 = inf  →  softmax = inf / inf = nan  →  loss = nan
# z = [-1000, 0]: e^-1000 = 0   →  p = 0 for the right class  →  log 0 = -inf
# ```
# float64 overflows above e^709, float32 above e^88: a network that becomes confident
# produces logits like these within a few epochs, and one `nan` poisons every weight.
#
# ### The fix: log-softmax with the log-sum-exp trick
# Softmax does not change if we subtract the same number c from every logit (the e^-c
# cancels above and below). Take c = max(z), and work in log space:
# ```
# log softmax(z)ⱼ = zⱼ − log Σₖ e^zₖ
#                 = (zⱼ − c) − log Σₖ e^(zₖ − c)        c = maxₖ zₖ
# ```
# Now the largest exponent is e^0 = 1, so nothing overflows, and the sum is at least 1,
# so the log never sees 0. For z = [1000, 0], label 1: log softmax = (0 − 1000) − log(1 +
# e^-1000) = −1000, so the loss is 1000: large, correct, finite.
#
# ### The gradient, and why one fused node
# Differentiating CE with respect to the logits gives a famously simple result:
# ```
# ∂CE/∂zⱼ = softmax(z)ⱼ − [j = y]       (for one sample; divide by N for the batch mean)
# ```
# (Derivation: CE = −z_y + log Σₖ e^zₖ. The first term gives −1 for j = y; the second
# gives e^zⱼ / Σₖ e^zₖ = softmax(z)ⱼ.) The gradient is bounded in [−1, 1] per logit: it
# can never explode, however large the logits.
#
# Built from module 07's operations (subtract the row max as a constant, `exp`, `sum`,
# `log`, `-`, multiply by a one-hot mask, `sum`, `mean`) the loss would be a chain of
# about eight graph nodes, most of them storing an (N, C) array, and autograd would
# multiply their local gradients back together to arrive at this same simple formula. So we do what PyTorch does (`log_softmax` and `nll_loss` fused into
# `cross_entropy`): compute the forward in numpy and give the graph **one node** with
# its hand-written backward, using `apply_op` from module 07:
# ```python
# apply_op(data, inputs, backward_fn, name)
#   # data: the forward result (an ndarray); inputs: the Variables it depends on
#   # backward_fn(grad_output) returns a tuple with one gradient (ndarray) per input
# ```
# The backward receives grad_output = ∂L/∂CE (1.0 when CE is the final loss) and must
# return grad_output · (softmax − onehot) / N for the logits.
#
# ### Targets: class indices, or class probabilities
# Usually the target is one class per sample: an integer **index**, shape `(N,)`, each in
# [0, C). Sometimes it is a **probability distribution** over the classes, shape `(N, C)`,
# each row summing to 1: label smoothing (say 0.9 for the right class and the remaining
# 0.1 shared by the others), mixup (a blend of two images gets the same blend of their
# labels), distillation (a teacher network's softmax is the student's target).
# Cross-entropy is defined for both:
# ```
# CE(z, t) = −Σⱼ tⱼ · log softmax(z)ⱼ        (averaged over the batch)
# ∂CE/∂zⱼ  = softmax(z)ⱼ − tⱼ                (for one sample whose row t sums to 1)
# ```
# (CE = −Σⱼ tⱼ·zⱼ + (Σⱼ tⱼ)·log Σₖ e^zₖ; with Σⱼ tⱼ = 1 the second term differentiates to
# softmax(z) exactly as before.) A class index y is the special case t = onehot(y): the sum
# keeps one term, −log softmax(z)_y, and the gradient is softmax − onehot.
# `torch.nn.functional.cross_entropy` accepts both forms and tells them apart by shape,
# (N,) for indices and (N, C) for probabilities, and so does ours. A one-hot matrix is
# then a perfectly good target, with the same loss as its indices.
#
# The provided `_cross_entropy_targets(labels, logits_shape)` checks the targets and
# returns either int64 class indices of shape (N,) or float64 probabilities of shape
# (N, C) (a new array), with clear messages for fractional or out-of-range indices,
# probabilities that are negative, above 1 or NaN, and rows that do not sum to 1
# (several classes "on" at once is a multi-label problem: a sigmoid per class and binary
# cross-entropy, Step 3).
#
# ### The backward may run more than once
# `apply_op`'s backward function is a closure: it can use the arrays the forward
# computed. It must not *change* them. Autograd may call it again (a second
# `backward()` on the same graph, `gradcheck`), and each call must return the same
# gradient: build the gradient in a new array at every call, never by subtracting the
# target from the forward's softmax array in place.

# %% nbgrader={"grade": false, "grade_id": "class-labels", "locked": true, "schema_version": 3, "solution": false}
#| export
def _cross_entropy_targets(labels, logits_shape) -> np.ndarray:
    """
    The targets of a cross-entropy for logits of shape (N, C), checked: int64 class indices of
    shape (N,), or float64 class probabilities of shape (N, C) (a new array), or a ValueError.
    """
    n, c = logits_shape
    y = _values(labels)
    if y.dtype.kind in "iu" and y.shape == (n,):  # the usual case, checked with two reductions
        if n and (y.min() < 0 or y.max() >= c):
            bad = y[(y < 0) | (y >= c)]
            raise ValueError(f"CrossEntropyLoss: label {int(bad[0])} is not a class index for {c} classes "
                             f"(labels must be in [0, {c - 1}])")
        return y.astype(np.int64, copy=False)
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        raise ValueError(f"CrossEntropyLoss: targets must be class indices or class probabilities, got dtype {y.dtype}")
    if y.ndim == 2 and y.shape == (n, c) and c > 1:
        probs = y.astype(np.float64)
        if not np.all(np.isfinite(probs)) or np.any((probs < 0) | (probs > 1)):
            raise ValueError("CrossEntropyLoss: probability targets (shape (N, C)) must be finite and in [0, 1], "
                             f"got {_value_range(probs)}")
        sums = probs.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-4)
        if bad.size:
            raise ValueError(f"CrossEntropyLoss: each row of probability targets must sum to 1, but row {bad[0]} "
                             f"sums to {sums[bad[0]]:g}. Several classes at once (multi-label) need a Sigmoid per "
                             "class and BinaryCrossEntropyLoss instead.")
        return probs
    if y.ndim == 2 and y.shape == (n, 1):
        y = y.reshape(n)
    if y.shape != (n,):
        raise ValueError(f"CrossEntropyLoss: expected class indices of shape ({n},) or class probabilities of "
                         f"shape ({n}, {c}), got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("CrossEntropyLoss: class indices must be whole numbers, "
                             f"got {y[np.isfinite(y) & (y != np.round(y))][:3].tolist() or 'non-finite values'}")
    y = y.astype(np.int64)
    bad = (y < 0) | (y >= c)
    if np.any(bad):
        raise ValueError(f"CrossEntropyLoss: label {int(y[bad][0])} is not a class index for {c} classes "
                         f"(labels must be in [0, {c - 1}])")
    return y

# %% nbgrader={"grade": false, "grade_id": "cross-entropy-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class CrossEntropyLoss:
    """
    Softmax cross-entropy from logits (N, C), averaged over the batch, as
    torch.nn.functional.cross_entropy: the targets are class indices (N,) or class
    probabilities (N, C) whose rows sum to 1.

    One graph node with a hand-written backward: ∂L/∂logits = (softmax − target) / N,
    where an index target is its one-hot row.
    """

    def __call__(self, logits, labels):
        return self.forward(logits, labels)

    def forward(self, logits, labels):
        """
        The mean cross-entropy, as a scalar Variable (a 0-d Tensor if logits is not a Variable).

        TODO: Implement a numerically stable cross-entropy with a fused backward pass.

        STEP-BY-STEP IMPLEMENTATION:
        1. z = the logits' values as float64; check z.ndim == 2 (raise ValueError otherwise,
           naming the shape); y = the targets checked by _cross_entropy_targets (give it the
           labels and z's shape); n = number of rows
        2. Log-softmax with the log-sum-exp trick, row by row:
           shifted = z - (max of each row);  log_probs = shifted - log(sum of exp(shifted) per row)
        3. The loss, minus the mean over the batch of each row's log-likelihood:
           - class indices (y.ndim == 1): the row's entry log_probs[row i, column y[i]]
           - class probabilities (y.ndim == 2): Σⱼ y[i, j] · log_probs[i, j] over the row
        4. The result's dtype: the logits' dtype if it is floating point, else float64
        5. If logits is not a Variable: return the loss as a 0-d Tensor of that dtype
        6. Otherwise define cross_entropy_backward(grad_output) returning a 1-tuple:
           grad_output * (softmax - target) / n, where softmax = exp(log_probs) and the
           target is y's one-hot rows (indices) or y itself (probabilities); cast to the dtype
        7. Return apply_op with: the loss as a 0-d array, the inputs (logits,), your
           backward function, and the name cross_entropy_backward

        EXAMPLE USAGE:
        ```python
        ce = CrossEntropyLoss()
        logits = Variable([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
        loss = ce(logits, Tensor([0, 1]))          # 0.3185
        loss.backward()
        print(logits.grad)                          # (softmax - onehot) / 2, each row sums to 0
        ce(logits, [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]])   # soft targets: 0.6010
        ce(Variable([[1000.0, 0.0]]), [1])          # 1000.0, not nan
        ```

        IMPLEMENTATION HINTS:
        - z.max(axis=1, keepdims=True) keeps the (N, 1) shape so it broadcasts over columns
        - np.asarray(x, dtype=np.float64) does not copy a float64 array: z may be the
          caller's own logits, so never write into it (no `z -= ...`)
        - log_probs[np.arange(n), y] picks one entry per row (fancy indexing)
        - For probabilities, multiply elementwise and sum along axis 1 (the classes), then
          take the mean over the rows: a sum over everything would grow with the batch
        - The backward runs once per backward() call, and maybe more than once: start from
          a new softmax array in it (np.exp(log_probs), or a copy), then subtract the
          target from that; never change log_probs, y or an array you will use again
        - grad_output arrives as a 0-d ndarray; multiplying by it keeps the chain rule
          right when this loss is scaled or summed with another
        """
        ### BEGIN SOLUTION
        raw = _values(logits)
        z = np.asarray(raw, dtype=np.float64)
        if z.ndim != 2:
            raise ValueError(f"CrossEntropyLoss: logits must have shape (N, C), got shape {z.shape}; "
                             "for a single sample use shape (1, C)")
        y = _cross_entropy_targets(labels, z.shape)
        n = z.shape[0]
        rows = np.arange(n)

        shifted = z - z.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        if y.ndim == 1:
            loss = -log_probs[rows, y].mean()
        else:
            loss = -(y * log_probs).sum(axis=1).mean()

        dtype = raw.dtype if np.issubdtype(raw.dtype, np.floating) else np.float64
        if not isinstance(logits, Variable):
            return Tensor(np.asarray(loss, dtype=dtype))

        def cross_entropy_backward(grad_output):
            grad = np.exp(log_probs)                      # a new softmax array at every call
            if y.ndim == 1:
                grad[rows, y] -= 1.0
            else:
                grad -= y
            grad *= grad_output / n
            return (grad.astype(dtype),)

        return apply_op(np.asarray(loss, dtype=dtype), (logits,), cross_entropy_backward,
                        name="cross_entropy_backward")
        ### END SOLUTION

    def __repr__(self) -> str:
        return "CrossEntropyLoss()"

# %% [markdown]
# ### 🧪 Test Cross-Entropy Values
#
# By hand, for logits [2, 1, 0.1] and label 0:
# log Σ e^z = log(7.389 + 2.718 + 1.105) = log 11.212 = 2.4170, so CE = 2.4170 − 2 = 0.4170.
# And at the extremes: logits [1000, 0] with label 0 cost 0 (certain and right), with
# label 1 cost 1000 (certain and wrong). Both must be finite.

# %% nbgrader={"grade": true, "grade_id": "test-cross-entropy-values", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_cross_entropy_values():
    """Cross-entropy equals the hand computation, stays finite at ±1000, and checks its labels"""
    print("🔬 Unit Test: Cross-Entropy Values...")

    ce = CrossEntropyLoss()
    loss = ce(Variable([[2.0, 1.0, 0.1]]), Tensor([0]))
    assert isinstance(loss, Variable) and loss.shape == (), f"expected a scalar Variable, got {loss!r}"
    expected = np.log(np.exp(2.0) + np.exp(1.0) + np.exp(0.1)) - 2.0
    assert abs(loss.data.data.item() - expected) < 1e-12, f"CE should be log(Σ e^z) - z_y = {expected:.6f}, got {loss.data.data.item():.6f}"

    # A batch of 4 samples and 3 classes: the mean of the per-sample losses; uniform logits cost log C
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [0.0, 0.0, 0.0], [-1.0, 3.0, 0.5]])
    y = np.array([0, 1, 2, 0])
    per_sample = np.log(np.exp(z).sum(axis=1)) - z[np.arange(4), y]
    assert abs(per_sample[2] - np.log(3.0)) < 1e-12
    got = ce(Variable(z), Tensor(y)).data.data.item()
    assert abs(got - per_sample.mean()) < 1e-12, f"batch CE should be the mean {per_sample.mean():.6f}, got {got:.6f}"

    # Logits of ±1000: finite, exact, and no overflow warnings
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big = ce(Variable([[1000.0, 0.0], [-1000.0, 0.0], [1000.0, -1000.0]]), Tensor([0, 0, 1]))
    values = [0.0, 1000.0, 2000.0]      # certain and right, 1000 behind, 2000 behind
    assert np.isfinite(big.data.data), f"the loss must be finite for logits of ±1000, got {big.data.data}"
    assert abs(big.data.data.item() - np.mean(values)) < 1e-9, f"expected mean([0, 1000, 2000]) = 1000, got {big.data.data.item()}"
    assert abs(ce(Variable([[1000.0, 0.0]]), [1]).data.data.item() - 1000.0) < 1e-9, "logits [1000, 0], label 1: loss 1000"
    assert abs(ce(Variable([[1000.0, 0.0]]), [0]).data.data.item()) < 1e-12, "logits [1000, 0], label 0: loss 0"

    # Shifting every logit of a row by a constant does not change the loss
    shifted = ce(Variable(z + np.array([[5.0], [-30.0], [700.0], [-2.0]])), y).data.data.item()
    assert abs(shifted - per_sample.mean()) < 1e-9, f"CE must not change when a row is shifted: {shifted} vs {per_sample.mean()}"

    # Labels as Tensor, ndarray, list, or float-valued whole numbers; float32 logits stay float32
    for labels in (Tensor(y), y, [0, 1, 2, 0], np.array([0.0, 1.0, 2.0, 0.0]), y.reshape(4, 1)):
        assert abs(ce(Variable(z), labels).data.data.item() - per_sample.mean()) < 1e-12, f"labels {labels!r} should work"
    l32 = ce(Variable(z.astype(np.float32)), y)
    assert l32.data.data.dtype == np.float32, f"float32 logits should give a float32 loss, got {l32.data.data.dtype}"

    # Tensor logits (no graph): a Tensor with the same value
    t = ce(Tensor(z), y)
    assert isinstance(t, Tensor) and not isinstance(t, Variable), f"Tensor logits should give a Tensor, got {type(t).__name__}"
    assert abs(float(t.data) - per_sample.mean()) < 1e-12

    # Clear errors
    for bad_labels, why in (([0, 3, 1, 0], "label 3 with 3 classes"), ([0, -1, 1, 0], "a negative label"),
                            ([0, 1, 2], "3 labels for 4 samples"), ([0.5, 1, 2, 0], "a fractional label")):
        try:
            ce(Variable(z), bad_labels)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{why} should raise ValueError")
    try:
        ce(Variable([1.0, 2.0, 3.0]), [0])
    except ValueError as exc:
        assert "(3,)" in str(exc), f"the message should name the shape, got: {exc}"
    else:
        raise AssertionError("1-D logits should raise ValueError: logits are (N, C)")

    print("✅ Cross-entropy value tests passed!")

test_cross_entropy_values()

# %% [markdown]
# ### 🧪 Test the Cross-Entropy Gradient
#
# Three independent checks: `gradcheck` (finite differences), the closed form
# (softmax − onehot)/N, and a look at the graph: one node, named
# `cross_entropy_backward`, directly on top of the logits.

# %% nbgrader={"grade": true, "grade_id": "test-cross-entropy-gradient", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_cross_entropy_gradient():
    """The fused backward equals (softmax - onehot) / N, twice, without touching its inputs, and passes gradcheck"""
    print("🔬 Unit Test: Cross-Entropy Gradient...")

    ce = CrossEntropyLoss()
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 4)) * 3.0
    y = np.array([0, 3, 1, 1, 2])

    logits = Variable(z.copy(), requires_grad=True)
    loss = ce(logits, y)
    assert "cross_entropy_backward" in repr(loss), f"the loss should be one node named cross_entropy_backward, got {loss!r}"
    assert loss._parents == (logits,), "the loss node's only parent should be the logits Variable"
    loss.backward()
    softmax = np.exp(z - z.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    expected = softmax.copy()
    expected[np.arange(5), y] -= 1.0
    expected /= 5
    assert np.allclose(logits.grad.data.data, expected, rtol=1e-10, atol=1e-12), (
        f"∂CE/∂z should be (softmax - onehot) / N:\n{expected}\ngot\n{logits.grad.data.data}")
    assert np.allclose(logits.grad.data.data.sum(axis=1), 0.0), "each row of the gradient sums to 0"

    # A second backward through the same graph gives the same gradient again (the backward
    # must not change the forward's arrays), and so does a fresh forward
    first = logits.grad.data.data.copy()
    logits.grad = None
    loss.backward()
    assert np.allclose(logits.grad.data.data, first, rtol=1e-12, atol=1e-15), (
        "a second backward() on the same loss gave a different gradient: does the backward subtract "
        "the onehot from the forward's softmax array in place? Start from a new array at every call")
    logits.grad = None
    ce(logits, y).backward()
    assert np.allclose(logits.grad.data.data, first, rtol=1e-12, atol=1e-15), "a fresh forward and backward should give the same gradient"

    # The inputs are not changed by forward or backward (Variable(z) holds z itself)
    z_before, y_before = z.copy(), y.copy()
    shared = Variable(z, requires_grad=True)
    ce(shared, y).backward()
    assert np.array_equal(z, z_before) and np.array_equal(y, y_before), (
        "the logits' array (or the labels) changed: compute shifted = z - max as a new array, never z -= ...")

    # float32 logits: a float32 loss and a float32 gradient
    logits32 = Variable(z.astype(np.float32), requires_grad=True)
    loss32 = ce(logits32, y)
    loss32.backward()
    assert loss32.data.data.dtype == np.float32 and logits32.grad.data.data.dtype == np.float32, (
        f"float32 logits should give a float32 loss and gradient, got {loss32.data.data.dtype}, {logits32.grad.data.data.dtype}")
    assert np.allclose(logits32.grad.data.data, expected, rtol=1e-5, atol=1e-6), "float32 gradient: (softmax - onehot) / N"
    (node_grad,) = loss32.grad_fn(np.ones((), dtype=np.float32))
    assert node_grad.dtype == np.float32, f"the backward should return the gradient in the logits' dtype (float32), got {node_grad.dtype}"

    # Inside, everything is computed in float64 and only the result is cast: a float32
    # loss is the float64 loss of the same numbers, rounded to float32 (Tensor logits too)
    for seed in range(6):
        z32 = (np.random.default_rng(seed).standard_normal((64, 10)) * 3.0).astype(np.float32)
        labels = np.arange(64) % 10
        as_float32, as_float64 = ce(Tensor(z32), labels), ce(Tensor(z32.astype(np.float64)), labels)
        assert as_float32.data.dtype == np.float32, f"float32 Tensor logits should give a float32 Tensor, got {as_float32.data.dtype}"
        assert as_float32.data.item() == np.float32(as_float64.data.item()), (
            f"batch {seed}: the float32 loss {as_float32.data.item()!r} should be the float64 loss "
            f"{as_float64.data.item()!r} rounded to float32: compute with the logits as float64, cast only the result")

    assert gradcheck(lambda q: ce(q, y), [Variable(z.copy())])

    # The chain rule continues through the node: scale the loss, scale the gradient
    logits2 = Variable(z.copy(), requires_grad=True)
    (ce(logits2, y) * 3.0 + 1.0).backward()
    assert np.allclose(logits2.grad.data.data, 3.0 * expected), "backward must multiply by grad_output (here 3)"

    # And through the layer below: logits = x @ W
    x = Variable(rng.standard_normal((5, 3)), requires_grad=False)
    assert gradcheck(lambda w: ce(x @ w, y), [Variable(rng.standard_normal((3, 4)))])

    # Huge logits: a finite, bounded gradient
    big = Variable([[1000.0, -1000.0, 0.0]], requires_grad=True)
    ce(big, [1]).backward()
    assert np.all(np.isfinite(big.grad.data.data)), f"gradient must be finite at ±1000, got {big.grad.data.data}"
    assert np.allclose(big.grad.data.data, [[1.0, -1.0, 0.0]]), f"softmax - onehot = [1, -1, 0], got {big.grad.data.data}"

    print("✅ Cross-entropy gradient tests passed!")

test_cross_entropy_gradient()
### BEGIN HIDDEN TESTS
# Hidden from students: float32 logits get a float32 gradient, and a large batch is fast (one node).
_hidden_z = Variable(np.random.default_rng(3).standard_normal((2000, 10)).astype(np.float32), requires_grad=True)
_hidden_loss = CrossEntropyLoss()(_hidden_z, np.arange(2000) % 10)
_hidden_loss.backward()
assert _hidden_z.grad.data.data.dtype == np.float32 and _hidden_loss.data.data.dtype == np.float32
assert abs(float(_hidden_z.grad.data.data.sum())) < 1e-3
### END HIDDEN TESTS

# %% [markdown]
# ### 🧪 Test Probability Targets (Soft Labels)
#
# By hand, for logits [2, 1, 0.1] and the target [0.9, 0.05, 0.05]: log softmax =
# z − 2.4170 = [−0.4170, −1.4170, −2.3170], so CE = 0.9·0.4170 + 0.05·1.4170 + 0.05·2.3170
# = 0.5620. A one-hot target gives exactly the loss and the gradient of its class index.
# The references below compute log Σ e^z with `np.logaddexp.reduce`, which does not use
# the max-shift trick: an independent check.

# %% nbgrader={"grade": true, "grade_id": "test-cross-entropy-soft-targets", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_cross_entropy_soft_targets():
    """Probability targets (N, C): PyTorch's loss and gradient, one-hot = indices, repeatable backward"""
    print("🔬 Unit Test: Cross-Entropy with Probability Targets...")

    ce = CrossEntropyLoss()
    loss = ce(Variable([[2.0, 1.0, 0.1]]), [[0.9, 0.05, 0.05]])
    log_softmax = np.array([2.0, 1.0, 0.1]) - np.logaddexp.reduce([2.0, 1.0, 0.1])
    expected = -(np.array([0.9, 0.05, 0.05]) * log_softmax).sum()
    assert isinstance(loss, Variable) and loss.shape == (), f"expected a scalar Variable, got {loss!r}"
    assert abs(loss.data.data.item() - expected) < 1e-12, f"CE = -Σ t·log softmax(z) = {expected:.6f}, got {loss.data.data.item():.6f}"

    # A batch of 5 samples and 4 classes with soft targets: loss and gradient
    rng = np.random.default_rng(1)
    z = rng.standard_normal((5, 4)) * 2.0
    raw = np.exp(rng.standard_normal((5, 4)))
    t = raw / raw.sum(axis=1, keepdims=True)
    log_softmax = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    want_loss = -(t * log_softmax).sum(axis=1).mean()
    want_grad = (np.exp(log_softmax) - t) / 5
    z_before, t_before = z.copy(), t.copy()
    logits = Variable(z, requires_grad=True)              # holds z itself: z must not change
    loss = ce(logits, Tensor(t))
    assert abs(loss.data.data.item() - want_loss) < 1e-12, (
        f"batch CE should be the mean over samples of -Σ_classes t·log softmax = {want_loss:.6f}, got {loss.data.data.item():.6f}")
    assert "cross_entropy_backward" in repr(loss) and loss._parents == (logits,), "still one node on top of the logits"
    loss.backward()
    assert np.allclose(logits.grad.data.data, want_grad, rtol=1e-10, atol=1e-14), (
        f"∂CE/∂z should be (softmax - t) / N:\n{want_grad}\ngot\n{logits.grad.data.data}")
    first = logits.grad.data.data.copy()
    logits.grad = None
    loss.backward()
    assert np.allclose(logits.grad.data.data, first, rtol=1e-12, atol=1e-15), (
        "a second backward() gave a different gradient: the backward must not subtract t from the forward's softmax in place")
    assert np.array_equal(z, z_before) and np.array_equal(t, t_before), "forward and backward must not change the logits or the targets"
    assert gradcheck(lambda q: ce(q, t), [Variable(z.copy())])

    # One-hot probabilities are the same as class indices, for the loss and the gradient
    y = np.array([3, 0, 2, 2, 1])
    onehot = np.eye(4)[y]
    by_index, by_prob = Variable(z.copy(), requires_grad=True), Variable(z.copy(), requires_grad=True)
    loss_index, loss_prob = ce(by_index, y), ce(by_prob, onehot)
    loss_index.backward()
    loss_prob.backward()
    assert abs(loss_index.data.data.item() - loss_prob.data.data.item()) < 1e-12, (
        f"one-hot targets should cost what their indices cost: {loss_prob.data.data.item()} vs {loss_index.data.data.item()}")
    assert np.allclose(by_prob.grad.data.data, by_index.grad.data.data, rtol=1e-12, atol=1e-15), "one-hot and index gradients should agree"

    # Label smoothing (0.1): the loss of a confident right answer is no longer 0
    smooth = onehot * 0.9 + 0.1 / 4
    want = -(smooth * log_softmax).sum(axis=1).mean()
    assert abs(ce(Variable(z), smooth).data.data.item() - want) < 1e-12, f"label-smoothed targets: expected {want:.6f}"

    # Huge logits: finite, exact, no warnings. [1000, 0] with target [0.5, 0.5]: 0.5·0 + 0.5·1000
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big = Variable([[1000.0, 0.0], [0.0, -1000.0]], requires_grad=True)
        loss = ce(big, [[0.5, 0.5], [0.25, 0.75]])
        loss.backward()
    assert abs(loss.data.data.item() - (500.0 + 750.0) / 2) < 1e-9, f"expected (500 + 750) / 2 = 625, got {loss.data.data.item()}"
    assert np.allclose(big.grad.data.data, [[0.25, -0.25], [0.375, -0.375]]), f"(softmax - t) / 2, got {big.grad.data.data.tolist()}"

    # float32 logits and targets: float32 loss and gradient; Tensor logits: a Tensor
    logits32 = Variable(z.astype(np.float32), requires_grad=True)
    loss32 = ce(logits32, t.astype(np.float32))
    loss32.backward()
    assert loss32.data.data.dtype == np.float32 and logits32.grad.data.data.dtype == np.float32, (
        f"float32 in, float32 out: got {loss32.data.data.dtype} and {logits32.grad.data.data.dtype}")
    assert abs(loss32.data.data.item() - want_loss) < 1e-5 and np.allclose(logits32.grad.data.data, want_grad, atol=1e-6)
    as_tensor = ce(Tensor(z), t)
    assert isinstance(as_tensor, Tensor) and not isinstance(as_tensor, Variable) and abs(float(as_tensor.data) - want_loss) < 1e-12

    # Targets that are not distributions are refused
    for bad, why in ((np.ones((5, 4)) / 2, "rows summing to 2 (multi-label)"), (-t, "negative probabilities"),
                     (np.full((5, 4), np.nan), "NaN targets"), (np.full((5, 5), 0.2), "5 columns for 4 classes")):
        try:
            ce(Variable(z), bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{why} should raise ValueError")

    print("✅ Probability-target tests passed!")

test_cross_entropy_soft_targets()

# %% [markdown]
# ## Step 3: Binary Cross-Entropy
#
# ### Two classes, one probability
# For yes/no problems a network often ends with a single `Sigmoid`, producing p = P(y = 1)
# for each sample. Then
# ```
# BCE(p, y) = −mean( y·log p + (1 − y)·log(1 − p) )
# ∂BCE/∂pᵢ = (pᵢ − yᵢ) / (pᵢ(1 − pᵢ)) / n
# ```
# The target y is usually 0 or 1, but any y in [0, 1] is a valid target (a soft label),
# and BCE is also the loss of a multi-label classifier: one sigmoid and one 0/1 target
# per class.
#
# ### p = 0 and p = 1: PyTorch's clamped logarithm
# A saturated sigmoid returns exactly 1.0 (in float32 already for x > 17, in float64 for
# x > 37) or 0.0 (float32: x < −103), and log 0 = −∞. `torch.nn.functional.binary_cross_entropy`
# **clamps each logarithm at −100**, and we do exactly the same:
# ```
# BCE(p, y) = −mean( y · max(log p, −100) + (1 − y) · max(log(1 − p), −100) )
# ```
# - A certain and right prediction (p = 1, y = 1) costs 0; the other term is 0 · (−100) = 0,
#   not 0 · (−∞) = nan: clamp first, then multiply.
# - A certain and wrong prediction (p = 0, y = 1) costs exactly **100**: large, finite, and
#   far above any honest mistake (p = 10⁻⁷ costs 16.1).
# - For log(1 − p), PyTorch uses `log1p(−p)`, which stays accurate when p is tiny
#   (log(1 − 10⁻²⁰) rounds to log 1 = 0; log1p(−10⁻²⁰) = −10⁻²⁰): `np.log1p`.
#
# The gradient is not that of the clamped function (which would be 0 where the clamp
# acts, so a confidently wrong prediction could never recover). PyTorch's backward keeps
# the formula above and only protects its denominator:
# ```
# ∂BCE/∂pᵢ = (pᵢ − yᵢ) / max(pᵢ(1 − pᵢ), 10⁻¹²) / n
# ```
# At p = 0 with y = 1 that is −10¹²/n: a huge push in the right direction. At p = 0 with
# y = 0 it is 0/10⁻¹² = 0. This is also why PyTorch recommends `BCEWithLogitsLoss`
# (sigmoid and BCE fused, from logits): for the same reasons as our cross-entropy, the
# fused version never needs a clamp. For two classes, `CrossEntropyLoss` on two logits is
# the robust choice.
#
# ### Checked inputs
# Predictions outside [0, 1] are not probabilities at all, almost always because the
# sigmoid was forgotten: that is a `ValueError` that says so. Targets outside [0, 1] are
# a `ValueError` too (PyTorch refuses both), and so is a NaN in either: a NaN compares
# False with everything, so `p < 0` and `p > 1` are both False for it, and it must be
# looked for on its own (`np.isnan`).
#
# Like cross-entropy, BCE is one fused node (`apply_op`), named `bce_backward`, and its
# backward must give the same gradient every time it is called.

# %% nbgrader={"grade": false, "grade_id": "bce-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class BinaryCrossEntropyLoss:
    """
    Binary cross-entropy of probabilities in [0, 1] and targets in [0, 1], averaged over every
    element, as torch.nn.functional.binary_cross_entropy: each log clamped at -100, and the
    gradient (p - y) / max(p (1 - p), 1e-12) / n.
    """

    def __call__(self, predictions, targets):
        return self.forward(predictions, targets)

    def forward(self, predictions, targets):
        """
        The mean binary cross-entropy, as a scalar Variable (a 0-d Tensor for Tensors).

        TODO: Implement PyTorch's binary cross-entropy as one graph node.

        STEP-BY-STEP IMPLEMENTATION:
        1. raw = the predictions' values (_values); p = raw as float64 (compute in float64
           whatever the input's dtype); t = the targets' values; check that p and t have the
           same shape with _check_same_shape
           (name the loss in it: "BinaryCrossEntropyLoss")
        2. If any prediction is outside [0, 1] or NaN, raise ValueError mentioning the
           Sigmoid; if any target is outside [0, 1] or NaN, raise ValueError
        3. log_p = log(p) and log_q = log1p(-p) (that is log(1 - p)), each clamped
           from below at -100 (np.log(0) is -inf: silence numpy's divide warning there)
        4. loss = -mean(t * log_p + (1 - t) * log_q)
        5. The dtype: raw's if it is floating point, else float64.
           If predictions is not a Variable, return the loss as a 0-d Tensor of that dtype
        6. Otherwise bce_backward(grad_output) returns a 1-tuple:
           grad_output * (p - t) / max(p * (1 - p), 1e-12) / n, cast to the dtype
           (n = number of elements)
        7. Return apply_op(loss as a 0-d array, (predictions,), bce_backward, name="bce_backward")

        EXAMPLE USAGE:
        ```python
        bce = BinaryCrossEntropyLoss()
        p = Variable([0.9, 0.2])
        loss = bce(p, Tensor([1.0, 0.0]))      # -(log 0.9 + log 0.8) / 2 = 0.1643
        loss.backward()
        print(p.grad)                           # [-0.5556, 0.625]
        bce(Variable([0.0]), [1.0])             # 100.0: log 0 clamped at -100
        ```

        IMPLEMENTATION HINTS:
        - A NaN fails every comparison: test np.isnan(p) as well as p < 0 and p > 1,
          combined with | (elementwise or)
        - np.maximum(a, -100.0) clamps elementwise from below (np.minimum would clamp
          from above: wrong way round)
        - np.errstate, used as a context manager (`with`), with divide set to "ignore",
          silences the warning of np.log(0.0) = -inf for the lines inside it
        - np.maximum(p * (1 - p), 1e-12) protects the denominator
        """
        ### BEGIN SOLUTION
        raw = _values(predictions)
        p = np.asarray(raw, dtype=np.float64)
        t = _values(targets)
        _check_same_shape("BinaryCrossEntropyLoss", p, t)
        if np.any(np.isnan(p) | (p < 0) | (p > 1)):
            raise ValueError(f"BinaryCrossEntropyLoss: predictions must be probabilities in [0, 1], got {_value_range(p)}. "
                             "Did you forget the Sigmoid? (From logits, use CrossEntropyLoss with two outputs.)")
        if np.any(np.isnan(t) | (t < 0) | (t > 1)):
            raise ValueError(f"BinaryCrossEntropyLoss: targets must be in [0, 1] (usually 0 or 1), got {_value_range(t)}")
        n = p.size
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_q = np.maximum(np.log1p(-p), -100.0)
        loss = -np.mean(t * log_p + (1.0 - t) * log_q)

        dtype = raw.dtype if np.issubdtype(raw.dtype, np.floating) else np.float64
        if not isinstance(predictions, Variable):
            return Tensor(np.asarray(loss, dtype=dtype))

        def bce_backward(grad_output):
            grad = (p - t) / np.maximum(p * (1.0 - p), 1e-12)
            grad *= grad_output / n
            return (grad.astype(dtype),)

        return apply_op(np.asarray(loss, dtype=dtype), (predictions,), bce_backward, name="bce_backward")
        ### END SOLUTION

    def __repr__(self) -> str:
        return "BinaryCrossEntropyLoss()"

# %% nbgrader={"grade": true, "grade_id": "test-bce-loss", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_bce_loss():
    """BCE as PyTorch computes it: values, the -100 clamp at p = 0 and 1, its gradient, dtypes, checked inputs"""
    print("🔬 Unit Test: Binary Cross-Entropy...")

    bce = BinaryCrossEntropyLoss()
    p = Variable([0.9, 0.2], requires_grad=True)
    loss = bce(p, Tensor([1.0, 0.0]))
    assert isinstance(loss, Variable) and loss.shape == (), f"expected a scalar Variable, got {loss!r}"
    expected = -(np.log(0.9) + np.log(0.8)) / 2
    assert abs(loss.data.data.item() - expected) < 1e-12, f"-(log 0.9 + log 0.8) / 2 = {expected:.6f}, got {loss.data.data.item():.6f}"
    assert "bce_backward" in repr(loss), f"BCE should be one node named bce_backward, got {loss!r}"
    loss.backward()
    assert np.allclose(p.grad.data.data, [(0.9 - 1) / (0.9 * 0.1) / 2, 0.2 / (0.2 * 0.8) / 2]), (
        f"∂BCE/∂p = (p - y) / (p (1 - p)) / n = [-0.5556, 0.625], got {p.grad.data.data.tolist()}")

    # Soft targets and a (4, 3) batch: the mean is over all 12 elements; gradcheck
    rng = np.random.default_rng(0)
    probs = rng.uniform(0.05, 0.95, size=(4, 3))
    targets = rng.uniform(0.0, 1.0, size=(4, 3))
    targets[0] = [0.0, 1.0, 0.5]
    manual = -np.mean(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))
    probs_before, targets_before = probs.copy(), targets.copy()
    q = Variable(probs, requires_grad=True)
    loss = bce(q, targets)
    assert abs(loss.data.data.item() - manual) < 1e-12, f"BCE with soft targets on a (4, 3) batch: {manual:.6f}, got {loss.data.data.item():.6f}"
    loss.backward()
    first = q.grad.data.data.copy()
    assert np.allclose(first, (probs - targets) / (probs * (1 - probs)) / 12, rtol=1e-10), "∂BCE/∂p on the (4, 3) batch"
    q.grad = None
    loss.backward()
    assert np.allclose(q.grad.data.data, first, rtol=1e-12), "a second backward() on the same loss should give the same gradient"
    assert np.array_equal(probs, probs_before) and np.array_equal(targets, targets_before), "BCE must not change its inputs"
    assert gradcheck(lambda v: bce(v, targets), [Variable(probs.copy())])

    # Exactly 0 and 1: each log is clamped at -100, as in PyTorch: a certain, wrong answer costs 100
    saturated = Variable([0.0, 1.0, 1.0, 0.0, 0.5], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        edge = bce(saturated, Tensor([0.0, 1.0, 0.0, 1.0, 1.0]))
        edge.backward()
    assert abs(edge.data.data.item() - (0 + 0 + 100 + 100 + np.log(2.0)) / 5) < 1e-9, (
        f"two perfect, two certain-but-wrong (100 each: log clamped at -100) and one 50/50 prediction: "
        f"(200 + log 2) / 5 = {(200 + np.log(2.0)) / 5:.4f}, got {edge.data.data.item():.4f}")
    assert np.allclose(saturated.grad.data.data, [0.0, 0.0, 1e12 / 5, -1e12 / 5, -0.4], rtol=1e-9, atol=0), (
        f"(p - y) / max(p (1 - p), 1e-12) / n: [0, 0, 2e11, -2e11, -0.4], got {saturated.grad.data.data.tolist()}")
    tiny = bce(Variable([1e-50, 1e-30]), [1.0, 1.0]).data.data.item()
    assert abs(tiny - (100.0 - np.log(1e-30)) / 2) < 1e-9, f"log(1e-50) = -115 is clamped to -100, log(1e-30) = -69 is not: got {tiny}"
    small = bce(Variable([1e-20]), [0.0]).data.data.item()
    assert abs(small - 1e-20) < 1e-30, f"-log(1 - 1e-20) is 1e-20: use log1p, got {small}"

    # float32 in: a float32 loss and gradient; Tensors in: a Tensor out
    p32 = Variable(np.array([0.9, 0.2, 0.0], dtype=np.float32), requires_grad=True)
    loss32 = bce(p32, np.array([1.0, 0.0, 1.0], dtype=np.float32))
    loss32.backward()
    assert loss32.data.data.dtype == np.float32 and p32.grad.data.data.dtype == np.float32, (
        f"float32 in, float32 out: got {loss32.data.data.dtype} and {p32.grad.data.data.dtype}")
    assert abs(loss32.data.data.item() - (-np.log(np.float32(0.9)) - np.log(1 - np.float32(0.2)) + 100) / 3) < 1e-5
    (node_grad,) = loss32.grad_fn(np.ones((), dtype=np.float32))
    assert node_grad.dtype == np.float32, f"the backward should return a float32 gradient for float32 predictions, got {node_grad.dtype}"
    t = bce(Tensor([0.9, 0.2]), Tensor([1.0, 0.0]))
    assert isinstance(t, Tensor) and not isinstance(t, Variable) and abs(float(t.data) - expected) < 1e-12
    for seed in range(6):
        rs = np.random.default_rng(seed)
        p_many = rs.uniform(0.01, 0.99, 64).astype(np.float32)
        y_many = rs.uniform(0.0, 1.0, 64).astype(np.float32)
        as_float32, as_float64 = bce(Tensor(p_many), y_many), bce(Tensor(p_many.astype(np.float64)), y_many)
        assert as_float32.data.dtype == np.float32, f"float32 Tensor predictions should give a float32 Tensor, got {as_float32.data.dtype}"
        assert as_float32.data.item() == np.float32(as_float64.data.item()), (
            f"batch {seed}: the float32 loss {as_float32.data.item()!r} should be the float64 loss "
            f"{as_float64.data.item()!r} rounded to float32: compute with p as float64, cast only the result")

    # Checked inputs: predictions and targets outside [0, 1], or NaN, are refused; 0 and 1 are fine
    for bad, why in (([1.5, 0.2], "a prediction above 1 (a logit, not a probability)"), ([-0.1, 0.2], "a negative prediction"),
                     ([np.nan, 0.2], "a NaN prediction")):
        try:
            bce(Variable(bad), Tensor([1.0, 0.0]))
        except ValueError as exc:
            assert "igmoid" in str(exc), f"the message should suggest the Sigmoid, got: {exc}"
        else:
            raise AssertionError(f"{why} should raise ValueError")
    for bad, why in (([1.5, 0.0], "a target above 1"), ([1.0, -0.5], "a negative target"), ([np.nan, 1.0], "a NaN target")):
        try:
            bce(Variable([0.9, 0.2]), Tensor(bad))
        except ValueError:
            pass
        else:
            raise AssertionError(f"{why} should raise ValueError")
    assert abs(bce(Variable([0.0, 1.0]), [0.0, 1.0]).data.data.item()) < 1e-12, "p and y of exactly 0 and 1 are valid: loss 0"
    try:
        bce(Variable(np.full((3, 1), 0.5)), Tensor(np.ones(3)))
    except ValueError:
        pass
    else:
        raise AssertionError("predictions (3, 1) and targets (3,) should raise ValueError")

    print("✅ BCE tests passed!")

test_bce_loss()

# %% [markdown]
# ## Step 4: Accuracy
#
# The fraction of samples whose predicted class is the true one: a number in [0, 1].
#
# - **Several classes**, outputs (N, C): the prediction is the column with the highest
#   score, `argmax` along axis 1. Logits or probabilities give the same answer (softmax
#   keeps the order).
# - **Two classes with one output**, shape (N,) or (N, 1): the prediction is 1 when the
#   output is above the threshold, 0.5 for probabilities. If some outputs fall outside
#   [0, 1] they must be logits, and the threshold is 0 (sigmoid(0) = 0.5). This is what
#   `torchmetrics.Accuracy` does.
# - **Labels** are class indices, shape (N,) or (N, 1); one-hot labels (N, C) are turned
#   into indices with argmax.
#
# Accuracy has `name = "accuracy"`: the `Trainer` uses a metric's `name` for its
# history keys (`train_accuracy`, `val_accuracy`).

# %% nbgrader={"grade": false, "grade_id": "accuracy-metric", "locked": false, "schema_version": 3, "solution": true}
#| export
class Accuracy:
    """Classification accuracy: (logits or probabilities, labels) -> float in [0, 1]."""

    name = "accuracy"

    def __call__(self, outputs, labels) -> float:
        """
        The fraction of correctly classified samples.

        TODO: Compare predicted classes with the labels.

        STEP-BY-STEP IMPLEMENTATION:
        1. out = _values(outputs), y = _values(labels)
        2. Predicted classes:
           - out is 2-D with more than one column: argmax along axis 1
           - otherwise (N,) or (N, 1): flatten; threshold 0.5 if every value is in
             [0, 1], else 0; predicted class = 1 where out > threshold, else 0
        3. Labels: 2-D with more than one column (one-hot): argmax along axis 1;
           otherwise flatten
        4. If the numbers of predictions and labels differ, raise ValueError naming both;
           if there are none, raise ValueError
        5. Return the mean of (predicted == label) as a Python float

        EXAMPLE USAGE:
        ```python
        acc = Accuracy()
        acc(Tensor([[2.0, 1.0], [0.1, 3.0], [5.0, 0.0]]), Tensor([0, 1, 1]))   # 2/3
        acc(Tensor([0.9, 0.2, 0.6]), Tensor([1, 0, 0]))                        # 2/3
        ```

        IMPLEMENTATION HINTS:
        - ndarray.reshape(-1) flattens
        - np.all((a >= 0) & (a <= 1)) tests the range
        - float(np.mean(pred == y)): comparing ints with float labels 1.0 works
        """
        ### BEGIN SOLUTION
        out = _values(outputs)
        y = _values(labels)
        if out.ndim == 2 and out.shape[1] > 1:
            predicted = out.argmax(axis=1)
        else:
            scores = out.reshape(-1)
            threshold = 0.5 if np.all((scores >= 0) & (scores <= 1)) else 0.0
            predicted = scores > threshold
        if y.ndim == 2 and y.shape[1] > 1:
            y = y.argmax(axis=1)
        y = y.reshape(-1)
        if predicted.shape[0] != y.shape[0]:
            raise ValueError(f"Accuracy: {predicted.shape[0]} predictions but {y.shape[0]} labels")
        if y.shape[0] == 0:
            raise ValueError("Accuracy: no samples")
        return float(np.mean(predicted == y))
        ### END SOLUTION

    def __repr__(self) -> str:
        return "Accuracy()"

# %% nbgrader={"grade": true, "grade_id": "test-accuracy", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_accuracy():
    """Accuracy for multi-class logits, binary probabilities and logits, one-hot labels, and the boundaries"""
    print("🔬 Unit Test: Accuracy...")

    acc = Accuracy()
    assert acc.name == "accuracy"
    logits = Tensor([[2.0, 1.0, 0.0], [0.1, 3.0, 0.2], [5.0, 0.0, 9.0], [0.0, 1.0, 0.5]])
    got = acc(logits, Tensor([0, 1, 2, 0]))
    assert isinstance(got, float) and abs(got - 0.75) < 1e-12, f"3 of 4 right: 0.75, got {got!r}"
    assert acc(Variable(logits.data), np.array([0, 1, 2, 1])) == 1.0, "Variables work too"
    assert acc(logits, np.eye(3)[[0, 1, 2, 0]]) == 0.75, "one-hot labels should be turned into indices"

    assert abs(acc(Tensor([0.9, 0.2, 0.6, 0.4]), Tensor([1, 0, 0, 0])) - 0.75) < 1e-12, "probabilities: threshold 0.5"
    assert acc(Tensor([[3.0], [-2.0], [0.7], [-0.1]]), Tensor([[1.0], [0.0], [1.0], [0.0]])) == 1.0, (
        "values outside [0, 1] are logits: threshold 0")

    # The boundaries: a tie between classes goes to the first one (np.argmax, torch.argmax);
    # an output exactly at the threshold counts as class 0 (1 only when strictly above);
    # 0.0 and 1.0 are probabilities, so [0, 1] outputs use the threshold 0.5
    assert acc(Tensor([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0]]), [0, 1]) == 1.0, "ties go to the first of the tied classes"
    assert acc(Tensor([[2.0, 2.0, 1.0], [0.0, 3.0, 3.0]]), [1, 2]) == 0.0, "ties go to the first of the tied classes"
    assert acc(Tensor([0.5, 0.5000001, 0.4999999]), [0, 1, 0]) == 1.0, "probabilities: class 1 only when p > 0.5; p = 0.5 is class 0"
    assert acc(Tensor([0.0, 0.3, 1.0]), [0, 0, 1]) == 1.0, "outputs in [0, 1], ends included, are probabilities: threshold 0.5"
    assert acc(Tensor([1.0, 0.3, 0.0, 0.7]), [1, 0, 0, 1]) == 1.0, "outputs in [0, 1], ends included, are probabilities: threshold 0.5"
    assert acc(Tensor([-1.0, 0.0, 1e-9, 0.3]), [0, 0, 1, 1]) == 1.0, "logits: class 1 only when the logit is > 0; a logit of 0 is class 0"

    assert acc(Tensor([1.5, 0.3, 0.0]), [1, 1, 0]) == 1.0, "an output above 1 makes all of them logits: threshold 0"

    # Lists work, labels may be float; a 3-class batch with an asymmetric answer
    got = acc([[0.1, 0.2, 0.7], [0.9, 0.05, 0.05], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1]], [2.0, 0.0, 2.0, 2.0, 1.0])
    assert type(got) is float and abs(got - 0.6) < 1e-12, f"3 of 5 right: 0.6 as a Python float, got {got!r} ({type(got).__name__})"

    # One-hot labels with two classes, a single sample, and no samples at all
    assert acc(Tensor([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]), np.eye(2)[[0, 1, 0]]) == 2 / 3, "2-class one-hot labels become indices"
    assert acc(Tensor([[0.2, 0.8]]), [1]) == 1.0, "a batch of one sample is fine"
    try:
        acc(np.zeros((0, 3)), np.zeros(0))
    except ValueError:
        pass
    else:
        raise AssertionError("an empty batch should raise ValueError (there is no accuracy of nothing)")

    try:
        acc(logits, Tensor([0, 1, 2]))
    except ValueError:
        pass
    else:
        raise AssertionError("4 predictions and 3 labels should raise ValueError")

    print("✅ Accuracy tests passed!")

test_accuracy()

# %% [markdown]
# ## Step 5: The Trainer — The Training Loop, Packaged
#
# ### One training step, in the only correct order
# ```python
# output = model(x)                 # 1. forward: builds the graph
# loss = loss_fn(output, y)         # 2. loss: a scalar Variable at the top of the graph
# optimizer.zero_grad()             # 3. clear old gradients (they accumulate!)
# loss.backward()                   # 4. fill p.grad for every parameter
# optimizer.step()                  # 5. update the parameters in place
# ```
# Swap 3 and 4 and every gradient is erased before it is used; forget 3 and every step
# uses the sum of all previous gradients; forget 5 and nothing is learned. (`zero_grad`
# may also come first, before the forward pass: what matters is that it comes between
# one `step()` and the next `backward()`.)
#
# ### Epochs, and honest averages
# An **epoch** is one pass over every batch of the training set. The epoch's loss is
# the mean over all its *samples*. The loss of a batch is already a mean over its
# samples, so the batches must be weighted by their sizes: with batches of 32, 32 and a
# last batch of 3, a plain average of the three batch losses would give the last three
# samples the weight of 32. So accumulate `batch_loss × batch_size` and divide by the
# number of samples. Metrics are averaged the same way.
#
# The training numbers of an epoch are measured *during* the epoch, while the model is
# still changing (Keras and Lightning report the same). The validation numbers are
# measured after the epoch, with the model fixed: forward passes only, no `backward`,
# no `step`.
#
# ### The Trainer's contract
# - `Trainer(model, optimizer, loss, metrics=None)`: `metrics` defaults to
#   `[Accuracy()]`; pass `metrics=[]` for regression.
# - `train_epoch(loader)` and `evaluate(loader)` return
#   `{"loss": ..., "accuracy": ...}` (one key per metric name), as Python floats.
# - `fit(train_loader, epochs, val_loader=None, on_epoch_end=None)` runs `epochs`
#   epochs and returns the **history**, a dict of lists with one entry per epoch:
#   `train_loss`, `train_accuracy`, and, with a validation loader, `val_loss`,
#   `val_accuracy`. After each epoch it calls `on_epoch_end(epoch, logs)`, with `epoch`
#   counted from 0 and `logs` that epoch's numbers (`{"train_loss": ..., ...}`): use it
#   to print progress, draw a progress bar, or step a learning-rate scheduler
#   (`lambda epoch, logs: scheduler.step()`).
# - A loader is **any re-iterable** of `(x, y)` batches: a `DataLoader`, or a list of
#   tuples. The inputs are passed to the model as they are.
#
# ### Provided helpers
# - `_batches(loader, what)`: iterates a loader and yields `(x, y, batch_size)`, with
#   clear errors for batches that are not pairs and for loaders that produce no batches
#   (a Python generator is exhausted after one epoch: the second epoch would silently
#   train on nothing).
# - `_check_trainable(output)`: the model's output must be a `Variable`, or no gradient
#   can reach the weights. If it is a `Tensor`, the model's weights are Tensors: it was
#   built before module 07 was exported. The error says so.
# - `_metric_name(metric)`: the metric's `name` attribute, or its lower-cased class name.

# %% nbgrader={"grade": false, "grade_id": "trainer-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _metric_name(metric) -> str:
    """The key a metric's values are stored under: its `name`, or its class name in lower case."""
    name = getattr(metric, "name", None)
    return name if isinstance(name, str) and name else type(metric).__name__.lower()


def _batch_size(x) -> int:
    values = _values(x)
    return int(values.shape[0]) if values.ndim > 0 else 1


def _batches(loader, what: str = "loader"):
    """Yield (x, y, batch_size) for every batch of `loader`, with clear errors."""
    if loader is None or isinstance(loader, (str, bytes)) or not hasattr(loader, "__iter__"):
        raise TypeError(f"{what} must be an iterable of (x, y) batches (a DataLoader or a list of tuples), "
                        f"got {type(loader).__name__}")
    count = 0
    for index, batch in enumerate(loader):
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            size = len(batch) if isinstance(batch, (tuple, list)) else None
            raise ValueError(f"{what}: batch {index} should be a pair (x, y), got a {type(batch).__name__}"
                             + (f" of {size} items" if size is not None else ""))
        x, y = batch
        count += 1
        yield x, y, _batch_size(x)
    if count == 0:
        raise ValueError(f"{what} produced no batches. If it is a generator, it was used up by an earlier "
                         "epoch: pass a list or a DataLoader, which can be iterated again every epoch.")


def _check_trainable(output) -> None:
    """Training needs the model's output to be a Variable connected to its weights."""
    if not isinstance(output, Variable):
        raise TypeError(
            f"the model returned a {type(output).__name__}, not a Variable, so no gradient can reach its weights. "
            "Its weights are probably plain Tensors: export module 07 (`tito export autograd`) and build the "
            "model again, so that Parameter(...) creates Variables.")

# %% nbgrader={"grade": false, "grade_id": "trainer-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Trainer:
    """Runs the training loop: fit() for many epochs, evaluate() on held-out data."""

    def __init__(self, model, optimizer, loss, metrics: Optional[List] = None):
        if not callable(model):
            raise TypeError(f"model must be callable (model(x) -> outputs), got {type(model).__name__}")
        if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
            raise TypeError(f"optimizer must have step() and zero_grad() (SGD, Adam, ...), got {type(optimizer).__name__}")
        if not callable(loss):
            raise TypeError(f"loss must be callable (loss(outputs, targets) -> scalar), got {type(loss).__name__}")
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = [Accuracy()] if metrics is None else list(metrics)
        self.metric_names = [_metric_name(m) for m in self.metrics]
        if len(set(self.metric_names)) != len(self.metric_names) or "loss" in self.metric_names:
            raise ValueError(f"metric names must be distinct and not 'loss', got {self.metric_names}")
        self.history: Optional[Dict[str, List[float]]] = None

    def train_epoch(self, loader) -> Dict[str, float]:
        """
        One pass over `loader`, updating the model after every batch.

        TODO: Implement the training loop for one epoch.

        STEP-BY-STEP IMPLEMENTATION:
        1. Start totals at 0 for "loss" and for every name in self.metric_names,
           and a sample count at 0
        2. For x, y, size in _batches(loader, "train_loader"):
           a. output = self.model(x); _check_trainable(output)
           b. loss = the loss function (self.loss) of the output and y
           c. clear the optimizer's gradients, backward from the loss, step the optimizer
           d. add float(loss value) * size to the loss total, and
              float(metric(output, y)) * size to each metric's total; add size to the count
        3. Return {name: total / count} for "loss" and every metric

        EXAMPLE USAGE:
        ```python
        trainer = Trainer(model, SGD(model.parameters(), learning_rate=0.1), CrossEntropyLoss())
        trainer.train_epoch([(x1, y1), (x2, y2)])   # {"loss": 0.53, "accuracy": 0.81}
        ```

        IMPLEMENTATION HINTS:
        - The loss is a scalar Variable: _values(loss) is its 0-d array; float() of it
          gives a Python float
        - zip(self.metric_names, self.metrics) pairs names and metrics
        - Compute the metrics from this batch's output (before or after step(), the
          output is already computed: no second forward pass)
        """
        ### BEGIN SOLUTION
        totals = {"loss": 0.0, **{name: 0.0 for name in self.metric_names}}
        count = 0
        for x, y, size in _batches(loader, "train_loader"):
            output = self.model(x)
            _check_trainable(output)
            loss = self.loss(output, y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            totals["loss"] += float(_values(loss)) * size
            for name, metric in zip(self.metric_names, self.metrics):
                totals[name] += float(metric(output, y)) * size
            count += size
        return {name: total / count for name, total in totals.items()}
        ### END SOLUTION

    def evaluate(self, loader) -> Dict[str, float]:
        """
        The loss and metrics on `loader`, without changing the model.

        TODO: Average the loss and metrics over every sample of the loader.

        STEP-BY-STEP IMPLEMENTATION:
        1. The same totals and count as train_epoch
        2. For x, y, size in _batches(loader, "loader"): the model's output and its
           loss, as in train_epoch, then accumulate as in train_epoch
           (no zero_grad, no backward, no step)
        3. Return {name: total / count} for "loss" and every metric

        EXAMPLE USAGE:
        ```python
        trainer.evaluate(test_loader)    # {"loss": 0.12, "accuracy": 0.97}
        ```

        IMPLEMENTATION HINTS:
        - The model's output need not be a Variable here: nothing is differentiated
          (the losses accept Tensors too)
        """
        ### BEGIN SOLUTION
        totals = {"loss": 0.0, **{name: 0.0 for name in self.metric_names}}
        count = 0
        for x, y, size in _batches(loader, "loader"):
            output = self.model(x)
            loss = self.loss(output, y)
            totals["loss"] += float(_values(loss)) * size
            for name, metric in zip(self.metric_names, self.metrics):
                totals[name] += float(metric(output, y)) * size
            count += size
        return {name: total / count for name, total in totals.items()}
        ### END SOLUTION

    def fit(self, train_loader, epochs: int, val_loader=None,
            on_epoch_end: Optional[Callable] = None) -> Dict[str, List[float]]:
        """
        Train for `epochs` epochs; return the history (one list entry per epoch).

        TODO: Run the epochs, record the history, call on_epoch_end.

        STEP-BY-STEP IMPLEMENTATION:
        1. history = {"train_loss": [], "train_<metric>": [] for every metric}, plus
           "val_loss" and "val_<metric>" lists if val_loader is not None
        2. For epoch in range(epochs):
           a. logs = {"train_" + name: value} for every item of self.train_epoch(train_loader)
           b. with a val_loader, add {"val_" + name: value} from self.evaluate(val_loader)
           c. append each value of logs to its list in history
           d. if on_epoch_end is given, call on_epoch_end(epoch, logs)
        3. Store the history in self.history and return it

        EXAMPLE USAGE:
        ```python
        history = trainer.fit(train_loader, epochs=10, val_loader=test_loader,
                              on_epoch_end=lambda epoch, logs: print(epoch, logs))
        history["val_accuracy"]       # 10 numbers, one per epoch
        ```

        IMPLEMENTATION HINTS:
        - Build the history keys from self.metric_names, so metrics=[] gives only losses
        - Pass a fresh dict to on_epoch_end each epoch (the callback may keep it)
        """
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
        if on_epoch_end is not None and not callable(on_epoch_end):
            raise TypeError("on_epoch_end must be a function on_epoch_end(epoch, logs)")
        ### BEGIN SOLUTION
        names = ["loss", *self.metric_names]
        history = {f"train_{name}": [] for name in names}
        if val_loader is not None:
            history.update({f"val_{name}": [] for name in names})
        for epoch in range(epochs):
            logs = {f"train_{name}": value for name, value in self.train_epoch(train_loader).items()}
            if val_loader is not None:
                logs.update({f"val_{name}": value for name, value in self.evaluate(val_loader).items()})
            for key, value in logs.items():
                history[key].append(value)
            if on_epoch_end is not None:
                on_epoch_end(epoch, dict(logs))
        self.history = history
        return history
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"Trainer(model={type(self.model).__name__}, optimizer={self.optimizer!r}, loss={self.loss!r})"

# %% [markdown]
# ### 🧪 Test the Trainer on a Problem with a Known Answer
#
# Two well-separated blobs of points, a linear model made of two Variables, and the
# simplest possible optimizer, written in the test (module 08's optimizers work just as
# well; the tests here stay independent of it). A linear model can separate the blobs
# perfectly, so training must reach 100%.

# %% nbgrader={"grade": true, "grade_id": "test-trainer-fit", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: CrossEntropyLoss, Accuracy
def test_trainer_fit():
    """Trainer.fit trains to 100% on separable data and records a complete history"""
    print("🔬 Unit Test: Trainer.fit...")

    class TinyLinear:
        def __init__(self, n_in, n_out, seed=0):
            rng = np.random.default_rng(seed)
            self.w = Variable(rng.standard_normal((n_in, n_out)) * 0.1, requires_grad=True)
            self.b = Variable(np.zeros(n_out), requires_grad=True)

        def parameters(self):
            return [self.w, self.b]

        def __call__(self, x):
            return x @ self.w + self.b

    class PlainSGD:
        def __init__(self, parameters, learning_rate):
            self.parameters, self.learning_rate, self.steps = list(parameters), learning_rate, 0

        def zero_grad(self):
            for p in self.parameters:
                p.grad = None

        def step(self):
            self.steps += 1
            for p in self.parameters:
                if p.grad is not None:
                    values = p.data.data
                    values -= self.learning_rate * p.grad.data.data

    rng = np.random.default_rng(42)
    def blobs(n):
        x = np.concatenate([rng.normal(-2.0, 0.6, (n, 2)), rng.normal(2.0, 0.6, (n, 2))])
        y = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)])
        order = rng.permutation(2 * n)
        return x[order], y[order]

    x_train, y_train = blobs(30)                     # 60 samples
    x_val, y_val = blobs(10)                         # 20 samples
    train = [(Tensor(x_train[i:i + 16]), Tensor(y_train[i:i + 16])) for i in range(0, 60, 16)]   # 16, 16, 16, 12
    val = [(Tensor(x_val), Tensor(y_val))]

    model = TinyLinear(2, 2)
    optimizer = PlainSGD(model.parameters(), learning_rate=0.5)
    trainer = Trainer(model, optimizer, CrossEntropyLoss())
    seen = []
    history = trainer.fit(train, epochs=8, val_loader=val, on_epoch_end=lambda epoch, logs: seen.append((epoch, logs)))

    assert set(history) == {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}, f"history keys: {sorted(history)}"
    assert all(len(v) == 8 for v in history.values()), f"one entry per epoch: {({k: len(v) for k, v in history.items()})}"
    for key, values in history.items():
        for v in values:
            assert type(v) is float, f"history values should be Python floats, {key} has a {type(v).__name__}"
    assert optimizer.steps == 8 * 4, f"one optimizer step per batch: 8 epochs × 4 batches = 32, got {optimizer.steps}"
    assert history["train_loss"][-1] < history["train_loss"][0] / 5, f"the training loss should fall: {history['train_loss']}"
    assert history["train_accuracy"][-1] == 1.0 and history["val_accuracy"][-1] == 1.0, (
        f"separable blobs: 100% expected, got train {history['train_accuracy'][-1]}, val {history['val_accuracy'][-1]}")
    assert trainer.history is history, "fit should keep the history in trainer.history"

    assert [epoch for epoch, _ in seen] == list(range(8)), f"on_epoch_end gets epochs 0..7, got {[e for e, _ in seen]}"
    assert seen[-1][1] == {k: v[-1] for k, v in history.items()}, "on_epoch_end's logs are that epoch's numbers"

    # The validation numbers are evaluate() on the final model
    final = trainer.evaluate(val)
    assert set(final) == {"loss", "accuracy"}, f"evaluate returns loss and accuracy, got {sorted(final)}"
    assert abs(final["loss"] - history["val_loss"][-1]) < 1e-12, "val_loss of the last epoch should equal evaluate(val)"

    # Without validation data, only train_ keys; metrics=[] leaves only the loss
    history = Trainer(model, PlainSGD(model.parameters(), 0.1), CrossEntropyLoss()).fit(train, epochs=2)
    assert set(history) == {"train_loss", "train_accuracy"}, f"without val_loader: {sorted(history)}"
    history = Trainer(model, PlainSGD(model.parameters(), 0.1), CrossEntropyLoss(), metrics=[]).fit(train, epochs=1)
    assert set(history) == {"train_loss"}, f"metrics=[]: {sorted(history)}"

    print(f"✅ Trainer.fit reached 100%: final loss {trainer.history['train_loss'][-1]:.4f}")

test_trainer_fit()

# %% nbgrader={"grade": true, "grade_id": "test-trainer-evaluate", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: CrossEntropyLoss, MeanSquaredError, Accuracy
def test_trainer_evaluate():
    """evaluate() weights batches by size and changes nothing; clear errors for common mistakes"""
    print("🔬 Unit Test: Trainer.evaluate and errors...")

    class Affine:
        def __init__(self, w, b, dtype=np.float64):
            self.w = Variable(np.array(w, dtype=dtype), requires_grad=True)
            self.b = Variable(np.array(b, dtype=dtype), requires_grad=True)

        def parameters(self):
            return [self.w, self.b]

        def __call__(self, x):
            return x @ self.w + self.b

    class CountingOptimizer:
        def __init__(self):
            self.steps = 0

        def zero_grad(self):
            pass

        def step(self):
            self.steps += 1

    rng = np.random.default_rng(7)
    x = rng.standard_normal((7, 3))
    y = np.array([0, 1, 1, 0, 1, 0, 0])
    model = Affine(rng.standard_normal((3, 2)), [0.1, -0.1])
    before = model.w.data.data.copy()
    optimizer = CountingOptimizer()
    trainer = Trainer(model, optimizer, CrossEntropyLoss())

    whole = trainer.evaluate([(Tensor(x), Tensor(y))])
    split = trainer.evaluate([(Tensor(x[:5]), Tensor(y[:5])), (Tensor(x[5:]), Tensor(y[5:]))])
    direct = CrossEntropyLoss()(Tensor(x) @ model.w + model.b, y).data.data.item()
    assert abs(whole["loss"] - direct) < 1e-12, f"evaluate's loss on one batch should be the loss: {direct}, got {whole['loss']}"
    assert abs(split["loss"] - whole["loss"]) < 1e-12, (
        f"batches of 5 and 2 must be weighted by size: {split['loss']} should equal {whole['loss']}")
    assert abs(split["accuracy"] - whole["accuracy"]) < 1e-12, "accuracy is weighted by batch size too"
    assert optimizer.steps == 0 and np.array_equal(model.w.data.data, before), "evaluate must not train"

    # train_epoch: one step per batch, returns the epoch's averages
    logs = trainer.train_epoch([(Tensor(x[:5]), Tensor(y[:5])), (Tensor(x[5:]), Tensor(y[5:]))])
    assert optimizer.steps == 2 and set(logs) == {"loss", "accuracy"}, f"got {optimizer.steps} steps and {logs}"
    assert abs(logs["loss"] - split["loss"]) < 1e-12, "this optimizer changes nothing, so the epoch loss equals evaluate's"

    # Three classes and metrics that are not symmetric in their arguments: every metric is
    # called as metric(outputs, labels), in train_epoch and in evaluate
    class TrueClassScore:
        """The mean score the model gives to the true class: needs (outputs (N, C), labels (N,))."""
        name = "true_score"

        def __init__(self):
            self.shapes = []

        def __call__(self, outputs, labels):
            scores = outputs.data.data if isinstance(outputs, Variable) else np.asarray(outputs.data)
            classes = np.asarray(labels.data).astype(np.int64)
            self.shapes.append((scores.shape, classes.shape))
            return float(np.mean(scores[np.arange(len(classes)), classes]))

    x3 = rng.standard_normal((9, 3))
    y3 = np.array([0, 1, 2, 2, 1, 0, 2, 0, 1])
    model3 = Affine(rng.standard_normal((3, 3)), [0.3, -0.2, 0.1])
    score = TrueClassScore()
    trainer3 = Trainer(model3, CountingOptimizer(), CrossEntropyLoss(), metrics=[Accuracy(), score])
    result = trainer3.evaluate([(Tensor(x3[:4]), Tensor(y3[:4])), (Tensor(x3[4:]), Tensor(y3[4:]))])
    outputs = x3 @ model3.w.data.data + model3.b.data.data
    assert set(result) == {"loss", "accuracy", "true_score"}, f"one key per metric name, got {sorted(result)}"
    assert score.shapes == [((4, 3), (4,)), ((5, 3), (5,))], (
        f"metrics must be called as metric(outputs, labels): got argument shapes {score.shapes}")
    assert abs(result["true_score"] - outputs[np.arange(9), y3].mean()) < 1e-12, f"true-class score: got {result['true_score']}"
    assert abs(result["accuracy"] - np.mean(outputs.argmax(axis=1) == y3)) < 1e-12, (
        f"3-class accuracy should be {np.mean(outputs.argmax(axis=1) == y3)}, got {result['accuracy']}")
    logs = trainer3.train_epoch([(Tensor(x3), Tensor(y3))])
    assert score.shapes[-1] == ((9, 3), (9,)), f"train_epoch must call metric(outputs, labels) too, got shapes {score.shapes[-1]}"
    assert abs(logs["true_score"] - outputs[np.arange(9), y3].mean()) < 1e-12, "train_epoch's metric values"

    # The numbers are Python floats, whatever the model's dtype and the metric's return type
    class Float32Metric:
        name = "constant"

        def __call__(self, outputs, labels):
            return np.float32(0.25)

    model32 = Affine(rng.standard_normal((3, 2)), [0.1, -0.1], dtype=np.float32)
    trainer32 = Trainer(model32, CountingOptimizer(), CrossEntropyLoss(), metrics=[Float32Metric()])
    batches32 = [(Tensor(x[:5].astype(np.float32)), Tensor(y[:5])), (Tensor(x[5:].astype(np.float32)), Tensor(y[5:]))]
    for logs in (trainer32.evaluate(batches32), trainer32.train_epoch(batches32)):
        for name, number in logs.items():
            assert type(number) is float, f"{name} should be a Python float (use float()), got {type(number).__name__}"
        assert abs(logs["constant"] - 0.25) < 1e-12, f"a metric that is always 0.25 averages to 0.25, got {logs['constant']}"

    # A regression model with MSE and no metrics
    reg = Trainer(Affine([[1.0], [2.0], [0.0]], [0.0]), CountingOptimizer(), MeanSquaredError(), metrics=[])
    result = reg.evaluate([(Tensor(x), Tensor((x[:, :1] + 2 * x[:, 1:2]) + 1.0))])
    assert set(result) == {"loss"} and abs(result["loss"] - 1.0) < 1e-12, f"every prediction is 1 too small: MSE 1, got {result}"

    # A model whose weights are Tensors (built before autograd): a clear TypeError
    class TensorModel:
        def parameters(self):
            return []

        def __call__(self, x):
            return x @ Tensor(np.ones((3, 2)))

    try:
        Trainer(TensorModel(), CountingOptimizer(), CrossEntropyLoss()).fit([(Tensor(x), Tensor(y))], epochs=1)
    except TypeError as exc:
        assert "Variable" in str(exc), f"the message should explain that a Variable is needed, got: {exc}"
    else:
        raise AssertionError("training a model whose output is a Tensor should raise TypeError")
    # ...but it can be evaluated
    assert Trainer(TensorModel(), CountingOptimizer(), CrossEntropyLoss()).evaluate([(Tensor(x), Tensor(y))])["loss"] > 0

    # A generator is used up after one epoch
    batches = ((Tensor(x[i:i + 4]), Tensor(y[i:i + 4])) for i in (0, 4))
    try:
        Trainer(model, CountingOptimizer(), CrossEntropyLoss()).fit(batches, epochs=2)
    except ValueError as exc:
        assert "generator" in str(exc), f"the message should mention generators, got: {exc}"
    else:
        raise AssertionError("a generator as train_loader should fail clearly in epoch 2, not train on nothing")

    for bad_loader, why in (([(Tensor(x),)], "a batch without labels"), ([], "an empty loader")):
        try:
            trainer.evaluate(bad_loader)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{why} should raise ValueError")
    try:
        trainer.fit([(Tensor(x), Tensor(y))], epochs=0)
    except ValueError:
        pass
    else:
        raise AssertionError("epochs=0 should raise ValueError")

    print("✅ Trainer.evaluate and error tests passed!")

test_trainer_evaluate()

# %% [markdown]
# ## Step 6: Checkpoints — Keeping What Was Learned
#
# ### Why
# Training takes minutes to weeks. A checkpoint saves the learned numbers so you can use
# the model later, share it, or resume after a crash. What defines a trained network is
# just its **parameters**: the architecture is code, and you build it again the same
# way; then you load the numbers into it.
#
# ### The format: `.npz`
# numpy's `.npz` is a zip file of arrays, one per name. We store the parameters **in
# the order `model.parameters()` returns them**, as `param_0`, `param_1`, ...: the same
# architecture always lists its parameters in the same order, so position identifies a
# parameter. (PyTorch's `state_dict()` uses names like `"layers.0.weight"` instead; the
# idea is the same.) `np.load` is used with its default `allow_pickle=False`: loading a
# checkpoint never runs code from the file.
#
# ### Loading: check everything, then write in place
# - **In place**: `values[...] = saved` writes into each parameter's existing array.
#   The model's layers and the optimizer keep referring to the same Variables, so
#   training can continue right after loading.
# - **Check first, then write**: a checkpoint from a different architecture (another
#   hidden size, one layer more) must be refused with a message that says which
#   parameter differs and how, *before* anything is changed. A half-loaded model would
#   be worse than an error.
# - A missing file is a `FileNotFoundError` that names the path; a file that is not a
#   checkpoint is a `ValueError`.
#
# The optimizer's state (momentum velocities, Adam's moments) is not saved: enough to
# use the model, or to fine-tune it; resuming training *exactly* would need it too
# (PyTorch saves `optimizer.state_dict()` alongside for that).
#
# The provided `_model_parameters(model)` returns `model.parameters()` as a list, or a
# `TypeError` for an object without parameters. `_values(p)` works for Variables and
# Tensors alike, so even models from before module 07 can be saved and loaded.

# %% nbgrader={"grade": false, "grade_id": "checkpoint-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _model_parameters(model) -> list:
    """model.parameters() as a list, or a TypeError."""
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(f"a checkpoint stores model.parameters(), but {type(model).__name__} has no parameters() method")
    return list(model.parameters())

# %% nbgrader={"grade": false, "grade_id": "checkpoints", "locked": false, "schema_version": 3, "solution": true}
#| export
def save_checkpoint(model, path) -> str:
    """
    Save the model's parameters, in order, to an .npz file at `path`; return the path.

    TODO: Write every parameter's values to `path` as param_0, param_1, ...

    STEP-BY-STEP IMPLEMENTATION:
    1. params = the model's parameters, from _model_parameters
    2. arrays = {"param_0": values of the first parameter, "param_1": ...}
    3. path = os.fspath(path) (accepts str and pathlib.Path); create its directory if
       it has one and it does not exist yet
    4. Open the file yourself in binary write mode and np.savez(file, **arrays):
       np.savez(path, ...) would append ".npz" to a path without that ending, and the
       checkpoint would not be where the caller asked
    5. Return the path

    EXAMPLE USAGE:
    ```python
    save_checkpoint(model, "checkpoints/mlp.npz")
    load_checkpoint(fresh_model, "checkpoints/mlp.npz")
    ```

    IMPLEMENTATION HINTS:
    - _values(p) is the ndarray of a Variable or a Tensor
    - os.path.dirname(path) is "" for a file in the current directory
    - os.makedirs creates missing directories; exist_ok=True makes an existing one fine
    """
    ### BEGIN SOLUTION
    params = _model_parameters(model)
    arrays = {f"param_{i}": _values(p) for i, p in enumerate(params)}
    path = os.fspath(path)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path
    ### END SOLUTION


def load_checkpoint(model, path):
    """
    Load parameters saved by save_checkpoint into `model`, in place; return the model.

    TODO: Read the checkpoint, check it matches the model, then copy the values in.

    STEP-BY-STEP IMPLEMENTATION:
    1. params = the model's parameters (_model_parameters); path = os.fspath(path)
    2. If there is no file at path: raise FileNotFoundError naming the path
    3. An .npz file is a zip archive: if zipfile.is_zipfile(path) is False, raise
       ValueError("... is not a checkpoint ..."). Otherwise read it with np.load, used as a
       context manager (a `with` block closes the file); if that fails (OSError,
       zipfile.BadZipFile) or the names are not exactly param_0 ... param_{k-1}, raise the
       same ValueError
    4. If k differs from len(params): raise ValueError naming both counts and the
       first parameter index that has no counterpart, with its shape
    5. For every i: if the saved shape differs from the parameter's shape, raise
       ValueError naming parameter i and both shapes. Check ALL before writing ANY
    6. Copy each saved array into its parameter's values in place: values[...] = saved
    7. Return the model

    EXAMPLE USAGE:
    ```python
    load_checkpoint(model, "mlp.npz")
    # ValueError: parameter 0: the checkpoint has shape (64, 32) but the model has shape (64, 16)
    ```

    IMPLEMENTATION HINTS:
    - os.path.isfile(path)
    - data.files lists the names in an .npz; data[name] reads one array into a new
      ndarray (read them all inside the `with` block: the file closes after it)
    - np.savez keeps the names, not necessarily the order: compare the names as sets,
      then read param_0, param_1, ... in that order
    - Assigning with values[...] = saved also converts the dtype (float64 → float32)
    """
    ### BEGIN SOLUTION
    params = _model_parameters(model)
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint file at '{path}': save one with save_checkpoint(model, '{path}')")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"'{path}' is not a checkpoint written by save_checkpoint (it is not an .npz archive)")
    try:
        with np.load(path) as data:
            names = data.files
            expected = [f"param_{i}" for i in range(len(names))]
            if set(names) != set(expected):
                raise ValueError(f"'{path}' is not a checkpoint written by save_checkpoint "
                                 f"(expected arrays named param_0, param_1, ..., found {names[:5]})")
            saved = [data[name] for name in expected]
    except (OSError, zipfile.BadZipFile) as exc:
        raise ValueError(f"'{path}' is not a checkpoint written by save_checkpoint: {exc}") from None
    if len(saved) < len(params):
        extra = f"parameter {len(saved)} of the model (shape {_values(params[len(saved)]).shape}) has no saved value"
    elif len(saved) > len(params):
        extra = f"saved parameter {len(params)} (shape {saved[len(params)].shape}) has no place in the model"
    else:
        extra = ""
    if extra:
        raise ValueError(f"the checkpoint has {len(saved)} parameters but the model has {len(params)}: {extra}. "
                         "Build the model with the same architecture as the one that was saved.")
    for i, (p, array) in enumerate(zip(params, saved)):
        shape = _values(p).shape
        if array.shape != shape:
            raise ValueError(f"parameter {i}: the checkpoint has shape {array.shape} but the model has shape {shape}. "
                             "Build the model with the same architecture as the one that was saved.")
    for p, array in zip(params, saved):
        values = _values(p)
        values[...] = array
    return model
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-checkpoints", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_checkpoints():
    """save/load round-trips parameters in place and refuses mismatched models clearly"""
    print("🔬 Unit Test: Checkpoints...")
    import tempfile

    class TwoLayer:
        def __init__(self, hidden, seed, outputs=3):
            rng = np.random.default_rng(seed)
            self.w1 = Variable(rng.standard_normal((4, hidden)).astype(np.float32), requires_grad=True)
            self.b1 = Variable(np.zeros(hidden, dtype=np.float32), requires_grad=True)
            self.w2 = Variable(rng.standard_normal((hidden, outputs)).astype(np.float32), requires_grad=True)

        def parameters(self):
            return [self.w1, self.b1, self.w2]

        def __call__(self, x):
            return (x @ self.w1 + self.b1).relu() @ self.w2

    with tempfile.TemporaryDirectory() as tmp:
        source, target = TwoLayer(8, seed=0), TwoLayer(8, seed=1)
        source.b1.data.data[:] = np.arange(8)
        path = os.path.join(tmp, "nested", "model")          # no .npz ending, directory missing
        returned = save_checkpoint(source, path)
        assert os.path.isfile(path), f"the checkpoint should be written exactly at {path}"
        assert returned == path, f"save_checkpoint should return the path, got {returned!r}"
        with np.load(path) as archive:
            assert sorted(archive.files) == ["param_0", "param_1", "param_2"], f"arrays should be param_0..2, got {archive.files}"

        arrays_before = [p.data.data for p in target.parameters()]
        result = load_checkpoint(target, path)
        assert result is target, "load_checkpoint should return the model"
        for i, (a, b) in enumerate(zip(source.parameters(), target.parameters())):
            assert np.array_equal(a.data.data, b.data.data), f"parameter {i} should be restored exactly"
            assert b.data.data is arrays_before[i], f"parameter {i} should be loaded in place (same ndarray)"
            assert b.data.data.dtype == np.float32, "loading keeps the model's dtype"
        x = Tensor(np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32))
        assert np.array_equal(source(x).data.data, target(x).data.data), "the loaded model computes the same outputs"

        # pathlib paths work too
        import pathlib
        load_checkpoint(TwoLayer(8, seed=3), pathlib.Path(path))

        # A different architecture: a clear error naming the parameter and both shapes
        try:
            load_checkpoint(TwoLayer(16, seed=4), path)
        except ValueError as exc:
            message = str(exc)
            assert "parameter 0" in message and "(4, 8)" in message and "(4, 16)" in message, (
                f"the message should name parameter 0 and both shapes (4, 8) and (4, 16), got: {message}")
            assert message.index("(4, 8)") < message.index("(4, 16)"), (
                f"the message should give the checkpoint's shape (4, 8) first, then the model's (4, 16), got: {message}")
        else:
            raise AssertionError("loading a hidden=8 checkpoint into a hidden=16 model should raise ValueError")

        # Only the last parameter differs: the error comes before anything is written
        five_outputs = TwoLayer(8, seed=5, outputs=5)
        untouched = [p.data.data.copy() for p in five_outputs.parameters()]
        try:
            load_checkpoint(five_outputs, path)
        except ValueError as exc:
            assert "parameter 2" in str(exc) and "(8, 3)" in str(exc) and "(8, 5)" in str(exc), (
                f"the message should name parameter 2 and both shapes (8, 3) and (8, 5), got: {exc}")
        else:
            raise AssertionError("loading a 3-output checkpoint into a 5-output model should raise ValueError")
        assert all(np.array_equal(u, p.data.data) for u, p in zip(untouched, five_outputs.parameters())), (
            "a failed load must not change any parameter: check every shape before writing any value")

        # A different number of parameters
        class OneLayer:
            def __init__(self):
                self.w1 = Variable(np.zeros((4, 8)), requires_grad=True)

            def parameters(self):
                return [self.w1]

        try:
            load_checkpoint(OneLayer(), path)
        except ValueError as exc:
            assert "3" in str(exc) and "1" in str(exc), f"the message should give both counts, got: {exc}"
        else:
            raise AssertionError("a checkpoint with 3 parameters into a model with 1 should raise ValueError")

        # Many parameters (param_10 sorts before param_2 as text), and an archive whose
        # arrays are stored in another order: the names decide, not the order in the file
        class Many:
            def __init__(self, value):
                self.ps = [Variable(np.full(i + 1, value + i), requires_grad=True) for i in range(12)]

            def parameters(self):
                return self.ps

        many_path = save_checkpoint(Many(100.0), os.path.join(tmp, "many.npz"))
        restored = load_checkpoint(Many(0.0), many_path)
        for i, p in enumerate(restored.parameters()):
            assert np.array_equal(p.data.data, np.full(i + 1, 100.0 + i)), f"parameter {i} of 12 should be restored"
        reordered = os.path.join(tmp, "reordered.npz")
        with open(reordered, "wb") as f:
            np.savez(f, param_2=np.full(3, 7.0), param_0=np.full(1, 5.0), param_1=np.full(2, 6.0))

        class Three:
            def __init__(self):
                self.ps = [Variable(np.zeros(i + 1), requires_grad=True) for i in range(3)]

            def parameters(self):
                return self.ps

        loaded = load_checkpoint(Three(), reordered)
        assert [p.data.data.tolist() for p in loaded.parameters()] == [[5.0], [6.0, 6.0], [7.0, 7.0, 7.0]], (
            "param_i goes to parameter i, whatever the order of the arrays in the file")

        # Missing file, and a file that is not a checkpoint
        missing = os.path.join(tmp, "nope.npz")
        try:
            load_checkpoint(target, missing)
        except FileNotFoundError as exc:
            assert "nope.npz" in str(exc), f"the message should name the path, got: {exc}"
        else:
            raise AssertionError("a missing checkpoint should raise FileNotFoundError")
        junk = os.path.join(tmp, "junk.npz")
        with open(junk, "w") as f:
            f.write("just some text")
        other = os.path.join(tmp, "other.npz")
        np.savez(other, weights=np.zeros(3))
        for not_a_checkpoint in (junk, other):
            try:
                load_checkpoint(target, not_a_checkpoint)
            except ValueError as exc:
                assert "not a checkpoint" in str(exc), f"the message should say 'not a checkpoint', got: {exc}"
            else:
                raise AssertionError(f"{os.path.basename(not_a_checkpoint)} is not a checkpoint: ValueError expected")

    print("✅ Checkpoint tests passed!")

test_checkpoints()

# %% [markdown]
# ## Step 7: Putting It All Together
#
# A problem a linear model cannot solve: points inside a circle (class 0) versus a ring
# around it (class 1). A hidden layer of tanh units bends the decision boundary into a
# closed curve. The model, its optimizer (SGD with momentum) and the data are all defined
# in the test; your losses, metric, `Trainer` and checkpoints do the rest. After
# training, the model is saved, loaded into a freshly initialised copy, and must score
# exactly the same.
#
# With the full library the same run is three lines:
# ```python
# model = create_mlp(2, [16], 2, activation=Tanh, seed=0)               # module 04
# trainer = Trainer(model, Adam(model.parameters(), learning_rate=0.01), CrossEntropyLoss())
# history = trainer.fit(DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True), epochs=40)
# ```

# %% nbgrader={"grade": true, "grade_id": "test-training-end-to-end", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: CrossEntropyLoss, Accuracy, Trainer
def test_training_end_to_end():
    """A 2-layer MLP learns circle-vs-ring to > 95%, and its checkpoint reproduces it"""
    print("🔬 Unit Test: End-to-End Training...")
    import tempfile

    class MLP:
        def __init__(self, hidden, seed):
            rng = np.random.default_rng(seed)
            self.w1 = Variable(rng.standard_normal((2, hidden)) * np.sqrt(1.0 / 2), requires_grad=True)
            self.b1 = Variable(np.zeros(hidden), requires_grad=True)
            self.w2 = Variable(rng.standard_normal((hidden, 2)) * np.sqrt(1.0 / hidden), requires_grad=True)
            self.b2 = Variable(np.zeros(2), requires_grad=True)

        def parameters(self):
            return [self.w1, self.b1, self.w2, self.b2]

        def __call__(self, x):
            return (x @ self.w1 + self.b1).tanh() @ self.w2 + self.b2

    class MomentumSGD:
        def __init__(self, parameters, learning_rate, momentum=0.9):
            self.parameters, self.learning_rate, self.momentum = list(parameters), learning_rate, momentum
            self.velocities = [np.zeros_like(p.data.data) for p in self.parameters]

        def zero_grad(self):
            for p in self.parameters:
                p.grad = None

        def step(self):
            for p, v in zip(self.parameters, self.velocities):
                if p.grad is not None:
                    v *= self.momentum
                    v += p.grad.data.data
                    values = p.data.data
                    values -= self.learning_rate * v

    rng = np.random.default_rng(0)
    def circle_and_ring(n):
        radius = np.concatenate([rng.uniform(0.0, 1.0, n), rng.uniform(1.6, 2.4, n)])
        angle = rng.uniform(0, 2 * np.pi, 2 * n)
        x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
        y = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)])
        order = rng.permutation(2 * n)
        return x[order], y[order]

    x_train, y_train = circle_and_ring(200)
    x_val, y_val = circle_and_ring(100)
    train = [(Tensor(x_train[i:i + 32]), Tensor(y_train[i:i + 32])) for i in range(0, 400, 32)]
    val = [(Tensor(x_val), Tensor(y_val))]

    model = MLP(16, seed=0)
    trainer = Trainer(model, MomentumSGD(model.parameters(), learning_rate=0.05), CrossEntropyLoss())
    history = trainer.fit(train, epochs=40, val_loader=val)
    print(f"   epoch 1: loss {history['train_loss'][0]:.3f}, val acc {history['val_accuracy'][0]:.3f}; "
          f"epoch 40: loss {history['train_loss'][-1]:.3f}, val acc {history['val_accuracy'][-1]:.3f}")
    assert history["val_accuracy"][-1] > 0.95, f"the MLP should separate circle and ring (> 95%), got {history['val_accuracy'][-1]:.3f}"
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0], f"training should reduce the loss: {history['train_loss']}"

    with tempfile.TemporaryDirectory() as tmp:
        path = save_checkpoint(model, os.path.join(tmp, "circle.npz"))
        restored = load_checkpoint(MLP(16, seed=123), path)
    result = Trainer(restored, MomentumSGD(restored.parameters(), 0.05), CrossEntropyLoss()).evaluate(val)
    assert result == trainer.evaluate(val), f"the restored model should score exactly the same: {result} vs {trainer.evaluate(val)}"

    print(f"✅ End-to-end: {result['accuracy']:.1%} validation accuracy, restored exactly from the checkpoint")

test_training_end_to_end()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook and runs it once more.
#
# **This testing section is locked** - it provides consistent feedback across all modules
# and cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

# Automatically discover and run all tests in this module
success = run_module_tests_auto("Training")

# %% [markdown]
# ## 🎯 Module Summary: Training
#
# ### ✅ What You've Built
# - **Losses**: `MeanSquaredError` (composed from autograd operations: backward for
#   free), `CrossEntropyLoss` (log-sum-exp, class indices or class probabilities, one
#   fused node with backward (softmax − target)/N), `BinaryCrossEntropyLoss` (PyTorch's
#   logarithms clamped at −100 and its protected gradient, one fused node), all with
#   PyTorch's numbers and dtypes
# - **`Accuracy`**: argmax for several classes, a threshold for one output
# - **`Trainer`**: the five-line training step, size-weighted epoch averages,
#   validation, a history, and an `on_epoch_end` hook
# - **Checkpoints**: `.npz` files of the parameters in order, loaded in place after
#   checking every shape
#
# ### ✅ Key Learning Outcomes
# - **Numerical stability**: subtracting the max makes softmax and its log safe at any
#   scale; the fused gradient is bounded in [−1, 1]; at p = 0 or 1, BCE clamps its logs
#   at −100 but keeps a (huge) gradient, so a confident mistake can still be corrected
# - **Backward functions are pure**: they may read the forward's arrays but never write
#   into them, so a second backward gives the same gradient
# - **Fusing operations**: when the combined derivative is simple, one hand-written node
#   is faster and more accurate than a chain of generic ones (`apply_op`)
# - **The loop's order**: forward, loss, zero_grad, backward, step
# - **Honest numbers**: per-sample averages, validation on data the model never trained on
#
# ### 🔗 Connection to Real ML Systems
# - **PyTorch**: `nn.MSELoss`, `nn.CrossEntropyLoss` (fused `log_softmax` + `nll_loss`;
#   class indices or probabilities), `nn.BCELoss`; `torch.save(model.state_dict(), path)` and
#   `model.load_state_dict(torch.load(path))`, which also checks every shape
# - **Keras**: `model.fit(x, y, epochs, validation_data, callbacks)` returns the same
#   kind of history
# - **PyTorch Lightning**: a `Trainer` that owns the loop, exactly like yours
#
# ### 🚀 What's Next
# You can now train anything you can build. Run the milestones (`tito milestone run xor`,
# `mlp-digits`, `cnn-digits`): an MLP and a CNN trained with your own library on real
# handwritten digits.
