"""Tests of the exported `tinytorch.core.mlops` (module 13).

Needs the package built from the module sources: `tito export mlops` and the modules it
imports (tensor, activations, layers, networks, dataloader, autograd, optimizers, training).

The statistics are checked against independent computations written here: PSI with explicit
per-bin loops, the KS statistic by brute force over every pooled point, and the Kolmogorov
survival function through the other classical series (the Jacobi theta form of the CDF),
plus tabulated critical values.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from datetime import datetime

import numpy as np
import pytest

import tinytorch.core.mlops as mlops
from tinytorch.core.dataloader import load_digits
from tinytorch.core.networks import create_mlp
from tinytorch.core.mlops import (
    DriftDetector,
    MLOpsPipeline,
    ModelMonitor,
    ModelRegistry,
    RegistryError,
    RetrainingTrigger,
    accuracy_of,
    atomic_write,
    kolmogorov_sf,
    ks_2samp,
    predict,
    psi,
    sha256_hex,
    simulate_scanner_drift,
    train_model,
)


def values(p) -> np.ndarray:
    return np.asarray(p.data.data if hasattr(p.data, "data") else p.data)


def params_equal(a, b) -> bool:
    return all(np.array_equal(values(p), values(q)) for p, q in zip(a.parameters(), b.parameters()))


# --------------------------------------------------------------------------- atomic writes

def test_atomic_write_round_trip_and_overwrite(tmp_path):
    target = tmp_path / "file.bin"
    assert atomic_write(target, b"abc") == str(target)
    assert target.read_bytes() == b"abc"
    atomic_write(str(target), bytearray(b"longer content"))
    assert target.read_bytes() == b"longer content"
    assert os.listdir(tmp_path) == ["file.bin"]
    with pytest.raises(TypeError):
        atomic_write(target, "text")
    assert target.read_bytes() == b"longer content"


def test_atomic_write_failure_keeps_old_file_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(mlops.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_atomic_write_readers_never_see_a_partial_file(tmp_path):
    target = tmp_path / "big.bin"
    payloads = [bytes([i]) * 2_000_000 for i in (1, 2)]
    atomic_write(target, payloads[0])
    seen, stop = set(), threading.Event()

    def reader():
        while not stop.is_set():
            data = target.read_bytes()
            seen.add((len(data), data[:1], data[-1:]))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(30):
            atomic_write(target, payloads[i % 2])
    finally:
        stop.set()
        thread.join()
    assert seen <= {(2_000_000, b"\x01", b"\x01"), (2_000_000, b"\x02", b"\x02")}, seen
    assert os.listdir(tmp_path) == ["big.bin"]


# --------------------------------------------------------------------------- registry

def test_registry_round_trip_versions_and_manifest(tmp_path):
    registry = ModelRegistry(tmp_path / "reg")
    a, b = create_mlp(6, [5], 3, seed=0), create_mlp(6, [5], 3, seed=1)
    assert registry.list_versions("m") == []
    assert registry.register(a, "m", {"acc": 0.5, "tags": ["x"]}) == 1
    assert registry.register(b, "m") == 2
    assert registry.register(a, "other-model_1.0") == 1
    assert registry.list_versions("m") == [1, 2] and registry.latest("m") == 2

    weights = tmp_path / "reg" / "m" / "v1" / "weights.npz"
    manifest = json.loads((tmp_path / "reg" / "m" / "v1" / "manifest.json").read_text())
    data = weights.read_bytes()
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest() == sha256_hex(data)
    assert manifest["size_bytes"] == len(data)
    assert manifest["name"] == "m" and manifest["version"] == 1
    assert manifest["metadata"] == {"acc": 0.5, "tags": ["x"]}
    assert [p["shape"] for p in manifest["parameters"]] == [[6, 5], [5], [5, 3], [3]]
    assert {p["dtype"] for p in manifest["parameters"]} == {"float32"}
    assert datetime.fromisoformat(manifest["created"]).utcoffset().total_seconds() == 0
    assert registry.manifest("m", 1) == manifest

    fresh = create_mlp(6, [5], 3, seed=9)
    assert registry.load("m", model=fresh) is fresh and params_equal(fresh, b)
    registry.load("m", version=1, model=fresh)
    assert params_equal(fresh, a)


def test_registry_never_overwrites_and_skips_interrupted_versions(tmp_path, monkeypatch):
    registry = ModelRegistry(tmp_path)
    model = create_mlp(3, [2], 2, seed=0)
    registry.register(model, "m")
    before = (tmp_path / "m" / "v1" / "weights.npz").read_bytes()
    (tmp_path / "m" / "v2").mkdir()                       # a crashed registration left v2 behind
    (tmp_path / "m" / "v2" / "weights.npz").write_bytes(b"debris")
    assert registry.list_versions("m") == [1]
    assert registry.register(create_mlp(3, [2], 2, seed=5), "m") == 3
    assert (tmp_path / "m" / "v2" / "weights.npz").read_bytes() == b"debris"
    assert (tmp_path / "m" / "v1" / "weights.npz").read_bytes() == before

    real = os.replace

    def fail_on_manifest(src, dst):
        if str(dst).endswith("manifest.json"):
            raise OSError("crash")
        return real(src, dst)

    monkeypatch.setattr(mlops.os, "replace", fail_on_manifest)
    with pytest.raises(OSError):
        registry.register(model, "m")
    monkeypatch.setattr(mlops.os, "replace", real)
    assert registry.list_versions("m") == [1, 3]
    assert sorted(os.listdir(tmp_path / "m" / "v4")) == ["weights.npz"]   # no temp files left either
    assert registry.register(model, "m") == 5


def test_registry_concurrent_registrations_get_distinct_versions(tmp_path):
    registry = ModelRegistry(tmp_path)
    model = create_mlp(3, [2], 2, seed=0)
    results, errors = [], []

    def register():
        try:
            results.append(registry.register(model, "m"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, 9))
    assert registry.list_versions("m") == list(range(1, 9))


@pytest.mark.parametrize("position", ["start", "middle", "end"])
def test_registry_detects_a_flipped_byte(tmp_path, position):
    registry = ModelRegistry(tmp_path)
    registry.register(create_mlp(4, [8], 3, seed=0), "m")
    path = tmp_path / "m" / "v1" / "weights.npz"
    data = bytearray(path.read_bytes())
    index = {"start": 0, "middle": len(data) // 2, "end": len(data) - 1}[position]
    data[index] ^= 0x01                                   # one bit
    path.write_bytes(bytes(data))
    victim = create_mlp(4, [8], 3, seed=2)
    before = [values(p).copy() for p in victim.parameters()]
    with pytest.raises(RegistryError) as info:
        registry.load("m", model=victim)
    assert str(path) in str(info.value) and "sha256" in str(info.value)
    assert all(np.array_equal(u, values(p)) for u, p in zip(before, victim.parameters()))


def test_registry_detects_manifest_tampering(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register(create_mlp(4, [8], 3, seed=0), "m")
    manifest_path = tmp_path / "m" / "v1" / "manifest.json"
    original = manifest_path.read_text()

    manifest = json.loads(original)
    manifest["sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(RegistryError, match="sha256"):
        registry.load("m", model=create_mlp(4, [8], 3))

    manifest = json.loads(original)
    manifest["parameters"][0]["shape"] = [4, 9]               # the manifest lies about the file
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(RegistryError, match="disagree"):
        registry.load("m", model=create_mlp(4, [8], 3))

    manifest_path.write_text("{not json")
    with pytest.raises(RegistryError, match="manifest"):
        registry.load("m", model=create_mlp(4, [8], 3))


def test_registry_mismatch_errors_name_file_parameter_and_shapes(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register(create_mlp(4, [8], 3, seed=0), "m")
    manifest_path = str(tmp_path / "m" / "v1" / "manifest.json")
    wrong = create_mlp(4, [8], 5, seed=1)
    before = [values(p).copy() for p in wrong.parameters()]
    with pytest.raises(RegistryError) as info:
        registry.load("m", model=wrong)
    message = str(info.value)
    assert manifest_path in message and "parameter 2" in message and "(8, 3)" in message and "(8, 5)" in message
    assert all(np.array_equal(u, values(p)) for u, p in zip(before, wrong.parameters()))
    with pytest.raises(RegistryError, match="4 parameters but the model has 2"):
        registry.load("m", model=create_mlp(4, [], 3))


def test_registry_lookup_errors_and_validation(tmp_path):
    registry = ModelRegistry(tmp_path)
    model = create_mlp(4, [8], 3, seed=0)
    registry.register(model, "m")
    with pytest.raises(RegistryError, match=r"no version 3 \(available versions: \[1\]\)"):
        registry.load("m", version=3, model=model)
    with pytest.raises(RegistryError, match="ghost"):
        registry.latest("ghost")
    with pytest.raises(TypeError):
        registry.load("m")
    for bad in ("..", "../x", "a/b", "a\\b", "", ".hidden"):
        with pytest.raises(ValueError):
            registry.register(model, bad)
    with pytest.raises(TypeError):
        registry.register(model, "m", {"x": np.float32(1.0)})     # numpy scalars are not JSON
    with pytest.raises(TypeError):
        registry.register(object(), "m")
    assert registry.list_versions("m") == [1]
    os.remove(tmp_path / "m" / "v1" / "weights.npz")
    with pytest.raises(RegistryError, match="missing"):
        registry.load("m", model=model)


# --------------------------------------------------------------------------- monitor

def test_monitor_statistics_match_numpy():
    rng = np.random.default_rng(0)
    latencies = rng.exponential(5.0, 50)
    accuracies = rng.uniform(0.5, 1.0, 50)
    sizes = rng.integers(1, 100, 50)
    monitor = ModelMonitor(window=30, accuracy_threshold=0.0, latency_budget_ms=1e9, min_batches=1)
    for lat, acc, n in zip(latencies, accuracies, sizes):
        monitor.record(lat, acc, batch_size=int(n))
    s = monitor.summary()
    lw, aw, nw = latencies[-30:], accuracies[-30:], sizes[-30:]
    assert s["batches"] == 30 and s["total_batches"] == 50 and s["samples"] == int(nw.sum())
    assert s["accuracy"] == pytest.approx(float(np.sum(aw * nw) / np.sum(nw)), abs=1e-12)
    assert s["latency_mean_ms"] == pytest.approx(lw.mean(), abs=1e-12)
    assert s["latency_p50_ms"] == pytest.approx(np.median(lw), abs=1e-12)
    assert s["latency_p95_ms"] == pytest.approx(np.percentile(lw, 95), abs=1e-12)
    assert s["latency_max_ms"] == pytest.approx(lw.max(), abs=1e-12)
    json.dumps(s)                                              # plain Python values


def test_monitor_alerts_thresholds_and_min_batches():
    monitor = ModelMonitor(window=5, accuracy_threshold=0.9, latency_budget_ms=10.0, min_batches=3)
    monitor.record(20.0, 0.5, 10)
    monitor.record(20.0, 0.5, 10)
    assert monitor.alerts() == []
    monitor.record(20.0, 0.5, 10)
    assert [(a["kind"], a["value"], a["threshold"]) for a in monitor.alerts()] == [
        ("accuracy", 0.5, 0.9), ("latency", 20.0, 10.0)]
    monitor.reset()
    assert monitor.summary()["batches"] == 0 and monitor.total_batches == 0
    for _ in range(3):
        monitor.record(10.0, 0.9, 4)                           # exactly at both thresholds: fine
    assert monitor.alerts() == []
    for _ in range(3):
        monitor.record(1.0, None, 4)                           # unlabelled batches
    assert monitor.summary()["accuracy"] == pytest.approx(0.9)
    for _ in range(5):
        monitor.record(1.0, None, 4)
    assert monitor.summary()["accuracy"] is None and monitor.alerts() == []
    with pytest.raises(ValueError):
        ModelMonitor(window=0)
    with pytest.raises(ValueError):
        ModelMonitor(window=3, min_batches=4)
    for bad in ((-0.1, 0.5, 1), (1.0, -0.1, 1), (1.0, 1.01, 1), (1.0, 0.5, 0), (np.inf, 0.5, 1)):
        with pytest.raises(ValueError):
            monitor.record(*bad)


def test_monitor_observe_uses_real_predictions():
    model = create_mlp(4, [8], 3, seed=0)
    x = np.random.default_rng(1).standard_normal((40, 4)).astype(np.float32)
    y = predict(model, x)
    y_half = y.copy()
    y_half[:10] = (y_half[:10] + 1) % 3
    monitor = ModelMonitor(window=10, min_batches=1)
    out = monitor.observe(model, x, y_half)
    assert out["accuracy"] == 0.75 and out["predictions"].shape == (40,)
    assert monitor.observe(model, x)["accuracy"] is None
    assert monitor.summary()["accuracy"] == 0.75 and monitor.summary()["samples"] == 80


# --------------------------------------------------------------------------- PSI

def psi_by_loops(reference, current, bins=10, eps=1e-4):
    """Independent PSI: explicit right-closed intervals between the distinct reference quantiles."""
    reference, current = np.asarray(reference, float), np.asarray(current, float)
    edges = sorted(set(np.quantile(reference, [i / bins for i in range(1, bins)]).tolist()))
    bounds = [-np.inf] + edges + [np.inf]
    total = 0.0
    for low, high in zip(bounds[:-1], bounds[1:]):
        r = max(np.mean((reference > low) & (reference <= high)), eps)
        c = max(np.mean((current > low) & (current <= high)), eps)
        total += (c - r) * np.log(c / r)
    return total


def test_psi_matches_independent_loops():
    rng = np.random.default_rng(0)
    cases = [(rng.normal(0, 1, 700), rng.normal(0.3, 1.2, 300)),
             (rng.integers(0, 5, 400), rng.integers(0, 7, 250)),          # heavy ties
             (np.zeros(100), rng.uniform(-1, 1, 100)),
             (rng.exponential(1, 1000), rng.exponential(2, 50))]
    for bins in (2, 5, 10, 20):
        for ref, cur in cases:
            assert psi(ref, cur, bins=bins) == pytest.approx(psi_by_loops(ref, cur, bins), abs=1e-12)


def test_psi_known_values_and_distributions():
    eps = 1e-4
    expected = 2 * 0.25 * np.log(2) + 2 * (eps - 0.25) * np.log(eps / 0.25)
    assert psi(np.arange(1000), np.arange(500), bins=4) == pytest.approx(expected, abs=1e-12)   # 4.2570
    assert psi(np.arange(1000), np.arange(1000)) == 0.0
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    assert psi(ref, rng.normal(0, 1, 5000)) == pytest.approx(0.0055, abs=0.003)
    assert psi(ref, rng.normal(0.5, 1, 5000)) == pytest.approx(0.25, abs=0.03)      # ≈ δ²
    assert psi(ref, rng.normal(1.0, 1, 5000)) == pytest.approx(0.93, abs=0.08)
    assert psi(ref, rng.normal(0, 1, 5000) + 3.0) > 5


def test_psi_null_expectation_grows_as_samples_shrink():
    """Same distribution: E[PSI] ≈ (B − 1)(1/n + 1/m), the reason small windows give false alarms."""
    rng = np.random.default_rng(5)
    big = np.mean([psi(rng.normal(size=1000), rng.normal(size=1000)) for _ in range(200)])
    small = np.mean([psi(rng.normal(size=4000), rng.normal(size=120)) for _ in range(200)])
    assert big == pytest.approx(9 * 2 / 1000, rel=0.2)
    assert small == pytest.approx(9 * (1 / 4000 + 1 / 120), rel=0.2)


def test_psi_validation():
    for args in (([], [1.0]), ([1.0], []), ([1.0, np.nan], [1.0]), ([1.0], [np.inf])):
        with pytest.raises(ValueError):
            psi(*args)
    with pytest.raises(ValueError):
        psi([1.0, 2.0], [1.0], bins=1)


# --------------------------------------------------------------------------- KS

def kolmogorov_sf_theta(lam):
    """Q(λ) = 1 − K(λ) with K from the other classical series: √(2π)/λ Σ exp(−(2k−1)²π²/(8λ²))."""
    k = np.arange(1, 300)
    return 1.0 - np.sqrt(2 * np.pi) / lam * np.sum(np.exp(-(2 * k - 1) ** 2 * np.pi ** 2 / (8 * lam * lam)))


def test_kolmogorov_sf_against_the_theta_series_and_tables():
    for lam in np.linspace(0.2, 4.0, 77):
        assert kolmogorov_sf(lam) == pytest.approx(kolmogorov_sf_theta(lam), abs=1e-12)
    assert kolmogorov_sf(1.36) == pytest.approx(0.0495, abs=1e-4)
    assert kolmogorov_sf(1.63) == pytest.approx(0.0098, abs=1e-4)
    assert kolmogorov_sf(1.3581) == pytest.approx(0.05, abs=1e-5)
    assert kolmogorov_sf(1.6276) == pytest.approx(0.01, abs=1e-5)
    assert kolmogorov_sf(1.2239) == pytest.approx(0.10, abs=1e-4)
    assert kolmogorov_sf(1.0) == pytest.approx(0.26999967, abs=1e-8)
    assert kolmogorov_sf(0.0) == kolmogorov_sf(0.05) == 1.0
    assert 0.0 <= kolmogorov_sf(10.0) < 1e-80


def ks_brute_force(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return max(abs(np.mean(a <= x) - np.mean(b <= x)) for x in np.concatenate([a, b]))


def test_ks_statistic_matches_brute_force():
    rng = np.random.default_rng(0)
    for seed in range(20):
        n, m = rng.integers(1, 60, 2)
        if seed % 2:
            a, b = rng.integers(0, 6, n), rng.integers(0, 8, m)
        else:
            a, b = rng.normal(0, 1, n), rng.normal(0.3, 1.5, m)
        d, p = ks_2samp(a, b)
        assert d == pytest.approx(ks_brute_force(a, b), abs=1e-12)
        assert p == pytest.approx(kolmogorov_sf(np.sqrt(n * m / (n + m)) * d), abs=1e-15)
        assert ks_2samp(b, a) == (d, p)


def test_ks_known_distributions_and_calibration():
    assert ks_2samp([1, 2, 3], [4, 5, 6]) == pytest.approx((1.0, 0.0995618), abs=1e-6)
    assert ks_2samp(np.arange(10), np.arange(10)) == (0.0, 1.0)
    rng = np.random.default_rng(1)
    a, b, c = rng.normal(0, 1, 500), rng.normal(0, 1, 500), rng.normal(0.5, 1, 500)
    assert ks_2samp(a, b) == pytest.approx((0.064, 0.2574), abs=1e-3)
    d, p = ks_2samp(a, c)
    assert d == pytest.approx(0.236, abs=1e-9) and p < 1e-11
    # Under the null the asymptotic test rejects at about the nominal rate (slightly less: conservative)
    rng = np.random.default_rng(3)
    pvalues = np.array([ks_2samp(rng.normal(size=200), rng.normal(size=300))[1] for _ in range(500)])
    assert 0.02 <= np.mean(pvalues < 0.05) <= 0.07
    assert 0.05 <= np.mean(pvalues < 0.10) <= 0.13


# --------------------------------------------------------------------------- drift detector

def test_drift_detector_on_digits():
    x_train, _, x_test, _ = load_digits()
    detector = DriftDetector(x_train, feature_names=[f"pixel_{i // 8}_{i % 8}" for i in range(64)])
    clean = detector.check(x_test[:120])
    assert clean["drift"] is False and clean["n_drifted"] == 0 and clean["n_features"] == 64
    drifted = detector.check(simulate_scanner_drift(x_test[:120], seed=1))
    assert drifted["drift"] is True and 0.3 <= drifted["share"] <= 0.7
    flagged = set(drifted["drifted_features"])
    assert {"pixel_1_2", "pixel_2_2"} <= flagged            # inked pixels under the sticker went dark
    assert {"pixel_4_7", "pixel_7_7"} <= flagged            # blank border pixels turned noisy
    assert "pixel_0_0" not in flagged                       # always blank, and covered: nothing changed
    assert "pixel_4_4" not in flagged                       # σ = 0.1 noise is small next to the ink's spread
    assert drifted["alpha_per_feature"] == pytest.approx(0.01 / 64)
    json.dumps(drifted)
    images = DriftDetector(x_train.reshape(-1, 8, 8)).check(x_test.reshape(-1, 8, 8)[:120])
    assert images["n_features"] == 64 and images["drift"] is False


def test_drift_detector_rules():
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, (3000, 2))
    cur = np.column_stack([rng.normal(0, 1, 800), rng.normal(1.0, 1, 800)])
    report = DriftDetector(ref).check(cur)
    assert report["drifted_features"] == ["f1"] and report["share"] == 0.5 and report["drift"] is True
    f1 = report["features"][1]
    assert f1["psi"] == pytest.approx(psi(ref[:, 1], cur[:, 1]), abs=1e-12)
    assert (f1["ks_statistic"], f1["ks_pvalue"]) == ks_2samp(ref[:, 1], cur[:, 1])
    assert DriftDetector(ref, psi_threshold=5.0).check(cur)["drift"] is False         # not large enough
    assert DriftDetector(ref, drift_share=0.75).check(cur)["drift"] is False          # 1 of 2 < 0.75
    with pytest.raises(ValueError, match=r"\(800, 3\)"):
        DriftDetector(ref).check(np.zeros((800, 3)))
    with pytest.raises(ValueError):
        DriftDetector(ref, feature_names=["only one"])


# --------------------------------------------------------------------------- trigger

def test_trigger_cooldown_logic():
    trigger = RetrainingTrigger(accuracy_threshold=0.8, cooldown=3)
    decisions = [trigger.should_retrain(step, drift=drift, accuracy=acc) for step, drift, acc in [
        (1, False, 0.9), (2, True, None), (3, True, 0.5), (4, False, 0.7), (5, False, 0.7), (6, False, 0.9),
        (7, False, 0.79), (8, False, 0.79), (10, True, 0.1), (11, True, 0.1)]]
    # fires at 2, then 5 (5 - 2 = 3 >= 3), 8 and 11; 3, 4, 7 and 10 fall in a cooldown
    assert [d["retrain"] for d in decisions] == [False, True, False, False, True, False, False, True, False, True]
    assert [d["suppressed"] for d in decisions] == [False, False, True, True, False, False, True, False, True, False]
    assert decisions[4]["reasons"] == ["accuracy 0.700 < 0.800"]
    assert decisions[9]["reasons"] == ["data drift", "accuracy 0.100 < 0.800"]
    assert trigger.last_retrain_step == 11 and len(trigger.history) == 10
    with pytest.raises(ValueError):
        RetrainingTrigger(cooldown=-1)


# --------------------------------------------------------------------------- pipeline

def test_train_model_and_accuracy_helpers():
    x, y, xt, yt = load_digits()
    model, history = train_model(lambda: create_mlp(64, [32], 10, seed=0), x, y, epochs=3)
    assert len(history["train_loss"]) == 3 and history["train_loss"][-1] < history["train_loss"][0]
    assert accuracy_of(model, xt, yt) > 0.85


def test_pipeline_without_labelled_data_only_records_the_decision(tmp_path):
    x, y, xt, yt = load_digits()
    pipeline = MLOpsPipeline(ModelRegistry(tmp_path), "digits", lambda: create_mlp(64, [32], 10, seed=0),
                             monitor=ModelMonitor(window=4, accuracy_threshold=0.85, min_batches=1),
                             trigger=RetrainingTrigger(accuracy_threshold=0.85, cooldown=100), epochs=5)
    pipeline.train_and_register(x, y)
    drifted = simulate_scanner_drift(xt, seed=1)
    events = pipeline.run([(drifted[i:i + 60], yt[i:i + 60]) for i in range(0, 360, 60)])
    assert [e["decision"]["retrain"] for e in events if e["checked"]] == [True, False, False]
    assert [e["decision"]["suppressed"] for e in events if e["checked"]] == [False, True, True]
    assert all(e["retrained"] is None and e["version"] == 1 for e in events)
    assert ModelRegistry(tmp_path).list_versions("digits") == [1]
    # unlabelled batches: latency is monitored, accuracy is unknown
    event = pipeline.process_batch(xt[:60])
    assert event["accuracy"] is None


def test_end_to_end_scanner_drift_is_detected_and_repaired(tmp_path):
    """The module's scenario, with its measured numbers: 96.1% clean → 63.1% drifted → 94.2% after retraining."""
    x_train, y_train, x_test, y_test = load_digits()
    x_test_drifted = simulate_scanner_drift(x_test, seed=1)
    x_fresh = np.concatenate([simulate_scanner_drift(x_train, seed=2), simulate_scanner_drift(x_train, seed=3)])
    y_fresh = np.concatenate([y_train, y_train])

    def build():
        return create_mlp(64, [64], 10, seed=0)

    registry = ModelRegistry(tmp_path)
    pipeline = MLOpsPipeline(registry, "digits", build,
                             monitor=ModelMonitor(window=4, accuracy_threshold=0.85, latency_budget_ms=1000.0,
                                                  min_batches=2),
                             trigger=RetrainingTrigger(accuracy_threshold=0.85, cooldown=4),
                             drift_window=120, check_every=2, epochs=10, learning_rate=5e-3)
    assert pipeline.train_and_register(x_train, y_train, {"reason": "initial"}) == 1
    v1 = registry.load("digits", version=1, model=build())
    assert accuracy_of(v1, x_test, y_test) == pytest.approx(0.961, abs=0.02)
    assert accuracy_of(v1, x_test_drifted, y_test) == pytest.approx(0.631, abs=0.06)

    stream = [(x[i:i + 60], y_test[i:i + 60]) for x in (x_test, x_test_drifted) for i in range(0, 360, 60)]
    events = pipeline.run(stream, fetch_training_data=lambda: (x_fresh, y_fresh))
    checks = [e for e in events if e["checked"]]
    assert [e["step"] for e in checks] == [2, 4, 6, 8, 10, 12]
    assert [e["drift"] for e in checks] == [False, False, False, True, False, False]
    assert [e["retrained"] for e in events] == [None] * 7 + [2] + [None] * 4
    assert checks[3]["decision"]["reasons"][0] == "data drift"
    assert checks[3]["decision"]["reasons"][1].startswith("accuracy 0.7")
    assert checks[3]["drift_share"] == pytest.approx(0.5, abs=0.15)
    assert [e["version"] for e in events] == [1] * 8 + [2] * 4

    v2 = registry.load("digits", model=build())
    assert accuracy_of(v2, x_test_drifted, y_test) == pytest.approx(0.942, abs=0.03)
    assert accuracy_of(v2, x_test_drifted, y_test) >= 0.9
    assert np.mean([e["accuracy"] for e in events[8:]]) >= 0.9
    meta = registry.manifest("digits", 2)["metadata"]
    assert meta["previous_version"] == 1 and meta["triggered_at_step"] == 8 and meta["train_samples"] == 2874
    assert params_equal(pipeline.model, v2)


