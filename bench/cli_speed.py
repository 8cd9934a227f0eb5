"""CLI speed targets, measured as medians over repeated runs in one session (the machine is shared
and noisy, so the start-up target is a ratio against a baseline measured in the same run).

  tito --help                  within 2x of `python -c "import typer, rich"`
  tito export --all            under 1 s
  tito module test autograd    under 3 s

Run: `make bench` or `python bench/cli_speed.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(cmd: list[str], repeat: int) -> float:
    subprocess.run(cmd, cwd=ROOT, capture_output=True)  # warm the file cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    tito = [py, "-m", "tito"]
    baseline = median_seconds([py, "-c", "import typer, rich"], args.repeat)
    rows = {
        "baseline: import typer, rich": (baseline, None),
        "tito --help": (median_seconds(tito + ["--help"], args.repeat), ("ratio", 2.0)),
        "tito export --all": (median_seconds(tito + ["export", "--all"], args.repeat), ("seconds", 1.0)),
        "tito module test autograd": (median_seconds(tito + ["module", "test", "autograd"], args.repeat),
                                      ("seconds", 3.0)),
    }
    report = {}
    print(f"{'measurement':32} {'median s':>9} {'target':>16}  result")
    for name, (seconds, target) in rows.items():
        verdict, target_text = "", ""
        if target and target[0] == "ratio":
            ratio = seconds / baseline
            target_text = f"<= {target[1]:g}x baseline"
            verdict = f"{ratio:.2f}x baseline: {'met' if ratio <= target[1] else 'MISSED'}"
        elif target:
            target_text = f"< {target[1]:g} s"
            verdict = "met" if seconds < target[1] else "MISSED"
        print(f"{name:32} {seconds:9.3f} {target_text:>16}  {verdict}")
        report[name] = round(seconds, 4)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
