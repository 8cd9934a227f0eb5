# %% [markdown]
# # Tensor
#
# Every number a neural network touches — its inputs, its weights, its activations, its
# gradients — lives in a **tensor**: an n-dimensional array of numbers with a shape and a
# data type. In this module you build TinyTorch's `Tensor` class on top of numpy. Every
# later module (activations, layers, losses, autograd, optimizers) is written in terms of it.
#
# ### What you will build
# - **Construction and properties**: `Tensor(data)`, `.data`, `.shape`, `.size`, `.dtype`,
#   `.ndim`, `item()`, `numpy()`, `len()`, `float(t)`, `int(t)`
# - **Arithmetic with broadcasting**: `+ - * /`, their reflected forms (`2 - t`) and `-t`,
#   keeping the dtype PyTorch would keep (a float32 tensor stays float32)
# - **Comparisons** (provided): `t > 0`, `a == b`, element by element, giving boolean tensors
# - **Matrix multiplication**: `t.matmul(w)` and `t @ w`, with clear shape errors
# - **Reductions**: `sum`, `mean`, `max`, `min` over all elements or along an axis, which
#   numpy's own `np.sum(t)`, `np.mean(t)`, ... call too
# - **Shape operations**: `reshape`, `transpose`, `.T`
# - **Indexing and display**: `t[0, 1:]`, `t[mask]`, and a readable `repr`

# %% nbgrader={"grade": false, "grade_id": "tensor-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.tensor
#| export
import functools
import operator

import numpy as np

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/01_tensor/tensor_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.tensor`
#
# ```python
# # Final package structure:
# from tinytorch.core.tensor import Tensor   # the foundation of everything else
# ```
#
# **Why this matters:**
# - **Learning:** one focused module for the data structure everything is made of
# - **Production:** mirrors PyTorch, where `torch.Tensor` is the central class
# - **Consistency:** later modules import `Tensor` from the package, never from this notebook
#
# ## What is a Tensor?
#
# A tensor generalises scalars, vectors and matrices to any number of dimensions:
#
# ```
# rank 0  scalar        5.0                          shape ()
# rank 1  vector        [1, 2, 3]                    shape (3,)
# rank 2  matrix        [[1, 2, 3],
#                        [4, 5, 6]]                  shape (2, 3)
# rank 3  e.g. a batch  32 images of 28x28 pixels    shape (32, 28, 28)
# rank 4  e.g. a batch  32 RGB images of 224x224     shape (32, 3, 224, 224)
# ```
#
# In deep learning the axes have meanings: a batch of inputs to a dense layer is
# `(batch, features)`, its weight matrix is `(in_features, out_features)`, and one
# forward pass is a matrix multiplication plus a broadcast addition:
#
# ```python
# y = x @ W + b      # (32, 784) @ (784, 128) + (128,)  ->  (32, 128)
# ```
#
# By the end of this module exactly that line works with your own `Tensor`.
#
# ### Why build on numpy?
# numpy already stores n-dimensional arrays efficiently and runs their arithmetic in
# compiled loops. Our `Tensor` **wraps** a numpy array: numpy does the number crunching,
# and `Tensor` decides the interface. That is also how PyTorch is organised — a thin
# Python `torch.Tensor` class over fast C++ kernels — and it leaves room for what numpy
# arrays cannot do by themselves. In a later module, automatic differentiation will
# wrap your `Tensor` again to record how each value was computed.

# %% [markdown]
# ## Step 1: Creating Tensors and Reading Their Properties
#
# ### What is stored?
# A `Tensor` holds one numpy array, `self._data`. Everything else — shape, size, dtype,
# number of dimensions — is read from that array. `Tensor(data, dtype=None)` accepts:
#
# | input                       | example                        | resulting dtype |
# | --------------------------- | ------------------------------ | --------------- |
# | Python scalar               | `Tensor(5)`, `Tensor(2.5)`     | int64, float64  |
# | (nested) list               | `Tensor([[1, 2], [3, 4]])`     | int64           |
# | numpy array                 | `Tensor(np.zeros((2, 3)))`     | kept: float64   |
# | another Tensor              | `Tensor(t)`                    | kept            |
# | any of these plus `dtype=`  | `Tensor([1, 2], dtype="float32")` | float32      |
#
# ### Copy or share?
# We follow `np.asarray` semantics: numpy's usual dtype inference, and **no copy** when the
# input already is an array of the right dtype. `Tensor(arr)` then shares memory with
# `arr`. PyTorch offers both behaviours: `torch.tensor(x)` always copies, while
# `torch.as_tensor(x)` shares memory when it can. Sharing matters for systems work: a
# dataset of 60,000 images should not be duplicated just to wrap it.
#
# ### The properties
# ```
# t = Tensor([[1, 2, 3],
#             [4, 5, 6]])
# t.shape  -> (2, 3)     size along each axis
# t.ndim   -> 2          number of axes, len(shape)
# t.size   -> 6          total number of elements, the product of the shape
# t.dtype  -> int64      type of every element
# len(t)   -> 2          size of the first axis, like len() of a nested list
# ```
#
# `item()` turns a one-element tensor into a plain Python number (you will use it for
# loss values: `loss.item()` in PyTorch), and `numpy()` hands back the underlying array.
#
# ### `float(t)` and `int(t)`
# Python's `float(x)` calls `x.__float__()`, and `int(x)` calls `x.__int__()`. PyTorch
# defines both, so `float(loss)` and `int(n_correct)` work for any tensor holding **one**
# element, whatever its shape (`(1,)`, `(1, 1)` and `()` all hold one). Any other size has
# no single value, and PyTorch says so:
#
# ```
# float(Tensor(2.5))       -> 2.5
# float(Tensor([[2.5]]))   -> 2.5        shape (1, 1): still one element
# int(Tensor(2.9))         -> 2          int() truncates, as int(2.9) does
# float(Tensor([1, 2]))    -> ValueError: only one element tensors can be converted to Python scalars
# float(Tensor([]))        -> ValueError  (zero elements is not one element either)
# ```
#
# ### Talking to numpy: `__array__`
# numpy functions accept "array-like" objects. An object becomes array-like by defining
# `__array__(self, dtype=None, copy=None)`, which numpy calls from `np.asarray(t)`,
# `np.array(t)` and friends. PyTorch tensors implement the same protocol.

# %% nbgrader={"grade": false, "grade_id": "tensor-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Tensor:
    """
    An n-dimensional array of numbers, backed by a numpy array.

    The foundation of TinyTorch: every input, weight, activation and gradient is a Tensor.
    """

    # Tell numpy never to handle arithmetic involving a Tensor itself: for
    # `ndarray + Tensor`, numpy then returns NotImplemented and Python calls
    # Tensor.__radd__, so the result is a Tensor (explained in Step 2).
    __array_ufunc__ = None

    def __init__(self, data, dtype=None):
        """
        Create a Tensor from a scalar, a (nested) list, a numpy array or another Tensor.

        TODO: Store `data` as a numpy array in `self._data`.

        STEP-BY-STEP IMPLEMENTATION:
        1. If `data` is already a Tensor, use its underlying numpy array instead
        2. Convert the data to a numpy array with `np.asarray`, passing `dtype` along
           (dtype=None means "let numpy infer it")
        3. Store the array in `self._data`

        EXAMPLE USAGE:
        ```python
        Tensor(5)                       # 0-d, dtype int64
        Tensor([[1.0, 2.0], [3.0, 4.0]])  # shape (2, 2), dtype float64
        Tensor([1, 2, 3], dtype="float32")
        arr = np.zeros(3); Tensor(arr)  # shares memory with arr (no copy)
        ```

        IMPLEMENTATION HINTS:
        - isinstance(data, Tensor) tells you whether you were given a Tensor
        - np.asarray, unlike np.array, does not copy an array that already fits
        - Never store a Tensor inside a Tensor: self._data must always be an np.ndarray
        """
        ### BEGIN SOLUTION
        if isinstance(data, Tensor):
            data = data._data
        self._data = np.asarray(data, dtype=dtype)
        ### END SOLUTION

    @property
    def data(self):
        """
        The underlying numpy array.

        TODO: Return the stored numpy array.

        STEP-BY-STEP IMPLEMENTATION:
        1. Return the array that __init__ stored

        EXAMPLE USAGE:
        ```python
        Tensor([1, 2]).data   # array([1, 2])
        ```

        IMPLEMENTATION HINTS:
        - Return the array itself, not a copy: later code relies on sharing it
        """
        ### BEGIN SOLUTION
        return self._data
        ### END SOLUTION

    @property
    def shape(self):
        """
        The size of each axis, as a tuple.

        TODO: Return the shape of the underlying array.

        STEP-BY-STEP IMPLEMENTATION:
        1. Ask the numpy array for its shape

        EXAMPLE USAGE:
        ```python
        Tensor([[1, 2, 3], [4, 5, 6]]).shape   # (2, 3)
        Tensor(7).shape                         # ()
        ```

        IMPLEMENTATION HINTS:
        - numpy arrays already know their shape
        """
        ### BEGIN SOLUTION
        return self._data.shape
        ### END SOLUTION

    @property
    def size(self):
        """
        The total number of elements.

        TODO: Return the number of elements in the tensor.

        STEP-BY-STEP IMPLEMENTATION:
        1. Ask the numpy array how many elements it holds

        EXAMPLE USAGE:
        ```python
        Tensor([[1, 2, 3], [4, 5, 6]]).size   # 6
        Tensor(7).size                         # 1
        ```

        IMPLEMENTATION HINTS:
        - It is the product of the shape; numpy stores it for you
        """
        ### BEGIN SOLUTION
        return self._data.size
        ### END SOLUTION

    @property
    def dtype(self):
        """
        The numpy data type of the elements.

        TODO: Return the dtype of the underlying array.

        STEP-BY-STEP IMPLEMENTATION:
        1. Ask the numpy array for its dtype

        EXAMPLE USAGE:
        ```python
        Tensor([1, 2]).dtype       # dtype('int64')
        Tensor([1.5, 2]).dtype     # dtype('float64')
        ```

        IMPLEMENTATION HINTS:
        - Return numpy's dtype object itself, not a string
        """
        ### BEGIN SOLUTION
        return self._data.dtype
        ### END SOLUTION

    @property
    def ndim(self):
        """
        The number of axes (the tensor's rank).

        TODO: Return the number of dimensions.

        STEP-BY-STEP IMPLEMENTATION:
        1. Ask the numpy array for its number of dimensions

        EXAMPLE USAGE:
        ```python
        Tensor(7).ndim                 # 0
        Tensor([[1, 2], [3, 4]]).ndim  # 2
        ```

        IMPLEMENTATION HINTS:
        - It always equals len(self.shape)
        """
        ### BEGIN SOLUTION
        return self._data.ndim
        ### END SOLUTION

    def item(self):
        """
        The value of a one-element tensor as a plain Python number.

        TODO: Return the single element as a Python int / float / bool.

        STEP-BY-STEP IMPLEMENTATION:
        1. Let numpy extract the only element as a Python scalar
        2. A tensor with more than one element cannot be turned into one number:
           numpy raises ValueError for you — let it

        EXAMPLE USAGE:
        ```python
        Tensor(3.5).item()     # 3.5  (a Python float)
        Tensor([[7]]).item()   # 7    (a Python int)
        Tensor([1, 2]).item()  # ValueError
        ```

        IMPLEMENTATION HINTS:
        - numpy arrays have a method with the same name
        """
        ### BEGIN SOLUTION
        return self._data.item()
        ### END SOLUTION

    def numpy(self):
        """
        The tensor as a numpy array (shares memory, like torch.Tensor.numpy()).

        TODO: Return the underlying numpy array.

        STEP-BY-STEP IMPLEMENTATION:
        1. Return the stored array (no copy)

        EXAMPLE USAGE:
        ```python
        Tensor([1, 2]).numpy()   # array([1, 2])
        ```

        IMPLEMENTATION HINTS:
        - This is the same array as the `data` property
        """
        ### BEGIN SOLUTION
        return self._data
        ### END SOLUTION

    def __len__(self):
        """
        The size of the first axis, so len(t) works like len() of a nested list.

        TODO: Return the length of the first axis.

        STEP-BY-STEP IMPLEMENTATION:
        1. Return len() of the underlying array
        2. A 0-d tensor has no first axis: numpy raises TypeError — let it

        EXAMPLE USAGE:
        ```python
        len(Tensor([[1, 2, 3], [4, 5, 6]]))   # 2
        len(Tensor(5))                         # TypeError
        ```

        IMPLEMENTATION HINTS:
        - numpy arrays support len() already
        """
        ### BEGIN SOLUTION
        return len(self._data)
        ### END SOLUTION

    def __array__(self, dtype=None, copy=None):
        """
        numpy's array protocol: called by np.asarray(t), np.array(t), ...

        TODO: Return the tensor's values as a numpy array, honouring dtype and copy.

        STEP-BY-STEP IMPLEMENTATION:
        1. Build the result from the stored array with np.array
        2. Pass `dtype` along (None keeps the current dtype)
        3. Pass `copy` along: numpy uses None for "copy only if needed",
           True for "always copy" and False for "never copy"

        EXAMPLE USAGE:
        ```python
        t = Tensor([1, 2, 3])
        np.asarray(t)                     # array([1, 2, 3])
        np.asarray(t, dtype=np.float32)   # array([1., 2., 3.], dtype=float32)
        ```

        IMPLEMENTATION HINTS:
        - np.array(arr, dtype=..., copy=...) accepts exactly these arguments
        """
        ### BEGIN SOLUTION
        return np.array(self._data, dtype=dtype, copy=copy)
        ### END SOLUTION

    def __float__(self):
        """
        float(t): the value of a one-element tensor as a Python float.

        TODO: Return the single element as a float; refuse any other size.

        STEP-BY-STEP IMPLEMENTATION:
        1. Count the elements (not the axes: shape (1, 1) holds one element)
        2. Anything but exactly one element: raise ValueError with PyTorch's message,
           "only one element tensors can be converted to Python scalars"
        3. Otherwise take the element out and make it a Python float

        EXAMPLE USAGE:
        ```python
        float(Tensor(2.5))               # 2.5
        float(Tensor([[3]]))             # 3.0
        float(Tensor([1.0, 2.0]))        # ValueError: only one element tensors ...
        float(Tensor(np.zeros((0, 3))))  # ValueError as well: 0 is not 1
        ```

        IMPLEMENTATION HINTS:
        - The size property counts the elements
        - item() already gives you the element as a Python number
        - Check the size yourself: numpy's own error has a different message
        """
        ### BEGIN SOLUTION
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self._data.item())
        ### END SOLUTION

    def __int__(self):
        """
        int(t): the value of a one-element tensor as a Python int (truncated, like int(2.9)).

        TODO: Return the single element as an int; refuse any other size.

        STEP-BY-STEP IMPLEMENTATION:
        1. Same size rule and same ValueError message as __float__
        2. Otherwise take the element out and make it a Python int

        EXAMPLE USAGE:
        ```python
        int(Tensor(7))            # 7
        int(Tensor([2.9]))        # 2
        int(Tensor([[1, 2]]))     # ValueError: only one element tensors ...
        ```

        IMPLEMENTATION HINTS:
        - Python's int() truncates a float toward zero, which is what PyTorch does too
        """
        ### BEGIN SOLUTION
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._data.item())
        ### END SOLUTION

    def __bool__(self):
        """Truth value, with numpy's rules: only one-element tensors have one."""
        return bool(self._data)

