# %% [markdown]
# # Optimizers
#
# Autograd tells every parameter which way is uphill: after `loss.backward()`, `w.grad`
# holds ∂L/∂w. An **optimizer** turns those gradients into better parameters, one step at
# a time. It is the part of training that actually *learns*.
#
# By the end of the module you will have built:
# - an `Optimizer` base class that collects parameters, checks them, and clears their
#   gradients (`zero_grad()`),
# - `SGD` with **momentum** (classic and **Nesterov**) and **weight decay**, exactly as
#   `torch.optim.SGD` does it,
# - `Adam` with **bias correction**, exactly as `torch.optim.Adam` does it,
# - `AdamW`, Adam with **decoupled** weight decay, exactly as `torch.optim.AdamW` does it,
# - `StepLR`, a learning-rate schedule that decays the step size every few epochs.
#
# Every update happens **in place**, directly in the parameters' numpy arrays, so every
# layer that holds a parameter sees the new values immediately.

# %% nbgrader={"grade": false, "grade_id": "optimizers-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.optimizers
#| export
import math
import numbers
import sys
from typing import Iterable, List, Optional

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import Variable

# %% nbgrader={"grade": false, "grade_id": "optimizers-banner", "locked": true, "schema_version": 3, "solution": false}
print("🔥 TinyTorch Optimizers Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to turn gradients into learning!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/08_optimizers/optimizers_dev.py`
# **Building Side:** Code exports to `tinytorch.core.optimizers`
#
# ```python
# # Final package structure:
# from tinytorch.core.optimizers import SGD, Adam, AdamW, StepLR   # turn gradients into progress
# from tinytorch.core.autograd import Variable               # where the gradients come from
# ```
#
# **Why this matters:**
# - **Learning:** The update rules are a few lines each, but every detail (the order of
#   operations, the bias correction, in-place updates) changes what the network learns
# - **Production:** Same names and semantics as `torch.optim.SGD`, `torch.optim.Adam`,
#   `torch.optim.AdamW` and `torch.optim.lr_scheduler.StepLR`: what you learn here
#   transfers one to one
# - **Consistency:** Every optimizer has the same interface: `step()` and `zero_grad()`
# - **Foundation:** Module 09's `Trainer` drives any of them

# %% [markdown]
# ## What Is an Optimizer?
#
# ### Training is minimisation
# A network with parameters θ (all its weights and biases) has a loss L(θ) on the
# training data: how wrong it is. Training means finding θ where L is small. The loss is
# a function of millions of numbers, and we cannot solve for its minimum on paper. What we
# *can* do cheaply, thanks to autograd, is compute the gradient ∇L(θ): the direction in
# which the loss increases fastest.
#
# ### Gradient descent: walk downhill
# ```
# θ ← θ − η · ∇L(θ)          η (eta) is the learning rate: the size of each step
# ```
#
# ```
#   L(θ)
#    │ ●                       each step moves against the slope;
#    │   ╲                     steep slope → big step,
#    │     ● ╲                 flat → small step,
#    │          ●──╲           at the minimum the gradient is 0 and we stop moving
#    │               ● ─ ● ─ ●
#    └──────────────────────────── θ
# ```
#
# ### The training loop, and where the optimizer fits
# ```python
# for x, y in batches:
#     loss = loss_fn(model(x), y)   # forward: build the graph
#     optimizer.zero_grad()         # forget the previous batch's gradients
#     loss.backward()               # autograd: fill in p.grad for every parameter p
#     optimizer.step()              # the optimizer: p ← p − η · (something built from p.grad)
# ```
#
# Everything interesting about an optimizer is in "something built from p.grad". Plain
# gradient descent uses the gradient itself. Momentum uses a running sum of gradients.
# Adam divides by a running estimate of each gradient's size. You will build all three.
#
# ### Real-World Context
# - **PyTorch**: `torch.optim.SGD`, `torch.optim.Adam`, `optimizer.zero_grad()`,
#   `optimizer.step()`: the interface you build here
# - **TensorFlow/Keras**: `tf.keras.optimizers.SGD`, `Adam`, `apply_gradients`
# - **JAX**: `optax.sgd`, `optax.adam`: the same update rules as pure functions

# %% [markdown]
# ## Step 1: The Optimizer Base Class
#
# ### What every optimizer shares
# - **A list of parameters** to update. They must be `Variable`s: only Variables have a
#   `.grad`. A plain `Tensor` in the list is almost always a mistake with a simple fix:
#   the model was built before module 07 was exported, so `Parameter(...)` (module 03)
#   made Tensors. Export module 07 and build the model again. The provided `__init__`
#   checks this and raises a `TypeError` that says exactly that.
# - **A learning rate**, `optimizer.learning_rate`, which schedulers (Step 5) change
#   during training. It must be a positive number.
# - **`zero_grad()`**: autograd *accumulates* gradients (module 07, Step 16), so before
#   each backward pass the old gradients must go. Setting `p.grad = None` is what PyTorch
#   does by default (`set_to_none=True`): no memory is kept, and `step()` can tell "no
#   gradient this time" apart from "a gradient of zero".
# - **`step()`**: the update rule. Each optimizer writes its own.
#
# ### Parameters without a gradient
# A parameter may have `grad is None` after `backward()`: it was not used in this
# forward pass (a frozen layer, a branch the input did not take). Optimizers **skip**
# such parameters: no update, and no change to their internal state. This is PyTorch's
# rule too.
#
# ### Provided helpers
# - `_check_positive(name, value)`, `_check_in_range(...)`: hyper-parameter validation
#   with clear messages (a learning rate of `-0.01` or a `beta1` of `1.0` is a bug that
#   otherwise only shows up as a diverging loss hours later).
# - `_collect_parameters(parameters)`: turns `model.parameters()` (a list, or any
#   iterable) into a list of distinct Variables, or raises the `TypeError` above.
#
# You write `zero_grad()`.

# %% nbgrader={"grade": false, "grade_id": "optimizer-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _check_number(name: str, value) -> float:
    """`value` as a float, or a TypeError naming the hyper-parameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _check_positive(name: str, value) -> float:
    """A hyper-parameter that must be > 0 (a learning rate, a decay factor)."""
    value = _check_number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def _check_in_range(name: str, value, low: float, high: float, high_inclusive: bool = False) -> float:
    """A hyper-parameter in [low, high) (or [low, high] with high_inclusive)."""
    value = _check_number(name, value)
    too_high = value > high if high_inclusive else value >= high
    if value < low or too_high:
        bracket = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in [{low:g}, {high:g}{bracket}, got {value}")
    return value


def _collect_parameters(parameters) -> List[Variable]:
    """The parameters as a list of distinct Variables, or a clear error."""
    if isinstance(parameters, (Variable, Tensor)):
        raise TypeError("an optimizer takes a list of parameters, e.g. model.parameters() or [w, b], "
                        f"not a single {type(parameters).__name__}")
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError("an optimizer takes a list of parameters, e.g. model.parameters() or [w, b], "
                        f"got {type(parameters).__name__}") from None
    collected, seen = [], set()
    for index, p in enumerate(parameters):
        if not isinstance(p, Variable):
            hint = ""
            if isinstance(p, Tensor):
                hint = (" It is a plain Tensor, which has no .grad: did you export module 07 (autograd) "
                        "before building the model, and create the weights with Parameter(...)? "
                        "Run `tito export autograd`, then build the model again.")
            raise TypeError(f"parameter {index} is a {type(p).__name__}, not a Variable.{hint}")
        if id(p) not in seen:  # a parameter listed twice must still be updated once per step
            seen.add(id(p))
            collected.append(p)
    if not collected:
        raise ValueError("the optimizer got an empty list of parameters: there is nothing to train")
    return collected

# %% nbgrader={"grade": false, "grade_id": "optimizer-base", "locked": false, "schema_version": 3, "solution": true}
#| export
class Optimizer:
    """
    Base class of all optimizers: holds the parameters and the learning rate.

    Subclasses implement `step()`; `zero_grad()` is shared.
    """

    def __init__(self, parameters: Iterable[Variable], learning_rate: float):
        self.parameters = _collect_parameters(parameters)
        self.learning_rate = _check_positive("learning_rate", learning_rate)

    def zero_grad(self) -> None:
        """
        Forget the gradients of every parameter before the next backward pass.

        TODO: Reset the gradient of every parameter this optimizer holds.

        STEP-BY-STEP IMPLEMENTATION:
        1. Loop over self.parameters
        2. Set each parameter's gradient to None

        EXAMPLE USAGE:
        ```python
        w = Variable([1.0, 2.0])
        optimizer = SGD([w], learning_rate=0.1)
        (w * w).sum().backward()
        print(w.grad)            # Variable([2.0, 4.0], requires_grad=False)
        optimizer.zero_grad()
        print(w.grad)            # None
        ```

        IMPLEMENTATION HINTS:
        - None, not an array of zeros: "no gradient" and "a zero gradient" are
          different things to step() (a parameter with grad None is skipped)
        - Variables already have a method that does this for one Variable
        """
        ### BEGIN SOLUTION
        for p in self.parameters:
            p.grad = None
        ### END SOLUTION

    def step(self) -> None:
        """Update every parameter from its gradient. Each optimizer defines its own rule."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.parameters)} parameters, learning_rate={self.learning_rate:g})"

# %% [markdown]
# ### 🧪 Test the Base Class
#
# `SGD` does not exist yet, so this test makes the smallest possible optimizer: a
# subclass of `Optimizer` that does not define `step()`.

# %% nbgrader={"grade": true, "grade_id": "test-optimizer-base", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_optimizer_base():
    """Optimizer collects Variables, validates the learning rate, and clears gradients"""
    print("🔬 Unit Test: Optimizer Base Class...")

    class Bare(Optimizer):
        pass

    w = Variable([1.0, 2.0], requires_grad=True)
    b = Variable(0.5, requires_grad=True)
    opt = Bare([w, b, w], learning_rate=0.1)   # w twice: kept once
    assert opt.parameters == [w, b], "the optimizer should keep each parameter once, in order"
    assert opt.learning_rate == 0.1, f"learning_rate should be 0.1, got {opt.learning_rate}"

    # zero_grad clears every gradient
    loss = (w * w).sum() + b * 3.0
    loss.backward()
    assert w.grad is not None and b.grad is not None, "backward() should have set the gradients"
    opt.zero_grad()
    assert w.grad is None, f"zero_grad should set w.grad to None, got {w.grad}"
    assert b.grad is None, f"zero_grad should set b.grad to None, got {b.grad}"
    opt.zero_grad()                      # nothing to clear: still fine
    assert w.grad is None and b.grad is None

    # A new backward after zero_grad starts from scratch (no accumulation)
    (w * w).sum().backward()
    opt.zero_grad()
    (w * 3.0).sum().backward()
    assert w.grad.data.data.tolist() == [3.0, 3.0], (
        f"after zero_grad, the next backward should not add to old gradients: got {w.grad.data.data.tolist()}")

    # Parameters come from any iterable (model.parameters() may be a generator)
    opt = Bare((p for p in [w, b]), learning_rate=1)
    assert len(opt.parameters) == 2 and isinstance(opt.learning_rate, float)

    # Clear errors for the classic mistakes
    try:
        Bare([Tensor([1.0, 2.0])], learning_rate=0.1)
    except TypeError as exc:
        assert "Variable" in str(exc) and "07" in str(exc), f"the message should explain the fix, got: {exc}"
    else:
        raise AssertionError("a Tensor parameter (no .grad) should raise TypeError")
    for bad_lr in (0.0, -0.1, float("nan")):
        try:
            Bare([w], learning_rate=bad_lr)
        except ValueError:
            pass
        else:
            raise AssertionError(f"learning_rate={bad_lr} should raise ValueError")
    for bad in ([], w):
        try:
            Bare(bad, learning_rate=0.1)
        except (TypeError, ValueError):
            pass
        else:
            raise AssertionError(f"Optimizer({bad!r}) should raise a clear error")

    print("✅ Optimizer base class tests passed!")

test_optimizer_base()

# %% [markdown]
# ## Step 2: Stochastic Gradient Descent, with Momentum (Classic and Nesterov) and Weight Decay
#
# ### Plain SGD
# ```
# g ← p.grad
# p ← p − η · g
# ```
# "Stochastic" because each gradient comes from a small random batch, not the whole
# dataset: a noisy but cheap estimate of the true gradient. Averaged over many steps,
# the noise cancels and the parameters drift downhill.
#
# ### The problem: ravines
# Real loss surfaces are often long narrow valleys: steep across, almost flat along.
# Take L(x, y) = ½(x² + 50·y²). A learning rate large enough to make progress along the
# flat x direction overshoots across the steep y direction, so SGD zig-zags from wall to
# wall and crawls along the valley floor:
#
# ```
#   plain SGD                          SGD with momentum
#   ╲  ╱╲  ╱╲  ╱╲  ╱                    ╲
#    ╲╱  ╲╱  ╲╱  ╲╱  ·→ slow            ╲____________________→ ● fast
#          (zig-zag)                    (oscillations cancel, progress adds up)
# ```
#
# ### Momentum: a ball rolling downhill
# Keep a **velocity** v for each parameter, a running sum of past gradients, and step
# along it:
# ```
# v ← μ · v + g          (μ = momentum, typically 0.9)
# p ← p − η · v
# ```
# Gradients that keep pointing the same way (along the valley) add up: with a constant
# gradient, v approaches g / (1 − μ), a 10× longer step for μ = 0.9. Gradients that flip
# sign every step (across the valley) cancel out. The velocity starts at zero, so the
# first step is exactly a plain SGD step.
#
# This is PyTorch's formulation (`torch.optim.SGD`). Some textbooks write
# v ← μv − ηg; p ← p + v instead. With a fixed learning rate the two are the same
# algorithm; they differ when the learning rate changes during training, and we follow
# PyTorch.
#
# ### Nesterov momentum: look before you leap
# Classic momentum steps along the velocity, even when the velocity is about to carry the
# parameter past the minimum. Nesterov's variant (Sutskever et al., 2013, in the form
# PyTorch uses) steps along the *current gradient plus μ times the new velocity*:
# ```
# v ← μ · v + g                (the same velocity as before)
# p ← p − η · (g + μ · v)      classic momentum would use v here
# ```
# This is the classic update evaluated one step ahead: it is what you get from
# momentum if you take the gradient at the point the velocity is about to reach, rewritten
# so that only the gradient at the current point is needed. The velocity is the same
# running sum; only the step differs, and it reacts one step sooner when the gradient
# changes sign, so the zig-zag across a ravine dies out faster. With μ = 0 there is no
# velocity to look ahead with, so `nesterov=True` needs `momentum > 0` (PyTorch raises
# a `ValueError`; so do we).
#
# ### Weight decay: prefer small weights
# Adding ½·λ·‖p‖² to the loss (L2 regularisation) discourages large weights, which
# usually makes networks generalise better. Its gradient is λ·p, so instead of changing
# the loss we add it to the gradient directly, before momentum:
# ```
# g ← p.grad + λ · p      (λ = weight_decay, typically 1e-4 to 5e-4)
# ```
# With no gradient from the loss, each step multiplies p by (1 − η·λ): the weight
# *decays* towards zero, hence the name.
#
# ### In place, and outside the graph
# The update must change the parameter **itself**, not produce a new one:
# ```python
# values = p.data.data               # the parameter's ndarray
# values -= learning_rate * v        # in place: same array, new numbers
# ```
# - A layer keeps a reference to its weight Variable, and the Variable to its Tensor and
#   ndarray; anything else that shares the array (a Tensor built from it, a view) sees
#   the new values at once. Writing `p.data = Tensor(...)` would leave any of those
#   holding the old numbers.
# - In-place arithmetic keeps the array's dtype: float32 weights stay float32, even
#   when the update is computed in float64. `p.data.data - lr * g` would silently make
#   a float64 copy.
# - No new memory is allocated per step: for a model with a billion parameters this
#   matters.
# - The update works on ndarrays, not Variables, so it is **not recorded in the graph**.
#   (PyTorch needs `with torch.no_grad():` inside `step()` for the same reason.)
#
# ### The state
# The provided `__init__` validates `momentum` (in [0, 1)), `weight_decay` (≥ 0) and
# `nesterov` (a bool, only with momentum > 0), and makes `self.velocities`: one entry per
# parameter, in the order of `self.parameters`, `None` until that parameter's first
# update. Each parameter has its **own** velocity: two weight matrices of the same shape
# still get two velocities. And the velocity is the optimizer's own array: a copy of the
# first gradient, never the gradient's array itself (the gradient belongs to autograd and
# the user, who may change it or zero it in place before the next step). You write
# `step()`.

# %% nbgrader={"grade": false, "grade_id": "sgd-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class SGD(Optimizer):
    """
    Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay
    (as torch.optim.SGD, dampening 0):

        g ← p.grad + weight_decay · p
        v ← momentum · v + g          (v starts at 0, i.e. v = g on the first step)
        p ← p − learning_rate · v               (classic momentum)
        p ← p − learning_rate · (g + momentum · v)   (nesterov=True)
        p ← p − learning_rate · g               (momentum = 0)
    """

    def __init__(self, parameters: Iterable[Variable], learning_rate: float,
                 momentum: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(parameters, learning_rate)
        self.momentum = _check_in_range("momentum", momentum, 0.0, 1.0)
        self.weight_decay = _check_in_range("weight_decay", weight_decay, 0.0, math.inf)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0: Nesterov's look-ahead is built from the "
                             "velocity, and with momentum 0 there is none (e.g. momentum=0.9)")
        self.nesterov = bool(nesterov)
        self.velocities: List[Optional[np.ndarray]] = [None] * len(self.parameters)

    def step(self) -> None:
        """
        Update every parameter that has a gradient, in place.

        TODO: Implement one SGD step with momentum, Nesterov momentum and weight decay.

        STEP-BY-STEP IMPLEMENTATION:
        For each index i and parameter p in self.parameters:
        1. If p.grad is None, skip it (continue)
        2. g = the gradient's ndarray (p.grad.data.data)
        3. If self.weight_decay is not 0: g = g + weight_decay * (p's values)
           (a new array: weight decay comes BEFORE momentum, so the velocity includes it)
        4. If self.momentum is not 0:
           - the first time (self.velocities[i] is None): v = a copy of g
           - afterwards: v = momentum * v + g
           - store v in self.velocities[i]
           - the update direction is g + momentum * v with self.nesterov, else v
           Otherwise the update direction is g itself
        5. Subtract learning_rate * direction from p's values IN PLACE

        EXAMPLE USAGE:
        ```python
        w = Variable([1.0, -2.0])
        optimizer = SGD([w], learning_rate=0.1, momentum=0.9)
        (w * w).sum().backward()     # grad = 2w = [2, -4]
        optimizer.step()             # v = [2, -4];  w = [1, -2] - 0.1 * [2, -4] = [0.8, -1.6]

        w = Variable([1.0, -2.0])
        optimizer = SGD([w], learning_rate=0.1, momentum=0.9, nesterov=True)
        (w * w).sum().backward()     # grad = [2, -4], v = [2, -4]
        optimizer.step()             # direction = g + 0.9 v = [3.8, -7.6];  w = [0.62, -1.24]
        ```

        IMPLEMENTATION HINTS:
        - p.data is a Tensor; p.data.data is its ndarray: that is what you change
        - `values -= update` (or np.subtract(values, update, out=values)) changes the array
          in place; `values = values - update` makes a new array and changes nothing
        - Take the array into a local name first (values = p.data.data): writing
          `p.data.data -= update` raises AttributeError, because after the in-place
          subtraction Python assigns the result back to Tensor.data, a read-only property
        - Never modify p.grad's array in place (no `g += ...` while g is still that array):
          `a + b` makes a new array, `a += b` writes into a
        - The first velocity must be a copy (np.array copies, np.asarray does not): if it
          were the gradient's own array, a user who zeroes the gradient in place would
          zero your velocity too
        - Keep the parameter's dtype: g has it already; Python floats (momentum,
          weight_decay) do not change a float32 array's dtype
        - Read self.learning_rate on every call: a scheduler may have changed it
        """
        ### BEGIN SOLUTION
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue
            values = p.data.data
            g = p.grad.data.data
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * values
            if self.momentum != 0.0:
                v = self.velocities[i]
                v = np.array(g) if v is None else self.momentum * v + g
                self.velocities[i] = v
                g = g + self.momentum * v if self.nesterov else v
            values -= self.learning_rate * g
        ### END SOLUTION

# %% [markdown]
# ### How the tests check your optimizers
#
# Besides small examples you can follow by hand, the tests run your optimizer for several
# steps and compare every parameter, after every step, with a **reference**: PyTorch's
# algorithm written on plain float64 numpy arrays (below; Adam's and AdamW's come with
# their steps). The reference makes new arrays everywhere, which keeps it short and easy
# to compare with `torch/optim/sgd.py`; your `step()` must instead work in place, on
# the optimizer's own state.
#
# `feed_gradients(optimizer, params, grads)` drives a real optimizer with chosen
# gradients, one row of `grads` per step. The first step gets them from `backward()`;
# every later step writes the next gradients **into the existing gradient arrays, in
# place**, as a training loop that zeroes its gradients in place and accumulates new ones
# does (PyTorch's `zero_grad(set_to_none=False)`). An optimizer that kept a gradient
# array as its velocity would see its velocity change under it. The tests use several
# parameters, some of the same shape, so that every parameter must have its own state.

# %% nbgrader={"grade": false, "grade_id": "optimizer-test-references", "locked": true, "schema_version": 3, "solution": false}
def reference_sgd(start, grads, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    """torch.optim.SGD (dampening 0) on float64 arrays: every parameter after every step."""
    params = [np.array(x, dtype=np.float64) for x in start]
    buffers = [None] * len(params)
    trace = []
    for row in grads:
        for k, d_p in enumerate(row):
            d_p = np.array(d_p, dtype=np.float64)
            if weight_decay != 0:
                d_p = d_p + weight_decay * params[k]
            if momentum != 0:
                buffers[k] = d_p.copy() if buffers[k] is None else momentum * buffers[k] + d_p
                d_p = d_p + momentum * buffers[k] if nesterov else buffers[k]
            params[k] = params[k] - lr * d_p
        trace.append([x.copy() for x in params])
    return trace


def feed_gradients(optimizer, params, grads):
    """One optimizer.step() per row of `grads`, with p.grad equal to that row; the values after each step."""
    trace = []
    for step, row in enumerate(grads):
        if step == 0:
            total = (params[0] * row[0]).sum()
            for p, g in zip(params[1:], row[1:]):
                total = total + (p * g).sum()
            total.backward()                      # the gradient of sum(p * g) is g
        else:
            for p, g in zip(params, row):
                p.grad.data.data[...] = g         # in place: the same gradient arrays, new numbers
        optimizer.step()
        trace.append([p.data.data.copy() for p in params])
    return trace


def random_problem(seed, steps=4, dtype=np.float64):
    """Three parameters (two of shape (2, 3), one of shape (3,)) and `steps` rows of gradients;
    the third row is all zeros (zeroed in place: the optimizer's state must carry on)."""
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(shape).astype(dtype) for shape in ((2, 3), (2, 3), (3,))]
    grads = [[rng.standard_normal(x.shape).astype(dtype) for x in start] for _ in range(steps)]
    if steps > 2:
        grads[2] = [np.zeros_like(x) for x in start]
    return start, grads

# %% [markdown]
# ### 🧪 Test SGD
#
# The first test takes single steps you can check by hand, then minimises a quadratic
# whose minimum we know: L(w) = (w₀ − 3)² + 10·(w₁ + 2)², minimum at w = (3, −2).

# %% nbgrader={"grade": true, "grade_id": "test-sgd-step", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: Optimizer
def test_sgd_step():
    """Plain SGD: exact steps, in place, skips missing gradients, converges on a quadratic"""
    print("🔬 Unit Test: SGD Step...")

    # One step by hand: L = sum(w²) → grad = 2w
    w = Variable([1.0, -2.0, 0.5], requires_grad=True)
    values_before = w.data.data
    opt = SGD([w], learning_rate=0.1)
    (w * w).sum().backward()
    opt.step()
    assert np.allclose(w.data.data, [0.8, -1.6, 0.4], rtol=0, atol=1e-12), (
        f"w - 0.1 * 2w should be [0.8, -1.6, 0.4], got {w.data.data.tolist()}")
    assert w.data.data is values_before, (
        "step() must update the parameter's ndarray in place (values -= ...), not replace it")
    assert np.allclose(w.grad.data.data, [2.0, -4.0, 1.0]), "step() must not change the gradients"

    # Anything sharing the array sees the update (a layer built before autograd, a view, ...)
    shared = np.array([1.0, 1.0])
    layer_view = Tensor(shared)
    p = Variable(Tensor(shared), requires_grad=True)
    opt = SGD([p], learning_rate=0.5)
    (p * 2.0).sum().backward()          # grad = [2, 2]
    opt.step()
    assert layer_view.data.tolist() == [0.0, 0.0], (
        f"a Tensor sharing the parameter's array should see the update, got {layer_view.data.tolist()}")

    # float32 parameters stay float32
    w32 = Variable(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    opt = SGD([w32], learning_rate=0.1)
    (w32 * w32).sum().backward()
    opt.step()
    assert w32.data.data.dtype == np.float32, f"a float32 parameter should stay float32, got {w32.data.data.dtype}"
    assert np.allclose(w32.data.data, [0.8, 1.6]), f"expected [0.8, 1.6], got {w32.data.data.tolist()}"

    # Parameters without a gradient are skipped; the learning rate is read at every step
    a = Variable(1.0, requires_grad=True)
    unused = Variable(5.0, requires_grad=True)
    opt = SGD([a, unused], learning_rate=0.25)
    (a * 4.0).backward()
    opt.step()
    assert unused.data.data.item() == 5.0, f"a parameter with grad None must not change, got {unused.data.data.item()}"
    assert a.data.data.item() == 0.0, f"a = 1 - 0.25 * 4 = 0, got {a.data.data.item()}"
    opt.learning_rate = 0.5
    opt.step()                          # same gradient (4), new learning rate
    assert a.data.data.item() == -2.0, f"step() should use the current learning_rate: 0 - 0.5 * 4 = -2, got {a.data.data.item()}"

    # Converge to the known minimum of L(w) = (w0 - 3)² + 10 (w1 + 2)²
    w = Variable([0.0, 0.0], requires_grad=True)
    opt = SGD([w], learning_rate=0.04)
    target = np.array([3.0, -2.0])
    scale = np.array([1.0, 10.0])
    for _ in range(300):
        opt.zero_grad()
        diff = w - target
        loss = (diff * diff * scale).sum()
        loss.backward()
        opt.step()
    assert np.allclose(w.data.data, target, atol=1e-6), f"SGD should converge to (3, -2), got {w.data.data.tolist()}"

    print("✅ SGD step tests passed!")

test_sgd_step()

# %% [markdown]
# ### 🧪 Test Momentum, by Hand
#
# L(p) = p², so g = 2p. Start at p = 1 with η = 0.1 and μ = 0.9:
#
# | step | g = 2p | v = 0.9·v + g           | p − 0.1·v            |
# | ---- | ------ | ----------------------- | -------------------- |
# | 1    | 2      | 2                       | 1 − 0.2 = 0.8        |
# | 2    | 1.6    | 0.9·2 + 1.6 = 3.4       | 0.8 − 0.34 = 0.46    |
# | 3    | 0.92   | 0.9·3.4 + 0.92 = 3.98   | 0.46 − 0.398 = 0.062 |
#
# Plain SGD would be at 0.8, 0.64, 0.512: momentum covers almost twice the distance in
# three steps.

# %% nbgrader={"grade": true, "grade_id": "test-sgd-momentum", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Optimizer
def test_sgd_momentum():
    """Momentum matches the hand computation and PyTorch's algorithm, with one velocity per parameter"""
    print("🔬 Unit Test: SGD Momentum...")

    p = Variable(1.0, requires_grad=True)
    opt = SGD([p], learning_rate=0.1, momentum=0.9)
    expected = [0.8, 0.46, 0.062]
    for step, want in enumerate(expected, start=1):
        opt.zero_grad()
        (p * p).backward()
        opt.step()
        got = p.data.data.item()
        assert abs(got - want) < 1e-12, f"momentum step {step}: p should be {want}, got {got}"

    # Several parameters, two of the same shape, 4 steps; gradients rewritten in place
    # between steps (zeroed before step 3): each parameter needs its own velocity, and
    # the velocity must be a copy of the first gradient, not the gradient's array.
    start, grads = random_problem(0)
    params = [Variable(x.copy(), requires_grad=True) for x in start]
    opt = SGD(params, learning_rate=0.1, momentum=0.9)
    got = feed_gradients(opt, params, grads)
    want = reference_sgd(start, grads, 0.1, momentum=0.9)
    for step in range(4):
        for k in range(3):
            assert np.allclose(got[step][k], want[step][k], rtol=1e-12, atol=1e-12), (
                f"after step {step + 1}, parameter {k} should be {want[step][k].tolist()}, got {got[step][k].tolist()}. "
                "Is the velocity the gradient's own array (np.array(g) copies), or shared by two parameters?")
    for k in range(3):
        assert np.array_equal(params[k].grad.data.data, grads[-1][k]), f"step() must not change p.grad (parameter {k})"

    # float32 parameters: float32 values and float32 velocities, PyTorch's numbers
    start32, grads32 = random_problem(1, dtype=np.float32)
    params32 = [Variable(x.copy(), requires_grad=True) for x in start32]
    opt = SGD(params32, learning_rate=0.1, momentum=0.9)
    got32 = feed_gradients(opt, params32, grads32)
    want32 = reference_sgd(start32, grads32, 0.1, momentum=0.9)
    for k in range(3):
        assert params32[k].data.data.dtype == np.float32, f"a float32 parameter should stay float32, got {params32[k].data.data.dtype}"
        assert opt.velocities[k].dtype == np.float32, (
            f"velocity {k} should be float32 like its parameter, got {opt.velocities[k].dtype} "
            "(np.zeros(shape) is float64: copy the gradient, or pass dtype=)")
        assert np.allclose(got32[-1][k], want32[-1][k], rtol=1e-5, atol=1e-6), f"float32 parameter {k}: {got32[-1][k]} vs {want32[-1][k]}"

    # A ravine: L = 0.5 (x² + 50 y²). Momentum gets much closer in the same number of steps.
    def distance_after(momentum, steps=60):
        w = Variable([10.0, 1.0], requires_grad=True)
        opt = SGD([w], learning_rate=0.035, momentum=momentum)
        for _ in range(steps):
            opt.zero_grad()
            (w * w * np.array([0.5, 25.0])).sum().backward()
            opt.step()
        return float(np.linalg.norm(w.data.data))

    plain, heavy = distance_after(0.0), distance_after(0.9)
    assert heavy < plain / 10, f"momentum should reach the minimum much faster: plain {plain:.4f}, momentum {heavy:.4f}"

    # Validation
    for bad in (-0.1, 1.0, 1.5):
        try:
            SGD([p], learning_rate=0.1, momentum=bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"momentum={bad} should raise ValueError (it must be in [0, 1))")

    print("✅ Momentum tests passed!")

test_sgd_momentum()

# %% [markdown]
# ### 🧪 Test Weight Decay
#
# With λ = 0.1 and η = 0.1 and a loss whose gradient is 3 (L = 3p), starting at p = 2:
# - step 1: g = 3 + 0.1·2 = 3.2, p = 2 − 0.32 = 1.68
# - with momentum 0.9, step 2: g = 3 + 0.1·1.68 = 3.168, v = 0.9·3.2 + 3.168 = 6.048,
#   p = 1.68 − 0.6048 = 1.0752
#
# And with a zero gradient from the loss, k steps multiply p by (1 − η·λ)ᵏ. Every value
# of λ counts, including λ = 1 (strong, but legal: with η = 0.1 each step keeps 90%).

# %% nbgrader={"grade": true, "grade_id": "test-sgd-weight-decay", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: Optimizer
def test_sgd_weight_decay():
    """Weight decay adds λ·p to the gradient, before momentum, for every λ (1.0 too)"""
    print("🔬 Unit Test: SGD Weight Decay...")

    p = Variable(2.0, requires_grad=True)
    opt = SGD([p], learning_rate=0.1, momentum=0.9, weight_decay=0.1)
    (p * 3.0).backward()
    opt.step()
    assert abs(p.data.data.item() - 1.68) < 1e-12, f"step 1: p should be 2 - 0.1 * 3.2 = 1.68, got {p.data.data.item()}"
    opt.zero_grad()
    (p * 3.0).backward()
    opt.step()
    assert abs(p.data.data.item() - 1.0752) < 1e-12, (
        f"step 2: p should be 1.68 - 0.1 * (0.9 * 3.2 + 3.168) = 1.0752, got {p.data.data.item()}")

    # Pure decay: the loss does not push p at all
    w = Variable([4.0, -8.0], requires_grad=True)
    opt = SGD([w], learning_rate=0.5, weight_decay=0.2)
    for _ in range(10):
        opt.zero_grad()
        (w * 0.0).sum().backward()
        opt.step()
    expected = np.array([4.0, -8.0]) * 0.9 ** 10
    assert np.allclose(w.data.data, expected, rtol=1e-12), f"expected {expected.tolist()}, got {w.data.data.tolist()}"

    # weight_decay = 1.0 exactly, with and without momentum, against PyTorch's algorithm;
    # the decay goes into the gradient, never into p.grad's array
    for momentum in (0.0, 0.5):
        start, grads = random_problem(2)
        params = [Variable(x.copy(), requires_grad=True) for x in start]
        got = feed_gradients(SGD(params, learning_rate=0.1, momentum=momentum, weight_decay=1.0), params, grads)
        want = reference_sgd(start, grads, 0.1, momentum=momentum, weight_decay=1.0)
        for step in range(4):
            for k in range(3):
                assert np.allclose(got[step][k], want[step][k], rtol=1e-12, atol=1e-12), (
                    f"weight_decay=1.0, momentum={momentum}: after step {step + 1}, parameter {k} should be "
                    f"{want[step][k].tolist()}, got {got[step][k].tolist()} (λ·p is added to g before the velocity)")
        for k in range(3):
            assert np.array_equal(params[k].grad.data.data, grads[-1][k]), "weight decay must not write into p.grad"

    try:
        SGD([w], learning_rate=0.1, weight_decay=-1e-4)
    except ValueError:
        pass
    else:
        raise AssertionError("a negative weight_decay should raise ValueError")

    print("✅ Weight decay tests passed!")

test_sgd_weight_decay()

# %% [markdown]
# ### 🧪 Test Nesterov Momentum
#
# The same problem as the momentum table, L(p) = p², p = 1, η = 0.1, μ = 0.9, now with
# `nesterov=True`. The velocity is the same running sum; the step is g + μ·v:
#
# | step | g = 2p  | v = 0.9·v + g | g + 0.9·v | p − 0.1·(g + 0.9·v) |
# | ---- | ------- | ------------- | --------- | ------------------- |
# | 1    | 2       | 2             | 3.8       | 0.62                |
# | 2    | 1.24    | 3.04          | 3.976     | 0.2224              |
# | 3    | 0.4448  | 3.1808        | 3.30752   | −0.108352           |
#
# Each step is longer than classic momentum's (0.8, 0.46, 0.062), and it crosses the
# minimum a step earlier, so the velocity starts turning round sooner. In the ravine of
# the momentum test (with a smaller learning rate: the longer steps make Nesterov
# diverge sooner when η is too large) it ends much closer to the minimum.

# %% nbgrader={"grade": true, "grade_id": "test-sgd-nesterov", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Optimizer
def test_sgd_nesterov():
    """Nesterov momentum: the hand computation, PyTorch's algorithm, p.grad untouched, momentum required"""
    print("🔬 Unit Test: SGD Nesterov Momentum...")

    p = Variable(1.0, requires_grad=True)
    opt = SGD([p], learning_rate=0.1, momentum=0.9, nesterov=True)
    for step, want in enumerate([0.62, 0.2224, -0.108352], start=1):
        opt.zero_grad()
        (p * p).backward()
        opt.step()
        got = p.data.data.item()
        assert abs(got - want) < 1e-12, f"Nesterov step {step}: p should be {want}, got {got} (classic momentum gives 0.8, 0.46, 0.062)"
    assert opt.nesterov is True and SGD([p], learning_rate=0.1, momentum=0.9).nesterov is False, "nesterov defaults to False"

    # Several parameters, gradients rewritten in place between steps, with and without
    # weight decay: the update is g + μ·v, computed without writing into p.grad
    for weight_decay in (0.0, 0.3):
        start, grads = random_problem(3)
        params = [Variable(x.copy(), requires_grad=True) for x in start]
        opt = SGD(params, learning_rate=0.05, momentum=0.8, weight_decay=weight_decay, nesterov=True)
        got = feed_gradients(opt, params, grads)
        want = reference_sgd(start, grads, 0.05, momentum=0.8, weight_decay=weight_decay, nesterov=True)
        for step in range(4):
            for k in range(3):
                assert np.allclose(got[step][k], want[step][k], rtol=1e-12, atol=1e-12), (
                    f"nesterov, weight_decay={weight_decay}: after step {step + 1}, parameter {k} should be "
                    f"{want[step][k].tolist()}, got {got[step][k].tolist()}")
        for k in range(3):
            assert np.array_equal(params[k].grad.data.data, grads[-1][k]), (
                f"step() changed p.grad of parameter {k}: g + momentum * v must be a new array, not g += ...")

    # float32 stays float32
    w32 = Variable(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    opt = SGD([w32], learning_rate=0.1, momentum=0.9, nesterov=True)
    (w32 * w32).sum().backward()
    opt.step()
    assert w32.data.data.dtype == np.float32 and opt.velocities[0].dtype == np.float32, (
        f"float32 parameters keep float32 values and velocities, got {w32.data.data.dtype}, {opt.velocities[0].dtype}")
    assert np.allclose(w32.data.data, [0.62, -1.24], rtol=1e-6), f"expected [0.62, -1.24], got {w32.data.data.tolist()}"

    # In the ravine L = 0.5 (x² + 50 y²), Nesterov ends much closer than classic momentum
    def distance_after(nesterov, steps=100):
        w = Variable([10.0, 1.0], requires_grad=True)
        opt = SGD([w], learning_rate=0.01, momentum=0.9, nesterov=nesterov)
        for _ in range(steps):
            opt.zero_grad()
            (w * w * np.array([0.5, 25.0])).sum().backward()
            opt.step()
        return float(np.linalg.norm(w.data.data))

    classic, nesterov = distance_after(False), distance_after(True)
    assert nesterov < classic / 2, f"Nesterov should end closer to the minimum: classic {classic:.4f}, Nesterov {nesterov:.4f}"

    # Nesterov needs momentum
    for bad in ({"momentum": 0.0, "nesterov": True}, {"nesterov": True}):
        try:
            SGD([p], learning_rate=0.1, **bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"SGD(..., {bad}) should raise ValueError: Nesterov needs momentum > 0")

    print(f"✅ Nesterov tests passed! (ravine: classic {classic:.4f}, Nesterov {nesterov:.4f})")

test_sgd_nesterov()

# %% [markdown]
# ## Step 3: Adam — A Step Size for Every Parameter
#
# ### One learning rate does not fit all
# In a real network, some parameters get gradients of size 10⁻¹ and others 10⁻⁵ (a
# rarely active input, a deep layer). With one learning rate, the first ones need a
# small η not to diverge, and with that η the second ones barely move. Adam (Kingma & Ba,
# 2015) gives every parameter its own effective step size, by dividing its update by a
# running estimate of its gradient's typical size.
#
# ### The update
# For each parameter, keep two running averages: the mean gradient m (like momentum)
# and the mean *squared* gradient v (its typical size):
# ```
# t ← t + 1
# m ← β₁ · m + (1 − β₁) · g           first moment:  ≈ E[g]    (β₁ = 0.9)
# v ← β₂ · v + (1 − β₂) · g²          second moment: ≈ E[g²]   (β₂ = 0.999)
# m̂ ← m / (1 − β₁ᵗ)                   bias correction (below)
# v̂ ← v / (1 − β₂ᵗ)
# p ← p − η · m̂ / (√v̂ + ε)            ε = 1e-8 avoids dividing by zero
# ```
# `m̂ / √v̂` has no units: a gradient ten times bigger gives the same step. Where gradients
# agree from step to step, |m̂| ≈ √v̂ and each step moves the parameter by about η. Where
# they are noise (signs flipping), m̂ is small compared to √v̂ and the step shrinks.
#
# ### Why bias correction?
# m and v start at 0. After one step, m = (1 − β₁)·g = 0.1·g: ten times too small,
# only because of the zero start. In general, for gradients with mean E[g]:
# ```
# m_t = (1 − β₁) · Σₖ₌₁ᵗ β₁ᵗ⁻ᵏ · g_k
# E[m_t] = E[g] · (1 − β₁) · (1 + β₁ + … + β₁ᵗ⁻¹) = E[g] · (1 − β₁ᵗ)      (geometric series)
# ```
# So dividing by (1 − β₁ᵗ) removes the bias exactly; likewise (1 − β₂ᵗ) for v. The
# correction matters for the first few hundred steps (β₂ᵗ is still 0.9 after 100 steps)
# and fades away as t grows.
#
# Without it, the first step would be η · 0.1g / (√0.001·|g|) ≈ 3.16·η: three times the
# intended size, exactly when the parameters are at their random initial values. **With**
# it, the first step has m̂ = g and v̂ = g², so every parameter moves by exactly
# ```
# η · g / (|g| + ε)  ≈  η · sign(g)
# ```
# whatever the size of its gradient. The test below checks exactly this.
#
# ### PyTorch's details, which we follow
# - Weight decay (L2) is added to the gradient first: g ← g + λ·p. (`AdamW`, Step 4,
#   instead decays the weights directly; that is a different optimizer.) The provided
#   method `_apply_weight_decay(values, g)` does this and returns the gradient the moments
#   should see: call it first, before the moments. AdamW will override just this method.
# - ε is added *after* the square root.
# - Each parameter has its own step count t, incremented only when that parameter is
#   updated: a parameter that gets no gradient for a while does not have its bias
#   correction advanced. The count goes 1, 2, 3, ...: it is incremented *before* the
#   bias correction of that step (with t = 0, 1 − β⁰ = 0 and the division fails).
#
# The provided `__init__` validates the hyper-parameters (0 ≤ β < 1, ε ≥ 0, λ ≥ 0) and
# creates the state: `self.m`, `self.v` (one entry per parameter, `None` until its first
# update) and `self.steps` (one count per parameter, starting at 0). As for SGD's
# velocities, every parameter has its own moments, of its own shape **and dtype**: for a
# float32 model, float32 moments (float64 ones would double the optimizer's memory and
# make your numbers differ from PyTorch's). You write `step()`.

# %% nbgrader={"grade": false, "grade_id": "adam-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Adam(Optimizer):
    """
    Adam with bias correction (as torch.optim.Adam):

        g ← p.grad + weight_decay · p
        t ← t + 1                              (per parameter)
        m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²
        p ← p − learning_rate · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
    """

    def __init__(self, parameters: Iterable[Variable], learning_rate: float = 1e-3,
                 beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(parameters, learning_rate)
        self.beta1 = _check_in_range("beta1", beta1, 0.0, 1.0)
        self.beta2 = _check_in_range("beta2", beta2, 0.0, 1.0)
        self.epsilon = _check_in_range("epsilon", epsilon, 0.0, math.inf)
        self.weight_decay = _check_in_range("weight_decay", weight_decay, 0.0, math.inf)
        self.m: List[Optional[np.ndarray]] = [None] * len(self.parameters)
        self.v: List[Optional[np.ndarray]] = [None] * len(self.parameters)
        self.steps: List[int] = [0] * len(self.parameters)

    def _apply_weight_decay(self, values: np.ndarray, g: np.ndarray) -> np.ndarray:
        """
        Weight decay for one parameter, before the moments; returns the gradient they see.

        Adam's is L2, as in torch.optim.Adam: weight_decay · values is added to the gradient
        (a new array, so p.grad is left alone). AdamW (Step 4) overrides this method.
        """
        if self.weight_decay == 0.0:
            return g
        return g + self.weight_decay * values

    def step(self) -> None:
        """
        Update every parameter that has a gradient, in place.

        TODO: Implement one Adam step with bias correction.

        STEP-BY-STEP IMPLEMENTATION:
        For each index i and parameter p in self.parameters:
        1. If p.grad is None, skip it (its state and step count stay as they are)
        2. values = p's ndarray; g = self._apply_weight_decay(values, the gradient's ndarray)
        3. If self.m[i] is None, start m and v at zeros shaped like the parameter, with
           its dtype
        4. self.steps[i] += 1; t = self.steps[i]
        5. m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
           (store them back in self.m[i] and self.v[i])
        6. m_hat = m / (1 - beta1 ** t);  v_hat = v / (1 - beta2 ** t)
        7. Subtract learning_rate * m_hat / (sqrt(v_hat) + epsilon) from p's values IN PLACE

        EXAMPLE USAGE:
        ```python
        w = Variable([1.0, -2.0])
        optimizer = Adam([w], learning_rate=0.1)
        (w * w).sum().backward()     # grad = [2, -4]
        optimizer.step()             # m̂ = g, v̂ = g²: w moves by 0.1·sign(g) → [0.9, -1.9]
        ```

        IMPLEMENTATION HINTS:
        - np.zeros_like keeps the shape and the dtype; np.zeros(shape) alone is float64
        - np.sqrt works elementwise
        - The same in-place rule as SGD: `values -= update`
        - Do not add epsilon inside the square root: PyTorch adds it after
        - Speed (optional): `m *= beta1; m += (1 - beta1) * g` updates m without a new array,
          and sqrt(v_hat) = sqrt(v) / sqrt(1 - beta2 ** t) turns the corrections into scalars
        """
        ### BEGIN SOLUTION
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue
            values = p.data.data
            g = self._apply_weight_decay(values, p.grad.data.data)
            if self.m[i] is None:
                self.m[i] = np.zeros_like(values)
                self.v[i] = np.zeros_like(values)
            self.steps[i] += 1
            t = self.steps[i]
            # In place where possible: every new big array costs page faults, and Adam runs
            # over every parameter at every step (this version is ~3x faster than one that
            # names m_hat and v_hat as new arrays).
            m, v = self.m[i], self.v[i]
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            # m_hat / (sqrt(v_hat) + eps), with the bias corrections folded into scalars
            denom = np.sqrt(v)
            denom /= math.sqrt(1.0 - self.beta2 ** t)
            denom += self.epsilon
            step = m / denom
            step *= self.learning_rate / (1.0 - self.beta1 ** t)
            values -= step
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Adam's First Steps Against the Closed Form
#
# Step 1 moves each parameter by η·g/(|g| + ε). We use gradients of very different
# sizes, 300, −0.5 and 10⁻⁸: Adam moves the first two by η, whatever their size, and the
# tiny one by η·10⁻⁸/(10⁻⁸ + 10⁻⁸) = η/2 (that is ε at work). Step 2, with a different
# gradient, checks the bias correction with t = 2:
# ```
# m₂ = β₁(1 − β₁)·g₁ + (1 − β₁)·g₂      m̂₂ = m₂ / (1 − β₁²)
# v₂ = β₂(1 − β₂)·g₁² + (1 − β₂)·g₂²    v̂₂ = v₂ / (1 − β₂²)
# ```
#
# Then several parameters, two of the same shape, for four steps with gradients rewritten
# in place (zeroed before step 3), against PyTorch's algorithm, `reference_adam` below:
# each parameter needs its own m, v and step count, and float32 moments for float32
# parameters.

# %% nbgrader={"grade": false, "grade_id": "adam-test-reference", "locked": true, "schema_version": 3, "solution": false}
def reference_adam(start, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False):
    """torch.optim.Adam (decoupled=False) or torch.optim.AdamW (decoupled=True) on float64
    arrays, every parameter getting a gradient at every step: the parameters after each step."""
    params = [np.array(x, dtype=np.float64) for x in start]
    exp_avg = [np.zeros_like(x) for x in params]
    exp_avg_sq = [np.zeros_like(x) for x in params]
    trace = []
    for t, row in enumerate(grads, start=1):
        for k, grad in enumerate(row):
            grad = np.array(grad, dtype=np.float64)
            if weight_decay != 0 and decoupled:
                params[k] = params[k] * (1 - lr * weight_decay)
            elif weight_decay != 0:
                grad = grad + weight_decay * params[k]
            exp_avg[k] = beta1 * exp_avg[k] + (1 - beta1) * grad
            exp_avg_sq[k] = beta2 * exp_avg_sq[k] + (1 - beta2) * grad * grad
            bias_correction1 = 1 - beta1 ** t
            bias_correction2 = 1 - beta2 ** t
            denom = np.sqrt(exp_avg_sq[k]) / np.sqrt(bias_correction2) + eps
            params[k] = params[k] - (lr / bias_correction1) * exp_avg[k] / denom
        trace.append([x.copy() for x in params])
    return trace

# %% nbgrader={"grade": true, "grade_id": "test-adam-first-steps", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: Optimizer
def test_adam_first_steps():
    """Adam's first two steps equal the closed form with bias correction"""
    print("🔬 Unit Test: Adam First Steps...")

    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    start = np.array([0.5, -1.0, 2.0])
    g1 = np.array([300.0, -0.5, 1e-8])
    g2 = np.array([-100.0, -0.25, 3.0])

    w = Variable(start.copy(), requires_grad=True)
    values_before = w.data.data
    opt = Adam([w], learning_rate=lr)
    (w * g1).sum().backward()           # grad = g1
    opt.step()
    expected1 = start - lr * g1 / (np.abs(g1) + eps)
    got = w.data.data
    assert got is values_before, "Adam must update the parameter's ndarray in place"
    assert np.allclose(got, expected1, rtol=0, atol=1e-15), (
        f"step 1 should move each parameter by lr·g/(|g|+ε) = {(expected1 - start).tolist()}, "
        f"moved by {(got - start).tolist()}" +
        (" (3.16× too far: did you forget the bias correction?)" if abs(got[0] - start[0]) > 2 * lr else ""))

    opt.zero_grad()
    (w * g2).sum().backward()           # grad = g2
    opt.step()
    m2 = b1 * (1 - b1) * g1 + (1 - b1) * g2
    v2 = b2 * (1 - b2) * g1 ** 2 + (1 - b2) * g2 ** 2
    expected2 = expected1 - lr * (m2 / (1 - b1 ** 2)) / (np.sqrt(v2 / (1 - b2 ** 2)) + eps)
    assert np.allclose(w.data.data, expected2, rtol=1e-12, atol=1e-15), (
        f"step 2 should give {expected2.tolist()}, got {w.data.data.tolist()}")

    # A constant gradient: m̂ = g and v̂ = g² at every step, so every step moves by lr·sign(g)
    p = Variable([0.0, 0.0], requires_grad=True)
    opt = Adam([p], learning_rate=0.1, epsilon=0.0)
    for _ in range(5):
        opt.zero_grad()
        (p * np.array([7.0, -0.001])).sum().backward()
        opt.step()
    assert np.allclose(p.data.data, [-0.5, 0.5], rtol=1e-12), (
        f"5 steps with a constant gradient should move by 5·lr against its sign: [-0.5, 0.5], got {p.data.data.tolist()}")

    # Skipped parameters keep their own step count: b's first real step is a step-1 step
    a = Variable(1.0, requires_grad=True)
    b = Variable(1.0, requires_grad=True)
    opt = Adam([a, b], learning_rate=0.1)
    for _ in range(3):
        opt.zero_grad()
        (a * 2.0).backward()
        opt.step()
    assert b.data.data.item() == 1.0, "a parameter whose grad is None must not move"
    opt.zero_grad()
    (b * -5.0).backward()
    opt.step()
    assert abs(b.data.data.item() - (1.0 + 0.1 * 5.0 / (5.0 + 1e-8))) < 1e-12, (
        f"b's first update should be a bias-corrected step 1 (+0.1), got {b.data.data.item() - 1.0:+.6f}")

    # Several parameters (two of the same shape), gradients rewritten in place, 4 steps
    start, grads = random_problem(4)
    params = [Variable(x.copy(), requires_grad=True) for x in start]
    opt = Adam(params, learning_rate=0.01)
    got = feed_gradients(opt, params, grads)
    want = reference_adam(start, grads, 0.01)
    for step in range(4):
        for k in range(3):
            assert np.allclose(got[step][k], want[step][k], rtol=1e-10, atol=1e-12), (
                f"after step {step + 1}, parameter {k} should be {want[step][k].tolist()}, got {got[step][k].tolist()}. "
                "Does every parameter have its own m, v and step count?")
    assert opt.steps == [4, 4, 4], f"each parameter was updated 4 times: steps should be [4, 4, 4], got {opt.steps}"
    for k in range(3):
        assert np.array_equal(params[k].grad.data.data, grads[-1][k]), f"step() must not change p.grad (parameter {k})"

    # float32 parameters: float32 values and float32 moments, PyTorch's numbers
    start32, grads32 = random_problem(5, dtype=np.float32)
    params32 = [Variable(x.copy(), requires_grad=True) for x in start32]
    opt = Adam(params32, learning_rate=0.01)
    got32 = feed_gradients(opt, params32, grads32)
    want32 = reference_adam(start32, grads32, 0.01)
    for k in range(3):
        assert params32[k].data.data.dtype == np.float32, f"a float32 parameter should stay float32, got {params32[k].data.data.dtype}"
        assert opt.m[k].dtype == np.float32 and opt.v[k].dtype == np.float32, (
            f"the moments of a float32 parameter should be float32, got {opt.m[k].dtype} and {opt.v[k].dtype} "
            "(np.zeros(shape) is float64; np.zeros_like keeps the dtype)")
        assert np.allclose(got32[-1][k], want32[-1][k], rtol=1e-5, atol=1e-6), f"float32 parameter {k}: {got32[-1][k]} vs {want32[-1][k]}"

    print("✅ Adam closed-form tests passed!")

test_adam_first_steps()
### BEGIN HIDDEN TESTS
# Hidden from students: weight decay in Adam is L2 added to the gradient (torch.optim.Adam, not AdamW),
# weight_decay = 1.0 included, and it never writes into p.grad.
_hidden_w = Variable(np.array([2.0, -3.0]), requires_grad=True)
_hidden_opt = Adam([_hidden_w], learning_rate=0.05, weight_decay=0.5)
(_hidden_w * np.array([1.0, 1.0])).sum().backward()
_hidden_opt.step()
_hidden_g = np.array([1.0, 1.0]) + 0.5 * np.array([2.0, -3.0])
_hidden_expected = np.array([2.0, -3.0]) - 0.05 * _hidden_g / (np.abs(_hidden_g) + 1e-8)
assert np.allclose(_hidden_w.data.data, _hidden_expected, rtol=0, atol=1e-14), "Adam weight decay: g + λp before the moments"
_hidden_start, _hidden_grads = random_problem(6)
_hidden_params = [Variable(x.copy(), requires_grad=True) for x in _hidden_start]
_hidden_got = feed_gradients(Adam(_hidden_params, learning_rate=0.02, weight_decay=1.0), _hidden_params, _hidden_grads)
_hidden_want = reference_adam(_hidden_start, _hidden_grads, 0.02, weight_decay=1.0)
for _hidden_k in range(3):
    assert np.allclose(_hidden_got[-1][_hidden_k], _hidden_want[-1][_hidden_k], rtol=1e-10, atol=1e-12), "Adam, weight_decay=1.0"
    assert np.array_equal(_hidden_params[_hidden_k].grad.data.data, _hidden_grads[-1][_hidden_k]), "Adam's L2 must not write into p.grad"
### END HIDDEN TESTS

# %% [markdown]
# ### 🧪 Test Adam on Functions with Known Minima
#
# 1. A quadratic with wildly different curvatures, L = 1000·(x − 1)² + 0.001·(y + 2)²,
#    minimum at (1, −2). Plain SGD cannot solve it: a learning rate small enough for x
#    (below 0.001) leaves y almost where it started. Adam's per-parameter scaling handles
#    both.
# 2. Rosenbrock's banana, L = (1 − x)² + 100·(y − x²)², minimum at (1, 1) at the end of
#    a long curved valley: the classic test of an optimizer.

# %% nbgrader={"grade": true, "grade_id": "test-adam-converges", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Optimizer, SGD
def test_adam_converges():
    """Adam finds the minimum of a badly scaled quadratic and of the Rosenbrock function"""
    print("🔬 Unit Test: Adam Convergence...")

    w = Variable([-3.0, 5.0], requires_grad=True)
    opt = Adam([w], learning_rate=0.1)
    target, scale = np.array([1.0, -2.0]), np.array([1000.0, 0.001])
    for _ in range(500):
        opt.zero_grad()
        diff = w - target
        (diff * diff * scale).sum().backward()
        opt.step()
    assert np.allclose(w.data.data, target, rtol=0, atol=1e-6), f"Adam should reach (1, -2), got {w.data.data.tolist()}"

    # Plain SGD with the largest stable learning rate for x barely moves y
    w_sgd = Variable([-3.0, 5.0], requires_grad=True)
    sgd = SGD([w_sgd], learning_rate=0.0009)
    for _ in range(500):
        sgd.zero_grad()
        diff = w_sgd - target
        (diff * diff * scale).sum().backward()
        sgd.step()
    assert abs(w_sgd.data.data[1] - 5.0) < 0.01, "(with SGD, y should still be near its start: this shows why Adam exists)"

    x = Variable(-1.5, requires_grad=True)
    y = Variable(2.0, requires_grad=True)
    opt = Adam([x, y], learning_rate=0.02)
    for _ in range(3000):
        opt.zero_grad()
        a = 1.0 - x
        b = y - x * x
        (a * a + b * b * 100.0).backward()
        opt.step()
    xv, yv = x.data.data.item(), y.data.data.item()
    assert abs(xv - 1.0) < 1e-3 and abs(yv - 1.0) < 2e-3, f"Adam should reach Rosenbrock's minimum (1, 1), got ({xv:.4f}, {yv:.4f})"

    for kwargs in ({"beta1": 1.0}, {"beta2": -0.1}, {"epsilon": -1e-8}, {"learning_rate": 0}):
        try:
            Adam([x], **kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError(f"Adam(..., {kwargs}) should raise ValueError")

    print(f"✅ Adam reached (1, -2) and Rosenbrock's (1, 1): ({xv:.4f}, {yv:.4f})")

test_adam_converges()

# %% [markdown]
# ## Step 4: AdamW — Weight Decay, Decoupled
#
# ### What L2 does inside Adam
# In SGD, adding λ·p to the gradient shrinks every weight by the same fraction, η·λ, per
# step: that is what "weight decay" means. In Adam, the λ·p term goes into m and v with
# the rest of the gradient, and is then **divided by √v̂**, like everything else:
# ```
# Adam + L2:   p ← p − η · m̂ / (√v̂ + ε)      with   g = ∇L + λ·p   inside m and v
# ```
# A weight whose gradients are large (large v̂) is hardly decayed at all; a weight whose
# gradients are tiny is decayed hard. The regulariser stops meaning "prefer small
# weights" and starts depending on gradient statistics. Loshchilov & Hutter (2019) showed
# this is a large part of why Adam with L2 generalised worse than SGD, and fixed it by
# **decoupling** the decay from the gradient:
# ```
# p ← p · (1 − η·λ)              1. shrink the weights directly (every weight by the same fraction)
# p ← p − η · m̂ / (√v̂ + ε)       2. the ordinary Adam update, from the plain gradient ∇L
# ```
# That is **AdamW**, today's default for training transformers (with λ between 0.01 and
# 0.1). `torch.optim.AdamW` does exactly this, in this order: the decay first, from the
# parameter as it was before the step, then the Adam update. (The order matters a little:
# decaying after the update would also shrink the update itself, by the same factor.)
# Its default λ is 0.01, where Adam's is 0.
#
# ### Only one method changes
# AdamW's moments, bias correction and update are Adam's. The only difference is what
# happens to the weight decay, and `Adam.step()` already asks a method for that, for every
# parameter that has a gradient, before the moments:
# `g = self._apply_weight_decay(values, g)`. Adam's version returns g + λ·values. AdamW's
# shrinks `values` in place and returns g unchanged. You write it.
#
# Parameters without a gradient are skipped by `Adam.step()` before it gets there, so
# they are not decayed either: PyTorch's rule too.

# %% nbgrader={"grade": false, "grade_id": "adamw-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class AdamW(Adam):
    """
    Adam with decoupled weight decay (as torch.optim.AdamW):

        p ← p · (1 − learning_rate · weight_decay)      first, for every parameter with a gradient
        then Adam's update, from the plain gradient (no weight_decay · p added to it)
    """

    def __init__(self, parameters: Iterable[Variable], learning_rate: float = 1e-3,
                 beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                 weight_decay: float = 0.01):
        super().__init__(parameters, learning_rate, beta1, beta2, epsilon, weight_decay)

    def _apply_weight_decay(self, values: np.ndarray, g: np.ndarray) -> np.ndarray:
        """
        Decoupled weight decay for one parameter: shrink its values; the gradient is left as it is.

        TODO: Multiply the parameter's values in place by (1 − η·λ) and return g unchanged.

        STEP-BY-STEP IMPLEMENTATION:
        1. If self.weight_decay is not 0: multiply `values` IN PLACE by
           1 − self.learning_rate · self.weight_decay
        2. Return g itself: the moments see the plain gradient

        EXAMPLE USAGE:
        ```python
        w = Variable([2.0, -3.0])
        optimizer = AdamW([w], learning_rate=0.1, weight_decay=1.0)
        (w * 1.0).sum().backward()      # grad = [1, 1]
        optimizer.step()                # decay: [2, -3] · 0.9 = [1.8, -2.7]
                                        # then Adam's first step, 0.1 against sign(g): [1.7, -2.8]
        ```

        IMPLEMENTATION HINTS:
        - `values *= factor` writes into the parameter's array (and keeps its dtype);
          `values = values * factor` only renames a new array, and the parameter is unchanged
        - Adam.step() calls this before the moments and before its own update: the decay
          uses the parameter as it was before this step, as in PyTorch
        - Use self.learning_rate as it is at this call: a scheduler may have changed it,
          and the decay follows it
        - Every λ counts, 1.0 too: compare with 0.0, not with anything else
        """
        ### BEGIN SOLUTION
        if self.weight_decay != 0.0:
            values *= 1.0 - self.learning_rate * self.weight_decay
        return g
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test AdamW
#
# By hand first: w = (2, −3), gradient (1, 1), η = 0.1, λ = 1. The decay multiplies w by
# 1 − 0.1·1 = 0.9, giving (1.8, −2.7); Adam's first step then moves each weight by η
# against the sign of its gradient: (1.7, −2.8). Compare:
# - Adam with L2 (λ·p in the gradient): g = (3, −2), so the step goes the other way for
#   the second weight: (1.9, −2.9).
# - decaying *after* the Adam update: (2 − 0.1, −3 − 0.1) · 0.9 = (1.71, −2.79).
#
# Then `reference_adam(..., decoupled=True)` over four steps with several parameters.

# %% nbgrader={"grade": true, "grade_id": "test-adamw", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Optimizer, Adam
def test_adamw():
    """AdamW: decoupled decay before the Adam update, PyTorch's numbers, defaults, dtypes"""
    print("🔬 Unit Test: AdamW...")

    w = Variable([2.0, -3.0], requires_grad=True)
    opt = AdamW([w], learning_rate=0.1, weight_decay=1.0)
    assert isinstance(opt, Adam), "AdamW is an Adam (a subclass): same moments, same update"
    (w * np.array([1.0, 1.0])).sum().backward()
    opt.step()
    got = w.data.data
    assert np.allclose(got, [1.7, -2.8], rtol=0, atol=1e-8), (
        f"decay to [1.8, -2.7], then Adam's first step: [1.7, -2.8]; got {got.tolist()} "
        "([1.9, -2.9] is Adam's L2; [1.71, -2.79] decays after the update; [1.9, -3.1] forgot the decay)")
    assert np.array_equal(w.grad.data.data, [1.0, 1.0]), "the decay must not change p.grad"

    # PyTorch's defaults
    default = AdamW([w])
    assert default.weight_decay == 0.01 and default.learning_rate == 1e-3, (
        f"AdamW defaults: learning_rate 1e-3, weight_decay 0.01, got {default.learning_rate}, {default.weight_decay}")
    assert (default.beta1, default.beta2, default.epsilon) == (0.9, 0.999, 1e-8)

    # Several parameters (two of the same shape), gradients rewritten in place, 4 steps,
    # for the default λ and for λ = 1.0 exactly, against torch.optim.AdamW's algorithm
    for weight_decay in (0.01, 1.0):
        start, grads = random_problem(7)
        params = [Variable(x.copy(), requires_grad=True) for x in start]
        opt = AdamW(params, learning_rate=0.05, weight_decay=weight_decay)
        got = feed_gradients(opt, params, grads)
        want = reference_adam(start, grads, 0.05, weight_decay=weight_decay, decoupled=True)
        for step in range(4):
            for k in range(3):
                assert np.allclose(got[step][k], want[step][k], rtol=1e-10, atol=1e-12), (
                    f"weight_decay={weight_decay}: after step {step + 1}, parameter {k} should be "
                    f"{want[step][k].tolist()}, got {got[step][k].tolist()}")
        for k in range(3):
            assert np.array_equal(params[k].grad.data.data, grads[-1][k]), f"step() must not change p.grad (parameter {k})"

    # Decoupled is not L2: same hyper-parameters, different parameters
    start, grads = random_problem(8)
    decoupled = reference_adam(start, grads, 0.05, weight_decay=0.5, decoupled=True)
    params = [Variable(x.copy(), requires_grad=True) for x in start]
    got = feed_gradients(AdamW(params, learning_rate=0.05, weight_decay=0.5), params, grads)
    coupled = reference_adam(start, grads, 0.05, weight_decay=0.5)
    assert np.allclose(got[-1][0], decoupled[-1][0], rtol=1e-10) and not np.allclose(got[-1][0], coupled[-1][0], rtol=1e-3), (
        "AdamW must decay the weights directly, not add λ·p to the gradient like Adam")

    # With λ = 0, AdamW is Adam exactly
    start, grads = random_problem(9)
    params = [Variable(x.copy(), requires_grad=True) for x in start]
    got = feed_gradients(AdamW(params, learning_rate=0.05, weight_decay=0.0), params, grads)
    want = reference_adam(start, grads, 0.05)
    assert np.allclose(got[-1][2], want[-1][2], rtol=1e-10, atol=1e-12), "AdamW with weight_decay=0 should be Adam"

    # A parameter without a gradient is neither decayed nor moved
    a = Variable([1.0, 1.0], requires_grad=True)
    frozen = Variable([5.0, -5.0], requires_grad=True)
    opt = AdamW([a, frozen], learning_rate=0.1, weight_decay=0.5)
    (a * 2.0).sum().backward()
    opt.step()
    opt.step()
    assert np.array_equal(frozen.data.data, [5.0, -5.0]), f"a parameter whose grad is None must not be decayed, got {frozen.data.data.tolist()}"

    # float32 stays float32, values, moments and all
    start32, grads32 = random_problem(10, dtype=np.float32)
    params32 = [Variable(x.copy(), requires_grad=True) for x in start32]
    opt = AdamW(params32, learning_rate=0.05, weight_decay=0.1)
    got32 = feed_gradients(opt, params32, grads32)
    want32 = reference_adam(start32, grads32, 0.05, weight_decay=0.1, decoupled=True)
    for k in range(3):
        assert params32[k].data.data.dtype == np.float32 and opt.m[k].dtype == np.float32, (
            f"float32 parameters keep float32 values and moments, got {params32[k].data.data.dtype}, {opt.m[k].dtype}")
        assert np.allclose(got32[-1][k], want32[-1][k], rtol=1e-5, atol=1e-6), f"float32 parameter {k}: {got32[-1][k]} vs {want32[-1][k]}"

    try:
        AdamW([w], weight_decay=-0.01)
    except ValueError:
        pass
    else:
        raise AssertionError("a negative weight_decay should raise ValueError")

    print("✅ AdamW tests passed!")

test_adamw()

# %% [markdown]
# ## Step 5: Learning-Rate Schedules — `StepLR`
#
# ### Big steps first, small steps later
# Early in training the parameters are far from any good solution: large steps make fast
# progress. Later, large steps make the loss bounce around a minimum without settling
# into it; smaller steps let it settle. A **schedule** changes the learning rate as
# training goes on. The simplest is a staircase: multiply the learning rate by γ every
# `step_size` epochs.
#
# ```
# lr(epoch) = base_lr · γ^⌊epoch / step_size⌋          here: base_lr = 0.1, step_size = 3, γ = 0.5
#
#   lr
#   0.1    ██████
#   0.05         ██████
#   0.025              ██████
#          ──────┼─────┼─────→ epoch
#          0 1 2  3 4 5  6 7 8
# ```
# (ResNet was trained this way: lr 0.1, divided by 10 at epochs 30, 60 and 90.)
#
# ### How it is used (as in PyTorch)
# ```python
# optimizer = SGD(model.parameters(), learning_rate=0.1, momentum=0.9)
# scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
# for epoch in range(90):
#     train_one_epoch(...)          # many optimizer.step() calls
#     scheduler.step()              # once per epoch: set the next epoch's learning rate
# ```
# The scheduler remembers the optimizer's learning rate when it is created (`base_lr`)
# and counts epochs in `last_epoch` (0 at the start). `step()` adds one epoch and writes
# the new learning rate into `optimizer.learning_rate`; since `SGD.step()` and
# `Adam.step()` read `self.learning_rate` every time, the change takes effect at once.
#
# The provided `__init__` and `step()` do the bookkeeping. You write `get_lr()`: the
# learning rate for the current `last_epoch`.

# %% nbgrader={"grade": false, "grade_id": "step-lr", "locked": false, "schema_version": 3, "solution": true}
#| export
class StepLR:
    """Multiply the optimizer's learning rate by `gamma` every `step_size` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"StepLR needs an optimizer (SGD, Adam, ...), got {type(optimizer).__name__}")
        if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) or step_size < 1:
            raise ValueError(f"step_size must be a whole number of epochs >= 1, got {step_size!r}")
        self.optimizer = optimizer
        self.step_size = int(step_size)
        self.gamma = _check_positive("gamma", gamma)
        self.base_lr = optimizer.learning_rate
        self.last_epoch = 0

    def get_lr(self) -> float:
        """
        The learning rate for the current epoch, self.last_epoch.

        TODO: Compute base_lr · gamma ** (number of completed step_size periods).

        STEP-BY-STEP IMPLEMENTATION:
        1. Count how many full periods of step_size epochs have passed: last_epoch // step_size
        2. Return base_lr multiplied by gamma to that power (a Python float)

        EXAMPLE USAGE:
        ```python
        optimizer = SGD([w], learning_rate=0.1)
        scheduler = StepLR(optimizer, step_size=3, gamma=0.5)
        scheduler.get_lr()       # 0.1   (epoch 0)
        for _ in range(3):
            scheduler.step()
        scheduler.get_lr()       # 0.05  (epoch 3)
        ```

        IMPLEMENTATION HINTS:
        - Integer division // rounds down: 5 // 3 == 1
        - Compute from base_lr every time; do not multiply the current learning rate
          (that would compound rounding, and break if someone else changed it)
        """
        ### BEGIN SOLUTION
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)
        ### END SOLUTION

    def step(self) -> None:
        """End of an epoch: advance the count and set the optimizer's learning rate."""
        self.last_epoch += 1
        self.optimizer.learning_rate = self.get_lr()

    def __repr__(self) -> str:
        return f"StepLR(step_size={self.step_size}, gamma={self.gamma:g}, last_epoch={self.last_epoch})"

# %% nbgrader={"grade": true, "grade_id": "test-step-lr", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: SGD, Adam
def test_step_lr():
    """StepLR follows base_lr · γ^⌊epoch / step_size⌋ and drives the optimizer"""
    print("🔬 Unit Test: StepLR Schedule...")

    w = Variable([1.0], requires_grad=True)
    opt = SGD([w], learning_rate=0.1)
    scheduler = StepLR(opt, step_size=3, gamma=0.5)
    assert abs(scheduler.get_lr() - 0.1) < 1e-15, f"at epoch 0 the learning rate is base_lr = 0.1, got {scheduler.get_lr()}"
    seen = []
    for _ in range(7):
        scheduler.step()
        seen.append(opt.learning_rate)
    expected = [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]
    assert np.allclose(seen, expected, rtol=1e-12), f"learning rates after epochs 1..7 should be {expected}, got {seen}"
    assert abs(scheduler.get_lr() - 0.025) < 1e-15

    # The boundaries, exactly: epoch step_size - 1 still has the old rate, epoch step_size
    # has the new one (not one epoch early, not one late); step_size=1 decays every epoch
    for step_size in (1, 2, 5):
        boundary = StepLR(SGD([w], learning_rate=1.0), step_size=step_size, gamma=0.5)
        for epoch in range(1, 2 * step_size + 2):
            boundary.step()
            want = 0.5 ** (epoch // step_size)
            assert abs(boundary.optimizer.learning_rate - want) < 1e-15, (
                f"step_size={step_size}: after {epoch} epochs the learning rate should be {want}, "
                f"got {boundary.optimizer.learning_rate}")

    # get_lr() only reads: asking twice, right at a boundary, gives the same answer
    other = StepLR(SGD([w], learning_rate=0.1), step_size=3, gamma=0.5)
    for _ in range(3):
        other.step()
    first, second = other.get_lr(), other.get_lr()
    assert abs(first - 0.05) < 1e-15 and abs(second - 0.05) < 1e-15, (
        f"at epoch 3, get_lr() should return 0.05 every time it is asked, got {first} then {second}: "
        "compute it from base_lr, do not multiply the current learning rate")

    # The optimizer really uses the new rate: lr 0.025, grad 1 → w moves by 0.025
    (w * 1.0).sum().backward()
    opt.step()
    assert abs(w.data.data[0] - 0.975) < 1e-12, f"SGD should step with the scheduled rate 0.025, got w = {w.data.data[0]}"

    # Works with Adam, and with gamma = 0.1 (the default)
    adam = Adam([w], learning_rate=1.0)
    scheduler = StepLR(adam, step_size=2)
    rates = []
    for _ in range(6):
        scheduler.step()
        rates.append(adam.learning_rate)
    assert np.allclose(rates, [1.0, 0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-12), f"got {rates}"

    for bad in ({"step_size": 0}, {"step_size": 2.5}, {"step_size": 2, "gamma": 0.0}):
        try:
            StepLR(opt, **bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"StepLR(optimizer, {bad}) should raise ValueError")

    print("✅ StepLR tests passed!")

test_step_lr()

# %% [markdown]
# ## Step 6: Training a Model with Your Optimizers
#
# Time to use all of it on a real (if tiny) learning problem: linear regression. The data
# comes from y = X·w* + b* with w* = (2, −3, 0.5) and b* = 1, and a model of Variables
# must recover w* and b*. The inputs have very different scales (one feature is 20×
# larger than another), which makes the loss surface a ravine, exactly the setting where
# momentum and Adam shine.
#
# Any object with parameters that are Variables can be trained this way: in module 09 a
# `Trainer` will run this loop for you, over batches from a `DataLoader`.

# %% nbgrader={"grade": true, "grade_id": "test-optimizers-train-regression", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Optimizer, SGD, Adam
def test_optimizers_train_regression():
    """SGD, SGD with momentum and Adam all fit a linear regression; momentum and Adam faster"""
    print("🔬 Unit Test: Training a Linear Regression...")

    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3)) * np.array([1.0, 0.2, 4.0])
    true_w, true_b = np.array([[2.0], [-3.0], [0.5]]), 1.0
    Y = X @ true_w + true_b

    def train(make_optimizer, steps):
        w = Variable(np.zeros((3, 1)), requires_grad=True)
        b = Variable(np.zeros(1), requires_grad=True)
        opt = make_optimizer([w, b])
        for _ in range(steps):
            opt.zero_grad()
            err = Variable(X, requires_grad=False) @ w + b - Y
            loss = (err * err).mean()
            loss.backward()
            opt.step()
        return loss.data.data.item(), w, b

    loss_sgd, _, _ = train(lambda ps: SGD(ps, learning_rate=0.05), 300)
    loss_mom, w, b = train(lambda ps: SGD(ps, learning_rate=0.05, momentum=0.9), 300)
    loss_adam, wa, ba = train(lambda ps: Adam(ps, learning_rate=0.1), 400)
    print(f"   loss after training: SGD {loss_sgd:.2e}, momentum {loss_mom:.2e}, Adam {loss_adam:.2e}")

    assert loss_mom < 1e-10, f"SGD with momentum should fit the data exactly, final loss {loss_mom:.3e}"
    assert np.allclose(w.data.data, true_w, atol=1e-4) and abs(b.data.data.item() - 1.0) < 1e-4, (
        f"momentum should recover w* = [2, -3, 0.5], b* = 1, got {w.data.data.ravel().tolist()}, {b.data.data.item()}")
    assert loss_mom < loss_sgd / 100, f"momentum should beat plain SGD in the same number of steps: {loss_mom:.3e} vs {loss_sgd:.3e}"
    assert loss_adam < 1e-6 and np.allclose(wa.data.data, true_w, atol=1e-3), (
        f"Adam should fit the data, final loss {loss_adam:.3e}, w = {wa.data.data.ravel().tolist()}")

    print("✅ All three optimizers trained the model!")

test_optimizers_train_regression()

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
success = run_module_tests_auto("Optimizers")

# %% [markdown]
# ## 🎯 Module Summary: Optimizers
#
# ### ✅ What You've Built
# - **`Optimizer`**: parameter collection with clear errors, `zero_grad()`, a
#   `learning_rate` anyone can change
# - **`SGD`**: p ← p − η·v with v ← μ·v + g and g ← ∇L + λ·p, or Nesterov's
#   p ← p − η·(g + μ·v), exactly `torch.optim.SGD`
# - **`Adam`**: per-parameter step sizes from running moments, with bias correction and
#   per-parameter step counts, exactly `torch.optim.Adam`
# - **`AdamW`**: Adam with decoupled weight decay, p ← p·(1 − η·λ) before the update,
#   exactly `torch.optim.AdamW`, by overriding one method
# - **`StepLR`**: base_lr · γ^⌊epoch / step_size⌋, driving any optimizer
#
# ### ✅ Key Learning Outcomes
# - **Why momentum works**: consistent gradients add up, oscillating ones cancel
# - **Why Adam works**: dividing by √v̂ makes the step size independent of the gradient's
#   scale; bias correction undoes the zero start exactly (a geometric series)
# - **Why AdamW exists**: inside Adam, an L2 term is rescaled by √v̂ like the rest of the
#   gradient; decoupled decay shrinks every weight by the same fraction again
# - **State is per parameter and the optimizer's own**: a velocity that is the gradient's
#   array, or one shared by two parameters of the same shape, silently changes training
# - **Systems detail**: updates happen in place, outside the graph, keeping dtypes and
#   every reference to the parameter valid
# - **Engineering detail**: skipped parameters, duplicate parameters and bad
#   hyper-parameters are handled explicitly, not discovered as a diverging loss later
#
# ### 🔗 Connection to Real ML Systems
# - **PyTorch**: `torch.optim.SGD(params, lr, momentum, weight_decay, nesterov)`,
#   `torch.optim.Adam(params, lr, betas, eps, weight_decay)`,
#   `torch.optim.AdamW(params, lr, betas, eps, weight_decay=0.01)`,
#   `torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)`: same rules, same
#   defaults
# - **State**: your `velocities`, `m`, `v` and `steps` are what PyTorch stores in
#   `optimizer.state_dict()`; Adam keeps two extra numbers per parameter, which is why
#   training with Adam needs about three times the memory of the weights alone
#
# ### 🚀 What's Next
# Module 09 puts everything together: loss functions (a numerically stable cross-entropy
# with a hand-written backward), a `Trainer` that runs the loop over a `DataLoader` for
# many epochs with validation, and checkpoints to save what was learned.
