"""Attacks on `tito nbgrader autograde`, end to end: real nbgrader, the sandboxed executor, the gradebook.

Every test first grades an honest student, "victim" (15/15), and snapshots what an attacker must not
touch: the victim's submission, nbgrader_config.py, modules/source, modules/release and the victim's
gradebook record. Then it submits and grades an "attacker" and asserts the attacker's exact score,
the reason where there is one, and that the snapshots and the victim's 15 are unchanged.

The attacker's code is written so that its score tells whether the attack worked: e.g. `double` is
right only when the escape succeeded (`return 2 * x if LEAKED else -1`), so a blocked escape scores
10 (area only) and a working one 15.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from conftest import ALPHA, REPO, nb, write_module
from tito.course import discover_modules
from tito.export import export_modules
from tito.grading import nbg
from tito.grading.autograde import autograde, collect
from tito.grading.generate import generate_module
from tito.grading.report import gradebook_records
from tito.sandbox import Limits

NB_NAME = "alpha_dev.ipynb"
DOUBLE_STUB = "# YOUR CODE HERE\n    raise NotImplementedError()"
AREA_STUB = "# YOUR CODE HERE\n        raise NotImplementedError()"

# A variant of ALPHA whose tests lean on numpy's comparisons, `abs`, `isinstance` and a locked
# (non-graded) helper cell, so that patching any of them would matter. 22 points.
VARIANT = f"""\
# %% [markdown]
# # Alpha (variant)

{nb(grade_id="alpha-imports", locked=True)}
#| default_exp core.alpha
#| export
import numpy as np

{nb(grade_id="alpha-double", solution=True)}
#| export
def double(x):
    \"\"\"TODO: return twice x.\"\"\"
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION


class Box:
    def area(self, side):
        ### BEGIN SOLUTION
        return side * side
        ### END SOLUTION

{nb(grade_id="alpha-helpers", locked=True)}
def gradcheck(f, x, expected):
    \"\"\"A course helper the tests use: is f(x) close to expected?\"\"\"
    return bool(np.allclose(f(x), expected))

{nb(grade=True, grade_id="test-double", locked=True, points=5)}
def test_double():
    assert gradcheck(double, np.array([1.0, 2.0]), np.array([2.0, 4.0])), "double doubles arrays"

test_double()

{nb(grade=True, grade_id="test-close", locked=True, points=2)}
def test_close():
    assert np.allclose(double(np.array([1.0, 2.0])), np.array([2.0, 4.0]))

test_close()

{nb(grade=True, grade_id="test-testing", locked=True, points=2)}
def test_testing():
    np.testing.assert_allclose(double(np.array([0.5])), np.array([1.0]))

test_testing()

{nb(grade=True, grade_id="test-abs", locked=True, points=2)}
def test_abs():
    assert abs(double(0.25) - 0.5) < 1e-9

test_abs()

{nb(grade=True, grade_id="test-type", locked=True, points=1)}
def test_type():
    assert isinstance(double(3), int)

test_type()

{nb(grade=True, grade_id="test-area", locked=True, points=10)}
def test_area():
    assert Box().area(3) == 9, "a 3x3 box has area 9"

