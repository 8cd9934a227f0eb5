"""Kernels: where the time goes, measured on this machine with tinytorch's own `time_kernel`.

  1. element-wise   SiLU on 200,000 float32 values: Python loop vs vectorised numpy
  2. matmul         GFLOP/s of the naive triple loop (64^3), the blocked version (512^3, several
                    tile sizes) and numpy's BLAS (512^3), against each other
  3. int8           quantized_matmul (int8 inputs, int32 accumulation) vs float32 BLAS: error, and
                    an honest time (numpy has no int8 GEMM kernel)
  4. parallel       pure-Python CPU work over 1 worker vs one worker process per core, and the same
                    with threads (the GIL); threads on numpy work that releases the GIL

Every comparison is a ratio measured in the same run. On a shared machine the absolute numbers
move from run to run; the ratios much less, and the CPU time of the calling thread (printed for
the single-threaded kernels) hardly at all: it does not count the time spent waiting for a core.
Nothing here asserts: the module's graded tests check each speed-up's direction with generous
margins, on CPU time or on counts (tile products, worker processes, CPU seconds per worker).

Needs the package exported: `tito export tensor kernels`.
Run: `python bench/kernels.py [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from tinytorch.core.kernels import (  # noqa: E402
    available_cores,
    format_seconds,
    gflops,
    matmul_blas,
    matmul_blocked,
    matmul_naive,
    parallel_map,
    quantize_int8,
    quantized_matmul,
    silu,
    silu_loop,
    time_kernel,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (a few seconds)")
    return parser.parse_args()


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def header() -> None:
    flags = cpu_flags()
    simd = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8", "asimd", "asimddp")
            if f in flags]
    print(f"machine: {platform.machine()}, {available_cores()} usable core(s) (os.cpu_count() = {os.cpu_count()}), "
          f"python {platform.python_version()}, numpy {np.__version__}")
    print(f"SIMD / int8 features: {', '.join(simd) if simd else 'unknown'}")
    blas_env = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ}
    print(f"BLAS threads: {blas_env or 'library default (usually one per core)'}")
    print()


def thread_cpu(fn, tries: int = 5, min_time: float = 0.005) -> float:
    """The best CPU time per call of fn() on this thread: what other programs on the machine cannot inflate."""
    best = float("inf")
    for _ in range(tries):
        calls, start = 0, time.thread_time()
        while True:
            fn()
            calls += 1
            elapsed = time.thread_time() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best


def busy(n: int) -> int:
    """Pure-Python CPU work: holds the GIL the whole time."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def bench_elementwise(quick: bool) -> None:
    n = 50_000 if quick else 200_000
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    loop = time_kernel(silu_loop, x, repeats=3 if quick else 5)
    vec = time_kernel(silu, x, repeats=5 if quick else 9)
    print(f"1. SiLU on {n:,} float32 values")
    print(f"   loop        {loop}   ({loop.median / n * 1e9:.0f} ns per element)")
    print(f"   vectorised  {vec}   ({vec.median / n * 1e9:.2f} ns per element)")
    print(f"   vectorised vs loop speed-up: {loop.median / vec.median:.0f}x (median), "
          f"{loop.min / vec.min:.0f}x (min), "
          f"{thread_cpu(lambda: silu_loop(x)) / thread_cpu(lambda: silu(x)):.0f}x (CPU time of this thread)")
    print()


