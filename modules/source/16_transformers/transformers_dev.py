# %% [markdown]
# # Transformers
#
# Module 15 gave you the parts: embeddings, positions, LayerNorm, masks and multi-head
# attention. This module assembles them into **GPT**, the decoder-only transformer behind
# every modern language model, and makes it **write**: token by token, fast, thanks to a
# **KV cache**.
#
# By the end of the module you will have built:
# - `gelu`, the activation of GPT-2 and BERT, as **one fused graph node** with a
#   hand-written backward, and the `GELU` layer,
# - `FeedForward`, the position-wise MLP inside every block (D → 4D → D),
# - `TransformerBlock`, a **pre-norm** residual block: x + attention(LN(x)), then the
#   same with the MLP,
# - `GPT`: token + learned position embeddings, a stack of blocks under a **causal mask**,
#   a final LayerNorm, and an output head that is **tied** to the token embedding,
# - `KVCache` and `cached_attention`: generation that computes **one** new position per
#   token instead of the whole context again,
# - `sample_next_token` and `generate`: greedy decoding, **temperature** and **top-k**
#   sampling, reproducible with a seed, and a context window that slides past `max_len`.
#
# The tinygpt milestone trains this model on Python's own documentation in a few minutes
# on a laptop CPU, and then asks it to write.

# %% nbgrader={"grade": false, "grade_id": "transformers-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.transformers
#| export
import math
import numbers
import sys
from typing import List, Optional, Tuple

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import Variable, apply_op
from tinytorch.core.layers import Dense
from tinytorch.core.attention import (Embedding, LayerNorm, LearnedPositionalEncoding, MultiHeadAttention,
                                      merge_heads, scaled_dot_product_attention, split_heads)

# %% nbgrader={"grade": false, "grade_id": "transformers-banner", "locked": true, "schema_version": 3, "solution": false}
print("🔥 TinyTorch Transformers Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to build a GPT!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/16_transformers/transformers_dev.py`
# **Building Side:** Code exports to `tinytorch.core.transformers`
#
# ```python
# # Final package structure:
# from tinytorch.core.transformers import GPT, generate, KVCache      # the language model
# from tinytorch.core.transformers import gelu, FeedForward, TransformerBlock
# from tinytorch.core.attention import MultiHeadAttention, LayerNorm   # its parts (module 15)
# ```
#
# **Why this matters:**
# - **Learning:** A GPT is a short program once the parts exist: about forty lines here.
#   What makes it work are details: where the LayerNorm goes, the causal mask, the tied
#   head, the position offset of a cache
# - **Production:** Same architecture as GPT-2 (`transformers.GPT2LMHeadModel`) and
#   nanoGPT: pre-norm blocks, GELU (tanh), learned positions, weight tying
# - **Consistency:** Every layer has `forward`/`__call__` and `parameters()`, like
#   `Dense` and the layers of module 15, so module 08's optimizers train it as they are
# - **Foundation:** The tinygpt milestone trains it; `bench/kv_cache.py` measures the cache

# %% [markdown]
# ## What Is a GPT?
#
# ### A next-token predictor
# A language model reads a sequence of token ids and, at **every** position t, outputs a
# score (a *logit*) for every token of the vocabulary: how likely it is to come at
# position t + 1. Training compares those scores with the tokens that actually come next
# (cross-entropy, module 09); generating picks one, appends it, and asks again.
#
# ```
#   tokens     "d"   "e"   "f"   " "          (ids: 4, 5, 6, 0)
#                │     │     │     │
#   logits     (V)   (V)   (V)   (V)          one row of vocab_size scores per position
#   should say "e"   "f"   " "   ...          the NEXT token at each position
# ```
#
# ### The whole model
# ```
#   ids (B, T) ──► token embedding (V, D) ──┐
#                                           + ──► x (B, T, D)        the "residual stream"
#   positions 0..T-1 ─► position table ─────┘
#                                                 │
#                      ┌──────────────────────────┴───────────────────────────┐
#                      │ TransformerBlock  × num_layers                        │
#                      │   x = x + MultiHeadAttention(LayerNorm(x), causal)    │
#                      │   x = x + FeedForward(LayerNorm(x))                   │
#                      └──────────────────────────┬───────────────────────────┘
#                                                 │
#                                   final LayerNorm (ln_f)
#                                                 │
#                        logits = h @ Eᵀ  (E = the token embedding: "tied")
#                                                 │
#                                     (B, T, vocab_size)
# ```
#
# Each piece has a job:
# - **Attention** moves information *between* positions (what did earlier tokens say?);
#   the **causal mask** makes sure position t only ever reads positions ≤ t, so the model
#   cannot cheat by looking at the token it must predict.
# - **The MLP** processes each position *on its own*: most of the parameters and most of
#   the arithmetic are here.
# - **Residual connections** (`x + ...`) let each block add a correction to the stream
#   instead of replacing it: gradients flow straight through the sums to the first layer,
#   which is what lets transformers be dozens of layers deep.
# - **LayerNorm** keeps the numbers entering each sub-layer at a sensible scale.
#
# ### Real-World Context
# - **GPT-2** (2019): exactly this design with D = 768, 12 heads, 12 layers, a vocabulary
#   of 50257 BPE tokens and 1024 positions: 124M parameters
# - **PyTorch**: `torch.nn.TransformerEncoderLayer(norm_first=True)` with a causal mask,
#   nanoGPT's `Block`, Hugging Face's `GPT2Block`
# - **Today's LLMs** (Llama, Mistral): the same skeleton with RMSNorm, rotary positions
#   and a gated MLP (SwiGLU): small changes to the parts you build here

# %% [markdown]
# ### Provided helpers
# - `_values(x)` / `_float_values(x)` (from module 15): the ndarray inside a Variable,
#   Tensor, ndarray or list (the second one turns integers into float64).
# - `_as_variable(x)`: a constant Variable for anything that is not one yet.
# - `_check_positive_int(owner, name, value)` (from module 15): validation with a clear
#   `ValueError`.
# - `_offset_seed(seed, k)`: `seed + k`, or `None` when `seed` is `None`. Layers built from
#   one seed use different offsets, so that no two of them start with the same weights.

# %% nbgrader={"grade": false, "grade_id": "transformers-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
# The same input handling and checks as module 15: one definition, imported
from tinytorch.core.attention import _check_positive_int, _float_values, _values


def _as_variable(x) -> Variable:
    """Variables pass through; anything else becomes a constant Variable (no gradient)."""
    if isinstance(x, Variable):
        return x
    return Variable(_float_values(x), requires_grad=False)


def _offset_seed(seed: Optional[int], offset: int) -> Optional[int]:
    """seed + offset, so that sub-layers built from one seed get different weights; None stays None."""
    return None if seed is None else seed + offset

# %% [markdown]
# ## Step 1: GELU, as One Fused Node
#
# ### A smooth ReLU
# ReLU is `max(0, x)`: a hard corner at 0. **GELU** (Gaussian Error Linear Unit,
# Hendrycks & Gimpel 2016) weighs x by the probability that a standard normal variable is
# below it: GELU(x) = x · Φ(x). GPT-2 and BERT use a cheap, very close approximation of Φ
# with a tanh, and so do we (PyTorch calls it `approximate="tanh"`):
#
# ```
# GELU(x) = 0.5 · x · (1 + tanh(u)),      u = √(2/π) · (x + 0.044715 · x³)
#
#   y                                  large x:    GELU(x) ≈ x       (like ReLU)
#   3 ┤                       ╱        large -x:   GELU(x) ≈ 0       (like ReLU)
#   2 ┤                   ╱            near 0:     smooth, slope 0.5 at x = 0,
#   1 ┤               ╱                            and slightly NEGATIVE for x < 0
#   0 ┼───────────╮_╱                              (minimum ≈ -0.17 at x ≈ -0.75)
#     └───┴───┴───┴───┴───┴───┴── x
#        -3  -2  -1   0   1   2   3
# ```
#
# ### Its derivative
# With t = tanh(u), the product rule and tanh' = 1 − t² give
# ```
# d GELU / dx = 0.5 · (1 + t)  +  0.5 · x · (1 − t²) · √(2/π) · (1 + 3 · 0.044715 · x²)
# ```
#
# ### Why one node?
# You could write GELU with Variable operations (`x * x * x`, `*`, `+`, `.tanh()`, ...):
# autograd would differentiate it for you. But that is about ten graph nodes, each with
# its own result array kept alive for backward and its own Python overhead, for an
# activation that runs on every hidden unit of every position of every layer: in the
# tinygpt milestone, a (32 · 64, 256) array, twice per block, per step. One `apply_op`
# node computes the forward in numpy, keeps just x and t, and returns the slope above in
# the backward. This is *kernel fusion*, the single most important optimisation in real
# frameworks (`torch.compile` fuses chains of elementwise ops for exactly this reason).
#
# `GELU` (provided) is the same function as a layer, with no parameters.

# %% nbgrader={"grade": false, "grade_id": "gelu", "locked": false, "schema_version": 3, "solution": true}
#| export
GELU_CUBIC = 0.044715                      # the constant of the tanh approximation (GPT-2, BERT)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)  # a Python float: it never promotes float32 to float64


def gelu(x) -> Variable:
    """
    GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), one graph node.

    TODO: Compute GELU in numpy and make it ONE graph node with a hand-written backward.

    STEP-BY-STEP IMPLEMENTATION:
    1. values = the numbers of x as a floating-point ndarray (the provided _float_values)
    2. u = SQRT_2_OVER_PI * (values + GELU_CUBIC * values cubed);  t = tanh(u)
    3. out = 0.5 * values * (1 + t)
    4. Define gelu_backward(grad_output) returning a 1-tuple: grad_output times the slope
           d out / dx = 0.5 (1 + t) + 0.5 x (1 - t^2) * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x^2)
    5. Return the node that apply_op makes from: out, the inputs (x,), your backward
       function, and the name "gelu_backward"

    EXAMPLE USAGE:
    ```python
    x = Variable(np.array([-3.0, 0.0, 1.0, 3.0], dtype=np.float32))
    y = gelu(x)            # [-0.0036, 0.0, 0.8412, 2.9964], float32
    y.sum().backward()
    print(x.grad)          # [-0.0116, 0.5, 1.0830, 1.0116]
    ```

    IMPLEMENTATION HINTS:
    - np.tanh works elementwise. For the cube, multiply values by itself: `values ** 3`
      calls the general pow() for every element, about 100x slower on float32 arrays
      (this one line made a whole training step twice as slow)
    - Keep t from the forward pass: the backward needs it, and tanh is the expensive part
    - Never write into `values` (no `values *= ...`): it may be the caller's own array
    - Return a NEW array from the backward: one built from grad_output, not one you keep
    - Use the Python-float constants above: a numpy float64 scalar would turn float32
      inputs into float64 results

    LEARNING CONNECTIONS:
    - torch.nn.functional.gelu(x, approximate="tanh"), the activation of GPT-2
    - One node instead of about ten (cube, multiply, add, tanh, ...): the graph, the memory
      kept for backward and the Python overhead all shrink, which is what "kernel fusion"
      means in a real framework
    """
    ### BEGIN SOLUTION
    values = _float_values(x)
    squared = values * values
    t = np.tanh(SQRT_2_OVER_PI * values * (1.0 + GELU_CUBIC * squared))
    out = 0.5 * values * (1.0 + t)

    def gelu_backward(grad_output):
        slope = 0.5 * (1.0 + t) + 0.5 * values * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * squared)
        return (grad_output * slope,)

    return apply_op(out, (x,), gelu_backward, "gelu_backward")
    ### END SOLUTION


class GELU:
    """The GELU activation as a layer (torch.nn.GELU(approximate="tanh")): no parameters."""

    def forward(self, x) -> Variable:
        return gelu(x)

    def __call__(self, x) -> Variable:
        return self.forward(x)

    def parameters(self) -> List[Variable]:
        """No trainable values: []."""
        return []

    def __repr__(self):
        return "GELU(approximate='tanh')"

