# %% [markdown]
# # Autograd
#
# Every model you train in TinyTorch improves itself by following gradients. This module
# builds the machine that computes them: an **automatic differentiation engine**.
#
# By the end of the module you will have built:
# - a `Variable` that wraps a `Tensor` and remembers how it was computed,
# - differentiable operations (`+ - * / ** @`, `2 ** x`, `abs`, `sum`, `mean`, `exp`, `log`,
#   `relu`, `sigmoid`, `tanh`, `reshape`, `.T`, indexing and slicing) that broadcast exactly
#   like numpy, batched matrix products included, and keep float32 as float32,
# - a `backward()` that applies the chain rule over the whole graph, visiting every node
#   once, in the right order, however deep or tangled the graph is,
# - and you will get `gradcheck`, which checks any gradient against finite differences.

# %% nbgrader={"grade": false, "grade_id": "autograd-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.autograd
#| export
import math
import numbers
import operator
import sys
from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np

from tinytorch.core.tensor import Tensor

# %% nbgrader={"grade": false, "grade_id": "autograd-banner", "locked": true, "schema_version": 3, "solution": false}
print("🔥 TinyTorch Autograd Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to build automatic differentiation!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/07_autograd/autograd_dev.py`
# **Building Side:** Code exports to `tinytorch.core.autograd`
#
# ```python
# # Final package structure:
# from tinytorch.core.autograd import Variable, gradcheck  # The gradient engine!
# from tinytorch.core.tensor import Tensor
# ```
#
# **Why this matters:**
# - **Learning:** Focused module for understanding gradients
# - **Production:** Proper organization like PyTorch's `torch.autograd`
# - **Consistency:** All gradient operations live together in `core.autograd`
# - **Foundation:** Enables training for all neural networks

# %% [markdown]
# ## What is Automatic Differentiation?
#
# ### The Problem: Computing Gradients at Scale
# Neural networks have millions of parameters. To train them, we need gradients of the
# loss function with respect to every parameter:
#
# ```
# ∇θ L = [∂L/∂w₁, ∂L/∂w₂, ..., ∂L/∂wₙ, ∂L/∂b₁, ∂L/∂b₂, ..., ∂L/∂bₘ]
# ```
#
# **Manual differentiation fails** because:
# - Networks have thousands of composed functions
# - Manual computation is extremely error-prone
# - Every architecture change requires re-deriving all gradients
#
# ### The Solution: Automatic Differentiation
# **Autograd** automatically computes derivatives of functions represented as
# computational graphs:
#
# ```python
# # Instead of manually computing: ∂(x² + 2xy + y²)/∂x = 2x + 2y
# # Autograd does it automatically:
# x = Variable(3.0, requires_grad=True)
# y = Variable(4.0, requires_grad=True)
# z = x**2 + 2*x*y + y**2
# z.backward()
# print(x.grad)  # 2*3 + 2*4 = 14 (computed automatically!)
# ```
#
# You will run exactly this example in Step 11.
#
# ### Why This is Revolutionary
# - **Efficiency**: the backward pass costs about as much as the forward pass, no matter
#   how many parameters there are (reverse mode: one sweep gives *every* gradient)
# - **Flexibility**: Works with any composition of differentiable operations
# - **Correctness**: Implements the chain rule precisely, every time
# - **Scale**: Handles millions of parameters automatically
#
# ### Real-World Impact
# - **PyTorch**: `torch.autograd` enables all neural network training
# - **TensorFlow**: `tf.GradientTape` provides similar functionality
# - **JAX**: `jax.grad` for high-performance computing
# - **Deep Learning**: Made training complex models practical
#
# Let's build the engine that powers modern AI!

# %% [markdown]
# ## Step 1: The Variable Class - Gradient Tracking
#
# ### What is a Variable?
# A **Variable** wraps a Tensor and tracks:
# - **Data** (`.data`): the actual values, a `Tensor` (forward pass)
# - **Gradient** (`.grad`): the accumulated ∂L/∂(this Variable), itself a `Variable`
#   that does not require gradients (backward pass)
# - **Computation history** (`._parents`): the Variables it was computed from
# - **Backward function** (`.grad_fn`): how to turn ∂L/∂(this) into ∂L/∂(each parent)
#
# Gradients are real numbers, so a Variable always holds floating-point data:
# `Variable([1, 2, 3])` stores `[1.0, 2.0, 3.0]` (float64).
#
# ### The Computational Graph
# Variables automatically build a computational graph:
#
# ```python
# x = Variable(2.0)  # Leaf node
# y = Variable(3.0)  # Leaf node
# z = x * y          # Intermediate node: z = x * y
# w = z + 1          # Output node: w = z + 1
#
# # Graph:  x ──┐
# #             ├──→ (*) ── z ──┐
# #         y ──┘               ├──→ (+) ── w
# #                       1 ────┘
# ```
#
# **Leaves** are the Variables you create yourself (inputs, weights, biases): they have
# no `grad_fn`, and they are where gradients end up. Every other node is the result of an
# operation and has a `grad_fn`.
#
# ### Design Principles
# - **Transparency**: Works seamlessly with numbers, numpy arrays and Tensors
# - **Efficiency**: Minimal overhead for forward pass
# - **Flexibility**: Supports any differentiable operation
# - **Correctness**: Implements chain rule precisely
#
# ### Real-World Context
# This is like:
# - **PyTorch**: `torch.autograd.Variable` (now integrated into tensors)
# - **TensorFlow**: `tf.Variable` with gradient tracking
# - **JAX**: Variables with `jax.grad` transformation
#
# ### dtypes: what PyTorch does
# A Variable keeps the floating dtype it was given: float32 data stays float32 through every
# operation, in the values **and** in the gradients, and float64 stays float64. A plain
# Python number never changes that: `x * 2.0` on a float32 `x` is float32 (numpy 2 and
# PyTorch agree: a Python number is "weak" and adopts the array's dtype). Memory and speed
# depend on it: float32 halves both compared to float64.
#
# ### Provided plumbing: working with Python and numpy
# Most of the class below is provided, so that a Variable behaves like a PyTorch tensor:
#
# | you write | you get |
# | --- | --- |
# | `x.shape`, `x.size`, `x.ndim`, `x.dtype` | the underlying array's |
# | `x.item()`, `float(x)` | a Python number (one-element Variables only) |
# | `x.numpy()`, `np.asarray(x)` | the values as an ndarray (`numpy()` shares memory, like `detach().numpy()`) |
# | `x < 0`, `x == y`, ... | a boolean `Tensor`: comparisons have no gradient |
# | `x + y`, `2 ** x`, `abs(x)`, `x[1:3]`, `x.sum()` | calls to the functions you write in Steps 5-15 |
# | `np.sum(x)`, `np.mean(x)` | numpy calls `x.sum(...)` / `x.mean(...)`, so they have gradients too |
#
# Because `==` returns a Tensor, Python would no longer let Variables be dictionary keys;
# `__hash__ = object.__hash__` restores hashing by identity (optimizers keep one entry per
# parameter, as PyTorch does). You write `__init__`.

# %% nbgrader={"grade": false, "grade_id": "variable-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Variable:
    """
    Variable: Tensor wrapper with automatic differentiation capabilities.

    The fundamental class for gradient computation in TinyTorch.
    Wraps Tensor objects and tracks computational history for backpropagation.

    Attributes:
        data: the Tensor holding the values (always a floating-point dtype)
        grad: a Variable (requires_grad=False) holding the accumulated gradient, or None
        requires_grad: whether gradients should flow to this Variable
        grad_fn: for results of operations, the local backward function; None for leaves
    """

    # `ndarray * Variable` would otherwise be handled by numpy element by element.
    # Setting this to None makes numpy step aside and call our reflected operators.
    __array_ufunc__ = None

    # Comparisons (below) return Tensors, and a class that defines __eq__ loses Python's
    # default hash. Hash by identity, so Variables can still be dict keys and set members.
    __hash__ = object.__hash__

    # The Variables this one was computed from. Leaves have none; results of operations
    # get their parents from `_make_result` (Step 2).
    _parents: Tuple["Variable", ...] = ()

    def __init__(self, data: Union[Tensor, np.ndarray, list, float, int],
                 requires_grad: bool = True, grad_fn: Optional[Callable] = None):
        """
        Create a Variable with gradient tracking.

        TODO: Implement Variable initialization with gradient tracking.

        STEP-BY-STEP IMPLEMENTATION:
        1. Convert data to Tensor if it's not already a Tensor
        2. If the values are not floating point (ints, bools), convert them to float64:
           gradients are real numbers. Floating values keep their dtype (float32 stays
           float32)
        3. Store the tensor in self.data
        4. Set gradient tracking flag (self.requires_grad)
        5. Initialize gradient to None (will be computed during backward pass)
        6. Store the gradient function for backward pass (self.grad_fn)

        EXAMPLE USAGE:
        ```python
        # Create leaf variables (input data)
        x = Variable(5.0, requires_grad=True)
        y = Variable([1, 2, 3], requires_grad=True)   # stored as [1.0, 2.0, 3.0]
        w = Variable(np.zeros(3, dtype=np.float32))   # stays float32

        # Create intermediate variables (results of operations)
        z = x + y  # Has grad_fn for addition
        ```

        IMPLEMENTATION HINTS:
        - Use isinstance(data, Tensor) to check type; convert with Tensor(data) if needed
        - tensor.data is the underlying ndarray; np.issubdtype(arr.dtype, np.floating)
          tells you whether it is already floating point
        - A float Tensor can be stored as it is (no copy needed)
        - Store requires_grad and grad_fn; initialize self.grad = None
        - is_leaf is provided below as a property: a Variable is a leaf when grad_fn is None

        LEARNING CONNECTIONS:
        - This is like torch.Tensor with requires_grad=True
        - Forms the basis for all neural network training
        - Each Variable is a node in the computational graph
        - Enables automatic gradient computation
        """
        ### BEGIN SOLUTION
        tensor = data if isinstance(data, Tensor) else Tensor(data)
        if not np.issubdtype(tensor.data.dtype, np.floating):
            tensor = Tensor(tensor.data.astype(np.float64))
        self.data = tensor
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.grad_fn = grad_fn
        ### END SOLUTION

    @property
    def is_leaf(self) -> bool:
        """A leaf was created by the user, not by an operation (it has no grad_fn)."""
        return self.grad_fn is None

    @property
    def shape(self) -> Tuple[int, ...]:
        """Get the shape of the underlying tensor."""
        return self.data.data.shape

    @property
    def size(self) -> int:
        """Get the total number of elements."""
        return self.data.data.size

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the values (float32, float64, ...)."""
        return self.data.data.dtype

    @property
    def T(self) -> "Variable":
        """Transpose (reverse the axes), with gradients: see Step 14."""
        return transpose(self)

    def __repr__(self) -> str:
        """String representation of the Variable."""
        grad_str = f", grad_fn={self.grad_fn.__name__}" if self.grad_fn else ""
        return f"Variable({self.data.data.tolist()}, requires_grad={self.requires_grad}{grad_str})"

    def backward(self, gradient=None) -> None:
        """
        Compute the gradient of this Variable with respect to every leaf it depends on.

        `gradient` is ∂L/∂self; it defaults to ones (for a scalar loss: ∂L/∂L = 1).
        The work is done by `backpropagate`, which you write in Step 4.
        """
        backpropagate(self, gradient)

    def zero_grad(self) -> None:
        """Reset gradients to zero."""
        self.grad = None

    # ---- the values as plain Python / numpy objects (no gradient) ----
    def item(self):
        """The value of a one-element Variable as a Python number."""
        return self.data.data.item()

    def __float__(self) -> float:
        """float(x) for a one-element Variable."""
        return float(self.data.data.item())

    def numpy(self) -> np.ndarray:
        """The values as an ndarray, sharing memory (like torch's x.detach().numpy())."""
        return self.data.data

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """numpy's array protocol: np.asarray(x) is the numeric array of the values."""
        return np.array(self.data.data, dtype=dtype, copy=copy)

    # ---- comparisons: elementwise, a boolean Tensor, never part of the graph ----
    def _compare(self, other, op):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return Tensor(op(self.data.data, _raw_values(other)))

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    # ---- operators: each one calls a function you write in the steps below ----
    # (_OPERAND_TYPES, right after this class, lists what an operand may be; anything else
    # returns NotImplemented, so that Python can ask the other operand.)
    def __add__(self, other) -> "Variable":
        """Addition operator: self + other"""
        return add(self, other) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __radd__(self, other) -> "Variable":
        """Reflected addition: other + self"""
        return add(other, self) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __sub__(self, other) -> "Variable":
        """Subtraction operator: self - other"""
        return subtract(self, other) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __rsub__(self, other) -> "Variable":
        """Reflected subtraction: other - self"""
        return subtract(other, self) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __mul__(self, other) -> "Variable":
        """Multiplication operator: self * other"""
        return multiply(self, other) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __rmul__(self, other) -> "Variable":
        """Reflected multiplication: other * self"""
        return multiply(other, self) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __truediv__(self, other) -> "Variable":
        """Division operator: self / other"""
        return divide(self, other) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __rtruediv__(self, other) -> "Variable":
        """Reflected division: other / self"""
        return divide(other, self) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __matmul__(self, other) -> "Variable":
        """Matrix multiplication operator: self @ other"""
        return matmul(self, other) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __rmatmul__(self, other) -> "Variable":
        """Reflected matrix multiplication: other @ self"""
        return matmul(other, self) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __pow__(self, exponent) -> "Variable":
        """Power operator with a number exponent: self ** exponent"""
        return power(self, exponent) if isinstance(exponent, numbers.Real) else NotImplemented

    def __rpow__(self, base) -> "Variable":
        """Reflected power with a number base: base ** self"""
        return rpower(base, self) if isinstance(base, numbers.Real) else NotImplemented

    def __neg__(self) -> "Variable":
        """Negation: -self"""
        return negate(self)

    def __abs__(self) -> "Variable":
        """abs(self): elementwise absolute value"""
        return absolute(self)

    def __getitem__(self, index) -> "Variable":
        """Indexing and slicing, x[1], x[:, 1:3], x[[0, 2]], x[x > 0], with gradients (Step 15)."""
        return getitem(self, _plain_index(index))

    # ---- methods: each one calls a function you write in the steps below ----
    # numpy's np.sum(x) / np.mean(x) call x.sum(axis=..., dtype=..., out=...), hence the
    # dtype and out arguments.
    def sum(self, axis=None, keepdims: bool = False, dtype=None, out=None) -> "Variable":
        """Sum over `axis` (all axes by default), with gradients."""
        return reduce_sum(_reduction_input(self, dtype, out), axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False, dtype=None, out=None) -> "Variable":
        """Mean over `axis` (all axes by default), with gradients."""
        return reduce_mean(_reduction_input(self, dtype, out), axis=axis, keepdims=keepdims)

    def exp(self) -> "Variable":
        """Elementwise e**x, with gradients."""
        return exp(self)

    def log(self) -> "Variable":
        """Elementwise natural logarithm, with gradients."""
        return log(self)

    def abs(self) -> "Variable":
        """Elementwise absolute value, with gradients."""
        return absolute(self)

    def relu(self) -> "Variable":
        """Elementwise max(x, 0), with gradients."""
        return relu(self)

    def sigmoid(self) -> "Variable":
        """Elementwise 1 / (1 + e**-x), with gradients."""
        return sigmoid(self)

    def tanh(self) -> "Variable":
        """Elementwise hyperbolic tangent, with gradients."""
        return tanh(self)

    def reshape(self, *shape) -> "Variable":
        """Same values in a new shape: x.reshape(2, 3) or x.reshape((2, 3))."""
        return reshape(self, *shape)

# %% nbgrader={"grade": false, "grade_id": "variable-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
# Provided plumbing for the Variable class above (its operators, comparisons and indexing).
# What can take part in an operation with a Variable. Concrete types first: isinstance stops
# at the first match, and the abstract numbers.Number (Fraction, Decimal) is the slow check.
_OPERAND_TYPES = (Variable, float, int, np.ndarray, Tensor, np.generic, list, tuple, complex, numbers.Number)


def _is_operand(value) -> bool:
    """Can `value` take part in an operation with a Variable?"""
    return isinstance(value, _OPERAND_TYPES)


def _raw_values(value):
    """The numbers inside an operand: a Variable's or a Tensor's ndarray, else the value itself."""
    if isinstance(value, Variable):
        return value.data.data
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return np.asarray(value)
    return value


def _plain_index(index):
    """An index for x[index] with every Variable or Tensor in it (such as the boolean mask
    that x > 0 returns) replaced by its ndarray, so numpy can use it."""
    if isinstance(index, tuple):
        return tuple(_plain_index(part) for part in index)
    if isinstance(index, (Variable, Tensor)):
        return _raw_values(index)
    return index

# %% [markdown]
# ### 🧪 Test Your Variable Class
#
# Once you implement the Variable class above, run this cell to test it:

# %% nbgrader={"grade": true, "grade_id": "test-variable-class", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_variable_class():
    """Test Variable class implementation"""
    print("🔬 Unit Test: Variable Class...")

    # Test Variable creation
    x = Variable(5.0, requires_grad=True)
    assert x.requires_grad == True, "Variable should require gradients"
    assert x.is_leaf == True, "Variable should be a leaf node"
    assert x.grad is None, "Gradient should be None initially"
    assert x.grad_fn is None, "A Variable you create yourself has no grad_fn"

    # Test data access
    assert isinstance(x.data, Tensor), f"x.data should be a Tensor, got {type(x.data).__name__}"
    assert x.data.data.item() == 5.0, "Data should be accessible"
    assert x.shape == (), "Scalar should have empty shape"
    assert x.size == 1, "Scalar should have size 1"

    # Test with list input
    y = Variable([1, 2, 3], requires_grad=True)
    assert y.shape == (3,), "List should create 1D tensor"
    assert y.size == 3, "Size should be 3"
    assert np.issubdtype(y.data.data.dtype, np.floating), (
        f"Integer data should be stored as floats (gradients are real numbers), got dtype {y.data.data.dtype}")
    assert y.data.data.tolist() == [1.0, 2.0, 3.0], f"Values should be kept, got {y.data.data.tolist()}"

    # Test with Tensor and ndarray input
    t = Tensor(np.array([[1.5, 2.5]]))
    v = Variable(t)
    assert isinstance(v.data, Tensor) and v.shape == (1, 2), f"Variable(Tensor) should keep the shape (1, 2), got {v.shape}"
    w = Variable(np.zeros((2, 3)))
    assert w.shape == (2, 3), f"Variable(ndarray) should keep the shape (2, 3), got {w.shape}"

    # Test with requires_grad=False
    z = Variable(10.0, requires_grad=False)
    assert z.requires_grad == False, "Should not require gradients"
    assert Variable(1.0, requires_grad=1).requires_grad is True, "requires_grad should be stored as a bool (True for 1)"
    assert Variable(1.0, requires_grad=0).requires_grad is False, "requires_grad should be stored as a bool (False for 0)"

    # Test zero_grad
    x.grad = Variable(1.0)
    x.zero_grad()
    assert x.grad is None, "zero_grad should reset gradient to None"

    # Test repr
    assert repr(z) == "Variable(10.0, requires_grad=False)", f"Unexpected repr: {z!r}"

    # Floating data keeps its dtype: float32 stays float32, float64 stays float64
    for dtype in (np.float32, np.float64):
        f = Variable(np.array([[1.5, -2.0, 0.25]], dtype=dtype))
        assert f.data.data.dtype == dtype, f"Variable of {np.dtype(dtype).name} data should stay {np.dtype(dtype).name}, got {f.data.data.dtype}"
        g = Variable(Tensor(np.array([1.0, 2.0], dtype=dtype)))
        assert g.data.data.dtype == dtype, f"Variable(Tensor of {np.dtype(dtype).name}) should stay {np.dtype(dtype).name}, got {g.data.data.dtype}"
    assert Variable(np.array([1, 2], dtype=np.int32)).data.data.dtype == np.float64, "integer data should become float64"
    assert Variable(True).data.data.dtype == np.float64, "a bool should become float64"

    # The provided plumbing: plain values out of a Variable
    m = Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32))
    assert m.dtype == np.float32 and m.ndim == 2, f"m.dtype / m.ndim should be float32 / 2, got {m.dtype} / {m.ndim}"
    assert m.numpy() is m.data.data, "numpy() should return the values' own array (no copy)"
    values = np.asarray(m)
    assert values.dtype == np.float32 and values.shape == (2, 3), f"np.asarray(Variable) should be the float32 (2, 3) values, got {values.dtype} {values.shape}"
    assert np.asarray(m, dtype=np.float64).dtype == np.float64, "np.asarray(Variable, dtype=float64) should convert"
    one = Variable(np.array([2.5], dtype=np.float32))
    assert one.item() == 2.5 and type(one.item()) is float, f"item() should give the Python float 2.5, got {one.item()!r}"
    assert float(Variable(-1.25)) == -1.25, "float(Variable(-1.25)) should be -1.25"

    # Comparisons: boolean Tensors, outside the graph
    less = m < 3.0
    assert isinstance(less, Tensor) and not isinstance(less, Variable), f"m < 3 should give a Tensor, got {type(less).__name__}"
    assert less.data.dtype == np.bool_ and less.data.tolist() == [[True, True, False], [False, False, False]], f"m < 3 should be [[T, T, F], [F, F, F]], got {less.data.tolist()}"
    results = {"<=": m <= 2.0, ">": m > 5.0, ">=": m >= 5.0, "==": m == 4.0, "!=": m != 4.0,
               "== Variable": m == Variable(np.array([[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]])),
               "reflected": 2.0 < m}
    expected = {"<=": [[True, True, False], [False, False, False]],
                ">": [[False, False, False], [False, False, True]],
                ">=": [[False, False, False], [False, True, True]],
                "==": [[False, False, False], [True, False, False]],
                "!=": [[True, True, True], [False, True, True]],
                "== Variable": [[True, False, True], [False, True, False]],
                "reflected": [[False, False, True], [True, True, True]]}
    for name, result in results.items():
        assert isinstance(result, Tensor), f"comparison {name} should give a Tensor, got {type(result).__name__}"
        assert result.data.dtype == np.bool_ and result.data.tolist() == expected[name], f"comparison {name}: expected {expected[name]}, got {result.data.tolist()}"

    # Still hashable, by identity: optimizers keep one dictionary entry per parameter
    p1, p2 = Variable([1.0, 2.0]), Variable([1.0, 2.0])
    state = {p1: "first", p2: "second"}
    assert len(state) == 2 and state[p1] == "first" and state[p2] == "second", "two Variables with equal values must be two different dict keys"

    print("✅ Variable class tests passed!")
    print(f"✅ Variable creation and initialization working")
    print(f"✅ Data access and properties working")
    print(f"✅ Gradient management working")