test_area()
"""
VARIANT_TOTAL = 22.0
VARIANT_GRADES = ["test-abs", "test-area", "test-close", "test-double", "test-testing", "test-type"]


# ----------------------------------------------------------------------------- courses
def _template(root: Path, source: str) -> Path:
    write_module(root, "01_alpha", source)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    generate_module(root, discover_modules(root)[0])
    return root


@pytest.fixture(scope="module")
def alpha_template(tmp_path_factory) -> Path:
    return _template(tmp_path_factory.mktemp("attack-alpha") / "course", ALPHA)


@pytest.fixture(scope="module")
def variant_template(tmp_path_factory) -> Path:
    return _template(tmp_path_factory.mktemp("attack-variant") / "course", VARIANT)


@dataclass
class Arena:
    root: Path
    module: object
    total: float
    files: dict  # the snapshot: relative path -> bytes
    victim: dict  # the victim's gradebook record
    cells: list  # the gradebook's source cells

    def course(self) -> str:
        return str(self.root)

    def assert_untouched(self, regrade_victim: bool = False) -> None:
        if regrade_victim:
            again = autograde(self.root, self.module, ["victim"])[0]
            assert (again.status, again.score, again.max_score) == ("graded", self.total, self.total), again
        assert _snapshot(self.root) == self.files
        assert _victim_record(self.root) == self.victim
        assert _source_cells(self.root) == self.cells
        assert _scores(self.root)["victim"] == self.total


def _snapshot(root: Path) -> dict[str, bytes]:
    files = {}
    for base in ("modules/submitted/victim", "modules/source", "modules/release"):
        for path in sorted((root / base).rglob("*")):
            if path.is_file():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    files["nbgrader_config.py"] = (root / "nbgrader_config.py").read_bytes()
    return files


def _records(root: Path) -> dict[str, dict]:
    return {r["student"]: r for r in gradebook_records(root)}


def _victim_record(root: Path) -> dict:
    return _records(root)["victim"]


def _scores(root: Path) -> dict[str, float]:
    return {student: r["score"] for student, r in _records(root).items()}


def _tests(root: Path, student: str) -> dict[str, float]:
    return {t["test"]: t["score"] for t in _records(root)[student]["tests"]}


def _source_cells(root: Path) -> list[tuple]:
    with sqlite3.connect(root / "modules" / "gradebook.db") as con:
        return con.execute("SELECT name, cell_type, locked, source, checksum FROM source_cell ORDER BY name").fetchall()


def _arena(template: Path, tmp_path: Path, total: float) -> Arena:
    root = tmp_path / "course"
    shutil.copytree(template, root)
    module = discover_modules(root)[0]
    _submit(root, "victim", _solved(root))
    first = autograde(root, module, ["victim"])[0]
    assert (first.status, first.score, first.max_score, first.reasons) == ("graded", total, total, [])
    return Arena(root, module, total, _snapshot(root), _victim_record(root), _source_cells(root))


@pytest.fixture
def arena(alpha_template, tmp_path) -> Arena:
    return _arena(alpha_template, tmp_path, 15.0)


@pytest.fixture
def variant(variant_template, tmp_path) -> Arena:
    return _arena(variant_template, tmp_path, VARIANT_TOTAL)


# ----------------------------------------------------------------------------- notebooks
def _release_nb(root: Path):
    return nbformat.read(root / "modules" / "release" / "01_alpha" / NB_NAME, as_version=4)


def _gid(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _cell(notebook, grade_id: str):
    return next(c for c in notebook.cells if _gid(c) == grade_id)


def _solved(root: Path, double: str = "return 2 * x", area: str = "return side * side"):
    """The release notebook with the two stubs filled in (multi-line bodies at their indentation)."""
    notebook = _release_nb(root)
    cell = _cell(notebook, "alpha-double")
    assert DOUBLE_STUB in cell.source and AREA_STUB in cell.source
    cell.source = cell.source.replace(DOUBLE_STUB, double.replace("\n", "\n    "), 1)
    cell.source = cell.source.replace(AREA_STUB, area.replace("\n", "\n        "), 1)
    return notebook


def _attack(root: Path, code: str, double: str = "return 2 * x", area: str = "return side * side"):
    """A solved notebook with an extra, unlocked code cell (no nbgrader metadata) right after the
    solution cell, before every test cell."""
    notebook = _solved(root, double, area)
    at = notebook.cells.index(_cell(notebook, "alpha-double")) + 1
    notebook.cells.insert(at, new_code_cell(code.rstrip("\n") + "\n\nATTACK_RAN = True  # reached the end\n"))
    return notebook


def _submit(root: Path, student: str, notebook) -> Path:
    folder = root / "modules" / "submitted" / student / "01_alpha"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NB_NAME
    nbformat.write(notebook, path)
    return path


def _grade(a: Arena, notebook=None, student: str = "attacker", limits: Limits | None = None):
    if notebook is not None:
        _submit(a.root, student, notebook)
    outcome = autograde(a.root, a.module, [student], limits=limits)[0]
    assert outcome.status == "graded", outcome
    assert outcome.max_score == a.total
    return outcome


def _line_of(notebook, grade_id: str, text: str) -> tuple[int, int]:
    """(cell number as tito names it, 1-based line) of the first line holding `text`."""
    cell = _cell(notebook, grade_id)
    number = notebook.cells.index(cell) + 1
    line = next(i for i, l in enumerate(cell.source.splitlines(), 1) if text in l)
    return number, line


def _tampered(outcome, *grade_ids: str) -> None:
    for gid in grade_ids:
        assert any(r.startswith(f"{gid}: tampering detected: ") for r in outcome.reasons), (gid, outcome.reasons)


def _depths(tail: str) -> str:
    """A Python list literal of tail reached from the cwd through 0..6 levels of '..'."""
    return repr([("../" * n) + tail for n in range(0, 7)])


LEAK_DOUBLE = "return 2 * x if LEAKED else -1"
# area is right only when the attack cell ran to its end: a blocked escape scores exactly 10, an
# escape 15, and an attack that merely crashed 0 (so a broken attack cannot pass for a blocked one)
GATED_AREA = "return side * side if ATTACK_RAN else -1"


# ============================================================================= escaping the sandbox
def test_reading_the_instructors_solution_is_impossible(arena):
    course = arena.course()
    code = f"""
