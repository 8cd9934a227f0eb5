"""Tests of the exported `tinytorch.core.cnn`: Conv2D, MaxPool2D, flatten and their gradients.

Needs the package built from the module sources: `tito export tensor layers autograd cnn`.

Forward passes are checked against two references: the module's own `conv2d_naive` (loops) and
an independent numpy implementation written here (one einsum per kernel offset). Gradients are
checked with autograd's `gradcheck` (finite differences) through the real layers, with stride
and padding, and through a whole conv -> relu -> pool -> flatten -> dense chain.
"""

import itertools

import numpy as np
import pytest

from tinytorch.core.autograd import Variable, gradcheck
from tinytorch.core.cnn import (
    Conv2D,
    Flatten,
    MaxPool2D,
    conv2d_backward,
    conv2d_naive,
    conv_output_size,
    conv_padding,
    flatten,
    im2col,
    maxpool2d_backward,
    maxpool2d_forward,
)
from tinytorch.core.tensor import Tensor


def values(v) -> np.ndarray:
    """The numbers of a Tensor or a Variable."""
    return np.asarray(v.data)


# --------------------------------------------------------------------------- references


def as_amounts(padding):
    """An int padding as ((top, bottom), (left, right)); amounts pass through."""
    return ((padding, padding), (padding, padding)) if isinstance(padding, int) else padding


def reference_conv(x, w, b, stride, padding):
    """Convolution as a sum over kernel offsets of channel contractions (no im2col, no loops over pixels).

    padding: an int or the amounts ((top, bottom), (left, right)).
    """
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    (top, bottom), (left, right) = as_amounts(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    H_out = (xp.shape[2] - kh) // stride + 1
    W_out = (xp.shape[3] - kw) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    for di in range(kh):
        for dj in range(kw):
            patch = xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, di, dj])
    return out + (0 if b is None else b.reshape(1, F, 1, 1))


def reference_maxpool(x, k, s):
    N, C, H, W = x.shape
    (kh, kw), (sh, sw) = (k, k) if isinstance(k, int) else k, (s, s) if isinstance(s, int) else s
    H_out, W_out = (H - kh) // sh + 1, (W - kw) // sw + 1
    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].max(axis=(2, 3))
    return out


def distinct(shape, rng):
    """Values with no ties (gaps of 0.1, far above gradcheck's eps), in random order."""
    return rng.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.1


def with_params(conv, w, b):
    conv.weight, conv.bias = w, b
    return conv


# --------------------------------------------------------------------------- output size and naive conv


@pytest.mark.parametrize("args, expected", [
    ((4, 3), 2), ((28, 5), 24), ((28, 3, 1, 1), 28), ((32, 3, 2, 1), 16), ((8, 3, 2, 0), 3), ((5, 2, 2), 2),
])
def test_conv_output_size(args, expected):
    assert conv_output_size(*args) == expected


def test_conv2d_naive_hand_computed():
    image = np.array([[1, 2, 0, 1], [0, 1, 3, 2], [2, 0, 1, 0], [1, 3, 2, 1]]).reshape(1, 1, 4, 4)
    edge = np.array([[1, 0, -1]] * 3).reshape(1, 1, 3, 3)
    out = conv2d_naive(Tensor(image), Tensor(edge))
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.data[0, 0], [[-1, 0], [-3, 1]])
    np.testing.assert_array_equal(conv2d_naive(image, edge, padding=1).data[0, 0],
                                  [[-3, -2, 0, 3], [-3, -1, 0, 4], [-4, -3, 1, 6], [-3, 0, 2, 3]])
    np.testing.assert_array_equal(conv2d_naive(image, edge, bias=np.array([10]), stride=2, padding=1).data[0, 0],
                                  [[7, 10], [6, 11]])


def test_conv2d_naive_rectangular_kernel_matches_reference():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 6, 7)), rng.standard_normal((4, 3, 2, 3)), rng.standard_normal(4)
    np.testing.assert_allclose(conv2d_naive(x, w, b, stride=2, padding=1).data, reference_conv(x, w, b, 2, 1),
                               rtol=1e-12, atol=1e-12)


def test_conv2d_naive_rejects_mismatched_channels():
    with pytest.raises(ValueError, match="channels"):
        conv2d_naive(np.zeros((1, 2, 4, 4)), np.zeros((1, 3, 3, 3)))


