"""Tests of the exported `tinytorch.core.kernels`: the timer, SiLU, three matmuls, int8, parallel_map.

Needs the package built from the module sources: `tito export tensor kernels`.

Every kernel is checked against numpy (or an exact integer reference) on many shapes, including
sizes that are not multiples of the block size. `time_kernel` is checked on a fake clock, so its
statistics are exact. There are no timing assertions here: speed-ups are measured by the module's
graded tests (as ratios, with margins) and reported by `bench/kernels.py`.
"""

import math
import os
import time
import warnings

import numpy as np
import pytest

import tinytorch.core.kernels as kernels
from tinytorch.core.kernels import (
    INT8_MAX,
    ForkedTask,
    KernelTiming,
    RemoteTraceback,
    available_cores,
    format_seconds,
    gflops,
    matmul_blas,
    matmul_blocked,
    matmul_int8,
    matmul_naive,
    parallel_map,
    quantize_int8,
    quantized_matmul,
    silu,
    silu_loop,
    split_evenly,
    time_kernel,
)
from tinytorch.core.tensor import Tensor


# --------------------------------------------------------------------------- time_kernel


class FakeClock:
    """Integer nanoseconds that advance only when the fake kernel says so."""

    def __init__(self):
        self.now = 0
        self.reads = 0

    def __call__(self):
        self.reads += 1
        return self.now


def fake_kernel(clock, durations_s):
    """fn whose i-th call lasts durations_s[i] seconds (the last value repeats); calls are recorded."""
    calls = []

    def fn(*args):
        calls.append(args)
        clock.now += int(round(durations_s[min(len(calls) - 1, len(durations_s) - 1)] * 1e9))
    return fn, calls


def test_time_kernel_statistics_on_a_fake_clock():
    clock = FakeClock()
    fn, calls = fake_kernel(clock, [9.0, 0.004, 0.001, 0.002, 0.010, 0.003])
    timing = time_kernel(fn, 1, "x", warmup=1, repeats=5, number=1, clock=clock)
    assert len(calls) == 6 and all(c == (1, "x") for c in calls)
    assert timing.times == pytest.approx([0.004, 0.001, 0.002, 0.010, 0.003])
    assert timing.number == 1
    assert timing.median == pytest.approx(0.003)
    assert timing.min == pytest.approx(0.001)
    assert timing.mean == pytest.approx(0.004)
    assert timing.stdev == pytest.approx(np.std([0.004, 0.001, 0.002, 0.010, 0.003], ddof=1))
    assert clock.reads == 10  # two per sample, none for the warm-up


def test_time_kernel_divides_each_sample_by_number():
    clock = FakeClock()
    fn, calls = fake_kernel(clock, [0.001] * 3 + [0.002] * 3)
    timing = time_kernel(fn, warmup=0, repeats=2, number=3, clock=clock)
    assert len(calls) == 6
    assert timing.times == pytest.approx([0.001, 0.002])


@pytest.mark.parametrize("per_call, min_time, expected", [
    (0.001, 0.010, 16),     # 1, 2, 4, 8 ms are short; 16 ms is enough
    (0.001, 0.008, 8),      # exactly min_sample_time is enough
    (0.050, 0.010, 1),      # one call is already long enough
    (0.0003, 0.010, 64),    # 64 * 0.3 ms = 19.2 ms; 32 * 0.3 ms = 9.6 ms is short
])
def test_time_kernel_calibration_doubles_until_a_sample_is_long_enough(per_call, min_time, expected):
    clock = FakeClock()
    fn, _ = fake_kernel(clock, [per_call])
    timing = time_kernel(fn, warmup=0, repeats=3, min_sample_time=min_time, clock=clock)
    assert timing.number == expected
    assert timing.times == pytest.approx([per_call] * 3)


