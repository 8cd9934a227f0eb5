"""Tests of the exported `tinytorch.core.benchmarking`: statistics, the harness, comparisons,
the MLPerf scenarios, the queue simulation and the reports.

Needs the package built from the module sources: `tito export benchmarking`.

Nothing here depends on how fast the machine is: timings come from a `ManualClock` that fake
functions and fake models advance by known amounts, and the statistics are checked on
synthetic samples with known answers. The latency plot is tested three ways: with a fake
matplotlib (so the drawing code runs everywhere), with matplotlib made unimportable, and
with whatever the environment has.
"""

import importlib.util
import json
import sys
import types

import numpy as np
import pytest

from tinytorch.core import benchmarking as bm
from tinytorch.core.benchmarking import (
    BenchmarkReport,
    BenchmarkResult,
    Comparison,
    ManualClock,
    ScenarioResult,
    benchmark,
    bootstrap_ci,
    compare,
    environment_info,
    find_outliers,
    format_seconds,
    max_qps,
    offline,
    percentile,
    permutation_test,
    plot_latency_distribution,
    poisson_arrivals,
    server,
    simulate_queue,
    simulate_server,
    single_stream,
    speedup_ci,
    tukey_fences,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ENV = {"python": "3.11", "numpy": "2.0"}


def two_x_samples():
    rng = np.random.default_rng(7)
    fast = rng.normal(1.0e-3, 0.05e-3, size=30)
    slow = rng.normal(2.0e-3, 0.10e-3, size=30)
    return slow, fast


def same_distribution_samples():
    return (np.random.default_rng(11).normal(1.0e-3, 0.05e-3, size=40),
            np.random.default_rng(12).normal(1.0e-3, 0.05e-3, size=40))


class LinearCostModel:
    """A fake model whose batch of b takes `fixed + per_sample * b` seconds on `clock`."""

    def __init__(self, clock, fixed=1e-3, per_sample=1e-4):
        self.clock, self.fixed, self.per_sample = clock, fixed, per_sample
        self.batch_sizes = []

    def __call__(self, batch):
        self.batch_sizes.append(len(batch))
        self.clock.advance(self.fixed + self.per_sample * len(batch))
        return np.zeros((len(batch), 10))


# ----------------------------------------------------------------------------- statistics

def test_percentiles_of_1_to_100():
    data = np.arange(100, 0, -1)  # reversed: order must not matter
    assert percentile(data, 0) == 1.0
    assert percentile(data, 25) == pytest.approx(25.75)
    assert percentile(data, 50) == pytest.approx(50.5)
    assert percentile(data, 90) == pytest.approx(90.1)
    assert percentile(data, 99) == pytest.approx(99.01)
    assert percentile(data, 100) == 100.0
    assert isinstance(percentile(data, 50), float)


def test_percentile_matches_numpy_and_checks_input():
    x = np.random.default_rng(0).exponential(size=57)
    for q in (0, 0.5, 10, 33.3, 50, 75, 90, 99, 100):
        assert percentile(x, q) == pytest.approx(np.percentile(x, q), rel=1e-12)
    assert percentile([4.0], 37) == 4.0
    assert percentile([[1, 2], [3, 4]], 50) == 2.5  # flattened
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1, 2, 3], -0.1)
    with pytest.raises(ValueError):
        percentile([1, 2, 3], 101)


def test_bootstrap_ci_is_reproducible_and_follows_the_documented_recipe():
    sample = np.random.default_rng(42).normal(10.0, 1.0, size=201)
    low, high = bootstrap_ci(sample, seed=0)
    assert low < 10.0 < high and low < np.median(sample) < high
    assert bootstrap_ci(sample, seed=0) == (low, high)
    assert bootstrap_ci(sample, seed=1) != (low, high)

    rng = np.random.default_rng(0)  # the documented algorithm, step by step
    medians = np.median(sample[rng.integers(0, 201, size=(2000, 201))], axis=1)
    assert (low, high) == pytest.approx((np.percentile(medians, 2.5), np.percentile(medians, 97.5)), rel=1e-12)

    mean_ci = bootstrap_ci(sample, statistic=np.mean, confidence=0.9, n_resamples=500, seed=3)
    assert mean_ci[0] < np.mean(sample) < mean_ci[1]
    rng = np.random.default_rng(3)
    means = np.mean(sample[rng.integers(0, 201, size=(500, 201))], axis=1)
    assert mean_ci == pytest.approx((np.percentile(means, 5), np.percentile(means, 95)), rel=1e-12)
    low50, high50 = bootstrap_ci(sample, confidence=0.5, seed=0)
    assert low < low50 < high50 < high
    assert bootstrap_ci([5.0] * 7) == (5.0, 5.0)
    with pytest.raises(ValueError):
        bootstrap_ci([])
    with pytest.raises(ValueError):
        bootstrap_ci(sample, confidence=0.0)


