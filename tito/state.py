"""The last test result of each module, kept in `<root>/.tito/state.json` for `tito status`."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


def state_path(root: Path) -> Path:
    return root / ".tito" / "state.json"


def load_state(root: Path) -> dict:
    try:
        data = json.loads(state_path(root).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def record_results(root: Path, results) -> None:
    """Remember each ModuleResult's totals; written atomically so a crash cannot corrupt it."""
    state = load_state(root)
    for result in results:
        state[result.module] = {
            "passed": result.passed, "total": len(result.tests), "points": result.points,
            "max_points": result.max_points, "status": "PASS" if result.ok else "FAIL",
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    path = state_path(root)
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
