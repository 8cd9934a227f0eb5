# %% [markdown]
# # CNN: Convolution and Pooling
#
# A dense layer connects every input number to every output number. For images that is
# both wasteful and blind: a 224×224 RGB image has 150,528 numbers, so a single dense layer
# with 1,000 outputs needs 150 million weights — and it learns "a cat in the top-left
# corner" separately from "a cat in the bottom-right corner".
#
# A **convolutional layer** looks at the image through a small window (say 3×3) and slides
# the *same* small set of weights over every position. It has few weights, it finds a
# pattern wherever the pattern is, and stacking such layers lets later layers see larger
# and larger parts of the image. That idea — from LeNet (1998) to AlexNet (2012) to ResNet —
# is what made deep learning work on images.
#
# ### What you will build
# - **`conv_output_size`** and **`conv2d_naive`**: convolution written as loops, so you
#   see exactly what it computes
# - **`im2col`**: the trick that turns convolution into **one matrix multiplication**,
#   built with numpy's stride tricks (a view: no data is copied until the end)
# - **`conv_padding`**: how many zeros go on each side, including PyTorch's
#   `padding="same"` (the output keeps the input's height and width)
# - **`Conv2D`**: a real, fast convolutional layer with He-initialised weights, square or
#   rectangular kernels, padding, stride and clear error messages; its backward pass,
#   `conv2d_backward`, is provided and explained
# - **`maxpool2d_forward`** / **`MaxPool2D`**: max pooling (square or rectangular windows),
#   with its backward pass provided
# - **`flatten`** / **`Flatten`**: the bridge from image-shaped activations to dense layers
#
# Everything works on **batches** of images in PyTorch's layout, `(N, C, H, W)`: N images,
# C channels (3 for RGB, 1 for grey), H rows and W columns.

# %% nbgrader={"grade": false, "grade_id": "cnn-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.cnn
#| export
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinytorch.core.layers import Parameter
from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/05_cnn/cnn_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.cnn`
#
# ```python
# # Final package structure:
# from tinytorch.core.cnn import Conv2D, MaxPool2D, Flatten, flatten, conv2d_naive
# from tinytorch.core.tensor import Tensor
#
# conv = Conv2D(1, 8, kernel_size=3, padding="same", seed=0)
# pool = MaxPool2D(2)
# x = Tensor(np.zeros((32, 1, 28, 28), dtype=np.float32))   # 32 grey 28×28 images
# h = flatten(pool(conv(x)))                                # shape (32, 8 * 14 * 14)
# ```
#
# **Why this matters:**
# - **Learning:** convolution is the operation behind every image model you will meet
# - **Production:** mirrors `torch.nn.Conv2d`, `torch.nn.MaxPool2d` and `torch.nn.Flatten`
#   (same `(N, C, H, W)` layout, same weight shape `(out, in, kh, kw)`, same
#   `padding="same"`)
# - **Systems:** the same arithmetic runs about 1,000× faster once it is rearranged as one
#   matrix multiplication — this module is where you see that most clearly

# %% [markdown]
# ## Three small helpers (provided)
#
# Layers in this module are written before autograd (module 07), yet must train once
# autograd exists. `docs/curriculum-api.md` gives the rule for layers whose backward pass
# is written by hand:
#
# 1. compute the forward pass in numpy, on the **values** of the inputs;
# 2. if every input is a plain `Tensor` (or an ndarray), return a `Tensor`;
# 3. otherwise some input is an autograd `Variable` (for example a weight made by
#    `Parameter` once module 07 is exported): return **one graph node** made by
#    `tinytorch.core.autograd.apply_op(data, inputs, backward_fn, name)`, where
#    `backward_fn(grad_output)` returns one gradient per input.
#
# `apply_op` is imported *inside* the function: a `Variable` can only exist if
# `tinytorch.core.autograd` exists, so the import never fails when it runs, and this
# module never needs autograd when it is imported.
#
# `_values(x)` gets the numbers out of anything: an ndarray is itself, a `Tensor`'s
# `.data` is an ndarray, and a `Variable`'s `.data` is a `Tensor`, which `np.asarray`
# reads without copying. `_pair(k)` turns a window size into `(height, width)`: `3`
# becomes `(3, 3)` and `(2, 3)` stays `(2, 3)`, as in PyTorch, where every size argument
# may be one number or one number per axis.

# %% nbgrader={"grade": false, "grade_id": "cnn-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _values(x):
    """The numbers in x as an ndarray: x may be an ndarray, a Tensor, a Variable or a list."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        return x.data
    if hasattr(x, "data"):            # a Variable: its .data is a Tensor
        return np.asarray(x.data)
    return np.asarray(x)


def _pair(value):
    """(height, width) of a window given as one int (a square) or as a pair of ints."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value, value)


def _is_plain(x):
    """True for inputs that need no graph node: None, ndarrays and plain Tensors."""
    return x is None or isinstance(x, (np.ndarray, Tensor))


def _graph_node(out, inputs, backward_fn, name):
    """
    The result of a hand-differentiated operation: a Tensor if every input is plain,
    otherwise one autograd graph node whose backward pass is backward_fn.
    """
    if all(_is_plain(value) for value in inputs):
        return Tensor(out)
    from tinytorch.core.autograd import apply_op   # exists whenever a Variable does
    return apply_op(out, inputs, backward_fn, name)

# %% [markdown]
# ## Step 1: What Is a Convolution?
#
# ### One channel, one filter
# A convolution slides a small grid of weights — the **kernel** or **filter** — over the
# image. At every position it multiplies the kernel with the patch of image under it,
# element by element, and adds everything up. That sum is one output pixel.
#
# Here is a 4×4 image and a 3×3 kernel that responds to *vertical edges* (bright on the
# left, dark on the right):
#
# ```
#        image x                kernel k              output (2×2)
#   ┌───┬───┬───┬───┐        ┌───┬───┬───┐
#   │ 1 │ 2 │ 0 │ 1 │        │ 1 │ 0 │-1 │         ┌────┬────┐
#   ├───┼───┼───┼───┤        ├───┼───┼───┤         │ -1 │  0 │
#   │ 0 │ 1 │ 3 │ 2 │        │ 1 │ 0 │-1 │         ├────┼────┤
#   ├───┼───┼───┼───┤        ├───┼───┼───┤         │ -3 │  1 │
#   │ 2 │ 0 │ 1 │ 0 │        │ 1 │ 0 │-1 │         └────┴────┘
#   ├───┼───┼───┼───┤        └───┴───┴───┘
#   │ 1 │ 3 │ 2 │ 1 │
#   └───┴───┴───┴───┘
#
# out[0, 0]: the kernel over rows 0-2, columns 0-2
#     1·1 + 2·0 + 0·(-1)
#   + 0·1 + 1·0 + 3·(-1)
#   + 2·1 + 0·0 + 1·(-1)   =  (1 + 0 + 2) − (0 + 3 + 1)  =  3 − 4  =  −1
#
# out[0, 1]: the kernel one column to the right (columns 1-3)
#   (2 + 1 + 0) − (1 + 2 + 0) = 0
# out[1, 0]: one row down (rows 1-3, columns 0-2)
#   (0 + 2 + 1) − (3 + 1 + 2) = −3
# out[1, 1]: rows 1-3, columns 1-3
#   (1 + 0 + 3) − (2 + 0 + 1) = 1
# ```
#
# In symbols, for an output position (i, j):
#
# ```
# out[i, j] = Σ_di Σ_dj  x[i + di, j + dj] · k[di, dj]
# ```
#
# (Mathematicians would call this *cross-correlation*: a "true" convolution flips the
# kernel first. Every deep-learning library computes the unflipped version and calls it
# convolution; since the kernel is learned, the flip makes no difference.)
#
# ### Many channels, many filters
# A colour image has 3 channels, and the output of a convolutional layer has one channel
# per filter (a layer with 16 filters produces 16 "feature maps"). So a filter is not
# 3×3 but **C_in × 3 × 3**: it covers *all* input channels at once, and its output is the
# sum over channels. A layer with F filters has a weight of shape **(F, C_in, k, k)** and
# one bias per filter:
#
# ```
# out[n, f, i, j] = b[f] + Σ_c Σ_di Σ_dj  x[n, c, i + di, j + dj] · W[f, c, di, dj]
# ```
#
# Kernels need not be square. A **kh × kw** kernel (kh rows, kw columns: weight shape
# `(F, C_in, kh, kw)`) has di running over kh rows and dj over kw columns; a 1×7 kernel
# looks along rows only (Inception uses 1×7 and 7×1 pairs). Everything below works on each
# axis separately: heights go with kh, widths with kw. Mixing them up is invisible on
# square kernels and square images, which is why the tests use shapes like 2×3 and 5×7.
#
# ### Padding and stride
# - **Padding** p adds p rings of zeros around the image before sliding. With k = 3 and
#   p = 1 the output has the same height and width as the input ("same" padding, Step 4),
#   and border pixels are looked at as often as central ones.
# - **Stride** s moves the window s pixels at a time instead of 1: stride 2 halves the
#   height and width and does 4× less work.
#
# ```
# stride 1:  ▓▓▓░░        stride 2:  ▓▓▓░░
#            ░▓▓▓░                   ░░▓▓▓      (window positions 0, 2, ...)
#            ░░▓▓▓
# ```
#
# ### The output size
# Along one axis, a window of size k fits into a padded length of `size + 2p`, starting at
# 0, s, 2s, ... as long as it does not run past the end:
#
# ```
# out_size = floor((size + 2·p − k) / s) + 1
#
# 28×28 image, k=5, p=0, s=1  ->  (28 − 5)/1 + 1        = 24
# 28×28 image, k=3, p=1, s=1  ->  (28 + 2 − 3)/1 + 1    = 28   ("same")
# 32×32 image, k=3, p=1, s=2  ->  floor(31 / 2) + 1     = 16
# ```
#
# When the stride does not divide evenly, the last few rows or columns are simply never
# covered by a window (PyTorch does the same).

# %% nbgrader={"grade": false, "grade_id": "conv-output-size", "locked": false, "schema_version": 3, "solution": true}
#| export
def conv_output_size(size, kernel_size, stride=1, padding=0):
    """
    The output length along one axis of a convolution or pooling window.

    TODO: Return floor((size + 2 * padding - kernel_size) / stride) + 1.

    STEP-BY-STEP IMPLEMENTATION:
    1. Add the padding on both sides to the input size
    2. Subtract the kernel size: that is how far the window can travel
    3. Count the window positions: 0, stride, 2·stride, ... up to that distance

    EXAMPLE USAGE:
    ```python
    conv_output_size(28, 5)                       # 24
    conv_output_size(28, 3, padding=1)            # 28
    conv_output_size(32, 3, stride=2, padding=1)  # 16
    ```

    IMPLEMENTATION HINTS:
    - Integer division (//) rounds down for you
    - The result must be a plain int: it becomes part of an array shape
    """
    ### BEGIN SOLUTION
    return (size + 2 * padding - kernel_size) // stride + 1
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Output Size

# %% nbgrader={"grade": true, "grade_id": "test-conv-output-size", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_conv_output_size():
    """The output-size formula, with and without padding and stride."""
    print("🔬 Unit Test: Convolution Output Size...")

    cases = [
        ((4, 3), 2),                 # the worked example above
        ((28, 5), 24),
        ((28, 3, 1, 1), 28),         # "same" padding
        ((32, 3, 2, 1), 16),
        ((7, 3, 2, 0), 3),           # exact fit: the last window ends on the last pixel
        ((8, 3, 2, 0), 3),           # one pixel left over: round down
        ((9, 3, 2, 0), 4),           # the next window fits again
        ((9, 3, 3, 0), 3),           # stride 3: exact fit ...
        ((11, 3, 3, 0), 3),          # ... two pixels left over, still 3
        ((12, 3, 3, 0), 4),
        ((5, 5), 1),                 # the window fits exactly once
        ((1, 3, 1, 1), 1),           # ... thanks to the padding alone
        ((4, 2, 2), 2),              # 2x2 pooling
        ((5, 2, 2), 2),
        ((3, 5, 1, 2), 3),
        ((5, 2, 1, 0), 4),           # an even kernel
        ((7, 3, 2, 1), 4),           # padding and stride together
        ((6, 3, 2, 1), 3),
    ]
    for args, expected in cases:
        got = conv_output_size(*args)
        assert got == expected, f"conv_output_size{args} should be {expected}, got {got}"
        assert isinstance(got, (int, np.integer)), f"conv_output_size{args} should be an int, got {type(got).__name__}"
    # Keyword arguments, in the order of the signature
    got = conv_output_size(size=10, kernel_size=4, stride=3, padding=1)
    assert got == 3, f"conv_output_size(size=10, kernel_size=4, stride=3, padding=1) should be 3, got {got}"

    print("✅ output sizes are right")

test_conv_output_size()

# %% [markdown]
# ## Step 2: Convolution with Loops
#
# Now write the formula as loops. This is the slowest possible convolution, and that is
# the point: it is short, it is obviously right, and it becomes the **reference** that
# every fast version is tested against — in this module and in `tests/`.
#
# ```
# for n in range(N):                      # every image
#     for f in range(F):                  # every filter
#         for i in range(H_out):          # every output row
#             for j in range(W_out):      # every output column
#                 window = x_padded[n, :, i·s : i·s + kh, j·s : j·s + kw]   # (C, kh, kw)
#                 out[n, f, i, j] = sum(window * W[f]) (+ b[f])
# ```
#
# The innermost sum over (C, kh, kw) may use numpy (`np.sum(window * W[f])`); the four
# outer loops are the convolution itself. `conv2d_naive` accepts rectangular kernels
# `(F, C, kh, kw)`, and so will every function after it.
#
# Zero padding is one call: `np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))` pads nothing on
# the batch and channel axes and p zeros on each side of the two spatial axes.