# %% [markdown]
# ### 🧪 Test GELU
#
# The tests compare with plain numpy and check the gradient against **central
# differences**: f'(x) ≈ (f(x + ε) − f(x − ε)) / 2ε, computed in float64 by the helper
# below, on the numpy formula (not on your code). They also check that float32 stays
# float32, that the input is never changed, that a second backward gives the same
# gradient, and that `gelu` is a single node of the graph.

# %% nbgrader={"grade": false, "grade_id": "test-helpers-gradients", "locked": true, "schema_version": 3, "solution": false}
# Test helpers (not exported): central differences in float64, and GELU written in numpy
# another way. 0.5 * (1 + tanh(u)) is the logistic sigmoid of 2u, so GELU(x) = x * sigmoid(2u).
from tinytorch.core.layers import Dense
from tinytorch.core.attention import (Embedding, LayerNorm, LearnedPositionalEncoding, MultiHeadAttention,
                                      causal_mask, padding_mask)


def numeric_grad(f, x, eps=1e-6):
    """∂f/∂x by central differences: f maps a float64 array to a float."""
    point = np.array(x, dtype=np.float64)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + eps
        above = f(point)
        point[index] = saved - eps
        below = f(point)
        point[index] = saved
        grad[index] = (above - below) / (2 * eps)
    return grad


def ref_gelu(x):
    """GELU (tanh form) in float64 numpy, through the sigmoid identity."""
    x = np.asarray(x, dtype=np.float64)
    u = np.sqrt(2.0 / np.pi) * (x + 0.044715 * np.power(x, 3))
    return x / (1.0 + np.exp(-2.0 * u))

# %% nbgrader={"grade": true, "grade_id": "test-gelu", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_gelu():
    """gelu matches the tanh formula, has the right gradient, keeps dtypes, and is one node"""
    print("🔬 Unit Test: GELU...")
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal((2, 3, 5)) * 2.0
    x = Variable(x64.copy(), requires_grad=True)
    y = gelu(x)
    assert isinstance(y, Variable), f"gelu should return a Variable, got {type(y).__name__}"
    assert y.shape == (2, 3, 5), f"gelu keeps the shape (2, 3, 5), got {y.shape}"
    assert np.allclose(y.data.data, ref_gelu(x64), rtol=1e-12, atol=1e-14), (
        f"gelu values differ from 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))): "
        f"got {y.data.data.ravel()[:4]}, expected {ref_gelu(x64).ravel()[:4]}")
    known = gelu(Variable(np.array([-3.0, 0.0, 1.0, 3.0]))).data.data
    assert np.allclose(known, [-0.0036373920817729943, 0.0, 0.8411919906082768, 2.996362607918227],
                       rtol=1e-12, atol=1e-15), f"gelu([-3, 0, 1, 3]) should be [-0.00364, 0, 0.84119, 2.99636], got {known}"

    # One fused node: its only parent in the graph is x itself
    assert len(y._parents) == 1 and y._parents[0] is x, (
        f"gelu must be ONE graph node (apply_op) whose only input is x; it has {len(y._parents)} "
        "parent(s): build it in numpy, not from Variable operations")

    # The gradient, against central differences of the numpy formula
    g = rng.standard_normal((2, 3, 5))
    loss = (y * g).sum()
    loss.backward()
    first = x.grad.data.data.copy()
    want = numeric_grad(lambda a: float((ref_gelu(a) * g).sum()), x64)
    assert np.allclose(first, want, rtol=1e-6, atol=1e-8), (
        f"gelu's gradient is wrong: got {first.ravel()[:4]}, central differences give {want.ravel()[:4]}")
    x.zero_grad()
    loss.backward()
    assert np.array_equal(x.grad.data.data, first), (
        "a second backward gives a different gradient: the backward must not change arrays it keeps")
    assert np.array_equal(x.data.data, x64), "gelu changed its input: never write into x's array"

    # float32 in, float32 out, float32 gradient
    x32 = Variable(x64.astype(np.float32), requires_grad=True)
    y32 = gelu(x32)
    y32.sum().backward()
    assert y32.dtype == np.float32, f"float32 input should give a float32 result, got {y32.dtype}"
    assert x32.grad.data.data.dtype == np.float32, f"the gradient of a float32 input should be float32, got {x32.grad.data.data.dtype}"
    assert np.allclose(y32.data.data, ref_gelu(x32.data.data), rtol=1e-5, atol=1e-6), "float32 gelu values are off"

    # Other inputs: an ndarray (a constant); the GELU layer
    plain = gelu(np.array([1.0, -1.0]))
    assert np.allclose(plain.data.data, ref_gelu([1.0, -1.0]), rtol=1e-12), f"gelu of an ndarray: got {plain.data.data}"
    layer = GELU()
    assert np.array_equal(layer(x).data.data, y.data.data), "GELU()(x) should equal gelu(x)"
    assert len(layer.parameters()) == 0, "GELU has no parameters"
    print("✅ GELU tests passed!")

test_gelu()

# %% [markdown]
# ## Step 2: The Feed-Forward Network
#
# ### Position-wise
# After attention has mixed information between positions, every position goes through
# the same small MLP, **independently**:
# ```
# FFN(x) = fc2(GELU(fc1(x)))        fc1: D → hidden (usually 4·D),   fc2: hidden → D
#
#   x (B, T, D) ─► view (B·T, D) ─► fc1 ─► (B·T, 4D) ─► GELU ─► fc2 ─► (B·T, D) ─► view (B, T, D)
# ```
# "Position-wise" means the same weights for every position: the (B, T) axes are just a
# big batch. That is why the input can be viewed as one matrix with B·T rows.
#
# ### Why the 2-D view
# `Dense` accepts (B, T, D) inputs, but then numpy multiplies a stack of B matrices by
# the weight matrix, and the weight's gradient comes back as a stack of B products that
# autograd must then sum over the batch. On a (B·T, D) view, forward and weight gradient
# are each one large matrix product, the operation BLAS is fastest at: the same numbers,
# about 20% less time for these layers at the tinygpt milestone's sizes.
#
# ### Why 4× wider
# About two thirds of a transformer's parameters sit in these MLPs (2 · D · 4D per block
# against 4 · D² for attention). The wide hidden layer is where a model stores much of
# what it knows; attention decides *which* positions it combines.
#
# In PyTorch: `nn.Sequential(nn.Linear(D, 4 * D), nn.GELU(approximate="tanh"),
# nn.Linear(4 * D, D))`, nanoGPT's `MLP`.

# %% nbgrader={"grade": false, "grade_id": "feedforward", "locked": false, "schema_version": 3, "solution": true}
#| export
class FeedForward:
    """The position-wise MLP of a transformer block: Dense(D -> hidden), GELU, Dense(hidden -> D)."""

    def __init__(self, embed_dim: int, hidden_dim: int, seed: Optional[int] = None):
        """
        Build the two Dense layers and the activation.

        TODO: Create self.fc1, self.activation and self.fc2.

        STEP-BY-STEP IMPLEMENTATION:
        1. self.fc1 = a Dense layer from embed_dim to hidden_dim, with seed `seed`
        2. self.activation = a GELU layer
        3. self.fc2 = a Dense layer from hidden_dim back to embed_dim, with seed seed + 1
           (the provided _offset_seed(seed, 1) keeps None as None)

        EXAMPLE USAGE:
        ```python
        ff = FeedForward(64, 256, seed=0)
        ff.fc1.weights.shape, ff.fc2.weights.shape     # (64, 256), (256, 64)
        ```

        IMPLEMENTATION HINTS:
        - Dense(input_size, output_size, seed=...) from module 03
        - Two layers with the SAME seed would start with related weights; offset it
        """
        self.embed_dim = _check_positive_int("FeedForward", "embed_dim", embed_dim)
        self.hidden_dim = _check_positive_int("FeedForward", "hidden_dim", hidden_dim)
        ### BEGIN SOLUTION
        self.fc1 = Dense(self.embed_dim, self.hidden_dim, seed=seed)
        self.activation = GELU()
        self.fc2 = Dense(self.hidden_dim, self.embed_dim, seed=_offset_seed(seed, 1))
        ### END SOLUTION

    def forward(self, x) -> Variable:
        """
        fc2(gelu(fc1(x))) for x of shape (..., embed_dim), computed on a 2-D view.

        TODO: Apply fc1, the activation and fc2 to every position at once.

        STEP-BY-STEP IMPLEMENTATION:
        1. View x as a matrix with one row per position: shape (N, embed_dim), where N is
           the product of all the other axes (reshape with -1)
        2. rows -> fc1 -> activation -> fc2: shape (N, embed_dim)
        3. Reshape the result back to x's shape

        EXAMPLE USAGE:
        ```python
        ff = FeedForward(8, 32)
        ff(Variable(np.ones((2, 5, 8), dtype=np.float32))).shape    # (2, 5, 8)
        ```

        IMPLEMENTATION HINTS:
        - Variable.reshape(-1, d) and Variable.reshape(*shape) both work and have backward
        - Why the 2-D view: Dense would accept (B, T, D) directly, but then numpy works on
          a stack of B matrices forward and backward; one (B*T, D) product is faster
        """
        x = _as_variable(x)
        shape = x.shape
        if len(shape) == 0 or shape[-1] != self.embed_dim:
            raise ValueError(f"{self!r} expects inputs whose last axis is {self.embed_dim}, "
                             f"got shape {shape}")
        ### BEGIN SOLUTION
        rows = x.reshape(-1, self.embed_dim)
        out = self.fc2(self.activation(self.fc1(rows)))
        return out.reshape(*shape)
        ### END SOLUTION

    def __call__(self, x) -> Variable:
        return self.forward(x)

    def parameters(self) -> List[Variable]:
        """The trainable values: fc1's weights and bias, then fc2's."""
        return self.fc1.parameters() + self.fc2.parameters()

    def __repr__(self):
        return f"FeedForward({self.embed_dim} -> {self.hidden_dim} -> {self.embed_dim})"

