# %% [markdown]
# # Layers
#
# A layer is the building block of a neural network: it holds **trainable parameters** and
# maps an input batch to an output batch. The most important one — and the one this module
# builds — is the **dense** (fully connected, linear) layer:
#
# ```
# y = x @ W + b
# ```
#
# Almost every model contains it: the classifier head of a CNN, the feed-forward blocks
# and attention projections of a Transformer, every layer of an MLP.
#
# ### What you will build
# - **`matmul_naive`**: matrix multiplication with three Python loops, to see what it *is*
# - **`matmul`**: the same product, vectorised, with an error message that names both shapes
# - **`Parameter`**: how a layer creates its trainable values, so that the very same layer
#   trains once you have built autograd in module 07
# - **`Dense`**: weights initialised the Xavier or He way, a bias, a shape-checked forward
#   pass, and `parameters()`

# %% nbgrader={"grade": false, "grade_id": "layers-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.layers
#| export
import numpy as np

from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/03_layers/layers_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.layers`
#
# ```python
# # Final package structure:
# from tinytorch.core.layers import Dense, Parameter, matmul
# from tinytorch.core.tensor import Tensor
#
# layer = Dense(784, 128, seed=0)
# h = layer(Tensor(np.zeros((32, 784))))    # shape (32, 128)
# ```
#
# **Why this matters:**
# - **Learning:** the whole forward pass of a network is built from this one computation
# - **Production:** mirrors `torch.nn.Linear` (PyTorch's name for a dense layer),
#   `torch.matmul` and `torch.nn.Parameter`
# - **Consistency:** networks (module 04), optimizers (module 08) and training (module 09)
#   all work through `Dense` and `parameters()`

# %% [markdown]
# ## Step 1: Matrix Multiplication, One Multiply-Add at a Time
#
# ### Why start here?
# A dense layer is a matrix multiplication. For a batch of N inputs with `n_in` features
# each and a layer with `n_out` outputs:
#
# ```
#      x           W            y = x @ W
#  (N, n_in)  (n_in, n_out)    (N, n_out)
#
#  ┌─────────┐  ┌─────┐        ┌─────┐
#  │ row i ──┼─▶│  ┃  │   ──▶  │  •  │   y[i, j] = Σₖ x[i, k] · W[k, j]
#  └─────────┘  │  ┃  │        └─────┘
#               └─col j          one dot product per output element
# ```
#
# Each output element is the dot product of a row of `x` with a column of `W`. The inner
# sizes must agree (`n_in` on both sides), and the result has the outer sizes. Written as
# loops, that is three nested `for`s:
#
# ```
# for i in range(N):              # each row of x
#     for j in range(n_out):      # each column of W
#         for k in range(n_in):   # walk along both
#             y[i, j] += x[i, k] * W[k, j]
# ```
#
# That is N·n_in·n_out multiply-adds: for one MNIST batch through a 784→128 layer,
# 32·784·128 ≈ 3.2 million. Writing the loops once shows you exactly what the hardware is
# asked to do; Step 2 shows why nobody runs them in Python.
#
# The result array `y` should have the dtype that numpy's own `@` would give: float32
# inputs give a float32 product, integers an integer one, and int @ float a float one. A
# plain `np.zeros(shape)` is float64 whatever the inputs are.

