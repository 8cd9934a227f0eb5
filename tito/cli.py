"""The `tito` command line. Each command is a thin wrapper: it resolves modules, calls a plain
function that does the work, and renders the result. Heavy libraries (jupytext, nbformat,
nbgrader) are imported only inside the commands that need them, so start-up stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from tito import __version__
from tito.errors import TitoError

app = typer.Typer(
    name="tito",
    help="TinyTorch course tools: export modules into the tinytorch package, test them, check sources.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
module_app = typer.Typer(help="Work on one module: test it or check its source.", no_args_is_help=True)
system_app = typer.Typer(help="Check the installation.", no_args_is_help=True)
nbgrader_app = typer.Typer(help="Instructor pipeline with nbgrader: generate, verify, collect, autograde, "
                                "feedback, report.", no_args_is_help=True)
app.add_typer(module_app, name="module")
app.add_typer(system_app, name="system")
INSTRUCTOR_COMMANDS: dict[str, object] = {}  # registered only in an instructor's course (see the end)


def instructor_command(name: str, group: str = ""):
    """Register `fn` as `tito [group] name` only in the course repository (see the end)."""
    def record(fn):
        INSTRUCTOR_COMMANDS[f"{group} {name}".strip()] = fn
        return fn
    return record
students_app = typer.Typer(help="The class roster in nbgrader's gradebook.", no_args_is_help=True)
nbgrader_app.add_typer(students_app, name="students")
milestone_app = typer.Typer(help="Train real networks on real data with your own tinytorch.", no_args_is_help=True)
app.add_typer(milestone_app, name="milestone")

ModulesArg = typer.Argument(None, help="Modules by short name, number or directory: autograd, 07, 07_autograd.")
AllOpt = typer.Option(False, "--all", "-a", help="Every module in the course.")
ModuleArg = typer.Argument(..., help="A module: autograd, 07 or 07_autograd.")


def console():
    from rich.console import Console

    return Console(highlight=False)


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def friendly(fn):
    """Turn TitoError into a short red message and exit code 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TitoError as exc:
            err = err_console()
            err.print(f"[bold red]Error:[/] {exc.message}", markup=True, soft_wrap=True)
            if exc.hint:
                err.print(exc.hint, soft_wrap=True)
            raise typer.Exit(1)
        except OSError as exc:  # a path that cannot be read or written: one line, not a traceback
            where = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p)
            err_console().print(f"[bold red]Error:[/] {exc.strerror or exc}{': ' + where if where else ''}",
                                markup=True, soft_wrap=True)
            raise typer.Exit(1)

    return wrapper


def _course():
    from tito.course import discover_modules, find_root

    root = find_root()
    return root, discover_modules(root)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"tito {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                      help="Show the version and exit.")) -> None:
    """TinyTorch course tools."""


# --------------------------------------------------------------------------- export
@app.command("export")
@friendly
def export_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt) -> None:
    """Write tinytorch/core/<name>.py from each module's `#| export` cells."""
    from tito.course import select_modules
    from tito.export import export_modules

    root, all_modules = _course()
    chosen = select_modules(all_modules, modules, all_)
    out = console()
    for result in export_modules(root, chosen, all_modules):
        if result.note:
            out.print(f"[yellow]Note:[/] {result.module.dirname}: {result.note}", markup=True)
        state = "updated" if result.changed else "unchanged"
        out.print(f"{result.module.dirname} -> {result.target.relative_to(root)} ({state}, "
                  f"{len(result.names)} names)")


# --------------------------------------------------------------------------- test
def _render_module(out, result, root: Path, show_output: bool = False) -> None:
    """One line per test (result, points, name), then each failure in full below: its message,
    `file:line` on a line of its own (never broken), the code, and what the test printed."""
    from tito.report_text import module_report

    for text in module_report(result, root, out.width, show_output):
        out.print(text, soft_wrap=True)


