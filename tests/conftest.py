"""Shared fixtures: tiny throwaway courses for testing tito without the real modules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def nb(grade=False, grade_id="cell", locked=False, solution=False, points=None) -> str:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return "# %% nbgrader=" + json.dumps(dict(sorted(meta.items())))


ALPHA = f"""\
# %% [markdown]
# # Alpha
#
# A tiny module for tito's own tests.

{nb(grade_id="alpha-imports", locked=True)}
#| default_exp core.alpha
#| export
import math

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


_private = 1
ANSWER = 42

{nb(grade=True, grade_id="test-double", locked=True, points=5)}
def test_double():
    assert double(3) == 6, f"double(3) should be 6, got {{double(3)}}"

test_double()

{nb(grade=True, grade_id="test-area", locked=True, points=10)}
def test_area():
    assert Box().area(3) == 9, "a 3x3 box has area 9"

test_area()

{nb(grade_id="module-tests", locked=True)}
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("Alpha")
"""

BETA = f"""\
{nb(grade_id="beta-imports", locked=True)}
#| default_exp core.beta
#| export
from tinytorch.core.alpha import double

{nb(grade_id="beta-quad", solution=True)}
#| export
def quadruple(x):
    ### BEGIN SOLUTION
    return double(double(x))
    ### END SOLUTION

{nb(grade=True, grade_id="test-quad", locked=True, points=7)}
def test_quadruple():
    assert quadruple(2) == 8

test_quadruple()
"""


def write_module(root: Path, dirname: str, source: str, prerequisites=(), exports_to=None, title=None):
    number, name = dirname.split("_", 1)
    path = root / "modules" / "source" / dirname
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}_dev.py").write_text(source, encoding="utf-8")
    yaml = [f"name: {name}", f"title: {title or name.title()}", f"prerequisites: [{', '.join(prerequisites)}]",
            f"exports_to: {exports_to or 'tinytorch.core.' + name}"]
    (path / "module.yaml").write_text("\n".join(yaml) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course with two modules: 01_alpha and 02_beta (which imports alpha's export)."""
    root = tmp_path / "course"
    write_module(root, "01_alpha", ALPHA)
    write_module(root, "02_beta", BETA, prerequisites=["alpha"])
    (root / "tinytorch" / "core").mkdir(parents=True)
    (root / "tinytorch" / "__init__.py").write_text("", encoding="utf-8")
    (root / "tinytorch" / "core" / "__init__.py").write_text("", encoding="utf-8")
    return root


def run_tito(*args: str, cwd: Path, timeout: float = 120, columns: int = 200) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS=str(columns), TERM="dumb")
    env.pop("TITO_ROOT", None)
    return subprocess.run([sys.executable, "-m", "tito", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def tito_ok(proc, *expected: str) -> str:
    """Assert a tito run exited 0, printed each of `expected` and no traceback; return its output."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"tito exited {proc.returncode}:\n{out}"
    for text in expected:
        assert text in out, f"expected {text!r} in the output:\n{out}"
    assert "Traceback" not in out, out
    return out


def copy_course(dest: Path, samples: bool = False) -> None:
    """The course as an instructor has it: sources, config and the reference package."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("nbgrader_config.py", "pyproject.toml"):
        shutil.copy2(REPO / name, dest / name)

    def only_sources(folder, names):
        keep = lambda n: (Path(folder, n).is_dir() and n != "__pycache__" and not n.startswith(".")) \
            or n.endswith(".py") or n in ("module.yaml", "README.md")  # noqa: E731
        return [n for n in names if not keep(n)]

    shutil.copytree(REPO / "modules" / "source", dest / "modules" / "source", ignore=only_sources)
    shutil.copytree(REPO / "tinytorch", dest / "tinytorch", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if samples:
        shutil.copytree(REPO / "examples" / "submissions", dest / "examples" / "submissions")


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