# %% nbgrader={"grade": false, "grade_id": "matmul-naive", "locked": false, "schema_version": 3, "solution": true}
#| export
def matmul_naive(a, b):
    """
    Matrix product of two 2-D matrices with explicit loops (for teaching; slow).

    a and b may be Tensors, numpy arrays or nested lists.

    TODO: Compute a @ b with three nested loops and return it as a Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Take the numpy arrays of a and b: a Tensor's .data, anything else (an
       array, a nested list) converted with np.asarray
    2. Both must be 2-D, and a's columns must equal b's rows; otherwise raise
       ValueError with a message that shows both shapes
    3. Make a result array of zeros with shape (rows of a, columns of b), in the
       dtype numpy's own @ would give (float32 stays float32, ints stay ints)
    4. Loop over every row i and column j, and sum a[i, k] * b[k, j] over k
    5. Return the result as a Tensor

    EXAMPLE USAGE:
    ```python
    a = Tensor([[1, 2], [3, 4]])
    b = Tensor([[5, 6], [7, 8]])
    matmul_naive(a, b)                  # Tensor([[19, 22], [43, 50]])
    matmul_naive(a, Tensor([[1, 2, 3]]))  # ValueError: ... (2, 2) ... (1, 3) ...
    matmul_naive([[1.0, 2.0]], np.ones((2, 3)))   # Tensor([[3.0, 3.0, 3.0]])
    ```

    IMPLEMENTATION HINTS:
    - n, m = a.shape unpacks the two sizes of a 2-D array
    - np.zeros takes a dtype; np.result_type(a, b) is the dtype of a product of a and b.
      Plain np.zeros(shape) is float64, which would turn float32 inputs into float64
    - Use range() loops and plain indexing; no np.dot / @ here: that is Step 2
    """
    ### BEGIN SOLUTION
    a = np.asarray(a.data if isinstance(a, Tensor) else a)
    b = np.asarray(b.data if isinstance(b, Tensor) else b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul_naive needs two 2-D matrices, got shapes {a.shape} and {b.shape}")
    n, inner = a.shape
    inner_b, m = b.shape
    if inner != inner_b:
        raise ValueError(f"matmul_naive: cannot multiply {a.shape} by {b.shape}: "
                         f"a has {inner} columns but b has {inner_b} rows")
    result = np.zeros((n, m), dtype=np.result_type(a, b))
    for i in range(n):
        for j in range(m):
            for k in range(inner):
                result[i, j] += a[i, k] * b[k, j]
    return Tensor(result)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Naive Matmul

# %% nbgrader={"grade": true, "grade_id": "test-matmul-naive", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_matmul_naive():
    """The loop version computes the true matrix product, keeps the dtype, and rejects bad shapes."""
    print("🔬 Unit Test: Naive Matrix Multiplication...")

    out = matmul_naive(Tensor([[1, 2], [3, 4]]), Tensor([[5, 6], [7, 8]]))
    assert isinstance(out, Tensor), f"matmul_naive should return a Tensor, got {type(out).__name__}"
    got = np.asarray(out.data)
    assert got.shape == (2, 2), f"(2, 2) @ (2, 2) should give (2, 2), got {got.shape}"
    assert np.array_equal(got, [[19, 22], [43, 50]]), f"[[1, 2], [3, 4]] @ [[5, 6], [7, 8]] should be [[19, 22], [43, 50]], got {got.tolist()}"
    assert np.issubdtype(got.dtype, np.integer), f"integer matrices should give an integer product (like numpy's @), got {got.dtype}"

    # Rectangular shapes, where rows and columns cannot be mixed up, and the smallest cases
    for shape_a, shape_b in [((1, 3), (3, 1)), ((1, 1), (1, 1)), ((3, 1), (1, 4)), ((1, 3), (3, 4)), ((2, 5), (5, 3))]:
        a = (np.arange(np.prod(shape_a)) - 1.5).reshape(shape_a)        # distinct values, some negative
        b = (np.arange(np.prod(shape_b)) * 0.5 + 1.0).reshape(shape_b)
        got = np.asarray(matmul_naive(Tensor(a), Tensor(b)).data)
        assert got.shape == (shape_a[0], shape_b[1]), f"{shape_a} @ {shape_b} should give {(shape_a[0], shape_b[1])}, got {got.shape}"
        assert np.allclose(got, a @ b), f"{a.tolist()} @ {b.tolist()} should be {(a @ b).tolist()}, got {got.tolist()}"

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    got = np.asarray(matmul_naive(Tensor(a), Tensor(b)).data)
    assert got.shape == (4, 5), f"(4, 3) @ (3, 5) should give (4, 5), got {got.shape}"
    assert np.allclose(got, a @ b), f"random (4, 3) @ (3, 5) differs from numpy by {np.max(np.abs(got - a @ b)):.3g}"

    # The product has numpy's dtype: float32 stays float32, float64 stays float64
    for dtype in (np.float32, np.float64):
        a32, b32 = a.astype(dtype), b.astype(dtype)
        got = np.asarray(matmul_naive(Tensor(a32), Tensor(b32)).data)
        assert got.dtype == dtype, f"{np.dtype(dtype).name} @ {np.dtype(dtype).name} should stay {np.dtype(dtype).name}, got {got.dtype}"
        assert np.allclose(got, a32 @ b32, rtol=1e-5), f"{np.dtype(dtype).name} (4, 3) @ (3, 5) gave wrong values"

    # Mixed dtypes promote as numpy's @ does: int @ float is float (nothing truncated)
    got = np.asarray(matmul_naive(Tensor([[1, 2]]), Tensor([[0.5], [0.25]])).data)
    assert got.dtype == np.float64 and np.allclose(got, [[1.0]]), f"int [[1, 2]] @ float [[0.5], [0.25]] should be float64 [[1.0]], got {got.tolist()} ({got.dtype})"
    got = np.asarray(matmul_naive(Tensor(a.astype(np.float32)), Tensor(b)).data)
    assert got.dtype == np.float64, f"float32 @ float64 should give float64 (as numpy's @ does), got {got.dtype}"

    # Nested lists and numpy arrays are accepted too
    got = np.asarray(matmul_naive([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.array([[1.0], [0.0], [-1.0]])).data)
    assert got.shape == (2, 1) and np.array_equal(got, [[-2.0], [-2.0]]), f"a list @ an array should be [[-2], [-2]], got {got.tolist()}"
    got = np.asarray(matmul_naive(np.array([[1.0, 2.0]]), [[3.0, 0.0, 1.0], [-1.0, 2.0, 0.5]]).data)
    assert got.shape == (1, 3) and np.array_equal(got, [[1.0, 4.0, 2.0]]), f"an array @ a list should be [[1, 4, 2]], got {got.tolist()}"

    for shape_a, shape_b in [((2, 3), (2, 3)), ((4, 3), (4, 3)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 2, 3), (3, 2))]:
        try:
            matmul_naive(Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b)))
        except ValueError as exc:
            assert str(shape_a) in str(exc) and str(shape_b) in str(exc), f"the error should show both shapes {shape_a} and {shape_b}, got: {exc}"
        else:
            raise AssertionError(f"{shape_a} @ {shape_b} should raise ValueError (two matrices with matching inner sizes needed)")

    print("✅ loops compute the matrix product, for rectangular and 1x1 matrices")
    print("✅ dtype kept, lists and arrays accepted, bad shapes raise a clear ValueError")

test_matmul_naive()

# %% [markdown]
# ## Step 2: Vectorised Matrix Multiplication
#
# ### Why loops in Python are slow
# Each iteration of a Python loop runs dozens of interpreter instructions: look up
# `a[i, k]`, box the number into a Python float, multiply, add, bounds-check... The actual
# multiply-add is a tiny fraction of the work. numpy's `@` hands the whole product to a
# compiled **BLAS** library (OpenBLAS, MKL, Accelerate), which
#
# - runs tight machine code with no interpreter in the loop,
# - uses SIMD instructions (4–16 multiply-adds per instruction),
# - tiles the matrices so that blocks stay in the CPU cache,
# - and uses several cores.
#
# The difference is typically a factor of 100 to 10,000 — the test below measures it on
# your machine. On a GPU, PyTorch calls cuBLAS for the same reason. This is the first
# *systems* lesson of deep learning: **express computations as whole-array operations**,
# and the hardware does the rest.
#
# ### Shape errors that help
# Shape mismatches are the most common bug in deep-learning code. numpy says
# `matmul: Input operand 1 has a mismatch in its core dimension 0...`. A good library
# says which two shapes it was given and which sizes disagree, so check the shapes
# *before* calling numpy. `matmul` follows numpy's rules for what it accepts (vectors,
# matrices, batches of matrices); the inner sizes are the last axis of `a` and, for `b`,
# its only axis if it is a vector, otherwise its second-to-last axis.