def _run_tests(selected, root: Path, as_json: bool, timeout: float, show_summary: bool,
               cell_timeout: float | None = None, show_output: bool = False) -> bool:
    from tito.runner import run_module_tests
    from tito.state import record_results

    out = console()
    results = []
    if len(selected) > 1 and not as_json:
        from rich.progress import Progress

        with Progress(transient=True, console=out) as progress:
            task = progress.add_task("Testing modules", total=len(selected))
            for module in selected:
                progress.update(task, description=f"Testing {module.dirname}")
                result = run_module_tests(root, module, timeout=timeout, cell_timeout=cell_timeout)
                results.append(result)
                progress.console.print()
                _render_module(progress.console, result, root, show_output)
                progress.advance(task)
    else:
        for module in selected:
            results.append(run_module_tests(root, module, timeout=timeout, cell_timeout=cell_timeout))
            if not as_json:
                _render_module(out, results[-1], root, show_output)
    record_results(root, results)
    ok = all(r.ok for r in results)
    if as_json:
        print(json.dumps({"passed": ok, "modules": [r.to_json() for r in results]}, indent=2))
    elif show_summary:
        from rich.table import Table
        from rich.text import Text

        table = Table(title="All modules", title_justify="left")
        for name, justify in (("Module", "left"), ("Tests passed", "right"), ("Points", "right"),
                              ("Result", "left")):
            table.add_column(name, justify=justify)
        for r in results:
            table.add_row(r.module, f"{r.passed}/{len(r.tests)}", f"{r.points:g}/{r.max_points:g}",
                          Text("PASS" if r.ok else "FAIL", style="green" if r.ok else "red"))
        total = sum(r.points for r in results), sum(r.max_points for r in results)
        table.add_row("total", f"{sum(r.passed for r in results)}/{sum(len(r.tests) for r in results)}",
                      f"{total[0]:g}/{total[1]:g}", Text("PASS" if ok else "FAIL", style="bold"))
        out.print()
        out.print(table)
    return ok


TimeoutOpt = typer.Option(600.0, "--timeout", help="Seconds a whole module may take before it is stopped.")
CellTimeoutOpt = typer.Option(None, "--cell-timeout", help="Seconds one cell may take (default: module.yaml's "
                                                            "cell_timeout, else 60).")
ShowOutputOpt = typer.Option(False, "--show-output", help="Show all a failing test printed, not 20+20 lines.")
JsonOpt = typer.Option(False, "--json", help="Print the results as JSON instead of tables.")


@app.command("test")
@friendly
def test_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt, as_json: bool = JsonOpt,
             timeout: float = TimeoutOpt, cell_timeout: Optional[float] = CellTimeoutOpt,
             show_output: bool = ShowOutputOpt) -> None:
    """Run the locked graded tests of modules (or --all) and report per test and per module."""
    from tito.course import select_modules

    root, all_modules = _course()
    selected = select_modules(all_modules, modules, all_)
    if not _run_tests(selected, root, as_json, timeout, show_summary=len(selected) > 1 or all_,
                      cell_timeout=cell_timeout, show_output=show_output):
        raise typer.Exit(1)


@module_app.command("test")
@friendly
def module_test_cmd(module: str = ModuleArg, as_json: bool = JsonOpt, timeout: float = TimeoutOpt,
                    cell_timeout: Optional[float] = CellTimeoutOpt, show_output: bool = ShowOutputOpt) -> None:
    """Run one module's locked graded tests in a fresh subprocess."""
    from tito.course import resolve_module

    root, all_modules = _course()
    if not _run_tests([resolve_module(all_modules, module)], root, as_json, timeout, show_summary=False,
                      cell_timeout=cell_timeout, show_output=show_output):
        raise typer.Exit(1)


@module_app.command("check")
@friendly
def module_check_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt) -> None:
    """Validate module sources (metadata, markers, graded tests, default_exp) with file:line."""
    from tito.check import check_module
    from tito.course import select_modules

    root, all_modules = _course()
    out = console()
    total = 0
    for module in select_modules(all_modules, modules, all_):
        problems = check_module(module)
        total += len(problems)
        if problems:
            out.print(f"[red]✗[/] {module.dirname}: {len(problems)} problem(s)", markup=True)
            for problem in problems:
                out.print(f"  {problem.replace(str(root) + '/', '')}", soft_wrap=True, markup=False)
        else:
            out.print(f"[green]✓[/] {module.dirname}", markup=True)
    if total:
        raise typer.Exit(1)


JobsOpt = typer.Option(2, "--jobs", "-j", min=1, help="How many variants run at once.")


def _quality_source(module: str):
    from tito.course import resolve_module
    from tito.source import load_source

    root, all_modules = _course()
    return root, load_source(resolve_module(all_modules, module))


def _variant_progress(label: str, total: int):
    progress = _progress()
    task = progress.add_task(label, total=total)
    return progress, lambda *_: progress.advance(task)