test_variable_class()

# %% [markdown]
# ## Step 2: Remembering How a Result Was Made
#
# ### Two things every result needs
# When an operation produces a result, the result must remember:
# 1. **Its parents** (`result._parents`): the Variables it was computed from.
# 2. **Its local backward function** (`result.grad_fn`): given ∂L/∂result, it returns
#    ∂L/∂parent for each parent.
#
# That is the whole graph. There is no global list of operations: every node points at
# its parents, so the entire graph can be reached by walking back from the output. (This
# is the design of Andrej Karpathy's *micrograd*, and at heart of PyTorch, where
# `z.grad_fn.next_functions` leads to the parents' backward functions.)
#
# ### The contract of a local backward function
# Here is a complete operation, `scale(a, c)` = c · a for a plain number `c`. It is not
# part of TinyTorch; it only shows the pattern that every operation below follows:
#
# ```python
# def scale(a, c):
#     a = _to_variable(a)
#
#     def scale_backward(grad_output):     # grad_output = ∂L/∂z, an ndarray shaped like z
#         return (c * grad_output,)        # ∂L/∂a = ∂L/∂z · ∂z/∂a = ∂L/∂z · c
#
#     return _make_result(c * a.data.data, (a,), scale_backward)
# ```
#
# - A backward function receives an **ndarray** shaped like the result and returns a
#   **tuple of ndarrays, one per parent**, in the same order as the parents. (For a 0-d
#   result numpy hands out scalars such as `np.float64(2.0)` instead of 0-d arrays; they
#   have `.shape`, `.dtype` and the same arithmetic, so nothing changes for you.)
# - It works on plain numpy arrays (`a.data.data`), never on Variables: the backward pass
#   itself is not recorded in the graph.
# - Name it `<operation>_backward`: `repr(z)` then shows `grad_fn=scale_backward`.
# - Never change `grad_output` in place: the same array may be handed to several parents.
# - It does **not** need to worry about broadcasting: the engine fixes shapes (Step 3).
# - Never modify the inputs' arrays or an array the forward pass created and the backward
#   function still needs: `backward()` may run again on the same graph, and must give the
#   same answer.
#
# ### Provided helpers
# - `_to_variable(value)`: numbers, lists, ndarrays and Tensors become constant
#   Variables (`requires_grad=False`); Variables pass through unchanged.
# - `_to_variables(a, b)`: the same for the two operands of a binary operation, with one
#   extra rule: a single number (or integer data) takes the *other* operand's dtype, so
#   `x * 2.0` stays float32 when `x` is float32, exactly as in PyTorch. (Converted on its
#   own, `2.0` would become a float64 array, and float32 × float64 is float64.)
# - `_make_result(data, parents, backward_fn)`: builds the result Variable. It requires
#   gradients if any parent does; only then does it record parents and `grad_fn`
#   (a computation on constants needs no graph). Every operation calls it, so it is kept
#   lean: it sets the Variable's attributes directly instead of running `__init__`'s
#   conversions again on data that is already a float array (`_new_variable` does the
#   same for any float array: Step 4 uses it for gradients).
# - `_seed_gradient(root, gradient)`: the starting gradient of `backward()`, as an ndarray.
#
# The last two functions of the cell, and the small cell right after the `Variable`
# class, are plumbing for the Variable's numpy-style methods (comparisons, indexing,
# `np.sum(x, dtype=...)`); you never need to call them yourself.

# %% nbgrader={"grade": false, "grade_id": "graph-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _tensor_probe_ok() -> bool:
    """Does a Tensor consist of its `_data` array alone, as module 01 builds it?"""
    probe = np.zeros(1)
    tensor = object.__new__(Tensor)
    tensor._data = probe
    try:
        return tensor.data is probe
    except Exception:
        return False


_TENSOR_IS_ITS_ARRAY = _tensor_probe_ok()


def _tensor_of(values: np.ndarray) -> Tensor:
    """Tensor(values) for an ndarray, skipping Tensor.__init__'s conversion (a Tensor is
    just its `_data` array); the ordinary constructor if a Tensor stores its array otherwise."""
    if not _TENSOR_IS_ITS_ARRAY:
        return Tensor(values)
    tensor = object.__new__(Tensor)
    tensor._data = values
    return tensor


def _new_variable(values: np.ndarray, requires_grad: bool, grad_fn, parents) -> "Variable":
    """A Variable around an ndarray that is already floating point. It sets exactly the
    attributes Variable.__init__ sets, without converting again: every operation makes one,
    so skipping the checks keeps the forward pass fast."""
    variable = object.__new__(Variable)
    variable.data = _tensor_of(values)
    variable.requires_grad = requires_grad
    variable.grad = None
    variable.grad_fn = grad_fn
    if parents:
        variable._parents = parents
    return variable


def _to_variable(value, like: Optional["Variable"] = None) -> "Variable":
    """
    Variables pass through; numbers, lists, ndarrays and Tensors become constants
    (requires_grad=False).

    `like` is the other operand of a binary operation. A single number (Python or numpy)
    takes its dtype, and so does integer data, as in PyTorch: with x float32, `x * 2.0`,
    `x + 1` and `x * np.float64(2)` all stay float32. Float arrays keep their own dtype.
    """
    if isinstance(value, Variable):
        return value
    if isinstance(value, Tensor):
        value = value.data
    elif not _is_operand(value):
        raise TypeError(f"cannot use a {type(value).__name__} in a Variable operation")
    if like is not None and isinstance(value, (float, int, np.number)):
        values = np.array(value, dtype=like.data.data.dtype)    # a number never promotes
    else:
        values = np.asarray(value)
        if values.dtype.kind != "f":                            # ints, bools: gradients are real
            values = values.astype(np.float64 if like is None else like.data.data.dtype)
    return _new_variable(values, False, None, ())


def _to_variables(a, b) -> Tuple["Variable", "Variable"]:
    """The two operands of a binary operation as Variables; a number takes the dtype of
    the other operand (see _to_variable)."""
    if not isinstance(a, Variable):
        a = _to_variable(a, like=b if isinstance(b, Variable) else None)
    if not isinstance(b, Variable):
        b = _to_variable(b, like=a)
    return a, b


def _make_result(data, parents: Sequence["Variable"], backward_fn: Callable) -> "Variable":
    """
    The result of an operation: `data` (a floating-point ndarray) computed from `parents`.

    `backward_fn(grad_output)` must return one gradient (ndarray) per parent. The result
    requires grad if any parent does; only then are the parents and backward_fn recorded.
    (The same as _new_variable, written out: every operation of the forward pass ends here.)
    """
    if type(data) is not np.ndarray:          # numpy returns a scalar for 0-d results
        data = np.asarray(data)
    result = object.__new__(Variable)
    if _TENSOR_IS_ITS_ARRAY:
        result.data = tensor = object.__new__(Tensor)
        tensor._data = data
    else:
        result.data = Tensor(data)
    result.grad = None
    for parent in parents:
        if parent.requires_grad:
            result.requires_grad = True
            result.grad_fn = backward_fn
            result._parents = parents
            return result
    result.requires_grad = False
    result.grad_fn = None
    return result


def apply_op(data, inputs: Sequence, backward_fn: Callable, name: Optional[str] = None) -> "Variable":
    """
    Make one graph node from a computation done directly in numpy.

    Later modules use this for layers whose backward is written by hand for speed, such as
    Conv2D and MaxPool2D (module 05) and the fused softmax + cross-entropy loss (module 09):
    `data` is the forward result, `inputs` are the Variables or Tensors it was computed from,
    and `backward_fn(grad_output)` returns one ndarray gradient per input.
    """
    parents = tuple(_to_variable(value) for value in inputs)
    if name:
        backward_fn.__name__ = name
    data = np.asarray(data)
    if data.dtype.kind != "f":                 # gradients are real numbers
        data = data.astype(np.float64)
    return _make_result(data, parents, backward_fn)


def _seed_gradient(root: "Variable", gradient=None) -> np.ndarray:
    """The gradient that starts backpropagation from `root`, as a fresh ndarray."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward() called on a Variable that does not require grad: nothing it was "
            "computed from has requires_grad=True, so there is no graph to differentiate.")
    values = root.data.data
    if gradient is None:
        return np.ones_like(values)
    if isinstance(gradient, Variable):
        gradient = gradient.data
    if isinstance(gradient, Tensor):
        gradient = gradient.data
    gradient = np.asarray(gradient, dtype=values.dtype)
    if gradient.shape != values.shape:
        try:
            gradient = np.broadcast_to(gradient, values.shape)
        except ValueError:
            raise ValueError(f"backward(gradient): the gradient has shape {gradient.shape} "
                             f"but the Variable has shape {values.shape}") from None
    return np.array(gradient)


# ---- plumbing for the Variable's numpy-style methods ----
def _cast(x: "Variable", dtype) -> "Variable":
    """x as another floating dtype, with gradients (cast back to x's dtype on the way back)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"a Variable holds floating-point values; cannot compute in {dtype}")
    source = x.data.data.dtype

    def cast_backward(grad_output):
        return (np.asarray(grad_output).astype(source),)

    return _make_result(x.data.data.astype(dtype), (x,), cast_backward)


def _reduction_input(x: "Variable", dtype=None, out=None) -> "Variable":
    """What x.sum() / x.mean() reduce: x, or x cast to `dtype` for np.sum(x, dtype=...).
    `out=` cannot be honoured: the result of an operation is always a new Variable."""
    if out is not None:
        raise TypeError("out= is not supported for Variables: every result is a new Variable")
    if dtype is None or np.dtype(dtype) == x.data.data.dtype:
        return x
    return _cast(x, dtype)

# %% [markdown]
# ## Step 3: Broadcasting — Sending Gradients Back in the Right Shape
#
# numpy lets you add a bias of shape `(4,)` to a batch of shape `(3, 4)`: the bias is
# **broadcast**, reused for each of the 3 rows. Reuse has a consequence for gradients.
# If one number influences the output in 3 places, its gradient collects all 3
# contributions:
#
# ```
# z[i, j] = x[i, j] + b[j]        ⇒        ∂L/∂b[j] = Σᵢ ∂L/∂z[i, j]
# ```
#
# The gradient arriving from `z` has shape `(3, 4)`, but `b.grad` must have `b`'s shape,
# `(4,)`. So after every local backward function we **un-broadcast**: sum the gradient
# back down to the parent's shape.
#
# ### numpy's broadcasting rules, run backwards
# Forward, numpy (1) lines the shapes up at the right, treating missing leading axes as
# size 1, and (2) stretches every axis of size 1 to match. Backward, undo both:
# 1. **Sum over the leading axes the parent does not have.**
# 2. **Sum over the axes where the parent has size 1** (keeping them, with `keepdims=True`).
#
# ```
# parent (4,)    result (3, 4):     grad (3, 4) ─ sum axis 0 ──────────────→ (4,)
# parent (3, 1)  result (3, 4):     grad (3, 4) ─ sum axis 1, keepdims ────→ (3, 1)
# parent ()      result (2, 3):     grad (2, 3) ─ sum everything ──────────→ ()
# parent (3, 1)  result (2, 3, 4):  grad (2, 3, 4) ─ sum axis 0 → (3, 4) ─ sum axis 1, keepdims → (3, 1)
# ```
#
# ### One place for it
# The engine (Step 4) applies `_unbroadcast` to every gradient a local backward function
# returns. So `add`, `multiply` and friends can ignore broadcasting completely, and every
# operation you write broadcasts correctly for free. PyTorch does the same thing
# internally (`sum_to_size`).

# %% nbgrader={"grade": false, "grade_id": "unbroadcast", "locked": false, "schema_version": 3, "solution": true}
#| export
def _unbroadcast(grad: np.ndarray, shape: Tuple[int, ...]) -> np.ndarray:
    """
    Sum a gradient back down to `shape`, undoing numpy broadcasting.

    TODO: Reduce `grad` (the shape of an operation's result) to `shape` (a parent's shape).

    STEP-BY-STEP IMPLEMENTATION:
    1. If grad already has the right shape, return it unchanged
    2. Sum over the leading axes that the parent does not have
       (grad has grad.ndim - len(shape) more axes than the parent)
    3. Sum over every axis where the parent has size 1, keeping those axes
       (keepdims=True); where grad has size 1 too, that sum changes nothing
    4. Return the result: it now has exactly `shape`

    EXAMPLE USAGE:
    ```python
    _unbroadcast(np.ones((3, 4)), (4,))      # → array([3., 3., 3., 3.])
    _unbroadcast(np.ones((3, 4)), (3, 1))    # → [[4.], [4.], [4.]]
    _unbroadcast(np.ones((2, 3)), ())        # → array(6.)
    ```

    IMPLEMENTATION HINTS:
    - `grad` is an ndarray (or a numpy scalar, which has .shape and .sum too) and `shape`
      is a tuple, so the two shapes compare directly; most gradients need no work at all,
      so check that first
    - ndarray.sum accepts a tuple of axes: g.sum(axis=(0, 1)); an empty tuple sums
      over no axis at all, so no special case is needed when there is nothing to sum
    - tuple(range(k)) lists the first k axes
    - After step 2, grad and shape have the same number of axes, so you can compare them
      axis by axis with enumerate(shape)
    - With keepdims=True, the summed axes stay as size 1: the result then has exactly
      `shape`, with no reshape needed
    """
    ### BEGIN SOLUTION
    if grad.shape == shape:                    # nothing was broadcast: the common case
        return grad
    extra = grad.ndim - len(shape)                 # leading axes the parent lacks
    grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1)
    return grad.sum(axis=stretched, keepdims=True)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test `_unbroadcast`
#
# On its own first, with arrays; Step 9 then watches it at work inside `backward()`.

# %% nbgrader={"grade": true, "grade_id": "test-unbroadcast", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unbroadcast():
    """_unbroadcast sums a gradient back down to the shape of a broadcast input"""
    print("🔬 Unit Test: _unbroadcast...")

    # _unbroadcast on its own
    g = np.ones((3, 4))
    r = _unbroadcast(g, (4,))
    assert r.shape == (4,) and np.allclose(r, 3.0), f"(3, 4) ones → (4,) should be four 3s, got {r!r}"
    r = _unbroadcast(g, (3, 1))
    assert r.shape == (3, 1) and np.allclose(r, 4.0), f"(3, 4) ones → (3, 1) should be 4s, got {r!r}"
    r = _unbroadcast(g, ())
    assert np.shape(r) == () and float(r) == 12.0, f"(3, 4) ones → () should be 12.0, got {r!r}"
    r = _unbroadcast(np.ones((2, 3, 4)), (3, 1))
    assert r.shape == (3, 1) and np.allclose(r, 8.0), f"(2, 3, 4) ones → (3, 1) should be 8s, got {r!r}"
    assert _unbroadcast(g, (3, 4)).shape == (3, 4), "A gradient that already fits should keep its shape"


    # Uneven values and three axes, no two sizes alike: the right numbers, not just shapes
    g = np.arange(30.0).reshape(2, 3, 5)
    for shape, summed in [((5,), (0, 1)), ((3, 1), (0, 2)), ((1, 3, 1), (0, 2)), ((2, 1, 5), (1,)),
                          ((1, 1, 1), (0, 1, 2)), ((3, 5), (0,)), ((1, 5), (0, 1))]:
        r = _unbroadcast(g, shape)
        expected = g.sum(axis=summed).reshape(shape)
        assert np.shape(r) == shape, f"(2, 3, 5) → {shape}: the result should have shape {shape}, got {np.shape(r)}"
        assert np.array_equal(r, expected), f"(2, 3, 5) → {shape}: should be the sum over axes {summed}, {expected.tolist()}, got {np.asarray(r).tolist()}"
    assert np.array_equal(_unbroadcast(g, (2, 3, 5)), g), "a gradient that already fits should come back unchanged"

    # float32 stays float32, and the gradient passed in is never changed
    g32 = np.arange(30.0, dtype=np.float32).reshape(2, 3, 5)
    kept = g32.copy()
    r = _unbroadcast(g32, (1, 3, 1))
    assert r.shape == (1, 3, 1) and r.dtype == np.float32, f"(2, 3, 5) → (1, 3, 1) should stay float32 with shape (1, 3, 1), got {r.dtype} {r.shape}"
    assert np.allclose(r.ravel(), [95.0, 145.0, 195.0]), f"(2, 3, 5) → (1, 3, 1) should sum to [95, 145, 195], got {r.ravel().tolist()}"
    assert _unbroadcast(g32, ()).dtype == np.float32, "summing everything should stay float32"
    assert np.array_equal(g32, kept), "_unbroadcast must not change its input"

    print("✅ _unbroadcast tests passed!")

test_unbroadcast()

# %% [markdown]
# ## Step 4: The Backward Pass — Topological Order
#
# ### What backward must do
# Calling `loss.backward()` must give every leaf that requires gradients its ∂L/∂leaf.
# The chain rule says how to get a node's gradient from the nodes that *use* it:
#
# ```
# ∂L/∂x = Σ over every use z of x:  ∂L/∂z · ∂z/∂x
# ```
#
# So a node may pass its gradient to its parents only **after every one of its uses has
# reported in**. Order matters.
#
# ### Why "just recurse" is not good enough
# A first attempt calls `parent.backward(...)` from inside each backward function, so the
# gradient rushes down every path as soon as it is known. That is correct for a tree, but
# real graphs are not trees:
#
# 1. **Shared subgraphs make it exponential.** Take `y = x + x`, then `y = y + y` again
#    and again. Each node is used twice, so recursion walks the graph below it twice, and
#    the node below that four times... After 40 doublings there are 2⁴⁰ ≈ 10¹² paths
#    from the output to `x`. The recursive version walks every one of them: days of work
#    for a 41-node graph. Visiting each node **once** takes 41 steps.
# 2. **Deep graphs overflow the stack.** An RNN unrolled over a long sequence, or a loop
#    of 20,000 small updates, is a chain 20,000 nodes deep. Python allows about 1,000
#    nested calls (`sys.getrecursionlimit()`), so the recursive version dies with
#    `RecursionError`.
#
# ### The fix: a topological order
# A **topological order** lists the nodes so that every node comes *after* all of its
# parents (the order they were computed in). Walk it **in reverse** and every node comes
# *before* its parents: by the time we reach a node, everything that uses it has already
# been processed, so its gradient is complete. Then we call its `grad_fn` exactly once.
#
# ```
#          x                      topological order:  x, a, b, c, d
#        ↙   ↘                    reverse:            d, c, b, a, x
#  a = x*2   (also used by c)
#     ↓   ↘                       d hands gradients to b and c, both hand theirs to a,
#  b = a*3  c = a*4 + x           a sums them and hands the total to x (which also got
#      ↘   ↙                      a share from c directly). Every node is visited once.
#   d = b + c
# ```
#
# Build the order with a **depth-first search that uses an explicit stack** (a Python
# list), not recursion: a node is appended to the order only once all of its parents
# have been appended. Keep a `visited` set so every node is expanded once.
#
# ### Summing gradients per node
# Walk the reversed order with a dictionary `node → gradient so far`, keyed by the node
# itself: Variables hash by identity (Step 1), so two nodes holding equal values are still
# two different keys.
# For each node:
# - **Leaf**: add its gradient into `node.grad` (see *accumulation* below).
# - **Result of an operation**: call `node.grad_fn(grad)` once, un-broadcast each returned
#   gradient to its parent's shape, and add it into the dictionary entry of each parent
#   that requires grad. Intermediate nodes do not keep a `.grad` (like PyTorch).
#
# ### Accumulation, and never sharing memory
# - Gradients **accumulate**: a second `backward()` adds to `.grad` instead of replacing
#   it, until `zero_grad()`. That is what PyTorch does, and why training loops call
#   `zero_grad()` before every backward pass.
# - **Never alias arrays.** `add_backward` returns the *same* array for both parents. If
#   two leaves stored that array, changing one's gradient (an optimizer updating in
#   place) would silently change the other's. Store a **copy** in each leaf, and combine
#   gradients with `a + b` (a new array), never `a += b` (which changes `a` in place).