# %% nbgrader={"grade": false, "grade_id": "matmul-vectorised", "locked": false, "schema_version": 3, "solution": true}
#| export
def matmul(a, b):
    """
    Matrix product of two Tensors, computed by numpy (fast), with a clear shape error.

    Like matmul_naive, it also accepts numpy arrays and nested lists.

    TODO: Check the inner dimensions, then compute a @ b with numpy and return a Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Take the numpy arrays of a and b (as in matmul_naive)
    2. If either is 0-dimensional, raise ValueError naming both shapes
    3. Find the inner sizes: a's last axis; b's only axis if b is a vector,
       otherwise b's second-to-last axis
    4. If they differ, raise ValueError with a message containing both shapes
    5. Otherwise let numpy multiply and wrap the result in a Tensor

    EXAMPLE USAGE:
    ```python
    x = Tensor(np.ones((32, 784)))
    W = Tensor(np.ones((784, 128)))
    matmul(x, W).shape                     # (32, 128)
    matmul(x, Tensor(np.ones((100, 10))))  # ValueError: ... (32, 784) ... (100, 10) ...
    ```

    IMPLEMENTATION HINTS:
    - shape[-1] is the last axis, shape[-2] the second-to-last
    - np.matmul(a, b) (or a @ b on arrays) does the multiplication, and keeps the dtype
    - An f-string shows a shape tuple directly: f"{a.shape}"
    - A 0-dimensional operand on either side is an error, not only when both are
    """
    ### BEGIN SOLUTION
    a = np.asarray(a.data if isinstance(a, Tensor) else a)
    b = np.asarray(b.data if isinstance(b, Tensor) else b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul needs at least 1-D operands, got shapes {a.shape} and {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ValueError(f"matmul: cannot multiply {a.shape} by {b.shape}: "
                         f"inner dimensions {inner_a} and {inner_b} differ")
    return Tensor(np.matmul(a, b))
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Vectorised Matmul
#
# Besides checking values and errors, this test times both versions on the same matrices.

# %% nbgrader={"grade": true, "grade_id": "test-matmul", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: matmul_naive
def test_matmul():
    """matmul agrees with numpy for matrices, vectors and batches, keeps dtypes, names both shapes, and is fast."""
    import time
    print("🔬 Unit Test: Vectorised Matrix Multiplication...")

    out = matmul(Tensor([[1, 2], [3, 4]]), Tensor([[5, 6], [7, 8]]))
    assert isinstance(out, Tensor), f"matmul should return a Tensor, got {type(out).__name__}"
    got = np.asarray(out.data)
    assert np.array_equal(got, [[19, 22], [43, 50]]), f"[[1, 2], [3, 4]] @ [[5, 6], [7, 8]] should be [[19, 22], [43, 50]], got {got.tolist()}"
    assert np.issubdtype(got.dtype, np.integer), f"integer matrices should give an integer product, got {got.dtype}"

    rng = np.random.default_rng(0)
    cases = [((32, 16), (16, 8)), ((1, 1), (1, 1)), ((1, 4), (4, 3)), ((5,), (5, 3)), ((4, 5), (5,)), ((3,), (3,)),
             ((2, 3, 4), (4, 6)), ((2, 3, 4), (2, 4, 5)), ((3, 1, 2, 4), (5, 4, 3))]
    for shape_a, shape_b in cases:
        a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
        got = np.asarray(matmul(Tensor(a), Tensor(b)).data)
        want = a @ b
        assert got.shape == want.shape, f"{shape_a} @ {shape_b} should have shape {want.shape}, got {got.shape}"
        assert np.allclose(got, want), f"{shape_a} @ {shape_b} differs from numpy by {np.max(np.abs(got - want)):.3g}"

    for dtype in (np.float32, np.float64):
        a, b = rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal((3, 5)).astype(dtype)
        got = np.asarray(matmul(Tensor(a), Tensor(b)).data)
        assert got.dtype == dtype, f"{np.dtype(dtype).name} @ {np.dtype(dtype).name} should stay {np.dtype(dtype).name}, got {got.dtype}"

    got = np.asarray(matmul([[1.0, 2.0, 3.0]], np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])).data)
    assert np.array_equal(got, [[4.0, 5.0]]), f"a list @ an array should be [[4, 5]], got {got.tolist()}"
    got = np.asarray(matmul(np.array([[1.0, 2.0], [0.0, -1.0]]), [3.0, 0.5]).data)
    assert np.array_equal(got, [4.0, -0.5]), f"an array @ a list (a vector) should be [4, -0.5], got {got.tolist()}"

    for shape_a, shape_b in [((32, 784), (100, 10)), ((3,), (4, 2)), ((2, 3), (2,)), ((2, 3, 4), (2, 5, 6)),
                             ((2, 3), (2, 3)), ((), (2,)), ((2,), ())]:
        try:
            matmul(Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b)))
        except ValueError as exc:
            message = str(exc)
            assert str(shape_a) in message and str(shape_b) in message, (
                f"the error should name both shapes {shape_a} and {shape_b}, got: {message}")
        else:
            raise AssertionError(f"{shape_a} @ {shape_b} should raise ValueError")

    a, b = rng.standard_normal((60, 60)), rng.standard_normal((60, 60))
    start = time.perf_counter()
    slow = np.asarray(matmul_naive(Tensor(a), Tensor(b)).data)
    naive_seconds = time.perf_counter() - start
    start = time.perf_counter()
    fast = np.asarray(matmul(Tensor(a), Tensor(b)).data)
    fast_seconds = time.perf_counter() - start
    assert np.allclose(slow, fast), "matmul and matmul_naive should agree"
    print(f"⏱️  60x60 @ 60x60: loops {naive_seconds * 1000:.1f} ms, vectorised {fast_seconds * 1000:.3f} ms "
          f"(about {naive_seconds / max(fast_seconds, 1e-9):,.0f}x faster)")

    print("✅ matmul agrees with numpy for matrices, vectors and batches, and keeps the dtype")
    print("✅ shape errors name both shapes")

test_matmul()

# %% [markdown]
# ## Step 3: Parameters — Values a Layer Can Learn
#
# ### What makes a weight special?
# A layer's weights are ordinary arrays of numbers with one extra property: training must
# be able to **change them in the direction that lowers the loss**. For that it needs
# their gradients, which only a gradient-tracking value (autograd's `Variable`, module 07)
# provides. But you write layers *now*, before autograd exists. How can the same `Dense`
# work both today and after module 07, without being rewritten?
#
# ### The answer: create weights through one factory
# Every layer creates its trainable values by calling `Parameter(data)`:
#
# ```
#                    tinytorch.core.autograd       Parameter(data) returns
#  before module 07  not importable          ──▶   Tensor(data)            forward works
#  after  module 07  importable              ──▶   Variable(data,          forward works AND
#                                                   requires_grad=True)     gradients flow
# ```
#
# Why does the rest of `Dense` not need to change? Because its forward pass is written
# with operators: `x @ self.weights + self.bias`. With a `Tensor` input and `Variable`
# weights, `Tensor.__matmul__` does not know `Variable`s and returns `NotImplemented`, so
# Python asks the right-hand side: `Variable.__rmatmul__` computes the product *and*
# records it in the graph. The result is a `Variable`, and `loss.backward()` later fills
# `layer.weights.grad`, which the optimizers of module 08 use to update the weights.
#
# ### Why import inside the function?
# `import tinytorch.core.autograd` at the top of this file would fail today (there is no
# autograd yet), and it would make `layers` depend on a later module. Importing **inside**
# `Parameter` asks the question each time a parameter is created: *is autograd there now?*
# Python caches imported modules, so asking again costs almost nothing.
#
# Only one failure means "autograd is not built yet": `ModuleNotFoundError` for
# `tinytorch.core.autograd` itself. Any other error (a bug inside an exported autograd,
# say) must not be silently swallowed, or you would train a network whose weights never
# learn and never find out why.
#
# ### In PyTorch
# `torch.nn.Parameter(tensor)` marks a tensor as trainable (`requires_grad=True`) and
# registers it with its module so that `model.parameters()` finds it — the same job.