# --------------------------------------------------------------------------- im2col


def test_im2col_layout():
    x = np.arange(1, 17).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(im2col(x, 2, stride=2)[0],
                                  [[1, 3, 9, 11], [2, 4, 10, 12], [5, 7, 13, 15], [6, 8, 14, 16]])
    rng = np.random.default_rng(1)
    batch = rng.standard_normal((2, 3, 7, 8))
    cols = im2col(batch, 3, stride=2)
    H_out, W_out = 3, 3
    assert cols.shape == (2, 27, H_out * W_out)
    for n, i, j in itertools.product(range(2), range(H_out), range(W_out)):
        np.testing.assert_array_equal(cols[n, :, i * W_out + j], batch[n, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3].ravel())


@pytest.mark.parametrize("kernel, stride", [((2, 3), 1), ((3, 2), 2), ((1, 4), 1), ((4, 1), 3)])
def test_im2col_rectangular_windows(kernel, stride):
    rng = np.random.default_rng(2)
    batch = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    kh, kw = kernel
    cols = im2col(batch, kernel, stride=stride)
    H_out, W_out = (7 - kh) // stride + 1, (8 - kw) // stride + 1
    assert cols.shape == (2, 3 * kh * kw, H_out * W_out) and cols.dtype == np.float32
    for n, i, j in itertools.product(range(2), range(H_out), range(W_out)):
        window = batch[n, :, stride * i:stride * i + kh, stride * j:stride * j + kw]
        np.testing.assert_array_equal(cols[n, :, i * W_out + j], window.ravel())


# --------------------------------------------------------------------------- padding modes


@pytest.mark.parametrize("kernel, padding, expected", [
    (3, 1, ((1, 1), (1, 1))), (3, 0, ((0, 0), (0, 0))), (5, "valid", ((0, 0), (0, 0))),
    (3, "same", ((1, 1), (1, 1))), (5, "same", ((2, 2), (2, 2))), (1, "same", ((0, 0), (0, 0))),
    (2, "same", ((0, 1), (0, 1))), (4, "same", ((1, 2), (1, 2))), ((2, 3), "same", ((0, 1), (1, 1))),
    ((3, 2), "same", ((1, 1), (0, 1))), ((1, 4), "same", ((0, 0), (1, 2))),
])
def test_conv_padding(kernel, padding, expected):
    got = conv_padding(kernel, padding)
    assert np.asarray(got).tolist() == [list(pair) for pair in expected]
    assert all(isinstance(v, int) for pair in got for v in pair)


@pytest.mark.parametrize("padding, stride, match", [
    ("same", 2, "stride"), ("same", 3, "stride"), ("full", 1, "padding"), (-1, 1, "padding"), (1.5, 1, "padding"),
    (True, 1, "padding"),
])
def test_conv_padding_errors(padding, stride, match):
    with pytest.raises(ValueError, match=match):
        conv_padding(3, padding, stride)


# --------------------------------------------------------------------------- Conv2D forward

SHAPES = [(1, 1, 5, 5), (2, 3, 7, 10), (3, 2, 9, 6)]
FORWARD_CASES = [
    (shape, k, s, p)
    for shape, k, s, p in itertools.product(SHAPES, (1, 2, 3, 5), (1, 2, 3), (0, 1, 2))
    if min(shape[2:]) + 2 * p >= k
]


@pytest.mark.parametrize("shape, k, s, p", FORWARD_CASES,
                         ids=[f"{'x'.join(map(str, c[0]))}-k{c[1]}-s{c[2]}-p{c[3]}" for c in FORWARD_CASES])
def test_conv2d_forward_matches_references(shape, k, s, p):
    rng = np.random.default_rng(hash((shape, k, s, p)) % 2**32)
    F = 4
    x = rng.standard_normal(shape)
    w, b = rng.standard_normal((F, shape[1], k, k)), rng.standard_normal(F)
    conv = with_params(Conv2D(shape[1], F, k, stride=s, padding=p), Tensor(w), Tensor(b))
    out = conv(Tensor(x))
    assert isinstance(out, Tensor), "all-plain inputs should give a Tensor"
    expected = reference_conv(x, w, b, s, p)
    assert out.shape == expected.shape == (shape[0], F, conv_output_size(shape[2], k, s, p),
                                           conv_output_size(shape[3], k, s, p))
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(conv2d_naive(x, w, b, stride=s, padding=p).data, expected, rtol=1e-10, atol=1e-10)


