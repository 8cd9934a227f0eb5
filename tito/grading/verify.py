"""`tito nbgrader verify`: prove a module's graded tests mean something, with nbgrader itself.

In a scratch copy of the course, nbgrader generates the release and autogrades two
submissions: the instructor's solution notebook, which must score full marks, and the
untouched release, which must score 0 on every graded cell. A graded cell that the blank
release passes "cannot fail" and is a failure of the module.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tito.course import Module
from tito.grading.nbg import CONFIG_FILE, CoursePaths, gradebook, log_tail, make_api
from tito.grading.notebooks import write_source_notebook
from tito.sandbox import sandbox_problem

SOLUTION, BLANK = "solution", "blank-release"


@dataclass
class VerifyResult:
    module: str
    solution_score: float = 0.0
    blank_score: float = 0.0
    max_score: float = 0.0
    solution_failures: list[str] = field(default_factory=list)  # graded cells the solution loses points on
    cannot_fail: list[str] = field(default_factory=list)  # graded cells the blank release passes
    error: str = ""

    @property
    def ok(self) -> bool:
        return not (self.error or self.solution_failures or self.cannot_fail) and self.max_score > 0


def _scratch_course(root: Path, module: Module, tmp: Path) -> Path:
    scratch = tmp / "course"
    (scratch / "modules" / "source").mkdir(parents=True)
    shutil.copy2(root / CONFIG_FILE, scratch / CONFIG_FILE)
    shutil.copytree(module.path, scratch / "modules" / "source" / module.dirname,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__", ".ipynb_checkpoints", "*.backup-*"))
    return scratch


def verify_module(root: Path, module: Module, cell_timeout: float = 60) -> VerifyResult:
    result = VerifyResult(module.dirname)
    source_nb, _ = write_source_notebook(module)
    with tempfile.TemporaryDirectory(prefix="tito-verify-") as tmp:
        scratch = _scratch_course(root, module, Path(tmp))
        paths = CoursePaths(scratch)
        # Earlier modules come from the real course (the scratch copy has no tinytorch). Only the
        # instructor's own notebooks run here, so a machine without a sandbox may still verify.
        api = make_api(scratch, package_root=root, SandboxExecute={"cell_timeout": cell_timeout,
                                                                  "unsafe_no_sandbox": sandbox_problem() is not None})
        generated = api.generate_assignment(module.dirname, force=True, create=True)
        if not generated["success"]:
            result.error = "nbgrader generate_assignment failed:\n" + log_tail(generated)
            return result
        release_nb = paths.release / module.dirname / source_nb.name
        for student, notebook in ((SOLUTION, source_nb), (BLANK, release_nb)):
            dest = paths.submitted / student / module.dirname
            dest.mkdir(parents=True)
            shutil.copy2(notebook, dest / source_nb.name)
            graded = api.autograde(module.dirname, student, force=True, create=True)
            if not graded["success"]:
                result.error = f"nbgrader autograde of the {student} notebook failed:\n" + log_tail(graded)
                return result
        with gradebook(scratch) as gb:
            for student in (SOLUTION, BLANK):
                submission = gb.find_submission(module.dirname, student)
                result.max_score = float(submission.max_score)
                grades = [g for nb in submission.notebooks for g in nb.grades]
                if student == SOLUTION:
                    result.solution_score = float(submission.score)
                    result.solution_failures = sorted(f"{g.name} ({float(g.score):g}/{float(g.max_score):g})"
                                                      for g in grades if float(g.score) < float(g.max_score))
                else:
                    result.blank_score = float(submission.score)
                    result.cannot_fail = sorted(f"{g.name} ({float(g.score):g}/{float(g.max_score):g})"
                                                for g in grades if float(g.score) > 0)
    return result
