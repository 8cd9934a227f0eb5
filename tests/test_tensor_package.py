"""Tests of the exported `tinytorch.core.tensor.Tensor` against numpy's and PyTorch's semantics.

Values, shapes and broadcasting follow numpy. dtypes follow PyTorch where the two differ:
Python numbers and numpy scalars never widen a tensor's dtype (float32 stays float32).
Needs the package built from the module source: `tito export tensor`.
"""

import operator

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor


def assert_matches(result, expected):
    """`result` is a Tensor with exactly numpy's values, shape and dtype."""
    expected = np.asarray(expected)
    assert isinstance(result, Tensor), f"expected a Tensor, got {type(result).__name__}"
    assert isinstance(result.data, np.ndarray)
    assert result.shape == expected.shape, f"shape {result.shape} != {expected.shape}"
    assert result.dtype == expected.dtype, f"dtype {result.dtype} != {expected.dtype}"
    np.testing.assert_array_equal(result.data, expected)


# --------------------------------------------------------------------------- construction

CONSTRUCTION_INPUTS = [
    5,
    2.5,
    True,
    -3 + 2j,
    [1, 2, 3],
    [1.0, 2, 3],
    [[1, 2], [3, 4]],
    [[[1.5]], [[2.5]]],
    [],
    np.float32(1.5),
    np.int8(7),
    np.arange(6).reshape(2, 3),
    np.ones((2, 2), dtype=np.float32),
    np.array([True, False]),
]


@pytest.mark.parametrize("data", CONSTRUCTION_INPUTS, ids=repr)
def test_construction_matches_np_asarray(data):
    assert_matches(Tensor(data), np.asarray(data))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, "float32", "int64", bool])
def test_construction_with_dtype(dtype):
    data = [[0, 1, 2], [3, 4, 5]]
    assert_matches(Tensor(data, dtype=dtype), np.asarray(data, dtype=dtype))
    assert_matches(Tensor(np.array(data), dtype=dtype), np.asarray(data, dtype=dtype))
    assert_matches(Tensor(Tensor(data), dtype=dtype), np.asarray(data, dtype=dtype))


def test_default_dtypes():
    assert Tensor(1).dtype == np.int64
    assert Tensor([1, 2]).dtype == np.int64
    assert Tensor(1.0).dtype == np.float64
    assert Tensor([1, 2.0]).dtype == np.float64


def test_ndarray_is_not_copied():
    arr = np.arange(4.0)
    t = Tensor(arr)
    assert t.data is arr
    arr[0] = 42.0
    assert t.data[0] == 42.0


def test_ndarray_with_other_dtype_is_converted():
    arr = np.arange(4)
    t = Tensor(arr, dtype=np.float32)
    assert t.dtype == np.float32
    assert t.data is not arr
    np.testing.assert_array_equal(t.data, [0.0, 1.0, 2.0, 3.0])


def test_tensor_from_tensor_unwraps():
    inner = Tensor([[1, 2], [3, 4]])
    outer = Tensor(inner)
    assert isinstance(outer.data, np.ndarray)
    assert not isinstance(outer.data, Tensor)
    assert outer.data is inner.data
    assert_matches(outer, [[1, 2], [3, 4]])


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("shape", [(), (1,), (4,), (2, 3), (2, 1, 3), (0, 3)])
def test_properties_match_numpy(shape):
    arr = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    t = Tensor(arr)
    assert t.shape == arr.shape and isinstance(t.shape, tuple)
    assert t.size == arr.size and isinstance(t.size, int)
    assert t.ndim == arr.ndim and isinstance(t.ndim, int)
    assert t.dtype == np.float32 and isinstance(t.dtype, np.dtype)
    if shape:
        assert len(t) == shape[0]
    else:
        with pytest.raises(TypeError):
            len(t)


def test_item():
    assert Tensor(3.5).item() == 3.5 and type(Tensor(3.5).item()) is float
    assert Tensor([[[7]]]).item() == 7 and type(Tensor([[[7]]]).item()) is int
    assert Tensor(True).item() is True
    assert Tensor(np.float32(0.5)).item() == 0.5
    with pytest.raises(ValueError):
        Tensor([1, 2]).item()


@pytest.mark.parametrize("data, value", [(2.0, 2.0), (2.5, 2.5), ([3], 3.0), ([[-1.5]], -1.5), (np.float32(0.25), 0.25),
                                         (np.full((1, 1, 1), 7, dtype=np.int8), 7.0), (True, 1.0)], ids=repr)
def test_float_of_one_element(data, value):
    result = float(Tensor(data))
    assert type(result) is float and result == value


@pytest.mark.parametrize("data, value", [(7, 7), (2.9, 2), (-2.9, -2), ([[5]], 5), (np.array([3.0], dtype=np.float32), 3),
                                         (False, 0)], ids=repr)