# %% nbgrader={"grade": false, "grade_id": "backpropagate", "locked": false, "schema_version": 3, "solution": true}
#| export
def backpropagate(root: Variable, gradient=None) -> None:
    """
    Backpropagation from `root`: accumulate ∂root/∂leaf into every leaf's .grad.

    TODO: Implement the backward pass over the whole graph, one visit per node.

    STEP-BY-STEP IMPLEMENTATION:
    1. Get the starting gradient from the provided _seed_gradient helper
       (it also raises RuntimeError if root does not require grad)
    2. Build a topological order of every node that requires grad and is reachable
       from root through ._parents, WITHOUT recursion: depth-first search with an
       explicit stack; a node joins the order after all of its parents have
    3. Start a dictionary of gradients, node → gradient, holding only the root's seed
    4. Walk the order in reverse. For each node, take its summed gradient, then:
       a. if it is a leaf: store a copy in node.grad (a Variable with
          requires_grad=False), or add it to the existing node.grad
       b. otherwise: call node.grad_fn(grad) once; for each (parent, parent_grad) pair
          where the parent requires grad (skip a parent_grad of None: a backward
          function may return None for "no gradient"), reduce parent_grad with
          _unbroadcast(parent_grad, parent.shape) and add it to the parent's entry

    EXAMPLE USAGE:
    ```python
    x = Variable(3.0)
    y = x + x            # x is used twice
    y.backward()
    print(x.grad)        # Variable(2.0, requires_grad=False): both uses summed

    y.backward()         # gradients accumulate...
    print(x.grad)        # Variable(4.0, requires_grad=False)
    x.zero_grad()        # ...until you reset them
    ```

    IMPLEMENTATION HINTS:
    - Use the nodes themselves as set members and dictionary keys: Variables hash by
      identity (Step 1), so two nodes holding equal values stay two entries. (id(node)
      works as a key too, but every id() call costs time in a graph of many nodes.)
    - Use a set for `visited`, never a list: `node in some_list` compares with ==, which
      for Variables is the elementwise comparison, not "is the same node"
    - One way to do the search: a stack of (node, done) pairs. Pop one; if it is marked
      done, all its parents are finished, so it joins the order. Otherwise, on its first
      visit, push it back marked done, then push its unvisited parents on top of it.
      (Another way: a stack of (node, iterator over its parents).)
    - zip(node._parents, node.grad_fn(grad)) pairs every parent with its gradient
    - np.array(g, dtype=...) makes a copy; a + b makes a new array; a += b does not
    - Variable(array, requires_grad=False) makes the gradient Variable; the provided
      _new_variable(array, False, None, ()) makes the same, faster (it skips __init__'s
      conversions, which a float array does not need)
    - Match the leaf's dtype when storing: node.data.data.dtype (a float32 weight gets a
      float32 gradient, even if some operation computed in float64)
    - A gradient may arrive as a numpy scalar (np.float64) rather than a 0-d array: numpy
      returns those for 0-d results. It has .shape and arithmetic like an array, and the
      copy you store in the leaf is a real ndarray

    LEARNING CONNECTIONS:
    - This is what torch.Tensor.backward() does inside PyTorch's C++ engine
    - The chain rule runs in reverse topological order: reverse-mode differentiation
    - Each node's local gradient is computed exactly once, however it is used
    """
    ### BEGIN SOLUTION
    seed = _seed_gradient(root, gradient)

    # 1. Topological order by an iterative depth-first search: a node is appended once
    #    all of its parents are. The second time a node comes off the stack ("done"),
    #    everything pushed above it, its parents included, has been finished.
    order = []
    visited = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent in node._parents:
            if parent.requires_grad and parent not in visited:
                stack.append((parent, False))

    # 2. Reverse order: each node's gradient is complete when we reach it.
    grads = {root: seed}
    for node in reversed(order):
        grad = grads.pop(node, None)
        if grad is None:
            continue
        if node.grad_fn is None:                  # a leaf: gradients end here, in a copy
            stored = np.array(grad, dtype=node.data.data.dtype)
            if node.grad is not None:
                stored = node.grad.data.data + stored
            node.grad = _new_variable(stored, False, None, ())
            continue
        for parent, parent_grad in zip(node._parents, node.grad_fn(grad)):
            if parent_grad is None or not parent.requires_grad:
                continue
            shape = parent.data.data.shape
            if parent_grad.shape != shape:        # the parent was broadcast: sum it back
                parent_grad = _unbroadcast(parent_grad, shape)
            previous = grads.get(parent)
            grads[parent] = parent_grad if previous is None else previous + parent_grad
    ### END SOLUTION

# %% [markdown]
# ### A helper for the tests of every operation
# From Step 5 on, each operation is tested the same way, by the provided `run_twice`
# below: it builds fresh leaves, runs the operation, runs `backward()` twice on the same
# graph (with `zero_grad()` between), and calls the result's `grad_fn` once more directly.
# It hands back plain numpy copies of everything, so a test can check that
#
# - the values and the gradients are right, and have the input's dtype,
# - what the backward function returns has the input's dtype too (a float32 gradient
#   stored in a leaf is always float32, because `backpropagate` casts it, so this is the
#   only place a float64 slip inside an operation shows),
# - the inputs, the forward result and the gradient passed in are unchanged afterwards,
# - the second backward pass gives exactly the first one's gradients.
#
# It is not exported: it exists only for the tests in this notebook.


# %% nbgrader={"grade": false, "grade_id": "test-helpers", "locked": true, "schema_version": 3, "solution": false}
def run_twice(fn, arrays, dtype=np.float64, seed=None) -> dict:
    """
    Run fn(*leaves) on fresh Variables made from copies of `arrays` (as `dtype`), then
    backward(seed) twice on the same graph, zero_grad() between, and finally call the
    result's grad_fn(seed) directly. `seed` defaults to uneven values shaped like the result.

    Returns plain numpy data: "out" (the values right after the forward pass), "out_after"
    (the values after everything), "grads" and "grads_again" (each leaf's gradient after
    the first and the second backward; None if it got none), "inputs" and "inputs_after"
    (the leaves' values before and after), "seed" and "seed_after" (the seed before and
    after the direct grad_fn call) and "local" (what that call returned, as arrays).
    """
    inputs = [np.array(a, dtype=dtype) for a in arrays]
    leaves = [Variable(a.copy(), requires_grad=True) for a in inputs]
    result = fn(*leaves)
    out = np.array(result.data.data)
    if seed is None:
        seed = ((np.arange(out.size) % 7 + 1) / 4).reshape(out.shape)
    seed = np.array(seed, dtype=out.dtype)

    def leaf_grads():
        return [None if leaf.grad is None else np.array(leaf.grad.data.data) for leaf in leaves]

    result.backward(seed.copy())
    grads = leaf_grads()
    for leaf in leaves:
        leaf.zero_grad()
    result.backward(seed.copy())
    grads_again = leaf_grads()
    given = seed.copy()
    local = [None if g is None else np.array(g) for g in result.grad_fn(given)]
    return {"out": out, "out_after": np.array(result.data.data), "grads": grads,
            "grads_again": grads_again, "inputs": inputs,
            "inputs_after": [np.array(leaf.data.data) for leaf in leaves],
            "seed": seed, "seed_after": np.array(given), "local": local}

# %% [markdown]
# ## Step 5: Basic Operations with Gradients
#
# ### The Chain Rule in Action
# Every operation must implement:
# 1. **Forward pass**: Compute the result
# 2. **Backward pass**: Compute gradients for inputs
#
# ### Example: Addition
# For z = x + y:
# - **Forward**: z.data = x.data + y.data
# - **Backward**: ∂z/∂x = 1, ∂z/∂y = 1
#
# ### Mathematical Foundation
# The chain rule states:
# ```
# ∂f/∂x = ∂f/∂z · ∂z/∂x
# ```
#
# For complex expressions like f(g(h(x))):
# ```
# ∂f/∂x = ∂f/∂g · ∂g/∂h · ∂h/∂x
# ```
#
# ### Implementation Pattern
# Each operation returns a new Variable with:
# - **Forward result**: Computed value
# - **Backward function**: Gradient computation
#
# Follow the `scale` example from Step 2: convert the two inputs with `_to_variables`,
# compute the values with numpy, define the local backward function, and return
# `_make_result(...)`.
#
# ### What the tests check, in every step from here on
# For each operation: the values and gradients on shapes that are not square, float32
# staying float32 (values, gradients, and what the backward function itself returns) and
# float64 staying float64, the inputs left unchanged by the forward *and* the backward
# pass, and a second `backward()` on the same graph giving exactly the first one's answer.

# %% nbgrader={"grade": false, "grade_id": "add-function", "locked": false, "schema_version": 3, "solution": true}
#| export
def add(a: Union[Variable, float, int], b: Union[Variable, float, int]) -> Variable:
    """
    Addition operation with gradient tracking: a + b

    TODO: Implement addition with automatic differentiation.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert both inputs to Variables (numbers, arrays and Tensors become constants)
    2. Compute forward pass: result = a's values + b's values
    3. Create gradient function that implements: ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1
    4. Return new Variable with result, parents and gradient function

    MATHEMATICAL FOUNDATION:
    - Forward: z = x + y
    - Backward: ∂z/∂x = 1, ∂z/∂y = 1
    - Chain rule: ∂L/∂x = ∂L/∂z · ∂z/∂x = ∂L/∂z · 1 = ∂L/∂z

    EXAMPLE USAGE:
    ```python
    x = Variable(2.0, requires_grad=True)
    y = Variable(3.0, requires_grad=True)
    z = add(x, y)  # z = 5.0
    z.backward()
    print(x.grad)  # 1.0 (∂z/∂x = 1)
    print(y.grad)  # 1.0 (∂z/∂y = 1)
    ```

    IMPLEMENTATION HINTS:
    - Convert both operands in one call to the provided _to_variables helper: it keeps
      a float32 Variable float32 when the other operand is a Python number
    - The values are ndarrays: a.data.data
    - The backward function (call it add_backward) takes grad_output and returns a
      pair: the gradient for a, then the gradient for b
    - Return what _make_result builds from the values, the parents (a, b) and the
      backward function
    - Broadcasting (a bias added to a batch) is handled by the engine, not here

    LEARNING CONNECTIONS:
    - This is like torch.add() with autograd
    - Addition distributes gradients equally to both inputs
    - Forms the basis for bias addition in neural networks
    - Chain rule propagates gradients through the graph
    """
    ### BEGIN SOLUTION
    a, b = _to_variables(a, b)

    def add_backward(grad_output):
        return grad_output, grad_output

    return _make_result(a.data.data + b.data.data, (a, b), add_backward)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Addition Operation
#
# Once you implement the add function above, run this cell to test it:

# %% nbgrader={"grade": true, "grade_id": "test-add-operation", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable
def test_add_operation():
    """Test addition operation with gradients"""
    print("🔬 Unit Test: Addition Operation...")

    # Test basic addition
    x = Variable(2.0, requires_grad=True)
    y = Variable(3.0, requires_grad=True)
    z = add(x, y)

    assert z.data.data.item() == 5.0, "Addition result should be 5.0"
    assert z.requires_grad == True, "Result should require gradients"
    assert z.is_leaf == False, "Result should not be a leaf node"
    assert "add_backward" in repr(z), f"repr should name the backward function add_backward, got {z!r}"

    # Test backward pass
    z.backward()

    assert x.grad is not None, "x should have gradient"
    assert y.grad is not None, "y should have gradient"
    assert x.grad.data.data.item() == 1.0, "∂z/∂x should be 1.0"
    assert y.grad.data.data.item() == 1.0, "∂z/∂y should be 1.0"

    # Test with scalar
    a = Variable(5.0, requires_grad=True)
    b = add(a, 3.0)  # Add scalar

    assert b.data.data.item() == 8.0, "Addition with scalar should work"

    b.backward()
    assert a.grad.data.data.item() == 1.0, "Gradient through scalar addition should be 1.0"

    # Test with arrays
    u = Variable([1.0, 2.0], requires_grad=True)
    w = add(u, np.array([10.0, 20.0]))
    assert w.data.data.tolist() == [11.0, 22.0], f"[1, 2] + [10, 20] should be [11, 22], got {w.data.data.tolist()}"
    w.backward()
    assert u.grad.data.data.tolist() == [1.0, 1.0], f"u.grad should be [1, 1], got {u.grad.data.data.tolist()}"

    # Shapes that are not square, float32 and float64: values, gradients, dtypes, and
    # nothing changed by the forward or the backward pass (run_twice: see Step 4)
    A = np.array([[1.0, -2.0, 3.5], [0.5, 4.0, -1.5]])
    B = np.array([[2.0, 0.25, -3.0], [1.5, -0.5, 6.0]])
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        r = run_twice(add, [A, B], dtype)
        g = r["seed"].astype(np.float64)
        assert r["out"].dtype == dtype and np.allclose(r["out"], A + B), (
            f"add of {kind} (2, 3) arrays: expected {kind} {(A + B).tolist()}, got {r['out'].dtype} {r['out'].tolist()}")
        for i, expected in enumerate([g, g]):
            assert r["grads"][i] is not None and np.allclose(r["grads"][i], expected), (
                f"∂(a+b)/∂a = ∂(a+b)/∂b = 1: input {i}'s gradient should be {expected.tolist()}, got {r['grads'][i]}")
        assert all(grad.dtype == dtype for grad in r["grads"] + r["local"]), (
            f"the gradients of {kind} inputs should be {kind}, got {[grad.dtype.name for grad in r['grads'] + r['local']]}")
        assert all(np.array_equal(a, b) for a, b in zip(r["grads_again"], r["grads"])), "a second backward() should give the same gradients"
        assert all(np.array_equal(a, b) for a, b in zip(r["inputs_after"], r["inputs"])), "add must not change its inputs"
        assert np.array_equal(r["out_after"], r["out"]) and np.array_equal(r["seed_after"], r["seed"]), (
            "the backward pass must not change the result or grad_output")

    # A number never changes the dtype, as in PyTorch: float32 stays float32
    x32 = Variable(np.array([1.0, 2.0], dtype=np.float32))
    s32 = Variable(np.float32(2.0))
    for name, result in [("x + 1", add(x32, 1)),
                         ("x + 2.5", add(x32, 2.5)),
                         ("1.0 + x", add(1.0, x32)),
                         ("x + np.float64(2)", add(x32, np.float64(2.0))),
                         ("x + [1, 2]", add(x32, [1, 2])),
                         ("0-d x + 3.0", add(s32, 3.0))]:
        assert result.data.data.dtype == np.float32, f"{name} with a float32 x should stay float32, got {result.data.data.dtype}"

    print("✅ Addition operation tests passed!")
    print(f"✅ Forward pass computing correct results")
    print(f"✅ Backward pass computing correct gradients")
    print(f"✅ Scalar addition working correctly")

test_add_operation()

# %% [markdown]
# ## Step 6: Multiplication Operation
#
# ### The Product Rule
# For z = x * y:
# - **Forward**: z = x * y
# - **Backward**: ∂z/∂x = y, ∂z/∂y = x
#
# ### Why This Matters
# Multiplication is everywhere in neural networks:
# - **Weight scaling**: w * x in dense layers
# - **Attention mechanisms**: attention_weights * values
# - **Gating**: gate_signal * hidden_state
#
# ### Chain Rule Application
# When gradients flow back through multiplication:
# ```
# ∂L/∂x = ∂L/∂z · ∂z/∂x = ∂L/∂z · y
# ∂L/∂y = ∂L/∂z · ∂z/∂y = ∂L/∂z · x
# ```

# %% nbgrader={"grade": false, "grade_id": "multiply-function", "locked": false, "schema_version": 3, "solution": true}
#| export
def multiply(a: Union[Variable, float, int], b: Union[Variable, float, int]) -> Variable:
    """
    Multiplication operation with gradient tracking: a * b

    TODO: Implement multiplication with automatic differentiation.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert inputs to Variables if they're scalars
    2. Compute forward pass: result = a's values * b's values
    3. Create gradient function implementing product rule: ∂(a*b)/∂a = b, ∂(a*b)/∂b = a
    4. Return new Variable with result and gradient function

    MATHEMATICAL FOUNDATION:
    - Forward: z = x * y
    - Backward: ∂z/∂x = y, ∂z/∂y = x
    - Chain rule: ∂L/∂x = ∂L/∂z · y, ∂L/∂y = ∂L/∂z · x

    EXAMPLE USAGE:
    ```python
    x = Variable(2.0, requires_grad=True)
    y = Variable(3.0, requires_grad=True)
    z = multiply(x, y)  # z = 6.0
    z.backward()
    print(x.grad)  # 3.0 (∂z/∂x = y)
    print(y.grad)  # 2.0 (∂z/∂y = x)
    ```

    IMPLEMENTATION HINTS:
    - Convert scalars to Variables (same as addition)
    - Backward function: multiply the incoming gradient by the *other* input's values
    - The backward function is called later, after the forward pass: it can use the
      ndarrays it captured (a closure), e.g. a_values = a.data.data
    - Name it multiply_backward

    LEARNING CONNECTIONS:
    - This is like torch.mul() with autograd
    - Product rule is fundamental to backpropagation
    - Used in weight updates and attention mechanisms
    - Each input's gradient depends on the other input's value
    """
    ### BEGIN SOLUTION
    a, b = _to_variables(a, b)
    a_values, b_values = a.data.data, b.data.data

    def multiply_backward(grad_output):
        return grad_output * b_values, grad_output * a_values

    return _make_result(a_values * b_values, (a, b), multiply_backward)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Multiplication Operation
#
# Once you implement the multiply function above, run this cell to test it:

# %% nbgrader={"grade": true, "grade_id": "test-multiply-operation", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate
def test_multiply_operation():
    """Test multiplication operation with gradients"""
    print("🔬 Unit Test: Multiplication Operation...")

    # Test basic multiplication
    x = Variable(2.0, requires_grad=True)
    y = Variable(3.0, requires_grad=True)
    z = multiply(x, y)

    assert z.data.data.item() == 6.0, "Multiplication result should be 6.0"
    assert z.requires_grad == True, "Result should require gradients"

    # Test backward pass
    z.backward()

    assert x.grad is not None, "x should have gradient"
    assert y.grad is not None, "y should have gradient"
    assert x.grad.data.data.item() == 3.0, "∂z/∂x should be y = 3.0"
    assert y.grad.data.data.item() == 2.0, "∂z/∂y should be x = 2.0"

    # Test with scalar
    a = Variable(4.0, requires_grad=True)
    b = multiply(a, 2.0)  # Multiply by scalar

    assert b.data.data.item() == 8.0, "Multiplication with scalar should work"

    b.backward()
    assert a.grad.data.data.item() == 2.0, "Gradient through scalar multiplication should be the scalar"

    # Test elementwise on arrays
    u = Variable([1.0, 2.0, 3.0])
    v = Variable([4.0, 5.0, 6.0])
    w = multiply(u, v)
    w.backward()
    assert u.grad.data.data.tolist() == [4.0, 5.0, 6.0], f"u.grad should be v's values [4, 5, 6], got {u.grad.data.data.tolist()}"
    assert v.grad.data.data.tolist() == [1.0, 2.0, 3.0], f"v.grad should be u's values [1, 2, 3], got {v.grad.data.data.tolist()}"

    # Shapes that are not square, float32 and float64: values, gradients, dtypes, and
    # nothing changed by the forward or the backward pass (run_twice: see Step 4)
    A = np.array([[1.0, -2.0, 3.5], [0.5, 4.0, -1.5]])
    B = np.array([[2.0, 0.25, -3.0], [1.5, -0.5, 6.0]])
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        r = run_twice(multiply, [A, B], dtype)
        g = r["seed"].astype(np.float64)
        assert r["out"].dtype == dtype and np.allclose(r["out"], A * B), (
            f"multiply of {kind} (2, 3) arrays: expected {kind} {(A * B).tolist()}, got {r['out'].dtype} {r['out'].tolist()}")
        for i, expected in enumerate([g * B, g * A]):
            assert r["grads"][i] is not None and np.allclose(r["grads"][i], expected), (
                f"∂(a*b)/∂a = b and ∂(a*b)/∂b = a: input {i}'s gradient should be {expected.tolist()}, got {r['grads'][i]}")
        assert all(grad.dtype == dtype for grad in r["grads"] + r["local"]), (
            f"the gradients of {kind} inputs should be {kind}, got {[grad.dtype.name for grad in r['grads'] + r['local']]}")
        assert all(np.array_equal(a, b) for a, b in zip(r["grads_again"], r["grads"])), "a second backward() should give the same gradients"
        assert all(np.array_equal(a, b) for a, b in zip(r["inputs_after"], r["inputs"])), "multiply must not change its inputs"
        assert np.array_equal(r["out_after"], r["out"]) and np.array_equal(r["seed_after"], r["seed"]), (
            "the backward pass must not change the result or grad_output")

    # A number never changes the dtype, as in PyTorch: float32 stays float32
    x32 = Variable(np.array([1.0, 2.0], dtype=np.float32))
    s32 = Variable(np.float32(2.0))
    for name, result in [("x * 2", multiply(x32, 2)),
                         ("x * 0.5", multiply(x32, 0.5)),
                         ("2.0 * x", multiply(2.0, x32)),
                         ("x * np.float64(3)", multiply(x32, np.float64(3.0))),
                         ("0-d x * 3.0", multiply(s32, 3.0)),
                         ("x * 2.0 (operator)", x32 * 2.0)]:
        assert result.data.data.dtype == np.float32, f"{name} with a float32 x should stay float32, got {result.data.data.dtype}"

    print("✅ Multiplication operation tests passed!")
    print(f"✅ Forward pass computing correct results")
    print(f"✅ Backward pass implementing product rule correctly")
    print(f"✅ Scalar multiplication working correctly")

test_multiply_operation()

# %% [markdown]
# ## Step 7: Subtraction and Division
#
# ### Subtraction
# For z = x - y:
# - **Forward**: z = x - y
# - **Backward**: ∂z/∂x = 1, ∂z/∂y = -1
#
# The second input enters with a minus sign, so its gradient does too.
#
# ### Division: the Quotient Rule
# For z = x / y:
# - **Forward**: z = x / y
# - **Backward**: ∂z/∂x = 1/y, ∂z/∂y = -x/y²
#
# ```
# ∂L/∂x = ∂L/∂z · 1/y
# ∂L/∂y = ∂L/∂z · (-x/y²)
# ```
#
# Division shows up in normalization (dividing by a standard deviation), in softmax
# (dividing by a sum of exponentials) and in every mean.

