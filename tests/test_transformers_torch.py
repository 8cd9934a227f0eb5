"""Cross-checks of modules 15 (attention) and 16 (transformers) against PyTorch, in float64.

Each test copies the same weights into torch (as torch's own layers where torch has one:
nn.LayerNorm, nn.MultiheadAttention, F.scaled_dot_product_attention), runs both forward, backs
a random upstream gradient (or a cross-entropy loss) through both, and compares values and
every gradient. float64 so that a disagreement is a mistake, not rounding: tolerances 1e-9.
The GPT is checked against a functional PyTorch GPT written here, tied and untied, with and
without the KV cache; one float32 check makes sure the float32 path is the same computation.

PyTorch is an optional test dependency only (skipped when it is not installed).
Needs the package built: `tito export tensor layers autograd training attention transformers`.
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from tinytorch.core.attention import (  # noqa: E402
    LayerNorm,
    MultiHeadAttention,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
    softmax,
)
from tinytorch.core.autograd import Variable  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402
from tinytorch.core.training import CrossEntropyLoss  # noqa: E402
from tinytorch.core.transformers import GPT, KVCache, gelu  # noqa: E402

TOL = dict(rtol=1e-9, atol=1e-11)


def values(v) -> np.ndarray:
    return np.asarray(v.data.data)


def grad(v) -> np.ndarray:
    assert v.grad is not None, "no gradient reached this Variable"
    return np.asarray(v.grad.data.data)


def leaf(array) -> Variable:
    return Variable(np.array(array, dtype=np.float64), requires_grad=True)


def tleaf(array):
    return torch.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def as_float64(parameter, array=None) -> None:
    """Give a Parameter float64 values (its own, or `array`), in place of its float32 ones."""
    parameter.data = Tensor(np.array(parameter.data.data if array is None else array, dtype=np.float64))


def close(ours, theirs, what, **tol) -> None:
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, err_msg=what, **(tol or TOL))


def backward_both(ours, theirs, rng):
    """Back the same random upstream gradient through a tinytorch and a torch output."""
    g = rng.standard_normal(ours.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))


# --------------------------------------------------------------------------- elementwise ops


def test_gelu_matches_torch_tanh_approximation():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5)) * 3
    x[0, 0, :5] = [-12.0, -5.0, 0.0, 5.0, 12.0]
    ours, theirs = leaf(x), tleaf(x)
    y, yt = gelu(ours), F.gelu(theirs, approximate="tanh")
    close(values(y), yt, "gelu values")
    backward_both(y, yt, rng)
    close(grad(ours), theirs.grad, "gelu gradient")
    assert values(gelu(Variable(x.astype(np.float32)))).dtype == np.float32


@pytest.mark.parametrize("axis", [-1, 1, 0])
def test_softmax_matches_torch(axis):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 5)) * 4
    x[1, 2] = [1000.0, -1000.0, 999.0, 0.0, 3.0]        # stable: no overflow
    ours, theirs = leaf(x), tleaf(x)
    y, yt = softmax(ours, axis=axis), torch.softmax(theirs, dim=axis)
    close(values(y), yt, f"softmax(axis={axis}) values")
    backward_both(y, yt, rng)
    close(grad(ours), theirs.grad, f"softmax(axis={axis}) gradient")


def test_layernorm_matches_torch():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 5)) * 2 + 1
    gamma, beta = rng.standard_normal(5), rng.standard_normal(5)
    ln = LayerNorm(5)
    as_float64(ln.gamma, gamma)
    as_float64(ln.beta, beta)
    theirs = torch.nn.LayerNorm(5, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    ours_x, theirs_x = leaf(x), tleaf(x)
    y, yt = ln(ours_x), theirs(theirs_x)
    close(values(y), yt, "LayerNorm values")
    backward_both(y, yt, rng)
    close(grad(ours_x), theirs_x.grad, "LayerNorm d/dx")
    close(grad(ln.gamma), theirs.weight.grad, "LayerNorm d/dgamma")
    close(grad(ln.beta), theirs.bias.grad, "LayerNorm d/dbeta")


# --------------------------------------------------------------------------- attention


def torch_attention(q, k, v, allowed=None):
    """Attention as the contract states it, in torch: masked scores are -1e9 (finite)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if allowed is not None:
        scores = scores.masked_fill(~torch.as_tensor(allowed), -1e9)
    weights = scores.softmax(dim=-1)
    return weights @ v, weights


