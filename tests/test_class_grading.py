"""Grading a whole class: the same scores serially, in parallel and on a real local Dask cluster,
a lost worker, two graders at once, the course lock, collect at class scale, analytics, roster."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ALPHA, REPO, copy_course, run_tito, write_module
from tito.course import discover_modules
from tito.errors import TitoError
from tito.grading.autograde import autograde, collect
from tito.grading.generate import generate_module
from tito.grading.lock import course_lock, lock_path
from tito.grading.report import by_test, gradebook_records
from tito.sandbox import sandbox_problem

sys.path.insert(0, str(REPO / "examples"))
from make_submissions import write_class  # noqa: E402

pytestmark = pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox: {sandbox_problem()}")
CLASS = 40
# complete, half done, untouched, and buggy (multiply's backward uses the wrong operand)
EXPECTED = {"complete": 175.0, "half": 105.0, "untouched": 0.0, "buggy": 55.0}
BIN = Path(sys.executable).parent


def _autograd(root: Path):
    return next(m for m in discover_modules(root) if m.name == "autograd")


def _scores(root: Path) -> dict[str, float]:
    return {r["student"]: r["score"] for r in gradebook_records(root)}


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """The course with 07_autograd generated and 40 generated submissions collected."""
    root = tmp_path_factory.mktemp("class") / "course"
    copy_course(root, samples=True)
    generate_module(root, _autograd(root))
    inbox = root.parent / "inbox"
    kinds = write_class(inbox, CLASS, root / "examples" / "submissions")
    outcomes = collect(root, _autograd(root), inbox)
    assert [state for _, state in outcomes] == ["collected 1 file(s)"] * CLASS
    root.joinpath("kinds.txt").write_text("\n".join(f"{s} {k}" for s, k in kinds.items()))
    return root


def _expected(root: Path) -> dict[str, float]:
    kinds = dict(line.split() for line in root.joinpath("kinds.txt").read_text().splitlines())
    return {student: EXPECTED[kind] for student, kind in kinds.items()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A real `dask scheduler` and `dask worker` processes on 127.0.0.1, stopped at the end."""

    def __init__(self, workers: int, nanny: bool = True):
        port = _free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                           "--dashboard-address", ":0", "--no-show"], **quiet)
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.workers = [subprocess.Popen([str(BIN / "dask"), "worker", self.address, "--nthreads", "1",
                                          "--host", "127.0.0.1", "--no-dashboard"]
                                         + ([] if nanny else ["--no-nanny"]), env=env, **quiet)
                        for _ in range(workers)]
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)

    def stop(self) -> None:
        for proc in self.workers + [self.scheduler]:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.workers + [self.scheduler]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


# ----------------------------------------------------------------------------- same scores every way
def test_forty_submissions_score_the_same_serially_in_parallel_and_on_dask(klass):
    module, expected = _autograd(klass), _expected(klass)
    serial = autograde(klass, module, jobs=1)
    assert {o.student: o.score for o in serial} == expected
    assert _scores(klass) == expected
    parallel = autograde(klass, module, jobs=2)
    assert [(o.student, o.score, o.status) for o in parallel] == [(o.student, o.score, o.status) for o in serial]
    assert _scores(klass) == expected
    cluster = Cluster(workers=2)
    try:
        on_dask = autograde(klass, module, scheduler=cluster.address)
    finally:
        cluster.stop()
    assert [(o.student, o.score, o.status) for o in on_dask] == [(o.student, o.score, o.status) for o in serial]
    records = gradebook_records(klass)
    assert _scores(klass) == expected and len(records) == CLASS  # one record each, none twice
    per_test = {(r["student"], t["test"]): t["score"] for r in records for t in r["tests"]}
    assert len(per_test) == CLASS * 19


def test_a_worker_killed_mid_batch_loses_no_submission_and_grades_none_twice(klass):
    module, expected = _autograd(klass), _expected(klass)
    students = sorted(expected)[:16]
    cluster = Cluster(workers=2, nanny=False)
    seen: list[str] = []
    killed = threading.Event()

    def on_progress(outcome):
        seen.append(outcome.student)
        if not killed.is_set():  # the first result is back: kill a worker while others run
            cluster.workers[0].send_signal(signal.SIGKILL)
            killed.set()

    try:
        outcomes = autograde(klass, module, students, scheduler=cluster.address, on_progress=on_progress)
    finally:
        cluster.stop()
    assert killed.is_set() and cluster.workers[0].returncode == -signal.SIGKILL
    assert sorted(seen) == students  # each student's result applied exactly once
    assert {o.student: o.score for o in outcomes} == {s: expected[s] for s in students}
    assert all(o.status == "graded" for o in outcomes)


