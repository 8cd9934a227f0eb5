"""The module source parser: py:percent files and their paired notebooks, as a list of cells.

Parsing is done here, without jupytext, so that `tito export` and `tito module test` start
fast; jupytext is used only where a real notebook has to be written. Every cell remembers
where it came from so that every message can say `file:line`.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tito.course import Module
from tito.errors import TitoError

MARKER_RE = re.compile(r"^# %%(?P<rest>.*)$")
CELL_TYPE_RE = re.compile(r"^\s*\[(?P<type>markdown|md|raw)\]")
META_KEY_RE = re.compile(r"(?:^|\s)(?P<key>[A-Za-z_][\w.-]*)=")
DIRECTIVE_RE = re.compile(r"^#\|\s*(?P<name>[\w-]+)\s*(?P<arg>.*?)\s*$")

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKERS = (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END)


@dataclass
class Cell:
    kind: str  # "code", "markdown" or "raw"
    source: str
    metadata: dict
    file: Path
    index: int  # position among all cells, from 0
    first_line: int  # 1-based line of the first source line (in the file for .py, in the cell for .ipynb)
    marker_line: int | None = None  # 1-based line of the `# %%` marker (.py only)
    meta_errors: list[str] = field(default_factory=list)

    @property
    def nbgrader(self) -> dict:
        meta = self.metadata.get("nbgrader")
        return meta if isinstance(meta, dict) else {}

    @property
    def is_graded(self) -> bool:
        return bool(self.nbgrader.get("grade"))

    @property
    def is_solution(self) -> bool:
        return bool(self.nbgrader.get("solution"))

    @property
    def grade_id(self) -> str | None:
        return self.nbgrader.get("grade_id")

    @property
    def is_notebook(self) -> bool:
        return self.file.suffix == ".ipynb"

    def where(self, offset: int = 0) -> str:
        """`file:line` for the source line `offset` lines into this cell."""
        if self.is_notebook:
            return f"{self.file}:cell {self.index + 1}:line {self.first_line + offset}"
        return f"{self.file}:{self.first_line + offset}"

    def header_where(self) -> str:
        if self.is_notebook:
            return f"{self.file}:cell {self.index + 1}"
        return f"{self.file}:{self.marker_line or self.first_line}"

    def directives(self) -> dict[str, str]:
        """`#| name arg` lines at the top of a code cell."""
        found: dict[str, str] = {}
        for line in self.source.splitlines():
            match = DIRECTIVE_RE.match(line)
            if match:
                found[match["name"]] = match["arg"]
            elif line.strip():
                break
        return found

    @property
    def is_export(self) -> bool:
        return self.kind == "code" and "export" in self.directives()

    def test_functions(self) -> list[str]:
        """Names of the top-level `test_*` functions this cell defines (empty if it doesn't parse)."""
        try:
            tree = ast.parse(self.source)
        except SyntaxError:
            return []
        return [n.name for n in tree.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_")]


def syntax_error(source: str) -> SyntaxError | None:
    """Why `source` is not valid Python, or None. Notebook magics (`%...`, `!...`) count as
    statements, since jupytext keeps them in notebooks."""
    code = "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return exc
    return None


def parse_marker(rest: str) -> tuple[str, dict, list[str]]:
    """Split what follows `# %%` into the cell type, its metadata and any metadata errors."""
    kind = "code"
    match = CELL_TYPE_RE.match(rest)
    if match:
        kind = "markdown" if match["type"] in ("markdown", "md") else "raw"
        rest = rest[match.end():]
    metadata: dict = {}
    errors: list[str] = []
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        match = META_KEY_RE.search(rest, pos)
        if not match:
            break
        key, start = match["key"], match.end()
        try:
            value, end = decoder.raw_decode(rest, start)
        except json.JSONDecodeError as exc:
            snippet = rest[start:start + 40]
            errors.append(f"metadata '{key}' is not strict JSON ({exc.msg} at: {snippet!r}); "
                          "use double quotes and lowercase true/false, e.g. "
                          '{"grade": true, "grade_id": "test-x", "locked": true, "points": 5, "schema_version": 3, "solution": false}')
            break
        metadata[key] = value
        pos = end
    return kind, metadata, errors


def _uncomment_markdown(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line.startswith("# "):
            out.append(line[2:])
        elif line.startswith("#"):
            out.append(line[1:])
        else:
            out.append(line)
    return "\n".join(out)


def parse_percent(text: str, file: Path) -> list[Cell]:
    """Parse py:percent text into cells. Blank lines before a marker separate cells."""
    lines = text.splitlines()
    cells: list[Cell] = []
    chunks: list[tuple[int | None, str, list[str]]] = []  # (marker line, rest of marker, body lines)
    current: tuple[int | None, str, list[str]] = (None, "", [])
    for number, line in enumerate(lines, start=1):
        match = MARKER_RE.match(line)
        if match:
            if current[0] is not None or any(l.strip() for l in current[2]):
                chunks.append(current)
            current = (number, match["rest"], [])
        else:
            current[2].append(line)
    if current[0] is not None or any(l.strip() for l in current[2]):
        chunks.append(current)

    for marker_line, rest, body in chunks:
        while body and not body[-1].strip():
            body.pop()
        kind, metadata, errors = parse_marker(rest)
        first_line = (marker_line or 0) + 1
        source = _uncomment_markdown(body) if kind == "markdown" else "\n".join(body)
        cells.append(Cell(kind, source, metadata, file, len(cells), first_line, marker_line, errors))
    return cells


def parse_notebook(text: str, file: Path) -> list[Cell]:
    """Cells of an .ipynb (plain JSON; nbformat is not needed to read it)."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TitoError(f"{file}:{exc.lineno}: the notebook is not valid JSON ({exc.msg}).",
                        "Restore it from a checkpoint, or delete it to fall back to the .py source.") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise TitoError(f"{file}: not a Jupyter notebook (no 'cells' list).")
    cells = []
    for index, raw in enumerate(nb["cells"]):
        source = raw.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        cells.append(Cell(raw.get("cell_type", "code"), source.rstrip("\n"), dict(raw.get("metadata") or {}),
                          file, index, 1))
    return cells


def read_cells(path: Path) -> list[Cell]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TitoError(f"{path} does not exist.") from None
    except UnicodeDecodeError as exc:
        raise TitoError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    if path.suffix == ".ipynb":
        return parse_notebook(text, path)
    return parse_percent(text, path)


def _code_signature(cells: list[Cell]) -> list[str]:
    return [c.source.strip() for c in cells if c.kind == "code"]


@dataclass
class ModuleSource:
    module: Module
    path: Path
    cells: list[Cell]
    note: str | None = None  # said to the user when the choice of file was not obvious


def released_notebook(module: Module) -> Path:
    """The module as it was handed out: nbgrader's release in the course, the copy `tito release`
    puts in a student workspace (same place: modules/release/NN_name/)."""
    return module.path.parent.parent / "release" / module.dirname / module.ipynb_path.name


def _solutions(cells: list[Cell]) -> list[str]:
    return [c.source.strip() for c in cells if c.kind == "code" and c.is_solution]


def load_source(module: Module) -> ModuleSource:
    """The module's cells from the pair name_dev.py / name_dev.ipynb: the one place that decides
    which side holds the student's work.

    When their code is the same, the .py. When it differs, the newer side, unless the newer side
    only has the released stubs and the older one has work (Jupyter autosaving a notebook that
    was merely opened): never a side with less work, silently. `note` says which and why.
    """
    py, nb = module.py_path, module.ipynb_path
    if not py.exists() and not nb.exists():
        raise TitoError(f"Module {module.dirname} has no source: expected {py.name} or {nb.name} in {module.path}.")
    if not nb.exists():
        return ModuleSource(module, py, read_cells(py))
    if not py.exists():
        return ModuleSource(module, nb, read_cells(nb))
    py_cells, nb_cells = read_cells(py), read_cells(nb)
    if _code_signature(py_cells) == _code_signature(nb_cells):
        return ModuleSource(module, py, py_cells)
    (newer, newer_cells), (older, older_cells) = sorted(((py, py_cells), (nb, nb_cells)),
                                                        key=lambda side: side[0].stat().st_mtime, reverse=True)
    fix = f"run `tito sync {module.name}` to make them equal"
    released = released_notebook(module)
    if released.exists():
        stubs = _solutions(read_cells(released))
        if _solutions(newer_cells) == stubs and _solutions(older_cells) != stubs:
            return ModuleSource(module, older, older_cells,
                                f"{newer.name} is newer but has only the stubs; using {older.name}, which has your "
                                f"work ({fix})")
    what = "solution code" if _solutions(py_cells) != _solutions(nb_cells) else "code"
    return ModuleSource(module, newer, newer_cells,
                        f"{py.name} and {nb.name} differ in {what}; using {newer.name}, the newer ({fix})")


def default_exp(cells: list[Cell]) -> tuple[str | None, Cell | None]:
    for cell in cells:
        if cell.kind == "code":
            target = cell.directives().get("default_exp")
            if target:
                return target, cell
    return None, None
