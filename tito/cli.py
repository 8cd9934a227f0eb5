"""The `tito` command line. Each command is a thin wrapper: it resolves modules, calls a plain
function that does the work, and renders the result. Heavy libraries (jupytext, nbformat,
nbgrader) are imported only inside the commands that need them, so start-up stays fast.
"""

from __future__ import annotations

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
app.add_typer(module_app, name="module")
app.add_typer(system_app, name="system")

ModulesArg = typer.Argument(None, help="Modules by short name, number or directory: autograd, 07, 07_autograd.")
AllOpt = typer.Option(False, "--all", "-a", help="Every module in the course.")


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
def _render_module(out, result, root: Path) -> None:
    from rich.table import Table
    from rich.text import Text

    from tito.runner import STATUS_TEXT

    def short(where: str) -> str:
        return where.replace(str(root) + "/", "")

    table = Table(title=f"{result.module}  ({short(result.source)})", title_justify="left")
    table.add_column("Test")
    table.add_column("Points", justify="right")
    table.add_column("Result")
    table.add_column("Seconds", justify="right")
    table.add_column("Details", overflow="fold")
    for test in result.setup_errors + result.tests:
        colour = "green" if test.passed else "yellow" if test.status == "not_implemented" else "red"
        detail = test.message
        if test.where and test.status != "not_implemented":
            detail += f"\nat {short(test.where)}" + (f": {test.code}" if test.code else "")
        elif test.where:
            detail += f"\n(stub at {short(test.where)})"
        points = f"{test.points:g}" if test.grade_id else "-"
        table.add_row(test.name, points, Text(STATUS_TEXT[test.status], style=colour),
                      f"{test.seconds:.2f}", Text(detail))
    out.print(table)
    out.print(Text(result.summary(), style="bold green" if result.ok else "bold red"))


def _run_tests(selected, root: Path, as_json: bool, timeout: float, show_summary: bool) -> bool:
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
                result = run_module_tests(root, module, timeout=timeout)
                results.append(result)
                progress.console.print()
                _render_module(progress.console, result, root)
                progress.advance(task)
    else:
        for module in selected:
            results.append(run_module_tests(root, module, timeout=timeout))
            if not as_json:
                _render_module(out, results[-1], root)
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
JsonOpt = typer.Option(False, "--json", help="Print the results as JSON instead of tables.")


@app.command("test")
@friendly
def test_cmd(modules: Optional[List[str]] = ModulesArg, all_: bool = AllOpt, as_json: bool = JsonOpt,
             timeout: float = TimeoutOpt) -> None:
    """Run the locked graded tests of modules (or --all) and report per test and per module."""
    from tito.course import select_modules

    root, all_modules = _course()
    selected = select_modules(all_modules, modules, all_)
    if not _run_tests(selected, root, as_json, timeout, show_summary=len(selected) > 1 or all_):
        raise typer.Exit(1)


@module_app.command("test")
@friendly
def module_test_cmd(module: str = typer.Argument(..., help="autograd, 07 or 07_autograd"),
                    as_json: bool = JsonOpt, timeout: float = TimeoutOpt) -> None:
    """Run one module's locked graded tests in a fresh subprocess."""
    from tito.course import resolve_module

    root, all_modules = _course()
    if not _run_tests([resolve_module(all_modules, module)], root, as_json, timeout, show_summary=False):
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


# --------------------------------------------------------------------------- status / doctor
@app.command("status")
@friendly
def status_cmd() -> None:
    """Per module: exported or not, the last test result and points."""
    from rich.table import Table

    from tito.status import module_status

    root, all_modules = _course()
    table = Table(title="TinyTorch modules", title_justify="left")
    for name in ("Module", "Exports to", "Exported", "Last test", "Points", "When"):
        table.add_column(name)
    for row in module_status(root, all_modules):
        table.add_row(*row)
    console().print(table)


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


def run() -> None:
    app()


if __name__ == "__main__":
    run()