RECT_CASES = [  # (input shape, filters, kernel, stride, padding)
    ((2, 2, 5, 7), 3, (2, 3), 1, 0),
    ((2, 2, 5, 7), 3, (3, 2), 2, 1),
    ((3, 2, 7, 5), 3, (2, 3), 2, 0),
    ((2, 2, 5, 7), 3, (2, 3), 1, "same"),
    ((2, 2, 5, 7), 3, (3, 2), 1, "same"),
    ((2, 2, 5, 7), 3, 4, 1, "same"),
    ((1, 2, 6, 4), 3, (1, 4), 1, "same"),
    ((2, 2, 7, 5), 3, 3, 2, "valid"),
]


@pytest.mark.parametrize("shape, F, k, s, p", RECT_CASES, ids=[f"k{c[2]}-s{c[3]}-p{c[4]}" for c in RECT_CASES])
def test_conv2d_rectangular_kernels_and_same_padding(shape, F, k, s, p):
    rng = np.random.default_rng(7)
    conv = Conv2D(shape[1], F, k, stride=s, padding=p)
    kh, kw = conv.kernel_size
    x = rng.standard_normal(shape)
    x_before = x.copy()
    w, b = rng.standard_normal((F, shape[1], kh, kw)), rng.standard_normal(F)
    out = with_params(conv, Tensor(w), Tensor(b))(Tensor(x))
    amounts = conv_padding((kh, kw), p, s)
    expected = reference_conv(x, w, b, s, amounts)
    assert out.shape == expected.shape
    if p == "same":
        assert out.shape[2:] == shape[2:]
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(x, x_before)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kernel, padding", [(2, "same"), (4, "same"), ((2, 3), "same"), ((3, 2), 1), (3, "valid")])
def test_conv2d_matches_pytorch(kernel, padding):
    """PyTorch's own conv2d (if installed) agrees, including where "same" puts an even kernel's extra zero."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 2, 5, 7))
    conv = Conv2D(2, 3, kernel, padding=padding, seed=0)
    kh, kw = conv.kernel_size
    w, b = rng.standard_normal((3, 2, kh, kw)), rng.standard_normal(3)
    ours = with_params(conv, Tensor(w), Tensor(b))(Tensor(x)).data
    theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), padding=padding).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_conv2d_float32_stays_float32_and_float64_stays_float64():
    conv = Conv2D(3, 5, 3, padding=1, seed=0)
    x32 = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    out = conv(Tensor(x32))
    assert values(out).dtype == np.float32
    np.testing.assert_allclose(values(out), reference_conv(x32.astype(np.float64), values(conv.weight).astype(np.float64),
                                                           values(conv.bias).astype(np.float64), 1, 1), atol=1e-5)
    assert values(conv(Tensor(x32.astype(np.float64)))).dtype == np.float64


def test_conv2d_accepts_ndarray_and_integer_pixels():
    conv = Conv2D(1, 2, 3, seed=0)
    pixels = np.random.default_rng(0).integers(0, 256, size=(2, 1, 5, 5))
    out = conv(pixels)
    np.testing.assert_allclose(values(out), reference_conv(pixels.astype(np.float64), values(conv.weight).astype(np.float64),
                                                           values(conv.bias).astype(np.float64), 1, 0), rtol=1e-5)


def test_conv2d_init_he_and_seed():
    conv = Conv2D(16, 32, 3, seed=0)
    w = values(conv.weight)
    assert w.shape == (32, 16, 3, 3) and w.dtype == np.float32
    assert values(conv.bias).shape == (32,) and not values(conv.bias).any()
    assert w.std() == pytest.approx(np.sqrt(2 / (16 * 9)), rel=0.05)
    np.testing.assert_array_equal(w, values(Conv2D(16, 32, 3, seed=0).weight))
    assert not np.array_equal(w, values(Conv2D(16, 32, 3, seed=1).weight))
    assert conv.parameters() == [conv.weight, conv.bias]
    assert isinstance(conv.weight, Variable) and conv.weight.requires_grad, "with autograd exported, weights are Variables"
    assert repr(conv) == "Conv2D(16, 32, kernel_size=3, stride=1, padding=0)"
    assert conv.kernel_size == (3, 3)
    rect = Conv2D(64, 8, (1, 5), padding="same", seed=0)
    assert values(rect.weight).shape == (8, 64, 1, 5)
    assert values(rect.weight).std() == pytest.approx(np.sqrt(2 / (64 * 5)), rel=0.05)
    assert repr(rect) == "Conv2D(64, 8, kernel_size=(1, 5), stride=1, padding='same')"


# --------------------------------------------------------------------------- Conv2D gradients

GRAD_CASES = [  # (input shape, out channels, kernel, stride, padding)
    ((2, 2, 5, 6), 3, 3, 1, 1),
    ((1, 3, 7, 5), 2, 3, 2, 1),
    ((2, 1, 6, 6), 2, 2, 2, 0),
    ((1, 2, 5, 5), 2, 3, 1, 2),
    ((1, 2, 8, 7), 3, 3, 3, 2),
    ((2, 2, 4, 5), 2, 1, 1, 0),
    ((2, 2, 5, 7), 3, (2, 3), 1, "same"),
    ((2, 2, 5, 7), 3, (3, 2), 2, 1),
    ((1, 2, 6, 5), 2, 4, 1, "same"),
    ((2, 2, 7, 5), 3, (2, 3), 2, 0),
]


@pytest.mark.parametrize("shape, F, k, s, p", GRAD_CASES, ids=[f"k{c[2]}-s{c[3]}-p{c[4]}" for c in GRAD_CASES])
def test_conv2d_gradcheck_input_weight_bias(shape, F, k, s, p):
    rng = np.random.default_rng(11)
    conv = Conv2D(shape[1], F, k, stride=s, padding=p)
    kh, kw = conv.kernel_size
    fn = lambda x, w, b: with_params(conv, w, b)(x)  # noqa: E731
    inputs = [Variable(rng.standard_normal(shape)), Variable(rng.standard_normal((F, shape[1], kh, kw))),
              Variable(rng.standard_normal(F))]
    assert gradcheck(fn, inputs) is True


@pytest.mark.parametrize("k, s, p", [(3, 2, 1), (3, 1, 1), ((2, 3), 1, "same"), ((3, 2), 2, 0), (4, 1, "same")])
def test_conv2d_gradients_match_reference_formulas(k, s, p):
    """dW, db, dx from one backward pass against independently derived sums (both col2im paths)."""
    rng = np.random.default_rng(3)
    conv = Conv2D(3, 4, k, stride=s, padding=p)
    kh, kw = conv.kernel_size
    x, w, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, kh, kw)), rng.standard_normal(4)
    xv, wv, bv = Variable(x), Variable(w), Variable(b)
    out = with_params(conv, wv, bv)(xv)
    G = rng.standard_normal(out.shape)
    out.backward(G)
    (top, bottom), (left, right) = conv.pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    H_out, W_out = G.shape[2:]
    dW = np.zeros_like(w)
    dxp = np.zeros_like(xp)
    for di, dj in itertools.product(range(kh), range(kw)):
        patch = xp[:, :, di:di + s * H_out:s, dj:dj + s * W_out:s]
        dW[:, :, di, dj] = np.einsum("nfhw,nchw->fc", G, patch)
        dxp[:, :, di:di + s * H_out:s, dj:dj + s * W_out:s] += np.einsum("nfhw,fc->nchw", G, w[:, :, di, dj])
    np.testing.assert_allclose(values(bv.grad), G.sum(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(values(wv.grad), dW, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(values(xv.grad), dxp[:, :, top:top + 6, left:left + 5], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("k, s, p", [(3, 1, 1), ((2, 3), 2, 1), ((3, 2), 1, "same")])
def test_conv2d_float32_gradients_inputs_untouched_and_second_backward(k, s, p):
    """float32 in -> float32 grads; x, the weight and grad_output unchanged; a 2nd backward equals the 1st."""
    rng = np.random.default_rng(4)
    conv = Conv2D(2, 3, k, stride=s, padding=p, seed=0)
    x = rng.standard_normal((2, 2, 5, 7)).astype(np.float32)
    x_before, w_before = x.copy(), values(conv.weight).copy()
    xv = Variable(x)
    out = conv(xv)
    assert values(out).dtype == np.float32
    G = rng.standard_normal(out.shape).astype(np.float32)
    G_before = G.copy()
    out.backward(G)
    first = [values(v.grad).copy() for v in (xv, conv.weight, conv.bias)]
    for grad in first:
        assert grad.dtype == np.float32
    for v in (xv, conv.weight, conv.bias):
        v.zero_grad()
    out.backward(G)
    for v, grad in zip((xv, conv.weight, conv.bias), first):
        np.testing.assert_array_equal(values(v.grad), grad)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(values(conv.weight), w_before)
    np.testing.assert_array_equal(G, G_before)


def test_conv2d_two_forwards_then_two_backwards():
    """Each forward pass keeps its own cols: the first graph's gradients are not the second's."""
    rng = np.random.default_rng(6)
    conv = Conv2D(2, 3, (2, 3), padding="same", seed=0)
    x1, x2 = Variable(rng.standard_normal((2, 2, 5, 7))), Variable(rng.standard_normal((2, 2, 5, 7)))
    out1, out2 = conv(x1), conv(x2)
    G = rng.standard_normal(out1.shape)
    out1.backward(G)
    dw1 = values(conv.weight.grad).copy()
    conv.weight.zero_grad()
    out2.backward(G)
    dw2 = values(conv.weight.grad).copy()
    for x, dw in ((x1, dw1), (x2, dw2)):
        xp = np.pad(values(x), ((0, 0), (0, 0), (0, 1), (1, 1)))
        expected = np.zeros_like(dw)
        for di, dj in itertools.product(range(2), range(3)):
            expected[:, :, di, dj] = np.einsum("nfhw,nchw->fc", G, xp[:, :, di:di + 5, dj:dj + 7])
        np.testing.assert_allclose(dw, expected, rtol=1e-10, atol=1e-10)


def test_conv2d_with_parameter_weights_builds_one_graph_node():
    conv = Conv2D(2, 3, 3, padding=1, seed=0)
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 4)).astype(np.float32)
    out = conv(Tensor(x))               # data input, Variable weights
    assert isinstance(out, Variable) and out.requires_grad
    assert out.grad_fn.__name__ == "conv2d_backward"
    assert len(out._parents) == 3
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert values(conv.weight.grad).shape == (3, 2, 3, 3) and values(conv.weight.grad).dtype == np.float32
    np.testing.assert_allclose(values(conv.bias.grad), np.full(3, 2 * 4 * 4))


def test_conv2d_skips_input_gradient_for_data():
    conv = Conv2D(2, 3, 3, seed=0)
    x = Variable(np.ones((1, 2, 5, 5)), requires_grad=False)
    out = conv(x)
    dx, dw, db = out.grad_fn(np.ones(out.shape))
    assert dx is None and dw.shape == (3, 2, 3, 3) and db.shape == (3,)
    out.backward(np.ones(out.shape))
    assert x.grad is None and conv.weight.grad is not None


def test_conv2d_backward_twice_accumulates():
    """The forward pass's cols must survive a backward pass (the graph may be reused)."""
    conv = Conv2D(1, 2, 3, padding=1, seed=0)
    x = Variable(np.random.default_rng(0).standard_normal((1, 1, 4, 4)))
    out = conv(x)
    out.backward(np.ones(out.shape))
    first_w, first_x = values(conv.weight.grad).copy(), values(x.grad).copy()
    out.backward(np.ones(out.shape))
    np.testing.assert_allclose(values(conv.weight.grad), 2 * first_w, rtol=1e-6)
    np.testing.assert_allclose(values(x.grad), 2 * first_x, rtol=1e-12)


