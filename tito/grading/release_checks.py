"""Checks on what nbgrader released: a student notebook must be valid, stubbed at the right
indentation, free of every solution and hidden-test line, and locked where the source is.

The original TinyTorch generator wrote a fixed 4-space stub, so a stub inside a method fell
back into the class body; checks like these would have caught it on the first run.
"""

from __future__ import annotations

import re

from tito.source import HIDDEN_BEGIN, HIDDEN_END, MARKERS, SOLUTION_BEGIN, SOLUTION_END, Cell, syntax_error
from tito.strip import STUB, strip_solutions

# Lines too generic to count as "a line of the solution": bare keywords, `return x`, brackets.
GENERIC_RE = re.compile(r"^((return|yield|raise)(\s+[A-Za-z_]\w*(\(\))?)?|pass|continue|break|else:|try:|finally:"
                        r"|[\])}]+,?|\"\"\"|\'\'\'|)$")


def is_generic(line: str) -> bool:
    return bool(GENERIC_RE.match(line)) or line.startswith("#")


def marked_lines(cells: list[Cell], regions: dict[str, str]):
    """(cell, offset, stripped line, END marker of the region it is in or None) for every line
    that is not itself a marker of `regions` (BEGIN marker -> END marker)."""
    for cell in cells:
        end = None
        for offset, line in enumerate(cell.source.splitlines()):
            text = line.strip()
            if end is None and text in regions:
                end = regions[text]
            elif text == end:
                end = None
            else:
                yield cell, offset, text, end


def region_lines(cells: list[Cell], regions: dict[str, str]) -> tuple[set[str], set[str]]:
    """Stripped lines inside the `regions` (BEGIN marker -> END marker), and the lines outside them."""
    inside, outside = set(), set()
    for _, _, text, end in marked_lines(cells, regions):
        (inside if end else outside).add(text)
    return inside, outside


SECRET_REGIONS = {SOLUTION_BEGIN: SOLUTION_END, HIDDEN_BEGIN: HIDDEN_END}


def secret_lines(cells: list[Cell], elsewhere: set[str] = frozenset()) -> set[str]:
    """Stripped lines inside solution and hidden-test regions that are distinctive: not generic,
    and not found outside those regions in these cells or in `elsewhere`."""
    inside, outside = region_lines(cells, SECRET_REGIONS)
    return {line for line in inside - outside - set(elsewhere) if not is_generic(line)}


def public_lines(cells: list[Cell]) -> set[str]:
    """Stripped lines outside every solution and hidden-test region."""
    return region_lines(cells, SECRET_REGIONS)[1]


def check_release(source_cells: list[Cell], release_cells: list[Cell], label: str) -> list[str]:
    """Every problem with a release notebook, as '<label> cell N: ...' lines."""
    problems = []
    if len(source_cells) != len(release_cells):
        return [f"{label}: {len(release_cells)} cells, but the source has {len(source_cells)}"]
    secrets = secret_lines(source_cells)
    for src, rel in zip(source_cells, release_cells):
        where = f"{label} cell {rel.index + 1}" + (f" ({src.grade_id})" if src.grade_id else "")
        if rel.kind == "code":
            error = syntax_error(rel.source)
            if error:
                problems.append(f"{where}: does not parse as Python (line {error.lineno}: {error.msg})")
            if src.kind == "code" and any(l.strip() in (SOLUTION_BEGIN, HIDDEN_BEGIN) for l in src.source.splitlines()):
                expected = strip_solutions(src.source)
                if rel.source.rstrip("\n") != expected.rstrip("\n"):
                    problems.append(f"{where}: {_stub_mismatch(expected, rel.source)}")
        for number, line in enumerate(rel.source.splitlines(), start=1):
            text = line.strip()
            if text in MARKERS:
                problems.append(f"{where} line {number}: marker '{text}' survived")
            elif text in secrets:
                problems.append(f"{where} line {number}: a solution or hidden-test line survived: {text!r}")
        if src.nbgrader.get("locked"):
            meta = rel.metadata
            if not rel.nbgrader.get("locked") or meta.get("editable", True) is not False \
                    or meta.get("deletable", True) is not False:
                problems.append(f"{where}: locked in the source but not locked in the release "
                                f"(editable={meta.get('editable')!r}, deletable={meta.get('deletable')!r})")
    return problems


def _stub_mismatch(expected: str, actual: str) -> str:
    exp, act = expected.splitlines(), actual.splitlines()
    for number, (e, a) in enumerate(zip(exp, act), start=1):
        if e != a:
            if a.strip() in STUB and e.strip() == a.strip():
                return (f"line {number}: stub at indentation {len(a) - len(a.lstrip())}, but its "
                        f"'{SOLUTION_BEGIN}' line is at {len(e) - len(e.lstrip())}: {a!r}")
            return f"line {number}: expected {e!r}, found {a!r}"
    return f"has {len(act)} lines where {len(exp)} were expected"
