"""`tito nbgrader collect` and `tito nbgrader autograde`: submissions into nbgrader's gradebook.

Scores live only in nbgrader's gradebook. Around nbgrader's own autograder tito adds:
- checks before anything is touched: an unknown student, a missing notebook or malformed
  JSON is an error for that student alone, and their existing grades stay as they are;
- a regrade replaces the old submission record, so a grade cell deleted from a
  resubmission cannot keep a stale score (nbgrader also puts the deleted cell back);
- a submission whose kernel dies or times out is recorded with 0 and the reason, never
  left with a missing grade;
- a copy of the gradebook before every batch, in .tito/backups/.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tito.course import Module
from tito.errors import TitoError
from tito.grading.nbg import CoursePaths, gradebook, log_tail, make_api
from tito.sandbox import Limits

FORBIDDEN_ID_CHARS = set("/\\*?[]{}:<>|\"'`$") | {"\0"}


@dataclass
class GradeOutcome:
    student: str
    module: str
    status: str  # "graded", "zero" (recorded as 0 with a reason) or "error" (nothing recorded)
    score: float = 0.0
    max_score: float = 0.0
    message: str = ""
    reasons: list[str] = field(default_factory=list)


def student_id_problem(student: str) -> str | None:
    """Why `student` cannot be a student id, or None. Ids name folders and go into nbgrader's
    glob patterns: no path separators, `..`, glob or control characters; letters of any
    language and inner spaces are fine."""
    if not student or student != student.strip():
        return f"student id {student!r} is empty or starts or ends with a space"
    if student.startswith(".") or ".." in student:
        return f"student id {student!r} starts with '.' or contains '..'"
    bad = sorted({c for c in student if c in FORBIDDEN_ID_CHARS or unicodedata.category(c)[0] == "C"})
    if bad:
        return (f"student id {student!r} contains {', '.join(repr(c) for c in bad)}; ids may hold letters, digits, "
                "spaces, '-', '_', '.', '@' and '+'")
    return None


def regular_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(regular files, links) below `folder`, never following a link or entering a hidden folder."""
    files, links = [], []
    for top, dirs, names in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in list(dirs):
            if (here / name).is_symlink():
                links.append(here / name)
                dirs.remove(name)
            elif name.startswith(".") or name == "__pycache__":
                dirs.remove(name)
        for name in names:
            path = here / name
            if path.is_symlink():
                links.append(path)
            elif path.is_file():
                files.append(path)
    return sorted(files), sorted(links)


def notebook_name(module: Module) -> str:
    return module.ipynb_path.name


def submitted_students(root: Path, module: Module) -> list[str]:
    submitted = CoursePaths(root).submitted
    if not submitted.exists():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / module.dirname).is_dir())


# --------------------------------------------------------------------------- collect
def submission_files(folder: Path, module: Module) -> dict[str, Path] | None:
    """What a student's folder hands in for `module`: the notebook and the files the module
    names, each a plain file (never a link), found in `<folder>/<NN_name>/` or `<folder>/`; or
    the file `tito submit` writes, `<folder>/[submit/]NN_name.ipynb`. None when there is none."""
    for src, name in ((folder / module.dirname, notebook_name(module)), (folder, notebook_name(module)),
                      (folder / "submit", f"{module.dirname}.ipynb"), (folder, f"{module.dirname}.ipynb")):
        notebook = src / name
        if notebook.is_file() and not notebook.is_symlink():
            found = {notebook_name(module): notebook}
            for name in module.files:
                path = src / name
                if path.is_file() and not path.is_symlink():
                    found[name] = path
            return found
    return None


def _layout_hint(source: Path, module: Module) -> str:
    """Where the submissions probably are, when `source` is not such a folder."""
    for child in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
        grandchildren = [p for p in child.iterdir() if p.is_dir() and not p.name.startswith(".")]
        if any(submission_files(g, module) for g in grandchildren[:200]):
            return f"Did you mean --from {child}?"
    return "Point --from at the folder that holds one folder per student."


