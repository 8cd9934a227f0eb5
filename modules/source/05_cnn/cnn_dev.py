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
# - **`Conv2D`**: a real, fast convolutional layer with He-initialised weights, padding,
#   stride and clear error messages; its backward pass, `conv2d_backward`, is provided and
#   explained
# - **`maxpool2d_forward`** / **`MaxPool2D`**: max pooling, with its backward pass provided
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
# conv = Conv2D(1, 8, kernel_size=3, padding=1, seed=0)
# pool = MaxPool2D(2)
# x = Tensor(np.zeros((32, 1, 28, 28), dtype=np.float32))   # 32 grey 28×28 images
# h = flatten(pool(conv(x)))                                # shape (32, 8 * 14 * 14)
# ```
#
# **Why this matters:**
# - **Learning:** convolution is the operation behind every image model you will meet
# - **Production:** mirrors `torch.nn.Conv2d`, `torch.nn.MaxPool2d` and `torch.nn.Flatten`
#   (same `(N, C, H, W)` layout, same weight shape `(out, in, k, k)`)
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
# reads without copying.

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
# ### Padding and stride
# - **Padding** p adds p rings of zeros around the image before sliding. With k = 3 and
#   p = 1 the output has the same height and width as the input ("same" padding), and
#   border pixels are looked at as often as central ones.
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
        ((7, 3, 2, 0), 3),
        ((8, 3, 2, 0), 3),           # the stride does not divide evenly: round down
        ((5, 5), 1),                 # the window fits exactly once
        ((4, 2, 2), 2),              # 2x2 pooling
        ((5, 2, 2), 2),
        ((3, 5, 1, 2), 3),
    ]
    for args, expected in cases:
        got = conv_output_size(*args)
        assert got == expected, f"conv_output_size{args} should be {expected}, got {got}"
        assert isinstance(got, (int, np.integer)), f"conv_output_size{args} should be an int, got {type(got).__name__}"

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
# `(F, C, kh, kw)`; our layers will use square ones.
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

    print("✅ the worked example, padding, stride, channels, bias and batches are right")

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
# For a fixed image n, call each (c, di, dj) a **row index** r (there are C·k·k of them)
# and each output position (i, j) a **column index** (there are H_out·W_out). Define
#
# ```
# cols[n, r, (i, j)] = x_padded[n, c, i·s + di, j·s + dj]     where r = (c, di, dj)
# ```
#
# — column (i, j) of `cols[n]` is simply the window under output pixel (i, j), unrolled
# into a vector of length C·k·k. Then the whole convolution of image n is a matrix product:
#
# ```
#    W.reshape(F, C·k·k)   @   cols[n]                 =   out[n]
#       (F, C·k·k)            (C·k·k, H_out·W_out)         (F, H_out·W_out)
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
# The price is memory: every pixel appears in up to k·k windows, so `cols` is about k²
# times bigger than the image (9× for 3×3 kernels).
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
# `sliding_window_view(x, (k, k), axis=(2, 3))` does this on the two spatial axes of a
# batch: the result has shape `(N, C, H_pad − k + 1, W_pad − k + 1, k, k)`, and
# `[:, :, ::s, ::s]` keeps every s-th window for stride s — still a view. Reordering the
# axes with `transpose` is a view too. Only the final `reshape` to `(N, C·k·k, H_out·W_out)`
# must copy, because the windows overlap: that one copy *is* the im2col matrix.
#
# (`np.lib.stride_tricks.as_strided` can build the same view by hand from the strides;
# `sliding_window_view` is the safe version that cannot read outside the array.)

