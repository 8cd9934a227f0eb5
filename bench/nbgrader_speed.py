"""Instructor-pipeline timings, each in a fresh scratch copy of the course, against plain nbgrader
in the same run (the machine is shared and noisy: compare the ratios, not the seconds).

  tito nbgrader generate --all     vs  nbgrader generate_assignment, once per module (fresh gradebook)
  tito nbgrader verify --all
  tito nbgrader autograde autograd vs  nbgrader autograde 07_autograd   (3 sample submissions)

Run: `make bench` or `python bench/nbgrader_speed.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULES = sorted(p.name for p in (ROOT / "modules" / "source").iterdir() if (p / "module.yaml").exists())
SAMPLES = ROOT / "examples" / "submissions"


def scratch_course(tmp: Path) -> Path:
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "modules" / "source", course / "modules" / "source",
                    ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    shutil.copytree(ROOT / "tinytorch", course / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
    return course


def timed(cmd: list[str], cwd: Path) -> float:
    # PATH includes this venv's bin/, as plain nbgrader needs `alembic` on PATH for a new gradebook.
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds


def main() -> None:
    tito = [sys.executable, "-m", "tito"]
    nbgrader = [str(BIN / "nbgrader")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir(), b.mkdir()
        ours, plain = scratch_course(a), scratch_course(b)
        results["tito generate --all (fresh gradebook)"] = timed(tito + ["nbgrader", "generate", "--all"], ours)
        timed(tito + ["notebooks", "--all"], plain)  # plain nbgrader needs the notebooks tito makes
        start = time.perf_counter()
        for module in MODULES:
            timed(nbgrader + ["generate_assignment", module, "--force"], plain)
        results[f"nbgrader generate_assignment x{len(MODULES)} (fresh gradebook)"] = time.perf_counter() - start
        results["tito verify --all"] = timed(tito + ["nbgrader", "verify", "--all"], ours)
        for course in (ours, plain):
            timed(tito + ["nbgrader", "collect", "autograd", "--from", str(SAMPLES)], course)
        n = len([p for p in SAMPLES.iterdir() if p.is_dir()])
        results[f"tito autograde ({n} submissions)"] = timed(tito + ["nbgrader", "autograde", "autograd"], ours)
        results[f"nbgrader autograde ({n} submissions)"] = timed(nbgrader + ["autograde", "07_autograd", "--force"],
                                                                 plain)
    print(f"{'measurement':52} {'seconds':>8}")
    for name, seconds in results.items():
        print(f"{name:52} {seconds:8.2f}")
    per_ours = results[f"tito autograde ({n} submissions)"] / n
    per_plain = results[f"nbgrader autograde ({n} submissions)"] / n
    gen_ratio = (results["tito generate --all (fresh gradebook)"]
                 / results[f"nbgrader generate_assignment x{len(MODULES)} (fresh gradebook)"])
    print(f"autograde seconds per submission: tito {per_ours:.2f}, plain nbgrader {per_plain:.2f} "
          f"(ratio {per_ours / per_plain:.2f})")
    print(f"generate: tito / plain nbgrader = {gen_ratio:.2f}")
    print(json.dumps({k: round(v, 3) for k, v in results.items()}))


if __name__ == "__main__":
    main()