# %% [markdown]
# ### 🧪 Test Your Tensor Construction
#
# Once you implement `__init__` and the `data` property above, run this cell. It checks
# every kind of input from the table, numpy's dtype inference and the no-copy rule.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-creation", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_tensor_creation():
    """Tensors can be built from scalars, lists, arrays and Tensors, numpy-style."""
    print("🔬 Unit Test: Tensor Creation...")

    # Python scalars become 0-d arrays with numpy's default dtypes
    s = Tensor(5)
    assert isinstance(s.data, np.ndarray), f"Tensor(5).data should be a numpy array, got {type(s.data).__name__}"
    assert s.data.shape == (), f"Tensor(5) should be 0-dimensional (shape ()), got shape {s.data.shape}"
    assert s.data.dtype == np.asarray(5).dtype, f"Tensor(5) should have dtype {np.asarray(5).dtype}, got {s.data.dtype}"
    f = Tensor(2.5)
    assert f.data.dtype == np.float64 and f.data == 2.5, f"Tensor(2.5) should hold 2.5 as float64, got {f.data!r}"

    # Lists and nested lists are converted to numpy arrays
    v = Tensor([1, 2, 3])
    assert isinstance(v.data, np.ndarray), f"Tensor([1, 2, 3]).data should be a numpy array, got {type(v.data).__name__}"
    assert np.array_equal(v.data, [1, 2, 3]), f"Tensor([1, 2, 3]).data should be [1, 2, 3], got {v.data!r}"
    assert v.data.dtype == np.asarray([1, 2, 3]).dtype, f"a list of ints should stay integer, got {v.data.dtype}"
    m = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert isinstance(m.data, np.ndarray), f"a nested list should become a numpy array, got {type(m.data).__name__}"
    assert m.data.shape == (2, 3), f"a 2x3 nested list should give shape (2, 3), got {m.data.shape}"
    assert m.data.dtype == np.float64, f"a list of floats should give float64, got {m.data.dtype}"
    assert np.array_equal(m.data[1], [4.0, 5.0, 6.0]), f"row 1 should be [4, 5, 6], got {m.data[1]!r}"

    # An explicit dtype wins
    c = Tensor([1, 2, 3], dtype=np.float32)
    assert c.data.dtype == np.float32, f"Tensor([1, 2, 3], dtype=np.float32) should be float32, got {c.data.dtype}"
    assert np.array_equal(c.data, [1.0, 2.0, 3.0]), f"converting to float32 should keep the values, got {c.data!r}"

    # numpy arrays are wrapped without a copy (like np.asarray / torch.as_tensor),
    # and keep their dtype: float32 stays float32, float64 stays float64
    arr = np.arange(6).reshape(2, 3)
    a = Tensor(arr)
    assert a.data is arr, "Tensor(ndarray) should keep the very same array (use np.asarray, not a copy)"
    for dt in (np.float32, np.float64):
        source = np.array([[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]], dtype=dt)
        kept = Tensor(source)
        assert kept.data.dtype == dt, f"Tensor(a {np.dtype(dt)} array) should stay {np.dtype(dt)}, got {kept.data.dtype}"
        assert kept.data is source, f"Tensor(a {np.dtype(dt)} array) should not copy it"
        again = Tensor(kept)
        assert again.data.dtype == dt and again.data is source, (
            f"Tensor(Tensor(a {np.dtype(dt)} array)) should hold the same {np.dtype(dt)} array"
        )
    wide = Tensor(np.ones(3, dtype=np.float32), dtype=np.float64)
    assert wide.data.dtype == np.float64, f"dtype=np.float64 should convert a float32 array, got {wide.data.dtype}"

    # A Tensor from a Tensor holds a numpy array, never a Tensor
    t2 = Tensor(v)
    assert isinstance(t2.data, np.ndarray), f"Tensor(Tensor(...)).data should be a numpy array, got {type(t2.data).__name__}"
    assert np.array_equal(t2.data, [1, 2, 3]), f"Tensor(Tensor([1, 2, 3])) should hold [1, 2, 3], got {t2.data!r}"
    t3 = Tensor(v, dtype=np.float64)
    assert t3.data.dtype == np.float64, f"Tensor(t, dtype=np.float64) should convert, got {t3.data.dtype}"

    print("✅ Scalars, lists, nested lists, arrays and Tensors all work")
    print("✅ numpy dtype inference and explicit dtypes work")
    print("✅ numpy arrays are wrapped without copying")

test_tensor_creation()

# %% [markdown]
# ### 🧪 Test Your Tensor Properties
#
# This cell checks `shape`, `size`, `dtype`, `ndim`, `item()`, `numpy()`, `len()` and
# `np.asarray(t)`.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-properties", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_tensor_properties():
    """shape, size, dtype, ndim, item, numpy, len and the numpy array protocol."""
    print("🔬 Unit Test: Tensor Properties...")

    m = Tensor([[1, 2, 3], [4, 5, 6]])
    assert m.shape == (2, 3), f"shape should be (2, 3), got {m.shape}"
    assert m.size == 6, f"size should be 6, got {m.size}"
    assert m.ndim == 2, f"ndim should be 2, got {m.ndim}"
    assert m.dtype == np.asarray([1]).dtype, f"dtype should be {np.asarray([1]).dtype}, got {m.dtype}"
    assert isinstance(m.dtype, np.dtype), f"dtype should be a numpy dtype object, got {type(m.dtype).__name__}"
    assert len(m) == 2, f"len() should be the size of the first axis (2), got {len(m)}"

    s = Tensor(3.5)
    assert s.shape == () and s.ndim == 0 and s.size == 1, (
        f"a scalar tensor should have shape (), ndim 0, size 1; got {s.shape}, {s.ndim}, {s.size}"
    )
    assert s.item() == 3.5 and type(s.item()) is float, f"Tensor(3.5).item() should be the float 3.5, got {s.item()!r}"
    assert Tensor([[7]]).item() == 7 and type(Tensor([[7]]).item()) is int, "Tensor([[7]]).item() should be the int 7"
    try:
        Tensor([1, 2]).item()
        assert False, "item() on a tensor with 2 elements should raise ValueError"
    except ValueError:
        pass

    assert m.numpy() is m.data, "numpy() should return the underlying array itself (no copy)"

    as_array = np.asarray(m)
    assert isinstance(as_array, np.ndarray) and np.array_equal(as_array, [[1, 2, 3], [4, 5, 6]]), (
        f"np.asarray(t) should give the tensor's values, got {as_array!r}"
    )
    assert np.shares_memory(as_array, m.data), "np.asarray(t) should not copy: numpy's copy=None means 'only if needed'"
    as_float = np.asarray(m, dtype=np.float32)
    assert as_float.dtype == np.float32, f"np.asarray(t, dtype=np.float32) should be float32, got {as_float.dtype}"
    copied = np.array(m, copy=True)
    assert copied is not m.data and not np.shares_memory(copied, m.data), "np.array(t, copy=True) should copy"

    # The protocol method itself, called the way numpy calls it
    direct = m.__array__(np.float32)
    assert isinstance(direct, np.ndarray) and direct.dtype == np.float32, (
        f"t.__array__(np.float32) should return a float32 array, got {getattr(direct, 'dtype', type(direct))}"
    )
    assert np.array_equal(direct, [[1, 2, 3], [4, 5, 6]]), f"t.__array__(np.float32) should keep the values, got {direct!r}"
    assert not np.shares_memory(m.__array__(copy=True), m.data), "t.__array__(copy=True) should return a copy"
    assert np.shares_memory(m.__array__(copy=None), m.data), "t.__array__(copy=None) should not copy needlessly"
    assert m.__array__().dtype == m.data.dtype, "t.__array__() without a dtype should keep the tensor's dtype"

    # float32 tensors report float32
    for dt in (np.float32, np.float64):
        w = Tensor(np.zeros((2, 3, 4), dtype=dt))
        assert w.dtype == dt and w.shape == (2, 3, 4) and w.size == 24 and w.ndim == 3 and len(w) == 2, (
            f"a (2, 3, 4) {np.dtype(dt)} tensor should report dtype {np.dtype(dt)}, shape (2, 3, 4), size 24, "
            f"ndim 3, len 2; got {w.dtype}, {w.shape}, {w.size}, {w.ndim}, {len(w)}"
        )
        assert w.numpy().dtype == dt, f"numpy() of a {np.dtype(dt)} tensor should be {np.dtype(dt)}"

    print("✅ shape, size, dtype, ndim and len work")
    print("✅ item(), numpy() and np.asarray(t) work")

test_tensor_properties()

# %% [markdown]
# ### 🧪 Test `float(t)` and `int(t)`
#
# One element converts, whatever the shape; zero or several elements raise PyTorch's error.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-conversions", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_tensor_conversions():
    """float() and int() of one-element tensors, and the error for every other size."""
    print("🔬 Unit Test: float() and int()...")

    cases = [
        ("float(Tensor(2.5))", float(Tensor(2.5)), 2.5, float),
        ("float(Tensor([[3]]))", float(Tensor([[3]])), 3.0, float),
        ("float(Tensor(np.array([0.25], dtype=np.float32)))", float(Tensor(np.array([0.25], dtype=np.float32))), 0.25, float),
        ("float(Tensor(np.full((1, 1, 1), -4.0)))", float(Tensor(np.full((1, 1, 1), -4.0))), -4.0, float),
        ("int(Tensor(7))", int(Tensor(7)), 7, int),
        ("int(Tensor([2.9]))", int(Tensor([2.9])), 2, int),
        ("int(Tensor(-2.9))", int(Tensor(-2.9)), -2, int),
        ("int(Tensor([[True]]))", int(Tensor([[True]])), 1, int),
    ]
    for text, got, want, kind in cases:
        assert type(got) is kind, f"{text} should be a Python {kind.__name__}, got {type(got).__name__}"
        assert got == want, f"{text} should be {want}, got {got!r}"

    for convert in (float, int):
        for text, data in [("[1.0, 2.0]", [1.0, 2.0]), ("[[1], [2]]", [[1], [2]]), ("[]", []),
                           ("np.zeros((0, 3))", np.zeros((0, 3)))]:
            try:
                convert(Tensor(data))
                assert False, f"{convert.__name__}(Tensor({text})) should raise ValueError"
            except ValueError as error:
                assert "one element" in str(error), (
                    f"{convert.__name__}(Tensor({text})) should say 'only one element tensors can be converted "
                    f"to Python scalars', got {str(error)!r}"
                )

    print("✅ float() and int() convert one-element tensors")
    print("✅ other sizes raise PyTorch's ValueError")