# %% nbgrader={"grade": false, "grade_id": "subtract-function", "locked": false, "schema_version": 3, "solution": true}
#| export
def subtract(a: Union[Variable, float, int], b: Union[Variable, float, int]) -> Variable:
    """
    Subtraction operation with gradient tracking: a - b

    Args:
        a: First operand (minuend)
        b: Second operand (subtrahend)

    Returns:
        Variable with difference and gradient function

    TODO: Implement subtraction with gradient computation.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert inputs to Variables if needed
    2. Compute forward pass: result = a - b
    3. Create gradient function with correct signs
    4. Return Variable with result and grad_fn

    MATHEMATICAL RULE:
    If z = x - y, then dz/dx = 1, dz/dy = -1

    EXAMPLE USAGE:
    ```python
    x, y = Variable(5.0), Variable(3.0)
    z = subtract(x, y)  # z.data = 2.0
    z.backward()        # x.grad = 1.0, y.grad = -1.0
    ```

    IMPLEMENTATION HINTS:
    - Forward pass is straightforward: a - b on the ndarrays
    - Gradient for a is positive, for b is negative
    - Remember to negate the gradient for b (this makes a new array: good)
    - Name the backward function subtract_backward
    """
    ### BEGIN SOLUTION
    a, b = _to_variables(a, b)

    def subtract_backward(grad_output):
        return grad_output, -grad_output

    return _make_result(a.data.data - b.data.data, (a, b), subtract_backward)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-subtract-operation", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate
def test_subtract_operation():
    """Test subtraction operation with gradients"""
    print("🔬 Unit Test: Subtraction Operation...")

    # Test basic subtraction
    x = Variable(5.0, requires_grad=True)
    y = Variable(3.0, requires_grad=True)
    z = subtract(x, y)

    assert z.data.data.item() == 2.0, "Subtraction result should be 2.0"
    assert z.requires_grad == True, "Result should require gradients"

    # Test backward pass
    z.backward()

    assert x.grad is not None, "x should have gradient"
    assert y.grad is not None, "y should have gradient"
    assert x.grad.data.data.item() == 1.0, "∂z/∂x should be 1.0"
    assert y.grad.data.data.item() == -1.0, "∂z/∂y should be -1.0"

    # Test with scalar
    a = Variable(4.0, requires_grad=True)
    b = subtract(a, 2.0)  # Subtract scalar

    assert b.data.data.item() == 2.0, "Subtraction with scalar should work"

    b.backward()
    assert a.grad.data.data.item() == 1.0, "Gradient through scalar subtraction should be 1.0"

    # Scalar first: 10 - c
    c = Variable(4.0, requires_grad=True)
    d = subtract(10.0, c)
    assert d.data.data.item() == 6.0, f"10 - 4 should be 6.0, got {d.data.data.item()}"
    d.backward()
    assert c.grad.data.data.item() == -1.0, f"∂(10 - c)/∂c should be -1.0, got {c.grad.data.data.item()}"

    # Shapes that are not square, float32 and float64: values, gradients, dtypes, and
    # nothing changed by the forward or the backward pass (run_twice: see Step 4)
    A = np.array([[1.0, -2.0, 3.5], [0.5, 4.0, -1.5]])
    B = np.array([[2.0, 0.25, -3.0], [1.5, -0.5, 6.0]])
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        r = run_twice(subtract, [A, B], dtype)
        g = r["seed"].astype(np.float64)
        assert r["out"].dtype == dtype and np.allclose(r["out"], A - B), (
            f"subtract of {kind} (2, 3) arrays: expected {kind} {(A - B).tolist()}, got {r['out'].dtype} {r['out'].tolist()}")
        for i, expected in enumerate([g, -g]):
            assert r["grads"][i] is not None and np.allclose(r["grads"][i], expected), (
                f"∂(a-b)/∂a = 1 and ∂(a-b)/∂b = -1: input {i}'s gradient should be {expected.tolist()}, got {r['grads'][i]}")
        assert all(grad.dtype == dtype for grad in r["grads"] + r["local"]), (
            f"the gradients of {kind} inputs should be {kind}, got {[grad.dtype.name for grad in r['grads'] + r['local']]}")
        assert all(np.array_equal(a, b) for a, b in zip(r["grads_again"], r["grads"])), "a second backward() should give the same gradients"
        assert all(np.array_equal(a, b) for a, b in zip(r["inputs_after"], r["inputs"])), "subtract must not change its inputs"
        assert np.array_equal(r["out_after"], r["out"]) and np.array_equal(r["seed_after"], r["seed"]), (
            "the backward pass must not change the result or grad_output")

    # A number never changes the dtype, as in PyTorch: float32 stays float32
    x32 = Variable(np.array([1.0, 2.0], dtype=np.float32))
    s32 = Variable(np.float32(2.0))
    for name, result in [("x - 1", subtract(x32, 1)),
                         ("2.0 - x", subtract(2.0, x32)),
                         ("x - np.float64(1)", subtract(x32, np.float64(1.0))),
                         ("0-d x - 0.5", subtract(s32, 0.5)),
                         ("2.0 - x (operator)", 2.0 - x32)]:
        assert result.data.data.dtype == np.float32, f"{name} with a float32 x should stay float32, got {result.data.data.dtype}"

    print("✅ Subtraction operation tests passed!")
    print(f"✅ Forward pass computing correct results")
    print(f"✅ Backward pass implementing subtraction rule correctly")
    print(f"✅ Scalar subtraction working correctly")

test_subtract_operation()

# %% nbgrader={"grade": false, "grade_id": "divide-function", "locked": false, "schema_version": 3, "solution": true}
#| export
def divide(a: Union[Variable, float, int], b: Union[Variable, float, int]) -> Variable:
    """
    Division operation with gradient tracking: a / b

    TODO: Implement division with gradient computation.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert inputs to Variables if needed
    2. Compute forward pass: result = a / b
    3. Create gradient function implementing the quotient rule:
       ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -a/b²
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x, y = Variable(6.0), Variable(3.0)
    z = divide(x, y)    # z.data = 2.0
    z.backward()        # x.grad = 1/3, y.grad = -6/9 = -2/3
    ```

    IMPLEMENTATION HINTS:
    - Capture both inputs' ndarrays for the backward function
    - Check the signs: making the denominator bigger makes the result smaller
    - Name the backward function divide_backward
    """
    ### BEGIN SOLUTION
    a, b = _to_variables(a, b)
    a_values, b_values = a.data.data, b.data.data

    def divide_backward(grad_output):
        return grad_output / b_values, -grad_output * a_values / (b_values * b_values)

    return _make_result(a_values / b_values, (a, b), divide_backward)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-divide-operation", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate
def test_divide_operation():
    """Test division operation with gradients"""
    print("🔬 Unit Test: Division Operation...")

    x = Variable(6.0, requires_grad=True)
    y = Variable(3.0, requires_grad=True)
    z = divide(x, y)
    assert z.data.data.item() == 2.0, f"6 / 3 should be 2.0, got {z.data.data.item()}"
    assert "divide_backward" in repr(z), f"repr should name divide_backward, got {z!r}"

    z.backward()
    assert abs(x.grad.data.data.item() - 1 / 3) < 1e-12, f"∂(x/y)/∂x = 1/y = 0.3333, got {x.grad.data.data.item()}"
    assert abs(y.grad.data.data.item() - (-2 / 3)) < 1e-12, f"∂(x/y)/∂y = -x/y² = -0.6667, got {y.grad.data.data.item()}"

    # Divide by a number
    a = Variable(4.0, requires_grad=True)
    b = divide(a, 2.0)
    assert b.data.data.item() == 2.0, "4 / 2 should be 2.0"
    b.backward()
    assert a.grad.data.data.item() == 0.5, f"∂(a/2)/∂a should be 0.5, got {a.grad.data.data.item()}"

    # A number divided by a Variable
    c = Variable(4.0, requires_grad=True)
    d = divide(1.0, c)
    assert d.data.data.item() == 0.25, "1 / 4 should be 0.25"
    d.backward()
    assert abs(c.grad.data.data.item() - (-1 / 16)) < 1e-12, f"∂(1/c)/∂c = -1/c² = -0.0625, got {c.grad.data.data.item()}"

    # The / operator (the original chapter called divide before it existed)
    e = Variable(8.0, requires_grad=True)
    f = e / 4.0
    assert isinstance(f, Variable) and f.data.data.item() == 2.0, "Variable(8.0) / 4.0 should be a Variable holding 2.0"

    # Shapes that are not square, float32 and float64: values, gradients, dtypes, and
    # nothing changed by the forward or the backward pass (run_twice: see Step 4)
    A = np.array([[1.0, -2.0, 3.5], [0.5, 4.0, -1.5]])
    B = np.array([[2.0, 0.25, -3.0], [1.5, -0.5, 6.0]])
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        r = run_twice(divide, [A, B], dtype)
        g = r["seed"].astype(np.float64)
        assert r["out"].dtype == dtype and np.allclose(r["out"], A / B), (
            f"divide of {kind} (2, 3) arrays: expected {kind} {(A / B).tolist()}, got {r['out'].dtype} {r['out'].tolist()}")
        for i, expected in enumerate([g / B, -g * A / B ** 2]):
            assert r["grads"][i] is not None and np.allclose(r["grads"][i], expected), (
                f"∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = -a/b²: input {i}'s gradient should be {expected.tolist()}, got {r['grads'][i]}")
        assert all(grad.dtype == dtype for grad in r["grads"] + r["local"]), (
            f"the gradients of {kind} inputs should be {kind}, got {[grad.dtype.name for grad in r['grads'] + r['local']]}")
        assert all(np.array_equal(a, b) for a, b in zip(r["grads_again"], r["grads"])), "a second backward() should give the same gradients"
        assert all(np.array_equal(a, b) for a, b in zip(r["inputs_after"], r["inputs"])), "divide must not change its inputs"
        assert np.array_equal(r["out_after"], r["out"]) and np.array_equal(r["seed_after"], r["seed"]), (
            "the backward pass must not change the result or grad_output")

    # A number never changes the dtype, as in PyTorch: float32 stays float32
    x32 = Variable(np.array([1.0, 2.0], dtype=np.float32))
    s32 = Variable(np.float32(2.0))
    for name, result in [("x / 2", divide(x32, 2)),
                         ("1.0 / x", divide(1.0, x32)),
                         ("x / np.float64(4)", divide(x32, np.float64(4.0))),
                         ("0-d x / 3.0", divide(s32, 3.0)),
                         ("x / 2 (operator)", x32 / 2),
                         ("1.0 / x (operator)", 1.0 / x32)]:
        assert result.data.data.dtype == np.float32, f"{name} with a float32 x should stay float32, got {result.data.data.dtype}"

    print("✅ Division operation tests passed!")

test_divide_operation()

# %% [markdown]
# ## Step 8: Chain Rule in Complex Expressions
#
# ### Building Complex Computations
# Now let's test how multiple operations work together through the chain rule:
#
# ### Example: f(x, y) = (x + y) * (x - y)
# This creates a computational graph in which `x` and `y` are each used twice:
# ```
# x ──┬──→ (+) ── x+y ──┐
#     │    ↑            ├──→ (*) ── result
# y ──┼────┘            │
#     └──→ (-) ── x-y ──┘   (y feeds (-) too)
# ```
#
# ### Chain Rule Application
# - **Forward**: Compute each operation in sequence
# - **Backward**: Gradients flow back through each operation, and the two contributions
#   reaching `x` (and `y`) are summed
# - **Automatic**: No manual gradient computation needed!
#
# ### Real-World Significance
# Complex neural networks are just larger versions of this:
# - **Millions of operations**: Each tracked automatically
# - **Complex architectures**: ResNet, Transformer, etc.
# - **Efficient computation**: each node's local gradient is computed once

# %% nbgrader={"grade": true, "grade_id": "test-chain-rule", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, add, multiply, subtract
def test_chain_rule():
    """Test chain rule with complex expressions"""
    print("🔬 Unit Test: Chain Rule with Complex Expressions...")

    # Test: f(x, y) = (x + y) * (x - y) = x² - y²
    x = Variable(3.0, requires_grad=True)
    y = Variable(2.0, requires_grad=True)

    # Build expression step by step
    sum_xy = add(x, y)      # x + y = 5.0
    diff_xy = subtract(x, y) # x - y = 1.0
    result = multiply(sum_xy, diff_xy)  # (x + y) * (x - y) = 5.0

    # Check forward pass
    assert result.data.data.item() == 5.0, "Forward pass should compute 5.0"

    # Compute gradients
    result.backward()

    # Check gradients: ∂(x²-y²)/∂x = 2x, ∂(x²-y²)/∂y = -2y
    expected_x_grad = 2 * x.data.data.item()  # 2 * 3 = 6
    expected_y_grad = -2 * y.data.data.item()  # -2 * 2 = -4

    assert abs(x.grad.data.data.item() - expected_x_grad) < 1e-6, f"x gradient should be {expected_x_grad}, got {x.grad.data.data.item()}"
    assert abs(y.grad.data.data.item() - expected_y_grad) < 1e-6, f"y gradient should be {expected_y_grad}, got {y.grad.data.data.item()}"

    # Intermediate results do not keep gradients (only leaves do, like PyTorch)
    assert sum_xy.grad is None, "Intermediate (non-leaf) Variables should not keep .grad"

    # Test more complex expression: f(x) = (x + 1) * (x + 2) * (x + 3)
    x2 = Variable(1.0, requires_grad=True)

    term1 = add(x2, 1.0)    # x + 1 = 2.0
    term2 = add(x2, 2.0)    # x + 2 = 3.0
    term3 = add(x2, 3.0)    # x + 3 = 4.0

    product1 = multiply(term1, term2)  # (x + 1) * (x + 2) = 6.0
    result2 = multiply(product1, term3)  # * (x + 3) = 24.0

    assert result2.data.data.item() == 24.0, "Complex expression should compute 24.0"

    result2.backward()

    # For f(x) = (x+1)(x+2)(x+3), f'(x) = 3x² + 12x + 11
    # At x=1: f'(1) = 3 + 12 + 11 = 26
    expected_grad = 3 * (1.0**2) + 12 * 1.0 + 11  # 26

    assert abs(x2.grad.data.data.item() - expected_grad) < 1e-6, f"Complex gradient should be {expected_grad}, got {x2.grad.data.data.item()}"

    print("✅ Chain rule tests passed!")
    print(f"✅ Simple expression: (x+y)*(x-y) = x²-y²")
    print(f"✅ Complex expression: (x+1)*(x+2)*(x+3)")
    print(f"✅ Automatic gradient computation working correctly")
    print(f"✅ Chain rule implemented correctly")

test_chain_rule()

# %% [markdown]
# ## Checking Gradients Numerically: `gradcheck`
#
# ### How do you know a gradient is right?
# Go back to the definition of a derivative. Nudge one input a tiny amount ε each way and
# see how the output moves:
#
# ```
# ∂f/∂xᵢ ≈ ( f(x + ε·eᵢ) − f(x − ε·eᵢ) ) / 2ε        (central difference, error ~ ε²)
# ```
#
# This needs two evaluations of `f` **per input number**: hopeless for training a
# network with millions of weights (that is exactly why we build autograd), but perfect
# for testing it on small inputs.
#
# ### Non-scalar outputs: a random projection
# If `f` returns an array, `gradcheck` checks the scalar L = Σ f(x) · R for a fixed
# random array R. Its gradient is exactly what `f(x).backward(R)` computes, and a random
# R makes it very unlikely that a wrong gradient slips through.
#
# ### Provided
# `gradcheck(fn, inputs)` runs `fn` on float64 copies of the `inputs` (Variables), runs
# `backward`, compares every element of every input's gradient with its finite
# difference, and returns `True`, or raises an `AssertionError` that says which input,
# which index, and the analytic and numeric values. PyTorch has the same tool:
# `torch.autograd.gradcheck`. The tests below use it on every operation.

