# %% [markdown]
# # Benchmarking
#
# Two questions come up every time someone changes a model or the code that runs it:
#
# 1. **"Is the new version faster?"** — a question about *two distributions* of timings.
# 2. **"Can it serve our users?"** — a question about *latency under load*: how long does
#    the slowest 1% of requests wait when queries arrive at random, 500 per second?
#
# Both are easy to answer badly. Time a function once, and you have measured the
# operating system's mood as much as your code. Compare two averages, and a single
# garbage-collection pause decides which version "wins". Report the throughput of big
# batches, and you have said nothing about the user who waits for one answer.
#
# In this module you build a small but honest benchmarking toolkit, the statistics of
# `pytest-benchmark` and `torch.utils.benchmark` and the load scenarios of MLPerf
# Inference, and use it on the networks of the earlier modules:
#
# ```
#   fn, model ──▶ harness ─────────▶ timings ──▶ statistics ───────────▶ report
#                 warm-up, repeats   (seconds)   median, p50/p90/p99      Markdown
#                 injectable clock               bootstrap CI, outliers   JSON
#                                                two-sample comparison    latency plot
#
#   model ──────▶ MLPerf scenarios
#                 single-stream: one query at a time       ──▶ p90 latency
#                 offline:       everything, big batches    ──▶ throughput (samples/s)
#                 server:        Poisson arrivals, a queue  ──▶ p99 latency, max QPS
# ```
#
# ### What you will build
# - **`percentile`**, and with it the median and the tail (p90, p99)
# - **`bootstrap_ci`**: how uncertain is a median measured from 30 runs?
# - **`tukey_fences` / `find_outliers`**: which runs were disturbed?
# - **`benchmark`**: warm-up and repeats with an injectable clock, into a `BenchmarkResult`
# - **`permutation_test`, `speedup_ci`, `compare`**: is a speed-up real, and does it matter?
# - **`single_stream`, `offline`**: two MLPerf scenarios, measured
# - **`poisson_arrivals`, `simulate_queue`, `simulate_server`, `max_qps`**: the server
#   scenario, simulated from measured service times
# - **`BenchmarkReport.to_markdown` / `to_json`**: a report another person can check

# %% nbgrader={"grade": false, "grade_id": "benchmarking-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.benchmarking
#| export
import json
import math
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/12_benchmarking/benchmarking_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.benchmarking`
#
# ```python
# # Final package structure:
# from tinytorch.core.benchmarking import benchmark, compare, single_stream, offline, server, BenchmarkReport
#
# fast = benchmark(new_forward, batch, warmup=5, repeats=50)
# slow = benchmark(old_forward, batch, warmup=5, repeats=50)
# print(compare(slow, fast).verdict)   # "new_forward is 1.84x faster than old_forward (p = 0.0005)"
# ```
#
# **Why this matters:**
# - **Learning:** every later optimisation (compression, kernels, caching) has to prove
#   itself with these tools
# - **Production:** mirrors `torch.utils.benchmark` (warm-up, repeats, medians and
#   interquartile ranges), `pytest-benchmark`'s comparisons, and MLPerf Inference's
#   LoadGen scenarios
# - **Consistency:** one harness and one report format, so numbers from different people
#   and machines can be put side by side
#
# The library needs only numpy and the standard library. `matplotlib` is optional: with it
# the report includes a latency plot, without it you get the same report minus the picture.
#
# The cell below imports the models of earlier modules. They are used only for the
# demonstrations and the final benchmark, and are not part of the exported library.

# %% nbgrader={"grade": false, "grade_id": "benchmarking-models", "locked": true, "schema_version": 3, "solution": false}
from tinytorch.core.tensor import Tensor
from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Dense
from tinytorch.core.networks import Sequential, create_mlp
from tinytorch.core.cnn import Conv2D, Flatten, MaxPool2D
from tinytorch.core.dataloader import load_digits

# %% [markdown]
# ## Why One Timing Is Meaningless
#
# Run the same forward pass twice and you get two different times. Not slightly different:
# on a laptop the slowest of 200 identical calls often takes ten times as long as the
# fastest. Everything between your code and the silicon adds its own noise:
#
# | source                 | what happens                                                                 | effect on a timing          |
# | ---------------------- | ---------------------------------------------------------------------------- | --------------------------- |
# | **warm-up**            | the first calls allocate memory (page faults), fill caches and branch predictors, start BLAS thread pools; frameworks compile kernels (`torch.compile`, JAX `jit`, cuDNN autotuning) | first calls much slower     |
# | **caches**             | a repeated call finds its weights in L2/L3 cache; production traffic may not | hot loop faster than reality |
# | **frequency scaling**  | CPUs change clock speed with load and temperature (turbo, thermal throttling, battery saver) | drifts over seconds         |
# | **the OS and neighbours** | the scheduler preempts you, interrupts arrive, another job shares the core (this course's machines are shared!) | rare, large delays          |
# | **the runtime**        | Python's garbage collector pauses, memory allocators reorganise               | rare, large delays          |
# | **the timer**          | every clock has a resolution and a cost to read                               | error for very short calls  |
#
# Notice that almost all of these only ever **add** time. Noise in benchmarks is not
# symmetric "± error": it is a long tail to the right. A timing is a random variable, and
# the honest thing to do is to sample it many times and describe its *distribution*.
#
# **Which clock?** `time.perf_counter()` is monotonic and has the highest resolution
# available. `time.time()` is the wall clock: it can jump when the system synchronises
# with a time server. `time.process_time()` counts only the CPU time of your process, so
# it ignores exactly the waiting a user would experience. For latency, use `perf_counter`.
#
# Run the cell below: it times 200 calls of a fresh MLP on one handwritten digit with
# nothing but `perf_counter`.

# %% nbgrader={"grade": false, "grade_id": "one-timing-demo", "locked": true, "schema_version": 3, "solution": false}
x_train, y_train, x_test, y_test = load_digits()
demo_mlp = create_mlp(64, [128, 64], 10, seed=0)
one_digit = Tensor(x_test[:1])

raw_timings = []
for _ in range(200):
    start = time.perf_counter()
    demo_mlp(one_digit)
    raw_timings.append(time.perf_counter() - start)
raw_us = np.array(raw_timings) * 1e6

print("The same forward pass (MLP 64-128-64-10, one digit), timed 200 times:")
print("  first 5 calls:", ", ".join(f"{t:.1f} µs" for t in raw_us[:5]))
print(f"  min {raw_us.min():.1f} µs   median {np.median(raw_us):.1f} µs   "
      f"mean {raw_us.mean():.1f} µs   max {raw_us.max():.1f} µs")
print(f"  the slowest call took {raw_us.max() / raw_us.min():.1f}x as long as the fastest")

# %% [markdown]
# ## Step 1: Percentiles — The Median and the Tail
#
# ### Median versus mean
# Suppose 99 calls take 1 ms and one call is interrupted by a 100 ms pause. The **mean**
# is 1.99 ms: one event doubled it. The **median** — the middle value — is 1 ms, and would
# still be 1 ms if the pause had lasted a minute. Because benchmark noise is one-sided
# and heavy-tailed, the median describes "how long does this take" far better than the
# mean. (The **minimum** is even more stable, and `timeit` recommends it for
# micro-benchmarks; but it describes a best case that real runs seldom see.)
#
# ### Percentiles and tail latency
# The `q`-th percentile is the value below which `q`% of the measurements fall. The
# median is p50. For a service, the interesting numbers are in the **tail**:
#
# ```
#  count
#    │   ▇
#    │  ▇█▇
#    │  ███▅
#    │ ▃████▆▃▂▁▁  ▁       ▁                     ▁
#    └──────────────────────────────────────────────────▶ latency
#         ▲    ▲        ▲                          ▲
#        p50  p90      p99                        max
#   "typical" "most"  "1 user in 100 waits this long"
# ```
#
# Why care about the 1%? Because requests fan out. A web page that needs answers from 100
# back-end calls is slow whenever *any* of them is slow: if each call has a 1% chance of
# being slow, `1 - 0.99**100 = 63%` of page loads hit at least one slow call (Dean and
# Barroso, *The Tail at Scale*, 2013). Tail latency is what users feel.
#
# ### Computing a percentile
# Sort the `n` values, `x[0] <= x[1] <= ... <= x[n-1]`. Percentile `q` sits at the
# fractional position `r = q/100 * (n - 1)` and is interpolated linearly between its two
# neighbours (this is numpy's default, the "linear" method):
#
# ```
#  values 1, 2, ..., 100 (n = 100)        p90: r = 0.90 * 99 = 89.1
#        x[89] = 90      x[90] = 91        p90 = 90 + 0.1 * (91 - 90) = 90.1
#        ────●────────●────
#            r = 89.1
# ```
#
# So `p0` is the minimum, `p100` the maximum, and `p50` of an even number of values is the
# average of the two middle ones.

# %% nbgrader={"grade": false, "grade_id": "percentile", "locked": false, "schema_version": 3, "solution": true}
#| export
def percentile(samples, q):
    """
    The q-th percentile (0 <= q <= 100) of `samples`, interpolated linearly between ranks.

    TODO: Implement numpy's default ("linear") percentile without calling np.percentile.

    STEP-BY-STEP IMPLEMENTATION:
    1. Turn `samples` into a sorted 1-D float array (do not modify the caller's data)
    2. An empty sample is a ValueError; so is q outside [0, 100]
    3. The fractional position is r = q / 100 * (n - 1)
    4. lower = floor(r), upper = min(lower + 1, n - 1), fraction = r - lower
    5. Return x[lower] + fraction * (x[upper] - x[lower]) as a Python float

    EXAMPLE USAGE:
    ```python
    percentile(range(1, 101), 90)     # 90.1
    percentile([3, 1, 2], 50)         # 2.0  (the median)
    percentile([1.0] * 99 + [100.0], 50)   # 1.0: the pause does not move the median
    ```

    IMPLEMENTATION HINTS:
    - Convert to a float array and flatten it (ravel) first: lists and 2-D arrays work then
    - np.sort returns a sorted copy; array.sort() would reorder the caller's own array
    - math.floor(r) works; int() it before indexing
    - float(...) turns a numpy scalar into a Python float
    """
    ### BEGIN SOLUTION
    values = np.sort(np.asarray(samples, dtype=float).ravel())
    if values.size == 0:
        raise ValueError("percentile() of an empty sample is undefined")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be between 0 and 100, got {q}")
    position = q / 100 * (values.size - 1)
    lower = int(math.floor(position))
    upper = min(lower + 1, values.size - 1)
    fraction = position - lower
    return float(values[lower] + fraction * (values[upper] - values[lower]))
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Percentiles

# %% nbgrader={"grade": true, "grade_id": "test-percentile", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_percentile():
    """Percentiles of 1..100, agreement with numpy, edge cases, and the median's robustness."""
    print("🔬 Unit Test: percentile...")

    data = np.arange(1, 101)
    np.random.default_rng(0).shuffle(data)  # the order of the samples must not matter
    for q, expected in ((0, 1.0), (25, 25.75), (50, 50.5), (90, 90.1), (99, 99.01), (100, 100.0)):
        got = percentile(data, q)
        assert type(got) is float, f"percentile should return a Python float (use float(...)), got {type(got).__name__}"
        assert abs(got - expected) < 1e-9, f"percentile(1..100, {q}) should be {expected}, got {got}"

    rng = np.random.default_rng(1)
    skewed = rng.lognormal(size=37)
    for q in (0, 1, 12.5, 50, 90, 99, 99.9, 100):
        assert np.isclose(percentile(skewed, q), np.percentile(skewed, q)), (
            f"percentile(x, {q}) should match numpy's linear method: {np.percentile(skewed, q)}, got {percentile(skewed, q)}"
        )

    assert percentile([7.0], 99) == 7.0, "the percentile of a single value is that value"
    assert percentile([[4, 1], [3, 2]], 50) == 2.5, "a 2-D sample counts all its values: the median of 1, 2, 3, 4 is 2.5"
    timings = np.array([5.0, 1.0, 3.0])
    assert percentile(timings, 50) == 3.0 and timings.tolist() == [5.0, 1.0, 3.0], (
        f"percentile must not sort the caller's float array in place, it became {timings.tolist()}"
    )
    assert percentile([1, 3], 50) == 2.0, "the median of [1, 3] is 2.0"
    original = [5, 1, 3]
    percentile(original, 50)
    assert original == [5, 1, 3], "percentile must not sort the caller's list in place"

    for bad_samples, bad_q, what in (([], 50, "an empty sample"), ([1, 2], -1, "q = -1"), ([1, 2], 100.5, "q = 100.5")):
        try:
            percentile(bad_samples, bad_q)
            assert False, f"percentile with {what} should raise ValueError"
        except ValueError:
            pass

    pauses = [1.0] * 99 + [100.0]  # 99 calls of 1 ms and one 100 ms pause
    assert percentile(pauses, 50) == 1.0 and abs(np.mean(pauses) - 1.99) < 1e-12, "median 1 ms, mean 1.99 ms"
    print(f"✅ 1..100: p50 = {percentile(data, 50)}, p90 = {percentile(data, 90):.2f}, p99 = {percentile(data, 99):.2f}")
    print(f"✅ one 100 ms pause in 100 calls: mean {np.mean(pauses):.2f} ms, median {percentile(pauses, 50):.2f} ms")

test_percentile()

# %% [markdown]
# ## Step 2: How Sure Are We? The Bootstrap
#
# You ran a benchmark 30 times and the median was 41.7 µs. Run it again and you will get
# 41.2 µs, or 43.0 µs. How far can the median move? The ideal experiment repeats the
# whole benchmark a thousand times and looks at the spread of the thousand medians —
# far too expensive.
#
# The **bootstrap** (Efron, 1979) fakes that experiment with the data you already have.
# Your 30 timings are the best picture you have of the distribution they came from, so
# treat them *as* that distribution: draw 30 values from them **with replacement** (some
# timings twice, some not at all), take the median, and repeat thousands of times.
#
# ```
#  measured:      [41.2 41.9 40.8 55.3 41.7 ...]            median 41.7
#  resample 1:    [41.9 41.9 55.3 40.8 41.2 ...]  ──▶       median 41.9
#  resample 2:    [40.8 41.7 41.7 41.2 40.8 ...]  ──▶       median 41.2
#  ...            (2000 resamples)                          ...
#                                             2.5th and 97.5th percentile of the
#                                             2000 medians: the 95% confidence interval
# ```
#
# The spread of the resampled medians approximates how much the median would vary if you
# re-ran the benchmark. This *percentile bootstrap* interval covers the true median about
# 95% of the time — no formula for the median's standard error needed, and it works for
# any statistic (p90, the mean, a ratio of medians).
#
# Caveats worth knowing: the bootstrap assumes the timings are independent draws; a
# machine that slowly heats up breaks that. With very few samples (say 5) the interval is
# too narrow. And because it is random, we seed it: the same timings and the same seed
# must give the same interval, or a report cannot be checked.
#
# **Vectorising it.** No Python loop is needed. A seeded generator's `integers` method
# can draw the indices of *every* resample in one call, as an array of shape
# `(n_resamples, n)`: row `r` holds the `n` positions that resample `r` picks. Indexing the
# values with that whole array gives an `(n_resamples, n)` array of resampled timings, and
# one `np.median` along the row axis (`axis=1`) gives all the resampled medians at once.

