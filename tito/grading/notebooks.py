"""`tito notebooks`: py:percent sources <-> notebooks, with jupytext.

A source notebook is written next to its `name_dev.py` (nbgrader reads it from
`modules/source/NN_name/`). The notebook must round-trip: jupytext writes it back as
exactly the same .py, so nothing in the source is lost or silently reinterpreted.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from tito.course import Module
from tito.errors import TitoError
from tito.source import parse_notebook, parse_percent

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
# jupytext pairs each notebook with its py:percent source: Jupyter (with jupytext, a dependency)
# then saves both on every save, and shows the .py's newer content when the notebook opens.
# The filter keeps the .py free of a metadata header, so it stays the course's own format.
PAIRING = {"formats": "ipynb,py:percent", "notebook_metadata_filter": "-all"}
CELL_ID_RE = re.compile(r"[^a-zA-Z0-9_-]")
# Keys nbgrader adds to cell metadata in a release that the student's .py does not need.
RELEASE_ONLY_NBGRADER_KEYS = ("checksum", "cell_type")


def _jupytext():
    from tito.grading.nbg import _fast_imports

    _fast_imports()
    import jupytext

    return jupytext


def stable_cell_ids(nb) -> None:
    """Cell ids from the cells themselves (their grade id, else their place), not random: the
    same source always makes byte-identical notebooks, so a re-run changes nothing."""
    used = set()
    for index, cell in enumerate(nb.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        ident = CELL_ID_RE.sub("-", grade_id)[:60] if grade_id else f"cell-{index}"
        while ident in used:
            ident = f"{ident[:56]}-{index}"
        used.add(ident)
        cell["id"] = ident


def notebook_from_py(text: str):
    jupytext = _jupytext()
    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["jupytext"] = dict(PAIRING)
    stable_cell_ids(nb)
    return nb


def py_from_notebook(nb, drop_release_keys: bool = False) -> str:
    jupytext = _jupytext()
    if drop_release_keys:
        nb = json.loads(json.dumps(nb))  # a copy; the caller's notebook is left as it is
        import nbformat

        nb = nbformat.from_dict(nb)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if isinstance(meta, dict):
                for key in RELEASE_ONLY_NBGRADER_KEYS:
                    meta.pop(key, None)
    return jupytext.writes(nb, fmt="py:percent")


def _same_code(py_text: str, nb_path: Path) -> bool:
    code = lambda cells: [c.source.strip() for c in cells if c.kind == "code"]  # noqa: E731
    return code(parse_percent(py_text, nb_path)) == code(parse_notebook(nb_path.read_text(encoding="utf-8"), nb_path))


def write_source_notebook(module: Module, force: bool = False) -> tuple[Path, str]:
    """Write `name_dev.ipynb` from `name_dev.py`; returns (path, 'written' | 'unchanged' | backup note).

    A notebook that is newer than the .py and has different code holds work the .py does
    not have: it is kept unless `force`, and then backed up first.
    """
    py, ipynb = module.py_path, module.ipynb_path
    if not py.exists():
        raise TitoError(f"{module.dirname}: {py} does not exist, so there is nothing to convert.")
    text = py.read_text(encoding="utf-8")
    nb = notebook_from_py(text)
    if py_from_notebook(nb) != text:
        raise TitoError(f"{py}: jupytext does not write this notebook back as the same .py, so a round trip "
                        "would change the source.", f"Run `tito module check {module.name}` and fix what it reports.")
    import nbformat

    new_text = nbformat.writes(nb) + "\n"
    state = "written"
    if ipynb.exists():
        try:
            old_text = ipynb.read_text(encoding="utf-8")
            edited = ipynb.stat().st_mtime > py.stat().st_mtime and not _same_code(text, ipynb)
        except (TitoError, UnicodeDecodeError):
            old_text, edited = None, True
        if old_text == new_text:
            return ipynb, "unchanged"
        if edited:
            if not force:
                raise TitoError(f"{ipynb} is newer than {py.name} and has different code; overwriting it would "
                                "lose that work.",
                                f"Copy the changes into {py.name}, or rerun with --force (the notebook is backed up).")
            backup = ipynb.with_name(f"{ipynb.stem}.backup-{time.strftime('%Y%m%d-%H%M%S')}.ipynb")
            ipynb.rename(backup)
            state = f"written (old notebook kept as {backup.name})"
    ipynb.write_text(new_text, encoding="utf-8")
    return ipynb, state