# %% nbgrader={"grade": false, "grade_id": "gradcheck", "locked": true, "schema_version": 3, "solution": false}
#| export
def gradcheck(fn: Callable[..., Variable], inputs, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """
    Compare the gradients autograd computes for `fn(*inputs)` with finite differences.

    Every input that requires grad is checked (the others are held constant). The check
    runs on float64 copies; the inputs themselves are left untouched. Returns True, or
    raises AssertionError naming the input, the index and both values.
    """
    if isinstance(inputs, Variable):
        inputs = [inputs]
    inputs = list(inputs)
    for i, value in enumerate(inputs):
        if not isinstance(value, Variable):
            raise TypeError(f"gradcheck: input {i} is a {type(value).__name__}, expected a Variable")
    bases = [np.array(v.data.data, dtype=np.float64) for v in inputs]
    checked = [i for i, v in enumerate(inputs) if v.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")

    # Analytic gradients: backward of the projected output.
    leaves = [Variable(base.copy(), requires_grad=v.requires_grad) for base, v in zip(bases, inputs)]
    output = fn(*leaves)
    if not isinstance(output, Variable):
        raise TypeError(f"gradcheck: fn must return a Variable, got {type(output).__name__}")
    if not output.requires_grad:
        raise AssertionError("gradcheck: the output does not require grad; "
                             "is the graph connected to the inputs?")
    projection = np.asarray(np.random.default_rng(0).standard_normal(output.shape))
    output.backward(projection)

    def objective(arrays):
        values = fn(*[Variable(a, requires_grad=False) for a in arrays]).data.data
        return float(np.sum(np.asarray(values, dtype=np.float64) * projection))

    for i in checked:
        grad = leaves[i].grad
        analytic = np.zeros_like(bases[i]) if grad is None else np.asarray(grad.data.data, dtype=np.float64)
        if analytic.shape != bases[i].shape:
            raise AssertionError(f"gradcheck: input {i} has shape {bases[i].shape} "
                                 f"but its gradient has shape {analytic.shape}")
        numeric = np.zeros_like(bases[i])
        for index in np.ndindex(bases[i].shape):
            arrays = [base.copy() for base in bases]
            original = bases[i][index]
            arrays[i][index] = original + eps
            f_plus = objective(arrays)
            arrays[i][index] = original - eps
            f_minus = objective(arrays)
            numeric[index] = (f_plus - f_minus) / (2 * eps)
        for index in np.ndindex(bases[i].shape):
            a, n = analytic[index], numeric[index]
            if not abs(a - n) <= atol + rtol * abs(n):
                raise AssertionError(
                    f"gradcheck: input {i}, index {index}: analytic gradient {a:.8g} "
                    f"vs numeric {n:.8g} (difference {abs(a - n):.3g})")
    return True

# %% [markdown]
# ## Step 9: Broadcasting in Practice
#
# Time to see Step 3 at work. A dense layer computes `x @ W + b`: a batch of rows plus
# one bias vector, broadcast over the batch. The bias's gradient must be the sum over the
# batch, in the bias's own shape. Outer-product style broadcasting, `(3, 1) * (1, 4)`,
# stretches *both* inputs. Your `add` and `multiply` never mention broadcasting; the
# engine's `_unbroadcast` does it for them.

# %% nbgrader={"grade": true, "grade_id": "test-broadcasting-gradients", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, _unbroadcast, backpropagate, add, multiply, subtract
def test_broadcasting_gradients():
    """Gradients of broadcast inputs are summed back to the inputs' shapes"""
    print("🔬 Unit Test: Broadcasting Gradients...")

    # A bias of shape (4,) added to a batch of shape (3, 4)
    X = Variable(np.arange(12.0).reshape(3, 4), requires_grad=True)
    b = Variable([0.1, 0.2, 0.3, 0.4], requires_grad=True)
    out = add(X, b)
    assert out.shape == (3, 4), f"(3, 4) + (4,) should broadcast to (3, 4), got {out.shape}"
    out.backward()
    assert b.grad.shape == (4,), f"bias grad should have the bias's shape (4,), got {b.grad.shape}"
    assert np.allclose(b.grad.data.data, 3.0), f"each bias entry is used 3 times: grad should be [3, 3, 3, 3], got {b.grad.data.data}"
    assert X.grad.shape == (3, 4) and np.allclose(X.grad.data.data, 1.0), "X.grad should be ones of shape (3, 4)"

    # (3, 1) * (1, 4): both inputs are stretched
    col = Variable([[1.0], [2.0], [3.0]], requires_grad=True)
    row = Variable([[1.0, 10.0, 100.0, 1000.0]], requires_grad=True)
    prod = multiply(col, row)
    assert prod.shape == (3, 4), f"(3, 1) * (1, 4) should be (3, 4), got {prod.shape}"
    prod.backward()
    assert col.grad.shape == (3, 1), f"col.grad should have shape (3, 1), got {col.grad.shape}"
    assert np.allclose(col.grad.data.data, 1111.0), f"col.grad should be the row's sum 1111 in each entry, got {col.grad.data.data.ravel()}"
    assert row.grad.shape == (1, 4), f"row.grad should have shape (1, 4), got {row.grad.shape}"
    assert np.allclose(row.grad.data.data, 6.0), f"row.grad should be the column's sum 6 in each entry, got {row.grad.data.data.ravel()}"

    # A scalar Variable times a matrix
    s = Variable(2.0, requires_grad=True)
    m = multiply(s, Variable(np.ones((2, 3)), requires_grad=False))
    m.backward()
    assert s.grad.shape == () and s.grad.data.data.item() == 6.0, f"scalar grad should be 6.0 with shape (), got {s.grad}"

    # Finite differences agree
    rng = np.random.default_rng(1)
    assert gradcheck(lambda p, q: add(multiply(p, q), p),
                     [Variable(rng.standard_normal((3, 1))), Variable(rng.standard_normal((1, 4)))])
    assert gradcheck(lambda p, q: multiply(subtract(p, q), q),
                     [Variable(rng.standard_normal((2, 3))), Variable(rng.uniform(1, 2, (3,)))])

    # Three axes, no two sizes alike: (2, 3, 5) times a smaller shape, which is stretched
    # over the axes listed (so its gradient is summed over them)
    X = rng.standard_normal((2, 3, 5))
    for shape, summed in [((3, 1), (0, 2)), ((5,), (0, 1)), ((1, 3, 1), (0, 2)), ((2, 1, 5), (1,)), ((), (0, 1, 2))]:
        other = rng.standard_normal(shape)
        for dtype in (np.float32, np.float64):
            r = run_twice(multiply, [X, other], dtype)
            g = r["seed"].astype(np.float64)
            expected = (g * X).sum(axis=summed).reshape(shape)
            assert r["grads"][1].shape == shape, f"(2, 3, 5) * {shape}: the {shape} input's gradient should have shape {shape}, got {r['grads'][1].shape}"
            assert np.allclose(r["grads"][1], expected, rtol=1e-4), f"(2, 3, 5) * {shape}: the {shape} input's gradient should be summed over axes {summed}"
            assert r["grads"][0].shape == (2, 3, 5) and np.allclose(r["grads"][0], g * other, rtol=1e-4), f"(2, 3, 5) * {shape}: wrong gradient for the (2, 3, 5) input"
            assert r["grads"][1].dtype == dtype, f"a broadcast {np.dtype(dtype).name} input should get a {np.dtype(dtype).name} gradient, got {r['grads'][1].dtype}"
            assert all(np.array_equal(a, b) for a, b in zip(r["grads_again"], r["grads"])), "a second backward() should give the same gradients"
            assert all(np.array_equal(a, b) for a, b in zip(r["inputs_after"], r["inputs"])), "broadcasting must not change the inputs"

    print("✅ Broadcasting gradient tests passed!")

test_broadcasting_gradients()

# %% [markdown]
# ## Step 10: Matrix Multiplication
#
# ### The workhorse of deep learning
# Every dense layer, every attention score, every projection is a matrix product. For
# Z = A @ B with A of shape (m, k) and B of shape (k, n), Z has shape (m, n) and
#
# ```
# Z[i, j] = Σₚ A[i, p] · B[p, j]
#
# ∂L/∂A = ∂L/∂Z @ Bᵀ        (m, n) @ (n, k) → (m, k)   ✓ A's shape
# ∂L/∂B = Aᵀ @ ∂L/∂Z        (k, m) @ (m, n) → (k, n)   ✓ B's shape
# ```
#
# **The shape check is your best friend**: there is only one way to combine the
# gradient and the other matrix that produces the right shape.
#
# ### Vectors and batches
# numpy's `@` also accepts 1-D operands: a vector on the left acts as a single row
# `(1, k)`, a vector on the right as a single column `(k, 1)`, and that extra axis is
# dropped from the result. `W @ x` with W `(4, 3)` and x `(3,)` gives `(4,)`. Operands
# with more than two axes are stacks of matrices ("batched" matmul): the matrix rules
# apply to the last two axes, and the leading axes broadcast; the engine's
# `_unbroadcast` then sums over them.
#
# "Transpose" of a stack means swapping the last two axes: `np.swapaxes(M, -1, -2)`.

# %% nbgrader={"grade": false, "grade_id": "matmul-function", "locked": false, "schema_version": 3, "solution": true}
#| export
def matmul(a: Union[Variable, np.ndarray], b: Union[Variable, np.ndarray]) -> Variable:
    """
    Matrix multiplication with gradient tracking: a @ b

    TODO: Implement matrix multiplication with automatic differentiation.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert inputs to Variables if needed
    2. Compute forward pass: result = A @ B on the ndarrays
    3. Create gradient function:
       ∂L/∂A = ∂L/∂Z @ Bᵀ,  ∂L/∂B = Aᵀ @ ∂L/∂Z   (ᵀ = swap the last two axes)
    4. Support 1-D operands: before the backward products, view a 1-D A as a row
       (1, k) and a 1-D B as a column (k, 1), and give grad_output the matching extra
       axis; afterwards drop that axis again from the gradient of the vector
    5. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    A = Variable([[1.0, 2.0], [3.0, 4.0]])
    B = Variable([[5.0], [6.0]])
    C = matmul(A, B)    # [[17.0], [39.0]]
    C.backward()
    print(A.grad)       # [[5, 6], [5, 6]]   (ones(2, 1) @ Bᵀ)
    print(B.grad)       # [[4], [6]]         (Aᵀ @ ones(2, 1))

    X = Variable(np.ones((8, 3, 4)))    # a batch of 8 matrices (3, 4)
    W = Variable(np.ones((4, 5)))       # one weight matrix for all of them
    matmul(X, W).backward()             # result (8, 3, 5)
    print(W.grad.shape)                 # (4, 5): summed over the batch
    ```

    IMPLEMENTATION HINTS:
    - Check shapes on paper first: the gradient of A must have A's shape
    - np.swapaxes(M, -1, -2) transposes a matrix or a stack of matrices; M.T does not
      do that for a stack: it reverses ALL the axes, (2, 3, 4) → (4, 3, 2)
    - np.expand_dims(g, -1) / np.expand_dims(g, -2) add an axis of size 1 at the end /
      second to last; g[..., 0] and g[..., 0, :] remove one
    - Leading (batch) axes are summed away by the engine; you do not need to
    - A gradient of None means "no gradient": return it for an operand that does not
      require grad (a batch of input data), and a training step saves one matmul per layer
    - Name the backward function matmul_backward

    LEARNING CONNECTIONS:
    - This is torch.matmul / the @ operator with autograd
    - Dense layers are y = x @ W + b: this gives you ∂L/∂W for free
    """
    ### BEGIN SOLUTION
    a, b = _to_variables(a, b)
    A, B = a.data.data, b.data.data      # numpy's @ rejects 0-d operands with a ValueError

    def matmul_backward(grad_output):
        A2 = A[np.newaxis, :] if A.ndim == 1 else A      # vector on the left: a row
        B2 = B[:, np.newaxis] if B.ndim == 1 else B      # vector on the right: a column
        G = grad_output
        if B.ndim == 1:                                  # put back the dropped axes
            G = np.expand_dims(G, -1)
        if A.ndim == 1:
            G = np.expand_dims(G, -2)
        grad_a = grad_b = None                           # input data needs no gradient:
        if a.requires_grad:                              # skipping it saves a whole matmul
            grad_a = G @ np.swapaxes(B2, -1, -2)
            if A.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if b.requires_grad:
            grad_b = np.swapaxes(A2, -1, -2) @ G
            if B.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b

    return _make_result(A @ B, (a, b), matmul_backward)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-matmul-gradients", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, _unbroadcast, backpropagate
def test_matmul_gradients():
    """Test matrix multiplication with gradients"""
    print("🔬 Unit Test: Matrix Multiplication...")

    A = Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)   # (3, 2)
    B = Variable([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]], requires_grad=True)    # (2, 3)
    C = matmul(A, B)
    expected = np.array([[5.0, 2.0, -1.0], [11.0, 4.0, -3.0], [17.0, 6.0, -5.0]])
    assert C.shape == (3, 3), f"(3, 2) @ (2, 3) should be (3, 3), got {C.shape}"
    assert np.allclose(C.data.data, expected), f"A @ B should be {expected.tolist()}, got {C.data.data.tolist()}"
    assert "matmul_backward" in repr(C), f"repr should name matmul_backward, got {C!r}"

    C.backward()
    assert A.grad.shape == (3, 2), f"A.grad should have A's shape (3, 2), got {A.grad.shape}"
    assert B.grad.shape == (2, 3), f"B.grad should have B's shape (2, 3), got {B.grad.shape}"
    # ones(3, 3) @ Bᵀ: every row is B's row sums [0, 3]
    assert np.allclose(A.grad.data.data, [[0.0, 3.0]] * 3), f"A.grad should be [[0, 3]] * 3, got {A.grad.data.data.tolist()}"
    # Aᵀ @ ones(3, 3): every column is A's column sums [9, 12]
    assert np.allclose(B.grad.data.data, [[9.0] * 3, [12.0] * 3]), f"B.grad should be [[9, 9, 9], [12, 12, 12]], got {B.grad.data.data.tolist()}"

    rng = np.random.default_rng(2)
    assert gradcheck(matmul, [Variable(rng.standard_normal((2, 3))), Variable(rng.standard_normal((3, 4)))])

    # A layer: W @ x with a vector x
    W = Variable(rng.standard_normal((4, 3)))
    x = Variable(rng.standard_normal(3))
    y = matmul(W, x)
    assert y.shape == (4,), f"(4, 3) @ (3,) should be (4,), got {y.shape}"
    assert gradcheck(matmul, [W, x])
    # a vector on the left (x @ M), and two vectors (a dot product)
    assert gradcheck(matmul, [Variable(rng.standard_normal(3)), Variable(rng.standard_normal((3, 2)))])
    assert gradcheck(matmul, [Variable(rng.standard_normal(3)), Variable(rng.standard_normal(3))])

    # A constant (numpy) matrix on one side: only the Variable gets a gradient
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = Variable([1.0, -1.0], requires_grad=True)
    out = matmul(X, w)
    assert np.allclose(out.data.data, [-1.0, -1.0]), f"X @ w should be [-1, -1], got {out.data.data.tolist()}"
    out.backward()
    assert np.allclose(w.grad.data.data, [4.0, 6.0]), f"w.grad should be Xᵀ @ [1, 1] = [4, 6], got {w.grad.data.data.tolist()}"

    # The @ operator, with an ndarray on the left (numpy steps aside: __array_ufunc__ = None)
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    u = Variable([1.0, 1.0], requires_grad=True)
    p = M @ u
    assert isinstance(p, Variable), f"ndarray @ Variable should give a Variable, got {type(p).__name__}"
    assert np.allclose(p.data.data, [3.0, 7.0]), f"M @ [1, 1] should be [3, 7], got {p.data.data.tolist()}"
    p.backward()
    assert np.allclose(u.grad.data.data, [4.0, 6.0]), f"u.grad should be Mᵀ @ [1, 1] = [4, 6], got {u.grad.data.data.tolist()}"
    q = Variable([[1.0, 0.0], [0.0, 2.0]]) @ Variable([[1.0], [1.0]])
    assert np.allclose(q.data.data, [[1.0], [2.0]]), f"Variable @ Variable should be [[1], [2]], got {q.data.data.tolist()}"

    # Batched: stacks of matrices, no two sizes alike (batch 2, n 3, k 4, m 5).
    # "Transpose" of a stack swaps its LAST TWO axes; .T would reverse all three.
    A3 = rng.standard_normal((2, 3, 4))
    B3 = rng.standard_normal((2, 4, 5))
    W = rng.standard_normal((4, 5))
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        tol = 1e-4 if dtype == np.float32 else 1e-10
        r = run_twice(matmul, [A3, B3], dtype)
        G = r["seed"].astype(np.float64)
        assert r["out"].shape == (2, 3, 5) and r["out"].dtype == dtype, f"(2, 3, 4) @ (2, 4, 5) should be {kind} (2, 3, 5), got {r['out'].dtype} {r['out'].shape}"
        assert np.allclose(r["out"], A3 @ B3, rtol=tol, atol=tol), "batched A @ B: wrong values"
        expected_a = np.einsum("bnm,bkm->bnk", G, B3)          # G @ Bᵀ, matrix by matrix
        expected_b = np.einsum("bnk,bnm->bkm", A3, G)          # Aᵀ @ G, matrix by matrix
        assert r["grads"][0].shape == (2, 3, 4) and np.allclose(r["grads"][0], expected_a, rtol=tol, atol=tol), (
            "batched: ∂L/∂A should be ∂L/∂Z @ Bᵀ for each matrix of the stack (swap the last two axes of B)")
        assert r["grads"][1].shape == (2, 4, 5) and np.allclose(r["grads"][1], expected_b, rtol=tol, atol=tol), (
            "batched: ∂L/∂B should be Aᵀ @ ∂L/∂Z for each matrix of the stack (swap the last two axes of A)")
        assert all(g.dtype == dtype for g in r["grads"] + r["local"]), f"batched {kind}: gradients should be {kind}"
        assert all(np.array_equal(a, b) for a, b in zip(r["grads_again"], r["grads"])), "batched: a second backward() should give the same gradients"
        assert all(np.array_equal(a, b) for a, b in zip(r["inputs_after"], r["inputs"])), "matmul must not change its inputs"
        assert np.array_equal(r["out_after"], r["out"]) and np.array_equal(r["seed_after"], r["seed"]), "backward must not change the result or grad_output"

        # One weight matrix shared by the whole batch: its gradient sums over the batch
        r = run_twice(matmul, [A3, W], dtype)
        G = r["seed"].astype(np.float64)
        assert r["out"].shape == (2, 3, 5) and np.allclose(r["out"], A3 @ W, rtol=tol, atol=tol), "(2, 3, 4) @ (4, 5): wrong values"
        assert r["grads"][0].shape == (2, 3, 4) and np.allclose(r["grads"][0], G @ W.T, rtol=tol, atol=tol), "(2, 3, 4) @ (4, 5): wrong gradient for the batch"
        expected_w = np.einsum("bnk,bnm->km", A3, G)           # Σ over the batch of Aᵀ @ G
        assert r["grads"][1].shape == (4, 5) and np.allclose(r["grads"][1], expected_w, rtol=tol, atol=tol), (
            f"(2, 3, 4) @ (4, 5): the shared weight's gradient should have shape (4, 5) and sum over the batch, got shape {r['grads'][1].shape}")
        assert r["grads"][1].dtype == dtype, f"the shared weight should get a {kind} gradient, got {r['grads'][1].dtype}"

    # A vector operand gets a vector gradient straight from matmul_backward (step 4 of
    # its docstring: the extra axis is dropped again; batch axes are the engine's job)
    for shapes in [((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,))]:
        r = run_twice(matmul, [rng.standard_normal(s) for s in shapes])
        assert [np.shape(g) for g in r["local"]] == [s for s in shapes], (
            f"{shapes[0]} @ {shapes[1]}: matmul_backward should return gradients shaped {list(shapes)}, got {[np.shape(g) for g in r['local']]}")
    for shapes in [((4,), (2, 4, 5)), ((2, 3, 4), (4,))]:
        r = run_twice(matmul, [rng.standard_normal(s) for s in shapes])
        assert [g.shape for g in r["grads"]] == [s for s in shapes], f"{shapes[0]} @ {shapes[1]}: the gradients should have shapes {list(shapes)}"

    # Batched with vectors, and a batch axis that broadcasts: finite differences
    assert gradcheck(matmul, [Variable(rng.standard_normal((2, 3, 4))), Variable(rng.standard_normal(4))])
    assert gradcheck(matmul, [Variable(rng.standard_normal(3)), Variable(rng.standard_normal((2, 3, 4)))])
    assert gradcheck(matmul, [Variable(rng.standard_normal((2, 1, 3, 4))), Variable(rng.standard_normal((3, 4, 2)))])

    print("✅ Matrix multiplication tests passed!")

test_matmul_gradients()

# %% [markdown]
# ## Step 11: Operators, Powers and Negation
#
# ### Writing maths like maths
# `add(multiply(x, x), multiply(2.0, x))` works, but nobody wants to write it. Python
# turns `x * x + 2 * x` into method calls, and the `Variable` class (Step 1) already
# forwards them to your functions:
#
# | you write | Python calls | which calls |
# | --- | --- | --- |
# | `x + 2` | `x.__add__(2)` | `add(x, 2)` |
# | `2 + x` | `int.__add__` gives up, then `x.__radd__(2)` | `add(2, x)` |
# | `1 - x` | `x.__rsub__(1)` | `subtract(1, x)` — order matters! |
# | `ndarray @ x` | numpy steps aside (`__array_ufunc__ = None`), then `x.__rmatmul__` | `matmul(ndarray, x)` |
# | `tensor + x` | `Tensor.__add__` returns `NotImplemented`, then `x.__radd__` | `add(tensor, x)` |
# | `x ** 3` | `x.__pow__(3)` | `power(x, 3)` |
# | `2 ** x` | `int.__pow__` gives up, then `x.__rpow__(2)` | `rpower(2, x)` |
# | `-x` | `x.__neg__()` | `negate(x)` |
#
# Without `__array_ufunc__ = None`, `ndarray * x` would make numpy loop over the array
# and multiply each number by `x` separately, giving an array of Variables.
#
# ### The power rule
# For z = xⁿ with a fixed number n: **∂z/∂x = n · xⁿ⁻¹**. (The exponent is a plain
# number, not a Variable, so it gets no gradient.) One exception needs care: for n = 0,
# z = 1 is a constant and ∂z/∂x = 0 everywhere, but at x = 0 the formula computes
# 0 · 0⁻¹ = 0 · ∞, which numpy calls `nan`. PyTorch returns 0, and so must we.
#
# ### The exponential rule
# The other way round, a fixed number a > 0 raised to a Variable: z = aˣ = eˣ ˡⁿ ᵃ, so
# **∂z/∂x = aˣ · ln a**. (For a = e it is eˣ again; Step 13 builds `exp` on its own.)
#
# ### Negation
# For z = -x: **∂z/∂x = -1**.

# %% nbgrader={"grade": false, "grade_id": "power-negate", "locked": false, "schema_version": 3, "solution": true}
#| export
def power(a: Union[Variable, float, int], exponent: float) -> Variable:
    """
    Power with a number exponent, with gradient tracking: a ** exponent

    TODO: Implement the power rule.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert a to a Variable if needed; make sure exponent is a plain number
    2. Compute forward pass: result = a ** exponent
    3. Create gradient function: ∂(aⁿ)/∂a = n · aⁿ⁻¹
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable(3.0)
    y = power(x, 2)     # 9.0   (same as x ** 2)
    y.backward()
    print(x.grad)       # 6.0   (2 · 3¹)
    ```

    IMPLEMENTATION HINTS:
    - isinstance(exponent, numbers.Real) accepts ints, floats and numpy scalars;
      raise TypeError otherwise
    - Turn the exponent into a plain Python float before using it: a numpy float64
      scalar would make a float32 result float64, a Python float never does
    - np.power or ** work on the ndarray
    - x⁰ = 1 is a constant, so its gradient is 0 everywhere, also at x = 0, where the
      formula would compute 0 · 0⁻¹ = 0 · ∞ = nan (PyTorch returns 0 there too)
    - np.zeros_like(g) makes zeros with g's shape and dtype
    - Name the backward function power_backward
    """
    ### BEGIN SOLUTION
    if not isinstance(exponent, numbers.Real):
        raise TypeError(f"power: the exponent must be a number, got {type(exponent).__name__}")
    a = _to_variable(a)
    values = a.data.data
    n = float(exponent)

    def power_backward(grad_output):
        if n == 0:                                  # x⁰ is constant, even at x = 0
            return (np.zeros_like(grad_output),)
        return (grad_output * n * values ** (n - 1),)

    return _make_result(values ** n, (a,), power_backward)
    ### END SOLUTION


def rpower(base: float, exponent: Union[Variable, float]) -> Variable:
    """
    A number raised to a Variable, with gradient tracking: base ** exponent (as in 2 ** x)

    TODO: Implement the exponential rule.

    STEP-BY-STEP IMPLEMENTATION:
    1. Make sure base is a positive number: raise TypeError for anything that is not a
       number, ValueError for base <= 0 (ln(base) must exist)
    2. Convert exponent to a Variable if needed
    3. Compute forward pass: result = base ** (the exponent's values)
    4. Create gradient function: ∂(aˣ)/∂x = aˣ · ln a
    5. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable([0.0, 1.0, 3.0])
    y = rpower(2.0, x)   # [1.0, 2.0, 8.0]   (same as 2 ** x)
    y.backward()
    print(x.grad)        # [0.693, 1.386, 5.545]   (2ˣ · ln 2)
    ```

    IMPLEMENTATION HINTS:
    - The gradient reuses the forward result: aˣ is already computed
    - math.log gives ln a as a Python float; np.log would give a numpy float64 scalar,
      which turns a float32 gradient into float64
    - Use the base as a Python float too (float(base)), for the same reason
    - Name the backward function rpower_backward
    """
    ### BEGIN SOLUTION
    if not isinstance(base, numbers.Real):
        raise TypeError(f"rpower: the base must be a number, got {type(base).__name__}")
    if not base > 0:
        raise ValueError(f"rpower: the base must be positive (ln(base) must exist), got {base}")
    x = _to_variable(exponent)
    a = float(base)
    log_a = math.log(a)
    out = a ** x.data.data

    def rpower_backward(grad_output):
        return (grad_output * out * log_a,)

    return _make_result(out, (x,), rpower_backward)
    ### END SOLUTION


def negate(a: Union[Variable, float, int]) -> Variable:
    """
    Negation with gradient tracking: -a

    TODO: Implement negation.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert a to a Variable if needed
    2. Compute forward pass: result = -a
    3. Create gradient function: ∂(-a)/∂a = -1
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable(5.0)
    y = negate(x)       # -5.0   (same as -x)
    y.backward()
    print(x.grad)       # -1.0
    ```

    IMPLEMENTATION HINTS:
    - One parent, so the backward function returns a tuple with one gradient: (g,)
    - Name the backward function negate_backward
    """
    ### BEGIN SOLUTION
    a = _to_variable(a)

    def negate_backward(grad_output):
        return (-grad_output,)

    return _make_result(-a.data.data, (a,), negate_backward)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-operators-and-reflected", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, add, multiply, subtract
