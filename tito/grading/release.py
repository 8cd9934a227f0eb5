"""`tito release --out DIR`: a student workspace with no solution in it.

DIR gets tito, the pyproject, a student README, each module as its stripped py:percent
source plus the paired release notebook (both from nbgrader's release), and a `tinytorch/`
package exported from those stripped sources, so every stub says "not implemented yet"
until the student's own export replaces it. Before returning, every file in DIR is searched
for every line of every solution and hidden test.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tito.course import Module, discover_modules
from tito.errors import TitoError
from tito.grading.nbg import CoursePaths
from tito.grading.notebooks import py_from_notebook
from tito.grading.release_checks import public_lines, secret_lines
from tito.source import read_cells

STUDENT_README = """\
# TinyTorch — your workspace

You will build a deep-learning library on numpy, one module at a time. Each module is in
`modules/source/NN_name/`: work in `name_dev.ipynb` (Jupyter) or `name_dev.py` (any editor).

## Set up once

```bash
python3 -m venv .venv && .venv/bin/pip install -e .
source .venv/bin/activate
```

## The loop, for every module

```bash
tito module test tensor      # run the module's graded tests: what is still missing?
# ... fill in the code between the TODO markers ...
tito export tensor           # copy your code into the tinytorch package
tito module test tensor      # all green? move on to the next module
tito submit tensor           # writes submit/01_tensor.ipynb: hand that file in
```

`name_dev.py` and `name_dev.ipynb` are a jupytext pair: Jupyter (with jupytext, installed
here) saves both whenever you save, and shows your newer `.py` when the notebook opens. If you
edit one outside Jupyter, tito uses the one with your work and says so; `tito sync tensor`
makes them equal again. `tito submit` prints the points the autograder will give.