test_tensor_conversions()

# %% [markdown]
# ## Step 2: Arithmetic and Broadcasting
#
# ### Element-wise operations
# `+ - * /` act element by element, exactly like numpy:
#
# ```
# [1, 2, 3] + [10, 20, 30] = [11, 22, 33]
# [1, 2, 3] * 2            = [2, 4, 6]        (the scalar is "broadcast")
# ```
#
# ### Broadcasting
# When shapes differ, numpy **broadcasts**: it lines the shapes up from the right, and
# an axis of size 1 (or a missing axis) is stretched to match the other operand, without
# copying any data.
#
# ```
# x     (2, 3)     [[1, 2, 3],        b    (3,)  [10, 20, 30]
#                   [4, 5, 6]]
#
# x + b (2, 3)     [[11, 22, 33],     b is reused for every row:
#                   [14, 25, 36]]     this is how a bias is added to a batch
#
# col (3, 1) * row (1, 4)  ->  (3, 4)   an "outer product" table
# (2, 3) + (2,)            ->  error: 3 and 2 do not match and neither is 1
# ```
#
# We do not reimplement any of this: `self.data + other` on numpy arrays already
# broadcasts and picks the result dtype. Our job is the *interface*.
#
# ### Which dtype comes out?
# Models are trained in float32: half the memory of float64 and much faster on a GPU. A
# float32 model that quietly turns into float64 halfway through is slower, uses twice the
# memory and no longer matches its checkpoint, so dtypes must be kept exactly. The rules
# (PyTorch's, and numpy 2's for arrays):
#
# ```
# float32 tensor + float32 tensor     -> float32
# float32 tensor + float64 tensor     -> float64   two arrays: the wider dtype wins
# int64 tensor   / int64 tensor       -> float64   true division always gives floats
# float32 tensor * 2.0                -> float32   a number adapts to the tensor ...
# float32 tensor * 2                  -> float32
# float32 tensor * np.float64(2.0)    -> float32   ... numpy's scalars count as numbers too
# float32 tensor * np.array(2.0)      -> float64   but an array is an array, even a 0-d one
# ```
#
# numpy already treats a Python number as "weak" (it takes the tensor's dtype), but a
# numpy *scalar* such as `np.float64(2.0)` — which is what `np.sqrt(2.0)` or
# `arr.mean()` return — is strong and would promote float32 to float64. PyTorch treats
# numpy scalars like Python numbers, so we do too: turn them into Python numbers with
# `.item()` before numpy sees them. And never wrap a Python number in `np.array(...)`
# yourself: that makes it a float64 array, which promotes.
#
# ### How Python runs `a + b`
# 1. Python calls `a.__add__(b)`.
# 2. If that returns the special value `NotImplemented`, Python tries the **reflected**
#    method of the right operand: `b.__radd__(a)`.
# 3. If that also returns `NotImplemented`, Python raises `TypeError`.
#
# So `t + 2` calls `Tensor.__add__`, but `2 - t` first asks `int.__sub__`, which does not
# know Tensors and says `NotImplemented`, and then calls `t.__rsub__(2)`, which must
# compute `2 - t` (order matters for `-` and `/`!).
#
# Returning `NotImplemented` for types we do not understand is not a formality. In the
# autograd module you will write a `Variable` class; `tensor + variable` must end up in
# `Variable.__radd__`. That only happens if `Tensor.__add__` says `NotImplemented` instead
# of crashing or guessing.
#
# `ndarray + tensor` needs one more ingredient: numpy would normally grab the operation
# and try to treat the Tensor as an array itself. The class attribute
# `__array_ufunc__ = None` (already in the class above) tells numpy to step aside, so
# `ndarray.__add__` returns `NotImplemented` and `Tensor.__radd__` produces a Tensor.
# PyTorch and pandas use the same numpy mechanism.
#
# ### How we grow the class, one cell at a time
# A Python class is an object, and its methods are ordinary attributes on it. Writing
# `Tensor.__add__ = _tensor_add` after the class exists has the same effect as defining
# `__add__` inside the `class` block. We use this so each step lives next to its
# explanation and its test. The exported `tinytorch/core/tensor.py` contains these
# cells in order, so the package's `Tensor` ends up with every method.
#
# In this step you write three functions: a helper that decides which operands we
# accept, one shared implementation for all eight binary operators, and negation.

# %% nbgrader={"grade": false, "grade_id": "tensor-arithmetic", "locked": false, "schema_version": 3, "solution": true}
#| export
def _operand_data(value):
    """
    What a Tensor operator computes with: a numpy array or Python number, or None if unsupported.

    TODO: Convert an operand of a Tensor operator, or reject it with None.

    STEP-BY-STEP IMPLEMENTATION:
    1. A Tensor: use its numpy array
    2. A numpy scalar (np.generic, e.g. np.float64(0.5) or np.int32(3)): turn it into
       the Python number it holds, so that it cannot promote the tensor's dtype
    3. A Python number (bool, int, float, complex), including the ones from step 2:
       use it as it is, so numpy's rules for Python scalars apply
       (float32 tensor * 2.0 stays float32)
    4. A numpy array: use it as it is
    5. A list or tuple: convert it to a numpy array
    6. Anything else: return None (the caller then returns NotImplemented)

    EXAMPLE USAGE:
    ```python
    _operand_data(Tensor([1, 2]))     # array([1, 2])
    _operand_data(np.float64(2.5))    # 2.5, a Python float now
    _operand_data(2.5)                # 2.5
    _operand_data([1, 2])             # array([1, 2])
    _operand_data("hello")            # None
    ```

    IMPLEMENTATION HINTS:
    - isinstance accepts a tuple of types: isinstance(x, (int, float))
    - bool is a subclass of int, so checking int also covers True/False
    - np.float64 is a subclass of float, so do the numpy-scalar step first
    - Every numpy scalar has an item() method that returns a Python number
    - Do not convert everything with np.asarray: np.asarray("hello") happily
      builds a string array, and np.asarray(2.0) is a float64 array that promotes
    """
    ### BEGIN SOLUTION
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (int, float, complex, np.ndarray)):
        return value
    if isinstance(value, (list, tuple)):
        return np.asarray(value)
    return None
    ### END SOLUTION


def _elementwise(self, other, op, reflected=False):
    """
    Apply a binary numpy operation between a Tensor and another operand.

    TODO: Compute op(self, other) (or op(other, self) when reflected) as a new Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert `other` with _operand_data
    2. If it is not supported, return NotImplemented (do not raise!)
    3. Apply `op` to the two numpy values; when `reflected` is True the other
       operand comes first (this is how `2 - t` is computed by t.__rsub__(2))
    4. Wrap the result in a new Tensor and return it

    EXAMPLE USAGE:
    ```python
    t = Tensor([1, 2, 3])
    _elementwise(t, 10, operator.sub)                  # Tensor([-9, -8, -7])
    _elementwise(t, 10, operator.sub, reflected=True)  # Tensor([9, 8, 7])
    _elementwise(t, "x", operator.add)                 # NotImplemented
    ```

    IMPLEMENTATION HINTS:
    - `op` is a function like operator.add: op(x, y) computes x + y
    - numpy handles broadcasting and dtypes; never loop over elements yourself,
      and do not force a dtype on the result: numpy's choice is the right one
    - Never modify self.data: arithmetic always creates a new Tensor
      (an in-place operator like += would change the caller's tensor)
    - Check "is None", not truthiness: 0 is a perfectly good operand
    """
    ### BEGIN SOLUTION
    other_data = _operand_data(other)
    if other_data is None:
        return NotImplemented
    if reflected:
        return Tensor(op(other_data, self.data))
    return Tensor(op(self.data, other_data))
    ### END SOLUTION


def _tensor_neg(self):
    """
    Unary minus: -t.

    TODO: Return a new Tensor holding the negated values.

    STEP-BY-STEP IMPLEMENTATION:
    1. Negate the numpy array
    2. Wrap the result in a new Tensor

    EXAMPLE USAGE:
    ```python
    -Tensor([1, -2, 3])   # Tensor([-1, 2, -3])
    ```

    IMPLEMENTATION HINTS:
    - numpy arrays support unary minus directly
    """
    ### BEGIN SOLUTION
    return Tensor(-self.data)
    ### END SOLUTION


# Provided: every binary operator is one call to _elementwise.
def _tensor_add(self, other):
    return _elementwise(self, other, operator.add)


def _tensor_radd(self, other):
    return _elementwise(self, other, operator.add, reflected=True)


def _tensor_sub(self, other):
    return _elementwise(self, other, operator.sub)


def _tensor_rsub(self, other):
    return _elementwise(self, other, operator.sub, reflected=True)


def _tensor_mul(self, other):
    return _elementwise(self, other, operator.mul)


def _tensor_rmul(self, other):
    return _elementwise(self, other, operator.mul, reflected=True)


def _tensor_truediv(self, other):
    return _elementwise(self, other, operator.truediv)


def _tensor_rtruediv(self, other):
    return _elementwise(self, other, operator.truediv, reflected=True)


Tensor.__add__ = _tensor_add
Tensor.__radd__ = _tensor_radd
Tensor.__sub__ = _tensor_sub
Tensor.__rsub__ = _tensor_rsub
Tensor.__mul__ = _tensor_mul
Tensor.__rmul__ = _tensor_rmul
Tensor.__truediv__ = _tensor_truediv
Tensor.__rtruediv__ = _tensor_rtruediv
Tensor.__neg__ = _tensor_neg