def test_time_kernel_calibration_stops_at_the_cap(monkeypatch):
    monkeypatch.setattr(kernels, "MAX_CALLS_PER_SAMPLE", 8)
    clock = FakeClock()
    fn, _ = fake_kernel(clock, [0.0])    # a clock that never moves: calibration must still end
    timing = time_kernel(fn, warmup=0, repeats=2, clock=clock)
    assert timing.number == 8
    assert timing.times == [0.0, 0.0]


def test_time_kernel_on_the_real_clock():
    timing = time_kernel(time.sleep, 0.001, warmup=0, repeats=3, number=1)
    assert len(timing.times) == 3 and timing.min >= 0.0009
    timing = time_kernel(sum, range(50), repeats=2, min_sample_time=0.002)
    assert timing.number >= 2 and len(timing.times) == 2 and timing.median > 0
    assert "samples x" in str(timing)


@pytest.mark.parametrize("kwargs", [{"repeats": 0}, {"warmup": -1}, {"number": 0}])
def test_time_kernel_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        time_kernel(abs, 1, **kwargs)


def test_kernel_timing_and_format_seconds():
    timing = KernelTiming(times=[3e-3, 1e-3, 2e-3], number=7)
    assert (timing.median, timing.min, timing.mean) == (2e-3, 1e-3, pytest.approx(2e-3))
    assert KernelTiming(times=[5.0]).stdev == 0.0
    assert "7 calls" in str(timing) and "ms" in str(timing)
    assert format_seconds(2.5) == "2.5 s"
    assert format_seconds(0.0456) == "45.6 ms"
    assert format_seconds(3.2e-6) == "3.2 µs"
    assert format_seconds(5e-8) == "50 ns"


def test_available_cores():
    cores = available_cores()
    assert isinstance(cores, int) and 1 <= cores <= (os.cpu_count() or cores)


# --------------------------------------------------------------------------- SiLU


def reference_silu(x):
    """x * sigmoid(x) in float64, with sigmoid(x) = exp(-log(1 + exp(-x))) by logaddexp (never overflows)."""
    x = np.asarray(x, dtype=np.float64)
    return x * np.exp(-np.logaddexp(0.0, -x))


@pytest.mark.parametrize("fn", [silu_loop, silu], ids=["loop", "vectorised"])
def test_silu_matches_the_reference(fn):
    rng = np.random.default_rng(0)
    for shape in [(0,), (1,), (7,), (3, 5), (2, 3, 4)]:
        x = rng.standard_normal(shape) * 6
        got = fn(x)
        assert got.shape == x.shape and got.dtype == np.float64
        np.testing.assert_allclose(got, reference_silu(x), rtol=1e-12, atol=1e-300)
    x32 = (rng.standard_normal((4, 6)) * 6).astype(np.float32)
    got = fn(x32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, reference_silu(x32), rtol=2e-6, atol=1e-7)
    assert fn(np.array([1, -2, 0])).dtype == np.float64
    np.testing.assert_allclose(fn(Tensor([[0.5, -0.5]])), reference_silu([[0.5, -0.5]]), rtol=1e-6)


