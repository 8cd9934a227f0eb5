"""tinygpt training step: TinyTorch (module 16's GPT) against the same network in PyTorch on the CPU.

The model is the tinygpt milestone's (CONFIG from tito/milestones/tinygpt.py; the defaults
below stand in when the milestone is not there): a pre-norm GPT with learned positions, tied
embedding/head, GELU (tanh), LayerNorm eps 1e-5 and causal softmax attention (masked scores
set to -1e9). The PyTorch network is written here with the same architecture, and the SAME
weights are copied into it from the TinyTorch model. One step, float32, on one batch of the
corpus (B sequences of max_len characters of Python's documentation):

  logits = model(x)                                    (B, T, vocab)
  loss = cross-entropy(logits reshaped to (B*T, vocab), next characters (B*T,))
  optimizer.zero_grad(); loss.backward(); AdamW step

Before timing, the script checks that the two compute the same thing: the loss of the first
step to 1e-4 relative, every parameter's gradient to 1e-4 (relative to that gradient's
largest entry, or to 1e-3 of the model's largest entry when that is more), and the loss of
the second step (after one AdamW update) to 1e-3.

Method (as bench/conv2d.py and bench/mlp_digits.py): one thread for numpy's BLAS and for
PyTorch, steps timed in CPU seconds of the process (time.process_time, which time spent
waiting for a core on a loaded machine does not inflate), the two libraries in alternating
blocks each started by a few untimed steps, the figure per library the median over all timed
steps, the ratio median TinyTorch / median PyTorch, both in the same run. Target: TinyTorch
<= 2x PyTorch. `--profile N` then runs N TinyTorch steps under cProfile and prints the
functions that cost the most.

PyTorch is a benchmark baseline only, never a tinytorch dependency.
Needs the package exported: `tito export tensor layers autograd optimizers training attention
transformers` (and tokenization for the real corpus; without it the batch is random ids).
Run: `python bench/tinygpt_step.py [--repeat N] [--rounds N] [--profile N] [--json] [--strict]`.
Exit status: 1 if the two libraries disagree (or with --strict, if the ratio misses the target),
0 otherwise: the ratio is reported, not enforced, by default.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # before numpy (or torch) loads its BLAS

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
# float32 rounding makes the two differ by ~1e-5 of a gradient's largest entry; 1e-4 still
# catches a near miss such as the exact (erf) GELU in place of the tanh one (~5e-4)
GRAD_TOLERANCE = 1e-4
WARMUP = 3
# The milestone's model when tito/milestones/tinygpt.py is not there (vocab: the corpus's 103
# characters + the unknown token)
DEFAULT_CONFIG = {"max_len": 64, "embed_dim": 64, "num_heads": 4, "num_layers": 2, "tie_weights": True,
                  "batch_size": 32, "learning_rate": 1e-3, "seed": 0}
DEFAULT_VOCAB = 104


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=120, help="timed steps of each library (default 120)")
    parser.add_argument("--rounds", type=int, default=6, help="alternating blocks the steps are split into (default 6)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="afterwards, profile N TinyTorch steps with cProfile (default: 0, or 20 on a miss)")
    parser.add_argument("--top", type=int, default=25, help="functions shown by the profile (default 25)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the ratio misses the target")
    return parser.parse_args()


def load_config() -> tuple[dict, str]:
    try:
        from tito.milestones.tinygpt import CONFIG
    except ImportError:
        return dict(DEFAULT_CONFIG), "bench defaults (tito/milestones/tinygpt.py not found)"
    config = dict(DEFAULT_CONFIG)
    config.update(CONFIG)
    return config, "tito/milestones/tinygpt.py CONFIG"


def load_batch(batch_size: int, max_len: int, seed: int) -> tuple[np.ndarray, np.ndarray, int, str]:
    """Inputs (B, T) and next-character targets (B, T), from the corpus when module 14 is exported."""
    rng = np.random.default_rng(seed)
    try:
        from tinytorch.core.tokenization import CharTokenizer, load_pydoc_text
    except ImportError:
        ids = rng.integers(0, DEFAULT_VOCAB, size=(batch_size, max_len + 1))
        return ids[:, :-1], ids[:, 1:], DEFAULT_VOCAB, f"random ids (vocab {DEFAULT_VOCAB}; tokenization not exported)"
    text = load_pydoc_text()
    tokenizer = CharTokenizer(text)
    data = np.asarray(tokenizer.encode(text), dtype=np.int64)
    starts = rng.integers(0, len(data) - max_len - 1, size=batch_size)
    windows = np.stack([data[s:s + max_len + 1] for s in starts])
    vocab = tokenizer.vocab_size
    return windows[:, :-1], windows[:, 1:], vocab, f"pydoc text, CharTokenizer (vocab {vocab})"


# --------------------------------------------------------------------------- the PyTorch network

def build_torch_gpt(torch, vocab_size, max_len, embed_dim, num_heads, num_layers, tie_weights):
    """The architecture of tinytorch.core.transformers.GPT, in PyTorch."""
    nn, F = torch.nn, torch.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(embed_dim, eps=1e-5)
            self.w_q, self.w_k, self.w_v, self.w_o = (nn.Linear(embed_dim, embed_dim) for _ in range(4))
            self.ln2 = nn.LayerNorm(embed_dim, eps=1e-5)
            self.fc1 = nn.Linear(embed_dim, 4 * embed_dim)
            self.fc2 = nn.Linear(4 * embed_dim, embed_dim)

        def forward(self, x, allowed):
            B, T, D = x.shape
            dh = D // num_heads
            a = self.ln1(x)

            def heads(t):  # (B, T, D) -> (B, H, T, dh)
                return t.view(B, T, num_heads, dh).transpose(1, 2)

            q, k, v = heads(self.w_q(a)), heads(self.w_k(a)), heads(self.w_v(a))
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(dh)
            weights = scores.masked_fill(~allowed, -1e9).softmax(dim=-1)
            attended = (weights @ v).transpose(1, 2).reshape(B, T, D)
            h = x + self.w_o(attended)
            return h + self.fc2(F.gelu(self.fc1(self.ln2(h)), approximate="tanh"))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding = nn.Embedding(vocab_size, embed_dim)
            self.position_embedding = nn.Parameter(torch.zeros(max_len, embed_dim))
            self.blocks = nn.ModuleList(Block() for _ in range(num_layers))
            self.ln_f = nn.LayerNorm(embed_dim, eps=1e-5)
            self.head = None if tie_weights else nn.Linear(embed_dim, vocab_size, bias=False)
            self.register_buffer("allowed", torch.ones(max_len, max_len, dtype=torch.bool).tril())

        def forward(self, tokens):
            T = tokens.shape[1]
            h = self.token_embedding(tokens) + self.position_embedding[:T]
            allowed = self.allowed[:T, :T]
            for block in self.blocks:
                h = block(h, allowed)
            h = self.ln_f(h)
            return h @ self.token_embedding.weight.T if self.head is None else self.head(h)

    return GPT()


def paired_parameters(model, torch_model):
    """(name, tinytorch Parameter, torch parameter, transpose?) for every trainable array."""
    pairs = [("token_embedding", model.token_embedding.weight, torch_model.token_embedding.weight, False),
             ("position_embedding", model.position_embedding.weight, torch_model.position_embedding, False)]
    for i, (block, theirs) in enumerate(zip(model.blocks, torch_model.blocks)):
        pairs += [(f"blocks.{i}.ln1.gamma", block.ln1.gamma, theirs.ln1.weight, False),
                  (f"blocks.{i}.ln1.beta", block.ln1.beta, theirs.ln1.bias, False)]
        for name in ("w_q", "w_k", "w_v", "w_o"):
            dense, linear = getattr(block.attn, name), getattr(theirs, name)
            pairs += [(f"blocks.{i}.attn.{name}.weights", dense.weights, linear.weight, True),
                      (f"blocks.{i}.attn.{name}.bias", dense.bias, linear.bias, False)]
        pairs += [(f"blocks.{i}.ln2.gamma", block.ln2.gamma, theirs.ln2.weight, False),
                  (f"blocks.{i}.ln2.beta", block.ln2.beta, theirs.ln2.bias, False)]
        for name in ("fc1", "fc2"):
            dense, linear = getattr(block.mlp, name), getattr(theirs, name)
            pairs += [(f"blocks.{i}.mlp.{name}.weights", dense.weights, linear.weight, True),
                      (f"blocks.{i}.mlp.{name}.bias", dense.bias, linear.bias, False)]
    pairs += [("ln_f.gamma", model.ln_f.gamma, torch_model.ln_f.weight, False),
              ("ln_f.beta", model.ln_f.beta, torch_model.ln_f.bias, False)]
    if torch_model.head is not None:
        pairs.append(("head.weights", model.head.weights, torch_model.head.weight, True))
    return pairs


def copy_weights(torch, pairs) -> None:
    with torch.no_grad():
        for _, ours, theirs, transpose in pairs:
            values = np.asarray(ours.data.data)
            theirs.copy_(torch.from_numpy(np.ascontiguousarray(values.T if transpose else values)))


# --------------------------------------------------------------------------- the check and the timing

def check_agreement(pairs, tiny_step, torch_step) -> tuple[list[str], dict]:
    """Run one step of each and compare loss and gradients (before the update), then the next loss."""
    problems = []
    ours_loss, grads = tiny_step(keep_grads=True)
    theirs_loss = torch_step()
    loss_error = abs(ours_loss - theirs_loss) / abs(theirs_loss)
    if not loss_error <= 1e-4:
        problems.append(f"first-step loss: tinytorch {ours_loss:.7g}, pytorch {theirs_loss:.7g} "
                        f"(relative difference {loss_error:.2g} > 1e-4)")
    worst_name, worst = "", 0.0
    theirs_grads = {name: (theirs.grad.numpy().T if transpose else theirs.grad.numpy())
                    for name, _, theirs, transpose in pairs}
    # The key biases' gradient is zero in exact arithmetic (adding q.b to every score of a row
    # leaves its softmax unchanged): both libraries give float32 rounding noise there, so no
    # gradient is measured against less than 1e-3 of the model's largest gradient entry.
    floor = 1e-3 * max(float(np.abs(g).max()) for g in theirs_grads.values())
    for name, _, _, _ in pairs:
        mine, other = grads[name], theirs_grads[name]
        if mine is None or mine.shape != other.shape or mine.dtype != np.float32:
            problems.append(f"gradient of {name}: got {None if mine is None else (mine.shape, mine.dtype)}, "
                            f"expected float32 {other.shape}")
            continue
        scale = max(float(np.abs(other).max()), floor, 1e-30)
        error = float(np.abs(mine - other).max()) / scale
        if error > worst:
            worst_name, worst = name, error
        if not error <= GRAD_TOLERANCE:
            problems.append(f"gradient of {name}: max difference {error:.2g} of its largest entry "
                            f"(> {GRAD_TOLERANCE:g})")
    second_ours, _ = tiny_step()
    second_theirs = torch_step()
    second_error = abs(second_ours - second_theirs) / abs(second_theirs)
    if not second_error <= 1e-3:
        problems.append(f"second-step loss (after one AdamW step): tinytorch {second_ours:.7g}, "
                        f"pytorch {second_theirs:.7g} (relative difference {second_error:.2g} > 1e-3)")
    return problems, {"loss": theirs_loss, "loss_rel_diff": loss_error, "worst_grad": worst_name,
                      "worst_grad_rel_diff": worst, "second_loss": second_theirs,
                      "second_loss_rel_diff": second_error}


def minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def timed(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def profile_steps(step, n: int, top: int) -> str:
    profiler = cProfile.Profile(time.process_time)  # CPU time, as the steps (its default is the wall clock)
    profiler.enable()
    for _ in range(n):
        step()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    return out.getvalue()


def main() -> int:
    args = parse_args()
    from tinytorch.core.optimizers import AdamW
    from tinytorch.core.training import CrossEntropyLoss
    from tinytorch.core.transformers import GPT

    config, source = load_config()
    B, T = int(config["batch_size"]), int(config["max_len"])
    lr, seed = float(config["learning_rate"]), int(config.get("seed") or 0)
    weight_decay = float(config.get("weight_decay", 0.01))
    x, y, vocab, data_source = load_batch(B, T, seed)
    model = GPT(vocab, T, int(config["embed_dim"]), int(config["num_heads"]), int(config["num_layers"]),
                tie_weights=bool(config["tie_weights"]), seed=seed)
    optimizer, loss_fn = AdamW(model.parameters(), learning_rate=lr, weight_decay=weight_decay), CrossEntropyLoss()
    y_flat = y.reshape(-1)
    names = None

    def tiny_step(keep_grads=False):
        logits = model(x)
        loss = loss_fn(logits.reshape(B * T, vocab), y_flat)
        optimizer.zero_grad()
        loss.backward()
        grads = None
        if keep_grads:
            grads = {name: None if p.grad is None else np.array(p.grad.data.data) for name, p, _, _ in names}
        optimizer.step()
        return float(loss.data.data), grads

    try:
        import torch
    except ImportError:
        torch = None
    rows = {}
    agreement, problems = {}, []
    if torch is not None:
        torch.set_num_threads(1)
        torch_model = build_torch_gpt(torch, vocab, T, int(config["embed_dim"]), int(config["num_heads"]),
                                      int(config["num_layers"]), bool(config["tie_weights"]))
        names = paired_parameters(model, torch_model)
        theirs_count = sum(p.numel() for p in torch_model.parameters())
        if theirs_count != model.num_parameters():
            problems.append(f"parameter count: tinytorch {model.num_parameters()}, pytorch {theirs_count}")
        copy_weights(torch, names)
        torch_optimizer = torch.optim.AdamW(torch_model.parameters(), lr=lr, weight_decay=weight_decay)
        xt, yt = torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y_flat.astype(np.int64))
        F = torch.nn.functional

        def torch_step():
            logits = torch_model(xt)
            loss = F.cross_entropy(logits.reshape(B * T, vocab), yt)
            torch_optimizer.zero_grad()
            loss.backward()
            torch_optimizer.step()
            return float(loss.detach())

        problems, agreement = check_agreement(names, tiny_step, torch_step)
        for problem in problems:
            print("tinytorch and PyTorch disagree:", problem)
        runners = {"tinytorch": lambda: tiny_step(), "pytorch": torch_step}
    else:
        names = [(f"p{i}", p, None, False) for i, p in enumerate(model.parameters())]
        runners = {"tinytorch": lambda: tiny_step()}
        print("PyTorch is not installed: `pip install torch==2.13.0` to compare against it.")

    rounds = max(1, args.rounds)
    per_round = max(1, args.repeat // rounds)
    times = {name: [] for name in runners}
    faults = dict.fromkeys(runners, 0)
    for _ in range(rounds):  # alternating blocks: load on the machine hits both alike
        for name, step in runners.items():
            for _ in range(WARMUP):
                step()
            before = minor_faults()
            times[name] += [timed(step) for _ in range(per_round)]
            faults[name] += minor_faults() - before
    for name, values in times.items():
        rows[name] = {"ms_per_step": round(statistics.median(values) * 1e3, 3),
                      "min_ms": round(min(values) * 1e3, 3),
                      "page_faults_per_step": round(faults[name] / len(values), 1)}

    print(f"tinygpt training step (forward, cross-entropy, backward, AdamW), float32; config: {source}")
    print(f"model: vocab {vocab}, max_len {T}, embed_dim {config['embed_dim']}, heads {config['num_heads']}, "
          f"layers {config['num_layers']}, tie_weights {config['tie_weights']}, "
          f"{model.num_parameters():,} parameters; batch {B} x {T} ({data_source})")
    print(f"clock: CPU time of the process; median of {rounds * per_round} steps per library in {rounds} "
          f"alternating blocks; threads: 1 (BLAS"
          + (f", torch.get_num_threads() {torch.get_num_threads()}; torch {torch.__version__})" if torch else ")"))
    if agreement:
        print(f"agreement: loss {agreement['loss']:.5f}, relative difference {agreement['loss_rel_diff']:.1e}; "
              f"largest gradient difference {agreement['worst_grad_rel_diff']:.1e} of the largest entry "
              f"({agreement['worst_grad']});\n  loss after one AdamW step {agreement['second_loss']:.5f}, relative "
              f"difference {agreement['second_loss_rel_diff']:.1e}")
    print(f"{'library':10} {'ms/step':>9} {'min ms':>9} {'page faults/step':>17}")
    for name, row in rows.items():
        print(f"{name:10} {row['ms_per_step']:9.2f} {row['min_ms']:9.2f} {row['page_faults_per_step']:17g}")
    verdict = None
    if "pytorch" in rows:
        ratio = rows["tinytorch"]["ms_per_step"] / rows["pytorch"]["ms_per_step"]
        verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
        rows["ratio"] = round(ratio, 3)
        print(f"ratio tinytorch / pytorch: {ratio:.2f}x (target <= {TARGET_RATIO:g}x): {verdict}")

    n_profile = args.profile or (20 if verdict == "MISS" else 0)
    if n_profile:
        print(f"\ncProfile of {n_profile} tinytorch steps (sorted by own time):")
        print(profile_steps(lambda: tiny_step(), n_profile, args.top))
    if args.json:
        print(json.dumps({"config": {k: config[k] for k in sorted(config)}, "vocab": vocab, "batch": [B, T],
                          "agreement": agreement, "problems": problems, "results": rows, "verdict": verdict}))
    return 1 if problems or (args.strict and verdict == "MISS") else 0


if __name__ == "__main__":
    sys.exit(main())
