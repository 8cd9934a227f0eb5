"""Scalar autograd speed: tinytorch Variables against micrograd's Value and PyTorch 0-d tensors.

The graph is micrograd's own workload: an MLP on scalars (3 inputs -> 16 -> 16 -> 1, ReLU on
the hidden layers), each neuron `sum(w_i * x_i) + b` written as Python `*` and `+` on 0-d
values, over a few samples, with a squared-error loss summed over them (about 2,700
operations for 4 samples). The same expression is built in all three, from the same weights,
in one run:

  tinytorch  tinytorch.core.autograd.Variable (0-d float64), loss.backward()
  micrograd  micrograd.engine.Value (Python floats), loss.backward()
  pytorch    0-d float64 torch tensors with requires_grad, one thread, loss.backward()

Reported: microseconds per forward operation (building the graph) and per backward node
(loss.backward() divided by the number of operations: every operation is one node), the
median over all timed runs, and the ratios. Each framework runs in a fresh Python process of
its own (--rounds of them, taking turns, each timing --runs runs after two warm-up runs):
in one shared process, the objects and freed memory one framework leaves behind slow the
next one down by up to a quarter (--in-process shows that). The machine may be shared, so
times are the CPU time of the measuring process (time.process_time; --wall for wall-clock
time). Targets for tinytorch: forward <= 2 us per op, backward <= 2 us per node; each is
printed as PASS or MISS (the script reports, it does not fail).

Needs the package exported (`tito export tensor autograd`); micrograd and torch are optional
(a missing one is skipped and said so). Run: `python bench/scalar_autograd.py [--rounds 3] [--runs 5]`.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NIN, SIZES = 3, (16, 16, 1)
TARGET_FORWARD_US, TARGET_BACKWARD_US = 2.0, 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per framework, taking turns (default 3)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs in each process (default 5)")
    parser.add_argument("--samples", type=int, default=4, help="samples in the loss (default 4: about 2,700 ops)")
    parser.add_argument("--wall", action="store_true", help="wall-clock time instead of CPU time")
    parser.add_argument("--in-process", action="store_true", help="run all three in this one process instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: time one framework, print JSON
    return parser.parse_args()


def initial_weights(seed: int = 0) -> list[list[tuple[list[float], float]]]:
    """[layer][neuron] -> (weights, bias) as Python floats, shared by every framework."""
    rng = random.Random(seed)
    layers, nin = [], NIN
    for n in SIZES:
        layers.append([([rng.uniform(-1, 1) for _ in range(nin)], rng.uniform(-0.1, 0.1)) for _ in range(n)])
        nin = n
    return layers


def dataset(samples: int, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    xs = [[rng.uniform(-1, 1) for _ in range(NIN)] for _ in range(samples)]
    ys = [rng.uniform(-1, 1) for _ in range(samples)]
    return xs, ys


def mlp_loss(layers, xs, ys, relu):
    """The expression, micrograd-style: every neuron is b + w0*x0 + w1*x1 + ... on scalars."""
    loss = None
    for x, y in zip(xs, ys):
        h = x
        for depth, layer in enumerate(layers):
            out = []
            for w, b in layer:
                act = b
                for wi, xi in zip(w, h):
                    act = act + wi * xi
                out.append(relu(act) if depth < len(layers) - 1 else act)
            h = out
        err = h[0] - y
        loss = err * err if loss is None else loss + err * err
    return loss


class Counter:
    """A stand-in scalar that counts the operations the expression performs."""

    ops = 0

    def __init__(self, value=0.0):
        self.value = value

    def _op(self, other=None):
        Counter.ops += 1
        return Counter()

    __add__ = __radd__ = __mul__ = __rmul__ = __sub__ = __rsub__ = _op


def count_ops(samples: int) -> int:
    layers = [[([Counter() for _ in w], Counter()) for w, _ in layer] for layer in initial_weights()]
    xs, ys = dataset(samples)
    Counter.ops = 0
    mlp_loss(layers, xs, ys, lambda a: a._op())
    return Counter.ops


class Framework:
    """One implementation: how to make a leaf, apply relu, reset gradients and read them."""

    def __init__(self, name, make_leaf, relu, zero, grad_of, value_of):
        self.name, self.make_leaf, self.relu = name, make_leaf, relu
        self.zero, self.grad_of, self.value_of = zero, grad_of, value_of
        self.layers = [[([make_leaf(v) for v in w], make_leaf(b)) for w, b in layer] for layer in initial_weights()]
        self.params = [p for layer in self.layers for w, b in layer for p in (*w, b)]
        self.forward_s, self.backward_s = [], []

    def run(self, xs, ys, clock):
        for p in self.params:
            self.zero(p)
        gc.collect()
        start = clock()
        loss = mlp_loss(self.layers, xs, ys, self.relu)
        middle = clock()
        loss.backward()
        end = clock()
        self.forward_s.append(middle - start)
        self.backward_s.append(end - middle)
        return loss


def make_framework(name: str) -> Framework:
    """One of the three, or ImportError if it is not installed."""
    if name == "tinytorch":
        from tinytorch.core.autograd import Variable

        def tt_zero(p):
            p.zero_grad()

        return Framework(name, lambda v: Variable(float(v)), lambda a: a.relu(), tt_zero,
                         lambda p: float(p.grad.data.data), lambda loss: float(loss.data.data))
    if name == "micrograd":
        from micrograd.engine import Value

        def mg_zero(p):
            p.grad = 0.0

        return Framework(name, Value, lambda a: a.relu(), mg_zero, lambda p: float(p.grad), lambda loss: float(loss.data))
    if name == "pytorch":
        import torch

        torch.set_num_threads(1)

        def pt_zero(p):
            p.grad = None

        return Framework(name, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True),
                         lambda a: a.relu(), pt_zero, lambda p: float(p.grad), lambda loss: float(loss.detach()))
    raise ValueError(name)


NAMES = ("tinytorch", "micrograd", "pytorch")
INSTALL = {"micrograd": "pip install micrograd", "pytorch": "pip install torch"}


def measure(impl: Framework, samples: int, runs: int, clock) -> dict:
    """Two warm-up runs, then `runs` timed ones; the loss and some gradients for the cross-check."""
    xs, ys = dataset(samples)
    for _ in range(2):
        loss = impl.run(xs, ys, clock)
    impl.forward_s.clear()
    impl.backward_s.clear()
    for _ in range(runs):
        impl.run(xs, ys, clock)
    return {"forward_s": impl.forward_s, "backward_s": impl.backward_s, "loss": impl.value_of(loss),
            "grads": [impl.grad_of(p) for p in impl.params[:40]]}


def worker(args) -> None:
    clock = time.perf_counter if args.wall else time.process_time
    print(json.dumps(measure(make_framework(args.worker), args.samples, args.runs, clock)))


def available() -> tuple[list[str], list[str]]:
    found, skipped = [], []
    for name, module in zip(NAMES, ("tinytorch", "micrograd", "torch")):
        if importlib.util.find_spec(module) is None:
            skipped.append(f"{name} ({INSTALL[name]})")
        else:
            found.append(name)
    return found, skipped


def collect(args, names: list[str]) -> dict[str, dict]:
    results = {name: {"forward_s": [], "backward_s": []} for name in names}
    clock = time.perf_counter if args.wall else time.process_time
    if args.in_process:
        impls = {name: make_framework(name) for name in names}
    for round_ in range(args.rounds):
        shift = round_ % len(names)                 # take turns: nobody always goes first
        for name in names[shift:] + names[:shift]:
            if args.in_process:
                impls[name].forward_s, impls[name].backward_s = [], []
                out = measure(impls[name], args.samples, args.runs, clock)
            else:
                command = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
                           "--runs", str(args.runs), "--samples", str(args.samples)] + (["--wall"] if args.wall else [])
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    sys.exit(f"the {name} worker failed:\n{done.stderr}")
                out = json.loads(done.stdout.strip().splitlines()[-1])
            results[name]["forward_s"] += out["forward_s"]
            results[name]["backward_s"] += out["backward_s"]
            results[name]["check"] = (out["loss"], out["grads"])
    return results


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args)
        return
    names, skipped = available()
    if "tinytorch" not in names:
        sys.exit("tinytorch is not importable: run `tito export tensor autograd` first")
    ops = count_ops(args.samples)
    results = collect(args, names)

    # Same expression, same weights: the same loss and gradients, or the comparison is void.
    ref_value, ref_grads = results["tinytorch"]["check"]
    for name in names[1:]:
        value, grads = results[name]["check"]
        if abs(value - ref_value) > 1e-9 * max(1.0, abs(ref_value)) or any(
                abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(grads, ref_grads)):
            sys.exit(f"{name} and tinytorch disagree on the loss or its gradients: not the same graph")

    timer = "wall-clock" if args.wall else "CPU"
    where = "all in this process" if args.in_process else "a fresh process per framework and round"
    runs = args.rounds * args.runs
    print(f"Scalar autograd: MLP {NIN}-{'-'.join(map(str, SIZES))} on {args.samples} samples, "
          f"{ops} operations = {ops} backward nodes, float64")
    print(f"median of {runs} runs each ({args.rounds} rounds x {args.runs}, {where}), {timer} time")
    print(f"  {'':10s} {'forward us/op':>14s} {'backward us/node':>17s}")
    medians = {}
    for name in names:
        fwd = statistics.median(results[name]["forward_s"]) / ops * 1e6
        bwd = statistics.median(results[name]["backward_s"]) / ops * 1e6
        medians[name] = (fwd, bwd)
        print(f"  {name:10s} {fwd:14.2f} {bwd:17.2f}")
    ours = medians["tinytorch"]
    for name, (fwd, bwd) in medians.items():
        if name != "tinytorch":
            print(f"  tinytorch / {name}: forward {ours[0] / fwd:.2f}x, backward {ours[1] / bwd:.2f}x")
    for name in skipped:
        print(f"  skipped {name}")
    verdicts = {"forward": ours[0] <= TARGET_FORWARD_US, "backward": ours[1] <= TARGET_BACKWARD_US}
    print(f"  target forward  <= {TARGET_FORWARD_US:g} us/op:   {'PASS' if verdicts['forward'] else 'MISS'} ({ours[0]:.2f})")
    print(f"  target backward <= {TARGET_BACKWARD_US:g} us/node: {'PASS' if verdicts['backward'] else 'MISS'} ({ours[1]:.2f})")
    report = {"ops": ops, "timer": timer, "runs": runs, "in_process": args.in_process,
              **{f"{name}_forward_us": round(f, 3) for name, (f, _) in medians.items()},
              **{f"{name}_backward_us": round(b, 3) for name, (_, b) in medians.items()},
              "forward_target_met": verdicts["forward"], "backward_target_met": verdicts["backward"]}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
