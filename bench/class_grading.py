"""Grading a class: 40 submissions of 07_autograd (complete, half done, untouched, buggy), in one run.

  tito nbgrader autograde autograd --jobs 2          vs  plain nbgrader autograde (serial, its only mode)
  tito nbgrader autograde autograd --jobs 1          (to split off the overhead outside the students' cells)
  tito nbgrader autograde autograd --scheduler ...   on a local Dask cluster: a scheduler and 2 workers

Scores must be identical every way. The machine is shared and noisy: compare the ratios.
Run: `python bench/class_grading.py [N]` (`make bench` runs it with 40).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT), str(ROOT / "examples")]
from make_submissions import write_class  # noqa: E402
from nbgrader_speed import BIN, PLAIN_CONFIG, scratch_course, timed  # noqa: E402


def scores(course: Path) -> dict[str, float]:
    from tito.grading.report import gradebook_records

    return {r["student"]: r["score"] for r in gradebook_records(course)}


def cell_seconds(course: Path) -> list[float]:
    """The time the students' own cells ran, per submission, as the harness measured it."""
    out = []
    for path in sorted((course / "modules" / "autograded").glob("*/07_autograd/autograd_dev.ipynb")):
        out.append(json.loads(path.read_text(encoding="utf-8"))["metadata"]["tito"]["cells_seconds"])
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dask_cluster(workers: int = 2):
    """`dask scheduler` and `dask worker` processes on 127.0.0.1; returns (address, processes)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0", "--no-show"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    for _ in range(workers):
        procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                       "--host", "127.0.0.1", "--no-dashboard"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT))))
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(workers, timeout=60)
    return address, procs


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    tito = [sys.executable, "-m", "tito"]
    results, score_sets = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inbox = tmp / "inbox"
        write_class(inbox, n)
        courses = {}
        for name in ("jobs2", "jobs1", "dask", "plain"):
            (tmp / name).mkdir()
            courses[name] = scratch_course(tmp / name)
            timed(tito + ["nbgrader", "generate", "autograd"], courses[name])
            timed(tito + ["nbgrader", "collect", "autograd", "--from", str(inbox)], courses[name])
        with open(courses["plain"] / "nbgrader_config.py", "a", encoding="utf-8") as fh:
            fh.write(PLAIN_CONFIG)  # from here on, plain nbgrader's own pipeline
        results["tito --jobs 2"] = timed(tito + ["nbgrader", "autograde", "autograd", "--jobs", "2"], courses["jobs2"])
        results["plain nbgrader"] = timed([str(BIN / "nbgrader"), "autograde", "07_autograd", "--force"],
                                          courses["plain"])
        results["tito --jobs 1"] = timed(tito + ["nbgrader", "autograde", "autograd", "--jobs", "1"], courses["jobs1"])
        address, procs = dask_cluster()
        try:
            results["tito --scheduler (2 workers)"] = timed(
                tito + ["nbgrader", "autograde", "autograd", "--scheduler", address], courses["dask"])
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)
        for name, course in courses.items():
            score_sets[name] = scores(course)
        cells = cell_seconds(courses["jobs1"])
    print(f"{n} submissions of 07_autograd")
    print(f"{'measurement':34} {'seconds':>8} {'per submission':>15}")
    for name, seconds in results.items():
        print(f"{name:34} {seconds:8.2f} {seconds / n:15.3f}")
    same = all(s == score_sets["plain"] for s in score_sets.values())
    print(f"throughput, tito --jobs 2 vs plain nbgrader: {results['plain nbgrader'] / results['tito --jobs 2']:.2f}x")
    mean_cells = sum(cells) / len(cells)
    print(f"students' own cells: {mean_cells:.3f}s per submission; overhead outside them (--jobs 1): "
          f"{results['tito --jobs 1'] / n - mean_cells:.3f}s per submission")
    print(f"scores identical in all four runs: {same}")
    if not same:
        for name, s in score_sets.items():
            print(name, json.dumps(s, sort_keys=True))
        sys.exit(1)


if __name__ == "__main__":
    main()