# %% nbgrader={"grade": false, "grade_id": "parameter-factory", "locked": false, "schema_version": 3, "solution": true}
#| export
def Parameter(data):
    """
    A trainable value: a Variable(requires_grad=True) once autograd exists, else a Tensor.

    TODO: Wrap `data` as a trainable Variable if tinytorch.core.autograd can be imported,
    and as a plain Tensor otherwise.

    STEP-BY-STEP IMPLEMENTATION:
    1. Try to import tinytorch.core.autograd inside this function
    2. If that raises ModuleNotFoundError because tinytorch.core.autograd itself is
       missing: return the data as a Tensor (if it is one already, return it as it is)
    3. If the ModuleNotFoundError is about some other module, raise it again
    4. Otherwise return autograd's Variable(data, requires_grad=True)

    EXAMPLE USAGE:
    ```python
    w = Parameter(np.zeros((3, 2), dtype=np.float32))
    # before module 07 is exported:  Tensor of shape (3, 2)
    # after:                         Variable of shape (3, 2), requires_grad=True
    ```

    IMPLEMENTATION HINTS:
    - An import statement can sit inside a function and inside a try block; import the
      module by its full dotted name and give it the short name autograd with `as`
    - A ModuleNotFoundError has a .name attribute: the module that was not found
    - Keep the dtype: Tensor(data) without a dtype argument keeps float32 as float32
    - A bare `raise` inside an except block re-raises the current exception
    """
    ### BEGIN SOLUTION
    try:
        import tinytorch.core.autograd as autograd
    except ModuleNotFoundError as exc:
        if exc.name != "tinytorch.core.autograd":
            raise
        return data if isinstance(data, Tensor) else Tensor(data)
    return autograd.Variable(data, requires_grad=True)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Parameter Factory
#
# Autograd does not exist yet, but both branches of `Parameter` must be right. So the test
# briefly *pretends*: for the length of a `with` block it puts a tiny fake
# `tinytorch.core.autograd` (whose `Variable` only remembers its arguments) where Python's
# import looks first — `sys.modules`, the dictionary of loaded modules — and then puts
# everything back. It also pretends once that autograd exists but is broken (it needs a
# module that is not installed): an error `Parameter` must not hide. After module 07 the
# test also checks the real `Variable`. The helpers for this are in the next cell; you do
# not need to understand them to pass the test.

# %% nbgrader={"grade": false, "grade_id": "parameter-test-helpers", "locked": true, "schema_version": 3, "solution": false}
import contextlib
import importlib
import importlib.abc
import sys
import types

import tinytorch.core as _core_package

_AUTOGRAD = "tinytorch.core.autograd"


def _exported_autograd():
    """The exported autograd module (module 07), or None while it does not exist."""
    try:
        return importlib.import_module(_AUTOGRAD)
    except ModuleNotFoundError:
        return None


class _FakeVariable:
    """What the fake autograd calls a Variable: it only remembers its arguments."""

    def __init__(self, data, requires_grad=False):
        self.data = data
        self.requires_grad = requires_grad


class _NeedsMissingModule(importlib.abc.MetaPathFinder):
    """Makes importing autograd fail the way a broken autograd would: another module is missing."""

    def find_spec(self, name, path=None, target=None):
        if name == _AUTOGRAD:
            raise ModuleNotFoundError("No module named 'not_installed'", name="not_installed")
        return None


@contextlib.contextmanager
def _pretend_autograd(kind):
    """Within the block, importing tinytorch.core.autograd finds a fake ("fake", yielded),
    fails as if it were not exported ("missing") or fails inside it ("broken")."""
    missing = object()
    saved_module = sys.modules.pop(_AUTOGRAD, missing)
    saved_attribute = _core_package.__dict__.pop("autograd", missing)
    finder, fake = _NeedsMissingModule(), None
    if kind == "fake":
        fake = types.ModuleType(_AUTOGRAD)
        fake.Variable = _FakeVariable
        sys.modules[_AUTOGRAD] = fake
        _core_package.autograd = fake
    elif kind == "missing":
        sys.modules[_AUTOGRAD] = None          # Python then raises ModuleNotFoundError for it
    else:
        sys.meta_path.insert(0, finder)
    try:
        yield fake
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        sys.modules.pop(_AUTOGRAD, None)
        _core_package.__dict__.pop("autograd", None)
        if saved_module is not missing:
            sys.modules[_AUTOGRAD] = saved_module
        if saved_attribute is not missing:
            _core_package.autograd = saved_attribute

# %% nbgrader={"grade": true, "grade_id": "test-parameter", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_parameter():
    """Parameter keeps values and dtype, and returns a Variable exactly when autograd exists."""
    print("🔬 Unit Test: Parameter...")

    # Without autograd: a Tensor with the same values, shape and dtype
    with _pretend_autograd("missing"):
        for dtype in (np.float32, np.float64):
            values = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]], dtype=dtype)
            p = Parameter(values)
            assert isinstance(p, Tensor), f"without autograd, Parameter should return a Tensor, got {type(p).__name__}"
            got = np.asarray(p.data)
            assert got.shape == (2, 3), f"Parameter should keep the shape (2, 3), got {got.shape}"
            assert got.dtype == dtype, f"Parameter should keep {np.dtype(dtype).name} values in {np.dtype(dtype).name}, got {got.dtype}"
            assert np.array_equal(got, values), f"Parameter should keep the values {values.tolist()}, got {got.tolist()}"
        from_list = Parameter([1.0, 2.0, 3.0])
        assert isinstance(from_list, Tensor), f"Parameter of a list should be a Tensor, got {type(from_list).__name__}"
        assert np.array_equal(np.asarray(from_list.data), [1.0, 2.0, 3.0]), "Parameter([1.0, 2.0, 3.0]) should keep the values"
        t = Tensor([1.0])
        assert Parameter(t) is t, "without autograd, Parameter(a Tensor) should return that Tensor itself"

    # With (a fake) autograd: autograd.Variable(data, requires_grad=True)
    with _pretend_autograd("fake") as fake:
        values = np.array([[1.0, -2.0], [3.0, 0.5]], dtype=np.float32)
        p = Parameter(values)
        assert isinstance(p, fake.Variable), f"once autograd exists, Parameter should return autograd.Variable(...), got {type(p).__name__}"
        assert p.requires_grad is True, f"a Parameter must be created with requires_grad=True, got {p.requires_grad!r}"
        got = np.asarray(p.data.data if isinstance(p.data, Tensor) else p.data)
        assert got.dtype == np.float32 and np.array_equal(got, values), f"the Variable should get the values {values.tolist()} as float32, got {got.tolist()} ({got.dtype})"

    # A broken autograd (it needs a module that is missing) must not be taken for "not built yet"
    with _pretend_autograd("broken"):
        try:
            Parameter([1.0])
        except ModuleNotFoundError as error:
            assert error.name == "not_installed", f"Parameter should re-raise the error about the missing module, got one about {error.name!r}"
        else:
            raise AssertionError("when autograd fails to import because ANOTHER module is missing, Parameter must raise that error")

    autograd = _exported_autograd()
    if autograd is not None:   # the real thing, after module 07
        p = Parameter(np.array([[1.0, -2.0]], dtype=np.float32))
        assert isinstance(p, autograd.Variable), f"with autograd exported, Parameter should return a Variable, got {type(p).__name__}"
        assert p.requires_grad is True and p.grad is None, "a new Parameter has requires_grad=True and no gradient yet"
        assert isinstance(Parameter(Tensor([1.0])), autograd.Variable), "Parameter(a Tensor) should also be a Variable"
        print("✅ autograd exported: Parameter returns a Variable with requires_grad=True")

    print("✅ no autograd: Parameter returns a Tensor with the same values and dtype")
    print("✅ autograd: Variable(data, requires_grad=True); other import errors are not hidden")

