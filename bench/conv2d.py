"""Conv2D speed: TinyTorch (im2col + one matmul, hand-written backward) against PyTorch on the CPU.

For each case below, one step is a forward and a full backward pass (gradients for the input,
the weight and the bias), float32, batch 32:

  tinytorch  out = conv(Variable(x)); out.backward(G)        (through autograd's graph)
  pytorch    out = torch.nn.functional.conv2d(x, w, b, stride, padding) with requires_grad
             on x, w and b, then out.backward(G)

  case          x                 filters  kernel  stride  padding
  mnist-1       (32, 1, 28, 28)      8       3x3      1       1
  mnist-2       (32, 8, 14, 14)     16       3x3      1       1
  cifar-1       (32, 3, 32, 32)     16       3x3      1     "same"
  mid           (32, 8, 16, 16)     16       3x3      1       1       (this script's earlier case)

Both libraries are timed in the same run, in alternating blocks (PyTorch's OpenMP threads keep
spinning for a while after each call and would steal the cores from numpy, and the other way
round); each block starts with a few untimed runs. The figure per case is the median of all
timed runs, and the ratio is median tinytorch / median PyTorch: PASS when <= 1.5x, else MISS.

Threads: both sides use the same number of threads, 1 by default (numpy's element-wise work is
single-threaded whatever BLAS does, and one core against one core compares the implementations,
not the thread pools). `--threads N` gives numpy's BLAS and PyTorch N threads each. The script
prints torch.get_num_threads() and numpy's BLAS threads as they were during the run.

Clock: with one thread, each step is timed in CPU seconds of the process (time.process_time),
which a busy machine does not inflate: time spent waiting for a core is not counted, for either
library. With more threads, or with `--clock wall`, steps are timed on the wall clock
(time.perf_counter), which is what parallel work must be judged by (on a quiet machine).

Page faults per step are printed for both: each is a fresh page of memory handed over by the
OS, and a step with thousands of them is slowed by memory handling, not by arithmetic.

It also times conv2d_naive (the loop version students write first) on a small case, to show
what im2col buys. PyTorch is only a benchmark baseline, never a tinytorch dependency: without
it, the script prints the tinytorch numbers and says that the comparison was skipped.

Needs the package exported: `tito export tensor layers autograd cnn`.
Run: `python bench/conv2d.py [--repeat N] [--threads N] [--clock auto|cpu|wall] [--json]`.
Exit status 1 if a case misses the target (or the two libraries disagree), 0 otherwise.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5
CASES = [  # name, x shape, filters, kernel, stride, padding
    ("mnist-1", (32, 1, 28, 28), 8, 3, 1, 1),
    ("mnist-2", (32, 8, 14, 14), 16, 3, 1, 1),
    ("cifar-1", (32, 3, 32, 32), 16, 3, 1, "same"),
    ("mid", (32, 8, 16, 16), 16, 3, 1, 1),
]
NAIVE_SHAPE = (4, 8, 16, 16)
ROUNDS, WARMUP = 8, 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=240, help="timed steps of each library per case (default 240)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for numpy's BLAS and for PyTorch, the same for both (default 1)")
    parser.add_argument("--clock", choices=("auto", "cpu", "wall"), default="auto",
                        help="cpu: process CPU time; wall: perf_counter; auto (default): cpu with 1 thread, else wall")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return parser.parse_args()


def blas_threads() -> int | None:
    """How many threads numpy's OpenBLAS uses, read from the loaded library (None if unknown)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    libs = sorted({line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower() and ".so" in line})
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                       "scipy_openblas_get_num_threads", "openblas_get_num_threads"):
            fn = getattr(handle, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_int
                return int(fn())
    return None


CLOCK = time.perf_counter


def minor_faults() -> int:
    """Page faults so far: each one is a fresh page of memory the OS had to hand over."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def seconds(fn) -> float:
    start = CLOCK()
    fn()
    return CLOCK() - start


def main() -> int:
    global CLOCK
    args = parse_args()
    clock = args.clock if args.clock != "auto" else ("cpu" if args.threads == 1 else "wall")
    CLOCK = time.process_time if clock == "cpu" else time.perf_counter
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy loads BLAS
        os.environ[var] = str(args.threads)

    import numpy as np

    from tinytorch.core.autograd import Variable
    from tinytorch.core.cnn import Conv2D, conv2d_naive
    from tinytorch.core.tensor import Tensor

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    rounds = ROUNDS if torch is not None else 1
    per_round = max(1, args.repeat // rounds)
    rows, failed = [], False
    for name, shape, filters, kernel, stride, padding in CASES:
        x = rng.standard_normal(shape).astype(np.float32)
        conv = Conv2D(shape[1], filters, kernel, stride=stride, padding=padding, seed=0)
        conv.bias.data = Tensor(rng.standard_normal(filters).astype(np.float32))
        probe = conv(Tensor(x))
        G = rng.standard_normal(probe.shape).astype(np.float32)

        def tinytorch_step():
            conv.weight.zero_grad()
            conv.bias.zero_grad()
            xv = Variable(x)
            conv(xv).backward(G)
            return xv

        row = {"case": name, "x": list(shape), "filters": filters, "kernel": kernel, "stride": stride,
               "padding": padding}
        ours, theirs, faults = [], [], {"tinytorch": 0, "pytorch": 0}
        if torch is not None:
            xt = torch.tensor(x, requires_grad=True)
            wt = torch.tensor(np.asarray(conv.weight.data), requires_grad=True)
            bt = torch.tensor(np.asarray(conv.bias.data), requires_grad=True)
            Gt = torch.tensor(G)

            def torch_step():
                xt.grad = wt.grad = bt.grad = None
                torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding).backward(Gt)

            # Same numbers? (float32 sums in a different order: compare loosely)
            xv = tinytorch_step()
            torch_step()
            for what, mine, other in (("dx", xv.grad, xt.grad), ("dW", conv.weight.grad, wt.grad),
                                      ("db", conv.bias.grad, bt.grad)):
                mine, other = np.asarray(mine.data), other.numpy()
                if mine.dtype != np.float32 or not np.allclose(mine, other, rtol=1e-4, atol=1e-3):
                    print(f"{name}: tinytorch and PyTorch disagree on {what} (dtype {mine.dtype}, "
                          f"max difference {np.abs(mine - other).max():.3g})")
                    failed = True

        for _ in range(rounds):
            for _ in range(WARMUP):
                tinytorch_step()
            before = minor_faults()
            ours += [seconds(tinytorch_step) for _ in range(per_round)]
            faults["tinytorch"] += minor_faults() - before
            if torch is not None:
                for _ in range(WARMUP):
                    torch_step()
                before = minor_faults()
                theirs += [seconds(torch_step) for _ in range(per_round)]
                faults["pytorch"] += minor_faults() - before
        row["tinytorch_ms"] = round(statistics.median(ours) * 1e3, 4)
        row["tinytorch_page_faults"] = round(faults["tinytorch"] / len(ours), 1)
        if torch is not None:
            row["pytorch_ms"] = round(statistics.median(theirs) * 1e3, 4)
            row["pytorch_page_faults"] = round(faults["pytorch"] / len(theirs), 1)
            row["ratio"] = round(row["tinytorch_ms"] / row["pytorch_ms"], 3)
            row["verdict"] = "PASS" if row["ratio"] <= TARGET_RATIO else "MISS"
            failed |= row["verdict"] == "MISS"
        rows.append(row)

    blas = blas_threads()
    torch_threads = torch.get_num_threads() if torch is not None else None
    print(f"Conv2D forward + backward (dx, dW, db), float32; median of {rounds * per_round} steps per library "
          f"and case, in {rounds} alternating blocks; clock: "
          + ("CPU time of the process" if clock == "cpu" else "wall time"))
    print(f"threads: numpy BLAS {blas if blas is not None else 'unknown'}, "
          f"torch.get_num_threads() {torch_threads if torch is not None else '-'} (--threads {args.threads})"
          + (f"; torch {torch.__version__}" if torch is not None else ""))
    print(f"{'case':8} {'x':17} {'F':>3} {'k':>2} {'s':>2} {'padding':>8} {'tinytorch':>11} {'pytorch':>11}"
          f" {'ratio':>7}  {'target':6}  page faults per step (tinytorch / pytorch)")
    for row in rows:
        torch_part = (f"{row['pytorch_ms']:8.3f} ms {row['ratio']:6.2f}x  {row['verdict']:6}  "
                      f"{row['tinytorch_page_faults']:g} / {row['pytorch_page_faults']:g}"
                      if "ratio" in row else "     (PyTorch not installed: comparison skipped)")
        print(f"{row['case']:8} {str(tuple(row['x'])):17} {row['filters']:3} {row['kernel']:2} {row['stride']:2} "
              f"{row['padding']!r:>8} {row['tinytorch_ms']:8.3f} ms {torch_part}")
    if "ratio" in rows[0]:
        print(f"target: tinytorch <= {TARGET_RATIO:g}x PyTorch on every case: "
              + ("PASS" if all(row["verdict"] == "PASS" for row in rows) else "MISS"))

    # The loops, on a smaller case (they would take seconds on the full ones)
    conv = Conv2D(NAIVE_SHAPE[1], 16, 3, padding=1, seed=0)
    small = Tensor(rng.standard_normal(NAIVE_SHAPE).astype(np.float32))
    naive = statistics.median(seconds(lambda: conv2d_naive(small, conv.weight, conv.bias, padding=1))
                              for _ in range(3))
    fast = statistics.median(seconds(lambda: conv(small)) for _ in range(50))
    print(f"conv2d_naive forward, x {NAIVE_SHAPE}, 16 filters 3x3: {naive * 1e3:.1f} ms; "
          f"Conv2D forward on the same input: {fast * 1e3:.3f} ms ({naive / fast:,.0f}x faster)")
    if args.json:
        print(json.dumps({"threads": args.threads, "clock": clock, "blas_threads": blas, "torch_threads": torch_threads,
                          "cases": rows, "naive_ms": round(naive * 1e3, 2),
                          "conv2d_forward_small_ms": round(fast * 1e3, 4)}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
