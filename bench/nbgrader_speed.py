"""Instructor-pipeline timings, each in a fresh scratch copy of the course, against plain nbgrader
in the same run (the machine is shared and noisy: compare the ratios, not the seconds).

  tito nbgrader generate --all     vs  nbgrader generate_assignment, once per module (fresh gradebook)
  tito nbgrader verify --all
  tito nbgrader autograde autograd vs  nbgrader autograde 07_autograd   (the 3 sample submissions, twice)
  the sandbox's own start-up cost: the same one-cell run through the executor with and without it

Plain nbgrader runs with its own default pipeline (a Jupyter kernel, no sandbox), as a course
without tito would; both must give the same scores.

Run: `make bench` or `python bench/nbgrader_speed.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULES = sorted(p.name for p in (ROOT / "modules" / "source").iterdir() if (p / "module.yaml").exists())
SAMPLES = ROOT / "examples" / "submissions"


PLAIN_CONFIG = """
# plain nbgrader: its default autograde pipeline, student code in a Jupyter kernel
c.Autograde.sanitize_preprocessors = ["nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Execute.timeout = 60
"""
COPIES = 2  # each sample submission is graded this many times, under different student ids


def scratch_course(tmp: Path, plain: bool = False) -> Path:
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    if plain:
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as fh:
            fh.write(PLAIN_CONFIG)
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


def samples(tmp: Path) -> tuple[Path, int]:
    inbox = tmp / "inbox"
    n = 0
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        for copy in range(COPIES):
            shutil.copytree(folder, inbox / f"{folder.name}-{copy}")
            n += 1
    return inbox, n


def scores(course: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from tito.grading.report import gradebook_records

    return {r["student"]: r["score"] for r in gradebook_records(course)}


def sandbox_startup(repeats: int = 15) -> tuple[float, float]:
    """Median seconds of a one-cell run through the executor, with and without the sandbox."""
    sys.path.insert(0, str(ROOT))
    from tito.executor import CellSpec, execute

    cells = [CellSpec("x = 1", "bench.py"), CellSpec("def test_x():\n    assert x == 1\ntest_x()", "bench.py", 2, True)]
    times = {True: [], False: []}
    for _ in range(repeats):  # interleaved, so load on the machine hits both alike
        for sandboxed in (True, False):
            start = time.perf_counter()
            execution = execute(cells, {"tinytorch/__init__.py": b""}, sandboxed=sandboxed)
            times[sandboxed].append(time.perf_counter() - start)
            assert [o.status for o in execution.outcomes] == ["pass", "pass"], execution.outcomes
    return statistics.median(times[True]), statistics.median(times[False])


def main() -> None:
    tito = [sys.executable, "-m", "tito"]
    nbgrader = [str(BIN / "nbgrader")]
    results = {}
    with_box, without = sandbox_startup()
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir(), b.mkdir()
        ours, plain = scratch_course(a), scratch_course(b, plain=True)
        inbox, n = samples(Path(tmp))
        results["tito generate --all (fresh gradebook)"] = timed(tito + ["nbgrader", "generate", "--all"], ours)
        timed(tito + ["notebooks", "--all"], plain)  # plain nbgrader needs the notebooks tito makes
        start = time.perf_counter()
        for module in MODULES:
            timed(nbgrader + ["generate_assignment", module, "--force"], plain)
        results[f"nbgrader generate_assignment x{len(MODULES)} (fresh gradebook)"] = time.perf_counter() - start
        results["tito verify --all"] = timed(tito + ["nbgrader", "verify", "--all"], ours)
        for course in (ours, plain):
            timed(tito + ["nbgrader", "collect", "autograd", "--from", str(inbox)], course)
        results[f"tito autograde ({n} submissions)"] = timed(tito + ["nbgrader", "autograde", "autograd"], ours)
        results[f"nbgrader autograde ({n} submissions)"] = timed(nbgrader + ["autograde", "07_autograd", "--force"],
                                                                 plain)
        ours_scores, plain_scores = scores(ours), scores(plain)
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
    print(f"scores: tito {ours_scores}")
    print(f"        plain nbgrader {plain_scores} ({'the same' if ours_scores == plain_scores else 'DIFFERENT'})")
    print(f"sandbox start-up: a one-cell run takes {with_box:.3f}s sandboxed, {without:.3f}s without "
          f"(the sandbox's own cost: {with_box - without:.3f}s per submission)")
    print(json.dumps({k: round(v, 3) for k, v in results.items()}))


if __name__ == "__main__":
    main()
