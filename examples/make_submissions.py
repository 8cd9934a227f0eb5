"""Rebuild the three sample submissions of 07_autograd from the current release notebook.

Each sample is what a student hands in: the release notebook with some TODO cells filled
in by copying the instructor's solution cell (standing in for the student's own code).
- complete:  every solution cell filled in;
- half:      the Variable, the backward pass, _unbroadcast, add, multiply and subtract only;
- untouched: the release notebook as it was handed out.

Run after `tito nbgrader generate autograd`:  python examples/make_submissions.py

`write_class(dest, n)` makes a whole class from them for benchmarks and tests: n students
cycling through complete, half, untouched and buggy (complete, but multiply's backward uses
its own input instead of the other one: a realistic slip).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MODULE, NOTEBOOK = "07_autograd", "autograd_dev.ipynb"
HALF = {"variable-class", "backpropagate", "unbroadcast", "add-function", "multiply-function", "subtract-function"}


def solution_sources() -> dict[str, str]:
    source = nbformat.read(ROOT / "modules" / "source" / MODULE / NOTEBOOK, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def fill(release, solutions: dict[str, str], which) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in which:
            cell.source = solutions[grade_id]
    return nb


KINDS = ("complete", "half", "untouched", "buggy")
BUG = ("return grad_output * b_values, grad_output * a_values", "return grad_output * a_values, grad_output * b_values")


def write_class(dest: Path, n: int, samples: Path | None = None) -> dict[str, str]:
    """`dest/<student>/07_autograd/autograd_dev.ipynb` for n students; returns {student: kind}."""
    samples = samples or ROOT / "examples" / "submissions"
    kinds = {}
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        text = (samples / ("complete" if kind == "buggy" else kind) / MODULE / NOTEBOOK).read_text(encoding="utf-8")
        if kind == "buggy":
            text = text.replace(*BUG)
        student = f"s{i + 1:03d}-{kind}"
        out = dest / student / MODULE / NOTEBOOK
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        kinds[student] = kind
    return kinds


def main() -> None:
    release = nbformat.read(ROOT / "modules" / "release" / MODULE / NOTEBOOK, as_version=4)
    solutions = solution_sources()
    samples = {"complete": set(solutions), "half": HALF, "untouched": set()}
    for student, which in samples.items():
        out = ROOT / "examples" / "submissions" / student / MODULE / NOTEBOOK
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(fill(release, solutions, which), out)
        print(f"{out.relative_to(ROOT)}: {len(which)} of {len(solutions)} TODO cells filled in")


if __name__ == "__main__":
    main()