def test_int_of_one_element(data, value):
    result = int(Tensor(data))
    assert type(result) is int and result == value


@pytest.mark.parametrize("data", [[1.0, 2.0], [[1], [2]], [], np.zeros((0, 3)), np.ones((2, 2))], ids=repr)
@pytest.mark.parametrize("convert", [float, int])
def test_conversion_of_other_sizes_raises(convert, data):
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
        convert(Tensor(data))


def test_numpy_returns_underlying_array():
    arr = np.arange(3)
    t = Tensor(arr)
    assert t.numpy() is arr
    assert t.numpy() is t.data


def test_array_protocol():
    t = Tensor([[1, 2], [3, 4]])
    a = np.asarray(t)
    assert isinstance(a, np.ndarray)
    np.testing.assert_array_equal(a, [[1, 2], [3, 4]])
    assert np.shares_memory(a, t.data)
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    copied = np.array(t)
    assert not np.shares_memory(copied, t.data)
    np.testing.assert_array_equal(copied, t.data)
    assert t.__array__().dtype == t.dtype
    assert t.__array__(np.float64).dtype == np.float64
    assert not np.shares_memory(t.__array__(copy=True), t.data)
    # numpy functions that convert their input accept Tensors
    assert np.concatenate([t, t]).shape == (4, 2)
    assert np.allclose(np.asarray(t) * 2, [[2, 4], [6, 8]])


def test_array_ufunc_is_none():
    assert Tensor.__array_ufunc__ is None
    # the grading harness refuses objects that override numpy's functions
    assert not hasattr(Tensor, "__array_function__")


def test_identity_hashing():
    # __eq__ is element-wise, but tensors stay hashable by identity (like torch.Tensor),
    # so they can key dicts (optimizer state) and live in sets
    assert Tensor.__hash__ is object.__hash__
    a, b = Tensor([1, 2]), Tensor([1, 2])
    seen = {a: "a", b: "b"}
    assert seen[a] == "a" and seen[b] == "b"
    assert hash(a) == hash(a) and len({a, b, a}) == 2


# --------------------------------------------------------------------------- arithmetic

BINARY_OPS = [operator.add, operator.sub, operator.mul, operator.truediv]
BROADCAST_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((3, 1), (1, 4)),
    ((2, 1, 3), (4, 1)),
    ((), (2, 2)),
    ((2, 2), ()),
]
DTYPES = [np.int64, np.float32, np.float64]


def _values(shape, dtype, start):
    # strictly positive so division is always defined
    return (np.arange(int(np.prod(shape))).reshape(shape) + start).astype(dtype)


