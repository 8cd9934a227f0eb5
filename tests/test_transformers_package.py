"""Tests of the exported `tinytorch.core.transformers`: GELU, FeedForward, TransformerBlock, GPT,
the KV cache and generation.

Needs the package built from the module sources:
`tito export tensor layers autograd optimizers training attention transformers`.

References are plain numpy written here (GELU as x * sigmoid(2u), attention one head at a
time with einsum); gradients use autograd's `gradcheck` (central differences, float64).
"""

import math

import numpy as np
import pytest

from tinytorch.core.attention import LayerNorm, MultiHeadAttention, causal_mask
from tinytorch.core.autograd import Variable, gradcheck
from tinytorch.core.layers import Dense
from tinytorch.core.optimizers import Adam
from tinytorch.core.training import CrossEntropyLoss
from tinytorch.core.transformers import (
    GELU,
    GPT,
    FeedForward,
    KVCache,
    TransformerBlock,
    append_positions,
    cached_attention,
    gelu,
    generate,
    sample_next_token,
)


# --------------------------------------------------------------------------- references
def f64(p) -> np.ndarray:
    return np.asarray(p.data.data, dtype=np.float64)


def ref_gelu(x):
    x = np.asarray(x, dtype=np.float64)
    u = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)
    return x / (1.0 + np.exp(-2.0 * u))          # 0.5 (1 + tanh u) = sigmoid(2u)


def ref_layer_norm(x, ln):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + ln.eps) * f64(ln.gamma) + f64(ln.beta)


def ref_dense(x, d):
    y = x @ f64(d.weights)
    return y if d.bias is None else y + f64(d.bias)


def ref_attention(x, attn, allowed):
    B, T, D = x.shape
    dh = D // attn.num_heads
    q, k, v = ref_dense(x, attn.w_q), ref_dense(x, attn.w_k), ref_dense(x, attn.w_v)
    outs = []
    for h in range(attn.num_heads):
        c = slice(h * dh, (h + 1) * dh)
        s = np.einsum("bqc,bkc->bqk", q[..., c], k[..., c]) / math.sqrt(dh)
        if allowed is not None:
            s = np.where(np.broadcast_to(allowed, s.shape), s, -1e9)
        w = np.exp(s - s.max(-1, keepdims=True))
        outs.append(np.einsum("bqk,bkc->bqc", w / w.sum(-1, keepdims=True), v[..., c]))
    return ref_dense(np.concatenate(outs, -1), attn.w_o)


def ref_block(x, block, allowed):
    h = x + ref_attention(ref_layer_norm(x, block.ln1), block.attn, allowed)
    return h + ref_dense(ref_gelu(ref_dense(ref_layer_norm(h, block.ln2), block.mlp.fc1)), block.mlp.fc2)


def ref_gpt(model, ids):
    ids = np.asarray(ids)
    T = ids.shape[1]
    table = f64(model.token_embedding.weight)
    x = table[ids] + f64(model.position_embedding.weight)[:T]
    for block in model.blocks:
        x = ref_block(x, block, np.tri(T, dtype=bool))
    x = ref_layer_norm(x, model.ln_f)
    return x @ table.T if model.tie_weights else ref_dense(x, model.head)


def scramble(params, seed, scale=0.3):
    rng = np.random.default_rng(seed)
    for p in params:
        p.data.data[...] += rng.normal(0.0, scale, p.shape)


def block_size(D, ratio=4):
    return 4 * (D * D + D) + 4 * D + (D * ratio * D + ratio * D) + (ratio * D * D + D)


# --------------------------------------------------------------------------- GELU
def test_gelu_matches_numpy_and_known_values():
    x = np.linspace(-6, 6, 121)
    assert np.allclose(gelu(Variable(x)).data.data, ref_gelu(x), rtol=1e-12, atol=1e-15)
    assert np.allclose(gelu(Variable(np.array([-3.0, 0.0, 1.0, 3.0]))).data.data,
                       [-0.0036373920817729943, 0.0, 0.8411919906082768, 2.996362607918227], rtol=1e-12)
    assert np.allclose(GELU()(Variable(x)).data.data, ref_gelu(x)) and GELU().parameters() == []


def test_gelu_gradcheck_and_one_node():
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((3, 4, 5)) * 2, requires_grad=True)
    assert gradcheck(gelu, [x], atol=1e-7, rtol=1e-6)
    y = gelu(x)
    assert len(y._parents) == 1 and y._parents[0] is x        # one fused node