import os, sys
COURSE = {course!r}
NEEDLE = "### BEGIN " + "SOLUTION"  # only the instructor's source has it
LEAKED = False
FOUND = []
paths = [COURSE + "/modules/source/01_alpha/alpha_dev.py", COURSE + "/modules/source/01_alpha/alpha_dev.ipynb"]
paths += {_depths("source/01_alpha/alpha_dev.py")} + {_depths("modules/source/01_alpha/alpha_dev.py")}
paths += {_depths("source/01_alpha/alpha_dev.ipynb")}
for path in paths:
    try:
        with open(path, encoding="utf-8") as f:
            if NEEDLE in f.read():
                LEAKED = True
                FOUND.append(path)
    except OSError:
        pass
skip = ("/proc", "/sys", "/dev", "/usr", sys.prefix, sys.base_prefix)
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if not os.path.join(top, d).startswith(skip)]
    for name in files:
        if name.startswith("alpha_dev"):
            try:
                with open(os.path.join(top, name), encoding="utf-8", errors="replace") as f:
                    if NEEDLE in f.read():
                        LEAKED = True
                        FOUND.append(os.path.join(top, name))
            except OSError:
                pass
print("found", FOUND, "cwd", os.getcwd())
"""
    outcome = _grade(arena, _attack(arena.root, code, double=LEAK_DOUBLE, area=GATED_AREA))
    assert outcome.score == 10.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 10.0, "test-double": 0.0}
    arena.assert_untouched()


def test_importing_the_instructors_exported_package_is_impossible(arena):
    modules = discover_modules(arena.root)
    export_modules(arena.root, modules, modules)
    exported = arena.root / "tinytorch" / "core" / "alpha.py"
    assert "return 2 * x" in exported.read_text()  # the solution is there, on the host
    course = arena.course()
    code = f"""
import importlib, importlib.util, sys
COURSE = {course!r}
for name in [n for n in sys.modules if n == "tinytorch" or n.startswith("tinytorch.")]:
    del sys.modules[name]
sys.path.insert(0, COURSE)
importlib.invalidate_caches()
def _good(module):
    try:
        return module.double(3) == 6
    except Exception:
        return False
candidates = []
try:
    candidates.append(importlib.import_module("tinytorch.core.alpha"))
except Exception:
    pass
try:
    spec = importlib.util.spec_from_file_location("leaked_alpha", COURSE + "/tinytorch/core/alpha.py")
    leaked = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(leaked)
    candidates.append(leaked)
except Exception:
    pass
for module in candidates:
    if _good(module):
        double = module.double
"""
    outcome = _grade(arena, _attack(arena.root, code, double="raise NotImplementedError()", area=GATED_AREA))
    assert outcome.score == 10.0, outcome  # the stub still raises NotImplementedError
    assert _tests(arena.root, "attacker") == {"test-area": 10.0, "test-double": 0.0}
    arena.assert_untouched()


def test_the_gradebook_cannot_be_opened_with_sqlite(arena):
    course = arena.course()
    code = f"""
import sqlite3
COURSE = {course!r}
LEAKED = False
for path in [COURSE + "/modules/gradebook.db"] + {_depths("gradebook.db")} + {_depths("modules/gradebook.db")}:
    try:
        con = sqlite3.connect("file:" + path + "?mode=rw", uri=True)
        con.execute("UPDATE grade SET manual_score = 0, needs_manual_grade = 0")
        con.execute("UPDATE source_cell SET source = 'assert False'")
        con.commit()
        con.close()
        LEAKED = True
    except Exception:
        pass