def test_analytics_by_test_and_the_histogram(klass, tmp_path):
    if not any(r["module"] == "07_autograd" for r in gradebook_records(klass)):
        autograde(klass, _autograd(klass), jobs=2)
    rows = {r["test"]: r for r in by_test(klass, gradebook_records(klass))}
    assert len(rows) == 19
    multiply = rows["test-multiply-operation"]
    # complete passes; half has multiply; untouched and buggy fail it
    assert (multiply["students"], multiply["passed"]) == (CLASS, CLASS // 2)
    assert multiply["failure_count"] == CLASS // 4  # the untouched and the buggy fail it, with two messages
    assert rows["test-deep-chain"]["most_common_failure"].startswith("not implemented yet")
    png = tmp_path / "scores.png"
    proc = run_tito("nbgrader", "report", "--by-test", "--plot", str(png), cwd=klass)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert "test-multiply-operation" in proc.stdout and f"{CLASS // 2}/{CLASS}" in proc.stdout


# ----------------------------------------------------------------------------- the lock and two graders
@pytest.fixture
def alpha(tmp_path) -> Path:
    root = tmp_path / "course"
    write_module(root, "01_alpha", ALPHA)
    (root / "nbgrader_config.py").write_bytes((REPO / "nbgrader_config.py").read_bytes())
    generate_module(root, discover_modules(root)[0])
    import nbformat

    release = nbformat.read(root / "modules" / "release" / "01_alpha" / "alpha_dev.ipynb", as_version=4)
    for i, code in enumerate(["return 2 * x", "return 3 * x", "return 2 * x", "return x"]):
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "alpha-double":
                cell.source = cell.source.replace("# YOUR CODE HERE\n    raise NotImplementedError()", code, 1)
                cell.source = cell.source.replace("# YOUR CODE HERE\n        raise NotImplementedError()",
                                                  "return side * side", 1)
        path = root / "modules" / "submitted" / f"st{i}" / "01_alpha" / "alpha_dev.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    return root


HOLD = ("import sys, time; sys.path.insert(0, {repo!r}); from pathlib import Path; "
        "from tito.grading.lock import course_lock\n"
        "with course_lock(Path({root!r}), 'autograde'):\n    print('held', flush=True)\n"
        "    deadline = time.time() + 300\n"
        "    while not Path({release!r}).exists() and time.time() < deadline:\n        time.sleep(0.05)")


def _hold_lock(root: Path) -> tuple[subprocess.Popen, Path]:
    """A process holding the course lock until the returned file is created (no timing involved)."""
    release = root.parent / "release-the-lock"
    proc = subprocess.Popen([sys.executable, "-c", HOLD.format(repo=str(REPO), root=str(root), release=str(release))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc, release


def test_two_graders_started_together_both_finish_with_every_score_right(alpha):
    holder, release = _hold_lock(alpha)  # both graders start while the course is held: both must wait
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="120")
    graders = [subprocess.Popen([sys.executable, "-m", "tito", "nbgrader", "autograde", "alpha"], cwd=alpha, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [[] for _ in graders]
    waiting = [threading.Event() for _ in graders]

    def read(index):
        for line in graders[index].stderr:
            errors[index].append(line)
            if "waiting…" in line:
                waiting[index].set()

    readers = [threading.Thread(target=read, args=(i,)) for i in range(len(graders))]
    for reader in readers:
        reader.start()
    assert all(event.wait(timeout=300) for event in waiting), errors
    release.touch()  # now let them run, one after the other
    outputs = [g.stdout.read() for g in graders]
    for grader, reader in zip(graders, readers):
        grader.wait(timeout=300)
        reader.join(timeout=60)
    holder.wait(timeout=30)
    for grader, out, err in zip(graders, outputs, ("".join(e) for e in errors)):
        assert grader.returncode == 0, out + err
        assert "another tito nbgrader autograde (pid" in err and "holds the course; waiting…" in err, err
        assert "Traceback" not in err
    assert _scores(alpha) == {"st0": 15.0, "st1": 10.0, "st2": 15.0, "st3": 10.0}
    assert len(gradebook_records(alpha)) == 4


def test_no_wait_fails_at_once_with_the_holder_named(alpha):
    holder, _ = _hold_lock(alpha)
    try:
        proc = run_tito("nbgrader", "autograde", "alpha", "--no-wait", cwd=alpha)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 1
    assert f"another tito nbgrader autograde (pid {holder.pid}) holds the course" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (alpha / "modules" / "gradebook.db").exists() or gradebook_records(alpha) == []


def test_a_lock_left_by_a_dead_process_is_taken_over(alpha):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = lock_path(alpha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{{"pid": {dead.pid}, "command": "collect", "since": "then"}}')
    notes = []
    with course_lock(alpha, "autograde", wait=False, on_takeover=notes.append):
        assert f'"pid": {os.getpid()}' in path.read_text()
    assert notes == [f"took over the course lock left by tito nbgrader collect (pid {dead.pid}, no longer running)"]
    assert path.read_text() == ""  # released cleanly


# ----------------------------------------------------------------------------- collect at class scale
def test_collect_refuses_a_folder_without_the_layout_and_copies_only_the_notebook(alpha, tmp_path):
    module = discover_modules(alpha)[0]
    inbox = tmp_path / "downloads" / "submissions"
    nb = (alpha / "modules" / "submitted" / "st0" / "01_alpha" / "alpha_dev.ipynb").read_bytes()
    (inbox / "ann" / "01_alpha").mkdir(parents=True)
    (inbox / "ann" / "01_alpha" / "alpha_dev.ipynb").write_bytes(nb)
    for junk in (".git/config", ".venv/lib/big.bin", "numpy.py", "notes/todo.txt"):
        (inbox / "ann" / "01_alpha" / junk).parent.mkdir(parents=True, exist_ok=True)
        (inbox / "ann" / "01_alpha" / junk).write_text("junk")
    (inbox / "bob").mkdir()
    (inbox / "bob" / "alpha_dev.ipynb").write_bytes(nb)
    with pytest.raises(TitoError) as too_high:
        collect(alpha, module, tmp_path / "downloads")
    assert "does not look like a folder of 01_alpha submissions" in too_high.value.message
    assert too_high.value.hint == f"Did you mean --from {inbox}?"
    (tmp_path / "elsewhere" / "some-project" / ".venv").mkdir(parents=True)
    with pytest.raises(TitoError, match="none of its 1 folder"):
        collect(alpha, module, tmp_path / "elsewhere")
    assert collect(alpha, module, inbox) == [("ann", "collected 1 file(s)"), ("bob", "collected 1 file(s)")]
    copied = sorted(p.relative_to(alpha / "modules" / "submitted").as_posix()
                    for p in (alpha / "modules" / "submitted").glob("[ab]*/**/*") if p.is_file())
    assert copied == ["ann/01_alpha/alpha_dev.ipynb", "bob/01_alpha/alpha_dev.ipynb"]


# ----------------------------------------------------------------------------- the roster
def test_roster_names_show_in_the_report_and_strangers_are_flagged(alpha, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nst0,Ada,Lovelace,ada@example.org\n"
                      "st1,Alan,Turing,alan@example.org\nst2,Émilie,du Châtelet,emilie@example.org\n")
    proc = run_tito("nbgrader", "students", "import", str(roster), cwd=alpha)
    assert proc.returncode == 0 and "3 new student(s), 0 updated" in proc.stdout, proc.stdout + proc.stderr
    outcomes = {o.student: o for o in autograde(alpha, discover_modules(alpha)[0])}
    assert outcomes["st3"].reasons == ["'st3' is not on the roster (tito nbgrader students import)"]
    assert outcomes["st0"].reasons == []
    csv_text = run_tito("nbgrader", "report", "--format", "csv", cwd=alpha).stdout
    assert csv_text.splitlines()[:2] == ["student,name,01_alpha (15),total,max_total", "st0,Ada Lovelace,15,15,15"]
    assert "st2,Émilie du Châtelet,15,15,15" in csv_text
    bad = tmp_path / "bad.csv"
    bad.write_text("id,first_name\nst9,Bo\n../x,Eve\nst9,Bo\n")
    proc = run_tito("nbgrader", "students", "import", str(bad), cwd=alpha)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{bad}:3: student id '../x'" in proc.stderr and f"{bad}:4: student 'st9' is listed twice" in proc.stderr