# %% nbgrader={"grade": false, "grade_id": "conv2d-naive", "locked": false, "schema_version": 3, "solution": true}
#| export
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    """
    2-D convolution of a batch of images with explicit loops (for teaching; slow).

    x: (N, C, H, W); weight: (F, C, kh, kw); bias: (F,) or None.
    Returns a Tensor of shape (N, F, H_out, W_out).

    TODO: Compute the convolution with four nested loops over (n, f, i, j).

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) take the arrays and check that the channel counts agree
    2. Zero-pad x by `padding` on both spatial axes (skip it when padding is 0)
    3. Compute H_out and W_out with conv_output_size
    4. Make an output array of zeros, shape (N, F, H_out, W_out),
       dtype np.result_type(x, weight)
    5. Loop over n, f, i, j: take the (C, kh, kw) window of the padded image that starts at
       row i·stride and column j·stride, multiply it by weight[f], and store the sum
    6. If there is a bias, add bias[f] to every output of filter f
    7. Return the output as a Tensor

    EXAMPLE USAGE:
    ```python
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    w = Tensor(np.ones((1, 1, 2, 2)))
    conv2d_naive(x, w).shape                       # (1, 1, 3, 3)
    conv2d_naive(x, w, stride=2).data[0, 0]        # [[10, 18], [42, 50]]
    conv2d_naive(x, w, padding=1).shape            # (1, 1, 5, 5)
    ```

    IMPLEMENTATION HINTS:
    - Slicing x[n, :, r:r + kh, c:c + kw] takes all channels of one window at once
    - np.sum(a * b) multiplies element by element and adds everything up
    - bias.reshape(1, F, 1, 1) broadcasts one number per filter over (N, H_out, W_out)
    """
    x = _values(x)
    weight = _values(weight)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"conv2d_naive expects x of shape (N, C, H, W) and weight of shape "
                         f"(F, C, kh, kw), got {x.shape} and {weight.shape}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"conv2d_naive: x has {x.shape[1]} channels but the weight expects "
                         f"{weight.shape[1]} (shapes {x.shape} and {weight.shape})")
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    F, _, kh, kw = weight.shape
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    H_out = conv_output_size(H, kh, stride, padding)
    W_out = conv_output_size(W, kw, stride, padding)
    out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, weight))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    r, c = i * stride, j * stride
                    window = x[n, :, r:r + kh, c:c + kw]
                    out[n, f, i, j] = np.sum(window * weight[f])
    if bias is not None:
        out = out + _values(bias).reshape(1, F, 1, 1)
    return Tensor(out)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Naive Convolution
#
# Every expected value here is computed by hand in the cell's comments, starting with the
# worked example from Step 1.

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-naive", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: conv_output_size
def test_conv2d_naive():
    """The loop convolution against hand-computed examples."""
    print("🔬 Unit Test: Naive Convolution...")

    image = np.array([[1, 2, 0, 1],
                      [0, 1, 3, 2],
                      [2, 0, 1, 0],
                      [1, 3, 2, 1]])
    edge = np.array([[1, 0, -1],
                     [1, 0, -1],
                     [1, 0, -1]])
    x = Tensor(image.reshape(1, 1, 4, 4))
    w = Tensor(edge.reshape(1, 1, 3, 3))

    # Step 1's worked example
    out = conv2d_naive(x, w)
    assert isinstance(out, Tensor), f"conv2d_naive should return a Tensor, got {type(out).__name__}"
    assert out.shape == (1, 1, 2, 2), f"a 4x4 image and a 3x3 kernel give a 2x2 output, got shape {out.shape}"
    assert np.array_equal(out.data[0, 0], [[-1, 0], [-3, 1]]), (
        f"the worked example should give [[-1, 0], [-3, 1]], got {out.data[0, 0].tolist()}")

    # Padding 1: the image gets a border of zeros, the output stays 4x4.
    # Top-left corner: the window covers the zero border plus image rows 0-1, columns 0-1:
    #   left column (zeros) 0, right column x[0, 1] + x[1, 1] = 2 + 1 = 3  ->  0 - 3 = -3
    # Bottom-right corner: rows 2-3, columns 2-3 plus the border:
    #   left column x[2, 2] + x[3, 2] = 1 + 2 = 3, right column zeros  ->  3
    out = conv2d_naive(x, w, padding=1)
    assert out.shape == (1, 1, 4, 4), f"padding=1 should keep the 4x4 size, got {out.shape}"
    expected_padded = [[-3, -2, 0, 3], [-3, -1, 0, 4], [-4, -3, 1, 6], [-3, 0, 2, 3]]
    assert out.data[0, 0, 0, 0] == -3 and out.data[0, 0, 3, 3] == 3, (
        f"with padding=1 the corners should be -3 (top-left) and 3 (bottom-right), "
        f"got {out.data[0, 0, 0, 0]} and {out.data[0, 0, 3, 3]}")
    assert np.array_equal(out.data[0, 0], expected_padded), (
        f"with padding=1 expected {expected_padded}, got {out.data[0, 0].tolist()}")

    # Stride 2 with padding 1: every other position of the padded result
    out = conv2d_naive(x, w, stride=2, padding=1)
    assert out.shape == (1, 1, 2, 2), f"stride=2, padding=1 on 4x4 should give 2x2, got {out.shape}"
    assert np.array_equal(out.data[0, 0], [[-3, 0], [-4, 1]]), (
        f"stride=2, padding=1 should give [[-3, 0], [-4, 1]], got {out.data[0, 0].tolist()}")

    # A 2x2 box filter with stride 2 adds up each 2x2 block of 0..15
    x16 = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    out = conv2d_naive(x16, Tensor(np.ones((1, 1, 2, 2))), stride=2)
    assert np.array_equal(out.data[0, 0], [[10, 18], [42, 50]]), (
        f"2x2 sums of arange(16) should be [[10, 18], [42, 50]], got {out.data[0, 0].tolist()}")

    # Two channels, two filters, a bias:
    #   channel 0 = the image above, channel 1 = all ones
    #   filter 0 looks only at channel 0 with the edge kernel  -> the worked example
    #   filter 1 looks only at channel 1 with a 3x3 box of ones -> 9 everywhere
    two_channels = np.stack([image, np.ones((4, 4), dtype=int)]).reshape(1, 2, 4, 4)
    weight = np.zeros((2, 2, 3, 3))
    weight[0, 0] = edge
    weight[1, 1] = 1.0
    out = conv2d_naive(Tensor(two_channels), Tensor(weight), bias=Tensor([0.5, -1.0]))
    assert out.shape == (1, 2, 2, 2), f"2 filters should give 2 output channels: shape (1, 2, 2, 2), got {out.shape}"
    assert np.allclose(out.data[0, 0], [[-0.5, 0.5], [-2.5, 1.5]]), (
        f"filter 0 + bias 0.5 should give [[-0.5, 0.5], [-2.5, 1.5]], got {out.data[0, 0].tolist()}")
    assert np.allclose(out.data[0, 1], 8.0), f"filter 1 sums nine ones, minus 1 of bias: 8 everywhere, got {out.data[0, 1].tolist()}"

    # A batch: the second image is twice the first, so (without bias) its output is too
    batch = np.stack([image, 2 * image]).reshape(2, 1, 4, 4)
    out = conv2d_naive(Tensor(batch), w)
    assert out.shape == (2, 1, 2, 2), f"a batch of 2 should give shape (2, 1, 2, 2), got {out.shape}"
    assert np.array_equal(out.data[1, 0], [[-2, 0], [-6, 2]]), (
        f"the second image of the batch should give [[-2, 0], [-6, 2]], got {out.data[1, 0].tolist()}")

    # Rectangular kernels (2x3 and 3x2) on a non-square batch: 2 images of 2 channels,
    # 5 rows by 7 columns, 3 filters. The reference adds up, for each kernel offset
    # (di, dj), the shifted image contracted with W[:, :, di, dj] over the channels.
    rng = np.random.default_rng(1)
    x57 = rng.standard_normal((2, 2, 5, 7)).astype(np.float32)
    x57_before = x57.copy()
    for kh, kw, s, p in ((2, 3, 2, 1), (3, 2, 2, 1), (2, 3, 1, 0), (3, 2, 1, 2), (1, 3, 3, 0)):
        w = rng.standard_normal((3, 2, kh, kw)).astype(np.float32)
        b = rng.standard_normal(3).astype(np.float32)
        xp = np.pad(x57.astype(np.float64), [(0, 0), (0, 0), (p, p), (p, p)])
        rows, columns = (5 + 2 * p - kh) // s + 1, (7 + 2 * p - kw) // s + 1
        want = np.zeros((2, 3, rows, columns)) + b.reshape(1, 3, 1, 1)
        for di in range(kh):
            for dj in range(kw):
                shifted = xp[:, :, di:di + s * rows:s, dj:dj + s * columns:s]
                want += np.einsum("nchw,fc->nfhw", shifted, w[:, :, di, dj])
        got = conv2d_naive(Tensor(x57), Tensor(w), bias=Tensor(b), stride=s, padding=p)
        label = f"a {kh}x{kw} kernel, stride {s}, padding {p} on shape (2, 2, 5, 7)"
        assert got.shape == want.shape, f"{label}: the output should be {want.shape}, got {got.shape}"
        assert np.allclose(got.data, want, atol=1e-4), (
            f"{label}: differs from the reference by up to {np.abs(got.data - want).max():.3g} "
            f"(kh goes with the rows, kw with the columns)")
        assert got.data.dtype == np.float32, f"{label}: float32 inputs should give float32, got {got.data.dtype}"
    assert np.array_equal(x57, x57_before), "conv2d_naive must not change its input"

    # float64 stays float64, and plain numpy arrays are accepted too
    got = conv2d_naive(x57.astype(np.float64), np.ones((1, 2, 2, 3)))
    assert got.data.dtype == np.float64, f"float64 inputs should give float64, got {got.data.dtype}"

    print("✅ the worked example, padding, stride, channels, bias and batches are right")
    print("✅ rectangular kernels, non-square images and float32 are right")

test_conv2d_naive()

# %% [markdown]
# ## Step 3: Why Loops Are Slow, and the im2col Trick
#
# ### Counting the work
# A modest layer — a batch of 32 images of 8×16×16, 16 filters of 3×3, padding 1 — has
# 32 · 16 · 16 · 16 = **131,072** output pixels, each a sum of 8 · 3 · 3 = 72 products.
# That is 9.4 million multiply-adds: a few milliseconds of work for any CPU.
#
# `conv2d_naive` runs its innermost Python statement 131,072 times. Each one slices an
# array, allocates a temporary, calls `np.sum` — about a microsecond or more of
# *interpreter overhead* to do 72 multiplications. The arithmetic is almost free; the
# bookkeeping is not. The original TinyTorch's `Conv2D` was written this way and was about
# **10,000× slower than PyTorch**. Not because numpy is slow, but because the loops were in
# Python.
#
# ### The idea: unroll the windows into a matrix
# Look at the formula again:
#
# ```
# out[n, f, i, j] = Σ_(c, di, dj)  W[f, (c, di, dj)] · x[n, c, i + di, j + dj]
# ```
#
# For a fixed image n, call each (c, di, dj) a **row index** r (there are C·kh·kw of them)
# and each output position (i, j) a **column index** (there are H_out·W_out). Define
#
# ```
# cols[n, r, (i, j)] = x_padded[n, c, i·s + di, j·s + dj]     where r = (c, di, dj)
# ```
#
# — column (i, j) of `cols[n]` is simply the window under output pixel (i, j), unrolled
# into a vector of length C·kh·kw. Then the whole convolution of image n is a matrix
# product:
#
# ```
#    W.reshape(F, C·kh·kw)   @   cols[n]                 =   out[n]
#       (F, C·kh·kw)            (C·kh·kw, H_out·W_out)         (F, H_out·W_out)
#
#  ┌─ filter 0 ─────┐     ┌──┬──┬──┬─────┐            ┌──┬──┬──┬─────┐
#  │  w w w w ... w │  @  │w │w │w │     │     =      │  │  │  │     │  one row per filter,
#  │  ...           │     │i │i │i │ ... │            │  │  │  │ ... │  one column per
#  └─ filter F-1 ───┘     │n │n │n │     │            └──┴──┴──┴─────┘  output pixel
#                         │0 │1 │2 │     │
#                         └──┴──┴──┴─────┘
# ```
#
# This rewriting is called **im2col** ("image to columns"). It turns a convolution into
# a single matrix multiplication, and matrix multiplication is the most optimised
# operation in computing: BLAS libraries (OpenBLAS, MKL, Accelerate) run it at close to the
# machine's peak speed. numpy's `@` on stacked matrices `(F, K) @ (N, K, P)` multiplies
# every image in one call. Caffe, and for years PyTorch and TensorFlow on CPU, computed
# convolutions exactly this way.
#
# The price is memory: every pixel appears in up to kh·kw windows, so `cols` is about
# kh·kw times bigger than the image (9× for 3×3 kernels).
#
# ### Building `cols` without loops: stride tricks
# A numpy array is a block of memory plus **strides**: how many bytes to step for +1 along
# each axis. A (4, 4) float64 array has strides (32, 8): one row is 32 bytes, one column
# 8. numpy can build a *view* with extra axes over the same memory, just by choosing
# strides:
#
# ```
# x = np.arange(16).reshape(4, 4)                 strides (32, 8)
# v = sliding_window_view(x, (3, 3))              shape (2, 2, 3, 3), strides (32, 8, 32, 8)
# v[i, j]  ==  x[i:i + 3, j:j + 3]                the 3x3 window at (i, j): no copy made
# ```
#
# Given a window shape `(kh, kw)` and `axis=(2, 3)`, `sliding_window_view` does this on
# the two spatial axes of a batch: the result has shape
# `(N, C, H_pad − kh + 1, W_pad − kw + 1, kh, kw)`, and `[:, :, ::s, ::s]` keeps every
# s-th window for stride s — still a view. Reordering the axes with `transpose` is a view
# too. Only the final `reshape` to `(N, C·kh·kw, H_out·W_out)` must copy, because the
# windows overlap: that one copy *is* the im2col matrix.
#
# The row order matters: the weight `W.reshape(F, C·kh·kw)` lists its numbers channel by
# channel, then row by row, then column by column, so `cols` must list each window in that
# same order — `(c, di, dj)` with dj changing fastest — or the matmul pairs the wrong
# weight with each pixel. The backward pass (Step 6) relies on this layout too.
#
# (`np.lib.stride_tricks.as_strided` can build the same view by hand from the strides;
# `sliding_window_view` is the safe version that cannot read outside the array.)