"""
    outcome = _grade(arena, _attack(arena.root, code, double=LEAK_DOUBLE, area=GATED_AREA))
    assert outcome.score == 10.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 10.0, "test-double": 0.0}
    arena.assert_untouched(regrade_victim=True)  # the locked test sources in the gradebook are intact


def test_nbgrader_config_cannot_be_appended_to(arena):
    course = arena.course()
    code = f"""
import os
COURSE = {course!r}
LEAKED = False
for path in [COURSE + "/nbgrader_config.py"] + {_depths("nbgrader_config.py")}:
    try:  # only an existing file: no O_CREAT, or the scratch folder's own new file would count
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"\\nc.SandboxExecute.unsafe_no_sandbox = True\\n")
        os.close(fd)
        LEAKED = True
    except OSError:
        pass
"""
    outcome = _grade(arena, _attack(arena.root, code, double=LEAK_DOUBLE, area=GATED_AREA))
    assert outcome.score == 10.0, outcome
    assert nbg.config_problems(arena.root) == []
    arena.assert_untouched()


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_detached_daemon_dies_with_the_sandbox(arena):
    marker = f"tito-daemon-{uuid.uuid4().hex}"
    victim_nb = arena.root / "modules" / "submitted" / "victim" / "01_alpha" / NB_NAME
    targets = [str(victim_nb), str(arena.root / "modules" / "gradebook.db"), str(arena.root / "nbgrader_config.py")]
    daemon = f"""
import time
time.sleep(3)
for path in {targets!r}:
    try:
        with open(path, "w") as f:
            f.write("rewritten by a daemon")
    except OSError:
        pass
"""
    code = f"""
import os, signal, sys
VICTIM = {str(victim_nb)!r}
SEES_VICTIM = os.path.exists(VICTIM)
DAEMON = {daemon!r}
MARKER = {marker!r}
pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.closerange(3, 4096)
            os.execv(sys.executable, [sys.executable, "-c", DAEMON, MARKER])
    finally:
        os.kill(os.getpid(), signal.SIGKILL)
else:
    os.waitpid(pid, 0)
DAEMON_UP = False
import time
end = time.time() + 2
while not DAEMON_UP and time.time() < end:  # the daemon is running (it sleeps before acting)
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/" + entry + "/cmdline", "rb") as f:
                DAEMON_UP = DAEMON_UP or MARKER.encode() in f.read()
        except OSError:
            pass
    time.sleep(0.05)
if not DAEMON_UP:
    raise RuntimeError("the daemon did not start")
"""
    notebook = _attack(arena.root, code, double="return 2 * x if SEES_VICTIM else -1", area=GATED_AREA)
    outcome = _grade(arena, notebook)
    assert outcome.score == 10.0, outcome
    arena.assert_untouched(regrade_victim=True)
    time.sleep(5)  # the daemon would have woken up by now
    assert _processes_with(marker) == []
    arena.assert_untouched()


def test_sigkill_to_the_grader_kills_nothing_outside(arena):
    code = """