def test_conv2d_backward_function_directly():
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    cols = im2col(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), 3, 1)
    G = rng.standard_normal((2, 3, 5, 5))
    dx, dw, db = conv2d_backward(G, cols, x.shape, w, 1, 1)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == (3,)
    none, dw2, db2 = conv2d_backward(G, cols, x.shape, w, 1, 1, needs_dx=False)
    assert none is None
    np.testing.assert_array_equal(dw, dw2)
    np.testing.assert_array_equal(db, db2)


def test_conv2d_training_steps_reduce_the_loss():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((8, 1, 6, 6)))
    target = reference_conv(values(x), rng.standard_normal((2, 1, 3, 3)), np.array([0.5, -0.5]), 1, 1)
    conv = Conv2D(1, 2, 3, padding=1, seed=0)
    losses = []
    for _ in range(30):
        conv.weight.zero_grad()
        conv.bias.zero_grad()
        diff = conv(x) - target
        loss = (diff * diff).mean()
        loss.backward()
        losses.append(loss.data.item())
        for param in conv.parameters():
            param.data = Tensor(values(param) - 0.1 * values(param.grad))
    assert losses[-1] < 0.1 * losses[0], losses


# --------------------------------------------------------------------------- Conv2D errors


@pytest.mark.parametrize("shape, message", [
    ((3, 8, 8), r"\(N, C, H, W\).*\(3, 8, 8\).*reshape"),
    ((8,), r"\(N, C, H, W\)"),
    ((2, 1, 8, 8), r"3 input channel.*\(2, 1, 8, 8\)"),
    ((2, 3, 2, 8), r"does not fit.*\(2, 3, 2, 8\)"),
])
def test_conv2d_shape_errors(shape, message):
    with pytest.raises(ValueError, match=message):
        Conv2D(3, 4, 3)(Tensor(np.zeros(shape)))


