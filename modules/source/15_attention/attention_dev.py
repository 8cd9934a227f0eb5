# %% [markdown]
# # Attention
#
# A language model reads a sequence of tokens and, at every position, has to decide which
# of the earlier tokens matter for what comes next. In `"the cat that the dog chased
# ran"`, the word `ran` belongs with `cat`, four tokens back. Dense layers (module 03) see
# one position at a time; convolutions (module 05) see a fixed window. **Attention** lets
# every position look at *every* other position and decide, from the data, how much each
# one matters. It is the operation at the heart of every transformer: GPT, BERT, the
# vision transformers, and the model you will train in module 16.
#
# By the end of the module you will have built every piece a GPT needs below its blocks:
# - a numerically stable **softmax** as one fused graph node with a hand-written backward,
# - an **`Embedding`** table: token id → learned vector, with a scatter-add backward,
# - **positional encodings**, the fixed sinusoidal table of "Attention Is All You Need"
#   and a learned one, both with a `start` offset for generating one token at a time,
# - **`LayerNorm`**, one fused node with a hand-written backward, as `torch.nn.LayerNorm`,
# - **masks**: causal (no peeking at the future) and padding (ignore filler tokens),
# - **scaled dot-product attention**, `softmax(Q Kᵀ / √d) V`, with gradients to Q, K and V,
# - a measurement that shows attention's memory grows as **O(T²)**, and why,
# - **multi-head attention**: split into heads, attend, merge, project.
#
# Everything runs on numpy, keeps float32 as float32, and is built from a few fused graph
# nodes so that module 16 can train a small GPT in a couple of minutes.

# %% nbgrader={"grade": false, "grade_id": "attention-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.attention
#| export
import math
import numbers
import sys
import tracemalloc
from typing import List, Optional, Tuple

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import Variable, apply_op
from tinytorch.core.layers import Dense, Parameter