# %% nbgrader={"grade": true, "grade_id": "test-feedforward", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: gelu
def test_feedforward():
    """FeedForward is fc2(gelu(fc1(x))) on every position, with the right seeds and gradients"""
    print("🔬 Unit Test: FeedForward...")
    ff = FeedForward(5, 7, seed=3)
    assert ff.fc1.weights.shape == (5, 7) and ff.fc2.weights.shape == (7, 5), (
        f"fc1 should be Dense(5 -> 7) and fc2 Dense(7 -> 5), got weights {ff.fc1.weights.shape} and {ff.fc2.weights.shape}")
    assert np.array_equal(ff.fc1.weights.data.data, Dense(5, 7, seed=3).weights.data.data), "fc1 should use seed 3 (the seed)"
    assert np.array_equal(ff.fc2.weights.data.data, Dense(7, 5, seed=4).weights.data.data), "fc2 should use seed 4 (seed + 1)"
    params = ff.parameters()
    assert len(params) == 4 and params[0] is ff.fc1.weights and params[3] is ff.fc2.bias, "parameters: fc1 weights, bias, fc2 weights, bias"

    # Non-zero biases, so that a dropped bias shows
    rng = np.random.default_rng(1)
    ff.fc1.bias.data.data[...] = rng.normal(0.0, 0.5, 7)
    ff.fc2.bias.data.data[...] = rng.normal(0.0, 0.5, 5)
    W1, b1 = ff.fc1.weights.data.data.astype(np.float64), ff.fc1.bias.data.data.astype(np.float64)
    W2, b2 = ff.fc2.weights.data.data.astype(np.float64), ff.fc2.bias.data.data.astype(np.float64)

    def reference(a):
        return np.einsum("...h,hd->...d", ref_gelu(np.einsum("...d,dh->...h", a, W1) + b1), W2) + b2

    x32 = rng.standard_normal((2, 3, 5)).astype(np.float32)
    out = ff(Variable(x32.copy()))
    assert out.shape == (2, 3, 5), f"FeedForward keeps the shape (2, 3, 5), got {out.shape}"
    assert out.dtype == np.float32, f"float32 in, float32 out; got {out.dtype}"
    assert np.allclose(out.data.data, reference(x32.astype(np.float64)), rtol=1e-5, atol=1e-5), (
        f"FeedForward values differ from fc2(gelu(fc1(x))): got {out.data.data.ravel()[:3]}, "
        f"expected {reference(x32.astype(np.float64)).ravel()[:3]}")
    single = ff(Variable(x32[0, 0]))
    assert single.shape == (5,) and np.allclose(single.data.data, reference(x32[0, 0].astype(np.float64)), atol=1e-5), (
        f"a single position (5,) should give (5,), got {single.shape}")

    # Gradients: x (central differences, float64) and fc2's bias (the sum of the upstream gradient)
    x64 = rng.standard_normal((2, 3, 5))
    xv = Variable(x64.copy(), requires_grad=True)
    g = rng.standard_normal((2, 3, 5))
    (ff(xv) * g).sum().backward()
    want = numeric_grad(lambda a: float((reference(a) * g).sum()), x64)
    assert np.allclose(xv.grad.data.data, want, rtol=1e-5, atol=1e-7), (
        f"the gradient w.r.t. x is wrong: got {xv.grad.data.data.ravel()[:3]}, expected {want.ravel()[:3]}")
    assert np.allclose(ff.fc2.bias.grad.data.data, g.reshape(-1, 5).sum(axis=0), rtol=1e-5, atol=1e-6), (
        "fc2's bias should collect the gradient of every position")
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params), "every parameter should get a gradient of its shape"
    assert np.array_equal(xv.data.data, x64), "FeedForward must not change its input"

    try:
        ff(Variable(np.ones((2, 3, 4))))
        assert False, "an input whose last axis is not embed_dim should raise ValueError"
    except ValueError:
        pass
    print("✅ FeedForward tests passed!")

test_feedforward()

# %% [markdown]
# ## Step 3: The Transformer Block (Pre-Norm)
#
# ### Two residual sub-layers
# ```
#        x ─────────────────────────┐                 h ─────────────────────────┐
#        │                          │                 │                          │
#        └─► ln1 ─► attention ─────(+)──► h ─┬──────► └─► ln2 ─► feed-forward ──(+)──► out
#                  (causal mask)
#
#   h   = x + attn(ln1(x))
#   out = h + mlp(ln2(h))
# ```
#
# ### Pre-norm vs post-norm
# The original Transformer (2017) normalised *after* each sum: `LN(x + attn(x))`
# ("post-norm"). GPT-2 moved the LayerNorm *onto the branch*, before the sub-layer
# ("pre-norm"). Then the stream `x` itself is never normalised inside the stack: each
# block only *adds* to it. At initialisation every block is close to the identity, and the
# gradient of the loss reaches the first block through a chain of plain additions. Deep
# pre-norm transformers train without the careful learning-rate warm-up post-norm needs,
# which is why every GPT since uses it. (A final LayerNorm, `ln_f`, then normalises the
# stream once, before the output head: Step 4.)
#
# ### Seeds
# `MultiHeadAttention(embed_dim, num_heads, seed)` uses seeds seed … seed + 3 for its four
# projections, so the MLP gets seed + 4.
#
# ### With a cache
# `forward` takes a `cache` and a `layer` number too. Leave them to the provided
# `_attend`: without a cache it calls `self.attn(normed, mask)`; with one it calls
# `cached_attention`, which you write in Step 5.
#
# In PyTorch: `nn.TransformerEncoderLayer(d_model, nhead, 4 * d_model, activation="gelu",
# norm_first=True)` with a causal mask is this block (minus dropout); nanoGPT's `Block`.

# %% nbgrader={"grade": false, "grade_id": "transformer-block", "locked": false, "schema_version": 3, "solution": true}
#| export
class TransformerBlock:
    """One pre-norm transformer block: x + attn(ln1(x)), then + mlp(ln2(.))."""

    def __init__(self, embed_dim: int, num_heads: int, mlp_ratio: int = 4, seed: Optional[int] = None):
        """
        Build the two LayerNorms, the attention and the MLP.

        TODO: Create self.ln1, self.attn, self.ln2 and self.mlp.

        STEP-BY-STEP IMPLEMENTATION:
        1. self.ln1 and self.ln2: LayerNorm(embed_dim) each (module 15)
        2. self.attn: MultiHeadAttention(embed_dim, num_heads) with seed `seed`
           (it uses seed .. seed + 3 for its four projections)
        3. self.mlp: FeedForward(embed_dim, mlp_ratio * embed_dim) with seed seed + 4

        EXAMPLE USAGE:
        ```python
        block = TransformerBlock(64, num_heads=4, seed=0)
        block.attn.head_dim                  # 16
        block.mlp.fc1.weights.shape          # (64, 256): 4 x wider inside
        ```

        IMPLEMENTATION HINTS:
        - _offset_seed(seed, 4) gives seed + 4, or None when seed is None
        """
        self.embed_dim = _check_positive_int("TransformerBlock", "embed_dim", embed_dim)
        self.num_heads = _check_positive_int("TransformerBlock", "num_heads", num_heads)
        self.mlp_ratio = _check_positive_int("TransformerBlock", "mlp_ratio", mlp_ratio)
        ### BEGIN SOLUTION
        self.ln1 = LayerNorm(self.embed_dim)
        self.attn = MultiHeadAttention(self.embed_dim, self.num_heads, seed=seed)
        self.ln2 = LayerNorm(self.embed_dim)
        self.mlp = FeedForward(self.embed_dim, self.mlp_ratio * self.embed_dim, seed=_offset_seed(seed, 4))
        ### END SOLUTION

    def forward(self, x, mask=None, cache=None, layer: int = 0) -> Variable:
        """
        x (B, T, D) -> (B, T, D): h = x + attention(ln1(x)); out = h + mlp(ln2(h)).

        TODO: Write the two residual sub-layers of a pre-norm block.

        STEP-BY-STEP IMPLEMENTATION:
        1. h = x + the attention of ln1(x): call the provided self._attend(normed, mask,
           cache, layer), which uses self.attn (and the KV cache of Step 5 when one is given)
        2. out = h + self.mlp(ln2(h))
        3. Return out

        EXAMPLE USAGE:
        ```python
        block = TransformerBlock(8, num_heads=2)
        x = Variable(np.random.randn(2, 5, 8).astype(np.float32))
        block(x, mask=causal_mask(5)).shape      # (2, 5, 8)
        ```

        IMPLEMENTATION HINTS:
        - The LayerNorm goes on the branch, never on the sum: x itself flows through the
          block unchanged except for what the two branches add to it
        - ln1 before attention, ln2 before the MLP: they have separate gamma and beta
        """
        ### BEGIN SOLUTION
        h = x + self._attend(self.ln1(x), mask, cache, layer)
        return h + self.mlp(self.ln2(h))
        ### END SOLUTION

    def _attend(self, normed, mask, cache, layer: int) -> Variable:
        """Self-attention over the block's (normalised) input: directly, or through a KV cache."""
        if cache is None:
            return self.attn(normed, mask)
        return cached_attention(self.attn, normed, cache, layer, mask)

    def __call__(self, x, mask=None, cache=None, layer: int = 0) -> Variable:
        return self.forward(x, mask, cache, layer)

    def parameters(self) -> List[Variable]:
        """The trainable values: ln1, attn, ln2, mlp (in that order)."""
        return (self.ln1.parameters() + self.attn.parameters()
                + self.ln2.parameters() + self.mlp.parameters())

    def __repr__(self):
        return f"TransformerBlock({self.embed_dim}, num_heads={self.num_heads}, mlp_ratio={self.mlp_ratio})"

# %% [markdown]
# ### 🧪 Test the Block
#
# The helper cell below is a plain-numpy transformer: LayerNorm, the dense layers,
# multi-head attention with einsum, GELU via a sigmoid, a block and a whole GPT, all in
# float64 and written differently from the code you write. The tests run your layers and
# these references on the **same weights**, so any difference is a real mistake. The
# weights are first scrambled (LayerNorm gains ≠ 1, biases ≠ 0) so that swapped
# LayerNorms or a dropped bias show.

# %% nbgrader={"grade": false, "grade_id": "test-helpers-reference", "locked": true, "schema_version": 3, "solution": false}
# A plain-numpy transformer in float64, for the tests. It reads the weights of your layers
# and computes the same function another way (einsum, explicit head loops, a sigmoid GELU).
def _f64(p):
    return np.asarray(p.data.data, dtype=np.float64)


def ref_layer_norm(x, ln):
    mu = x.mean(axis=-1, keepdims=True)
    var = np.square(x - mu).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + ln.eps) * _f64(ln.gamma) + _f64(ln.beta)


def ref_dense(x, dense):
    out = np.einsum("...i,io->...o", x, _f64(dense.weights))
    return out if dense.bias is None else out + _f64(dense.bias)


def ref_attention(x, attn, allowed=None):
    """Multi-head self-attention, one head at a time; `allowed` is (T, Tk) or (B, T, Tk)."""
    B, T, D = x.shape
    H = attn.num_heads
    d = D // H
    q, k, v = ref_dense(x, attn.w_q), ref_dense(x, attn.w_k), ref_dense(x, attn.w_v)
    heads = []
    for h in range(H):
        cols = slice(h * d, (h + 1) * d)
        s = np.einsum("bqc,bkc->bqk", q[..., cols], k[..., cols]) / np.sqrt(d)
        if allowed is not None:
            s = np.where(np.broadcast_to(allowed, s.shape), s, -1e9)
        e = np.exp(s - s.max(axis=-1, keepdims=True))
        heads.append(np.einsum("bqk,bkc->bqc", e / e.sum(axis=-1, keepdims=True), v[..., cols]))
    return ref_dense(np.concatenate(heads, axis=-1), attn.w_o)


def ref_block(x, block, allowed=None):
    mid = x + ref_attention(ref_layer_norm(x, block.ln1), block.attn, allowed)
    hidden = ref_gelu(ref_dense(ref_layer_norm(mid, block.ln2), block.mlp.fc1))
    return mid + ref_dense(hidden, block.mlp.fc2)


def ref_gpt(model, ids):
    ids = np.asarray(ids)
    T = ids.shape[1]
    table = _f64(model.token_embedding.weight)
    x = table[ids] + _f64(model.position_embedding.weight)[:T]
    allowed = np.tri(T, dtype=bool)
    for block in model.blocks:
        x = ref_block(x, block, allowed)
    x = ref_layer_norm(x, model.ln_f)
    if model.tie_weights:
        return np.einsum("btd,vd->btv", x, table)
    return ref_dense(x, model.head)


def scramble(params, rng, scale=0.3):
    """Shift every parameter a little (in place, dtype kept): LayerNorm gains and biases stop being 1 and 0."""
    for p in params:
        p.data.data[...] += rng.normal(0.0, scale, p.shape)