def test_operators_and_reflected():
    """Python operators, including reflected forms, build the graph"""
    print("🔬 Unit Test: Operators and Reflected Operators...")
    # (/ and @ have their own tests, in Steps 7 and 10)

    x = Variable(3.0, requires_grad=True)
    cases = [
        ("x + 2", x + 2, 5.0), ("2 + x", 2 + x, 5.0),
        ("x - 1", x - 1, 2.0), ("1 - x", 1 - x, -2.0),
        ("x * 2", x * 2, 6.0), ("2 * x", 2 * x, 6.0),
        ("-x", -x, -3.0), ("x ** 2", x ** 2, 9.0), ("2 ** x", 2 ** x, 8.0),
    ]
    for expression, result, expected in cases:
        assert isinstance(result, Variable), f"{expression} should give a Variable, got {type(result).__name__}"
        assert abs(result.data.data.item() - expected) < 1e-12, f"{expression} should be {expected}, got {result.data.data.item()}"

    # Gradients flow through reflected operators with the right signs
    x = Variable(2.0, requires_grad=True)
    y = 1 - 3 * x + 2 * x ** 2 - (-x)     # dy/dx = -3 + 4x + 1 = 6 at x = 2
    y.backward()
    assert abs(x.grad.data.data.item() - 6.0) < 1e-12, f"d(1 - 3x + 2x² + x)/dx at x=2 should be 6.0, got {x.grad.data.data.item()}"

    # float32 stays float32 through every operator, reflected ones included
    x32 = Variable(np.array([0.5, -1.5, 2.0], dtype=np.float32))
    for expression, result in [("x + 2", x32 + 2), ("2 - x", 2 - x32), ("3.0 * x", 3.0 * x32),
                               ("-x", -x32), ("x ** 2", x32 ** 2), ("2 ** x", 2 ** x32),
                               ("x ** np.float64(3)", x32 ** np.float64(3.0))]:
        assert result.data.data.dtype == np.float32, f"{expression} with a float32 x should stay float32, got {result.data.data.dtype}"

    # An ndarray on the left
    a = np.array([1.0, 2.0, 3.0])
    v = Variable([1.0, 1.0, 1.0], requires_grad=True)
    r = a * v
    assert isinstance(r, Variable), f"ndarray * Variable should give a Variable, got {type(r).__name__}"
    r.backward()
    assert np.allclose(v.grad.data.data, [1.0, 2.0, 3.0]), f"∂(a*v)/∂v should be a = [1, 2, 3], got {v.grad.data.data.tolist()}"
    d = a - v
    assert isinstance(d, Variable) and np.allclose(d.data.data, [0.0, 1.0, 2.0]), "ndarray - Variable should be a Variable holding [0, 1, 2]"

    # A Tensor on the left
    t = Tensor(np.array([1.0, 2.0]))
    w = Variable([3.0, 4.0], requires_grad=True)
    s = t + w
    assert isinstance(s, Variable), f"Tensor + Variable should give a Variable, got {type(s).__name__}"
    assert np.allclose(s.data.data, [4.0, 6.0]), f"Tensor([1, 2]) + Variable([3, 4]) should be [4, 6], got {s.data.data.tolist()}"

    # Unsupported operands: Python's TypeError, not a crash inside numpy
    for bad in ["a string", None, {"a": 1}]:
        try:
            x + bad
        except TypeError:
            pass
        else:
            raise AssertionError(f"Variable + {bad!r} should raise TypeError")

    print("✅ Operator tests passed!")

test_operators_and_reflected()

# %% nbgrader={"grade": true, "grade_id": "test-power-and-seed-example", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, add, multiply, subtract
def test_power_and_seed_example():
    """The power rule, negation, and the example from the introduction"""
    print("🔬 Unit Test: Powers and the Introduction's Example...")

    # z = x² + 2xy + y²  at x = 3, y = 4
    x = Variable(3.0, requires_grad=True)
    y = Variable(4.0, requires_grad=True)
    z = x**2 + 2*x*y + y**2
    assert z.data.data.item() == 49.0, f"(3 + 4)² should be 49.0, got {z.data.data.item()}"
    z.backward()
    assert abs(x.grad.data.data.item() - 14.0) < 1e-12, f"∂z/∂x = 2x + 2y = 14, got {x.grad.data.data.item()}"
    assert abs(y.grad.data.data.item() - 14.0) < 1e-12, f"∂z/∂y = 2x + 2y = 14, got {y.grad.data.data.item()}"

    # The power rule
    a = Variable(2.0, requires_grad=True)
    (a ** 3).backward()
    assert abs(a.grad.data.data.item() - 12.0) < 1e-12, f"d(a³)/da at 2 should be 3·2² = 12, got {a.grad.data.data.item()}"
    b = Variable(4.0, requires_grad=True)
    root = b ** 0.5
    assert abs(root.data.data.item() - 2.0) < 1e-12, f"4 ** 0.5 should be 2.0, got {root.data.data.item()}"
    root.backward()
    assert abs(b.grad.data.data.item() - 0.25) < 1e-12, f"d(√b)/db at 4 should be 0.25, got {b.grad.data.data.item()}"
    c = Variable(2.0, requires_grad=True)
    (c ** -1).backward()
    assert abs(c.grad.data.data.item() - (-0.25)) < 1e-12, f"d(1/c)/dc at 2 should be -0.25, got {c.grad.data.data.item()}"
    assert "power_backward" in repr(c ** 2), f"repr should name power_backward, got {c ** 2!r}"

    # Negation
    d = Variable(5.0, requires_grad=True)
    e = -d
    assert e.data.data.item() == -5.0, f"-Variable(5.0) should be -5.0, got {e.data.data.item()}"
    e.backward()
    assert d.grad.data.data.item() == -1.0, f"∂(-d)/∂d should be -1.0, got {d.grad.data.data.item()}"

    assert gradcheck(lambda v: v ** 3 - v ** 2, [Variable([0.5, -1.5, 2.0])])
    assert gradcheck(lambda v: -(v ** 0.5), [Variable([0.5, 1.5, 2.0])])

    # Exactly at x = 0, as PyTorch computes it: x⁰ is constant (gradient 0, not nan),
    # x¹ has slope 1, x² slope 0, and √x an infinite slope
    with np.errstate(divide="ignore", invalid="ignore"):
        for n, value, slope in [(0, 1.0, 0.0), (1, 0.0, 1.0), (2, 0.0, 0.0), (0.5, 0.0, np.inf), (3, 0.0, 0.0)]:
            z = Variable(0.0, requires_grad=True)
            out = power(z, n)
            out.backward()
            assert out.data.data.item() == value, f"0 ** {n} should be {value}, got {out.data.data.item()}"
            assert z.grad.data.data.item() == slope, f"d(x^{n})/dx at x = 0 should be {slope} (as in PyTorch), got {z.grad.data.data.item()}"
        zeros = Variable([0.0, 2.0, -3.0], requires_grad=True)
        power(zeros, 0).backward()
        assert zeros.grad.data.data.tolist() == [0.0, 0.0, 0.0], f"x⁰ has gradient 0 everywhere, got {zeros.grad.data.data.tolist()}"

    # power, negate and rpower on (2, 3) values, float32 and float64
    X = np.array([[0.5, 1.5, 2.0], [3.0, 0.25, 1.0]])
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        for name, fn, out_of, slope_of in [
                ("x ** 3", lambda t: power(t, 3), lambda x: x ** 3, lambda x: 3 * x ** 2),
                ("x ** -0.5", lambda t: power(t, -0.5), lambda x: x ** -0.5, lambda x: -0.5 * x ** -1.5),
                ("x ** np.float64(2)", lambda t: power(t, np.float64(2.0)), lambda x: x ** 2, lambda x: 2 * x),
                ("x ** 0", lambda t: power(t, 0), lambda x: np.ones_like(x), lambda x: np.zeros_like(x)),
                ("-x", negate, lambda x: -x, lambda x: -np.ones_like(x)),
                ("3 ** x", lambda t: rpower(3, t), lambda x: 3.0 ** x, lambda x: 3.0 ** x * np.log(3.0)),
                ("0.5 ** x", lambda t: rpower(0.5, t), lambda x: 0.5 ** x, lambda x: 0.5 ** x * np.log(0.5))]:
            r = run_twice(fn, [X], dtype)
            g = r["seed"].astype(np.float64)
            assert r["out"].dtype == dtype and np.allclose(r["out"], out_of(X), rtol=1e-5), (
                f"{name} on {kind}: expected {kind} {out_of(X).tolist()}, got {r['out'].dtype} {r['out'].tolist()}")
            assert np.allclose(r["grads"][0], g * slope_of(X), rtol=1e-5), f"{name}: wrong gradient {r['grads'][0].tolist()}"
            assert r["grads"][0].dtype == dtype and r["local"][0].dtype == dtype, (
                f"{name}: the gradient of a {kind} input should be {kind}, the backward function returned {r['local'][0].dtype}")
            assert np.array_equal(r["grads_again"][0], r["grads"][0]), f"{name}: a second backward() should give the same gradient"
            assert np.array_equal(r["inputs_after"][0], r["inputs"][0]) and np.array_equal(r["out_after"], r["out"]), (
                f"{name}: the forward and backward passes must not change x or the result")
            assert np.array_equal(r["seed_after"], r["seed"]), f"{name}: the backward function must not change grad_output"

    # rpower: exact values (2 ** 3 is 8, not 7.999...), the operator, and its arguments
    e = Variable([0.0, 1.0, 3.0], requires_grad=True)
    y = 2 ** e
    assert isinstance(y, Variable) and y.data.data.tolist() == [1.0, 2.0, 8.0], f"2 ** [0, 1, 3] should be exactly [1, 2, 8], got {y.data.data.tolist()}"
    assert "rpower_backward" in repr(y), f"repr should name rpower_backward, got {y!r}"
    y.backward()
    assert np.allclose(e.grad.data.data, [np.log(2.0), 2 * np.log(2.0), 8 * np.log(2.0)]), f"d(2ˣ)/dx = 2ˣ ln 2, got {e.grad.data.data.tolist()}"
    x32 = Variable(np.array([0.5, 2.0], dtype=np.float32))
    for base in (np.float64(3.0), 2, 0.5):
        y32 = rpower(base, x32)
        assert y32.data.data.dtype == np.float32, f"rpower({base!r}, float32 x) should stay float32, got {y32.data.data.dtype}"
    for bad_base, error in [(0.0, ValueError), (-2.0, ValueError), ("2", TypeError)]:
        try:
            rpower(bad_base, e)
        except error:
            pass
        else:
            raise AssertionError(f"rpower({bad_base!r}, x) should raise {error.__name__}")

    assert gradcheck(lambda v: rpower(1.5, v) * v, [Variable([0.5, -1.5, 2.0])])

    print("✅ Power and negation tests passed!")
    print("✅ x² + 2xy + y² gives ∂z/∂x = ∂z/∂y = 14 at (3, 4)")

test_power_and_seed_example()

# %% [markdown]
# ## Step 12: Reductions — `sum` and `mean`
#
# ### From many numbers to few
# A loss is a single number computed from a whole batch, so every network ends with a
# reduction. `x.sum()` adds everything; `x.sum(axis=0)` adds down the columns;
# `keepdims=True` keeps the summed axes with size 1 (handy for broadcasting back).
#
# ### The gradient of a sum
# Every input element appears in exactly one output element, with coefficient 1:
#
# ```
# s[j] = Σᵢ x[i, j]        ⇒        ∂L/∂x[i, j] = ∂L/∂s[j]
# ```
#
# So the backward pass **copies the incoming gradient back along the summed axes**. The
# only care needed is shapes: with `keepdims=False` the summed axes are gone from
# `grad_output` and must be put back (as size 1) before broadcasting to the input's shape.
#
# ```
# x (2, 3) ── sum(axis=1) ──→ s (2,)
# grad (2,) ── expand_dims(axis=1) ──→ (2, 1) ── broadcast_to ──→ (2, 3)
# ```
#
# ### The mean
# mean = sum / (number of elements summed). You already have both pieces with gradients,
# so the mean needs no backward function of its own.

# %% nbgrader={"grade": false, "grade_id": "reductions", "locked": false, "schema_version": 3, "solution": true}
#| export
def reduce_sum(x: Variable, axis=None, keepdims: bool = False) -> Variable:
    """
    Sum with gradient tracking: x.sum(axis, keepdims)

    TODO: Implement the sum and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: np.sum(values, axis=axis, keepdims=keepdims)
    3. Backward: put the summed axes back into grad_output (only needed when
       axis is given and keepdims is False), then broadcast it to x's shape
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    s = x.sum(axis=0)       # [5.0, 7.0, 9.0]
    s.backward()
    print(x.grad)           # ones of shape (2, 3)
    ```

    IMPLEMENTATION HINTS:
    - axis may be None, an int (possibly negative) or a tuple of ints
    - np.expand_dims(g, axis) accepts an int or a tuple, including negative axes
    - np.broadcast_to(g, shape) stretches size-1 axes (and adds leading ones); its result
      is read-only, which is fine because nothing writes into gradients in place
    - With axis=None and keepdims=False, grad_output is a single number: broadcast it
    - Name the backward function sum_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    values = x.data.data

    def sum_backward(grad_output):
        g = grad_output
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        return (np.broadcast_to(g, values.shape),)

    return _make_result(np.sum(values, axis=axis, keepdims=keepdims), (x,), sum_backward)
    ### END SOLUTION


def reduce_mean(x: Variable, axis=None, keepdims: bool = False) -> Variable:
    """
    Mean with gradient tracking: x.mean(axis, keepdims)

    TODO: Implement the mean from operations you already have.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Sum over the same axes (with gradients)
    3. Work out how many elements went into each sum
    4. Divide the sum by that count (with gradients) and return it

    EXAMPLE USAGE:
    ```python
    x = Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    m = x.mean()            # 3.5
    m.backward()
    print(x.grad)           # 1/6 everywhere
    ```

    IMPLEMENTATION HINTS:
    - The count is (number of elements of x) / (number of elements of the sum)
    - Dividing a Variable by a plain number is an operation you wrote in Step 7
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    total = reduce_sum(x, axis=axis, keepdims=keepdims)
    count = x.size // max(total.size, 1)
    return divide(total, count)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-reductions", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, _unbroadcast, backpropagate, subtract, divide
def test_reductions():
    """Test sum and mean with axis and keepdims"""
    print("🔬 Unit Test: Reductions (sum, mean)...")

    x = Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)

    s = x.sum()
    assert s.shape == () and s.data.data.item() == 21.0, f"x.sum() should be 21.0 with shape (), got {s.data.data} with shape {s.shape}"
    s.backward()
    assert x.grad.shape == (2, 3) and np.allclose(x.grad.data.data, 1.0), f"∂sum/∂x should be ones (2, 3), got {x.grad.data.data.tolist()}"

    forward_cases = [
        (dict(axis=0), [5.0, 7.0, 9.0]),
        (dict(axis=1), [6.0, 15.0]),
        (dict(axis=-1), [6.0, 15.0]),
        (dict(axis=0, keepdims=True), [[5.0, 7.0, 9.0]]),
        (dict(axis=1, keepdims=True), [[6.0], [15.0]]),
        (dict(axis=(0, 1)), 21.0),
    ]
    for kwargs, expected in forward_cases:
        got = x.sum(**kwargs).data.data
        assert np.shape(got) == np.shape(expected) and np.allclose(got, expected), (
            f"x.sum({kwargs}) should be {expected}, got {got.tolist()}")

    m = x.mean()
    assert abs(m.data.data.item() - 3.5) < 1e-12, f"x.mean() should be 3.5, got {m.data.data.item()}"
    x.zero_grad()
    m.backward()
    assert np.allclose(x.grad.data.data, 1 / 6), f"∂mean/∂x should be 1/6 everywhere, got {x.grad.data.data.tolist()}"

    m1 = x.mean(axis=1)
    assert np.allclose(m1.data.data, [2.0, 5.0]), f"x.mean(axis=1) should be [2, 5], got {m1.data.data.tolist()}"
    x.zero_grad()
    m1.backward()
    assert np.allclose(x.grad.data.data, 1 / 3), f"∂mean(axis=1)/∂x should be 1/3 everywhere, got {x.grad.data.data.tolist()}"

    # Gradients for every kind of axis argument, checked numerically
    rng = np.random.default_rng(3)
    for axis, keepdims in [(None, False), (None, True), (0, False), (1, True), (-1, False), ((0, 2), False), ((0, 2), True)]:
        v = Variable(rng.standard_normal((2, 3, 4)))
        assert gradcheck(lambda t: t.sum(axis=axis, keepdims=keepdims), [v]), f"sum(axis={axis}, keepdims={keepdims})"
        assert gradcheck(lambda t: t.mean(axis=axis, keepdims=keepdims), [v]), f"mean(axis={axis}, keepdims={keepdims})"

    # A reduction feeding a broadcast: centre each row
    assert gradcheck(lambda t: t - t.mean(axis=1, keepdims=True), [Variable(rng.standard_normal((3, 4)))])

    # Every axis argument on (2, 3, 4), float32 and float64: the shapes keepdims gives,
    # the dtype (a mean divides by a count, and the count must not turn float32 into
    # float64), and nothing changed by the forward or the backward pass
    X = np.arange(24.0).reshape(2, 3, 4) / 4 - 2.0
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        for axis, keepdims in [(None, False), (None, True), (0, False), (1, True), (-1, False), ((0, 2), False), ((0, 2), True)]:
            count = X.size // np.sum(X, axis=axis, keepdims=keepdims).size
            for name, fn, reference, slope in [("sum", reduce_sum, np.sum, 1.0), ("mean", reduce_mean, np.mean, 1.0 / count)]:
                r = run_twice(lambda t: fn(t, axis=axis, keepdims=keepdims), [X], dtype)
                expected = reference(X, axis=axis, keepdims=keepdims)
                label = f"{name}(axis={axis}, keepdims={keepdims}) on {kind}"
                assert r["out"].shape == np.shape(expected), f"{label} should have shape {np.shape(expected)}, got {r['out'].shape}"
                assert r["out"].dtype == dtype and np.allclose(r["out"], expected, rtol=1e-5), (
                    f"{label} should be {kind} {np.round(expected, 4).tolist()}, got {r['out'].dtype} {np.round(r['out'], 4).tolist()}")
                # every input number gets the gradient of the one output it went into
                kept = np.sum(X, axis=axis, keepdims=True).shape
                spread = np.broadcast_to(r["seed"].astype(np.float64).reshape(kept), X.shape)
                assert np.allclose(r["grads"][0], spread * slope, rtol=1e-5), f"{label}: wrong gradient"
                assert r["grads"][0].dtype == dtype and all(l.dtype == dtype for l in r["local"]), f"{label}: the gradients should be {kind}"
                assert np.array_equal(r["grads_again"][0], r["grads"][0]), f"{label}: a second backward() should give the same gradient"
                assert np.array_equal(r["inputs_after"][0], r["inputs"][0]) and np.array_equal(r["out_after"], r["out"]), (
                    f"{label}: x and the result must not change")

    # numpy's own functions call the methods, so they are differentiable too
    v = Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32))
    total = np.sum(v)
    assert isinstance(total, Variable) and total.data.data.item() == 21.0, f"np.sum(v) should be a Variable holding 21.0, got {total!r}"
    average = np.mean(v, axis=0)
    assert isinstance(average, Variable) and np.allclose(average.data.data, [2.5, 3.5, 4.5]), f"np.mean(v, axis=0) should be [2.5, 3.5, 4.5], got {average!r}"
    assert average.data.data.dtype == np.float32, f"np.mean of float32 should stay float32, got {average.data.data.dtype}"
    assert np.sum(v, axis=1, keepdims=True).shape == (2, 1), "np.sum(v, axis=1, keepdims=True) should have shape (2, 1)"
    wide = np.sum(v, dtype=np.float64)
    assert wide.data.data.dtype == np.float64, f"np.sum(v, dtype=np.float64) should be float64, got {wide.data.data.dtype}"
    wide.backward()
    assert v.grad.data.data.dtype == np.float32 and np.allclose(v.grad.data.data, 1.0), "the gradient of a float32 v stays float32"
    try:
        np.sum(v, out=np.zeros(()))
    except TypeError:
        pass
    else:
        raise AssertionError("np.sum(v, out=...) should raise TypeError: a result is always a new Variable")

    print("✅ Reduction tests passed!")

test_reductions()

# %% [markdown]
# ## Step 13: Elementwise Functions — `exp`, `log`, `abs`, `relu`, `sigmoid`, `tanh`
#
# These act on each number separately, so each backward pass is just
# `grad_output * (local derivative)`, elementwise:
#
# | function | forward | local derivative | note |
# | --- | --- | --- | --- |
# | exp | eˣ | eˣ | reuse the forward result |
# | log | ln x | 1/x | |
# | abs | \|x\| | sign(x): −1, 0 at x = 0, +1 | the kink at 0 gets 0, like PyTorch |
# | relu | max(x, 0) | 1 where x > 0, else 0 | the "kink" at 0 gets 0, like PyTorch |
# | sigmoid | σ(x) = 1/(1 + e⁻ˣ) | σ(x)·(1 − σ(x)) | reuse the forward result |
# | tanh | tanh x | 1 − tanh²x | reuse the forward result |
#
# ### Numerical stability: the sigmoid
# Written naively, `1 / (1 + np.exp(-x))` at x = -1000 computes e¹⁰⁰⁰, which overflows to
# `inf` (numpy warns), and the answer is only right by luck. Real networks do produce
# logits like that. The fix is to never exponentiate a large positive number:
#
# ```
# x ≥ 0:   σ(x) = 1 / (1 + e⁻ˣ)      e⁻ˣ ≤ 1, safe
# x < 0:   σ(x) = eˣ / (1 + eˣ)      eˣ < 1, safe   (multiply top and bottom by eˣ)
# ```
#
# PyTorch and every serious library compute it this way (or an equivalent).
#
# ### Where these show up
# `relu` and `tanh` are activation functions; `sigmoid` turns a logit into a probability;
# `exp` and `log` build softmax and the cross-entropy loss; `abs` gives the L1 loss and L1
# weight penalties.
#
# ### Leave the forward arrays alone
# Several backward functions reuse an array from the forward pass (exp, sigmoid and tanh
# reuse their output). They may read it, never write into it: `out *= grad_output` would
# change the result the user holds, and a second `backward()` would start from the
# damaged array.

