"""The milestones train real networks on the exported package and reach their targets."""

from __future__ import annotations

import pytest

from conftest import REPO, run_tito
from tito.errors import TitoError
from tito.milestones.runner import get_milestone, run_milestone


@pytest.mark.parametrize("name", ["xor", "mlp-digits", "cnn-digits", "compress-digits"])
def test_milestone_reaches_its_target(name, tmp_path):
    events = []
    result = run_milestone(REPO, name, plot=tmp_path / f"{name}.png", on_event=events.append)
    assert result.error == "", result.error + result.output[-2000:]
    assert result.passed, f"{name}: {result.metrics} below target {result.milestone.target}"
    if result.milestone.metric == "checks":
        assert len(result.checks) == 3 and all(check["passed"] for check in result.checks), result.checks
        assert {row["model"] for row in result.table} >= {"teacher"} and len(result.table) >= 4, result.table
    else:
        assert result.value >= result.milestone.target
    assert [e["event"] for e in events][0] == "start" and events[-1]["event"] == "done"
    assert len(result.history) == events[0]["epochs"] and result.history[-1]["epoch"] == events[0]["epochs"]


def test_unknown_milestone_is_a_clear_error():
    with pytest.raises(TitoError, match="Unknown milestone 'mnist'"):
        get_milestone("mnist")


def test_missed_target_exits_non_zero():
    result = run_tito("milestone", "run", "xor", "--epochs", "1", "--no-plot", cwd=REPO)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISSED" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_milestone_list_names_all_three():
    result = run_tito("milestone", "list", cwd=REPO)
    assert result.returncode == 0
    for name in ("xor", "mlp-digits", "cnn-digits", "compress-digits"):
        assert name in result.stdout