@pytest.mark.parametrize("op", BINARY_OPS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("dtype_a", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("dtype_b", DTYPES, ids=lambda d: d.__name__)
def test_tensor_tensor_ops_match_numpy(op, shapes, dtype_a, dtype_b):
    a = _values(shapes[0], dtype_a, 1)
    b = _values(shapes[1], dtype_b, 2)
    assert_matches(op(Tensor(a), Tensor(b)), op(a, b))


OTHER_OPERANDS = [
    3,
    2.5,
    True,
    np.float32(2.0),
    np.int32(4),
    np.float64(0.5),
    [1, 2, 3],
    [1.5, 2.5, 3.5],
    np.array([1, 2, 3]),
    np.array([[1.0], [2.0]], dtype=np.float32),
]


def _weak(value):
    """numpy scalars act like the Python numbers they hold (PyTorch's rule): they never
    widen the tensor's dtype. Arrays, 0-d ones included, follow numpy's promotion."""
    return value.item() if isinstance(value, np.generic) else value


@pytest.mark.parametrize("op", BINARY_OPS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("other", OTHER_OPERANDS, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_ops_with_non_tensor_operands_match_numpy(op, other, dtype):
    a = np.array([4, 5, 6]).astype(dtype)
    t = Tensor(a)
    assert_matches(op(t, other), op(a, _weak(other)))  # forward: t op other
    assert_matches(op(other, t), op(_weak(other), a))  # reflected: other op t


SCALARS = [2, 2.5, True, np.float64(2.5), np.float32(2.5), np.float16(2.5), np.int64(2), np.int32(2), np.int8(2),
           np.uint8(2), np.bool_(True)]
FLOAT_DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("op", BINARY_OPS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("scalar", SCALARS, ids=lambda v: f"{type(v).__name__}({v})")
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: d.__name__)
def test_scalars_never_promote_float_tensors(op, scalar, dtype):
    a = np.array([[1.0, 2.0, 4.0], [0.5, -3.0, 8.0]], dtype=dtype)
    t = Tensor(a)
    for result, expected in ((op(t, scalar), op(a, _weak(scalar))), (op(scalar, t), op(_weak(scalar), a))):
        assert result.dtype == dtype
        assert_matches(result, expected)
    np.testing.assert_array_equal(a, [[1.0, 2.0, 4.0], [0.5, -3.0, 8.0]])


def test_float32_stays_float32_with_python_and_numpy_scalars():
    w = Tensor(np.ones(3, dtype=np.float32))
    for result in (w * 2.0, 2.0 * w, w - 0.5, 1.0 / w, w + 1, w * np.float64(2.0), np.float64(2.0) * w,
                   w / np.sqrt(2.0), w - np.ones(3, dtype=np.float32).mean(), -w):
        assert result.dtype == np.float32


def test_integer_tensors_and_numpy_scalars():
    i32 = Tensor(np.array([1, 2, 3], dtype=np.int32))
    assert (i32 + np.int64(1)).dtype == np.int32  # weak, like PyTorch
    assert (i32 * 2).dtype == np.int32
    assert (i32 / 2).dtype == np.float64  # true division of integers gives floats
    assert (i32 * 0.5).dtype == np.float64
    assert_matches(Tensor([1, 2]) * np.float32(0.5), np.array([0.5, 1.0]))


def test_arrays_follow_numpy_promotion():
    f32 = Tensor(np.ones(3, dtype=np.float32))
    assert (f32 + Tensor(np.ones(3))).dtype == np.float64
    assert (f32 + np.ones(3)).dtype == np.float64
    assert (f32 * np.array(2.0)).dtype == np.float64  # a 0-d array is an array, not a scalar
    assert (f32 + np.ones(3, dtype=np.float32)).dtype == np.float32
    assert (f32 + [1.0, 2.0, 3.0]).dtype == np.float64  # a list of floats is a float64 array


def test_operand_data_helper():
    from tinytorch.core.tensor import _operand_data

    assert type(_operand_data(np.float64(2.5))) is float
    assert type(_operand_data(np.int16(3))) is int
    assert type(_operand_data(np.bool_(True))) is bool
    assert _operand_data(2) == 2 and type(_operand_data(2)) is int
    assert isinstance(_operand_data([1, 2]), np.ndarray)
    assert isinstance(_operand_data((1, 2)), np.ndarray)
    arr = np.arange(3)
    assert _operand_data(arr) is arr
    assert _operand_data(Tensor(arr)) is arr
    for value in ("hello", None, {"a": 1}, object(), np.str_("x")):
        assert _operand_data(value) is None


# --------------------------------------------------------------------------- comparisons

COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]
MIRROR = {operator.lt: operator.gt, operator.le: operator.ge, operator.gt: operator.lt,
          operator.ge: operator.le, operator.eq: operator.eq, operator.ne: operator.ne}


@pytest.mark.parametrize("op", COMPARISONS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("other", [0, 2, 1.5, True, np.float32(2.0), np.int64(3), np.array([1.0, 2.0, 3.0]),
                                   np.array([[2.0], [5.0]]), [3, 2, 1], (1.0, 2.0, 3.0)], ids=repr)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_comparisons_with_non_tensors(op, other, dtype):
    a = np.array([[1, 2, 3], [4, 5, 6]]).astype(dtype)
    t = Tensor(a)
    assert_matches(op(t, other), op(a, _weak(other)))
    assert op(t, other).dtype == np.bool_
    # other on the left: Python asks the mirrored comparison of the tensor
    reflected = op(other, t)
    assert_matches(reflected, MIRROR[op](a, _weak(other)))
    np.testing.assert_array_equal(t.data, a)


@pytest.mark.parametrize("op", COMPARISONS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((3, 1), (1, 4)), ((), (2, 2)), ((2, 1, 3), (4, 1))],
                         ids=str)
def test_comparisons_between_tensors_broadcast(op, shapes):
    a = (np.arange(int(np.prod(shapes[0]))).reshape(shapes[0]) * 7) % 5
    b = (np.arange(int(np.prod(shapes[1]))).reshape(shapes[1]) * 3) % 4
    assert_matches(op(Tensor(a), Tensor(b)), op(a, b))
    assert_matches(op(Tensor(a.astype(np.float32)), Tensor(b)), op(a.astype(np.float32), b))


def test_comparison_concrete_values_and_masks():
    t = Tensor([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]])
    assert_matches(t > 0, np.array([[False, False, True], [True, False, True]]))
    assert_matches(t >= 0, np.array([[False, True, True], [True, False, True]]))
    assert_matches(t <= 0, np.array([[True, True, False], [False, True, False]]))
    assert_matches(t < 0.5, np.array([[True, True, False], [False, True, False]]))
    assert_matches(t == 0, np.array([[False, True, False], [False, False, False]]))
    assert_matches(t != 0, np.array([[True, False, True], [True, True, True]]))
    assert_matches(0 < t, (t > 0).data)
    assert_matches(t[t > 0], np.array([2.0, 3.0, 0.5]))
    assert (t >= 0).sum().item() == 4
    assert_matches(Tensor(2.0) > 1, np.array(True))
    assert bool(Tensor(2.0) > 1) is True
    assert_matches(t == t, np.ones((2, 3), dtype=bool))
    assert_matches(np.zeros(3) < Tensor([1, -1, 0]), np.array([True, False, False]))


def test_comparisons_with_unsupported_types():
    t = Tensor([1, 2, 3])
    assert (t == None) is False  # noqa: E711  (falls back to identity, like any object)
    assert (t != None) is True  # noqa: E711
    assert (t == "abc") is False
    for dunder in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
        assert getattr(t, dunder)("abc") is NotImplemented
    with pytest.raises(TypeError):
        t < "abc"
    with pytest.raises(TypeError):
        None >= t


def test_comparison_shape_mismatch_raises():
    with pytest.raises(ValueError):
        Tensor(np.ones((2, 3))) < Tensor(np.ones(2))


def test_membership_uses_identity_first():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    assert a in [a, b]  # found by identity before == is needed
    assert [a, b].index(a) == 0
    with pytest.raises(ValueError):
        b in [a, b]  # compares b with a first: an element-wise == has no truth value (as in torch)
    assert a in {a, b} and Tensor([1.0, 2.0]) not in {a, b}


def test_specific_values():
    t = Tensor([1, 2, 4])
    assert_matches(2 - t, np.array([1, 0, -2]))
    assert_matches(1 / t, np.array([1.0, 0.5, 0.25]))
    assert_matches(t / 2, np.array([0.5, 1.0, 2.0]))
    assert_matches(10 + t, np.array([11, 12, 14]))
    assert_matches([1, 1, 1] * t, np.array([1, 2, 4]))


@pytest.mark.parametrize("data", [5, -2.5, [1, -2, 3], [[1.5, 0.0], [-3.0, 4.0]], np.arange(3, dtype=np.float32)])
def test_unary_neg(data):
    arr = np.asarray(data)
    assert_matches(-Tensor(data), -arr)


def test_operands_are_not_modified():
    a_arr, b_arr = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    a, b = Tensor(a_arr), Tensor(b_arr)
    for op in BINARY_OPS:
        op(a, b)
        op(a, 2)
        op(2, a)
    -a
    np.testing.assert_array_equal(a.data, [1.0, 2.0])
    np.testing.assert_array_equal(b.data, [3.0, 4.0])
    assert a.data is a_arr


@pytest.mark.parametrize("op", BINARY_OPS, ids=lambda op: op.__name__)
def test_ndarray_on_the_left_returns_tensor(op):
    arr = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = Tensor([2.0, 4.0])
    result = op(arr, t)
    assert_matches(result, op(arr, np.array([2.0, 4.0])))


def test_broadcast_error():
    with pytest.raises(ValueError):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(2))


# --------------------------------------------------------------------------- NotImplemented

class Foreign:
    """Stands in for a later class (like autograd's Variable) that knows about Tensors."""

    def __radd__(self, other):
        return ("radd", other)

    def __rsub__(self, other):
        return ("rsub", other)

    def __rmul__(self, other):
        return ("rmul", other)

    def __rtruediv__(self, other):
        return ("rtruediv", other)

    def __rmatmul__(self, other):
        return ("rmatmul", other)


@pytest.mark.parametrize(
    "op, name",
    [
        (operator.add, "radd"),
        (operator.sub, "rsub"),
        (operator.mul, "rmul"),
        (operator.truediv, "rtruediv"),
        (operator.matmul, "rmatmul"),
    ],
)
def test_foreign_reflected_operator_takes_over(op, name):
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    result = op(t, Foreign())
    assert result[0] == name
    assert result[1] is t


FOREIGN_VALUES = ["hello", None, {"a": 1}, {1, 2}, object(), Foreign()]
DUNDERS = [
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__truediv__", "__rtruediv__", "__matmul__", "__rmatmul__",
]


@pytest.mark.parametrize("dunder", DUNDERS)
@pytest.mark.parametrize("value", FOREIGN_VALUES, ids=lambda v: type(v).__name__)
def test_dunders_return_notimplemented_for_foreign_types(dunder, value):
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert getattr(t, dunder)(value) is NotImplemented


@pytest.mark.parametrize("op", BINARY_OPS + [operator.matmul], ids=lambda op: op.__name__)
def test_unsupported_types_raise_typeerror(op):
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError):
        op(t, "hello")
    with pytest.raises(TypeError):
        op(None, t)