def bench_matmul(quick: bool) -> None:
    rng = np.random.default_rng(1)
    n_naive = 48 if quick else 64
    n = 256 if quick else 512
    small = rng.standard_normal((n_naive, n_naive)).astype(np.float32)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    repeats = 5 if quick else 9
    naive = time_kernel(matmul_naive, small, small, repeats=3, min_sample_time=0)
    naive_g = gflops(n_naive, n_naive, n_naive, naive.min)
    blas = time_kernel(matmul_blas, a, b, repeats=repeats)
    blas_g = gflops(n, n, n, blas.min)
    print("2. matmul, float32, GFLOP/s = 2·n·m·k / time of the best sample (median in brackets)")
    print(f"   naive   {n_naive}^3         {naive_g:10.4f} GFLOP/s  ({gflops(n_naive, n_naive, n_naive, naive.median):.4f})")
    best_block, best_g = None, 0.0
    for block in ((32, 64, 128) if quick else (16, 32, 64, 128, 256)):
        timing = time_kernel(matmul_blocked, a, b, block, repeats=repeats)
        g = gflops(n, n, n, timing.min)
        tiles = -(-n // block) ** 3
        print(f"   blocked {n}^3, T={block:<4d} {g:10.2f} GFLOP/s  ({gflops(n, n, n, timing.median):6.2f})  "
              f"{tiles:>6,} tile products, {g / blas_g:4.0%} of BLAS, {g / naive_g:>7,.0f}x naive")
        if g > best_g:
            best_block, best_g = block, g
    print(f"   BLAS    {n}^3         {blas_g:10.2f} GFLOP/s  ({gflops(n, n, n, blas.median):6.2f})  "
          f"{blas_g / naive_g:,.0f}x naive")
    print(f"   best blocked (T={best_block}) reaches {best_g / blas_g:.0%} of BLAS; "
          f"BLAS is {blas_g / naive_g:,.0f}x the Python loop")
    naive_cpu = gflops(n_naive, n_naive, n_naive, thread_cpu(lambda: matmul_naive(small, small), tries=3))
    blocked_cpu = gflops(n, n, n, thread_cpu(lambda: matmul_blocked(a, b, 32), tries=3))
    print(f"   CPU time of this thread (single-threaded: T=32 tiles are too small for BLAS threads): "
          f"naive {naive_cpu:.4f}, blocked T=32 {blocked_cpu:.2f} GFLOP/s ({blocked_cpu / naive_cpu:,.0f}x)")
    print("   (a multi-threaded BLAS call is as slow as its slowest thread: when another program holds a")
    print("   core, the median can be far below the best sample)")
    print()


def bench_int8(quick: bool) -> None:
    rng = np.random.default_rng(2)
    n = 256 if quick else 512
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    exact = a.astype(np.float64) @ b.astype(np.float64)
    approx = quantized_matmul(a, b)
    rel = np.linalg.norm(approx - exact) / np.linalg.norm(exact)
    qa, _ = quantize_int8(a)
    qb, _ = quantize_int8(b)
    f32 = time_kernel(matmul_blas, a, b, repeats=7)
    q = time_kernel(quantized_matmul, a, b, repeats=3, min_sample_time=0)
    print(f"3. int8 matmul {n}^3 (symmetric per-tensor scales, int32 accumulation)")
    print(f"   relative error vs float64: {rel:.2%};  float32 result vs float64: "
          f"{np.linalg.norm(a @ b - exact) / np.linalg.norm(exact):.1e}")
    print(f"   memory: float32 {(a.nbytes + b.nbytes) / 1e6:.2f} MB -> int8 {(qa.nbytes + qb.nbytes) / 1e6:.2f} MB")
    print(f"   time (best sample): float32 BLAS {format_seconds(f32.min)}, quantized_matmul {format_seconds(q.min)} "
          f"({q.min / f32.min:.0f}x slower:")
    print("           numpy's integer @ is a plain C loop, not an int8 GEMM kernel;")
    print("           the int8 speed-up needs VNNI / SDOT / tensor-core kernels such as oneDNN or FBGEMM)")
    print()


def bench_parallel(quick: bool) -> None:
    cores = available_cores()
    per_worker = 0.25 if quick else 0.6
    probe = 50_000
    start = time.perf_counter()
    busy(probe)
    per_item = max(1000, int(probe * (per_worker / 4) / (time.perf_counter() - start)))
    items = [per_item] * (4 * cores)

    def wall(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    def traced(n: int):
        cpu = time.process_time()
        busy(n)
        return os.getpid(), time.process_time() - cpu

    cpu_start = time.thread_time()
    runs = parallel_map(traced, items, workers=cores)
    parent_cpu = time.thread_time() - cpu_start
    per_worker: dict[int, float] = {}
    for pid, cpu in runs:
        per_worker[pid] = per_worker.get(pid, 0.0) + cpu

    tries = 1 if quick else 3
    serial = min(wall(lambda: parallel_map(busy, items, workers=1)) for _ in range(tries))
    procs = min(wall(lambda: parallel_map(busy, items, workers=cores)) for _ in range(tries))
    threads = min(wall(lambda: parallel_map(busy, items, workers=cores, backend="thread")) for _ in range(tries))
    print(f"4. parallel_map, {len(items)} items of pure-Python work (~{serial / cores:.2f} s per worker), "
          f"{cores} core(s)")
    print(f"   1 worker               {serial:6.2f} s")
    print(f"   {cores} processes            {procs:6.2f} s   speed-up {serial / procs:.2f}x (ideal {cores}x)")
    print(f"   {cores} threads              {threads:6.2f} s   speed-up {serial / threads:.2f}x (the GIL: one thread "
          "runs Python at a time)")
    print(f"   CPU time: {sum(per_worker.values()):.2f} s in {len(per_worker)} worker process(es) "
          f"({', '.join(f'{c:.2f}' for c in per_worker.values())} s), {parent_cpu * 1e3:.1f} ms in this one")
    if cores > 1 and serial / procs > 1:
        s = serial / procs
        print(f"   Amdahl: {s:.2f}x on {cores} workers -> ~{(1 - 1 / s) / (1 - 1 / cores):.0%} of the time ran in parallel")

    arrays = [np.random.default_rng(i).standard_normal(1_000_000 if not quick else 300_000) for i in range(4 * cores)]
    np_serial = min(wall(lambda: parallel_map(np.sort, arrays, workers=1)) for _ in range(tries))
    np_threads = min(wall(lambda: parallel_map(np.sort, arrays, workers=cores, backend="thread")) for _ in range(tries))
    print(f"   np.sort of {len(arrays)} arrays, {cores} threads: {np_serial / np_threads:.2f}x "
          f"(numpy releases the GIL inside the sort: threads can reach up to {cores}x on idle cores)")
    print()


def main() -> None:
    args = parse_args()
    header()
    bench_elementwise(args.quick)
    bench_matmul(args.quick)
    bench_int8(args.quick)
    bench_parallel(args.quick)


if __name__ == "__main__":
    main()