def test_bootstrap_intervals_narrow_with_more_data():
    rng = np.random.default_rng(1)
    population = rng.lognormal(0.0, 0.5, size=4000)
    widths = [np.subtract(*bootstrap_ci(population[:n], seed=0)[::-1]) for n in (25, 100, 400, 1600)]
    assert widths == sorted(widths, reverse=True)
    assert widths[0] / widths[-1] > 4  # roughly 1/sqrt(n): 8x for 64x the data


def test_outliers_injected_at_known_indices():
    assert tukey_fences(np.arange(1, 101)) == pytest.approx((-48.5, 149.5))
    assert tukey_fences(np.arange(1, 101), k=0) == pytest.approx((25.75, 75.25))
    clean = np.random.default_rng(5).uniform(0.9e-3, 1.1e-3, size=200)
    assert find_outliers(clean).tolist() == []
    assert find_outliers([1, 1, 1, 1, 2, 2, 2, 2, 3.5]).tolist() == []  # exactly on the upper fence
    assert find_outliers([1, 1, 1, 1, 2, 2, 2, 2, 3.6]).tolist() == [8]
    disturbed = clean.copy()
    disturbed[[0, 42, 199]] = [20e-3, 0.01e-3, 7e-3]
    found = find_outliers(disturbed)
    assert found.tolist() == [0, 42, 199]
    assert np.issubdtype(found.dtype, np.integer)


# ----------------------------------------------------------------------------- harness

def test_manual_clock_and_format_seconds():
    clock = ManualClock(start=10.0)
    assert clock() == 10.0
    clock.advance(0.5)
    assert clock() == 10.5
    with pytest.raises(ValueError):
        clock.advance(-1.0)
    assert [format_seconds(s) for s in (850e-9, 12.34e-6, 4.567e-3, 1.2345, None)] == \
        ["850 ns", "12.3 µs", "4.57 ms", "1.234 s", "–"]


def test_benchmark_excludes_warmup_and_uses_the_injected_clock():
    clock = ManualClock()
    costs = iter([1.0, 1.0] + [i * 1e-3 for i in range(1, 21)])
    seen = []

    def step(a, b):
        seen.append(a + b)
        clock.advance(next(costs))

    result = benchmark(step, 1, 2, warmup=2, repeats=20, clock=clock)
    assert seen == [3] * 22
    assert result.name == "step" and result.warmup == 2 and result.n == 20
    np.testing.assert_allclose(result.times, np.arange(1, 21) * 1e-3, atol=1e-12)
    assert result.median == pytest.approx(10.5e-3)
    assert result.p90 == pytest.approx(np.percentile(np.arange(1, 21) * 1e-3, 90))
    assert result.min == pytest.approx(1e-3) and result.max == pytest.approx(20e-3)
    assert result.std == pytest.approx(np.std(np.arange(1, 21) * 1e-3, ddof=1))
    low, high = result.ci
    assert low < result.median < high
    assert "runs=20" in repr(result) and "step" in repr(result)

    class Callable:
        def __call__(self):
            clock.advance(2e-3)

    assert benchmark(Callable(), warmup=0, repeats=3, clock=clock).name == "Callable"
    with pytest.raises(ValueError):
        benchmark(step, 1, 2, repeats=0, clock=clock)
    with pytest.raises(ValueError):
        benchmark(step, 1, 2, warmup=-1, clock=clock)


def test_benchmark_result_to_dict():
    result = BenchmarkResult("slow", [4e-3] * 19 + [40e-3], warmup=5)
    data = result.to_dict()
    assert set(data) == {"name", "runs", "warmup", "median_s", "mean_s", "std_s", "min_s", "max_s", "p50_s",
                         "p90_s", "p99_s", "ci_low_s", "ci_high_s", "confidence", "outliers", "times_s"}
    assert data["runs"] == 20 and data["warmup"] == 5 and data["outliers"] == [19]
    assert data["median_s"] == pytest.approx(4e-3) and data["p99_s"] == pytest.approx(33.16e-3)
    assert data["mean_s"] == pytest.approx(5.8e-3)
    json.dumps(data)  # JSON-ready
    with pytest.raises(ValueError):
        BenchmarkResult("empty", [])