# --------------------------------------------------------------------------- matmul

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((1, 1), (1, 1)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((3,), (3,)),
    ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (4, 3, 2)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_matmul_matches_numpy(shapes, dtype):
    a = _values(shapes[0], dtype, 1)
    b = _values(shapes[1], dtype, -2)
    expected = a @ b
    assert_matches(Tensor(a) @ Tensor(b), expected)
    assert_matches(Tensor(a).matmul(Tensor(b)), expected)
    assert_matches(Tensor(a) @ b, expected)
    assert_matches(a @ Tensor(b), expected)
    assert_matches(Tensor(a).matmul(b), expected)


def test_matmul_values_and_lists():
    a = Tensor([[1, 2, 3], [4, 5, 6]])
    b = [[7, 8], [9, 10], [11, 12]]
    assert_matches(a @ b, np.array([[58, 64], [139, 154]]))
    assert_matches([[1, 1]] @ a, np.array([[5, 7, 9]]))


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((2, 3), (4, 5)), ((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (2,)), ((4,), (3, 2)), ((5, 2, 3), (5, 4, 2))],
    ids=str,
)
def test_matmul_mismatch_names_both_shapes(shape_a, shape_b):
    with pytest.raises(ValueError) as info:
        Tensor(np.ones(shape_a)) @ Tensor(np.ones(shape_b))
    message = str(info.value)
    assert str(shape_a) in message and str(shape_b) in message, message
    with pytest.raises(ValueError) as info:
        Tensor(np.ones(shape_a)).matmul(np.ones(shape_b))
    assert str(shape_a) in str(info.value) and str(shape_b) in str(info.value)