def test_conv2d_small_input_is_fine_with_padding():
    assert Conv2D(3, 4, 3, padding=1)(Tensor(np.zeros((1, 3, 1, 1)))).shape == (1, 4, 1, 1)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=0), dict(stride=0), dict(padding=-1), dict(kernel_size=2.5), dict(in_channels=0),
    dict(stride=True), dict(kernel_size=(2, 0)), dict(kernel_size=(2, 3, 4)), dict(padding="full"),
])
def test_conv2d_invalid_arguments(kwargs):
    args = dict(in_channels=3, out_channels=4, kernel_size=3) | kwargs
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Conv2D(**args)


def test_conv2d_same_padding_needs_stride_1():
    with pytest.raises(ValueError, match="stride"):
        Conv2D(3, 4, 3, stride=2, padding="same")


# --------------------------------------------------------------------------- MaxPool2D

POOL_CASES = [  # (input shape, pool, stride): fast path, overlapping, gapped, sizes that do not divide
    ((2, 3, 6, 8), 2, None),
    ((1, 2, 7, 5), 2, None),
    ((2, 2, 7, 7), 3, 2),
    ((1, 2, 6, 6), 3, 1),
    ((1, 1, 9, 8), 2, 3),
    ((2, 1, 5, 5), 5, None),
    ((2, 2, 5, 7), (2, 3), None),
    ((2, 2, 7, 5), (3, 2), (1, 2)),
    ((1, 2, 6, 7), (2, 3), 1),
]