# %% nbgrader={"grade": false, "grade_id": "im2col", "locked": false, "schema_version": 3, "solution": true}
#| export
def im2col(x, kernel_size, stride=1):
    """
    Unroll every k×k window of a batch of (already padded) images into a column.

    x: ndarray (N, C, H, W). Returns cols of shape (N, C*k*k, H_out*W_out) where
    cols[n, (c, di, dj), (i, j)] = x[n, c, i*stride + di, j*stride + dj]
    (row index r = c*k*k + di*k + dj, column index = i*W_out + j).

    TODO: Build the im2col matrix with sliding_window_view, a transpose and a reshape.

    STEP-BY-STEP IMPLEMENTATION:
    1. windows = sliding_window_view(x, (k, k), axis=(2, 3)), then keep every stride-th
       window along both spatial axes: shape (N, C, H_out, W_out, k, k), still a view
    2. Move the two kernel axes next to the channel axis: (N, C, k, k, H_out, W_out)
    3. Reshape to (N, C*k*k, H_out*W_out) (numpy copies here; that is the only copy)

    EXAMPLE USAGE:
    ```python
    x = np.arange(1, 17).reshape(1, 1, 4, 4)
    cols = im2col(x, 2, stride=2)      # shape (1, 4, 4)
    cols[0]
    # [[ 1,  3,  9, 11],     di=0, dj=0: the top-left pixel of each window
    #  [ 2,  4, 10, 12],     di=0, dj=1
    #  [ 5,  7, 13, 15],     di=1, dj=0
    #  [ 6,  8, 14, 16]]     di=1, dj=1
    ```

    IMPLEMENTATION HINTS:
    - a[:, :, ::s, ::s] keeps every s-th element of axes 2 and 3
    - windows.transpose(0, 1, 4, 5, 2, 3) puts the axes in the order of step 2
    - Read N and C from x.shape, H_out and W_out from windows.shape
    - No Python loops!
    """
    x = np.asarray(x)
    k = kernel_size
    ### BEGIN SOLUTION
    windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    N, C, H_out, W_out = windows.shape[:4]
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * k * k, H_out * W_out)
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

    # A batch, a non-square image and stride 2
    rng = np.random.default_rng(0)
    batch = rng.standard_normal((3, 2, 7, 6))
    cols = im2col(batch, 3, stride=2)
    assert cols.shape == (3, 18, 3 * 2), f"(3, 2, 7, 6) with k=3, stride 2: cols (3, 18, 6), got {cols.shape}"
    assert np.array_equal(cols[2, :, 5], batch[2, :, 4:7, 2:5].reshape(-1)), (
        "cols[n, :, i * W_out + j] should be the window x[n, :, i*s:i*s+k, j*s:j*s+k] unrolled")

    # With it, a convolution is one matrix product
    weight = rng.standard_normal((4, 2, 3, 3))
    out = (weight.reshape(4, -1) @ cols).reshape(3, 4, 3, 2)
    reference = conv2d_naive(batch, weight, stride=2).data
    assert np.allclose(out, reference), "W.reshape(F, -1) @ im2col(x) should equal conv2d_naive(x, W)"

    print("✅ im2col puts every window in a column")
    print("✅ W.reshape(F, -1) @ cols is the convolution")

test_im2col()