# --- Boundaries, atomicity and validation (issue 11) ------------------------------------------


def test_atomic_write_fsyncs_flushed_bytes_before_the_rename(tmp_path, monkeypatch):
    target = tmp_path / "m.bin"
    events, real_fsync, real_replace = [], os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.fstat(fd).st_size))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", None))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    assert atomic_write(target, bytearray(b"12345")) == str(target)
    assert events[0] == ("fsync", 5) and [kind for kind, _ in events].index("replace") > 0


@pytest.mark.parametrize("failure", [OSError("disk failure"), KeyboardInterrupt()])
def test_atomic_write_partial_or_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch, failure):
    target = tmp_path / "m.bin"
    atomic_write(target, b"old")

    def fail(*args):
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(type(failure)):
        atomic_write(target, b"new and longer")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["m.bin"]


def test_registry_numbers_past_nine_and_skips_a_version_claimed_by_a_racer(tmp_path):
    registry = ModelRegistry(tmp_path)
    model = create_mlp(2, [3], 2, seed=0)
    for expected in range(1, 10):
        assert registry.register(model, "m") == expected
    os.mkdir(tmp_path / "m" / "v10")                          # another process got there first
    registry._claimed_versions = lambda name: list(range(1, 10))  # our stale view of the directory
    assert registry.register(model, "m") == 11
    del registry._claimed_versions
    assert os.listdir(tmp_path / "m" / "v10") == []
    assert registry.latest("m") == 11 and registry.list_versions("m") == list(range(1, 10)) + [11]