def test_gelu_dtypes_and_inputs_untouched():
    raw = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
    x = Variable(raw.copy(), requires_grad=True)
    y = gelu(x)
    (y * 2.0).sum().backward()
    first = x.grad.data.data.copy()
    assert y.dtype == np.float32 and x.grad.data.data.dtype == np.float32
    assert np.array_equal(x.data.data, raw)
    x.zero_grad()
    (y * 2.0).sum().backward()
    assert np.array_equal(x.grad.data.data, first)
    assert gelu(np.array([1.0])).dtype == np.float64
    assert gelu(np.array([1, 2])).dtype == np.float64           # integers become real numbers


# --------------------------------------------------------------------------- FeedForward / block
def test_feedforward_values_seeds_and_gradcheck():
    ff = FeedForward(6, 10, seed=7)
    assert np.array_equal(ff.fc1.weights.data.data, Dense(6, 10, seed=7).weights.data.data)
    assert np.array_equal(ff.fc2.weights.data.data, Dense(10, 6, seed=8).weights.data.data)
    scramble(ff.parameters(), 0)
    x = np.random.default_rng(2).standard_normal((2, 3, 6))
    want = ref_dense(ref_gelu(ref_dense(x, ff.fc1)), ff.fc2)
    assert np.allclose(ff(Variable(x)).data.data, want, rtol=1e-6, atol=1e-6)
    assert ff(Variable(x.astype(np.float32))).dtype == np.float32
    assert gradcheck(lambda a: ff(a), [Variable(x, requires_grad=True)], atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError):
        ff(Variable(np.ones((2, 5))))


def test_block_matches_reference_with_masks():
    block = TransformerBlock(8, 4, mlp_ratio=2, seed=3)
    scramble(block.parameters(), 1)
    x = np.random.default_rng(3).standard_normal((2, 5, 8))
    for mask in (None, causal_mask(5), causal_mask(5) & (np.arange(5) < 4)[None, None, :].repeat(2, 0)):
        assert np.allclose(block(Variable(x), mask=mask).data.data, ref_block(x, block, mask), rtol=1e-5, atol=1e-6)
    assert gradcheck(lambda a: block(a, mask=causal_mask(3)), [Variable(x[:1, :3], requires_grad=True)],
                     atol=1e-6, rtol=1e-4)


def test_block_residual_structure():
    block = TransformerBlock(8, 2, seed=0)
    x = np.random.default_rng(4).standard_normal((2, 3, 8)).astype(np.float32)
    for p in block.attn.w_o.parameters() + block.mlp.fc2.parameters():
        p.data.data[...] = 0
    assert np.array_equal(block(Variable(x), mask=causal_mask(3)).data.data, x)     # both branches silent: identity
    block.mlp.fc2.bias.data.data[...] = 1.0                 # only the MLP branch speaks: x + 1
    assert np.allclose(block(Variable(x)).data.data, x + 1.0, atol=1e-6)
    params = block.parameters()
    assert len(params) == 16 and params[0] is block.ln1.gamma and params[-1] is block.mlp.fc2.bias


# --------------------------------------------------------------------------- GPT
def test_gpt_shapes_values_and_dtypes():
    model = GPT(vocab_size=17, max_len=9, embed_dim=12, num_heads=3, num_layers=2, seed=0)
    scramble(model.parameters(), 2)
    tokens = np.random.default_rng(5).integers(0, 17, size=(3, 7))
    logits = model(tokens)
    assert logits.shape == (3, 7, 17) and logits.dtype == np.float32
    assert np.allclose(logits.data.data, ref_gpt(model, tokens), rtol=1e-4, atol=1e-4)
    assert model(tokens[:1, :1]).shape == (1, 1, 17)


@pytest.mark.parametrize("V,L,D,H,N", [(11, 6, 8, 2, 1), (65, 64, 64, 4, 2), (30, 5, 12, 3, 3)])
def test_tied_and_untied_parameter_counts(V, L, D, H, N):
    tied = GPT(V, L, D, H, N, seed=0)
    untied = GPT(V, L, D, H, N, tie_weights=False, seed=0)
    expected = V * D + L * D + N * block_size(D) + 2 * D
    assert tied.num_parameters() == expected
    assert untied.num_parameters() == expected + D * V
    for model in (tied, untied):
        ids = [id(p) for p in model.parameters()]
        assert len(ids) == len(set(ids))
    assert tied.head is None and untied.head.bias is None and untied.head.weights.shape == (D, V)