# %% nbgrader={"grade": true, "grade_id": "test-transformer-block", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: gelu, FeedForward
def test_transformer_block():
    """A pre-norm block: x + attn(ln1(x)), then + mlp(ln2(.)); seeds, masks, residuals, gradients"""
    print("🔬 Unit Test: TransformerBlock...")
    block = TransformerBlock(8, 2, mlp_ratio=3, seed=5)
    assert isinstance(block.ln1, LayerNorm) and isinstance(block.ln2, LayerNorm) and block.ln1 is not block.ln2, (
        "ln1 and ln2 should be two separate LayerNorm(embed_dim)")
    assert isinstance(block.attn, MultiHeadAttention) and block.attn.num_heads == 2, "attn should be MultiHeadAttention(8, 2)"
    assert block.mlp.fc1.weights.shape == (8, 24), f"the MLP should be 8 -> 3*8 = 24 -> 8, got fc1 {block.mlp.fc1.weights.shape}"
    assert np.array_equal(block.attn.w_q.weights.data.data, MultiHeadAttention(8, 2, seed=5).w_q.weights.data.data), (
        "attn should use the block's seed")
    assert np.array_equal(block.mlp.fc1.weights.data.data, Dense(8, 24, seed=9).weights.data.data), (
        "the MLP should use seed + 4 (attention has seed .. seed + 3)")
    params = block.parameters()
    assert len(params) == 16 and len({id(p) for p in params}) == 16, f"a block has 16 distinct parameters, got {len(params)}"

    rng = np.random.default_rng(2)
    scramble(params, rng)
    x32 = rng.standard_normal((2, 4, 8)).astype(np.float32)
    x64 = x32.astype(np.float64)
    causal = causal_mask(4)
    out = block(Variable(x32.copy()), mask=causal)
    want = ref_block(x64, block, causal)
    assert out.shape == (2, 4, 8) and out.dtype == np.float32, f"expected a float32 (2, 4, 8) result, got {out.dtype} {out.shape}"
    assert np.allclose(out.data.data, want, rtol=1e-4, atol=1e-4), (
        f"block output differs from x + attn(ln1(x)), then + mlp(ln2(.)): got {out.data.data[0, 0, :3]}, "
        f"expected {want[0, 0, :3]}")

    # Without a mask, and with a (B, T, T) mask (causal and padding together)
    assert np.allclose(block(Variable(x32)).data.data, ref_block(x64, block), rtol=1e-4, atol=1e-4), "block without a mask is wrong"
    both = causal & padding_mask(np.array([[3, 1, 2, 0], [5, 6, 0, 0]]), 0)
    assert np.allclose(block(Variable(x32), mask=both).data.data, ref_block(x64, block, both), rtol=1e-4, atol=1e-4), (
        "block with a (B, T, T) mask is wrong: pass the mask on to the attention")

    # The residual structure: with both output projections zero, the block is the identity
    quiet = TransformerBlock(8, 2, seed=1)
    for p in quiet.attn.w_o.parameters() + quiet.mlp.fc2.parameters():
        p.data.data[...] = 0.0
    assert np.array_equal(quiet(Variable(x32), mask=causal).data.data, x32), (
        "with attn.w_o and mlp.fc2 all zero, out must equal x exactly: the block adds to x (residual), "
        "and the LayerNorms sit on the branches, not on the sum")

    # Gradients: x against central differences of the reference; every parameter gets one
    small = x64[:, :3]
    xv = Variable(small.copy(), requires_grad=True)
    g = rng.standard_normal(small.shape)
    (block(xv, mask=causal_mask(3)) * g).sum().backward()
    want_grad = numeric_grad(lambda a: float((ref_block(a, block, causal_mask(3)) * g).sum()), small)
    assert np.allclose(xv.grad.data.data, want_grad, rtol=1e-4, atol=1e-5), (
        f"the gradient w.r.t. x is wrong: got {xv.grad.data.data.ravel()[:3]}, expected {want_grad.ravel()[:3]}")
    assert all(p.grad is not None for p in params), "every parameter of the block should get a gradient"
    assert np.array_equal(xv.data.data, small), "the block must not change its input"
    print("✅ TransformerBlock tests passed!")

test_transformer_block()

# %% [markdown]
# ## Step 4: GPT
#
# ### Embeddings in, logits out
# ```
# x      = E[ids] + P[start : start + T]          E: (V, D) token table, P: (max_len, D) positions
# x      = block_L( … block_1(x, causal) … )
# h      = ln_f(x)                                (B, T, D)
# logits = h @ Eᵀ                                 (B, T, V)      tied
#        = h @ W_head                                            untied: Dense(D, V, no bias)
# ```
#
# ### The causal mask, with an offset
# Position i may attend to keys j ≤ i. Without a cache that is `causal_mask(T)` from
# module 15. With a cache (Step 5) the T new tokens sit at positions start … start+T−1
# and the keys are all start + T positions, so the mask is (T, start + T) and row i
# allows columns 0 … start + i:
# ```
#   start = 0, T = 3 (no cache)          start = 3, T = 2 (3 cached, 2 new)
#        keys 0 1 2                           keys 0 1 2 3 4
#   q 0       ✓ · ·                      q 3       ✓ ✓ ✓ ✓ ·
#   q 1       ✓ ✓ ·                      q 4       ✓ ✓ ✓ ✓ ✓
#   q 2       ✓ ✓ ✓
# ```
# `np.tril(ones, k)` draws both: it keeps the entries on and below diagonal k.
#
# ### Weight tying
# The token embedding maps a token to a vector; the output head maps a vector to a score
# per token. Press & Wolf (2017) noticed that one matrix can do both: logits = h @ Eᵀ
# scores each token by the dot product of h with that token's own embedding. It saves
# V · D parameters (GPT-2 small: 38.6M of 124M) and usually trains better on small data.
# The tied weight gets gradient from **both** uses: from the rows of the tokens in the
# input (the embedding, a scatter-add) and from every row (the head). autograd adds the
# two, because the same Variable appears twice in the graph. `parameters()` must list it
# **once**, or the optimizer would be handed it twice.
#
# ### Seeds
# token embedding: seed; positions: seed + 1; untied head: seed + 2; block i:
# seed + 100·(i + 1) (each block uses seeds up to its own + 5).
#
# ### The head as one matrix product
# As in the feed-forward network, view h as (B·T, D) before the head: one large product
# (B·T, D) @ (D, V), then reshape the logits to (B, T, V).
#
# In PyTorch: nanoGPT's `GPT`, Hugging Face's `GPT2LMHeadModel` (tied with
# `lm_head.weight = transformer.wte.weight`).

# %% nbgrader={"grade": false, "grade_id": "gpt-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _token_ids(tokens) -> np.ndarray:
    """tokens (B, T) as an ndarray of ids, or a ValueError that says what shape is expected."""
    ids = _values(tokens)
    if isinstance(tokens, Variable) and ids.dtype.kind == "f" and np.all(np.floor(ids) == ids):
        ids = ids.astype(np.int64)         # a Variable always holds floats
    if ids.ndim != 2 or ids.shape[1] == 0:
        raise ValueError(f"GPT expects token ids of shape (B, T) with T >= 1, got shape {ids.shape}; "
                         "for a single sequence pass [ids]")
    return ids

# %% nbgrader={"grade": false, "grade_id": "gpt", "locked": false, "schema_version": 3, "solution": true}
#| export
class GPT:
    """A decoder-only transformer language model: token ids (B, T) -> next-token logits (B, T, V)."""

    def __init__(self, vocab_size: int, max_len: int, embed_dim: int, num_heads: int, num_layers: int,
                 tie_weights: bool = True, seed: Optional[int] = None):
        """
        Build the embeddings, the blocks, the final LayerNorm and (untied) the output head.

        TODO: Create the model's layers.

        STEP-BY-STEP IMPLEMENTATION:
        1. self.token_embedding: Embedding(vocab_size, embed_dim), seed `seed`
        2. self.position_embedding: LearnedPositionalEncoding(max_len, embed_dim), seed seed + 1
        3. self.blocks: a list of num_layers TransformerBlock(embed_dim, num_heads), block i
           with seed seed + 100 * (i + 1)
        4. self.ln_f: LayerNorm(embed_dim)
        5. self.head: None when tie_weights (the logits then use the token embedding's
           weight), else Dense(embed_dim, vocab_size, use_bias=False) with seed seed + 2

        EXAMPLE USAGE:
        ```python
        model = GPT(vocab_size=65, max_len=64, embed_dim=64, num_heads=4, num_layers=2, seed=0)
        len(model.blocks)                       # 2
        model.head                              # None: tied to model.token_embedding.weight
        ```

        IMPLEMENTATION HINTS:
        - _offset_seed(seed, k) is seed + k, or None when seed is None
        - A list comprehension over range(num_layers) builds the blocks
        """
        self.vocab_size = _check_positive_int("GPT", "vocab_size", vocab_size)
        self.max_len = _check_positive_int("GPT", "max_len", max_len)
        self.embed_dim = _check_positive_int("GPT", "embed_dim", embed_dim)
        self.num_heads = _check_positive_int("GPT", "num_heads", num_heads)
        self.num_layers = _check_positive_int("GPT", "num_layers", num_layers)
        if self.embed_dim % self.num_heads:
            raise ValueError(f"GPT: embed_dim={embed_dim} is not divisible by num_heads={num_heads}")
        self.tie_weights = bool(tie_weights)
        ### BEGIN SOLUTION
        self.token_embedding = Embedding(self.vocab_size, self.embed_dim, seed=seed)
        self.position_embedding = LearnedPositionalEncoding(self.max_len, self.embed_dim,
                                                            seed=_offset_seed(seed, 1))
        self.blocks = [TransformerBlock(self.embed_dim, self.num_heads, seed=_offset_seed(seed, 100 * (i + 1)))
                       for i in range(self.num_layers)]
        self.ln_f = LayerNorm(self.embed_dim)
        self.head = None
        if not self.tie_weights:
            self.head = Dense(self.embed_dim, self.vocab_size, use_bias=False, seed=_offset_seed(seed, 2))
        ### END SOLUTION

    def forward(self, tokens, cache=None) -> Variable:
        """
        Token ids (B, T) -> logits (B, T, vocab_size); with a cache, tokens are the NEW ones.

        TODO: Embed, add positions, run the blocks under a causal mask, normalise, project.

        STEP-BY-STEP IMPLEMENTATION:
        1. start = the number of positions already in the cache (cache.length), 0 without one
        2. If start + T > self.max_len raise ValueError naming start, T and max_len
        3. x = token embedding of ids, plus the learned positions start .. start + T - 1
           (position_embedding(x, start=start))
        4. The mask, shape (T, start + T): new token i sits at position start + i and may see
           every key j <= start + i; without a cache (start = 0) this is causal_mask(T)
        5. Run x through every block in order, passing the mask, the cache and the block's
           index (its `layer` number in the cache)
        6. h = ln_f(x), viewed as (B * T, embed_dim)
        7. logits = h @ (token embedding weight, transposed) when tied, else self.head(h);
           reshape to (B, T, vocab_size)

        EXAMPLE USAGE:
        ```python
        model = GPT(vocab_size=11, max_len=8, embed_dim=16, num_heads=2, num_layers=1)
        model(np.array([[1, 2, 3], [4, 5, 6]])).shape      # (2, 3, 11)
        model(np.zeros((1, 9), dtype=np.int64))            # ValueError: ... max_len=8 ...
        ```

        IMPLEMENTATION HINTS:
        - ids is an integer ndarray (B, T) (the provided _token_ids checks the shape)
        - np.tril(M, k) keeps the entries on and below the k-th diagonal: with k = start,
          row i keeps columns 0 .. start + i
        - weight.T of the (vocab_size, embed_dim) table is (embed_dim, vocab_size), with a
          backward: the tied weight then collects gradient from the embedding AND the head
        - enumerate(self.blocks) gives (layer, block) pairs
        """
        ids = _token_ids(tokens)
        B, T = ids.shape
        ### BEGIN SOLUTION
        start = 0 if cache is None else cache.length
        if start + T > self.max_len:
            raise ValueError(f"GPT: {start} cached + {T} new positions exceed max_len={self.max_len}")
        x = self.position_embedding(self.token_embedding(ids), start=start)
        mask = np.tril(np.ones((T, start + T), dtype=bool), k=start)
        for layer, block in enumerate(self.blocks):
            x = block(x, mask=mask, cache=cache, layer=layer)
        h = self.ln_f(x).reshape(B * T, self.embed_dim)
        if self.head is None:
            logits = h @ self.token_embedding.weight.T
        else:
            logits = self.head(h)
        return logits.reshape(B, T, self.vocab_size)
        ### END SOLUTION

    def __call__(self, tokens, cache=None) -> Variable:
        return self.forward(tokens, cache)

    def parameters(self) -> List[Variable]:
        """
        Every trainable array once: embeddings, blocks, ln_f, then the head if untied.

        TODO: Collect the parameters of every part, in that order.

        STEP-BY-STEP IMPLEMENTATION:
        1. token_embedding, then position_embedding
        2. every block, in order
        3. ln_f
        4. the head, only when there is one (untied)

        EXAMPLE USAGE:
        ```python
        model = GPT(vocab_size=11, max_len=8, embed_dim=16, num_heads=2, num_layers=1)
        len(model.parameters())     # 2 + 16 + 2 = 20
        ```

        IMPLEMENTATION HINTS:
        - Each part has parameters(), which returns a list; lists add with +
        - Tied: the token embedding's weight is the head; list it ONCE, or an optimizer
          would be handed it twice
        """
        ### BEGIN SOLUTION
        params = self.token_embedding.parameters() + self.position_embedding.parameters()
        for block in self.blocks:
            params += block.parameters()
        params += self.ln_f.parameters()
        if self.head is not None:
            params += self.head.parameters()
        return params
        ### END SOLUTION

    def num_parameters(self) -> int:
        """The number of trainable numbers (a tied weight counted once)."""
        return int(sum(p.data.data.size for p in self.parameters()))

    def __repr__(self):
        return (f"GPT(vocab_size={self.vocab_size}, max_len={self.max_len}, embed_dim={self.embed_dim}, "
                f"num_heads={self.num_heads}, num_layers={self.num_layers}, tie_weights={self.tie_weights})")