# ----------------------------------------------------------------------------- comparisons

def test_permutation_test_decisions():
    slow, fast = two_x_samples()
    assert permutation_test(slow, fast) == pytest.approx(1 / 2001)
    assert permutation_test(slow, fast, n_permutations=199) == pytest.approx(1 / 200)
    a, b = same_distribution_samples()
    p = permutation_test(a, b, seed=0)
    assert p > 0.2 and p == permutation_test(a, b, seed=0)
    assert permutation_test(a, a) == 1.0


def test_speedup_ci():
    slow, fast = two_x_samples()
    low, high = speedup_ci(slow, fast, seed=0)
    assert 1.8 < low < np.median(slow) / np.median(fast) < high < 2.2
    rng = np.random.default_rng(0)  # the documented recipe
    base = np.median(slow[rng.integers(0, 30, size=(2000, 30))], axis=1)
    cand = np.median(fast[rng.integers(0, 30, size=(2000, 30))], axis=1)
    assert (low, high) == pytest.approx(tuple(np.percentile(base / cand, [2.5, 97.5])), rel=1e-12)
    a, b = same_distribution_samples()
    same_low, same_high = speedup_ci(a, b)
    assert same_low < 1 < same_high


def test_compare_clear_speedup():
    slow, fast = two_x_samples()
    result = compare(BenchmarkResult("old", slow), BenchmarkResult("new", fast))
    assert isinstance(result, Comparison)
    assert (result.baseline, result.candidate) == ("old", "new")
    assert result.speedup == pytest.approx(np.median(slow) / np.median(fast))
    assert result.significant is True and result.meaningful is True
    assert result.p_value == pytest.approx(1 / 2001)
    assert result.verdict == f"new is {result.speedup:.2f}x faster than old (p = 0.0005)"
    backwards = compare(BenchmarkResult("new", fast), BenchmarkResult("old", slow))
    assert backwards.speedup == pytest.approx(1 / result.speedup)
    assert backwards.verdict.startswith("old is ") and "x slower than new" in backwards.verdict


def test_compare_same_distribution_is_not_significant():
    a, b = same_distribution_samples()
    result = compare(a, b)
    assert (result.baseline, result.candidate) == ("baseline", "candidate")
    assert result.significant is False and result.meaningful is False
    assert result.ci[0] < 1 < result.ci[1]
    assert result.verdict == f"no significant difference between candidate and baseline (p = {result.p_value:.4f})"


def test_compare_significant_but_not_meaningful():
    rng = np.random.default_rng(3)
    base, cand = rng.normal(1.00e-3, 0.002e-3, size=200), rng.normal(0.99e-3, 0.002e-3, size=200)
    result = compare(base, cand)
    assert result.significant is True and result.meaningful is False
    assert result.speedup == pytest.approx(1.01, abs=0.005)
    assert result.verdict.endswith("but that is less than the 5% that matters")
    assert compare(base, cand, min_effect=0.005).meaningful is True
    assert compare(base, cand, alpha=1e-4).significant is False  # 1/2001 is not below 0.0001


def test_compare_large_but_not_significant_is_not_meaningful():
    result = compare([1.0e-3, 1.6e-3, 0.7e-3, 1.9e-3, 1.3e-3], [1.1e-3, 0.6e-3, 1.5e-3, 0.9e-3, 1.2e-3])
    assert result.speedup == pytest.approx(1.3 / 1.1)
    assert result.p_value > 0.3 and result.significant is False and result.meaningful is False


def test_compare_accepts_scenario_results():
    clock = ManualClock()
    fast = single_stream(LinearCostModel(clock, fixed=1e-3), np.zeros((30, 2)), clock=clock, name="fast")
    slow = single_stream(LinearCostModel(clock, fixed=3e-3), np.zeros((30, 2)), clock=clock, name="slow")
    result = compare(slow, fast)
    assert (result.baseline, result.candidate) == ("slow", "fast")
    assert result.speedup == pytest.approx(3.1e-3 / 1.1e-3)


# ----------------------------------------------------------------------------- scenarios