def test_tied_weight_gets_gradient_from_both_uses():
    tied = GPT(13, 8, 16, 4, 1, seed=5)
    untied = GPT(13, 8, 16, 4, 1, tie_weights=False, seed=5)
    untied.head.weights.data.data[...] = tied.token_embedding.weight.data.data.T
    ids = [[0, 1, 2, 1, 0]]
    g = np.random.default_rng(0).standard_normal((1, 5, 13))
    (tied(ids) * g).sum().backward()
    (untied(ids) * g).sum().backward()
    emb = untied.token_embedding.weight.grad.data.data
    head = untied.head.weights.grad.data.data.T
    got = tied.token_embedding.weight.grad.data.data
    assert np.allclose(got, emb + head, rtol=1e-4, atol=1e-6)
    assert np.abs(emb[3:]).max() == 0 and np.abs(got[3:]).max() > 0      # unused rows: the head's part only
    assert np.abs(emb[:3]).max() > 0                                   # used rows: the embedding's part too


def test_gpt_is_causal():
    model = GPT(13, 10, 16, 4, 2, seed=3)
    scramble(model.parameters(), 3)
    tokens = np.random.default_rng(6).integers(0, 13, size=(2, 10))
    base = model(tokens).data.data
    for j in range(10):
        other = tokens.copy()
        other[:, j] = (other[:, j] + 1 + j) % 13
        out = model(other).data.data
        assert np.allclose(out[:, :j], base[:, :j], rtol=0, atol=1e-6), j
        assert not np.allclose(out[:, j], base[:, j], rtol=0, atol=1e-6), j


def test_gpt_validation_errors():
    model = GPT(11, 6, 8, 2, 1, seed=0)
    for bad in (np.zeros((1, 7), dtype=np.int64), np.array([1, 2]), np.zeros((1, 0), dtype=np.int64)):
        with pytest.raises(ValueError):
            model(bad)
    with pytest.raises(ValueError):
        model([[1, 11]])                                  # id outside the vocabulary
    with pytest.raises(TypeError):
        model(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError):
        GPT(11, 6, 9, 2, 1)                               # 9 not divisible by 2 heads
    for kwargs in (dict(vocab_size=0), dict(num_layers=0), dict(max_len=-1)):
        args = dict(vocab_size=11, max_len=6, embed_dim=8, num_heads=2, num_layers=1)
        args.update(kwargs)
        with pytest.raises(ValueError):
            GPT(**args)
    cache = KVCache(1)
    model(np.zeros((1, 4), dtype=np.int64), cache=cache)
    with pytest.raises(ValueError):
        model(np.zeros((1, 3), dtype=np.int64), cache=cache)  # 4 cached + 3 new > 6


def test_gpt_trains():
    model = GPT(8, 16, 16, 2, 1, seed=1)
    stream = np.tile(np.arange(8), 8)
    xs = np.stack([stream[i:i + 16] for i in range(8)])
    ys = np.stack([stream[i + 1:i + 17] for i in range(8)])
    opt = Adam(model.parameters(), learning_rate=0.02)
    loss_fn = CrossEntropyLoss()
    losses = []
    for _ in range(30):
        loss = loss_fn(model(xs).reshape(-1, 8), ys.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.data.data))
    assert losses[-1] < 0.2 * losses[0], losses
    assert all(p.grad is not None for p in model.parameters())


# --------------------------------------------------------------------------- KV cache
def test_append_positions_and_cache():
    past = np.arange(24.0).reshape(1, 2, 3, 4)
    new = Variable(-np.ones((1, 2, 2, 4)), requires_grad=True)
    both = append_positions(past, new)
    assert both.shape == (1, 2, 5, 4) and np.array_equal(both.data.data[:, :, 3:], new.data.data)
    both.backward(np.arange(40.0).reshape(1, 2, 5, 4))
    assert np.array_equal(new.grad.data.data, np.arange(40.0).reshape(1, 2, 5, 4)[:, :, 3:])
    cache = KVCache(2)
    assert cache.length == 0
    k = Variable(np.ones((1, 2, 3, 4)))
    cache.append(0, k, k * 2.0)
    cache.append(1, k, k * 2.0)
    assert cache.length == 3 and np.array_equal(cache.values[1], 2 * np.ones((1, 2, 3, 4)))
    cache.reset()
    assert cache.length == 0 and cache.keys == [None, None]
    with pytest.raises(ValueError):
        KVCache(0)
    with pytest.raises(ValueError):
        cache.append(2, k, k)
    cache.append(0, k, k)
    with pytest.raises(ValueError):
        cache.append(0, Variable(np.ones((1, 2, 1, 5))), Variable(np.ones((1, 2, 1, 5))))   # head size 5 != 4