@instructor_command("deps", group="module")
@friendly
def module_deps_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt, jobs: int = JobsOpt,
                    as_json: bool = JsonOpt) -> None:
    """Stub one solution region at a time; report graded cells that fail for work they do not grade."""
    from tito.course import select_modules
    from tito.quality import dependencies, solution_regions
    from tito.source import load_source

    root, all_modules = _course()
    sources = [load_source(m) for m in select_modules(all_modules, modules, all_)]
    progress, advance = _variant_progress("Stubbing", sum(len(solution_regions(s)) + 1 for s in sources))
    found = {}
    with progress:
        for src in sources:
            advance()
            found[src.module.dirname] = dependencies(root, src, jobs=jobs, on_done=advance)
    bad = any(d.problems or not d.failing for deps in found.values() for d in deps)
    if as_json:
        print(json.dumps({name: [{"region": d.region.label, "where": d.region.where, "failing": d.failing,
                                  "points": d.points, "problems": d.problems} for d in deps]
                          for name, deps in found.items()}, indent=2))
    else:
        out = console()
        for name, deps in found.items():
            problems = [p for d in deps for p in d.problems]
            untested = [d for d in deps if not d.failing]
            ok = not problems and not untested
            out.print(f"{'[green]✓[/]' if ok else '[red]✗[/]'} {name}: {len(deps)} regions, {len(problems)} "
                      f"undeclared dependencies, {len(untested)} that no test needs", markup=True)
            for dep in deps:
                if dep.problems or not dep.failing or len(sources) == 1:
                    out.print(f"  {dep.region.label}: missing costs {dep.points:g} points "
                              f"({', '.join(dep.failing) or 'no test fails!'})", markup=False, soft_wrap=True)
                for problem in dep.problems:
                    out.print(f"    {problem.replace(str(root) + '/', '')}", markup=False, soft_wrap=True)
    if bad:
        raise typer.Exit(1)


@instructor_command("mutants", group="module")
@friendly
def module_mutants_cmd(module: str = ModuleArg, jobs: int = JobsOpt,
                       sample: Optional[int] = typer.Option(None, "--sample", min=1,
                                                            help="Run this many mutants, chosen at random."),
                       kind: Optional[List[str]] = typer.Option(None, "--kind", help="Only this class of mistake."),
                       as_json: bool = JsonOpt,
                       strict: bool = typer.Option(False, "--strict", help="Exit 1 if any mutant survives.")) -> None:
    """Inject one realistic mistake at a time into the solutions; list those no graded test catches."""
    from tito.quality import KINDS, all_mutants, kill_rates, mutants

    unknown = sorted(set(kind or ()) - set(KINDS))
    if unknown:
        raise TitoError(f"unknown --kind {', '.join(unknown)}; choose from: {', '.join(KINDS)}")
    root, src = _quality_source(module)
    total = len([m for m in all_mutants(src) if not kind or m.kind in kind])
    progress, advance = _variant_progress(f"Mutating {src.module.dirname}", min(total, sample or total) + 1)
    with progress:
        advance()
        results = mutants(root, src, jobs=jobs, sample=sample, kinds=set(kind or ()), on_done=advance)
    survivors = [r for r in results if not r.caught]
    if as_json:
        print(json.dumps({"rates": kill_rates(results), "survivors": [
            {"kind": r.mutant.kind, "where": r.mutant.where, "before": r.mutant.before, "after": r.mutant.after,
             "note": r.note} for r in survivors]}, indent=2))
    else:
        out = console()
        for r in survivors:
            where = r.mutant.where.replace(str(root) + "/", "")
            out.print(f"survived  {where}  [{r.mutant.kind}]  {r.mutant.before}  ->  {r.mutant.after}"
                      + (f"  ({r.note})" if r.note else ""), markup=False, soft_wrap=True)
        for name, (caught, n) in kill_rates(results).items():
            out.print(f"{name:16} {caught:4}/{n:<4} caught", markup=False)
        caught = len(results) - len(survivors)
        share = 100 * caught / len(results) if results else 100.0
        out.print(f"{src.module.dirname}: {caught}/{len(results)} mutants caught ({share:.0f}%)", markup=False)
    if strict and survivors:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- the pair, and handing in
@app.command("sync")
@friendly
def sync_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt) -> None:
    """Make name_dev.py and name_dev.ipynb equal, from the one that holds your work."""
    from tito.course import select_modules
    from tito.workspace import sync_pair

    root, all_modules = _course()
    for module in select_modules(all_modules, modules, all_):
        console().print(sync_pair(root, module), markup=False, soft_wrap=True)


@app.command("submit")
@friendly
def submit_cmd(module: str = ModuleArg, cell_timeout: Optional[float] = CellTimeoutOpt) -> None:
    """Write submit/NN_name.ipynb to hand in, run its tests as the autograder will, show the points."""
    from tito.course import resolve_module
    from tito.state import record_results
    from tito.workspace import submit_module

    root, all_modules = _course()
    with console().status("Running the tests of what you hand in…"):
        done = submit_module(root, resolve_module(all_modules, module), cell_timeout=cell_timeout)
    out = console()
    _render_module(out, done.result, root)
    record_results(root, [done.result])
    r = done.result
    out.print()
    out.print(f"Hand in: {done.path.relative_to(root)}  (from {done.source.relative_to(root)})", markup=False,
              soft_wrap=True)
    out.print(f"Expect {r.points:g}/{r.max_points:g} points from the autograder ({r.passed}/{len(r.tests)} tests).",
              markup=False)