@pytest.mark.parametrize("shape, k, s", POOL_CASES, ids=[f"{'x'.join(map(str, c[0]))}-k{c[1]}-s{c[2]}" for c in POOL_CASES])
def test_maxpool_forward_matches_reference(shape, k, s):
    x = np.random.default_rng(0).standard_normal(shape)
    out = MaxPool2D(k, s)(Tensor(x))
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.data, reference_maxpool(x, k, s if s else k))


@pytest.mark.parametrize("shape, k, s", POOL_CASES, ids=[f"{'x'.join(map(str, c[0]))}-k{c[1]}-s{c[2]}" for c in POOL_CASES])
def test_maxpool_gradcheck(shape, k, s):
    x = distinct(shape, np.random.default_rng(1))
    assert gradcheck(MaxPool2D(k, s), [Variable(x)]) is True


def test_maxpool_gradient_goes_to_the_first_maximum_once():
    x = Variable(np.array([[5.0, 5.0], [5.0, 1.0]]).reshape(1, 1, 2, 2))
    MaxPool2D(2)(x).backward(np.array(3.0).reshape(1, 1, 1, 1))
    np.testing.assert_array_equal(values(x.grad)[0, 0], [[3, 0], [0, 0]])


def test_maxpool_overlapping_windows_add_up():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9.0
    _, argmax = maxpool2d_forward(x, 2, 1)
    dx = maxpool2d_backward(np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 2, 2), argmax, x.shape, 2, 1)
    assert dx[0, 0, 1, 1] == 10 and dx.sum() == 10