# %% nbgrader={"grade": false, "grade_id": "im2col", "locked": false, "schema_version": 3, "solution": true}
#| export
def im2col(x, kernel_size, stride=1):
    """
    Unroll every kh×kw window of a batch of (already padded) images into a column.

    x: ndarray (N, C, H, W); kernel_size: k (a k×k window) or (kh, kw).
    Returns cols of shape (N, C*kh*kw, H_out*W_out) where
    cols[n, (c, di, dj), (i, j)] = x[n, c, i*stride + di, j*stride + dj]
    (row index r = c*kh*kw + di*kw + dj, column index = i*W_out + j).

    TODO: Build the im2col matrix with sliding_window_view, a transpose and a reshape.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) kh, kw = the window's height and width
    2. View every (kh, kw) window of the spatial axes 2 and 3 with sliding_window_view,
       then keep every stride-th window along both axes: shape
       (N, C, H_out, W_out, kh, kw), still a view
    3. Move the two kernel axes next to the channel axis: (N, C, kh, kw, H_out, W_out)
    4. Reshape to (N, C*kh*kw, H_out*W_out) (numpy copies here; that is the only copy)

    EXAMPLE USAGE:
    ```python
    x = np.arange(1, 17).reshape(1, 1, 4, 4)
    cols = im2col(x, 2, stride=2)      # shape (1, 4, 4)
    cols[0]
    # [[ 1,  3,  9, 11],     di=0, dj=0: the top-left pixel of each window
    #  [ 2,  4, 10, 12],     di=0, dj=1
    #  [ 5,  7, 13, 15],     di=1, dj=0
    #  [ 6,  8, 14, 16]]     di=1, dj=1
    im2col(x, (2, 3)).shape            # (1, 6, 6): 3 x 2 windows of 2 rows, 3 columns
    ```

    IMPLEMENTATION HINTS:
    - sliding_window_view takes the window shape and the axes it slides along
    - a[:, :, ::s, ::s] keeps every s-th element of axes 2 and 3
    - The axis order of step 3 is (0, 1, 4, 5, 2, 3)
    - Read N and C from x.shape, H_out and W_out from the windows' shape
    - No Python loops!
    """
    x = np.asarray(x)
    kh, kw = _pair(kernel_size)
    ### BEGIN SOLUTION
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    N, C, H_out, W_out = windows.shape[:4]
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, H_out * W_out)
    ### END SOLUTION
    return cols

# %% [markdown]
# ### 🧪 Test Your im2col

# %% nbgrader={"grade": true, "grade_id": "test-im2col", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_im2col():
    """im2col lays out every window as a column, channel-major, and makes conv one matmul."""
    print("🔬 Unit Test: im2col...")

    x = np.arange(1, 17).reshape(1, 1, 4, 4)
    cols = im2col(x, 2, stride=2)
    assert cols.shape == (1, 4, 4), f"4x4 image, 2x2 windows, stride 2: cols should be (1, 4, 4), got {cols.shape}"
    expected = [[1, 3, 9, 11], [2, 4, 10, 12], [5, 7, 13, 15], [6, 8, 14, 16]]
    assert np.array_equal(cols[0], expected), f"im2col(arange 1..16, 2, stride=2)[0] should be {expected}, got {cols[0].tolist()}"

    cols = im2col(x, 3)
    assert cols.shape == (1, 9, 4), f"3x3 windows with stride 1 on 4x4: (1, 9, 4), got {cols.shape}"
    assert np.array_equal(cols[0, :, 0], [1, 2, 3, 5, 6, 7, 9, 10, 11]), (
        f"column 0 should be the top-left 3x3 window, row by row, got {cols[0, :, 0].tolist()}")
    assert np.array_equal(cols[0, :, 3], [6, 7, 8, 10, 11, 12, 14, 15, 16]), (
        f"column 3 should be the bottom-right 3x3 window, got {cols[0, :, 3].tolist()}")

    # Channels come first in the row index: rows 0-3 are channel 0, rows 4-7 channel 1
    two = np.stack([x[0, 0], 100 + x[0, 0]]).reshape(1, 2, 4, 4)
    cols = im2col(two, 2, stride=2)
    assert cols.shape == (1, 8, 4), f"2 channels of 2x2 windows: 8 rows, got {cols.shape}"
    assert np.array_equal(cols[0, :4], expected) and np.array_equal(cols[0, 4:], np.array(expected) + 100), (
        "rows 0-3 should hold channel 0 and rows 4-7 channel 1")

    # Rectangular windows: 2 rows x 3 columns, then 3 rows x 2 columns, on a 3x4 image
    #    1  2  3  4
    #    5  6  7  8      row (di, dj) of cols holds pixel (i + di, j + dj) of every window
    #    9 10 11 12
    x34 = np.arange(1, 13).reshape(1, 1, 3, 4)
    cols = im2col(x34, (2, 3))
    expected = [[1, 2, 5, 6], [2, 3, 6, 7], [3, 4, 7, 8],          # di = 0; dj = 0, 1, 2
                [5, 6, 9, 10], [6, 7, 10, 11], [7, 8, 11, 12]]     # di = 1
    assert cols.shape == (1, 6, 4), f"a 3x4 image with 2x3 windows: 2x2 windows of 6 pixels, (1, 6, 4), got {cols.shape}"
    assert np.array_equal(cols[0], expected), (
        f"2x3 windows: rows in the order (di, dj) with dj fastest, expected {expected}, got {cols[0].tolist()}")
    cols = im2col(x34, (3, 2))
    expected = [[1, 2, 3], [2, 3, 4], [5, 6, 7], [6, 7, 8], [9, 10, 11], [10, 11, 12]]
    assert cols.shape == (1, 6, 3), f"a 3x4 image with 3x2 windows: 1x3 windows of 6 pixels, (1, 6, 3), got {cols.shape}"
    assert np.array_equal(cols[0], expected), (
        f"3x2 windows (3 rows, 2 columns): expected {expected}, got {cols[0].tolist()}")

    # A batch, non-square images, several channels, stride 2: every column is its window
    rng = np.random.default_rng(0)
    batch = rng.standard_normal((3, 2, 7, 6))
    cols = im2col(batch, 3, stride=2)
    assert cols.shape == (3, 18, 3 * 2), f"(3, 2, 7, 6) with k=3, stride 2: cols (3, 18, 6), got {cols.shape}"
    assert np.array_equal(cols[2, :, 5], batch[2, :, 4:7, 2:5].reshape(-1)), (
        "cols[n, :, i * W_out + j] should be the window x[n, :, i*s:i*s+k, j*s:j*s+k] unrolled")
    batch32 = rng.standard_normal((2, 2, 5, 7)).astype(np.float32)
    batch32_before = batch32.copy()
    for kh, kw in ((2, 3), (3, 2)):
        cols = im2col(batch32, (kh, kw), stride=2)
        rows, columns = (5 - kh) // 2 + 1, (7 - kw) // 2 + 1
        assert cols.shape == (2, 2 * kh * kw, rows * columns), (
            f"(2, 2, 5, 7) with {kh}x{kw} windows and stride 2: cols should be "
            f"{(2, 2 * kh * kw, rows * columns)}, got {cols.shape}")
        assert cols.dtype == np.float32, f"im2col should keep float32, got {cols.dtype}"
        for n in range(2):
            for i in range(rows):
                for j in range(columns):
                    window = batch32[n, :, 2 * i:2 * i + kh, 2 * j:2 * j + kw].reshape(-1)
                    assert np.array_equal(cols[n, :, i * columns + j], window), (
                        f"{kh}x{kw} windows, stride 2: cols[{n}, :, {i * columns + j}] should be the "
                        f"window at rows {2 * i}..{2 * i + kh - 1}, columns {2 * j}..{2 * j + kw - 1}")
    assert np.array_equal(batch32, batch32_before), "im2col must not change its input"

    # With it, a convolution is one matrix product. The reference adds up, for each kernel
    # offset (di, dj), the shifted image contracted with W[:, :, di, dj] over the channels.
    def convolve(x, weight, s):
        kh, kw = weight.shape[2:]
        rows, columns = (x.shape[2] - kh) // s + 1, (x.shape[3] - kw) // s + 1
        total = np.zeros((x.shape[0], weight.shape[0], rows, columns))
        for di in range(kh):
            for dj in range(kw):
                shifted = x[:, :, di:di + s * rows:s, dj:dj + s * columns:s]
                total += np.einsum("nchw,fc->nfhw", shifted, weight[:, :, di, dj])
        return total

    weight = rng.standard_normal((4, 2, 3, 3))
    cols = im2col(batch, 3, stride=2)
    out = (weight.reshape(4, -1) @ cols).reshape(3, 4, 3, 2)
    assert np.allclose(out, convolve(batch, weight, 2)), "W.reshape(F, -1) @ im2col(x) should be the convolution of x with W"
    weight = rng.standard_normal((3, 2, 2, 3)).astype(np.float32)
    out = (weight.reshape(3, -1) @ im2col(batch32, (2, 3))).reshape(2, 3, 4, 5)
    assert np.allclose(out, convolve(batch32, weight, 1), atol=1e-5), (
        "with a 2x3 kernel too, W.reshape(F, -1) @ im2col(x) is the convolution")

    print("✅ im2col puts every window in a column, for square and rectangular windows")
    print("✅ W.reshape(F, -1) @ cols is the convolution")

test_im2col()

# %% [markdown]
# ## Step 4: Padding Modes — `"same"` and `"valid"`
#
# Most CNNs want a layer that keeps the image size, so that stacking layers does not
# shrink the image away. PyTorch and Keras spell it `padding="same"`; writing the number
# yourself is easy for 3×3 (p = 1) but not for every kernel. With stride 1, one axis of
# length `size`, `before` zeros in front and `after` zeros behind:
#
# ```
# out = size + before + after − k + 1     =  size   exactly when   before + after = k − 1
# ```
#
# - **Odd k**: k − 1 is even, so both sides get (k − 1) / 2: 3×3 → 1, 5×5 → 2.
# - **Even k**: k − 1 is odd, so one side must get one zero more. PyTorch puts the extra
#   zero at the **end** (bottom, right): `before = (k − 1) // 2`, `after` gets the rest.
#
# ```
# k = 4, size 5, "same": 3 zeros, 1 before and 2 after   ->  5 window positions
#   0 │ x0 x1 x2 x3 x4 │ 0 0
#   ╰──────────╯                 first window: the zero, x0, x1, x2
#                  ╰──────────╯  last window:  x3, x4 and the two zeros
# ```
#
# Each axis is handled on its own: a 2×3 kernel gets (0, 1) zeros on the rows and (1, 1)
# on the columns.
#
# With stride s > 1 "same" cannot be exact (the output would be about size / s), and
# PyTorch refuses it with a `ValueError`; so do we. The other named mode, `"valid"`, means
# no padding at all: only windows that lie entirely inside the image. An int p keeps its
# old meaning, p zeros on every side.
#
# `conv_padding` turns any of these into the amounts `((top, bottom), (left, right))`,
# which is the form `np.pad` takes for the two spatial axes. `Conv2D` calls it once, when
# the layer is created, so a wrong combination fails right away and not in the middle of
# training.

# %% nbgrader={"grade": false, "grade_id": "conv-padding", "locked": false, "schema_version": 3, "solution": true}
#| export
def conv_padding(kernel_size, padding=0, stride=1):
    """
    The zeros to add around each image: ((top, bottom), (left, right)).

    kernel_size: k or (kh, kw). padding: an int p >= 0 (p zeros on every side), "valid"
    (no padding) or "same" (stride 1 only: the output keeps the input's height and width;
    for an even kernel the extra zero goes at the bottom / right, as in PyTorch).

    TODO: Return the padding amounts for the three kinds of `padding`.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) kh, kw from kernel_size; anything else than an int >= 0, "same" or
       "valid" is a ValueError
    2. "valid": no zeros anywhere
    3. "same": raise ValueError if stride is not 1 (say why: "same" needs stride 1);
       otherwise each axis gets k - 1 zeros in total, (k - 1) // 2 of them before
    4. An int p: p zeros on each of the four sides
    5. Return ((top, bottom), (left, right)) as plain ints

    EXAMPLE USAGE:
    ```python
    conv_padding(3, 1)              # ((1, 1), (1, 1))
    conv_padding(3, "same")         # ((1, 1), (1, 1))
    conv_padding(4, "same")         # ((1, 2), (1, 2))   the extra zero at the end
    conv_padding((2, 3), "same")    # ((0, 1), (1, 1))   rows from kh, columns from kw
    conv_padding(5, "valid")        # ((0, 0), (0, 0))
    conv_padding(3, "same", stride=2)   # ValueError
    ```

    IMPLEMENTATION HINTS:
    - Rows go with kh, columns with kw: never use one for the other
    - Integer division (//) rounds down, so the larger half of an odd total lands after
    - The error message should name the problem, for example mention the stride
    """
    kh, kw = _pair(kernel_size)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f'conv_padding: padding must be an int >= 0, "same" or "valid", got {padding!r}')
    elif not isinstance(padding, (int, np.integer)) or isinstance(padding, bool) or padding < 0:
        raise ValueError(f'conv_padding: padding must be an int >= 0, "same" or "valid", got {padding!r}')
    ### BEGIN SOLUTION
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        if stride != 1:
            raise ValueError(f'padding="same" needs stride 1 (as in PyTorch), got stride={stride}')
        top, left = (kh - 1) // 2, (kw - 1) // 2
        return (top, kh - 1 - top), (left, kw - 1 - left)
    p = int(padding)
    return (p, p), (p, p)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Padding Modes