# %% nbgrader={"grade": false, "grade_id": "exp-log", "locked": false, "schema_version": 3, "solution": true}
#| export
def exp(x: Variable) -> Variable:
    """
    Elementwise exponential with gradient tracking: e ** x

    TODO: Implement exp and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: np.exp of the values
    3. Backward: ∂eˣ/∂x = eˣ
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable(1.0)
    y = x.exp()         # 2.71828...
    y.backward()
    print(x.grad)       # 2.71828...
    ```

    IMPLEMENTATION HINTS:
    - The derivative equals the output: compute it once, use it twice
    - Name the backward function exp_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    out = np.exp(x.data.data)

    def exp_backward(grad_output):
        return (grad_output * out,)

    return _make_result(out, (x,), exp_backward)
    ### END SOLUTION


def log(x: Variable) -> Variable:
    """
    Elementwise natural logarithm with gradient tracking: ln x

    TODO: Implement log and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: np.log of the values
    3. Backward: ∂ln(x)/∂x = 1/x
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable(2.0)
    y = x.log()         # 0.6931...
    y.backward()
    print(x.grad)       # 0.5
    ```

    IMPLEMENTATION HINTS:
    - The backward function needs the inputs, not the outputs
    - Name the backward function log_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    values = x.data.data

    def log_backward(grad_output):
        return (grad_output / values,)

    return _make_result(np.log(values), (x,), log_backward)
    ### END SOLUTION


def absolute(x: Variable) -> Variable:
    """
    Elementwise absolute value with gradient tracking: |x| (abs(x) and x.abs() call it)

    TODO: Implement the absolute value and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: the absolute values
    3. Backward: ∂|x|/∂x = sign(x): -1 for x < 0, +1 for x > 0, and 0 at x = 0
       (the kink: PyTorch uses 0 there)
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable([-2.0, 0.0, 3.0])
    y = abs(x)          # [2.0, 0.0, 3.0]
    y.backward()
    print(x.grad)       # [-1.0, 0.0, 1.0]
    ```

    IMPLEMENTATION HINTS:
    - np.abs and np.sign do the work; np.sign(0.0) is 0.0
    - x / |x| is not the sign at 0: it is 0 / 0 = nan
    - Name the backward function abs_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    values = x.data.data

    def abs_backward(grad_output):
        return (grad_output * np.sign(values),)

    return _make_result(np.abs(values), (x,), abs_backward)
    ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "activations", "locked": false, "schema_version": 3, "solution": true}
#| export
def relu(x: Variable) -> Variable:
    """
    Rectified linear unit with gradient tracking: max(x, 0)

    TODO: Implement relu and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: keep positive values, replace the others by 0
    3. Backward: pass the gradient through where x > 0, block it (0) elsewhere
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable([-2.0, 0.0, 3.0])
    y = x.relu()        # [0.0, 0.0, 3.0]
    y.backward()
    print(x.grad)       # [0.0, 0.0, 1.0]
    ```

    IMPLEMENTATION HINTS:
    - np.maximum with 0 for the forward pass (a Python 0 keeps the values' dtype)
    - A boolean mask (values > 0) multiplied by a float array gives 0s and the values
    - Exactly at 0 the gradient is 0, like PyTorch: mind > versus >=
    - Name the backward function relu_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    values = x.data.data
    mask = values > 0

    def relu_backward(grad_output):
        return (grad_output * mask,)

    return _make_result(np.maximum(values, 0), (x,), relu_backward)
    ### END SOLUTION


def sigmoid(x: Variable) -> Variable:
    """
    Logistic sigmoid with gradient tracking: 1 / (1 + e ** -x)

    TODO: Implement a numerically stable sigmoid and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward, without ever computing e of a large positive number:
       - where x ≥ 0: 1 / (1 + e⁻ˣ)
       - where x < 0: eˣ / (1 + eˣ)
    3. Backward: ∂σ/∂x = σ · (1 − σ)
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable([-1000.0, 0.0, 1000.0])
    y = x.sigmoid()     # [0.0, 0.5, 1.0], no overflow warning
    y.backward()
    print(x.grad)       # [0.0, 0.25, 0.0]
    ```

    IMPLEMENTATION HINTS:
    - A boolean mask selects entries: out[mask] = ... computes only those
    - np.empty_like(values) makes the output array to fill in
    - np.exp(-np.abs(values)) is never larger than 1, for any input
    - Name the backward function sigmoid_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    values = x.data.data
    small = np.exp(-np.abs(values))                       # in (0, 1]: never overflows
    out = np.where(values >= 0, 1.0 / (1.0 + small), small / (1.0 + small))   # Python 1.0: dtype kept

    def sigmoid_backward(grad_output):
        return (grad_output * out * (1.0 - out),)

    return _make_result(out, (x,), sigmoid_backward)
    ### END SOLUTION


def tanh(x: Variable) -> Variable:
    """
    Hyperbolic tangent with gradient tracking.

    TODO: Implement tanh and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: np.tanh of the values (numpy's tanh is already stable)
    3. Backward: ∂tanh(x)/∂x = 1 − tanh²(x)
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable(0.0)
    y = x.tanh()        # 0.0
    y.backward()
    print(x.grad)       # 1.0
    ```

    IMPLEMENTATION HINTS:
    - Reuse the forward output in the backward function
    - Name the backward function tanh_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    out = np.tanh(x.data.data)

    def tanh_backward(grad_output):
        return (grad_output * (1.0 - out * out),)

    return _make_result(out, (x,), tanh_backward)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-elementwise-functions", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, multiply, reduce_sum
