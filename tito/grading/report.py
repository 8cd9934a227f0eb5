"""`tito nbgrader report`: scores from nbgrader's gradebook, per student and module.

Nothing is stored outside the gradebook; this only reads it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
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
            records.append({"student": student, "name": "", "module": module, "score": None, "max_score": None,
                            "tests": [],
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
                student = submission.student
                name = " ".join(p for p in (student.first_name, student.last_name) if p)
                records.append({
                    "student": student.id,
                    "name": name,
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
    names = {r["student"]: r.get("name", "") for r in records if r.get("name")}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["student"] + (["name"] if names else []) + [f"{m} ({max_scores[m]:g})" for m in modules] \
        + ["total", "max_total"]
    with_notes = any(notes.values())
    writer.writerow(header + (["notes"] if with_notes else []))
    for student in students:
        row = [scores.get((student, m)) for m in modules]
        writer.writerow([student] + ([names.get(student, "")] if names else [])
                        + ["" if s is None else f"{s:g}" for s in row]
                        + [f"{sum(s or 0 for s in row):g}", f"{sum(max_scores.values()):g}"]
                        + (["; ".join(notes[student])] if with_notes else []))
    return out.getvalue()


def class_averages(records: list[dict]) -> dict[str, float]:
    by_module: dict[str, list[float]] = {}
    for r in records:
        if r["score"] is not None:
            by_module.setdefault(r["module"], []).append(r["score"])
    return {m: sum(v) / len(v) for m, v in sorted(by_module.items())}


def failure_messages(root: Path, records: list[dict]) -> dict[tuple[str, str, str], str]:
    """{(module, student, test): the message its failure gave}, from the autograded notebooks."""
    from tito.course import discover_modules

    notebooks = {m.dirname: m.ipynb_path.name for m in discover_modules(root)}
    messages = {}
    for r in records:
        if r["status"] != "graded" or r["module"] not in notebooks:
            continue
        path = CoursePaths(root).autograded / r["student"] / r["module"] / notebooks[r["module"]]
        try:
            outcomes = json.loads(path.read_text(encoding="utf-8"))["metadata"]["tito"]["outcomes"]
        except (OSError, ValueError, KeyError):
            continue
        for test, outcome in outcomes.items():
            if outcome.get("status") != "pass":
                messages[(r["module"], r["student"], test)] = outcome.get("message", "")
    return messages


def by_test(root: Path, records: list[dict]) -> list[dict]:
    """Per graded test: how many students passed it, the mean points, and the most common failure."""
    messages = failure_messages(root, records)
    stats: dict[tuple[str, str], dict] = {}
    for r in records:
        if r["status"] != "graded":
            continue
        for t in r["tests"]:
            entry = stats.setdefault((r["module"], t["test"]), {"module": r["module"], "test": t["test"],
                                                                "students": 0, "passed": 0, "points": 0.0,
                                                                "max_points": t["max_score"], "failures": []})
            entry["students"] += 1
            entry["passed"] += bool(t["passed"])
            entry["points"] += t["score"]
            if not t["passed"]:
                entry["failures"].append(messages.get((r["module"], r["student"], t["test"]), "") or "(no message)")
    rows = []
    for entry in stats.values():
        common = Counter(entry.pop("failures")).most_common(1)
        entry["mean_points"] = round(entry.pop("points") / entry["students"], 3)
        entry["most_common_failure"] = common[0][0] if common else ""
        entry["failure_count"] = common[0][1] if common else 0
        rows.append(entry)
    return sorted(rows, key=lambda e: (e["module"], e["passed"] / e["students"], e["test"]))


def plot_histograms(records: list[dict], path: Path) -> Path:
    """A histogram of scores per module, as a PNG (matplotlib, the optional `plot` extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        from tito.errors import TitoError

        raise TitoError("--plot needs matplotlib, which is not installed.", "pip install -e '.[plot]'") from None
    by_module: dict[str, list[float]] = {}
    max_scores: dict[str, float] = {}
    for r in records:
        if r["score"] is not None:
            by_module.setdefault(r["module"], []).append(r["score"])
            max_scores[r["module"]] = r["max_score"]
    if not by_module:
        from tito.errors import TitoError

        raise TitoError("No graded submissions to plot.", "Run tito nbgrader autograde MODULE first.")
    fig, axes = plt.subplots(len(by_module), 1, figsize=(7, 2.6 * len(by_module)), squeeze=False)
    for ax, (module, scores) in zip(axes[:, 0], sorted(by_module.items())):
        top = max_scores[module] or 1.0
        ax.hist(scores, bins=min(20, max(5, len(set(scores)))), range=(0, top), color="#3b7dd8", edgecolor="white")
        ax.set_title(f"{module}: {len(scores)} students, mean {sum(scores) / len(scores):.1f}/{top:g}")
        ax.set_xlabel("score")
        ax.set_ylabel("students")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