def test_cached_forward_equals_full_forward():
    model = GPT(19, 12, 16, 4, 3, seed=2)
    scramble(model.parameters(), 4)
    tokens = np.random.default_rng(7).integers(0, 19, size=(2, 12))
    full = model(tokens).data.data
    cache = KVCache(3)
    parts, start = [], 0
    for size in (5, 1, 3, 1, 2):
        parts.append(model(tokens[:, start:start + size], cache=cache).data.data)
        start += size
        assert cache.length == start
    assert np.allclose(np.concatenate(parts, axis=1), full, rtol=1e-4, atol=1e-5)


def test_cached_attention_equals_mha():
    attn = MultiHeadAttention(12, 3, seed=1)
    x = np.random.default_rng(8).standard_normal((2, 4, 12))
    cache = KVCache(1)
    out = cached_attention(attn, Variable(x), cache, 0, causal_mask(4))
    assert np.allclose(out.data.data, attn(Variable(x), causal_mask(4)).data.data, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------- generation
@pytest.fixture(scope="module")
def model():
    m = GPT(11, 6, 8, 2, 2, seed=3)
    scramble(m.parameters(), 8, scale=0.5)
    return m


def test_temperature_zero_is_argmax(model):
    ids = [1, 2, 3]
    out = generate(model, ids, 10, temperature=0, use_cache=False)
    for _ in range(10):
        ids.append(int(np.argmax(model(np.array([ids[-6:]])).data.data[0, -1])))
    assert out.dtype == np.int64 and out.tolist() == ids


def test_top_k_one_is_greedy(model):
    greedy = generate(model, [4, 4], 9, temperature=0).tolist()
    for seed in range(3):
        assert generate(model, [4, 4], 9, temperature=1.7, top_k=1, seed=seed).tolist() == greedy


def test_seeds_reproducible(model):
    a = generate(model, [0, 1], 15, temperature=1.5, seed=9)
    b = generate(model, [0, 1], 15, temperature=1.5, seed=9)
    c = generate(model, [0, 1], 15, temperature=1.5, seed=10)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_top_k_restricts_choices():
    logits = np.array([0.1, 3.0, 2.0, -1.0, 2.5])
    drawn = {sample_next_token(logits, 2.0, 3, np.random.default_rng(s)) for s in range(200)}
    assert drawn == {1, 2, 4}
    assert sample_next_token(logits, 0) == 1


@pytest.mark.parametrize("prompt,n,kwargs", [
    ([1, 2, 3], 10, dict(temperature=0)),
    ([1, 2, 3], 10, dict(temperature=1.0, seed=1)),
    ([5, 1, 4, 1, 5, 9, 2, 6], 6, dict(temperature=0.8, top_k=4, seed=2)),   # prompt past max_len
    ([7], 12, dict(temperature=1.3, seed=3)),
])
def test_cached_equals_uncached_tokens(model, prompt, n, kwargs):
    a = generate(model, prompt, n, use_cache=True, **kwargs)
    b = generate(model, prompt, n, use_cache=False, **kwargs)
    assert a.tolist() == b.tolist() and len(a) == len(prompt) + n


def test_cache_feeds_one_position_per_token(model, monkeypatch):
    fed = []
    real = GPT.forward

    def counting(self, tokens, cache=None):
        fed.append(np.shape(tokens)[1])
        return real(self, tokens, cache)

    monkeypatch.setattr(GPT, "forward", counting)
    generate(model, [1, 2], 6, temperature=0, use_cache=True)
    assert fed == [2, 1, 1, 1, 1, 6]                      # the 7th token slides the window: rebuilt
    fed.clear()
    generate(model, [1, 2], 6, temperature=0, use_cache=False)
    assert fed == [2, 3, 4, 5, 6, 6]


def test_generate_validation(model):
    for kwargs in (dict(temperature=-1.0), dict(top_k=0), dict(top_k=2.5), dict(max_new_tokens=-1),
                   dict(prompt=[]), dict(prompt=[[1, 2]]), dict(prompt=[0.5])):
        args = dict(model=model, prompt=[1, 2], max_new_tokens=3)
        args.update(kwargs)
        with pytest.raises(ValueError):
            generate(**args)
    with pytest.raises(ValueError):
        sample_next_token([1.0, 2.0], temperature=-0.1)
    assert generate(model, np.array([3, 4]), 0).tolist() == [3, 4]