test_parameter()

# %% [markdown]
# ## Step 4: The Dense Layer
#
# ### The computation
# ```
# y = x @ W + b
#
#   x: (batch, input_size)      W: (input_size, output_size)      b: (output_size,)
#   y: (batch, output_size)
# ```
#
# `W` has one column per output unit: column j holds the weights with which unit j looks
# at each input feature, and `b[j]` is that unit's threshold. PyTorch's `nn.Linear` stores
# the transpose `(out, in)` and computes `x @ W.T + b`; we store `(in, out)` so that the
# formula reads left to right.
#
# ### Broadcasting the bias
# `x @ W` has shape `(batch, output_size)` but `b` has shape `(output_size,)`. numpy's
# broadcasting lines up shapes from the right and repeats `b` for every row:
#
# ```
# (batch, output_size)
#        (output_size,)    -> treated as (1, output_size), repeated over the batch
# ```
#
# So one bias vector serves every example, without copying it `batch` times. The same
# rule makes the layer work on a single example `(input_size,)` or on a sequence batch
# `(batch, time, input_size)`: only the **last** axis is the feature axis.
#
# ### Initialisation: why not just random numbers?
# Consider one output unit, `yⱼ = Σᵢ xᵢ Wᵢⱼ`, with independent, zero-mean inputs and
# weights. Variances of independent terms add, so
#
# ```
# Var(yⱼ) = n_in · Var(W) · Var(x)
# ```
#
# If `Var(W) = 1` (plain `standard_normal`), every layer multiplies the variance by
# `n_in`: after 10 layers of width 256 the activations are 256⁵ ≈ 10¹² times larger in
# standard deviation — they overflow, and the gradients explode with them. Too small a
# scale and the signal shrinks to zero instead. The cure is to choose `Var(W)` so that
# the variance is **preserved** from layer to layer:
#
# | scheme | std of W | reasoning | use with |
# | --- | --- | --- | --- |
# | **Xavier / Glorot** (2010) | `sqrt(2 / (n_in + n_out))` | forward needs `Var(W) = 1/n_in`, backward `1/n_out`; take the compromise | tanh, sigmoid, linear |
# | **He / Kaiming** (2015) | `sqrt(2 / n_in)` | ReLU zeroes half its inputs, halving the second moment; double `Var(W)` to make up for it | ReLU and its variants |
#
# Both draw from a normal distribution with mean 0. The bias starts at zero: it needs no
# symmetry breaking, since the random weights already make every unit different.
#
# ### Reproducibility and precision
# - `seed` makes a layer's weights reproducible: `np.random.default_rng(seed)` is a
#   private random generator, so creating a layer never disturbs anyone else's random
#   numbers (unlike `np.random.seed`, which changes a global state). PyTorch uses
#   `torch.manual_seed`; reproducible experiments need the same idea.
# - Weights are stored as **float32**: half the memory of float64 and what GPUs and
#   PyTorch use by default. Deep learning needs about 3 significant digits per weight,
#   not 16. A float32 batch through the layer stays float32 (so the bias must be float32
#   too: a float64 bias would promote every output); a float64 batch gives float64, by
#   numpy's promotion rule (PyTorch would ask you to convert one side first).
#
# ### Failing early, with a message
# If the input's last axis is not `input_size`, numpy would complain deep inside a matrix
# product. We check first and say what the layer expected:
#
# ```
# ValueError: Dense(64 -> 10) expects inputs whose last axis is 64, got shape (32, 63)
# ```
#
# ### `parameters()`
# Returns the list of trainable values, `[weights, bias]` (or `[weights]` without a bias).
# Networks collect these lists, and optimizers update every value in them.