def attention_case(rng, q_shape, k_shape, dv, mask):
    q, k = rng.standard_normal(q_shape), rng.standard_normal(k_shape)
    v = rng.standard_normal(k_shape[:-1] + (dv,))
    ours, theirs = [leaf(a) for a in (q, k, v)], [tleaf(a) for a in (q, k, v)]
    out, weights = scaled_dot_product_attention(*ours, mask=mask)
    out_t, weights_t = torch_attention(*theirs, allowed=mask)
    close(values(out), out_t, "attention output")
    close(values(weights), weights_t, "attention weights")
    g_out, g_w = rng.standard_normal(out.shape), rng.standard_normal(weights.shape)
    ((out * Variable(g_out, requires_grad=False)).sum()
     + (weights * Variable(g_w, requires_grad=False)).sum()).backward()
    ((out_t * torch.tensor(g_out)).sum() + (weights_t * torch.tensor(g_w)).sum()).backward()
    for name, a, b in zip("qkv", ours, theirs):
        close(grad(a), b.grad, f"attention d/d{name}")
    return ours, out


def test_scaled_dot_product_attention_without_mask_matches_torch():
    rng = np.random.default_rng(3)
    (q, k, v), out = attention_case(rng, (2, 3, 4, 5), (2, 3, 6, 5), 7, None)   # Tq != Tk, d != dv
    expected = F.scaled_dot_product_attention(*(torch.tensor(values(a)) for a in (q, k, v)))
    close(values(out), expected, "attention output vs torch's scaled_dot_product_attention")


def test_scaled_dot_product_attention_causal_matches_torch():
    rng = np.random.default_rng(4)
    mask = causal_mask(6)
    (q, k, v), out = attention_case(rng, (2, 3, 6, 4), (2, 3, 6, 4), 5, mask)
    qt, kt, vt = (torch.tensor(values(a)) for a in (q, k, v))
    # the same boolean convention as torch (True = may attend), and the same as is_causal
    close(values(out), F.scaled_dot_product_attention(qt, kt, vt, attn_mask=torch.tensor(mask)),
          "causal attention vs torch attn_mask")
    close(values(out), F.scaled_dot_product_attention(qt, kt, vt, is_causal=True), "causal attention vs is_causal")


def test_scaled_dot_product_attention_with_padding_and_an_empty_row():
    rng = np.random.default_rng(5)
    tokens = np.array([[0, 3, 4, 2, 0], [5, 1, 2, 0, 0]])      # pad id 0; row 0's first key is padding
    mask = (causal_mask(5) & padding_mask(tokens, 0))[:, None]   # (B, 1, T, T): broadcast over heads
    _, out = attention_case(rng, (2, 2, 5, 3), (2, 2, 5, 3), 3, mask)
    assert np.isfinite(values(out)).all(), "a query with no allowed key must stay finite"


def copy_mha(torch_mha, mha):
    """Our four Dense layers (weights (in, out)) into nn.MultiheadAttention (weights (out, in))."""
    with torch.no_grad():
        torch_mha.in_proj_weight.copy_(torch.tensor(np.concatenate(
            [values(layer.weights).T for layer in (mha.w_q, mha.w_k, mha.w_v)])))
        torch_mha.in_proj_bias.copy_(torch.tensor(np.concatenate(
            [values(layer.bias) for layer in (mha.w_q, mha.w_k, mha.w_v)])))
        torch_mha.out_proj.weight.copy_(torch.tensor(values(mha.w_o.weights).T))
        torch_mha.out_proj.bias.copy_(torch.tensor(values(mha.w_o.bias)))