# --------------------------------------------------------------------------- status / doctor
@app.command("status")
@friendly
def status_cmd() -> None:
    """Per module: exported or not, the last test result and points."""
    from rich import box
    from rich.table import Table

    from tito.status import COLUMNS, module_status

    root, all_modules = _course()
    table = Table(title="TinyTorch modules", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in COLUMNS:
        table.add_column(name, no_wrap=True, justify="right" if name in ("Tests", "Points") else "left")
    rows = module_status(root, all_modules)
    for row in rows:
        colour = {"PASS": "green", "FAIL": "red"}.get(row[2], "")
        table.add_row(*row[:2], f"[{colour}]{row[2]}[/]" if colour else row[2], *row[3:])
    out = console()
    out.print(table)
    stale = [r[0] for r in rows if r[1] in ("stale", "no", "error")]
    if stale:
        out.print(f"{len(stale)} module(s) not exported or stale: `tito export NAME` updates one.", markup=False)


@system_app.command("doctor")
@friendly
def doctor_cmd() -> None:
    """Show Python, every dependency with its version, the paths, and how to fix what is missing."""
    from rich.table import Table

    from tito.doctor import diagnose

    report = diagnose()
    out = console()
    table = Table(title="tito system doctor", title_justify="left")
    table.add_column("Check")
    table.add_column("Found")
    table.add_column("Status")
    for check in report:
        table.add_row(check.name, check.found, "[green]ok[/]" if check.ok else f"[red]missing[/] — {check.fix}")
    out.print(table)
    if not all(c.ok for c in report):
        raise typer.Exit(1)


# --------------------------------------------------------------------------- instructor pipeline
ForceOpt = typer.Option(False, "--force", help="Replace files that hold other work (they are backed up first).")
StudentOpt = typer.Option(None, "--student", "-s", help="Only this student.")


NoWaitOpt = typer.Option(False, "--no-wait", help="Fail at once if another tito command holds the course.")


@contextlib.contextmanager
def _locked(root: Path, command: str, no_wait: bool):
    """The course lock around a command that writes the gradebook or the course folders."""
    from tito.grading.lock import course_lock

    err = err_console()
    with course_lock(root, command, wait=not no_wait, on_wait=lambda m: err.print(m, markup=False, soft_wrap=True),
                     on_takeover=lambda m: err.print(f"Note: {m}", markup=False, soft_wrap=True)):
        yield


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console(), transient=True)


def _each_module(selected, label: str, work):
    """Run `work(module)` for each module under a progress bar; returns [(module, result or TitoError)]."""
    results = []
    with _progress() as progress:
        task = progress.add_task(label, total=len(selected))
        for module in selected:
            progress.update(task, description=f"{label} {module.dirname}")
            try:
                results.append((module, work(module)))
            except TitoError as exc:
                results.append((module, exc))
            progress.advance(task)
    return results


def _print_errors(results) -> bool:
    err = err_console()
    failed = False
    for module, outcome in results:
        if isinstance(outcome, TitoError):
            failed = True
            err.print(f"[bold red]✗ {module.dirname}:[/] {outcome.message}", markup=True, soft_wrap=True)
            if outcome.hint:
                err.print(f"  {outcome.hint}", soft_wrap=True, markup=False)
    return failed


@instructor_command("notebooks")
@friendly
def notebooks_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt, force: bool = ForceOpt) -> None:
    """Convert py:percent sources into notebooks (jupytext); nbgrader metadata becomes cell metadata."""
    from tito.course import select_modules
    from tito.grading.notebooks import write_source_notebook

    root, all_modules = _course()
    results = _each_module(select_modules(all_modules, modules, all_), "Converting",
                           lambda m: write_source_notebook(m, force=force))
    for module, outcome in results:
        if not isinstance(outcome, TitoError):
            console().print(f"{module.dirname} -> {outcome[0].relative_to(root)} ({outcome[1]})")
    if _print_errors(results):
        raise typer.Exit(1)


@nbgrader_app.command("generate")
@friendly
def generate_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt, force: bool = ForceOpt,
                 no_wait: bool = NoWaitOpt) -> None:
    """Make release notebooks with nbgrader's generate_assignment, then check them."""
    from tito.course import select_modules
    from tito.grading.generate import generate_module
    from tito.grading.nbg import make_api

    root, all_modules = _course()
    selected = select_modules(all_modules, modules, all_)
    with _locked(root, "generate", no_wait):
        api = make_api(root)
        results = _each_module(selected, "Generating", lambda m: generate_module(root, m, force=force, api=api))
    for module, outcome in results:
        if not isinstance(outcome, TitoError):
            note = f" ({outcome.note})" if outcome.note else ""
            console().print(f"[green]✓[/] {module.dirname} -> {outcome.notebook.relative_to(root)}{note}",
                            markup=True)
    if _print_errors(results):
        raise typer.Exit(1)