# %% nbgrader={"grade": false, "grade_id": "attention-banner", "locked": true, "schema_version": 3, "solution": false}
print("🔥 TinyTorch Attention Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to let every token look at every other token!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/15_attention/attention_dev.py`
# **Building Side:** Code exports to `tinytorch.core.attention`
#
# ```python
# # Final package structure:
# from tinytorch.core.attention import (softmax, Embedding, LearnedPositionalEncoding,
#                                       LayerNorm, causal_mask, padding_mask,
#                                       scaled_dot_product_attention, MultiHeadAttention)
# from tinytorch.core.autograd import Variable, apply_op     # the graph they plug into
# from tinytorch.core.layers import Dense                    # the projections inside attention
# ```
#
# **Why this matters:**
# - **Learning:** Attention is four lines of maths; getting the axes, the scale, the mask
#   and the gradients exactly right is where the understanding is
# - **Production:** Same names and semantics as `torch.softmax`, `torch.nn.Embedding`,
#   `torch.nn.LayerNorm`, `torch.nn.functional.scaled_dot_product_attention` (boolean
#   `attn_mask`: True = may attend) and `torch.nn.MultiheadAttention`
# - **Consistency:** Every layer has `forward` / `__call__` and `parameters()`, like Dense
# - **Foundation:** Module 16 stacks these into transformer blocks and a GPT

# %% [markdown]
# ## What Is Attention?
#
# ### The problem: mixing information across positions
# A sequence of T tokens becomes a (T, D) matrix: one D-dimensional vector per position.
# To predict the next token, position t needs information from other positions. The
# simplest mix is an average of all the vectors; attention makes it a **weighted**
# average whose weights are computed from the vectors themselves.
#
# ### Queries, keys and values
# Every position produces three vectors from its own vector (three Dense layers):
# - a **query** q: "what am I looking for?"
# - a **key** k: "what do I contain?"
# - a **value** v: "what do I hand over if you pick me?"
#
# Position i scores every position j with the dot product qᵢ · kⱼ (large when they
# match), turns the scores of its row into weights with a softmax, and takes the weighted
# average of the values:
#
# ```
#            keys k₀ k₁ k₂ k₃                      weights (each row sums to 1)
#  query q₀ [ 2.1  0.4  .    .  ]                 [ .85 .15  0   0  ]
#  query q₁ [ 0.2  1.9  .    .  ]   softmax(row)   [ .15 .85  0   0  ]   @ V  →  outputs
#  query q₂ [ 0.5  0.4  1.2  .  ]   ───────────▶   [ .26 .23 .51  0  ]
#  query q₃ [ 1.0  0.1  0.3 2.2 ]                 [ .19 .08 .09 .64 ]
#             scores = Q Kᵀ / √d       (the dots: positions a GPT may not look at, the future)
# ```
#
# ### Where attention sits in a GPT
# ```
#  token ids (B, T) ──▶ Embedding ──▶ + positions ──▶ ┌── transformer block ×N ──┐ ──▶ logits
#     Step 2                Step 2      Step 3        │ LayerNorm (Step 4)        │
#                                                     │ multi-head attention      │
#                                                     │  (Steps 1, 5, 6, 8)       │
#                                                     │ LayerNorm, MLP (mod. 16)  │
#                                                     └───────────────────────────┘
# ```
#
# ### Real-World Context
# - **PyTorch**: `torch.nn.functional.scaled_dot_product_attention`,
#   `torch.nn.MultiheadAttention`, `torch.nn.Embedding`, `torch.nn.LayerNorm`
# - **GPT-2, Llama, BERT, ViT**: the same operations, at T = 1024 to 128k positions; the
#   O(T²) memory of Step 7 is why FlashAttention exists
# - **JAX/Flax**: `flax.linen.MultiHeadDotProductAttention`, `flax.linen.LayerNorm`

# %% [markdown]
# ## Provided Helpers
#
# Every function in this module accepts Variables, Tensors, ndarrays and lists. Three small
# helpers, already written, take care of that and of argument checks:
# - `_values(x)`: the numbers in x as an ndarray (a Variable's array is `x.data.data`)
# - `_float_values(x)`: the same, with integers and booleans converted to float64
# - `_check_positive_int(owner, name, value)`: a ValueError that names the argument
#
# **Fused graph nodes.** Module 07's `apply_op(data, inputs, backward_fn, name)` makes ONE
# graph node from a computation done directly in numpy: `data` is the result, `inputs` the
# Variables (or Tensors, ndarrays) it was computed from, and `backward_fn(grad_output)`
# returns a tuple with one ndarray gradient per input, each of that input's shape. Conv2D
# (module 05) and the cross-entropy loss (module 09) are built this way. One node with a
# hand-written backward is much faster than a chain of small Variable operations: fewer
# temporary arrays, fewer Python calls. Two rules keep such a node correct:
# - **Never modify an input's array**, in the forward pass or in the backward pass.
# - **Return new arrays from `backward_fn`**, and never change an array it will need
#   again: autograd may call it twice (two `backward()` calls on the same graph).

# %% nbgrader={"grade": false, "grade_id": "attention-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _values(x) -> np.ndarray:
    """The numbers in x as an ndarray: x may be a Variable, a Tensor, an ndarray or a list."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Variable):
        return x.data.data
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x)


def _float_values(x) -> np.ndarray:
    """Like _values, but integers and booleans become float64 (gradients are real numbers)."""
    values = _values(x)
    if values.dtype.kind != "f":
        values = values.astype(np.float64)
    return values


def _check_positive_int(owner: str, name: str, value) -> int:
    """`value` as an int, or a ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{owner}: {name} must be an integer >= 1, got {value!r}")
    return int(value)

# %% [markdown]
# ### A gradient checker for the tests
#
# Every operation of this module gets its backward pass checked against **central
# differences**, computed in plain numpy in float64 (module 07, Step 15):
#
# ```
# ∂f/∂xᵢ ≈ ( f(x + ε·eᵢ) − f(x − ε·eᵢ) ) / 2ε          error ~ ε², with ε = 1e-6
# ```
#
# `numeric_grad(f, x)` nudges each entry of the float64 array `x` in place, calls `f()`
# (which must read `x` and return a float), and puts `x` back as it was.

# %% nbgrader={"grade": false, "grade_id": "attention-test-helpers", "locked": true, "schema_version": 3, "solution": false}
def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar function f() with respect to every entry of x."""
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + eps
        plus = f()
        x[index] = old - eps
        minus = f()
        x[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def reference_softmax(z, axis=-1):
    """softmax in plain numpy, as exp(z - logsumexp(z)) (the tests use moderate values)."""
    z = np.asarray(z, dtype=np.float64)
    top = np.max(z, axis=axis, keepdims=True)
    log_total = top + np.log(np.sum(np.exp(z - top), axis=axis, keepdims=True))
    return np.exp(z - log_total)

# %% [markdown]
# ## Step 1: Softmax, One Fused Node
#
# ### What softmax does
# Softmax turns a row of arbitrary scores into weights that are positive and sum to 1:
#
# ```
# softmax(z)ᵢ = exp(zᵢ) / Σⱼ exp(zⱼ)
#
#   scores  [ 2.0   1.0   0.1 ]
#   exp     [ 7.39  2.72  1.11 ]   sum 11.21
#   softmax [ 0.66  0.24  0.10 ]   sum 1
# ```
#
# Larger scores get exponentially more weight; adding the same number to every score
# changes nothing (it multiplies numerator and denominator by the same exp(c)).
#
# ### Numerical stability: subtract the row's maximum
# `np.exp(1000.0)` is `inf` (float64 overflows near exp(709), float32 near exp(88)), and
# inf / inf is NaN. Because shifting a row changes nothing, compute
# `exp(z − max(z))` instead: the largest entry becomes exp(0) = 1, nothing overflows, and
# at least one term of the sum is 1, so we never divide by 0.
#
# ### The backward pass
# With s = softmax(z) along one axis and g = ∂L/∂s, the Jacobian ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ)
# gives, without ever building the (n, n) Jacobian:
#
# ```
# ∂L/∂zⱼ = Σᵢ gᵢ · sᵢ(δᵢⱼ − sⱼ) = sⱼ · ( gⱼ − Σᵢ gᵢ sᵢ )
#           ───────────────────       ──────────────────
#              n² numbers               two passes over n numbers
# ```
#
# So the backward pass needs only s (the forward result) and g: `s * (g − sum(g * s))`,
# the sum taken along the softmax axis with `keepdims=True` so it lines up with every
# entry of its row.
#
# ### Why one fused node
# Written with Variable operations (`exp`, `sum`, `/`, a max shift), softmax would be five
# graph nodes, each keeping its own (B, H, T, T) array for the backward pass. Attention
# applies softmax to the biggest arrays of the whole model (Step 7), so here it is one
# `apply_op` node that keeps one array (s) and computes the formula above. PyTorch does
# the same: `torch.softmax` is a single kernel with its own backward, `_softmax_backward_data`.

# %% nbgrader={"grade": false, "grade_id": "softmax", "locked": false, "schema_version": 3, "solution": true}
#| export
def softmax(x, axis: int = -1) -> Variable:
    """
    Softmax along `axis`, numerically stable, as one graph node with a hand-written backward.

    TODO: Compute the probabilities and return them as one apply_op node.

    STEP-BY-STEP IMPLEMENTATION:
    1. Get x's numbers as a floating ndarray with the provided _float_values
    2. Subtract the maximum along `axis` (keeping that axis, size 1, so it broadcasts),
       take the exponential, and divide by its sum along `axis` (kept the same way)
    3. Write softmax_backward(grad_output): with s the probabilities and g the gradient,
       return a 1-tuple holding s * (g - sum of g * s along axis, keepdims)
    4. Return apply_op(the probabilities, (x,), softmax_backward, "softmax_backward")

    EXAMPLE USAGE:
    ```python
    softmax([1.0, 2.0, 3.0])                  # Variable([0.090, 0.245, 0.665])
    softmax([1000.0, 1001.0, 1002.0])         # the same numbers: no overflow
    s = softmax(Variable(np.zeros((2, 3), dtype=np.float32)), axis=0)
    s.dtype                                   # float32; every column is [0.5, 0.5]
    ```

    IMPLEMENTATION HINTS:
    - array.max(axis=axis, keepdims=True) and array.sum(axis=axis, keepdims=True) keep the
      reduced axis with size 1: a (2, 3, 5) array reduced over axis 1 gives (2, 1, 5)
    - A Python number never changes an array's dtype: float32 stays float32 throughout
    - The backward function must not modify the probabilities: it may run twice
    - You can build the result in place (`out /= ...`) as long as `out` is a new array
      you made, never the input

    LEARNING CONNECTIONS:
    - torch.softmax(x, dim) and torch.nn.functional.softmax: one kernel, same maths
    - Cross-entropy (module 09) fuses softmax with the log for the same reasons
    - In attention, each row of weights is one softmax over the keys (Step 6)
    """
    ### BEGIN SOLUTION
    z = _float_values(x)
    probs = z - z.max(axis=axis, keepdims=True)      # a new array: exp and / work in place on it
    np.exp(probs, out=probs)
    probs /= probs.sum(axis=axis, keepdims=True)

    def softmax_backward(grad_output):
        weighted = grad_output * probs
        weighted -= probs * weighted.sum(axis=axis, keepdims=True)
        return (weighted,)

    return apply_op(probs, (x,), softmax_backward, "softmax_backward")
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Softmax
#
# Values against plain numpy along every axis of a (2, 3, 5) array (so an axis mistake
# cannot hide behind a square shape), rows that sum to 1, huge scores that must not
# overflow, dtypes, and the gradient against central differences in float64. It also
# checks what autograd relies on: the input is never changed and the backward pass can
# run twice with the same answer.

# %% nbgrader={"grade": true, "grade_id": "test-softmax", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_softmax():
    """softmax matches numpy along any axis, is stable, keeps dtypes, and has the right gradient."""
    print("🔬 Unit Test: Softmax...")
    rng = np.random.default_rng(0)
    z = rng.standard_normal((2, 3, 5))

    for axis in (-1, 0, 1, 2):
        s = softmax(Variable(z.copy()), axis=axis)
        expected = reference_softmax(z, axis)
        assert s.shape == (2, 3, 5), f"softmax(axis={axis}) should keep the shape (2, 3, 5), got {s.shape}"
        assert np.allclose(s.data.data, expected, atol=1e-12), (
            f"softmax(axis={axis}) differs from numpy by up to {np.abs(s.data.data - expected).max():.3g}; "
            f"is the max / sum taken along axis={axis} with keepdims=True?")
        assert np.allclose(s.data.data.sum(axis=axis), 1.0), f"softmax(axis={axis}) should sum to 1 along axis {axis}"

    # Stability: shifting the scores changes nothing, huge scores do not overflow
    big = softmax(np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]]))
    assert np.all(np.isfinite(big.data.data)), f"softmax of huge scores should be finite, got {big.data.data}"
    assert np.allclose(big.data.data[0], reference_softmax([0.0, 1.0, 2.0])), (
        f"softmax([1000, 1001, 1002]) should equal softmax([0, 1, 2]), got {big.data.data[0]}")
    assert np.allclose(big.data.data[1], reference_softmax([0.0, -1.0, -2.0])), (
        f"softmax([-1000, -1001, -1002]) should equal softmax([0, -1, -2]), got {big.data.data[1]}")
    big32 = softmax(np.array([100.0, 0.0], dtype=np.float32))
    assert np.all(np.isfinite(big32.data.data)), "float32 softmax([100, 0]) overflowed: subtract the row max first"

    # Inputs of every kind; dtypes are kept (ints become float64)
    z32 = z.astype(np.float32)
    assert softmax(Variable(z32)).dtype == np.float32, "float32 in should give float32 out"
    assert softmax(Tensor(z32)).dtype == np.float32, "a float32 Tensor should give float32 out"
    assert softmax(z).dtype == np.float64, "float64 in should give float64 out"
    ints = softmax([1, 2, 3])
    assert ints.dtype == np.float64 and np.allclose(ints.data.data, reference_softmax([1.0, 2.0, 3.0])), (
        f"softmax([1, 2, 3]) should be the float64 softmax, got {ints.data.data} ({ints.dtype})")

    # Gradient: L = sum(softmax(z, axis) * W), against central differences
    W = rng.standard_normal((2, 3, 5))
    for axis in (-1, 1):
        x = Variable(z.copy())
        s = softmax(x, axis=axis)
        loss = (s * W).sum()
        loss.backward()
        numeric = numeric_grad(lambda: float(np.sum(reference_softmax(z, axis) * W)), z)
        assert x.grad is not None and x.grad.shape == z.shape, f"softmax(axis={axis}): x.grad should have shape {z.shape}"
        assert np.allclose(x.grad.data.data, numeric, atol=1e-7), (
            f"softmax(axis={axis}) gradient differs from central differences by up to "
            f"{np.abs(x.grad.data.data - numeric).max():.3g}; expected s * (g - sum(g * s, axis, keepdims))")
        # nothing changed: the input, the output; and a second backward gives the same gradient
        assert np.array_equal(x.data.data, z), "softmax must not modify its input"
        kept = s.data.data.copy()
        first = x.grad.data.data.copy()
        x.zero_grad()
        loss.backward()
        assert np.array_equal(s.data.data, kept), "softmax's backward must not modify the probabilities"
        assert np.allclose(x.grad.data.data, first, atol=1e-15), "a second backward gave a different gradient"

    # The backward function itself keeps float32 and returns a new array every time
    s32 = softmax(Variable(z32), axis=1)
    g32 = rng.standard_normal((2, 3, 5)).astype(np.float32)
    g_before = g32.copy()
    (grad_a,) = s32.grad_fn(g32)
    grad_a_copy = grad_a.copy()
    (grad_b,) = s32.grad_fn(g32)
    assert grad_a.dtype == np.float32, f"the backward pass of a float32 softmax should be float32, got {grad_a.dtype}"
    assert np.array_equal(g32, g_before), "the backward pass must not modify grad_output"
    assert np.array_equal(grad_a, grad_a_copy) and np.array_equal(grad_b, grad_a_copy), (
        "calling the backward pass twice gave different results (is an array shared and modified?)")
    assert grad_a is not grad_b, "the backward pass should return a new array each time"

    print("✅ softmax matches numpy along every axis and never overflows")
    print("✅ gradients match central differences; dtypes and inputs are preserved")

test_softmax()

# %% [markdown]
# ## Step 2: Embedding, a Learned Lookup Table
#
# ### From token ids to vectors
# A tokenizer (module 14) turns text into integer ids; a network needs vectors. An
# embedding is a (vocab_size, embed_dim) matrix with one learned row per token, and the
# forward pass just **looks rows up**:
#
# ```
#  weight (vocab_size=5, embed_dim=3)          ids = [[3, 1, 3]]   (B=1, T=3)
#   id 0  [ 0.01 -0.02  0.03 ]
#   id 1  [ 0.04  0.00 -0.01 ]  ◀─┐            out (1, 3, 3) = [[ row 3,
#   id 2  [-0.03  0.02  0.02 ]    │                                 row 1,
#   id 3  [ 0.02  0.01 -0.04 ]  ◀─┼─ twice                          row 3 ]]
#   id 4  [ 0.00 -0.01  0.01 ]    │
# ```
#
# ids of any shape S give an output of shape S + (embed_dim,). It is the same as
# multiplying a one-hot matrix by the weight, without building the one-hot matrix:
# a (B·T, vocab_size) matrix of zeros would be wasted memory and time.
#
# ### The backward pass: scatter-add
# Each output row is a copy of one weight row, so the gradient of that weight row is the
# **sum** of the output gradients of every position that used it. Token 3 above appears
# twice: its row gets both gradients, added. Rows no position used get 0.
#
# ```
#  grad_weight = zeros (vocab_size, embed_dim), then for every position p:
#      grad_weight[ids[p]] += grad_output[p]
# ```
#
# The Python loop is what it means; numpy does it in one call: `np.add.at(target,
# indices, values)` adds `values[k]` into `target[indices[k]]` for every k, and, unlike
# `target[indices] += values`, **repeated indices accumulate** (with `+=`, a repeated
# index keeps only one of its additions: a classic silent bug).
#
# ### Initialisation
# Like GPT-2, the rows are drawn from a normal distribution with mean 0 and standard
# deviation 0.02, as float32, from `np.random.default_rng(seed)`. (torch.nn.Embedding uses
# std 1; GPT-2 re-initialises it to 0.02. Small rows keep the first logits small.)
#
# ### Validation (provided)
# `_check_ids` turns the ids (list, ndarray, Tensor or Variable) into an integer array and
# raises `TypeError` for non-integer ids (1.5 is not a token) and `ValueError` naming the
# first id outside [0, vocab_size). Without it, `weight[-1]` silently returns the last
# row, and an id of vocab_size raises an IndexError far from the cause.

# %% nbgrader={"grade": false, "grade_id": "embedding", "locked": false, "schema_version": 3, "solution": true}
#| export
class Embedding:
    """A lookup table: token id -> a learned vector of embed_dim numbers (torch.nn.Embedding)."""

    def __init__(self, vocab_size: int, embed_dim: int, seed: Optional[int] = None):
        """
        Create the (vocab_size, embed_dim) table of learned vectors.

        TODO: Create self.weight as a float32 Parameter.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) the sizes are checked and stored on self
        2. Make a generator with np.random.default_rng(seed)
        3. Draw normal values with mean 0 and standard deviation 0.02, of shape
           (vocab_size, embed_dim)
        4. self.weight = Parameter(those values as float32)

        EXAMPLE USAGE:
        ```python
        emb = Embedding(100, 16, seed=0)
        emb.weight.shape                   # (100, 16)
        emb.weight.dtype                   # float32
        float(emb.weight.data.data.std())  # about 0.02
        ```

        IMPLEMENTATION HINTS:
        - rng.normal(loc, scale, size) draws from a normal distribution
        - .astype(np.float32) converts the float64 draw
        """
        self.vocab_size = _check_positive_int("Embedding", "vocab_size", vocab_size)
        self.embed_dim = _check_positive_int("Embedding", "embed_dim", embed_dim)
        ### BEGIN SOLUTION
        rng = np.random.default_rng(seed)
        table = rng.normal(0.0, 0.02, size=(self.vocab_size, self.embed_dim))
        self.weight = Parameter(table.astype(np.float32))
        ### END SOLUTION

    def _check_ids(self, ids) -> np.ndarray:
        """The ids as an integer ndarray, or a TypeError / ValueError that says what is wrong."""
        from_variable = isinstance(ids, Variable)
        ids_array = _values(ids)
        if ids_array.dtype.kind not in "iu":
            # A Variable always holds floats: accept it when every value is a whole number.
            whole = (from_variable and ids_array.dtype.kind == "f"
                     and bool(np.all(np.floor(ids_array) == ids_array)))
            if not whole:
                raise TypeError(f"Embedding: token ids must be integers, got an array of "
                                f"dtype {ids_array.dtype}")
            ids_array = ids_array.astype(np.int64)
        if ids_array.size:
            bad = (ids_array < 0) | (ids_array >= self.vocab_size)
            if bad.any():
                raise ValueError(f"Embedding: token id {ids_array[bad].flat[0]} is outside "
                                 f"[0, {self.vocab_size}) (vocab_size={self.vocab_size})")
        return ids_array

    def forward(self, ids) -> Variable:
        """
        Look up the vector of every id: ids of shape S -> a Variable of shape S + (embed_dim,).

        TODO: Gather the rows, and give the node a scatter-add backward.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) ids = the checked integer array
        2. table = the weight's ndarray (self.weight.data.data)
        3. rows = the rows of table picked by ids (integer-array indexing), shape
           ids.shape + (embed_dim,)
        4. Write embedding_backward(grad_output): a zero array of the table's shape AND
           dtype; add every position's gradient row into the row of its id (repeated ids
           must accumulate); return it in a 1-tuple
        5. Return apply_op(rows, (self.weight,), embedding_backward, "embedding_backward")

        EXAMPLE USAGE:
        ```python
        emb = Embedding(10, 4, seed=0)
        out = emb([[1, 2, 1]])         # shape (1, 3, 4); rows 0 and 2 are both weight row 1
        out.sum().backward()
        emb.weight.grad.data.data[1]   # [2., 2., 2., 2.]: id 1 was used twice
        emb.weight.grad.data.data[0]   # [0., 0., 0., 0.]: id 0 was not used
        emb([[10]])                    # ValueError: token id 10 is outside [0, 10) ...
        ```

        IMPLEMENTATION HINTS:
        - table[ids] with an integer array ids of shape S gives shape S + (embed_dim,), and
          it is a copy: changing it cannot change the table
        - np.add.at(target, index_array, value_rows) accumulates repeated indices;
          flatten ids to 1-D and grad_output to (number of ids, embed_dim) for it
        - np.zeros(shape, dtype=...) in the table's dtype keeps the gradient float32
        - No Python loop over the positions: a GPT batch has thousands of them
        """
        ids = self._check_ids(ids)
        ### BEGIN SOLUTION
        table = self.weight.data.data
        rows = table[ids]

        def embedding_backward(grad_output):
            grad_table = np.zeros(table.shape, dtype=table.dtype)
            np.add.at(grad_table, ids.reshape(-1), grad_output.reshape(-1, table.shape[1]))
            return (grad_table,)

        return apply_op(rows, (self.weight,), embedding_backward, "embedding_backward")
        ### END SOLUTION

    def __call__(self, ids) -> Variable:
        return self.forward(ids)

    def parameters(self) -> List[Variable]:
        """The trainable values: [weight]."""
        return [self.weight]

    def __repr__(self):
        return f"Embedding({self.vocab_size}, {self.embed_dim})"

# %% [markdown]
# ### 🧪 Test Embedding
#
# The initialisation (mean 0, std 0.02, float32, reproducible from the seed), lookups with
# ids of several shapes and kinds against plain numpy indexing, the scatter-add gradient
# with repeated ids against a Python loop, and the validation errors.

# %% nbgrader={"grade": true, "grade_id": "test-embedding", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_embedding():
    """Embedding looks rows up, scatter-adds gradients (repeats accumulate), and validates ids."""
    print("🔬 Unit Test: Embedding...")
    rng = np.random.default_rng(1)

    # Initialisation: normal(0, 0.02) float32 from default_rng(seed)
    emb = Embedding(50, 8, seed=3)
    expected_table = np.random.default_rng(3).normal(0.0, 0.02, size=(50, 8)).astype(np.float32)
    assert emb.weight.shape == (50, 8), f"weight should be (vocab_size, embed_dim) = (50, 8), got {emb.weight.shape}"
    assert emb.weight.dtype == np.float32, f"weight should be float32, got {emb.weight.dtype}"
    assert np.allclose(emb.weight.data.data, expected_table, rtol=1e-6, atol=1e-9), (
        "weight should be rng.normal(0, 0.02, (vocab_size, embed_dim)) from np.random.default_rng(seed)")
    assert emb.weight.requires_grad, "weight should be a trainable Parameter"
    assert len(emb.parameters()) == 1 and emb.parameters()[0] is emb.weight, "parameters() should be [weight]"
    big = Embedding(1000, 20, seed=0).weight.data.data
    assert 0.019 < float(big.std()) < 0.021 and abs(float(big.mean())) < 0.002, (
        f"weights should have mean 0 and std 0.02, got mean {big.mean():.4f}, std {big.std():.4f}")

    # Lookups: ids of shape S give S + (embed_dim,), the rows of weight
    table = emb.weight.data.data.copy()
    ids = np.array([[4, 7, 4], [0, 49, 7]])                 # (2, 3), with repeats and both ends
    out = emb(ids)
    manual = np.array([[table[i] for i in row] for row in ids.tolist()])
    assert out.shape == (2, 3, 8), f"ids of shape (2, 3) should give (2, 3, 8), got {out.shape}"
    assert out.dtype == np.float32, f"the output should be float32 like the weight, got {out.dtype}"
    assert np.array_equal(out.data.data, manual), "out[b, t] should be weight[ids[b, t]]"
    for kind, given in (("list", ids.tolist()), ("Tensor", Tensor(ids)), ("Variable", Variable(ids)),
                        ("int32 array", ids.astype(np.int32))):
        assert np.array_equal(emb(given).data.data, manual), f"ids given as a {kind} should give the same rows"
    assert emb([5]).shape == (1, 8) and emb(np.array([[[2]]])).shape == (1, 1, 1, 8), (
        "ids of shape S should give S + (embed_dim,) for any S")

    # Backward: L = sum(out * G); weight row r gets the sum of G over the positions with id r
    G = rng.standard_normal((2, 3, 8)).astype(np.float32)
    loss = (out * G).sum()
    loss.backward()
    expected_grad = np.zeros((50, 8))
    for b in range(2):
        for t in range(3):
            expected_grad[ids[b, t]] += G[b, t]
    assert emb.weight.grad is not None, "backward should reach the weight"
    grad = emb.weight.grad.data.data
    assert grad.shape == (50, 8) and grad.dtype == np.float32, f"weight.grad should be (50, 8) float32, got {grad.shape} {grad.dtype}"
    assert np.allclose(grad[4], G[0, 0] + G[0, 2], atol=1e-6), (
        "id 4 is used twice: its gradient row should be the SUM of both positions' gradients")
    assert np.allclose(grad, expected_grad, atol=1e-6), (
        f"weight.grad differs from the scatter-add of the output gradients by up to {np.abs(grad - expected_grad).max():.3g}")
    assert np.count_nonzero(grad.any(axis=1)) == 4, "only the rows of ids 0, 4, 7 and 49 should get a gradient"
    assert np.array_equal(emb.weight.data.data, table), "neither the lookup nor backward may change the weight"
    first = grad.copy()
    emb.weight.zero_grad()
    loss.backward()
    assert np.allclose(emb.weight.grad.data.data, first), "a second backward gave a different gradient"
    (direct,) = out.grad_fn(G)
    assert direct.dtype == np.float32 and direct.shape == (50, 8), (
        f"the backward pass should return a (50, 8) float32 array, got {direct.shape} {direct.dtype}")

    # Validation
    for bad_id in (50, -1, 1000):
        try:
            emb([[1, bad_id]])
        except ValueError as exc:
            assert str(bad_id) in str(exc), f"the error should name the bad id {bad_id}, got: {exc}"
        else:
            raise AssertionError(f"id {bad_id} is outside [0, 50): Embedding should raise ValueError")
    for bad_ids in (np.array([0.5, 1.0]), [1.5], np.array([True, False])):
        try:
            emb(bad_ids)
        except TypeError:
            pass
        else:
            raise AssertionError(f"non-integer ids {bad_ids!r} should raise TypeError")

    print("✅ rows are looked up, repeated ids accumulate gradients, bad ids are reported")

test_embedding()

# %% [markdown]
# ## Step 3: Positional Encodings
#
# ### Attention does not know the order
# Attention (Step 6) compares every query with every key and averages values: shuffle the
# positions and every output is shuffled the same way, nothing else changes. "dog bites
# man" and "man bites dog" would look alike. So before attention we **add a position
# vector** to each token vector: row p of a (max_len, dim) table goes to position p.
#
# ```
#   token vectors (B, T, dim)        position table rows start .. start+T-1
#   [ x₀ ]                           [ PE[start]     ]
#   [ x₁ ]            +              [ PE[start + 1] ]     (the same rows for every batch entry)
#   [ x₂ ]                           [ PE[start + 2] ]
# ```
#
# ### Sinusoidal positions ("Attention Is All You Need", 2017)
# A fixed table, no parameters. Column pair (2i, 2i+1) is a sine and a cosine of the
# position at its own frequency:
#
# ```
# PE[p, 2i]   = sin( p / 10000^(2i/dim) )
# PE[p, 2i+1] = cos( p / 10000^(2i/dim) )          i = 0, 1, ..., dim/2 − 1
#
#   column 0, 1: one turn every 2π ≈ 6 positions    (fast: tells neighbours apart)
#   last columns: one turn every ~60000 positions    (slow: tells far apart positions apart)
# ```
#
# Row 0 is [0, 1, 0, 1, ...]. Every row has the same length, and the table needs an even
# `dim` (sin and cos come in pairs): an odd dim is a ValueError.
#
# ### Learned positions (GPT-2)
# A (max_len, dim) Parameter, initialised like the embedding (normal, std 0.02), that
# training shapes however it likes. GPT-2 uses this; module 16 does too. The gradient of
# row p is the sum, over the batch, of the output gradients at position p; rows beyond T
# get no gradient.
#
# ### The `start` offset
# When a model generates text one token at a time (module 16's KV cache), the new token
# sits at position `start` = the number of tokens already processed, not at 0. So
# `forward(x, start)` adds rows start .. start + T − 1. Positions exist only up to
# max_len − 1: `start + T > max_len` is a ValueError that says which positions were asked
# for (the provided `_position_window` checks it, and the input's shape).
#
# ### Where it is in PyTorch
# GPT-2 in Hugging Face: `self.wpe = nn.Embedding(max_len, dim)` and
# `wpe(torch.arange(past_length, past_length + T))`, that is, exactly the learned table
# with a start offset.

# %% nbgrader={"grade": false, "grade_id": "positional-encodings", "locked": false, "schema_version": 3, "solution": true}
#| export
def sinusoidal_positions(max_len: int, dim: int) -> np.ndarray:
    """
    The (max_len, dim) float32 table of sinusoidal position encodings.

    TODO: Fill the even columns with sines and the odd columns with cosines.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) max_len and dim are checked: positive, dim even
    2. positions: 0 .. max_len − 1 as a float64 column, shape (max_len, 1)
    3. the denominators 10000^(2i/dim) for 2i = 0, 2, 4, ..., dim − 2: shape (dim/2,)
    4. angles = positions / denominators, shape (max_len, dim/2) by broadcasting
    5. table[:, 0::2] = sin(angles), table[:, 1::2] = cos(angles)
    6. Return the table as float32

    EXAMPLE USAGE:
    ```python
    pe = sinusoidal_positions(50, 8)
    pe.shape, pe.dtype      # (50, 8), float32
    pe[0]                   # [0, 1, 0, 1, 0, 1, 0, 1]
    pe[1, 0]                # sin(1) = 0.841...
    sinusoidal_positions(10, 7)   # ValueError: dim must be even ...
    ```

    IMPLEMENTATION HINTS:
    - np.arange(0, dim, 2) gives 0, 2, 4, ... (the 2i of the formula)
    - Compute in float64 and convert at the end: float32 angles of large positions
      lose digits
    - table[:, 0::2] is every other column starting at 0; assigning to it fills them
    """
    max_len = _check_positive_int("sinusoidal_positions", "max_len", max_len)
    dim = _check_positive_int("sinusoidal_positions", "dim", dim)
    if dim % 2:
        raise ValueError(f"sinusoidal_positions: dim must be even (sin and cos pairs), got {dim}")
    ### BEGIN SOLUTION
    positions = np.arange(max_len).reshape(max_len, 1)
    rates = 10000.0 ** (np.arange(0, dim, 2) / dim)
    angles = positions / rates                       # float64: (max_len, 1) / (dim/2,)
    table = np.empty((max_len, dim))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table.astype(np.float32)
    ### END SOLUTION


def _position_window(owner: str, x_shape, max_len: int, dim: int, start) -> Tuple[int, int]:
    """(start, T) for an input of shape (..., T, dim), or a ValueError that says what is wrong."""
    if len(x_shape) < 2 or x_shape[-1] != dim:
        raise ValueError(f"{owner} expects inputs of shape (B, T, {dim}), got shape {tuple(x_shape)}")
    if isinstance(start, bool) or not isinstance(start, numbers.Integral) or start < 0:
        raise ValueError(f"{owner}: start must be an integer >= 0, got {start!r}")
    T = x_shape[-2]
    if start + T > max_len:
        raise ValueError(f"{owner}: positions {start}..{start + T - 1} are needed but "
                         f"max_len is {max_len} (start={start}, T={T})")
    return int(start), T


class SinusoidalPositionalEncoding:
    """Adds the fixed sinusoidal table to (B, T, dim) inputs; no parameters."""

    def __init__(self, max_len: int, dim: int):
        self.max_len = _check_positive_int("SinusoidalPositionalEncoding", "max_len", max_len)
        self.dim = _check_positive_int("SinusoidalPositionalEncoding", "dim", dim)
        self.table = sinusoidal_positions(self.max_len, self.dim)

    def forward(self, x, start: int = 0) -> Variable:
        """
        x (B, T, dim) + the rows start .. start + T − 1 of the table.

        TODO: Add the window of the table to x, as one graph node.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) start and T are checked against max_len and x's shape
        2. window = rows start .. start + T − 1 of self.table, shape (T, dim)
        3. The forward result: x's float values + window (broadcasting over the batch)
        4. The backward: ∂(x + c)/∂x = 1, so the gradient passes through unchanged
        5. Return apply_op(result, (x,), that backward function, "positional_backward")

        EXAMPLE USAGE:
        ```python
        pe = SinusoidalPositionalEncoding(max_len=16, dim=4)
        x = Variable(np.zeros((2, 3, 4), dtype=np.float32))
        pe(x)[0, 0].data.data           # [0, 1, 0, 1]: row 0 of the table
        pe(x, start=5)                  # rows 5, 6, 7
        pe(x, start=14)                 # ValueError: positions 14..16 are needed but max_len is 16
        ```

        IMPLEMENTATION HINTS:
        - self.table[a:b] is rows a .. b − 1
        - _float_values(x) is x's ndarray; `+` makes a new array, x stays as it was
        - A backward function may return grad_output itself when nothing changes it
        """
        start, T = _position_window("SinusoidalPositionalEncoding", _values(x).shape,
                                    self.max_len, self.dim, start)
        ### BEGIN SOLUTION
        window = self.table[start:start + T]

        def positional_backward(grad_output):
            return (grad_output,)

        return apply_op(_float_values(x) + window, (x,), positional_backward, "positional_backward")
        ### END SOLUTION

    def __call__(self, x, start: int = 0) -> Variable:
        return self.forward(x, start)

    def parameters(self) -> List[Variable]:
        """No trainable values: []."""
        return []

    def __repr__(self):
        return f"SinusoidalPositionalEncoding({self.max_len}, {self.dim})"


class LearnedPositionalEncoding:
    """Adds a learned (max_len, dim) table of position vectors to (B, T, dim) inputs."""

    def __init__(self, max_len: int, dim: int, seed: Optional[int] = None):
        """
        Create the (max_len, dim) table of learned position vectors.

        TODO: Create self.weight as a float32 Parameter: normal, mean 0, std 0.02.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) the sizes are checked and stored on self
        2. As in Embedding: np.random.default_rng(seed), a normal draw of shape
           (max_len, dim) with std 0.02, as float32, wrapped in Parameter

        EXAMPLE USAGE:
        ```python
        pe = LearnedPositionalEncoding(64, 16, seed=0)
        pe.weight.shape, pe.weight.dtype     # (64, 16), float32
        pe.parameters()                      # [pe.weight]
        ```

        IMPLEMENTATION HINTS:
        - The same three lines as Embedding.__init__, with other sizes
        """
        self.max_len = _check_positive_int("LearnedPositionalEncoding", "max_len", max_len)
        self.dim = _check_positive_int("LearnedPositionalEncoding", "dim", dim)
        ### BEGIN SOLUTION
        rng = np.random.default_rng(seed)
        self.weight = Parameter(rng.normal(0.0, 0.02, size=(self.max_len, self.dim)).astype(np.float32))
        ### END SOLUTION

    def forward(self, x, start: int = 0) -> Variable:
        """
        x (B, T, dim) + weight[start:start + T]; the gradient reaches those rows of weight.

        TODO: One graph node with two inputs, x and self.weight.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) start and T are checked against max_len and x's shape
        2. table = the weight's ndarray; the result is x's float values + rows
           start .. start + T − 1 of table
        3. Write learned_positional_backward(grad_output) returning two gradients:
           - for x: grad_output itself (addition passes it through)
           - for weight: zeros of the table's shape and dtype, with rows
             start .. start + T − 1 set to grad_output summed over every leading (batch)
             axis, so a (B, T, dim) gradient becomes (T, dim)
        4. Return apply_op with the result, the two inputs (x, then self.weight), the
           backward function, and its name

        EXAMPLE USAGE:
        ```python
        pe = LearnedPositionalEncoding(8, 4, seed=0)
        x = Variable(np.zeros((2, 3, 4), dtype=np.float32))
        pe(x, start=2).sum().backward()
        pe.weight.grad.data.data[:, 0]   # [0, 0, 2, 2, 2, 0, 0, 0]: rows 2..4, two batch entries
        x.grad.data.data[0, 0]           # [1, 1, 1, 1]
        ```

        IMPLEMENTATION HINTS:
        - grad_output.reshape(-1, T, dim) puts every leading axis into one; .sum(axis=0)
          then adds the batch entries (this also works for a (T, dim) input)
        - Use the table's shape for the zeros, not x's
        """
        start, T = _position_window("LearnedPositionalEncoding", _values(x).shape,
                                    self.max_len, self.dim, start)
        ### BEGIN SOLUTION
        table = self.weight.data.data

        def learned_positional_backward(grad_output):
            grad_table = np.zeros(table.shape, dtype=table.dtype)
            grad_table[start:start + T] = grad_output.reshape(-1, T, table.shape[1]).sum(axis=0)
            return grad_output, grad_table

        out = _float_values(x) + table[start:start + T]
        return apply_op(out, (x, self.weight), learned_positional_backward,
                        "learned_positional_backward")
        ### END SOLUTION

    def __call__(self, x, start: int = 0) -> Variable:
        return self.forward(x, start)

    def parameters(self) -> List[Variable]:
        """The trainable values: [weight]."""
        return [self.weight]

    def __repr__(self):
        return f"LearnedPositionalEncoding({self.max_len}, {self.dim})"

# %% [markdown]
# ### 🧪 Test the Positional Encodings
#
# The sinusoidal table against the formula evaluated with `math.sin` / `math.cos` one
# entry at a time, both layers with `start` offsets (including the last allowed one and
# the first forbidden one), and the learned table's gradient: only the rows used, summed
# over the batch.

# %% nbgrader={"grade": true, "grade_id": "test-positional-encodings", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_positional_encodings():
    """Sinusoidal table by the formula; both encodings add the right rows from `start`; gradients."""
    print("🔬 Unit Test: Positional Encodings...")
    rng = np.random.default_rng(2)

    # The sinusoidal table, entry by entry (max_len != dim, so rows and columns cannot swap)
    max_len, dim = 7, 6
    pe = sinusoidal_positions(max_len, dim)
    formula = np.zeros((max_len, dim))
    for p in range(max_len):
        for i in range(dim // 2):
            angle = p / 10000 ** (2 * i / dim)
            formula[p, 2 * i], formula[p, 2 * i + 1] = math.sin(angle), math.cos(angle)
    assert isinstance(pe, np.ndarray) and pe.shape == (7, 6), f"the table should be a (7, 6) ndarray, got {getattr(pe, 'shape', pe)}"
    assert pe.dtype == np.float32, f"the table should be float32, got {pe.dtype}"
    assert np.allclose(pe, formula, atol=1e-6), (
        f"the table differs from PE[p, 2i] = sin(p / 10000^(2i/dim)), PE[p, 2i+1] = cos(...) by up to "
        f"{np.abs(pe - formula).max():.3g}")
    assert np.allclose(sinusoidal_positions(3, 2), [[0, 1], [math.sin(1), math.cos(1)], [math.sin(2), math.cos(2)]], atol=1e-6)
    far = sinusoidal_positions(5000, 8)[4990:]               # large positions need float64 angles
    far_formula = [[f(p / 10000 ** (2 * (c // 2) / 8)) for c, f in enumerate([math.sin, math.cos] * 4)]
                   for p in range(4990, 5000)]
    assert np.allclose(far, far_formula, atol=2e-6), (
        f"positions 4990..4999 differ from the formula by up to {np.abs(far - np.array(far_formula)).max():.3g}: "
        f"compute the angles in float64 and convert the table to float32 at the end")
    for bad in ((10, 7), (10, 0), (0, 4)):
        try:
            sinusoidal_positions(*bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"sinusoidal_positions{bad} should raise ValueError")

    # SinusoidalPositionalEncoding: x + table[start:start + T]
    layer = SinusoidalPositionalEncoding(10, 4)
    table = sinusoidal_positions(10, 4)
    x_data = rng.standard_normal((2, 3, 4)).astype(np.float32)
    x_before = x_data.copy()
    x = Variable(x_data)
    for start in (0, 5, 7):                       # 7: positions 7, 8, 9, the last ones
        out = layer(x, start=start)
        assert out.shape == (2, 3, 4) and out.dtype == np.float32, f"start={start}: expected (2, 3, 4) float32, got {out.shape} {out.dtype}"
        assert np.allclose(out.data.data, x_data + table[start:start + 3], atol=1e-6), (
            f"start={start}: the output should be x + table[{start}:{start + 3}]")
    assert np.allclose(layer(x).data.data[1], x_data[1] + table[:3], atol=1e-6), "start defaults to 0"
    out = layer(x, start=2)
    out.backward(np.full((2, 3, 4), 3.0, dtype=np.float32))
    assert np.allclose(x.grad.data.data, 3.0), "the gradient should pass through the addition unchanged"
    assert np.array_equal(x.data.data, x_before), "the encoding must not modify its input"
    assert layer.parameters() == [], "the sinusoidal encoding has no parameters"

    # LearnedPositionalEncoding: weight, rows from start, gradient to both inputs
    learned = LearnedPositionalEncoding(9, 4, seed=5)
    w = learned.weight.data.data.copy()
    assert learned.weight.shape == (9, 4) and learned.weight.dtype == np.float32, (
        f"weight should be (max_len, dim) = (9, 4) float32, got {learned.weight.shape} {learned.weight.dtype}")
    assert np.allclose(w, np.random.default_rng(5).normal(0.0, 0.02, size=(9, 4)), rtol=1e-5, atol=1e-8), (
        "weight should be rng.normal(0, 0.02, (max_len, dim)) from np.random.default_rng(seed), as float32")
    assert len(learned.parameters()) == 1 and learned.parameters()[0] is learned.weight, "parameters() should be [weight]"
    x = Variable(x_data.copy())
    out = learned(x, start=4)
    assert out.shape == (2, 3, 4) and out.dtype == np.float32, f"expected a (2, 3, 4) float32 output, got {out.shape} {out.dtype}"
    assert np.allclose(out.data.data, x_data + w[4:7], atol=1e-7), "the output should be x + weight[4:7]"
    G = rng.standard_normal((2, 3, 4)).astype(np.float32)
    loss = (out * G).sum()
    loss.backward()
    expected = np.zeros((9, 4))
    expected[4:7] = G[0] + G[1]
    assert learned.weight.grad is not None, "the gradient should reach the weight"
    assert np.allclose(learned.weight.grad.data.data, expected, atol=1e-6), (
        "weight.grad should be the output gradient summed over the batch, in rows start..start+T-1, zero elsewhere")
    assert np.allclose(x.grad.data.data, G), "x.grad should be the output gradient"
    assert np.array_equal(learned.weight.data.data, w), "the forward / backward pass must not change the weight"
    first = learned.weight.grad.data.data.copy()
    learned.weight.zero_grad()
    loss.backward()
    assert np.allclose(learned.weight.grad.data.data, first), "a second backward gave a different gradient"
    (gx, gw) = out.grad_fn(G)
    assert gw.shape == (9, 4) and gw.dtype == np.float32, f"the weight's gradient should be (9, 4) float32, got {gw.shape} {gw.dtype}"
    single = learned(Variable(x_data[0]), start=1)        # a (T, dim) input works too
    assert np.allclose(single.data.data, x_data[0] + w[1:4], atol=1e-7), "a (T, dim) input should get rows start..start+T-1"
    assert np.allclose(learned(x, start=6).data.data, x_data + w[6:9], atol=1e-7), "start=6, T=3 uses the last rows 6, 7, 8"

    # start + T > max_len is an error that names the positions
    for encoding in (layer, learned):
        try:
            encoding(Variable(np.zeros((1, 4, 4), dtype=np.float32)), start=encoding.max_len - 3)
        except ValueError as exc:
            assert str(encoding.max_len) in str(exc), f"the error should mention max_len, got: {exc}"
        else:
            raise AssertionError(f"{encoding!r}: start + T > max_len should raise ValueError")
        try:
            encoding(Variable(np.zeros((1, 2, 5), dtype=np.float32)))
        except ValueError:
            pass
        else:
            raise AssertionError(f"{encoding!r}: an input whose last axis is not dim should raise ValueError")

    print("✅ the sinusoidal table follows the formula; both encodings add the right rows")
    print("✅ the learned table gets gradients only in the rows it used, summed over the batch")

test_positional_encodings()

# %% [markdown]
# ## Step 4: Layer Normalisation
#
# ### Why normalise
# A transformer adds the output of every block to its input (module 16's residual
# connections). Over many blocks the vectors' scale drifts, and a layer whose input is
# sometimes tiny and sometimes huge trains badly. **Layer normalisation** rescales every
# position's vector to mean 0 and variance 1, then lets the network choose its own scale
# (γ, gamma) and shift (β, beta) per feature:
#
# ```
# for every position (one row of the last axis, D numbers):
#     μ  = mean(x)                          σ² = mean((x − μ)²)       (biased: divide by D)
#     x̂  = (x − μ) / √(σ² + ε)              ε = 1e-5 keeps it finite for a constant row
#     y  = γ ⊙ x̂ + β                        γ starts as ones, β as zeros: y = x̂ at first
#
#   x = [ 2.0  4.0  6.0 ]   μ = 4, σ² = 8/3     x̂ = [ −1.22  0.00  1.22 ]
# ```
#
# It normalises over the **last axis only**, each position on its own, so it behaves the
# same for a batch of 1 and a batch of 1000 (unlike batch normalisation), in training and
# when generating. That is why every transformer uses it.
#
# ### The backward pass
# With g = ∂L/∂y, write ĝ = g ⊙ γ (the gradient reaching x̂). Every x̂ in a row depends on
# every x of that row through μ and σ, and the chain rule collapses to (all means over the
# last axis, kept with size 1):
#
# ```
# ∂L/∂x = ( ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂) ) / √(σ² + ε)
# ∂L/∂γ = Σ over all positions of g ⊙ x̂           (shape (D,))
# ∂L/∂β = Σ over all positions of g               (shape (D,))
# ```
#
# Reading it: the gradient of a normalised row cannot change the row's mean (subtract
# mean(ĝ)) or its scale (subtract the part along x̂), and is divided by the row's standard
# deviation. γ and β are shared by every position, so their gradients add up over all
# leading axes (batch and time).
#
# ### One fused node
# As a chain of Variable operations LayerNorm is about ten graph nodes and ten arrays of
# the input's size kept for backward; here it is one node that keeps x̂ and 1/√(σ² + ε).
# PyTorch's `torch.nn.LayerNorm(D, eps=1e-5)` is likewise one kernel with its own backward
# (`native_layer_norm_backward`), with the same biased variance.

# %% nbgrader={"grade": false, "grade_id": "layernorm", "locked": false, "schema_version": 3, "solution": true}
#| export
class LayerNorm:
    """Normalise the last axis to mean 0 and variance 1, then scale by gamma and shift by beta."""

    def __init__(self, dim: int, eps: float = 1e-5):
        self.dim = _check_positive_int("LayerNorm", "dim", dim)
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
            raise ValueError(f"LayerNorm: eps must be a positive number, got {eps!r}")
        self.eps = float(eps)
        self.gamma = Parameter(np.ones(self.dim, dtype=np.float32))
        self.beta = Parameter(np.zeros(self.dim, dtype=np.float32))

    def forward(self, x) -> Variable:
        """
        Layer normalisation over the last axis of x (..., dim), as one graph node.

        TODO: Compute y = gamma * x̂ + beta and its three gradients in one apply_op node.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) values = x's float numbers, with the last axis checked; gamma and
           beta = the parameters' ndarrays
        2. centered = values minus their mean over the last axis (keepdims)
        3. variance = mean of centered² over the last axis (keepdims): the biased variance
        4. inv_std = 1 / sqrt(variance + self.eps); normed = centered scaled by inv_std
        5. out = normed scaled by gamma (feature by feature), then shifted by beta
        6. Write layernorm_backward(grad_output) returning (grad_x, grad_gamma, grad_beta)
           with the formulas above: grad_x has x's shape, the other two have shape (dim,),
           summed over every position
        7. Return apply_op(out, (x, self.gamma, self.beta), layernorm_backward,
           "layernorm_backward")

        EXAMPLE USAGE:
        ```python
        ln = LayerNorm(3)
        ln(Variable([[2.0, 4.0, 6.0]])).data.data     # [[-1.2247, 0.0, 1.2247]]
        y = ln(Variable(np.ones((2, 5, 3), dtype=np.float32)))   # float32, all zeros
        ln(Variable(np.ones((2, 4))))                  # ValueError: ... last axis is 3 ...
        ```

        IMPLEMENTATION HINTS:
        - Every reduction here is over axis=-1 with keepdims=True, so (B, T, 1) results
          broadcast back against (B, T, D)
        - Reshaping a gradient to (-1, dim) puts every position in one axis: a sum over
          axis 0 then gives the (dim,) gradients of gamma and beta
        - self.eps is a Python float: it does not turn float32 into float64
        - Do not use np.var(..., ddof=1): torch.nn.LayerNorm divides by D, not D − 1
        """
        values = _float_values(x)
        if values.ndim == 0 or values.shape[-1] != self.dim:
            raise ValueError(f"LayerNorm({self.dim}) expects inputs whose last axis is "
                             f"{self.dim}, got shape {values.shape}")
        gamma, beta = self.gamma.data.data, self.beta.data.data
        ### BEGIN SOLUTION
        centered = values - values.mean(axis=-1, keepdims=True)
        variance = np.mean(centered * centered, axis=-1, keepdims=True)
        inv_std = 1.0 / np.sqrt(variance + self.eps)
        normed = centered * inv_std
        out = normed * gamma + beta

        def layernorm_backward(grad_output):
            grad_normed = grad_output * gamma
            mean_grad = grad_normed.mean(axis=-1, keepdims=True)
            mean_proj = np.mean(grad_normed * normed, axis=-1, keepdims=True)
            grad_x = inv_std * (grad_normed - mean_grad - normed * mean_proj)
            flat = grad_output.reshape(-1, gamma.shape[0])
            grad_gamma = (flat * normed.reshape(-1, gamma.shape[0])).sum(axis=0)
            grad_beta = flat.sum(axis=0)
            return grad_x, grad_gamma, grad_beta

        return apply_op(out, (x, self.gamma, self.beta), layernorm_backward, "layernorm_backward")
        ### END SOLUTION

    def __call__(self, x) -> Variable:
        return self.forward(x)

    def parameters(self) -> List[Variable]:
        """The trainable values: [gamma, beta]."""
        return [self.gamma, self.beta]

    def __repr__(self):
        return f"LayerNorm({self.dim}, eps={self.eps})"

# %% [markdown]
# ### 🧪 Test LayerNorm
#
# The forward pass against numpy's `np.var` (biased) with a non-trivial γ and β and two
# values of ε, and all three gradients against central differences in float64. For the
# float64 check the test swaps float64 Variables in for γ and β: the forward pass reads
# whatever `self.gamma` and `self.beta` hold.

# %% nbgrader={"grade": true, "grade_id": "test-layernorm", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_layernorm():
    """LayerNorm matches numpy over the last axis; x, gamma and beta gradients match central differences."""
    print("🔬 Unit Test: LayerNorm...")
    rng = np.random.default_rng(3)

    def reference(x_, g_, b_, eps):
        mu = np.mean(x_, axis=-1, keepdims=True)
        sigma2 = np.var(x_, axis=-1, keepdims=True)          # biased, as torch.nn.LayerNorm
        return (x_ - mu) / np.sqrt(sigma2 + eps) * g_ + b_

    ln = LayerNorm(5)
    assert ln.gamma.shape == (5,) and ln.beta.shape == (5,), "gamma and beta should have shape (dim,)"
    assert np.array_equal(ln.gamma.data.data, np.ones(5)) and np.array_equal(ln.beta.data.data, np.zeros(5)), (
        "gamma should start as ones and beta as zeros")
    assert ln.gamma.dtype == np.float32 and ln.beta.dtype == np.float32, "gamma and beta should be float32"
    assert [p is q for p, q in zip(ln.parameters(), [ln.gamma, ln.beta])] == [True, True], "parameters() should be [gamma, beta]"

    x = rng.standard_normal((2, 3, 5)) * 3 + 1
    y = ln(Variable(x.copy()))
    assert y.shape == (2, 3, 5), f"the output should keep the shape (2, 3, 5), got {y.shape}"
    assert np.allclose(y.data.data.mean(axis=-1), 0, atol=1e-7), "with gamma=1, beta=0 every row should have mean 0"
    assert np.allclose(y.data.data.var(axis=-1), 1, atol=1e-4), "with gamma=1, beta=0 every row should have variance ~1"

    # A float64 LayerNorm with random gamma, beta and two epsilons
    g = rng.standard_normal(5)
    b = rng.standard_normal(5)
    for eps in (1e-5, 0.5):
        ln = LayerNorm(5, eps=eps)
        ln.gamma, ln.beta = Variable(g.copy()), Variable(b.copy())
        xv = Variable(x.copy())
        out = ln(xv)
        expected = reference(x, g, b, eps)
        assert np.allclose(out.data.data, expected, atol=1e-10), (
            f"eps={eps}: the output differs from (x - mean) / sqrt(var + eps) * gamma + beta by up to "
            f"{np.abs(out.data.data - expected).max():.3g} (normalise over the last axis, biased variance)")

        W = rng.standard_normal((2, 3, 5))
        loss = (out * W).sum()
        loss.backward()
        grad_x = numeric_grad(lambda: float(np.sum(reference(x, g, b, eps) * W)), x)
        grad_g = numeric_grad(lambda: float(np.sum(reference(x, g, b, eps) * W)), g)
        grad_b = numeric_grad(lambda: float(np.sum(reference(x, g, b, eps) * W)), b)
        for name, var, numeric in (("x", xv, grad_x), ("gamma", ln.gamma, grad_g), ("beta", ln.beta, grad_b)):
            assert var.grad is not None and var.grad.shape == numeric.shape, f"{name}.grad should have shape {numeric.shape}"
            assert np.allclose(var.grad.data.data, numeric, atol=1e-6), (
                f"eps={eps}: the gradient of {name} differs from central differences by up to "
                f"{np.abs(var.grad.data.data - numeric).max():.3g}")
        assert np.array_equal(xv.data.data, x), "LayerNorm must not modify its input"
        kept = out.data.data.copy()
        first = xv.grad.data.data.copy()
        xv.zero_grad()
        loss.backward()
        assert np.array_equal(out.data.data, kept), "backward must not modify the output"
        assert np.allclose(xv.grad.data.data, first, atol=1e-14), "a second backward gave a different gradient"

    # A 2-D input and a non-square one: the last axis is the one normalised
    ln = LayerNorm(3)
    ln.gamma, ln.beta = Variable(g[:3].copy()), Variable(b[:3].copy())
    x2 = rng.standard_normal((4, 3))
    assert np.allclose(ln(x2).data.data, reference(x2, g[:3], b[:3], 1e-5), atol=1e-10), "a (4, 3) input: normalise each row"

    # float32 stays float32, in the output and in the backward pass
    ln = LayerNorm(5)
    x32 = x.astype(np.float32)
    out = ln(Variable(x32))
    assert out.dtype == np.float32, f"float32 in should give float32 out, got {out.dtype}"
    grads = out.grad_fn(rng.standard_normal((2, 3, 5)).astype(np.float32))
    assert [a.dtype for a in grads] == [np.float32] * 3, f"the gradients of a float32 LayerNorm should be float32, got {[a.dtype for a in grads]}"
    assert [a.shape for a in grads] == [(2, 3, 5), (5,), (5,)], f"the gradients should have shapes (2, 3, 5), (5,), (5,), got {[a.shape for a in grads]}"
    assert np.all(np.isfinite(ln(np.ones((2, 5))).data.data)), "a constant row should give finite values (eps)"

    for bad in (np.ones((2, 4)), np.ones((5, 3))):
        try:
            LayerNorm(5)(bad)
        except ValueError as exc:
            assert str(bad.shape) in str(exc), f"the error should show the input's shape {bad.shape}, got: {exc}"
        else:
            raise AssertionError(f"LayerNorm(5) on shape {bad.shape} should raise ValueError")

    print("✅ LayerNorm normalises the last axis exactly as torch.nn.LayerNorm")
    print("✅ gradients for x, gamma and beta match central differences")

test_layernorm()

# %% [markdown]
# ## Step 5: Masks, Who May Attend to Whom
#
# A mask is a boolean array that broadcasts against the (..., Tq, Tk) scores: **True where
# query i may attend to key j**, False where it may not. This is the convention of
# PyTorch's `scaled_dot_product_attention` boolean `attn_mask` (careful: the older
# `torch.nn.MultiheadAttention` uses the opposite one, True = blocked).
#
# ### Causal mask: no peeking at the future
# A language model is trained to predict token t+1 from tokens 0..t, all positions at
# once. If position t could attend to position t+1, it would just copy the answer. So
# query i may attend to key j only when **j ≤ i**: the lower triangle, diagonal included
# (a token may look at itself).
#
# ```
# causal_mask(4)            key j →  0  1  2  3
#                    query i = 0   [ T  F  F  F ]
#                              1   [ T  T  F  F ]      allowed: j <= i
#                              2   [ T  T  T  F ]      blocked: j = i + 1, i + 2, ...
#                              3   [ T  T  T  T ]
# ```
#
# ### Padding mask: ignore filler tokens
# Sequences of different lengths are batched by filling the short ones with a pad id.
# No query should attend to a pad **key**. `padding_mask(tokens, pad_id)` is True where
# the key is a real token, with shape (B, 1, T): the 1 is the query axis, so every query
# of sequence b gets the same row.
#
# ```
# tokens = [[5, 7, 9, 0],          padding_mask(tokens, pad_id=0)  (2, 1, 4)
#           [3, 8, 0, 0]]          [[[T, T, T, F]],
#                                   [[T, T, F, F]]]
#
# causal_mask(4) & padding_mask(tokens, 0)  ->  (2, 4, 4): (4, 4) & (2, 1, 4) broadcast
# ```
#
# (Queries at pad positions still produce outputs; the loss simply ignores them.)
# Building the masks is cheap; what matters is that they are exactly right: one
# off-by-one in the causal mask and the model learns to copy the next token, scores
# beautifully in training, and generates garbage.

# %% nbgrader={"grade": false, "grade_id": "masks", "locked": false, "schema_version": 3, "solution": true}
#| export
def causal_mask(T: int) -> np.ndarray:
    """
    (T, T) bool: True where query i may attend to key j, that is, j <= i.

    TODO: Return the lower triangle (diagonal included) of a (T, T) boolean array.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) T is checked: an integer >= 1
    2. Build a (T, T) array that is True on and below the diagonal, False above it
    3. Return it with dtype bool

    EXAMPLE USAGE:
    ```python
    causal_mask(3)
    # [[ True, False, False],
    #  [ True,  True, False],
    #  [ True,  True,  True]]
    ```

    IMPLEMENTATION HINTS:
    - np.tril(a) keeps the lower triangle of a (diagonal included) and zeroes the rest
    - Or compare index grids: np.arange(T) as a column against np.arange(T) as a row
    - np.ones(shape, dtype=bool) is an all-True array
    """
    T = _check_positive_int("causal_mask", "T", T)
    ### BEGIN SOLUTION
    return np.tril(np.ones((T, T), dtype=bool))
    ### END SOLUTION


def padding_mask(tokens, pad_id: int) -> np.ndarray:
    """
    (B, 1, T) bool: True where the key is a real token (tokens != pad_id).

    TODO: Compare the tokens with pad_id and insert the query axis.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) tokens = a (B, T) ndarray, checked
    2. real = tokens != pad_id, a (B, T) boolean array
    3. Return it reshaped to (B, 1, T)

    EXAMPLE USAGE:
    ```python
    padding_mask([[5, 7, 0]], pad_id=0)          # [[[ True,  True, False]]]
    padding_mask(np.zeros((2, 6)), 0).shape      # (2, 1, 6)
    (causal_mask(6) & padding_mask(np.zeros((2, 6)), 0)).shape   # (2, 6, 6)
    ```

    IMPLEMENTATION HINTS:
    - A comparison of an array with a number gives a boolean array
    - x[:, None, :] or x.reshape(B, 1, T) inserts an axis of size 1
    """
    tokens = _values(tokens)
    if tokens.ndim != 2:
        raise ValueError(f"padding_mask expects tokens of shape (B, T), got shape {tokens.shape}")
    ### BEGIN SOLUTION
    real = tokens != pad_id
    return real.reshape(tokens.shape[0], 1, tokens.shape[1])
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test the Masks
#
# Every entry of the causal mask against `j <= i` (the diagonal allowed, `j = i + 1`
# blocked), the padding mask with a pad id that is not 0, and the two combined.

# %% nbgrader={"grade": true, "grade_id": "test-masks", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_masks():
    """causal_mask is j <= i exactly; padding_mask marks real keys with shape (B, 1, T)."""
    print("🔬 Unit Test: Masks...")

    for T in (1, 2, 5):
        m = causal_mask(T)
        expected = np.array([[j <= i for j in range(T)] for i in range(T)])
        assert isinstance(m, np.ndarray) and m.dtype == np.bool_, f"causal_mask({T}) should be a bool ndarray, got {type(m)} {getattr(m, 'dtype', '')}"
        assert m.shape == (T, T), f"causal_mask({T}) should have shape ({T}, {T}), got {m.shape}"
        assert np.array_equal(m, expected), f"causal_mask({T}) should be True exactly where j <= i, got\n{m}"
    m = causal_mask(6)
    assert bool(np.all(np.diagonal(m))), "the diagonal must be allowed: a token may attend to itself"
    assert not bool(np.any(np.diagonal(m, offset=1))), "key j = i + 1 (the next token) must be blocked"
    assert int(m.sum()) == 21, f"causal_mask(6) should allow 6 * 7 / 2 = 21 pairs, got {int(m.sum())}"
    for bad in (0, -2, 2.5):
        try:
            causal_mask(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"causal_mask({bad!r}) should raise ValueError")

    tokens = np.array([[5, 3, 3, 0, 2], [3, 3, 1, 4, 0]])    # pad_id 3 here; 0 is a real token
    p = padding_mask(tokens, pad_id=3)
    expected = np.array([[[True, False, False, True, True]], [[False, False, True, True, True]]])
    assert isinstance(p, np.ndarray) and p.dtype == np.bool_, f"padding_mask should return a bool ndarray, got {getattr(p, 'dtype', type(p))}"
    assert p.shape == (2, 1, 5), f"padding_mask of (2, 5) tokens should have shape (2, 1, 5), got {p.shape}"
    assert np.array_equal(p, expected), f"padding_mask should be True where the token is not the pad id, got\n{p}"
    assert np.array_equal(padding_mask(tokens.tolist(), 0)[:, 0], tokens != 0), "tokens may be a list; pad_id 0"
    assert padding_mask(Tensor(tokens), 3).shape == (2, 1, 5), "tokens may be a Tensor"

    both = causal_mask(5) & p
    assert both.shape == (2, 5, 5), f"causal & padding should broadcast to (2, 5, 5), got {both.shape}"
    assert np.array_equal(both[1, 3], [False, False, True, True, False]), (
        f"sequence 1, query 3 may see keys 2 and 3 (0 and 1 are padding, 4 is the future), got {both[1, 3]}")
    try:
        padding_mask(np.array([1, 2, 3]), 0)
    except ValueError:
        pass
    else:
        raise AssertionError("padding_mask of 1-D tokens should raise ValueError: it expects (B, T)")

    print("✅ causal mask: diagonal allowed, the future blocked; padding mask: real keys only")

test_masks()

# %% [markdown]
# ## Step 6: Scaled Dot-Product Attention
#
# ### The formula
# ```
# Attention(Q, K, V) = softmax( Q Kᵀ / √d  [masked] ) V
#
#   Q (..., Tq, d)   K (..., Tk, d)   V (..., Tk, dv)
#   scores  = Q @ Kᵀ / √d        (..., Tq, Tk)    score[i, j] = qᵢ · kⱼ / √d
#   weights = softmax(scores)    (..., Tq, Tk)    over the keys: each row sums to 1
#   output  = weights @ V        (..., Tq, dv)    row i = Σⱼ weights[i, j] · vⱼ
# ```
#
# The `...` are batch axes (batch, heads): every (Tq, Tk) slice is one independent
# attention. Kᵀ means **the last two axes of K swapped**: `np.swapaxes(K, -1, -2)`, never
# `K.T`, which reverses *all* the axes of a 4-D array, (B, H, Tk, d) → (d, Tk, H, B).
#
# ### Why divide by √d
# If the entries of q and k are independent with variance 1, q · k is a sum of d products
# and has variance d. With d = 64 the scores spread over ±8 or more, the softmax saturates
# (one weight ≈ 1, the others ≈ 0) and its gradients vanish. Dividing by √d brings the
# variance back to 1. Note: d is the size of the query/key vectors, not dv.
#
# ### Masking
# Where the mask is False the score is replaced by **−1e9** before the softmax: exp(−1e9 −
# max) is exactly 0, so the weight is 0. A finite number, not −inf: a row where every key
# is masked then gets equal weights instead of 0/0 = NaN (PyTorch returns NaN there).
# A masked score is a constant, so **no gradient flows through it**: the backward pass
# multiplies the score gradient by the mask.
#
# ### The graph: three nodes
# ```
#  q ─┐                                                v ─┐
#     ├─▶ attention_scores (Q Kᵀ/√d, masked) ──▶ softmax ──┴─▶ weights @ v ──▶ output
#  k ─┘        one fused node (you write it)     Step 1        Variable matmul (module 07)
# ```
#
# `attention_scores(q, k, mask)` is one node with a hand-written backward. With
# S = Q Kᵀ · c (c = 1/√d) and G = ∂L/∂S (zeroed where masked):
#
# ```
# ∂L/∂Q = c · G @ K            (..., Tq, Tk) @ (..., Tk, d)  = (..., Tq, d)
# ∂L/∂K = c · Gᵀ @ Q           (..., Tk, Tq) @ (..., Tq, d)  = (..., Tk, d)   (Gᵀ: last two axes swapped)
# ```
#
# `scaled_dot_product_attention` then applies your softmax and multiplies by v with the
# Variable `@` (module 07's batched matmul, which has its own backward). It returns both
# the output and the weights, so you can look at what attends to what.
#
# The provided `_check_attention_shapes` raises a ValueError naming the shapes when q, k
# and v do not fit (q and k must share d; k and v must share Tk), and `_mask_array`
# checks that a mask is boolean and broadcasts to the scores.
#
# ### Where it is in PyTorch
# `torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)` with a
# boolean mask (True = attend), the same shapes, the same scale; PyTorch fuses all of it
# into one kernel (FlashAttention on GPUs, Step 7 says why).

# %% nbgrader={"grade": false, "grade_id": "attention", "locked": false, "schema_version": 3, "solution": true}
#| export
MASKED_SCORE = -1e9   # finite: a row whose keys are all masked still has a finite softmax


def _check_attention_shapes(q_shape, k_shape, v_shape):
    """A ValueError that names the shapes when q, k and v do not fit together."""
    if len(q_shape) < 2 or len(k_shape) < 2 or len(v_shape) < 2:
        raise ValueError(f"scaled_dot_product_attention expects q (..., Tq, d), k (..., Tk, d), "
                         f"v (..., Tk, dv); got shapes {q_shape}, {k_shape}, {v_shape}")
    if q_shape[-1] != k_shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: q and k need the same last axis d, "
                         f"got q {q_shape} and k {k_shape}")
    if k_shape[-2] != v_shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: k and v need the same number of keys "
                         f"(axis -2), got k {k_shape} and v {v_shape}")


def _mask_array(mask, scores_shape) -> np.ndarray:
    """The mask as a bool ndarray that broadcasts to the scores, or an error that says why not."""
    allowed = _values(mask)
    if allowed.dtype != np.bool_:
        raise TypeError(f"attention mask must be boolean (True = may attend), got dtype {allowed.dtype}")
    try:
        fits = np.broadcast_shapes(allowed.shape, scores_shape) == tuple(scores_shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"attention mask of shape {allowed.shape} does not broadcast to the "
                         f"scores of shape {tuple(scores_shape)}")
    return allowed


def attention_scores(q, k, mask=None) -> Variable:
    """
    The scores q @ kᵀ / √d (last two axes of k swapped), masked scores set to -1e9: one node.

    TODO: Compute the scaled, masked scores and their backward pass.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) Q, K = q's and k's float ndarrays
    2. scale = 1 / √d, with d the last axis of Q (a Python float: it keeps float32)
    3. scores = Q matrix-multiplied with K whose last two axes are swapped, times scale
    4. If a mask is given: get it as a checked boolean array from the provided
       _mask_array (pass it the mask and the scores' shape); put MASKED_SCORE into the
       scores wherever that array is False
    5. Write attention_scores_backward(grad_output) returning (grad_q, grad_k):
       G = grad_output * scale, times the mask if there is one (masked scores get no
       gradient); grad_q = G @ K; grad_k = (G with its last two axes swapped) @ Q
    6. Return apply_op(scores, (q, k), attention_scores_backward, "attention_scores_backward")

    EXAMPLE USAGE:
    ```python
    q = Variable(np.ones((2, 3, 4)))          # (B, Tq, d)
    k = Variable(np.ones((2, 5, 4)))          # (B, Tk, d)
    attention_scores(q, k).shape              # (2, 3, 5); every score 4 / sqrt(4) = 2
    attention_scores(q, k, np.tril(np.ones((3, 5), dtype=bool)))   # -1e9 above the diagonal
    ```

    IMPLEMENTATION HINTS:
    - np.swapaxes(K, -1, -2) swaps the last two axes; K.T reverses ALL of them
    - np.matmul (or @) multiplies stacks of matrices over the leading axes
    - np.where(allowed, scores, MASKED_SCORE) or np.copyto(scores, MASKED_SCORE,
      where=~allowed) fill the masked entries; a Python float keeps float32
    - The mask broadcasts: a (Tq, Tk) mask works for (B, H, Tq, Tk) scores, and
      multiplying a gradient by it zeroes the masked entries
    - Never modify grad_output: multiply into a new array
    """
    Q, K = _float_values(q), _float_values(k)
    ### BEGIN SOLUTION
    scale = 1.0 / math.sqrt(Q.shape[-1])
    scores = np.matmul(Q, np.swapaxes(K, -1, -2))
    scores *= scale
    allowed = None
    if mask is not None:
        allowed = _mask_array(mask, scores.shape)
        np.copyto(scores, MASKED_SCORE, where=~allowed)

    def attention_scores_backward(grad_output):
        grad = grad_output * scale
        if allowed is not None:
            grad *= allowed          # a masked score is a constant: no gradient
        grad_q = np.matmul(grad, K)
        grad_k = np.matmul(np.swapaxes(grad, -1, -2), Q)
        return grad_q, grad_k

    return apply_op(scores, (q, k), attention_scores_backward, "attention_scores_backward")
    ### END SOLUTION


def scaled_dot_product_attention(q, k, v, mask=None) -> Tuple[Variable, Variable]:
    """
    softmax(q @ kᵀ / √d, masked) @ v -> (output (..., Tq, dv), weights (..., Tq, Tk)).

    TODO: Chain attention_scores, softmax and a matrix product.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) the shapes of q, k and v are checked
    2. weights = your softmax of attention_scores(q, k, mask), over the last axis (keys)
    3. output = weights @ v (weights is a Variable, so `@` is the Variable matmul, which
       accepts a Variable, a Tensor or an ndarray v)
    4. Return (output, weights)

    EXAMPLE USAGE:
    ```python
    q, k, v = (Variable(np.random.randn(2, 4, 3, 8)) for _ in range(3))   # (B, H, T, d)
    out, w = scaled_dot_product_attention(q, k, v, mask=causal_mask(3))
    out.shape, w.shape            # (2, 4, 3, 8), (2, 4, 3, 3)
    w.data.data[0, 0, 0]          # [1, 0, 0]: the first token sees only itself
    out.sum().backward()          # gradients reach q, k and v
    ```

    IMPLEMENTATION HINTS:
    - softmax(..., axis=-1): the weights of one query sum to 1 over the keys
    - Variable @ Variable is module 07's matmul, batched over the leading axes
    """
    _check_attention_shapes(_values(q).shape, _values(k).shape, _values(v).shape)
    ### BEGIN SOLUTION
    weights = softmax(attention_scores(q, k, mask), -1)     # over the keys
    output = weights @ v
    return output, weights
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Scaled Dot-Product Attention
#
# The reference below is deliberately plain: a loop over the batch axes, 2-D numpy
# arrays, where `.T` is correct. The test uses Tq ≠ Tk and d ≠ dv, so a missing swap, a
# `.T` on a 4-D array or a scale by √dv cannot pass; masks of several shapes, including a
# row with no allowed key; and gradients to q, k and v against central differences.

# %% nbgrader={"grade": true, "grade_id": "test-attention", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: softmax
def test_scaled_dot_product_attention():
    """Attention matches a per-slice numpy reference, masks exactly, and has the right gradients."""
    print("🔬 Unit Test: Scaled Dot-Product Attention...")
    rng = np.random.default_rng(4)

    def reference(Q, K, V, mask=None):
        """Loop over the batch axes; each slice is plain 2-D numpy."""
        batch = Q.shape[:-2]
        out = np.zeros(batch + (Q.shape[-2], V.shape[-1]))
        weights = np.zeros(batch + (Q.shape[-2], K.shape[-2]))
        full = None if mask is None else np.broadcast_to(mask, batch + (Q.shape[-2], K.shape[-2]))
        for index in np.ndindex(*batch):
            s = Q[index] @ K[index].T / math.sqrt(Q.shape[-1])
            if full is not None:
                s = np.where(full[index], s, -1e9)
            w = reference_softmax(s, axis=-1)
            weights[index], out[index] = w, w @ V[index]
        return out, weights

    B, H, Tq, Tk, d, dv = 2, 3, 4, 5, 6, 7
    Q = rng.standard_normal((B, H, Tq, d))
    K = rng.standard_normal((B, H, Tk, d))
    V = rng.standard_normal((B, H, Tk, dv))
    # masks: (Tq, Tk); padding-like (B, 1, 1, Tk); one with a fully masked row
    lower = np.array([[j <= i + 1 for j in range(Tk)] for i in range(Tq)])
    keys = np.ones((B, 1, 1, Tk), dtype=bool)
    keys[1, 0, 0, 3:] = False
    empty_row = np.ones((B, H, Tq, Tk), dtype=bool)
    empty_row[0, 1, 2, :] = False
    empty_row[1, 2, 0, ::2] = False
    for name, mask in (("no mask", None), ("(Tq, Tk)", lower), ("(B, 1, 1, Tk)", keys), ("with an empty row", empty_row)):
        out, w = scaled_dot_product_attention(Variable(Q.copy()), Variable(K.copy()), Variable(V.copy()), mask)
        ref_out, ref_w = reference(Q, K, V, mask)
        assert out.shape == (B, H, Tq, dv), f"{name}: the output should be (B, H, Tq, dv) = {(B, H, Tq, dv)}, got {out.shape}"
        assert w.shape == (B, H, Tq, Tk), f"{name}: the weights should be (B, H, Tq, Tk) = {(B, H, Tq, Tk)}, got {w.shape}"
        assert np.allclose(w.data.data, ref_w, atol=1e-10), (
            f"{name}: the weights differ from softmax(Q Kᵀ / √d) by up to {np.abs(w.data.data - ref_w).max():.3g} "
            f"(swap the last two axes of K; divide by √d with d = q's last axis)")
        assert np.allclose(out.data.data, ref_out, atol=1e-10), f"{name}: the output should be weights @ V"
        if mask is not None:
            allowed = np.broadcast_to(mask, w.shape)
            has_key = allowed.any(axis=-1, keepdims=True)        # rows with at least one allowed key
            assert np.all(w.data.data[~allowed & has_key] == 0.0), f"{name}: masked keys should get weight exactly 0"
            assert np.all(np.isfinite(w.data.data)), f"{name}: the weights should stay finite"
    out, w = scaled_dot_product_attention(Variable(Q), Variable(K), Variable(V), empty_row)
    assert np.allclose(w.data.data[0, 1, 2], 1 / Tk), "a row with no allowed key should get equal weights 1/Tk (-1e9 is finite)"
    assert np.all(w.data.data[1, 2, 0, ::2] == 0.0), "masked keys should get weight exactly 0"

    # 3-D and 2-D inputs, a (Tq, Tk) float32 case, the scores node on its own
    out3, w3 = scaled_dot_product_attention(Variable(Q[0]), Variable(K[0]), Variable(V[0]), lower)
    assert np.allclose(out3.data.data, reference(Q[0], K[0], V[0], lower)[0], atol=1e-10), "3-D (B, T, d) inputs should work"
    out2, _ = scaled_dot_product_attention(Q[0, 0], K[0, 0], V[0, 0])
    assert np.allclose(out2.data.data, reference(Q[0, 0][None], K[0, 0][None], V[0, 0][None])[0][0], atol=1e-10), (
        "2-D (T, d) ndarray inputs should work")
    s = attention_scores(Variable(Q), Variable(K), lower)
    expected_s = np.where(lower, Q @ np.swapaxes(K, -1, -2) / math.sqrt(d), -1e9)
    assert np.allclose(s.data.data, expected_s, atol=1e-10), "attention_scores should be Q Kᵀ / √d with -1e9 where masked"
    q32, k32, v32 = (Variable(a.astype(np.float32)) for a in (Q, K, V))
    out32, w32 = scaled_dot_product_attention(q32, k32, v32, keys)
    assert out32.dtype == np.float32 and w32.dtype == np.float32, f"float32 in should give float32 out, got {out32.dtype}, {w32.dtype}"
    gq, gk = attention_scores(q32, k32, keys).grad_fn(np.ones((B, H, Tq, Tk), dtype=np.float32))
    assert gq.dtype == np.float32 and gk.dtype == np.float32, "the scores' gradients should stay float32"

    # Gradients to q, k and v, with a mask that has an empty row, against central differences
    q, k, v = Variable(Q[:, :2].copy()), Variable(K[:, :2].copy()), Variable(V[:, :2].copy())
    mask = empty_row[:, :2] & lower
    G = rng.standard_normal((B, 2, Tq, dv))
    Qs, Ks, Vs = Q[:, :2].copy(), K[:, :2].copy(), V[:, :2].copy()
    out, w = scaled_dot_product_attention(q, k, v, mask)
    loss = (out * G).sum()
    loss.backward()
    f = lambda: float(np.sum(reference(Qs, Ks, Vs, mask)[0] * G))
    for name, var, array in (("q", q, Qs), ("k", k, Ks), ("v", v, Vs)):
        numeric = numeric_grad(f, array)
        assert var.grad is not None and var.grad.shape == array.shape, f"{name}.grad should have shape {array.shape}"
        assert np.allclose(var.grad.data.data, numeric, atol=1e-6), (
            f"the gradient of {name} differs from central differences by up to "
            f"{np.abs(var.grad.data.data - numeric).max():.3g}")
    assert np.allclose(q.grad.data.data[0, 1, 2], 0.0), "a query with no allowed key gets no gradient: its scores are constants"
    for name, var, array in (("q", q, Qs), ("k", k, Ks), ("v", v, Vs)):
        assert np.array_equal(var.data.data, array), f"attention must not modify {name}"
    first = [var.grad.data.data.copy() for var in (q, k, v)]
    for var in (q, k, v):
        var.zero_grad()
    loss.backward()
    again = [var.grad.data.data for var in (q, k, v)]
    assert all(np.allclose(a, b, atol=1e-14) for a, b in zip(first, again)), "a second backward gave different gradients"

    # Shapes that do not fit, masks that do not broadcast
    for shapes in (((2, 4, 6), (2, 5, 7), (2, 5, 7)), ((2, 4, 6), (2, 5, 6), (2, 4, 7)), ((6,), (5, 6), (5, 6))):
        try:
            scaled_dot_product_attention(*(np.ones(s) for s in shapes))
        except ValueError:
            pass
        else:
            raise AssertionError(f"q, k, v of shapes {shapes} do not fit: expected ValueError")
    try:
        scaled_dot_product_attention(Q, K, V, np.ones((Tk, Tq), dtype=bool))
    except ValueError:
        pass
    else:
        raise AssertionError("a (Tk, Tq) mask does not broadcast to (..., Tq, Tk) scores: expected ValueError")

    print("✅ attention matches the per-slice reference, with and without masks")
    print("✅ gradients reach q, k and v and match central differences")

test_scaled_dot_product_attention()

# %% [markdown]
# ## Step 7: Attention's Memory Is O(T²): Measure It
#
# ### Where the memory goes
# For B sequences, H heads, T positions and head size d, attention's inputs and output
# are (B, H, T, d) arrays: they grow **linearly** with T. The scores and the weights are
# (B, H, T, T): they grow with **T²**. In float32:
#
# ```
#   q, k, v, output:  4 · B·H·T·d bytes each       T = 512, d = 16:  32 KiB per head, each
#   scores, weights:  4 · B·H·T·T bytes each       T = 512:        1 MiB per head, each
#
#   T      64     128     256     512    1024  ...  doubling T
#   T²     4k     16k     64k     256k   1M         multiplies the (T, T) arrays by 4
# ```
#
# Once T is well above d, the (T, T) arrays dominate and **doubling the sequence length
# multiplies the memory by 4**. In training it is worse: autograd keeps the weights of
# every layer for the backward pass. GPT-2 small (12 layers, 12 heads, T = 1024) keeps
# 12 · 12 · 1024² · 4 bytes ≈ 600 MB of attention weights *per sequence*. This is why
# long contexts are expensive, and why FlashAttention (2022) computes attention in tiles
# that never hold a whole (T, T) matrix, keeping memory O(T).
#
# ### Measuring allocations with tracemalloc
# Python's `tracemalloc` counts the bytes allocated through Python's and numpy's
# allocators (numpy reports its array buffers to it). The counts are exact and
# deterministic: unlike a stopwatch they do not depend on what else the machine does.
#
# ```python
# tracemalloc.start()                           # begin counting (if not counting already)
# tracemalloc.reset_peak()                      # forget the peak so far
# current, peak = tracemalloc.get_traced_memory()   # bytes allocated now, and the peak
# tracemalloc.stop()                            # stop counting, free its bookkeeping
# ```
#
# The peak **during** the call minus what was allocated **before** it is what the call
# needed, whatever the program held already. Be a good citizen: if tracing was already
# on (someone else is measuring), do not stop it at the end.
#
# You write `attention_peak_bytes(T)`: the peak number of bytes that one forward pass of
# your `scaled_dot_product_attention` allocates for sequences of length T. The inputs are
# provided (created before the measurement starts, so they are not counted).

# %% nbgrader={"grade": false, "grade_id": "attention-memory", "locked": false, "schema_version": 3, "solution": true}
#| export
def attention_peak_bytes(T: int, batch: int = 1, heads: int = 2, head_dim: int = 16,
                         seed: int = 0) -> int:
    """
    Peak bytes allocated while scaled_dot_product_attention runs forward on length T.

    TODO: Measure the forward pass with tracemalloc.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) q, k, v: random float32 Variables of shape (batch, heads, T, head_dim)
    2. Remember whether tracemalloc is already tracing; start it if it is not
    3. Reset the peak, and read the current traced bytes: `before`
    4. Run scaled_dot_product_attention(q, k, v), keeping its results alive until the
       peak is read
    5. Read the peak; stop tracing only if you started it (use try / finally so a
       failing forward pass does not leave tracing on)
    6. Return peak − before (an int)

    EXAMPLE USAGE:
    ```python
    attention_peak_bytes(256)     # about 1 MiB: mostly the (1, 2, 256, 256) scores and weights
    attention_peak_bytes(512)     # about 4 times as much
    ```

    IMPLEMENTATION HINTS:
    - tracemalloc.is_tracing(), tracemalloc.start(), tracemalloc.reset_peak(),
      tracemalloc.get_traced_memory() -> (current, peak), tracemalloc.stop()
    - Assign the results to names: an output that is freed at once would still count in
      the peak, but keeping it makes the measurement the memory the caller holds, too
    """
    generator = np.random.default_rng(seed)
    q, k, v = (Variable(generator.standard_normal((batch, heads, T, head_dim)).astype(np.float32))
               for _ in range(3))
    ### BEGIN SOLUTION
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        output, weights = scaled_dot_product_attention(q, k, v)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak - before
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test the O(T²) Memory
#
# The test prints the table, then checks it: the peak grows by a factor between 3 and 5
# each time T doubles (4 is T²; small T are still partly the linear terms), it is at least
# one (T, T) array of float32 and not more than a few of them, and the measurement does not
# depend on what the program already holds (measured inside someone else's trace).

# %% nbgrader={"grade": true, "grade_id": "test-attention-memory", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: scaled_dot_product_attention, attention_scores, softmax
def test_attention_memory():
    """Peak bytes of attention's forward pass grow as T²; the measurement is relative and tidy."""
    print("🔬 Unit Test: Attention Memory Is O(T²)...")
    import tracemalloc as tm

    lengths = (64, 128, 256, 512)
    assert not tm.is_tracing(), "tracing should be off before the test"
    peaks = [attention_peak_bytes(T) for T in lengths]
    assert not tm.is_tracing(), "attention_peak_bytes should stop tracing when it started it"
    print(f"   {'T':>5}  {'peak MiB':>9}  {'x previous':>10}  {'(T, T) arrays':>13}")
    for i, (T, peak) in enumerate(zip(lengths, peaks)):
        ratio = f"{peak / peaks[i - 1]:10.2f}" if i else f"{'':>10}"
        print(f"   {T:5d}  {peak / 2**20:9.3f}  {ratio}  {peak / (4 * 2 * T * T):13.2f}")
    assert all(type(p) is int for p in peaks), f"attention_peak_bytes should return ints, got {[type(p).__name__ for p in peaks]}"
    assert all(b > a for a, b in zip(peaks, peaks[1:])), f"the peak should grow with T, got {peaks}"
    assert 3.0 < peaks[3] / peaks[2] < 5.0, (
        f"doubling T from 256 to 512 should multiply the peak by about 4 (T²), got {peaks[3] / peaks[2]:.2f}")
    assert 2.5 < peaks[2] / peaks[1] < 5.0, f"from 128 to 256 the peak should grow about 4x, got {peaks[2] / peaks[1]:.2f}"
    one_matrix = 4 * 1 * 2 * 512 * 512                       # a (1, 2, 512, 512) float32 array
    assert one_matrix <= peaks[3] <= 8 * one_matrix, (
        f"at T=512 the peak should be between one and eight (T, T) float32 arrays "
        f"({one_matrix} .. {8 * one_matrix} bytes), got {peaks[3]}")
    wider = attention_peak_bytes(256, batch=2, heads=3)
    assert 2.5 < wider / peaks[2] < 3.5, f"6 instead of 2 (batch, head) pairs should need about 3x the memory, got {wider / peaks[2]:.2f}"

    # Inside someone else's trace, with 8 MB already allocated: the same answer, tracing left on
    tm.start()
    try:
        held = np.ones(1_000_000)
        inside = attention_peak_bytes(256)
        still_tracing = tm.is_tracing()
        del held
    finally:
        tm.stop()
    assert still_tracing, "attention_peak_bytes must not stop a trace that was already running"
    assert abs(inside - peaks[2]) < 0.1 * peaks[2], (
        f"the measurement should not depend on memory allocated before the call: {inside} bytes inside "
        f"another trace holding 8 MB, {peaks[2]} without (subtract what was allocated before)")

    print("✅ doubling T multiplies attention's memory by about 4: O(T²)")