# %% nbgrader={"grade": true, "grade_id": "test-conv-padding", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_conv_padding():
    """Integer, "valid" and "same" padding, odd, even and rectangular kernels, PyTorch's placement."""
    print("🔬 Unit Test: Padding Modes...")

    cases = [  # (kernel_size, padding, expected ((top, bottom), (left, right)))
        (3, 1, [[1, 1], [1, 1]]),
        (3, 0, [[0, 0], [0, 0]]),
        ((2, 3), 2, [[2, 2], [2, 2]]),
        (5, "valid", [[0, 0], [0, 0]]),
        ((4, 1), "valid", [[0, 0], [0, 0]]),
        (1, "same", [[0, 0], [0, 0]]),
        (3, "same", [[1, 1], [1, 1]]),
        (5, "same", [[2, 2], [2, 2]]),
        (2, "same", [[0, 1], [0, 1]]),            # even: the extra zero at the bottom / right
        (4, "same", [[1, 2], [1, 2]]),
        (6, "same", [[2, 3], [2, 3]]),
        ((2, 3), "same", [[0, 1], [1, 1]]),       # rows from kh = 2, columns from kw = 3
        ((3, 2), "same", [[1, 1], [0, 1]]),
        ((1, 4), "same", [[0, 0], [1, 2]]),
        ((5, 2), "same", [[2, 2], [0, 1]]),
    ]
    for kernel_size, padding, expected in cases:
        got = conv_padding(kernel_size, padding)
        got_list = np.asarray(got).tolist()
        assert np.asarray(got).shape == (2, 2) and np.array_equal(np.asarray(got), expected), (
            f"conv_padding({kernel_size!r}, {padding!r}) should be {expected} as ((top, bottom), (left, right)), "
            f"got {got_list}")
    got = conv_padding((3, 2), padding="same", stride=1)
    assert np.array_equal(np.asarray(got), [[1, 1], [0, 1]]), f'stride=1 is fine with "same", got {np.asarray(got).tolist()}'
    got = conv_padding(3, 2, stride=2)
    assert np.array_equal(np.asarray(got), [[2, 2], [2, 2]]), f"an int padding works with any stride, got {np.asarray(got).tolist()}"
    # Plain Python ints come back, even for a numpy integer (they end up in shapes and messages)
    for padding in (np.int64(2), "same"):
        got = conv_padding((3, 5), padding)
        kinds = [type(value).__name__ for pair in got for value in pair]
        assert kinds == ["int"] * 4, f"conv_padding((3, 5), {padding!r}) should return plain ints, got types {kinds}"

    # "same" with a stride is refused with a message that says why
    for stride in (2, 3):
        try:
            conv_padding(3, "same", stride=stride)
        except ValueError as exc:
            assert "stride" in str(exc), f'the error for "same" with stride {stride} should mention the stride, got: {exc}'
        else:
            raise AssertionError(f'conv_padding(3, "same", stride={stride}) should raise ValueError (PyTorch does)')
    for bad in (-1, "full", 1.5):
        try:
            conv_padding(3, bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"conv_padding(3, {bad!r}) should raise ValueError")

    # The amounts in use: "same" keeps a 5x7 image 5x7, whatever the kernel (the number of
    # window positions along an axis is padded length - kernel + 1)
    for kernel_size in (3, 2, 4, (2, 3), (3, 2), (1, 4)):
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        (top, bottom), (left, right) = np.asarray(conv_padding(kernel_size, "same")).tolist()
        positions = (5 + top + bottom - kh + 1, 7 + left + right - kw + 1)
        assert positions == (5, 7), f'a {kh}x{kw} kernel with "same" padding should keep 5x7, got {positions}'

    # Where the extra zero goes: with a 2x2 box of ones and "same", output pixel (i, j) is
    # the sum of x[i:i + 2, j:j + 2]: the window starts at the pixel itself and runs off
    # the bottom / right edge into the zeros (PyTorch's convention)
    image = np.arange(12.0).reshape(3, 4)
    (top, bottom), (left, right) = np.asarray(conv_padding(2, "same")).tolist()
    padded = np.pad(image, [(top, bottom), (left, right)])
    sums = padded[:-1, :-1] + padded[:-1, 1:] + padded[1:, :-1] + padded[1:, 1:]
    expected = [[10, 14, 18, 10], [26, 30, 34, 18], [17, 19, 21, 11]]
    assert np.array_equal(sums, expected), (
        f'2x2 box, "same" on arange(12).reshape(3, 4): expected {expected}, got {sums.tolist()}')

    print("✅ integer, valid and same padding are right")
    print("✅ even kernels put the extra zero at the bottom / right, like PyTorch")

test_conv_padding()

# %% [markdown]
# ## Step 5: The Conv2D Layer
#
# ### Weights: He initialisation
# A `Conv2D(in_channels, out_channels, kernel_size)` layer owns
# - `weight` of shape `(out_channels, in_channels, kh, kw)`, and
# - `bias` of shape `(out_channels,)`, starting at zero,
#
# both float32 and made with `Parameter`, so that they become trainable `Variable`s once
# you have exported autograd (module 07) — exactly like `Dense`'s weights in module 03.
# As in PyTorch, `kernel_size=3` means a 3×3 kernel and `kernel_size=(2, 3)` a kernel of
# 2 rows and 3 columns; the layer keeps the pair `(kh, kw)` in `self.kernel_size`.
#
# Each output pixel sums `fan_in = in_channels · kh · kw` products. Convolutional layers are
# almost always followed by ReLU, so we use **He initialisation** (He et al., 2015):
# normal with mean 0 and standard deviation **sqrt(2 / fan_in)**. It keeps the size of the
# activations roughly constant from layer to layer: too small and the signal fades away
# in a deep network, too large and it explodes. (PyTorch's `kaiming_normal_` is the same
# formula.) `seed` makes the layer reproducible through `np.random.default_rng(seed)`.
#
# ### Forward: pad, im2col, one matmul
# ```
# x (N, C, H, W)
#   ──pad──▶  (N, C, H + top + bottom, W + left + right)       the amounts of Step 4
#   ──im2col──▶  cols (N, C·kh·kw, H_out·W_out)
#   ──(F, C·kh·kw) weight matrix @ cols──▶  (N, F, H_out·W_out)      ONE matmul for the batch
#   ──+ bias, reshape──▶  out (N, F, H_out, W_out)
# ```
#
# Note that the result of `(F, K) @ (N, K, P)` is already in `(N, F, P)` order, so the
# final reshape to `(N, F, H_out, W_out)` is free: no transpose, no copy. The bias is one
# number per filter: `b.reshape(F, 1)` broadcasts it along the pixels of `(N, F, P)`.
# H_out and W_out follow from the *padded* size with no further padding, which also
# covers the uneven amounts of `"same"` with an even kernel.
#
# ### What the provided code around yours does
# - In `__init__`: the arguments are checked, `self.kernel_size = (kh, kw)`, and
#   `self.pads = conv_padding(kernel_size, padding, stride)`, so `"same"` with a stride
#   fails when the layer is made.
# - Before your code in `forward`: the input is checked (four axes, the right number of
#   channels, big enough for the kernel) with a `ValueError` that says what was expected
#   and what it got. A missing batch axis is the most common mistake with CNNs, so the
#   message suggests the fix.
# - After your code: your `out` goes through `_graph_node`. If the input, the weight and
#   the bias are all plain Tensors, you get a Tensor back; otherwise one autograd node
#   whose backward pass is `conv2d_backward` (Step 6), which reuses your `cols`.
#
# Your code must therefore leave two variables behind: `cols` (the im2col matrix of the
# padded input) and `out` (the result, `(N, F, H_out, W_out)`), both new arrays of the
# call: the backward pass may run long after the next forward pass, so nothing may be kept
# on `self` and overwritten, and the input itself must never change.