def test_matmul_with_scalars_is_an_error():
    with pytest.raises(ValueError):
        Tensor(np.ones((2, 2))) @ Tensor(3.0)
    with pytest.raises(ValueError):
        Tensor(3.0) @ Tensor(np.ones((2, 2)))


def test_matmul_method_rejects_foreign_types():
    with pytest.raises(TypeError):
        Tensor(np.ones((2, 2))).matmul("hello")


def test_dense_layer_forward():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    w = Tensor(np.ones((3, 4)))
    b = Tensor(np.array([0.0, 1.0, 2.0, 3.0]))
    y = x @ w + b
    assert_matches(y, np.arange(6.0).reshape(2, 3) @ np.ones((3, 4)) + np.array([0.0, 1.0, 2.0, 3.0]))


# --------------------------------------------------------------------------- reductions

REDUCTION_AXES = [None, 0, 1, 2, -1, -2, (0, 1), (0, 2), (0, 1, 2)]


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "all", "any"])
@pytest.mark.parametrize("axis", REDUCTION_AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_reductions_match_numpy(name, axis, keepdims, dtype):
    arr = (np.arange(24).reshape(2, 3, 4) * 7 % 11).astype(dtype)
    result = getattr(Tensor(arr), name)(axis=axis, keepdims=keepdims)
    expected = getattr(arr, name)(axis=axis, keepdims=keepdims)
    assert isinstance(result, Tensor)
    assert result.shape == np.shape(expected)
    assert result.dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(result.data, expected)


def test_reduction_defaults_and_positional_axis():
    x = Tensor([[1, 9, 3], [4, 5, 6]])
    assert_matches(x.sum(), np.int64(28))
    assert x.sum().shape == ()
    assert_matches(x.sum(0), np.array([5, 14, 9]))
    assert_matches(x.max(1), np.array([9, 6]))
    assert_matches(x.mean(1, True), np.array([[13 / 3], [5.0]]))
    assert x.mean().dtype == np.float64
    assert x.mean().item() == pytest.approx(28 / 6)
    assert x.max().item() == 9


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("source", [np.int32, np.float32, np.float64], ids=lambda d: d.__name__)
@pytest.mark.parametrize("axis", [None, 0, (1, 2)], ids=str)
def test_reduction_dtype_argument(name, dtype, source, axis):
    arr = (np.arange(24).reshape(2, 3, 4) % 5).astype(source)
    result = getattr(Tensor(arr), name)(axis=axis, dtype=dtype)
    expected = getattr(arr, name)(axis=axis, dtype=dtype)
    assert result.dtype == np.dtype(dtype)
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result.data, expected)


def test_min_all_any_values():
    x = Tensor([[1, 9, 3], [4, 5, 6]])
    assert_matches(x.min(), np.int64(1))
    assert_matches(x.min(axis=0), np.array([1, 5, 3]))
    assert_matches(x.min(1, True), np.array([[1], [4]]))
    flags = Tensor([[True, False, True], [True, True, True]])
    assert_matches(flags.all(), np.bool_(False))
    assert_matches(flags.all(axis=1), np.array([False, True]))
    assert_matches(flags.any(axis=0, keepdims=True), np.array([[True, True, True]]))
    assert_matches(Tensor([0.0, 0.0]).any(), np.bool_(False))
    assert_matches((x > 0).all(), np.bool_(True))