@nbgrader_app.command("verify")
@friendly
def verify_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt,
               cell_timeout: float = typer.Option(60, "--cell-timeout", help="Seconds a cell may run.")) -> None:
    """Prove the tests mean something: the solution scores full marks, the blank release scores 0."""
    from rich.table import Table
    from rich.text import Text

    from tito.course import select_modules
    from tito.grading.verify import verify_module

    root, all_modules = _course()
    results = _each_module(select_modules(all_modules, modules, all_), "Verifying",
                           lambda m: verify_module(root, m, cell_timeout=cell_timeout))
    table = Table(title="nbgrader verify", title_justify="left")
    for name in ("Module", "Solution", "Blank release", "Result", "Problems"):
        table.add_column(name, overflow="fold")
    failed = _print_errors(results)
    for module, r in results:
        if isinstance(r, TitoError):
            continue
        problems = ([f"solution loses points: {', '.join(r.solution_failures)}"] if r.solution_failures else []) \
            + ([f"cannot fail: {', '.join(r.cannot_fail)}"] if r.cannot_fail else []) + ([r.error] if r.error else [])
        failed |= not r.ok
        table.add_row(module.dirname, f"{r.solution_score:g}/{r.max_score:g}", f"{r.blank_score:g}/{r.max_score:g}",
                      Text("PASS" if r.ok else "FAIL", style="green" if r.ok else "red"), "\n".join(problems))
    console().print(table)
    if failed:
        raise typer.Exit(1)


@nbgrader_app.command("collect")
@friendly
def collect_cmd(module: str = ModuleArg,
                source: Path = typer.Option(..., "--from", help="Folder of submissions: <student>/<module>/ "
                                                                 "or <student>/*.ipynb."),
                student: Optional[str] = StudentOpt, force: bool = ForceOpt, no_wait: bool = NoWaitOpt) -> None:
    """Copy submissions into modules/submitted/<student>/<module>/ (never silently replacing one)."""
    from tito.course import resolve_module
    from tito.grading.autograde import collect

    root, all_modules = _course()
    with _locked(root, "collect", no_wait):
        for name, state in collect(root, resolve_module(all_modules, module), source, student, force):
            console().print(f"{name}: {state}", markup=False, soft_wrap=True)


def _limits_from_options(root: Path, **given):
    """The sandbox limits: nbgrader_config.py's values, then any given on the command line."""
    from tito.grading.nbg import load_config
    from tito.sandbox import Limits

    section = load_config(root).SandboxExecute
    values = {name: section[name] for name in Limits.names() if name in section}
    values.update({name: value for name, value in given.items() if value is not None})
    return Limits(**values)


