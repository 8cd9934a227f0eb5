"""nbconvert preprocessors that tito adds to nbgrader's pipelines (one transformation each)."""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output

from tito.source import HIDDEN_BEGIN, HIDDEN_END


def remove_hidden_tests(source: str) -> tuple[str, bool]:
    """`source` without its hidden-test regions, and whether it had any."""
    kept, hiding, found = [], False, False
    for line in source.split("\n"):
        text = line.strip()
        if text == HIDDEN_BEGIN:
            hiding = found = True
        elif text == HIDDEN_END:
            hiding = False
        elif not hiding:
            kept.append(line)
    return "\n".join(kept), found


class HideHiddenTests(Preprocessor):
    """Feedback must not reveal hidden tests: drop their source, and the cell's outputs,
    whose tracebacks would quote the hidden lines; say only whether the cell passed."""

    enabled = True  # nbconvert skips preprocessors that are not enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        source, had_hidden = remove_hidden_tests(cell.source)
        if not had_hidden:
            return cell, resources
        cell.source = source.rstrip("\n") + "\n# (hidden tests ran here)"
        failed = any(out.get("output_type") == "error" for out in cell.get("outputs", []))
        note = "Some tests in this cell failed.\n" if failed else "All tests in this cell passed.\n"
        cell.outputs = [new_output("stream", name="stdout", text=note)]
        return cell, resources