# numpy's functions call the Tensor's method of the same name; each returns a Tensor
NUMPY_REDUCTIONS = [np.sum, np.mean, np.max, np.min, np.all, np.any, np.amax, np.amin]


@pytest.mark.parametrize("func", NUMPY_REDUCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": 1}, {"axis": -1, "keepdims": True}, {"axis": (0, 2)},
                                    {"keepdims": True}], ids=str)
def test_numpy_reduction_functions(func, dtype, kwargs):
    arr = ((np.arange(24).reshape(2, 3, 4) * 7) % 11 - 3).astype(dtype)
    result = func(Tensor(arr), **kwargs)
    assert_matches(result, func(arr, **kwargs))


def test_numpy_reduction_functions_concrete():
    t = Tensor(np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=np.float32))
    assert_matches(np.sum(t), np.float32(5.0))
    assert_matches(np.mean(t, axis=0), np.array([2.5, 1.5, -1.5], dtype=np.float32))
    assert_matches(np.max(t, axis=1), np.array([3.0, 5.0], dtype=np.float32))
    assert_matches(np.min(t), np.float32(-6.0))
    assert_matches(np.all(t > -10), np.bool_(True))
    assert_matches(np.any(t > 5), np.bool_(False))
    assert_matches(np.sum(t, dtype=np.float64), np.float64(5.0))
    assert_matches(np.mean(t, dtype=np.float64, axis=1), np.array([2.0 / 3.0, 1.0]))
    assert float(np.sum(t)) == 5.0
    assert bool(np.all(t != 0)) is True


@pytest.mark.parametrize("func", NUMPY_REDUCTIONS, ids=lambda f: f.__name__)
def test_numpy_out_argument_is_refused(func):
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="out="):
        func(t, out=np.zeros(()))
    with pytest.raises(TypeError, match="out="):
        getattr(t, func.__name__.replace("amax", "max").replace("amin", "min"))(out=np.zeros(()))


def test_numpy_conversion_functions_accept_tensors():
    t = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    a = np.asarray(t)
    assert a.dtype == np.float32 and np.shares_memory(a, t.data)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert not np.shares_memory(np.array(t), t.data)
    np.testing.assert_array_equal(np.concatenate([t, t]), np.concatenate([t.data, t.data]))
    np.testing.assert_array_equal(np.stack([t, t]).shape, (2, 2, 3))
    assert np.allclose(t, t.data) and np.array_equal(t, t.data)
    np.testing.assert_allclose(t, t.data)
    assert np.argmax(t) == 5
    assert np.asarray([t, t]).shape == (2, 2, 3)


def test_reductions_do_not_modify():
    arr = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = Tensor(arr)
    t.sum(axis=0)
    t.mean()
    t.max(axis=1, keepdims=True)
    np.testing.assert_array_equal(arr, [[1.0, 2.0], [3.0, 4.0]])


def test_keepdims_broadcasts_back():
    x = Tensor([[1.0, 5.0, 3.0], [0.0, -1.0, 2.0]])
    shifted = x - x.max(axis=1, keepdims=True)
    assert_matches(shifted, np.array([[-4.0, 0.0, -2.0], [-2.0, -3.0, 0.0]]))


# --------------------------------------------------------------------------- shape ops

RESHAPES = [
    ((2, 3), ((2, 3),)),
    ((2, 3), (2, 3)),
    ((2, 3), ([2, 3],)),
    ((6,), (-1,)),
    ((6,), ((-1,),)),
    ((3, 2), (-1, 2)),
    ((3, 2), (3, -1)),
    ((1, 6, 1), (1, -1, 1)),
    ((2, 3, 1), ((2, 3, 1),)),
]


@pytest.mark.parametrize("target, args", RESHAPES, ids=str)
def test_reshape_matches_numpy(target, args):
    arr = np.arange(6.0)
    t = Tensor(arr)
    assert_matches(t.reshape(*args), arr.reshape(target))
    assert t.shape == (6,)


def test_reshape_from_2d_and_errors():
    arr = np.arange(12).reshape(3, 4)
    assert_matches(Tensor(arr).reshape(4, 3), arr.reshape(4, 3))
    assert_matches(Tensor(arr).reshape(-1), arr.reshape(-1))
    assert_matches(Tensor(arr).reshape(2, -1, 2), arr.reshape(2, -1, 2))
    assert_matches(Tensor(5).reshape(1, 1), np.array([[5]]))
    with pytest.raises(ValueError):
        Tensor(arr).reshape(5, 2)
    with pytest.raises(ValueError):
        Tensor(arr).reshape(-1, -1)