# %% [markdown]
# ### 🧪 Test Your Arithmetic
#
# Tensor-with-Tensor, Tensor-with-scalar and Tensor-with-array arithmetic, broadcasting
# and dtype promotion.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-arithmetic", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Tensor
def test_tensor_arithmetic():
    """+ - * / between Tensors, scalars and arrays, with numpy broadcasting and PyTorch's dtypes."""
    print("🔬 Unit Test: Tensor Arithmetic...")

    a_raw, b_raw = np.array([1, 2, 3]), np.array([4, 5, 6])
    a, b = Tensor(a_raw), Tensor(b_raw)
    cases = [
        ("a + b", a + b, [5, 7, 9]),
        ("a - b", a - b, [-3, -3, -3]),
        ("a * b", a * b, [4, 10, 18]),
        ("b / a", b / a, [4.0, 2.5, 2.0]),
        ("a + 10", a + 10, [11, 12, 13]),
        ("a - 1", a - 1, [0, 1, 2]),
        ("a * 2", a * 2, [2, 4, 6]),
        ("a / 2", a / 2, [0.5, 1.0, 1.5]),
        ("a + 0", a + 0, [1, 2, 3]),
        ("a * 0.0", a * 0.0, [0.0, 0.0, 0.0]),
        ("a - False", a - False, [1, 2, 3]),
        ("a * np.int32(3)", a * np.int32(3), [3, 6, 9]),
        ("a + np.array([1, 1, 1])", a + np.array([1, 1, 1]), [2, 3, 4]),
        ("a * [1, 0, -1]", a * [1, 0, -1], [1, 0, -3]),
        ("a - (3, 2, 1)", a - (3, 2, 1), [-2, 0, 2]),
    ]
    for text, result, expected in cases:
        assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
        assert isinstance(result.data, np.ndarray), f"{text} should hold a numpy array, got {type(result.data).__name__}"
        assert result.data.shape == (3,), f"{text} should have shape (3,), got {result.data.shape}"
        assert np.allclose(result.data, expected), f"{text} should be {expected}, got {result.data.tolist()}"

    # The operands are never modified
    assert a.data is a_raw and b.data is b_raw, "arithmetic must not replace its operands' arrays"
    assert np.array_equal(a_raw, [1, 2, 3]) and np.array_equal(b_raw, [4, 5, 6]), (
        "arithmetic must create new Tensors, not change its operands"
    )

    # Integer dtypes follow numpy
    assert (a + b).dtype == np.asarray([1]).dtype, f"int + int should stay integer, got {(a + b).dtype}"
    assert (a * 3).dtype == np.asarray([1]).dtype, f"int * 3 should stay integer, got {(a * 3).dtype}"
    assert (a / 2).dtype == np.float64, f"int / int should give float64, got {(a / 2).dtype}"
    assert (a * 2.5).dtype == np.float64, f"int * 2.5 should give float64, got {(a * 2.5).dtype}"

    # float32 stays float32 and float64 stays float64, with every kind of operand
    for dt in (np.float32, np.float64):
        name = np.dtype(dt).name
        x_raw = np.array([[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]], dtype=dt)
        y_raw = np.array([2.0, 4.0, 8.0], dtype=dt)
        x, y = Tensor(x_raw), Tensor(y_raw)
        operands = [
            ("a Tensor", y, y_raw),
            ("the Python float 0.5", 0.5, 0.5),
            ("the Python int 3", 3, 3),
            ("np.float64(0.5)", np.float64(0.5), 0.5),
            ("np.float32(0.5)", np.float32(0.5), 0.5),
            ("np.int64(3)", np.int64(3), 3),
        ]
        for label, operand, value in operands:
            for symbol, result, expected in [
                ("+", x + operand, x_raw + value),
                ("-", x - operand, x_raw - value),
                ("*", x * operand, x_raw * value),
                ("/", x / operand, x_raw / value),
            ]:
                text = f"a {name} tensor {symbol} {label}"
                assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
                assert result.data.dtype == dt, f"{text} should stay {name}, got {result.data.dtype}"
                assert result.data.shape == (2, 3), f"{text} should have shape (2, 3), got {result.data.shape}"
                assert np.allclose(result.data, expected), f"{text} gave {result.data.tolist()}"
        assert x.data is x_raw and np.array_equal(x_raw, [[1, 2, 4], [8, 16, 32]]), f"x ({name}) was modified"
        assert y.data is y_raw and np.array_equal(y_raw, [2, 4, 8]), f"y ({name}) was modified"

    # Two arrays of different float dtypes: the wider one wins
    mixed = Tensor(np.ones(3, dtype=np.float32)) + Tensor(np.ones(3, dtype=np.float64))
    assert mixed.data.dtype == np.float64, f"float32 tensor + float64 tensor should be float64, got {mixed.data.dtype}"

    # The helper itself: numpy scalars become Python numbers, sequences become arrays
    converted = _operand_data(np.float64(2.5))
    assert type(converted) is float and converted == 2.5, (
        f"_operand_data(np.float64(2.5)) should be the Python float 2.5, got {converted!r} ({type(converted).__name__})"
    )
    assert type(_operand_data(np.int32(3))) is int, "_operand_data(np.int32(3)) should be the Python int 3"
    as_array = _operand_data([1, 2])
    assert isinstance(as_array, np.ndarray) and np.array_equal(as_array, [1, 2]), (
        f"_operand_data([1, 2]) should be a numpy array, got {as_array!r}"
    )
    assert isinstance(_operand_data((1.5, 2.5)), np.ndarray), "_operand_data of a tuple should be a numpy array"
    assert _operand_data("hello") is None and _operand_data(None) is None, "unsupported operands should give None"

    # Broadcasting: a bias added to every row, and an outer-product table
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    bias = Tensor([10, 20, 30])
    y = x + bias
    assert y.shape == (2, 3), f"(2, 3) + (3,) should broadcast to (2, 3), got {y.shape}"
    assert np.array_equal(y.data, [[11, 22, 33], [14, 25, 36]]), f"x + bias gave {y.data.tolist()}"
    col = Tensor([[1], [2], [3]])
    row = Tensor([[1, 10, 100, 1000]])
    table = col * row
    assert table.shape == (3, 4), f"(3, 1) * (1, 4) should broadcast to (3, 4), got {table.shape}"
    assert np.array_equal(table.data[2], [3, 30, 300, 3000]), f"last row of col * row should be [3, 30, 300, 3000], got {table.data[2].tolist()}"
    cube = Tensor(np.arange(6).reshape(2, 1, 3)) - Tensor(np.arange(4).reshape(4, 1))
    assert cube.shape == (2, 4, 3), f"(2, 1, 3) - (4, 1) should broadcast to (2, 4, 3), got {cube.shape}"
    assert np.array_equal(cube.data[1, 3], [0, 1, 2]), f"(2, 1, 3) - (4, 1): [1, 3] should be [0, 1, 2], got {cube.data[1, 3].tolist()}"

    # Incompatible shapes are an error, as in numpy
    try:
        Tensor([[1, 2, 3], [4, 5, 6]]) + Tensor([1, 2])
        assert False, "(2, 3) + (2,) cannot broadcast and should raise ValueError"
    except ValueError:
        pass

    print("✅ + - * / work with Tensors, scalars, arrays and lists")
    print("✅ Broadcasting follows numpy; float32 stays float32 with every operand")

test_tensor_arithmetic()

# %% [markdown]
# ### 🧪 Test Reflected Operators and `NotImplemented`
#
# Numbers, lists and numpy arrays on the **left** of a Tensor, unary minus, and the
# `NotImplemented` handshake that later lets `Variable` take over.

# %% nbgrader={"grade": true, "grade_id": "test-tensor-reflected", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Tensor
def test_tensor_reflected_ops():
    """Reflected operators, unary minus, numpy interop and NotImplemented for foreign types."""
    print("🔬 Unit Test: Reflected Operators and NotImplemented...")

    t = Tensor([1, 2, 4])
    cases = [
        ("10 + t", 10 + t, [11, 12, 14]),
        ("2 - t", 2 - t, [1, 0, -2]),
        ("3 * t", 3 * t, [3, 6, 12]),
        ("1 / t", 1 / t, [1.0, 0.5, 0.25]),
        ("[1, 1, 1] + t", [1, 1, 1] + t, [2, 3, 5]),
        ("np.float64(2.0) * t", np.float64(2.0) * t, [2.0, 4.0, 8.0]),
        ("0 - t", 0 - t, [-1, -2, -4]),
        ("(8, 8, 8) / t", (8, 8, 8) / t, [8.0, 4.0, 2.0]),
        ("-t", -t, [-1, -2, -4]),
    ]
    for text, result, expected in cases:
        assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
        assert np.allclose(result.data, expected), f"{text} should be {expected}, got {result.data.tolist()}"
    assert (-t).dtype == np.asarray([1]).dtype, f"-t of an integer tensor should stay integer, got {(-t).dtype}"
    assert (2 - t).dtype == np.asarray([1]).dtype, f"2 - t of an integer tensor should stay integer, got {(2 - t).dtype}"

    # Reflected operators and unary minus keep float32 / float64 too
    for dt in (np.float32, np.float64):
        name = np.dtype(dt).name
        w_raw = np.array([[1.0, 2.0, 4.0], [-8.0, 0.5, 0.25]], dtype=dt)
        w = Tensor(w_raw)
        for text, result, expected in [
            ("2.0 - w", 2.0 - w, 2.0 - w_raw),
            ("3 + w", 3 + w, 3 + w_raw),
            ("1 / w", 1 / w, 1 / w_raw),
            ("np.float64(0.5) * w", np.float64(0.5) * w, 0.5 * w_raw),
            ("np.float32(2.0) / w", np.float32(2.0) / w, 2.0 / w_raw),
            ("an array of the same dtype - w", np.ones(3, dtype=dt) - w, np.ones(3, dtype=dt) - w_raw),
            ("-w", -w, -w_raw),
        ]:
            assert isinstance(result, Tensor), f"{text} ({name}) should return a Tensor, got {type(result).__name__}"
            assert result.data.dtype == dt, f"{text} with a {name} w should stay {name}, got {result.data.dtype}"
            assert np.allclose(result.data, expected), f"{text} ({name}) gave {result.data.tolist()}"
        assert w.data is w_raw and np.array_equal(w_raw, [[1, 2, 4], [-8, 0.5, 0.25]]), (
            f"reflected operators and -w must not modify w ({name})"
        )

    # ndarray on the left: numpy must defer to the Tensor (__array_ufunc__ = None)
    for text, result, expected in [
        ("np.array([10, 20, 30]) - t", np.array([10, 20, 30]) - t, [9, 18, 26]),
        ("np.ones(3) / t", np.ones(3) / t, [1.0, 0.5, 0.25]),
    ]:
        assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
        assert np.allclose(result.data, expected), f"{text} should be {expected}, got {result.data.tolist()}"

    # Unknown types: the operator returns NotImplemented instead of failing ...
    assert t.__add__("hello") is NotImplemented, "Tensor + str should return NotImplemented from __add__"
    assert t.__rsub__(object()) is NotImplemented, "__rsub__ with an unknown type should return NotImplemented"
    assert t.__truediv__({"a": 1}) is NotImplemented, "__truediv__ with a dict should return NotImplemented"

    # ... so that the other class's reflected operator gets its turn
    class Other:
        def __radd__(self, left):
            return "Other.__radd__ ran"

        def __rmul__(self, left):
            return "Other.__rmul__ ran"

    assert t + Other() == "Other.__radd__ ran", "t + Other() should end in Other.__radd__ (return NotImplemented)"
    assert t * Other() == "Other.__rmul__ ran", "t * Other() should end in Other.__rmul__ (return NotImplemented)"

    # And with nobody to take over, Python raises TypeError
    try:
        t + "hello"
        assert False, "Tensor + str should raise TypeError"
    except TypeError:
        pass

    print("✅ Reflected operators and unary minus work")
    print("✅ numpy arrays on the left produce Tensors")
    print("✅ Unknown types get NotImplemented")

test_tensor_reflected_ops()

# %% [markdown]
# ### Comparisons (provided)
#
# `t > 0`, `a <= b`, `t == 2`: comparisons work element by element too, with the same
# broadcasting, and give a **boolean tensor** (dtype `bool`) — a mask you can index with,
# count or test:
#
# ```
# t = Tensor([[-1.0, 0.0, 2.0],
#             [ 3.0, -4.0, 0.5]])
# t > 0            -> [[False, False, True], [True, False, True]]    dtype bool
# t[t > 0]         -> [2.0, 3.0, 0.5]
# (t >= 0).sum()   -> 4           True counts as 1
# 0 < t            -> the same as t > 0
# ```
#
# Each comparison is one call to your `_elementwise`, so they are written for you. Two
# details are worth knowing:
#
# - Comparisons have no reflected methods. For `0 < t`, Python tries `int.__lt__`, gets
#   `NotImplemented`, and then asks the **mirrored** comparison `t.__gt__(0)`.
# - Equal objects must have equal hashes, so when a class body defines `__eq__`, Python
#   sets its `__hash__` to `None` and the objects can no longer be dict keys. An
#   element-wise `==` is not "equality of objects", though, and PyTorch keeps tensors
#   hashable **by identity**: optimizers keep `{parameter: state}` dictionaries. We do the
#   same, explicitly. The price, in PyTorch as here: `t in [a, b]` and `list.index(t)`
#   use `==`, so look tensors up by identity (`is`) or in a dict.
#
# From now on `a == b` on tensors is an array of booleans, not a yes/no answer. That is
# why the tests compare `.data` with numpy's `np.array_equal`, never tensors with `==`.

# %% nbgrader={"grade": false, "grade_id": "tensor-comparisons", "locked": true, "schema_version": 3, "solution": false}
#| export
# Provided: comparisons are element-wise operators like + and -, returning boolean Tensors.
def _tensor_lt(self, other):
    return _elementwise(self, other, operator.lt)


def _tensor_le(self, other):
    return _elementwise(self, other, operator.le)


def _tensor_gt(self, other):
    return _elementwise(self, other, operator.gt)


def _tensor_ge(self, other):
    return _elementwise(self, other, operator.ge)


def _tensor_eq(self, other):
    return _elementwise(self, other, operator.eq)


def _tensor_ne(self, other):
    return _elementwise(self, other, operator.ne)


def _tensor_pow(self, other):
    return _elementwise(self, other, operator.pow)


def _tensor_rpow(self, other):
    return _elementwise(self, other, operator.pow, reflected=True)


def _tensor_abs(self):
    return Tensor(np.abs(self.data))


# Also provided, on the same pattern: t ** 2, 2 ** t and abs(t).
Tensor.__pow__ = _tensor_pow
Tensor.__rpow__ = _tensor_rpow
Tensor.__abs__ = _tensor_abs
Tensor.__lt__ = _tensor_lt
Tensor.__le__ = _tensor_le
Tensor.__gt__ = _tensor_gt
Tensor.__ge__ = _tensor_ge
Tensor.__eq__ = _tensor_eq
Tensor.__ne__ = _tensor_ne
# Hashable by identity, like torch.Tensor: tensors can be dict keys and set members.
Tensor.__hash__ = object.__hash__