# %% nbgrader={"grade": true, "grade_id": "test-gpt", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: TransformerBlock, FeedForward, gelu
def test_gpt():
    """GPT's layers, seeds, logits (tied and untied), parameter lists and counts, and errors"""
    print("🔬 Unit Test: GPT...")
    V, L, D, H, N = 11, 6, 8, 2, 2
    model = GPT(V, L, D, H, N, seed=0)
    untied = GPT(V, L, D, H, N, tie_weights=False, seed=0)
    assert isinstance(model.token_embedding, Embedding) and model.token_embedding.weight.shape == (V, D), (
        "token_embedding should be Embedding(vocab_size, embed_dim)")
    assert isinstance(model.position_embedding, LearnedPositionalEncoding) and model.position_embedding.weight.shape == (L, D), (
        "position_embedding should be LearnedPositionalEncoding(max_len, embed_dim)")
    assert len(model.blocks) == N and all(isinstance(b, TransformerBlock) for b in model.blocks), f"expected {N} TransformerBlocks"
    assert isinstance(model.ln_f, LayerNorm) and model.head is None, "ln_f should be a LayerNorm; a tied model has head None"
    assert np.array_equal(model.token_embedding.weight.data.data, Embedding(V, D, seed=0).weight.data.data), "token embedding: seed"
    assert np.array_equal(model.position_embedding.weight.data.data,
                          LearnedPositionalEncoding(L, D, seed=1).weight.data.data), "position embedding: seed + 1"
    for i in range(N):
        assert np.array_equal(model.blocks[i].attn.w_q.weights.data.data,
                              TransformerBlock(D, H, seed=100 * (i + 1)).attn.w_q.weights.data.data), (
            f"block {i} should use seed + 100 * ({i} + 1)")
    assert isinstance(untied.head, Dense) and untied.head.bias is None and untied.head.weights.shape == (D, V), (
        "untied: head should be Dense(embed_dim, vocab_size, use_bias=False)")
    assert np.array_equal(untied.head.weights.data.data, Dense(D, V, use_bias=False, seed=2).weights.data.data), "head: seed + 2"
    assert np.array_equal(untied.blocks[1].mlp.fc2.weights.data.data, model.blocks[1].mlp.fc2.weights.data.data), (
        "tied and untied models with the same seed should share every other weight")

    # Parameters: each once, in order; the counts
    block_size = 4 * (D * D + D) + 2 * (2 * D) + (D * 4 * D + 4 * D) + (4 * D * D + D)
    tied_size = V * D + L * D + N * block_size + 2 * D
    params = model.parameters()
    assert len(params) == 2 + 16 * N + 2 and len({id(p) for p in params}) == len(params), (
        f"a tied GPT with {N} blocks has {2 + 16 * N + 2} distinct parameters, got {len(params)}")
    assert params[0] is model.token_embedding.weight and params[1] is model.position_embedding.weight, (
        "parameters start with the token and position embeddings")
    assert params[2] is model.blocks[0].ln1.gamma and params[-1] is model.ln_f.beta, "then the blocks, then ln_f"
    assert model.num_parameters() == tied_size, f"tied: {tied_size} parameters expected, got {model.num_parameters()}"
    uparams = untied.parameters()
    assert len(uparams) == len(params) + 1 and uparams[-1] is untied.head.weights, "untied: the head's weights come last"
    assert untied.num_parameters() == tied_size + D * V, (
        f"untied: {tied_size + D * V} parameters expected (the head adds D * V), got {untied.num_parameters()}")

    # Logits against the numpy reference, with scrambled weights
    rng = np.random.default_rng(3)
    scramble(params, rng)
    scramble(uparams, rng)
    tokens = np.array([[1, 2, 3, 4, 5], [10, 0, 7, 7, 2]])
    for m, name in ((model, "tied"), (untied, "untied")):
        logits = m(tokens)
        want = ref_gpt(m, tokens)
        assert logits.shape == (2, 5, V) and logits.dtype == np.float32, (
            f"{name}: logits should be float32 (2, 5, {V}), got {logits.dtype} {logits.shape}")
        assert np.allclose(logits.data.data, want, rtol=1e-4, atol=1e-4), (
            f"{name}: logits differ from the reference GPT: got {logits.data.data[1, 2, :3]}, expected {want[1, 2, :3]}")
    assert np.allclose(model([[1, 2, 3]]).data.data, ref_gpt(model, [[1, 2, 3]]), rtol=1e-4, atol=1e-4), "tokens as a list"

    # max_len positions are fine, max_len + 1 are not
    assert model(np.zeros((1, L), dtype=np.int64)).shape == (1, L, V), "a full max_len window must work"
    try:
        model(np.zeros((1, L + 1), dtype=np.int64))
        assert False, f"{L + 1} tokens with max_len={L} should raise ValueError"
    except ValueError:
        pass
    try:
        model(np.array([1, 2, 3]))
        assert False, "1-D tokens should raise ValueError (the shape is (B, T))"
    except ValueError:
        pass
    print("✅ GPT tests passed!")

test_gpt()

# %% [markdown]
# ### 🧪 Causality, Tied Gradients, and Learning
#
# Three properties that matter more than any single number:
# - **Causal**: changing the token at position j may change the logits at positions ≥ j,
#   never at positions < j. A model that could look ahead would learn to copy the answer.
# - **Tied**: the tied weight's gradient is the embedding's gradient plus the head's,
#   exactly: an untied model with the head set to Eᵀ gives both parts separately.
# - **It learns**: a tiny GPT trained with Adam on a repeating sequence drives its loss
#   down. Training the model is `logits.reshape(B * T, V)` into module 09's
#   `CrossEntropyLoss` against the next tokens.

# %% nbgrader={"grade": true, "grade_id": "test-gpt-causal-tied-training", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: TransformerBlock, FeedForward, gelu
from tinytorch.core.optimizers import Adam
from tinytorch.core.training import CrossEntropyLoss


def test_gpt_causal_tied_training():
    """GPT never looks ahead, its tied weight gets gradient from both uses, and it learns"""
    print("🔬 Unit Test: GPT causality, tied gradients, training...")
    rng = np.random.default_rng(4)
    model = GPT(13, 8, 16, 4, 2, seed=3)
    tokens = rng.integers(0, 13, size=(2, 8))
    base = model(tokens).data.data.copy()
    for j in (0, 3, 7):
        changed = tokens.copy()
        changed[:, j] = (changed[:, j] + 5) % 13
        out = model(changed).data.data
        assert np.allclose(out[:, :j], base[:, :j], rtol=0, atol=1e-6), (
            f"changing the token at position {j} changed the logits at earlier positions: the model looks ahead "
            "(the mask must allow key j <= query i only)")
        assert not np.allclose(out[:, j], base[:, j], rtol=0, atol=1e-6), f"the logits at position {j} should depend on token {j}"
        if j < 7:
            assert not np.allclose(out[:, j + 1:], base[:, j + 1:], rtol=0, atol=1e-6), (
                f"later positions should see token {j}")

    # The tied weight = embedding gradient + head gradient (an untied model with head = E^T)
    tied = GPT(13, 8, 16, 4, 1, seed=5)
    untied = GPT(13, 8, 16, 4, 1, tie_weights=False, seed=5)
    untied.head.weights.data.data[...] = tied.token_embedding.weight.data.data.T
    ids = [[0, 1, 2, 1, 0]]
    g = rng.standard_normal((1, 5, 13))
    (tied(ids) * g).sum().backward()
    (untied(ids) * g).sum().backward()
    got = tied.token_embedding.weight.grad.data.data
    want = untied.token_embedding.weight.grad.data.data + untied.head.weights.grad.data.data.T
    assert np.allclose(got, want, rtol=1e-4, atol=1e-6), (
        "the tied weight's gradient should be the sum of its two uses (embedding rows + output head)")
    assert np.abs(got[3:]).sum() > 0, "tokens that are not in the input still get gradient from the head"

    # Training: a tiny GPT learns a repeating sequence
    net = GPT(6, 8, 16, 2, 1, seed=0)
    stream = np.tile([0, 1, 2, 3, 4, 5, 2, 4], 4)
    xs = np.stack([stream[i:i + 8] for i in range(4)])
    ys = np.stack([stream[i + 1:i + 9] for i in range(4)])
    optimizer = Adam(net.parameters(), learning_rate=0.02)
    loss_fn = CrossEntropyLoss()
    losses = []
    for _ in range(40):
        loss = loss_fn(net(xs).reshape(32, 6), ys.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data.data))
    print(f"   loss: {losses[0]:.3f} -> {losses[-1]:.3f}")
    assert losses[-1] < 0.25 * losses[0], f"40 Adam steps should cut the loss by 4x or more, got {losses[0]:.3f} -> {losses[-1]:.3f}"
    print("✅ GPT causality, tied gradient and training tests passed!")

test_gpt_causal_tied_training()

