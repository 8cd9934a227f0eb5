"""The student's day in a workspace made by `tito release`: the jupytext pair (Jupyter's own way
and an editor's), sync, submit (its score is the autograded score), locked tests run as
released, a workspace CLI without instructor commands, a release that can be re-run, and
one-line path errors."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import ALPHA, REPO, run_tito, write_module
from tito.course import discover_modules
from tito.grading.autograde import autograde, collect
from tito.grading.report import gradebook_records
from tito.sandbox import sandbox_problem
from tito.source import load_source

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, Path]:
    """(the instructor's one-module course, generated; a student workspace released from it)."""
    base = tmp_path_factory.mktemp("day")
    course = base / "course"
    write_module(course, "01_alpha", ALPHA)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copy(REPO / "pyproject.toml", course / "pyproject.toml")
    (course / "tinytorch" / "core").mkdir(parents=True)
    for rel in ("tinytorch/__init__.py", "tinytorch/core/__init__.py"):
        (course / rel).write_text("")
    proc = run_tito("release", "--out", str(base / "ws"), cwd=course, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return course, base / "ws"


@pytest.fixture
def ws(released, tmp_path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(released[1], copy)
    return copy


def _files(ws: Path):
    folder = ws / "modules" / "source" / "01_alpha"
    return folder / "alpha_dev.py", folder / "alpha_dev.ipynb"


def _later(path: Path, seconds: float = 5) -> None:
    """As if the file were saved `seconds` after everything else."""
    stamp = time.time() + seconds
    os.utime(path, (stamp, stamp))


def _fill_double(ws: Path, code: str = "return 2 * x") -> None:
    py, _ = _files(ws)
    text = py.read_text()
    assert STUB in text
    py.write_text(text.replace(STUB, "    " + code, 1))
    _later(py)


# ----------------------------------------------------------------------------- the pair
def test_a_notebook_merely_opened_and_autosaved_never_hides_the_work_in_the_py(ws):
    _fill_double(ws)
    py, nb = _files(ws)
    nb.write_text(nb.read_text())  # JupyterLab without jupytext: the stubs, saved later
    _later(nb, 10)
    src = load_source(discover_modules(ws)[0])
    assert src.path == py
    assert src.note == ("alpha_dev.ipynb is newer but has only the stubs; using alpha_dev.py, which has your work "
                        "(run `tito sync alpha` to make them equal)")
    proc = run_tito("module", "test", "alpha", cwd=ws)
    assert "PASS         5/5  test_double" in proc.stdout and "is newer but has only the stubs" in proc.stdout


def test_jupytexts_contents_manager_opens_the_edited_py_and_saves_both(ws):
    from jupytext import TextFileContentsManager

    _fill_double(ws)  # an editor-style edit of the .py
    py, nb = _files(ws)
    manager = TextFileContentsManager(root_dir=str(py.parent))
    model = manager.get("alpha_dev.ipynb")  # as JupyterLab opens the notebook
    sources = [c["source"] for c in model["content"]["cells"]]
    assert any("return 2 * x" in s for s in sources), "the notebook shows the newer .py"
    manager.save(model, "alpha_dev.ipynb")  # as JupyterLab saves it
    saved = json.loads(nb.read_text())["cells"]
    assert any("return 2 * x" in "".join(c["source"]) for c in saved)
    assert "return 2 * x" in py.read_text()
    src = load_source(discover_modules(ws)[0])
    assert src.note is None  # the pair agrees


def test_a_notebook_edit_wins_when_it_is_the_work_and_sync_makes_the_pair_equal(ws):
    py, nb = _files(ws)
    data = json.loads(nb.read_text())
    for cell in data["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "alpha-double":
            cell["source"] = "".join(cell["source"]).replace(STUB, "    return 2 * x")
    nb.write_text(json.dumps(data))
    _later(nb)
    src = load_source(discover_modules(ws)[0])
    assert src.path == nb and "differ in solution code; using alpha_dev.ipynb, the newer" in src.note
    proc = run_tito("sync", "alpha", cwd=ws)
    assert proc.returncode == 0 and "alpha_dev.py now matches alpha_dev.ipynb" in proc.stdout, proc.stderr
    assert "return 2 * x" in py.read_text() and load_source(discover_modules(ws)[0]).note is None
    backups = list((ws / ".tito" / "backups").rglob("alpha_dev.py"))
    assert len(backups) == 1 and STUB in backups[0].read_text()
    assert not list(py.parent.glob("*.backup*"))
    assert "already in sync" in run_tito("sync", "alpha", cwd=ws).stdout


# ----------------------------------------------------------------------------- submit
@pytest.mark.skipif(sandbox_problem() is not None, reason="autograding needs a sandbox")
def test_submit_writes_the_notebook_and_its_points_are_the_autograded_points(released, ws, tmp_path):
    course, _ = released
    _fill_double(ws)  # double right, area still a stub: 5 of 15
    proc = run_tito("submit", "alpha", cwd=ws)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Hand in: submit/01_alpha.ipynb  (from modules/source/01_alpha/alpha_dev.py)" in proc.stdout
    assert "Expect 5/15 points from the autograder (1/2 tests)." in proc.stdout
    grading = tmp_path / "grading"
    shutil.copytree(course, grading)
    inbox = tmp_path / "inbox" / "ann"
    inbox.mkdir(parents=True)
    shutil.copy(ws / "submit" / "01_alpha.ipynb", inbox / "01_alpha.ipynb")  # the file a student uploads
    module = discover_modules(grading)[0]
    assert collect(grading, module, tmp_path / "inbox") == [("ann", "collected 1 file(s)")]
    assert autograde(grading, module)[0].score == 5.0
    assert gradebook_records(grading)[0]["score"] == 5.0


def test_a_locked_test_edited_locally_is_reported_and_run_as_released(ws):
    _fill_double(ws, "return 3 * x")  # wrong
    py, _ = _files(ws)
    text = py.read_text()
    py.write_text(text.replace("def test_double():\n", "def test_double():\n    return\n", 1))
    proc = run_tito("module", "test", "alpha", cwd=ws, columns=80)
    assert "FAIL         0/5  test_double" in proc.stdout
    assert "Note: the locked test test-double differs from the released version; it is" in proc.stdout
    assert all(len(line) <= 80 for line in proc.stdout.splitlines())
    check = run_tito("module", "check", "alpha", cwd=ws)
    assert check.returncode == 1 and "the locked test test-double differs from the released version" in check.stdout


# ----------------------------------------------------------------------------- the workspace CLI
def test_the_workspace_cli_has_student_commands_only(ws):
    help_text = run_tito("--help", cwd=ws).stdout
    for command in ("export", "test", "module", "status", "submit", "sync", "milestone", "system"):
        assert f" {command} " in help_text or f" {command}\n" in help_text, command
    assert " nbgrader " not in help_text and " release " not in help_text and " notebooks " not in help_text
    proc = run_tito("nbgrader", "generate", "--all", cwd=ws)
    assert proc.returncode == 2 and "nbgrader_config" not in proc.stderr and "No such command" in proc.stderr


def test_release_can_be_rerun_over_an_unchanged_workspace(released):
    course, first = released
    before = {p: p.read_bytes() for p in first.rglob("*") if p.is_file()}
    proc = run_tito("release", "--out", str(first), cwd=course, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = {p: p.read_bytes() for p in first.rglob("*") if p.is_file() and ".tito" not in p.parts}
    assert after == {p: b for p, b in before.items() if ".tito" not in p.parts}
    assert not [p for p in first.rglob("*backup*")]


def test_path_errors_are_one_line_with_a_non_zero_exit(released, tmp_path):
    course, _ = released
    for args in (("release", "--out", "/proc/nope"), ("nbgrader", "report", "--format", "csv", "--out",
                                                     str(tmp_path / "missing" / "r.csv"))):
        proc = run_tito(*args, cwd=course, timeout=300)
        assert proc.returncode == 1, args
        errors = [l for l in proc.stderr.splitlines() if l.startswith("Error:")]
        assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