@pytest.mark.parametrize("hidden, out", [([8, 3], 2), ([], 8)])
def test_registry_load_checks_the_parameter_count_even_when_shapes_fit(tmp_path, hidden, out):
    registry = ModelRegistry(tmp_path)
    registry.register(create_mlp(4, [8], 3, seed=0), "m")
    other = create_mlp(4, hidden, out, seed=1)
    before = [mlops._values(p).copy() for p in other.parameters()]
    with pytest.raises(RegistryError):
        registry.load("m", model=other)
    assert all(np.array_equal(b, mlops._values(p)) for b, p in zip(before, other.parameters()))


def test_registry_load_refuses_weights_that_disagree_with_the_manifest(tmp_path):
    registry = ModelRegistry(tmp_path)
    registry.register(create_mlp(4, [8], 3, seed=0), "m")
    path = tmp_path / "m" / "v1" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["parameters"][0]["shape"] = [8, 4]
    path.write_text(json.dumps(manifest))
    with pytest.raises(RegistryError, match="disagree"):
        registry.load("m", model=create_mlp(4, [8], 3, seed=1))


def test_monitor_boundaries_and_valid_edge_values():
    m = ModelMonitor(window=4, accuracy_threshold=0.9, latency_budget_ms=15.0, min_batches=1)
    for _ in range(3):
        m.record(15.0, 0.9, batch_size=10)
    assert m.alerts() == []
    m = ModelMonitor(window=20, latency_budget_ms=30.0, min_batches=1)
    for latency in list(range(1, 20)) + [100]:
        m.record(float(latency), None)
    assert m.summary()["accuracy"] is None and m.alerts() == []
    m = ModelMonitor(window=5, min_batches=1)
    m.record(0.0, 0.0, batch_size=1)
    m.record(0, 1, batch_size=np.int64(3))
    assert m.summary()["accuracy"] == 0.75
    for bad in ((float("inf"), 0.5, 1), (1.0, -0.1, 1), (1.0, 0.5, True), (1.0, 0.5, 2.5)):
        with pytest.raises(ValueError):
            m.record(*bad)


