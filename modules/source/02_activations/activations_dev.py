# %% [markdown]
# # Activations
#
# A neural network is a stack of simple steps: multiply by a weight matrix, add a bias,
# then pass the result through a **nonlinear function**. That last step — the activation —
# is what lets a network learn anything more interesting than a straight line. In this
# module you build the four activations every deep-learning library ships with.
#
# ### What you will build
# - **ReLU**: `max(0, x)`, the default choice for hidden layers
# - **Sigmoid**: `1 / (1 + e⁻ˣ)`, squashes any number into (0, 1), written so that it never
#   overflows, even at x = ±1000
# - **Tanh**: squashes into (-1, 1), centred on zero
# - **Softmax**: turns a row of scores into a probability distribution, again without
#   overflowing
#
# Each one is a small class with `forward(x)`, `__call__(x)` and `parameters()`, so that
# layers, activations and whole networks all look the same to the code that uses them.

# %% nbgrader={"grade": false, "grade_id": "activations-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.activations
#| export
import numpy as np

from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/02_activations/activations_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.activations`
#
# ```python
# # Final package structure:
# from tinytorch.core.activations import ReLU, Sigmoid, Tanh, Softmax
# from tinytorch.core.tensor import Tensor
#
# relu = ReLU()
# relu(Tensor([[-1.0, 2.0]]))     # Tensor([[0.0, 2.0]], ...)
# ```
#
# **Why this matters:**
# - **Learning:** one focused module for the nonlinearities, their maths and their numerics
# - **Production:** mirrors PyTorch, where `torch.nn.ReLU`, `torch.nn.Sigmoid`,
#   `torch.nn.Tanh` and `torch.nn.Softmax(dim=-1)` are small modules you put in a model
# - **Consistency:** layers (module 03) and networks (module 04) use these classes directly

# %% [markdown]
# ## Why Do We Need Nonlinearity?
#
# A dense layer computes `y = x @ W + b`: a linear (strictly, affine) function. Stack two of
# them and you get
#
# ```
# y = (x @ W1 + b1) @ W2 + b2  =  x @ (W1 @ W2) + (b1 @ W2 + b2)  =  x @ W + b
# ```
#
# which is **one** linear layer again. A hundred linear layers can still only draw straight
# lines (flat planes) through the data: they cannot even compute XOR. Put a nonlinear
# function between the layers and the collapse stops:
#
# ```
# y = f(x @ W1 + b1) @ W2 + b2        f = ReLU, tanh, sigmoid, ...
# ```
#
# With enough hidden units, a network of this shape can approximate any continuous
# function (the *universal approximation theorem*). Every architecture you have heard of —
# CNNs, LSTMs, Transformers — interleaves linear maps with activations like these.
#
# ### The four activations at a glance
#
# ```
#  ReLU  max(0, x)          Sigmoid  1/(1+e⁻ˣ)        Tanh
#
#                /           1 ┤          ─────        1 ┤          ─────
#              /               │        /                │        /
#            /             0.5 ┤      ●                0 ┤      ●
#          /                   │    /                    │    /
#  ───────●───────── x       0 ┤────/───────── x      -1 ┤────/───────── x
#         0                           0                         0
#
#  range [0, ∞)           range (0, 1)              range (-1, 1)
#  hidden layers          yes/no probabilities      hidden layers, RNN/LSTM cells
#
#  Softmax, a whole row at once:   [2.0, 1.0, 0.1]  ──▶  [0.66, 0.24, 0.10]   (sums to 1)
#                                  scores for C classes   probabilities over C classes
# ```
#
# ### Two kinds of input: Tensor now, Variable later
# In this module every activation works on your `Tensor` with plain numpy. In module 07
# you will build `Variable`, a value that records how it was computed so that gradients
# can flow backwards through it. Your activations should work with those too — without
# being rewritten. The rule (the same one the whole course follows) is:
#
# ```
# is x a Tensor?   (isinstance(x, Tensor))
#   yes  ->  compute with numpy on its array and return a NEW Tensor
#   no   ->  x is a Variable: use its own differentiable methods (x.relu(), x.sigmoid(), ...)
# ```
#
# A `Variable` is not a `Tensor`, so the second branch is only taken once autograd exists.
# You never import autograd here: you just call methods the `Variable` will have.
# That is *duck typing*, and it is also how PyTorch lets one `nn.ReLU` serve plain and
# gradient-tracking tensors alike.

# %% [markdown]
# ### Two rules every activation keeps
# - **Never change the input.** `x` may be a batch that the caller still needs (the next
#   example in a loop, a residual connection, the backward pass). Numpy makes in-place
#   changes easy (`out=`, `+=`, `a[a < 0] = 0`); an activation always computes a new array.
# - **Keep the dtype.** float32 in, float32 out; float64 in, float64 out: that is what
#   PyTorch does, and float32 is what networks run in (module 03). Python numbers (`0`,
#   `1.0`) never change an array's dtype, but a float64 *array* does: `np.zeros(x.shape)`
#   or `np.float64(1)` silently turns float32 data into float64, doubling memory and time.

# %% [markdown]
# ## The Activation Base Class (provided)
#
# Every activation shares three things:
#
# - `forward(x)` computes the output — each subclass writes its own;
# - `__call__(x)` lets you write `relu(x)` instead of `relu.forward(x)`, exactly like a
#   PyTorch module;
# - `parameters()` lists the trainable values. Activations have none, so it returns `[]`.
#   Layers (module 03) return their weights, and a network (module 04) collects the
#   parameters of all its layers by calling `parameters()` on each — including the
#   activations, which is why they need the method even though it returns nothing.