# %% nbgrader={"grade": false, "grade_id": "conv2d-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Conv2D:
    """
    2-D convolutional layer on batches of images (N, C, H, W), like torch.nn.Conv2d.

    kernel_size: k (k×k) or (kh, kw); stride: an int; padding: an int, "same" or "valid".
    weight: (out_channels, in_channels, kh, kw), He-initialised; bias: (out_channels,),
    zeros. Both are float32 and made with Parameter. The forward pass is im2col + one matmul.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=None):
        """
        Create the layer's weight (He initialisation) and bias (zeros).

        TODO: Initialise self.weight and self.bias as float32 Parameters.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) the arguments are checked and stored on self; self.kernel_size is
           the pair (kh, kw) and self.pads the padding amounts from conv_padding
        2. fan_in = in_channels · kh · kw, the products summed for one output pixel
        3. Make a generator with np.random.default_rng(seed) and draw normal values with
           mean 0 and std sqrt(2 / fan_in), of shape (out_channels, in_channels, kh, kw)
        4. self.weight = Parameter(those values as float32)
        5. self.bias = Parameter(float32 zeros of shape (out_channels,))

        EXAMPLE USAGE:
        ```python
        conv = Conv2D(3, 16, kernel_size=3, seed=0)
        conv.weight.shape      # (16, 3, 3, 3)
        conv.bias.shape        # (16,)
        Conv2D(3, 16, kernel_size=(2, 5)).weight.shape    # (16, 3, 2, 5)
        ```

        IMPLEMENTATION HINTS:
        - rng.normal(loc, scale, size) draws from a normal distribution
        - This is Dense's "he" initialisation, with fan_in counting a whole window
        """
        for name, value, smallest in (("in_channels", in_channels, 1), ("out_channels", out_channels, 1),
                                      ("stride", stride, 1)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Conv2D: {name} must be an integer >= {smallest}, got {value!r}")
        sizes = _pair(kernel_size)
        if len(sizes) != 2 or any(not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1
                                  for v in sizes):
            raise ValueError(f"Conv2D: kernel_size must be an integer >= 1 or a pair of them, got {kernel_size!r}")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = (int(sizes[0]), int(sizes[1]))
        self.stride = int(stride)
        self.pads = conv_padding(self.kernel_size, padding, self.stride)   # checks padding too
        self.padding = padding if isinstance(padding, str) else int(padding)
        ### BEGIN SOLUTION
        kh, kw = self.kernel_size
        fan_in = in_channels * kh * kw
        rng = np.random.default_rng(seed)
        weight = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(out_channels, in_channels, kh, kw))
        self.weight = Parameter(weight.astype(np.float32))
        self.bias = Parameter(np.zeros(out_channels, dtype=np.float32))
        ### END SOLUTION

    def _check_input(self, shape):
        """Raise a ValueError that explains what is wrong with an input of this shape."""
        if len(shape) != 4:
            hint = ("; for a single image use x.reshape(1, *x.shape) to add the batch axis"
                    if len(shape) == 3 else "")
            raise ValueError(f"{self!r} expects a batch of images of shape (N, C, H, W), "
                             f"got shape {tuple(shape)}{hint}")
        if shape[1] != self.in_channels:
            raise ValueError(f"{self!r} expects {self.in_channels} input channel(s) (axis 1 of "
                             f"(N, C, H, W)), got shape {tuple(shape)}")
        (kh, kw), ((top, bottom), (left, right)) = self.kernel_size, self.pads
        if shape[2] + top + bottom < kh or shape[3] + left + right < kw:
            raise ValueError(f"{self!r}: a {kh}x{kw} kernel does not fit in a {shape[2]}x{shape[3]} "
                             f"image with padding {self.padding!r}, got shape {tuple(shape)}")

    def forward(self, x):
        """
        Convolve a batch of images: im2col, then one matrix multiplication.

        TODO: Compute `cols` and `out` for the input values.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) values = the input's ndarray, checked; W and b = the parameters'
           arrays; (kh, kw), the stride s and the padding amounts from self
        2. Pad the values with the amounts of self.pads on the two spatial axes: a
           zero array of the padded size, in the input's dtype, with the values copied
           into its middle
        3. H_out, W_out = conv_output_size of the padded height (with kh) and width (with
           kw), with stride s and no further padding
        4. cols = im2col of the padded values with the (kh, kw) window and stride s
           -> (N, C*kh*kw, H_out*W_out)
        5. out = the weight as an (F, C*kh*kw) matrix, matrix-multiplied with cols
           -> (N, F, H_out*W_out)
        6. Add the bias (one number per filter), then reshape out to (N, F, H_out, W_out)
        7. (Provided) out becomes a Tensor, or a graph node that remembers cols

        EXAMPLE USAGE:
        ```python
        conv = Conv2D(1, 8, kernel_size=3, padding=1, seed=0)
        conv(Tensor(np.zeros((32, 1, 28, 28)))).shape      # (32, 8, 28, 28)
        Conv2D(3, 8, 5, stride=2)(Tensor(np.zeros((2, 3, 32, 32)))).shape       # (2, 8, 14, 14)
        Conv2D(3, 8, (2, 3), padding="same")(Tensor(np.zeros((2, 3, 5, 7)))).shape   # (2, 8, 5, 7)
        ```

        IMPLEMENTATION HINTS:
        - np.zeros(shape, dtype=values.dtype) keeps float32 float32 (np.zeros alone
          makes float64, and the whole layer would silently switch to float64)
        - Assigning to a slice, padded[:, :, a:b, c:d] = values, copies into the middle
          (np.pad does the same in one call, a little more slowly)
        - `@` of a (F, K) matrix with a (N, K, P) stack multiplies every image in one call
        - b.reshape(F, 1) lines the bias up with the F axis of (N, F, P); `out += ...`
          adds it in place without another copy (out is a new array, so this is safe)
        - Never loop in Python here: the point of this step is that numpy does all the work
        """
        values = _values(x)
        self._check_input(values.shape)
        W, b = _values(self.weight), _values(self.bias)
        N, F = values.shape[0], self.out_channels
        (kh, kw), s = self.kernel_size, self.stride
        (top, bottom), (left, right) = self.pads
        ### BEGIN SOLUTION
        C, H_in, W_in = values.shape[1:]
        padded = np.zeros((N, C, H_in + top + bottom, W_in + left + right), dtype=values.dtype)
        padded[:, :, top:top + H_in, left:left + W_in] = values
        H_out = conv_output_size(padded.shape[2], kh, s)
        W_out = conv_output_size(padded.shape[3], kw, s)
        cols = im2col(padded, (kh, kw), s)
        out = W.reshape(F, -1) @ cols
        out += b.reshape(F, 1)
        out = out.reshape(N, F, H_out, W_out)
        ### END SOLUTION

        x_shape, pads = values.shape, self.pads
        needs_dx = bool(getattr(x, "requires_grad", False))   # a data batch needs no gradient

        def conv2d_backward_fn(grad_output):
            return conv2d_backward(grad_output, cols, x_shape, W, s, pads, needs_dx=needs_dx)

        return _graph_node(out, (x, self.weight, self.bias), conv2d_backward_fn, "conv2d_backward")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """The trainable values: [weight, bias]."""
        return [self.weight, self.bias]

    def __repr__(self):
        size = self.kernel_size[0] if len(set(self.kernel_size)) == 1 else self.kernel_size
        return (f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={size}, "
                f"stride={self.stride}, padding={self.padding!r})")

# %% [markdown]
# ### 🧪 Test Your Conv2D
#
# Three tests: the weights, the forward pass against `conv2d_naive` (and how much faster
# it is) for square and rectangular kernels, strides and every padding mode, and output
# shapes and error messages. They compare `np.asarray(out.data)`, so they pass whether
# your layer returns a Tensor (before module 07) or a Variable (after).

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-init", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: conv_padding
def test_conv2d_init():
    """He-initialised float32 weights, zero bias, reproducible with a seed."""
    print("🔬 Unit Test: Conv2D Weights...")

    conv = Conv2D(3, 16, 3, seed=0)
    w, b = np.asarray(conv.weight.data), np.asarray(conv.bias.data)
    assert w.shape == (16, 3, 3, 3), f"weight should be (out, in, k, k) = (16, 3, 3, 3), got {w.shape}"
    assert b.shape == (16,), f"bias should be (out,) = (16,), got {b.shape}"
    assert w.dtype == np.float32 and b.dtype == np.float32, f"weight and bias should be float32, got {w.dtype} and {b.dtype}"
    assert np.all(b == 0), "the bias should start at zero"
    params = conv.parameters()
    assert len(params) == 2 and params[0] is conv.weight and params[1] is conv.bias, (
        "parameters() should return [weight, bias] (the objects themselves)")

    big = np.asarray(Conv2D(64, 64, 3, seed=1).weight.data)
    expected_std = np.sqrt(2.0 / (64 * 3 * 3))
    assert abs(big.std() - expected_std) < 0.03 * expected_std, (
        f"He init: std should be sqrt(2 / fan_in) = {expected_std:.4f} with fan_in = 64*3*3, got {big.std():.4f}")
    assert abs(big.mean()) < 0.05 * expected_std, f"weights should have mean 0, got {big.mean():.4f}"

    again = np.asarray(Conv2D(3, 16, 3, seed=0).weight.data)
    other = np.asarray(Conv2D(3, 16, 3, seed=1).weight.data)
    assert np.array_equal(w, again), "the same seed should give the same weights"
    assert not np.array_equal(w, other), "different seeds should give different weights"

    # Rectangular kernels: (out, in, kh, kw), and fan_in counts kh * kw pixels per channel
    for kernel_size, shape in (((2, 5), (3, 2, 2, 5)), ((5, 2), (3, 2, 5, 2))):
        got = np.asarray(Conv2D(2, 3, kernel_size, seed=0).weight.data).shape
        assert got == shape, f"Conv2D(2, 3, {kernel_size}).weight should have shape {shape}, got {got}"
    for kernel_size in ((1, 5), (5, 1)):
        wide = np.asarray(Conv2D(64, 64, kernel_size, seed=2).weight.data)
        expected_std = np.sqrt(2.0 / (64 * 5))
        assert abs(wide.std() - expected_std) < 0.05 * expected_std, (
            f"He init with a {kernel_size} kernel: fan_in = 64 * 1 * 5 = 320, so std should be "
            f"{expected_std:.4f}, got {wide.std():.4f}")
        assert wide.dtype == np.float32, f"weights should be float32, got {wide.dtype}"

    print("✅ weights are He-initialised float32, the bias is zero")

test_conv2d_init()

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-forward", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: conv_output_size, conv2d_naive, im2col, conv_padding
def test_conv2d_forward():
    """Conv2D computes exactly what conv2d_naive computes, for every stride and padding, much faster."""
    import time
    print("🔬 Unit Test: Conv2D Forward...")

    rng = np.random.default_rng(42)
    combos = [  # (in, out, k, stride, padding, input shape)
        (1, 1, 3, 1, 0, (1, 1, 4, 4)),
        (3, 4, 3, 1, 1, (2, 3, 6, 6)),
        (3, 4, 3, 2, 0, (2, 3, 7, 7)),
        (2, 5, 3, 2, 1, (3, 2, 8, 5)),     # non-square input
        (2, 3, 5, 1, 2, (2, 2, 6, 9)),
        (4, 2, 1, 1, 0, (2, 4, 3, 5)),     # 1x1 convolution: mixes channels only
        (2, 3, 2, 3, 1, (1, 2, 9, 10)),    # stride bigger than the kernel
        (3, 6, 4, 2, 2, (2, 3, 5, 6)),     # even kernel
    ]
    for cin, cout, k, s, p, shape in combos:
        conv = Conv2D(cin, cout, k, stride=s, padding=p, seed=0)
        conv.bias = Parameter(rng.standard_normal(cout).astype(np.float32))
        x = rng.standard_normal(shape).astype(np.float32)
        out = conv(Tensor(x))
        got = np.asarray(out.data)
        want = conv2d_naive(Tensor(x), conv.weight, conv.bias, stride=s, padding=p).data
        label = f"Conv2D({cin}, {cout}, k={k}, stride={s}, padding={p}) on {shape}"
        assert got.shape == want.shape, f"{label}: output shape should be {want.shape}, got {got.shape}"
        assert np.allclose(got, want, atol=1e-4), (
            f"{label}: differs from conv2d_naive by up to {np.abs(got - want).max():.3g}")
        assert got.dtype == np.float32, f"{label}: float32 inputs and weights should give float32, got {got.dtype}"

    # Rectangular kernels, non-square images, 2 channels in and 3 out, batches, stride 2,
    # and "same" padding. The reference pads by hand, with the zeros PyTorch uses
    # ((top, bottom), (left, right)), then runs conv2d_naive without padding.
    rect = [  # (kernel, stride, padding, input shape, zeros by hand, output height, width)
        ((2, 3), 1, 0, (2, 2, 5, 7), ((0, 0), (0, 0)), 4, 5),
        ((3, 2), 1, 0, (2, 2, 5, 7), ((0, 0), (0, 0)), 3, 6),
        ((2, 3), 2, 0, (3, 2, 5, 7), ((0, 0), (0, 0)), 2, 3),
        ((3, 2), 2, 1, (2, 2, 5, 7), ((1, 1), (1, 1)), 3, 4),
        ((2, 3), 2, 1, (2, 2, 7, 5), ((1, 1), (1, 1)), 4, 3),
        ((2, 3), 1, "same", (2, 2, 5, 7), ((0, 1), (1, 1)), 5, 7),
        ((3, 2), 1, "same", (2, 2, 5, 7), ((1, 1), (0, 1)), 5, 7),
        (4, 1, "same", (2, 2, 5, 7), ((1, 2), (1, 2)), 5, 7),
        (3, 1, "same", (3, 2, 6, 4), ((1, 1), (1, 1)), 6, 4),
        ((1, 4), 1, "same", (2, 2, 5, 7), ((0, 0), (1, 2)), 5, 7),
        (3, 2, "valid", (2, 2, 7, 5), ((0, 0), (0, 0)), 3, 2),
    ]
    for k, s, p, shape, zeros, rows, columns in rect:
        conv = Conv2D(2, 3, k, stride=s, padding=p, seed=1)
        conv.bias = Parameter(rng.standard_normal(3).astype(np.float32))
        x = rng.standard_normal(shape).astype(np.float32)
        x_before = x.copy()
        got = np.asarray(conv(Tensor(x)).data)
        padded = np.pad(x, [(0, 0), (0, 0), zeros[0], zeros[1]])
        want = conv2d_naive(padded, conv.weight, conv.bias, stride=s).data
        label = f"Conv2D(2, 3, kernel_size={k!r}, stride={s}, padding={p!r}) on {shape}"
        assert got.shape == (shape[0], 3, rows, columns), (
            f"{label}: output shape should be {(shape[0], 3, rows, columns)}, got {got.shape}")
        assert np.allclose(got, want, atol=1e-4), (
            f"{label}: differs from the reference by up to {np.abs(got - want).max():.3g} "
            f"(rows go with kh, columns with kw; \"same\" puts an even kernel's extra zero at the bottom / right)")
        assert got.dtype == np.float32, f"{label}: float32 in should give float32 out, got {got.dtype}"
        assert np.array_equal(x, x_before), f"{label}: the forward pass must not change its input"

    # Each call returns new arrays: a second forward pass leaves the first result alone
    conv = Conv2D(2, 3, (2, 3), padding=1, seed=0)
    x1, x2 = rng.standard_normal((2, 2, 5, 7)), rng.standard_normal((2, 2, 5, 7))
    first = conv(Tensor(x1))
    first_values = np.asarray(first.data).copy()
    conv(Tensor(x2))
    assert np.array_equal(np.asarray(first.data), first_values), (
        "a second call changed the first call's result: do not reuse arrays between calls")
    assert np.allclose(first_values, conv2d_naive(x1, conv.weight, conv.bias, padding=1).data, atol=1e-4), (
        "Conv2D(2, 3, (2, 3), padding=1) on float64 input differs from conv2d_naive")

    # All-plain inputs give a plain Tensor (rule 3 of docs/curriculum-api.md)
    conv = Conv2D(2, 3, 3, seed=0)
    conv.weight, conv.bias = Tensor(np.asarray(conv.weight.data)), Tensor(np.asarray(conv.bias.data))
    out = conv(Tensor(rng.standard_normal((1, 2, 5, 5))))
    assert isinstance(out, Tensor), f"with Tensor input, weight and bias the result should be a Tensor, got {type(out).__name__}"

    # Vectorised means fast: at least 10x faster than the loops on a small batch
    conv = Conv2D(3, 8, 3, padding=1, seed=0)
    x = Tensor(rng.standard_normal((8, 3, 16, 16)).astype(np.float32))

    def best_time(fn, repeat):
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    t_naive = best_time(lambda: conv2d_naive(x, conv.weight, conv.bias, padding=1), 2)
    t_fast = best_time(lambda: conv(x), 10)
    print(f"   conv2d_naive {t_naive * 1e3:.1f} ms, Conv2D {t_fast * 1e3:.2f} ms: {t_naive / t_fast:.0f}x faster")
    assert t_naive > 10 * t_fast, (
        f"Conv2D should be much faster than conv2d_naive (use im2col + one matmul, no Python loops): "
        f"{t_fast * 1e3:.2f} ms vs {t_naive * 1e3:.2f} ms")

    print("✅ Conv2D matches conv2d_naive for every stride and padding")
    print("✅ and it is vectorised")

test_conv2d_forward()
### BEGIN HIDDEN TESTS
# Hidden from students: a bigger batch, an odd stride and int input pixels.
_hidden_rng = np.random.default_rng(7)
_hidden_conv = Conv2D(3, 4, 3, stride=3, padding=2, seed=3)
_hidden_x = _hidden_rng.integers(0, 256, size=(4, 3, 11, 13))
_hidden_got = np.asarray(_hidden_conv(Tensor(_hidden_x)).data)
_hidden_want = conv2d_naive(_hidden_x, _hidden_conv.weight, _hidden_conv.bias, stride=3, padding=2).data
assert _hidden_got.shape == (4, 4, 5, 5), f"hidden test: expected shape (4, 4, 5, 5), got {_hidden_got.shape}"
assert np.allclose(_hidden_got, _hidden_want, rtol=1e-4, atol=1e-2), "hidden test: Conv2D differs from conv2d_naive on int pixels, stride 3, padding 2"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-shapes", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: conv_output_size, im2col, conv_padding
def test_conv2d_shapes():
    """Output shapes of common layers, and clear errors for wrong inputs."""
    print("🔬 Unit Test: Conv2D Shapes and Errors...")

    cases = [  # (layer, input shape, output shape)
        (Conv2D(1, 8, 5), (2, 1, 28, 28), (2, 8, 24, 24)),               # LeNet's first layer
        (Conv2D(1, 8, 3, padding=1), (4, 1, 28, 28), (4, 8, 28, 28)),     # "same" padding
        (Conv2D(3, 16, 3, stride=2, padding=1), (2, 3, 32, 32), (2, 16, 16, 16)),
        (Conv2D(3, 6, 5, stride=2), (1, 3, 32, 30), (1, 6, 14, 13)),
        (Conv2D(8, 4, 1), (5, 8, 7, 3), (5, 4, 7, 3)),
        (Conv2D(3, 4, (2, 3)), (2, 3, 5, 7), (2, 4, 4, 5)),               # rectangular kernel
        (Conv2D(3, 4, (3, 2), stride=2), (2, 3, 5, 7), (2, 4, 2, 3)),
        (Conv2D(3, 4, 3, padding="same"), (2, 3, 5, 7), (2, 4, 5, 7)),
        (Conv2D(3, 4, 4, padding="same"), (2, 3, 5, 7), (2, 4, 5, 7)),    # even kernel
        (Conv2D(3, 4, (2, 5), padding="same"), (1, 3, 6, 3), (1, 4, 6, 3)),
        (Conv2D(3, 4, 3, padding="valid"), (2, 3, 5, 7), (2, 4, 3, 5)),
    ]
    for layer, shape, expected in cases:
        got = layer(Tensor(np.zeros(shape, dtype=np.float32))).shape
        assert tuple(got) == expected, f"{layer!r} on {shape} should give {expected}, got {tuple(got)}"

    # "same" needs stride 1, and the layer says so when it is made (as PyTorch does)
    try:
        Conv2D(3, 4, 3, stride=2, padding="same")
    except ValueError as exc:
        assert "stride" in str(exc), f'the error for padding="same" with stride 2 should mention the stride, got: {exc}'
    else:
        raise AssertionError('Conv2D(3, 4, 3, stride=2, padding="same") should raise ValueError')

    conv = Conv2D(3, 8, 3)
    for bad, why in (((3, 32, 32), "a single image without the batch axis"),
                     ((2, 1, 32, 32), "1 channel instead of 3"),
                     ((2, 3, 2, 2), "an image smaller than the kernel")):
        try:
            conv(Tensor(np.zeros(bad)))
        except ValueError as exc:
            assert str(bad) in str(exc), f"the error for {why} should show the shape {bad}, got: {exc}"
        else:
            raise AssertionError(f"Conv2D(3, 8, 3) on shape {bad} ({why}) should raise ValueError")

    print("✅ output shapes follow the formula")
    print("✅ wrong inputs give clear errors")

test_conv2d_shapes()

# %% [markdown]
# ## Step 6: The Backward Pass (provided)
#
# Module 07's autograd calls a hand-written backward function for each `Conv2D` node with
# `grad_output` = ∂L/∂out, shape `(N, F, H_out, W_out)`, and needs ∂L/∂x, ∂L/∂W and ∂L/∂b.
# The forward pass was `out[n] = Wmat @ cols[n] + b`, with `Wmat = W.reshape(F, C·kh·kw)` —
# a matrix product, so the gradients are those of a matrix product, which you derived in
# module 07 (call `G[n] = grad_output[n].reshape(F, H_out·W_out)`):
#
# ```
# ∂L/∂b     = Σ_n Σ_pixels G[n]                 each bias was added to every output pixel
# ∂L/∂Wmat  = Σ_n G[n] @ cols[n]ᵀ               (F, P) @ (P, C·kh·kw) = (F, C·kh·kw)
# ∂L/∂cols  = Wmatᵀ @ G[n]                      (C·kh·kw, F) @ (F, P) = (C·kh·kw, P)
# ```
#
# **∂L/∂W is one (batched) matmul with the im2col matrix** — that is why the forward pass
# keeps `cols`: the backward pass reuses it instead of rebuilding it (and never writes
# into it: the same graph may be differentiated twice).
#
# ### ∂L/∂x: col2im
# ∂L/∂cols is a gradient for every *copy* of every pixel. A pixel that appeared in nine
# windows (3×3 kernel, stride 1) gets nine contributions, and they must be **added up**:
# this is **col2im**, im2col run backwards.
#
# The obvious way is to scatter every entry with `np.add.at(dx, indices, dcols)`. It is
# correct and very slow: `np.add.at` handles one element at a time so that repeated
# indices add up. The trick is to loop over the kh·kw **kernel offsets** (di, dj) instead
# of over pixels. For a fixed offset, output pixel (i, j) touches input pixel
# (i·s + di, j·s + dj), and different (i, j) touch *different* pixels. So for each offset,
# all contributions go to one strided slice of the padded gradient, with no collisions:
#
# ```
# for di in range(kh):
#     for dj in range(kw):
#         dx_pad[:, :, di : di + s·H_out : s, dj : dj + s·W_out : s] += (the (di, dj) rows of ∂L/∂cols)
# ```
#
# That is 9 vectorised additions for a 3×3 kernel, whatever the image size. Finally the
# padding is cut off: the gradient with respect to the zeros we added is thrown away.
#
# ∂L/∂cols is as big as `cols` itself (9× the image). We never build all of it: for each
# offset, the rows we need are `W[:, :, di, dj]ᵀ @ G`, computed just before they are added
# into `dx_pad`. Same arithmetic, 1/(kh·kw) of the memory. Memory is not free: every large
# temporary array is fresh memory that the operating system must hand over page by page,
# which can cost more than the arithmetic itself.
#
# ### Stride 1: one long addition per offset
# A strided slice like `dx_pad[:, :, di:di + 14, dj:dj + 14]` is N·C·14 short rows of 14
# numbers. numpy adds 14 numbers at a time, and the bookkeeping between rows costs more
# than the additions. For stride 1 (most layers) there is a better view. Flatten each
# padded image into one row of Hp·Wp numbers: pixel (r, c) becomes number r·Wp + c, and
# moving by (di, dj) becomes a **shift** by di·Wp + dj:
#
# ```
#  padded image, Wp = 5       offset (di, dj) = (1, 2): shift 1·5 + 2 = 7
#   0  1  2  3  4             window starting at 0 -> pixel 7
#   5  6  7  8  9             window starting at 1 -> pixel 8
#  10 11 12 13 14             window starting at 6 -> pixel 13
# ```
#
# Put every output gradient where its window starts, on a zero `(Hp, Wp)` grid (`spread`).
# Then offset (di, dj) contributes `W[:, :, di, dj]ᵀ @ spread`, flattened, shifted by
# di·Wp + dj: **one matrix product and one long contiguous addition**. Grid positions
# where no window starts hold zeros, so the part of a shifted row that runs past the
# right edge, or into the next image, adds nothing — we may even shift a whole group of
# images as one flat array. At 14×14 this is about twice as fast as the strided slices.
# The batch goes through in groups of images of about 256 KB of `spread` each, so the
# temporaries stay small and in the cache. (With stride s > 1 the grid would be mostly
# zeros — windows start only every s pixels — and the strided slices are faster.)
#
# When the layer's input is a data batch (not a `Variable` that requires a gradient),
# nobody needs ∂L/∂x, and the function skips it (`needs_dx=False`): the first layer of a
# network never computes it.

# %% nbgrader={"grade": false, "grade_id": "conv2d-backward", "locked": true, "schema_version": 3, "solution": false}
#| export
def _col2im_strided(dx_pad, grad_output, w_offsets, stride):
    """Add ∂L/∂cols into dx_pad (N, C, Hp, Wp), one strided slice per kernel offset (any stride)."""
    N, C = dx_pad.shape[:2]
    F, H_out, W_out = grad_output.shape[1:]
    kh, kw, s = w_offsets.shape[0], w_offsets.shape[1], stride
    G = grad_output.reshape(N, F, H_out * W_out)
    rows = np.empty((N, C, H_out * W_out), dtype=dx_pad.dtype)   # the (di, dj) rows of ∂L/∂cols
    for di in range(kh):
        for dj in range(kw):
            np.matmul(w_offsets[di, dj], G, out=rows)
            dx_pad[:, :, di:di + s * (H_out - 1) + 1:s, dj:dj + s * (W_out - 1) + 1:s] += \
                rows.reshape(N, C, H_out, W_out)


def _col2im_shifted(dx_pad, grad_output, w_offsets, group_bytes=1 << 18):
    """The same for stride 1: each offset is one matmul and one long, contiguous, shifted addition."""
    N, C, Hp, Wp = dx_pad.shape
    F, H_out, W_out = grad_output.shape[1:]
    kh, kw = w_offsets.shape[:2]
    group = max(1, group_bytes // (F * Hp * Wp * dx_pad.itemsize))     # images at a time
    for n0 in range(0, N, group):
        g = grad_output[n0:n0 + group]
        n = len(g)
        spread = np.zeros((n, F, Hp, Wp), dtype=dx_pad.dtype)      # gradients where windows start
        spread[:, :, :H_out, :W_out] = g
        spread = spread.reshape(n, F, Hp * Wp)
        rows = np.empty((n, C, Hp * Wp), dtype=dx_pad.dtype)
        flat, flat_rows = dx_pad[n0:n0 + n].reshape(-1), rows.reshape(-1)   # views, no copies
        for di in range(kh):
            for dj in range(kw):
                shift = di * Wp + dj
                np.matmul(w_offsets[di, dj], spread, out=rows)
                flat[shift:] += flat_rows[:flat.size - shift]


def conv2d_backward(grad_output, cols, x_shape, weight, stride, padding, needs_dx=True):
    """
    Gradients of a convolution computed as im2col + matmul.

    grad_output: ∂L/∂out, (N, F, H_out, W_out); cols: the forward pass's im2col matrix
    (N, C*kh*kw, H_out*W_out); x_shape: the unpadded input's shape (N, C, H, W); weight:
    (F, C, kh, kw); padding: an int, or the amounts ((top, bottom), (left, right)) from
    conv_padding. Returns (dx or None, dweight, dbias), all new arrays; the arguments are
    never changed.
    """
    N, C, H, W = x_shape
    F = weight.shape[0]
    if isinstance(padding, (int, np.integer)):
        padding = ((padding, padding), (padding, padding))
    (top, bottom), (left, right) = padding
    grad_output = np.asarray(grad_output)
    H_out, W_out = grad_output.shape[2], grad_output.shape[3]
    G = grad_output.reshape(N, F, H_out * W_out)

    dbias = G.sum(axis=(0, 2))
    # One batched matmul with the im2col matrix: (N, F, P) @ (N, P, C*kh*kw), summed over images
    dweight = (G @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(weight.shape)
    if not needs_dx:
        return None, dweight, dbias

    dtype = np.result_type(G.dtype, weight.dtype)
    dx_pad = np.zeros((N, C, H + top + bottom, W + left + right), dtype=dtype)
    # w_offsets[di, dj] = W[:, :, di, dj]ᵀ, shape (C, F): one small matrix per kernel offset
    w_offsets = np.ascontiguousarray(weight.transpose(2, 3, 1, 0), dtype=dtype)
    if stride == 1:
        _col2im_shifted(dx_pad, grad_output, w_offsets)
    else:
        _col2im_strided(dx_pad, grad_output, w_offsets, stride)
    dx = dx_pad[:, :, top:top + H, left:left + W]
    return dx, dweight, dbias

# %% [markdown]
# ### 🧪 Test the Backward Pass Against Finite Differences
#
# The backward pass is provided, but it relies on *your* `cols` having exactly the layout
# of Step 3 (row `(c, di, dj)`, column `(i, j)`) and on your forward pass. This test checks
# the whole chain — your forward pass and the provided backward — against finite
# differences: nudge one number by ε, see how the loss `L = Σ out · P` changes (P is a
# fixed random array), and compare with the gradient. It needs only numpy, not autograd.
# It also checks what autograd relies on: float32 stays float32, and calling the backward
# pass twice gives the same answer and changes none of its arguments.

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-backward", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: conv_output_size, im2col, conv_padding
def test_conv2d_backward():
    """conv2d_backward with your cols matches finite differences for x, weight and bias."""
    print("🔬 Unit Test: Conv2D Backward...")

    rng = np.random.default_rng(0)
    cases = [  # (kernel, stride, padding, input shape, the same padding as amounts)
        (3, 1, 1, (2, 2, 5, 4), ((1, 1), (1, 1))),
        (3, 2, 1, (1, 2, 6, 5), ((1, 1), (1, 1))),
        (3, 1, 0, (1, 3, 4, 4), ((0, 0), (0, 0))),
        ((2, 3), 1, "same", (2, 2, 5, 7), ((0, 1), (1, 1))),
        ((3, 2), 2, 1, (2, 2, 5, 7), ((1, 1), (1, 1))),
        ((2, 3), 2, 0, (2, 2, 7, 5), ((0, 0), (0, 0))),
        (4, 1, "same", (1, 2, 5, 6), ((1, 2), (1, 2))),
    ]
    for k, s, p, shape, amounts in cases:
        kh, kw = (k, k) if isinstance(k, int) else k
        x = rng.standard_normal(shape)
        conv = Conv2D(shape[1], 3, k, stride=s, padding=p, seed=0)
        w = rng.standard_normal((3, shape[1], kh, kw))
        b = rng.standard_normal(3)

        def loss(x_, w_, b_):
            conv.weight, conv.bias = Tensor(w_), Tensor(b_)
            return float(np.sum(np.asarray(conv(Tensor(x_)).data) * P))

        conv.weight, conv.bias = Tensor(w), Tensor(b)
        P = rng.standard_normal(np.asarray(conv(Tensor(x)).data).shape)
        x_padded = np.pad(x, [(0, 0), (0, 0), amounts[0], amounts[1]])
        windows = im2col(x_padded, (kh, kw), s)
        dx, dw, db = conv2d_backward(P, windows, x.shape, w, s, amounts)
        label = f"kernel {kh}x{kw}, stride {s}, padding {p!r}, input {shape}"

        eps = 1e-6
        for name, array, analytic in (("x", x, dx), ("weight", w, dw), ("bias", b, db)):
            assert analytic.shape == array.shape, f"{label}: d{name} should have shape {array.shape}, got {analytic.shape}"
            numeric = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                old = array[index]
                array[index] = old + eps
                plus = loss(x, w, b)
                array[index] = old - eps
                minus = loss(x, w, b)
                array[index] = old
                numeric[index] = (plus - minus) / (2 * eps)
            assert np.allclose(analytic, numeric, atol=1e-5), (
                f"{label}: d{name} differs from finite differences by up to "
                f"{np.abs(analytic - numeric).max():.3g}; is cols laid out as (N, C*kh*kw, H_out*W_out)?")

        none_dx, dw2, db2 = conv2d_backward(P, windows, x.shape, w, s, amounts, needs_dx=False)
        assert none_dx is None and np.allclose(dw2, dw) and np.allclose(db2, db), (
            f"{label}: with needs_dx=False, dx should be None and dweight, dbias unchanged")

    # float32 in, float32 gradients out; a second call gives the same answer, leaves the
    # first answer alone and changes none of the arguments (autograd may call it twice)
    x32 = rng.standard_normal((2, 2, 5, 7)).astype(np.float32)
    w32 = rng.standard_normal((3, 2, 2, 3)).astype(np.float32)
    for s, amounts in ((1, ((0, 1), (1, 1))), (2, ((1, 1), (1, 1)))):
        padded = np.pad(x32, [(0, 0), (0, 0), amounts[0], amounts[1]])
        cols = im2col(padded, (2, 3), s)
        rows, columns = (padded.shape[2] - 2) // s + 1, (padded.shape[3] - 3) // s + 1
        g32 = rng.standard_normal((2, 3, rows, columns)).astype(np.float32)
        arguments = {"grad_output": g32, "cols": cols, "weight": w32}
        before = {name: value.copy() for name, value in arguments.items()}
        first = conv2d_backward(g32, cols, x32.shape, w32, s, amounts)
        kept = [np.array(a) for a in first]
        second = conv2d_backward(g32, cols, x32.shape, w32, s, amounts)
        for name, a, again, copy in zip(("dx", "dweight", "dbias"), first, second, kept):
            assert a.dtype == np.float32, f"stride {s}: float32 inputs should give a float32 {name}, got {a.dtype}"
            assert np.array_equal(again, copy), f"stride {s}: a second call gave a different {name}"
        for name, value in arguments.items():
            assert np.array_equal(value, before[name]), f"stride {s}: conv2d_backward must not change its {name}"
        # Another call with another gradient (here 3 * g32: the gradients are linear in it)
        # must return new arrays and leave the first call's results alone
        third = conv2d_backward(3 * g32, cols, x32.shape, w32, s, amounts)
        for name, a, other, copy in zip(("dx", "dweight", "dbias"), first, third, kept):
            assert np.array_equal(a, copy), f"stride {s}: another call changed the first call's {name} (a shared array?)"
            assert np.allclose(other, 3 * copy, rtol=1e-5, atol=1e-5), f"stride {s}: tripling grad_output should triple {name}"

    print("✅ gradients for x, weight and bias match finite differences")
    print("✅ float32 stays float32, and the backward pass can run twice")

test_conv2d_backward()

# %% [markdown]
# ## Step 7: Max Pooling
#
# ### What pooling does
# A **pooling** layer shrinks each feature map by summarising small windows. Max pooling
# keeps the largest value of each window; with a 2×2 window and stride 2 it halves the
# height and width:
#
# ```
#   ┌───┬───┬───┬───┐
#   │ 1 │ 3 │ 2 │ 1 │
#   ├───┼───┼───┼───┤          ┌───┬───┐
#   │ 4 │ 2 │ 0 │ 5 │   max    │ 4 │ 5 │
#   ├───┼───┼───┼───┤   ───▶   ├───┼───┤
#   │ 7 │ 0 │ 1 │ 1 │   2×2    │ 8 │ 3 │
#   ├───┼───┼───┼───┤          └───┴───┘
#   │ 8 │ 6 │ 3 │ 2 │
#   └───┴───┴───┴───┘
# ```
#
# Why it helps:
# - **Less computation**: the next layer sees 4× fewer pixels.
# - **Some translation invariance**: moving a feature by one pixel inside a window does
#   not change the output.
# - **Larger receptive fields** (see below): after pooling, a 3×3 kernel covers twice as
#   much of the original image.
#
# It has no parameters. Each channel is pooled on its own, so `C` does not change. The
# output size is the same formula as for convolution without padding:
# `floor((H − pool) / stride) + 1`. Stride defaults to the pool size (windows side by side,
# as in `torch.nn.MaxPool2d`); a smaller stride makes windows overlap (AlexNet used
# 3×3 windows with stride 2). As for kernels, a window may be rectangular —
# `pool_size=(2, 3)` pools 2 rows by 3 columns — and `stride` may be one number or a pair
# (rows, columns).
#
# ### Receptive fields
# The **receptive field** of a unit is the patch of the *input image* that can influence
# it. One 3×3 convolution sees 3×3 pixels. Stack layers and it grows: each layer adds
# `(k − 1) · jump` pixels, where `jump` is the product of the strides so far.
#
# ```
# layer              k  stride   jump   receptive field
# input                           1        1
# conv 3×3           3    1       1        1 + 2·1 = 3
# conv 3×3           3    1       1        3 + 2·1 = 5     two 3×3 convs see 5×5
# maxpool 2×2        2    2       2        5 + 1·1 = 6
# conv 3×3           3    1       2        6 + 2·2 = 10    after pooling, 3×3 covers 10×10
# ```
#
# Deep CNNs build up from edges (a few pixels) to textures, parts and whole objects (most
# of the image) this way. VGG used only 3×3 kernels for this reason: two stacked 3×3
# layers see as much as one 5×5 layer with fewer weights (2·9 = 18 vs 25 per channel
# pair) and an extra ReLU in between.
#
# ### Implementation
# The windows are again a strided view: `sliding_window_view` with the window shape
# `(ph, pw)` and `[:, :, ::sh, ::sw]` give `(N, C, H_out, W_out, ph, pw)`. Flatten the last
# two axes into one of length `ph·pw` and take the max along it.
#
# The backward pass needs to know **which** element of each window was the maximum: only
# that element influenced the output, so only it receives the gradient (the derivative of
# `max(a, b, c, d)` is 1 for the largest input and 0 for the others). So your forward
# function also returns the `argmax` of each window, a number in `0 .. ph·pw − 1`: the
# window read row by row, `di · pw + dj` (pw, the window's *width*, since a row holds pw
# numbers). `argmax` returns the *first* maximum when there are ties, so the gradient goes
# to exactly one element, as in PyTorch.

# %% nbgrader={"grade": false, "grade_id": "maxpool-forward", "locked": false, "schema_version": 3, "solution": true}
#| export
def maxpool2d_forward(x, pool_size, stride=None):
    """
    Max pooling of a batch of images, and where each maximum came from.

    x: ndarray (N, C, H, W); pool_size: p (p×p windows) or (ph, pw); stride: an int, a
    pair (sh, sw), or None for the pool size. Returns (out, argmax), both
    (N, C, H_out, W_out): out holds each window's maximum (in x's dtype), argmax its
    position di * pw + dj in the window.

    TODO: Take the max (and the argmax) of every ph x pw window.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) ph, pw and sh, sw; the stride defaults to the pool size
    2. View the (ph, pw) windows of axes 2 and 3 with sliding_window_view, keeping every
       sh-th window along the rows and every sw-th along the columns:
       shape (N, C, H_out, W_out, ph, pw)
    3. Reshape the windows to (N, C, H_out, W_out, ph * pw)
    4. argmax along the last axis; out = the max along the last axis
    5. Return (out, argmax)

    EXAMPLE USAGE:
    ```python
    x = np.array([[1, 3, 2, 1], [4, 2, 0, 5], [7, 0, 1, 1], [8, 6, 3, 2]]).reshape(1, 1, 4, 4)
    out, argmax = maxpool2d_forward(x, 2)
    out[0, 0]       # [[4, 5], [8, 3]]
    argmax[0, 0]    # [[2, 3], [2, 2]]   (4 is at (1, 0) of its window: 1 * 2 + 0 = 2)
    out, argmax = maxpool2d_forward(x, (2, 4))
    out[0, 0], argmax[0, 0]    # [[5], [8]], [[7], [4]]   (5 at (1, 3): 1 * 4 + 3 = 7)
    ```

    IMPLEMENTATION HINTS:
    - This is im2col's first step with (ph, pw) windows and one stride per axis
    - ndarray.argmax(axis=-1) and ndarray.max(axis=-1)
    """
    x = np.asarray(x)
    ph, pw = _pair(pool_size)
    sh, sw = (ph, pw) if stride is None else _pair(stride)
    ### BEGIN SOLUTION
    windows = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::sh, ::sw]
    N, C, H_out, W_out = windows.shape[:4]
    flat = windows.reshape(N, C, H_out, W_out, ph * pw)
    argmax = flat.argmax(axis=-1)
    out = flat.max(axis=-1)
    ### END SOLUTION
    return out, argmax

# %% [markdown]
# ### The backward pass and the layer (provided)
#
# `maxpool2d_backward` sends each output gradient to the input element that won its
# window, and zero everywhere else. There are two cases:
#
# - **Non-overlapping windows** (stride = pool, the usual case): every input element is
#   in at most one window, so nothing needs adding up. Put each gradient into slot
#   `argmax` of a `(N, C, H_out, W_out, ph·pw)` array of zeros (`np.put_along_axis`),
#   then move the window axes back between the rows and columns with one
#   reshape-transpose-reshape. No Python loop at all.
# - **Overlapping windows** (stride < pool, or gaps with stride > pool): an element can win
#   several windows and must collect all their gradients. Same idea as col2im: loop over
#   the ph·pw offsets; for each one, the windows whose winner sits at that offset add
#   their gradients into one strided slice.
#
# Rows and columns left over when the stride does not divide the size never influenced
# the output, and get gradient 0. The gradient has the dtype of `grad_output` (float32
# stays float32). `MaxPool2D` wraps it all, like `Conv2D`: checks, your forward, then
# `_graph_node`.

# %% nbgrader={"grade": false, "grade_id": "maxpool-backward", "locked": true, "schema_version": 3, "solution": false}
#| export
def maxpool2d_backward(grad_output, argmax, x_shape, pool_size, stride):
    """∂L/∂x of max pooling: each window's gradient goes to the element that was its maximum."""
    G = np.asarray(grad_output)
    N, C, H, W = x_shape
    H_out, W_out = argmax.shape[2], argmax.shape[3]
    ph, pw = _pair(pool_size)
    sh, sw = _pair(stride)
    dx = np.zeros(x_shape, dtype=G.dtype if np.issubdtype(G.dtype, np.floating) else np.float64)
    if (sh, sw) == (ph, pw):
        # Non-overlapping: one slot per window, then (N, C, H_out, W_out, ph, pw) ->
        # (N, C, H_out, ph, W_out, pw) -> rows and columns of the covered region
        slots = np.zeros((N, C, H_out, W_out, ph * pw), dtype=dx.dtype)
        np.put_along_axis(slots, argmax[..., None], G[..., None], axis=-1)
        covered = slots.reshape(N, C, H_out, W_out, ph, pw).transpose(0, 1, 2, 4, 3, 5)
        dx[:, :, :H_out * ph, :W_out * pw] = covered.reshape(N, C, H_out * ph, W_out * pw)
    else:
        # Overlapping (or gapped) windows: add one strided slice per window offset
        for di in range(ph):
            for dj in range(pw):
                winners = np.where(argmax == di * pw + dj, G, 0)
                dx[:, :, di:di + sh * (H_out - 1) + 1:sh, dj:dj + sw * (W_out - 1) + 1:sw] += winners
    return dx