# %% nbgrader={"grade": false, "grade_id": "dense-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Dense:
    """
    Fully connected layer: y = x @ weights + bias.

    weights: (input_size, output_size), bias: (output_size,) or None, both float32 and
    created with Parameter, so they become trainable Variables once autograd exists.
    """

    WEIGHT_INITS = ("xavier", "he")

    def __init__(self, input_size, output_size, use_bias=True, weight_init="xavier", seed=None):
        """
        Create the layer's weights (Xavier or He initialised) and its bias (zeros).

        TODO: Initialise weights and bias as float32 Parameters.

        STEP-BY-STEP IMPLEMENTATION:
        1. Store input_size, output_size and use_bias on self
        2. Choose the standard deviation from weight_init:
           "xavier" -> sqrt(2 / (input_size + output_size)),  "he" -> sqrt(2 / input_size);
           anything else -> ValueError that lists the valid choices (Dense.WEIGHT_INITS)
        3. Make a random generator with np.random.default_rng(seed) and draw normal values
           with mean 0 and that std, of shape (input_size, output_size)
        4. self.weights = Parameter(those values as float32)
        5. self.bias = Parameter(float32 zeros of shape (output_size,)) if use_bias, else None

        EXAMPLE USAGE:
        ```python
        layer = Dense(784, 128, seed=0)
        layer.weights.shape           # (784, 128)
        layer.bias.shape              # (128,)
        Dense(3, 2, weight_init="he", use_bias=False).bias   # None
        Dense(3, 2, weight_init="zeros")   # ValueError: ... 'xavier', 'he' ...
        ```

        IMPLEMENTATION HINTS:
        - rng.normal(loc, scale, size) draws from a normal distribution
        - .astype(np.float32) converts an array; np.zeros takes a dtype argument
        - Validate weight_init before drawing anything
        """
        ### BEGIN SOLUTION
        self.input_size = input_size
        self.output_size = output_size
        self.use_bias = use_bias
        if weight_init == "xavier":
            std = np.sqrt(2.0 / (input_size + output_size))
        elif weight_init == "he":
            std = np.sqrt(2.0 / input_size)
        else:
            raise ValueError(f"unknown weight_init {weight_init!r}; "
                             f"choose one of {', '.join(repr(w) for w in self.WEIGHT_INITS)}")
        rng = np.random.default_rng(seed)
        weights = rng.normal(0.0, std, size=(input_size, output_size))
        self.weights = Parameter(weights.astype(np.float32))
        self.bias = Parameter(np.zeros(output_size, dtype=np.float32)) if use_bias else None
        ### END SOLUTION

    def forward(self, x):
        """
        Compute x @ weights + bias, after checking x's last axis.

        TODO: Check the input's shape, then apply the layer.

        STEP-BY-STEP IMPLEMENTATION:
        1. If x's shape is empty or its last axis is not self.input_size, raise
           ValueError("Dense(64 -> 10) expects inputs whose last axis is 64, got shape (32, 63)")
           with this layer's sizes and x's shape
        2. Compute x @ self.weights with the @ operator
        3. Add self.bias if the layer has one (broadcasting adds it to every row)
        4. Return the result

        EXAMPLE USAGE:
        ```python
        layer = Dense(3, 2)
        layer(Tensor(np.ones((4, 3)))).shape    # (4, 2)
        layer(Tensor(np.ones(3))).shape         # (2,)
        layer(Tensor(np.ones((4, 5))))          # ValueError: Dense(3 -> 2) expects ...
        ```

        IMPLEMENTATION HINTS:
        - Tensors and Variables both have .shape; x.shape[-1] is the last axis
        - Use the @ and + operators, not your matmul function: operators are what
          let a Variable take over once autograd exists (matmul only knows Tensors)
        """
        ### BEGIN SOLUTION
        shape = tuple(x.shape)
        if len(shape) == 0 or shape[-1] != self.input_size:
            raise ValueError(f"Dense({self.input_size} -> {self.output_size}) expects inputs whose "
                             f"last axis is {self.input_size}, got shape {shape}")
        out = x @ self.weights
        if self.bias is not None:
            out = out + self.bias
        return out
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """
        The trainable values of the layer, in a fixed order.

        TODO: Return [weights, bias], or [weights] when the layer has no bias.

        STEP-BY-STEP IMPLEMENTATION:
        1. Start a list with the weights
        2. Append the bias if there is one

        EXAMPLE USAGE:
        ```python
        len(Dense(3, 2).parameters())                  # 2
        len(Dense(3, 2, use_bias=False).parameters())  # 1
        ```

        IMPLEMENTATION HINTS:
        - Return the Parameter objects themselves, not copies: an optimizer must
          update the values the layer actually uses
        """
        ### BEGIN SOLUTION
        params = [self.weights]
        if self.bias is not None:
            params.append(self.bias)
        return params
        ### END SOLUTION

    def __repr__(self):
        return f"Dense({self.input_size} -> {self.output_size})"

# %% [markdown]
# ### 🧪 Test Your Dense Initialisation
#
# The statistical checks draw a large layer (about a million weights) and compare the
# sample standard deviation with the formula; with that many samples it is within a
# fraction of a percent of the true value.

# %% nbgrader={"grade": true, "grade_id": "test-dense-init", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: Parameter
def test_dense_init():
    """Shapes, dtypes, zero bias, Xavier/He scales, seeding, parameters() and bad choices."""
    print("🔬 Unit Test: Dense Initialisation...")

    layer = Dense(4, 3, seed=0)
    w, b = np.asarray(layer.weights.data), np.asarray(layer.bias.data)
    assert w.shape == (4, 3), f"weights should have shape (input_size, output_size) = (4, 3), got {w.shape}"
    assert b.shape == (3,), f"bias should have shape (output_size,) = (3,), got {b.shape}"
    assert w.dtype == np.float32 and b.dtype == np.float32, f"weights and bias should be float32, got {w.dtype} and {b.dtype}"
    assert np.array_equal(b, np.zeros(3)), f"the bias should start at zero, got {b.tolist()}"
    assert layer.input_size == 4 and layer.output_size == 3, "the layer should remember input_size and output_size"

    expected = (np.random.default_rng(0).normal(0.0, np.sqrt(2 / 7), size=(4, 3))).astype(np.float32)
    assert np.allclose(w, expected, rtol=1e-6), "Dense(4, 3, seed=0) should draw np.random.default_rng(0).normal(0, sqrt(2/7), (4, 3))"
    twin = Dense(4, 3, seed=0)
    again = np.asarray(twin.weights.data)
    assert np.array_equal(w, again), "two layers with the same seed should have identical weights"
    other = np.asarray(Dense(4, 3, seed=1).weights.data)
    assert not np.array_equal(w, other), "different seeds should give different weights"

    # Every layer owns its arrays: training one must never change another
    square_a, square_b = Dense(4, 4, seed=3), Dense(4, 4, seed=3)
    for first, second in [(layer, twin), (square_a, square_b)]:
        for name in ("weights", "bias"):
            a, b = np.asarray(getattr(first, name).data), np.asarray(getattr(second, name).data)
            assert not np.shares_memory(a, b), f"two Dense layers must not share their {name} array (no caching or shared defaults)"
    unseeded = [np.asarray(Dense(4, 4).weights.data) for _ in range(2)]
    assert not np.array_equal(unseeded[0], unseeded[1]), "with seed=None, two layers should get different random weights"

    # Non-square layers: the shapes are (input_size, output_size), never the other way round
    for n_in, n_out in [(3, 5), (1, 1), (7, 2)]:
        layer_io = Dense(n_in, n_out, use_bias=True, seed=0)
        w_io, b_io = np.asarray(layer_io.weights.data), np.asarray(layer_io.bias.data)
        assert w_io.shape == (n_in, n_out) and b_io.shape == (n_out,), f"Dense({n_in}, {n_out}) should have weights {(n_in, n_out)} and bias {(n_out,)}, got {w_io.shape} and {b_io.shape}"
        assert w_io.dtype == np.float32 and b_io.dtype == np.float32, f"Dense({n_in}, {n_out}) should be float32, got {w_io.dtype} and {b_io.dtype}"

    params = layer.parameters()
    assert isinstance(params, list) and len(params) == 2, f"parameters() should be a list [weights, bias], got {params!r}"
    assert params[0] is layer.weights and params[1] is layer.bias, "parameters() should return the layer's own weights and bias, in that order"
    no_bias = Dense(4, 3, use_bias=False, seed=0)
    assert no_bias.bias is None, f"with use_bias=False the bias should be None, got {no_bias.bias!r}"
    assert len(no_bias.parameters()) == 1 and no_bias.parameters()[0] is no_bias.weights, "without a bias, parameters() should be [weights]"

    for n_in, n_out, init, want in [(1000, 1000, "xavier", np.sqrt(2 / 2000)), (500, 2000, "he", np.sqrt(2 / 500)),
                                    (250, 4000, "xavier", np.sqrt(2 / 4250))]:
        weights = np.asarray(Dense(n_in, n_out, weight_init=init, seed=42).weights.data).astype(np.float64)
        std = weights.std()
        assert abs(std / want - 1) < 0.02, f"Dense({n_in}, {n_out}, weight_init={init!r}) should have std {want:.4f}, got {std:.4f}"
        assert abs(weights.mean()) < 5 * want / np.sqrt(weights.size), f"{init} weights should have mean 0, got {weights.mean():.2e}"

    try:
        Dense(3, 2, weight_init="zeros")
    except ValueError as exc:
        assert "xavier" in str(exc) and "he" in str(exc), f"the error should list the valid choices 'xavier' and 'he', got: {exc}"
    else:
        raise AssertionError("Dense(3, 2, weight_init='zeros') should raise ValueError")

    print("✅ float32 weights (input_size, output_size), zero bias")
    print("✅ Xavier and He scales, reproducible with seed")
    print("✅ parameters() and a clear error for unknown initialisations")