# %% nbgrader={"grade": false, "grade_id": "activation-base", "locked": true, "schema_version": 3, "solution": false}
#| export
class Activation:
    """
    Base class of the activations: a function with no trainable parameters.

    Subclasses implement `forward(x)`. Calling the object calls `forward`, and
    `parameters()` is empty, so activations can sit in a network next to layers.
    """

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Activations have no trainable parameters."""
        return []

    def __repr__(self):
        return f"{type(self).__name__}()"

# %% [markdown]
# The tests below check the `Variable` branch too. Autograd does not exist yet, so they use
# a small **stand-in**: an object that is not a Tensor, keeps its values in a Tensor (`.data`)
# and has the methods a `Variable` will have (`relu`, `sigmoid`, `tanh`, `exp`, `sum` and the
# arithmetic operators), computed with numpy. It also notes which methods you called. That is
# duck typing at work: your activation cannot tell it from a real `Variable`. Once you have
# exported autograd (module 07), the tests also run the real thing.

# %% nbgrader={"grade": false, "grade_id": "activations-test-helpers", "locked": true, "schema_version": 3, "solution": false}
try:
    from tinytorch.core.autograd import Variable as _Variable   # exists after module 07
except ModuleNotFoundError:
    _Variable = None


class _StandIn:
    """A stand-in for module 07's Variable: not a Tensor, values in a Tensor, Variable's methods.

    It computes with numpy and appends the name of every method it runs to `calls` (a list
    shared by all the stand-ins computed from one another).
    """

    __array_ufunc__ = None  # `ndarray - stand_in` then asks the stand-in, as for a Variable

    def __init__(self, values, calls=None):
        self.values = np.array(values, dtype=np.float64)
        self.data = Tensor(self.values.copy())
        self.calls = [] if calls is None else calls

    @property
    def shape(self):
        return self.values.shape

    def _result(self, name, values):
        self.calls.append(name)
        return _StandIn(values, self.calls)

    @staticmethod
    def _operand(other):
        if isinstance(other, _StandIn):
            return other.values
        return np.asarray(other.data) if isinstance(other, Tensor) else np.asarray(other)

    def relu(self):
        return self._result("relu", np.maximum(self.values, 0.0))

    def sigmoid(self):
        e = np.exp(-np.abs(self.values))
        return self._result("sigmoid", np.where(self.values >= 0, 1 / (1 + e), e / (1 + e)))

    def tanh(self):
        return self._result("tanh", np.tanh(self.values))

    def exp(self):
        return self._result("exp", np.exp(self.values))

    def sum(self, axis=None, keepdims=False):
        return self._result("sum", np.sum(self.values, axis=axis, keepdims=keepdims))

    def __add__(self, other):
        return self._result("add", self.values + self._operand(other))

    def __radd__(self, other):
        return self._result("add", self._operand(other) + self.values)

    def __sub__(self, other):
        return self._result("sub", self.values - self._operand(other))

    def __rsub__(self, other):
        return self._result("sub", self._operand(other) - self.values)

    def __mul__(self, other):
        return self._result("mul", self.values * self._operand(other))

    def __rmul__(self, other):
        return self._result("mul", self._operand(other) * self.values)

    def __truediv__(self, other):
        return self._result("div", self.values / self._operand(other))

    def __rtruediv__(self, other):
        return self._result("div", self._operand(other) / self.values)

    def __neg__(self):
        return self._result("neg", -self.values)

# %% [markdown]
# ## Step 1: ReLU — the Rectified Linear Unit
#
# ### What is it?
# ```
# ReLU(x) = max(0, x)        element by element
#
# x       = [-2.0, -0.5, 0.0, 0.5, 2.0]
# ReLU(x) = [ 0.0,  0.0, 0.0, 0.5, 2.0]
# ```
#
# ### Why it matters
# - **Cheap**: one comparison per element, no exponentials.
# - **Gradients that do not vanish**: its slope is exactly 1 for every positive input.
#   Sigmoid's slope is at most 0.25, so in a gradient backpropagated through 10 sigmoid
#   layers the activations' slopes alone contribute a factor of at most 0.25¹⁰ ≈ 10⁻⁶.
#   ReLU (popularised by AlexNet in 2012) is a large part of why deep networks became
#   trainable.
# - **Sparse**: about half the units output exactly zero for a given input, a cheap form of
#   feature selection.
#
# Its weakness: a unit whose input is negative for every example outputs 0 and gets no
# gradient — a "dead ReLU". Variants such as Leaky ReLU and GELU (used in BERT and GPT)
# soften this, but plain ReLU remains the default.
#
# ### In PyTorch
# `torch.nn.ReLU()` and `torch.relu(x)`.

# %% nbgrader={"grade": false, "grade_id": "relu-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class ReLU(Activation):
    """Rectified linear unit: max(0, x), element by element."""

    def forward(self, x):
        """
        Apply ReLU to every element of x.

        TODO: Return max(0, x) element by element.

        STEP-BY-STEP IMPLEMENTATION:
        1. If x is a Tensor: compute the elementwise maximum of its numpy array and 0,
           and wrap the result in a new Tensor
        2. Otherwise x is a Variable (module 07): return x.relu(), which also knows how
           to send gradients backwards

        EXAMPLE USAGE:
        ```python
        relu = ReLU()
        relu(Tensor([-2.0, 0.0, 3.0]))          # Tensor([0.0, 0.0, 3.0])
        relu(Tensor([[-1.0, 1.0], [2.0, -2.0]]))  # Tensor([[0.0, 1.0], [2.0, 0.0]])
        ```

        IMPLEMENTATION HINTS:
        - x.data is the numpy array inside a Tensor
        - np.maximum compares element by element (np.max is a reduction: not that one)
        - Comparing with the Python number 0 keeps float32 data in float32
        - Never change x itself: return a new Tensor
        """
        ### BEGIN SOLUTION
        if isinstance(x, Tensor):
            return Tensor(np.maximum(x.data, 0))
        return x.relu()
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your ReLU
#
# This checks values, shapes, dtypes, that the input is left alone, and that ReLU has no
# parameters.

# %% nbgrader={"grade": true, "grade_id": "test-relu", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_relu():
    """ReLU zeroes negatives, keeps positives, keeps shape and dtype, and leaves its input alone."""
    print("🔬 Unit Test: ReLU...")
    relu = ReLU()

    x = Tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
    out = relu(x)
    assert isinstance(out, Tensor), f"ReLU of a Tensor should return a new Tensor, got {type(out).__name__}"
    got = np.asarray(out.data)
    assert got.shape == (5,), f"ReLU should keep the shape (5,), got {got.shape}"
    assert np.array_equal(got, [0.0, 0.0, 0.0, 0.5, 2.0]), f"ReLU([-2, -0.5, 0, 0.5, 2]) should be [0, 0, 0, 0.5, 2], got {got.tolist()}"
    assert np.array_equal(x.data, [-2.0, -0.5, 0.0, 0.5, 2.0]), f"ReLU must not change its input, which is now {x.data.tolist()}"

    # Exactly at 0, and the smallest numbers either side of it: ReLU(0) = 0, nothing is nudged
    edge = np.array([-1e-300, -0.0, 0.0, 5e-324, 1e-300])
    got = np.asarray(relu(Tensor(edge)).data)
    assert np.array_equal(got, [0.0, 0.0, 0.0, 5e-324, 1e-300]), f"ReLU around 0 should be [0, 0, 0, 5e-324, 1e-300], got {got.tolist()}"

    # float32 stays float32 and float64 stays float64, on a non-square batch
    for dtype in (np.float32, np.float64):
        values = np.array([[-1.5, 0.0, 2.25], [3.0, -0.5, 0.125], [-4.0, 1.0, 0.0], [0.5, -2.0, 7.0]], dtype=dtype)
        before = values.copy()
        out = relu.forward(Tensor(values))
        assert isinstance(out, Tensor), f"ReLU.forward should return a Tensor, got {type(out).__name__}"
        got = np.asarray(out.data)
        assert got.shape == (4, 3), f"ReLU of a (4, 3) batch should be (4, 3), got {got.shape}"
        assert got.dtype == dtype, f"ReLU should keep {np.dtype(dtype).name} data in {np.dtype(dtype).name}, got {got.dtype}"
        assert np.array_equal(got, np.where(before > 0, before, 0)), f"ReLU of the {np.dtype(dtype).name} batch gave {got.tolist()}"
        assert np.array_equal(values, before), f"ReLU changed its {np.dtype(dtype).name} input in place: it is now {values.tolist()}"

    rng = np.random.default_rng(0)
    values = rng.standard_normal((4, 5, 6))
    got = np.asarray(relu(Tensor(values)).data)
    assert np.array_equal(got, np.where(values > 0, values, 0.0)), "ReLU of a random (4, 5, 6) tensor differs from max(0, x)"
    assert relu.parameters() == [], f"ReLU has no parameters, got {relu.parameters()}"

    # The Variable branch, with the stand-in (a real Variable once module 07 is exported)
    duck = _StandIn([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]])
    out = relu(duck)
    assert isinstance(out, _StandIn), f"ReLU of a Variable should be what x.relu() returns, got {type(out).__name__}"
    assert duck.calls == ["relu"], f"ReLU of a Variable should call x.relu() once, got calls {duck.calls}"
    assert np.array_equal(out.values, [[0.0, 0.0, 2.0], [3.0, 0.0, 0.5]]), f"ReLU of the stand-in gave {out.values.tolist()}"

    if _Variable is None:
        print("ℹ️  real Variable checks skipped: export module 07 (autograd) to run them")
    else:
        v = _Variable([-1.0, 2.0, 3.0], requires_grad=True)
        out = relu(v)
        assert isinstance(out, _Variable), f"ReLU of a Variable should be a Variable (use x.relu()), got {type(out).__name__}"
        assert np.array_equal(np.asarray(out.data), [0.0, 2.0, 3.0]), f"ReLU of Variable [-1, 2, 3] gave {np.asarray(out.data).tolist()}"
        out.sum().backward()
        assert np.array_equal(np.asarray(v.grad.data), [0.0, 1.0, 1.0]), f"the slope of ReLU is 0 then 1: expected grad [0, 1, 1], got {np.asarray(v.grad.data).tolist()}"
        print("✅ ReLU passes gradients through Variables")

    print("✅ ReLU zeroes negatives and keeps positives, exactly at 0 too")
    print("✅ float32 and float64 kept, input unchanged, Variables use x.relu()")

test_relu()

# %% [markdown]
# ## Step 2: Sigmoid — and Why the Obvious Formula Is Wrong
#
# ### What is it?
# ```
# σ(x) = 1 / (1 + e⁻ˣ)
#
#        x:  -1000   -5      0      5     1000
#     σ(x):    0.0   0.0067  0.5   0.9933  1.0
# ```
#
# σ squashes every real number into (0, 1), so its output can be read as a probability.
# It is the output activation of binary classifiers ("spam or not?"), and the gates of
# LSTM and GRU cells are sigmoids deciding how much to remember. It is symmetric:
# σ(-x) = 1 - σ(x), and its slope is σ(x)·(1 - σ(x)), at most 0.25 (at x = 0).
#
# ### The numerical problem
# A float64 can hold numbers up to about 1.8·10³⁰⁸, so e⁷¹⁰ is already too large. Now
# compute `1 / (1 + np.exp(-x))` at x = -1000:
#
# ```
# np.exp(1000)  ->  inf       RuntimeWarning: overflow encountered in exp
# 1 / (1 + inf) ->  0.0       the right answer, by luck, after a warning
# ```
#
# In a real model that warning appears in the middle of training, and the same `inf`
# produces `nan` as soon as it meets another infinity (inf/inf, inf - inf) in a gradient.
# Large inputs are not exotic: a badly scaled feature or a diverging logit gets there.
# (In float32, e^x overflows already at x ≈ 89.)
#
# ### The fix: never exponentiate a large positive number
# The two formulas below are equal (multiply the top and bottom of the first by eˣ):
#
# ```
# σ(x) = 1 / (1 + e⁻ˣ)        use where x ≥ 0:  e⁻ˣ ≤ 1, cannot overflow
# σ(x) = eˣ / (1 + eˣ)        use where x < 0:  eˣ  < 1, cannot overflow
# ```
#
# Both only ever need e^(-|x|), a number in (0, 1]. For x = 1000 it underflows to exactly
# 0, which is harmless: σ = 1/(1 + 0) = 1 and eˣ/(1 + eˣ) = 0/(1 + 0) = 0.
#
# PyTorch's `torch.sigmoid` and `torch.nn.Sigmoid()` do the same internally; this is the
# kind of detail a framework must get right once so that its users never think about it.

# %% nbgrader={"grade": false, "grade_id": "sigmoid-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Sigmoid(Activation):
    """Logistic sigmoid 1 / (1 + e^-x), computed without overflow."""

    def forward(self, x):
        """
        Apply the logistic sigmoid to every element of x, stably.

        TODO: Return 1 / (1 + e^-x) element by element, never computing e of a large
        positive number.

        STEP-BY-STEP IMPLEMENTATION:
        1. If x is not a Tensor, it is a Variable: return x.sigmoid()
        2. Take the numpy array of x and compute e^(-|x|) once: it lies in (0, 1]
        3. Where x ≥ 0 the result is 1 / (1 + e^(-|x|)),
           where x < 0 it is e^(-|x|) / (1 + e^(-|x|))
        4. Choose between the two element by element and return a new Tensor

        EXAMPLE USAGE:
        ```python
        sigmoid = Sigmoid()
        sigmoid(Tensor([0.0]))                 # Tensor([0.5])
        sigmoid(Tensor([-1000.0, 1000.0]))     # Tensor([0.0, 1.0]), no warning
        ```

        IMPLEMENTATION HINTS:
        - np.abs and np.exp work element by element
        - np.where(condition, a, b) picks a where condition holds and b elsewhere
        - With only Python numbers (1, 1.0) mixed in, float32 data stays float32
        - Test your idea at x = ±1000: no RuntimeWarning may appear
        """
        ### BEGIN SOLUTION
        if not isinstance(x, Tensor):
            return x.sigmoid()
        values = x.data
        small = np.exp(-np.abs(values))            # in (0, 1]: never overflows
        return Tensor(np.where(values >= 0, 1 / (1 + small), small / (1 + small)))
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Sigmoid
#
# Besides the values, this test turns every floating-point warning into an error: a
# sigmoid that gets the right answer at -1000 only after overflowing fails here.

# %% nbgrader={"grade": true, "grade_id": "test-sigmoid", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_sigmoid():
    """Sigmoid is correct, symmetric, in [0, 1], stable at ±1000, and keeps dtype and input."""
    import warnings
    print("🔬 Unit Test: Sigmoid...")
    sigmoid = Sigmoid()

    out = sigmoid(Tensor([0.0]))
    assert isinstance(out, Tensor), f"Sigmoid of a Tensor should return a new Tensor, got {type(out).__name__}"
    got = np.asarray(out.data)
    assert np.allclose(got, [0.5]), f"σ(0) should be 0.5, got {got.tolist()}"

    x = np.linspace(-8.0, 8.0, 33)
    got = np.asarray(sigmoid(Tensor(x)).data)
    expected = 1.0 / (1.0 + np.exp(-x))
    assert got.shape == (33,), f"Sigmoid should keep the shape (33,), got {got.shape}"
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15), f"Sigmoid differs from 1/(1+e^-x) by up to {np.max(np.abs(got - expected)):.3g}"
    mirrored = np.asarray(sigmoid(Tensor(-x)).data)
    assert np.allclose(got + mirrored, 1.0), "σ(x) + σ(-x) should be 1 for every x"
    assert np.all(np.diff(got) > 0), "Sigmoid should increase strictly on [-8, 8]"

    extreme = Tensor([[-1000.0, -100.0, 0.0, 100.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # a RuntimeWarning becomes an exception
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                got = np.asarray(sigmoid(extreme).data)
            except (RuntimeWarning, FloatingPointError) as exc:
                raise AssertionError(f"Sigmoid overflowed at ±1000 ({exc}): never compute e of a large positive number") from None
    assert got.shape == (1, 5), f"Sigmoid should keep the shape (1, 5), got {got.shape}"
    assert np.all(np.isfinite(got)), f"Sigmoid at ±1000 should be finite, got {got.tolist()}"
    assert np.all((got >= 0) & (got <= 1)), f"Sigmoid must stay within [0, 1], got {got.tolist()}"
    assert got[0, 0] < 1e-300 and got[0, 4] == 1.0, f"σ(-1000) should be 0 and σ(1000) exactly 1, got {got[0, 0]} and {got[0, 4]}"
    assert abs(got[0, 2] - 0.5) < 1e-15, f"σ(0) should be 0.5, got {got[0, 2]}"

    # float32 stays float32 (e^x overflows float32 already at x ≈ 89), float64 stays float64
    for dtype, tol in ((np.float32, 1e-6), (np.float64, 1e-12)):
        values = np.array([[-200.0, -89.0, -3.0], [0.0, 2.5, 89.0], [150.0, -0.5, 1.0], [-1.0, 4.0, -7.5]], dtype=dtype)
        before = values.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                try:
                    out = sigmoid.forward(Tensor(values))
                except (RuntimeWarning, FloatingPointError) as exc:
                    raise AssertionError(f"Sigmoid overflowed on {np.dtype(dtype).name} data ({exc})") from None
        assert isinstance(out, Tensor), f"Sigmoid.forward should return a Tensor, got {type(out).__name__}"
        got = np.asarray(out.data)
        assert got.dtype == dtype, f"Sigmoid should keep {np.dtype(dtype).name} data in {np.dtype(dtype).name}, got {got.dtype}"
        assert got.shape == (4, 3), f"Sigmoid of a (4, 3) batch should be (4, 3), got {got.shape}"
        want = 1.0 / (1.0 + np.exp(-np.clip(before.astype(np.float64), -700, 700)))
        assert np.allclose(got, want, rtol=tol, atol=1e-30), f"Sigmoid of the {np.dtype(dtype).name} batch gave {got.tolist()}"
        assert np.array_equal(values, before), f"Sigmoid changed its {np.dtype(dtype).name} input in place: it is now {values.tolist()}"
    assert sigmoid.parameters() == [], f"Sigmoid has no parameters, got {sigmoid.parameters()}"

    duck = _StandIn([[-1.0, 0.0], [2.0, -3.0], [0.5, 4.0]])
    out = sigmoid(duck)
    assert isinstance(out, _StandIn), f"Sigmoid of a Variable should be what x.sigmoid() returns, got {type(out).__name__}"
    assert duck.calls == ["sigmoid"], f"Sigmoid of a Variable should call x.sigmoid() once, got calls {duck.calls}"
    assert np.allclose(out.values, 1 / (1 + np.exp(-duck.values))), f"Sigmoid of the stand-in gave {out.values.tolist()}"

    if _Variable is None:
        print("ℹ️  real Variable checks skipped: export module 07 (autograd) to run them")
    else:
        v = _Variable([-1000.0, 0.0, 1000.0], requires_grad=True)
        out = sigmoid(v)
        assert isinstance(out, _Variable), f"Sigmoid of a Variable should be a Variable (use x.sigmoid()), got {type(out).__name__}"
        assert np.allclose(np.asarray(out.data), [0.0, 0.5, 1.0]), f"Sigmoid of Variable [-1000, 0, 1000] gave {np.asarray(out.data).tolist()}"
        out.sum().backward()
        assert np.allclose(np.asarray(v.grad.data), [0.0, 0.25, 0.0]), f"σ'(x) = σ(1 - σ): expected [0, 0.25, 0], got {np.asarray(v.grad.data).tolist()}"
        print("✅ Sigmoid passes gradients through Variables")

    print("✅ Sigmoid matches 1/(1+e^-x) and is symmetric")
    print("✅ no overflow at ±1000, in float64 and float32; dtype and input kept")

test_sigmoid()

# %% [markdown]
# ## Step 3: Tanh — a Zero-Centred Sigmoid
#
# ### What is it?
# ```
# tanh(x) = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ)  =  2·σ(2x) - 1
#
#        x:  -1000  -1      0     1     1000
#  tanh(x):   -1.0  -0.76   0.0   0.76   1.0
# ```
#
# Tanh is a sigmoid stretched to (-1, 1). Because its outputs are centred on zero, the
# next layer sees inputs with mean near 0, which keeps gradient steps well balanced; with
# sigmoid every input is positive, so all of a unit's weights are pushed in the same
# direction at once. Tanh is the classic hidden activation of RNNs and LSTMs, and its slope
# at 0 is 1 (four times sigmoid's).
#
# ### Numerics
# Written as above, tanh would overflow exactly like the naive sigmoid. numpy's `np.tanh`
# is implemented carefully (it saturates to ±1 without computing huge exponentials), so
# here the right engineering choice is to *use the library function* rather than
# re-derive it — part of the job is knowing which formulas are safe.
#
# ### In PyTorch
# `torch.nn.Tanh()` and `torch.tanh(x)`.

# %% nbgrader={"grade": false, "grade_id": "tanh-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Tanh(Activation):
    """Hyperbolic tangent, element by element: outputs in (-1, 1)."""

    def forward(self, x):
        """
        Apply tanh to every element of x.

        TODO: Return tanh(x) element by element.

        STEP-BY-STEP IMPLEMENTATION:
        1. If x is not a Tensor, it is a Variable: return x.tanh()
        2. Otherwise apply numpy's hyperbolic tangent to the Tensor's array
        3. Wrap the result in a new Tensor

        EXAMPLE USAGE:
        ```python
        tanh = Tanh()
        tanh(Tensor([0.0, 1.0]))           # Tensor([0.0, 0.7616])
        tanh(Tensor([-1000.0, 1000.0]))    # Tensor([-1.0, 1.0]), no warning
        ```

        IMPLEMENTATION HINTS:
        - numpy has an elementwise function with exactly this name
        - Do not write it with np.exp: e^1000 overflows
        """
        ### BEGIN SOLUTION
        if not isinstance(x, Tensor):
            return x.tanh()
        return Tensor(np.tanh(x.data))
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Tanh

# %% nbgrader={"grade": true, "grade_id": "test-tanh", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_tanh():
    """Tanh is correct, odd, bounded by ±1, stable at ±1000, and keeps dtype and input."""
    import warnings
    print("🔬 Unit Test: Tanh...")
    tanh = Tanh()

    x = np.linspace(-4.0, 4.0, 17)
    out = tanh(Tensor(x))
    assert isinstance(out, Tensor), f"Tanh of a Tensor should return a new Tensor, got {type(out).__name__}"
    got = np.asarray(out.data)
    expected = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    assert got.shape == (17,), f"Tanh should keep the shape (17,), got {got.shape}"
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15), f"Tanh differs from (eˣ - e⁻ˣ)/(eˣ + e⁻ˣ) by up to {np.max(np.abs(got - expected)):.3g}"
    assert np.allclose(np.asarray(tanh(Tensor(-x)).data), -got), "tanh(-x) should be -tanh(x)"
    assert np.allclose(got, 2.0 / (1.0 + np.exp(-2.0 * x)) - 1.0), "tanh(x) should equal 2σ(2x) - 1"

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                got = np.asarray(tanh(Tensor([[-1000.0, 0.0, 1000.0]])).data)
            except (RuntimeWarning, FloatingPointError) as exc:
                raise AssertionError(f"Tanh overflowed at ±1000 ({exc}): use numpy's tanh") from None
    assert got.shape == (1, 3), f"Tanh should keep the shape (1, 3), got {got.shape}"
    assert np.array_equal(got, [[-1.0, 0.0, 1.0]]), f"tanh(-1000), tanh(0), tanh(1000) should be -1, 0, 1, got {got.tolist()}"

    for dtype, tol in ((np.float32, 1e-6), (np.float64, 1e-12)):
        values = np.array([[0.5, -1.5, 0.0, 3.0, -0.25], [2.0, -4.0, 1.0, -0.75, 0.1]], dtype=dtype)
        before = values.copy()
        out = tanh.forward(Tensor(values))
        assert isinstance(out, Tensor), f"Tanh.forward should return a Tensor, got {type(out).__name__}"
        got = np.asarray(out.data)
        assert got.dtype == dtype, f"Tanh should keep {np.dtype(dtype).name} data in {np.dtype(dtype).name}, got {got.dtype}"
        assert got.shape == (2, 5), f"Tanh of a (2, 5) batch should be (2, 5), got {got.shape}"
        assert np.allclose(got, np.tanh(before.astype(np.float64)), rtol=tol, atol=tol), f"Tanh of the {np.dtype(dtype).name} batch gave {got.tolist()}"
        assert np.array_equal(values, before), f"Tanh changed its {np.dtype(dtype).name} input in place: it is now {values.tolist()}"
    assert tanh.parameters() == [], f"Tanh has no parameters, got {tanh.parameters()}"

    duck = _StandIn([[-1.0, 0.0, 2.0]])
    out = tanh(duck)
    assert isinstance(out, _StandIn), f"Tanh of a Variable should be what x.tanh() returns, got {type(out).__name__}"
    assert duck.calls == ["tanh"], f"Tanh of a Variable should call x.tanh() once, got calls {duck.calls}"
    assert np.allclose(out.values, np.tanh([[-1.0, 0.0, 2.0]])), f"Tanh of the stand-in gave {out.values.tolist()}"

    if _Variable is None:
        print("ℹ️  real Variable checks skipped: export module 07 (autograd) to run them")
    else:
        v = _Variable([0.0, 1.0], requires_grad=True)
        out = tanh(v)
        assert isinstance(out, _Variable), f"Tanh of a Variable should be a Variable (use x.tanh()), got {type(out).__name__}"
        out.sum().backward()
        assert np.allclose(np.asarray(v.grad.data), 1.0 - np.tanh([0.0, 1.0]) ** 2), f"tanh'(x) = 1 - tanh²(x), got {np.asarray(v.grad.data).tolist()}"
        print("✅ Tanh passes gradients through Variables")

    print("✅ Tanh matches its definition, is odd and saturates at ±1")
    print("✅ float32 and float64 kept, input unchanged")

test_tanh()

# %% [markdown]
# ## Step 4: Softmax — Scores to Probabilities
#
# ### What is it?
# A classifier's last layer produces one score (a *logit*) per class. Softmax turns a
# vector of scores into probabilities: all positive, summing to 1, in the same order.
#
# ```
#               e^(xᵢ)
# softmax(x)ᵢ = ───────        logits [2.0, 1.0, 0.1]
#               Σⱼ e^(xⱼ)      e^x    [7.39, 2.72, 1.11]   sum 11.21
#                              probs  [0.66, 0.24, 0.10]   sum 1
# ```
#
# Unlike the other three, softmax does not act element by element: each output depends on
# the whole row. For a batch of shape `(batch, classes)` the sum runs over the **last
# axis**, so each example gets its own distribution. `Softmax(axis=...)` chooses another
# axis (PyTorch calls it `dim`: `torch.nn.Softmax(dim=-1)`). It is everywhere: the output
# of every classifier, and the attention weights inside every Transformer.
#
# ### The numerical problem, again
# Logits of 1000 are easy to reach, and e¹⁰⁰⁰ = inf; then inf/inf = nan. The fix uses a
# property of softmax: **adding the same constant c to every score changes nothing**,
#
# ```
# e^(xᵢ - c) / Σⱼ e^(xⱼ - c)  =  (e^(-c) e^(xᵢ)) / (e^(-c) Σⱼ e^(xⱼ))  =  softmax(x)ᵢ
# ```
#
# so choose c = max(x) along the axis. Then the largest shifted score is exactly 0, every
# exponential is in (0, 1], nothing overflows, and the denominator is at least 1 (the
# maximum contributes e⁰ = 1), so nothing divides by zero either.
#
# ```
# x           = [1000, 999, -1000]
# x - max(x)  = [0, -1, -2000]
# e^(x - max) = [1, 0.368, 0]          sum 1.368
# softmax     = [0.731, 0.269, 0]
# ```
#
# ### Keeping the axis: `keepdims=True`
# For a batch `x` of shape (N, C), `x.max(axis=-1)` has shape (N,), which does *not*
# broadcast against (N, C) the way we want. With `keepdims=True` it has shape (N, 1), and
# (N, C) - (N, 1) subtracts each row's own maximum from that row. The same goes for the sum
# in the denominator.
#
# ### With Variables
# A `Variable` has `exp()`, `sum(axis, keepdims)` and `/`, all differentiable. Because the
# shift does not change the result, its gradient does not matter: compute the row maxima
# from the values (`np.asarray(x.data)`), wrap them in a plain `Tensor` (a constant),
# subtract that from `x`, exponentiate, and divide by the sum along the axis — every step
# a `Variable` method or operator, so the gradient flows through all of them.

# %% nbgrader={"grade": false, "grade_id": "softmax-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Softmax(Activation):
    """Softmax along one axis (the last by default): each slice becomes a distribution."""

    def __init__(self, axis=-1):
        self.axis = axis

    def __repr__(self):
        return f"Softmax(axis={self.axis})"

    def forward(self, x):
        """
        Apply softmax along self.axis, without overflow.

        TODO: Return e^(x - max) / sum(e^(x - max)) along self.axis.

        STEP-BY-STEP IMPLEMENTATION:
        1. Find the maximum of x along self.axis, keeping that axis (size 1)
        2. If x is a Tensor:
           a. subtract the maximum and exponentiate (every value is now in (0, 1])
           b. divide by the sum along self.axis (again keeping the axis)
           c. return a new Tensor
        3. Otherwise x is a Variable: do the same with its own methods. Shift it by
           the maxima wrapped in a plain Tensor (a constant), exponentiate with the
           Variable's exp(), and divide by the Variable's own sum along self.axis

        EXAMPLE USAGE:
        ```python
        softmax = Softmax()
        softmax(Tensor([[1.0, 1.0], [0.0, np.log(3.0)]]))   # [[0.5, 0.5], [0.25, 0.75]]
        softmax(Tensor([[1000.0, -1000.0]]))               # [[1.0, 0.0]], no warning
        Softmax(axis=0)(Tensor([[0.0], [0.0]]))             # [[0.5], [0.5]]
        ```

        IMPLEMENTATION HINTS:
        - np.max(a, axis=..., keepdims=True) and np.sum(a, axis=..., keepdims=True)
        - np.asarray(x.data) gives the values of a Tensor and of a Variable alike
        - Variable.sum takes the same axis and keepdims arguments as numpy
        - Check your result: every slice along the axis should sum to 1
        """
        ### BEGIN SOLUTION
        values = np.asarray(x.data)
        maxima = np.max(values, axis=self.axis, keepdims=True)
        if isinstance(x, Tensor):
            shifted = np.exp(values - maxima)
            return Tensor(shifted / np.sum(shifted, axis=self.axis, keepdims=True))
        shifted = (x - Tensor(maxima)).exp()
        return shifted / shifted.sum(axis=self.axis, keepdims=True)
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Softmax

# %% nbgrader={"grade": true, "grade_id": "test-softmax", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_softmax():
    """Softmax gives distributions along the chosen axis, stably, keeping dtype and input."""
    import warnings
    print("🔬 Unit Test: Softmax...")
    softmax = Softmax()

    out = softmax(Tensor([[1.0, 1.0], [0.0, np.log(3.0)]]))
    assert isinstance(out, Tensor), f"Softmax of a Tensor should return a new Tensor, got {type(out).__name__}"
    got = np.asarray(out.data)
    assert got.shape == (2, 2), f"Softmax should keep the shape (2, 2), got {got.shape}"
    assert np.allclose(got, [[0.5, 0.5], [0.25, 0.75]]), f"softmax([[1, 1], [0, ln 3]]) should be [[0.5, 0.5], [0.25, 0.75]], got {got.tolist()}"

    # A (batch, classes) batch with 4 examples of 5 classes: every row is its own distribution
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((4, 5)) * 3
    got = np.asarray(softmax(Tensor(logits)).data)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert got.shape == (4, 5), f"Softmax of (4, 5) logits should be (4, 5), got {got.shape}"
    assert np.allclose(got, expected, rtol=1e-12), f"Softmax of random (4, 5) logits differs from e^x / Σe^x by {np.max(np.abs(got - expected)):.3g}"
    assert np.allclose(got.sum(axis=-1), 1.0), f"every row should sum to 1, got {got.sum(axis=-1).tolist()}"
    shifted = np.asarray(softmax(Tensor(logits + 100.0)).data)
    assert np.allclose(shifted, got), "adding a constant to every logit must not change softmax"
    row_shifted = np.asarray(softmax(Tensor(logits + np.array([[0.0], [50.0], [-30.0], [7.0]]))).data)
    assert np.allclose(row_shifted, got), "adding a different constant to each row must not change softmax (each row is normalised alone)"
    assert np.array_equal(np.argsort(got, axis=1), np.argsort(logits, axis=1)), "softmax must keep the order of the scores"

    vector = np.asarray(softmax(Tensor([2.0, 1.0, 0.1])).data)
    assert vector.shape == (3,) and np.allclose(vector, np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()), f"softmax of a vector gave {vector.tolist()}"

    columns = np.asarray(Softmax(axis=0)(Tensor(logits)).data)
    assert columns.shape == (4, 5), f"Softmax(axis=0) of (4, 5) logits should be (4, 5), got {columns.shape}"
    assert np.allclose(columns, np.exp(logits) / np.exp(logits).sum(axis=0, keepdims=True)), "Softmax(axis=0) should normalise each column"
    assert np.allclose(columns.sum(axis=0), 1.0), f"with axis=0 every column should sum to 1, got {columns.sum(axis=0).tolist()}"
    cube = rng.standard_normal((2, 3, 4)) * 2
    got3 = np.asarray(softmax(Tensor(cube)).data)
    assert got3.shape == (2, 3, 4), f"Softmax of a (2, 3, 4) tensor should be (2, 3, 4), got {got3.shape}"
    assert np.allclose(got3, np.exp(cube) / np.exp(cube).sum(axis=-1, keepdims=True)), "Softmax of a (2, 3, 4) tensor should normalise along the last axis"
    middle = np.asarray(Softmax(axis=1)(Tensor(cube)).data)
    assert np.allclose(middle, np.exp(cube) / np.exp(cube).sum(axis=1, keepdims=True)), "Softmax(axis=1) of a (2, 3, 4) tensor should normalise along axis 1"

    extreme = Tensor([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                got = np.asarray(softmax(extreme).data)
            except (RuntimeWarning, FloatingPointError) as exc:
                raise AssertionError(f"Softmax overflowed at ±1000 ({exc}): subtract each row's maximum first") from None
    assert np.all(np.isfinite(got)), f"Softmax at ±1000 should be finite, got {got.tolist()}"
    e = np.exp(-1.0)
    expected = [[1.0, 0.0, 0.0], [1 / (2 + e), 1 / (2 + e), e / (2 + e)], [1 / 3, 1 / 3, 1 / 3]]
    assert np.allclose(got, expected), f"softmax of the ±1000 rows should be {np.round(expected, 4).tolist()}, got {np.round(got, 4).tolist()}"

    # float32 stays float32 (e^x overflows float32 already at x ≈ 89), float64 stays float64;
    # the input is never changed
    for dtype, tol in ((np.float32, 1e-6), (np.float64, 1e-12)):
        values = np.array([[100.0, 0.0, -100.0, 2.0], [0.5, 1.5, -0.5, 3.0], [-200.0, -199.0, -201.0, -200.5]], dtype=dtype)
        before = values.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                try:
                    out = softmax.forward(Tensor(values))
                    out_cols = Softmax(axis=0)(Tensor(values))
                except (RuntimeWarning, FloatingPointError) as exc:
                    raise AssertionError(f"Softmax overflowed on {np.dtype(dtype).name} data ({exc})") from None
        assert isinstance(out, Tensor), f"Softmax.forward should return a Tensor, got {type(out).__name__}"
        got, cols = np.asarray(out.data), np.asarray(out_cols.data)
        assert got.dtype == dtype and cols.dtype == dtype, f"Softmax should keep {np.dtype(dtype).name} data in {np.dtype(dtype).name}, got {got.dtype} and {cols.dtype}"
        assert got.shape == (3, 4) and cols.shape == (3, 4), f"Softmax of a (3, 4) batch should be (3, 4), got {got.shape} and {cols.shape}"
        wide = before.astype(np.float64)
        want = np.exp(wide - wide.max(axis=1, keepdims=True))
        want_cols = np.exp(wide - wide.max(axis=0, keepdims=True))
        assert np.allclose(got, want / want.sum(axis=1, keepdims=True), rtol=tol, atol=1e-30), f"Softmax of the {np.dtype(dtype).name} batch gave {got.tolist()}"
        assert np.allclose(cols, want_cols / want_cols.sum(axis=0, keepdims=True), rtol=tol, atol=1e-30), f"Softmax(axis=0) of the {np.dtype(dtype).name} batch gave {cols.tolist()}"
        assert np.array_equal(values, before), f"Softmax changed its {np.dtype(dtype).name} input in place: it is now {values.tolist()}"
    assert softmax.parameters() == [], f"Softmax has no parameters, got {softmax.parameters()}"

    # The Variable branch, with the stand-in: large logits, 2 examples of 3 classes
    for axis, logits in ((-1, [[1000.0, 999.0, -5.0], [0.0, 1.0, 2.0]]), (0, [[1000.0, 0.0, 3.0], [999.0, 1.0, -3.0]])):
        duck = _StandIn(logits)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                try:
                    out = Softmax(axis=axis)(duck)
                except (RuntimeWarning, FloatingPointError) as exc:
                    raise AssertionError(f"Softmax of a Variable overflowed at 1000 ({exc}): shift by the maxima first") from None
        assert isinstance(out, _StandIn), f"Softmax of a Variable should be computed with the Variable's own methods, got a {type(out).__name__}"
        assert "exp" in duck.calls and "sum" in duck.calls, f"Softmax of a Variable should use its exp() and sum(), got calls {duck.calls}"
        want = np.exp(duck.values - duck.values.max(axis=axis, keepdims=True))
        want = want / want.sum(axis=axis, keepdims=True)
        assert out.shape == (2, 3), f"Softmax(axis={axis}) of a (2, 3) Variable should be (2, 3), got {out.shape}"
        assert np.allclose(out.values, want), f"Softmax(axis={axis}) of the stand-in should be {np.round(want, 4).tolist()}, got {np.round(out.values, 4).tolist()}"

    if _Variable is None:
        print("ℹ️  real Variable checks skipped: export module 07 (autograd) to run them")
    else:
        v = _Variable([[1000.0, 999.0], [0.0, 0.0]], requires_grad=True)
        out = softmax(v)
        assert isinstance(out, _Variable), f"Softmax of a Variable should be a Variable, got {type(out).__name__}"
        p = 1 / (1 + np.exp(-1.0))
        assert np.allclose(np.asarray(out.data), [[p, 1 - p], [0.5, 0.5]]), f"Softmax of Variable [[1000, 999], [0, 0]] gave {np.asarray(out.data).tolist()}"
        w = np.array([[1.0, 0.0], [1.0, 0.0]])       # picks softmax(x)[:, 0]
        (out * w).sum().backward()
        # ∂/∂x of Σ wᵢ·softmax(x)ᵢ = s ⊙ (w - Σⱼ wⱼ sⱼ), row by row
        s = np.asarray(out.data)
        expected = s * (w - (w * s).sum(axis=1, keepdims=True))
        assert np.allclose(np.asarray(v.grad.data), expected), f"Softmax gradient should be {expected.tolist()}, got {np.asarray(v.grad.data).tolist()}"
        print("✅ Softmax passes gradients through Variables")

    print("✅ Softmax rows are distributions, for any axis")
    print("✅ shift-invariant and stable at ±1000, in float32 and float64; input unchanged")

test_softmax()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook, runs each one and prints
# a summary.
#
# **This testing section is locked** — it gives the same feedback in every module and
# cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("Activations")

# %% [markdown]
# ## 🎯 Module Summary: Activations Built!
#
# ### ✅ What you built
# - **`ReLU`**: `max(0, x)` — cheap, sparse, and with a slope of 1 wherever it is active
# - **`Sigmoid`**: `1 / (1 + e⁻ˣ)` in its two overflow-free forms, exact at ±1000
# - **`Tanh`**: the zero-centred squashing function, via numpy's careful `np.tanh`
# - **`Softmax(axis=-1)`**: probabilities along any axis, stable thanks to the max shift
# - **`Activation`**: the shared interface — `forward`, `__call__`, `parameters()`
#
# ### ✅ Key ideas
# - **Nonlinearity is what makes depth useful**: without it, any stack of layers collapses
#   into one linear map.
# - **Numerical stability is part of correctness**: mathematically equal formulas can
#   differ between a right answer and `inf`/`nan`. Rewrite so that you only ever
#   exponentiate numbers ≤ 0.
# - **`keepdims=True`** keeps reductions broadcastable against the array they came from.
# - **New output, same dtype**: an activation never writes into its input, and float32
#   stays float32 (Python numbers never promote; float64 arrays such as `np.zeros(shape)` do).
# - **Duck typing**: `isinstance(x, Tensor)` takes the numpy path; anything else is
#   trusted to bring its own differentiable `relu`/`sigmoid`/`tanh`/`exp`/`sum`. Once you
#   build autograd in module 07, these very classes carry gradients without a change.
#
# ### 🔗 Connection to real ML systems
# - `torch.nn.ReLU`, `torch.nn.Sigmoid`, `torch.nn.Tanh`, `torch.nn.Softmax(dim=-1)` are
#   the same objects; `torch.softmax` subtracts the maximum exactly as you did.
# - Classification losses go one step further and fuse softmax with the logarithm of
#   cross-entropy (log-softmax), which you will meet in the training module.
#
# ### 🚀 What's next
# Run `tito export activations`, then build **layers** (module 03): the `Dense` layer
# computes `x @ W + b`, and its trainable weights are what these activations sit between.