def test_single_stream_with_a_fake_model():
    clock = ManualClock()
    calls = []

    def model(batch):  # sample v costs v milliseconds
        calls.append(batch.shape)
        clock.advance(float(batch.sum()) * 1e-3)

    result = single_stream(model, np.arange(1.0, 101.0).reshape(100, 1), warmup=3, clock=clock, name="m",
                           target_p90=0.1)
    assert calls == [(1, 1)] * 103
    assert result.scenario == "single-stream" and result.name == "m"
    np.testing.assert_allclose(result.latencies, np.arange(1, 101) * 1e-3, atol=1e-12)
    assert result.metrics == pytest.approx({"samples": 100, "mean_latency_s": 0.0505, "p50_latency_s": 0.0505,
                                            "p90_latency_s": 0.0901, "p99_latency_s": 0.09901})
    assert result.meets_target is True and result.value == pytest.approx(0.0901)
    assert result.headline() == ("p90 latency", "90.10 ms")
    assert single_stream(model, np.ones((3, 1)), clock=clock, target_p90=0.5e-3).meets_target is False
    with pytest.raises(ValueError):
        single_stream(model, np.zeros((0, 1)), clock=clock)


def test_offline_with_a_fake_model():
    clock = ManualClock()
    model = LinearCostModel(clock)  # 1 ms + 0.1 ms per sample
    result = offline(model, np.zeros((100, 4)), batch_size=32, warmup=2, clock=clock, name="m")
    assert model.batch_sizes == [32, 32, 32, 32, 32, 4]
    assert result.scenario == "offline" and result.label == "offline"
    assert result.metrics == pytest.approx({"samples": 100, "batch_size": 32, "batches": 4, "elapsed_s": 0.014,
                                            "throughput_sps": 100 / 0.014})
    np.testing.assert_allclose(result.latencies, [4.2e-3, 4.2e-3, 4.2e-3, 1.4e-3])
    assert result.headline() == ("throughput", "7,143 samples/s")
    assert result.target is None and result.meets_target is None
    big = offline(LinearCostModel(clock), np.zeros((100, 4)), batch_size=100, clock=clock)
    assert big.metrics["throughput_sps"] == pytest.approx(100 / 0.011)  # one batch: 11 ms
    with pytest.raises(ValueError):
        offline(model, np.zeros((10, 4)), batch_size=0, clock=clock)


def test_poisson_arrivals():
    arrivals = poisson_arrivals(50000, 200.0, seed=0)
    assert arrivals.shape == (50000,) and np.all(np.diff(arrivals) > 0) and arrivals[0] > 0
    assert arrivals.size / arrivals[-1] == pytest.approx(200.0, rel=0.02)
    gaps = np.diff(np.concatenate([[0.0], arrivals]))
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.03)
    np.testing.assert_array_equal(arrivals, np.cumsum(np.random.default_rng(0).exponential(1 / 200.0, 50000)))
    np.testing.assert_allclose(poisson_arrivals(30, 100.0, seed=5) * 4, poisson_arrivals(30, 25.0, seed=5), rtol=1e-12)
    assert poisson_arrivals(0, 1.0).size == 0
    with pytest.raises(ValueError):
        poisson_arrivals(10, 0.0)
    with pytest.raises(ValueError):
        poisson_arrivals(-1, 10.0)


def test_simulate_queue_hand_example():
    trace = simulate_queue([0, 1, 2, 10], [3, 1, 1, 2])
    assert {k: v.tolist() for k, v in trace.items()} == {
        "start": [0, 3, 4, 10], "finish": [3, 4, 5, 12], "wait": [0, 2, 2, 0], "latency": [3, 3, 3, 2]}
    assert simulate_queue([0.0, 0.0], [2.0, 2.0])["latency"].tolist() == [2.0, 4.0]
    assert simulate_queue([], [])["latency"].size == 0
    with pytest.raises(ValueError):
        simulate_queue([0, 1], [1, 1, 1])
    with pytest.raises(ValueError):
        simulate_queue([1, 0], [1, 1])