TRANSPOSES = [(), ((0, 1, 2),), (2, 1, 0), (1, 0, 2), ((2, 0, 1),), ([0, 2, 1],), (-1, 0, 1)]


@pytest.mark.parametrize("args", TRANSPOSES, ids=str)
def test_transpose_matches_numpy(args):
    arr = np.arange(24).reshape(2, 3, 4)
    axes = args[0] if len(args) == 1 else (args or None)
    assert_matches(Tensor(arr).transpose(*args), np.transpose(arr, axes))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)], ids=str)
def test_T_reverses_axes(shape):
    arr = np.arange(int(np.prod(shape))).reshape(shape)
    assert_matches(Tensor(arr).T, arr.T)
    assert_matches(Tensor(arr).transpose(), arr.T)
    assert_matches(Tensor(arr).T.T, arr)


def test_transpose_bad_axes():
    with pytest.raises(ValueError):
        Tensor(np.ones((2, 3))).transpose(0, 0)


# --------------------------------------------------------------------------- indexing

INDEX_KEYS = [
    0,
    -1,
    (1, 2),
    (-1, -2),
    slice(None, 2),
    (slice(None), 1),
    (slice(None), slice(1, None)),
    (slice(None, None, 2), slice(None, None, -1)),
    [2, 0],
    (np.array([0, 2]), np.array([1, 3])),
    np.array([True, False, True]),
    (Ellipsis, 0),
    (None, 0),
]


@pytest.mark.parametrize("key", INDEX_KEYS, ids=repr)
def test_getitem_matches_numpy(key):
    arr = np.arange(12).reshape(3, 4)
    assert_matches(Tensor(arr)[key], arr[key])


def test_getitem_boolean_mask_and_tensor_keys():
    arr = np.arange(12).reshape(3, 4)
    t = Tensor(arr)
    assert_matches(t[arr > 5], arr[arr > 5])
    assert_matches(t[Tensor(arr > 5)], arr[arr > 5])
    assert_matches(t[Tensor([2, 0])], arr[[2, 0]])
    assert_matches(t[Tensor([0, 1]), Tensor([3, 2])], arr[[0, 1], [3, 2]])
    assert_matches(t[1, Tensor([0, 3])], arr[1, [0, 3]])
    assert t[1, 2].shape == () and t[1, 2].item() == 6


def test_getitem_errors():
    t = Tensor(np.arange(6).reshape(2, 3))
    with pytest.raises(IndexError):
        t[2]
    with pytest.raises(IndexError):
        t[0, 0, 0]


# --------------------------------------------------------------------------- repr