# %% [markdown]
# ## Step 4: The Conv2D Layer
#
# ### Weights: He initialisation
# A `Conv2D(in_channels, out_channels, kernel_size)` layer owns
# - `weight` of shape `(out_channels, in_channels, k, k)`, and
# - `bias` of shape `(out_channels,)`, starting at zero,
#
# both float32 and made with `Parameter`, so that they become trainable `Variable`s once
# you have exported autograd (module 07) — exactly like `Dense`'s weights in module 03.
#
# Each output pixel sums `fan_in = in_channels · k · k` products. Convolutional layers are
# almost always followed by ReLU, so we use **He initialisation** (He et al., 2015):
# normal with mean 0 and standard deviation **sqrt(2 / fan_in)**. It keeps the size of the
# activations roughly constant from layer to layer: too small and the signal fades away
# in a deep network, too large and it explodes. (PyTorch's `kaiming_normal_` is the same
# formula.) `seed` makes the layer reproducible through `np.random.default_rng(seed)`.
#
# ### Forward: pad, im2col, one matmul
# ```
# x (N, C, H, W)
#   ──pad──▶  (N, C, H + 2p, W + 2p)
#   ──im2col──▶  cols (N, C·k·k, H_out·W_out)
#   ──W.reshape(F, C·k·k) @ cols──▶  (N, F, H_out·W_out)      ONE matmul for the batch
#   ──+ bias, reshape──▶  out (N, F, H_out, W_out)
# ```
#
# Note that the result of `(F, K) @ (N, K, P)` is already in `(N, F, P)` order, so the
# final reshape to `(N, F, H_out, W_out)` is free: no transpose, no copy. The bias is one
# number per filter: `b.reshape(F, 1)` broadcasts it along the pixels of `(N, F, P)`.
#
# ### What the provided code around yours does
# - Before your code: `forward` checks the input (four axes, the right number of channels,
#   big enough for the kernel) and raises a `ValueError` that says what was expected and
#   what it got. A missing batch axis is the most common mistake with CNNs, so the message
#   suggests the fix.
# - After your code: your `out` goes through `_graph_node`. If the input, the weight and
#   the bias are all plain Tensors, you get a Tensor back; otherwise one autograd node
#   whose backward pass is `conv2d_backward` (Step 5), which reuses your `cols`.
#
# Your code must therefore leave two variables behind: `cols` (the im2col matrix of the
# padded input) and `out` (the result, `(N, F, H_out, W_out)`).

