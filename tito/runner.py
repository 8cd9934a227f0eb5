"""`tito module test`: run a module's locked graded tests through the executor.

The module's cells run in order in one sandboxed interpreter (as in a notebook); each graded
cell is one test worth its `points`. The module-tests cell (`run_module_tests_auto`) is
skipped, since it would only run the same tests again. Autograding runs the same plan
through the same executor, so a student's local score is their graded score.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tito.course import Module, discover_modules, is_workspace, module_files
from tito.executor import CellSpec, Execution, execute, sandbox_mode
from tito.errors import TitoError
from tito.export import exported_text, package_files, render_export_mapped, target_path
from tito.sandbox import Limits
from tito.source import Cell, ModuleSource, load_source, read_cells, released_notebook

STATUS_TEXT = {
    "pass": "PASS",
    "fail": "FAIL",
    "not_implemented": "NOT IMPLEMENTED",
    "error": "ERROR",
    "timeout": "TIMEOUT",
    "not_run": "NOT RUN",
    "tampered": "TAMPERED",
}


@dataclass
class TestResult:
    name: str
    grade_id: str
    points: float
    status: str
    seconds: float = 0.0
    message: str = ""
    where: str = ""
    code: str = ""
    output: str = ""  # what this cell printed

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass
class ModuleResult:
    module: str  # directory name, e.g. 07_autograd
    source: str
    tests: list[TestResult] = field(default_factory=list)
    setup_errors: list[TestResult] = field(default_factory=list)  # failures outside graded cells
    seconds: float = 0.0
    output: str = ""  # what the student's code wrote to the process's own stdout/stderr
    sandboxed: bool = True
    note: str | None = None

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests if t.passed)

    @property
    def max_points(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def ok(self) -> bool:
        return bool(self.tests) and self.passed == len(self.tests) and not self.setup_errors

    def summary(self) -> str:
        return (f"{self.module}: {self.passed}/{len(self.tests)} tests, "
                f"{self.points:g}/{self.max_points:g} points: {'PASS' if self.ok else 'FAIL'}")

    def to_json(self) -> dict:
        data = asdict(self)
        data.update(passed=self.passed, total=len(self.tests), points=self.points,
                    max_points=self.max_points, status="PASS" if self.ok else "FAIL")
        return data


def is_module_tests_cell(cell: Cell) -> bool:
    return cell.grade_id == "module-tests" or "run_module_tests_auto(" in cell.source


def plan_cells(src: ModuleSource) -> list[tuple[Cell, str]]:
    """The code cells to run, each tagged 'test' (graded) or 'setup'."""
    plan = []
    for cell in src.cells:
        if cell.kind != "code" or not cell.source.strip() or is_module_tests_cell(cell):
            continue
        plan.append((cell, "test" if cell.is_graded else "setup"))
    return plan


def _test_name(cell: Cell) -> str:
    return ", ".join(cell.test_functions()) or cell.grade_id or f"cell {cell.index + 1}"


def cell_specs(src: ModuleSource, plan: list[tuple[Cell, str]]) -> list[CellSpec]:
    """What the executor runs: each cell with the file and line its messages should name."""
    return [CellSpec(cell.source, cell.header_where() if cell.is_notebook else str(src.path),
                     1 if cell.is_notebook else cell.first_line, kind == "test", bool(cell.nbgrader.get("locked")))
            for cell, kind in plan]


def source_locator(root: Path, src: ModuleSource, package: dict[str, bytes]):
    """`tinytorch/core/x.py:N` -> the module source line it was exported from, when the exported
    line is that line (an up-to-date export); else the generated file, under the course root."""
    maps: dict[str, tuple[dict[int, str], list[str], bool]] = {}

    def origin_map(rel: str) -> tuple[dict[int, str], bool]:
        """(generated line -> source line, whether the package file was made from `src` itself)"""
        for module in discover_modules(root):
            if module.exports_to and target_path(Path(), module.exports_to).as_posix() == rel:
                current = module.dirname == src.module.dirname
                try:
                    return render_export_mapped(src if current else load_source(module), root)[2], current
                except TitoError:
                    return {}, False
        return {}, False

    def locate(where: str) -> str:
        rel, _, number = where.rpartition(":")
        if not where.startswith("tinytorch/") or not number.isdigit() or rel not in package:
            return where
        if rel not in maps:
            maps[rel] = (*origin_map(rel), package[rel].decode("utf-8", errors="replace").splitlines())
        mapping, current, lines = maps[rel]
        origin = mapping.get(int(number))
        if origin and current:
            return origin  # exported from this very source for this run
        if origin and int(number) <= len(lines):
            file, _, line = origin.rpartition(":")
            try:
                if Path(file).read_text(encoding="utf-8").splitlines()[int(line) - 1] == lines[int(number) - 1]:
                    return origin
            except (OSError, ValueError, IndexError):
                pass
        return f"{root}/{where}"

    return locate


def results_from(module: Module, src: ModuleSource, plan, execution: Execution, locate=lambda w: w) -> ModuleResult:
    result = ModuleResult(module.dirname, str(src.path), seconds=execution.seconds,
                          output=execution.process_output, sandboxed=execution.sandboxed)
    for (cell, kind), outcome in zip(plan, execution.outcomes):
        test = TestResult(
            name=_test_name(cell) if kind == "test" else f"setup cell at {cell.header_where()}",
            grade_id=cell.grade_id or "",
            points=float(cell.nbgrader.get("points", 0) or 0) if kind == "test" else 0.0,
            status=outcome.status, seconds=outcome.seconds, message=outcome.message,
            where=locate(outcome.where), code=outcome.code, output=outcome.output)
        if kind == "test":
            result.tests.append(test)
        elif not test.passed:
            result.setup_errors.append(test)
    return result


def graded_as_released(src: ModuleSource) -> tuple[ModuleSource, list[str]]:
    """The source with every locked cell as it was released, as autograding will restore it:
    a locked test edited (or deleted) locally is run as released, and said so."""
    released_path = released_notebook(src.module)
    if not released_path.exists():
        return src, []
    released = [c for c in read_cells(released_path) if c.kind == "code" and c.nbgrader.get("locked")]
    by_id = {c.grade_id: c for c in released if c.grade_id}
    notes, cells, seen = [], [], set()
    for cell in src.cells:
        original = by_id.get(cell.grade_id) if cell.grade_id else None
        if original is not None:
            seen.add(cell.grade_id)
            if original.source.strip() != cell.source.strip():
                kind = "test" if original.is_graded else "cell"
                notes.append(f"the locked {kind} {cell.grade_id} differs from the released version; it is "
                             f"{'graded' if original.is_graded else 'run'} as released")
                cell = dataclasses.replace(cell, source=original.source, metadata=dict(original.metadata))
        cells.append(cell)
    missing = [c for c in released if c.grade_id and c.grade_id not in seen and c.is_graded]
    for cell in missing:
        notes.append(f"the locked test {cell.grade_id} is missing; it is graded as released")
        cells.append(dataclasses.replace(cell, file=src.path, index=len(cells)))
    return dataclasses.replace(src, cells=cells), notes


def run_source_tests(root: Path, src: ModuleSource, timeout: float = 600.0, cell_timeout: float | None = None,
                     limits: Limits | None = None, unsafe_no_sandbox: bool = False) -> ModuleResult:
    """Run a module source's cells through the executor (in a sandbox when the machine can make
    one) and collect one TestResult per graded cell. In a student workspace the locked cells
    run as released, as the autograder runs them."""
    module = src.module
    notes = [src.note] if src.note else []
    if is_workspace(root):
        src, locked_notes = graded_as_released(src)
        notes += locked_notes
    plan = plan_cells(src)
    package = package_files(root, module, discover_modules(root), src, exported_text(root))
    sandboxed, note = sandbox_mode(required=False, unsafe=unsafe_no_sandbox)
    cell_timeout = cell_timeout or module.cell_timeout or Limits.cell_timeout
    limits = limits or Limits(wall_seconds=timeout, cell_timeout=cell_timeout)
    execution = execute(cell_specs(src, plan), package, module_files(module), limits, sandboxed=sandboxed)
    result = results_from(module, src, plan, execution, source_locator(root, src, package))
    result.note = "\n".join(notes + ([note] if note else [])) or None
    return result


def run_module_tests(root: Path, module: Module, timeout: float = 600.0, cell_timeout: float | None = None,
                     limits: Limits | None = None, unsafe_no_sandbox: bool = False) -> ModuleResult:
    """`tito module test`: the module's pair (tito/source.py load_source), run as graded."""
    return run_source_tests(root, load_source(module), timeout, cell_timeout, limits, unsafe_no_sandbox)
