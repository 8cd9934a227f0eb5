"""nbconvert preprocessors that tito adds to nbgrader's pipelines (one transformation each)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tito.grading.nbg import _fast_imports

_fast_imports()  # before nbconvert pulls in jsonschema (see tito/grading/nbg.py)
from nbconvert.preprocessors import Preprocessor  # noqa: E402
from nbformat.v4 import new_output  # noqa: E402
from traitlets import Bool, Float, Integer, Unicode  # noqa: E402

from tito.sandbox import Limits  # noqa: E402
from tito.source import HIDDEN_BEGIN, HIDDEN_END  # noqa: E402


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


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _tito_meta(nb) -> dict:
    return nb.metadata.setdefault("tito", {})


class RestoreLockedCells(Preprocessor):
    """A locked cell that a submission deleted or renamed is put back from the release, where it
    stood; a cell that claims to be graded under an id the release does not have is demoted to
    ordinary code. Runs before nbgrader's OverwriteCells, which then restores locked sources."""

    enabled = True
    release_directory = Unicode("", help="The course's release folder (absolute).").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.release_directory) / info["assignment"] / f"{info['notebook']}.ipynb"
        if not self.release_directory or not path.exists():
            return nb, resources
        import nbformat

        release = nbformat.read(path, as_version=4)
        order = [gid for gid in map(_grade_id, release.cells) if gid]
        locked = {_grade_id(c): c for c in release.cells
                  if _grade_id(c) and c.metadata.nbgrader.get("locked") and not c.metadata.nbgrader.get("solution")}
        notes = _tito_meta(nb).setdefault("notes", [])
        known = set(order)
        for cell in nb.cells:
            gid = _grade_id(cell)
            meta = cell.metadata.get("nbgrader", {})
            if gid and gid not in known and (meta.get("grade") or meta.get("locked")):
                del cell.metadata["nbgrader"]
                notes.append(f"cell '{gid}' is not in the release (renamed?); it ran as ordinary code")
        present = {gid: i for i, gid in enumerate(map(_grade_id, nb.cells)) if gid}
        for position, gid in enumerate(order):
            if gid not in locked or gid in present:
                continue
            before = [present[g] for g in order[:position] if g in present]
            at = max(before) + 1 if before else 0
            cell = nbformat.from_dict(json.loads(json.dumps(locked[gid])))
            if cell.get("id") in {c.get("id") for c in nb.cells}:
                cell["id"] = uuid.uuid4().hex[:8]
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            nb.cells.insert(at, cell)
            present = {g: i for i, g in enumerate(map(_grade_id, nb.cells)) if g}
            notes.append(f"restored locked cell '{gid}' (deleted or renamed in the submission); graded as released")
        return nb, resources


class SandboxExecute(Preprocessor):
    """nbgrader's Execute, replaced: the notebook's cells run through tito's executor in a
    sandbox (tito/executor.py), and each cell gets the outputs nbgrader scores: an error
    output when its tests did not pass, its printed text otherwise."""

    enabled = True
    course_root = Unicode("", help="The course repository (absolute): modules and the reference package.") \
        .tag(config=True)
    submitted_directory = Unicode("", help="Where submissions are (absolute), for the student's earlier "
                                           "modules.").tag(config=True)
    reference_prerequisites = Bool(True, help="Use the course's own code for an earlier module the student "
                                              "has not submitted.").tag(config=True)
    unsafe_no_sandbox = Bool(False, help="Run student code without a sandbox.").tag(config=True)
    memory_mb = Float(Limits.memory_mb).tag(config=True)
    processes = Integer(Limits.processes).tag(config=True)
    output_mb = Float(Limits.output_mb).tag(config=True)
    cpu_seconds = Float(Limits.cpu_seconds).tag(config=True)
    wall_seconds = Float(Limits.wall_seconds).tag(config=True)
    cell_timeout = Float(Limits.cell_timeout).tag(config=True)

    def limits(self) -> Limits:
        return Limits(**{name: getattr(self, name) for name in Limits.names()})

    def preprocess(self, nb, resources):
        from tito.grading.sandboxed import run_notebook

        info = resources["nbgrader"]
        root = Path(self.course_root or Path.cwd())
        submitted = Path(self.submitted_directory) if self.submitted_directory else None
        execution, plan = run_notebook(nb, root, info["assignment"], info["notebook"], info["student"], submitted,
                                       self.limits(), self.reference_prerequisites, self.unsafe_no_sandbox)
        write_outcomes(nb, plan, execution)
        return nb, resources


class ApplyOutcomes(Preprocessor):
    """SandboxExecute's place when the execution ran elsewhere (a thread pool, a Dask worker): the
    outcomes come in `resources["tito"]`."""

    enabled = True

    def preprocess(self, nb, resources):
        write_outcomes(nb, resources["tito"]["plan"], resources["tito"]["execution"])
        return nb, resources


def write_outcomes(nb, plan: list[int], execution) -> None:
    """Cell outputs that nbgrader's scoring reads: no error output means full points."""
    outcomes, stopped = {}, []
    for index, outcome in zip(plan, execution.outcomes):
        cell = nb.cells[index]
        outputs = []
        if outcome.output:
            outputs.append(new_output("stream", name="stdout", text=outcome.output))
        if not outcome.passed:
            detail = [outcome.message] + ([f"at {outcome.where}: {outcome.code}" if outcome.code else
                                           f"at {outcome.where}"] if outcome.where else [])
            outputs.append(new_output("error", ename=outcome.status, evalue=outcome.message, traceback=detail))
        cell.outputs = outputs
        gid = _grade_id(cell)
        if gid and cell.metadata.nbgrader.get("grade"):
            outcomes[gid] = {"status": outcome.status, "message": outcome.message, "where": outcome.where,
                             "stopped": outcome.stopped}
        elif outcome.stopped:  # a setup or solution cell that a limit or crash stopped: no test says why
            stopped.append(f"cell {index + 1} ({gid or 'not graded'}): {outcome.message}")
    meta = _tito_meta(nb)
    meta.update(outcomes=outcomes, sandboxed=execution.sandboxed, seconds=execution.seconds,
                restarts=execution.restarts, cells_seconds=round(sum(o.seconds for o in execution.outcomes), 4))
    meta.setdefault("notes", []).extend(execution.notes + stopped)
