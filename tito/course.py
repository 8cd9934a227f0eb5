"""Where the course lives and which modules it has: the one place that resolves module names.

A course root is a directory with `modules/source/NN_name/` folders, each holding
`name_dev.py` (or the student's paired `name_dev.ipynb`) and a `module.yaml`.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tito.errors import TitoError

MODULE_DIR_RE = re.compile(r"^(\d{2})_([a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class Module:
    number: str  # "07"
    name: str  # "autograd"
    path: Path  # .../modules/source/07_autograd
    title: str
    prerequisites: tuple[str, ...] = ()
    exports_to: str | None = None  # "tinytorch.core.autograd"
    files: tuple[str, ...] = ()  # files beside the notebook that its code reads (module.yaml `files:`)
    cell_timeout: float | None = None  # seconds a cell may run (module.yaml `cell_timeout:`)
    config_errors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def dirname(self) -> str:
        return self.path.name

    @property
    def py_path(self) -> Path:
        return self.path / f"{self.name}_dev.py"

    @property
    def ipynb_path(self) -> Path:
        return self.path / f"{self.name}_dev.ipynb"

    @property
    def yaml_path(self) -> Path:
        return self.path / "module.yaml"


def find_root(start: Path | None = None) -> Path:
    """The course root: $TITO_ROOT, else the nearest ancestor of `start` with modules/source."""
    env = os.environ.get("TITO_ROOT")
    if env:
        root = Path(env).resolve()
        if not (root / "modules" / "source").is_dir():
            raise TitoError(f"TITO_ROOT={env} has no modules/source directory.",
                            "Point TITO_ROOT at a TinyTorch course checkout, or unset it.")
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "modules" / "source").is_dir():
            return candidate
    raise TitoError(f"No TinyTorch course found at or above {here}.",
                    "Run tito inside the course repository (the folder with modules/source/).")


def _read_module_yaml(path: Path) -> tuple[dict, list[str]]:
    if not path.exists():
        return {}, [f"{path}: missing module.yaml (name, title, prerequisites, exports_to)"]
    import yaml  # small and only needed here

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        return {}, [f"{path}{line}: module.yaml is not valid YAML: {getattr(exc, 'problem', exc)}"]
    if not isinstance(data, dict):
        return {}, [f"{path}:1: module.yaml must be a mapping of keys to values"]
    return data, []


def is_workspace(root: Path) -> bool:
    """A student workspace (from `tito release`), not the instructor's course, which alone has
    nbgrader_config.py."""
    return not (root / "nbgrader_config.py").exists()


def student_env(root: Path, base: dict | None = None) -> dict:
    """Environment for processes that run student code: this course's `tinytorch` (and tito)
    come first on PYTHONPATH, and plots never try to open a window."""
    env = dict(os.environ if base is None else base)
    tito_parent = str(Path(__file__).resolve().parent.parent)
    paths = [str(root), tito_parent] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env.setdefault("MPLBACKEND", "Agg")
    # One BLAS thread: on a small shared machine, threaded BLAS waiting for a busy core turns
    # a 1 s training run into 20 s. Set these yourself to choose otherwise.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


def load_module(path: Path) -> Module:
    match = MODULE_DIR_RE.match(path.name)
    if not match:
        raise TitoError(f"{path} is not a module directory (expected NN_name, e.g. 07_autograd).")
    number, name = match.groups()
    data, errors = _read_module_yaml(path / "module.yaml")
    if data.get("name", name) != name:
        errors.append(f"{path / 'module.yaml'}: name '{data.get('name')}' does not match the directory '{path.name}'")
    prereqs = data.get("prerequisites") or []
    if not isinstance(prereqs, list):
        errors.append(f"{path / 'module.yaml'}: prerequisites must be a list of module names")
        prereqs = []
    files = data.get("files") or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        errors.append(f"{path / 'module.yaml'}: files must be a list of file names")
        files = []
    for name in files:
        if name.startswith(("/", "\\")) or ".." in Path(name).parts:
            errors.append(f"{path / 'module.yaml'}: file '{name}' must be a path inside the module folder")
    cell_timeout = data.get("cell_timeout")
    if cell_timeout is not None and (isinstance(cell_timeout, bool) or not isinstance(cell_timeout, (int, float))
                                     or cell_timeout <= 0):
        errors.append(f"{path / 'module.yaml'}: cell_timeout must be a number of seconds, got {cell_timeout!r}")
        cell_timeout = None
    return Module(
        number=number,
        name=name,
        path=path,
        title=str(data.get("title") or name.replace("_", " ").title()),
        prerequisites=tuple(str(p) for p in prereqs),
        exports_to=data.get("exports_to"),
        files=tuple(f for f in files if not f.startswith(("/", "\\")) and ".." not in Path(f).parts),
        cell_timeout=float(cell_timeout) if cell_timeout is not None else None,
        config_errors=tuple(errors),
    )


def discover_modules(root: Path) -> list[Module]:
    """Every module under root/modules/source, in course order (by number)."""
    source = root / "modules" / "source"
    dirs = sorted(p for p in source.iterdir() if p.is_dir() and MODULE_DIR_RE.match(p.name))
    return [load_module(p) for p in dirs]


def resolve_module(modules: list[Module], ref: str) -> Module:
    """Find a module by short name (`autograd`), number (`07`, `7`) or directory (`07_autograd`, a path)."""
    key = ref.strip().rstrip("/\\")
    key = Path(key).name if ("/" in key or "\\" in key) else key
    for module in modules:
        if key in (module.name, module.dirname, module.number) or (key.isdigit() and int(key) == int(module.number)):
            return module
    names = [m.dirname for m in modules]
    close = difflib.get_close_matches(key, [m.name for m in modules] + names, n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    raise TitoError(
        f"Unknown module '{ref}'.",
        f"{hint}Valid modules: {', '.join(names)} (a short name like 'autograd' or a number like '07' works too).",
    )


def select_modules(modules: list[Module], refs: list[str] | None, all_: bool) -> list[Module]:
    """The modules a command should act on, in course order; an error if none were named."""
    if all_:
        return list(modules)
    if not refs:
        raise TitoError("Name at least one module, or pass --all.",
                        f"Modules: {', '.join(m.dirname for m in modules)}")
    chosen = {resolve_module(modules, ref).dirname for ref in refs}
    return [m for m in modules if m.dirname in chosen]


def dependency_order(modules: list[Module], all_modules: list[Module]) -> list[Module]:
    """`modules` sorted so every module comes after its prerequisites (course order breaks ties)."""
    by_name = {m.name: m for m in all_modules}
    order: list[Module] = []
    state: dict[str, str] = {}

    def visit(module: Module, chain: tuple[str, ...]) -> None:
        if state.get(module.name) == "done":
            return
        if state.get(module.name) == "active":
            cycle = " -> ".join(chain + (module.name,))
            raise TitoError(f"Module prerequisites form a cycle: {cycle}.",
                            "Fix the prerequisites in the module.yaml files.")
        state[module.name] = "active"
        for pre in module.prerequisites:
            if pre not in by_name:
                raise TitoError(f"{module.yaml_path}: prerequisite '{pre}' is not a module.",
                                f"Valid modules: {', '.join(by_name)}")
            visit(by_name[pre], chain + (module.name,))
        state[module.name] = "done"
        order.append(module)

    for module in sorted(all_modules, key=lambda m: m.number):
        visit(module, ())
    wanted = {m.name for m in modules}
    return [m for m in order if m.name in wanted]


def module_files(module: Module, folder: Path | None = None) -> dict[str, bytes]:
    """The files a module names in module.yaml, read from `folder` (default: the module's own);
    nothing else beside a notebook is ever handed to the code that runs it."""
    folder = folder or module.path
    found = {}
    for name in module.files:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            found[name] = path.read_bytes()
    return found