def test_simulate_server_against_queueing_theory():
    quiet = simulate_server(np.full(1000, 1e-3), qps=1.0, target_p99=2e-3)
    assert quiet.metrics["p99_latency_s"] == pytest.approx(1e-3) and quiet.meets_target is True
    busy = simulate_server(np.full(20000, 1e-3), qps=800.0, target_p99=2e-3, seed=0, name="m")
    assert busy.metrics["utilization"] == pytest.approx(0.8)
    assert busy.metrics["mean_wait_s"] == pytest.approx(2e-3, rel=0.2)  # M/D/1: s * rho / (2 (1 - rho)) = 2 ms
    assert busy.metrics["mean_latency_s"] == pytest.approx(busy.metrics["mean_wait_s"] + 1e-3)
    assert busy.metrics["in_system"] == pytest.approx(800.0 * busy.metrics["mean_latency_s"])  # Little's law
    assert busy.meets_target is False and busy.label == "server (800 QPS)" and busy.name == "m"
    assert busy.headline()[0] == "p99 latency"
    assert simulate_server([1e-3], qps=2.5, target_p99=1.0).label == "server (2.5 QPS)"


def test_simulate_server_is_the_queue_of_the_poisson_arrivals():
    service = np.random.default_rng(2).uniform(0.5e-3, 1.5e-3, size=400)
    result = simulate_server(service, 600.0, 5e-3, seed=8)
    expected = simulate_queue(poisson_arrivals(400, 600.0, seed=8), service)["latency"]
    np.testing.assert_allclose(result.latencies, expected)
    assert result.metrics["p99_latency_s"] == pytest.approx(np.percentile(expected, 99))
    assert result.meets_target == (np.percentile(expected, 99) <= 5e-3)
    cycled = simulate_server([1e-3, 3e-3], 1.0, 1.0, n_queries=3)
    assert cycled.metrics["samples"] == 3 and cycled.metrics["mean_service_s"] == pytest.approx(5e-3 / 3)


def test_max_qps_finds_the_edge_of_the_target():
    service = np.full(2000, 1e-3)
    best = max_qps(service, 3e-3, tol=0.01)
    assert 100 < best < 1000
    assert simulate_server(service, best, 3e-3).meets_target is True
    assert simulate_server(service, best / 0.99 * (1 + 1e-9), 3e-3).meets_target is False
    loose = max_qps(service, 50e-3)
    assert best < loose < 1000  # a looser target allows more traffic, never beyond capacity
    assert max_qps(service, 0.9e-3) == 0.0
    assert max_qps([1e-3, 5e-3], 2e-3, n_queries=100) == 0.0  # p99 of the service alone is 5 ms


def test_server_measures_service_times_then_simulates():
    clock = ManualClock()
    model = LinearCostModel(clock, fixed=2e-3, per_sample=0.0)
    result = server(model, np.zeros((50, 3)), qps=100.0, target_p99=10e-3, seed=1, n_queries=500, clock=clock,
                    name="fake")
    assert model.batch_sizes == [1] * 52  # 2 warm-ups, then one query per sample
    reference = simulate_server(np.full(50, 2e-3), 100.0, 10e-3, seed=1, n_queries=500, name="fake")
    np.testing.assert_allclose(result.latencies, reference.latencies, atol=1e-12)
    assert result.scenario == "server" and result.metrics["samples"] == 500
    assert result.metrics["utilization"] == pytest.approx(0.2)


# ----------------------------------------------------------------------------- reports

def demo_report():
    fast = BenchmarkResult("fast", np.full(20, 2e-3))
    slow = BenchmarkResult("slow", [4e-3] * 19 + [40e-3])
    ss = ScenarioResult("single-stream", "fake", np.arange(1, 101) * 1e-3,
                        {"samples": 100, "p90_latency_s": 0.0901}, target=0.095, meets_target=True)
    off = ScenarioResult("offline", "fake", np.array([4.2e-3, 1.4e-3]),
                         {"samples": 100, "batch_size": 32, "throughput_sps": 100 / 0.014})
    srv = ScenarioResult("server", "fake", np.full(1000, 3e-3),
                         {"samples": 1000, "qps": 1500.0, "p99_latency_s": 3e-3}, target=5e-3, meets_target=False)
    comparison = Comparison("slow", "fast", 2.0, (1.9, 2.1), 1 / 2001, significant=True, meaningful=True)
    return BenchmarkReport("Demo", environment=ENV).add(fast, slow, ss, off, srv, comparison)


