"""The instructor pipeline's failure paths, on a tiny one-module course graded by real nbgrader."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ALPHA, REPO, write_module
from tito.course import discover_modules
from tito.errors import TitoError
from tito.grading import nbg
from tito.grading.autograde import autograde, collect
from tito.grading.feedback import feedback
from tito.grading.generate import generate_module
from tito.grading.notebooks import py_from_notebook, write_source_notebook
from tito.grading.release_checks import check_release
from tito.grading.report import gradebook_records, to_csv
from tito.sandbox import Limits
from tito.source import parse_notebook, read_cells

ALPHA_HIDDEN = ALPHA.replace("test_area()\n", "test_area()\n### BEGIN HIDDEN TESTS\n"
                             "assert Box().area(12) == 144, 'hidden: a 12x12 box'\n### END HIDDEN TESTS\n")


@pytest.fixture(scope="module")
def generated_template(tmp_path_factory) -> Path:
    """A one-module course (01_alpha, 15 points) with its release generated once."""
    root = tmp_path_factory.mktemp("template") / "course"
    write_module(root, "01_alpha", ALPHA_HIDDEN)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    generate_module(root, discover_modules(root)[0])
    return root


@pytest.fixture
def course_dir(generated_template, tmp_path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(generated_template, root)
    return root


def _module(root):
    return discover_modules(root)[0]


def _release_nb(root):
    return nbformat.read(root / "modules" / "release" / "01_alpha" / "alpha_dev.ipynb", as_version=4)


def _submit(root, student, nb=None, text=None, name="alpha_dev.ipynb"):
    folder = root / "modules" / "submitted" / student / "01_alpha"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    else:
        nbformat.write(nb, path)
    return path


def _solved(root, double="return 2 * x", area="return side * side", drop_area_test=False):
    nb = _release_nb(root)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "alpha-double":
            cell.source = cell.source.replace("# YOUR CODE HERE\n    raise NotImplementedError()", double, 1)
            cell.source = cell.source.replace("# YOUR CODE HERE\n        raise NotImplementedError()", area, 1)
    if drop_area_test:
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test-area"]
    return nb


def _scores(root):
    return {(r["student"], r["module"]): r["score"] for r in gradebook_records(root)}


# ----------------------------------------------------------------------------- config
def test_committed_config_agrees_with_tito():
    assert nbg.config_problems(REPO) == []


def test_config_disagreement_is_reported(tmp_path):
    text = (REPO / "nbgrader_config.py").read_text().replace('"submitted"', '"handins"')
    (tmp_path / "nbgrader_config.py").write_text(text)
    assert nbg.config_problems(tmp_path) == [
        f"{tmp_path / 'nbgrader_config.py'}: CourseDirectory.submitted_directory is 'handins' but tito uses 'submitted'"]
    with pytest.raises(TitoError, match="nbgrader_config.py and tito disagree"):
        nbg.load_config(tmp_path)
    (tmp_path / "nbgrader_config.py").unlink()
    assert nbg.config_problems(tmp_path) == [f"{tmp_path / 'nbgrader_config.py'}: missing; tito needs it to run nbgrader"]


def test_in_process_alembic_head_matches_nbgraders_subprocess():
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    out = subprocess.run([sys.executable, "-c", "import nbgrader.api as a; print(a.get_alembic_version())"],
                         capture_output=True, text=True, env=env, check=True)
    assert nbg.alembic_head() == out.stdout.strip()
    assert len(nbg.alembic_head()) == 12


# ----------------------------------------------------------------------------- notebooks
def test_notebook_round_trips_to_the_same_py(course_dir):
    module = _module(course_dir)
    nb = nbformat.read(module.ipynb_path, as_version=4)
    assert py_from_notebook(nb) == module.py_path.read_text()
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata["nbgrader"]["points"] for c in graded] == [5, 10]


def test_newer_edited_notebook_is_not_overwritten(course_dir):
    module = _module(course_dir)
    nb = nbformat.read(module.ipynb_path, as_version=4)
    nb.cells[2].source += "\n# my own note"
    nbformat.write(nb, module.ipynb_path)
    os.utime(module.ipynb_path, (module.py_path.stat().st_mtime + 10,) * 2)
    with pytest.raises(TitoError, match="is newer than alpha_dev.py and has different code"):
        write_source_notebook(module)
    path, state = write_source_notebook(module, force=True)
    assert state.startswith("written (old notebook kept as alpha_dev.backup-")
    assert len(list(module.path.glob("alpha_dev.backup-*.ipynb"))) == 1


# ----------------------------------------------------------------------------- generate
def _check(course_dir, mutate):
    module = _module(course_dir)
    path = course_dir / "modules" / "release" / "01_alpha" / "alpha_dev.ipynb"
    nb = nbformat.read(path, as_version=4)
    mutate(nb)
    nbformat.write(nb, path)
    return check_release(read_cells(module.ipynb_path), parse_notebook(path.read_text(), path), "alpha_dev.ipynb")


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_generated_release_passes_the_checks(course_dir):
    assert _check(course_dir, lambda nb: None) == []
    text = (course_dir / "modules" / "release" / "01_alpha" / "alpha_dev.ipynb").read_text()
    assert "return side * side" not in text and "hidden: a 12x12 box" not in text
    stubbed = _cell(_release_nb(course_dir), "alpha-double").source
    assert "        # YOUR CODE HERE\n        raise NotImplementedError()" in stubbed  # the method's own indentation


def test_fixed_indentation_stub_is_caught(course_dir):
    # The original generator wrote every stub at 4 spaces: inside a method it fell into the class body.
    def dedent_stub(nb):
        cell = _cell(nb, "alpha-double")
        cell.source = cell.source.replace("        # YOUR CODE HERE\n        raise", "    # YOUR CODE HERE\n    raise")
    problems = _check(course_dir, dedent_stub)
    assert any("stub at indentation 4, but its '### BEGIN SOLUTION' line is at 8" in p for p in problems), problems
    assert any("does not parse as Python" in p for p in problems)


def test_surviving_solution_line_and_unlocked_cell_are_caught(course_dir):
    def leak_and_unlock(nb):
        _cell(nb, "alpha-double").source += "\nprint(side * side)\n        return side * side"
        _cell(nb, "test-area").metadata["editable"] = True
    problems = _check(course_dir, leak_and_unlock)
    assert any("a solution or hidden-test line survived: 'return side * side'" in p for p in problems), problems
    assert any("(test-area): locked in the source but not locked in the release (editable=True" in p for p in problems)


def test_regenerate_never_overwrites_a_changed_release(course_dir):
    module = _module(course_dir)
    release = course_dir / "modules" / "release" / "01_alpha" / "alpha_dev.ipynb"
    generate_module(course_dir, module)  # unchanged release: regenerating is fine
    release.write_text(release.read_text().replace("A tiny module", "A student's edit in a tiny module"))
    with pytest.raises(TitoError, match="changed since tito generated it; regenerating would overwrite that work"):
        generate_module(course_dir, module)
    result = generate_module(course_dir, module, force=True)
    backups = list((course_dir / "modules" / "release").glob("01_alpha.backup-*"))
    assert len(backups) == 1 and "A student's edit" in (backups[0] / "alpha_dev.ipynb").read_text()
    assert result.note.startswith("changed release kept in modules/release/01_alpha.backup-")


# ----------------------------------------------------------------------------- autograde
def test_bad_submissions_are_per_student_errors_and_keep_old_grades(course_dir):
    module = _module(course_dir)
    _submit(course_dir, "ann", _solved(course_dir))
    _submit(course_dir, "bea", _solved(course_dir))
    first = {o.student: (o.status, o.score) for o in autograde(course_dir, module)}
    assert first == {"ann": ("graded", 15.0), "bea": ("graded", 15.0)}

    _submit(course_dir, "bea", text='{"cells": [')  # a corrupt resubmission
    _submit(course_dir, "cid", _solved(course_dir), name="Untitled.ipynb")  # wrong file name
    outcomes = {o.student: o for o in autograde(course_dir, module)}
    assert (outcomes["ann"].status, outcomes["ann"].score) == ("graded", 15.0)
    assert outcomes["bea"].status == "error"
    assert outcomes["bea"].message == ("modules/submitted/bea/01_alpha/alpha_dev.ipynb is not valid notebook JSON: "
                                       "Expecting value at line 1 column 12")
    assert outcomes["cid"].status == "error"
    assert outcomes["cid"].message == ("missing notebook: expected modules/submitted/cid/01_alpha/alpha_dev.ipynb, "
                                       "found Untitled.ipynb")
    assert _scores(course_dir) == {("ann", "01_alpha"): 15.0, ("bea", "01_alpha"): 15.0}  # bea's grade kept

    unknown = autograde(course_dir, module, ["nobody"])[0]
    assert unknown.status == "error"
    assert unknown.message.startswith("unknown student 'nobody': no submission in modules/submitted/nobody/01_alpha")
    assert len(list((course_dir / ".tito" / "backups").glob("gradebook-*.db"))) >= 2


def test_crash_and_timeout_cost_only_the_cell_that_caused_them(course_dir):
    module = _module(course_dir)
    _submit(course_dir, "crash", _solved(course_dir, double="import os; os._exit(1)"))
    _submit(course_dir, "slow", _solved(course_dir, double="while True: pass"))
    outcomes = {o.student: o for o in autograde(course_dir, module, limits=Limits(cell_timeout=3))}
    crash, slow = outcomes["crash"], outcomes["slow"]
    assert (crash.status, crash.score, crash.max_score) == ("graded", 10.0, 15.0)  # the area test still counts
    assert crash.reasons == ["test-double: the code called os._exit(1) at alpha_dev.ipynb:cell 3:4; "
                             "tests must not end the process"]
    assert (slow.score, slow.max_score) == (10.0, 15.0)
    assert slow.reasons == ["test-double: timed out after 3s while running alpha_dev.ipynb:cell 3:4 "
                            "(an infinite loop, or far too slow)"]
    records = {r["student"]: r for r in gradebook_records(course_dir)}
    assert [(t["test"], t["score"]) for t in records["crash"]["tests"]] == [("test-area", 10.0), ("test-double", 0.0)]
    assert records["crash"]["reasons"] == ["Autograder: " + crash.reasons[0]]


def test_regrade_after_deleting_a_grade_cell_keeps_no_stale_score(course_dir):
    module = _module(course_dir)
    _submit(course_dir, "dan", _solved(course_dir))
    assert autograde(course_dir, module)[0].score == 15.0
    # Resubmission: the area test cell is deleted and the area code is now wrong.
    _submit(course_dir, "dan", _solved(course_dir, area="return side + side", drop_area_test=True))
    outcome = autograde(course_dir, module)[0]
    assert (outcome.score, outcome.max_score) == (5.0, 15.0)
    tests = {t["test"]: t["score"] for t in gradebook_records(course_dir)[0]["tests"]}
    assert tests == {"test-area": 0.0, "test-double": 5.0}


def test_autograde_without_submissions_or_release_is_a_clear_error(course_dir):
    module = _module(course_dir)
    with pytest.raises(TitoError, match="No submissions for 01_alpha"):
        autograde(course_dir, module)
    _submit(course_dir, "eve", _solved(course_dir))
    shutil.rmtree(course_dir / "modules" / "release")
    with pytest.raises(TitoError, match="01_alpha has not been generated"):
        autograde(course_dir, module)


# ----------------------------------------------------------------------------- collect
def test_collect_never_replaces_a_different_submission_silently(course_dir, tmp_path):
    module = _module(course_dir)
    inbox = tmp_path / "inbox"
    (inbox / "fay" / "01_alpha").mkdir(parents=True)
    nbformat.write(_solved(course_dir), inbox / "fay" / "01_alpha" / "alpha_dev.ipynb")
    assert collect(course_dir, module, inbox) == [("fay", "collected 1 file(s)")]
    assert collect(course_dir, module, inbox) == [("fay", "unchanged")]
    nbformat.write(_release_nb(course_dir), inbox / "fay" / "01_alpha" / "alpha_dev.ipynb")
    assert collect(course_dir, module, inbox)[0][1].startswith("kept the existing submission: 1 file(s) differ")
    assert collect(course_dir, module, inbox, force=True) == [("fay", "collected 1 file(s)")]
    assert len(list((course_dir / "modules" / "submitted" / "fay").glob("01_alpha.backup-*"))) == 1
    with pytest.raises(TitoError, match="Unknown student 'gus'"):
        collect(course_dir, module, inbox, student="gus")


# ----------------------------------------------------------------------------- feedback and report
def test_feedback_hides_hidden_tests_and_report_formats(course_dir):
    module = _module(course_dir)
    _submit(course_dir, "hal", _solved(course_dir))
    _submit(course_dir, "ivy", _solved(course_dir, area="return side + side"))
    autograde(course_dir, module)
    outcomes = feedback(course_dir, module)
    assert [(o.student, o.ok) for o in outcomes] == [("hal", True), ("ivy", True)]
    from tito.grading.feedback import page_text

    page = page_text(outcomes[1].path)
    assert "def test_area():" in page and "hidden: a 12x12 box" not in page and "Box().area(12)" not in page
    assert "Some tests in this cell failed." in page
    assert feedback(course_dir, module, ["nobody"])[0].message.startswith("no autograded submission of 01_alpha")

    records = gradebook_records(course_dir)
    assert [(r["student"], r["module"], r["score"], r["max_score"]) for r in records] == [
        ("hal", "01_alpha", 15.0, 15.0), ("ivy", "01_alpha", 5.0, 15.0)]
    assert records[1]["tests"] == [
        {"test": "test-area", "notebook": "alpha_dev", "score": 0.0, "max_score": 10.0, "passed": False},
        {"test": "test-double", "notebook": "alpha_dev", "score": 5.0, "max_score": 5.0, "passed": True}]
    assert to_csv(records) == "student,01_alpha (15),total,max_total\nhal,15,15,15\nivy,5,5,15\n"
    assert json.loads(json.dumps(records)) == records


def test_deleted_or_renamed_locked_cells_are_restored_and_graded_as_released(course_dir):
    module = _module(course_dir)
    _submit(course_dir, "joe", _solved(course_dir, drop_area_test=True))  # right code, test cell deleted
    renamed = _solved(course_dir, area="return side + side")
    for cell in renamed.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test-area":
            meta["grade_id"] = "my-area"  # renamed, and edited to pass anything
            cell.source = "def test_area():\n    pass\n\ntest_area()"
    _submit(course_dir, "kim", renamed)
    outcomes = {o.student: o for o in autograde(course_dir, module)}
    assert (outcomes["joe"].score, outcomes["kim"].score) == (15.0, 5.0)
    assert outcomes["joe"].reasons == ["restored locked cell 'test-area' (deleted or renamed in the submission); "
                                       "graded as released"]
    assert outcomes["kim"].reasons == ["cell 'my-area' is not in the release (renamed?); it ran as ordinary code",
                                       "restored locked cell 'test-area' (deleted or renamed in the submission); "
                                       "graded as released"]
    tests = {r["student"]: {t["test"]: t["score"] for t in r["tests"]} for r in gradebook_records(course_dir)}
    assert tests == {"joe": {"test-area": 10.0, "test-double": 5.0}, "kim": {"test-area": 0.0, "test-double": 5.0}}


def test_every_graded_student_gets_feedback_even_without_an_autograded_notebook(course_dir):
    module = _module(course_dir)
    _submit(course_dir, "lea", _solved(course_dir))
    _submit(course_dir, "max", _solved(course_dir, double="return 3 * x"))
    autograde(course_dir, module)
    # as when nbgrader fails on a submission as a whole: a grade, but no autograded notebook
    (course_dir / "modules" / "autograded" / "max" / "01_alpha" / "alpha_dev.ipynb").unlink()
    outcomes = {o.student: o for o in feedback(course_dir, module)}
    assert sorted(outcomes) == ["lea", "max"] and all(o.ok for o in outcomes.values())
    from tito.grading.feedback import page_text

    page = page_text(outcomes["max"].path)
    assert "Alpha: 10 / 15" in page and "No graded notebook could be made of your submission" in page


def test_students_who_could_not_be_graded_are_in_the_report_with_the_reason(course_dir):
    module = _module(course_dir)
    _submit(course_dir, "ann", _solved(course_dir))
    autograde(course_dir, module)
    _submit(course_dir, "ann", text='{"cells": [')  # a corrupt resubmission: the old grade stands
    _submit(course_dir, "cid", _solved(course_dir), name="Untitled.ipynb")
    autograde(course_dir, module)
    records = {r["student"]: r for r in gradebook_records(course_dir, include_errors=True)}
    assert records["ann"]["score"] == 15.0
    assert records["ann"]["reasons"][-1].startswith("latest submission not graded (modules/submitted/ann/01_alpha/"
                                                    "alpha_dev.ipynb is not valid notebook JSON")
    assert (records["cid"]["score"], records["cid"]["status"]) == (None, "error")
    assert records["cid"]["reasons"] == ["not graded: missing notebook: expected modules/submitted/cid/01_alpha/"
                                         "alpha_dev.ipynb, found Untitled.ipynb"]
    lines = to_csv(list(records.values())).splitlines()
    assert lines[0] == "student,01_alpha (15),total,max_total,notes"
    assert lines[2].startswith('cid,,0,15,"not graded: missing notebook')
    # once cid hands in a readable notebook, the entry goes
    (course_dir / "modules" / "submitted" / "cid" / "01_alpha" / "Untitled.ipynb").rename(
        course_dir / "modules" / "submitted" / "cid" / "01_alpha" / "alpha_dev.ipynb")
    autograde(course_dir, module, ["cid"])
    assert {r["student"]: r["score"] for r in gradebook_records(course_dir, include_errors=True)}["cid"] == 15.0


def test_autograde_refuses_to_run_without_a_sandbox_unless_told(course_dir, monkeypatch):
    import tito.executor

    module = _module(course_dir)
    _submit(course_dir, "ann", _solved(course_dir))
    monkeypatch.setattr(tito.executor, "sandbox_problem", lambda: "user namespaces are disabled")
    with pytest.raises(TitoError, match="No sandbox can be made on this machine: user namespaces are disabled"):
        autograde(course_dir, module)
    assert not (course_dir / "modules" / "gradebook.db").exists() or gradebook_records(course_dir) == []
    outcome = autograde(course_dir, module, unsafe_no_sandbox=True)[0]
    assert outcome.score == 15.0 and outcome.reasons == ["ran without a sandbox (--unsafe-no-sandbox)"]


def test_cli_limits_reach_the_sandbox(course_dir):
    from conftest import run_tito

    _submit(course_dir, "sam", _solved(course_dir, double="while True: pass"))
    proc = run_tito("nbgrader", "autograde", "alpha", "--cell-timeout", "2", cwd=course_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "10/15" in proc.stdout and "timed out after 2s" in proc.stdout
    bad = run_tito("nbgrader", "autograde", "alpha", "--memory-mb", "lots", cwd=course_dir)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