# %% [markdown]
# ## Step 5: The KV Cache
#
# ### Generation recomputes everything
# To write n tokens, a model runs n times. Without help, step t feeds the whole context
# of t tokens, and every layer recomputes the keys and values of all t positions, and the
# attention of all t queries, although only the **last** row of logits is used:
# ```
# step 1:  [p r o]           → 3 positions computed, 1 used
# step 2:  [p r o m]         → 4 positions computed, 1 used
# step 3:  [p r o m p]       → 5 ...                     total ≈ n²/2 positions
# ```
#
# ### What does not change
# Thanks to the causal mask, position j's keys and values depend only on tokens ≤ j: a
# later token can never change them. So every layer can **keep** the keys and values it
# has computed, and each step computes only the newest position: its query attends to
# all cached keys plus its own.
# ```
#                     layer ℓ cache              new position
#   keys[ℓ]    (B, H, t, dh)  k₀ k₁ … k_{t-1}  +  k_t      → (B, H, t+1, dh)
#   values[ℓ]  (B, H, t, dh)  v₀ v₁ … v_{t-1}  +  v_t
#   query                                         q_t      → attends over t+1 keys
# ```
# Per new token: the projections and the MLP run on 1 position instead of t, and the
# attention is one (1, t) row instead of a (t, t) matrix. Work per token drops from O(t)
# positions (O(t²) attention) to O(1) positions (O(t) attention).
#
# ### The price: memory
# The cache holds 2 · num_layers · B · t · D numbers. GPT-2 small at t = 1024 keeps
# 2 · 12 · 1024 · 768 float32 numbers: 75 MB per sequence. Serving many long
# conversations at once is mostly a problem of where to put KV caches (vLLM's
# *PagedAttention* exists for that).
#
# ### What you write
# - `append_positions(past, new)`: the cached array (a constant) followed by the new
#   positions (a Variable), joined along the position axis as one node. Its backward
#   hands the new positions their slice of the gradient. (Real implementations write into
#   a preallocated buffer instead of copying the cache each step; a copy keeps this
#   simple and costs little at our sizes.)
# - `KVCache.append(layer, k, v)`: extend one layer's keys and values, store the arrays,
#   return the full keys and values. `reset()` and `length` (the positions in the last
#   layer, which a forward pass fills last) are provided.
# - `cached_attention(attn, x, cache, layer, mask)`: MultiHeadAttention's forward, with
#   the keys and values passing through the cache. Step 3's block calls it when it is
#   given a cache, and Step 4's GPT already starts the positions and the mask at
#   `cache.length`.
#
# In practice: Hugging Face's `past_key_values` / `DynamicCache`, `use_cache=True` in
# `model.generate`; PyTorch's `torch.nn.MultiheadAttention` leaves it to the caller.

# %% nbgrader={"grade": false, "grade_id": "kv-cache", "locked": false, "schema_version": 3, "solution": true}
#| export
def append_positions(past, new) -> Variable:
    """
    Keys (or values) of earlier positions, then the new ones: (B, H, t, d) + (B, H, T, d) -> (B, H, t + T, d).

    TODO: Concatenate along the position axis, as one graph node.

    STEP-BY-STEP IMPLEMENTATION:
    1. If past is None (nothing cached yet), return new as it is
    2. t = the number of cached positions (past's axis 2)
    3. joined = the past array and new's values concatenated along axis 2
    4. Define append_positions_backward(grad_output) returning a 1-tuple: the part of
       grad_output that belongs to the new positions (positions t and after); the past
       is a constant (stored numbers, not part of this graph)
    5. Return the node that apply_op makes from: joined, the inputs (new,), your
       backward function, and the name "append_positions_backward"

    EXAMPLE USAGE:
    ```python
    past = np.zeros((1, 2, 3, 4), dtype=np.float32)       # 3 cached positions
    new = Variable(np.ones((1, 2, 1, 4), dtype=np.float32))
    both = append_positions(past, new)                    # shape (1, 2, 4, 4)
    both.sum().backward()
    new.grad.shape                                        # (1, 2, 1, 4)
    ```

    IMPLEMENTATION HINTS:
    - np.concatenate([a, b], axis=2) joins along an existing axis
    - g[:, :, t:] selects positions t and after on axis 2
    """
    ### BEGIN SOLUTION
    if past is None:
        return new
    t = past.shape[2]
    joined = np.concatenate([past, _values(new)], axis=2)

    def append_positions_backward(grad_output):
        return (grad_output[:, :, t:],)

    return apply_op(joined, (new,), append_positions_backward, "append_positions_backward")
    ### END SOLUTION


class KVCache:
    """
    The keys and values every layer has computed for the positions seen so far.

    keys[layer] and values[layer] are ndarrays (B, H, t, head_dim), or None before the first
    position; `length` is t, the number of positions cached.
    """

    def __init__(self, num_layers: int):
        self.num_layers = _check_positive_int("KVCache", "num_layers", num_layers)
        self.reset()

    def reset(self) -> None:
        """Forget every cached position (start a new sequence)."""
        self.keys: List[Optional[np.ndarray]] = [None] * self.num_layers
        self.values: List[Optional[np.ndarray]] = [None] * self.num_layers

    @property
    def length(self) -> int:
        """The number of positions cached (in the last layer: a model's forward fills it last)."""
        last = self.keys[-1]
        return 0 if last is None else int(last.shape[2])

    def _check(self, layer, k, v) -> None:
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not 0 <= layer < self.num_layers:
            raise ValueError(f"KVCache: layer must be an integer in [0, {self.num_layers}), got {layer!r}")
        k_shape, v_shape = _values(k).shape, _values(v).shape
        if len(k_shape) != 4 or len(v_shape) != 4 or k_shape[:3] != v_shape[:3]:
            raise ValueError(f"KVCache: keys and values must be (B, H, T, d) with the same B, H, T, "
                             f"got {k_shape} and {v_shape}")
        past = self.keys[layer]
        if past is not None and (past.shape[:2] != k_shape[:2] or past.shape[3] != k_shape[3]
                                 or self.values[layer].shape[3] != v_shape[3]):
            raise ValueError(f"KVCache: layer {layer} holds keys of shape {past.shape}; new keys of "
                             f"shape {k_shape} do not fit (same B, H and head size needed)")

    def append(self, layer: int, k, v) -> Tuple[Variable, Variable]:
        """
        Add the new positions' keys and values to `layer`; return ALL of that layer's keys and values.

        TODO: Extend the stored keys and values of `layer` and return them as Variables.

        STEP-BY-STEP IMPLEMENTATION:
        1. keys_all = append_positions(the layer's stored keys, k); the same for the values
        2. Store the new arrays (keys_all's and values_all's ndarrays) as the layer's
           keys[layer] and values[layer]
        3. Return (keys_all, values_all)

        EXAMPLE USAGE:
        ```python
        cache = KVCache(num_layers=1)
        k = Variable(np.ones((1, 2, 3, 4)))
        cache.append(0, k, k)           # 3 positions: cache.length == 3
        cache.append(0, k[:, :, :1], k[:, :, :1])[0].shape    # (1, 2, 4, 4)
        ```

        IMPLEMENTATION HINTS:
        - A Variable's ndarray is v.data.data
        - The provided self._check(layer, k, v) has already validated the shapes
        """
        self._check(layer, k, v)
        ### BEGIN SOLUTION
        keys_all = append_positions(self.keys[layer], k)
        values_all = append_positions(self.values[layer], v)
        self.keys[layer] = keys_all.data.data
        self.values[layer] = values_all.data.data
        return keys_all, values_all
        ### END SOLUTION

    def __repr__(self):
        return f"KVCache(num_layers={self.num_layers}, length={self.length})"


def _heads_mask(mask):
    """A (T, Tk) or (B, T, Tk) mask with the head axis inserted, so it broadcasts over heads."""
    if mask is None:
        return None
    mask = _values(mask)
    if mask.ndim in (2, 3):
        mask = np.expand_dims(mask, -3)
    return mask


def cached_attention(attn, x, cache, layer: int, mask=None) -> Variable:
    """
    Multi-head self-attention of the NEW positions x (B, T, D) over the cached ones and themselves.

    TODO: Project x, add its keys and values to the cache, attend over all of them.

    STEP-BY-STEP IMPLEMENTATION:
    1. q, k, v = attn.w_q(x), attn.w_k(x), attn.w_v(x), each split into attn.num_heads heads
    2. Give k and v to the cache's append for this layer: it returns every position's
       keys and values so far (the cached ones, then these)
    3. out, _ = scaled_dot_product_attention(q, k_all, v_all, mask) with the mask given the
       head axis by the provided _heads_mask(mask); None when mask is None
    4. Return attn.w_o(merge_heads(out))

    EXAMPLE USAGE:
    ```python
    attn = MultiHeadAttention(8, num_heads=2)
    cache = KVCache(num_layers=1)
    x = Variable(np.random.randn(1, 3, 8))
    cached_attention(attn, x, cache, 0, causal_mask(3)).shape     # (1, 3, 8)
    cache.length                                                # 3
    ```

    IMPLEMENTATION HINTS:
    - This is MultiHeadAttention.forward (module 15) with one line added: the keys and
      values go through the cache before the attention
    - q has T rows (the new positions only); k_all and v_all have cache.length rows
    """
    shape, width = _values(x).shape, attn.num_heads * attn.head_dim
    if len(shape) != 3 or shape[2] != width:
        raise ValueError(f"cached_attention expects x of shape (B, T, {width}), got shape {shape}")
    ### BEGIN SOLUTION
    q = split_heads(attn.w_q(x), attn.num_heads)
    k = split_heads(attn.w_k(x), attn.num_heads)
    v = split_heads(attn.w_v(x), attn.num_heads)
    k_all, v_all = cache.append(layer, k, v)
    out, _ = scaled_dot_product_attention(q, k_all, v_all, _heads_mask(mask))
    return attn.w_o(merge_heads(out))
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-kv-cache", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: TransformerBlock, GPT, FeedForward, gelu
def test_kv_cache():
    """append_positions, KVCache.append and cached_attention; a block and a GPT fed piece by piece"""
    print("🔬 Unit Test: KV Cache...")
    rng = np.random.default_rng(6)

    # append_positions: past (constant) then new (Variable) along axis 2; gradient to new only
    past = rng.standard_normal((2, 3, 4, 5))
    saved = past.copy()
    new = Variable(rng.standard_normal((2, 3, 2, 5)), requires_grad=True)
    both = append_positions(past, new)
    assert both.shape == (2, 3, 6, 5), f"(2, 3, 4, 5) + (2, 3, 2, 5) should give (2, 3, 6, 5), got {both.shape}"
    assert np.array_equal(both.data.data[:, :, :4], past) and np.array_equal(both.data.data[:, :, 4:], new.data.data), (
        "the cached positions come first, then the new ones, along axis 2")
    g = rng.standard_normal((2, 3, 6, 5))
    loss = (both * g).sum()
    loss.backward()
    assert np.array_equal(new.grad.data.data, g[:, :, 4:]), "the new positions get their slice of the gradient (positions t and after)"
    new.zero_grad()
    loss.backward()
    assert np.array_equal(new.grad.data.data, g[:, :, 4:]), "a second backward should give the same gradient"
    assert np.array_equal(past, saved), "append_positions must not change the cached array"
    assert append_positions(None, new) is new, "with nothing cached, the new keys are returned as they are"
    small = append_positions(past[:, :, :1].astype(np.float32), Variable(np.ones((2, 3, 1, 5), dtype=np.float32)))
    assert small.dtype == np.float32, f"float32 keys stay float32, got {small.dtype}"

    # KVCache.append: per layer, keys and values kept apart, length from the last layer
    cache = KVCache(2)
    assert cache.length == 0 and all(k is None for k in cache.keys + cache.values), "a new cache is empty"
    k1, v1 = rng.standard_normal((1, 2, 3, 4)), rng.standard_normal((1, 2, 3, 4))
    k2, v2 = rng.standard_normal((1, 2, 1, 4)), rng.standard_normal((1, 2, 1, 4))
    for layer in (0, 1):
        keys, values = cache.append(layer, Variable(k1), Variable(v1))
        assert np.array_equal(keys.data.data, k1) and np.array_equal(values.data.data, v1), "the first append returns k and v"
    assert cache.length == 3, f"3 positions cached in every layer: length should be 3, got {cache.length}"
    keys, values = cache.append(0, Variable(k2), Variable(v2))
    assert keys.shape == (1, 2, 4, 4), f"after 3 + 1 positions the keys are (1, 2, 4, 4), got {keys.shape}"
    assert np.array_equal(keys.data.data, np.concatenate([k1, k2], axis=2)), "append returns every key of the layer, old then new"
    assert np.array_equal(values.data.data, np.concatenate([v1, v2], axis=2)), "append returns every value of the layer, old then new"
    assert np.array_equal(cache.keys[0], keys.data.data) and np.array_equal(cache.values[0], values.data.data), (
        "the layer's stored keys and values should be the extended arrays")
    assert cache.keys[1].shape == (1, 2, 3, 4), "appending to layer 0 must not touch layer 1"
    cache.reset()
    assert cache.length == 0 and cache.keys[0] is None, "reset() empties the cache"

    # cached_attention, fed 3 then 2 positions, equals MultiHeadAttention on all 5
    attn = MultiHeadAttention(8, 2, seed=0)
    scramble(attn.parameters(), rng)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    full = attn(Variable(x), causal_mask(5)).data.data
    c = KVCache(1)
    first = cached_attention(attn, Variable(x[:, :3]), c, 0, causal_mask(3))
    second = cached_attention(attn, Variable(x[:, 3:]), c, 0, np.tril(np.ones((2, 5), dtype=bool), k=3))
    assert c.length == 5 and c.keys[0].shape == (2, 2, 5, 4), f"5 positions should be cached, got length {c.length}"
    assert np.allclose(np.concatenate([first.data.data, second.data.data], axis=1), full, rtol=1e-5, atol=1e-5), (
        "attention through the cache, 3 then 2 positions, should equal attention over all 5 at once")

    # A block and a whole GPT, fed piece by piece, match one full forward pass
    block = TransformerBlock(8, 2, seed=2)
    xb = rng.standard_normal((2, 6, 8)).astype(np.float32)
    whole = block(Variable(xb), mask=causal_mask(6)).data.data
    c = KVCache(1)
    pieces, start = [], 0
    for size in (2, 1, 3):
        chunk_mask = np.tril(np.ones((size, start + size), dtype=bool), k=start)
        pieces.append(block(Variable(xb[:, start:start + size]), mask=chunk_mask, cache=c, layer=0).data.data)
        start += size
    assert np.allclose(np.concatenate(pieces, axis=1), whole, rtol=1e-4, atol=1e-5), "a block fed 2 + 1 + 3 positions through a cache should equal the full pass"

    model = GPT(11, 7, 8, 2, 2, seed=1)
    tokens = rng.integers(0, 11, size=(2, 7))
    full_logits = model(tokens).data.data
    c = KVCache(2)
    steps = [model(tokens[:, :4], cache=c).data.data]
    for t in range(4, 7):
        steps.append(model(tokens[:, t:t + 1], cache=c).data.data)
        assert c.length == t + 1, f"after position {t} the cache should hold {t + 1} positions, got {c.length}"
    assert c.keys[1].shape == (2, 2, 7, 4), f"layer 1's keys should be (B, H, 7, head_dim) = (2, 2, 7, 4), got {c.keys[1].shape}"
    assert np.allclose(np.concatenate(steps, axis=1), full_logits, rtol=1e-4, atol=1e-5), (
        "GPT with a cache (4 tokens, then 1 at a time) should give the logits of the full pass: "
        "positions start at cache.length and the mask is (T, cache.length + T)")
    try:
        model(tokens[:, :1], cache=c)
        assert False, "7 cached + 1 new position with max_len=7 should raise ValueError"
    except ValueError:
        pass
    print("✅ KV cache tests passed!")