test_dense_init()

# %% [markdown]
# ### 🧪 Test Your Dense Forward Pass
#
# Besides values, shapes, dtypes and errors, this test hands the layer **stand-in
# weights**: objects that, like module 07's `Variable`, are not Tensors and implement `@`
# and `+` themselves (`__rmatmul__`, `__add__`). A forward pass written with the operators
# works with them unchanged; one that reaches into the numpy arrays or calls `matmul`
# would silently stop gradients once autograd exists, and fails here instead.

# %% nbgrader={"grade": false, "grade_id": "dense-test-helpers", "locked": true, "schema_version": 3, "solution": false}
class _StandIn:
    """A stand-in for module 07's Variable as a weight: not a Tensor, values in a Tensor
    (`.data`), and its own @ and + (computed with numpy). `calls` lists the operators used."""

    __array_ufunc__ = None  # numpy arrays then leave `array @ stand_in` to the stand-in

    def __init__(self, values, calls=None):
        self.values = np.array(values)
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

    def __matmul__(self, other):
        return self._result("matmul", self.values @ self._operand(other))

    def __rmatmul__(self, other):
        return self._result("matmul", self._operand(other) @ self.values)

    def __add__(self, other):
        return self._result("add", self.values + self._operand(other))

    def __radd__(self, other):
        return self._result("add", self._operand(other) + self.values)

# %% nbgrader={"grade": true, "grade_id": "test-dense-forward", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: Parameter
def test_dense_forward():
    """x @ W + b for batches, single examples and 3-D inputs, keeping dtypes, with the exact shape error."""
    print("🔬 Unit Test: Dense Forward Pass...")

    layer = Dense(3, 2, seed=0)
    layer.weights = Parameter(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]], dtype=np.float32))
    layer.bias = Parameter(np.array([0.5, -0.5], dtype=np.float32))
    x = Tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    got = np.asarray(layer(x).data)
    assert got.shape == (2, 2), f"a (2, 3) batch through Dense(3 -> 2) should give (2, 2), got {got.shape}"
    assert np.allclose(got, [[4.5, -1.5], [0.5, -0.5]]), f"x @ W + b should be [[4.5, -1.5], [0.5, -0.5]], got {got.tolist()}"

    # Dense(3, 5) on a batch of 4: every row gets the same bias, in float32 and float64
    wide = Dense(3, 5, seed=0)
    w = (np.arange(15, dtype=np.float32).reshape(3, 5) - 7) / 4
    b = np.array([0.5, -1.0, 2.0, 0.0, 0.25], dtype=np.float32)
    wide.weights, wide.bias = Parameter(w), Parameter(b)
    for dtype in (np.float32, np.float64):
        inputs = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.0, 0.0, 0.0], [2.0, -3.0, 1.5]], dtype=dtype)
        before = inputs.copy()
        got = np.asarray(wide(Tensor(inputs)).data)
        want = inputs.astype(np.float64) @ w.astype(np.float64) + b
        assert got.shape == (4, 5), f"a (4, 3) batch through Dense(3 -> 5) should give (4, 5), got {got.shape}"
        assert np.allclose(got, want, rtol=1e-6, atol=1e-6), f"Dense(3 -> 5) on the {np.dtype(dtype).name} batch: expected {want.tolist()}, got {got.tolist()}"
        assert np.allclose(got[2], b), f"a zero input row should give exactly the bias {b.tolist()}, got {got[2].tolist()}"
        assert got.dtype == dtype, f"{np.dtype(dtype).name} inputs through float32 weights should give {np.dtype(dtype).name} (numpy's rule), got {got.dtype}"
        assert np.array_equal(inputs, before), "Dense must not change its input"

    # The smallest cases: Dense(1, 1), and a batch of one example (which stays a batch)
    tiny = Dense(1, 1, seed=0)
    tiny.weights, tiny.bias = Parameter(np.array([[-2.0]], dtype=np.float32)), Parameter(np.array([0.5], dtype=np.float32))
    got = np.asarray(tiny(Tensor(np.array([[3.0]], dtype=np.float32))).data)
    assert got.shape == (1, 1) and got.dtype == np.float32 and np.allclose(got, [[-5.5]]), f"Dense(1 -> 1) with w = -2, b = 0.5 on [[3]] should be float32 [[-5.5]], got {got.tolist()} ({got.dtype})"
    got = np.asarray(wide(Tensor(np.array([[1.0, -1.0, 2.0]], dtype=np.float32))).data)
    assert got.shape == (1, 5), f"a batch of one (1, 3) through Dense(3 -> 5) should give (1, 5), got {got.shape}"

    rng = np.random.default_rng(3)
    layer = Dense(5, 4, seed=7)
    layer.bias = Parameter(rng.standard_normal(4).astype(np.float32))
    w, b = np.asarray(layer.weights.data), np.asarray(layer.bias.data)
    for shape in [(8, 5), (5,), (2, 3, 5)]:
        inputs = rng.standard_normal(shape)
        got = np.asarray(layer.forward(Tensor(inputs)).data)
        want = inputs @ w + b
        assert got.shape == want.shape, f"input {shape} should give output {want.shape}, got {got.shape}"
        assert np.allclose(got, want, rtol=1e-5, atol=1e-6), f"input {shape}: x @ W + b differs by {np.max(np.abs(got - want)):.3g}"

    no_bias = Dense(5, 4, use_bias=False, seed=7)
    inputs = rng.standard_normal((3, 5)).astype(np.float32)
    got = np.asarray(no_bias(Tensor(inputs)).data)
    assert np.allclose(got, inputs @ np.asarray(no_bias.weights.data), rtol=1e-5, atol=1e-6), "without a bias the output should be x @ W"
    assert got.dtype == np.float32, f"without a bias, float32 inputs should still give float32, got {got.dtype}"

    for size_in, size_out, shape in [(64, 10, (32, 63)), (3, 2, (4,)), (3, 2, ()), (3, 2, (2, 3, 4)), (5, 3, (5, 3))]:
        try:
            Dense(size_in, size_out)(Tensor(np.ones(shape)))
        except ValueError as error:
            want = f"Dense({size_in} -> {size_out}) expects inputs whose last axis is {size_in}, got shape {shape}"
            assert str(error) == want, f"expected the error message {want!r}, got {str(error)!r}"
        else:
            raise AssertionError(f"Dense({size_in}, {size_out}) on shape {shape} should raise ValueError")

    # Weights that implement @ and + themselves, as Variables will: forward must use the operators
    duck = Dense(3, 2, seed=0)
    duck.weights = _StandIn([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    duck.bias = _StandIn([0.5, -0.5], calls=duck.weights.calls)     # one log for both
    out = duck(Tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]))
    assert isinstance(out, _StandIn), f"with Variable-like weights, forward should return what x @ weights + bias gives (use the operators), got {type(out).__name__}"
    assert sorted(duck.weights.calls) == ["add", "matmul"], f"forward should compute x @ weights and add the bias with +, got the operations {duck.weights.calls}"
    assert np.allclose(out.values, [[4.5, -1.5], [0.5, 0.5]]), f"x @ W + b with the stand-in weights gave {out.values.tolist()}"

    autograd = _exported_autograd()
    if autograd is None:
        print("ℹ️  real gradient checks skipped: export module 07 (autograd) to run them")
    else:
        layer = Dense(3, 2, seed=0)
        x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
        out = layer(Tensor(x))
        assert isinstance(out, autograd.Variable), f"with Variable weights, the output should be a Variable, got {type(out).__name__}"
        out.sum().backward()
        assert np.allclose(np.asarray(layer.weights.grad.data), x.T @ np.ones((2, 2))), "∂Σy/∂W should be xᵀ @ ones"
        assert np.allclose(np.asarray(layer.bias.grad.data), [2.0, 2.0]), "∂Σy/∂b should be the batch size for every unit"
        print("✅ gradients reach the weights and the bias")

    print("✅ x @ W + b with the bias broadcast over the batch, for non-square layers and 1x1")
    print("✅ float32 stays float32, the input is unchanged, and forward uses the operators")
    print("✅ shape errors say what the layer expected")

