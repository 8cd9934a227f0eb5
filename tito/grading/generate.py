"""`tito nbgrader generate`: release notebooks made by nbgrader's own generate_assignment.

A release notebook that was changed after tito generated it (by hand, or by a student
working in the release folder) is never overwritten silently: tito keeps a hash of each
file it wrote and refuses, or with --force backs the file up first.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from tito.course import Module
from tito.errors import TitoError
from tito.grading.nbg import CoursePaths, log_tail, make_api
from tito.grading.notebooks import write_source_notebook
from tito.grading.release_checks import check_release
from tito.source import parse_notebook, read_cells


@dataclass
class GenerateResult:
    module: Module
    notebook: Path
    note: str = ""


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ledger_path(root: Path) -> Path:
    return root / ".tito" / "generated.json"


def _ledger(root: Path) -> dict:
    try:
        return json.loads(_ledger_path(root).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _save_ledger(root: Path, ledger: dict) -> None:
    path = _ledger_path(root)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(ledger, indent=1, sort_keys=True), encoding="utf-8")


def protect_release(root: Path, module: Module, force: bool) -> str:
    """Refuse (or back up, with force) release files changed since tito generated them."""
    release_dir = CoursePaths(root).release / module.dirname
    if not release_dir.exists():
        return ""
    ledger = _ledger(root)
    changed = []
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        if ledger.get(key) != _hash(path):
            changed.append(path)
    if not changed:
        return ""
    names = ", ".join(str(p.relative_to(root)) for p in changed)
    if not force:
        raise TitoError(f"{module.dirname}: {names} changed since tito generated it; regenerating would overwrite "
                        "that work.", "Move the file away, or rerun with --force to back it up and regenerate.")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = release_dir.with_name(f"{module.dirname}.backup-{stamp}")
    release_dir.rename(backup)
    return f"changed release kept in {backup.relative_to(root)}"


def generate_module(root: Path, module: Module, force: bool = False, api=None) -> GenerateResult:
    """Source notebook -> nbgrader generate_assignment -> checked release notebook."""
    source_nb, _ = write_source_notebook(module, force=force)
    note = protect_release(root, module, force)
    api = api or make_api(root)
    result = api.generate_assignment(module.dirname, force=True, create=True)
    if not result["success"]:
        raise TitoError(f"{module.dirname}: nbgrader generate_assignment failed:\n{log_tail(result)}")
    release_nb = CoursePaths(root).release / module.dirname / source_nb.name
    if not release_nb.exists():
        raise TitoError(f"{module.dirname}: nbgrader reported success but wrote no {release_nb}.")
    problems = check_release(read_cells(source_nb), parse_notebook(release_nb.read_text(encoding="utf-8"),
                                                                   release_nb), release_nb.name)
    if problems:
        raise TitoError(f"{module.dirname}: the release notebook failed {len(problems)} check(s):\n  "
                        + "\n  ".join(problems), "Fix the module source; `tito module check` may say more.")
    ledger = _ledger(root)
    for path in (CoursePaths(root).release / module.dirname).rglob("*"):
        if path.is_file():
            ledger[path.relative_to(root).as_posix()] = _hash(path)
    _save_ledger(root, ledger)
    return GenerateResult(module, release_nb, note)
