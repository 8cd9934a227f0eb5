"""End to end: the whole instructor pipeline, run with the real CLI on a temporary copy of the course.

generate -> verify -> release (with an independent leak scan and a student's test/export loop)
-> collect -> autograde -> report -> feedback -> regrade. Each step runs `tito` in a subprocess
inside the copy, exactly as an instructor would; the real modules/release, submitted,
autograded, feedback and gradebook.db are never touched.

The steps depend on each other, so they are one ordered test per stage sharing a module-scoped
course copy; with -x the first failing stage stops the run.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_course, run_tito, tito_ok

MODULES = tuple(sorted(p.name for p in (REPO / "modules" / "source").iterdir() if (p / "module.yaml").exists()))
STUDENTS = ("complete", "half", "untouched")
EXPECTED_SCORES = {"complete": 175.0, "half": 105.0, "untouched": 0.0}
AUTOGRAD_TESTS = 19

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


# --------------------------------------------------------------------------- helpers
def _region_lines(text: str) -> tuple[set[str], set[str]]:
    """(stripped lines inside solution/hidden-test regions, stripped lines outside them)."""
    inside, outside = set(), set()
    region = None
    for line in text.splitlines():
        s = line.strip()
        if s in (SOLUTION_BEGIN, HIDDEN_BEGIN):
            region = s
        elif s in (SOLUTION_END, HIDDEN_END):
            region = None
        elif region:
            inside.add(s)
        else:
            outside.add(s)
    return inside, outside


def _hidden_test_lines(text: str) -> list[str]:
    lines, hiding = [], False
    for line in text.splitlines():
        s = line.strip()
        if s == HIDDEN_BEGIN:
            hiding = True
        elif s == HIDDEN_END:
            hiding = False
        elif hiding and s:
            lines.append(s)
    return lines


def _file_text(path: Path) -> str:
    """What a student can read in a file: a notebook's cell sources, any other file's text."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)
    return text