test_kv_cache()

# %% [markdown]
# ## Step 6: Generating Text
#
# ### The loop
# ```
# tokens = prompt
# repeat max_new_tokens times:
#     window = tokens[-max_len:]                # the model knows only max_len positions
#     logits = model(window)[last position]     # scores for the next token
#     tokens.append(pick(logits))
# ```
#
# ### Picking a token
# - **Greedy** (`temperature=0`): the argmax. Deterministic, and prone to loops
#   ("the the the").
# - **Temperature** T: sample from softmax(logits / T). T < 1 sharpens the distribution
#   (safer, duller), T > 1 flattens it (more surprising, more mistakes); T → 0 is greedy.
# - **Top-k**: keep the k most likely tokens, set the others' logits to −inf, then
#   sample. It cuts the long tail of unlikely tokens that sampling would otherwise hit
#   now and then. `top_k=1` is greedy at any temperature.
#
# ```
#   logits   [0.5, 2.0, -1.0, 2.0, 1.0]      top_k = 3: keep ≥ 1.0 (the 3rd largest)
#   kept     [-inf, 2.0, -inf, 2.0, 1.0]  → softmax → [0, 0.42, 0, 0.42, 0.16]
# ```
#
# ### Reproducible sampling
# All randomness comes from one `np.random.default_rng(seed)` created at the start of
# `generate`, and each sampled token takes exactly one draw:
# `rng.choice(vocab_size, p=p)`. The same seed gives the same text, with or without the
# cache, which is how the tests can compare the two paths token for token.
#
# ### With the cache, and past max_len
# With `use_cache=True` the first call feeds the whole prompt (filling the cache), and
# each later call feeds **only the newest token**. Once the text is longer than
# `max_len`, the window slides: every token's *position* changes, so the cached keys (which
# include the old position embeddings) are all wrong. Then the cache is reset and rebuilt
# from the window, exactly what the uncached path computes. The rule that decides: the
# cache can be extended when it holds every position of the window except the newest
# (`cache.length == len(window) - 1`).
#
# In PyTorch / Hugging Face: `model.generate(input_ids, max_new_tokens, do_sample=True,
# temperature=0.8, top_k=40)`; nanoGPT's `generate` is this loop without a cache.

# %% nbgrader={"grade": false, "grade_id": "generation-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _check_sampling(temperature, top_k) -> None:
    """A ValueError for a temperature below 0 or a top_k below 1."""
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not temperature >= 0:
        raise ValueError(f"temperature must be a number >= 0 (0 = greedy), got {temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1):
        raise ValueError(f"top_k must be None or an integer >= 1, got {top_k!r}")


def _prompt_ids(prompt) -> List[int]:
    """The prompt as a list of ints, or a ValueError (it must be 1-D, non-empty, of integers)."""
    ids = _values(prompt)
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(f"generate expects a 1-D, non-empty prompt of token ids, got shape {ids.shape}")
    if ids.dtype.kind not in "iu" and not np.all(np.floor(ids) == ids):
        raise ValueError(f"generate: prompt ids must be integers, got {ids.tolist()}")
    return [int(i) for i in ids]

# %% nbgrader={"grade": false, "grade_id": "generate", "locked": false, "schema_version": 3, "solution": true}
#| export
def sample_next_token(logits, temperature: float = 1.0, top_k: Optional[int] = None, rng=None) -> int:
    """
    Pick the next token id from one row of logits (vocab_size,).

    TODO: Greedy at temperature 0; otherwise sample from softmax(logits / temperature),
    keeping only the top_k most likely tokens when top_k is given.

    STEP-BY-STEP IMPLEMENTATION:
    1. z = the logits as a float64 ndarray (a new array: never change the caller's)
    2. temperature == 0: return the index of the largest logit (an int)
    3. top_k given and smaller than the vocabulary: every logit below the k-th largest
       becomes -inf (logits equal to the k-th largest stay)
    4. Divide by the temperature, softmax (subtract the max first), so p sums to 1
    5. Return int(rng.choice(len(p), p=p)): exactly one draw from rng per call

    EXAMPLE USAGE:
    ```python
    rng = np.random.default_rng(0)
    sample_next_token([1.0, 3.0, 2.0], temperature=0)         # 1 (greedy)
    sample_next_token([1.0, 3.0, 2.0], top_k=1, rng=rng)      # 1: only the best is left
    sample_next_token([1.0, 3.0, 2.0], temperature=5.0, rng=rng)   # 0, 1 or 2, nearly uniform
    ```

    IMPLEMENTATION HINTS:
    - np.argmax returns the first index of the maximum
    - np.sort(z)[-k] is the k-th largest value; np.where(condition, a, b) picks elementwise
    - exp(-inf) is exactly 0: a removed token can never be drawn
    - Temperature < 1 sharpens the distribution, > 1 flattens it
    """
    _check_sampling(temperature, top_k)
    if rng is None:
        rng = np.random.default_rng()
    ### BEGIN SOLUTION
    z = np.array(logits, dtype=np.float64).reshape(-1)
    if temperature == 0:
        return int(np.argmax(z))
    if top_k is not None and top_k < z.size:
        kth_largest = np.sort(z)[-top_k]
        z = np.where(z < kth_largest, -np.inf, z)
    z = z / temperature
    p = np.exp(z - z.max())
    p = p / p.sum()
    return int(rng.choice(z.size, p=p))
    ### END SOLUTION


def generate(model, prompt, max_new_tokens: int, temperature: float = 1.0, top_k: Optional[int] = None,
             seed: Optional[int] = None, use_cache: bool = True) -> np.ndarray:
    """
    Extend `prompt` by max_new_tokens tokens, one at a time -> int64 array (len(prompt) + max_new_tokens,).

    TODO: The autoregressive loop, with or without a KV cache.

    STEP-BY-STEP IMPLEMENTATION:
    1. One random generator for the whole call, from the seed (np.random.default_rng);
       a KVCache with one layer per block of the model when use_cache, else None
    2. Repeat max_new_tokens times:
       a. window = the last model.max_len tokens (the model has no positions beyond that)
       b. What to feed the model:
          - with a cache that holds every position of the window but the newest
            (cache.length == len(window) - 1): only the newest token
          - otherwise (no cache, or the window moved past max_len so every position
            changed): reset the cache if there is one, and feed the whole window
       c. logits = model(the fed tokens as a (1, n) int64 array, cache=cache); keep the
          last position's row
       d. Append sample_next_token(row, temperature, top_k, rng)
    3. Return the tokens as an int64 ndarray

    EXAMPLE USAGE:
    ```python
    model = GPT(vocab_size=11, max_len=8, embed_dim=16, num_heads=2, num_layers=1, seed=0)
    generate(model, [1, 2, 3], 5, temperature=0)        # 8 ids, the same every time
    generate(model, [1, 2, 3], 5, seed=7)               # sampled; reproducible with seed 7
    generate(model, [1, 2, 3], 20, top_k=3, use_cache=False)   # runs past max_len too
    ```

    IMPLEMENTATION HINTS:
    - tokens[-n:] of a list is its last n items (all of them when the list is shorter)
    - Call the model ONCE per new token: the number of positions it computes is the
      whole point of the cache (1 per token with it, the window without)
    - The logits come back as a Variable: their ndarray is .data.data, shape (1, n, V)
    """
    _check_sampling(temperature, top_k)
    tokens = _prompt_ids(prompt)
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, numbers.Integral) or max_new_tokens < 0:
        raise ValueError(f"generate: max_new_tokens must be an integer >= 0, got {max_new_tokens!r}")
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    cache = KVCache(len(model.blocks)) if use_cache else None
    for _ in range(max_new_tokens):
        window = tokens[-model.max_len:]
        if cache is not None and cache.length == len(window) - 1:
            feed = window[-1:]
        else:
            if cache is not None:
                cache.reset()
            feed = window
        logits = model(np.array([feed], dtype=np.int64), cache=cache)
        tokens.append(sample_next_token(logits.data.data[0, -1], temperature, top_k, rng))
    return np.array(tokens, dtype=np.int64)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-sampling-generate", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: GPT, TransformerBlock, FeedForward, gelu
