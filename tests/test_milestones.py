"""The milestones train real networks on the exported package and reach their targets."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import REPO, copy_course, run_tito
from tito.errors import TitoError
from tito.milestones.catalog import MILESTONES
from tito.milestones.runner import get_milestone, run_milestone

HISTORY = ["perceptron", "xor", "mlp-digits", "cnn-digits", "tinygpt", "compress-digits"]
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


@pytest.mark.parametrize("name", HISTORY)
def test_milestone_reaches_its_target(name, tmp_path):
    events = []
    png = tmp_path / f"{name}.png"
    result = run_milestone(REPO, name, plot=png, on_event=events.append)
    assert result.error == "", result.error + result.output[-2000:]
    assert result.passed, f"{name}: {result.metrics} {result.checks} below target {result.milestone.target}"
    if result.milestone.metric == "checks":
        assert result.checks and all(check["passed"] for check in result.checks), result.checks
    else:
        assert result.value >= result.milestone.target
    assert [e["event"] for e in events][0] == "start" and events[-1]["event"] == "done"
    assert len(result.history) == events[0]["epochs"] and result.history[-1]["epoch"] == events[0]["epochs"]
    if HAS_MATPLOTLIB:
        assert result.plot == str(png) and png.stat().st_size > 1000, result.plot
    if name == "compress-digits":
        assert len(result.checks) == 3, result.checks
        assert {row["model"] for row in result.table} >= {"teacher"} and len(result.table) >= 4, result.table
    elif name == "perceptron":  # converged (a mistake-free epoch) on separable data, and generalises
        m = result.metrics
        assert m["train_accuracy"] == 1.0 and m["converged_epoch"] >= 1 and m["test_accuracy"] >= 0.95, m
        assert result.history[-1]["mistakes"] == 0.0 and result.history[0]["mistakes"] > 0, result.history
    elif name == "tinygpt":  # one full run (CI time): every claim of it is checked here
        m = result.metrics
        assert 2.0 < m["bigram_bpc"] < 5.0 and m["val_bpc"] <= m["bigram_bpc"] - 1.0, m
        assert [c["passed"] for c in result.checks] == [True, True], result.checks  # bpc bar, causal
        assert {"val_bpc", "bigram_bpc", "train_bpc"} <= {k for e in events[1:-1] for k in e} | set(m)
        assert all({"train_bpc", "val_bpc", "step"} <= set(h) for h in result.history), result.history
        sample, prompt = result.extra["sample"], result.extra["prompt"]
        assert sample.startswith(prompt) and len(sample) > len(prompt) + 100, result.extra


def test_unknown_milestone_is_a_clear_error():
    with pytest.raises(TitoError, match="Unknown milestone 'mnist'"):
        get_milestone("mnist")


def test_milestones_are_listed_in_the_order_of_history():
    assert list(MILESTONES) == HISTORY
    years = [m.year for m in MILESTONES.values()]
    assert years == sorted(years) and years[0] == 1957, years
    assert all(m.history and len(m.history) <= 100 for m in MILESTONES.values())
    result = run_tito("milestone", "list", cwd=REPO, columns=80)
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout
    positions = [result.stdout.find(f" {name} ") for name in HISTORY]
    assert -1 not in positions and positions == sorted(positions), positions
    for m in MILESTONES.values():
        assert str(m.year) in result.stdout and m.history.split()[0] in result.stdout, m.name


def test_missed_target_exits_non_zero():
    result = run_tito("milestone", "run", "xor", "--epochs", "1", "--no-plot", cwd=REPO)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISSED" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_a_module_not_exported_is_named_before_training(tmp_path):
    course = tmp_path / "course"
    copy_course(course)
    for module in ("tokenization", "attention", "transformers"):  # modules 14-16 not done yet
        (course / "tinytorch" / "core" / f"{module}.py").unlink(missing_ok=True)
    result = run_tito("milestone", "run", "tinygpt", "--no-plot", cwd=course)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "needs modules you have not exported yet: tokenization, attention, transformers" in out, out
    assert "`tito export attention` and `tito export transformers`" in out and "Traceback" not in out, out
    with pytest.raises(TitoError, match="needs modules you have not exported yet: tokenization, attention"):
        run_milestone(course, "tinygpt")  # the Python API says so too, without starting to train