# %% nbgrader={"grade": false, "grade_id": "bootstrap-ci", "locked": false, "schema_version": 3, "solution": true}
#| export
def bootstrap_ci(samples, statistic=np.median, confidence=0.95, n_resamples=2000, seed=0):
    """
    A percentile-bootstrap confidence interval (low, high) for statistic(samples).

    `statistic` must accept an `axis` argument, like np.median and np.mean do.

    TODO: Resample with replacement, compute the statistic of every resample, and return
    the two percentiles of those statistics that enclose `confidence` of them.

    STEP-BY-STEP IMPLEMENTATION:
    1. values = samples as a 1-D float array; an empty sample or a confidence outside
       (0, 1) is a ValueError
    2. Make ONE random generator from `seed` (numpy's default_rng)
    3. Draw the indices of all resamples in a single `integers` call of that generator:
       integers in [0, n), shape (n_resamples, n), one row per resample
    4. Apply `statistic` to the resampled values row by row (pass its `axis` argument),
       giving one estimate per resample: an array of n_resamples values
    5. Leave (1 - confidence) / 2 of the estimates outside on each side: the ends are
       your percentile() of the estimates at that tail (in percent) and at 100 minus it

    EXAMPLE USAGE:
    ```python
    times = np.random.default_rng(0).normal(10.0, 1.0, size=201)
    bootstrap_ci(times)                      # about (9.8, 10.2): contains the true median 10
    bootstrap_ci(times, seed=0) == bootstrap_ci(times, seed=0)   # True: reproducible
    bootstrap_ci(times, statistic=np.mean)   # a CI for the mean instead
    ```

    IMPLEMENTATION HINTS:
    - Use your percentile() for the two ends
    - Follow steps 2-4 exactly: the same seed must give the same interval as everyone else's
    """
    ### BEGIN SOLUTION
    values = np.asarray(samples, dtype=float).ravel()
    if values.size == 0:
        raise ValueError("bootstrap_ci() needs at least one sample")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, values.size, size=(n_resamples, values.size))
    estimates = statistic(values[indices], axis=1)
    tail = (1 - confidence) / 2 * 100
    return (percentile(estimates, tail), percentile(estimates, 100 - tail))
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Bootstrap
#
# The last part of this test checks what a 95% interval promises: it draws 200 samples of
# 41 "latencies" from a skewed distribution whose true median we know, computes an
# interval from each, and counts how often the interval contains the truth.

# %% nbgrader={"grade": true, "grade_id": "test-bootstrap-ci", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: percentile
def test_bootstrap_ci():
    """The interval contains the median, is reproducible, shrinks with data, and covers ~95%."""
    print("🔬 Unit Test: bootstrap_ci...")

    sample = np.random.default_rng(42).normal(10.0, 1.0, size=201)
    interval = bootstrap_ci(sample, seed=0)
    assert bootstrap_ci(sample[:200].reshape(20, 10), seed=0) == bootstrap_ci(sample[:200], seed=0), (
        "a 2-D array of timings is one sample of all its values (flatten it first)"
    )
    assert isinstance(interval, tuple) and len(interval) == 2, f"bootstrap_ci should return a (low, high) tuple, got {interval!r}"
    low, high = interval
    assert low < np.median(sample) < high, f"the CI {interval} should contain the sample median {np.median(sample):.4f}"
    assert low < 10.0 < high, f"the CI {interval} should contain the true median 10"
    assert 0.1 < high - low < 0.6, f"a 95% CI of the median of 201 N(10, 1) values is about 0.35 wide, got {high - low:.3f}"

    assert bootstrap_ci(sample, seed=0) == interval, "the same seed must give exactly the same interval"
    assert bootstrap_ci(sample, seed=1) != interval, "a different seed should give a (slightly) different interval"
    low50, high50 = bootstrap_ci(sample, confidence=0.5, seed=0)
    assert low < low50 < high50 < high, f"a 50% interval should lie strictly inside the 95% interval, got ({low50}, {high50})"
    small = bootstrap_ci(sample[:25], seed=0)
    assert small[1] - small[0] > high - low, "25 samples should give a wider interval than 201"

    mean_low, mean_high = bootstrap_ci(sample, statistic=np.mean, seed=0)
    expected_width = 2 * 1.96 * np.std(sample) / np.sqrt(sample.size)
    assert mean_low < np.mean(sample) < mean_high, "statistic=np.mean should give a CI around the mean"
    assert abs((mean_high - mean_low) / expected_width - 1) < 0.15, (
        f"the CI of the mean should be about ±1.96 standard errors ({expected_width:.3f} wide), got {mean_high - mean_low:.3f}"
    )
    assert bootstrap_ci([3.0] * 10) == (3.0, 3.0), "identical timings leave no uncertainty"

    # The documented recipe, step by step in plain numpy: everybody's interval is the same
    recipe = np.random.default_rng(0)
    medians = np.median(sample[recipe.integers(0, sample.size, size=(2000, sample.size))], axis=1)
    expected = (np.percentile(medians, 2.5), np.percentile(medians, 97.5))
    assert np.allclose(interval, expected, rtol=0, atol=1e-12), (
        f"bootstrap_ci(sample, seed=0) should be {expected} (one default_rng(seed), one integers call of shape "
        f"(n_resamples, n), the statistic along axis=1, the 2.5th and 97.5th percentiles), got {interval}"
    )
    small_sample = sample[:17]
    recipe = np.random.default_rng(3)
    means = np.mean(small_sample[recipe.integers(0, 17, size=(300, 17))], axis=1)
    expected = (np.percentile(means, 10), np.percentile(means, 90))
    got = bootstrap_ci(list(small_sample), statistic=np.mean, confidence=0.8, n_resamples=300, seed=3)
    assert np.allclose(got, expected, rtol=0, atol=1e-12), (
        f"an 80% interval of the mean (300 resamples, seed 3) should be {expected}, got {got}"
    )
    for bad_samples, bad_confidence, what in (([], 0.95, "an empty sample"), (sample, 1.5, "confidence 1.5"),
                                              (sample, 1.0, "confidence 1.0"), (sample, 0.0, "confidence 0.0")):
        try:
            bootstrap_ci(bad_samples, confidence=bad_confidence)
            assert False, f"bootstrap_ci with {what} should raise ValueError"
        except ValueError:
            pass

    # Coverage: how often does the 95% interval contain the true median?
    rng = np.random.default_rng(2024)
    true_median = np.log(2.0)  # the median of an exponential distribution with mean 1
    trials = 200
    covered = sum(lo <= true_median <= hi
                  for lo, hi in (bootstrap_ci(rng.exponential(1.0, size=41), n_resamples=1000, seed=t)
                                 for t in range(trials)))
    assert 0.88 <= covered / trials <= 0.99, (
        f"a 95% interval should contain the true median about 95% of the time, got {covered}/{trials}"
    )
    print(f"✅ median {np.median(sample):.3f}, 95% CI ({low:.3f}, {high:.3f}); reproducible with a seed")
    print(f"✅ coverage: the interval contained the true median in {covered}/{trials} experiments")

test_bootstrap_ci()

# %% [markdown]
# ## Step 3: Outliers — Tukey's Fences
#
# Some runs are disturbed: the scheduler ran something else, the garbage collector
# paused. John Tukey's rule flags a value as an outlier when it lies far outside the
# middle half of the data:
#
# ```
#   Q1 = p25, Q3 = p75, IQR = Q3 - Q1 (the spread of the middle half)
#
#   lower fence = Q1 - k * IQR                upper fence = Q3 + k * IQR      (k = 1.5)
#        │            ┌────────┬──────┐             │
#    ○   │────────────┤   Q1   │  Q3  ├─────────────│            ○        ○
#        │            └────────┴──────┘             │
#   outlier                                                    outliers
# ```
#
# For normally distributed data about 0.7% of values fall outside the `k = 1.5` fences;
# `k = 3` marks only "far out" values. An alternative built on the same idea is the
# *median absolute deviation*: flag values more than ~3.5 MADs from the median. Both rely
# on medians and quartiles, so the outliers themselves cannot drag the fences outwards,
# which is what would happen with "more than 3 standard deviations from the mean".
#
# **What to do with outliers?** Never delete them silently. For "how fast is my code"
# they are mostly interference, and the median already ignores them. For "how does my
# service behave" they *are* the tail latency users experience. So our harness keeps every
# timing, bases its headline numbers on robust statistics, and *reports* how many runs
# were outliers: many outliers mean a noisy machine, and a reason to re-run.

# %% nbgrader={"grade": false, "grade_id": "outliers", "locked": false, "schema_version": 3, "solution": true}
#| export
def tukey_fences(samples, k=1.5):
    """
    Tukey's fences (Q1 - k*IQR, Q3 + k*IQR), with Q1 = p25 and Q3 = p75.

    TODO: Compute the quartiles with your percentile() and return the two fences.

    STEP-BY-STEP IMPLEMENTATION:
    1. q1 = percentile(samples, 25), q3 = percentile(samples, 75)
    2. iqr = q3 - q1
    3. Return (q1 - k * iqr, q3 + k * iqr)

    EXAMPLE USAGE:
    ```python
    tukey_fences(range(1, 101))   # (-48.5, 149.5): Q1 = 25.75, Q3 = 75.25, IQR = 49.5
    ```

    IMPLEMENTATION HINTS:
    - Two percentile() calls and some arithmetic
    """
    ### BEGIN SOLUTION
    q1, q3 = percentile(samples, 25), percentile(samples, 75)
    iqr = q3 - q1
    return (q1 - k * iqr, q3 + k * iqr)
    ### END SOLUTION


def find_outliers(samples, k=1.5):
    """
    The indices of the values strictly outside Tukey's fences, in increasing order.

    TODO: Return a numpy array of the positions of every value below the lower fence or
    above the upper fence.

    STEP-BY-STEP IMPLEMENTATION:
    1. values = samples as a 1-D float array
    2. The two fences come from your tukey_fences (with the same k)
    3. Return the indices where values < low or values > high (an integer array, possibly empty)

    EXAMPLE USAGE:
    ```python
    find_outliers([1.0, 1.1, 0.9, 1.0, 9.0, 1.05])   # array([4])
    find_outliers([1, 2, 3])                          # array([], dtype=int64)
    ```

    IMPLEMENTATION HINTS:
    - np.flatnonzero(mask) gives the indices where a boolean mask is True
    - Combine two masks with |
    """
    ### BEGIN SOLUTION
    values = np.asarray(samples, dtype=float).ravel()
    low, high = tukey_fences(values, k)
    return np.flatnonzero((values < low) | (values > high))
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Outlier Detection

# %% nbgrader={"grade": true, "grade_id": "test-outliers", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: percentile
def test_outliers():
    """Fences of 1..100; injected outliers found at their indices; nothing flagged in clean data."""
    print("🔬 Unit Test: tukey_fences and find_outliers...")

    low, high = tukey_fences(np.arange(1, 101))
    assert np.isclose(low, -48.5) and np.isclose(high, 149.5), f"fences of 1..100 should be (-48.5, 149.5), got {(low, high)}"
    low3, high3 = tukey_fences(np.arange(1, 101), k=3)
    assert np.isclose(low3, 25.75 - 3 * 49.5) and np.isclose(high3, 75.25 + 3 * 49.5), f"k = 3 fences wrong: {(low3, high3)}"

    clean = np.random.default_rng(5).uniform(0.9e-3, 1.1e-3, size=200)  # 1 ms ± 0.1 ms: no outliers
    found = find_outliers(clean)
    assert isinstance(found, np.ndarray) and found.size == 0, f"clean uniform timings have no outliers, got indices {found}"
    assert np.issubdtype(found.dtype, np.integer), f"find_outliers should return integer indices, got dtype {found.dtype}"

    disturbed = clean.copy()
    disturbed[[3, 50, 120, 177]] = [5e-3, 9e-3, 0.1e-3, 3e-3]  # three pauses and one impossibly fast run
    found = find_outliers(disturbed)
    assert found.tolist() == [3, 50, 120, 177], f"the injected outliers are at [3, 50, 120, 177], got {found.tolist()}"
    assert find_outliers(disturbed, k=1e6).size == 0, "with enormous fences nothing is an outlier"
    assert find_outliers([1.0, 1.1, 0.9, 1.0, 9.0, 1.05]).tolist() == [4], "9.0 is the outlier in [1.0, 1.1, 0.9, 1.0, 9.0, 1.05]"
    on_the_fence = [1, 1, 1, 1, 2, 2, 2, 2, 3.5]  # Q1 = 1, Q3 = 2: the upper fence is exactly 3.5
    assert find_outliers(on_the_fence).size == 0, "a value exactly on a fence is not an outlier (strictly outside only)"
    assert find_outliers(on_the_fence[:-1] + [3.6]).tolist() == [8], "3.6 is beyond the fence at 3.5"
    low_fence = [-0.5, 1, 1, 1, 1, 2, 2, 2, 2]  # Q1 = 1, Q3 = 2: the lower fence is exactly -0.5
    assert find_outliers(low_fence).size == 0, "a value exactly on the lower fence is not an outlier"
    assert find_outliers([-0.6] + low_fence[1:]).tolist() == [0], "-0.6 is below the lower fence at -0.5"
    print("✅ fences of 1..100: (-48.5, 149.5)")
    print("✅ injected outliers found at [3, 50, 120, 177]; clean data has none")

test_outliers()

# %% [markdown]
# ## Step 4: The Harness
#
# Now we can put the pieces together. A benchmark run has two phases:
#
# ```
#  warm-up (untimed)            timed repeats
#  fn() fn() fn()     ──▶   │ t0=clock() fn() t1=clock() │  × repeats   ──▶ times = [t1 - t0, ...]
#  caches, allocations,         only the call is inside the two clock reads
#  lazy initialisation
# ```
#
# The warm-up calls run the function without timing it, so one-time costs do not end
# up in the statistics. Then each repeat reads the clock, calls the function once, and
# reads the clock again.
#
# ### An injectable clock
# How do you test a timing harness? Real timings are random, and the grading machine is
# shared. The answer is *dependency injection*: `benchmark` takes the clock as a
# parameter (`clock=time.perf_counter` by default). Tests pass a `ManualClock`, a clock
# that moves only when told to, and a fake function that advances it by known amounts.
# Every timing is then known exactly, on any machine, however busy. Every function in this
# module that measures time takes a `clock` argument for this reason.
#
# (Real harnesses go further: `timeit` runs very short functions in a loop of `number`
# calls and divides, because reading the clock costs tens of nanoseconds; and on a GPU,
# where a call returns before the work is done, `torch.utils.benchmark` synchronises the
# device before reading the clock.)
#
# The provided `BenchmarkResult` holds the timings and computes everything from Steps 1-3
# on demand: `median`, `p90`, `p99`, `mean`, `std`, `min`, `max`, `ci` (bootstrap CI of the
# median) and `outliers`. `format_seconds` prints durations in readable units.

# %% nbgrader={"grade": false, "grade_id": "harness-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
class ManualClock:
    """
    A clock that moves only when told to: deterministic timings for tests.

    clock() returns the current time; clock.advance(seconds) moves it forward. Pass it as
    `clock=` to benchmark() and the scenarios, and let a fake function advance it.
    """

    def __init__(self, start=0.0):
        self.now = float(start)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (advance({seconds}))")
        self.now += float(seconds)
        return self.now


def format_seconds(seconds):
    """A duration in a readable unit: '850 ns', '12.3 µs', '4.56 ms', '1.234 s'; '–' for None."""
    if seconds is None:
        return "–"
    seconds = float(seconds)
    size = abs(seconds)
    if size < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if size < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if size < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


class BenchmarkResult:
    """
    The timings of one benchmark (seconds) and their statistics.

    Everything is computed from `times` on demand: median, p50, p90, p99, mean, std, min,
    max, ci (bootstrap CI of the median, seeded) and outliers (Tukey's fences).
    """

    def __init__(self, name, times, warmup=0, confidence=0.95, seed=0):
        times = np.asarray(times, dtype=float).ravel()
        if times.size == 0:
            raise ValueError("a BenchmarkResult needs at least one timing")
        self.name = str(name)
        self.times = times
        self.warmup = int(warmup)
        self.confidence = confidence
        self.seed = seed
        self._ci = None

    @property
    def n(self):
        return int(self.times.size)

    def percentile(self, q):
        return percentile(self.times, q)

    @property
    def median(self):
        return self.percentile(50)

    @property
    def p50(self):
        return self.percentile(50)

    @property
    def p90(self):
        return self.percentile(90)

    @property
    def p99(self):
        return self.percentile(99)

    @property
    def mean(self):
        return float(self.times.mean())

    @property
    def std(self):
        return float(self.times.std(ddof=1)) if self.n > 1 else 0.0

    @property
    def min(self):
        return float(self.times.min())

    @property
    def max(self):
        return float(self.times.max())

    @property
    def ci(self):
        """Bootstrap confidence interval of the median (computed once, then cached)."""
        if self._ci is None:
            self._ci = bootstrap_ci(self.times, np.median, self.confidence, seed=self.seed)
        return self._ci

    @property
    def outliers(self):
        return find_outliers(self.times)

    def to_dict(self):
        """Every statistic and the raw timings, as JSON-ready Python values (seconds)."""
        low, high = self.ci
        return {
            "name": self.name, "runs": self.n, "warmup": self.warmup,
            "median_s": self.median, "mean_s": self.mean, "std_s": self.std,
            "min_s": self.min, "max_s": self.max,
            "p50_s": self.p50, "p90_s": self.p90, "p99_s": self.p99,
            "ci_low_s": float(low), "ci_high_s": float(high), "confidence": self.confidence,
            "outliers": [int(i) for i in self.outliers],
            "times_s": [float(t) for t in self.times],
        }

    def __repr__(self):
        low, high = self.ci
        return (f"BenchmarkResult({self.name!r}, runs={self.n}, median={format_seconds(self.median)} "
                f"[{self.confidence:.0%} CI {format_seconds(low)} to {format_seconds(high)}], "
                f"p90={format_seconds(self.p90)}, p99={format_seconds(self.p99)}, outliers={self.outliers.size})")