# %% [markdown]
# ## Step 3: Matrix Multiplication
#
# ### The most important operation in deep learning
# A dense (fully connected) layer is one matrix multiplication: a batch of inputs
# `(batch, in_features)` times a weight matrix `(in_features, out_features)`. Convolutions
# and attention are implemented as matrix multiplications too. When people say a GPU is
# fast at deep learning, they mostly mean it is fast at this.
#
# ### The maths
# For `A` of shape `(n, k)` and `B` of shape `(k, m)`, `C = A @ B` has shape `(n, m)` and
#
# ```
# C[i, j] = sum over p of A[i, p] * B[p, j]       (row i of A  ·  column j of B)
#
#   A (2, 3)        B (3, 2)          C (2, 2)
# [[1, 2, 3],     [[7,  8],        [[1*7 + 2*9 + 3*11,  1*8 + 2*10 + 3*12],
#  [4, 5, 6]]  @   [9, 10],    =    [4*7 + 5*9 + 6*11,  4*8 + 5*10 + 6*12]]
#                  [11, 12]]     = [[58,  64],
#                                   [139, 154]]
# ```
#
# The **inner dimensions must agree**: the `k` of `A` (its last axis) and the `k` of `B`
# (its first axis for a vector, its second-to-last otherwise). numpy's `@` also handles
# vectors (`(k,) @ (k, m) -> (m,)`) and stacks of matrices (`(b, n, k) @ (b, k, m)`).
#
# ### Why our own error message?
# Shape mismatches are the most common bug in model code. numpy's message
# (`matmul: Input operand 1 has a mismatch in its core dimension 0, ...`) does not say
# which shapes were involved. PyTorch's says
# `mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)`. We check the inner
# dimensions ourselves and raise a `ValueError` that names **both shapes**, so the bug
# is obvious at a glance.
#
# `t @ w` calls `t.__matmul__(w)`; `w @ t` with a numpy array or list on the left ends up
# in `t.__rmatmul__(w)`, by the same rules as in Step 2. `t.matmul(w)` is the named form.

# %% nbgrader={"grade": false, "grade_id": "tensor-matmul", "locked": false, "schema_version": 3, "solution": true}
#| export
def _tensor_matmul(self, other):
    """
    Matrix product self @ other.

    TODO: Multiply two tensors as matrices, checking their shapes first.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert `other` with _operand_data; return NotImplemented if unsupported
    2. Make sure both operands are arrays (np.asarray) so they have shapes
    3. If either operand is 0-dimensional, raise ValueError naming both shapes
       (matmul needs vectors or matrices)
    4. Find the inner dimensions: the last axis of self; for other, its only
       axis if it is a vector, otherwise its second-to-last axis
    5. If they differ, raise ValueError with a message containing both shapes
    6. Otherwise compute the product with numpy's @ and wrap it in a Tensor

    EXAMPLE USAGE:
    ```python
    a = Tensor([[1, 2, 3], [4, 5, 6]])          # (2, 3)
    b = Tensor([[7, 8], [9, 10], [11, 12]])     # (3, 2)
    a @ b                                       # Tensor([[58, 64], [139, 154]])
    a @ Tensor([[1, 2], [3, 4]])                # ValueError: ... (2, 3) ... (2, 2) ...
    ```

    IMPLEMENTATION HINTS:
    - shape[-1] is the last axis, shape[-2] the second-to-last
    - An f-string can show a shape tuple directly: f"{a.shape} @ {b.shape}"
    - Let numpy's @ handle vectors and stacks of matrices; you only add the check
    """
    ### BEGIN SOLUTION
    other_data = _operand_data(other)
    if other_data is None:
        return NotImplemented
    a = self.data
    b = np.asarray(other_data)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul needs operands with at least 1 dimension, got shapes {a.shape} and {b.shape}"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul shape mismatch: {a.shape} @ {b.shape} "
            f"(inner dimensions {inner_a} and {inner_b} must be equal)"
        )
    return Tensor(a @ b)
    ### END SOLUTION


def _tensor_rmatmul(self, other):
    """
    Reflected matrix product other @ self, for a numpy array or list on the left.

    TODO: Compute other @ self as a Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert `other` with _operand_data; return NotImplemented if unsupported
    2. Wrap it in a Tensor and multiply it by self with _tensor_matmul
       (the order matters: other is on the left)

    EXAMPLE USAGE:
    ```python
    np.eye(2) @ Tensor([[1, 2], [3, 4]])   # Tensor([[1., 2.], [3., 4.]])
    [[1, 1]] @ Tensor([[1, 2], [3, 4]])    # Tensor([[4, 6]])
    ```

    IMPLEMENTATION HINTS:
    - Reusing _tensor_matmul gives you the shape check for free
    """
    ### BEGIN SOLUTION
    other_data = _operand_data(other)
    if other_data is None:
        return NotImplemented
    return _tensor_matmul(Tensor(other_data), self)
    ### END SOLUTION


# Provided: the named method. Unlike an operator, it raises TypeError for an
# unsupported operand instead of returning NotImplemented.
def _tensor_matmul_method(self, other):
    """Matrix product self @ other (the named form of the @ operator)."""
    result = _tensor_matmul(self, other)
    if result is NotImplemented:
        raise TypeError(f"Tensor.matmul: unsupported operand type {type(other).__name__!r}")
    return result


Tensor.__matmul__ = _tensor_matmul
Tensor.__rmatmul__ = _tensor_rmatmul
Tensor.matmul = _tensor_matmul_method

# %% [markdown]
# ### 🧪 Test Your Matrix Multiplication

# %% nbgrader={"grade": true, "grade_id": "test-tensor-matmul", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Tensor, _operand_data, _elementwise
def test_tensor_matmul():
    """@ and matmul compute matrix products and report shape mismatches clearly."""
    print("🔬 Unit Test: Matrix Multiplication...")

    a = Tensor([[1, 2, 3], [4, 5, 6]])
    b = Tensor([[7, 8], [9, 10], [11, 12]])
    c = a @ b
    assert isinstance(c, Tensor), f"a @ b should return a Tensor, got {type(c).__name__}"
    assert c.shape == (2, 2), f"(2, 3) @ (3, 2) should have shape (2, 2), got {c.shape}"
    assert np.array_equal(c.data, [[58, 64], [139, 154]]), f"a @ b should be [[58, 64], [139, 154]], got {c.data.tolist()}"
    assert np.array_equal(a.matmul(b).data, c.data), "a.matmul(b) should equal a @ b"

    # A dense layer: (batch, in) @ (in, out) + bias
    x = Tensor(np.ones((4, 3)))
    w = Tensor(np.arange(6.0).reshape(3, 2))
    y = x @ w + Tensor([0.5, -0.5])
    assert y.shape == (4, 2), f"(4, 3) @ (3, 2) + (2,) should have shape (4, 2), got {y.shape}"
    assert np.allclose(y.data[0], [6.5, 8.5]), f"each row of x @ w + b should be [6.5, 8.5], got {y.data[0].tolist()}"

    # Vectors and arrays/lists on either side
    v = Tensor([1, 1, 1])
    assert np.array_equal((v @ b).data, [27, 30]), f"(3,) @ (3, 2) should be [27, 30], got {(v @ b).data.tolist()}"
    assert np.array_equal((a @ np.array([1, 0, 0])).data, [1, 4]), "a @ ndarray should work"
    left = np.eye(2) @ a
    assert isinstance(left, Tensor), f"ndarray @ Tensor should return a Tensor, got {type(left).__name__}"
    assert np.array_equal(left.data, a.data), "np.eye(2) @ a should equal a"
    assert np.array_equal(([[1, 1]] @ a).data, [[5, 7, 9]]), "[[1, 1]] @ a should be [[5, 7, 9]]"

    # Shape mismatch: a ValueError that names both shapes
    try:
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
        assert False, "(2, 3) @ (4, 5) should raise ValueError"
    except ValueError as error:
        message = str(error)
        assert "(2, 3)" in message and "(4, 5)" in message, (
            f"the error message should name both shapes (2, 3) and (4, 5), got: {message!r}"
        )
    try:
        Tensor(np.ones((2, 3))).matmul(Tensor(np.ones(2)))
        assert False, "(2, 3) @ (2,) should raise ValueError"
    except ValueError as error:
        assert "(2, 3)" in str(error) and "(2,)" in str(error), f"the message should name (2, 3) and (2,), got: {str(error)!r}"

    assert a.__matmul__("hello") is NotImplemented, "@ with an unknown type should return NotImplemented"

    # Lists on the right, numbers on either side (a 0-d operand is an error, not a crash)
    assert np.array_equal((a @ [[7, 8], [9, 10], [11, 12]]).data, [[58, 64], [139, 154]]), "a @ nested list should work"
    for text, compute in [("a @ 3", lambda: a @ 3), ("3 @ a", lambda: 3 @ a), ("a @ 2.5", lambda: a @ 2.5),
                          ("a @ Tensor(2.0)", lambda: a @ Tensor(2.0)), ("Tensor(2.0) @ a", lambda: Tensor(2.0) @ a)]:
        try:
            compute()
            assert False, f"{text} should raise ValueError (matmul needs at least 1-d operands)"
        except ValueError:
            pass

    # Stacks of matrices: the inner dimensions are the LAST axis of the left operand and
    # the SECOND-TO-LAST axis of the right one, not axis 0 or 1
    left_raw = np.arange(30.0).reshape(5, 2, 3)
    right_raw = np.arange(60.0).reshape(5, 3, 4) / 10
    stacked = Tensor(left_raw) @ Tensor(right_raw)
    assert stacked.shape == (5, 2, 4), f"(5, 2, 3) @ (5, 3, 4) should have shape (5, 2, 4), got {stacked.shape}"
    assert np.allclose(stacked.data, left_raw @ right_raw), "(5, 2, 3) @ (5, 3, 4) gave wrong values"
    shared = Tensor(left_raw) @ Tensor(np.ones((3, 4)))
    assert shared.shape == (5, 2, 4), f"(5, 2, 3) @ (3, 4) should have shape (5, 2, 4), got {shared.shape}"
    assert np.allclose(shared.data, left_raw @ np.ones((3, 4))), "(5, 2, 3) @ (3, 4) gave wrong values"
    assert np.array_equal(left_raw, np.arange(30.0).reshape(5, 2, 3)), "matmul must not modify its left operand"
    assert np.allclose(right_raw, np.arange(60.0).reshape(5, 3, 4) / 10), "matmul must not modify its right operand"
    for shape_a, shape_b in [((5, 2, 3), (5, 2, 4)), ((5, 2, 3), (5, 4, 3)), ((3,), (2, 3))]:
        try:
            Tensor(np.ones(shape_a)) @ Tensor(np.ones(shape_b))
            assert False, f"{shape_a} @ {shape_b} should raise ValueError"
        except ValueError as error:
            assert str(shape_a) in str(error) and str(shape_b) in str(error), (
                f"the message should name {shape_a} and {shape_b}, got: {str(error)!r}"
            )

    # float32 @ float32 stays float32, float64 stays float64
    for dt in (np.float32, np.float64):
        name = np.dtype(dt).name
        p_raw = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=dt)
        q_raw = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 1.5]], dtype=dt)
        for text, result in [("p @ q", Tensor(p_raw) @ Tensor(q_raw)), ("p.matmul(q)", Tensor(p_raw).matmul(Tensor(q_raw))),
                             ("p @ ndarray", Tensor(p_raw) @ q_raw), ("ndarray @ q", p_raw @ Tensor(q_raw))]:
            assert isinstance(result, Tensor), f"{text} ({name}) should return a Tensor, got {type(result).__name__}"
            assert result.data.dtype == dt, f"{text} with {name} operands should be {name}, got {result.data.dtype}"
            assert np.allclose(result.data, [[7.5, 3.5], [18.0, 5.0]]), f"{text} ({name}) gave {result.data.tolist()}"
        row = Tensor(np.array([1.0, 0.0, -1.0], dtype=dt)) @ Tensor(q_raw)
        assert row.data.dtype == dt and np.allclose(row.data, [-0.5, -2.5]), f"(3,) @ (3, 2) in {name} gave {row.data!r}"

    print("✅ Matrix products, vectors and numpy operands work")
    print("✅ Shape mismatches raise a clear ValueError")

test_tensor_matmul()

# %% [markdown]
# ## Step 4: Reductions — `sum`, `mean`, `max`
#
# ### What is a reduction?
# A reduction combines many numbers into fewer: the total loss over a batch is a `sum`
# or `mean`, the predicted class is where the `max` is, and batch normalisation needs the
# `mean` of every feature.
#
# ### Axes
# With `axis=None` every element is combined into one number. With an axis, only that
# axis is collapsed:
#
# ```
# x = [[1, 2, 3],        x.sum()        -> 21              shape ()
#      [4, 5, 6]]        x.sum(axis=0)  -> [5, 7, 9]       shape (3,)   down the columns
#                        x.sum(axis=1)  -> [6, 15]         shape (2,)   along each row
#                        x.sum(axis=1, keepdims=True)
#                                       -> [[6], [15]]     shape (2, 1)
# ```
#
# `axis=-1` means the last axis, and a tuple of axes collapses several at once.
#
# ### Why `keepdims`?
# It keeps the collapsed axis with size 1, so the result **broadcasts back** against the
# input. This is how a numerically stable softmax subtracts each row's maximum:
#
# ```python
# shifted = x - x.max(axis=1, keepdims=True)    # (2, 3) - (2, 1) -> (2, 3)
# ```
#
# Without `keepdims` the shapes would be `(2, 3) - (2,)`, which fails (or, worse, for a
# square matrix silently subtracts along the wrong axis).
#
# ### dtypes
# A reduction keeps the tensor's dtype: the sum, mean, max and min of a float32 tensor
# are float32, and those of a float64 tensor are float64. The mean of integers is a float64. `sum` and `mean` also take `dtype=`, the type to compute and
# return in: `counts.sum(dtype=np.float64)`, or `x.mean(dtype=np.float64)` for a more
# precise mean of a float32 tensor. `max` and `min` pick an element, so they have no
# `dtype=`.
#
# ### In PyTorch
# `torch.sum(x, dim=1, keepdim=True, dtype=torch.float64)`: the same idea, with the names
# `dim` / `keepdim`. We keep numpy's names. Every reduction returns a `Tensor`, even when
# the result is a single number: use `.item()` or `float()` to get a Python number out.