def collect(root: Path, module: Module, source: Path, student: str | None = None,
            force: bool = False) -> list[tuple[str, str]]:
    """Copy each `source/<student>/<module>/` (or `source/<student>/`) notebook, and the files the
    module names, into submitted/; nothing else (no .git, .venv or stray files) is copied.

    An existing, different submission is kept unless `force`, and then backed up first.
    """
    layout = (f"{source}/<student>/{module.dirname}/{notebook_name(module)} or "
              f"{source}/<student>/{notebook_name(module)}")
    if not source.is_dir():
        raise TitoError(f"{source} is not a folder of submissions (expected {layout}).")
    students = sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
    if student:
        if student not in students:
            raise TitoError(f"Unknown student '{student}': no folder {source / student}.",
                            f"Students in {source}: {', '.join(students[:30]) or 'none'}")
        students = [student]
    found = {name: submission_files(source / name, module) for name in students}
    if not any(found.values()):
        raise TitoError(f"{source} does not look like a folder of {module.dirname} submissions: none of its "
                        f"{len(students)} folder(s) holds {layout}.", _layout_hint(source, module))
    outcomes = []
    for name in students:
        problem = student_id_problem(name)
        if problem:
            outcomes.append((name, f"skipped: {problem}"))
            continue
        files = found[name]
        if not files:
            outcomes.append((name, f"skipped: no {notebook_name(module)} in {source / name}"))
            continue
        dest = CoursePaths(root).submitted / name / module.dirname
        changed = [rel for rel, path in files.items() if (dest / rel).exists()
                   and not filecmp.cmp(path, dest / rel, shallow=False)]
        if changed and not force:
            outcomes.append((name, f"kept the existing submission: {len(changed)} file(s) differ (use --force "
                                   "to replace it; the old one is backed up)"))
            continue
        if changed:
            backup = dest.with_name(f"{module.dirname}.backup-{time.strftime('%Y%m%d-%H%M%S')}")
            shutil.copytree(dest, backup)
        new = 0
        for rel, path in files.items():
            target = dest / rel
            if target.exists() and filecmp.cmp(path, target, shallow=False):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            new += 1
        outcomes.append((name, f"collected {new} file(s)" if new else "unchanged"))
    return outcomes


# --------------------------------------------------------------------------- autograde
def check_submission(root: Path, module: Module, student: str) -> str | None:
    """Why this submission cannot be graded, or None when it can."""
    problem = student_id_problem(student)
    if problem:
        return problem
    submitted = CoursePaths(root).submitted
    folder = submitted / student / module.dirname
    if submitted.resolve() not in folder.resolve().parents:
        return f"{folder} is not inside {submitted}"
    if not folder.is_dir():
        known = submitted_students(root, module)
        return (f"unknown student '{student}': no submission in {folder.relative_to(root)} "
                f"(students with submissions: {', '.join(known) or 'none'})")
    _, links = regular_files(folder)
    if links:
        return (f"{links[0].relative_to(root)} is a symbolic link; submissions must hold plain files "
                "(a link could point at other students' work or the gradebook)")
    path = folder / notebook_name(module)
    if not path.exists():
        found = ", ".join(sorted(p.name for p in folder.iterdir())) or "nothing"
        return f"missing notebook: expected {path.relative_to(root)}, found {found}"
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        return f"{path.relative_to(root)} is not UTF-8 text ({exc.reason})"
    except json.JSONDecodeError as exc:
        return f"{path.relative_to(root)} is not valid notebook JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    import nbformat

    try:
        nbformat.validate(nbformat.from_dict(data))
    except Exception as exc:  # nbformat raises several validation error types
        return f"{path.relative_to(root)} is not a valid notebook: {str(exc).splitlines()[0]}"
    return None


def errors_path(root: Path) -> Path:
    return root / ".tito" / "grading-errors.json"


