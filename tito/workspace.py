"""The student's side of a module's pair: `tito sync` makes the two files equal, `tito submit`
writes the notebook to hand in and says what it will score.

Which side holds the work is decided in one place, tito/source.py `load_source`.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tito.course import Module
from tito.errors import TitoError
from tito.source import load_source


def backup(root: Path, path: Path) -> Path:
    """A copy of `path` in .tito/backups/, never beside the student's files."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = root / ".tito" / "backups" / stamp / path.relative_to(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target


def notebook_text(src) -> str:
    """The notebook of a module source: the .ipynb as it is, or the .py converted by jupytext
    (paired, with stable cell ids)."""
    import nbformat

    from tito.grading.notebooks import PAIRING, notebook_from_py

    if src.path.suffix == ".ipynb":
        nb = nbformat.read(src.path, as_version=4)
        nb.metadata.setdefault("jupytext", dict(PAIRING))
    else:
        nb = notebook_from_py(src.path.read_text(encoding="utf-8"))
    return nbformat.writes(nb) + "\n"


def sync_pair(root: Path, module: Module) -> str:
    """Make name_dev.py and name_dev.ipynb equal, from the side that holds the work."""
    from tito.grading.notebooks import py_from_notebook

    src = load_source(module)
    if src.note is None and module.py_path.exists() and module.ipynb_path.exists():
        return f"{module.dirname}: {module.py_path.name} and {module.ipynb_path.name} are already in sync"
    if src.path == module.py_path:
        target, text = module.ipynb_path, notebook_text(src)
    else:
        import nbformat

        target = module.py_path
        text = py_from_notebook(nbformat.read(src.path, as_version=4), drop_release_keys=True)
    kept = backup(root, target) if target.exists() else None
    target.write_text(text, encoding="utf-8")
    saved = f" (the old one is in {kept.relative_to(root)})" if kept else ""
    return f"{module.dirname}: {target.name} now matches {src.path.name}{saved}"


@dataclass
class Submission:
    path: Path
    source: Path
    result: object  # the ModuleResult of running the handed-in notebook as the autograder will
    note: str | None


def submit_module(root: Path, module: Module, cell_timeout: float | None = None) -> Submission:
    """Write submit/NN_name.ipynb from the side of the pair with the work, check it is a valid
    notebook, and run its tests once, as graded, for the points to expect."""
    import nbformat

    from tito.runner import run_source_tests
    from tito.source import ModuleSource, parse_notebook

    src = load_source(module)
    text = notebook_text(src)
    try:
        nbformat.validate(nbformat.reads(text, as_version=4))
    except Exception as exc:  # nbformat raises several validation error types
        raise TitoError(f"{src.path} does not make a valid notebook: {str(exc).splitlines()[0]}",
                        "Fix the file (or `tito sync` from the other side), then submit again.") from None
    out = root / "submit" / f"{module.dirname}.ipynb"
    out.parent.mkdir(exist_ok=True)
    if out.exists() and out.read_text(encoding="utf-8") != text:
        backup(root, out)
    out.write_text(text, encoding="utf-8")
    handed_in = ModuleSource(module, out, parse_notebook(text, out))
    result = run_source_tests(root, handed_in, cell_timeout=cell_timeout)
    return Submission(out, src.path, result, src.note)
