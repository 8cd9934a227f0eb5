"""`tito system doctor`: versions and paths, read from package metadata without importing anything heavy."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tito.errors import TitoError

FIX = "make install  (or: python -m pip install -e '.[dev]')"
REQUIRED = ("numpy", "typer", "rich", "pyyaml", "jupytext", "nbgrader")
OPTIONAL = ("pytest", "matplotlib", "torch")


@dataclass
class Check:
    name: str
    found: str
    ok: bool
    fix: str = ""


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def diagnose() -> list[Check]:
    checks = [Check("python", f"{sys.version.split()[0]} ({sys.executable})", sys.version_info >= (3, 10),
                    "TinyTorch needs Python 3.10 or newer")]
    for dist in REQUIRED:
        version = _version(dist)
        checks.append(Check(dist, version or "not installed", version is not None, FIX))
    for dist in OPTIONAL:
        version = _version(dist)
        # Optional tools are reported but never fail the check.
        checks.append(Check(f"{dist} (optional)", version or "not installed", True))
    try:
        from tito.course import find_root

        root = find_root()
        checks.append(Check("course root", str(root), True))
        pkg = root / "tinytorch"
        checks.append(Check("tinytorch package", str(pkg), (pkg / "__init__.py").exists(),
                            "run `tito export --all` inside the course"))
    except TitoError as exc:
        checks.append(Check("course root", exc.message, False, "cd into the course repository"))
    checks.append(Check("environment", sys.prefix, True))
    checks.append(Check("tito", str(Path(__file__).resolve().parent), True))
    return checks