@pytest.mark.parametrize(
    "tensor, text",
    [
        (Tensor([1, 2, 3]), "Tensor([1, 2, 3], shape=(3,), dtype=int64)"),
        (Tensor(5), "Tensor(5, shape=(), dtype=int64)"),
        (Tensor(2.5), "Tensor(2.5, shape=(), dtype=float64)"),
        (Tensor([[1.0, 2.0], [3.0, 4.0]]), "Tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 2), dtype=float64)"),
        (Tensor([0.5], dtype=np.float32), "Tensor([0.5], shape=(1,), dtype=float32)"),
        (Tensor([True, False]), "Tensor([True, False], shape=(2,), dtype=bool)"),
        (Tensor([]), "Tensor([], shape=(0,), dtype=float64)"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_repr(tensor, text):
    assert repr(tensor) == text
    assert str(tensor) == text


def test_repr_of_large_tensor_is_summarised():
    text = repr(Tensor(np.zeros((1000, 1000))))
    assert text.startswith("Tensor([[")
    assert "..." in text
    assert text.endswith("shape=(1000, 1000), dtype=float64)")
    assert len(text) < 2000


# --------------------------------------------------------------------------- dtype matrix

# Every operation on a float32 tensor gives float32, and on a float64 tensor float64, with
# tensors of the same dtype, Python numbers and numpy scalars as the other operand.
DTYPE_PRESERVING_OPS = {
    "t + t": lambda t: t + t,
    "t - t": lambda t: t - t,
    "t * t": lambda t: t * t,
    "t / t": lambda t: t / t,
    "t + 1": lambda t: t + 1,
    "t - 0.5": lambda t: t - 0.5,
    "t * 2.0": lambda t: t * 2.0,
    "t / 3": lambda t: t / 3,
    "1 + t": lambda t: 1 + t,
    "2.0 - t": lambda t: 2.0 - t,
    "3 * t": lambda t: 3 * t,
    "1.0 / t": lambda t: 1.0 / t,
    "t * np.float64(2)": lambda t: t * np.float64(2.0),
    "np.float64(2) * t": lambda t: np.float64(2.0) * t,
    "t / np.float32(2)": lambda t: t / np.float32(2.0),
    "t - np.int64(1)": lambda t: t - np.int64(1),
    "t + True": lambda t: t + True,
    "same-dtype array - t": lambda t: np.ones(4, dtype=t.dtype) - t,
    "-t": lambda t: -t,
    "t @ t.T": lambda t: t @ t.T,
    "t.T @ t": lambda t: t.T @ t,
    "t @ vector": lambda t: t @ np.ones(4, dtype=t.dtype),
    "array @ t": lambda t: np.ones((2, 3), dtype=t.dtype) @ t,
    "t.matmul(t.T)": lambda t: t.matmul(t.T),
    "t.sum()": lambda t: t.sum(),
    "t.sum(axis=0)": lambda t: t.sum(axis=0),
    "t.mean()": lambda t: t.mean(),
    "t.mean(axis=1, keepdims=True)": lambda t: t.mean(axis=1, keepdims=True),
    "t.max()": lambda t: t.max(),
    "t.max(axis=1)": lambda t: t.max(axis=1),
    "t.min(axis=0)": lambda t: t.min(axis=0),
    "np.sum(t)": lambda t: np.sum(t),
    "np.mean(t, axis=0)": lambda t: np.mean(t, axis=0),
    "t - t.max(axis=1, keepdims=True)": lambda t: t - t.max(axis=1, keepdims=True),
    "t / t.sum()": lambda t: t / t.sum(),
    "t - t.mean()": lambda t: t - t.mean(),
    "t.reshape(4, 3)": lambda t: t.reshape(4, 3),
    "t.reshape(-1)": lambda t: t.reshape(-1),
    "t.transpose()": lambda t: t.transpose(),
    "t.T": lambda t: t.T,
    "t.reshape(1, 3, 4).transpose(2, 0, 1)": lambda t: t.reshape(1, 3, 4).transpose(2, 0, 1),
    "t[0]": lambda t: t[0],
    "t[1, 2]": lambda t: t[1, 2],
    "t[:, 1:]": lambda t: t[:, 1:],
    "t[[2, 0]]": lambda t: t[[2, 0]],
    "t[t > 5]": lambda t: t[t > 5],
    "Tensor(t)": lambda t: Tensor(t),
}


@pytest.mark.parametrize("name", list(DTYPE_PRESERVING_OPS))
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: d.__name__)
def test_every_op_keeps_float_dtype(name, dtype):
    arr = (np.arange(12).reshape(3, 4) + 1).astype(dtype) / 4
    t = Tensor(arr)
    result = DTYPE_PRESERVING_OPS[name](t)
    assert isinstance(result, Tensor)
    assert result.dtype == dtype, f"{name} on {np.dtype(dtype)} gave {result.dtype}"
    assert isinstance(result.data, np.ndarray)
    np.testing.assert_array_equal(arr, (np.arange(12).reshape(3, 4) + 1).astype(dtype) / 4)  # input unchanged
    assert t.data is arr


def test_every_op_values_match_numpy_at_float32():
    arr = (np.arange(12).reshape(3, 4) + 1).astype(np.float32) / 4
    t = Tensor(arr)
    np.testing.assert_allclose((t * 2.0 - 1.0 / t).data, arr * 2.0 - 1.0 / arr, rtol=1e-6)
    np.testing.assert_allclose((t @ t.T).data, arr @ arr.T, rtol=1e-6)
    np.testing.assert_allclose(t.mean(axis=0).data, arr.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose((np.float64(0.1) * t).data, np.float32(0.1) * arr, rtol=1e-6)


# --------------------------------------------------------------------------- misc


def test_bool_follows_numpy():
    assert bool(Tensor(1.0)) is True
    assert bool(Tensor([0])) is False
    with pytest.raises(ValueError):
        bool(Tensor([1, 2]))


def test_iteration_yields_rows():
    rows = list(Tensor([[1, 2], [3, 4]]))
    assert len(rows) == 2
    assert_matches(rows[1], np.array([3, 4]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_power_reflected_power_and_abs_keep_the_dtype(dtype):
    t = Tensor(np.array([[-2.0, 0.0, 1.5]], dtype=dtype))
    raw = t.data.copy()
    squared, powers, absolute = t ** 2, 2 ** t, abs(t)
    assert squared.data.dtype == powers.data.dtype == absolute.data.dtype == dtype
    assert np.allclose(squared.data, [[4.0, 0.0, 2.25]])
    assert np.allclose(powers.data, [[0.25, 1.0, 2 ** 1.5]])
    assert np.array_equal(absolute.data, [[2.0, 0.0, 1.5]])
    assert np.allclose((t ** Tensor(np.array([1.0, 2.0, 2.0], dtype=dtype))).data, [[-2.0, 0.0, 2.25]])
    assert np.array_equal(t.data, raw), "none of them may change the input"