# %% nbgrader={"grade": false, "grade_id": "tensor-reductions", "locked": false, "schema_version": 3, "solution": true}
#| export
def _tensor_sum(self, axis=None, keepdims=False, dtype=None):
    """
    Sum of the elements, over all axes or along `axis`.

    TODO: Return the sum as a new Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Let numpy sum the array, passing `axis`, `keepdims` and `dtype` along
       (dtype=None means "the array's own dtype", numpy's usual rule)
    2. Wrap the result in a Tensor

    EXAMPLE USAGE:
    ```python
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    x.sum()                        # Tensor(21)
    x.sum(axis=0)                  # Tensor([5, 7, 9])
    x.sum(axis=1, keepdims=True)   # Tensor([[6], [15]])
    x.sum(dtype=np.float32)        # Tensor(21.0), dtype float32
    ```

    IMPLEMENTATION HINTS:
    - numpy arrays have a sum method that takes all three as keyword arguments
    - A full reduction gives a numpy scalar; Tensor() turns it into a 0-d tensor
    """
    ### BEGIN SOLUTION
    return Tensor(self.data.sum(axis=axis, keepdims=keepdims, dtype=dtype))
    ### END SOLUTION


def _tensor_mean(self, axis=None, keepdims=False, dtype=None):
    """
    Arithmetic mean of the elements, over all axes or along `axis`.

    TODO: Return the mean as a new Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Let numpy average the array, passing `axis`, `keepdims` and `dtype` along
    2. Wrap the result in a Tensor

    EXAMPLE USAGE:
    ```python
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    x.mean()          # Tensor(3.5)   (the mean of integers is a float64)
    x.mean(axis=1)    # Tensor([2., 5.])
    Tensor(np.ones(3, dtype=np.float32)).mean()   # dtype float32
    ```

    IMPLEMENTATION HINTS:
    - Same pattern as sum
    - Do not divide a sum by a count yourself: numpy's mean already picks the
      right dtype and handles axis tuples
    """
    ### BEGIN SOLUTION
    return Tensor(self.data.mean(axis=axis, keepdims=keepdims, dtype=dtype))
    ### END SOLUTION


def _tensor_max(self, axis=None, keepdims=False):
    """
    Largest element, over all axes or along `axis`.

    TODO: Return the maximum as a new Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Let numpy find the maximum, passing `axis` and `keepdims` along
    2. Wrap the result in a Tensor

    EXAMPLE USAGE:
    ```python
    x = Tensor([[1, 9, 3], [4, 5, 6]])
    x.max()                         # Tensor(9)
    x.max(axis=0)                   # Tensor([4, 9, 6])
    x.max(axis=1, keepdims=True)    # Tensor([[9], [6]])
    ```

    IMPLEMENTATION HINTS:
    - Same pattern as sum; numpy's method is also called max
    """
    ### BEGIN SOLUTION
    return Tensor(self.data.max(axis=axis, keepdims=keepdims))
    ### END SOLUTION


def _tensor_min(self, axis=None, keepdims=False):
    """
    Smallest element, over all axes or along `axis`.

    TODO: Return the minimum as a new Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Let numpy find the minimum, passing `axis` and `keepdims` along
    2. Wrap the result in a Tensor

    EXAMPLE USAGE:
    ```python
    x = Tensor([[1, 9, 3], [4, 5, 6]])
    x.min()                         # Tensor(1)
    x.min(axis=0)                   # Tensor([1, 5, 3])
    x.min(axis=1, keepdims=True)    # Tensor([[1], [4]])
    ```

    IMPLEMENTATION HINTS:
    - The mirror image of max
    """
    ### BEGIN SOLUTION
    return Tensor(self.data.min(axis=axis, keepdims=keepdims))
    ### END SOLUTION

# %% [markdown]
# ### Letting numpy call the reductions (provided)
#
# `np.sum(t)`, `np.mean(t)`, `np.max(t)`, `np.min(t)`, `np.all(t)` and `np.any(t)` should
# work on a Tensor, as they do on a `torch.Tensor`. numpy makes that easy: when the
# argument is not an ndarray but has a method of the same name, `np.sum(t, axis=0)`
# simply calls `t.sum(axis=0, out=None)`, and passes `dtype=` / `keepdims=` when you give
# them. So our methods must accept numpy's keywords, even those we do not support:
#
# - `out=None` is always passed. numpy's `out=` writes the result into an existing array;
#   our reductions always return a new Tensor, so a real `out` gets a clear `TypeError`.
# - `dtype=` reaches your `sum` and `mean`, which already take it.
#
# The wrapper below adds that to each reduction, and `all` / `any` (is every / some
# element true?) complete numpy's set. Because `Tensor` sets `__array_ufunc__ = None`,
# numpy's element-wise functions (`np.exp(t)`, `np.maximum(t, 0)`) refuse Tensors: call
# them on `t.data` and wrap the result, as the activations module will.

# %% nbgrader={"grade": false, "grade_id": "tensor-numpy-reductions", "locked": true, "schema_version": 3, "solution": false}
#| export
def _accepts_numpy_keywords(reduction):
    """Let np.sum(t), np.mean(t), ... call a Tensor reduction: accept numpy's `out=None`."""

    @functools.wraps(reduction)
    def method(self, *args, out=None, **kwargs):
        if out is not None:
            raise TypeError(
                f"Tensor.{reduction.__name__.replace('_tensor_', '')}() does not support out=: "
                "it always returns a new Tensor"
            )
        return reduction(self, *args, **kwargs)

    return method


def _tensor_all(self, axis=None, keepdims=False):
    """True where every element (along `axis`) is nonzero, as a boolean Tensor."""
    return Tensor(np.all(self.data, axis=axis, keepdims=keepdims))


def _tensor_any(self, axis=None, keepdims=False):
    """True where some element (along `axis`) is nonzero, as a boolean Tensor."""
    return Tensor(np.any(self.data, axis=axis, keepdims=keepdims))


Tensor.sum = _accepts_numpy_keywords(_tensor_sum)
Tensor.mean = _accepts_numpy_keywords(_tensor_mean)
Tensor.max = _accepts_numpy_keywords(_tensor_max)
Tensor.min = _accepts_numpy_keywords(_tensor_min)
Tensor.all = _accepts_numpy_keywords(_tensor_all)
Tensor.any = _accepts_numpy_keywords(_tensor_any)

# %% [markdown]
# ### 🧪 Test Your Reductions

# %% nbgrader={"grade": true, "grade_id": "test-tensor-reductions", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Tensor, _operand_data, _elementwise
def test_tensor_reductions():
    """sum, mean, max and min over everything, along an axis, with keepdims and dtype."""
    print("🔬 Unit Test: Reductions...")

    x = Tensor([[1, 9, 3], [4, 5, 6]])

    total = x.sum()
    assert isinstance(total, Tensor), f"x.sum() should return a Tensor, got {type(total).__name__}"
    assert total.shape == () and total.item() == 28, f"x.sum() should be the 0-d tensor 28, got shape {total.shape}"
    cases = [
        ("x.sum(axis=0)", x.sum(axis=0), [5, 14, 9], (3,)),
        ("x.sum(axis=1)", x.sum(axis=1), [13, 15], (2,)),
        ("x.sum(axis=-1)", x.sum(axis=-1), [13, 15], (2,)),
        ("x.sum(axis=1, keepdims=True)", x.sum(axis=1, keepdims=True), [[13], [15]], (2, 1)),
        ("x.sum(axis=0, keepdims=True)", x.sum(axis=0, keepdims=True), [[5, 14, 9]], (1, 3)),
        ("x.sum(axis=(0, 1))", x.sum(axis=(0, 1)), 28, ()),
        ("x.mean(axis=0)", x.mean(axis=0), [2.5, 7.0, 4.5], (3,)),
        ("x.mean(axis=1)", x.mean(axis=1), [13 / 3, 5.0], (2,)),
        ("x.mean(axis=1, keepdims=True)", x.mean(axis=1, keepdims=True), [[13 / 3], [5.0]], (2, 1)),
        ("x.max(axis=0)", x.max(axis=0), [4, 9, 6], (3,)),
        ("x.max(axis=1)", x.max(axis=1), [9, 6], (2,)),
        ("x.max(axis=1, keepdims=True)", x.max(axis=1, keepdims=True), [[9], [6]], (2, 1)),
        ("x.min(axis=0)", x.min(axis=0), [1, 5, 3], (3,)),
        ("x.min(axis=1)", x.min(axis=1), [1, 4], (2,)),
        ("x.min(axis=0, keepdims=True)", x.min(axis=0, keepdims=True), [[1, 5, 3]], (1, 3)),
        ("x.sum(keepdims=True)", x.sum(keepdims=True), [[28]], (1, 1)),
        ("x.max(keepdims=True)", x.max(keepdims=True), [[9]], (1, 1)),
        ("x.min(keepdims=True)", x.min(keepdims=True), [[1]], (1, 1)),
    ]
    for text, result, expected, shape in cases:
        assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
        assert result.shape == shape, f"{text} should have shape {shape}, got {result.shape}"
        assert np.allclose(result.data, expected), f"{text} should be {expected}, got {result.data.tolist()}"

    mean = x.mean()
    assert abs(mean.item() - 28 / 6) < 1e-12, f"x.mean() should be {28 / 6}, got {mean.item()}"
    assert mean.dtype == np.float64, f"the mean of integers should be float64, got {mean.dtype}"
    assert x.max().item() == 9, f"x.max() should be 9, got {x.max().item()}"
    assert x.min().item() == 1, f"x.min() should be 1, got {x.min().item()}"
    assert x.sum().dtype == np.asarray([1]).dtype, f"the sum of integers should stay integer, got {x.sum().dtype}"
    assert Tensor([-3.0, -1.0, -2.0]).max().item() == -1.0, "the max of [-3, -1, -2] is -1"
    assert Tensor([3.0, 1.0, 2.0]).min().item() == 1.0, "the min of [3, 1, 2] is 1"

    # Three axes, none of the same length: each axis must be the one asked for
    cube_raw = (np.arange(24).reshape(2, 3, 4) * 7) % 11
    cube = Tensor(cube_raw)
    for name in ("sum", "mean", "max", "min"):
        for axis in (0, 1, 2, -1, (0, 2)):
            for keepdims in (False, True):
                result = getattr(cube, name)(axis=axis, keepdims=keepdims)
                expected = getattr(cube_raw, name)(axis=axis, keepdims=keepdims)
                text = f"cube.{name}(axis={axis}, keepdims={keepdims}) on shape (2, 3, 4)"
                assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
                assert result.shape == expected.shape, f"{text} should have shape {expected.shape}, got {result.shape}"
                assert np.allclose(result.data, expected), f"{text} gave {result.data.tolist()}"
    assert np.array_equal(cube_raw, (np.arange(24).reshape(2, 3, 4) * 7) % 11), "reductions must not modify the tensor"

    # dtypes: float32 stays float32, float64 stays float64; dtype= converts
    for dt in (np.float32, np.float64):
        dname = np.dtype(dt).name
        w_raw = np.array([[0.5, -1.5, 2.0], [4.0, 0.25, -3.0]], dtype=dt)
        w = Tensor(w_raw)
        for text, result, expected in [
            ("w.sum()", w.sum(), 2.25), ("w.sum(axis=0)", w.sum(axis=0), [4.5, -1.25, -1.0]),
            ("w.mean()", w.mean(), 0.375), ("w.mean(axis=1)", w.mean(axis=1), [1 / 3, 1.25 / 3]),
            ("w.max()", w.max(), 4.0), ("w.max(axis=1)", w.max(axis=1), [2.0, 4.0]),
            ("w.min()", w.min(), -3.0), ("w.min(axis=0)", w.min(axis=0), [0.5, -1.5, -3.0]),
        ]:
            assert isinstance(result, Tensor), f"{text} ({dname}) should return a Tensor, got {type(result).__name__}"
            assert result.data.dtype == dt, f"{text} of a {dname} tensor should be {dname}, got {result.data.dtype}"
            assert np.allclose(result.data, expected, atol=1e-6), f"{text} ({dname}) should be {expected}, got {result.data.tolist()}"
        assert np.array_equal(w_raw, [[0.5, -1.5, 2.0], [4.0, 0.25, -3.0]]) and w.data is w_raw, f"w ({dname}) was modified"
    counts = Tensor(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32))
    for text, result, want_dtype, expected in [
        ("counts.sum(dtype=np.float32)", counts.sum(dtype=np.float32), np.float32, 21.0),
        ("counts.sum(axis=0, dtype=np.float64)", counts.sum(axis=0, dtype=np.float64), np.float64, [5.0, 7.0, 9.0]),
        ("counts.mean(dtype=np.float32)", counts.mean(dtype=np.float32), np.float32, 3.5),
        ("float32 w.mean(axis=1, dtype=np.float64)", Tensor(np.ones((2, 3), dtype=np.float32)).mean(axis=1, dtype=np.float64),
         np.float64, [1.0, 1.0]),
        ("float32 w.sum(keepdims=True, dtype=np.float64)", Tensor(np.ones((2, 3), dtype=np.float32)).sum(keepdims=True, dtype=np.float64),
         np.float64, [[6.0]]),
    ]:
        assert result.data.dtype == want_dtype, f"{text} should be {np.dtype(want_dtype)}, got {result.data.dtype}"
        assert np.shape(result.data) == np.shape(expected), f"{text} should have shape {np.shape(expected)}, got {result.data.shape}"
        assert np.allclose(result.data, expected), f"{text} should be {expected}, got {result.data.tolist()}"

    # keepdims makes the result broadcast back against x
    shifted = x - x.max(axis=1, keepdims=True)
    assert np.array_equal(shifted.data, [[-8, 0, -6], [-2, -1, 0]]), (
        f"x - x.max(axis=1, keepdims=True) should be [[-8, 0, -6], [-2, -1, 0]], got {shifted.data.tolist()}"
    )
    assert np.array_equal(x.data, [[1, 9, 3], [4, 5, 6]]), "reductions must not modify the tensor"

    print("✅ sum, mean, max and min work over all elements and along axes")
    print("✅ keepdims keeps results broadcastable; dtypes are kept, dtype= converts")

