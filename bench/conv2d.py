"""Conv2D speed: TinyTorch (im2col + one matmul, hand-written backward) against PyTorch on the CPU.

  case     x (32, 8, 16, 16) float32, 16 filters 3x3, stride 1, padding 1
  tinytorch  out = conv(Variable(x)); out.backward(ones)       (through autograd's graph)
  pytorch    torch.nn.functional.conv2d(x, w, b, stride=1, padding=1) with requires_grad,
             then out.backward(ones)
  target     median tinytorch / median pytorch <= 3x, measured in the same run (alternating
             blocks of runs), with PyTorch using as many threads as numpy's BLAS

It also times conv2d_naive (the loop version students write first) on a smaller case, to show
what im2col buys. PyTorch is only a benchmark baseline, never a tinytorch dependency: without it,
the script prints the tinytorch numbers and says that the comparison was skipped.

Needs the package exported: `tito export tensor layers autograd cnn`.
Run: `python bench/conv2d.py [--repeat N] [--threads N]`.
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

TARGET_RATIO = 3.0
SHAPE, FILTERS, KERNEL, STRIDE, PADDING = (32, 8, 16, 16), 16, 3, 1, 1
NAIVE_SHAPE = (4, 8, 16, 16)
ROUNDS, WARMUP = 6, 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=300, help="timed iterations of each (default 300)")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS and PyTorch threads (default: whatever numpy's BLAS uses)")
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


def one_run_seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    if args.threads:  # before numpy loads OpenBLAS
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)

    import numpy as np

    from tinytorch.core.autograd import Variable
    from tinytorch.core.cnn import Conv2D, conv2d_naive
    from tinytorch.core.tensor import Tensor

    threads = args.threads or blas_threads() or os.cpu_count() or 1
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE).astype(np.float32)
    conv = Conv2D(SHAPE[1], FILTERS, KERNEL, stride=STRIDE, padding=PADDING, seed=0)
    out_shape = (SHAPE[0], FILTERS, SHAPE[2], SHAPE[3])
    ones = np.ones(out_shape, dtype=np.float32)

    def tinytorch_step():
        conv.weight.zero_grad()
        conv.bias.zero_grad()
        xv = Variable(x)
        out = conv(xv)
        out.backward(ones)
        return xv

    # The loops, on a smaller case (they would take seconds on the full one)
    small = Tensor(rng.standard_normal(NAIVE_SHAPE).astype(np.float32))
    naive_seconds = statistics.median(one_run_seconds(lambda: conv2d_naive(small, conv.weight, conv.bias,
                                                                          stride=STRIDE, padding=PADDING))
                                      for _ in range(3))
    small_conv = statistics.median(one_run_seconds(lambda: conv(small)) for _ in range(50))

    torch = None
    try:
        import torch
    except ImportError:
        pass

    if torch is not None:
        torch.set_num_threads(threads)
        xt = torch.tensor(x, requires_grad=True)
        wt = torch.tensor(np.asarray(conv.weight.data), requires_grad=True)
        bt = torch.tensor(np.asarray(conv.bias.data), requires_grad=True)
        ones_t = torch.ones(out_shape)

        def torch_step():
            xt.grad = wt.grad = bt.grad = None
            out = torch.nn.functional.conv2d(xt, wt, bt, stride=STRIDE, padding=PADDING)
            out.backward(ones_t)

        # Same numbers? (float32 sums in a different order: compare loosely)
        xv = tinytorch_step()
        torch_step()
        for name, ours, theirs in (("dx", xv.grad, xt.grad), ("dW", conv.weight.grad, wt.grad),
                                   ("db", conv.bias.grad, bt.grad)):
            ours = np.asarray(ours.data)
            if not np.allclose(ours, theirs.numpy(), rtol=1e-4, atol=1e-3):
                sys.exit(f"tinytorch and PyTorch disagree on {name} by up to "
                         f"{np.abs(ours - theirs.numpy()).max():.3g}")

    # Alternate blocks rather than single runs: PyTorch's OpenMP threads keep spinning for a
    # while after each call and would steal the cores from numpy's BLAS threads (and the other
    # way round). Each block starts with a few untimed runs to let the other side's threads settle.
    ours, theirs, faults = [], [], 0
    rounds = ROUNDS if torch is not None else 1
    per_round = max(1, args.repeat // rounds)
    for _ in range(rounds):
        for _ in range(WARMUP):
            tinytorch_step()
        faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        ours += [one_run_seconds(tinytorch_step) for _ in range(per_round)]
        faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
        if torch is not None:
            for _ in range(WARMUP):
                torch_step()
            theirs += [one_run_seconds(torch_step) for _ in range(per_round)]
    faults /= len(ours)

    ours_ms = statistics.median(ours) * 1e3
    print(f"Conv2D forward + backward, x {SHAPE} float32, {FILTERS} filters {KERNEL}x{KERNEL}, "
          f"stride {STRIDE}, padding {PADDING}; {len(ours)} runs each, {threads} BLAS/PyTorch thread(s)")
    print(f"  tinytorch  median {ours_ms:8.3f} ms   (page faults per run: {faults:.0f})")
    report = {"tinytorch_ms": round(ours_ms, 4), "threads": threads}
    if torch is not None:
        theirs_ms = statistics.median(theirs) * 1e3
        ratio = ours_ms / theirs_ms
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(f"  pytorch    median {theirs_ms:8.3f} ms   (torch {torch.__version__})")
        print(f"  ratio      {ratio:.2f}x PyTorch   target <= {TARGET_RATIO:g}x: {verdict}")
        report.update(pytorch_ms=round(theirs_ms, 4), ratio=round(ratio, 3), target_met=ratio <= TARGET_RATIO)
    else:
        print("  pytorch    not installed: comparison skipped (pip install torch to compare)")
    print(f"conv2d_naive forward, x {NAIVE_SHAPE}: {naive_seconds * 1e3:.1f} ms;"
          f" Conv2D forward on the same input: {small_conv * 1e3:.3f} ms"
          f" ({naive_seconds / small_conv:,.0f}x faster)")
    report.update(naive_ms=round(naive_seconds * 1e3, 2), conv2d_forward_small_ms=round(small_conv * 1e3, 4))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