def load_errors(root: Path) -> dict:
    """Students who could not be graded, by module: {module: {student: reason}}."""
    try:
        data = json.loads(errors_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_errors(root: Path, module: Module, outcomes: list["GradeOutcome"]) -> None:
    """Remember who could not be graded (the gradebook has no row for them), so the report lists
    them with the reason; a later successful grade clears the entry. Written atomically."""
    data = load_errors(root)
    mine = data.setdefault(module.dirname, {})
    for outcome in outcomes:
        if outcome.status == "error":
            mine[outcome.student] = outcome.message
        else:
            mine.pop(outcome.student, None)
    if not mine:
        data.pop(module.dirname)
    path = errors_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def backup_gradebook(root: Path) -> Path | None:
    db = CoursePaths(root).gradebook
    if not db.exists():
        return None
    folder = root / ".tito" / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    backup = folder / f"gradebook-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**6}.db"
    shutil.copy2(db, backup)
    return backup


def sandbox_notes(root: Path, module: Module, student: str) -> list[str]:
    """What the instructor should know about a run: tampering, restored cells, and tests stopped
    by a crash, an exit or a limit (ordinary failures are in the per-test results)."""
    path = CoursePaths(root).autograded / student / module.dirname / notebook_name(module)
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("tito", {})
    except (OSError, ValueError):
        return []
    notes = list(meta.get("notes", []))
    for gid, outcome in sorted(meta.get("outcomes", {}).items()):
        if outcome.get("status") in ("tampered", "timeout", "not_run") or outcome.get("stopped"):
            notes.append(f"{gid}: {outcome.get('message', '')}")
    if meta and not meta.get("sandboxed", True):
        notes.append("ran without a sandbox (--unsafe-no-sandbox)")
    return notes


def _record(root: Path, module: Module, student: str, failure: str | None) -> GradeOutcome:
    """Read the submission back; fill any missing grade with 0 and the reason."""
    from tito.grading.roster import roster_ids

    reasons = [] if failure is None else [failure]
    if failure is None:
        reasons += sandbox_notes(root, module, student)
    roster = roster_ids(root)
    if roster is not None and student not in roster:
        reasons.append(f"'{student}' is not on the roster (tito nbgrader students import)")
    with gradebook(root) as gb:
        try:
            submission = gb.find_submission(module.dirname, student)
        except Exception:
            submission = gb.update_or_create_submission(module.dirname, student)
        missing = [g for nb in submission.notebooks for g in nb.grades
                   if g.auto_score is None and g.manual_score is None]
        if missing:
            if not reasons:
                reasons.append("autograding produced no score for " + ", ".join(g.name for g in missing))
            for grade in missing:
                grade.manual_score = 0.0
                grade.needs_manual_grade = False
        if reasons:
            text = "Autograder: " + "; ".join(reasons)
            for nb in submission.notebooks:
                for comment in nb.comments:
                    comment.auto_comment = text
        gb.db.commit()
        score, max_score = float(submission.score), float(submission.max_score)
    status = "zero" if failure else "graded"
    return GradeOutcome(student, module.dirname, status, score, max_score, failure or "", reasons)


def sanitize(root: Path, module: Module, student: str, api) -> tuple[Path | None, str | None]:
    """nbgrader's own first half of autograding for one submission: a new submission record,
    locked cells restored, outputs cleared, into autograded/. (path, None) or (None, why not)."""
    with gradebook(root) as gb:
        try:
            gb.find_submission(module.dirname, student)
            gb.remove_submission(module.dirname, student)  # a regrade starts from nothing
        except Exception:
            pass  # first submission: nothing to replace
    result = api.autograde(module.dirname, student, force=True, create=True)
    if not result["success"]:
        tail = log_tail(result, lines=40)
        lines = [l for l in tail.splitlines() if "[ERROR]" in l] or tail.splitlines()[-1:]
        return None, "autograding failed: " + (lines[0].replace("[ERROR]", "").strip() if lines else "unknown error")
    return CoursePaths(root).autograded / student / module.dirname / notebook_name(module), None


class Scorer:
    """nbgrader's second half, after the execution: the configured autograde steps with tito's
    ApplyOutcomes where SandboxExecute stands (scores into the gradebook, output limits, late
    penalties, metadata checks), run in this process, the only one that writes the gradebook."""

    def __init__(self, config):
        from nbconvert.exporters import NotebookExporter

        from tito.grading.nbg import SANDBOX_EXECUTE

        self.exporter = NotebookExporter(config=config)
        for step in config.Autograde.autograde_preprocessors:
            name = step if isinstance(step, str) else f"{step.__module__}.{step.__name__}"
            self.exporter.register_preprocessor(APPLY_OUTCOMES if name == SANDBOX_EXECUTE else step)
        self.db_url = CoursePaths(Path(config.CourseDirectory.root).parent).db_url

    def score(self, module: Module, student: str, path: Path, execution, plan: list[int]) -> None:
        resources = {"unique_key": path.stem, "tito": {"execution": execution, "plan": plan},
                     "nbgrader": {"student": student, "assignment": module.dirname, "notebook": path.stem,
                                  "db_url": self.db_url}}
        text, _ = self.exporter.from_filename(str(path), resources=resources)
        path.chmod(0o644)  # nbgrader leaves autograded files read-only
        path.write_text(text, encoding="utf-8")
        path.chmod(0o444)


APPLY_OUTCOMES = "tito.grading.preprocessors.ApplyOutcomes"


def sandbox_config(limits: Limits | None, unsafe: bool) -> dict:
    """nbgrader config values for SandboxExecute: the limits and whether to sandbox at all."""
    values = {"unsafe_no_sandbox": unsafe}
    if limits is not None:
        values.update({name: getattr(limits, name) for name in Limits.names()})
    return {"SandboxExecute": values}


def autograde(root: Path, module: Module, students: list[str] | None = None, api=None,
              on_progress=None, limits: Limits | None = None, unsafe_no_sandbox: bool = False,
              jobs: int | None = 1, scheduler: str | None = None) -> list[GradeOutcome]:
    """Grade each student's submission of `module`; one student's failure never stops the others.

    Three steps per submission: nbgrader sanitizes it (here), the executor runs it in a sandbox
    (`jobs` at a time on this machine, or on the Dask cluster at `scheduler`), and nbgrader
    scores it (here again). Only the middle step fans out; this process alone writes the
    gradebook. Refuses to start when no sandbox can be made, unless `unsafe_no_sandbox`."""
    from tito.executor import sandbox_mode
    from tito.grading.engines import make_engine
    from tito.grading.preprocessors import SandboxExecute
    from tito.grading.sandboxed import prepare_job

    if not scheduler:  # on a cluster, each worker checks its own machine
        sandbox_mode(required=True, unsafe=unsafe_no_sandbox)
    students = students or submitted_students(root, module)
    if not students:
        raise TitoError(f"No submissions for {module.dirname} in {CoursePaths(root).submitted.relative_to(root)}/"
                        f"<student>/{module.dirname}/.", "Collect some first: tito nbgrader collect MODULE --from DIR")
    release = CoursePaths(root).release / module.dirname / notebook_name(module)
    if not release.exists():
        raise TitoError(f"{module.dirname} has not been generated, so nbgrader has no master copy to grade against.",
                        f"Run `tito nbgrader generate {module.name}` first.")
    settings = sandbox_config(limits, unsafe_no_sandbox)
    full = make_api(root, **settings)
    api = api or make_api(root, Autograde={"autograde_preprocessors": []}, **settings)
    execute_step = SandboxExecute(config=full.config)
    scorer = Scorer(full.config)
    engine = make_engine(jobs, scheduler)
    backup_gradebook(root)
    outcomes: dict[str, GradeOutcome] = {}
    pending: dict[str, tuple] = {}

    def finish(student: str, outcome: GradeOutcome) -> None:
        outcomes[student] = outcome
        if on_progress:
            on_progress(outcome)

    def collect_done(block: bool) -> None:
        while pending:
            done = [s for s, (future, _, _) in pending.items() if future.done()]
            if not done:
                if not block:
                    return
                time.sleep(0.02)
                continue
            for student in done:
                future, path, plan = pending.pop(student)
                try:
                    execution = future.result()
                except Exception as exc:  # the execution itself failed (a worker without a sandbox...)
                    finish(student, _record(root, module, student, f"the execution failed: {exc}"))
                    continue
                scorer.score(module, student, path, execution, plan)
                finish(student, _record(root, module, student, None))

    try:
        for student in students:
            problem = check_submission(root, module, student)
            if problem:
                finish(student, GradeOutcome(student, module.dirname, "error", message=problem))
                continue
            path, failure = sanitize(root, module, student, api)
            if failure:
                finish(student, _record(root, module, student, failure))
                continue
            nb = json.loads(path.read_text(encoding="utf-8"))
            job = prepare_job(nb, Path(execute_step.course_root), module.dirname, path.stem, student,
                              Path(execute_step.submitted_directory), execute_step.limits(),
                              execute_step.reference_prerequisites, execute_step.unsafe_no_sandbox,
                              check_sandbox=not scheduler)
            pending[student] = (engine.submit(student, job), path, job.plan)
            collect_done(block=False)
        collect_done(block=True)
    finally:
        engine.close()
    ordered = [outcomes[s] for s in students]
    record_errors(root, module, ordered)
    return ordered
