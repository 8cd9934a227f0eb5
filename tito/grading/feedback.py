"""`tito nbgrader feedback`: per-student HTML feedback from nbgrader, without hidden tests.

nbgrader's feedback shows the autograded notebook, hidden tests included; the course's
nbgrader_config.py adds `HideHiddenTests` to the feedback pipeline, and this module checks
the written HTML once more before saying it is done.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from tito.course import Module
from tito.errors import TitoError
from tito.grading.autograde import notebook_name
from tito.grading.nbg import CoursePaths, log_tail, make_api
from tito.grading.release_checks import GENERIC_RE, region_lines
from tito.source import HIDDEN_BEGIN, HIDDEN_END, read_cells


@dataclass
class FeedbackOutcome:
    student: str
    ok: bool
    path: Path | None = None
    message: str = ""


def hidden_lines(module: Module) -> set[str]:
    """Lines of the module's hidden tests that appear nowhere else in its source."""
    hidden, elsewhere = region_lines(read_cells(module.py_path), {HIDDEN_BEGIN: HIDDEN_END})
    # comments count here: a hidden test's comment says what it checks
    return {line for line in hidden - elsewhere if not GENERIC_RE.match(line)}


def page_text(path: Path) -> str:
    """The text a reader sees in an HTML page (syntax highlighting splits code into spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def autograded_students(root: Path, module: Module) -> list[str]:
    folder = CoursePaths(root).autograded
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / module.dirname / notebook_name(module)).exists())


def graded_without_notebook(root: Path, module: Module) -> dict[str, tuple[float, float, list[str]]]:
    """Students the gradebook has a (zero) grade for but nbgrader wrote no autograded notebook for:
    their run failed as a whole. {student: (score, max_score, reasons)}"""
    from tito.grading.report import gradebook_records

    have = set(autograded_students(root, module))
    return {r["student"]: (r["score"], r["max_score"], r["reasons"]) for r in gradebook_records(root)
            if r["module"] == module.dirname and r["student"] not in have}


def write_plain_feedback(root: Path, module: Module, student: str, score: float, max_score: float,
                         reasons: list[str]) -> Path:
    """Feedback for a submission nbgrader could not make a notebook of: the score and the reason."""
    path = CoursePaths(root).feedback / student / module.dirname / (Path(notebook_name(module)).stem + ".html")
    path.parent.mkdir(parents=True, exist_ok=True)
    items = "".join(f"<li>{html.escape(r.removeprefix('Autograder: '))}</li>" for r in reasons) \
        or "<li>no reason recorded</li>"
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(module.dirname)}</title>"
                    f"</head><body><h1>{html.escape(module.title)}: {score:g} / {max_score:g}</h1>"
                    f"<p>No graded notebook could be made of your submission; the score above is what was "
                    f"recorded. What the autograder noted:</p><ul>{items}</ul>"
                    f"<p>Fix this and submit again.</p></body></html>\n", encoding="utf-8")
    return path


def feedback(root: Path, module: Module, students: list[str] | None = None, api=None,
             on_progress=None) -> list[FeedbackOutcome]:
    """Feedback for every graded student, those recorded as 0 included."""
    known = autograded_students(root, module)
    zeros = graded_without_notebook(root, module)
    students = students or sorted(set(known) | set(zeros))
    if not students:
        raise TitoError(f"No autograded submissions of {module.dirname}.",
                        f"Run `tito nbgrader autograde {module.name}` first.")
    api = api or make_api(root)
    secrets = hidden_lines(module)
    outcomes = []
    for student in students:
        if student in zeros:
            outcome = FeedbackOutcome(student, True, write_plain_feedback(root, module, student, *zeros[student]))
        elif student not in known:
            outcome = FeedbackOutcome(student, False, message=f"no autograded submission of {module.dirname} for "
                                                              f"'{student}' (autograded: {', '.join(known) or 'none'})")
        else:
            result = api.generate_feedback(module.dirname, student, force=True)
            path = CoursePaths(root).feedback / student / module.dirname / (Path(notebook_name(module)).stem + ".html")
            if not result["success"] or not path.exists():
                outcome = FeedbackOutcome(student, False, message="nbgrader generate_feedback failed:\n"
                                                                  + log_tail(result))
            else:
                page = page_text(path)
                leaked = sorted(line for line in secrets if line in page)
                if leaked:
                    path.unlink()
                    outcome = FeedbackOutcome(student, False, message=f"feedback would show hidden tests "
                                                                      f"({leaked[0]!r}); not written")
                else:
                    outcome = FeedbackOutcome(student, True, path)
        outcomes.append(outcome)
        if on_progress:
            on_progress(outcome)
    return outcomes