def test_markdown_report_rows():
    md = demo_report().to_markdown()
    assert md == "\n".join([
        "# Demo",
        "",
        "Environment: python 3.11, numpy 2.0",
        "",
        "## Microbenchmarks",
        "",
        "| benchmark | runs | median | 95% CI of median | p90 | p99 | outliers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| fast | 20 | 2.00 ms | 2.00 ms to 2.00 ms | 2.00 ms | 2.00 ms | 0 |",
        "| slow | 20 | 4.00 ms | 4.00 ms to 4.00 ms | 4.00 ms | 33.16 ms | 1 |",
        "",
        "## Scenarios",
        "",
        "| model | scenario | samples | metric | value | target | meets target |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
        "| fake | single-stream | 100 | p90 latency | 90.10 ms | 95.00 ms | yes |",
        "| fake | offline | 100 | throughput | 7,143 samples/s | – | – |",
        "| fake | server (1,500 QPS) | 1000 | p99 latency | 3.00 ms | 5.00 ms | no |",
        "",
        "## Comparisons",
        "",
        "| baseline | candidate | speed-up | 95% CI | p-value | verdict |",
        "| --- | --- | ---: | ---: | ---: | --- |",
        "| slow | fast | 2.00x | 1.90x to 2.10x | 0.0005 | fast is 2.00x faster than slow (p = 0.0005) |",
    ]) + "\n"


def test_markdown_leaves_out_empty_sections():
    only_comparisons = BenchmarkReport("C", environment=ENV).add(
        Comparison("a", "b", 1.0, (0.9, 1.1), 0.5)).to_markdown()
    assert "## Comparisons" in only_comparisons
    assert "## Microbenchmarks" not in only_comparisons and "## Scenarios" not in only_comparisons
    assert "no significant difference between b and a (p = 0.5000)" in only_comparisons
    assert BenchmarkReport("Empty", environment=ENV).to_markdown() == "# Empty\n\nEnvironment: python 3.11, numpy 2.0\n"


def test_json_report_contents():
    data = json.loads(demo_report().to_json())
    assert set(data) == {"title", "environment", "benchmarks", "scenarios", "comparisons"}
    assert data["title"] == "Demo" and data["environment"] == ENV
    assert [b["name"] for b in data["benchmarks"]] == ["fast", "slow"]
    assert data["benchmarks"][1]["outliers"] == [19] and data["benchmarks"][1]["p99_s"] == pytest.approx(0.03316)
    assert data["benchmarks"][0]["times_s"] == [0.002] * 20
    scenarios = data["scenarios"]
    assert [s["scenario"] for s in scenarios] == ["single-stream", "offline", "server"]
    assert set(scenarios[0]) == {"scenario", "name", "label", "target_s", "meets_target", "metrics", "latencies_s"}
    assert scenarios[1]["target_s"] is None and scenarios[1]["meets_target"] is None
    assert scenarios[2]["label"] == "server (1,500 QPS)" and scenarios[2]["metrics"]["qps"] == 1500.0
    assert len(scenarios[2]["latencies_s"]) == 1000
    comparison = data["comparisons"][0]
    assert comparison["significant"] is True and comparison["meaningful"] is True
    assert comparison["ci_low"] == 1.9 and comparison["p_value"] == pytest.approx(1 / 2001)
    assert comparison["verdict"] == "fast is 2.00x faster than slow (p = 0.0005)"


def test_report_rejects_other_objects_and_records_the_environment():
    with pytest.raises(TypeError):
        BenchmarkReport("x", environment=ENV).add(42)
    info = environment_info()
    assert {"python", "numpy", "platform", "cpus"} <= set(info)
    assert info["numpy"] == np.__version__
    assert BenchmarkReport("x").environment["python"] == info["python"]


# ----------------------------------------------------------------------------- the plot

class _FakeAxes:
    def __init__(self, log):
        self.log = log

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.log.append(name)
        return record


def fake_matplotlib(monkeypatch):
    """Install a minimal fake `matplotlib.figure.Figure` that records calls and writes a PNG header."""
    log = []

    class Figure:
        def __init__(self, *args, **kwargs):
            log.append("Figure")

        def subplots(self, rows, cols):
            return _FakeAxes(log), _FakeAxes(log)

        def suptitle(self, title):
            log.append(f"suptitle:{title}")

        def savefig(self, path, **kwargs):
            log.append("savefig")
            with open(path, "wb") as fh:
                fh.write(PNG_SIGNATURE + b"fake")

    package = types.ModuleType("matplotlib")
    figure = types.ModuleType("matplotlib.figure")
    figure.Figure = Figure
    package.figure = figure
    monkeypatch.setitem(sys.modules, "matplotlib", package)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", figure)
    return log