test_attention_memory()

# %% [markdown]
# ## Step 8: Multi-Head Attention
#
# ### Several attentions side by side
# One attention gives every query one weighted average. But a token may need several
# things at once: the subject of its sentence, the previous word, a matching bracket.
# **Multi-head attention** runs H attentions in parallel, each on its own slice of
# D / H features, and concatenates the results:
#
# ```
#  x (B, T, D) ─┬─ w_q ─▶ (B, T, D) ─ split_heads ─▶ q (B, H, T, D/H) ─┐
#               ├─ w_k ─▶ (B, T, D) ─ split_heads ─▶ k (B, H, T, D/H) ─┼─▶ attention ─▶ (B, H, T, D/H)
#               └─ w_v ─▶ (B, T, D) ─ split_heads ─▶ v (B, H, T, D/H) ─┘      (every head at once)
#                                                                                    │
#                                  out (B, T, D) ◀── w_o ◀── (B, T, D) ◀── merge_heads
# ```
#
# The cost is the same as one attention with D features: the heads only split the
# features. Each head has its own (T, T) weights.
#
# ### split_heads and merge_heads
# Splitting is a reshape and a transpose: features h·dh … (h+1)·dh − 1 of each position
# become head h.
#
# ```
#  (B, T, D) ──reshape──▶ (B, T, H, dh) ──transpose(0, 2, 1, 3)──▶ (B, H, T, dh)
#  merge_heads is the inverse:  (B, H, T, dh) ──transpose──▶ (B, T, H, dh) ──reshape──▶ (B, T, H·dh)
# ```
#
# Each is one graph node whose backward applies the inverse operation to the gradient:
# the backward of split_heads is a merge, and the other way round. A transpose in numpy is
# only a new view of the same memory; `np.ascontiguousarray` copies it into a new array
# laid out row by row, which the matrix products that follow need anyway (numpy would
# copy it inside every matmul otherwise), and which no longer shares memory with the
# input or the gradient it came from. (A reshape of a transposed array, as at the end
# of merge_heads, already makes such a copy.)
#
# ### Masks for all heads
# A (T, T) mask, or a (B, T, T) one (causal & padding, Step 5), has no head axis. The
# scores are (B, H, T, T), so the mask gets an axis of size 1 inserted at position −3:
# (B, T, T) → (B, 1, T, T), and every head uses the same mask. Without it, numpy would
# line the mask's B axis up with the scores' H axis: an error when B ≠ H, and a silently
# wrong mask when B = H.
#
# ### The layers
# `w_q`, `w_k`, `w_v` and `w_o` are `Dense(D, D)` layers (module 03), created with seeds
# seed, seed + 1, seed + 2, seed + 3 (all None when seed is None) so that a model is
# reproducible. `parameters()` lists their 8 arrays in the order w_q.weights, w_q.bias,
# w_k…, w_v…, w_o…. This is `torch.nn.MultiheadAttention(D, H, batch_first=True)`, which
# keeps the three input projections in one (3D, D) matrix, `in_proj_weight`.