test_tensor_reductions()

# %% [markdown]
# ## Step 5: Changing Shape — `reshape`, `transpose`, `.T`
#
# ### reshape: same numbers, new arrangement
# numpy stores an array's elements in one flat block of memory, row by row. The shape
# only says how to read that block. `reshape` changes the shape without touching the
# numbers, so the total size must stay the same:
#
# ```
# [1, 2, 3, 4, 5, 6]  --reshape(2, 3)-->  [[1, 2, 3],   --reshape(3, 2)-->  [[1, 2],
#                                          [4, 5, 6]]                        [3, 4],
#                                                                            [5, 6]]
# ```
#
# One dimension may be `-1`, meaning "whatever makes the size work out". You will use
# this constantly: `images.reshape(batch_size, -1)` flattens each image into a vector
# before a dense layer. Like PyTorch, we accept both `t.reshape(2, 3)` and
# `t.reshape((2, 3))`.
#
# ### transpose: permuting axes
# `transpose` reorders the axes. With no arguments it reverses them, which for a matrix
# swaps rows and columns: `A.T[i, j] == A[j, i]`. With arguments, `t.transpose(1, 0, 2)`
# says "new axis 0 is old axis 1, new axis 1 is old axis 0, axis 2 stays":
#
# ```
# A (2, 3)            A.T (3, 2)         t (2, 3, 4)  -- transpose(1, 0, 2) -->  (3, 2, 4)
# [[1, 2, 3],         [[1, 4],                         -- transpose(2, 0, 1) -->  (4, 2, 3)
#  [4, 5, 6]]          [2, 5],
#                      [3, 6]]
# ```
#
# The backward pass of `x @ W` needs `x.T` and `W.T`, so you will meet `.T` again in
# the autograd module.
#
# ### Views, not copies
# numpy implements both operations as **views**: a new shape and new strides over the
# same memory, so they cost nothing however big the tensor is (PyTorch's `view` and
# `permute` work the same way). Our `Tensor` keeps that property for free, because
# `Tensor(array)` does not copy.

# %% nbgrader={"grade": false, "grade_id": "tensor-shape-ops", "locked": false, "schema_version": 3, "solution": true}
#| export
def _tensor_reshape(self, *shape):
    """
    The same elements arranged in a new shape.

    TODO: Return a Tensor with the given shape.

    STEP-BY-STEP IMPLEMENTATION:
    1. `shape` arrives as a tuple of all positional arguments:
       reshape(2, 3) gives (2, 3), but reshape((2, 3)) gives ((2, 3),)
    2. If exactly one argument was given and it is a tuple or list, use it as the shape
    3. Reshape the numpy array (numpy understands -1 and raises ValueError
       when the sizes do not match) and wrap it in a Tensor

    EXAMPLE USAGE:
    ```python
    t = Tensor([1, 2, 3, 4, 5, 6])
    t.reshape(2, 3)      # shape (2, 3)
    t.reshape((3, 2))    # shape (3, 2)
    t.reshape(-1, 1)     # shape (6, 1)
    ```

    IMPLEMENTATION HINTS:
    - Check both how many arguments arrived and whether the first one is a
      tuple or list (isinstance accepts a tuple of types)
    - numpy's reshape accepts a tuple
    - Return a new Tensor: assigning to self.data.shape would reshape the caller's tensor
    """
    ### BEGIN SOLUTION
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return Tensor(self.data.reshape(shape))
    ### END SOLUTION


def _tensor_transpose(self, *axes):
    """
    The tensor with its axes permuted (reversed when no axes are given).

    TODO: Return a Tensor with the axes reordered.

    STEP-BY-STEP IMPLEMENTATION:
    1. Accept transpose(1, 0, 2) as well as transpose((1, 0, 2)), like reshape
    2. No axes at all means "reverse the axes" — numpy does that when axes is None
    3. Transpose the numpy array and wrap it in a Tensor

    EXAMPLE USAGE:
    ```python
    m = Tensor([[1, 2, 3], [4, 5, 6]])
    m.transpose()                  # Tensor([[1, 4], [2, 5], [3, 6]])
    t = Tensor(np.zeros((2, 3, 4)))
    t.transpose(1, 0, 2).shape     # (3, 2, 4)
    ```

    IMPLEMENTATION HINTS:
    - np.transpose(array, axes) takes axes=None or a tuple
    - An empty tuple is not the same as None for numpy
    """
    ### BEGIN SOLUTION
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    return Tensor(np.transpose(self.data, axes if axes else None))
    ### END SOLUTION


def _tensor_T(self):
    """
    The transpose, as a property: t.T (axes reversed).

    TODO: Return the tensor with its axes reversed.

    STEP-BY-STEP IMPLEMENTATION:
    1. Reuse the transpose method you just wrote

    EXAMPLE USAGE:
    ```python
    Tensor([[1, 2, 3], [4, 5, 6]]).T.shape   # (3, 2)
    Tensor([1, 2, 3]).T.shape                # (3,): a vector has one axis to "reverse"
    ```

    IMPLEMENTATION HINTS:
    - One line is enough
    """
    ### BEGIN SOLUTION
    return self.transpose()
    ### END SOLUTION


Tensor.reshape = _tensor_reshape
Tensor.transpose = _tensor_transpose
Tensor.T = property(_tensor_T)

# %% [markdown]
# ### 🧪 Test Your Shape Operations

# %% nbgrader={"grade": true, "grade_id": "test-tensor-shape-ops", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: Tensor
def test_tensor_shape_ops():
    """reshape (with tuples and -1), transpose (with and without axes) and .T"""
    print("🔬 Unit Test: Shape Operations...")

    t = Tensor([1, 2, 3, 4, 5, 6])
    cases = [
        ("t.reshape(2, 3)", t.reshape(2, 3), (2, 3), [[1, 2, 3], [4, 5, 6]]),
        ("t.reshape((3, 2))", t.reshape((3, 2)), (3, 2), [[1, 2], [3, 4], [5, 6]]),
        ("t.reshape([3, 2])", t.reshape([3, 2]), (3, 2), [[1, 2], [3, 4], [5, 6]]),
        ("t.reshape(-1, 2)", t.reshape(-1, 2), (3, 2), [[1, 2], [3, 4], [5, 6]]),
        ("t.reshape(2, -1)", t.reshape(2, -1), (2, 3), [[1, 2, 3], [4, 5, 6]]),
        ("t.reshape(2, 3).reshape(-1)", t.reshape(2, 3).reshape(-1), (6,), [1, 2, 3, 4, 5, 6]),
        ("t.reshape(1, 6, 1)", t.reshape(1, 6, 1), (1, 6, 1), [[[1], [2], [3], [4], [5], [6]]]),
    ]
    for text, result, shape, expected in cases:
        assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
        assert result.shape == shape, f"{text} should have shape {shape}, got {result.shape}"
        assert np.array_equal(result.data, expected), f"{text} should be {expected}, got {result.data.tolist()}"
    assert t.shape == (6,), f"reshape must not change the original tensor, whose shape became {t.shape}"
    try:
        t.reshape(4, 2)
        assert False, "reshaping 6 elements to (4, 2) should raise ValueError"
    except ValueError:
        pass

    m = Tensor([[1, 2, 3], [4, 5, 6]])
    mt = m.transpose()
    assert isinstance(mt, Tensor), f"transpose() should return a Tensor, got {type(mt).__name__}"
    assert mt.shape == (3, 2), f"transpose() of (2, 3) should be (3, 2), got {mt.shape}"
    assert np.array_equal(mt.data, [[1, 4], [2, 5], [3, 6]]), f"transpose() gave {mt.data.tolist()}"
    assert isinstance(m.T, Tensor) and np.array_equal(m.T.data, mt.data), "m.T should equal m.transpose()"
    assert np.array_equal(m.T.T.data, m.data), "transposing twice should give back the original"
    assert Tensor([1, 2, 3]).T.shape == (3,), "the transpose of a vector is the same vector"

    cube_raw = np.arange(24).reshape(2, 3, 4)
    cube = Tensor(cube_raw)
    assert cube.transpose().shape == (4, 3, 2), f"transpose() should reverse all axes, got {cube.transpose().shape}"
    assert np.array_equal(cube.transpose().data, np.transpose(cube_raw)), "transpose() of (2, 3, 4) should reverse all three axes"
    assert cube.transpose(1, 0, 2).shape == (3, 2, 4), f"transpose(1, 0, 2) should give (3, 2, 4), got {cube.transpose(1, 0, 2).shape}"
    assert np.array_equal(cube.transpose(1, 0, 2).data, np.transpose(cube_raw, (1, 0, 2))), "transpose(1, 0, 2) gave wrong values"
    p = cube.transpose((2, 0, 1))
    assert p.shape == (4, 2, 3), f"transpose((2, 0, 1)) should give (4, 2, 3), got {p.shape}"
    assert p.data[3, 1, 2] == cube.data[1, 2, 3], "transpose((2, 0, 1)): new [k, i, j] should be old [i, j, k]"
    q = cube.transpose([0, 2, 1])
    assert q.shape == (2, 4, 3) and np.array_equal(q.data, np.swapaxes(cube_raw, 1, 2)), (
        f"transpose([0, 2, 1]) should swap the last two axes, giving (2, 4, 3), got {q.shape}"
    )
    # .T reverses ALL the axes (numpy's and PyTorch's meaning), not just the last two
    assert cube.T.shape == (4, 3, 2), f"cube.T of a (2, 3, 4) tensor should be (4, 3, 2), got {cube.T.shape}"
    assert np.array_equal(cube.T.data, cube_raw.T), "cube.T should reverse all the axes"
    assert np.array_equal(cube_raw, np.arange(24).reshape(2, 3, 4)) and cube.shape == (2, 3, 4), (
        "transpose must not change the original tensor"
    )

    # Reshapes and transposes keep the dtype, and reshape accepts a nested shape from a list
    for dt in (np.float32, np.float64):
        dname = np.dtype(dt).name
        f_raw = np.arange(6, dtype=dt) / 4
        f = Tensor(f_raw)
        for text, result, shape in [("reshape(2, 3)", f.reshape(2, 3), (2, 3)), ("reshape((3, -1))", f.reshape((3, -1)), (3, 2)),
                                    ("reshape(2, 3).T", f.reshape(2, 3).T, (3, 2)),
                                    ("reshape(1, 2, 3).transpose(2, 0, 1)", f.reshape(1, 2, 3).transpose(2, 0, 1), (3, 1, 2))]:
            assert isinstance(result, Tensor), f"{text} ({dname}) should return a Tensor, got {type(result).__name__}"
            assert result.data.dtype == dt, f"{text} of a {dname} tensor should stay {dname}, got {result.data.dtype}"
            assert result.shape == shape, f"{text} ({dname}) should have shape {shape}, got {result.shape}"
        assert f.data is f_raw and f_raw.shape == (6,), f"reshape must not change the original {dname} tensor"

    print("✅ reshape works with separate sizes, tuples and -1")
    print("✅ transpose and .T permute axes correctly")

