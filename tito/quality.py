"""Are a module's graded tests any good? Two measurements, each running the module's tests on
altered solutions through the one executor (`tito.runner.run_source_tests`):

- `dependencies`: stub one solution region at a time, as the release does, and see which graded
  cells fail. A cell may fail for its own step, and for earlier steps it declares with
  `#| uses: name` that are graded on their own. Any other failure costs a student points
  twice for one gap: an undeclared dependency.
- `mutants`: inject one realistic mistake at a time into the solutions (a boundary `>` for `>=`,
  `and` for `or`, a dropped `np.asarray` or `axis=`, `.T` for a swap of the last two axes, an
  op writing into its input, swapped arguments...) and see whether some graded cell fails.
  A mistake that every graded cell passes is one the grading cannot see.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from tito.errors import TitoError
from tito.runner import ModuleResult, run_source_tests
from tito.source import SOLUTION_BEGIN, SOLUTION_END, Cell, ModuleSource
from tito.strip import STUB


# --------------------------------------------------------------------------- solution regions
@dataclass(frozen=True)
class Region:
    cell: int  # position in src.cells
    start: int  # offset of the BEGIN line in the cell
    end: int  # offset of the END line
    label: str  # the function it sits in, e.g. Tensor.__add__
    where: str  # file:line of the BEGIN line


def _enclosing_names(tree: ast.Module) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every def and class, outermost first."""
    found: list[tuple[int, int, str]] = []

    def walk(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                found.append((child.lineno, child.end_lineno or child.lineno, name))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def solution_regions(src: ModuleSource) -> list[Region]:
    regions = []
    for position, cell in enumerate(src.cells):
        if cell.kind != "code" or not cell.is_solution:
            continue
        try:
            names = _enclosing_names(ast.parse(cell.source))
        except SyntaxError:
            names = []
        start = None
        for offset, line in enumerate(cell.source.splitlines()):
            text = line.strip()
            if text == SOLUTION_BEGIN:
                start = offset
            elif text == SOLUTION_END and start is not None:
                inside = [name for first, last, name in names if first <= start + 1 <= last]
                label = inside[-1] if inside else (cell.grade_id or f"cell {cell.index + 1}")
                regions.append(Region(position, start, offset, label, cell.where(start)))
                start = None
    return regions


def _with_cell(src: ModuleSource, position: int, text: str) -> ModuleSource:
    cells = list(src.cells)
    cells[position] = dataclasses.replace(cells[position], source=text)
    return dataclasses.replace(src, cells=cells)


def stub_region(src: ModuleSource, region: Region) -> ModuleSource:
    """The source with one solution region replaced by the release's stub."""
    lines = src.cells[region.cell].source.splitlines()
    begin = lines[region.start]
    indent = begin[: len(begin) - len(begin.lstrip())]
    lines[region.start: region.end + 1] = [indent + line for line in STUB]
    return _with_cell(src, region.cell, "\n".join(lines) + "\n")


# --------------------------------------------------------------------------- running variants
def _graded(src: ModuleSource) -> list[Cell]:
    return [c for c in src.cells if c.kind == "code" and c.is_graded]


def _failed(result: ModuleResult) -> set[str]:
    return {t.grade_id for t in result.tests if not t.passed}


def _baseline(root: Path, src: ModuleSource, cell_timeout: float | None) -> ModuleResult:
    result = run_source_tests(root, src, cell_timeout=cell_timeout)
    if not result.ok:
        failing = ", ".join(sorted(_failed(result))) or "setup cells"
        raise TitoError(f"{src.module.dirname}: the solution itself does not pass ({failing}); "
                        f"fix that first (`tito module test {src.module.name}`).")
    return result


def _variant_timeout(baseline: ModuleResult) -> float:
    """Long enough for every honest cell, short enough that a mutant looping forever costs little."""
    slowest = max([t.seconds for t in baseline.tests] + [1.0])
    return max(10.0, 4 * slowest)


def _run_all(root: Path, variants: list, make: Callable, cell_timeout: float, jobs: int,
             on_done: Callable | None) -> list[ModuleResult]:
    def one(variant):
        result = run_source_tests(root, make(variant), cell_timeout=cell_timeout)
        if on_done:
            on_done(variant, result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # the work is in sandboxed subprocesses
        return list(pool.map(one, variants))


# --------------------------------------------------------------------------- dependencies
@dataclass
class Dependency:
    region: Region
    failing: list[str]  # grade_ids that fail when the region is stubbed
    points: float  # what a student missing only this region loses
    problems: list[str] = field(default_factory=list)


def own_tests(src: ModuleSource, region: Region) -> list[str]:
    """The graded cells of the region's step: those after it, up to the next solution cell that
    follows the first of them."""
    ids, seen_test = [], False
    for cell in src.cells[region.cell + 1:]:
        if cell.kind != "code":
            continue
        if cell.is_graded:
            ids.append(cell.grade_id)
            seen_test = True
        elif cell.is_solution and seen_test:
            break
    return ids


def declared_uses(cell: Cell) -> list[str]:
    """`#| uses: Variable, add` at the top of a graded cell: the earlier steps it builds on."""
    text = cell.directives().get("uses", "")
    return [name.strip() for name in text.lstrip(":").split(",") if name.strip()]


def _covers(names: list[str], label: str) -> bool:
    return any(label == name or label.startswith(name + ".") for name in names)


def dependencies(root: Path, src: ModuleSource, jobs: int = 2, cell_timeout: float | None = None,
                 on_done: Callable | None = None) -> list[Dependency]:
    """What each solution region costs when it is missing, and the graded cells that fail for
    it without saying so: a cell may fail for its own step's regions, and for an earlier step's
    that it declares (`#| uses: name`) and that its own step grades."""
    _baseline(root, src, cell_timeout)
    regions = solution_regions(src)
    # a stub raises at once, so the module's own cell timeout loses no time and never misfires
    results = _run_all(root, regions, lambda r: stub_region(src, r), cell_timeout, jobs, on_done)
    graded = {c.grade_id: (position, c) for position, c in enumerate(src.cells) if c.kind == "code" and c.is_graded}
    found = []
    for region, result in zip(regions, results):
        failing = sorted(_failed(result), key=lambda g: graded[g][0] if g in graded else 0)
        dep = Dependency(region, failing, sum(t.points for t in result.tests if not t.passed))
        own = own_tests(src, region)
        graded_on_its_own = any(g in own for g in failing)
        for grade_id in failing:
            if grade_id in own or grade_id not in graded:
                continue
            cell = graded[grade_id][1]
            if not _covers(declared_uses(cell), region.label):
                dep.problems.append(f"{grade_id} fails when {region.label} ({region.where}) is missing, but does "
                                    f"not declare it: test it without {region.label}, or add "
                                    f"`#| uses: {region.label.split('.')[0]}` to its first line")
            elif not graded_on_its_own:
                dep.problems.append(f"{grade_id} builds on {region.label} ({region.where}), but no test of its "
                                    f"own step ({', '.join(own) or 'none'}) grades it")
        found.append(dep)
    return found


# --------------------------------------------------------------------------- mutants
@dataclass(frozen=True)
class Mutant:
    cell: int
    kind: str  # the class of mistake
    line: int  # line in the cell, from 0
    where: str
    before: str
    after: str
    text: str  # the whole mutated cell


CMP_SWAP = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
ARITH_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
WRAPPER_NAMES = {"float", "int", "list", "tuple", "sorted", "abs", "bool", "Tensor", "Variable"}
NP_WRAPPERS = {"asarray", "array", "asanyarray", "ascontiguousarray", "abs", "absolute", "clip", "float32",
               "float64", "copy", "squeeze", "atleast_1d", "atleast_2d", "round", "rint", "floor", "ceil"}
METHOD_WRAPPERS = {"copy", "astype", "ravel", "flatten", "item", "squeeze"}
DROPPABLE_KEYWORDS = {"axis", "keepdims", "dtype", "out", "ddof", "copy", "axes"}
LIKE = {"zeros_like": "zeros", "ones_like": "ones", "empty_like": "empty", "full_like": "full"}
UFUNCS = {"maximum", "minimum", "add", "subtract", "multiply", "divide", "exp", "log", "tanh", "clip",
          "negative", "sqrt", "square", "abs", "absolute", "where"}
KINDS = ("comparison", "boundary", "and/or", "dropped wrapper", "dropped keyword", "dtype", "transpose",
         "shape index", "argument order", "in place", "arithmetic")


def _is_np(node) -> bool:
    return isinstance(node, ast.Name) and node.id in ("np", "numpy")


def _edits(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """(kind, replacement node) for each realistic mistake at this node."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in CMP_SWAP:
                new = copy.deepcopy(node)
                new.ops[i] = CMP_SWAP[type(op)]()
                yield "comparison", new
        for i, right in enumerate(node.comparators):
            if isinstance(right, ast.Constant) and type(right.value) is int:
                for delta in (-1, 1):
                    new = copy.deepcopy(node)
                    new.comparators[i] = ast.Constant(right.value + delta)
                    yield "boundary", new
    elif isinstance(node, ast.BoolOp):
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "and/or", new
    elif isinstance(node, ast.BinOp) and type(node.op) in ARITH_SWAP:
        new = copy.deepcopy(node)
        new.op = ARITH_SWAP[type(node.op)]()
        yield "arithmetic", new
    elif isinstance(node, ast.Call):
        func = node.func
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        np_name = func.attr if isinstance(func, ast.Attribute) and _is_np(func.value) else None
        if positional and ((isinstance(func, ast.Name) and func.id in WRAPPER_NAMES and len(node.args) == 1)
                           or (np_name in NP_WRAPPERS)):
            yield "dropped wrapper", positional[0]
        if isinstance(func, ast.Attribute) and not np_name and func.attr in METHOD_WRAPPERS:
            yield "dropped wrapper", func.value
        for i, keyword in enumerate(node.keywords):
            if keyword.arg in DROPPABLE_KEYWORDS:
                new = copy.deepcopy(node)
                del new.keywords[i]
                yield ("dtype" if keyword.arg == "dtype" else "dropped keyword"), new
        if np_name in LIKE and positional:
            shape = ast.Attribute(value=positional[0], attr="shape", ctx=ast.Load())
            args = [shape] + positional[1:]
            yield "dtype", ast.Call(func=ast.Attribute(value=func.value, attr=LIKE[np_name], ctx=ast.Load()),
                                    args=args, keywords=[])
        is_swap = (np_name == "swapaxes" and len(positional) == 3) or \
                  (isinstance(func, ast.Attribute) and func.attr == "swapaxes" and not np_name and len(positional) == 2)
        if is_swap:
            target = positional[0] if np_name else func.value
            yield "transpose", ast.Attribute(value=target, attr="T", ctx=ast.Load())
        if np_name in UFUNCS and positional and isinstance(positional[0], ast.Name) \
                and not any(k.arg == "out" for k in node.keywords):
            new = copy.deepcopy(node)
            new.keywords.append(ast.keyword(arg="out", value=ast.Name(positional[0].id, ast.Load())))
            yield "in place", new
        names = [i for i, a in enumerate(node.args) if isinstance(a, (ast.Name, ast.Attribute, ast.Subscript))]
        if len(node.args) >= 2 and names[:2] == [0, 1] and ast.dump(node.args[0]) != ast.dump(node.args[1]):
            new = copy.deepcopy(node)
            new.args[0], new.args[1] = node.args[1], node.args[0]
            yield "argument order", new
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape" \
            and isinstance(node.slice, ast.Constant) and type(node.slice.value) is int:
        swap = {0: 1, 1: 0, -1: -2, -2: -1}.get(node.slice.value)
        if swap is not None:
            new = copy.deepcopy(node)
            new.slice = ast.Constant(swap)
            yield "shape index", new


def _char_offsets(lines: list[str], line: int, col: int) -> int:
    """ast's (1-based line, UTF-8 byte column) as a character offset into the joined text."""
    before = sum(len(l) + 1 for l in lines[: line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", "replace"))


def cell_mutants(src: ModuleSource, position: int) -> list[Mutant]:
    cell = src.cells[position]
    text = cell.source
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    lines = text.split("\n")
    regions = [(r.start + 1, r.end + 1) for r in solution_regions(src) if r.cell == position]  # 1-based markers
    found, seen = [], set()
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or not any(b < node.lineno and (node.end_lineno or 0) < e for b, e in regions):
            continue
        start = _char_offsets(lines, node.lineno, node.col_offset)
        end = _char_offsets(lines, node.end_lineno, node.end_col_offset)
        before = text[start:end]
        for kind, replacement in _edits(node):
            try:
                after = ast.unparse(replacement)
            except Exception:  # noqa: BLE001 - a node we cannot print is not a mutant
                continue
            if isinstance(node, (ast.BoolOp, ast.BinOp, ast.Compare)) or kind == "dropped wrapper":
                after = f"({after})"
            mutated = text[:start] + after + text[end:]
            if mutated in seen or after.strip("()") == before:
                continue
            try:
                ast.parse(mutated)
            except SyntaxError:
                continue
            seen.add(mutated)
            found.append(Mutant(position, kind, node.lineno - 1, cell.where(node.lineno - 1), before, after, mutated))
    return found


def all_mutants(src: ModuleSource) -> list[Mutant]:
    return [m for position, cell in enumerate(src.cells) if cell.kind == "code" and cell.is_solution
            for m in cell_mutants(src, position)]


@dataclass
class MutantResult:
    mutant: Mutant
    caught: bool
    failing: list[str]
    note: str = ""  # e.g. only a setup cell broke


def mutants(root: Path, src: ModuleSource, jobs: int = 2, sample: int | None = None, kinds: set[str] | None = None,
            cell_timeout: float | None = None, seed: int = 0, on_done: Callable | None = None) -> list[MutantResult]:
    baseline = _baseline(root, src, cell_timeout)
    chosen = [m for m in all_mutants(src) if not kinds or m.kind in kinds]
    if sample and len(chosen) > sample:
        chosen = sorted(random.Random(seed).sample(chosen, sample), key=lambda m: (m.cell, m.line))
    results = _run_all(root, chosen, lambda m: _with_cell(src, m.cell, m.text), _variant_timeout(baseline),
                       jobs, on_done)
    out = []
    for mutant, result in zip(chosen, results):
        failing = sorted(_failed(result))
        note = "only a setup cell failed" if not failing and result.setup_errors else ""
        out.append(MutantResult(mutant, bool(failing), failing, note))
    return out


def kill_rates(results: list[MutantResult]) -> dict[str, tuple[int, int]]:
    """{kind: (caught, total)}, in KINDS order."""
    rates: dict[str, tuple[int, int]] = {}
    for kind in KINDS:
        mine = [r for r in results if r.mutant.kind == kind]
        if mine:
            rates[kind] = (sum(r.caught for r in mine), len(mine))
    return rates