# %% nbgrader={"grade": false, "grade_id": "conv2d-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class Conv2D:
    """
    2-D convolutional layer on batches of images (N, C, H, W), like torch.nn.Conv2d.

    weight: (out_channels, in_channels, k, k), He-initialised; bias: (out_channels,), zeros.
    Both are float32 and made with Parameter. The forward pass is im2col + one matmul.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, seed=None):
        """
        Create the layer's weight (He initialisation) and bias (zeros).

        TODO: Initialise self.weight and self.bias as float32 Parameters.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) the sizes are checked and stored on self
        2. fan_in = in_channels * kernel_size * kernel_size
        3. Make a generator with np.random.default_rng(seed) and draw normal values with
           mean 0 and std sqrt(2 / fan_in), of shape
           (out_channels, in_channels, kernel_size, kernel_size)
        4. self.weight = Parameter(those values as float32)
        5. self.bias = Parameter(float32 zeros of shape (out_channels,))

        EXAMPLE USAGE:
        ```python
        conv = Conv2D(3, 16, kernel_size=3, seed=0)
        conv.weight.shape      # (16, 3, 3, 3)
        conv.bias.shape        # (16,)
        ```

        IMPLEMENTATION HINTS:
        - rng.normal(loc, scale, size) draws from a normal distribution
        - This is Dense's "he" initialisation, with fan_in counting a whole window
        """
        for name, value, smallest in (("in_channels", in_channels, 1), ("out_channels", out_channels, 1),
                                      ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                                      ("padding", padding, 0)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < smallest:
                raise ValueError(f"Conv2D: {name} must be an integer >= {smallest}, got {value!r}")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = int(kernel_size)
        self.stride = int(stride)
        self.padding = int(padding)
        ### BEGIN SOLUTION
        fan_in = in_channels * kernel_size * kernel_size
        rng = np.random.default_rng(seed)
        weight = rng.normal(0.0, np.sqrt(2.0 / fan_in),
                            size=(out_channels, in_channels, kernel_size, kernel_size))
        self.weight = Parameter(weight.astype(np.float32))
        self.bias = Parameter(np.zeros(out_channels, dtype=np.float32))
        ### END SOLUTION

    def _check_input(self, shape):
        """Raise a ValueError that explains what is wrong with an input of this shape."""
        if len(shape) != 4:
            hint = (f"; for a single image use x.reshape(1, *x.shape) to add the batch axis"
                    if len(shape) == 3 else "")
            raise ValueError(f"{self!r} expects a batch of images of shape (N, C, H, W), "
                             f"got shape {tuple(shape)}{hint}")
        if shape[1] != self.in_channels:
            raise ValueError(f"{self!r} expects {self.in_channels} input channel(s) (axis 1 of "
                             f"(N, C, H, W)), got shape {tuple(shape)}")
        k, p = self.kernel_size, self.padding
        if shape[2] + 2 * p < k or shape[3] + 2 * p < k:
            raise ValueError(f"{self!r}: a {k}x{k} kernel does not fit in a {shape[2]}x{shape[3]} "
                             f"image with padding {p}, got shape {tuple(shape)}")

    def forward(self, x):
        """
        Convolve a batch of images: im2col, then one matrix multiplication.

        TODO: Compute `cols` and `out` for the input values.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) values = the input's ndarray, checked; W and b = the parameters' arrays
        2. Compute H_out and W_out with conv_output_size
        3. Pad the values by self.padding on both spatial axes (only if padding > 0)
        4. cols = im2col(padded, k, stride)                  -> (N, C*k*k, H_out*W_out)
        5. out = W.reshape(F, -1) @ cols                      -> (N, F, H_out*W_out)
        6. Add the bias (one number per filter), then reshape out to (N, F, H_out, W_out)
        7. (Provided) out becomes a Tensor, or a graph node that remembers cols

        EXAMPLE USAGE:
        ```python
        conv = Conv2D(1, 8, kernel_size=3, padding=1, seed=0)
        conv(Tensor(np.zeros((32, 1, 28, 28)))).shape      # (32, 8, 28, 28)
        Conv2D(3, 8, 5, stride=2)(Tensor(np.zeros((2, 3, 32, 32)))).shape   # (2, 8, 14, 14)
        ```

        IMPLEMENTATION HINTS:
        - The same np.pad call as in conv2d_naive
        - `@` of a (F, K) matrix with a (N, K, P) stack multiplies every image in one call
        - b.reshape(F, 1) lines the bias up with the F axis of (N, F, P); `out += ...`
          adds it in place without another copy
        - Never loop in Python here: the point of this step is that numpy does all the work
        """
        values = _values(x)
        self._check_input(values.shape)
        W, b = _values(self.weight), _values(self.bias)
        N, F = values.shape[0], self.out_channels
        k, s, p = self.kernel_size, self.stride, self.padding
        ### BEGIN SOLUTION
        H_out = conv_output_size(values.shape[2], k, s, p)
        W_out = conv_output_size(values.shape[3], k, s, p)
        padded = np.pad(values, ((0, 0), (0, 0), (p, p), (p, p))) if p else values
        cols = im2col(padded, k, s)
        out = W.reshape(F, -1) @ cols
        out += b.reshape(F, 1)
        out = out.reshape(N, F, H_out, W_out)
        ### END SOLUTION

        x_shape = values.shape
        needs_dx = bool(getattr(x, "requires_grad", False))   # a data batch needs no gradient

        def conv2d_backward_fn(grad_output):
            return conv2d_backward(grad_output, cols, x_shape, W, s, p, needs_dx=needs_dx)

        return _graph_node(out, (x, self.weight, self.bias), conv2d_backward_fn, "conv2d_backward")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """The trainable values: [weight, bias]."""
        return [self.weight, self.bias]

    def __repr__(self):
        return (f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding})")

# %% [markdown]
# ### 🧪 Test Your Conv2D
#
# Three tests: the weights, the forward pass against `conv2d_naive` (and how much faster
# it is), and output shapes and error messages. They compare `np.asarray(out.data)`, so
# they pass whether your layer returns a Tensor (before module 07) or a Variable (after).

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-init", "locked": true, "points": 5, "schema_version": 3, "solution": false}
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

    print("✅ weights are He-initialised float32, the bias is zero")

test_conv2d_init()

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-forward", "locked": true, "points": 15, "schema_version": 3, "solution": false}
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
def test_conv2d_shapes():
    """Output shapes of common layers, and clear errors for wrong inputs."""
    print("🔬 Unit Test: Conv2D Shapes and Errors...")

    cases = [  # (layer, input shape, output shape)
        (Conv2D(1, 8, 5), (2, 1, 28, 28), (2, 8, 24, 24)),               # LeNet's first layer
        (Conv2D(1, 8, 3, padding=1), (4, 1, 28, 28), (4, 8, 28, 28)),     # "same" padding
        (Conv2D(3, 16, 3, stride=2, padding=1), (2, 3, 32, 32), (2, 16, 16, 16)),
        (Conv2D(3, 6, 5, stride=2), (1, 3, 32, 30), (1, 6, 14, 13)),
        (Conv2D(8, 4, 1), (5, 8, 7, 3), (5, 4, 7, 3)),
    ]
    for layer, shape, expected in cases:
        got = layer(Tensor(np.zeros(shape, dtype=np.float32))).shape
        assert tuple(got) == expected, f"{layer!r} on {shape} should give {expected}, got {tuple(got)}"

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
# ## Step 5: The Backward Pass (provided)
#
# Module 07's autograd calls a hand-written backward function for each `Conv2D` node with
# `grad_output` = ∂L/∂out, shape `(N, F, H_out, W_out)`, and needs ∂L/∂x, ∂L/∂W and ∂L/∂b.
# The forward pass was `out[n] = Wmat @ cols[n] + b`, with `Wmat = W.reshape(F, C·k·k)` —
# a matrix product, so the gradients are those of a matrix product, which you derived in
# module 07 (call `G[n] = grad_output[n].reshape(F, H_out·W_out)`):
#
# ```
# ∂L/∂b     = Σ_n Σ_pixels G[n]                 each bias was added to every output pixel
# ∂L/∂Wmat  = Σ_n G[n] @ cols[n]ᵀ               (F, P) @ (P, C·k·k) = (F, C·k·k)
# ∂L/∂cols  = Wmatᵀ @ G[n]                      (C·k·k, F) @ (F, P) = (C·k·k, P)
# ```
#
# **∂L/∂W is one (batched) matmul with the im2col matrix** — that is why the forward pass
# keeps `cols`: the backward pass reuses it instead of rebuilding it.
#
# ### ∂L/∂x: col2im
# ∂L/∂cols is a gradient for every *copy* of every pixel. A pixel that appeared in nine
# windows (3×3 kernel, stride 1) gets nine contributions, and they must be **added up**:
# this is **col2im**, im2col run backwards.
#
# The obvious way is to scatter every entry with `np.add.at(dx, indices, dcols)`. It is
# correct and very slow: `np.add.at` handles one element at a time so that repeated
# indices add up. The trick is to loop over the k·k **kernel offsets** (di, dj) instead of
# over pixels. For a fixed offset, output pixel (i, j) touches input pixel
# (i·s + di, j·s + dj), and different (i, j) touch *different* pixels. So for each offset,
# all contributions go to one strided slice of the padded gradient, with no collisions:
#
# ```
# for di in range(k):
#     for dj in range(k):
#         dx_pad[:, :, di : di + s·H_out : s, dj : dj + s·W_out : s] += (the (di, dj) rows of ∂L/∂cols)
# ```
#
# That is 9 vectorised additions for a 3×3 kernel, whatever the image size. Finally the
# padding is cut off: the gradient with respect to the zeros we added is thrown away.
#
# One more systems detail: ∂L/∂cols is as big as `cols` itself (9× the image). We never
# build all of it: for each offset, the rows we need are `W[:, :, di, dj]ᵀ @ G`, computed
# just before they are added into `dx_pad`. Same arithmetic, 1/k² of the memory. Memory is
# not free: every large temporary array is fresh memory that the operating system must
# hand over page by page, which can cost more than the arithmetic itself.
#
# When the layer's input is a data batch (not a `Variable` that requires a gradient),
# nobody needs ∂L/∂x, and the function skips it (`needs_dx=False`): the first layer of a
# network never computes it.

# %% nbgrader={"grade": false, "grade_id": "conv2d-backward", "locked": true, "schema_version": 3, "solution": false}
#| export
def conv2d_backward(grad_output, cols, x_shape, weight, stride, padding, needs_dx=True):
    """
    Gradients of a convolution computed as im2col + matmul.

    grad_output: ∂L/∂out, (N, F, H_out, W_out); cols: the forward pass's im2col matrix
    (N, C*k*k, H_out*W_out); x_shape: the unpadded input's shape (N, C, H, W); weight:
    (F, C, k, k). Returns (dx or None, dweight, dbias).
    """
    N, C, H, W = x_shape
    F, _, k, _ = weight.shape
    s, p = stride, padding
    H_out, W_out = grad_output.shape[2], grad_output.shape[3]
    G = np.asarray(grad_output).reshape(N, F, H_out * W_out)

    dbias = G.sum(axis=(0, 2))
    # One batched matmul with the im2col matrix: (N, F, P) @ (N, P, C*k*k), summed over images
    dweight = (G @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(weight.shape)
    if not needs_dx:
        return None, dweight, dbias

    # col2im, one kernel offset at a time: each offset adds into a strided slice
    dtype = np.result_type(G.dtype, weight.dtype)
    dx_pad = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dtype)
    rows = np.empty((N, C, H_out * W_out), dtype=dtype)   # the (di, dj) rows of ∂L/∂cols
    for di in range(k):
        for dj in range(k):
            np.matmul(weight[:, :, di, dj].T, G, out=rows)
            dx_pad[:, :, di:di + s * (H_out - 1) + 1:s, dj:dj + s * (W_out - 1) + 1:s] += \
                rows.reshape(N, C, H_out, W_out)
    dx = dx_pad[:, :, p:p + H, p:p + W]
    return dx, dweight, dbias

# %% [markdown]
# ### 🧪 Test the Backward Pass Against Finite Differences
#
# The backward pass is provided, but it relies on *your* `cols` having exactly the layout
# of Step 3 (row `(c, di, dj)`, column `(i, j)`). This test checks the whole chain — your
# forward pass and the provided backward — against finite differences: nudge one number
# by ε, see how the loss `L = Σ out · P` changes (P is a fixed random array), and compare
# with the gradient. It needs only numpy, not autograd.

# %% nbgrader={"grade": true, "grade_id": "test-conv2d-backward", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_conv2d_backward():
    """conv2d_backward with your cols matches finite differences for x, weight and bias."""
    print("🔬 Unit Test: Conv2D Backward...")

    rng = np.random.default_rng(0)
    for s, p, shape in ((1, 1, (2, 2, 5, 4)), (2, 1, (1, 2, 6, 5)), (1, 0, (1, 3, 4, 4))):
        x = rng.standard_normal(shape)
        conv = Conv2D(shape[1], 3, 3, stride=s, padding=p, seed=0)
        w = rng.standard_normal((3, shape[1], 3, 3))
        b = rng.standard_normal(3)

        def loss(x_, w_, b_):
            conv.weight, conv.bias = Tensor(w_), Tensor(b_)
            return float(np.sum(np.asarray(conv(Tensor(x_)).data) * P))

        conv.weight, conv.bias = Tensor(w), Tensor(b)
        P = rng.standard_normal(np.asarray(conv(Tensor(x)).data).shape)
        padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        cols = im2col(padded, 3, s)
        dx, dw, db = conv2d_backward(P, cols, x.shape, w, s, p)

        eps = 1e-6
        for name, array, analytic in (("x", x, dx), ("weight", w, dw), ("bias", b, db)):
            assert analytic.shape == array.shape, f"d{name} should have shape {array.shape}, got {analytic.shape}"
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
                f"stride {s}, padding {p}: d{name} differs from finite differences by up to "
                f"{np.abs(analytic - numeric).max():.3g}; is cols laid out as (N, C*k*k, H_out*W_out)?")

        none_dx, dw2, db2 = conv2d_backward(P, cols, x.shape, w, s, p, needs_dx=False)
        assert none_dx is None and np.allclose(dw2, dw) and np.allclose(db2, db), (
            "with needs_dx=False, dx should be None and dweight, dbias unchanged")

    print("✅ gradients for x, weight and bias match finite differences")

test_conv2d_backward()

# %% [markdown]
# ## Step 6: Max Pooling
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
# 3×3 windows with stride 2).
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
# The windows are again a strided view: `sliding_window_view` and `[:, :, ::s, ::s]` give
# `(N, C, H_out, W_out, pool, pool)`. Flatten the last two axes into one of length
# `pool·pool` and take the max along it.
#
# The backward pass needs to know **which** element of each window was the maximum: only
# that element influenced the output, so only it receives the gradient (the derivative of
# `max(a, b, c, d)` is 1 for the largest input and 0 for the others). So your forward
# function also returns the `argmax` of each window, a number in `0 .. pool·pool − 1`
# (`di · pool + dj`). `argmax` returns the *first* maximum when there are ties, so the
# gradient goes to exactly one element, as in PyTorch.

# %% nbgrader={"grade": false, "grade_id": "maxpool-forward", "locked": false, "schema_version": 3, "solution": true}
#| export
def maxpool2d_forward(x, pool_size, stride=None):
    """
    Max pooling of a batch of images, and where each maximum came from.

    x: ndarray (N, C, H, W). Returns (out, argmax), both (N, C, H_out, W_out):
    out holds each window's maximum, argmax its position di * pool_size + dj in the window.

    TODO: Take the max (and the argmax) of every pool_size x pool_size window.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) stride defaults to pool_size
    2. windows = sliding_window_view(x, (pool, pool), axis=(2, 3)), keeping every
       stride-th window: shape (N, C, H_out, W_out, pool, pool)
    3. Reshape the windows to (N, C, H_out, W_out, pool * pool)
    4. argmax along the last axis; out = the max along the last axis
    5. Return (out, argmax)

    EXAMPLE USAGE:
    ```python
    x = np.array([[1, 3, 2, 1], [4, 2, 0, 5], [7, 0, 1, 1], [8, 6, 3, 2]]).reshape(1, 1, 4, 4)
    out, argmax = maxpool2d_forward(x, 2)
    out[0, 0]       # [[4, 5], [8, 3]]
    argmax[0, 0]    # [[2, 3], [2, 2]]   (4 is at (1, 0) of its window: 1 * 2 + 0 = 2)
    ```

    IMPLEMENTATION HINTS:
    - This is im2col's first step with (pool, pool) windows
    - ndarray.argmax(axis=-1) and ndarray.max(axis=-1)
    """
    x = np.asarray(x)
    if stride is None:
        stride = pool_size
    ### BEGIN SOLUTION
    windows = sliding_window_view(x, (pool_size, pool_size), axis=(2, 3))[:, :, ::stride, ::stride]
    N, C, H_out, W_out = windows.shape[:4]
    flat = windows.reshape(N, C, H_out, W_out, pool_size * pool_size)
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
#   `argmax` of a `(N, C, H_out, W_out, pool·pool)` array of zeros (`np.put_along_axis`),
#   then move the window axes back between the rows and columns with one
#   reshape-transpose-reshape. No Python loop at all.
# - **Overlapping windows** (stride < pool): an element can win several windows and must
#   collect all their gradients. Same idea as col2im: loop over the pool·pool offsets; for
#   each one, the windows whose winner sits at that offset add their gradients into one
#   strided slice.
#
# Rows and columns left over when the stride does not divide the size never influenced
# the output, and get gradient 0. `MaxPool2D` wraps it all, like `Conv2D`: checks, your
# forward, then `_graph_node`.

# %% nbgrader={"grade": false, "grade_id": "maxpool-backward", "locked": true, "schema_version": 3, "solution": false}
#| export
def maxpool2d_backward(grad_output, argmax, x_shape, pool_size, stride):
    """∂L/∂x of max pooling: each window's gradient goes to the element that was its maximum."""
    G = np.asarray(grad_output)
    N, C, H, W = x_shape
    H_out, W_out = argmax.shape[2], argmax.shape[3]
    k, s = pool_size, stride
    dx = np.zeros(x_shape, dtype=G.dtype if np.issubdtype(G.dtype, np.floating) else np.float64)
    if s == k:
        # Non-overlapping: one slot per window, then (N, C, H_out, W_out, k, k) ->
        # (N, C, H_out, k, W_out, k) -> rows and columns of the covered region
        slots = np.zeros((N, C, H_out, W_out, k * k), dtype=dx.dtype)
        np.put_along_axis(slots, argmax[..., None], G[..., None], axis=-1)
        covered = slots.reshape(N, C, H_out, W_out, k, k).transpose(0, 1, 2, 4, 3, 5)
        dx[:, :, :H_out * k, :W_out * k] = covered.reshape(N, C, H_out * k, W_out * k)
    else:
        # Overlapping (or gapped) windows: add one strided slice per window offset
        for di in range(k):
            for dj in range(k):
                winners = np.where(argmax == di * k + dj, G, 0)
                dx[:, :, di:di + s * (H_out - 1) + 1:s, dj:dj + s * (W_out - 1) + 1:s] += winners
    return dx