@nbgrader_app.command("autograde")
@friendly
def autograde_cmd(module: str = ModuleArg,
                  student: Optional[str] = StudentOpt,
                  jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                                     help="Submissions run at once here (default: the cores)."),
                  scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                          help="Run them on a Dask cluster: tcp://HOST:PORT."),
                  memory_mb: Optional[float] = typer.Option(None, "--memory-mb", help="Memory per process (MB)."),
                  processes: Optional[int] = typer.Option(None, "--processes", help="Processes a submission may run."),
                  output_mb: Optional[float] = typer.Option(None, "--output-mb", help="Output kept per cell (MB)."),
                  cpu_seconds: Optional[float] = typer.Option(None, "--cpu-seconds", help="CPU time per submission."),
                  wall_seconds: Optional[float] = typer.Option(None, "--wall-seconds",
                                                               help="Wall time per submission."),
                  cell_timeout: Optional[float] = typer.Option(None, "--cell-timeout", help="Wall time per cell."),
                  unsafe: bool = typer.Option(False, "--unsafe-no-sandbox",
                                              help="Run submissions without a sandbox (only if you trust them)."),
                  no_wait: bool = NoWaitOpt) -> None:
    """Grade submissions in the sandbox into nbgrader's gradebook; a regrade replaces old scores.
    Limits default to nbgrader_config.py's SandboxExecute values."""
    import os
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn
    from rich.table import Table

    from tito.course import resolve_module
    from tito.grading.autograde import autograde, submitted_students

    root, all_modules = _course()
    mod = resolve_module(all_modules, module)
    limits = _limits_from_options(root, memory_mb=memory_mb, processes=processes, output_mb=output_mb,
                                  cpu_seconds=cpu_seconds, wall_seconds=wall_seconds, cell_timeout=cell_timeout)
    err = err_console()
    if unsafe:
        err.print("[yellow]Warning:[/] --unsafe-no-sandbox: submissions run with your rights.", markup=True)
    started = time.perf_counter()
    with _locked(root, "autograde", no_wait):
        students = [student] if student else submitted_students(root, mod)
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("ETA"), TimeRemainingColumn(), console=console(), transient=True)

        def on_progress(outcome):
            if outcome.status != "graded":
                label = "not graded" if outcome.status == "error" else "recorded as 0"
                progress.console.print(f"✗ {outcome.student} ({label}): {outcome.message}", markup=False,
                                       soft_wrap=True)
            elif outcome.reasons:  # tampering, a limit, a restored cell: worth a look
                progress.console.print(f"! {outcome.student} ({outcome.score:g}/{outcome.max_score:g}): "
                                       + "; ".join(outcome.reasons), markup=False, soft_wrap=True)
            progress.advance(task)

        with progress:
            task = progress.add_task(f"Autograding {mod.dirname}", total=len(students) or 1)
            outcomes = autograde(root, mod, students or None, on_progress=on_progress, limits=limits,
                                 unsafe_no_sandbox=unsafe, jobs=jobs or os.cpu_count() or 1, scheduler=scheduler)
    seconds = time.perf_counter() - started
    graded = [o for o in outcomes if o.status != "error"]
    table = Table(title=f"autograde {mod.dirname}", title_justify="left", show_header=False)
    table.add_column("", no_wrap=True)
    table.add_column("", justify="right")
    for label, status in (("graded", "graded"), ("recorded as 0", "zero"), ("not graded", "error")):
        table.add_row(label, str(sum(o.status == status for o in outcomes)))
    table.add_row("with notes", str(sum(bool(o.reasons) for o in graded)))
    if graded:
        scores = [o.score for o in graded]
        table.add_row("mean score", f"{sum(scores) / len(scores):.1f}/{graded[0].max_score:g}")
        table.add_row("lowest, highest", f"{min(scores):g}, {max(scores):g}")
    table.add_row("seconds", f"{seconds:.1f} ({seconds / max(len(outcomes), 1):.2f} per submission)")
    console().print(table)
    console().print("Scores per student and test: tito nbgrader report")
    if any(o.status == "error" for o in outcomes):
        raise typer.Exit(1)


@nbgrader_app.command("feedback")
@friendly
def feedback_cmd(module: str = ModuleArg,
                 student: Optional[str] = StudentOpt, no_wait: bool = NoWaitOpt) -> None:
    """Write HTML feedback per student (hidden tests are never shown)."""
    from tito.course import resolve_module
    from tito.grading.feedback import feedback

    root, all_modules = _course()
    mod = resolve_module(all_modules, module)
    with _locked(root, "feedback", no_wait), _progress() as progress:
        task = progress.add_task(f"Feedback for {mod.dirname}", total=None)
        outcomes = feedback(root, mod, [student] if student else None,
                            on_progress=lambda o: progress.advance(task))
    for o in outcomes:
        if o.ok:
            console().print(f"[green]✓[/] {o.student}: {o.path.relative_to(root)}", markup=True)
        else:
            err_console().print(f"[red]✗ {o.student}:[/] {o.message}", markup=True, soft_wrap=True)
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)


@nbgrader_app.command("report")
@friendly
def report_cmd(fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
               out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead."),
               tests: bool = typer.Option(False, "--by-test", help="Per graded test: how many passed, mean points, "
                                                                    "the most common failure."),
               plot: Optional[Path] = typer.Option(None, "--plot", help="Also draw a score histogram per module "
                                                                         "into this PNG (needs matplotlib).")) -> None:
    """Scores per student and module from nbgrader's gradebook, with per-test results."""
    from tito.grading.report import by_test, class_averages, gradebook_records, plot_histograms, to_csv, to_json

    if fmt not in ("table", "csv", "json"):
        raise TitoError(f"Unknown format '{fmt}'.", "Use --format table, csv or json.")
    root, _ = _course()
    records = gradebook_records(root, include_errors=True)
    if plot:
        if not plot.parent.is_dir():
            raise TitoError(f"Cannot write {plot}: {plot.parent} is not a folder.", "Choose a folder that exists.")
        console().print(f"Score histograms: {plot_histograms(records, plot)}")
    if tests:
        _report_by_test(by_test(root, records), fmt, out)
        return
    if fmt in ("csv", "json"):
        _emit(to_csv(records) if fmt == "csv" else to_json(records) + "\n", out, f"{len(records)} record(s)")
        return
    from rich.table import Table

    if not records:
        console().print("The gradebook has no graded submissions yet (tito nbgrader autograde MODULE).")
        return
    table = Table(title="Grades", title_justify="left")
    for name in ("Student", "Module", "Score", "Tests passed", "Notes"):
        table.add_column(name, overflow="fold")
    for r in records:
        passed = sum(t["passed"] for t in r["tests"])
        score = f"{r['score']:g}/{r['max_score']:g}" if r["score"] is not None else "not graded"
        table.add_row(r["student"], r["module"], score, f"{passed}/{len(r['tests'])}", "; ".join(r["reasons"]))
    console().print(table)
    for module, average in class_averages(records).items():
        max_score = next(r["max_score"] for r in records if r["module"] == module and r["max_score"] is not None)
        console().print(f"Class average, {module}: {average:.1f}/{max_score:g}")
    if out:
        _write_report(out, to_json(records) + "\n")