def test_elementwise_functions():
    """Test exp, log, relu, sigmoid and tanh: values, gradients and stability"""
    print("🔬 Unit Test: Elementwise Functions...")
    import warnings

    e = np.e
    x = Variable([0.0, 1.0], requires_grad=True)
    y = x.exp()
    assert np.allclose(y.data.data, [1.0, e]), f"exp([0, 1]) should be [1, e], got {y.data.data.tolist()}"
    y.backward()
    assert np.allclose(x.grad.data.data, [1.0, e]), f"∂eˣ/∂x should be eˣ = [1, e], got {x.grad.data.data.tolist()}"

    x = Variable([1.0, 2.0, e], requires_grad=True)
    y = x.log()
    assert np.allclose(y.data.data, [0.0, np.log(2.0), 1.0]), f"log([1, 2, e]) should be [0, 0.693, 1], got {y.data.data.tolist()}"
    y.backward()
    assert np.allclose(x.grad.data.data, [1.0, 0.5, 1 / e]), f"∂ln(x)/∂x should be 1/x, got {x.grad.data.data.tolist()}"

    x = Variable([-2.0, 0.0, 3.0], requires_grad=True)
    y = x.relu()
    assert np.allclose(y.data.data, [0.0, 0.0, 3.0]), f"relu([-2, 0, 3]) should be [0, 0, 3], got {y.data.data.tolist()}"
    y.backward()
    assert np.allclose(x.grad.data.data, [0.0, 0.0, 1.0]), f"relu's gradient should be [0, 0, 1], got {x.grad.data.data.tolist()}"

    x = Variable([0.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    expected = [0.5, 1 / (1 + np.exp(-2.0))]
    assert np.allclose(y.data.data, expected), f"sigmoid([0, 2]) should be {expected}, got {y.data.data.tolist()}"
    y.backward()
    s = expected[1]
    assert np.allclose(x.grad.data.data, [0.25, s * (1 - s)]), f"σ' = σ(1−σ) should be [0.25, {s * (1 - s):.4f}], got {x.grad.data.data.tolist()}"

    x = Variable([0.0, 1.0], requires_grad=True)
    y = x.tanh()
    assert np.allclose(y.data.data, [0.0, np.tanh(1.0)]), f"tanh([0, 1]) should be [0, 0.7616], got {y.data.data.tolist()}"
    y.backward()
    assert np.allclose(x.grad.data.data, [1.0, 1 - np.tanh(1.0) ** 2]), f"tanh' = 1 − tanh² should be [1, 0.42], got {x.grad.data.data.tolist()}"

    # Sigmoid of huge inputs: finite, correct, and no overflow
    big = Variable([-1000.0, 0.0, 1000.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = big.sigmoid()
            out.backward()
    assert np.all(np.isfinite(out.data.data)), f"sigmoid(±1000) should be finite, got {out.data.data.tolist()}"
    assert np.allclose(out.data.data, [0.0, 0.5, 1.0]), f"sigmoid([-1000, 0, 1000]) should be [0, 0.5, 1], got {out.data.data.tolist()}"
    assert np.all(np.isfinite(big.grad.data.data)), f"sigmoid's gradient at ±1000 should be finite, got {big.grad.data.data.tolist()}"

    # Finite differences
    rng = np.random.default_rng(4)
    values = rng.uniform(-2.0, 2.0, (2, 3))
    values[np.abs(values) < 0.1] = 0.5          # keep away from relu's kink
    assert gradcheck(exp, [Variable(values)])
    assert gradcheck(log, [Variable(np.abs(values) + 0.5)])
    assert gradcheck(relu, [Variable(values)])
    assert gradcheck(absolute, [Variable(values)])
    assert gradcheck(sigmoid, [Variable(values * 5)])
    assert gradcheck(tanh, [Variable(values)])
    assert gradcheck(lambda t: (t.tanh() * t.sigmoid()).exp().sum(), [Variable(values)])

    # abs: the gradient is sign(x), and 0 exactly at the kink (as PyTorch)
    x = Variable([-2.0, 0.0, 3.0], requires_grad=True)
    y = abs(x)
    assert isinstance(y, Variable) and y.data.data.tolist() == [2.0, 0.0, 3.0], f"abs([-2, 0, 3]) should be [2, 0, 3], got {y.data.data.tolist()}"
    y.backward()
    assert x.grad.data.data.tolist() == [-1.0, 0.0, 1.0], f"abs's gradient should be sign(x) = [-1, 0, 1], got {x.grad.data.data.tolist()}"
    assert "abs_backward" in repr(x.abs()), f"repr should name abs_backward, got {x.abs()!r}"

    # Exactly at 0: relu and abs have gradient 0 there; sigmoid 1/4 and tanh 1
    z = np.zeros((2, 3))
    for name, fn, slope in [("relu", relu, 0.0), ("abs", absolute, 0.0), ("sigmoid", sigmoid, 0.25), ("tanh", tanh, 1.0)]:
        r = run_twice(fn, [z])
        assert np.all(r["grads"][0] == slope * r["seed"]), f"{name}'s gradient at exactly 0 should be {slope} · grad_output, got {r['grads'][0].tolist()}"

    # All six on (2, 3) values, float32 and float64: values, gradients and dtypes; the
    # inputs, the result and grad_output unchanged; a second backward() the same
    X = np.array([[-1.5, 0.5, 2.0], [3.0, -0.25, 1.0]])
    P = np.abs(X) + 0.5                          # positive, for log
    sig = 1 / (1 + np.exp(-X))
    cases = [("exp", exp, X, np.exp(X), np.exp(X)),
             ("log", log, P, np.log(P), 1 / P),
             ("abs", absolute, X, np.abs(X), np.sign(X)),
             ("relu", relu, X, np.maximum(X, 0), (X > 0) * 1.0),
             ("sigmoid", sigmoid, X, sig, sig * (1 - sig)),
             ("tanh", tanh, X, np.tanh(X), 1 - np.tanh(X) ** 2)]
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        for name, fn, inputs, values, slope in cases:
            r = run_twice(fn, [inputs], dtype)
            assert r["out"].dtype == dtype and np.allclose(r["out"], values, rtol=1e-5), (
                f"{name} on {kind}: expected {kind} {np.round(values, 4).tolist()}, got {r['out'].dtype} {np.round(r['out'], 4).tolist()}")
            assert np.allclose(r["grads"][0], r["seed"] * slope, rtol=1e-5), f"{name} on {kind}: wrong gradient {r['grads'][0].tolist()}"
            assert r["grads"][0].dtype == dtype and r["local"][0].dtype == dtype, (
                f"{name}: the gradient of a {kind} input should be {kind}, the backward function returned {r['local'][0].dtype}")
            assert np.array_equal(r["inputs_after"][0], r["inputs"][0]), f"{name} must not change its input"
            assert np.array_equal(r["out_after"], r["out"]), f"{name}'s backward pass must not change the forward result"
            assert np.array_equal(r["grads_again"][0], r["grads"][0]), f"{name}: a second backward() should give the same gradient"
            assert np.array_equal(r["seed_after"], r["seed"]), f"{name}: the backward function must not change grad_output"

    print("✅ Elementwise function tests passed!")

test_elementwise_functions()

# %% [markdown]
# ## Step 14: Reshape and Transpose
#
# Reshaping and transposing move numbers around without changing them. So the backward
# pass just **moves the gradient back**:
#
# - `y = x.reshape(new_shape)`  ⇒  `∂L/∂x = (∂L/∂y).reshape(x.shape)`
# - `y = x.T` (reverse the axes)  ⇒  `∂L/∂x = (∂L/∂y).T` (reversing twice restores the order)
#
# You need them constantly: flattening an image before a dense layer, splitting
# attention heads, computing `X.T @ X`.

# %% nbgrader={"grade": false, "grade_id": "reshape-transpose", "locked": false, "schema_version": 3, "solution": true}
#| export
def reshape(x: Variable, *shape) -> Variable:
    """
    Reshape with gradient tracking: x.reshape(2, 3) or x.reshape((2, 3))

    TODO: Implement reshape and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Accept both forms: reshape(x, 2, 3) and reshape(x, (2, 3)); -1 means "whatever fits"
    3. Forward: the values in the new shape
    4. Backward: the gradient in x's original shape
    5. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = x.reshape(2, 3)     # [[1, 2, 3], [4, 5, 6]]
    y.backward()
    print(x.grad.shape)     # (6,)
    ```

    IMPLEMENTATION HINTS:
    - If exactly one argument came in `shape`, it is the shape itself: a tuple, or a
      single int (numpy's reshape accepts both)
    - ndarray.reshape does the work in both directions
    - Name the backward function reshape_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    if len(shape) == 1:                      # reshape(x, (2, 3)) or reshape(x, 6)
        shape = shape[0]
    values = x.data.data
    original_shape = values.shape

    def reshape_backward(grad_output):
        return (np.reshape(grad_output, original_shape),)

    return _make_result(values.reshape(shape), (x,), reshape_backward)
    ### END SOLUTION


def transpose(x: Variable) -> Variable:
    """
    Transpose (reverse all axes) with gradient tracking: x.T

    TODO: Implement the transpose and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: the values with their axes reversed
    3. Backward: reverse the gradient's axes (this restores x's axis order)
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    m = Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    t = m.T                 # shape (3, 2)
    t.backward()
    print(m.grad.shape)     # (2, 3)
    ```

    IMPLEMENTATION HINTS:
    - np.transpose(a) with no axes argument reverses them, like a.T in numpy
    - Name the backward function transpose_backward
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)

    def transpose_backward(grad_output):
        return (np.transpose(grad_output),)

    return _make_result(np.transpose(x.data.data), (x,), transpose_backward)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-reshape-transpose", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, multiply, matmul
def test_reshape_transpose():
    """Test reshape and transpose with gradients"""
    print("🔬 Unit Test: Reshape and Transpose...")

    x = Variable(np.arange(6.0), requires_grad=True)
    y = x.reshape(2, 3)
    assert y.shape == (2, 3), f"reshape(2, 3) should give shape (2, 3), got {y.shape}"
    assert x.reshape((3, 2)).shape == (3, 2), "reshape((3, 2)) with a tuple should work too"
    assert x.reshape(-1, 2).shape == (3, 2), "reshape(-1, 2) should infer 3 rows"
    weights = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (y * weights).backward()
    assert x.grad.shape == (6,), f"x.grad should have x's shape (6,), got {x.grad.shape}"
    assert np.allclose(x.grad.data.data, [1, 2, 3, 4, 5, 6]), f"each weight should flow back to its element, got {x.grad.data.data.tolist()}"

    m = Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    t = m.T
    assert t.shape == (3, 2), f"m.T should have shape (3, 2), got {t.shape}"
    assert np.allclose(t.data.data, [[1, 4], [2, 5], [3, 6]]), f"m.T values are wrong: {t.data.data.tolist()}"
    w = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    (t * w).backward()
    assert m.grad.shape == (2, 3), f"m.grad should have m's shape (2, 3), got {m.grad.shape}"
    assert np.allclose(m.grad.data.data, w.T), f"m.grad should be w.T = {w.T.tolist()}, got {m.grad.data.data.tolist()}"

    assert Variable(np.zeros((2, 3, 4))).T.shape == (4, 3, 2), ".T should reverse all axes of a 3-D Variable"

    rng = np.random.default_rng(5)
    assert gradcheck(lambda v: v.reshape(3, 2).T, [Variable(rng.standard_normal((2, 3)))])
    assert gradcheck(lambda v: v.T @ v, [Variable(rng.standard_normal((3, 2)))])

    # (2, 3, 4): reshape, and .T reversing ALL the axes (not just the last two), with
    # float32 and float64 kept, inputs and results unchanged, a second backward the same
    X = np.arange(24.0).reshape(2, 3, 4) - 11.5
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        for name, fn, values, back in [
                ("reshape(4, 6)", lambda t: reshape(t, 4, 6), X.reshape(4, 6), lambda g: g.reshape(2, 3, 4)),
                ("reshape(-1)", lambda t: reshape(t, -1), X.reshape(-1), lambda g: g.reshape(2, 3, 4)),
                (".T of (2, 3, 4)", transpose, np.transpose(X, (2, 1, 0)), lambda g: np.transpose(g, (2, 1, 0)))]:
            r = run_twice(fn, [X], dtype)
            assert r["out"].dtype == dtype and r["out"].shape == values.shape and np.array_equal(r["out"], values), (
                f"{name} on {kind}: expected {kind} of shape {values.shape}, got {r['out'].dtype} {r['out'].shape}")
            expected = back(r["seed"])
            assert r["grads"][0].shape == (2, 3, 4) and np.array_equal(r["grads"][0], expected), (
                f"{name}: every gradient number must go back to the position its value came from")
            assert r["grads"][0].dtype == dtype and r["local"][0].dtype == dtype, f"{name}: the gradient should be {kind}"
            assert np.array_equal(r["grads_again"][0], r["grads"][0]), f"{name}: a second backward() should give the same gradient"
            assert np.array_equal(r["inputs_after"][0], r["inputs"][0]) and np.array_equal(r["out_after"], r["out"]), (
                f"{name}: x and the result must not change")

    print("✅ Reshape and transpose tests passed!")

test_reshape_transpose()

# %% [markdown]
# ## Step 15: Indexing and Slicing
#
# ### Picking numbers out of a Variable
# `x[1]`, `x[:, 1:3]`, `x[[0, 2, 0]]`, `x[x > 0]`: numpy's indexing, with gradients. You
# need it everywhere: an embedding table is indexed by token ids (`E[token_ids]`), a
# classifier's loss picks the logit of the right class in every row
# (`logits[np.arange(N), labels]`), a sequence model slices out time steps.
#
# ### The gradient goes back to where the number came from
# Indexing copies numbers; it computes nothing. So each entry of the result sends its
# gradient back to the position it was read from, and positions that were not read get 0:
#
# ```
# x       = [a,  b,  c,  d]
# y       = x[[0, 2, 0]]  = [a, c, a]          (position 0 is read twice)
# ∂L/∂y   = [g₀, g₁, g₂]
# ∂L/∂x   = [g₀ + g₂, 0, g₁, 0]                (both uses of a are summed)
# ```
#
# A position read twice collects both gradients, for the same reason as in Step 3: a
# number used twice receives the sum of two gradients.
#
# ### The trap: `grad[index] += g` with repeated indices
# The obvious backward pass, "zeros, then `grad[index] += grad_output`", is right for
# slices, masks and distinct indices, and silently wrong for repeated ones. numpy
# evaluates it as `grad[index] = grad[index] + grad_output`: it reads all the old values
# first, then writes, so for `[0, 2, 0]` the second write to position 0 replaces the
# first instead of adding to it (∂L/∂a would be g₂, not g₀ + g₂).
# `np.add.at(array, index, values)` is the unbuffered version: it adds the values one at a
# time, so repeated positions accumulate. PyTorch does the same in its `IndexBackward`
# (`index_put_` with `accumulate=True`).
#
# ### What `index` can be
# The Variable's `__getitem__` (provided) turns Tensors and Variables inside the index
# into ndarrays: so `x[x > 0]` works, with the boolean Tensor that the comparison returns.
# Your function receives an index numpy understands: an int, a slice, a list or array of
# ints, a boolean mask, or a tuple of these. numpy's indexing and `np.add.at` accept the
# very same index, so you never need to look inside it.

# %% nbgrader={"grade": false, "grade_id": "getitem-function", "locked": false, "schema_version": 3, "solution": true}
#| export
def getitem(x: Variable, index) -> Variable:
    """
    Indexing and slicing with gradient tracking: x[index]

    TODO: Implement indexing and its backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert x to a Variable if needed
    2. Forward: index the values with numpy, exactly as given
    3. Backward: start from zeros shaped (and typed) like x's values, and add grad_output
       in at the positions the forward pass read; a position read twice gets both
    4. Return Variable with result and grad_fn

    EXAMPLE USAGE:
    ```python
    x = Variable([10.0, 20.0, 30.0, 40.0])
    y = x[[0, 2, 0]]            # [10.0, 30.0, 10.0]
    y.backward(np.array([1.0, 2.0, 3.0]))
    print(x.grad)               # [4.0, 0.0, 2.0, 0.0]: position 0 collects 1 + 3

    m = Variable(np.arange(6.0).reshape(2, 3))
    m[:, 1:].sum().backward()
    print(m.grad)               # [[0, 1, 1], [0, 1, 1]]
    ```

    IMPLEMENTATION HINTS:
    - np.zeros_like keeps the dtype: a float32 x must get a float32 gradient
    - np.add.at(target, index, values) adds values into target at index, in place,
      one value at a time, so repeated positions accumulate; it returns None
    - Make the zeros inside the backward function: an array made once in the forward
      pass would still hold the first backward's sums when backward() runs again
    - Name the backward function getitem_backward

    LEARNING CONNECTIONS:
    - torch.Tensor.__getitem__ with autograd (IndexBackward, SliceBackward)
    - Embedding layers are exactly this: rows of a weight matrix picked by token id,
      and the rows of repeated tokens collect several gradients
    """
    ### BEGIN SOLUTION
    x = _to_variable(x)
    values = x.data.data

    def getitem_backward(grad_output):
        grad = np.zeros_like(values)
        np.add.at(grad, index, grad_output)
        return (grad,)

    return _make_result(values[index], (x,), getitem_backward)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-indexing", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, multiply
def test_indexing():
    """Indexing and slicing: values, scatter-add gradients, dtypes, repeated backward"""
    print("🔬 Unit Test: Indexing and Slicing...")

    base = np.arange(12.0).reshape(3, 4) - 5.5        # 3 x 4, every value different
    positions = np.arange(base.size).reshape(base.shape)  # where each number sits
    cases = {
        "x[1]": 1,
        "x[1, 2]": (1, 2),
        "x[:, 1:3]": (slice(None), slice(1, 3)),
        "x[::-1, -1]": (slice(None, None, -1), -1),
        "x[[0, 2, 0]]": [0, 2, 0],
        "x[[0, 0, 2], [1, 1, 3]]": ([0, 0, 2], [1, 1, 3]),
        "x[x > 0]": base > 0,
    }
    for dtype in (np.float32, np.float64):
        kind = np.dtype(dtype).name
        for name, index in cases.items():
            r = run_twice(lambda t: getitem(t, index), [base], dtype)
            assert r["out"].dtype == dtype, f"{name} on {kind} should stay {kind}, got {r['out'].dtype}"
            assert r["out"].shape == np.shape(base[index]) and np.array_equal(r["out"], base[index]), (
                f"{name} should be {base[index].tolist()}, got {r['out'].tolist()}")
            # Each number of the result sends its gradient back to where it was read;
            # a position read twice gets the sum
            expected = np.bincount(np.ravel(positions[index]), weights=np.ravel(r["seed"]),
                                   minlength=base.size).reshape(base.shape)
            assert r["grads"][0] is not None and np.allclose(r["grads"][0], expected), (
                f"{name} ({kind}): x.grad should be {expected.tolist()}, got {r['grads'][0]}")
            assert r["local"][0].dtype == dtype, f"{name}: getitem_backward should return a {kind} gradient, got {r['local'][0].dtype}"
            assert np.array_equal(r["grads_again"][0], r["grads"][0]), (
                f"{name}: a second backward() should give the same gradient, got {r['grads_again'][0].tolist()} "
                f"after {r['grads'][0].tolist()}: make the zeros inside the backward function")
            assert np.array_equal(r["inputs_after"][0], r["inputs"][0]) and np.array_equal(r["out_after"], r["out"]), (
                f"{name}: indexing must not change x or the result")
            assert np.array_equal(r["seed_after"], r["seed"]), f"{name}: the backward function must not change grad_output"

    # The operator, with the boolean Tensor that a comparison returns
    x = Variable(base.astype(np.float32))
    picked = x[x > 0]
    assert isinstance(picked, Variable) and picked.shape == (6,), f"x[x > 0] should pick 6 numbers, got shape {picked.shape}"
    assert np.array_equal(picked.data.data, base[base > 0]), f"x[x > 0] should be {base[base > 0].tolist()}, got {picked.data.data.tolist()}"
    picked.backward()
    assert x.grad.data.data.dtype == np.float32 and np.array_equal(x.grad.data.data, (base > 0).astype(np.float32)), (
        f"x[x > 0].backward() should give 1 where x > 0, 0 elsewhere, got {x.grad.data.data.tolist()}")
    assert "getitem_backward" in repr(x[0]), f"repr should name getitem_backward, got {x[0]!r}"

    # An embedding lookup: rows picked by token id; a repeated token collects every use
    E = Variable(np.arange(15.0).reshape(5, 3))
    rows = E[np.array([3, 1, 3, 3])]
    assert rows.shape == (4, 3), f"E[[3, 1, 3, 3]] should have shape (4, 3), got {rows.shape}"
    rows.backward(np.ones((4, 3)))
    assert E.grad.data.data[:, 0].tolist() == [0.0, 1.0, 0.0, 3.0, 0.0], (
        f"row 3 was used 3 times, row 1 once: E.grad[:, 0] should be [0, 1, 0, 3, 0], got {E.grad.data.data[:, 0].tolist()}")

    # Finite differences, on compositions and on a 3-D Variable
    rng = np.random.default_rng(6)
    assert gradcheck(lambda t: multiply(t[1:, ::2], t[:2, 1::2]), [Variable(rng.standard_normal((3, 4)))])
    assert gradcheck(lambda t: t[[2, 0, 2]][:, [1, 1, 3]], [Variable(rng.standard_normal((3, 4)))])
    v = Variable(rng.standard_normal((2, 3, 4)))
    assert v[..., 1].shape == (2, 3) and v[:, None, 0].shape == (2, 1, 4), "Ellipsis and None should index like numpy"
    assert gradcheck(lambda t: t[..., [3, 0, 3]], [v])
    assert gradcheck(lambda t: t[:, None, 0], [v])

    print("✅ Indexing tests passed!")

test_indexing()

# %% [markdown]
# ## Step 16: Stress Tests — Shared Subgraphs and Deep Graphs
#
# Now for the two graphs from Step 4 that break a recursive backward pass.
#
# ### Shared subgraphs
# ```
# y₀ = x,   y₁ = y₀ + y₀,   y₂ = y₁ + y₁,   ...,   y₄₀ = y₃₉ + y₃₉
# ```
# The graph has 41 nodes, and y₄₀ = 2⁴⁰ · x, so ∂y₄₀/∂x = 2⁴⁰ = 1,099,511,627,776. An
# engine that visits each node once finishes instantly. An engine that follows every path
# separately makes 2⁴⁰ calls and never finishes (the test runner's time limit will stop
# it).
#
# ### Deep graphs
# 20,000 operations in a row: `y = y * 1.0001`, `y = y + 0.5`, ... A recursive engine hits
# Python's recursion limit long before the bottom. Your explicit-stack search does not
# care how deep the graph is.

# %% nbgrader={"grade": true, "grade_id": "test-shared-subgraph", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, add, multiply
def test_shared_subgraph():
    """Each node is visited once: gradients of reused values are summed, fast"""
    print("🔬 Unit Test: Shared Subgraphs...")

    x = Variable(3.0, requires_grad=True)
    z = x + x
    z.backward()
    assert x.grad.data.data.item() == 2.0, f"z = x + x: ∂z/∂x should be 2.0, got {x.grad.data.data.item()}"

    # A diamond: a feeds both b and c
    x = Variable(1.0, requires_grad=True)
    a = x * 2
    b = a * 3
    c = a * 4 + x
    d = b + c
    d.backward()
    assert x.grad.data.data.item() == 15.0, f"d = 6x + 8x + x: ∂d/∂x should be 15.0, got {x.grad.data.data.item()}"

    # 40 doublings: 41 nodes, 2**40 paths
    x = Variable(1.5, requires_grad=True)
    y = x
    for _ in range(40):
        y = y + y
    y.backward()
    assert y.data.data.item() == 1.5 * 2.0**40, f"y should be 1.5 · 2⁴⁰, got {y.data.data.item()}"
    assert x.grad.data.data.item() == 2.0**40, f"∂y/∂x should be 2⁴⁰ = {2**40}, got {x.grad.data.data.item()}"

    print("✅ Shared subgraph tests passed!")

test_shared_subgraph()

# %% nbgrader={"grade": true, "grade_id": "test-deep-chain", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, add, multiply
def test_deep_chain():
    """backward() handles a chain of 20,000 operations without recursion"""
    print("🔬 Unit Test: Deep Chain (20,000 operations)...")

    x = Variable(0.5, requires_grad=True)
    y = x
    for i in range(20000):
        y = y * 1.0001 if i % 2 == 0 else y + 0.5
    try:
        y.backward()
    except RecursionError:
        raise AssertionError("backward() hit Python's recursion limit: build the topological "
                             "order with an explicit stack instead of recursion") from None
    expected = 1.0001 ** 10000
    assert x.grad is not None, "x should have a gradient after backward()"
    got = x.grad.data.data.item()
    assert abs(got - expected) < 1e-9 * expected, f"∂y/∂x should be 1.0001¹⁰⁰⁰⁰ = {expected:.10f}, got {got:.10f}"

    print("✅ Deep chain test passed!")

test_deep_chain()
### BEGIN HIDDEN TESTS
# Hidden from students: a wide, deep graph where every node feeds two later ones.
_hidden_x = Variable(1.0, requires_grad=True)
_hidden_a, _hidden_b = _hidden_x * 1.0, _hidden_x * 1.0
for _hidden_step in range(5000):
    _hidden_a, _hidden_b = _hidden_a * 0.5 + _hidden_b * 0.5, _hidden_b * 0.5 + _hidden_a * 0.5
(_hidden_a + _hidden_b).backward()
assert abs(_hidden_x.grad.data.data.item() - 2.0) < 1e-9, "a wide 5,000-step graph must give dL/dx = 2"
### END HIDDEN TESTS

# %% [markdown]
# ## Step 17: Gradient Accumulation
#
# ### Why gradients add up instead of being replaced
# - A parameter used in several places (weight sharing, an RNN's weights at every time
#   step) must collect the gradient from every use.
# - Sometimes a batch does not fit in memory: run `backward()` on several small batches,
#   let the gradients add up, then take one optimizer step.
# - Several losses can be back-propagated one after the other.
#
# So `backward()` **adds** to `.grad`, and you reset it with `zero_grad()` before the next
# step. Forgetting `zero_grad()` is one of the classic PyTorch bugs: each step then uses
# the sum of all previous gradients.
#
# ### Gradients never share memory
# Each leaf owns its own gradient array. An optimizer that updates one parameter's
# gradient in place (some do, for speed) must never change another's.

# %% nbgrader={"grade": true, "grade_id": "test-gradient-accumulation", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, add, multiply
def test_gradient_accumulation():
    """Gradients accumulate until zero_grad, never alias, and backward has clear rules"""
    print("🔬 Unit Test: Gradient Accumulation...")

    x = Variable([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward()
    assert np.allclose(x.grad.data.data, [2.0, 4.0, 6.0]), f"∂(x²)/∂x should be 2x = [2, 4, 6], got {x.grad.data.data.tolist()}"
    y.backward()
    assert np.allclose(x.grad.data.data, [4.0, 8.0, 12.0]), f"a second backward() should add: [4, 8, 12], got {x.grad.data.data.tolist()}"
    assert y.grad is None, "non-leaf Variables should not keep .grad"
    assert isinstance(x.grad, Variable) and x.grad.requires_grad == False, "x.grad should be a Variable with requires_grad=False"
    x.zero_grad()
    assert x.grad is None, "zero_grad should reset the gradient to None"
    y.backward()
    assert np.allclose(x.grad.data.data, [2.0, 4.0, 6.0]), f"after zero_grad, backward should start from scratch: [2, 4, 6], got {x.grad.data.data.tolist()}"

    # Gradients never share memory
    a = Variable([1.0, 2.0], requires_grad=True)
    b = Variable([3.0, 4.0], requires_grad=True)
    (a + b).backward()
    assert not np.shares_memory(a.grad.data.data, b.grad.data.data), "a.grad and b.grad must not share memory"
    a.grad.data.data[0] = 100.0
    assert b.grad.data.data[0] == 1.0, f"changing a.grad must not change b.grad, b.grad is now {b.grad.data.data.tolist()}"

    seed = np.array([1.0, 1.0])
    c = Variable([5.0, 6.0], requires_grad=True)
    c.backward(seed)
    seed[0] = 50.0
    assert c.grad.data.data[0] == 1.0, "c.grad must not share memory with the gradient passed to backward()"
    assert not np.shares_memory(c.grad.data.data, c.data.data), "a gradient must not share memory with the data"

    # add_backward hands one array to both parents: summing into it in place (+=)
    # would change the gradient still waiting for another node
    x = Variable(1.0, requires_grad=True)
    y = Variable(1.0, requires_grad=True)
    u = x * 1.0
    w = u * 2.0
    r = y * 3.0 + (u + w)        # r = 3y + 3x
    r.backward()
    assert x.grad.data.data.item() == 3.0, f"∂r/∂x should be 3.0, got {x.grad.data.data.item()}"
    assert y.grad.data.data.item() == 3.0, (
        f"∂r/∂y should be 3.0, got {y.grad.data.data.item()}: combine gradients with a + b, not a += b")

    # A second, fresh graph adds to the same leaf; a leaf's gradient always has the leaf's
    # dtype, even when an operation computed in float64 (a float64 constant array)
    w = Variable(np.array([1.0, -2.0, 0.5], dtype=np.float32), requires_grad=True)
    (w * w).backward()                                   # 2w
    (w * np.array([3.0, 3.0, 3.0])).backward()           # + 3, computed in float64
    assert w.grad.data.data.dtype == np.float32, f"a float32 leaf's gradient should be float32, got {w.grad.data.data.dtype}"
    assert np.allclose(w.grad.data.data, [5.0, -1.0, 4.0]), f"2w + 3 should be [5, -1, 4], got {w.grad.data.data.tolist()}"

    # A backward function may return None for a parent: that parent gets no gradient
    p = Variable([1.0, 2.0], requires_grad=True)
    q = Variable([3.0, 4.0], requires_grad=True)
    values_pq = p.data.data * q.data.data
    node = _make_result(values_pq, (p, q), lambda g: (g * q.data.data, None))
    node.backward()
    assert np.allclose(p.grad.data.data, [3.0, 4.0]) and q.grad is None, (
        f"a None gradient means no gradient: p.grad should be [3, 4] and q.grad None, got {p.grad} and {q.grad}")

    # A gradient can be given as a Variable, a Tensor, an ndarray or a number
    d = Variable([1.0, 2.0], requires_grad=True)
    e = d * 3
    e.backward(Variable([1.0, 2.0]))
    e.backward(Tensor(np.array([1.0, 1.0])))
    e.backward(np.array([0.0, 1.0]))
    assert np.allclose(d.grad.data.data, [6.0, 12.0]), f"3·([1, 2] + [1, 1] + [0, 1]) = [6, 12], got {d.grad.data.data.tolist()}"

    # Constants do not require grad, and neither do results computed only from them
    k = Variable(1.0, requires_grad=False)
    r = k + 2.0
    assert r.requires_grad == False, "a result computed only from constants should not require grad"
    try:
        r.backward()
    except RuntimeError:
        pass
    else:
        raise AssertionError("backward() on a Variable that does not require grad should raise RuntimeError")

    print("✅ Gradient accumulation tests passed!")

test_gradient_accumulation()

# %% [markdown]
# ## Step 18: Integration with Neural Network Training
#
# ### The Complete Training Loop
# Let's see how autograd enables neural network training:
#
# 1. **Forward pass**: Compute predictions
# 2. **Loss computation**: Compare with targets
# 3. **Backward pass**: Compute gradients automatically
# 4. **Parameter update**: Update weights using gradients
#
# ### Example: Simple Linear Regression
# ```python
# # Model: y = wx + b
# w = Variable(0.5, requires_grad=True)
# b = Variable(0.1, requires_grad=True)
#
# # Forward pass
# prediction = w * x + b
#
# # Loss: squared error
# loss = (prediction - target)**2
#
# # Backward pass (automatic!)
# w.zero_grad(); b.zero_grad()
# loss.backward()
#
# # Update parameters (new values, outside the graph)
# w.data = Tensor(w.data.data - learning_rate * w.grad.data.data)
# b.data = Tensor(b.data.data - learning_rate * b.grad.data.data)
# ```
#
# ### Why This is Powerful
# - **Automatic**: No manual gradient computation
# - **Flexible**: Works with any differentiable function
# - **Efficient**: Minimal computational overhead
# - **Scalable**: Handles millions of parameters

# %% nbgrader={"grade": true, "grade_id": "test-neural-network-training", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: Variable, backpropagate, add, multiply, subtract
def test_neural_network_training():
    """Test autograd in neural network training scenario"""
    print("🔬 Unit Test: Neural Network Training Comprehensive Test...")

    # Simple linear regression: y = wx + b
    # Training data: y = 2x + 1

    # Initialize parameters
    w = Variable(0.1, requires_grad=True)  # Start with small random value
    b = Variable(0.0, requires_grad=True)  # Start with zero bias

    # Training data
    x_data = [1.0, 2.0, 3.0, 4.0]
    y_data = [3.0, 5.0, 7.0, 9.0]  # y = 2x + 1

    learning_rate = 0.01

    # Training loop (300 epochs: with 100, the bias is still about 0.1 away)
    for epoch in range(300):
        total_loss = Variable(0.0, requires_grad=False)

        for x_val, y_val in zip(x_data, y_data):
            # Create input variable
            x = Variable(x_val, requires_grad=False)
            target = Variable(y_val, requires_grad=False)

            # Forward pass
            prediction = add(multiply(w, x), b)  # wx + b

            # Loss: squared error
            error = subtract(prediction, target)
            loss = multiply(error, error)  # (pred - target)²

            # Accumulate loss
            total_loss = add(total_loss, loss)

        # Backward pass
        w.zero_grad()
        b.zero_grad()
        total_loss.backward()

        # Update parameters
        if w.grad is not None:
            w.data = Tensor(w.data.data - learning_rate * w.grad.data.data)
        if b.grad is not None:
            b.data = Tensor(b.data.data - learning_rate * b.grad.data.data)

    # Check that parameters converged to correct values
    final_w = w.data.data.item()
    final_b = b.data.data.item()

    print(f"Final weights: w = {final_w:.3f}, b = {final_b:.3f}")
    print(f"Target weights: w = 2.000, b = 1.000")

    # Should be close to w=2, b=1
    assert abs(final_w - 2.0) < 0.05, f"Weight should be close to 2.0, got {final_w}"
    assert abs(final_b - 1.0) < 0.05, f"Bias should be close to 1.0, got {final_b}"

    # Test prediction with learned parameters
    test_x = Variable(5.0, requires_grad=False)
    test_prediction = add(multiply(w, test_x), b)
    expected_output = 2.0 * 5.0 + 1.0  # 11.0

    prediction_error = abs(test_prediction.data.data.item() - expected_output)
    assert prediction_error < 0.5, f"Prediction error should be small, got {prediction_error}"

    print("✅ Neural network training comprehensive tests passed!")
    print(f"✅ Parameters converged to correct values")
    print(f"✅ Model makes accurate predictions")
    print(f"✅ Autograd enables automatic training")
    print(f"✅ Ready for complex neural network architectures!")

test_neural_network_training()

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
success = run_module_tests_auto("Autograd")

# %% [markdown]
# ## 🎯 Module Summary: Automatic Differentiation Mastery!
#
# Congratulations! You've successfully implemented the automatic differentiation engine
# that powers all modern deep learning:
#
# ### ✅ What You've Built
# - **Variable Class**: Tensor wrapper with gradient tracking and computational graph construction
# - **The Backward Engine**: a topological sort with an explicit stack, one visit per
#   node, gradients summed per node and accumulated into leaves
# - **Broadcasting**: every gradient summed back to its input's shape, in one place
# - **Operations**: `+ - * / ** @` (batched too), `2 ** x`, negation, `abs`, `sum`, `mean`,
#   `exp`, `log`, `relu`, `sigmoid` (stable at ±1000), `tanh`, `reshape`, `.T`, indexing
#   with a scatter-add backward, all with reflected operators and PyTorch's dtype rules
# - **numpy interop**: `np.asarray(x)`, `np.sum(x)`, `float(x)`, `x.item()`, comparisons
# - **Training Integration**: Complete training loop driven by automatic gradients
#
# ### ✅ Key Learning Outcomes
# - **Understanding**: How automatic differentiation works through computational graphs
# - **Implementation**: Built the gradient engine from scratch
# - **Mathematical mastery**: Chain rule, product and quotient rules, power rule,
#   matrix-calculus shape checks
# - **Verification**: Checked every gradient against finite differences with `gradcheck`
# - **Systems thinking**: why visiting order, recursion depth and memory aliasing matter
#
# ### ✅ Mathematical Foundations Mastered
# - **Chain Rule**: ∂f/∂x = ∂f/∂z · ∂z/∂x for composite functions
# - **Multiple paths**: ∂L/∂x sums the contributions of every use of x
# - **Broadcasting**: a value reused n times receives the sum of n gradients
# - **Computational Graphs**: Forward pass builds graph, backward pass computes gradients
#
# ### 🔗 Connection to Real ML Systems
# Your implementation mirrors production systems:
# - **PyTorch**: `torch.autograd` builds the same graph (`grad_fn`, `is_leaf`,
#   accumulating `.grad`, `zero_grad()`) and walks it in topological order
# - **TensorFlow**: `tf.GradientTape` records operations and replays them in reverse
# - **JAX**: `jax.grad` transforms functions using the same chain rule
# - **Testing**: `torch.autograd.gradcheck` is exactly your finite-difference check
#
# ### 🚀 What's Next
# Your autograd engine is the foundation for:
# - **Optimizers**: SGD, Adam, and other gradient-based optimizers read `.grad`
# - **Training Loops**: forward, loss, `zero_grad`, `backward`, step
# - **Advanced Architectures**: any model built from these operations trains for free
#
# You've built the engine that powers modern AI. Now let's use it to train systems that
# learn to solve complex problems!