class MaxPool2D:
    """Max pooling over pool_size windows (an int or (ph, pw)); stride defaults to pool_size."""

    def __init__(self, pool_size, stride=None):
        stride = pool_size if stride is None else stride
        for name, value in (("pool_size", pool_size), ("stride", stride)):
            sizes = _pair(value)
            if len(sizes) != 2 or any(not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1
                                      for v in sizes):
                raise ValueError(f"MaxPool2D: {name} must be an integer >= 1 or a pair of them, got {value!r}")
        self.pool_size = tuple(int(v) for v in _pair(pool_size))
        self.stride = tuple(int(v) for v in _pair(stride))

    def forward(self, x):
        values = _values(x)
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        if values.ndim != 4:
            raise ValueError(f"{self!r} expects a batch of images of shape (N, C, H, W), "
                             f"got shape {values.shape}")
        if values.shape[2] < ph or values.shape[3] < pw:
            raise ValueError(f"{self!r}: a {ph}x{pw} window does not fit "
                             f"in an image of shape {values.shape}")
        out, argmax = maxpool2d_forward(values, (ph, pw), (sh, sw))
        x_shape = values.shape

        def maxpool2d_backward_fn(grad_output):
            return (maxpool2d_backward(grad_output, argmax, x_shape, (ph, pw), (sh, sw)),)

        return _graph_node(out, (x,), maxpool2d_backward_fn, "maxpool2d_backward")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Pooling has no trainable values."""
        return []

    def __repr__(self):
        def show(pair):
            return pair[0] if pair[0] == pair[1] else pair
        return f"MaxPool2D(pool_size={show(self.pool_size)}, stride={show(self.stride)})"

# %% [markdown]
# ### 🧪 Test Your Max Pooling

# %% nbgrader={"grade": true, "grade_id": "test-maxpool", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_maxpool():
    """Max pooling values and argmax, with the default and overlapping strides."""
    print("🔬 Unit Test: Max Pooling...")

    image = np.array([[1, 3, 2, 1],
                      [4, 2, 0, 5],
                      [7, 0, 1, 1],
                      [8, 6, 3, 2]])
    x = image.reshape(1, 1, 4, 4)
    out, argmax = maxpool2d_forward(x, 2)
    assert out.shape == (1, 1, 2, 2), f"2x2 pooling of 4x4 should give 2x2, got {out.shape}"
    assert np.array_equal(out[0, 0], [[4, 5], [8, 3]]), f"expected [[4, 5], [8, 3]], got {out[0, 0].tolist()}"
    assert np.array_equal(argmax[0, 0], [[2, 3], [2, 2]]), (
        f"argmax = di * 2 + dj of each maximum: expected [[2, 3], [2, 2]], got {argmax[0, 0].tolist()}")

    # Overlapping windows: 3x3 with stride 1 on the 4x4 image
    out, _ = maxpool2d_forward(x, 3, stride=1)
    assert np.array_equal(out[0, 0], [[7, 5], [8, 6]]), f"3x3 windows, stride 1: expected [[7, 5], [8, 6]], got {out[0, 0].tolist()}"

    # Sizes that do not divide: 5x5 with 2x2 pooling drops the last row and column
    five = np.arange(25).reshape(1, 1, 5, 5)
    out, _ = maxpool2d_forward(five, 2)
    assert np.array_equal(out[0, 0], [[6, 8], [16, 18]]), f"5x5 -> 2x2: expected [[6, 8], [16, 18]], got {out[0, 0].tolist()}"

    # Ties: the first maximum wins
    _, argmax = maxpool2d_forward(np.array([5, 5, 1, 5]).reshape(1, 1, 2, 2), 2)
    assert argmax[0, 0, 0, 0] == 0, f"with ties, argmax should be the first maximum (0), got {argmax[0, 0, 0, 0]}"

    # Batches and channels are pooled independently
    rng = np.random.default_rng(0)
    batch = rng.standard_normal((3, 4, 6, 8))
    out, _ = maxpool2d_forward(batch, 2)
    assert out.shape == (3, 4, 3, 4), f"(3, 4, 6, 8) pooled 2x2 should be (3, 4, 3, 4), got {out.shape}"
    assert out[2, 3, 1, 2] == batch[2, 3, 2:4, 4:6].max(), "each output should be the max of its own window and channel"

    # The layer
    pool = MaxPool2D(2)
    y = pool(Tensor(batch))
    assert np.array_equal(np.asarray(y.data), out), "MaxPool2D(2)(x) should equal maxpool2d_forward(x, 2)[0]"
    assert pool.parameters() == [], "pooling has no parameters"
    assert MaxPool2D(3, stride=2)(Tensor(np.zeros((1, 2, 7, 7)))).shape == (1, 2, 3, 3), "3x3 pooling with stride 2 on 7x7 gives 3x3"

    # Rectangular windows: argmax counts along rows of pw = 3 numbers.
    #   window [[0, 1, 2],     the 9 sits at row 1, column 2: argmax 1 * 3 + 2 = 5
    #           [3, 4, 9]]
    x23 = np.array([[0, 1, 2, 6, 8, 7],
                    [3, 4, 9, 5, 1, 0]]).reshape(1, 1, 2, 6)
    out, argmax = maxpool2d_forward(x23, (2, 3))
    assert out.shape == (1, 1, 1, 2), f"2x3 windows on a 2x6 image: shape (1, 1, 1, 2), got {out.shape}"
    assert np.array_equal(out[0, 0], [[9, 8]]) and np.array_equal(argmax[0, 0], [[5, 1]]), (
        f"2x3 windows: maxima [[9, 8]] at positions di * 3 + dj = [[5, 1]], got {out[0, 0].tolist()} "
        f"at {argmax[0, 0].tolist()}")
    # Ties in rectangular windows: the first maximum, reading row by row
    ties = np.array([[5, 1, 5, 0, 7, 7],
                     [5, 5, 0, 7, 1, 1]]).reshape(1, 1, 2, 6)
    _, argmax = maxpool2d_forward(ties, (2, 3))
    assert np.array_equal(argmax[0, 0], [[0, 1]]), f"with ties the first maximum wins: expected [[0, 1]], got {argmax[0, 0].tolist()}"

    # Rectangular windows and strides on a float32 batch of non-square images, against
    # the windows themselves
    rng = np.random.default_rng(3)
    images = rng.standard_normal((2, 3, 5, 7)).astype(np.float32)
    images_before = images.copy()
    for pool_size, stride, (sh, sw) in (((2, 3), None, (2, 3)), ((3, 2), None, (3, 2)),
                                        ((2, 3), (1, 2), (1, 2)), ((3, 2), 2, (2, 2))):
        ph, pw = pool_size
        out, argmax = maxpool2d_forward(images, pool_size, stride)
        rows, columns = (5 - ph) // sh + 1, (7 - pw) // sw + 1
        label = f"pool_size={pool_size}, stride={stride} on (2, 3, 5, 7)"
        assert out.shape == (2, 3, rows, columns) and argmax.shape == (2, 3, rows, columns), (
            f"{label}: out and argmax should be {(2, 3, rows, columns)}, got {out.shape} and {argmax.shape}")
        assert out.dtype == np.float32, f"{label}: float32 in should give float32 out, got {out.dtype}"
        for i in range(rows):
            for j in range(columns):
                window = images[:, :, i * sh:i * sh + ph, j * sw:j * sw + pw].reshape(2, 3, ph * pw)
                assert np.array_equal(out[:, :, i, j], window.max(axis=-1)), f"{label}: wrong maximum for window ({i}, {j})"
                assert np.array_equal(argmax[:, :, i, j], window.argmax(axis=-1)), (
                    f"{label}: wrong argmax for window ({i}, {j}) (di * pw + dj, with pw = {pw})")
    assert np.array_equal(images, images_before), "max pooling must not change its input"
    layer = MaxPool2D((2, 3), stride=(1, 2))
    got = np.asarray(layer(Tensor(images)).data)
    assert np.array_equal(got, maxpool2d_forward(images, (2, 3), (1, 2))[0]), (
        "MaxPool2D((2, 3), stride=(1, 2))(x) should equal maxpool2d_forward(x, (2, 3), (1, 2))[0]")
    try:
        pool(Tensor(np.zeros((4, 6, 8))))
    except ValueError:
        pass
    else:
        raise AssertionError("MaxPool2D on a 3-D input should raise ValueError")

    print("✅ max pooling picks each window's maximum and remembers where it was")

test_maxpool()

# %% nbgrader={"grade": true, "grade_id": "test-maxpool-backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_maxpool_backward():
    """The gradient goes to each window's maximum, and overlapping windows add up."""
    print("🔬 Unit Test: Max Pooling Backward...")

    image = np.array([[1, 3, 2, 1],
                      [4, 2, 0, 5],
                      [7, 0, 1, 1],
                      [8, 6, 3, 2]], dtype=float)
    x = image.reshape(1, 1, 4, 4)
    _, argmax = maxpool2d_forward(x, 2)
    grad = np.array([10.0, 20.0, 30.0, 40.0]).reshape(1, 1, 2, 2)
    dx = maxpool2d_backward(grad, argmax, x.shape, 2, 2)
    expected = [[0, 0, 0, 0],
                [10, 0, 0, 20],
                [0, 0, 0, 0],
                [30, 0, 40, 0]]
    assert np.array_equal(dx[0, 0], expected), f"each gradient should land on its window's max: expected {expected}, got {dx[0, 0].tolist()}"

    # Overlapping 3x3 windows, stride 1: the 8 at (3, 0) wins one window, 7 one, 5 one, 6 one
    _, argmax = maxpool2d_forward(x, 3, stride=1)
    dx = maxpool2d_backward(np.ones((1, 1, 2, 2)), argmax, x.shape, 3, 1)
    assert dx[0, 0, 2, 0] == 1 and dx[0, 0, 3, 0] == 1 and dx[0, 0, 1, 3] == 1 and dx[0, 0, 3, 1] == 1, (
        f"overlapping windows: the maxima 7, 8, 5, 6 should get 1 each, got {dx[0, 0].tolist()}")
    # A peak in the middle of a 3x3 image wins all four overlapping 2x2 windows: its
    # gradient is the sum of theirs
    peak = np.array([[1, 2, 1], [2, 9, 2], [1, 2, 1]], dtype=float).reshape(1, 1, 3, 3)
    _, argmax = maxpool2d_forward(peak, 2, stride=1)
    grad = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 2, 2)
    dx = maxpool2d_backward(grad, argmax, peak.shape, 2, 1)
    assert dx[0, 0, 1, 1] == 10 and dx[0, 0].sum() == 10, (
        f"the centre wins all four windows and should get 1 + 2 + 3 + 4 = 10, got {dx[0, 0].tolist()}")

    # Gradients have the input's shape, with zeros where no window reached
    five = np.arange(25.0).reshape(1, 1, 5, 5)
    _, argmax = maxpool2d_forward(five, 2)
    dx = maxpool2d_backward(np.ones((1, 1, 2, 2)), argmax, five.shape, 2, 2)
    assert dx.shape == (1, 1, 5, 5), f"dx should have the input's shape (1, 1, 5, 5), got {dx.shape}"
    assert dx[0, 0, 4].sum() == 0 and dx[0, 0, :, 4].sum() == 0, "the uncovered last row and column get no gradient"

    # Ties: the whole gradient goes to the first maximum, once (2x3 windows)
    ties = np.array([[5, 1, 5, 0, 7, 7],
                     [5, 5, 0, 7, 1, 1]], dtype=float).reshape(1, 1, 2, 6)
    _, argmax = maxpool2d_forward(ties, (2, 3))
    dx = maxpool2d_backward(np.array([3.0, 4.0]).reshape(1, 1, 1, 2), argmax, ties.shape, (2, 3), (2, 3))
    expected = [[3, 0, 0, 0, 4, 0], [0, 0, 0, 0, 0, 0]]
    assert np.array_equal(dx[0, 0], expected), f"ties: each gradient goes to its window's first maximum only: expected {expected}, got {dx[0, 0].tolist()}"

    # A batch of non-square float32 images, rectangular windows, side by side and
    # overlapping: against a reference that routes each gradient by hand
    def routed(x, g, ph, pw, sh, sw):
        dx = np.zeros(x.shape, dtype=g.dtype)
        for n, c, i, j in np.ndindex(g.shape):
            window = x[n, c, i * sh:i * sh + ph, j * sw:j * sw + pw]
            r, q = np.unravel_index(np.argmax(window), window.shape)
            dx[n, c, i * sh + r, j * sw + q] += g[n, c, i, j]
        return dx

    rng = np.random.default_rng(4)
    images = rng.integers(0, 4, size=(2, 3, 5, 7)).astype(np.float32)   # small integers: many ties
    for (ph, pw), (sh, sw) in (((2, 3), (2, 3)), ((3, 2), (3, 2)), ((2, 3), (1, 2)), ((3, 2), (1, 1))):
        _, argmax = maxpool2d_forward(images, (ph, pw), (sh, sw))
        g = rng.standard_normal(argmax.shape).astype(np.float32)
        g_before, argmax_before = g.copy(), argmax.copy()
        label = f"{ph}x{pw} windows, stride {(sh, sw)}"
        dx = maxpool2d_backward(g, argmax, images.shape, (ph, pw), (sh, sw))
        want = routed(images, g, ph, pw, sh, sw)
        assert dx.shape == images.shape, f"{label}: dx should have the input's shape {images.shape}, got {dx.shape}"
        assert dx.dtype == np.float32, f"{label}: float32 gradients should give a float32 dx, got {dx.dtype}"
        assert np.allclose(dx, want, atol=1e-6), (
            f"{label}: gradients routed to the wrong elements, off by up to {np.abs(dx - want).max():.3g}")
        dx_kept = dx.copy()
        again = maxpool2d_backward(g, argmax, images.shape, (ph, pw), (sh, sw))
        assert np.array_equal(again, dx_kept), f"{label}: a second backward call gave a different answer"
        assert np.array_equal(g, g_before) and np.array_equal(argmax, argmax_before), (
            f"{label}: the backward pass must not change grad_output or argmax")
        other = maxpool2d_backward(2 * g, argmax, images.shape, (ph, pw), (sh, sw))
        assert np.array_equal(dx, dx_kept), f"{label}: another backward call changed the first call's result (a shared array?)"
        assert np.allclose(other, 2 * dx_kept), f"{label}: doubling the gradient should double dx"

    print("✅ gradients are routed to the maxima")
    print("✅ ties, rectangular windows and float32 are handled")

