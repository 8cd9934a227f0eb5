"""Autograding's side of the executor: one submitted notebook, run as `tito module test` runs it.

The plan (which cells run, which are graded) and the package (this module exported from the
notebook, earlier modules from the student's own submissions) are built here, in tito's own
process, from text alone; only the executor runs the student's code, in the sandbox.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from tito.course import Module, discover_modules, module_files
from tito.errors import TitoError
from tito.executor import CellSpec, Execution, execute, sandbox_mode
from tito.export import package_files, render_export, target_path
from tito.runner import cell_specs, plan_cells
from tito.sandbox import Limits
from tito.source import ModuleSource, parse_notebook


def notebook_source(module: Module, nb, name: str) -> ModuleSource:
    data = nb if isinstance(nb, str) else json.dumps(nb)
    return ModuleSource(module, Path(name), parse_notebook(data, Path(name)))


def submitted_export(submitted: Path | None, student: str, reference_root: Path | None):
    """`earlier` for package_files: the student's own submission of that module, exported; else
    the course's code for it when `reference_root` is given; else nothing."""
    def read(module: Module):
        if submitted is not None:
            path = submitted / student / module.dirname / module.ipynb_path.name
            if path.is_file() and not path.is_symlink():
                try:
                    src = notebook_source(module, path.read_text(encoding="utf-8"), path.name)
                    return render_export(src, Path())[0]
                except (TitoError, UnicodeDecodeError):
                    pass  # an unreadable earlier submission: as if there were none
        if reference_root is not None:
            path = target_path(reference_root, module.exports_to)
            if path.is_file():
                return path.read_bytes()
        return None
    return read


def find_module(root: Path, dirname: str) -> tuple[Module, list[Module]]:
    modules = discover_modules(root)
    for module in modules:
        if module.dirname == dirname:
            return module, modules
    raise TitoError(f"assignment {dirname} is not a module of the course at {root}.")


@dataclass
class Job:
    """Everything one execution needs, as plain data: it can run on this machine or on a Dask
    worker that has only the course's environment installed, not the course."""

    student: str
    cells: list[CellSpec]
    package: dict[str, bytes]
    files: dict[str, bytes]
    limits: Limits
    sandboxed: bool
    plan: list[int]  # the notebook index of each cell


def prepare_job(nb, root: Path, assignment: str, notebook: str, student: str, submitted: Path | None,
                limits: Limits, reference: bool, unsafe: bool, check_sandbox: bool = True) -> Job:
    """The execution of one sanitized notebook, built in tito's process from text alone."""
    sandboxed = not unsafe
    if check_sandbox:
        sandboxed, _ = sandbox_mode(required=True, unsafe=unsafe)
    module, modules = find_module(root, assignment)
    if module.cell_timeout and module.cell_timeout > limits.cell_timeout:  # as `tito module test` allows it
        limits = dataclasses.replace(limits, cell_timeout=module.cell_timeout)
    src = notebook_source(module, nb, f"{notebook}.ipynb")
    plan = plan_cells(src)
    package = package_files(root, module, modules, src,
                            submitted_export(submitted, student, root if reference else None))
    folder = submitted / student / assignment if submitted is not None else module.path
    return Job(student, cell_specs(src, plan), package, module_files(module, folder), limits, sandboxed,
               [cell.index for cell, _ in plan])


def run_job(job: Job) -> Execution:
    """Run a prepared job (here, in a thread, or on a Dask worker)."""
    if job.sandboxed:
        sandbox_mode(required=True, unsafe=False)  # this machine must be able to make one too
    return execute(job.cells, job.package, job.files, job.limits, sandboxed=job.sandboxed)


def run_notebook(nb, root: Path, assignment: str, notebook: str, student: str, submitted: Path | None,
                 limits: Limits, reference: bool, unsafe: bool) -> tuple[Execution, list[int]]:
    """Run a submission's cells; returns the execution and the notebook index of each planned cell."""
    job = prepare_job(nb, root, assignment, notebook, student, submitted, limits, reference, unsafe)
    return run_job(job), job.plan
