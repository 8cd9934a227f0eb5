"""`tito module test`: run a module's locked graded tests in a fresh subprocess.

The module's cells run in order in one interpreter (as in a notebook); each graded cell is
one test worth its `points`. The module-tests cell (`run_module_tests_auto`) is skipped,
since it would only run the same tests again.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tito.course import Module, student_env
from tito.source import Cell, ModuleSource, load_source

STATUS_TEXT = {
    "pass": "PASS",
    "fail": "FAIL",
    "not_implemented": "NOT IMPLEMENTED",
    "error": "ERROR",
    "timeout": "TIMEOUT",
    "not_run": "NOT RUN",
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
    output: str = ""  # what the student's code printed

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


def run_module_tests(root: Path, module: Module, timeout: float = 600.0, cell_timeout: float = 60.0,
                     python: str | None = None) -> ModuleResult:
    """Run `module`'s graded cells in a subprocess and collect one TestResult per graded cell."""
    src = load_source(module)
    plan = plan_cells(src)
    result = ModuleResult(module.dirname, str(src.path))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tito-test-") as tmp:
        results_file = Path(tmp) / "results.jsonl"
        spec = {
            "cells": [
                {"code": cell.source, "filename": str(src.path) if not cell.is_notebook else cell.header_where(),
                 "first_line": cell.first_line, "virtual": cell.is_notebook}
                for cell, _ in plan
            ],
            "own_files": [str(src.path), str(root / "tinytorch")],
            "results": str(results_file),
            "cell_timeout": cell_timeout,
            "cwd": str(module.path),
            "argv0": str(src.path),
        }
        spec_file = Path(tmp) / "spec.json"
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        env = student_env(root)
        died = ""
        try:
            proc = subprocess.run([python or sys.executable, "-m", "tito._child", str(spec_file)],
                                  cwd=module.path, env=env, capture_output=True, text=True, timeout=timeout)
            result.output = proc.stdout + proc.stderr
            if proc.returncode != 0:
                died = f"the test process died (exit code {proc.returncode}): {proc.stderr.strip()[-300:]}"
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout or ""
            result.output = out.decode(errors="replace") if isinstance(out, bytes) else out
            died = f"timed out: the module took longer than {timeout:g}s in total"
        records = [json.loads(line) for line in results_file.read_text(encoding="utf-8").splitlines()] \
            if results_file.exists() else []
    result.seconds = round(time.perf_counter() - started, 3)

    done = {r["index"]: r for r in records}
    first_missing = True
    for index, (cell, kind) in enumerate(plan):
        record = done.get(index)
        if record is None:
            if first_missing:
                record = {"status": "timeout" if died.startswith("timed out") else "error",
                          "message": died or "the test process stopped before this cell", "seconds": 0.0}
                first_missing = False
            else:
                record = {"status": "not_run", "message": "not run: an earlier cell stopped the test process",
                          "seconds": 0.0}
        test = TestResult(
            name=_test_name(cell) if kind == "test" else f"setup cell at {cell.header_where()}",
            grade_id=cell.grade_id or "",
            points=float(cell.nbgrader.get("points", 0) or 0) if kind == "test" else 0.0,
            status=record["status"],
            seconds=record.get("seconds", 0.0),
            message=record.get("message", ""),
            where=record.get("where", ""),
            code=record.get("code", ""),
        )
        if kind == "test":
            result.tests.append(test)
        elif not test.passed:
            result.setup_errors.append(test)
    return result