# %% nbgrader={"grade": false, "grade_id": "benchmark-harness", "locked": false, "schema_version": 3, "solution": true}
#| export
def benchmark(fn, *args, warmup=3, repeats=30, clock=time.perf_counter, name=None):
    """
    Time fn(*args): `warmup` untimed calls, then `repeats` timed calls.

    TODO: Run the warm-up calls, time each repeat with `clock`, and return a BenchmarkResult.

    STEP-BY-STEP IMPLEMENTATION:
    1. repeats < 1 or warmup < 0 is a ValueError, raised before fn is ever called
    2. Call fn(*args) `warmup` times without timing it
    3. For each of the `repeats` runs: start = clock(); fn(*args); store clock() - start
    4. The name is `name` if given, otherwise fn.__name__ (or the type's name for objects
       without one)
    5. Return BenchmarkResult(name, times, warmup=warmup)

    EXAMPLE USAGE:
    ```python
    result = benchmark(model, Tensor(x[:1]), warmup=5, repeats=100, name="mlp")
    result.median, result.p99, result.ci     # seconds
    clock = ManualClock()
    benchmark(lambda: clock.advance(0.002), repeats=4, clock=clock).times   # [0.002, 0.002, 0.002, 0.002]
    ```

    IMPLEMENTATION HINTS:
    - Read the clock only immediately around the call: nothing else belongs inside
    - A callable object (an instance with __call__, like a model) has no __name__: getattr
      with a default lets you fall back to the name of its type
    """
    ### BEGIN SOLUTION
    if repeats < 1:
        raise ValueError(f"benchmark needs at least one timed repeat, got repeats={repeats}")
    if warmup < 0:
        raise ValueError(f"warmup cannot be negative, got {warmup}")
    for _ in range(warmup):
        fn(*args)
    times = np.empty(repeats)
    for i in range(repeats):
        start = clock()
        fn(*args)
        times[i] = clock() - start
    if name is None:
        name = getattr(fn, "__name__", type(fn).__name__)
    return BenchmarkResult(name, times, warmup=warmup)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Harness
#
# The fake function below advances a `ManualClock`: its three warm-up calls "take" 0.5 s
# each (a cold start), and the timed calls take 1, 2, ..., 10 ms. A correct harness reports
# exactly those ten timings, whatever else the machine is doing.

# %% nbgrader={"grade": true, "grade_id": "test-benchmark", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: percentile, bootstrap_ci, tukey_fences, find_outliers
def test_benchmark():
    """Warm-up calls are not timed; each repeat is timed with the injected clock."""
    print("🔬 Unit Test: benchmark...")

    clock = ManualClock()
    durations = iter([0.5, 0.5, 0.5] + [0.001 * (i + 1) for i in range(10)])
    calls = []

    def work(x, y):
        calls.append((x, y))
        clock.advance(next(durations))

    result = benchmark(work, 2, 3, warmup=3, repeats=10, clock=clock)
    assert isinstance(result, BenchmarkResult), f"benchmark should return a BenchmarkResult, got {type(result).__name__}"
    assert len(calls) == 13 and calls[0] == (2, 3), f"fn should be called 3 + 10 times with the given args, got {len(calls)} calls"
    expected = [0.001 * (i + 1) for i in range(10)]
    assert result.n == 10 and np.allclose(result.times, expected, rtol=0, atol=1e-12), (
        f"the timed runs took 1..10 ms (the 0.5 s warm-ups must not be timed), got {np.round(result.times * 1e3, 3)} ms"
    )
    assert result.name == "work" and result.warmup == 3, f"name should default to fn.__name__, got {result.name!r}"
    assert abs(result.median - 0.0055) < 1e-12, f"the median of 1..10 ms is 5.5 ms, got {result.median}"

    clock2 = ManualClock()
    cold = iter([0.2] + [0.001] * 4)
    no_warmup = benchmark(lambda: clock2.advance(next(cold)), warmup=0, repeats=5, clock=clock2, name="cold start")
    assert no_warmup.name == "cold start", "an explicit name should be used"
    assert np.isclose(no_warmup.times[0], 0.2) and np.isclose(no_warmup.max, 0.2), "with warmup=0 the first (cold) call is timed"
    assert no_warmup.outliers.tolist() == [0], "the cold call should be flagged as an outlier"
    single = benchmark(lambda: clock2.advance(0.004), warmup=0, repeats=1, clock=clock2)
    assert single.n == 1 and np.isclose(single.times[0], 0.004), "repeats=1 is the smallest valid benchmark: one timing"

    for kwargs, what in (({"repeats": 0}, "repeats=0"), ({"repeats": -1}, "repeats=-1"), ({"warmup": -1}, "warmup=-1")):
        bad_calls = []
        try:
            benchmark(lambda: bad_calls.append(1), clock=ManualClock(), **kwargs)
            assert False, f"benchmark with {what} should raise ValueError"
        except ValueError:
            pass
        assert bad_calls == [], f"with {what} benchmark should raise before calling fn (no warm-up), it called fn {len(bad_calls)} times"

    class TinyModel:
        def __call__(self):
            clock3.advance(0.003)

    clock3 = ManualClock()
    unnamed = benchmark(TinyModel(), warmup=0, repeats=2, clock=clock3)
    assert unnamed.name == "TinyModel" and np.allclose(unnamed.times, [0.003, 0.003]), (
        f"a callable object without __name__ is named after its type, got {unnamed.name!r}"
    )

    real = benchmark(sum, range(1000), warmup=1, repeats=5)  # the default clock is time.perf_counter
    assert real.n == 5 and np.all(real.times > 0) and real.name == "sum", "with the real clock every timing is positive"
    print(f"✅ {result}")
    print("✅ warm-ups excluded; clock injected; cold start visible with warmup=0")

test_benchmark()

# %% [markdown]
# ## Step 5: Is It Really Faster? Comparing Two Benchmarks
#
# You optimised a layer. Old median 2.10 ms, new median 1.95 ms. Faster? Maybe; or maybe
# the second run simply caught the machine in a quieter moment. Two questions separate
# these cases.
#
# ### 1. Statistical significance: could chance alone explain the difference?
# Assume the boring explanation — the **null hypothesis** — that both versions are
# equally fast, so all the timings come from one distribution. Then the labels "old" and
# "new" are arbitrary: any other split of the pooled timings into groups of the same sizes
# was just as likely. A **permutation test** checks how unusual the real split is:
#
# ```
#  old: [2.1 2.0 2.2 2.1]   new: [1.9 2.0 1.9 1.95]     observed |median difference| = 0.150
#  pool, shuffle, split 4 / 4, recompute ... 2000 times:
#        0.025  0.100  0.000  0.150  0.050  0.075  ...
#  p-value = (1 + number of shuffles at least as extreme as 0.150) / (1 + 2000)
# ```
#
# The **p-value** is how often chance alone produces a difference at least as large as
# the one you saw. A small p-value (below `alpha = 0.05`, say) means "chance is an unlikely
# explanation": the difference is **statistically significant**. The `+ 1`s count the
# observed split as one of the possible splits; they keep the estimate honest and the
# p-value never exactly 0 (with 2000 shuffles the smallest possible value is `1/2001`).
#
# ### 2. How big is it? The speed-up and its confidence interval
# The **speed-up** is `median(baseline) / median(candidate)`: 2.0 means the candidate
# takes half the time. Its uncertainty comes from the bootstrap again: resample *each*
# group independently, compute the ratio of the two medians, repeat, and take the
# percentiles of the ratios.
#
# ### Statistical versus practical significance
# With enough repeats *every* difference becomes significant: 10,000 runs will "prove"
# that a 0.3% speed-up is real. It may be real, and still be worthless — smaller than the
# run-to-run drift between two machines of the same model. So `compare` reports two
# verdicts:
#
# | significant (p < alpha) | effect >= min_effect | conclusion                                          |
# | ----------------------- | -------------------- | --------------------------------------------------- |
# | no                      | –                    | no evidence of a difference; re-run with more repeats if you expected one |
# | yes                     | no                   | real but too small to matter (`meaningful=False`)   |
# | yes                     | yes                  | a real speed-up (or slow-down) worth reporting      |
#
# Two more traps. Test twenty variants at `alpha = 0.05` and one will look significant by
# luck (the *multiple comparisons* problem). And benchmarking A fully, then B, lets drift
# (a CPU warming up) masquerade as a difference; interleaving A, B, A, B ... guards
# against it.

# %% nbgrader={"grade": false, "grade_id": "significance", "locked": false, "schema_version": 3, "solution": true}
#| export
def permutation_test(a, b, n_permutations=2000, seed=0):
    """
    Two-sided permutation test of "a and b come from the same distribution".

    The statistic is |median(a) - median(b)|. Returns the p-value
    (1 + count of shuffles with a statistic >= the observed one) / (1 + n_permutations).

    TODO: Shuffle the pooled timings `n_permutations` times and count how often a random
    split is at least as extreme as the real one.

    STEP-BY-STEP IMPLEMENTATION:
    1. a, b as 1-D float arrays; observed = the absolute difference of their medians
    2. Pool them into one array (a's values first, then b's) and make ONE generator from
       `seed` (numpy's default_rng)
    3. Repeat n_permutations times: shuffle the pool with the generator's permutation
       method; the first len(a) shuffled values play "a", the rest "b" (a and b may
       have different sizes); count the shuffle if their |median difference| >= observed
    4. Return (count + 1) / (n_permutations + 1)

    EXAMPLE USAGE:
    ```python
    permutation_test(slow_times, fast_times)    # 0.0004998 = 1/2001 for a clear 2x difference
    permutation_test(times, times)              # 1.0: no difference at all
    ```

    IMPLEMENTATION HINTS:
    - A generator's permutation(array) returns a shuffled copy and leaves the array alone
    - Use >= (not >): ties count as "at least as extreme"
    """
    ### BEGIN SOLUTION
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    observed = abs(np.median(a) - np.median(b))
    pooled = np.concatenate([a, b])
    rng = np.random.default_rng(seed)
    at_least_as_extreme = 0
    for _ in range(n_permutations):
        shuffled = rng.permutation(pooled)
        if abs(np.median(shuffled[:a.size]) - np.median(shuffled[a.size:])) >= observed:
            at_least_as_extreme += 1
    return (at_least_as_extreme + 1) / (n_permutations + 1)
    ### END SOLUTION


def speedup_ci(baseline, candidate, confidence=0.95, n_resamples=2000, seed=0):
    """
    A bootstrap confidence interval (low, high) for median(baseline) / median(candidate).

    TODO: Resample both groups independently, compute the ratio of their medians for each
    resample, and return the percentiles that enclose `confidence` of the ratios.

    STEP-BY-STEP IMPLEMENTATION:
    1. base, cand as 1-D float arrays; ONE generator from `seed` (numpy's default_rng)
    2. The baseline's resampled medians: as in bootstrap_ci, one `integers` call for all
       resample indices of the baseline (shape (n_resamples, len(base))), then the median
       of each row
    3. Then the candidate's, the same way, with indices of its own size, drawn from the
       same generator AFTER the baseline's (the groups are resampled independently)
    4. The ratio of the two, element by element: baseline median over candidate median
    5. Return your percentile() of the ratios at the lower and upper tail, as in bootstrap_ci

    EXAMPLE USAGE:
    ```python
    speedup_ci(slow_times, fast_times)    # about (1.9, 2.1) when fast is twice as fast
    ```

    IMPLEMENTATION HINTS:
    - This is bootstrap_ci's recipe applied to two groups at once
    """
    ### BEGIN SOLUTION
    base = np.asarray(baseline, dtype=float).ravel()
    cand = np.asarray(candidate, dtype=float).ravel()
    rng = np.random.default_rng(seed)
    base_medians = np.median(base[rng.integers(0, base.size, size=(n_resamples, base.size))], axis=1)
    cand_medians = np.median(cand[rng.integers(0, cand.size, size=(n_resamples, cand.size))], axis=1)
    ratios = base_medians / cand_medians
    tail = (1 - confidence) / 2 * 100
    return (percentile(ratios, tail), percentile(ratios, 100 - tail))
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test the Significance Machinery
#
# Synthetic timings with known answers: a candidate exactly twice as fast (any correct
# test gives the smallest possible p-value, `1/2001`), two samples from the same
# distribution (a large p-value, a CI around 1), and identical samples (p = 1).

# %% nbgrader={"grade": true, "grade_id": "test-significance", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: percentile
def test_significance():
    """Permutation p-values and speed-up intervals on data with known differences."""
    print("🔬 Unit Test: permutation_test and speedup_ci...")

    rng = np.random.default_rng(7)
    fast = rng.normal(1.0e-3, 0.05e-3, size=30)
    slow = rng.normal(2.0e-3, 0.10e-3, size=30)
    p = permutation_test(slow, fast, n_permutations=2000, seed=0)
    assert abs(p - 1 / 2001) < 1e-12, f"a clear 2x difference: no shuffle is as extreme, so p = 1/2001 = 0.0004998, got {p}"
    assert permutation_test(slow, fast, n_permutations=99, seed=0) == 0.01, "with 99 shuffles the smallest p-value is 1/100"

    same_a = np.random.default_rng(11).normal(1.0e-3, 0.05e-3, size=40)
    same_b = np.random.default_rng(12).normal(1.0e-3, 0.05e-3, size=40)
    p_same = permutation_test(same_a, same_b, seed=0)
    assert p_same > 0.2, f"two samples from the same distribution should not look different, got p = {p_same:.4f}"
    assert permutation_test(same_a, same_a, seed=0) == 1.0, "identical samples: every shuffle is at least as extreme, p = 1"
    assert permutation_test(same_a, same_b, seed=0) == p_same, "the same seed must give the same p-value"

    low, high = speedup_ci(slow, fast, seed=0)
    ratio = np.median(slow) / np.median(fast)
    assert low < ratio < high, f"the CI ({low:.3f}, {high:.3f}) should contain the observed speed-up {ratio:.3f}"
    assert 1.8 < low and high < 2.2, f"the speed-up is about 2: expected a CI inside (1.8, 2.2), got ({low:.3f}, {high:.3f})"
    assert speedup_ci(slow, fast, seed=0) == (low, high), "the same seed must give the same interval"
    same_low, same_high = speedup_ci(same_a, same_b, seed=0)
    assert same_low < 1.0 < same_high, f"same distribution: the CI should contain 1, got ({same_low:.4f}, {same_high:.4f})"
    # Unequal group sizes, checked against the documented recipes in plain numpy
    data = np.random.default_rng(21)
    a13, b21 = data.lognormal(0.0, 0.3, size=13), data.lognormal(0.15, 0.3, size=21)
    recipe = np.random.default_rng(4)
    pooled, observed = np.concatenate([a13, b21]), abs(np.median(a13) - np.median(b21))
    count = 0
    for _ in range(300):
        shuffled = recipe.permutation(pooled)
        count += abs(np.median(shuffled[:13]) - np.median(shuffled[13:])) >= observed
    expected_p = (count + 1) / 301
    got_p = permutation_test(a13, b21, n_permutations=300, seed=4)
    assert 0.05 < expected_p < 0.95 and abs(got_p - expected_p) < 1e-12, (
        f"13 vs 21 timings, 300 shuffles, seed 4: p should be {expected_p:.6f}, got {got_p} "
        "(the first len(a) shuffled values play a, the rest b)"
    )
    as_lists = permutation_test(list(a13), list(b21), n_permutations=300, seed=4)
    as_2d = permutation_test(a13.reshape(13, 1), b21.reshape(3, 7), n_permutations=300, seed=4)
    assert as_lists == got_p and as_2d == got_p, "lists and 2-D arrays of timings should work like flat arrays"
    assert speedup_ci(list(a13), b21.reshape(3, 7), n_resamples=500, seed=4) == speedup_ci(a13, b21, n_resamples=500, seed=4), (
        "speedup_ci should accept lists and 2-D arrays of timings like flat arrays"
    )
    assert speedup_ci(a13.reshape(1, 13), list(b21), n_resamples=500, seed=4) == speedup_ci(a13, b21, n_resamples=500, seed=4), (
        "speedup_ci should accept a 2-D baseline and a list of candidate timings"
    )
    recipe = np.random.default_rng(4)
    base_medians = np.median(a13[recipe.integers(0, 13, size=(500, 13))], axis=1)
    cand_medians = np.median(b21[recipe.integers(0, 21, size=(500, 21))], axis=1)
    for confidence, tail in ((0.95, 2.5), (0.8, 10.0)):
        expected = (np.percentile(base_medians / cand_medians, tail), np.percentile(base_medians / cand_medians, 100 - tail))
        got = speedup_ci(a13, b21, confidence=confidence, n_resamples=500, seed=4)
        assert np.allclose(got, expected, rtol=0, atol=1e-12), (
            f"speedup_ci(13 vs 21 timings, confidence={confidence}, 500 resamples, seed 4) should be {expected}, got {got}: "
            "resample the baseline first, then the candidate with its own size, from one generator"
        )

    inverse = speedup_ci(fast, slow, seed=0)
    assert 0.45 < inverse[0] < inverse[1] < 0.56, f"the other way round the speed-up is about 0.5, got {inverse}"
    print(f"✅ 2x difference: p = {p:.5f}, speed-up CI ({low:.2f}, {high:.2f})")
    print(f"✅ same distribution: p = {p_same:.3f}, speed-up CI ({same_low:.3f}, {same_high:.3f})")

