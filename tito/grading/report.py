"""`tito nbgrader report`: scores from nbgrader's gradebook, per student and module.

Nothing is stored outside the gradebook; this only reads it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tito.grading.nbg import CoursePaths, gradebook


def gradebook_records(root: Path, include_errors: bool = False) -> list[dict]:
    """One record per submission: student, module, score, max_score, tests, reasons. With
    `include_errors`, also one per submission that could not be graded (score None, the reason)."""
    from tito.grading.autograde import load_errors

    errors = load_errors(root) if include_errors else {}
    records = []
    for module, students in sorted(errors.items()):
        for student, reason in sorted(students.items()):
            records.append({"student": student, "module": module, "score": None, "max_score": None, "tests": [],
                            "reasons": [f"not graded: {reason}"], "status": "error"})
    if not CoursePaths(root).gradebook.exists():
        return records
    with gradebook(root) as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            for submission in sorted(assignment.submissions, key=lambda s: s.student.id):
                tests, reasons = [], []
                for notebook in submission.notebooks:
                    for grade in sorted(notebook.grades, key=lambda g: g.cell.name):
                        tests.append({"test": grade.name, "notebook": notebook.name, "score": float(grade.score),
                                      "max_score": float(grade.max_score),
                                      "passed": float(grade.score) >= float(grade.max_score)})
                    reasons += [c.auto_comment for c in notebook.comments
                                if c.auto_comment and c.auto_comment.startswith("Autograder:")]
                records.append({
                    "student": submission.student.id,
                    "module": assignment.name,
                    "score": float(submission.score),
                    "max_score": float(submission.max_score),
                    "tests": tests,
                    "reasons": sorted(set(reasons)),
                    "status": "graded",
                })
    if errors:  # a resubmission that could not be graded: the earlier grade stands, with a note
        graded = {(r["student"], r["module"]): r for r in records if r["status"] == "graded"}
        for r in [r for r in records if r["status"] == "error"]:
            kept = graded.get((r["student"], r["module"]))
            if kept is not None:
                kept["reasons"].append(f"latest submission not graded ({r['reasons'][0][len('not graded: '):]}); "
                                       "the score is from an earlier one")
                records.remove(r)
    return sorted(records, key=lambda r: (r["module"], r["student"]))


def to_json(records: list[dict]) -> str:
    return json.dumps(records, indent=2)


def to_csv(records: list[dict]) -> str:
    """One row per student, one column per module (its score), then the total: an LMS import."""
    modules = sorted({r["module"] for r in records})
    max_scores = {m: 0.0 for m in modules}
    for r in records:
        if r["max_score"] is not None:
            max_scores[r["module"]] = r["max_score"]
    students = sorted({r["student"] for r in records})
    scores = {(r["student"], r["module"]): r["score"] for r in records}
    notes = {}
    for r in records:
        notes.setdefault(r["student"], []).extend(r["reasons"] if r["status"] == "error" else [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["student"] + [f"{m} ({max_scores[m]:g})" for m in modules] + ["total", "max_total"]
    with_notes = any(notes.values())
    writer.writerow(header + (["notes"] if with_notes else []))
    for student in students:
        row = [scores.get((student, m)) for m in modules]
        writer.writerow([student] + ["" if s is None else f"{s:g}" for s in row]
                        + [f"{sum(s or 0 for s in row):g}", f"{sum(max_scores.values()):g}"]
                        + (["; ".join(notes[student])] if with_notes else []))
    return out.getvalue()


def class_averages(records: list[dict]) -> dict[str, float]:
    by_module: dict[str, list[float]] = {}
    for r in records:
        if r["score"] is not None:
            by_module.setdefault(r["module"], []).append(r["score"])
    return {m: sum(v) / len(v) for m, v in sorted(by_module.items())}