def test_psi_values_on_edges_and_outside_the_reference_range():
    r = np.array([3, 2, 2, 2]) / 9
    c = np.array([2, 1, 2, 1]) / 6
    expected = float(np.sum((c - r) * np.log(c / r)))
    assert psi(np.arange(9), [2, 4, 6, 6, -100, 100], bins=4) == pytest.approx(expected, abs=1e-12)
    assert type(psi(np.arange(10), np.arange(5))) is float
    assert psi(np.arange(10), np.arange(10), bins=2) == 0.0


def test_drift_detector_thresholds_exactly_at_the_boundary():
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(0, 1, (400, 1)), rng.normal(0.3, 1, (200, 1))
    value, (_, p) = psi(ref[:, 0], cur[:, 0]), ks_2samp(ref[:, 0], cur[:, 0])
    assert DriftDetector(ref, psi_threshold=value, alpha=0.5).check(cur)["features"][0]["drifted"] is True
    assert DriftDetector(ref, psi_threshold=0.0, alpha=p).check(cur)["features"][0]["drifted"] is False
    both = DriftDetector(np.hstack([ref, ref]), psi_threshold=0.0, alpha=1.5 * p)
    assert both.check(np.hstack([cur, cur]))["n_drifted"] == 0
    assert DriftDetector(ref, bins=4).check(cur)["features"][0]["psi"] == psi(ref[:, 0], cur[:, 0], bins=4)
    reference = np.hstack([rng.normal(0, 1, (2000, 1)), rng.uniform(0, 1, (2000, 1)), rng.normal(5, 2, (2000, 1))])
    current = np.hstack([rng.normal(0, 1, (1000, 1)), rng.uniform(0, 1, (1000, 1)) + 0.3, rng.normal(5, 2, (1000, 1))])
    report = DriftDetector(reference, drift_share=1 / 3).check(current)
    assert report["drifted_features"] == ["f1"] and report["drift"] is True  # share 1/3 >= drift_share 1/3