@pytest.mark.parametrize("fn", [silu_loop, silu], ids=["loop", "vectorised"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_silu_is_stable_at_extremes(fn, dtype):
    x = np.array([-1e4, -1000, -100, -88, 88, 100, 1000, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fn(x)
    assert np.all(np.isfinite(got))
    assert np.all(np.abs(got[:4]) < 1e-30)
    np.testing.assert_array_equal(got[4:], x[4:])


def test_silu_loop_and_vectorised_agree():
    x = np.linspace(-50, 50, 2001)
    np.testing.assert_allclose(silu_loop(x), silu(x), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("fn", [silu_loop, silu], ids=["loop", "vectorised"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_silu_does_not_change_its_input(fn, dtype):
    x = np.linspace(-8, 8, 17, dtype=dtype).reshape(1, 17)
    fn(x)
    np.testing.assert_array_equal(x, np.linspace(-8, 8, 17, dtype=dtype).reshape(1, 17))


# --------------------------------------------------------------------------- matmul


SHAPES = [((1, 1), (1, 1)), ((2, 3), (3, 4)), ((5, 7), (7, 3)), ((17, 1), (1, 9)), ((1, 31), (31, 1)),
          ((33, 20), (20, 65)), ((64, 64), (64, 64)), ((65, 63), (63, 66))]


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
def test_matmul_naive_matches_numpy(shape_a, shape_b):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    got = matmul_naive(a, b)
    assert got.shape == (shape_a[0], shape_b[1]) and got.dtype == np.float64
    np.testing.assert_allclose(got, a @ b, rtol=1e-10, atol=1e-10)


BLOCKED_CASES = [(shape_a, shape_b, block)
                 for shape_a, shape_b in SHAPES + [((150, 70), (70, 129)), ((200, 3), (3, 200))]
                 for block in [1, 3, 16, 32, 64, 1000]
                 if block > 1 or shape_a[0] * shape_a[1] * shape_b[1] <= 20_000]   # 1x1 tiles: small only


@pytest.mark.parametrize("shape_a, shape_b, block", BLOCKED_CASES)
def test_matmul_blocked_matches_numpy(shape_a, shape_b, block):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    got = matmul_blocked(a, b, block=block)
    assert got.shape == (shape_a[0], shape_b[1])
    np.testing.assert_allclose(got, a @ b, rtol=1e-10, atol=1e-10)


def test_matmuls_keep_dtypes_and_are_exact_on_integers():
    rng = np.random.default_rng(3)
    a = rng.integers(-9, 9, size=(23, 41))
    b = rng.integers(-9, 9, size=(41, 19))
    for fn in (matmul_naive, lambda x, y: matmul_blocked(x, y, block=8), matmul_blas):
        got = fn(a, b)
        assert np.issubdtype(got.dtype, np.integer)
        np.testing.assert_array_equal(got, a @ b)
    a32 = rng.standard_normal((40, 30)).astype(np.float32)
    assert matmul_naive(a32, a32.T).dtype == np.float32
    assert matmul_blocked(a32, a32.T, block=16).dtype == np.float32
    np.testing.assert_allclose(matmul_blocked(a32, a32.T, block=16), a32 @ a32.T, rtol=1e-5, atol=1e-5)


def test_matmuls_accept_tensors_and_empty_inner_dimensions():
    for fn in (matmul_naive, matmul_blocked, matmul_blas):
        np.testing.assert_allclose(fn(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])), [[11.0]])
        np.testing.assert_array_equal(fn(np.zeros((2, 0)), np.zeros((0, 3))), np.zeros((2, 3)))


@pytest.mark.parametrize("fn", [matmul_naive, matmul_blocked, matmul_blas])
def test_matmul_shape_errors_name_both_shapes(fn):
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 3\)"):
        fn(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError):
        fn(np.ones(3), np.ones((3, 1)))


@pytest.mark.parametrize("block", [0, -4, 2.0, True])
def test_matmul_blocked_rejects_bad_blocks(block):
    with pytest.raises(ValueError):
        matmul_blocked(np.ones((2, 2)), np.ones((2, 2)), block=block)


class ProductLog(np.ndarray):
    """An ndarray that records the operand shapes of every matrix product (@, np.matmul, np.dot) it is in."""

    shapes: list = []

    @staticmethod
    def _plain(values):
        return tuple(np.asarray(v) if isinstance(v, np.ndarray) else v for v in values)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = self._plain(inputs)
        if ufunc is np.matmul:
            ProductLog.shapes.append(tuple(np.shape(v) for v in inputs))
        if "out" in kwargs:
            kwargs["out"] = self._plain(kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        args = self._plain(args)
        if func is np.dot:
            ProductLog.shapes.append(tuple(np.shape(v) for v in args[:2]))
        return func(*args, **kwargs)


@pytest.mark.parametrize("shape_a, shape_b, block", [((70, 45), (45, 33), 16), ((5, 7), (7, 3), 2),
                                                     ((64, 64), (64, 64), 64), ((10, 10), (10, 10), 64)])
def test_matmul_blocked_does_one_numpy_product_per_tile(shape_a, shape_b, block):
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    ProductLog.shapes = []
    got = matmul_blocked(a.view(ProductLog), b.view(ProductLog), block=block)
    np.testing.assert_allclose(np.asarray(got), a @ b, rtol=1e-10, atol=1e-10)
    n, k, m = shape_a[0], shape_a[1], shape_b[1]
    tiles = -(-n // block) * -(-m // block) * -(-k // block)
    assert len(ProductLog.shapes) == tiles
    assert all(max(sa + sb) <= block and sa[1] == sb[0] for sa, sb in ProductLog.shapes)
    assert sum(sa[0] * sa[1] * sb[1] for sa, sb in ProductLog.shapes) == n * k * m


def test_gflops():
    assert gflops(512, 512, 512, 0.01) == pytest.approx(26.8435456)
    assert gflops(1000, 1000, 1000, 2.0) == pytest.approx(1.0)
    assert gflops(10, 20, 30, 1e-6) == pytest.approx(2 * 10 * 20 * 30 / 1e-6 / 1e9)
    with pytest.raises(ValueError):
        gflops(1, 1, 1, 0.0)


# --------------------------------------------------------------------------- int8


def test_quantize_int8_properties():
    rng = np.random.default_rng(4)
    for scale_of_data in (1e-3, 1.0, 250.0):
        x = rng.standard_normal((31, 17)) * scale_of_data
        q, scale = quantize_int8(x)
        assert q.dtype == np.int8 and q.shape == x.shape
        assert scale == pytest.approx(np.abs(x).max() / INT8_MAX)
        assert np.abs(q.astype(int)).max() == INT8_MAX and q.min() >= -INT8_MAX
        assert np.abs(q * scale - x).max() <= scale / 2 * (1 + 1e-9)
        np.testing.assert_array_equal(q, np.round(x / scale).astype(np.int8))


def test_quantize_int8_edge_cases():
    q, scale = quantize_int8(np.zeros(5))
    assert scale == 1.0 and q.dtype == np.int8 and not q.any()
    q, scale = quantize_int8(np.zeros((0, 3)))
    assert q.shape == (0, 3) and scale > 0
    q, scale = quantize_int8(np.array([-2.0, 0.0, 0.3, 1.1, 2.0]))
    assert q.tolist() == [-127, 0, 19, 70, 127]
    q, _ = quantize_int8(np.array([3, -6]))           # integers are quantised too
    assert q.tolist() == [64, -127]
    q, scale = quantize_int8(np.array([-1.0, 0.25], dtype=np.float32))
    assert isinstance(scale, float) and scale == 1.0 / 127          # computed in float64
    q, _ = quantize_int8([[0.5, -1.0, 0.25]])                        # a list
    assert q.tolist() == [[64, -127, 32]]
    x = np.array([[3.0, -1.5], [0.7, 2.2]])
    quantize_int8(x)
    np.testing.assert_array_equal(x, [[3.0, -1.5], [0.7, 2.2]])     # the input is not modified


def test_matmul_int8_is_exact_and_accumulates_in_int32():
    rng = np.random.default_rng(5)
    for n, k, m in [(1, 1, 1), (3, 4, 5), (16, 300, 9), (33, 1000, 7)]:
        qa = rng.integers(-127, 128, size=(n, k)).astype(np.int8)
        qb = rng.integers(-127, 128, size=(k, m)).astype(np.int8)
        got = matmul_int8(qa, qb)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, qa.astype(np.int64) @ qb.astype(np.int64))


@pytest.mark.parametrize("k", [3, 1000, 133_144])
def test_matmul_int8_worst_case_does_not_overflow(k):
    row = np.full((1, k), 127, dtype=np.int8)
    assert int(matmul_int8(row, row.T)[0, 0]) == k * 127 * 127
    neg = np.full((k, 1), -127, dtype=np.int8)
    assert int(matmul_int8(row, neg)[0, 0]) == -k * 127 * 127


def test_narrow_accumulators_would_overflow():
    """Why int32: numpy's own int8 / int16 products wrap around after 1 / 3 worst-case terms."""
    row = np.full((1, 3), 127, dtype=np.int8)
    assert int((row @ row.T)[0, 0]) != 3 * 127 * 127
    assert int((row.astype(np.int16) @ row.T.astype(np.int16))[0, 0]) == 3 * 127 * 127 - 2 ** 16
    assert int(matmul_int8(row, row.T)[0, 0]) == 3 * 127 * 127


def test_matmul_int8_checks_its_inputs():
    with pytest.raises(TypeError):
        matmul_int8(np.ones((2, 2)), np.ones((2, 2), dtype=np.int8))
    with pytest.raises(TypeError):
        matmul_int8(np.ones((2, 2), dtype=np.int8), np.ones((2, 2), dtype=np.int16))
    with pytest.raises(ValueError):
        matmul_int8(np.ones((2, 3), dtype=np.int8), np.ones((2, 3), dtype=np.int8))


@pytest.mark.parametrize("n, k, m", [(8, 16, 4), (64, 128, 32), (100, 257, 3)])
def test_quantized_matmul_within_the_error_bound(n, k, m):
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((n, k)), rng.standard_normal((k, m)) * 0.1
    c = quantized_matmul(a, b)
    assert c.dtype == np.float32 and c.shape == (n, m)
    _, sa = quantize_int8(a)
    _, sb = quantize_int8(b)
    bound = (np.abs(a).sum(1, keepdims=True) * sb / 2 + np.abs(b).sum(0, keepdims=True) * sa / 2 + k * sa * sb / 4)
    error = np.abs(c.astype(np.float64) - a @ b)
    assert np.all(error <= bound * (1 + 1e-5) + 1e-6)
    assert np.linalg.norm(c - a @ b) / np.linalg.norm(a @ b) < 0.03


def test_quantized_matmul_is_the_int8_computation():
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((20, 30)), rng.standard_normal((30, 10))
    qa, sa = quantize_int8(a)
    qb, sb = quantize_int8(b)
    expected = (qa.astype(np.int64) @ qb.astype(np.int64)) * (sa * sb)
    np.testing.assert_allclose(quantized_matmul(a, b), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(quantized_matmul(np.eye(4) * 3, np.eye(4)), np.eye(4) * 3, rtol=1e-6)


# --------------------------------------------------------------------------- parallel_map


@pytest.mark.parametrize("n", range(0, 25))
@pytest.mark.parametrize("parts", [1, 2, 3, 4, 7, 30])
def test_split_evenly_properties(n, parts):
    chunks = split_evenly(n, parts)
    assert len(chunks) == min(n, parts)
    assert [i for start, stop in chunks for i in range(start, stop)] == list(range(n))
    sizes = [stop - start for start, stop in chunks]
    assert all(s >= 1 for s in sizes) and (not sizes or max(sizes) - min(sizes) <= 1)
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("parts", [0, -1, 1.5, True])
def test_split_evenly_rejects_bad_parts(parts):
    with pytest.raises(ValueError):
        split_evenly(4, parts)


def square(x):
    return x * x


@pytest.mark.parametrize("backend", ["process", "thread"])
@pytest.mark.parametrize("workers", [None, 1, 2, 3, 8])
def test_parallel_map_preserves_order_and_results(backend, workers):
    items = list(range(-7, 13))
    assert parallel_map(square, items, workers=workers, backend=backend) == [x * x for x in items]
    assert parallel_map(square, iter(items), workers=workers, backend=backend) == [x * x for x in items]
    assert parallel_map(square, [], workers=workers, backend=backend) == []
    assert parallel_map(square, [4], workers=workers, backend=backend) == [16]


def test_parallel_map_sends_arrays_and_closures():
    arrays = [np.full((3, 3), i, dtype=np.float32) for i in range(5)]
    scale = 2.0
    out = parallel_map(lambda a: a * scale, arrays, workers=2)
    assert all(isinstance(o, np.ndarray) and o.dtype == np.float32 for o in out)
    assert [float(o[0, 0]) for o in out] == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_process_backend_runs_chunks_in_other_processes():
    parent = os.getpid()
    pids = parallel_map(lambda _: os.getpid(), range(9), workers=3)
    assert parent not in pids
    assert pids[0:3] == [pids[0]] * 3 and pids[3:6] == [pids[3]] * 3 and pids[6:] == [pids[6]] * 3
    assert len(set(pids)) == 3
    assert set(parallel_map(lambda _: os.getpid(), range(4), workers=2, backend="thread")) == {parent}
    assert parallel_map(lambda _: os.getpid(), ["one item"], workers=4) == [parent]   # not worth a worker


def test_process_backend_spends_the_cpu_time_in_its_workers():
    """The structure of a parallel speed-up, true on a busy machine too: no timing assertion."""
    def traced(n):
        start, cpu = time.time(), time.process_time()
        total = sum(i * i % 7 for i in range(n))
        return os.getpid(), start, time.time(), time.process_time() - cpu, total
    cpu_start = time.thread_time()
    runs = parallel_map(traced, [300_000] * 6, workers=3)
    parent_cpu = time.thread_time() - cpu_start
    pids = [run[0] for run in runs]
    assert len(set(pids)) == 3 and os.getpid() not in pids
    per_worker = [[run for run in runs if run[0] == pid] for pid in dict.fromkeys(pids)]
    cpu = [sum(run[3] for run in worker) for worker in per_worker]
    assert parent_cpu < 0.25 * sum(cpu) and max(cpu) < 0.6 * sum(cpu)
    assert max(min(run[1] for run in worker) for worker in per_worker) < min(max(run[2] for run in worker)
                                                                              for worker in per_worker)


@pytest.mark.parametrize("backend", ["process", "thread"])
def test_workers_run_concurrently(backend):
    def nap(_):
        start = time.time()
        time.sleep(0.15)
        return start, time.time()
    (s0, e0), (s1, e1) = parallel_map(nap, range(2), workers=2, backend=backend)
    assert s1 < e0 and s0 < e1  # the two intervals overlap (no speed claim: sleeping costs no CPU)


def test_worker_exceptions_reach_the_caller():
    def picky(v):
        if v == 5:
            raise KeyError("five")
        return v
    with pytest.raises(KeyError, match="five") as info:
        parallel_map(picky, range(8), workers=2)
    assert isinstance(info.value.__cause__, RemoteTraceback)
    assert "picky" in str(info.value.__cause__)       # the worker's traceback travels along
    with pytest.raises(KeyError):
        parallel_map(picky, range(8), workers=2, backend="thread")


def test_results_that_cannot_be_pickled_are_a_clear_error():
    with pytest.raises(RuntimeError, match="could not send its results back"):
        parallel_map(lambda v: (lambda: v), range(4), workers=2)


def test_a_worker_that_dies_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"died \(exit code 3\)"):
        parallel_map(lambda v: os._exit(3) if v == 1 else v, range(4), workers=2)


def test_forked_task_result_can_be_read_twice():
    task = ForkedTask(square, [1, 2, 3])
    assert task.result() == [1, 4, 9]
    assert task.result() == [1, 4, 9]


@pytest.mark.parametrize("kwargs", [{"workers": 0}, {"workers": -2}, {"workers": 1.5}, {"backend": "gpu"}])
def test_parallel_map_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        parallel_map(square, [1, 2, 3], **kwargs)