def test_sampling_generate():
    """sample_next_token: greedy, temperature, top-k, one draw per token; generate without a cache"""
    print("🔬 Unit Test: Sampling and generate...")
    logits = np.array([0.5, 2.0, -1.0, 2.0, 1.0, 0.0], dtype=np.float32)
    saved = logits.copy()

    def reference(z, temperature, top_k, rng):
        z = np.asarray(z, dtype=np.float64)
        keep = np.ones(z.size, dtype=bool)
        if top_k is not None:
            threshold = z[np.argsort(-z, kind="stable")[min(top_k, z.size) - 1]]
            keep = z >= threshold
        w = np.where(keep, np.exp((z - z[keep].max()) / temperature), 0.0)
        return int(rng.choice(z.size, p=w / w.sum()))

    greedy_pick = sample_next_token(logits, temperature=0)
    assert isinstance(greedy_pick, int) and greedy_pick == 1, (
        f"temperature 0 is greedy: the first index of the largest logit, as a Python int; got {greedy_pick!r}")
    drawn = sample_next_token([0.2, 1.0, 0.4], 1.0, None, np.random.default_rng(0))
    assert isinstance(drawn, int) and 0 <= drawn < 3, f"a sampled token is a Python int in [0, 3), got {drawn!r} (logits as a list)"
    big = np.array([1000.0, 999.0, 0.0])
    got_rng, want_rng = np.random.default_rng(1), np.random.default_rng(1)
    assert [sample_next_token(big, 1.0, None, got_rng) for _ in range(20)] == [reference(big, 1.0, None, want_rng) for _ in range(20)], (
        "logits of 1000 must not overflow: subtract the largest logit before exp")
    assert sample_next_token(np.array([0.0, 1.0], dtype=np.float32), 1e-40, None, np.random.default_rng(0)) == 1, (
        "a tiny temperature acts greedy: compute in float64 (1 / 1e-40 overflows float32)")
    for temperature, top_k in ((1.0, None), (0.5, None), (3.0, None), (1.0, 3), (2.0, 2), (1.0, 6), (1.0, 50)):
        got_rng, want_rng = np.random.default_rng(11), np.random.default_rng(11)
        got = [sample_next_token(logits, temperature, top_k, got_rng) for _ in range(150)]
        want = [reference(logits, temperature, top_k, want_rng) for _ in range(150)]
        assert got == want, (
            f"temperature={temperature}, top_k={top_k}: the draws differ from softmax(logits / T) over the top-k "
            f"with one rng.choice(V, p=p) per token; first draws {got[:8]} vs {want[:8]}")
    picked = {sample_next_token(logits, 1.0, 2, np.random.default_rng(s)) for s in range(40)}
    assert picked == {1, 3}, f"top_k=2 with the two largest logits tied at 2.0 keeps exactly tokens 1 and 3, drew {sorted(picked)}"
    distinct = np.array([0.5, 2.0, -1.0, 2.5, 1.0, 0.0])
    assert all(sample_next_token(distinct, 5.0, 1, np.random.default_rng(s)) == 3 for s in range(10)), (
        "top_k=1 is greedy: with logits [0.5, 2.0, -1.0, 2.5, 1.0, 0.0] it must always pick 3")
    assert np.array_equal(logits, saved), "sample_next_token must not change the logits it is given"

    # generate, greedy and sampled, against a loop written here with the model's forward
    model = GPT(11, 6, 8, 2, 2, seed=2)
    scramble(model.parameters(), np.random.default_rng(7), scale=0.5)
    prompt = [3, 1, 4]

    def manual(n, pick):
        ids = list(prompt)
        for _ in range(n):
            row = model(np.array([ids[-6:]])).data.data[0, -1]
            ids.append(pick(row))
        return ids

    greedy = generate(model, prompt, 9, temperature=0, use_cache=False)
    assert isinstance(greedy, np.ndarray) and greedy.dtype == np.int64, f"generate returns an int64 ndarray, got {type(greedy).__name__}"
    assert greedy.tolist() == manual(9, lambda row: int(np.argmax(row))), (
        f"greedy generation (9 tokens, past max_len=6) should append the argmax each step, got {greedy.tolist()}")
    assert generate(model, prompt, 9, top_k=1, seed=3, use_cache=False).tolist() == greedy.tolist(), "top_k=1 is greedy"
    rng = np.random.default_rng(21)
    want = manual(9, lambda row: reference(row, 1.5, 4, rng))
    got = generate(model, np.array(prompt), 9, temperature=1.5, top_k=4, seed=21, use_cache=False)
    assert got.tolist() == want, f"sampled generation with seed 21 should be {want}, got {got.tolist()}"
    a = generate(model, prompt, 12, temperature=2.0, seed=5, use_cache=False).tolist()
    b = generate(model, prompt, 12, temperature=2.0, seed=5, use_cache=False).tolist()
    c = generate(model, prompt, 12, temperature=2.0, seed=6, use_cache=False).tolist()
    assert a == b and a != c, "the same seed must give the same tokens, and another seed other tokens"
    assert generate(model, prompt, 0).tolist() == prompt, "max_new_tokens=0 returns the prompt"
    assert prompt == [3, 1, 4], "generate must not change the prompt"

    for bad in (dict(temperature=-0.5), dict(top_k=0), dict(max_new_tokens=-1), dict(prompt=[]), dict(prompt=[[1, 2]])):
        args = dict(prompt=prompt, max_new_tokens=2)
        args.update(bad)
        try:
            generate(model, **args)
            assert False, f"generate with {bad} should raise ValueError"
        except ValueError:
            pass
    print("✅ Sampling and generate tests passed!")

test_sampling_generate()

# %% [markdown]
# ### 🧪 The Cache Gives the Same Text, Computing Far Less
#
# The cache is graded by **what it computes**, not by a stopwatch: the test wraps
# `model.forward` to record how many positions each call feeds. Without the cache, each
# new token costs a whole window; with it, one position (until the window slides past
# `max_len`, when both paths feed the window). And the tokens must be identical, greedy
# and sampled.

# %% nbgrader={"grade": true, "grade_id": "test-generate-cache", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: GPT, KVCache, append_positions, cached_attention, TransformerBlock, FeedForward, gelu
def test_generate_cache():
    """Cached and uncached generation give the same tokens; the cache feeds 1 position per token"""
    print("🔬 Unit Test: generate with a KV cache...")
    model = GPT(11, 6, 8, 2, 2, seed=3)
    scramble(model.parameters(), np.random.default_rng(8), scale=0.5)
    calls = []
    real_forward = model.forward

    def counting_forward(tokens, cache=None):
        calls.append((int(np.shape(tokens)[1]), cache is not None))
        return real_forward(tokens, cache)

    model.forward = counting_forward

    def run(prompt, n, **kwargs):
        calls.clear()
        with_cache = generate(model, prompt, n, use_cache=True, **kwargs).tolist()
        cached_calls = list(calls)
        calls.clear()
        without = generate(model, prompt, n, use_cache=False, **kwargs).tolist()
        return with_cache, without, cached_calls, list(calls)

    for kwargs in (dict(temperature=0), dict(temperature=1.0, seed=11), dict(temperature=0.7, top_k=3, seed=4)):
        with_cache, without, cached_calls, plain_calls = run([1, 2, 3], 8, **kwargs)
        assert with_cache == without, f"{kwargs}: cached {with_cache} and uncached {without} generation differ"

    # The number of positions fed per new token: the window without the cache, 1 with it,
    # until the text outgrows max_len = 6 and the cache is rebuilt from the window each step
    print(f"   positions fed per token, uncached: {[n for n, _ in plain_calls]}")
    print(f"   positions fed per token, cached:   {[n for n, _ in cached_calls]}")
    assert plain_calls == [(3, False), (4, False), (5, False), (6, False), (6, False), (6, False), (6, False), (6, False)], (
        f"without a cache each call should feed the whole window (at most max_len=6), got {plain_calls}")
    assert cached_calls == [(3, True), (1, True), (1, True), (1, True), (6, True), (6, True), (6, True), (6, True)], (
        f"with a cache: the prompt once, then 1 token per call, and the window (rebuilt) once past max_len; got {cached_calls}")

    # A prompt longer than max_len, and a one-token prompt
    long_prompt = [5, 1, 4, 1, 5, 9, 2, 6, 5]
    with_cache, without, cached_calls, _ = run(long_prompt, 4, temperature=1.0, seed=2)
    assert with_cache == without and with_cache[:9] == long_prompt, f"long prompt: {with_cache} vs {without}"
    assert cached_calls == [(6, True)] * 4, f"a prompt past max_len feeds the last 6 tokens each step, got {cached_calls}"
    with_cache, without, cached_calls, _ = run([7], 5, temperature=0)
    assert with_cache == without, f"one-token prompt: {with_cache} vs {without}"
    assert cached_calls == [(1, True)] * 5, f"a one-token prompt then 4 cached steps feed 1 position each, got {cached_calls}"
    print("✅ Cached generation tests passed!")

test_generate_cache()

# %% [markdown]
# ### ⏱️ How Much Faster? (printed, not graded)
#
# Timings depend on the machine and on whatever else it is doing, so no test asserts on
# them. This cell prints the time per generated token with and without the cache for one
# small model; `bench/kv_cache.py` measures it properly, per context length, with
# interleaved repeats. The speed-up grows with the context: the uncached step computes t
# positions, the cached step one.

# %% nbgrader={"grade": false, "grade_id": "kv-cache-timing", "locked": true, "schema_version": 3, "solution": false}
import time

def time_generation(use_cache, context=96, new_tokens=16):
    """CPU seconds per generated token for a small model, after a prompt of `context` tokens."""
    demo = GPT(vocab_size=32, max_len=128, embed_dim=32, num_heads=4, num_layers=2, seed=0)
    prompt = list(np.random.default_rng(0).integers(0, 32, size=context))
    start = time.process_time()
    generate(demo, prompt, new_tokens, temperature=0, use_cache=use_cache)
    return (time.process_time() - start) / new_tokens

try:
    uncached, cached = time_generation(False), time_generation(True)
    print(f"per token after a 96-token prompt: uncached {1e3 * uncached:.2f} ms, cached {1e3 * cached:.2f} ms "
          f"(x{uncached / max(cached, 1e-9):.1f}; the cached figure includes filling the cache once)")
except NotImplementedError:
    print("Implement GPT, the KV cache and generate first.")

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook and runs it once more.
#
# **This testing section is locked** - it provides consistent feedback across all modules
# and cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("Transformers")

# %% [markdown]
# ## 🎯 Module Summary: Transformers
#
# ### ✅ What You've Built
# - **`gelu` / `GELU`**: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) as one fused node with
#   its derivative written by hand, exactly `torch.nn.functional.gelu(approximate="tanh")`
# - **`FeedForward`**: fc2(GELU(fc1(x))), D → 4D → D, on a (B·T, D) view
# - **`TransformerBlock`**: pre-norm, h = x + attn(ln1(x)), out = h + mlp(ln2(h))
# - **`GPT`**: token + learned positions, blocks under a causal mask that starts at the
#   cache's length, ln_f, and a head tied to the token embedding (or a separate Dense)
# - **`KVCache`, `append_positions`, `cached_attention`**: each layer keeps its keys and
#   values, so a new token costs one position
# - **`sample_next_token`, `generate`**: greedy, temperature, top-k, seeded, with a
#   window that slides past `max_len`
#
# ### ✅ Key Learning Outcomes
# - **Residual stream**: blocks add to x; pre-norm keeps the sum itself un-normalised,
#   which is what makes deep stacks trainable
# - **Causality** is one boolean matrix, and it is what makes next-token training honest
#   and the KV cache correct: past keys and values never change
# - **Weight tying**: one matrix, two uses, gradient from both, listed once
# - **Systems**: a fused activation, 2-D views for large matrix products, and a cache that
#   trades memory (2·L·B·t·D numbers) for O(t) less work per generated token
#
# ### 🔗 Connection to Real ML Systems
# - **GPT-2 / nanoGPT**: the same model, with dropout and bigger numbers
# - **Inference servers** (vLLM, TGI, llama.cpp): KV caches, batched, paged and
#   quantised, are the centre of their design; sampling is temperature / top-k / top-p
#
# ### 🚀 What's Next
# The tinygpt milestone (`tito milestone run tinygpt`) trains your GPT on Python's
# documentation with the character tokenizer of module 14 and AdamW from module 08,
# compares it with a bigram baseline in bits per character, and shows what it writes.