test_significance()

# %% [markdown]
# ### `compare`: both verdicts in one object
#
# `compare(baseline, candidate)` accepts two `BenchmarkResult`s (or plain arrays of
# timings) and returns a `Comparison` (provided below): the names, `speedup`, `ci`,
# `p_value`, `significant` (`p_value < alpha`) and `meaningful` (significant *and* at least
# `min_effect` faster or slower, i.e. `max(speedup, 1/speedup) >= 1 + min_effect`), plus a
# one-line `verdict`.

# %% nbgrader={"grade": false, "grade_id": "comparison-class", "locked": true, "schema_version": 3, "solution": false}
#| export
@dataclass(eq=False)
class Comparison:
    """The outcome of compare(baseline, candidate); speedup > 1 means the candidate is faster."""

    baseline: str
    candidate: str
    speedup: float
    ci: tuple
    p_value: float
    alpha: float = 0.05
    min_effect: float = 0.05
    confidence: float = 0.95
    significant: bool = False
    meaningful: bool = False

    @property
    def verdict(self):
        """One line for humans, e.g. 'new is 1.84x faster than old (p = 0.0005)'."""
        if not self.significant:
            return f"no significant difference between {self.candidate} and {self.baseline} (p = {self.p_value:.4f})"
        faster = self.speedup >= 1
        factor = self.speedup if faster else 1 / self.speedup
        text = (f"{self.candidate} is {factor:.2f}x {'faster' if faster else 'slower'} than {self.baseline} "
                f"(p = {self.p_value:.4f})")
        if not self.meaningful:
            text += f", but that is less than the {self.min_effect:.0%} that matters"
        return text

    def to_dict(self):
        return {
            "baseline": self.baseline, "candidate": self.candidate, "speedup": float(self.speedup),
            "ci_low": float(self.ci[0]), "ci_high": float(self.ci[1]), "confidence": self.confidence,
            "p_value": float(self.p_value), "alpha": self.alpha, "min_effect": self.min_effect,
            "significant": bool(self.significant), "meaningful": bool(self.meaningful), "verdict": self.verdict,
        }


def _times_and_name(result, default_name):
    """(timings array, name) of a BenchmarkResult, a ScenarioResult, or plain timings."""
    if isinstance(result, BenchmarkResult):
        return result.times, result.name
    latencies = getattr(result, "latencies", None)
    if latencies is not None:
        return np.asarray(latencies, dtype=float), result.name
    return np.asarray(result, dtype=float).ravel(), default_name

# %% nbgrader={"grade": false, "grade_id": "compare", "locked": false, "schema_version": 3, "solution": true}
#| export
def compare(baseline, candidate, alpha=0.05, min_effect=0.05, confidence=0.95, n_resamples=2000, seed=0):
    """
    Compare two benchmarks: speed-up, its confidence interval, p-value, and both verdicts.

    TODO: Compute the speed-up and its CI, run the permutation test, decide
    `significant` and `meaningful`, and return a Comparison.

    STEP-BY-STEP IMPLEMENTATION:
    1. Turn each argument into (timings, name) with the provided _times_and_name; the
       default names are "baseline" and "candidate"
    2. speedup = median(baseline timings) / median(candidate timings), as a float
    3. ci: your speedup_ci of the two timings, passing on confidence, n_resamples and seed
    4. p_value: your permutation_test of the two timings, with n_resamples shuffles and seed
    5. significant = p_value < alpha
       meaningful = significant and max(speedup, 1 / speedup) >= 1 + min_effect
    6. Return Comparison(base_name, cand_name, speedup, ci, p_value, alpha, min_effect,
       confidence, significant, meaningful)

    EXAMPLE USAGE:
    ```python
    result = compare(benchmark(old, x), benchmark(new, x))
    result.speedup, result.ci, result.p_value     # 1.84, (1.79, 1.90), 0.0005
    result.significant, result.meaningful        # True, True
    print(result.verdict)                        # "new is 1.84x faster than old (p = 0.0005)"
    ```

    IMPLEMENTATION HINTS:
    - bool(...) keeps numpy booleans out of the result
    - Both rules are boundaries: p exactly equal to alpha is NOT significant, an effect of
      exactly min_effect IS meaningful
    """
    ### BEGIN SOLUTION
    base_times, base_name = _times_and_name(baseline, "baseline")
    cand_times, cand_name = _times_and_name(candidate, "candidate")
    speedup = float(np.median(base_times) / np.median(cand_times))
    ci = speedup_ci(base_times, cand_times, confidence, n_resamples, seed)
    p_value = permutation_test(base_times, cand_times, n_resamples, seed)
    significant = bool(p_value < alpha)
    meaningful = bool(significant and max(speedup, 1 / speedup) >= 1 + min_effect)
    return Comparison(base_name, cand_name, speedup, ci, p_value, alpha, min_effect, confidence,
                      significant, meaningful)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Comparison
#
# Four synthetic cases, one per row of the table above: a clear 2x speed-up, no
# difference, a tiny 1% difference measured so precisely that it is significant but not
# meaningful, and a candidate that is slower.

# %% nbgrader={"grade": true, "grade_id": "test-compare", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: percentile, permutation_test, speedup_ci
def test_compare():
    """Significant and meaningful, not significant, significant but not meaningful, slower."""
    print("🔬 Unit Test: compare...")

    rng = np.random.default_rng(7)
    fast = BenchmarkResult("fast", rng.normal(1.0e-3, 0.05e-3, size=30))
    slow = BenchmarkResult("slow", rng.normal(2.0e-3, 0.10e-3, size=30))
    result = compare(slow, fast)
    assert isinstance(result, Comparison), f"compare should return a Comparison, got {type(result).__name__}"
    assert result.baseline == "slow" and result.candidate == "fast", "the names should come from the BenchmarkResults"
    assert abs(result.speedup - np.median(slow.times) / np.median(fast.times)) < 1e-12, f"speedup = median(baseline) / median(candidate), got {result.speedup}"
    assert 1.9 < result.speedup < 2.1 and result.ci[0] < result.speedup < result.ci[1], f"speed-up about 2 inside its CI, got {result.speedup} {result.ci}"
    assert result.significant is True and result.meaningful is True, "a clear 2x speed-up is significant and meaningful"
    assert abs(result.p_value - 1 / 2001) < 1e-12, f"p should be 1/2001 with the default 2000 resamples, got {result.p_value}"
    assert "fast is 2.0" in result.verdict and "faster than slow" in result.verdict, f"unexpected verdict: {result.verdict!r}"

    same = compare(np.random.default_rng(11).normal(1.0e-3, 0.05e-3, size=40),
                   np.random.default_rng(12).normal(1.0e-3, 0.05e-3, size=40))
    assert same.baseline == "baseline" and same.candidate == "candidate", "arrays get the names 'baseline' and 'candidate'"
    assert same.significant is False and same.meaningful is False, f"same distribution: not significant, got p = {same.p_value}"
    assert same.verdict.startswith("no significant difference"), f"unexpected verdict: {same.verdict!r}"

    precise = np.random.default_rng(3)
    tiny = compare(precise.normal(1.00e-3, 0.002e-3, size=200), precise.normal(0.99e-3, 0.002e-3, size=200))
    assert tiny.significant is True, f"a 1% difference with almost no noise is significant, got p = {tiny.p_value}"
    assert tiny.meaningful is False, "but 1% is below min_effect = 5%: not meaningful"
    assert 1.005 < tiny.speedup < 1.015, f"the speed-up should be about 1.01, got {tiny.speedup}"
    assert compare(precise.normal(1.00e-3, 0.002e-3, size=200), precise.normal(0.99e-3, 0.002e-3, size=200),
                   min_effect=0.005).meaningful is True, "with min_effect = 0.5% the 1% speed-up matters"

    few = compare([1.0e-3, 1.6e-3, 0.7e-3, 1.9e-3, 1.3e-3], [1.1e-3, 0.6e-3, 1.5e-3, 0.9e-3, 1.2e-3])
    assert few.speedup > 1.05 and few.significant is False and few.meaningful is False, (
        f"5 noisy runs each: an 18% difference in the medians, but not significant (p = {few.p_value:.2f}), so not meaningful either"
    )

    # The boundaries: p exactly alpha is not significant; an effect of exactly min_effect matters
    edge = compare(slow, fast, n_resamples=19)
    assert edge.p_value == 0.05 and edge.significant is False and edge.meaningful is False, (
        f"with 19 shuffles the smallest p-value is 1/20 = 0.05 = alpha: not significant (p < alpha), got {edge}"
    )
    assert compare(slow, fast, n_resamples=19, alpha=np.float64(0.051)).significant is True, (
        "p = 0.05 < alpha = 0.051: significant (a Python bool, also when alpha is a numpy float)"
    )
    base_21 = [2.1 + 0.001 * k for k in range(-10, 11)]   # median exactly 2.1
    cand_20 = [2.0 + 0.001 * k for k in range(-10, 11)]   # median exactly 2.0: speed-up exactly 1.05
    exact = compare(base_21, cand_20, min_effect=np.float64(0.05))
    assert exact.speedup == 1.05 and exact.significant is True and exact.meaningful is True, (
        f"a speed-up of exactly 1 + min_effect (1.05) is meaningful (>=), got {exact}"
    )
    data = np.random.default_rng(21)
    a13, b21 = data.lognormal(0.0, 0.3, size=13), data.lognormal(0.15, 0.3, size=21)
    moderate = compare(a13, b21, n_resamples=300, seed=4)
    assert moderate.p_value == permutation_test(a13, b21, n_permutations=300, seed=4), (
        "compare(baseline, candidate) should run permutation_test(baseline timings, candidate timings, ...), in that order"
    )
    assert type(moderate.speedup) is float, f"speedup should be a Python float, got {type(moderate.speedup).__name__}"
    configured = compare(slow, fast, confidence=0.8, n_resamples=300, seed=5)
    assert configured.ci == speedup_ci(slow.times, fast.times, confidence=0.8, n_resamples=300, seed=5), (
        "compare must pass confidence, n_resamples and seed on to speedup_ci"
    )
    assert configured.p_value == permutation_test(slow.times, fast.times, n_permutations=300, seed=5), (
        "compare must pass n_resamples and seed on to permutation_test"
    )

    slower = compare(fast, slow)
    assert slower.significant and slower.meaningful and 0.47 < slower.speedup < 0.53, f"slow vs fast: speed-up about 0.5, got {slower.speedup}"
    assert "slow is 2.0" in slower.verdict and "slower than fast" in slower.verdict, f"unexpected verdict: {slower.verdict!r}"
    print(f"✅ {result.verdict}")
    print(f"✅ {same.verdict}")
    print(f"✅ {tiny.verdict}")

test_compare()

# %% [markdown]
# ## Step 6: MLPerf Scenarios — Latency or Throughput?
#
# "How fast is this model?" has no single answer, because it depends on how the queries
# arrive. MLPerf Inference (Reddi et al., 2020), the industry's standard inference
# benchmark, therefore measures a model in **scenarios**, each with its own metric:
#
# | scenario          | how queries arrive                                       | metric                                   | real-world example                  |
# | ----------------- | -------------------------------------------------------- | ---------------------------------------- | ----------------------------------- |
# | **single-stream** | one at a time; the next is sent when the last returns    | 90th-percentile latency                  | a phone's keyboard suggestions      |
# | **multi-stream**  | a fixed group of samples at a fixed interval             | 99th-percentile latency (not built here) | a car's cameras, every frame        |
# | **server**        | at random (Poisson) times, at a target rate              | the highest rate (QPS) whose p99 latency stays under a bound (e.g. 15 ms for ResNet-50) | a translation or search API         |
# | **offline**       | all at once                                              | throughput (samples per second)          | tagging a photo library overnight   |
#
# The scenarios pull in opposite directions because of **batching**. A forward pass has
# a fixed cost per call (Python dispatch, reading the weights from memory, launching
# kernels) and a cost per sample. With a cost model `t(b) = α + β·b` for a batch of `b`:
#
# ```
#  α = 1 ms, β = 0.1 ms                          batch 1       batch 64
#  time per call                 t(b)             1.1 ms         7.4 ms
#  throughput                    b / t(b)         909/s        8649/s    ← offline loves big batches
#  latency seen by one sample    t(b)             1.1 ms         7.4 ms    ← single-stream hates them
# ```
#
# Offline amortises `α` over many samples; single-stream pays it for every query. A server
# sits in between: it wants to batch for throughput, but every query waiting for a batch
# to fill adds to its latency.
#
# ### The model interface
# A scenario takes a `model` — any callable that accepts a batch (`samples[i:j]`, a numpy
# array whose first axis is the batch) — and the `samples`. To benchmark a TinyTorch network,
# wrap it: `lambda batch: mlp(Tensor(batch))`. The returned `ScenarioResult` (provided)
# holds the `latencies` (per query; per batch for offline), a `metrics` dict, and for
# scenarios with a target, `target` and `meets_target`. Its `headline()` is the
# scenario's MLPerf metric.

# %% nbgrader={"grade": false, "grade_id": "scenario-result", "locked": true, "schema_version": 3, "solution": false}
#| export
@dataclass(eq=False)
class ScenarioResult:
    """
    The outcome of one scenario run.

    scenario: "single-stream", "offline" or "server"; name: the model's name;
    latencies: seconds per query (per batch for offline); metrics: the numbers below;
    target / meets_target: the latency bound (seconds) and whether it was met, or None.
    """

    scenario: str
    name: str
    latencies: np.ndarray
    metrics: dict
    target: float = None
    meets_target: bool = None

    HEADLINES = {
        "single-stream": ("p90 latency", "p90_latency_s"),
        "offline": ("throughput", "throughput_sps"),
        "server": ("p99 latency", "p99_latency_s"),
    }

    @property
    def label(self):
        """'single-stream', 'offline', or 'server (500 QPS)'."""
        if self.scenario == "server":
            qps = self.metrics["qps"]
            return f"server ({qps:,.0f} QPS)" if qps >= 10 else f"server ({qps:g} QPS)"
        return self.scenario

    @property
    def value(self):
        """The headline metric's value (seconds, or samples/s for offline)."""
        return self.metrics[self.HEADLINES[self.scenario][1]]

    def headline(self):
        """(metric name, formatted value), e.g. ('p90 latency', '41.7 µs')."""
        label, _ = self.HEADLINES[self.scenario]
        if self.scenario == "offline":
            return label, f"{self.value:,.0f} samples/s"
        return label, format_seconds(self.value)

    def to_dict(self):
        return {
            "scenario": self.scenario, "name": self.name, "label": self.label,
            "target_s": None if self.target is None else float(self.target),
            "meets_target": None if self.meets_target is None else bool(self.meets_target),
            "metrics": {key: (value if isinstance(value, (int, str)) else float(value))
                        for key, value in self.metrics.items()},
            "latencies_s": [float(t) for t in self.latencies],
        }

    def __repr__(self):
        metric, value = self.headline()
        target = "" if self.target is None else (
            f", target {format_seconds(self.target)}: {'met' if self.meets_target else 'MISSED'}")
        return f"ScenarioResult({self.name!r}, {self.label}, {self.metrics['samples']} samples, {metric} {value}{target})"

