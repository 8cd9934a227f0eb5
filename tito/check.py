"""`tito module check`: validate a module source against docs/module-format.md.

Each problem is one line, `file:line: what is wrong; how to fix it`, so editors and CI can
jump to it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tito.course import Module
from tito.errors import TitoError
from tito.source import (HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END, Cell, default_exp,
                         load_source, syntax_error)

INDENTED_MARKER_RE = re.compile(r"^\s+# %%")
REQUIRED_NBGRADER_KEYS = ("grade", "grade_id", "locked", "schema_version", "solution")


def _check_indented_markers(path: Path) -> list[str]:
    problems = []
    if path.suffix != ".py":
        return problems
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if INDENTED_MARKER_RE.match(line):
            problems.append(f"{path}:{number}: indented '# %%': jupytext treats it as a cell break and splits "
                            "the code there; write '# %%' at column 0, or reword the comment")
    return problems


def _check_markers(cell: Cell) -> list[str]:
    """Solution and hidden-test markers: balanced, not nested, and in the right kind of cell."""
    problems = []
    open_marker: tuple[str, int] | None = None
    pairs = {SOLUTION_BEGIN: SOLUTION_END, HIDDEN_BEGIN: HIDDEN_END}
    for offset, line in enumerate(cell.source.splitlines()):
        text = line.strip()
        if text in pairs:
            if text == SOLUTION_BEGIN and not cell.is_solution:
                problems.append(f"{cell.where(offset)}: '{SOLUTION_BEGIN}' in a cell without "
                                '"solution": true; nbgrader would leave the answer in the student version')
            if text == HIDDEN_BEGIN and not cell.is_graded:
                problems.append(f"{cell.where(offset)}: '{HIDDEN_BEGIN}' outside a graded cell "
                                '("grade": true); move the hidden tests into the graded test cell')
            if open_marker:
                problems.append(f"{cell.where(offset)}: '{text}' before '{pairs[open_marker[0]]}' "
                                f"closes the block opened at {cell.where(open_marker[1])}")
            open_marker = (text, offset)
        elif text in pairs.values():
            if not open_marker or pairs[open_marker[0]] != text:
                problems.append(f"{cell.where(offset)}: '{text}' without a matching opening marker")
            open_marker = None
    if open_marker:
        problems.append(f"{cell.where(open_marker[1])}: '{open_marker[0]}' is never closed with "
                        f"'{pairs[open_marker[0]]}' in this cell")
    return problems


def _called_names(tree: ast.Module) -> set[str]:
    return {node.func.id for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


def _check_graded_cell(cell: Cell) -> list[str]:
    problems = []
    meta = cell.nbgrader
    points = meta.get("points")
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        problems.append(f"{cell.header_where()}: graded cell '{cell.grade_id}' has no points; "
                        'add "points": N (N > 0) to its nbgrader metadata')
    if not meta.get("locked"):
        problems.append(f"{cell.header_where()}: graded cell '{cell.grade_id}' is not locked; "
                        'set "locked": true so students cannot edit the test')
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return problems  # reported by the syntax check
    defined = [n.name for n in tree.body
               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_")]
    called = _called_names(tree)
    for name in defined:
        if name not in called:
            problems.append(f"{cell.header_where()}: graded cell '{cell.grade_id}' defines {name}() but never "
                            f"calls it, so its points cannot be lost; add `{name}()` at the end of the cell")
    return problems


def _check_syntax(cell: Cell) -> list[str]:
    error = syntax_error(cell.source)
    return [f"{cell.where((error.lineno or 1) - 1)}: code cell does not parse: {error.msg}"] if error else []


LEAK_MIN_CHARS = 25  # shorter lines (`return x`, `self.x = x`) say little on their own


def _check_leaked_solutions(cells: list[Cell]) -> list[str]:
    """A solution line of LEAK_MIN_CHARS or more that appears, even inside a longer line, in what
    students are given: a hint, the prose, provided code or a test. It gives the answer away."""
    from tito.grading.release_checks import SECRET_REGIONS, marked_lines

    solutions: dict[str, str] = {}  # stripped solution line -> where it first is
    public: list[tuple[str, str]] = []  # (line, where) outside every region
    for cell, offset, text, end in marked_lines(cells, SECRET_REGIONS):
        if end == SOLUTION_END:
            if len(text) >= LEAK_MIN_CHARS and not text.startswith("#"):
                solutions.setdefault(text, cell.where(offset))
        elif end is None and text:
            public.append((text, cell.where(offset)))
    if not solutions:
        return []
    text = "\n".join(line for line, _ in public)
    problems = []
    for solution, origin in solutions.items():
        if solution not in text:  # one scan of the whole text rules out most lines at once
            continue
        for line, where in public:
            if solution in line:
                problems.append(f"{where}: gives away the solution line at {origin} ({solution!r}); "
                                "reword it so it teaches the idea without the code")
    return problems


def _check_declared_uses(cells: list[Cell]) -> list[str]:
    """`#| uses: name, ...` on a graded cell must name functions or classes of earlier cells."""
    from tito.quality import declared_uses

    problems, defined = [], set()
    for cell in cells:
        if cell.kind != "code":
            continue
        unknown = [n for n in declared_uses(cell) if n.split(".")[0] not in defined] if cell.is_graded else []
        if unknown:
            problems.append(f"{cell.where(0)}: `#| uses:` names {', '.join(unknown)}, which no earlier cell of "
                            "this module defines; name the function or class of an earlier step")
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        defined |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return problems


def check_cells(cells: list[Cell], module: Module | None = None, path: Path | None = None) -> list[str]:
    problems: list[str] = _check_leaked_solutions(cells) + _check_declared_uses(cells)
    grade_ids: dict[str, Cell] = {}
    for cell in cells:
        for error in cell.meta_errors:
            problems.append(f"{cell.header_where()}: {error}")
        if "incorrectly_encoded_metadata" in cell.metadata:
            problems.append(f"{cell.header_where()}: jupytext could not read this cell's metadata "
                            f"({cell.metadata['incorrectly_encoded_metadata']!r}); write it as strict JSON")
        if cell.kind != "code":
            continue
        problems += _check_syntax(cell)
        problems += _check_markers(cell)
        if "nbgrader" in cell.metadata:
            meta = cell.metadata["nbgrader"]
            if not isinstance(meta, dict):
                problems.append(f"{cell.header_where()}: nbgrader metadata must be a JSON object")
                continue
            missing = [k for k in REQUIRED_NBGRADER_KEYS if k not in meta]
            if missing:
                problems.append(f"{cell.header_where()}: nbgrader metadata lacks {', '.join(missing)}; "
                                "nbgrader needs all of grade, grade_id, locked, schema_version, solution")
            grade_id = meta.get("grade_id")
            if grade_id:
                if grade_id in grade_ids:
                    problems.append(f"{cell.header_where()}: duplicate grade_id '{grade_id}' (first used at "
                                    f"{grade_ids[grade_id].header_where()}); every grade_id must be unique")
                else:
                    grade_ids[grade_id] = cell
            if meta.get("grade"):
                problems += _check_graded_cell(cell)
            elif not meta.get("solution") and not meta.get("locked"):
                problems.append(f"{cell.header_where()}: nbgrader metadata on a cell that is neither graded, a "
                                "solution nor locked: nbgrader ignores it and then fails on it while autograding; "
                                'set "locked": true, or remove the metadata')
        elif cell.test_functions() and not cell.is_export:
            names = ", ".join(cell.test_functions())
            problems.append(f"{cell.header_where()}: cell defines {names} but has no nbgrader metadata, so it is "
                            'not graded; mark it "grade": true, "locked": true with points')

    declared = [c for c in cells if c.kind == "code" and "default_exp" in c.directives()]
    for extra in declared[1:]:
        problems.append(f"{extra.where(0)}: a second `#| default_exp`; a module exports to exactly one "
                        f"package module (the first is at {declared[0].where(0)})")
    target, where_cell = default_exp(cells)
    if not target:
        where = path or (cells[0].file if cells else "?")
        problems.append(f"{where}:1: no `#| default_exp core.<name>` line; add it to the first code cell")
    elif module is not None and module.exports_to:
        dotted = target if target.startswith("tinytorch.") else f"tinytorch.{target}"
        if dotted != module.exports_to:
            problems.append(f"{where_cell.where(0)}: default_exp {target} disagrees with "
                            f"module.yaml exports_to: {module.exports_to}")
    return problems


def check_module(module: Module) -> list[str]:
    """Every problem in the module's config and in the source file tito would use, as `file:line: message`."""
    problems = list(module.config_errors)
    try:
        src = load_source(module)
    except TitoError as exc:
        return problems + [exc.message]
    problems += _check_indented_markers(src.path)
    problems += check_cells(src.cells, module, src.path)
    # a student workspace carries the release: a locked cell edited there is graded as released
    from tito.course import is_workspace
    from tito.runner import graded_as_released

    if is_workspace(module.path.parent.parent.parent):
        _, edited = graded_as_released(src)
        problems += [f"{src.path}: {note}" for note in edited]
    return problems