def _page_text(path: Path) -> str:
    """The text a reader sees in an HTML page (highlighting splits code into many spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def _report_json(course: Path) -> tuple[dict[str, dict], list[dict]]:
    proc = run_tito("nbgrader", "report", "--format", "json", cwd=course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = json.loads(proc.stdout)
    assert isinstance(records, list)
    return {r["student"]: r for r in records}, records


# --------------------------------------------------------------------------- fixture
@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("grading-e2e")
    root = base / "course"
    root.mkdir()
    copy_course(root, samples=True)
    # Only the sample submissions are notebooks: tito must make the source notebooks itself.
    assert not list((root / "modules").rglob("*.ipynb"))
    assert len(list((root / "examples").rglob("*.ipynb"))) == len(STUDENTS)
    for generated in ("release", "submitted", "autograded", "feedback", "gradebook.db"):
        assert not (root / "modules" / generated).exists()
    return root


# --------------------------------------------------------------------------- stages
def test_1_generate(course: Path):
    tito_ok(run_tito("nbgrader", "generate", "--all", cwd=course, timeout=300), *MODULES)
    for dirname in MODULES:
        name = dirname.split("_", 1)[1]
        notebook = course / "modules" / "release" / dirname / f"{name}_dev.ipynb"
        assert notebook.is_file(), f"no release notebook {notebook}"
        text = notebook.read_text(encoding="utf-8")
        assert SOLUTION_BEGIN not in text and SOLUTION_END not in text, f"solution markers in {notebook}"
        assert HIDDEN_BEGIN not in text, f"hidden-test markers in {notebook}"
        json.loads(text)  # valid JSON


def test_2_verify(course: Path):
    out = tito_ok(run_tito("nbgrader", "verify", "--all", cwd=course, timeout=600))
    assert len(MODULES) >= 10
    for dirname in MODULES:
        row = next((l for l in out.splitlines() if dirname in l), "")
        match = re.search(r"(\d+)/(\d+)\s*│\s*(\d+)/(\d+)\s*│\s*PASS", row)
        assert match, f"{dirname}: no 'N/N │ 0/N │ PASS' in row {row!r}:\n{out}"
        solution, total, blank, total2 = map(int, match.groups())
        assert solution == total == total2 > 0 and blank == 0, f"{dirname}: {row!r}"
    for dirname, points in (("00_setup", 20), ("01_tensor", 85), ("07_autograd", 175)):
        row = next(l for l in out.splitlines() if dirname in l)
        assert f"{points}/{points}" in row, row
    assert "FAIL" not in out


def test_3_release_and_student_loop(course: Path):
    student = course.parent / "student"
    tito_ok(run_tito("release", "--out", str(student), cwd=course, timeout=300), "Student workspace")

    # Independent leak scan: every distinctive solution / hidden-test line of every module.
    sources = [p for d in MODULES for p in (course / "modules" / "source" / d).glob("*_dev.py")]
    assert len(sources) == len(MODULES)
    inside, outside = set(), set()
    for src in sources:
        i, o = _region_lines(src.read_text(encoding="utf-8"))
        inside |= i
        outside |= o
    # A line counts as shown (not secret) when some source has it outside the regions, even
    # as part of a longer line: TODO hints quote e.g. `seed = _seed_gradient(root, gradient)`.
    # The student files are then searched for each secret as a substring, not just a whole line.
    public = "\n".join(outside)
    secrets = {line for line in inside if len(line) >= 20 and line not in public}
    assert len(secrets) > 50, f"suspiciously few secret lines ({len(secrets)}): is the scan reading the sources?"
    files = [p for p in student.rglob("*") if p.is_file()]
    assert any(p.suffix == ".ipynb" for p in files) and any(p.name == "autograd_dev.py" for p in files)
    leaks = [f"{p.relative_to(student)}: {line!r}" for p in files
             for text in [_file_text(p)] for line in sorted(secrets) if line in text]
    assert not leaks, "solution lines in the student workspace:\n" + "\n".join(leaks[:20])

    # A fresh student: the tests say what is missing, without a traceback.
    proc = run_tito("module", "test", "autograd", cwd=student, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "not implemented yet" in out, out
    assert "Traceback" not in out, out

    # The same workspace with the instructor's solutions exported passes everything.
    # copyfile, not copy2: the .py must be newer than the notebook, as after a student's edit
    # (when the two differ, tito uses the newer one).
    for rel in ("01_tensor/tensor_dev.py", "07_autograd/autograd_dev.py"):
        shutil.copyfile(course / "modules" / "source" / rel, student / "modules" / "source" / rel)
    tito_ok(run_tito("export", "tensor", "autograd", cwd=student), "01_tensor", "07_autograd")
    tito_ok(run_tito("module", "test", "autograd", cwd=student, timeout=300),
        f"{AUTOGRAD_TESTS}/{AUTOGRAD_TESTS} tests, 175/175 points: PASS")


def test_4_collect_and_autograde(course: Path):
    out = tito_ok(run_tito("nbgrader", "collect", "autograd", "--from", "examples/submissions", cwd=course))
    for student in STUDENTS:
        assert f"{student}: collected" in out, out
        assert (course / "modules" / "submitted" / student / "07_autograd" / "autograd_dev.ipynb").is_file()
    out = tito_ok(run_tito("nbgrader", "autograde", "autograd", cwd=course, timeout=600), "mean score", "93.3/175")
    # exit 0 means no student ended in "error"; only failures get a line of their own
    assert re.search(r"graded\s+│\s+3 │", out) and not any(student in out for student in STUDENTS), out


def _check_scores(course: Path) -> dict[str, dict]:
    by_student, records = _report_json(course)
    assert len(records) == 3, records
    assert set(by_student) == set(STUDENTS)
    for student, expected in EXPECTED_SCORES.items():
        r = by_student[student]
        assert r["module"] == "07_autograd"
        assert r["max_score"] == 175.0
        assert r["score"] == expected, f"{student}: score {r['score']}, expected {expected}"
        assert len(r["tests"]) == AUTOGRAD_TESTS, r["tests"]
        assert sum(t["max_score"] for t in r["tests"]) == 175.0
        assert sum(t["score"] for t in r["tests"]) == expected
    assert all(t["passed"] for t in by_student["complete"]["tests"])
    assert not any(t["passed"] for t in by_student["untouched"]["tests"])
    half = by_student["half"]["tests"]
    assert 0 < sum(t["passed"] for t in half) < AUTOGRAD_TESTS
    return by_student


def test_5_report(course: Path):
    _check_scores(course)

    proc = run_tito("nbgrader", "report", "--format", "csv", cwd=course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "student,07_autograd (175),total,max_total",
        "complete,175,175,175",
        "half,105,105,175",
        "untouched,0,0,175",
    ], proc.stdout

    tito_ok(run_tito("nbgrader", "report", "--format", "table", cwd=course),
        "Class average, 07_autograd: 93.3/175", *STUDENTS)


def test_6_feedback_hides_hidden_tests(course: Path):
    out = tito_ok(run_tito("nbgrader", "feedback", "autograd", cwd=course, timeout=300))
    hidden = _hidden_test_lines((course / "modules" / "source" / "07_autograd" / "autograd_dev.py")
                                .read_text(encoding="utf-8"))
    assert len(hidden) >= 5, hidden
    # The hidden tests did run: they are in the autograded notebooks feedback is made from.
    graded = _file_text(course / "modules" / "autograded" / "complete" / "07_autograd" / "autograd_dev.ipynb")
    assert all(line in graded for line in hidden), "hidden tests missing from the autograded notebook"
    for student in STUDENTS:
        assert student in out
        pages = list((course / "modules" / "feedback" / student / "07_autograd").glob("*.html"))
        assert len(pages) == 1, pages
        page = _page_text(pages[0])
        assert "def test_deep_chain" in page, "visible tests should be in the feedback (else the check is empty)"
        assert "def test_neural_network_training" in page
        shown = [line for line in hidden if line in page]
        assert not shown, f"{student}'s feedback shows hidden-test lines: {shown}"


def test_7_regrade_replaces(course: Path):
    before = _check_scores(course)
    out = tito_ok(run_tito("nbgrader", "collect", "autograd", "--from", "examples/submissions", cwd=course))
    for student in STUDENTS:
        assert f"{student}: unchanged" in out, out
    tito_ok(run_tito("nbgrader", "autograde", "autograd", cwd=course, timeout=600), "93.3/175")
    after = _check_scores(course)
    for student in STUDENTS:
        assert [(t["test"], t["score"]) for t in after[student]["tests"]] == \
               [(t["test"], t["score"]) for t in before[student]["tests"]]