test_maxpool_backward()

# %% [markdown]
# ## Step 8: Flatten — From Images to Vectors
#
# After a few convolution and pooling layers, a classifier needs one vector per image for
# its dense layers: `(N, C, H, W)` → `(N, C·H·W)`. That is a reshape that keeps the batch
# axis and merges everything else:
#
# ```
# (32, 16, 5, 5)  ──flatten──▶  (32, 400)  ──Dense(400, 10)──▶  (32, 10)
# ```
#
# `x.reshape(x.shape[0], -1)` does it for an ndarray, a `Tensor` and (after module 07) a
# `Variable`, whose `reshape` is differentiable. So `flatten` needs no backward of its
# own — rule 2 of the design: layers built from operators need nothing else. The values
# stay in row-major order (channel, then row, then column), the same as PyTorch's
# `torch.flatten(x, 1)`, so trained weights mean the same thing in both.
#
# `Flatten()` wraps it as a layer with `forward`, `__call__` and `parameters()`, so it can
# sit in a `Sequential` (module 04) between the last pooling layer and the first `Dense`.

# %% nbgrader={"grade": false, "grade_id": "flatten", "locked": false, "schema_version": 3, "solution": true}
#| export
def flatten(x):
    """
    Flatten everything but the batch axis: (N, d1, d2, ...) -> (N, d1 * d2 * ...).

    TODO: Reshape x to (batch size, everything else).

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) a 0-d input has no batch axis: ValueError
    2. Reshape x to (x.shape[0], -1) with x's own reshape method and return it

    EXAMPLE USAGE:
    ```python
    flatten(Tensor(np.zeros((32, 16, 5, 5)))).shape    # (32, 400)
    flatten(Tensor(np.zeros((8, 10)))).shape           # (8, 10): already flat
    ```

    IMPLEMENTATION HINTS:
    - -1 in a shape means "whatever size makes the total come out right"
    - Use x.reshape, not np.reshape: a Variable's reshape keeps the gradient flowing
    """
    if len(x.shape) == 0:
        raise ValueError("flatten needs a batch axis: got a 0-d value")
    ### BEGIN SOLUTION
    return x.reshape(x.shape[0], -1)
    ### END SOLUTION


