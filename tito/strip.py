"""Strip solutions from source text the way nbgrader's ClearSolutions does, for .py sources.

Each `### BEGIN SOLUTION` ... `### END SOLUTION` region becomes the stub below, at the
indentation of the BEGIN line; hidden-test regions are removed. Used for the student
version of `.py` sources and to prove that graded tests fail without the solutions.
"""

from __future__ import annotations

from tito.source import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END

STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def strip_solutions(text: str) -> str:
    out: list[str] = []
    skipping = None  # the END marker we are looking for
    for line in text.splitlines():
        stripped = line.strip()
        if skipping:
            if stripped == skipping:
                skipping = None
            continue
        if stripped == SOLUTION_BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB)
            skipping = SOLUTION_END
        elif stripped == HIDDEN_BEGIN:
            skipping = HIDDEN_END
        else:
            out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
