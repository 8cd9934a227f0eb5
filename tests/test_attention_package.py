"""Tests of the exported `tinytorch.core.attention` (module 15).

Needs the package built from the module sources: `tito export tensor layers autograd attention`.

Every op is compared with an independent plain-numpy reference written here (per-slice 2-D
loops for attention, `np.var` for LayerNorm, a Python loop for the embedding's scatter-add,
`math.sin`/`math.cos` for the position table) and every backward pass with central
differences in float64. Also: float32 is preserved (values and the backward functions'
arrays), inputs are never modified, a second backward gives the same gradient, mask
boundaries, and the validation errors of the API contract.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from tinytorch.core.attention import (
    Embedding,
    LayerNorm,
    LearnedPositionalEncoding,
    MultiHeadAttention,
    SinusoidalPositionalEncoding,
    attention_peak_bytes,
    attention_scores,
    causal_mask,
    merge_heads,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positions,
    softmax,
    split_heads,
)
from tinytorch.core.autograd import Variable
from tinytorch.core.layers import Dense
from tinytorch.core.tensor import Tensor


# --------------------------------------------------------------------------- references
def numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of the float64 array x."""
    grad = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + eps
        plus = f()
        x[index] = old - eps
        minus = f()
        x[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def ref_softmax(z, axis=-1):
    """exp(z - logsumexp(z)), with logsumexp from np.logaddexp.reduce (no max-shift trick)."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z - np.logaddexp.reduce(z, axis=axis, keepdims=True))


def ref_layernorm(x, gamma, beta, eps):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(np.var(x, axis=-1, keepdims=True) + eps) * gamma + beta


def ref_attention(Q, K, V, mask=None):
    """Per-slice 2-D numpy: (output, weights)."""
    batch = Q.shape[:-2]
    Tq, Tk = Q.shape[-2], K.shape[-2]
    out = np.zeros(batch + (Tq, V.shape[-1]))
    weights = np.zeros(batch + (Tq, Tk))
    full = None if mask is None else np.broadcast_to(mask, batch + (Tq, Tk))
    for index in np.ndindex(*batch):
        s = Q[index] @ K[index].T / math.sqrt(Q.shape[-1])
        if full is not None:
            s = np.where(full[index], s, -1e9)
        w = ref_softmax(s)
        weights[index], out[index] = w, w @ V[index]
    return out, weights


def grad_of(v):
    return v.grad.data.data


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# --------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("axis", [-1, 0, 1, 2])
def test_softmax_values_and_gradient(rng, axis):
    z = rng.standard_normal((2, 3, 5))
    W = rng.standard_normal((2, 3, 5))
    x = Variable(z.copy())
    s = softmax(x, axis=axis)
    assert np.allclose(s.data.data, ref_softmax(z, axis), atol=1e-12)
    loss = (s * W).sum()
    loss.backward()
    numeric = numeric_grad(lambda: float(np.sum(ref_softmax(z, axis) * W)), z)
    assert np.allclose(grad_of(x), numeric, atol=1e-7)
    first = grad_of(x).copy()
    x.zero_grad()
    loss.backward()
    assert np.array_equal(grad_of(x), first)
    assert np.array_equal(x.data.data, z)


def test_softmax_stable_dtypes_and_inputs(rng):
    big = softmax(np.array([1000.0, 1001.0, 1002.0]))
    assert np.allclose(big.data.data, ref_softmax([0.0, 1.0, 2.0]))
    assert np.all(np.isfinite(softmax(np.array([100.0, 0.0], dtype=np.float32)).data.data))
    z32 = rng.standard_normal((3, 4)).astype(np.float32)
    for given in (Variable(z32), Tensor(z32), z32):
        out = softmax(given)
        assert out.dtype == np.float32 and isinstance(out, Variable)
    assert softmax([1, 2, 3]).dtype == np.float64
    s = softmax(Variable(z32))
    g = np.ones((3, 4), dtype=np.float32)
    (a,) = s.grad_fn(g)
    (b,) = s.grad_fn(g)
    assert a.dtype == np.float32 and a is not b and np.array_equal(a, b)
    assert np.array_equal(g, np.ones((3, 4)))


# --------------------------------------------------------------------------- embedding
def test_embedding_init_lookup_and_scatter_add(rng):
    emb = Embedding(20, 6, seed=11)
    expected = np.random.default_rng(11).normal(0.0, 0.02, size=(20, 6)).astype(np.float32)
    assert emb.weight.dtype == np.float32 and np.allclose(emb.weight.data.data, expected, rtol=1e-6, atol=0)
    assert len(emb.parameters()) == 1 and emb.parameters()[0] is emb.weight
    ids = np.array([[3, 3, 0], [19, 3, 7]])
    out = emb(ids)
    table = emb.weight.data.data.copy()
    assert out.shape == (2, 3, 6) and out.dtype == np.float32
    assert np.array_equal(out.data.data, table[ids])
    for given in (ids.tolist(), Tensor(ids), Variable(ids), ids.astype(np.uint8)):
        assert np.array_equal(emb(given).data.data, table[ids])
    G = rng.standard_normal((2, 3, 6)).astype(np.float32)
    loss = (out * G).sum()
    loss.backward()
    expected_grad = np.zeros((20, 6))
    for b in range(2):
        for t in range(3):
            expected_grad[ids[b, t]] += G[b, t]
    assert grad_of(emb.weight).dtype == np.float32
    assert np.allclose(grad_of(emb.weight), expected_grad, atol=1e-6)
    first = grad_of(emb.weight).copy()
    emb.weight.zero_grad()
    loss.backward()
    assert np.array_equal(grad_of(emb.weight), first)
    assert np.array_equal(emb.weight.data.data, table)
    (direct,) = out.grad_fn(G)
    assert direct.dtype == np.float32 and direct.shape == (20, 6)
    assert emb(4).shape == (6,)


def test_embedding_validation():
    emb = Embedding(10, 4, seed=0)
    for bad in (10, -1):
        with pytest.raises(ValueError, match=str(bad)):
            emb([0, bad])
    for bad in (np.array([0.5]), [1.5], np.array([True])):
        with pytest.raises(TypeError):
            emb(bad)
    assert emb([9]).shape == (1, 4)
    for args in ((0, 4), (4, 0), (2.5, 4)):
        with pytest.raises(ValueError):
            Embedding(*args)


# --------------------------------------------------------------------------- positions
def test_sinusoidal_table_formula():
    pe = sinusoidal_positions(6000, 10)
    assert pe.shape == (6000, 10) and pe.dtype == np.float32
    for p in (0, 1, 7, 5999):
        for c in range(10):
            angle = p / 10000 ** ((c - c % 2) / 10)
            expected = math.sin(angle) if c % 2 == 0 else math.cos(angle)
            assert abs(pe[p, c] - expected) < 2e-6, (p, c)
    assert np.array_equal(pe[0], np.tile([0.0, 1.0], 5))
    for bad in ((5, 3), (0, 4), (4, 0)):
        with pytest.raises(ValueError):
            sinusoidal_positions(*bad)


@pytest.mark.parametrize("start", [0, 3, 5])
def test_sinusoidal_encoding_start(rng, start):
    layer = SinusoidalPositionalEncoding(8, 4)
    x_data = rng.standard_normal((2, 3, 4)).astype(np.float32)
    x = Variable(x_data.copy())
    out = layer(x, start=start)
    assert out.dtype == np.float32
    assert np.allclose(out.data.data, x_data + sinusoidal_positions(8, 4)[start:start + 3])
    out.backward(np.full((2, 3, 4), 2.0, dtype=np.float32))
    assert np.allclose(grad_of(x), 2.0) and np.array_equal(x.data.data, x_data)
    assert layer.parameters() == []


def test_learned_encoding_gradient_and_bounds(rng):
    learned = LearnedPositionalEncoding(7, 3, seed=2)
    w = learned.weight.data.data.copy()
    assert np.allclose(w, np.random.default_rng(2).normal(0.0, 0.02, size=(7, 3)).astype(np.float32))
    assert learned.parameters()[0] is learned.weight and len(learned.parameters()) == 1
    x_data = rng.standard_normal((2, 4, 3))
    x = Variable(x_data.copy())
    out = learned(x, start=3)                     # positions 3..6: the last allowed window
    assert np.allclose(out.data.data, x_data + w[3:7])
    G = rng.standard_normal((2, 4, 3))
    (out * G).sum().backward()
    expected = np.zeros((7, 3))
    expected[3:7] = G.sum(axis=0)
    assert np.allclose(grad_of(learned.weight), expected, atol=1e-6)
    assert np.allclose(grad_of(x), G)
    for layer in (learned, SinusoidalPositionalEncoding(7, 3 + 1)):
        dim = layer.dim
        with pytest.raises(ValueError, match="max_len"):
            layer(np.zeros((1, 4, dim)), start=4)
        with pytest.raises(ValueError):
            layer(np.zeros((1, 8, dim)))
        with pytest.raises(ValueError):
            layer(np.zeros((1, 2, dim + 1)))
        with pytest.raises(ValueError):
            layer(np.zeros((1, 2, dim)), start=-1)


# --------------------------------------------------------------------------- layernorm
@pytest.mark.parametrize("eps", [1e-5, 0.3])
def test_layernorm_values_and_gradients(rng, eps):
    x = rng.standard_normal((2, 3, 5)) * 2 + 1
    g, b = rng.standard_normal(5), rng.standard_normal(5)
    W = rng.standard_normal((2, 3, 5))
    ln = LayerNorm(5, eps=eps)
    ln.gamma, ln.beta = Variable(g.copy()), Variable(b.copy())
    xv = Variable(x.copy())
    out = ln(xv)
    assert np.allclose(out.data.data, ref_layernorm(x, g, b, eps), atol=1e-10)
    loss = (out * W).sum()
    loss.backward()
    f = lambda: float(np.sum(ref_layernorm(x, g, b, eps) * W))
    for var, array in ((xv, x), (ln.gamma, g), (ln.beta, b)):
        assert np.allclose(grad_of(var), numeric_grad(f, array), atol=1e-6)
    first = grad_of(xv).copy()
    xv.zero_grad()
    loss.backward()
    assert np.array_equal(grad_of(xv), first) and np.array_equal(xv.data.data, x)


def test_layernorm_float32_params_and_validation(rng):
    ln = LayerNorm(4)
    assert ln.gamma.dtype == np.float32 and ln.beta.dtype == np.float32
    assert ln.parameters()[0] is ln.gamma and ln.parameters()[1] is ln.beta
    out = ln(Variable(rng.standard_normal((3, 4)).astype(np.float32)))
    assert out.dtype == np.float32
    grads = out.grad_fn(np.ones((3, 4), dtype=np.float32))
    assert [a.dtype for a in grads] == [np.float32] * 3
    assert [a.shape for a in grads] == [(3, 4), (4,), (4,)]
    with pytest.raises(ValueError, match=r"\(3, 5\)"):
        ln(np.ones((3, 5)))
    with pytest.raises(ValueError):
        LayerNorm(4, eps=0)


# --------------------------------------------------------------------------- masks
def test_masks_boundaries():
    m = causal_mask(5)
    assert m.dtype == np.bool_ and m.shape == (5, 5)
    for i in range(5):
        for j in range(5):
            assert m[i, j] == (j <= i)
    assert causal_mask(1).tolist() == [[True]]
    tokens = np.array([[7, 2, 2], [2, 0, 5]])
    p = padding_mask(tokens, pad_id=2)
    assert p.shape == (2, 1, 3) and p.dtype == np.bool_
    assert p[:, 0].tolist() == [[True, False, False], [False, True, True]]
    both = causal_mask(3) & p
    assert both.shape == (2, 3, 3) and both[1, 2].tolist() == [False, True, True]
    for bad in (0, -1, 1.5):
        with pytest.raises(ValueError):
            causal_mask(bad)
    with pytest.raises(ValueError):
        padding_mask([1, 2, 3], 0)


# --------------------------------------------------------------------------- attention
def test_attention_4d_nonsquare_with_masks(rng):
    B, H, Tq, Tk, d, dv = 2, 3, 4, 6, 5, 7
    Q, K, V = (rng.standard_normal(s) for s in ((B, H, Tq, d), (B, H, Tk, d), (B, H, Tk, dv)))
    keys = np.ones((B, 1, 1, Tk), dtype=bool)
    keys[0, 0, 0, 4:] = False
    empty = np.ones((B, H, Tq, Tk), dtype=bool)
    empty[1, 2, 3] = False
    for mask in (None, np.tril(np.ones((Tq, Tk), dtype=bool)), keys, empty):
        out, w = scaled_dot_product_attention(Variable(Q), Variable(K), Variable(V), mask)
        ref_out, ref_w = ref_attention(Q, K, V, mask)
        assert out.shape == (B, H, Tq, dv) and w.shape == (B, H, Tq, Tk)
        assert np.allclose(w.data.data, ref_w, atol=1e-10)
        assert np.allclose(out.data.data, ref_out, atol=1e-10)
        assert np.all(np.isfinite(w.data.data))
    assert np.allclose(w.data.data[1, 2, 3], 1.0 / Tk)
    s = attention_scores(Q, K, keys)
    assert np.all(s.data.data[0, :, :, 4:] == -1e9)


def test_attention_gradients(rng):
    B, H, Tq, Tk, d, dv = 2, 2, 3, 4, 3, 5
    Q, K, V = (rng.standard_normal(s) for s in ((B, H, Tq, d), (B, H, Tk, d), (B, H, Tk, dv)))
    mask = np.ones((B, H, Tq, Tk), dtype=bool)
    mask[0, 1, 0] = False                  # a query with no allowed key
    mask[1, 0, :, 1] = False
    G = rng.standard_normal((B, H, Tq, dv))
    q, k, v = Variable(Q.copy()), Variable(K.copy()), Variable(V.copy())
    out, _ = scaled_dot_product_attention(q, k, v, mask)
    loss = (out * G).sum()
    loss.backward()
    f = lambda: float(np.sum(ref_attention(Q, K, V, mask)[0] * G))
    for var, array in ((q, Q), (k, K), (v, V)):
        assert np.allclose(grad_of(var), numeric_grad(f, array), atol=1e-6)
    assert np.allclose(grad_of(q)[0, 1, 0], 0.0)
    first = [grad_of(t).copy() for t in (q, k, v)]
    for t in (q, k, v):
        t.zero_grad()
    loss.backward()
    assert all(np.array_equal(grad_of(t), f0) for t, f0 in zip((q, k, v), first))
    assert all(np.array_equal(t.data.data, a) for t, a in ((q, Q), (k, K), (v, V)))


def test_attention_float32_and_validation(rng):
    q = Variable(rng.standard_normal((2, 3, 4)).astype(np.float32))
    k = Variable(rng.standard_normal((2, 5, 4)).astype(np.float32))
    v = Variable(rng.standard_normal((2, 5, 6)).astype(np.float32))
    out, w = scaled_dot_product_attention(q, k, v, np.ones((3, 5), dtype=bool))
    assert out.dtype == np.float32 and w.dtype == np.float32
    gq, gk = attention_scores(q, k).grad_fn(np.ones((2, 3, 5), dtype=np.float32))
    assert gq.dtype == np.float32 and gk.dtype == np.float32
    with pytest.raises(ValueError):
        scaled_dot_product_attention(np.ones((2, 3, 4)), np.ones((2, 5, 3)), np.ones((2, 5, 6)))
    with pytest.raises(ValueError):
        scaled_dot_product_attention(np.ones((2, 3, 4)), np.ones((2, 5, 4)), np.ones((2, 4, 6)))
    with pytest.raises(ValueError):
        scaled_dot_product_attention(q, k, v, np.ones((5, 3), dtype=bool))
    with pytest.raises(TypeError):
        scaled_dot_product_attention(q, k, v, np.ones((3, 5)))


def test_attention_memory_is_quadratic():
    peaks = [attention_peak_bytes(T) for T in (128, 256, 512)]
    assert not tracemalloc.is_tracing()
    assert all(isinstance(p, int) for p in peaks)
    assert 3.0 < peaks[2] / peaks[1] < 5.0
    assert 4 * 2 * 512 * 512 <= peaks[2] <= 8 * 4 * 2 * 512 * 512
    tracemalloc.start()
    try:
        held = np.ones(500_000)
        inside = attention_peak_bytes(256)
        assert tracemalloc.is_tracing()
        del held
    finally:
        tracemalloc.stop()
    assert abs(inside - peaks[1]) < 0.1 * peaks[1]


# --------------------------------------------------------------------------- heads
def test_split_merge_heads(rng):
    x_data = rng.standard_normal((2, 3, 8))
    x = Variable(x_data.copy())
    h = split_heads(x, 4)
    assert h.shape == (2, 4, 3, 2)
    for b in range(2):
        for head in range(4):
            assert np.array_equal(h.data.data[b, head], x_data[b, :, 2 * head:2 * head + 2])
    assert not np.shares_memory(h.data.data, x.data.data)
    W = rng.standard_normal((2, 4, 3, 2))
    (h * W).sum().backward()
    probe = x_data.copy()
    numeric = numeric_grad(lambda: float(np.sum(probe.reshape(2, 3, 4, 2).transpose(0, 2, 1, 3) * W)), probe)
    assert np.allclose(grad_of(x), numeric, atol=1e-7)
    y = Variable(h.data.data.copy())
    m = merge_heads(y)
    assert np.array_equal(m.data.data, x_data)
    G = rng.standard_normal((2, 3, 8))
    (m * G).sum().backward()
    assert np.allclose(grad_of(y), G.reshape(2, 3, 4, 2).transpose(0, 2, 1, 3))
    assert split_heads(np.ones((1, 2, 6), dtype=np.float32), 3).dtype == np.float32
    assert merge_heads(np.ones((1, 3, 2, 2), dtype=np.float32)).dtype == np.float32
    with pytest.raises(ValueError):
        split_heads(np.ones((2, 3, 7)), 2)
    with pytest.raises(ValueError):
        split_heads(np.ones((3, 8)), 2)
    with pytest.raises(ValueError):
        merge_heads(np.ones((3, 8, 2)))


def _mha_reference(weights, x, H, mask=None):
    B, T, D = x.shape
    dh = D // H
    q, k, v = (x @ weights[n][0] + weights[n][1] for n in ("w_q", "w_k", "w_v"))
    full = None if mask is None else np.broadcast_to(mask, (B, T, T))
    out = np.zeros((B, T, D))
    for b in range(B):
        for h in range(H):
            c = slice(h * dh, (h + 1) * dh)
            s = q[b][:, c] @ k[b][:, c].T / math.sqrt(dh)
            if full is not None:
                s = np.where(full[b], s, -1e9)
            out[b][:, c] = ref_softmax(s) @ v[b][:, c]
    return out @ weights["w_o"][0] + weights["w_o"][1]


@pytest.mark.parametrize("B,H", [(2, 2), (3, 2), (1, 4)])
def test_multihead_against_reference(rng, B, H):
    T, D = 4, 8
    mha = MultiHeadAttention(D, H, seed=3)
    weights = {}
    for name in ("w_q", "w_k", "w_v", "w_o"):
        layer = getattr(mha, name)
        w, b = layer.weights.data.data.astype(np.float64), rng.standard_normal(D)
        layer.weights, layer.bias = Variable(w.copy()), Variable(b.copy())
        weights[name] = (w, b)
    x = rng.standard_normal((B, T, D))
    tokens = rng.integers(1, 5, size=(B, T))
    tokens[0, -1] = 0
    per_batch = causal_mask(T) & padding_mask(tokens, 0)
    for mask in (None, causal_mask(T), per_batch, per_batch[:, None]):
        out = mha(Variable(x.copy()), mask)
        ref_mask = None if mask is None else (mask[:, 0] if mask.ndim == 4 else mask)
        assert np.allclose(out.data.data, _mha_reference(weights, x, H, ref_mask), atol=1e-10)
    xv = Variable(x.copy())
    G = rng.standard_normal((B, T, D))
    (mha(xv, per_batch) * G).sum().backward()
    f = lambda: float(np.sum(_mha_reference(weights, x, H, per_batch) * G))
    assert np.allclose(grad_of(xv), numeric_grad(f, x), atol=1e-6)
    assert np.allclose(grad_of(mha.w_o.weights), numeric_grad(f, weights["w_o"][0]), atol=1e-6)
    assert np.allclose(grad_of(mha.w_k.bias), numeric_grad(f, weights["w_k"][1]), atol=1e-6)


def test_multihead_structure_and_validation(rng):
    mha = MultiHeadAttention(12, 3, seed=5)
    assert (mha.num_heads, mha.head_dim) == (3, 4)
    for i, name in enumerate(("w_q", "w_k", "w_v", "w_o")):
        assert np.array_equal(getattr(mha, name).weights.data.data, Dense(12, 12, seed=5 + i).weights.data.data)
    order = [p for n in ("w_q", "w_k", "w_v", "w_o") for p in (getattr(mha, n).weights, getattr(mha, n).bias)]
    assert len(mha.parameters()) == 8 and all(p is q for p, q in zip(mha.parameters(), order))
    assert all(p.dtype == np.float32 for p in mha.parameters())
    out = mha(Variable(rng.standard_normal((2, 5, 12)).astype(np.float32)), causal_mask(5))
    assert out.dtype == np.float32 and out.shape == (2, 5, 12)
    out.sum().backward()
    assert all(p.grad is not None and p.grad.dtype == np.float32 for p in mha.parameters())
    with pytest.raises(ValueError):
        MultiHeadAttention(10, 4)
    with pytest.raises(ValueError):
        mha(np.ones((2, 5, 8)))
    with pytest.raises(ValueError):
        mha(np.ones((5, 12)))