# %% nbgrader={"grade": false, "grade_id": "single-stream-offline", "locked": false, "schema_version": 3, "solution": true}
#| export
def single_stream(model, samples, warmup=2, clock=time.perf_counter, name="model", target_p90=None):
    """
    MLPerf single-stream: send the samples one at a time and record each query's latency.

    TODO: Warm up, then time model(samples[i:i+1]) for every i, and summarise.

    STEP-BY-STEP IMPLEMENTATION:
    1. n = len(samples); n == 0 is a ValueError
    2. Warm up: call model(samples[:1]) `warmup` times, untimed
    3. For i in range(n): query = samples[i:i + 1]; latency[i] = the clock difference
       around model(query)
    4. metrics = {"samples": n, "mean_latency_s": ..., "p50_latency_s": ...,
                  "p90_latency_s": ..., "p99_latency_s": ...}   (floats, via percentile)
    5. meets_target = None if target_p90 is None, else p90 <= target_p90
    6. Return ScenarioResult("single-stream", name, latencies, metrics, target_p90, meets_target)

    EXAMPLE USAGE:
    ```python
    result = single_stream(lambda b: mlp(Tensor(b)), x_test, name="mlp", target_p90=1e-3)
    result.metrics["p90_latency_s"], result.meets_target
    ```

    IMPLEMENTATION HINTS:
    - samples[i:i + 1] keeps the batch axis (shape (1, ...)); samples[i] would drop it
    - Build the latencies in a numpy array (np.empty(n)) so the result holds an ndarray
    """
    ### BEGIN SOLUTION
    n = len(samples)
    if n == 0:
        raise ValueError("single_stream needs at least one sample")
    for _ in range(warmup):
        model(samples[:1])
    latencies = np.empty(n)
    for i in range(n):
        query = samples[i:i + 1]
        start = clock()
        model(query)
        latencies[i] = clock() - start
    metrics = {
        "samples": n,
        "mean_latency_s": float(latencies.mean()),
        "p50_latency_s": percentile(latencies, 50),
        "p90_latency_s": percentile(latencies, 90),
        "p99_latency_s": percentile(latencies, 99),
    }
    meets = None if target_p90 is None else bool(metrics["p90_latency_s"] <= target_p90)
    return ScenarioResult("single-stream", name, latencies, metrics, target_p90, meets)
    ### END SOLUTION


def offline(model, samples, batch_size=64, warmup=1, clock=time.perf_counter, name="model"):
    """
    MLPerf offline: push every sample through in batches and report the throughput.

    TODO: Warm up, then time the whole pass (and each batch) and compute samples per second.

    STEP-BY-STEP IMPLEMENTATION:
    1. n = len(samples); n == 0 or batch_size < 1 is a ValueError
    2. Warm up: `warmup` untimed calls of the model on the first batch (the first
       batch_size samples)
    3. Read the clock once before the first batch. For each batch (consecutive slices of
       batch_size samples; the last may be shorter): time the model call on it and keep
       that batch latency. After the last batch, the elapsed time is the clock now minus
       the first reading
    4. metrics: "samples" (n), "batch_size", "batches" (how many were run), "elapsed_s"
       and "throughput_sps" (samples per second over the whole pass)
    5. Return ScenarioResult("offline", name, batch_latencies (ndarray), metrics)

    EXAMPLE USAGE:
    ```python
    offline(lambda b: mlp(Tensor(b)), x_test, batch_size=64).metrics["throughput_sps"]
    # 100 samples, batch 32: batches of 32, 32, 32 and 4
    ```

    IMPLEMENTATION HINTS:
    - range(0, n, batch_size) gives the start of every batch; the last one may be smaller
    """
    ### BEGIN SOLUTION
    n = len(samples)
    if n == 0:
        raise ValueError("offline needs at least one sample")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    for _ in range(warmup):
        model(samples[:batch_size])
    batch_latencies = []
    start = clock()
    for begin in range(0, n, batch_size):
        batch = samples[begin:begin + batch_size]
        batch_start = clock()
        model(batch)
        batch_latencies.append(clock() - batch_start)
    elapsed = clock() - start
    metrics = {
        "samples": n,
        "batch_size": batch_size,
        "batches": len(batch_latencies),
        "elapsed_s": float(elapsed),
        "throughput_sps": n / elapsed,
    }
    return ScenarioResult("offline", name, np.array(batch_latencies), metrics)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test the Two Scenarios
#
# A fake model that advances a `ManualClock` by a known cost per call: for single-stream,
# sample number `v` costs `v` ms (so the latencies are 1, 2, ..., 100 ms and p90 is
# 90.1 ms); for offline, `t(b) = 1 ms + 0.1 ms · b`, the cost model of the table above.

# %% nbgrader={"grade": true, "grade_id": "test-scenarios", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: percentile
def test_scenarios():
    """single_stream and offline with fake models on a ManualClock."""
    print("🔬 Unit Test: single_stream and offline...")

    clock = ManualClock()
    batches = []

    def value_ms_model(batch):  # sample v takes v milliseconds
        batches.append(np.array(batch))
        clock.advance(float(np.sum(batch)) * 1e-3)

    samples = np.arange(1, 101, dtype=float).reshape(100, 1)
    ss = single_stream(value_ms_model, samples, warmup=2, clock=clock, name="fake", target_p90=np.float64(0.095))
    assert isinstance(ss, ScenarioResult) and ss.scenario == "single-stream" and ss.name == "fake", f"got {ss!r}"
    assert len(batches) == 102 and all(b.shape == (1, 1) for b in batches), "2 warm-up calls + 100 queries, each a batch of one (shape (1, 1))"
    assert np.allclose(ss.latencies, np.arange(1, 101) * 1e-3, rtol=0, atol=1e-12), "query v should take v ms; warm-ups not recorded"
    assert isinstance(ss.latencies, np.ndarray), "latencies should be a numpy array"
    for key, expected in (("samples", 100), ("p50_latency_s", 0.0505), ("p90_latency_s", 0.0901),
                          ("p99_latency_s", 0.09901), ("mean_latency_s", 0.0505)):
        assert key in ss.metrics and abs(ss.metrics[key] - expected) < 1e-9, f"metrics[{key!r}] should be {expected}, got {ss.metrics.get(key)}"
    assert ss.target == 0.095 and ss.meets_target is True, "p90 = 90.1 ms meets a 95 ms target (a Python bool, not np.bool_)"
    assert all(type(ss.metrics[key]) is float for key in ("mean_latency_s", "p50_latency_s", "p90_latency_s", "p99_latency_s")), (
        f"the latency metrics should be Python floats, got {[type(v).__name__ for v in ss.metrics.values()]}"
    )
    one = single_stream(value_ms_model, samples[:1], warmup=0, clock=clock)
    assert one.metrics["samples"] == 1 and np.isclose(one.metrics["p90_latency_s"], 1e-3), "a single query is a valid run"
    assert single_stream(value_ms_model, samples, clock=clock, target_p90=0.080).meets_target is False, "90.1 ms misses an 80 ms target"
    assert single_stream(value_ms_model, samples[:5], clock=clock).meets_target is None, "no target: meets_target is None"
    clock.now = 0.0  # the same clock readings as a first run, so the same p90 to the last bit
    p90 = single_stream(value_ms_model, samples, warmup=0, clock=clock).metrics["p90_latency_s"]
    clock.now = 0.0
    exactly = single_stream(value_ms_model, samples, warmup=0, clock=clock, target_p90=p90)
    assert exactly.metrics["p90_latency_s"] == p90 and exactly.meets_target is True, (
        "a p90 exactly equal to the target meets it (p90 <= target)"
    )
    calls_before = len(batches)
    try:
        single_stream(value_ms_model, samples[:0], clock=clock)
        assert False, "single_stream with no samples should raise ValueError"
    except ValueError:
        pass
    assert len(batches) == calls_before, "with no samples single_stream should raise before any (warm-up) model call"
    assert ss.headline() == ("p90 latency", "90.10 ms"), f"headline should be ('p90 latency', '90.10 ms'), got {ss.headline()}"

    sizes = []

    def linear_cost_model(batch):  # t(b) = 1 ms + 0.1 ms * b
        sizes.append(len(batch))
        clock.advance(1e-3 + 1e-4 * len(batch))

    off = offline(linear_cost_model, np.zeros((100, 3)), batch_size=32, warmup=1, clock=clock, name="fake")
    assert off.scenario == "offline" and sizes == [32, 32, 32, 32, 4], f"one warm-up batch, then batches of 32, 32, 32, 4; got {sizes}"
    assert off.metrics["samples"] == 100 and off.metrics["batch_size"] == 32 and off.metrics["batches"] == 4, f"got {off.metrics}"
    assert np.allclose(off.latencies, [4.2e-3, 4.2e-3, 4.2e-3, 1.4e-3]), f"batch latencies should be 4.2, 4.2, 4.2, 1.4 ms, got {off.latencies}"
    assert abs(off.metrics["elapsed_s"] - 0.014) < 1e-12, f"elapsed should be 14 ms, got {off.metrics['elapsed_s']}"
    assert abs(off.metrics["throughput_sps"] - 100 / 0.014) < 1e-6, f"throughput should be 7142.86 samples/s, got {off.metrics['throughput_sps']}"
    assert type(off.metrics["elapsed_s"]) is float and type(off.metrics["throughput_sps"]) is float, (
        "elapsed_s and throughput_sps should be Python floats"
    )
    assert off.headline() == ("throughput", "7,143 samples/s"), f"got {off.headline()}"
    assert isinstance(off.latencies, np.ndarray) and off.latencies.shape == (4,), (
        f"offline latencies should be a numpy array of the 4 batch times, got {type(off.latencies).__name__}"
    )
    exact_fit = offline(linear_cost_model, np.zeros((96, 3)), batch_size=32, warmup=0, clock=clock)
    assert exact_fit.metrics["batches"] == 3 and sizes[-3:] == [32, 32, 32], "96 samples in batches of 32: exactly 3 batches"
    ticks = [0]                                   # a clock that counts whole ticks (ints), like perf_counter_ns

    def tick_model(batch):
        ticks[0] += 5

    counted = offline(tick_model, np.zeros((6, 1)), batch_size=4, warmup=0, clock=lambda: ticks[0])
    assert counted.metrics["elapsed_s"] == 10 and type(counted.metrics["elapsed_s"]) is float, (
        f"elapsed_s should be a Python float even when the clock counts in ints, got {counted.metrics['elapsed_s']!r}"
    )
    one_by_one = offline(linear_cost_model, np.zeros((100, 3)), batch_size=1, clock=clock)
    assert abs(one_by_one.metrics["throughput_sps"] - 100 / 0.11) < 1e-6, "batch 1: 100 calls of 1.1 ms = 909.09 samples/s"
    for bad in ({"batch_size": 0}, {"batch_size": -1}, {"samples": np.zeros((0, 3))}):
        calls_before = len(sizes)
        try:
            offline(linear_cost_model, bad.get("samples", np.zeros((4, 3))), batch_size=bad.get("batch_size", 2), clock=clock)
            assert False, f"offline with {bad} should raise ValueError"
        except ValueError:
            pass
        assert len(sizes) == calls_before, f"offline with {bad} should raise before any (warm-up) model call"
    print(f"✅ {ss}")
    print(f"✅ {off}")
    print(f"✅ batch 1: {one_by_one.metrics['throughput_sps']:,.0f} samples/s; batch 32: {off.metrics['throughput_sps']:,.0f} samples/s")

test_scenarios()

# %% [markdown]
# ## Step 7: The Server Scenario — Random Arrivals and Queues
#
# A server does not choose when queries come. Thousands of independent users each send a
# request now and then; together they form a **Poisson process**: at rate `λ` queries per
# second, the gaps between arrivals are independent and **exponentially distributed** with
# mean `1/λ`. Exponential gaps are *memoryless* — having waited 5 ms tells you nothing
# about when the next query comes — and bursty: at 100 QPS (mean gap 10 ms), 18% of the
# gaps are shorter than 2 ms. MLPerf's load generator sends server queries exactly this way.
#
# ```
#  uniform 100 QPS:   |    |    |    |    |    |    |    |    |    |      never two at once
#  Poisson 100 QPS:   ||  |       | |||      |   |  ||        |  | |     bursts and lulls
# ```
#
# ### Queueing
# With one model instance, a query that arrives while the model is busy **waits**. Let
# query `i` arrive at `a[i]` and need `s[i]` seconds of service. First come, first served:
#
# ```
#  start[i]  = max(a[i], finish[i-1])      # wait until the server is free
#  finish[i] = start[i] + s[i]
#  latency   = finish[i] - a[i]  =  (start[i] - a[i])  +  s[i]
#                                    queueing wait        service time
# ```
#
# The **utilisation** `ρ = λ · mean(s)` is the fraction of time the server is busy. Waits
# grow slowly at first and then explode as `ρ → 1`. For Poisson arrivals and a constant
# service time `s` (the M/D/1 queue) the mean wait is `s · ρ / (2(1 - ρ))`:
#
# ```
#  ρ      0.5     0.8     0.9     0.95    0.99
#  wait   0.5 s   2 s     4.5 s   9.5 s   49.5 s        (in units of the service time s)
#
#   wait │                                   ╭
#        │                                  ╭╯
#        │                               ╭──╯
#        │                        ╭──────╯
#        │ ────────────────────────╯
#        └──────────────────────────────────────── ρ
#        0                                0.9   1
# ```
#
# This is why servers are never run at 100% utilisation, and why the server scenario's
# answer — the highest QPS whose p99 latency stays under the bound — is usually well below
# `1 / mean(s)`, the rate at which the server would be busy all the time.
#
# ### Little's law
# One more relation holds for *any* stable queue, whatever the distributions: the average
# number of queries in the system `L` equals the arrival rate `λ` times the average time
# each spends in it `W`:
#
# ```
#  L = λ · W            500 queries/s × 4 ms mean latency = 2 queries in the server on average
# ```
#
# It is the capacity planner's tool: it tells you how many requests your server must hold
# in memory at once, or, turned around, how many concurrent workers a target rate needs.
# `simulate_server` reports `in_system = qps × mean latency`.
#
# ### Why simulate?
# Measuring a real server scenario needs a load generator running alongside the model and
# minutes of traffic to pin down a p99 (MLPerf runs each for at least ten minutes). We
# instead **measure service times** — single-stream latencies, one query at a time — and
# **simulate** the queue from them. The simulation is exact for the model it assumes (one
# worker, first come first served, no batching, service times that do not depend on the
# load), runs in milliseconds, and is **deterministic given the service times and the
# seed**, so it can be tested. The timing noise lives only in the measured service times.
# What it leaves out is real: several workers, dynamic batching, and contention that
# makes service slower under load. One more caveat applies to every simulation (and every
# short load test): a queue that starts empty needs time to fill. Near full utilisation
# the queue takes thousands of queries to reach its long-run length, so a short run looks
# better than the server will behave. Simulate many more queries than a p99 strictly needs.

# %% nbgrader={"grade": false, "grade_id": "poisson-arrivals", "locked": false, "schema_version": 3, "solution": true}
#| export
def poisson_arrivals(n, qps, seed=0):
    """
    Arrival times (seconds, increasing) of n queries from a Poisson process at `qps` per second.

    TODO: Draw n exponential gaps with mean 1/qps from a seeded generator and add them up.

    STEP-BY-STEP IMPLEMENTATION:
    1. n < 0 or qps <= 0 is a ValueError
    2. Make one generator from `seed` (numpy's default_rng)
    3. Draw n exponential gaps from it whose mean is 1/qps
    4. Return np.cumsum(gaps) (the first query arrives after the first gap)

    EXAMPLE USAGE:
    ```python
    arrivals = poisson_arrivals(10000, 250.0, seed=0)
    len(arrivals) / arrivals[-1]        # about 250 queries per second
    poisson_arrivals(5, 500.0, seed=0)  # == poisson_arrivals(5, 250.0, seed=0) / 2
    ```

    IMPLEMENTATION HINTS:
    - numpy's exponential takes the *scale* (the mean gap), not the rate
    - The same seed at a different rate gives the same pattern, squeezed or stretched:
      max_qps (below) relies on that
    """
    ### BEGIN SOLUTION
    if n < 0:
        raise ValueError(f"the number of queries cannot be negative, got {n}")
    if qps <= 0:
        raise ValueError(f"qps must be positive, got {qps}")
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / qps, size=n)
    return np.cumsum(gaps)
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Arrivals
#
# A Poisson process has a recognisable fingerprint: the right rate, gaps whose standard
# deviation equals their mean (an exponential's coefficient of variation is 1), and counts
# per second whose variance equals their mean.

