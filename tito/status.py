"""`tito status`: what is exported and how each module last tested."""

from __future__ import annotations

from pathlib import Path

from tito.course import Module
from tito.errors import TitoError
from tito.export import export_target, render_export, target_path
from tito.source import load_source
from tito.state import load_state


def export_state(root: Path, module: Module) -> tuple[str, str]:
    """(dotted target, 'up to date' | 'stale' | 'not exported' | an error)."""
    try:
        src = load_source(module)
        dotted = export_target(src)
        text, _ = render_export(src, root)
    except TitoError as exc:
        return module.exports_to or "?", f"error: {exc.message}"
    path = target_path(root, dotted)
    if not path.exists():
        return dotted, "not exported"
    return dotted, "up to date" if path.read_text(encoding="utf-8") == text else "stale (run tito export)"


SHORT_EXPORT = {"up to date": "ok", "stale (run tito export)": "stale", "not exported": "no"}
COLUMNS = ("Module", "Export", "Result", "Tests", "Points", "Last run")


def module_status(root: Path, modules: list[Module]) -> list[tuple[str, ...]]:
    """One short row per module (COLUMNS), narrow enough for 17+ modules in 80 columns."""
    state = load_state(root)
    rows = []
    for module in modules:
        _, exported = export_state(root, module)
        exported = SHORT_EXPORT.get(exported, "error")
        last = state.get(module.dirname)
        if last:
            rows.append((module.dirname, exported, last["status"], f"{last['passed']}/{last['total']}",
                         f"{last['points']:g}/{last['max_points']:g}", last["when"][5:16]))
        else:
            rows.append((module.dirname, exported, "-", "-", "-", "never"))
    return rows
