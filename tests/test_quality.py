"""tito module deps / mutants: the measurements of whether graded tests mean something."""

from __future__ import annotations

import json

import pytest

from tito.course import discover_modules
from tito.errors import TitoError
from tito.quality import all_mutants, dependencies, kill_rates, mutants, solution_regions
from tito.source import load_source

from conftest import nb, run_tito, write_module

GAMMA = f"""\
{nb(grade_id="gamma-imports", locked=True)}
#| default_exp core.gamma
#| export
import numpy as np

{nb(grade_id="scale", solution=True)}
#| export
def scale(x, k):
    ### BEGIN SOLUTION
    if k < 0:
        raise ValueError("k must be at least 0")
    return np.asarray(x, dtype=float) * k
    ### END SOLUTION

{nb(grade=True, grade_id="test-scale", locked=True, points=5)}
def test_scale():
    result = scale([1, 2], 3)
    assert np.allclose(result, [3.0, 6.0]) and result.dtype == np.float64
    try:
        scale([1], -1)
        assert False, "a negative k must raise"
    except ValueError:
        pass

test_scale()

{nb(grade_id="clip", solution=True)}
#| export
def clip_positive(values):
    ### BEGIN SOLUTION
    return np.maximum(values, 0)
    ### END SOLUTION

{nb(grade=True, grade_id="test-clip", locked=True, points=5)}
def test_clip():
    values = np.array([-1.0, 2.0])
    assert np.allclose(clip_positive(values), [0.0, 2.0])
    assert np.allclose(values, [-1.0, 2.0]), "the input must not change"
    assert np.allclose(clip_positive(scale([-1.0], 2)), [0.0])  # an earlier step: declared or not

test_clip()
"""


def _gamma(tmp_path, source=GAMMA):
    root = tmp_path / "course"
    write_module(root, "01_gamma", source)
    (root / "tinytorch" / "core").mkdir(parents=True)
    for init in (root / "tinytorch" / "__init__.py", root / "tinytorch" / "core" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    return root, load_source(discover_modules(root)[0])


def test_regions_are_named_by_their_function(tmp_path):
    _, src = _gamma(tmp_path)
    assert [(r.label, r.where.rsplit(":", 1)[1]) for r in solution_regions(src)] == [
        ("scale", str(GAMMA.splitlines().index("    ### BEGIN SOLUTION") + 1)),
        ("clip_positive", str([i for i, l in enumerate(GAMMA.splitlines()) if l == "    ### BEGIN SOLUTION"][1] + 1))]


def test_an_undeclared_dependency_on_an_earlier_step_is_reported(tmp_path):
    root, src = _gamma(tmp_path)
    found = {d.region.label: d for d in dependencies(root, src)}
    assert found["clip_positive"].failing == ["test-clip"] and found["clip_positive"].problems == []
    scale = found["scale"]
    assert scale.failing == ["test-scale", "test-clip"] and scale.points == 10  # one gap, twice the points
    assert len(scale.problems) == 1
    assert scale.problems[0].startswith("test-clip fails when scale (")
    assert scale.problems[0].endswith("is missing, but does not declare it: test it without scale, or add "
                                      "`#| uses: scale` to its first line")


def test_a_declared_dependency_graded_by_its_own_step_is_fine(tmp_path):
    declared = GAMMA.replace(f'{nb(grade=True, grade_id="test-clip", locked=True, points=5)}\n',
                             f'{nb(grade=True, grade_id="test-clip", locked=True, points=5)}\n#| uses: scale\n')
    root, src = _gamma(tmp_path, declared)
    assert [p for d in dependencies(root, src) for p in d.problems] == []
    # declared, but its own step never grades it: still a problem
    ungraded = declared.replace("    result = scale([1, 2], 3)\n", "    result = np.array([3.0, 6.0])\n").replace(
        "        scale([1], -1)\n", "        raise ValueError()\n")
    root, src = _gamma(tmp_path / "u", ungraded)
    problems = [p for d in dependencies(root, src) for p in d.problems]
    assert len(problems) == 1 and "no test of its own step (test-scale) grades it" in problems[0]


def test_mutants_that_no_test_catches_are_listed(tmp_path):
    root, src = _gamma(tmp_path)
    assert sorted((m.kind, m.after) for m in all_mutants(src)) == [
        ("arithmetic", "(np.asarray(x, dtype=float) / k)"),
        ("boundary", "(k < -1)"), ("boundary", "(k < 1)"),
        ("comparison", "(k <= 0)"),
        ("dropped wrapper", "(x)"),
        ("dtype", "np.asarray(x)"),
        ("in place", "np.maximum(values, 0, out=values)")]
    results = mutants(root, src)
    survived = sorted(r.mutant.after for r in results if not r.caught)
    assert survived == ["(k < 1)", "(k <= 0)"]  # k == 0 is never tried: the boundary is not graded
    assert kill_rates(results) == {"comparison": (0, 1), "boundary": (1, 2), "dropped wrapper": (1, 1),
                                   "dtype": (1, 1), "in place": (1, 1), "arithmetic": (1, 1)}
    # testing the boundary catches both
    bounded = GAMMA.replace("    try:\n        scale([1], -1)",
                            "    assert np.allclose(scale([1], 0), [0.0])\n    try:\n        scale([1], -1)")
    root, src = _gamma(tmp_path / "b", bounded)
    assert all(r.caught for r in mutants(root, src))


def test_a_failing_solution_is_refused(tmp_path):
    root, src = _gamma(tmp_path, GAMMA.replace("return np.maximum(values, 0)", "return values"))
    with pytest.raises(TitoError, match="the solution itself does not pass"):
        mutants(root, src)


def test_cli_reports_rates_and_survivors(tmp_path):
    root, _ = _gamma(tmp_path)
    (root / "nbgrader_config.py").write_text("", encoding="utf-8")  # a course, not a workspace
    proc = run_tito("module", "mutants", "gamma", "--json", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout[proc.stdout.index("{"):])
    assert data["rates"]["comparison"] == [0, 1]
    assert sorted(s["after"] for s in data["survivors"]) == ["(k < 1)", "(k <= 0)"]
    assert run_tito("module", "mutants", "gamma", "--strict", cwd=root).returncode == 1
    proc = run_tito("module", "deps", "gamma", cwd=root)
    assert proc.returncode == 1 and "test-clip fails when scale (" in proc.stdout
    proc = run_tito("module", "mutants", "gamma", "--kind", "nonsense", cwd=root)
    assert proc.returncode != 0 and "unknown --kind nonsense" in proc.stdout + proc.stderr