class Flatten:
    """Layer form of flatten(), for Sequential: (N, ...) -> (N, everything else)."""

    def forward(self, x):
        return flatten(x)

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Flatten has no trainable values."""
        return []

    def __repr__(self):
        return "Flatten()"

# %% [markdown]
# ### 🧪 Test Your Flatten

# %% nbgrader={"grade": true, "grade_id": "test-flatten", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: conv_output_size, im2col, conv_padding, Conv2D, maxpool2d_forward
def test_flatten():
    """flatten keeps the batch axis and the row-major order of everything else."""
    print("🔬 Unit Test: Flatten...")

    x = Tensor(np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2))
    y = flatten(x)
    assert y.shape == (2, 12), f"(2, 3, 2, 2) should flatten to (2, 12), got {y.shape}"
    assert np.array_equal(np.asarray(y.data)[1], np.arange(12, 24)), (
        f"the second image should be 12..23 in order, got {np.asarray(y.data)[1].tolist()}")
    assert flatten(Tensor(np.zeros((8, 10)))).shape == (8, 10), "an already flat batch should stay (8, 10)"
    assert flatten(Tensor(np.zeros((5, 1)))).shape == (5, 1), "(5, 1) should stay (5, 1)"
    assert flatten(np.zeros((4, 2, 3))).shape == (4, 6), "flatten should also work on a numpy array"

    layer = Flatten()
    z = layer(Tensor(np.zeros((32, 16, 5, 5))))
    assert z.shape == (32, 400), f"Flatten()((32, 16, 5, 5)) should be (32, 400), got {z.shape}"
    assert layer.parameters() == [], "Flatten has no parameters"

    # The whole pipeline of a small CNN
    conv, pool = Conv2D(1, 4, 3, padding=1, seed=0), MaxPool2D(2)
    h = flatten(pool(conv(Tensor(np.ones((2, 1, 8, 8), dtype=np.float32)))))
    assert h.shape == (2, 4 * 4 * 4), f"conv(1->4, same) -> pool 2 -> flatten on (2, 1, 8, 8) should be (2, 64), got {h.shape}"

    print("✅ flatten and Flatten work")

test_flatten()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook and runs it once more.
#
# **This testing section is locked** — it gives the same feedback in every module and
# cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("CNN")

# %% [markdown]
# ## 🎯 Module Summary: Convolutional Networks Built!
#
# ### ✅ What you built
# - **`conv_output_size`** and **`conv2d_naive`**: the definition of convolution, as loops
# - **`im2col`**: every window as a column, from a strided view with a single copy
# - **`conv_padding`**: integer, `"valid"` and `"same"` padding, with PyTorch's placement
#   of the extra zero for even kernels
# - **`Conv2D`**: He-initialised weights from `Parameter`, square or rectangular kernels,
#   padding, stride, clear shape errors, and a forward pass that is **one matrix
#   multiplication** for the whole batch
# - **`conv2d_backward`** (provided): ∂W as one matmul with `cols`, ∂x by col2im over the
#   kh·kw kernel offsets (one long shifted addition each for stride 1), ∂b as a sum
# - **`maxpool2d_forward`** / **`MaxPool2D`**: pooling that remembers its winners, with a
#   backward that routes gradients to them
# - **`flatten`** / **`Flatten`**: the bridge to dense layers
#
# ### ✅ Key ideas
# - **Weight sharing**: the same k×k filter slides over the whole image, so a pattern is
#   found wherever it appears, with a handful of weights.
# - **Receptive fields** grow with depth and with pooling: edges → textures → objects.
# - **Layout is performance**: `conv2d_naive` and `Conv2D` do the same arithmetic.
#   Rearranged as im2col + matmul, the work moves from the Python interpreter into BLAS —
#   hundreds to thousands of times faster (`bench/conv2d.py` compares it with PyTorch).
# - **Memory is part of the cost**: im2col trades k² memory for speed, and the backward
#   pass avoids a second copy of that size.
# - **Long runs beat short ones**: numpy pays per row it visits, so the stride-1 backward
#   flattens each image and turns every kernel offset into one long shifted addition.
#
# ### 🔗 Connection to real ML systems
# - `torch.nn.Conv2d(in, out, k, stride, padding)` has the same arguments and weight
#   shape, `padding="same"` included; `torch.nn.MaxPool2d(k, stride)` and
#   `torch.nn.Flatten()` match too.
# - Caffe and early PyTorch/TensorFlow CPU backends computed convolutions with im2col +
#   GEMM; cuDNN and oneDNN add further tricks (Winograd, FFT, direct kernels that never
#   build `cols`), but im2col is still a standard fallback.
#
# ### 🚀 What's next
# Run `tito export cnn`. Module 06 loads real images (8×8 digits, MNIST, CIFAR-10) in
# batches; once autograd (07), optimizers (08) and training (09) are in place, the same
# `Conv2D` and `MaxPool2D` train a CNN — their weights become Variables, and the backward
# passes in this module do the rest.