def hide_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib...` now raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)


def test_plot_is_drawn_when_matplotlib_is_importable(tmp_path, monkeypatch):
    log = fake_matplotlib(monkeypatch)
    paths = demo_report().save(tmp_path, stem="demo")
    assert paths["plot"] == tmp_path / "demo_latency.png"
    assert paths["plot"].read_bytes().startswith(PNG_SIGNATURE)
    assert log.count("hist") == 4 and log.count("step") == 4  # 2 benchmarks + single-stream + server, not offline
    assert log.count("axhline") == 3 and "suptitle:Demo" in log and log[-1] == "savefig"
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert markdown.startswith(demo_report().to_markdown())
    assert markdown.endswith("\n![Latency distribution](demo_latency.png)\n")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["title"] == "Demo"


def test_plot_is_skipped_with_a_message_without_matplotlib(tmp_path, monkeypatch, capsys):
    hide_matplotlib(monkeypatch)
    result = BenchmarkResult("fast", np.full(5, 1e-3))
    assert plot_latency_distribution([result], tmp_path / "p.png") is None
    assert "matplotlib is not installed" in capsys.readouterr().out
    assert not (tmp_path / "p.png").exists()

    paths = demo_report().save(tmp_path, stem="demo")
    assert paths["plot"] is None and not (tmp_path / "demo_latency.png").exists()
    assert "matplotlib is not installed" in capsys.readouterr().out
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert markdown.endswith("_No latency plot: matplotlib is not installed (`pip install matplotlib`)._\n")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["benchmarks"][0]["name"] == "fast"


def test_save_without_plot_or_without_latencies(tmp_path, monkeypatch):
    log = fake_matplotlib(monkeypatch)
    paths = demo_report().save(tmp_path / "new" / "dir", plot=False)
    assert paths["plot"] is None and paths["markdown"].read_text(encoding="utf-8") == demo_report().to_markdown()
    only_comparison = BenchmarkReport("C", environment=ENV).add(Comparison("a", "b", 1.0, (0.9, 1.1), 0.5))
    assert only_comparison.save(tmp_path)["plot"] is None  # nothing to draw, and no "not installed" note
    assert "No latency plot" not in (tmp_path / "benchmark_report.md").read_text(encoding="utf-8")
    assert log == []


def test_plot_with_the_installed_matplotlib_if_any(tmp_path):
    clock = ManualClock()
    stream = single_stream(LinearCostModel(clock), np.zeros((20, 2)), clock=clock, name="fake")
    served = simulate_server(stream.latencies, 300.0, 5e-3, n_queries=200, name="fake")
    path = plot_latency_distribution([BenchmarkResult("b", np.linspace(1e-3, 2e-3, 30)), stream, served],
                                     tmp_path / "real.png", title="real")
    if importlib.util.find_spec("matplotlib") is not None:
        assert path == tmp_path / "real.png" and path.read_bytes().startswith(PNG_SIGNATURE)
    else:
        assert path is None and not (tmp_path / "real.png").exists()


def test_public_api_is_exported():
    assert set(bm.__all__) == {
        "percentile", "bootstrap_ci", "tukey_fences", "find_outliers", "ManualClock", "format_seconds",
        "BenchmarkResult", "benchmark", "permutation_test", "speedup_ci", "Comparison", "compare", "ScenarioResult",
        "single_stream", "offline", "poisson_arrivals", "simulate_queue", "simulate_server", "max_qps", "server",
        "environment_info", "plot_latency_distribution", "BenchmarkReport"}


# --- Boundaries, dtypes and the exact recipes (issue 11) -------------------------------------


def test_percentile_returns_a_python_float_and_leaves_arrays_alone():
    timings = np.array([5.0, 1.0, 3.0])
    got = percentile(timings, 50)
    assert type(got) is float and got == 3.0
    assert timings.tolist() == [5.0, 1.0, 3.0]
    assert percentile([[4, 1], [3, 2]], 50) == 2.5


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.1, 1.5])
def test_bootstrap_confidence_must_be_strictly_between_0_and_1(confidence):
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0, 3.0], confidence=confidence)


def test_outliers_exactly_on_both_fences_are_not_flagged():
    assert find_outliers([-0.5, 1, 1, 1, 1, 2, 2, 2, 2]).size == 0      # lower fence exactly -0.5
    assert find_outliers([1, 1, 1, 1, 2, 2, 2, 2, 3.5]).size == 0       # upper fence exactly 3.5
    assert find_outliers([-0.6, 1, 1, 1, 1, 2, 2, 2, 2]).tolist() == [0]


def test_benchmark_names_a_callable_object_after_its_type():
    clock = ManualClock()

    class Model:
        def __call__(self):
            clock.advance(0.001)

    assert benchmark(Model(), warmup=0, repeats=2, clock=clock).name == "Model"


def test_permutation_test_and_speedup_ci_with_unequal_sizes_follow_the_recipe():
    data = np.random.default_rng(21)
    a, b = data.lognormal(0.0, 0.3, size=13), data.lognormal(0.15, 0.3, size=21)
    rng = np.random.default_rng(4)
    pooled, observed = np.concatenate([a, b]), abs(np.median(a) - np.median(b))
    count = sum(abs(np.median(s[:13]) - np.median(s[13:])) >= observed
                for s in (rng.permutation(pooled) for _ in range(300)))
    assert permutation_test(a, b, n_permutations=300, seed=4) == pytest.approx((count + 1) / 301, abs=1e-15)
    rng = np.random.default_rng(4)
    ratios = (np.median(a[rng.integers(0, 13, size=(500, 13))], axis=1)
              / np.median(b[rng.integers(0, 21, size=(500, 21))], axis=1))
    low, high = speedup_ci(a, b, confidence=0.8, n_resamples=500, seed=4)
    assert low == pytest.approx(np.percentile(ratios, 10), abs=1e-12)
    assert high == pytest.approx(np.percentile(ratios, 90), abs=1e-12)


def test_compare_boundaries_alpha_and_min_effect():
    rng = np.random.default_rng(7)
    fast, slow = rng.normal(1.0e-3, 0.05e-3, size=30), rng.normal(2.0e-3, 0.10e-3, size=30)
    edge = compare(slow, fast, n_resamples=19)
    assert edge.p_value == 0.05 and edge.significant is False
    exact = compare([2.1 + 0.001 * k for k in range(-10, 11)], [2.0 + 0.001 * k for k in range(-10, 11)])
    assert exact.speedup == 1.05 and exact.meaningful is True


def test_scenario_targets_are_met_when_exactly_equal():
    clock = ManualClock()

    def model(batch):
        clock.advance(float(np.sum(batch)) * 1e-3)

    samples = np.arange(1, 101, dtype=float).reshape(100, 1)
    first = single_stream(model, samples, warmup=0, clock=clock)
    clock.now = 0.0
    assert single_stream(model, samples, warmup=0, clock=clock, target_p90=first.metrics["p90_latency_s"]).meets_target
    service = np.random.default_rng(1).uniform(0.5e-3, 1.5e-3, size=300)
    p99 = simulate_server(service, 400.0, 1.0, seed=9).metrics["p99_latency_s"]
    assert simulate_server(service, 400.0, p99, seed=9).meets_target is True


def test_offline_latencies_are_an_array_and_exact_multiples_have_no_extra_batch():
    clock = ManualClock()
    result = offline(lambda batch: clock.advance(1e-3), np.zeros((96, 2)), batch_size=32, warmup=0, clock=clock)
    assert isinstance(result.latencies, np.ndarray) and result.metrics["batches"] == 3


def test_simulate_queue_keeps_floats_and_allows_negative_times():
    mixed = simulate_queue([0, 1, 1], [0.5, 0.75, 0.25])
    assert mixed["start"].tolist() == [0.0, 1.0, 1.75] and mixed["finish"].tolist() == [0.5, 1.75, 2.0]
    early = simulate_queue([-2.0, -1.5], [1.0, 1.0])
    assert early["start"].tolist() == [-2.0, -1.0]


def test_max_qps_boundaries_seed_and_n_queries():
    tick = 2.0 ** -10
    edge = max_qps(np.full(2000, tick), tick)
    assert edge > 0 and simulate_server(np.full(2000, tick), edge, tick).meets_target
    constant = np.full(2000, 1e-3)
    assert max_qps(constant, 3e-3, seed=5) != max_qps(constant, 3e-3, seed=0)
    assert max_qps([1e-3, 1e-3], 3e-3, n_queries=2000) == max_qps(constant, 3e-3)


def test_markdown_interval_is_low_to_high():
    report = BenchmarkReport("t", environment={}).add(BenchmarkResult("varied", np.arange(1, 21) * 1e-3))
    assert "| varied | 20 | 10.50 ms | 6.50 ms to 14.50 ms | 18.10 ms | 19.81 ms | 0 |" in report.to_markdown().splitlines()