class MaxPool2D:
    """Max pooling over pool_size x pool_size windows (stride defaults to pool_size)."""

    def __init__(self, pool_size, stride=None):
        stride = pool_size if stride is None else stride
        for name, value in (("pool_size", pool_size), ("stride", stride)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"MaxPool2D: {name} must be an integer >= 1, got {value!r}")
        self.pool_size = int(pool_size)
        self.stride = int(stride)

    def forward(self, x):
        values = _values(x)
        if values.ndim != 4:
            raise ValueError(f"{self!r} expects a batch of images of shape (N, C, H, W), "
                             f"got shape {values.shape}")
        if values.shape[2] < self.pool_size or values.shape[3] < self.pool_size:
            raise ValueError(f"{self!r}: a {self.pool_size}x{self.pool_size} window does not fit "
                             f"in an image of shape {values.shape}")
        out, argmax = maxpool2d_forward(values, self.pool_size, self.stride)
        x_shape, k, s = values.shape, self.pool_size, self.stride

        def maxpool2d_backward_fn(grad_output):
            return (maxpool2d_backward(grad_output, argmax, x_shape, k, s),)

        return _graph_node(out, (x,), maxpool2d_backward_fn, "maxpool2d_backward")

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Pooling has no trainable values."""
        return []

    def __repr__(self):
        return f"MaxPool2D(pool_size={self.pool_size}, stride={self.stride})"

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

    print("✅ gradients are routed to the maxima")

test_maxpool_backward()

# %% [markdown]
# ## Step 7: Flatten — From Images to Vectors
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
# - **`Conv2D`**: He-initialised weights from `Parameter`, padding, stride, clear shape
#   errors, and a forward pass that is **one matrix multiplication** for the whole batch
# - **`conv2d_backward`** (provided): ∂W as one matmul with `cols`, ∂x by col2im over the
#   k·k kernel offsets, ∂b as a sum
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
#
# ### 🔗 Connection to real ML systems
# - `torch.nn.Conv2d(in, out, k, stride, padding)` has the same arguments and weight
#   shape; `torch.nn.MaxPool2d(k, stride)` and `torch.nn.Flatten()` match too.
# - Caffe and early PyTorch/TensorFlow CPU backends computed convolutions with im2col +
#   GEMM; cuDNN and oneDNN add further tricks (Winograd, FFT, direct kernels that never
#   build `cols`), but im2col is still a standard fallback.
#
# ### 🚀 What's next
# Run `tito export cnn`. Module 06 loads real images (8×8 digits, MNIST, CIFAR-10) in
# batches; once autograd (07), optimizers (08) and training (09) are in place, the same
# `Conv2D` and `MaxPool2D` train a CNN — their weights become Variables, and the backward
# passes in this module do the rest.