# %% nbgrader={"grade": false, "grade_id": "multihead", "locked": false, "schema_version": 3, "solution": true}
#| export
def split_heads(x, num_heads: int) -> Variable:
    """
    (B, T, D) -> (B, num_heads, T, D // num_heads), as one graph node.

    TODO: Reshape and transpose; the backward pass does the inverse.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) values = x's float numbers, checked: 3-D, D divisible by num_heads
    2. heads = values reshaped to (B, T, num_heads, dh), then axes 1 and 2 swapped:
       (B, num_heads, T, dh)
    3. Write split_heads_backward(grad_output): the gradient (B, num_heads, T, dh) goes
       back to (B, T, D) by the inverse transpose, then a reshape; return it in a 1-tuple
    4. Return apply_op(np.ascontiguousarray(heads), (x,), split_heads_backward,
       "split_heads_backward")

    EXAMPLE USAGE:
    ```python
    x = Variable(np.arange(12.0).reshape(1, 2, 6))    # B=1, T=2, D=6
    h = split_heads(x, 3)                             # (1, 3, 2, 2)
    h.data.data[0, 1]                                 # [[2, 3], [8, 9]]: features 2..3 of both positions
    ```

    IMPLEMENTATION HINTS:
    - values.reshape(B, T, H, dh).transpose(0, 2, 1, 3) swaps the T and H axes
    - transpose(0, 2, 1, 3) is its own inverse
    - Reshaping a transposed (non-contiguous) array makes a copy: that is fine here
    """
    values = _float_values(x)
    num_heads = _check_positive_int("split_heads", "num_heads", num_heads)
    if values.ndim != 3 or values.shape[2] % num_heads:
        raise ValueError(f"split_heads expects (B, T, D) with D divisible by num_heads="
                         f"{num_heads}, got shape {values.shape}")
    B, T, D = values.shape
    ### BEGIN SOLUTION
    heads = values.reshape(B, T, num_heads, D // num_heads).transpose(0, 2, 1, 3)

    def split_heads_backward(grad_output):
        return (grad_output.transpose(0, 2, 1, 3).reshape(B, T, D),)

    return apply_op(np.ascontiguousarray(heads), (x,), split_heads_backward, "split_heads_backward")
    ### END SOLUTION


def merge_heads(x) -> Variable:
    """
    (B, H, T, dh) -> (B, T, H * dh), as one graph node: the inverse of split_heads.

    TODO: Transpose and reshape; the backward pass does the inverse.

    STEP-BY-STEP IMPLEMENTATION:
    1. (Provided) values = x's float numbers, checked: 4-D (B, H, T, dh)
    2. merged = values with axes 1 and 2 swapped (B, T, H, dh), reshaped to (B, T, H·dh)
    3. Write merge_heads_backward(grad_output): (B, T, H·dh) back to (B, H, T, dh)
       (reshape, then the transpose), as a contiguous array, in a 1-tuple
    4. Return apply_op(the merged values, (x,), merge_heads_backward,
       "merge_heads_backward"); the reshape of a transposed array is already a new,
       contiguous array

    EXAMPLE USAGE:
    ```python
    x = Variable(np.random.randn(2, 3, 5, 4))
    merge_heads(x).shape                              # (2, 5, 12)
    merge_heads(split_heads(y, 4)) == y               # for any (B, T, D) y with D % 4 == 0
    ```

    IMPLEMENTATION HINTS:
    - Exactly split_heads' two operations, in the other order
    """
    values = _float_values(x)
    if values.ndim != 4:
        raise ValueError(f"merge_heads expects (B, H, T, dh), got shape {values.shape}")
    B, H, T, dh = values.shape
    ### BEGIN SOLUTION
    merged = values.transpose(0, 2, 1, 3).reshape(B, T, H * dh)     # the reshape copies

    def merge_heads_backward(grad_output):
        return (np.ascontiguousarray(grad_output.reshape(B, T, H, dh).transpose(0, 2, 1, 3)),)

    return apply_op(merged, (x,), merge_heads_backward, "merge_heads_backward")
    ### END SOLUTION


class MultiHeadAttention:
    """num_heads attention heads of size embed_dim // num_heads side by side (torch.nn.MultiheadAttention)."""

    def __init__(self, embed_dim: int, num_heads: int, seed: Optional[int] = None):
        """
        Create the four projections of multi-head attention.

        TODO: Set head_dim and create the Dense layers w_q, w_k, w_v, w_o.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) embed_dim and num_heads are checked (embed_dim % num_heads == 0)
           and stored on self
        2. self.head_dim = embed_dim // num_heads
        3. Seeds: seed, seed + 1, seed + 2, seed + 3, or four times None when seed is None
        4. self.w_q, self.w_k, self.w_v, self.w_o = Dense(embed_dim, embed_dim, seed=...)
           with those seeds, in that order

        EXAMPLE USAGE:
        ```python
        mha = MultiHeadAttention(64, 4, seed=0)
        mha.head_dim                       # 16
        mha.w_v.weights.shape              # (64, 64); the same as Dense(64, 64, seed=2)'s
        MultiHeadAttention(64, 5)          # ValueError: 64 is not divisible by 5
        ```

        IMPLEMENTATION HINTS:
        - Different seeds matter: four layers with the same seed would start identical
        """
        self.embed_dim = _check_positive_int("MultiHeadAttention", "embed_dim", embed_dim)
        self.num_heads = _check_positive_int("MultiHeadAttention", "num_heads", num_heads)
        if self.embed_dim % self.num_heads:
            raise ValueError(f"MultiHeadAttention: embed_dim={embed_dim} is not divisible by "
                             f"num_heads={num_heads}")
        ### BEGIN SOLUTION
        self.head_dim = self.embed_dim // self.num_heads
        seeds = [None] * 4 if seed is None else [seed + i for i in range(4)]
        self.w_q = Dense(self.embed_dim, self.embed_dim, seed=seeds[0])
        self.w_k = Dense(self.embed_dim, self.embed_dim, seed=seeds[1])
        self.w_v = Dense(self.embed_dim, self.embed_dim, seed=seeds[2])
        self.w_o = Dense(self.embed_dim, self.embed_dim, seed=seeds[3])
        ### END SOLUTION

    def forward(self, x, mask=None) -> Variable:
        """
        x (B, T, D) -> (B, T, D): every position attends over the (allowed) positions.

        TODO: Project, split, attend, merge, project.

        STEP-BY-STEP IMPLEMENTATION:
        1. (Provided) x's shape is checked: (B, T, embed_dim)
        2. q, k, v = split_heads(self.w_q(x), self.num_heads), and the same with w_k, w_v
        3. If a mask is given as a (T, T) or (B, T, T) array, insert the head axis at
           position −3 so it broadcasts over the heads; a 4-D mask is used as it is
        4. Run your scaled_dot_product_attention on q, k, v and the mask; keep the output
           (the first of the pair), the weights are not needed here
        5. Return self.w_o(merge_heads(out))

        EXAMPLE USAGE:
        ```python
        mha = MultiHeadAttention(8, 2, seed=0)
        x = Variable(np.random.randn(4, 5, 8).astype(np.float32))
        y = mha(x, mask=causal_mask(5))    # (4, 5, 8), float32
        y.sum().backward()                 # every one of the 8 parameters gets a gradient
        ```

        IMPLEMENTATION HINTS:
        - np.expand_dims(mask, -3) inserts an axis of size 1 before the last two
        - The Dense layers work on (B, T, D) inputs directly: (B, T, D) @ (D, D)
        """
        shape = _values(x).shape
        if len(shape) != 3 or shape[2] != self.embed_dim:
            raise ValueError(f"{self!r} expects inputs of shape (B, T, {self.embed_dim}), "
                             f"got shape {shape}")
        ### BEGIN SOLUTION
        q = split_heads(self.w_q(x), self.num_heads)
        k = split_heads(self.w_k(x), self.num_heads)
        v = split_heads(self.w_v(x), self.num_heads)
        if mask is not None:
            mask = _values(mask)
            if mask.ndim in (2, 3):
                mask = np.expand_dims(mask, -3)      # the head axis: one mask for every head
        out, _ = scaled_dot_product_attention(q, k, v, mask)
        return self.w_o(merge_heads(out))
        ### END SOLUTION

    def __call__(self, x, mask=None) -> Variable:
        return self.forward(x, mask)

    def parameters(self) -> List[Variable]:
        """The 8 trainable arrays: w_q, w_k, w_v, w_o, each weights then bias."""
        return [p for layer in (self.w_q, self.w_k, self.w_v, self.w_o) for p in layer.parameters()]

    def __repr__(self):
        return f"MultiHeadAttention({self.embed_dim}, num_heads={self.num_heads})"

# %% [markdown]
# ### 🧪 Test Multi-Head Attention
#
# split_heads and merge_heads against index arithmetic, with their gradients; then the
# whole layer against a numpy reference that uses the layer's own weights (and non-zero
# biases), one head at a time with 2-D arrays, with a (T, T) mask and a (B, T, T) one
# where B = H (so a mask lined up with the wrong axis shows), and gradients against
# central differences.

# %% nbgrader={"grade": true, "grade_id": "test-multihead", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: scaled_dot_product_attention, attention_scores, softmax
def test_multihead_attention():
    """split/merge heads are exact inverses with gradients; MultiHeadAttention matches a numpy reference."""
    print("🔬 Unit Test: Multi-Head Attention...")
    rng = np.random.default_rng(5)

    # split_heads: out[b, h, t, j] = x[b, t, h * dh + j]
    B, T, D, H = 2, 3, 8, 4
    dh = D // H
    x_data = rng.standard_normal((B, T, D))
    expected = np.zeros((B, H, T, dh))
    for b in range(B):
        for h in range(H):
            for t in range(T):
                expected[b, h, t] = x_data[b, t, h * dh:(h + 1) * dh]
    x = Variable(x_data.copy())
    heads = split_heads(x, H)
    assert heads.shape == (B, H, T, dh), f"split_heads((2, 3, 8), 4) should be (2, 4, 3, 2), got {heads.shape}"
    assert np.array_equal(heads.data.data, expected), "split_heads: head h of position t should be features h*dh .. (h+1)*dh - 1"
    W = rng.standard_normal((B, H, T, dh))
    (heads * W).sum().backward()
    expected_grad = np.zeros((B, T, D))
    for b in range(B):
        for h in range(H):
            for t in range(T):
                expected_grad[b, t, h * dh:(h + 1) * dh] = W[b, h, t]
    assert np.allclose(x.grad.data.data, expected_grad), "split_heads' backward should put each head's gradient back in its features"
    assert np.array_equal(x.data.data, x_data), "split_heads must not modify its input"
    assert not np.shares_memory(heads.data.data, x.data.data), (
        "split_heads should return a new (contiguous) array, not a transposed view of its input")

    # merge_heads: the inverse, with the inverse gradient
    y = Variable(expected.copy())
    merged = merge_heads(y)
    assert merged.shape == (B, T, D), f"merge_heads((2, 4, 3, 2)) should be (2, 3, 8), got {merged.shape}"
    assert np.array_equal(merged.data.data, x_data), "merge_heads(split_heads(x)) should give x back"
    G = rng.standard_normal((B, T, D))
    (merged * G).sum().backward()
    assert np.allclose(y.grad.data.data, np.stack([G[:, :, h * dh:(h + 1) * dh] for h in range(H)], axis=1)), (
        "merge_heads' backward should split the gradient into heads")
    (back,) = merged.grad_fn(G)
    assert back.shape == (B, H, T, dh) and not np.shares_memory(back, G), (
        "merge_heads' backward should return a new (contiguous) array, not a view of grad_output")
    assert split_heads(np.ones((2, 5, 6), dtype=np.float32), 3).dtype == np.float32, "split_heads should keep float32"
    assert merge_heads(np.ones((2, 3, 5, 2), dtype=np.float32)).dtype == np.float32, "merge_heads should keep float32"
    assert merge_heads(np.ones((2, 3, 5, 2))).shape == (2, 5, 6), "merge_heads of (B=2, H=3, T=5, dh=2) should be (2, 5, 6)"
    for bad in ((np.ones((2, 3, 7)), 2), (np.ones((3, 8)), 2)):
        try:
            split_heads(*bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"split_heads of shape {bad[0].shape} into {bad[1]} heads should raise ValueError")

    # The layer: attributes, seeds, parameters
    mha = MultiHeadAttention(8, 2, seed=7)
    assert mha.num_heads == 2 and mha.head_dim == 4, f"num_heads, head_dim should be 2, 4, got {mha.num_heads}, {mha.head_dim}"
    for i, name in enumerate(("w_q", "w_k", "w_v", "w_o")):
        layer = getattr(mha, name)
        assert layer.weights.shape == (8, 8), f"{name} should be Dense(8, 8), got weights {layer.weights.shape}"
        assert np.array_equal(layer.weights.data.data, Dense(8, 8, seed=7 + i).weights.data.data), (
            f"{name} should be Dense(embed_dim, embed_dim, seed=seed + {i})")
    params = mha.parameters()
    order = [mha.w_q.weights, mha.w_q.bias, mha.w_k.weights, mha.w_k.bias,
             mha.w_v.weights, mha.w_v.bias, mha.w_o.weights, mha.w_o.bias]
    assert len(params) == 8 and [p is q for p, q in zip(params, order)] == [True] * 8, (
        "parameters() should be w_q.weights, w_q.bias, w_k.weights, ..., w_o.bias")
    a, b = MultiHeadAttention(8, 2), MultiHeadAttention(8, 2)
    assert not np.array_equal(a.w_q.weights.data.data, b.w_q.weights.data.data), "seed=None should give fresh random weights"
    try:
        MultiHeadAttention(10, 4)
    except ValueError as exc:
        assert "10" in str(exc) and "4" in str(exc), f"the error should name embed_dim and num_heads, got: {exc}"
    else:
        raise AssertionError("MultiHeadAttention(10, 4): 10 is not divisible by 4, expected ValueError")

    # Against numpy, with float64 copies of the weights and random biases
    B, T, D, H = 2, 4, 6, 2
    dh = D // H
    mha = MultiHeadAttention(D, H, seed=1)
    weights = {}
    for name in ("w_q", "w_k", "w_v", "w_o"):
        layer = getattr(mha, name)
        w64, b64 = layer.weights.data.data.astype(np.float64), rng.standard_normal(D)
        layer.weights, layer.bias = Variable(w64.copy()), Variable(b64.copy())
        weights[name] = (w64, b64)

    def reference(x_, mask=None):
        q_, k_, v_ = (x_ @ weights[n][0] + weights[n][1] for n in ("w_q", "w_k", "w_v"))
        full = None if mask is None else np.broadcast_to(mask, (B, T, T))
        out = np.zeros((B, T, D))
        for b_ in range(B):
            for h_ in range(H):
                cols = slice(h_ * dh, (h_ + 1) * dh)
                s = q_[b_][:, cols] @ k_[b_][:, cols].T / math.sqrt(dh)
                if full is not None:
                    s = np.where(full[b_], s, -1e9)
                out[b_][:, cols] = reference_softmax(s) @ v_[b_][:, cols]
        return out @ weights["w_o"][0] + weights["w_o"][1]

    x_data = rng.standard_normal((B, T, D))
    causal = np.array([[j <= i for j in range(T)] for i in range(T)])     # (T, T), as causal_mask(T)
    real_keys = np.array([[1, 2, 3, 0], [4, 0, 0, 0]]) != 0
    per_batch = causal & real_keys[:, None, :]        # (B, T, T), different per sequence; B == H
    for name, mask in (("no mask", None), ("causal (T, T)", causal), ("causal & padding (B, T, T)", per_batch)):
        out = mha(Variable(x_data.copy()), mask)
        assert out.shape == (B, T, D), f"{name}: the output should be (B, T, D) = {(B, T, D)}, got {out.shape}"
        expected = reference(x_data, mask)
        assert np.allclose(out.data.data, expected, atol=1e-10), (
            f"{name}: the output differs from the per-head reference by up to {np.abs(out.data.data - expected).max():.3g}")

    # Gradients of x and of w_q's weights through the whole layer
    xv = Variable(x_data.copy())
    G = rng.standard_normal((B, T, D))
    loss = (mha(xv, per_batch) * G).sum()
    loss.backward()
    numeric_x = numeric_grad(lambda: float(np.sum(reference(x_data, per_batch) * G)), x_data)
    assert np.allclose(xv.grad.data.data, numeric_x, atol=1e-6), (
        f"the gradient of x differs from central differences by up to {np.abs(xv.grad.data.data - numeric_x).max():.3g}")
    numeric_wq = numeric_grad(lambda: float(np.sum(reference(x_data, per_batch) * G)), weights["w_q"][0])
    assert np.allclose(mha.w_q.weights.grad.data.data, numeric_wq, atol=1e-6), "the gradient of w_q's weights differs from central differences"
    assert all(p.grad is not None and p.grad.shape == p.shape for p in mha.parameters()), "every parameter should get a gradient"

    # float32 end to end, and input checks
    mha32 = MultiHeadAttention(8, 4, seed=0)
    y32 = mha32(Variable(rng.standard_normal((3, 5, 8)).astype(np.float32)), np.ones((5, 5), dtype=bool))
    assert y32.shape == (3, 5, 8) and y32.dtype == np.float32, f"a float32 (3, 5, 8) input should give float32 (3, 5, 8), got {y32.dtype} {y32.shape}"
    for bad in (np.ones((3, 5, 6)), np.ones((5, 8))):
        try:
            mha32(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"an input of shape {bad.shape} should raise ValueError")

    print("✅ split_heads / merge_heads are exact inverses, with their gradients")
    print("✅ MultiHeadAttention matches the per-head reference, masks broadcast over heads")

test_multihead_attention()

# %% [markdown]
# ## 🧪 Run All Tests
#
# Every graded test of the module, with its points, as `tito module test attention`
# reports them.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("Attention")

# %% [markdown]
# ## 🎯 Module Summary: Attention
#
# ### ✅ What You've Built
# - **`softmax(x, axis)`**: exp(z − max) / Σ exp(z − max), one fused node with the backward
#   s ⊙ (g − Σ g ⊙ s), exactly `torch.softmax`
# - **`Embedding`**: a (vocab_size, embed_dim) table, lookups of ids of any shape, and a
#   scatter-add backward where repeated ids accumulate (`np.add.at`)
# - **`sinusoidal_positions`, `SinusoidalPositionalEncoding`, `LearnedPositionalEncoding`**:
#   position vectors added from a `start` offset, checked against max_len
# - **`LayerNorm`**: normalisation over the last axis with the biased variance, one fused
#   node with the hand-derived gradients of x, γ and β, exactly `torch.nn.LayerNorm`
# - **`causal_mask`, `padding_mask`**: True = may attend, combined with `&`
# - **`attention_scores`, `scaled_dot_product_attention`**: softmax(Q Kᵀ / √d, masked) V
#   with gradients to q, k and v, exactly `torch.nn.functional.scaled_dot_product_attention`
#   (except that a fully masked row is uniform instead of NaN)
# - **`attention_peak_bytes`**: a tracemalloc measurement showing the O(T²) memory
# - **`split_heads`, `merge_heads`, `MultiHeadAttention`**: H heads in one batched
#   attention, with masks broadcast over the heads
#
# ### ✅ Key Learning Outcomes
# - **Attention is a data-dependent weighted average**: the weights come from query–key
#   dot products, a softmax makes each row sum to 1
# - **Shapes carry the meaning**: swap the last two axes (never `.T` on a batch), scale by
#   √d of the keys, apply softmax over the keys, and insert the head axis into masks
# - **Masks decide what a model can cheat with**: one off-by-one in the causal mask and a
#   language model just copies the next token
# - **Fused nodes with hand-written backwards** (softmax, LayerNorm, the scores, embedding
#   lookups) keep the graph small, the memory low and float32 float32
# - **Attention's memory is O(T²)**: doubling the context multiplies the (T, T) arrays by
#   4, which is what FlashAttention and sliding windows were invented to avoid
#
# ### 🔗 Connection to Real ML Systems
# - **PyTorch**: `torch.softmax`, `torch.nn.Embedding`, `torch.nn.LayerNorm(eps=1e-5)`,
#   `F.scaled_dot_product_attention(q, k, v, attn_mask=bool_mask)`,
#   `torch.nn.MultiheadAttention(D, H, batch_first=True)`: the same semantics
# - **GPT-2**: token embedding + learned position embedding (`wte`, `wpe`), pre-norm
#   LayerNorm, causal multi-head attention: the parts you built, in the same arrangement
#   that module 16 assembles
#
# ### 🚀 What's Next
# Module 16 stacks these pieces into transformer blocks (LayerNorm, attention, an MLP with
# GELU, residual connections), builds a GPT with a tied output head, trains it on Python's
# documentation, and generates text, fast, with a key-value cache.
