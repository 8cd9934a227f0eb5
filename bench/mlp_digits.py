"""mlp-digits training speed: tinytorch vs a hand-written numpy forward/backward of the same
network (and PyTorch CPU when installed), same initial weights, same batches, same epochs, in
one run. Also the peak RSS of `tito milestone run mlp-digits`.

  goal: tinytorch <= 1.15x the hand-written numpy time; peak RSS < 300 MB.

Every implementation runs on one thread (BLAS and torch) and is timed in the process's CPU
time: these matrices are small, and on a shared 2-core machine a second BLAS thread only
adds waiting that has nothing to do with the code being measured.

Run: `make bench` or `python bench/mlp_digits.py [--epochs 20] [--repeat 5]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before numpy loads its BLAS

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (64, 256, 256, 10)
BATCH, LR = 32, 1e-3


def batches(n: int, epochs: int, seed: int = 0) -> list[np.ndarray]:
    """The index batches of every epoch, shared by all three implementations."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        order = rng.permutation(n)
        out += [order[i:i + BATCH] for i in range(0, n, BATCH)]
    return out


def initial_weights() -> list[np.ndarray]:
    from tinytorch.core.networks import create_mlp

    model = create_mlp(SIZES[0], list(SIZES[1:-1]), SIZES[-1], seed=0)
    return [np.array(np.asarray(p.data), dtype=np.float32) for p in model.parameters()]


def accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float((logits.argmax(axis=1) == y).mean())


def run_tinytorch(data, weights, plan):
    from tinytorch.core.networks import create_mlp
    from tinytorch.core.optimizers import Adam
    from tinytorch.core.tensor import Tensor
    from tinytorch.core.training import CrossEntropyLoss

    x_train, y_train, x_test, y_test = data
    model = create_mlp(SIZES[0], list(SIZES[1:-1]), SIZES[-1], seed=0)
    for p, w in zip(model.parameters(), weights):
        p.data.data[...] = w
    opt, loss_fn = Adam(model.parameters(), learning_rate=LR), CrossEntropyLoss()
    start = time.process_time()
    for idx in plan:
        loss = loss_fn(model(Tensor(x_train[idx])), Tensor(y_train[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.process_time() - start
    return seconds, accuracy(np.asarray(model(Tensor(x_test)).data), y_test)


def run_numpy(data, weights, plan):
    """The same network written by hand: forward, backward and Adam in numpy."""
    x_train, y_train, x_test, y_test = data
    params = [w.copy() for w in weights]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8

    def forward(x):
        acts = [x]
        for i in range(0, len(params) - 2, 2):
            acts.append(np.maximum(acts[-1] @ params[i] + params[i + 1], 0))
        return acts, acts[-1] @ params[-2] + params[-1]

    start = time.process_time()
    for t, idx in enumerate(plan, start=1):
        x, y = x_train[idx], y_train[idx]
        acts, logits = forward(x)
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        grad = probs
        grad[np.arange(len(y)), y] -= 1
        grad /= len(y)
        grads = [None] * len(params)
        for layer in range(len(params) // 2 - 1, -1, -1):
            w_index = 2 * layer
            grads[w_index] = acts[layer].T @ grad
            grads[w_index + 1] = grad.sum(axis=0)
            if layer:
                grad = (grad @ params[w_index].T) * (acts[layer] > 0)
        for i, (p, g) in enumerate(zip(params, grads)):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            p -= LR * (m[i] / (1 - b1 ** t)) / (np.sqrt(v[i] / (1 - b2 ** t)) + eps)
    seconds = time.process_time() - start
    return seconds, accuracy(forward(x_test)[1], y_test)


def run_torch(data, weights, plan):
    import torch

    x_train, y_train, x_test, y_test = (torch.from_numpy(a) for a in data)
    layers = []
    for i in range(0, len(weights), 2):
        linear = torch.nn.Linear(*weights[i].shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weights[i].T.copy()))
            linear.bias.copy_(torch.from_numpy(weights[i + 1]))
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=LR), torch.nn.CrossEntropyLoss()
    plan = [torch.from_numpy(idx) for idx in plan]
    start = time.process_time()
    for idx in plan:
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.process_time() - start
    with torch.no_grad():
        return seconds, accuracy(model(x_test).numpy(), y_test.numpy())


def milestone_peak_rss_mb() -> float:
    """The training process measures its own peak RSS (a child forked from this process would
    report this process's pages, torch included)."""
    from tito.milestones.runner import run_milestone

    result = run_milestone(ROOT, "mlp-digits")
    if result.error:
        sys.exit(f"mlp-digits milestone failed: {result.error}")
    return result.peak_rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from tinytorch.core.dataloader import load_digits

    data = load_digits()
    plan = batches(len(data[0]), args.epochs)
    weights = initial_weights()
    runners = {"tinytorch": run_tinytorch, "numpy (hand-written)": run_numpy}
    try:
        import torch

        torch.manual_seed(0)
        torch.set_num_threads(1)
        runners["pytorch cpu"] = run_torch
    except ImportError:
        print("PyTorch is not installed: `pip install torch==2.13.0` to compare against it.")
    results = {}
    for _ in range(args.repeat):  # interleaved, so load on the machine hits all alike
        for name, run in runners.items():
            seconds, acc = run(data, weights, plan)
            results.setdefault(name, []).append((seconds, acc))
    base = statistics.median(s for s, _ in results["numpy (hand-written)"])
    print(f"mlp-digits 64-256-256-10, batch {BATCH}, {args.epochs} epochs, {len(plan)} steps, Adam lr {LR}")
    print(f"{'implementation':22} {'median s':>9} {'vs numpy':>9} {'test acc':>9}")
    report = {}
    for name, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        print(f"{name:22} {seconds:9.3f} {seconds / base:8.2f}x {runs[-1][1]:9.4f}")
        report[name] = {"seconds": round(seconds, 4), "ratio_vs_numpy": round(seconds / base, 3),
                        "test_accuracy": runs[-1][1]}
    rss = milestone_peak_rss_mb()
    print(f"peak RSS of the mlp-digits milestone process: {rss:.0f} MB (goal < 300 MB)")
    report["milestone_peak_rss_mb"] = round(rss, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