def _report_by_test(rows: list, fmt: str, out: Optional[Path]) -> None:
    if fmt in ("csv", "json"):
        import csv
        import io

        if fmt == "json":
            text = json.dumps(rows, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=["module", "test", "students", "passed", "mean_points",
                                                        "max_points", "most_common_failure", "failure_count"],
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            text = buffer.getvalue()
        _emit(text, out, f"{len(rows)} test(s)")
        return
    from rich.table import Table

    if not rows:
        console().print("No graded tests yet (tito nbgrader autograde MODULE).")
        return
    table = Table(title="Tests, hardest first", title_justify="left")
    for name, justify in (("Module", "left"), ("Test", "left"), ("Passed", "right"), ("Mean", "right"),
                          ("Most common failure", "left")):
        table.add_column(name, justify=justify, no_wrap=name in ("Test", "Passed", "Mean"), overflow="fold")
    for r in rows:
        message = r["most_common_failure"]
        message = message if len(message) <= 60 else message[:59] + "…"
        failure = f"{message} ({r['failure_count']}x)" if r["failure_count"] else ""
        table.add_row(r["module"], r["test"], f"{r['passed']}/{r['students']}",
                      f"{r['mean_points']:.1f}/{r['max_points']:g}", failure)
    console().print(table)


def _emit(text: str, out: Optional[Path], what: str) -> None:
    """A machine-readable report: to --out (saying so), else to standard output."""
    if out:
        _write_report(out, text)
        console().print(f"Wrote {what} to {out}")
    else:
        sys.stdout.write(text)


def _write_report(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise TitoError(f"Cannot write {path}: {exc.strerror}.", "Choose a folder that exists and is writable.") \
            from None


@instructor_command("release")
@friendly
def release_cmd(out: Path = typer.Option(..., "--out", "-o", help="Folder for the student workspace."),
                modules: Optional[List[str]] = ModulesArg, force: bool = ForceOpt,
                no_wait: bool = NoWaitOpt) -> None:
    """Write a student workspace (tito, stripped sources and notebooks, an empty tinytorch) to --out."""
    from tito.course import select_modules
    from tito.grading.generate import generate_module
    from tito.grading.nbg import make_api
    from tito.grading.release import check_out_dir, release_workspace

    root, all_modules = _course()
    check_out_dir(root, out)  # before minutes of generating
    selected = select_modules(all_modules, modules, not modules)
    with _locked(root, "release", no_wait):
        api = make_api(root)
        results = _each_module(selected, "Generating", lambda m: generate_module(root, m, api=api))
        if _print_errors(results):
            raise typer.Exit(1)
        result = release_workspace(root, out, selected, force=force)
    console().print(f"Student workspace: {result.out} ({result.files} files, modules: {', '.join(result.modules)})")
    for backup in result.backups:
        console().print(f"  kept the previous version as {backup}")
    console().print("No solution line found in it. Next: cd there, `git init`, and hand it out.")


@students_app.command("import")
@friendly
def students_import_cmd(roster: Path = typer.Argument(..., help="CSV with columns id, first_name, last_name, email."),
                        no_wait: bool = NoWaitOpt) -> None:
    """Import the class list: names and emails then show in reports, formgrader and the CSV."""
    from tito.grading.roster import import_roster

    root, _ = _course()
    with _locked(root, "students import", no_wait):
        new, updated = import_roster(root, roster)
    console().print(f"Roster {roster}: {new} new student(s), {updated} updated.")


# --------------------------------------------------------------------------- milestones
@milestone_app.command("list")
@friendly
def milestone_list_cmd() -> None:
    """The milestones in the order of history: year, what they retell, target, modules needed."""
    from rich.table import Table

    from tito.milestones.catalog import MILESTONES

    table = Table(title="Milestones, in the order of history (tito milestone run NAME)", title_justify="left",
                  show_lines=True)
    table.add_column("Year", no_wrap=True)
    table.add_column("Name", no_wrap=True)
    table.add_column("History, target, what it trains", overflow="fold")
    for m in MILESTONES.values():
        table.add_row(str(m.year), f"[bold]{m.name}[/]",
                      f"{m.history}\n[bold]Target:[/] {m.target_summary()}\n{m.description}\n"
                      f"[dim]Needs: {', '.join(m.needs)}[/]")
    console().print(table)


@milestone_app.command("run")
@friendly
def milestone_run_cmd(name: str = typer.Argument(..., help="perceptron, xor, mlp-digits, cnn-digits, tinygpt or "
                                                            "compress-digits (tito milestone list)"),
                      epochs: Optional[int] = typer.Option(None, "--epochs", help="Override the number of epochs "
                                                                       "(tinygpt: of evaluation intervals)."),
                      plot: bool = typer.Option(True, "--plot/--no-plot", help="Save a training-curve PNG "
                                                                                 "(needs matplotlib).")) -> None:
    """Train on the package you exported; exits non-zero when the target is missed."""
    from rich.table import Table
    from rich.text import Text

    from tito.milestones.runner import get_milestone, run_milestone

    milestone = get_milestone(name)
    root, _ = _course()
    out = console()
    out.print(f"[bold]{milestone.title}[/] ({milestone.year}): {milestone.description}", markup=True)
    with _progress() as progress:
        task = progress.add_task(f"{name}: starting", total=None)

        def on_event(event):
            if event["event"] == "start":
                progress.update(task, total=event["epochs"], description=f"{name}: training")
            elif event["event"] == "epoch":
                shown = "  ".join(f"{k} {v:.4g}" for k, v in event.items()
                                  if k not in ("event", "epoch", "total") and isinstance(v, float))
                progress.update(task, completed=event["epoch"], description=f"{name}: {shown}")

        result = run_milestone(root, name, epochs=epochs, on_event=on_event,
                               plot=root / ".tito" / "milestones" / f"{name}.png" if plot else None)
    if result.error:
        raise TitoError(f"milestone {name} failed: {result.error}",
                        "Fix the module it names, `tito export` it, and run the milestone again.")
    table = Table(title=f"{name}: final", title_justify="left")
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    for key, value in result.metrics.items():  # counts (steps, parameters, epochs) as whole numbers
        table.add_row(key, f"{int(value):,}" if float(value).is_integer() and abs(value) >= 2 else f"{value:.4f}")
    table.add_row("epochs", str(len(result.history)))
    table.add_row("seconds", f"{result.seconds:.1f}")
    table.add_row("peak memory", f"{result.peak_rss_mb:.0f} MB")
    if milestone.metric != "checks":
        table.add_row("target", f"{milestone.metric} >= {milestone.target:.2%}")
    table.add_row("result", Text("PASS" if result.passed else "MISSED", style="green" if result.passed else "red"))
    if result.extra.get("sample"):  # tinygpt: what the trained model writes
        settings = f" ({result.extra['sample_settings']})" if result.extra.get("sample_settings") else ""
        out.print(Text.assemble(("Sample", "bold"), f" from the prompt {result.extra.get('prompt', '')!r}{settings}:"))
        out.print(Text(result.extra["sample"]))
    if result.table:
        variants = Table(title=f"{name}: models", title_justify="left")
        for key in result.table[0]:
            variants.add_column(key, justify="left" if key == "model" else "right")
        for row in result.table:
            variants.add_row(*(f"{v:,.4g}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
                               for v in row.values()))
        out.print(variants)
    if result.checks:
        checks = Table(title=f"{name}: targets", title_justify="left")
        for key in ("target", "value", "needed", "result"):
            checks.add_column(key, justify="left" if key == "target" else "right")
        for check in result.checks:
            checks.add_row(check["name"], f"{check['value']:.4g}", str(check["target"]),
                           Text("PASS" if check["passed"] else "MISSED", style="green" if check["passed"] else "red"))
        out.print(checks)
    out.print(table)
    if result.plot:
        out.print(f"Training curves: {Path(result.plot).relative_to(root)}")
    if not result.passed:
        raise typer.Exit(1)


def is_instructor_course() -> bool:
    """The course repository has nbgrader_config.py; a student workspace never does. Outside any
    course everything is listed, so `tito --help` still tells what tito can do."""
    from tito.course import find_root, is_workspace

    try:
        return not is_workspace(find_root())
    except TitoError:
        return True


# Two audiences, one `tito`: the instructor commands exist only in the course repository, so a
# student workspace's `--help` lists student commands alone and no instructor message can
# appear there. One entry point keeps every command, README and habit the same for both.
if is_instructor_course():
    app.add_typer(nbgrader_app, name="nbgrader")
    for _name, _fn in INSTRUCTOR_COMMANDS.items():
        _group, _, _command = _name.rpartition(" ")
        {"": app, "module": module_app}[_group].command(_command)(_fn)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