@pytest.mark.parametrize("mask_kind", ["none", "causal 2-D", "causal+padding 3-D"])
def test_multi_head_attention_matches_torch(mask_kind):
    rng = np.random.default_rng(6)
    B, T, D, H = 2, 5, 12, 3                                    # T != D != head_dim
    mha = MultiHeadAttention(D, H, seed=0)
    for p in mha.parameters():                                  # float64, and biases that are not 0
        as_float64(p, values(p) + 0.1 * rng.standard_normal(p.shape))
    theirs = torch.nn.MultiheadAttention(D, H, batch_first=True, dtype=torch.float64)
    copy_mha(theirs, mha)
    x = rng.standard_normal((B, T, D))
    tokens = np.array([[4, 1, 3, 2, 9], [7, 2, 5, 9, 9]])       # pad id 9 only at the end: no empty row
    mask = {"none": None, "causal 2-D": causal_mask(T),
            "causal+padding 3-D": causal_mask(T) & padding_mask(tokens, 9)}[mask_kind]
    ours_x, theirs_x = leaf(x), tleaf(x)
    y = mha(ours_x, mask=mask)
    if mask is None:
        torch_mask = None
    elif mask.ndim == 2:
        torch_mask = torch.tensor(~mask)                        # torch's nn.MultiheadAttention: True = blocked
    else:
        torch_mask = torch.tensor(~mask).repeat_interleave(H, dim=0)   # (B * H, T, T)
    yt, _ = theirs(theirs_x, theirs_x, theirs_x, attn_mask=torch_mask, need_weights=False)
    close(values(y), yt, f"MultiHeadAttention values ({mask_kind})")
    backward_both(y, yt, rng)
    close(grad(ours_x), theirs_x.grad, "MultiHeadAttention d/dx")
    in_w, in_b = theirs.in_proj_weight.grad.numpy(), theirs.in_proj_bias.grad.numpy()
    for i, layer in enumerate((mha.w_q, mha.w_k, mha.w_v)):
        close(grad(layer.weights), in_w[i * D:(i + 1) * D].T, f"MultiHeadAttention d/d{'qkv'[i]} weights")
        close(grad(layer.bias), in_b[i * D:(i + 1) * D], f"MultiHeadAttention d/d{'qkv'[i]} bias")
    close(grad(mha.w_o.weights), theirs.out_proj.weight.grad.numpy().T, "MultiHeadAttention d/dw_o weights")
    close(grad(mha.w_o.bias), theirs.out_proj.bias.grad, "MultiHeadAttention d/dw_o bias")


# --------------------------------------------------------------------------- GPT


def gpt_arrays(model) -> dict:
    """Every trainable array of our GPT by name (weights in our (in, out) layout)."""
    arrays = {"tok": model.token_embedding.weight, "pos": model.position_embedding.weight,
              "ln_f.g": model.ln_f.gamma, "ln_f.b": model.ln_f.beta}
    for i, block in enumerate(model.blocks):
        for part, layer in (("ln1", block.ln1), ("ln2", block.ln2)):
            arrays[f"{i}.{part}.g"], arrays[f"{i}.{part}.b"] = layer.gamma, layer.beta
        for part, dense in (("q", block.attn.w_q), ("k", block.attn.w_k), ("v", block.attn.w_v),
                            ("o", block.attn.w_o), ("fc1", block.mlp.fc1), ("fc2", block.mlp.fc2)):
            arrays[f"{i}.{part}.w"], arrays[f"{i}.{part}.b"] = dense.weights, dense.bias
    if getattr(model, "head", None) is not None:      # untied: the head's own weights
        arrays["head"] = model.head.weights
    return arrays


def torch_gpt(p, tokens, num_heads, num_layers, tied, start=0):
    """The contract's GPT, functionally, on torch tensors `p` named as in gpt_arrays."""
    B, T = tokens.shape
    D = p["tok"].shape[1]
    dh = D // num_heads

    def layer_norm(x, g, b):
        return F.layer_norm(x, (D,), g, b, eps=1e-5)

    x = p["tok"][torch.as_tensor(tokens)] + p["pos"][start:start + T]
    allowed = torch.ones(T, T, dtype=torch.bool).tril()
    for i in range(num_layers):
        a = layer_norm(x, p[f"{i}.ln1.g"], p[f"{i}.ln1.b"])
        q, k, v = ((a @ p[f"{i}.{n}.w"] + p[f"{i}.{n}.b"]).view(B, T, num_heads, dh).transpose(1, 2) for n in "qkv")
        scores = (q @ k.transpose(-2, -1) / math.sqrt(dh)).masked_fill(~allowed, -1e9)
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + attended @ p[f"{i}.o.w"] + p[f"{i}.o.b"]
        h = layer_norm(x, p[f"{i}.ln2.g"], p[f"{i}.ln2.b"]) @ p[f"{i}.fc1.w"] + p[f"{i}.fc1.b"]
        x = x + F.gelu(h, approximate="tanh") @ p[f"{i}.fc2.w"] + p[f"{i}.fc2.b"]
    x = layer_norm(x, p["ln_f.g"], p["ln_f.b"])
    return x @ p["tok"].T if tied else x @ p["head"]