import os, signal
IN_PID_NAMESPACE = os.getpid() < 10  # the harness is pid 2 of its own namespace
for target in (os.getppid(), 1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
if IN_PID_NAMESPACE:  # never on a host: kill(-1) there would kill every process of this user
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
"""
    outcome = _grade(arena, _attack(arena.root, code, double="return 2 * x if IN_PID_NAMESPACE else -1"))
    assert outcome.score == 15.0, outcome  # the cell finished inside its namespace; every test passed
    assert outcome.reasons == []
    arena.assert_untouched(regrade_victim=True)
    assert _scores(arena.root) == {"attacker": 15.0, "victim": 15.0}


def test_a_shadowing_numpy_beside_the_notebook_is_not_imported(arena):
    folder = arena.root / "modules" / "submitted" / "attacker" / "01_alpha"
    folder.mkdir(parents=True)
    (folder / "numpy.py").write_text("EVIL = True\n")
    (folder / "numpy").mkdir()
    (folder / "numpy" / "__init__.py").write_text("EVIL = True\n")
    code = """
import importlib, os, sys
import numpy
LEAKED = hasattr(numpy, "EVIL")
for place in [os.getcwd(), sys.path[0]]:
    for name in ("numpy.py", "numpy"):
        if os.path.exists(os.path.join(place, name)):
            LEAKED = True
sys.path.insert(0, os.getcwd())
saved = {n: m for n, m in sys.modules.items() if n == "numpy" or n.startswith("numpy.")}
for n in saved:
    del sys.modules[n]
try:
    LEAKED = LEAKED or hasattr(importlib.import_module("numpy"), "EVIL")
except Exception:
    pass
finally:
    sys.modules.update(saved)
    sys.path.pop(0)
"""
    outcome = _grade(arena, _attack(arena.root, code, double=LEAK_DOUBLE, area=GATED_AREA))
    assert outcome.score == 10.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 10.0, "test-double": 0.0}
    arena.assert_untouched()


# ============================================================================= faking the tests
WRONG_DOUBLE = "return -1"


def test_an_ipython_input_transformer_is_tampering(arena):
    code = """
def strip_asserts(lines):
    return [line.replace("assert ", "pass  # ") for line in lines]

get_ipython().input_transformers_cleanup.append(strip_asserts)
"""
    outcome = _grade(arena, _attack(arena.root, code, double=WRONG_DOUBLE))
    assert outcome.score == 0.0, outcome
    _tampered(outcome, "test-double", "test-area")
    assert any("input_transformers_cleanup" in r for r in outcome.reasons)
    arena.assert_untouched()


def test_an_ipython_ast_transformer_is_tampering(arena):
    code = """
import ast

class DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.copy_location(ast.Pass(), node)

get_ipython().ast_transformers.append(DropAsserts())
"""
    outcome = _grade(arena, _attack(arena.root, code, double=WRONG_DOUBLE))
    assert outcome.score == 0.0, outcome
    _tampered(outcome, "test-double", "test-area")
    assert any("ast_transformers" in r for r in outcome.reasons)
    arena.assert_untouched()


@pytest.mark.parametrize("install", ["sys.settrace(skip_asserts)", "threading.settrace(skip_asserts)\n"
                                     "threading.Thread(target=lambda: None).start()"])
def test_a_tracer_that_jumps_over_asserts_is_tampering(arena, install):
    code = f"""
import linecache, sys, threading

def skip_asserts(frame, event, arg):
    if event == "line":
        text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        if text.startswith("assert"):
            try:
                frame.f_lineno = frame.f_lineno + 1
            except ValueError:
                pass
    return skip_asserts

try:
    {install.replace(chr(10), chr(10) + "    ")}
except Exception:
    pass
"""
    outcome = _grade(arena, _attack(arena.root, code, double=WRONG_DOUBLE))
    assert outcome.score == 0.0, outcome
    _tampered(outcome, "test-double", "test-area")
    assert any("settrace was called" in r for r in outcome.reasons), outcome.reasons
    arena.assert_untouched()


def test_a_custom_excepthook_gains_nothing(arena):
    # Replacing sys.excepthook is tampering (docs); the wrong double still loses its 5 points and
    # every later graded cell counts as tampered.
    code = """
import sys
sys.excepthook = lambda *args: None
"""
    outcome = _grade(arena, _attack(arena.root, code, double=WRONG_DOUBLE))
    assert outcome.score == 0.0, outcome
    _tampered(outcome, "test-double", "test-area")
    assert any("sys.excepthook was replaced" in r for r in outcome.reasons), outcome.reasons
    arena.assert_untouched()


def test_clearing_outputs_does_not_change_the_score(arena):
    double = """try:
    from IPython.display import clear_output
    clear_output()
except Exception:
    pass
print("\\x1b[2J\\x1b[H", end="")
return -1"""
    outcome = _grade(arena, _attack(arena.root, 'print("\\x1b[2J\\x1b[3J\\x1b[H", end="")', double=double))
    assert outcome.score == 10.0, outcome  # the wrong double loses its 5 points, nothing else
    assert outcome.reasons == []
    assert _tests(arena.root, "attacker") == {"test-area": 10.0, "test-double": 0.0}
    arena.assert_untouched()


PATCHES = {
    "numpy.allclose": "np.allclose = lambda *a, **k: True",
    "numpy.testing.assert_allclose": "np.testing.assert_allclose = lambda *a, **k: None",
    "builtins.abs": "import builtins\nbuiltins.abs = lambda value: 0",
    # lies only about a float being an int: the harness itself keeps working
    "builtins.isinstance": "import builtins\n_real = isinstance\nbuiltins.isinstance = "
                           "lambda obj, cls: True if cls is int and type(obj) is float else _real(obj, cls)",
}
SHADOWS = {
    # the same lies, as names in the notebook's own namespace: locked code uses the real builtins
    "global abs": "abs = lambda value: 0",
    "global isinstance": "isinstance = lambda *a: True",
}


@pytest.mark.parametrize("patch", list(PATCHES))
def test_monkeypatched_comparisons_are_tampering(variant, patch):
    # double is wrong everywhere (and returns a float): honestly it passes none of its tests
    outcome = _grade(variant, _attack(variant.root, PATCHES[patch], double="return 2.0 * x + 1"))
    assert outcome.score == 0.0, (patch, outcome)
    assert _tests(variant.root, "attacker") == dict.fromkeys(VARIANT_GRADES, 0.0)
    assert any("tampering detected" in r for r in outcome.reasons), outcome.reasons
    variant.assert_untouched()


@pytest.mark.parametrize("patch", list(SHADOWS))
def test_a_notebook_name_that_shadows_a_builtin_changes_no_grade(variant, patch):
    outcome = _grade(variant, _attack(variant.root, SHADOWS[patch], double="return 2.0 * x + 1"))
    assert outcome.score == 10.0, (patch, outcome)  # the honest score: only the area test passes
    assert _tests(variant.root, "attacker") == {**dict.fromkeys(VARIANT_GRADES, 0.0), "test-area": 10.0}
    assert outcome.reasons == []
    variant.assert_untouched()


HELPER_LIES = {
    "redefined helper": "gradcheck = lambda *a, **k: True",
    "rebound np": "class FakeNumpy:\n    def __getattr__(self, name):\n        return getattr(_np, name)\n"
                  "    def allclose(self, *a, **k):\n        return True\n\n_np = np\nnp = FakeNumpy()",
}


@pytest.mark.parametrize("lie", list(HELPER_LIES))
def test_lying_to_a_locked_helper_is_tampering(variant, lie):
    # the lie goes into a cell after the locked helper cell, before the tests that use it
    notebook = _solved(variant.root, double="return 2.0 * x + 1")
    at = notebook.cells.index(_cell(notebook, "alpha-helpers")) + 1
    notebook.cells.insert(at, new_code_cell(HELPER_LIES[lie]))
    outcome = _grade(variant, notebook)
    assert outcome.score == 0.0, (lie, outcome)
    assert _tests(variant.root, "attacker") == dict.fromkeys(VARIANT_GRADES, 0.0)
    _tampered(outcome, "test-double")
    variant.assert_untouched()


def test_an_always_equal_object_is_tampering(arena):
    code = """
class AlwaysEqual:
    __hash__ = object.__hash__
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return 0
    def __rsub__(self, other): return 0
    def __abs__(self): return 0
    def __bool__(self): return True
    def __float__(self): return 6.0
    def item(self): return 6
    def __repr__(self): return "6"
"""
    outcome = _grade(arena, _attack(arena.root, code, double="return AlwaysEqual()"))
    assert outcome.score == 10.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 10.0, "test-double": 0.0}
    _tampered(outcome, "test-double")
    assert not any(r.startswith("test-area") for r in outcome.reasons), outcome.reasons
    arena.assert_untouched()


def test_a_thread_that_replaces_test_functions_gains_nothing(arena):
    # Both functions are wrong: whether the thread wins the race (tampered) or not (failed), 0.
    code = """
import sys, threading, time
sys.setswitchinterval(1e-6)
G = globals()

def noop():
    return None

def hook():
    end = time.time() + 20
    while time.time() < end:
        for name in [k for k in list(G) if isinstance(k, str) and k.startswith("test_")]:
            if G.get(name) is not noop:
                G[name] = noop

threading.Thread(target=hook, daemon=True).start()
"""
    outcome = _grade(arena, _attack(arena.root, code, double=WRONG_DOUBLE, area="return -1"))
    assert outcome.score == 0.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 0.0, "test-double": 0.0}
    arena.assert_untouched()


def test_swapping_a_test_functions_code_from_inside_it_gains_nothing(arena):
    double = """import sys
frame = sys._getframe(1)
test = frame.f_globals.get(frame.f_code.co_name)
if test is not None:
    test.__code__ = (lambda: None).__code__
return -1"""
    outcome = _grade(arena, _solved(arena.root, double=double))
    assert outcome.score == 10.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 10.0, "test-double": 0.0}
    arena.assert_untouched()


def test_a_namespace_key_that_swaps_a_test_function_is_tampering(arena):
    # A key whose hash collides with 'test_area' runs code on every lookup of that name: once the
    # def has stored the real test, the next lookup (the call) puts a no-op in its place. A lookup
    # can compare with the key twice (the probe sequence may revisit a slot, depending on the hash
    # seed), so the attack checks what is stored rather than counting lookups.
    code = """
class Collide:
    busy = done = False
    def __hash__(self):
        return hash("test_area")
    def __eq__(self, other):
        if Collide.busy or Collide.done or type(other) is not str or other != "test_area":
            return False
        Collide.busy = True  # comparing str keys never calls back here
        if any(type(key) is str and key == "test_area" for key in list(globals())):
            Collide.done = True
            globals()["test_area"] = lambda: None
        Collide.busy = False
        return False

globals()[Collide()] = 1
"""
    outcome = _grade(arena, _attack(arena.root, code, area="return side + side"))
    assert outcome.score == 5.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 0.0, "test-double": 5.0}
    _tampered(outcome, "test-area")
    assert any("test_area did not run its own code" in r for r in outcome.reasons), outcome.reasons
    arena.assert_untouched()


# ============================================================================= honest work lost
@pytest.mark.parametrize("death, reason", [
    ("os._exit(0)", "test-area: the code called os._exit(0) at {where}; tests must not end the process"),
    ("os.abort()", "test-area: the process crashed (SIGABRT) while running {where}"),
])
def test_a_kernel_death_in_a_late_cell_costs_only_that_cell(arena, death, reason):
    notebook = _solved(arena.root, area=f"import os; {death}")
    cell, line = _line_of(notebook, "alpha-double", death)
    outcome = _grade(arena, notebook)
    assert outcome.score == 5.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 0.0, "test-double": 5.0}
    assert outcome.reasons == [reason.format(where=f"{NB_NAME}:cell {cell}:{line}")]
    arena.assert_untouched()


def test_an_ignored_timeout_costs_only_that_cell(arena):
    area = """while True:
    try:
        sum(range(1000))
    except BaseException:
        pass"""
    notebook = _solved(arena.root, area=area)
    cell, first = _line_of(notebook, "alpha-double", "while True:")
    outcome = _grade(arena, notebook, limits=Limits(cell_timeout=3))
    assert outcome.score == 5.0, outcome
    assert _tests(arena.root, "attacker") == {"test-area": 0.0, "test-double": 5.0}
    assert len(outcome.reasons) == 1, outcome.reasons
    prefix = f"test-area: timed out after 3s while running {NB_NAME}:cell {cell}:"
    assert outcome.reasons[0].startswith(prefix), outcome.reasons
    line = int(outcome.reasons[0][len(prefix):].split(" ", 1)[0])
    assert first <= line <= first + 4
    arena.assert_untouched()


@pytest.mark.parametrize("where, score", [("extra", 15.0), ("solution", 0.0)])
def test_a_timeout_in_a_non_graded_cell_is_recorded(arena, where, score):
    loop = "while True:\n    pass"
    if where == "extra":
        notebook = _attack(arena.root, loop)
    else:
        notebook = _solved(arena.root)
        _cell(notebook, "alpha-double").source += "\n\n" + loop + "\n"
    cells = [c for c in notebook.cells if c.cell_type == "code" and "while True:" in c.source]
    number = notebook.cells.index(cells[0]) + 1
    outcome = _grade(arena, notebook, limits=Limits(cell_timeout=3))
    # extra cell: the process is restarted after it, the tests still pass; solution cell: it never
    # finished, so its definitions are gone and both tests fail
    assert outcome.score == score, outcome
    assert any("timed out after 3s" in r and f"{NB_NAME}:cell {number}:" in r for r in outcome.reasons), \
        outcome.reasons
    record = _records(arena.root)["attacker"]
    assert any("timed out after 3s" in r for r in record["reasons"]), record
    arena.assert_untouched()


def test_deleting_a_test_cell_after_a_locked_helper_cell_keeps_full_marks(variant):
    notebook = _solved(variant.root)
    cells = notebook.cells
    helper = cells.index(_cell(notebook, "alpha-helpers"))
    assert _gid(cells[helper + 1]) == "test-double"  # the deleted cell directly follows the helper
    del cells[helper + 1]
    outcome = _grade(variant, notebook)
    assert outcome.score == VARIANT_TOTAL, outcome
    assert outcome.reasons == ["restored locked cell 'test-double' (deleted or renamed in the submission); "
                               "graded as released"]
    assert _tests(variant.root, "attacker")["test-double"] == 5.0
    variant.assert_untouched()


def test_renamed_grade_ids_keep_full_marks(variant):
    notebook = _solved(variant.root)
    _cell(notebook, "test-double").metadata["nbgrader"]["grade_id"] = "my-double"
    _cell(notebook, "test-area").metadata["nbgrader"]["grade_id"] = "my-area"
    outcome = _grade(variant, notebook)
    assert outcome.score == VARIANT_TOTAL, outcome
    assert sorted(outcome.reasons) == sorted([
        "cell 'my-double' is not in the release (renamed?); it ran as ordinary code",
        "cell 'my-area' is not in the release (renamed?); it ran as ordinary code",
        "restored locked cell 'test-double' (deleted or renamed in the submission); graded as released",
        "restored locked cell 'test-area' (deleted or renamed in the submission); graded as released"])
    assert _tests(variant.root, "attacker") == {g: s for g, s in zip(VARIANT_GRADES, [2.0, 10.0, 2.0, 5.0, 2.0, 1.0])}
    variant.assert_untouched()


# ============================================================================= bad ids
def test_bad_student_ids_are_per_student_errors(arena, tmp_path):
    autograded = arena.root / "modules" / "autograded" / "victim"
    before = {p.relative_to(autograded).as_posix(): p.read_bytes() for p in autograded.rglob("*") if p.is_file()}

    inbox = tmp_path / "inbox"
    for name in ("victim-glo[b]", "ev il"):
        (inbox / name / "01_alpha").mkdir(parents=True)
        nbformat.write(_solved(arena.root), inbox / name / "01_alpha" / NB_NAME)
    collected = dict(collect(arena.root, arena.module, inbox))
    assert collected["ev il"] == "collected 1 file(s)"
    assert collected["victim-glo[b]"].startswith("skipped: student id 'victim-glo[b]' contains '[', ']'")
    assert not (arena.root / "modules" / "submitted" / "victim-glo[b]").exists()

    # a folder with a bad name put there by hand is refused by autograde too
    _submit(arena.root, "victim-glo[b]", _solved(arena.root))
    outcomes = {o.student: o for o in autograde(arena.root, arena.module,
                                                 ["../submitted/victim", "victim-glo[b]", "ev il"])}
    for bad in ("../submitted/victim", "victim-glo[b]"):
        assert outcomes[bad].status == "error", outcomes[bad]
        assert repr(bad) in outcomes[bad].message, outcomes[bad]
    assert (outcomes["ev il"].status, outcomes["ev il"].score) == ("graded", 15.0)
    assert _scores(arena.root) == {"ev il": 15.0, "victim": 15.0}
    after = {p.relative_to(autograded).as_posix(): p.read_bytes() for p in autograded.rglob("*") if p.is_file()}
    assert after == before  # the victim was not regraded
    arena.assert_untouched()


def test_a_symlink_in_a_submission_is_refused(arena):
    path = _submit(arena.root, "attacker", _solved(arena.root))
    (path.parent / "grades.db").symlink_to(arena.root / "modules" / "gradebook.db")
    outcome = autograde(arena.root, arena.module, ["attacker"])[0]
    assert outcome.status == "error", outcome
    assert "modules/submitted/attacker/01_alpha/grades.db is a symbolic link" in outcome.message
    assert "attacker" not in _scores(arena.root)
    arena.assert_untouched()
