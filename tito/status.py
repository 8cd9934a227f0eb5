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


def module_status(root: Path, modules: list[Module]) -> list[tuple[str, ...]]:
    state = load_state(root)
    rows = []
    for module in modules:
        dotted, exported = export_state(root, module)
        dotted = dotted.removeprefix("tinytorch.")  # every target is in tinytorch: keep the table narrow
        last = state.get(module.dirname)
        if last:
            rows.append((module.dirname, dotted, exported, f"{last['status']} ({last['passed']}/{last['total']})",
                         f"{last['points']:g}/{last['max_points']:g}", last["when"][5:16]))
        else:
            rows.append((module.dirname, dotted, exported, "never run", "-", "-"))
    return rows