`tito status` shows where you are; `tito --help` lists everything else. Later modules
import your earlier ones (`from tinytorch.core.tensor import Tensor`), so export each
module when its tests pass.
"""

STUDENT_GITIGNORE = ".venv/\n__pycache__/\n*.pyc\n*.egg-info/\n.tito/\n.ipynb_checkpoints/\n"


@dataclass
class ReleaseResult:
    out: Path
    modules: list[str] = field(default_factory=list)
    files: int = 0
    backups: list[str] = field(default_factory=list)


def _tito_files(root: Path) -> dict[str, bytes]:
    tito_dir = Path(__file__).resolve().parent.parent
    return {f"tito/{p.relative_to(tito_dir).as_posix()}": p.read_bytes()
            for p in sorted(tito_dir.rglob("*.py")) if "__pycache__" not in p.parts}


def workspace_files(root: Path, modules: list[Module]) -> dict[str, bytes]:
    """Every file of the student workspace except the exported package, by relative path."""
    files = {"README.md": STUDENT_README.encode(), ".gitignore": STUDENT_GITIGNORE.encode(),
             "pyproject.toml": (root / "pyproject.toml").read_bytes(),
             "tinytorch/__init__.py": (root / "tinytorch" / "__init__.py").read_bytes(),
             "tinytorch/core/__init__.py": (root / "tinytorch" / "core" / "__init__.py").read_bytes()}
    for data in sorted((root / "tinytorch" / "datasets").glob("*")):  # shipped data (e.g. digits), not code
        files[f"tinytorch/datasets/{data.name}"] = data.read_bytes()
    files.update(_tito_files(root))
    import nbformat

    for module in modules:
        release_nb = CoursePaths(root).release / module.dirname / module.ipynb_path.name
        if not release_nb.exists():
            raise TitoError(f"{module.dirname} has no release notebook.",
                            f"Run `tito nbgrader generate {module.name}` (or --all) first.")
        base = f"modules/source/{module.dirname}"
        nb = nbformat.read(release_nb, as_version=4)
        files[f"{base}/{module.ipynb_path.name}"] = release_nb.read_bytes()
        # the release as handed out, so `tito module test` runs the locked tests as released
        files[f"modules/release/{module.dirname}/{module.ipynb_path.name}"] = release_nb.read_bytes()
        files[f"{base}/{module.py_path.name}"] = py_from_notebook(nb, drop_release_keys=True).encode()
        for extra in ("module.yaml", "README.md"):
            if (module.path / extra).exists():
                files[f"{base}/{extra}"] = (module.path / extra).read_bytes()
    return files


def _export_stripped(files: dict[str, bytes]) -> dict[str, bytes]:
    """Export the stripped sources exactly as a student's `tito export --all` would."""
    from tito.export import export_modules

    with tempfile.TemporaryDirectory(prefix="tito-release-") as tmp:
        scratch = Path(tmp)
        for rel, data in files.items():
            if rel.startswith(("modules/", "tinytorch/")) and rel.endswith((".py", ".yaml", ".md")):
                (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                (scratch / rel).write_bytes(data)
        modules = discover_modules(scratch)
        export_modules(scratch, modules, modules)
        return {p.relative_to(scratch).as_posix(): p.read_bytes()
                for p in sorted((scratch / "tinytorch").rglob("*.py")) if f"tinytorch/{p.name}" not in files}


def course_secrets(root: Path, shown_anyway: set[str] = frozenset()) -> set[str]:
    """Distinctive solution and hidden-test lines of every module. A line that students see
    anyway, outside every solution (in some module, or in tito's own code), is not a secret."""
    sources = [read_cells(m.py_path) for m in discover_modules(root)]
    shown = set(shown_anyway).union(*(public_lines(cells) for cells in sources))
    return set().union(*(secret_lines(cells, shown) for cells in sources))


def find_leaks(out: Path, paths: list[str], secrets: set[str]) -> list[str]:
    """Lines of `secrets` found in the files `paths` (relative to out), notebooks decoded."""
    leaks = []
    for rel in sorted(paths):
        if rel.endswith(".npz"):
            continue  # binary data
        text = (out / rel).read_text(encoding="utf-8", errors="replace")
        lines = {line.strip() for line in text.splitlines()}
        if rel.endswith(".ipynb"):  # notebooks keep source lines as JSON strings
            for cell in json.loads(text).get("cells", []):
                src = cell.get("source", "")
                lines |= {l.strip() for l in ("".join(src) if isinstance(src, list) else src).splitlines()}
        leaks += [f"{rel}: {line!r}" for line in sorted(lines & secrets)]
    return leaks


def check_out_dir(root: Path, out: Path) -> Path:
    """The workspace folder, resolved; it may not be (inside) the course itself."""
    out = out.resolve()
    if out == root.resolve() or root.resolve() in out.parents:
        raise TitoError(f"--out {out} is inside the course repository.",
                        "Write the student workspace somewhere else, e.g. ../tinytorch-student.")
    return out


def release_workspace(root: Path, out: Path, modules: list[Module], force: bool = False) -> ReleaseResult:
    files = workspace_files(root, modules)
    files.update(_export_stripped(files))
    out = check_out_dir(root, out)
    conflicts = [rel for rel, data in files.items() if (out / rel).exists() and (out / rel).read_bytes() != data]
    if conflicts and not force:
        shown = ", ".join(conflicts[:5]) + (f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else "")
        raise TitoError(f"{out} already has different versions of {len(conflicts)} file(s): {shown}. "
                        "They may be a student's work.",
                        "Choose an empty --out, or rerun with --force to back those files up and replace them.")
    result = ReleaseResult(out, [m.dirname for m in modules])
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for rel in conflicts:  # into .tito/backups/, never beside the student's files
        backup = out / ".tito" / "backups" / stamp / rel
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(out / rel, backup)
        result.backups.append(str(backup.relative_to(out)))
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    result.files = len(files)
    tooling = {line.strip() for rel, data in files.items() if rel.startswith("tito/")
               for line in data.decode("utf-8").splitlines()}
    secrets = course_secrets(root, tooling)
    leaks = find_leaks(out, list(files), secrets)
    if leaks:
        raise TitoError(f"{len(leaks)} solution line(s) reached the student workspace {out}:\n  "
                        + "\n  ".join(leaks[:20]), "Do not hand this folder out; fix the module sources.")
    return result