def test_maxpool_float32_gradient_dtype():
    x = Variable(np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32))
    out = MaxPool2D(2)(x)
    assert values(out).dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert values(x.grad).dtype == np.float32


@pytest.mark.parametrize("shape", [(4, 4), (1, 4, 4), (1, 1, 1, 4)])
def test_maxpool_shape_errors(shape):
    with pytest.raises(ValueError, match="MaxPool2D"):
        MaxPool2D(2)(Tensor(np.zeros(shape)))


def test_maxpool_invalid_arguments_and_repr():
    with pytest.raises(ValueError, match="pool_size"):
        MaxPool2D(0)
    with pytest.raises(ValueError, match="stride"):
        MaxPool2D(2, stride=0)
    assert repr(MaxPool2D(2)) == "MaxPool2D(pool_size=2, stride=2)"
    assert repr(MaxPool2D((2, 3), stride=1)) == "MaxPool2D(pool_size=(2, 3), stride=1)"
    assert MaxPool2D(3, 1).parameters() == []
    with pytest.raises(ValueError, match="pool_size"):
        MaxPool2D((2, 0))
    with pytest.raises(ValueError, match="MaxPool2D"):
        MaxPool2D((2, 3))(Tensor(np.zeros((1, 1, 4, 2))))


def test_maxpool_ties_in_rectangular_windows_and_float32():
    x = Variable(np.array([[5, 1, 5, 0, 7, 7], [5, 5, 0, 7, 1, 1]], dtype=np.float32).reshape(1, 1, 2, 6))
    out = MaxPool2D((2, 3))(x)
    np.testing.assert_array_equal(values(out)[0, 0], [[5, 7]])
    out.backward(np.array([3.0, 4.0], dtype=np.float32).reshape(1, 1, 1, 2))
    assert values(x.grad).dtype == np.float32
    np.testing.assert_array_equal(values(x.grad)[0, 0], [[3, 0, 0, 0, 4, 0], [0, 0, 0, 0, 0, 0]])


# --------------------------------------------------------------------------- flatten


def test_flatten_values_and_layer():
    x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    for fn in (flatten, Flatten()):
        out = fn(Tensor(x))
        assert isinstance(out, Tensor) and out.shape == (2, 60)
        np.testing.assert_array_equal(out.data, x.reshape(2, -1))
    assert Flatten().parameters() == [] and repr(Flatten()) == "Flatten()"
    with pytest.raises(ValueError, match="batch axis"):
        flatten(Tensor(5.0))


def test_flatten_gradcheck_and_variable_result():
    x = Variable(np.random.default_rng(0).standard_normal((2, 3, 2, 2)))
    out = flatten(x)
    assert isinstance(out, Variable) and out.shape == (2, 12)
    assert gradcheck(lambda v: flatten(v) * np.arange(12.0), [x]) is True
    assert gradcheck(lambda v: Flatten()(v), [x]) is True


# --------------------------------------------------------------------------- a whole CNN


def test_cnn_chain_gradcheck():
    """conv -> relu -> maxpool -> conv (stride 2) -> flatten -> dense -> sum, every parameter checked."""
    rng = np.random.default_rng(11)
    conv1 = Conv2D(2, 3, 3, padding=1)
    conv2 = Conv2D(3, 2, 3, stride=2, padding=1)
    pool = MaxPool2D(2)

    def net(x, w1, b1, w2, b2, V):
        h = with_params(conv1, w1, b1)(x).relu()
        h = pool(h)
        h = with_params(conv2, w2, b2)(h)
        return flatten(h) @ V

    inputs = [rng.standard_normal((2, 2, 8, 8)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3),
              rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2), rng.standard_normal((2 * 2 * 2, 4))]
    assert gradcheck(net, [Variable(a) for a in inputs]) is True


def test_lenet_shapes():
    x = Tensor(np.zeros((4, 1, 28, 28), dtype=np.float32))
    h = MaxPool2D(2)(Conv2D(1, 6, 5, seed=0)(x))          # (4, 6, 12, 12)
    h = MaxPool2D(2)(Conv2D(6, 16, 5, seed=1)(h))         # (4, 16, 4, 4)
    assert flatten(h).shape == (4, 256)