# %% nbgrader={"grade": true, "grade_id": "test-poisson-arrivals", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_poisson_arrivals():
    """The rate, the exponential gaps, Poisson counts, reproducibility and scaling."""
    print("🔬 Unit Test: poisson_arrivals...")

    arrivals = poisson_arrivals(20000, 250.0, seed=3)
    assert isinstance(arrivals, np.ndarray) and arrivals.shape == (20000,), f"expected an array of 20000 times, got {getattr(arrivals, 'shape', arrivals)}"
    gaps = np.diff(np.concatenate([[0.0], arrivals]))
    assert np.all(gaps > 0), "arrival times must increase, starting after 0"
    rate = arrivals.size / arrivals[-1]
    assert abs(rate / 250.0 - 1) < 0.03, f"the measured rate should be about 250 QPS, got {rate:.1f}"
    assert abs(gaps.mean() / 0.004 - 1) < 0.03, f"the mean gap should be about 4 ms, got {gaps.mean() * 1e3:.3f} ms"
    assert abs(gaps.std() / gaps.mean() - 1) < 0.05, f"exponential gaps have std = mean, got ratio {gaps.std() / gaps.mean():.3f}"
    counts = np.histogram(arrivals, bins=np.arange(0.0, 79.0))[0]  # arrivals in each whole second
    assert abs(counts.mean() / 250 - 1) < 0.03 and abs(counts.var() / counts.mean() - 1) < 0.5, (
        f"Poisson counts per second have variance = mean; got mean {counts.mean():.1f}, variance {counts.var():.1f}"
    )

    assert np.array_equal(poisson_arrivals(50, 10.0, seed=1), poisson_arrivals(50, 10.0, seed=1)), "same seed, same arrivals"
    assert not np.array_equal(poisson_arrivals(50, 10.0, seed=1), poisson_arrivals(50, 10.0, seed=2)), "another seed, other arrivals"
    assert np.allclose(poisson_arrivals(100, 500.0, seed=4), poisson_arrivals(100, 250.0, seed=4) / 2, rtol=1e-12), (
        "at twice the rate the same seed should give the same pattern, twice as dense"
    )
    assert poisson_arrivals(0, 10.0).shape == (0,), "zero queries: an empty array"
    try:
        poisson_arrivals(-1, 10.0)
        assert False, "n = -1 queries should raise ValueError"
    except ValueError:
        pass
    for bad_qps in (0.0, -5.0):
        try:
            poisson_arrivals(10, bad_qps)
            assert False, f"qps = {bad_qps} should raise ValueError"
        except ValueError:
            pass
    print(f"✅ 20000 arrivals at 250 QPS: measured {rate:.1f} QPS, gap std/mean {gaps.std() / gaps.mean():.3f}")
    print(f"✅ counts per second: mean {counts.mean():.1f}, variance {counts.var():.1f}")

test_poisson_arrivals()

# %% nbgrader={"grade": false, "grade_id": "simulate-queue", "locked": false, "schema_version": 3, "solution": true}
#| export
def simulate_queue(arrivals, service_times):
    """
    A single-server first-come-first-served queue.

    Returns a dict of numpy arrays, one value per query: "start", "finish", "wait"
    (start - arrival) and "latency" (finish - arrival = wait + service).

    TODO: Walk through the queries in arrival order; each starts when it has arrived and
    the server has finished the previous one.

    STEP-BY-STEP IMPLEMENTATION:
    1. arrivals, service as 1-D float arrays; different lengths, or arrivals that are not
       sorted (non-decreasing), is a ValueError
    2. free_at = -inf (the server is idle before the first query)
    3. For each query i, in order: it starts at the later of its arrival and free_at; it
       finishes its service time after it starts; the server is then free at that finish
    4. Return {"start": start, "finish": finish, "wait": start - arrivals,
               "latency": finish - arrivals}

    EXAMPLE USAGE:
    ```python
    trace = simulate_queue([0, 1, 2, 10], [3, 1, 1, 2])
    trace["start"]     # [0, 3, 4, 10]: query 1 arrives at 1 but waits until 3
    trace["latency"]   # [3, 3, 3, 2]
    ```

    IMPLEMENTATION HINTS:
    - np.diff gives the gaps between consecutive arrivals: a negative gap means unsorted
      (a gap of 0 is fine: two queries may arrive at the same time)
    - Keep everything float: integer arrival times with fractional service times are fine
    - A plain Python loop is fine (this is the Lindley recursion of queueing theory)
    """
    ### BEGIN SOLUTION
    arrivals = np.asarray(arrivals, dtype=float).ravel()
    service = np.asarray(service_times, dtype=float).ravel()
    if arrivals.shape != service.shape:
        raise ValueError(f"need one service time per arrival, got {arrivals.size} arrivals and {service.size} service times")
    if np.any(np.diff(arrivals) < 0):
        raise ValueError("arrival times must be sorted (non-decreasing)")
    start = np.empty_like(arrivals)
    finish = np.empty_like(arrivals)
    free_at = -np.inf
    for i in range(arrivals.size):
        start[i] = max(arrivals[i], free_at)
        finish[i] = start[i] + service[i]
        free_at = finish[i]
    return {"start": start, "finish": finish, "wait": start - arrivals, "latency": finish - arrivals}
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Queue
#
# The first case is small enough to check by hand:
#
# ```
#  time   0    1    2    3    4    5    ...   10   11   12
#  q0     ████████████                                       arrives 0, served 0-3
#  q1          ·········████                                  arrives 1, waits 2, served 3-4
#  q2               ·········████                             arrives 2, waits 2, served 4-5
#  q3                                         ████████        arrives 10, served 10-12
# ```