test_dense_forward()

# %% [markdown]
# ## Step 5: Why Initialisation Matters — a Deep Stack
#
# Now watch the variance argument at work. The test below sends a batch through 20 layers
# of width 256, each followed by ReLU, and measures the activations' standard deviation
# at the end:
#
# ```
# He:      std stays near 1 ............. the signal survives 20 layers
# Xavier:  std shrinks by ~1/√2 per layer  (built for tanh, not for ReLU's halving)
# std = 1: std grows by ~√(256/2) ≈ 11 per layer: 10²¹ after 20 layers
# ```
#
# The same happens to the gradients in the backward pass, which is why networks with bad
# initialisation either do not learn at all or diverge to `nan` in the first steps.

# %% nbgrader={"grade": true, "grade_id": "test-deep-init", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Parameter
def test_initialisation_keeps_signal():
    """Through 20 ReLU layers, He keeps the scale, Xavier shrinks it, std=1 explodes it."""
    print("🔬 Unit Test: Signal Propagation Through 20 Layers...")
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((128, 256))

    def final_std(make_layer):
        h = Tensor(x0)
        for depth in range(20):
            layer = make_layer(depth)
            h = Tensor(np.maximum(np.asarray(layer(h).data), 0.0))   # ReLU on the values
        return float(np.asarray(h.data).std())

    he = final_std(lambda d: Dense(256, 256, weight_init="he", seed=d))
    xavier = final_std(lambda d: Dense(256, 256, weight_init="xavier", seed=d))

    def unit_scale(d):
        layer = Dense(256, 256, seed=d)
        layer.weights = Parameter(np.random.default_rng(d).standard_normal((256, 256)).astype(np.float32))
        return layer

    exploded = final_std(unit_scale)
    print(f"   std after 20 ReLU layers: He {he:.3f}, Xavier {xavier:.2e}, std=1 weights {exploded:.2e}")
    assert 0.2 < he < 5, f"with He initialisation the signal should keep its scale (std near 1), got {he:.3g}"
    assert xavier < 0.05, f"Xavier halves the variance at every ReLU layer: expected std below 0.05, got {xavier:.3g}"
    assert exploded > 1e10, f"unscaled weights should blow the signal up, got std {exploded:.3g}"

    print("✅ He initialisation keeps the signal alive through deep ReLU networks")

test_initialisation_keeps_signal()

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

success = run_module_tests_auto("Layers")

# %% [markdown]
# ## 🎯 Module Summary: Layers Built!
#
# ### ✅ What you built
# - **`matmul_naive`**: the matrix product as three loops — N·n_in·n_out multiply-adds
# - **`matmul`**: the same product handed to numpy's BLAS, orders of magnitude faster, with
#   errors that name both shapes
# - **`Parameter`**: the factory for trainable values — a `Tensor` today, a
#   `Variable(requires_grad=True)` as soon as autograd is exported
# - **`Dense`**: `y = x @ W + b` with float32 Xavier/He-initialised weights, a zero bias,
#   seeding, an early shape check and `parameters()`
#
# ### ✅ Key ideas
# - **Vectorise**: whole-array operations beat Python loops by orders of magnitude.
# - **Broadcasting** adds one bias vector to every example of a batch for free.
# - **Initialisation is variance bookkeeping**: `Var(y) = n_in · Var(W) · Var(x)`, so scale
#   the weights by `1/√n_in` (and by √2 more for ReLU) to keep signals and gradients alive.
# - **Write layers with operators and create weights with `Parameter`**: then the same
#   `Dense` runs on plain Tensors now and builds a gradient graph after module 07, with no
#   change to this file.
#
# ### 🔗 Connection to real ML systems
# - `torch.nn.Linear(in_features, out_features, bias=True)` is this layer (it stores the
#   weight transposed); `torch.nn.init.xavier_normal_` and `kaiming_normal_` are your two
#   initialisations; `torch.nn.Parameter` plays the role of `Parameter`.
# - `model.parameters()` in PyTorch is the list that optimizers receive — exactly what
#   `parameters()` gives you here.
#
# ### 🚀 What's next
# Run `tito export layers`. In module 04 you will stack `Dense` layers and activations
# into a `Sequential` network and build multi-layer perceptrons with `create_mlp`.
