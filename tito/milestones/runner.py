"""`tito milestone run NAME`: train in a subprocess, draw progress, judge the target."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tito.course import student_env
from tito.errors import TitoError
from tito.milestones.catalog import MILESTONES, Milestone
from tito.milestones.train import PREFIX


@dataclass
class MilestoneResult:
    milestone: Milestone
    metrics: dict = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)  # one dict of logs per epoch
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # of the training process
    plot: str | None = None
    error: str = ""
    output: str = ""  # what the student's code printed
    table: list[dict] = field(default_factory=list)  # per-variant results (compress-digits)
    checks: list[dict] = field(default_factory=list)  # {name, value, target, passed}: every one must pass
    extra: dict = field(default_factory=dict)  # what else the run shows (tinygpt: "sample", "prompt")

    @property
    def value(self) -> float | None:
        return self.metrics.get(self.milestone.metric)

    @property
    def passed(self) -> bool:
        if self.error:
            return False
        if self.milestone.metric == "checks":
            return bool(self.checks) and all(check["passed"] for check in self.checks)
        return self.value is not None and self.value >= self.milestone.target


def get_milestone(name: str) -> Milestone:
    if name not in MILESTONES:
        raise TitoError(f"Unknown milestone '{name}'.", f"Milestones: {', '.join(MILESTONES)}")
    return MILESTONES[name]


def missing_modules(root: Path, milestone: Milestone) -> list[str]:
    """The modules the milestone needs whose export (tinytorch/core/NAME.py) is not in `root`."""
    return [module for module in milestone.needs if not (root / "tinytorch" / "core" / f"{module}.py").is_file()]


def run_milestone(root: Path, name: str, epochs: int | None = None, plot: Path | None = None,
                  timeout: float = 1800.0, on_event=None) -> MilestoneResult:
    """Run one milestone on `root`'s tinytorch package; `on_event(dict)` sees each progress event."""
    result = MilestoneResult(get_milestone(name))
    missing = missing_modules(root, result.milestone)
    if missing:  # say so before training starts, naming every one (not just the first import that fails)
        raise TitoError(f"milestone {name} needs modules you have not exported yet: {', '.join(missing)}",
                        f"Run {' and '.join(f'`tito export {m}`' for m in missing)}, then run the milestone again.")
    cmd = [sys.executable, "-m", "tito.milestones.train", name]
    if epochs:
        cmd += ["--epochs", str(epochs)]
    if plot:
        plot.parent.mkdir(parents=True, exist_ok=True)
        cmd += ["--plot", str(plot)]
    env = student_env(root)
    printed = []
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        import threading

        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        for line in proc.stdout:
            if not line.startswith(PREFIX):
                printed.append(line)
                continue
            event = json.loads(line[len(PREFIX):])
            if event["event"] == "epoch":
                result.history.append({k: v for k, v in event.items() if k != "event"})
            elif event["event"] == "done":
                result.metrics, result.seconds, result.plot = event["metrics"], event["seconds"], event["plot"]
                result.peak_rss_mb = event.get("peak_rss_mb", 0.0)
                result.table, result.checks = event.get("table", []), event.get("checks", [])
                result.extra = event.get("extra", {})
            elif event["event"] == "error":
                where = f" (at {event['where']}: {event['code']})" if event.get("where") else ""
                result.error = event["message"] + where
            if on_event:
                on_event(event)
        proc.wait()
        timer.cancel()
    finally:
        if proc.poll() is None:
            proc.kill()
    result.output = "".join(printed)
    if proc.returncode != 0 and not result.error:
        result.error = (f"the training process stopped (exit code {proc.returncode})"
                        + (f" after {timeout:g}s" if proc.returncode < 0 else "")
                        + (f": {printed[-1].strip()}" if printed else ""))
    return result