test_tensor_shape_ops()

# %% [markdown]
# ## Step 6: Indexing and Display
#
# ### Indexing
# `t[key]` selects part of a tensor. We accept everything numpy accepts and return a
# `Tensor`:
#
# ```
# x = [[1, 2, 3],         x[0]          -> [1, 2, 3]        an int drops an axis
#      [4, 5, 6]]         x[1, 2]       -> 6                one element, a 0-d tensor
#                         x[:, 1:]      -> [[2, 3], [5, 6]] slices keep axes
#                         x[-1]         -> [4, 5, 6]        negative = from the end
#                         x[[1, 0]]     -> rows 1 then 0    an index array picks rows
#                         x[x.data > 3] -> [4, 5, 6]        a boolean mask keeps matches
# ```
#
# In deep learning you index to take a mini-batch (`X[i:i + 32]`), to pick the score of
# the correct class for each example (`scores[np.arange(n), labels]`), and to mask values.
# The index itself may be a `Tensor` (for example a boolean mask from `t > 0`). numpy
# accepts that without any help from us: an index that is not an ndarray is converted
# with `np.asarray`, which calls the `__array__` method you wrote in Step 1.
#
# Slicing gives a **view** (shared memory) and index arrays give a copy — numpy's rules,
# which PyTorch shares.
#
# ### Display: `__repr__`
# `repr(t)` is what Python shows for `t` in a notebook or a debugger. Ours shows the
# values, the shape and the dtype, because those are the three things you check first
# when something goes wrong:
#
# ```
# Tensor([1, 2, 3], shape=(3,), dtype=int64)
# Tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 2), dtype=float64)
# Tensor(5, shape=(), dtype=int64)
# ```
#
# A tensor of 10 million elements must not print 10 million numbers, though: above
# `_REPR_MAX_ELEMENTS` elements we let numpy summarise the values with `...`.

# %% nbgrader={"grade": false, "grade_id": "tensor-indexing-repr", "locked": false, "schema_version": 3, "solution": true}
#| export
_REPR_MAX_ELEMENTS = 1000  # larger tensors are summarised with "..." in repr()


def _tensor_getitem(self, key):
    """
    Index the tensor like a numpy array: t[0], t[1, 2], t[:, 1:], t[mask], ...

    TODO: Return the selected elements as a new Tensor.

    STEP-BY-STEP IMPLEMENTATION:
    1. Index the numpy array with the key, exactly as given: t[i, j] passes the
       tuple (i, j), and numpy understands it (Tensors inside included, through
       their __array__)
    2. Wrap the result in a Tensor

    EXAMPLE USAGE:
    ```python
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    x[0]                       # Tensor([1, 2, 3])
    x[1, 2]                    # Tensor(6)
    x[:, 1:]                   # Tensor([[2, 3], [5, 6]])
    x[Tensor([True, False])]   # Tensor([[1, 2, 3]])
    ```

    IMPLEMENTATION HINTS:
    - numpy does all the real work: ints, slices, lists, arrays and masks
    - An integer index gives a numpy scalar; Tensor() turns it into a 0-d tensor
    """
    ### BEGIN SOLUTION
    return Tensor(self.data[key])
    ### END SOLUTION


def _tensor_repr(self):
    """
    The text shown for a tensor: values, shape and dtype.

    TODO: Return a string like "Tensor([1, 2, 3], shape=(3,), dtype=int64)".

    STEP-BY-STEP IMPLEMENTATION:
    1. Format the values:
       - at most _REPR_MAX_ELEMENTS elements: as nested Python lists (tolist())
       - more: with np.array2string(array, separator=", ",
         threshold=_REPR_MAX_ELEMENTS, prefix="Tensor("), which summarises
         with "..." (prefix only tells numpy how far to indent later lines)
    2. Return f"Tensor(<values>, shape=<shape>, dtype=<dtype>)"

    EXAMPLE USAGE:
    ```python
    repr(Tensor([1, 2, 3]))          # 'Tensor([1, 2, 3], shape=(3,), dtype=int64)'
    repr(Tensor([[1.0], [2.5]]))     # 'Tensor([[1.0], [2.5]], shape=(2, 1), dtype=float64)'
    repr(Tensor(5))                  # 'Tensor(5, shape=(), dtype=int64)'
    ```

    IMPLEMENTATION HINTS:
    - Inside an f-string a tuple prints as (3,) and a numpy dtype as int64
    - tolist() of a 0-d array is a plain number
    """
    ### BEGIN SOLUTION
    if self.size <= _REPR_MAX_ELEMENTS:
        values = self.data.tolist()
    else:
        values = np.array2string(
            self.data, separator=", ", threshold=_REPR_MAX_ELEMENTS, prefix="Tensor("
        )
    return f"Tensor({values}, shape={self.shape}, dtype={self.dtype})"
    ### END SOLUTION


Tensor.__getitem__ = _tensor_getitem
Tensor.__repr__ = _tensor_repr

# %% [markdown]
# ### 🧪 Test Your Indexing

# %% nbgrader={"grade": true, "grade_id": "test-tensor-indexing", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: Tensor
def test_tensor_indexing():
    """Integers, slices, index arrays and boolean masks, all returning Tensors."""
    print("🔬 Unit Test: Indexing...")

    x = Tensor([[1, 2, 3], [4, 5, 6]])
    mask = Tensor([[False, True, False], [True, False, True]])
    cases = [
        ("x[0]", x[0], (3,), [1, 2, 3]),
        ("x[-1]", x[-1], (3,), [4, 5, 6]),
        ("x[1, 2]", x[1, 2], (), 6),
        ("x[:, 1:]", x[:, 1:], (2, 2), [[2, 3], [5, 6]]),
        ("x[:, 0]", x[:, 0], (2,), [1, 4]),
        ("x[[1, 0]]", x[[1, 0]], (2, 3), [[4, 5, 6], [1, 2, 3]]),
        ("x[np.array([0, 1]), np.array([2, 0])]", x[np.array([0, 1]), np.array([2, 0])], (2,), [3, 4]),
        ("x[x.data > 3]", x[x.data > 3], (3,), [4, 5, 6]),
        ("x[mask] (a Tensor mask)", x[mask], (3,), [2, 4, 6]),
        ("x[Tensor([1]), 0]", x[Tensor([1]), 0], (1,), [4]),
    ]
    for text, result, shape, expected in cases:
        assert isinstance(result, Tensor), f"{text} should return a Tensor, got {type(result).__name__}"
        assert result.shape == shape, f"{text} should have shape {shape}, got {result.shape}"
        assert np.array_equal(result.data, expected), f"{text} should be {expected}, got {result.data.tolist()}"
    assert x[1, 2].item() == 6, "x[1, 2].item() should be 6"
    assert np.array_equal(x.data, [[1, 2, 3], [4, 5, 6]]), "indexing must not modify the tensor"
    assert np.shares_memory(x[:, 1:].data, x.data) and np.shares_memory(x[1].data, x.data), (
        "slicing should give a view of the same memory, as in numpy and PyTorch (do not copy)"
    )
    assert np.array_equal(mask.data, [[False, True, False], [True, False, True]]), "indexing must not modify the mask"

    # Indexing keeps the dtype
    for dt in (np.float32, np.float64):
        f = Tensor(np.arange(12, dtype=dt).reshape(3, 4))
        for text, result in [("f[0]", f[0]), ("f[:, 1:3]", f[:, 1:3]), ("f[1, 2]", f[1, 2]), ("f[[2, 0]]", f[[2, 0]]),
                             ("f[Tensor(f.data > 5)]", f[Tensor(f.data > 5)])]:
            assert result.data.dtype == dt, f"{text} of a {np.dtype(dt)} tensor should stay {np.dtype(dt)}, got {result.data.dtype}"
    try:
        x[2]
        assert False, "x[2] is out of bounds for 2 rows and should raise IndexError"
    except IndexError:
        pass

    print("✅ ints, slices, index arrays and masks work")

test_tensor_indexing()

# %% [markdown]
# ### 🧪 Test Your `repr`

# %% nbgrader={"grade": true, "grade_id": "test-tensor-repr", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: Tensor
def test_tensor_repr():
    """repr shows values, shape and dtype, and stays short for huge tensors."""
    print("🔬 Unit Test: repr...")

    expected = {
        "Tensor([1, 2, 3])": (Tensor([1, 2, 3]), "Tensor([1, 2, 3], shape=(3,), dtype=int64)"),
        "Tensor([[1.0, 2.0], [3.0, 4.0]])": (
            Tensor([[1.0, 2.0], [3.0, 4.0]]),
            "Tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 2), dtype=float64)",
        ),
        "Tensor(5)": (Tensor(5), "Tensor(5, shape=(), dtype=int64)"),
        "Tensor([0.5], dtype=np.float32)": (Tensor([0.5], dtype=np.float32), "Tensor([0.5], shape=(1,), dtype=float32)"),
    }
    for text, (tensor, want) in expected.items():
        got = repr(tensor)
        assert got == want, f"repr({text}) should be {want!r}, got {got!r}"

    # Exactly _REPR_MAX_ELEMENTS elements are still shown in full; one more is summarised
    full = repr(Tensor(np.zeros(_REPR_MAX_ELEMENTS)))
    assert full.startswith("Tensor([0.0, 0.0, ") and "..." not in full, (
        f"a tensor of exactly {_REPR_MAX_ELEMENTS} elements should be shown in full, as a list, got {full[:60]!r}..."
    )
    over = repr(Tensor(np.zeros(_REPR_MAX_ELEMENTS + 1)))
    assert "..." in over and len(over) < 1000, f"a tensor of {_REPR_MAX_ELEMENTS + 1} elements should be summarised"

    big = Tensor(np.zeros(1_000_000))
    text = repr(big)
    assert len(text) < 1000, f"repr of a 1,000,000-element tensor should be summarised, got {len(text)} characters"
    assert "..." in text and "shape=(1000000,)" in text and "dtype=float64" in text, (
        f"a summarised repr should contain '...', the shape and the dtype, got {text!r}"
    )

    print("✅ repr shows values, shape and dtype")
    print("✅ huge tensors are summarised")

test_tensor_repr()

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

success = run_module_tests_auto("Tensor")

# %% [markdown]
# ## 🎯 Module Summary: Tensors Built!
#
# You have built the data structure that everything else in TinyTorch is made of.
#
# ### ✅ What you built
# - **Construction**: `Tensor(data, dtype=None)` from scalars, lists, arrays and Tensors,
#   with numpy's dtype inference and without needless copies
# - **Properties**: `data`, `shape`, `size`, `dtype`, `ndim`, `item()`, `numpy()`, `len()`,
#   `float()`, `int()`, and the `__array__` protocol so numpy accepts Tensors
# - **Arithmetic**: `+ - * /` with broadcasting, reflected operators and unary minus, with
#   PyTorch's dtypes: numbers and numpy scalars never widen a float32 tensor
# - **Comparisons** (provided): element-wise `< <= > >= == !=` giving boolean tensors, with
#   tensors still hashable by identity
# - **Interoperability**: `NotImplemented` for foreign types and `__array_ufunc__ = None`,
#   so `ndarray + Tensor` gives a Tensor and later classes can take over operators
# - **Matrix multiplication**: `@` and `matmul`, with errors that name both shapes
# - **Reductions**: `sum`, `mean`, `max`, `min` with `axis`, `keepdims` and `dtype`, which
#   `np.sum(t)`, `np.mean(t)`, ... call as well
# - **Shape operations**: `reshape` (with `-1`), `transpose`, `.T`
# - **Indexing and display**: numpy-style indexing and a readable, bounded `repr`
#
# ### ✅ Key ideas
# - **Wrap, don't reimplement**: numpy does the arithmetic; `Tensor` owns the interface.
#   PyTorch is organised the same way around its C++ kernels.
# - **Broadcasting** adds a bias to a whole batch without copying it.
# - **Python's operator protocol** (`__add__`, `NotImplemented`, `__radd__`) decides who
#   computes `a + b`; playing by its rules is what lets new types extend old ones.
# - **Views** make `reshape`, `transpose` and slicing free, whatever the size.
# - **dtypes are part of the result**: float32 in, float32 out, through every operation.
#
# ### 🔗 Connection to real ML systems
# - `torch.Tensor` has all of these operations with the same meaning; `torch.as_tensor`
#   matches our no-copy construction, and `dim` / `keepdim` are PyTorch's names for our
#   `axis` / `keepdims`.
# - The line `y = x @ W + b` you tested in Step 3 is a dense layer's forward pass.
#
# ### 🚀 What's next
# Run `tito export tensor` so `from tinytorch.core.tensor import Tensor` works, then move
# on: activations (ReLU, sigmoid, softmax) and layers are built directly on this class,
# and the autograd module wraps it to compute gradients automatically.