# %% nbgrader={"grade": true, "grade_id": "test-simulate-queue", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_simulate_queue():
    """A hand-computed example, an idle server, simultaneous arrivals, and bad input."""
    print("🔬 Unit Test: simulate_queue...")

    trace = simulate_queue([0, 1, 2, 10], [3, 1, 1, 2])
    assert isinstance(trace, dict) and set(trace) >= {"start", "finish", "wait", "latency"}, f"expected a dict with start/finish/wait/latency, got {trace!r}"
    for key, expected in (("start", [0, 3, 4, 10]), ("finish", [3, 4, 5, 12]), ("wait", [0, 2, 2, 0]), ("latency", [3, 3, 3, 2])):
        assert isinstance(trace[key], np.ndarray) and np.allclose(trace[key], expected), f"{key} should be {expected}, got {trace[key]}"

    shaped = simulate_queue(np.array([[0, 1, 2, 10]]), [[3], [1], [1], [2]])  # a row and a column of 4 values
    assert shaped["latency"].shape == (4,) and np.allclose(shaped["latency"], [3, 3, 3, 2]), (
        "arrivals and service times of any shape are flattened to 1-D first"
    )
    idle = simulate_queue([0.0, 5.0, 10.0], [1.0, 1.0, 1.0])
    assert np.allclose(idle["wait"], 0) and np.allclose(idle["latency"], 1), "queries that never overlap never wait"
    burst = simulate_queue([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    assert np.allclose(burst["latency"], [1, 2, 3]), f"three queries at once finish after 1, 2 and 3 s, got {burst['latency']}"
    mixed = simulate_queue([0, 1, 1], [0.5, 0.75, 0.25])  # integer arrivals, fractional service times
    assert np.allclose(mixed["start"], [0.0, 1.0, 1.75]) and np.allclose(mixed["finish"], [0.5, 1.75, 2.0]), (
        f"integer arrival times must not truncate the results to integers, got start {mixed['start']} finish {mixed['finish']}"
    )
    early = simulate_queue([-2.0, -1.5], [1.0, 1.0])  # times measured from some later origin
    assert np.allclose(early["start"], [-2.0, -1.0]) and np.allclose(early["wait"], [0.0, 0.5]), (
        f"the server is idle before the first query, whenever that is (free_at = -inf), got start {early['start']}"
    )
    late = simulate_queue([1.0, 2.0], [0.5, 0.25])
    assert np.allclose(late["start"], [1.0, 2.0]), "an idle server starts each query when it arrives (not at time 0)"

    rng = np.random.default_rng(0)
    arrivals, service = np.cumsum(rng.exponential(1.0, 500)), rng.uniform(0.2, 1.2, 500)
    big = simulate_queue(arrivals, service)
    assert np.all(big["wait"] >= 0) and np.allclose(big["latency"], big["wait"] + service), "latency = wait + service, waits >= 0"
    assert np.all(np.diff(big["finish"]) > 0) and np.all(big["start"] >= arrivals), "FIFO: finishes in order, never before arrival"
    assert np.all(big["start"][1:] >= big["finish"][:-1] - 1e-12), "one server: a query starts only after the previous one finished"

    for bad_arrivals, bad_service, what in (([0, 1], [1], "2 arrivals and 1 service time"),
                                            ([0, 2, 1], [1, 1, 1], "unsorted arrivals")):
        try:
            simulate_queue(bad_arrivals, bad_service)
            assert False, f"simulate_queue with {what} should raise ValueError"
        except ValueError:
            pass
    print(f"✅ hand example: latencies {trace['latency'].tolist()}")
    print(f"✅ 500 random queries at utilisation ~0.7: mean wait {big['wait'].mean():.2f}, p99 latency {np.percentile(big['latency'], 99):.2f}")

test_simulate_queue()

# %% [markdown]
# ### The server scenario and its capacity
#
# `simulate_server(service_times, qps, target_p99)` puts it together: Poisson arrivals at
# `qps`, one service time per query, the queue, and the p99 of the latencies against the
# target. To simulate more queries than there are measured service times (a p99 needs
# many queries: with 100 queries it is decided by the single slowest one), it repeats the
# measured times cyclically.
#
# `max_qps` then answers MLPerf's server question: the highest rate whose p99 meets the
# target. It **bisects** between 0 and the capacity `1 / mean(s)`: try the middle; if it
# meets the target the answer is above, otherwise below; halve the interval until it is
# `tol` (1%) of its upper end. Bisection needs the p99 to grow with the rate, and with a
# fixed seed it does: `poisson_arrivals` at twice the rate is the *same* arrival pattern
# squeezed to half the gaps, so every wait can only grow.
#
# `server(model, samples, qps, target_p99)` (provided) measures the service times with
# `single_stream` and calls `simulate_server`.

# %% nbgrader={"grade": false, "grade_id": "simulate-server", "locked": false, "schema_version": 3, "solution": true}
#| export
def simulate_server(service_times, qps, target_p99, seed=0, n_queries=None, name="model"):
    """
    The MLPerf server scenario, simulated: Poisson arrivals at `qps` into a FIFO queue.

    TODO: Generate the arrivals, run the queue with the service times, and summarise the
    latencies against the p99 target.

    STEP-BY-STEP IMPLEMENTATION:
    1. service = service_times as a 1-D float array; n_queries defaults to its length;
       repeat the service times cyclically to n_queries values (np.resize does exactly that)
    2. The arrival times: your poisson_arrivals for n_queries queries at qps, with seed
    3. latency = simulate_queue(arrivals, service)["latency"]; keep the "wait" too
    4. metrics = {"samples": n_queries, "qps": float(qps),
                  "utilization": qps * mean(service), "mean_service_s": mean(service),
                  "mean_wait_s": mean(wait), "mean_latency_s": mean(latency),
                  "p50_latency_s", "p90_latency_s", "p99_latency_s": percentiles of latency,
                  "in_system": qps * mean(latency)}          (Little's law)
    5. meets_target = p99 <= target_p99
    6. Return ScenarioResult("server", name, latency, metrics, target_p99, meets_target)

    EXAMPLE USAGE:
    ```python
    result = simulate_server(np.full(2000, 1e-3), qps=500, target_p99=5e-3)
    result.metrics["utilization"]     # 0.5
    result.metrics["p99_latency_s"], result.meets_target
    ```

    IMPLEMENTATION HINTS:
    - Convert numpy scalars with float(...) so the metrics are plain Python numbers
    """
    ### BEGIN SOLUTION
    service = np.asarray(service_times, dtype=float).ravel()
    if n_queries is None:
        n_queries = service.size
    service = np.resize(service, n_queries)
    arrivals = poisson_arrivals(n_queries, qps, seed)
    trace = simulate_queue(arrivals, service)
    latency, wait = trace["latency"], trace["wait"]
    metrics = {
        "samples": int(n_queries),
        "qps": float(qps),
        "utilization": float(qps * service.mean()),
        "mean_service_s": float(service.mean()),
        "mean_wait_s": float(wait.mean()),
        "mean_latency_s": float(latency.mean()),
        "p50_latency_s": percentile(latency, 50),
        "p90_latency_s": percentile(latency, 90),
        "p99_latency_s": percentile(latency, 99),
        "in_system": float(qps * latency.mean()),
    }
    meets = bool(metrics["p99_latency_s"] <= target_p99)
    return ScenarioResult("server", name, latency, metrics, target_p99, meets)
    ### END SOLUTION


def max_qps(service_times, target_p99, seed=0, n_queries=None, tol=0.01):
    """
    The highest arrival rate whose simulated p99 latency meets `target_p99` (0.0 if none does).

    TODO: Bisect on the rate between 0 and the capacity 1 / mean(service).

    STEP-BY-STEP IMPLEMENTATION:
    1. service = service_times as a 1-D float array, resized to n_queries if given
       (np.resize, as in simulate_server)
    2. If percentile(service, 99) > target_p99, return 0.0: latency >= service time, so
       no rate can meet the target
    3. Bracket the answer: lo = 0.0, hi = the capacity 1 / mean(service)
    4. Up to 100 times: stop once hi - lo <= tol * hi; otherwise simulate the middle rate
       with simulate_server (the same seed every time). If it meets the target, the answer
       is at least that rate: it becomes lo; otherwise it becomes hi
    5. Return lo (a rate that meets the target; lo / (1 - tol) does not)

    EXAMPLE USAGE:
    ```python
    max_qps(np.full(2000, 1e-3), target_p99=3e-3)    # about 330 QPS: a third of the 1000 QPS capacity
    max_qps(np.full(2000, 1e-3), target_p99=0.5e-3)  # 0.0: every query takes 1 ms
    ```

    IMPLEMENTATION HINTS:
    - Use the same seed for every simulate_server call: p99 then grows with the rate
    """
    ### BEGIN SOLUTION
    service = np.asarray(service_times, dtype=float).ravel()
    if n_queries is not None:
        service = np.resize(service, n_queries)
    if percentile(service, 99) > target_p99:
        return 0.0
    lo, hi = 0.0, 1.0 / service.mean()
    for _ in range(100):
        if hi - lo <= tol * hi:
            break
        mid = (lo + hi) / 2
        if simulate_server(service, mid, target_p99, seed).meets_target:
            lo = mid
        else:
            hi = mid
    return float(lo)
    ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "server-scenario", "locked": true, "schema_version": 3, "solution": false}
#| export
def server(model, samples, qps, target_p99, seed=0, n_queries=None, warmup=2, clock=time.perf_counter, name="model"):
    """
    The MLPerf server scenario for a model: measure service times one query at a time
    (single_stream), then simulate Poisson arrivals at `qps` with simulate_server.

    Deterministic given the measured service times and the seed; only the measurement is
    noisy. The simulation assumes one worker, first come first served, and no batching.
    """
    measured = single_stream(model, samples, warmup=warmup, clock=clock, name=name)
    return simulate_server(measured.latencies, qps, target_p99, seed=seed, n_queries=n_queries, name=name)

# %% [markdown]
# ### 🧪 Test the Server Scenario
#
# Constant 1 ms service times make the theory checkable: at 1 QPS there is (almost) no
# queueing, at 900 QPS (`ρ = 0.9`) the M/D/1 formula predicts a mean wait of 4.5 ms.

# %% nbgrader={"grade": true, "grade_id": "test-server", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: percentile, poisson_arrivals, simulate_queue
def test_server():
    """simulate_server against queueing theory; max_qps finds the edge of the target."""
    print("🔬 Unit Test: simulate_server and max_qps...")

    quiet = simulate_server(np.full(1000, 1e-3), qps=1.0, target_p99=2e-3, seed=0, name="fake")
    assert isinstance(quiet, ScenarioResult) and quiet.scenario == "server" and quiet.name == "fake", f"got {quiet!r}"
    assert quiet.latencies.shape == (1000,) and quiet.metrics["samples"] == 1000, "one latency per query"
    assert abs(quiet.metrics["p99_latency_s"] - 1e-3) < 1e-9, f"at 1 QPS nobody waits: p99 = the 1 ms service, got {quiet.metrics['p99_latency_s']}"
    assert quiet.meets_target is True and quiet.target == 2e-3, "1 ms meets a 2 ms target"
    assert simulate_server(np.full(10, 1e-3), 1.0, np.float64(2e-3)).meets_target is True, "meets_target is a Python bool"
    numbers = simulate_server(np.full(10, 1e-3), np.float32(5.0), 2e-3, n_queries=np.int64(10)).metrics
    assert type(numbers["samples"]) is int and all(type(v) is float for k, v in numbers.items() if k != "samples"), (
        f"the metrics should be plain Python numbers (int samples, floats otherwise), got "
        f"{ {k: type(v).__name__ for k, v in numbers.items()} }"
    )
    assert abs(quiet.metrics["utilization"] - 0.001) < 1e-12, f"utilisation = 1 QPS x 1 ms = 0.001, got {quiet.metrics['utilization']}"

    busy = simulate_server(np.full(20000, 1e-3), qps=900.0, target_p99=2e-3, seed=0)
    assert abs(busy.metrics["utilization"] - 0.9) < 1e-9, "utilisation = 900 x 1 ms = 0.9"
    assert abs(busy.metrics["mean_wait_s"] / 4.5e-3 - 1) < 0.25, (
        f"M/D/1 at ρ = 0.9: mean wait ≈ 4.5 ms, got {busy.metrics['mean_wait_s'] * 1e3:.2f} ms"
    )
    assert busy.meets_target is False and busy.metrics["p99_latency_s"] > 10e-3, "at 90% utilisation the p99 is far above 2 ms"
    assert abs(busy.metrics["in_system"] - 900.0 * busy.metrics["mean_latency_s"]) < 1e-9, "in_system = qps x mean latency (Little's law)"
    assert busy.label == "server (900 QPS)", f"label should be 'server (900 QPS)', got {busy.label!r}"

    rng = np.random.default_rng(1)
    service = rng.uniform(0.5e-3, 1.5e-3, size=300)
    result = simulate_server(service, 400.0, 5e-3, seed=9)
    expected = simulate_queue(poisson_arrivals(300, 400.0, seed=9), service)["latency"]
    assert np.allclose(result.latencies, expected), "latencies should be simulate_queue(poisson_arrivals(n, qps, seed), service)"
    for key in ("p50_latency_s", "p90_latency_s", "p99_latency_s", "mean_latency_s", "mean_wait_s", "mean_service_s"):
        assert key in result.metrics, f"metrics should include {key!r}"
    assert np.isclose(result.metrics["p99_latency_s"], np.percentile(expected, 99)), "p99 of the simulated latencies"
    edge = simulate_server(service, 400.0, result.metrics["p99_latency_s"], seed=9)
    assert edge.meets_target is True, "a p99 exactly equal to the target meets it (p99 <= target)"
    cycled = simulate_server([1e-3, 2e-3], 10.0, 1.0, n_queries=5)
    assert cycled.metrics["samples"] == 5 and np.isclose(cycled.metrics["mean_service_s"], 1.4e-3), (
        "n_queries=5 repeats the service times: 1, 2, 1, 2, 1 ms (mean 1.4 ms)"
    )

    constant = np.full(2000, 1e-3)
    best = max_qps(constant, 3e-3, seed=0, tol=0.01)
    assert type(best) is float, f"max_qps should return a Python float, got {type(best).__name__}"
    assert 100 < best < 1000, f"the max QPS for a 3 ms p99 with 1 ms service lies between 100 and the 1000 QPS capacity, got {best}"
    assert simulate_server(constant, best, 3e-3, seed=0).meets_target, f"{best:.1f} QPS should meet the target"
    assert not simulate_server(constant, best / (1 - 0.01) * (1 + 1e-9), 3e-3, seed=0).meets_target, (
        "1% above the answer the target should be missed: bisect until hi - lo <= tol * hi"
    )
    assert max_qps(constant, 0.5e-3) == 0.0, "a 0.5 ms target cannot be met when every query takes 1 ms"
    tick = 2.0 ** -10  # about 1 ms, exactly representable: latencies without waiting are exactly `tick`
    at_service_time = max_qps(np.full(2000, tick), tick)
    assert at_service_time > 0 and simulate_server(np.full(2000, tick), at_service_time, tick).meets_target, (
        f"a target exactly equal to the service time can be met at a low enough rate (only p99 > target is hopeless), got {at_service_time}"
    )
    seeded = max_qps(constant, 3e-3, seed=5)
    assert seeded != best and simulate_server(constant, seeded, 3e-3, seed=5).meets_target, (
        f"max_qps must simulate with the seed it is given (seed 5 gives another edge than seed 0), got {seeded} and {best}"
    )
    assert max_qps([1e-3, 1e-3], 3e-3, n_queries=2000) == best, (
        "n_queries=2000 should repeat two service times to 2000 queries, exactly like np.full(2000, 1e-3)"
    )
    print(f"✅ 1 QPS: p99 {format_seconds(quiet.metrics['p99_latency_s'])}; 900 QPS: mean wait {format_seconds(busy.metrics['mean_wait_s'])} (M/D/1: 4.50 ms)")
    print(f"✅ max QPS with p99 <= 3 ms at 1 ms per query: {best:.0f} (capacity 1000)")

test_server()

# %% [markdown]
# ## Step 8: The Report
#
# A benchmark number nobody else can check is an anecdote. A useful report says:
#
# - **where** it was measured: Python and numpy versions, the platform, the CPU — a
#   number from a laptop on battery is not comparable with one from a server;
# - **what** was measured, with its **uncertainty**: medians with confidence intervals,
#   tail percentiles, how many runs were outliers;
# - the **raw data**, so someone else can recompute any statistic (the JSON holds every
#   timing);
# - a **picture** of the distribution: a histogram shows a second mode (some runs hit a
#   slow path) that no summary statistic will, and the CDF shows the tail.
#
# `BenchmarkReport` collects `BenchmarkResult`s, `ScenarioResult`s and `Comparison`s
# (`add(...)`), and renders them as Markdown (for people) and JSON (for programs).
# `save(directory)` writes both, plus `<stem>_latency.png` when matplotlib is installed; if
# it is not, the report says so and everything else still works. `environment_info()`
# and `plot_latency_distribution()` are provided below.
#
# The Markdown you write looks like this (sections without results are left out; an
# empty cell is `–`):
#
# ```
# # Digits models
#
# Environment: python 3.11.9, numpy 2.2.1, platform Linux-6.1-x86_64, cpus 2
#
# ## Microbenchmarks
#
# | benchmark | runs | median | 95% CI of median | p90 | p99 | outliers |
# | --- | ---: | ---: | ---: | ---: | ---: | ---: |
# | mlp batch=1 | 200 | 41.7 µs | 41.2 µs to 42.3 µs | 48.0 µs | 95.1 µs | 12 |
#
# ## Scenarios
#
# | model | scenario | samples | metric | value | target | meets target |
# | --- | --- | ---: | --- | ---: | ---: | --- |
# | mlp | single-stream | 360 | p90 latency | 45.2 µs | – | – |
# | mlp | server (5,000 QPS) | 2000 | p99 latency | 310.5 µs | 2.00 ms | yes |
#
# ## Comparisons
#
# | baseline | candidate | speed-up | 95% CI | p-value | verdict |
# | --- | --- | ---: | ---: | ---: | --- |
# | cnn | mlp | 2.10x | 2.02x to 2.18x | 0.0005 | mlp is 2.10x faster than cnn (p = 0.0005) |
# ```

# %% nbgrader={"grade": false, "grade_id": "report-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _cpu_model():
    """The CPU's name from /proc/cpuinfo (Linux) or platform.processor(); '' if unknown."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or ""


def environment_info():
    """Where the numbers were measured: Python, numpy, platform, CPU count and model."""
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    cpu = _cpu_model()
    if cpu:
        info["cpu"] = cpu
    return info


def _latencies_and_label(result):
    if isinstance(result, BenchmarkResult):
        return result.times, result.name
    return np.asarray(result.latencies, dtype=float), f"{result.name} {result.label}"


def plot_latency_distribution(results, path, title="Latency distribution"):
    """
    Draw a histogram and a CDF of the latencies of `results` (BenchmarkResults and
    ScenarioResults) and save them as a PNG at `path`. Returns the Path, or None (with a
    message) when matplotlib is not installed: it is an optional extra.
    """
    try:
        from matplotlib.figure import Figure  # imported here: matplotlib is optional
    except ImportError:
        print("matplotlib is not installed, so the latency plot was skipped "
              "(pip install matplotlib to draw it); the Markdown and JSON reports are complete without it.")
        return None
    path = Path(path)
    series = [(values * 1e3, label) for values, label in map(_latencies_and_label, results) if len(values)]
    figure = Figure(figsize=(11, 4.2), layout="constrained")
    hist_axes, cdf_axes = figure.subplots(1, 2)
    everything = np.concatenate([values for values, _ in series]) if series else np.array([1.0])
    logarithmic = bool(np.all(everything > 0))
    bins = (np.geomspace(everything.min(), everything.max() * 1.0001, 50) if logarithmic
            else np.linspace(everything.min(), everything.max() + 1e-12, 50))
    for values, label in series:
        hist_axes.hist(values, bins=bins, weights=np.full(values.size, 1.0 / values.size), alpha=0.5, label=label)
        ordered = np.sort(values)
        cdf_axes.step(ordered, np.arange(1, ordered.size + 1) / ordered.size, where="post", label=label)
    for q, name in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
        cdf_axes.axhline(q, color="grey", linestyle=":", linewidth=0.8)
        cdf_axes.annotate(name, xy=(0.0, q), xycoords=("axes fraction", "data"), fontsize=8, color="grey",
                          xytext=(2, 2), textcoords="offset points")
    if logarithmic:
        hist_axes.set_xscale("log")
        cdf_axes.set_xscale("log")
    hist_axes.set(xlabel="latency (ms)", ylabel="fraction of queries", title="histogram")
    cdf_axes.set(xlabel="latency (ms)", ylabel="fraction of queries at most this slow", title="CDF", ylim=(0, 1.01))
    if series:
        cdf_axes.legend(fontsize="small", loc="lower right")
    figure.suptitle(title)
    figure.savefig(path, dpi=100)
    return path

# %% nbgrader={"grade": false, "grade_id": "benchmark-report", "locked": false, "schema_version": 3, "solution": true}
#| export
class BenchmarkReport:
    """
    Benchmarks, scenario runs and comparisons, rendered as Markdown and JSON.

    report = BenchmarkReport("Digits models"); report.add(result, scenario, comparison)
    report.to_markdown(); report.to_json(); report.save("results/")
    """

    def __init__(self, title="TinyTorch benchmark report", environment=None):
        self.title = str(title)
        self.environment = environment_info() if environment is None else dict(environment)
        self.benchmarks = []
        self.scenarios = []
        self.comparisons = []

    def add(self, *results):
        """Add BenchmarkResults, ScenarioResults and Comparisons (in any order); returns self."""
        for result in results:
            if isinstance(result, BenchmarkResult):
                self.benchmarks.append(result)
            elif isinstance(result, ScenarioResult):
                self.scenarios.append(result)
            elif isinstance(result, Comparison):
                self.comparisons.append(result)
            else:
                raise TypeError(f"a BenchmarkReport holds BenchmarkResult, ScenarioResult and Comparison objects, "
                                f"not {type(result).__name__}")
        return self

    def to_markdown(self):
        """
        The report as Markdown.

        TODO: Build the title, the environment line and up to three tables (only for the
        kinds of results the report holds), exactly in the format shown above.

        STEP-BY-STEP IMPLEMENTATION:
        1. Lines: "# {title}", "", "Environment: " + ", ".join(f"{key} {value}" for each
           environment item)
        2. If there are benchmarks: "", "## Microbenchmarks", "", the header
           "| benchmark | runs | median | 95% CI of median | p90 | p99 | outliers |",
           the alignment row "| --- | ---: | ---: | ---: | ---: | ---: | ---: |", and per result
           "| {name} | {n} | {median} | {ci low} to {ci high} | {p90} | {p99} | {number of outliers} |"
           with every duration through format_seconds
        3. If there are scenarios: "## Scenarios" with
           "| model | scenario | samples | metric | value | target | meets target |",
           "| --- | --- | ---: | --- | ---: | ---: | --- |", and per result
           "| {name} | {label} | {metrics['samples']} | {metric} | {value} | {target} | {met} |"
           where (metric, value) = result.headline(), target = format_seconds(target) (which
           gives "–" for None) and met is "yes", "no" or "–" (meets_target None)
        4. If there are comparisons: "## Comparisons" with
           "| baseline | candidate | speed-up | 95% CI | p-value | verdict |",
           "| --- | --- | ---: | ---: | ---: | --- |", and per comparison
           "| {baseline} | {candidate} | {speedup:.2f}x | {low:.2f}x to {high:.2f}x | {p_value:.4f} | {verdict} |"
        5. Join the lines with "\\n" and end with one "\\n"

        EXAMPLE USAGE:
        ```python
        report = BenchmarkReport("Demo", environment={"python": "3.11"})
        report.add(BenchmarkResult("fast", [0.002] * 20))
        print(report.to_markdown())
        # # Demo
        #
        # Environment: python 3.11
        #
        # ## Microbenchmarks
        # ...
        # | fast | 20 | 2.00 ms | 2.00 ms to 2.00 ms | 2.00 ms | 2.00 ms | 0 |
        ```

        IMPLEMENTATION HINTS:
        - Collect lines in a list and "\\n".join them
        - Every table row has the same shape, "| " + the cells joined by " | " + " |": a
          small helper function that builds one row from its cells saves a lot of typing
        - BenchmarkResult has median, ci, p90, p99, outliers and n
        """
        ### BEGIN SOLUTION
        def row(*cells):
            return "| " + " | ".join(str(cell) for cell in cells) + " |"

        def section(title, columns, alignment):
            return ["", f"## {title}", "", row(*columns), row(*alignment)]

        lines = [f"# {self.title}", "",
                 "Environment: " + ", ".join(f"{key} {value}" for key, value in self.environment.items())]
        if self.benchmarks:
            lines += section("Microbenchmarks", ("benchmark", "runs", "median", "95% CI of median", "p90", "p99",
                                                 "outliers"), ("---",) + ("---:",) * 6)
            for result in self.benchmarks:
                low, high = result.ci
                lines.append(row(result.name, result.n, format_seconds(result.median),
                                 f"{format_seconds(low)} to {format_seconds(high)}", format_seconds(result.p90),
                                 format_seconds(result.p99), result.outliers.size))
        if self.scenarios:
            lines += section("Scenarios", ("model", "scenario", "samples", "metric", "value", "target",
                                           "meets target"), ("---", "---", "---:", "---", "---:", "---:", "---"))
            for result in self.scenarios:
                metric, value = result.headline()
                met = "–" if result.meets_target is None else ("yes" if result.meets_target else "no")
                lines.append(row(result.name, result.label, result.metrics["samples"], metric, value,
                                 format_seconds(result.target), met))
        if self.comparisons:
            lines += section("Comparisons", ("baseline", "candidate", "speed-up", "95% CI", "p-value", "verdict"),
                             ("---", "---", "---:", "---:", "---:", "---"))
            for c in self.comparisons:
                lines.append(row(c.baseline, c.candidate, f"{c.speedup:.2f}x", f"{c.ci[0]:.2f}x to {c.ci[1]:.2f}x",
                                 f"{c.p_value:.4f}", c.verdict))
        return "\n".join(lines) + "\n"
        ### END SOLUTION

    def to_json(self):
        """
        The report as a JSON string.

        TODO: Serialise the title, the environment and every result's to_dict().

        STEP-BY-STEP IMPLEMENTATION:
        1. Build {"title": ..., "environment": ..., "benchmarks": [r.to_dict() ...],
                  "scenarios": [r.to_dict() ...], "comparisons": [c.to_dict() ...]}
        2. Return json.dumps(that, indent=2)

        EXAMPLE USAGE:
        ```python
        data = json.loads(report.to_json())
        data["benchmarks"][0]["median_s"], data["scenarios"][0]["metrics"]["p90_latency_s"]
        ```

        IMPLEMENTATION HINTS:
        - Every result class already has to_dict() returning plain Python values
        """
        ### BEGIN SOLUTION
        return json.dumps({
            "title": self.title,
            "environment": self.environment,
            "benchmarks": [result.to_dict() for result in self.benchmarks],
            "scenarios": [result.to_dict() for result in self.scenarios],
            "comparisons": [comparison.to_dict() for comparison in self.comparisons],
        }, indent=2)
        ### END SOLUTION

    def save(self, directory, stem="benchmark_report", plot=True):
        """
        Write <stem>.md, <stem>.json and (with matplotlib) <stem>_latency.png into `directory`.

        Returns {"markdown": Path, "json": Path, "plot": Path or None}. The plot shows the
        microbenchmarks and the single-stream and server latencies (offline's per-batch
        times are not query latencies).
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        markdown = self.to_markdown()
        paths = {"markdown": directory / f"{stem}.md", "json": directory / f"{stem}.json", "plot": None}
        plotted = self.benchmarks + [s for s in self.scenarios if s.scenario != "offline"]
        if plot and plotted:
            paths["plot"] = plot_latency_distribution(plotted, directory / f"{stem}_latency.png", title=self.title)
            if paths["plot"] is not None:
                markdown += f"\n![Latency distribution]({paths['plot'].name})\n"
            else:
                markdown += "\n_No latency plot: matplotlib is not installed (`pip install matplotlib`)._\n"
        paths["markdown"].write_text(markdown, encoding="utf-8")
        paths["json"].write_text(self.to_json() + "\n", encoding="utf-8")
        return paths

# %% [markdown]
# ### 🧪 Test Your Report
#
# Results with known statistics (constant timings have a zero-width interval; 19 runs of
# 4 ms and one of 40 ms have exactly one outlier and a p99 of 33.16 ms), rendered and
# checked row by row.

# %% nbgrader={"grade": true, "grade_id": "test-report", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: percentile, bootstrap_ci, tukey_fences, find_outliers
def test_report():
    """Markdown tables row by row, empty sections left out, and the JSON's structure."""
    print("🔬 Unit Test: BenchmarkReport.to_markdown and to_json...")

    env = {"python": "3.11", "numpy": "2.0"}
    fast = BenchmarkResult("fast", np.full(20, 2e-3))
    slow = BenchmarkResult("slow", [4e-3] * 19 + [40e-3])
    ss = ScenarioResult("single-stream", "fake", np.arange(1, 101) * 1e-3,
                        {"samples": 100, "p90_latency_s": 0.0901}, target=0.095, meets_target=True)
    off = ScenarioResult("offline", "fake", np.array([4.2e-3, 4.2e-3, 4.2e-3, 1.4e-3]),
                         {"samples": 100, "batch_size": 32, "throughput_sps": 100 / 0.014})
    srv = ScenarioResult("server", "fake", np.full(1000, 3e-3),
                         {"samples": 1000, "qps": 100.0, "p99_latency_s": 3e-3}, target=5e-3, meets_target=False)
    comparison = Comparison("slow", "fast", 2.0, (1.9, 2.1), 1 / 2001, significant=True, meaningful=True)
    report = BenchmarkReport("Demo report", environment=env).add(fast, slow, ss, off, srv, comparison)

    md = report.to_markdown()
    assert isinstance(md, str) and md.startswith("# Demo report\n\nEnvironment: python 3.11, numpy 2.0\n"), (
        f"the report should start with the title and the environment line, got {md[:80]!r}"
    )
    assert md.endswith("|\n") and not md.endswith("\n\n"), "the Markdown should end with exactly one newline"
    expected_lines = [
        "## Microbenchmarks",
        "| benchmark | runs | median | 95% CI of median | p90 | p99 | outliers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| fast | 20 | 2.00 ms | 2.00 ms to 2.00 ms | 2.00 ms | 2.00 ms | 0 |",
        "| slow | 20 | 4.00 ms | 4.00 ms to 4.00 ms | 4.00 ms | 33.16 ms | 1 |",
        "## Scenarios",
        "| model | scenario | samples | metric | value | target | meets target |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
        "| fake | single-stream | 100 | p90 latency | 90.10 ms | 95.00 ms | yes |",
        "| fake | offline | 100 | throughput | 7,143 samples/s | – | – |",
        "| fake | server (100 QPS) | 1000 | p99 latency | 3.00 ms | 5.00 ms | no |",
        "## Comparisons",
        "| baseline | candidate | speed-up | 95% CI | p-value | verdict |",
        "| --- | --- | ---: | ---: | ---: | --- |",
        "| slow | fast | 2.00x | 1.90x to 2.10x | 0.0005 | fast is 2.00x faster than slow (p = 0.0005) |",
    ]
    lines = md.splitlines()
    for line in expected_lines:
        assert line in lines, f"the Markdown should contain the line\n  {line}\ngot:\n{md}"
    assert lines.index("## Microbenchmarks") < lines.index("## Scenarios") < lines.index("## Comparisons"), "sections in order"
    assert lines[lines.index("## Scenarios") - 1] == "" and lines[lines.index("## Scenarios") + 1] == "", "blank lines around headings"

    varied = BenchmarkResult("varied", np.arange(1, 21) * 1e-3)  # 1..20 ms: a real interval, low < high
    varied_md = BenchmarkReport("Varied", environment=env).add(varied).to_markdown()
    assert "| varied | 20 | 10.50 ms | 6.50 ms to 14.50 ms | 18.10 ms | 19.81 ms | 0 |" in varied_md.splitlines(), (
        f"the row of 1..20 ms should read median 10.50 ms, CI 6.50 ms to 14.50 ms (low first), p90 18.10 ms, "
        f"p99 19.81 ms, got:\n{varied_md}"
    )
    only = BenchmarkReport("Only benchmarks", environment=env).add(fast).to_markdown()
    assert "## Microbenchmarks" in only and "## Scenarios" not in only and "## Comparisons" not in only, (
        "sections without results should be left out"
    )

    data = json.loads(report.to_json())
    assert set(data) == {"title", "environment", "benchmarks", "scenarios", "comparisons"}, f"JSON keys: {sorted(data)}"
    assert data["title"] == "Demo report" and data["environment"] == env, "title and environment in the JSON"
    assert [b["name"] for b in data["benchmarks"]] == ["fast", "slow"] and data["benchmarks"][1]["outliers"] == [19], "benchmarks"
    assert data["benchmarks"][0]["median_s"] == 0.002 and len(data["benchmarks"][0]["times_s"]) == 20, "statistics and raw timings"
    assert [s["scenario"] for s in data["scenarios"]] == ["single-stream", "offline", "server"], "scenarios in the order added"
    assert data["scenarios"][2]["metrics"]["qps"] == 100.0 and data["scenarios"][2]["meets_target"] is False, "server scenario"
    assert data["comparisons"][0]["significant"] is True and data["comparisons"][0]["speedup"] == 2.0, "comparison"
    try:
        report.add("not a result")
        assert False, "adding a string should raise TypeError"
    except TypeError:
        pass
    print(md)
    print("✅ Markdown tables and JSON structure as specified")

test_report()

# %% [markdown]
# ## Step 9: Benchmarking TinyTorch Models
#
# Time to measure real networks from the earlier modules on real inputs — the 360 test
# digits of module 06:
#
# - an **MLP** from `create_mlp` (64 → 128 → 64 → 10, ~17k parameters), on flattened digits;
# - a small **CNN**: `Conv2D(1, 8, 3)` → ReLU → `MaxPool2D(2)` → `Flatten` → `Dense(72, 10)`,
#   on the digits as `(1, 8, 8)` images.
#
# Each model is wrapped as `lambda batch: model(Tensor(batch))`, so the timings include
# the Tensor wrapping, as a real caller would pay it. (If you have exported autograd, the
# weights are `Variable`s and every forward pass also records a graph for backward: the
# cost of not having a `no_grad` mode.)
#
# The test below runs the microbenchmarks, the three scenarios, the two comparisons and
# the capacity search, prints the report, and saves it (with a plot, when matplotlib is
# installed) to a temporary folder. Your numbers will differ from your neighbour's: that
# is the point of printing the environment. The assertions check only what does not
# depend on the machine's speed.

# %% nbgrader={"grade": true, "grade_id": "test-tinytorch-models", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: percentile, bootstrap_ci, tukey_fences, find_outliers, benchmark, permutation_test, speedup_ci, compare, single_stream, offline, poisson_arrivals, simulate_queue, simulate_server, max_qps
def test_tinytorch_models():
    """The whole toolkit on create_mlp and a small CNN, on the digits test set."""
    import tempfile

    print("🔬 Integration Test: benchmarking TinyTorch models on the digits...")
    _, _, digits, _ = load_digits()
    images = digits.reshape(-1, 1, 8, 8)
    mlp = create_mlp(64, [128, 64], 10, seed=0)
    cnn = Sequential([Conv2D(1, 8, 3, seed=0), ReLU(), MaxPool2D(2), Flatten(), Dense(8 * 3 * 3, 10, seed=0)])

    def run_mlp(batch):
        return mlp(Tensor(batch))

    def run_cnn(batch):
        return cnn(Tensor(batch))

    assert np.asarray(run_mlp(digits[:5]).data).shape == (5, 10) and np.asarray(run_cnn(images[:5]).data).shape == (5, 10), (
        "both models map a batch of digits to 10 scores"
    )

    mlp_one = benchmark(run_mlp, digits[:1], warmup=10, repeats=200, name="mlp batch=1")
    cnn_one = benchmark(run_cnn, images[:1], warmup=10, repeats=200, name="cnn batch=1")
    mlp_all = benchmark(run_mlp, digits, warmup=3, repeats=50, name="mlp batch=360")
    cnn_all = benchmark(run_cnn, images, warmup=3, repeats=50, name="cnn batch=360")
    model_vs_model = compare(cnn_one, mlp_one)
    batching = compare(BenchmarkResult("mlp 360 x batch=1 (estimated)", mlp_one.times * 360), mlp_all)

    target = 1e-3  # p99 latency bound for the server scenario: 1 ms
    report = BenchmarkReport("TinyTorch models on the digits test set")
    report.add(mlp_one, cnn_one, mlp_all, cnn_all)
    capacities, streams = {}, {}
    for name, run, inputs in (("mlp", run_mlp, digits), ("cnn", run_cnn, images)):
        stream = single_stream(run, inputs, warmup=5, name=name)
        bulk = offline(run, inputs, batch_size=64, name=name)
        best = max_qps(stream.latencies, target, n_queries=10000)
        capacities[name], streams[name] = best, stream
        report.add(stream, bulk)
        if best > 0:
            half = simulate_server(stream.latencies, best / 2, target, n_queries=10000, name=name)
            edge = simulate_server(stream.latencies, best, target, n_queries=10000, name=name)
            assert edge.meets_target, "the rate max_qps found must meet the target (the same simulation, the same seed)"
            assert half.metrics["p99_latency_s"] <= edge.metrics["p99_latency_s"] + 1e-12, "p99 grows with the rate"
            report.add(half, edge)
        for result in (stream, bulk):
            assert result.metrics["samples"] == 360, "every test digit is a query"
        assert 0 < stream.metrics["p50_latency_s"] <= stream.metrics["p90_latency_s"] <= stream.metrics["p99_latency_s"], "p50 <= p90 <= p99"
        assert bulk.metrics["batches"] == 6 and bulk.metrics["throughput_sps"] > 0, "360 digits in 6 batches of up to 64"
    report.add(model_vs_model, batching)

    for result in (mlp_one, cnn_one, mlp_all, cnn_all):
        assert result.n in (50, 200) and result.median > 0 and result.ci[0] <= result.median <= result.ci[1], f"{result!r}"
    assert 0 < model_vs_model.p_value <= 1 and model_vs_model.ci[0] <= model_vs_model.speedup <= model_vs_model.ci[1], "comparison"

    markdown = report.to_markdown()
    print(markdown)
    print(f"MLP vs CNN, one digit: {model_vs_model.verdict}")
    print(f"Batching the MLP (one call of 360 vs 360 calls of 1): {batching.verdict}")
    for name, best in capacities.items():
        if best > 0:
            print(f"{name}: max {best:,.0f} QPS with p99 <= {format_seconds(target)} "
                  f"(capacity at 100% utilisation: {1 / streams[name].metrics['mean_latency_s']:,.0f} QPS)")
        else:
            print(f"{name}: p99 <= {format_seconds(target)} cannot be met on this machine, even one query at a time")
    server_runs = [s for s in report.scenarios if s.scenario == "server"]
    if server_runs:
        s = server_runs[-1]
        print(f"Little's law for {s.name} at {s.metrics['qps']:,.0f} QPS: L = λW = {s.metrics['qps']:,.0f}/s × "
              f"{format_seconds(s.metrics['mean_latency_s'])} = {s.metrics['in_system']:.2f} queries in the system")

    with tempfile.TemporaryDirectory() as folder:
        paths = report.save(folder, stem="digits_models")
        assert paths["markdown"].exists() and paths["json"].exists(), "save() writes the Markdown and the JSON"
        saved = json.loads(paths["json"].read_text(encoding="utf-8"))
        assert len(saved["benchmarks"]) == 4 and len(saved["comparisons"]) == 2, "everything added is in the JSON"
        assert [s["name"] for s in saved["scenarios"]][:2] == ["mlp", "mlp"], "the MLP's scenarios come first"
        if paths["plot"] is not None:
            assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "the plot is a PNG file"
            print(f"✅ report saved with a latency plot ({paths['plot'].stat().st_size:,} bytes)")
        else:
            print("✅ report saved without a plot (matplotlib is not installed)")
    print("✅ microbenchmarks, three scenarios, two comparisons and a capacity search on real models")

test_tinytorch_models()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook, runs each one and prints
# a summary.
#
# **This testing section is locked** — it gives the same feedback in every module and
# cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("Benchmarking")

# %% [markdown]
# ## 🎯 Module Summary: Measuring Honestly
#
# ### ✅ What you built
# - **Statistics**: `percentile` (linear interpolation, numpy's default), `bootstrap_ci`
#   (seeded percentile bootstrap), `tukey_fences` / `find_outliers`
# - **A harness**: `benchmark(fn, *args, warmup, repeats, clock)` → `BenchmarkResult` with
#   median, p90, p99, a confidence interval and outliers; `ManualClock` makes every timing
#   testable
# - **Comparisons**: `permutation_test`, `speedup_ci` and `compare`, which separates
#   *significant* from *meaningful*
# - **MLPerf scenarios**: `single_stream` (p90 latency), `offline` (throughput), and the
#   server scenario — `poisson_arrivals`, `simulate_queue`, `simulate_server`, `max_qps`,
#   `server` — simulated deterministically from measured service times
# - **Reports**: `BenchmarkReport` as Markdown and JSON, with the environment, the raw
#   timings and an optional latency plot
#
# ### ✅ Key ideas
# - **A timing is a random variable** with a long right tail: warm up, repeat, and report
#   a distribution, not a number.
# - **Medians and percentiles** are robust; **tail latency** (p99) is what users feel.
# - **The bootstrap** turns one sample into an uncertainty estimate; **permutation tests**
#   ask whether chance explains a difference; a significant difference can still be too
#   small to matter.
# - **Latency and throughput pull apart**: batching amortises fixed costs but makes each
#   query wait. Which one matters depends on the scenario.
# - **Queues explode near full utilisation**, and **Little's law** `L = λW` links rate,
#   latency and concurrency for any stable system.
#
# ### 🔗 Connection to real ML systems
# - `torch.utils.benchmark.Timer` (warm-up, `blocked_autorange`, medians and IQRs, CUDA
#   synchronisation), `timeit`, `pytest-benchmark` and `pyperf` (calibration, outliers,
#   comparisons with significance tests)
# - MLPerf Inference's LoadGen: the same scenarios, Poisson arrivals for the server, and
#   p90/p99 latency bounds; serving systems such as Triton and TorchServe trade latency for
#   throughput with dynamic batching, exactly the trade-off you measured
#
# ### 🚀 What's next
# Run `tito export benchmarking`. From now on every optimisation has to show its number:
# make a change, `compare` it with the old version, and keep it only if the speed-up is
# both significant and meaningful.