def make_gpt(tied, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed + 10)
    model = GPT(vocab_size=11, max_len=8, embed_dim=12, num_heads=3, num_layers=2, tie_weights=tied, seed=seed)
    arrays = gpt_arrays(model)
    for name, p in arrays.items():                  # perturb LayerNorm and biases: not 1 and 0
        noise = 0.1 * rng.standard_normal(p.shape) if (name.endswith(".b") or name.endswith(".g")) else 0.0
        p.data = Tensor(np.array(values(p) + noise, dtype=dtype))
    torch_params = {name: torch.tensor(values(p), requires_grad=True) for name, p in arrays.items()}
    return model, arrays, torch_params


@pytest.mark.parametrize("tied", [True, False])
def test_gpt_forward_and_backward_match_torch(tied):
    model, arrays, p = make_gpt(tied)
    assert (("head" in arrays) != tied) and model.num_parameters() == sum(t.numel() for t in p.values())
    rng = np.random.default_rng(7)
    tokens = rng.integers(0, 11, size=(2, 6))      # T = 6 < max_len 8
    targets = rng.integers(0, 11, size=12)
    logits = model(tokens)
    logits_t = torch_gpt(p, tokens, 3, 2, tied)
    assert values(logits).dtype == np.float64
    close(values(logits), logits_t, "GPT logits")
    loss = CrossEntropyLoss()(logits.reshape(12, 11), targets)
    loss_t = F.cross_entropy(logits_t.reshape(12, 11), torch.tensor(targets))
    close(values(loss), loss_t, "GPT cross-entropy")
    loss.backward()
    loss_t.backward()
    for name, param in arrays.items():              # the tied embedding: gradient of both uses
        close(grad(param), p[name].grad, f"GPT gradient of {name}")


def test_gpt_with_kv_cache_matches_torch_full_sequence():
    model, _, p = make_gpt(True, seed=1)
    tokens = np.random.default_rng(8).integers(0, 11, size=(2, 7))
    expected = torch_gpt(p, tokens, 3, 2, True).detach().numpy()
    cache = KVCache(2)
    close(values(model(tokens[:, :4], cache=cache)), expected[:, :4], "cached GPT, prompt logits")
    for t in range(4, 7):
        assert cache.length == t
        close(values(model(tokens[:, t:t + 1], cache=cache)), expected[:, t:t + 1], f"cached GPT, position {t}")
    assert cache.length == 7


def test_gpt_float32_matches_torch_float32():
    model, arrays, _ = make_gpt(True, dtype=np.float32, seed=2)
    assert all(values(param).dtype == np.float32 for param in model.parameters())
    p = {name: torch.tensor(values(param), requires_grad=True) for name, param in arrays.items()}
    tokens = np.random.default_rng(9).integers(0, 11, size=(3, 8))
    logits = model(tokens)
    logits_t = torch_gpt(p, tokens, 3, 2, True)
    assert values(logits).dtype == np.float32
    close(values(logits), logits_t, "float32 GPT logits", rtol=1e-4, atol=1e-5)
    g = np.random.default_rng(10).standard_normal(logits.shape).astype(np.float32)
    logits.backward(g)
    logits_t.backward(torch.tensor(g))
    # atol relative to the largest gradient of the model: the key bias's gradient is zero in
    # exact arithmetic (a constant added to every score of a row), rounding noise in float32
    scale = max(float(t.grad.abs().max()) for t in p.values())
    for name, param in arrays.items():
        assert grad(param).dtype == np.float32, name
        close(grad(param), p[name].grad, f"float32 GPT gradient of {name}", rtol=1e-3, atol=1e-5 * scale)
