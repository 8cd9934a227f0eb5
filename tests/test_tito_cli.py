import json
import re

from conftest import REPO, run_tito
from tito.strip import strip_solutions


def test_help_and_version(course):
    result = run_tito("--help", cwd=course)
    assert result.returncode == 0
    for command in ("export", "test", "status", "module", "system"):
        assert command in result.stdout
    result = run_tito("--version", cwd=course)
    assert result.stdout.strip() == "tito 0.1.0"


def test_every_command_has_help(course):
    for args in (["export"], ["test"], ["status"], ["module", "test"], ["module", "check"], ["system", "doctor"]):
        result = run_tito(*args, "--help", cwd=course)
        assert result.returncode == 0, args
        assert "Usage:" in result.stdout


def test_unknown_module_is_an_error_without_traceback(course):
    result = run_tito("module", "test", "nosuch", cwd=course)
    assert result.returncode == 1
    assert "Error: Unknown module 'nosuch'." in result.stderr
    assert "Valid modules: 01_alpha, 02_beta" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_export_without_modules_asks_for_one(course):
    result = run_tito("export", cwd=course)
    assert result.returncode == 1 and "Name at least one module, or pass --all." in result.stderr


def test_export_then_test_all_prints_tables_and_summary(course):
    result = run_tito("export", "--all", cwd=course)
    assert result.returncode == 0, result.stderr
    assert "01_alpha -> tinytorch/core/alpha.py (updated, 3 names)" in result.stdout
    result = run_tito("test", "--all", cwd=course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "01_alpha: 2/2 tests, 15/15 points: PASS" in result.stdout
    assert "02_beta: 1/1 tests, 7/7 points: PASS" in result.stdout
    assert "All modules" in result.stdout
    status = run_tito("status", cwd=course)
    assert re.search(r"01_alpha\s+ok\s+PASS\s+2/2\s+15/15", status.stdout), status.stdout


def test_module_test_json_and_failure_exit_code(course):
    path = course / "modules" / "source" / "01_alpha" / "alpha_dev.py"
    path.write_text(strip_solutions(path.read_text()))
    result = run_tito("module", "test", "alpha", "--json", cwd=course)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    module = data["modules"][0]
    assert data["passed"] is False
    assert (module["module"], module["passed"], module["total"], module["points"], module["max_points"]) == \
        ("01_alpha", 0, 2, 0, 15)
    assert [t["status"] for t in module["tests"]] == ["not_implemented", "not_implemented"]


def test_module_test_table_says_not_implemented_without_traceback(course):
    path = course / "modules" / "source" / "01_alpha" / "alpha_dev.py"
    path.write_text(strip_solutions(path.read_text()))
    result = run_tito("module", "test", "01", cwd=course)
    assert result.returncode == 1
    assert " TODO         0/5  test_double" in result.stdout and "not implemented yet" in result.stdout
    assert "01_alpha: 0/2 tests, 0/15 points: FAIL" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_module_check_exit_codes(course):
    assert run_tito("module", "check", "--all", cwd=course).returncode == 0
    path = course / "modules" / "source" / "02_beta" / "beta_dev.py"
    path.write_text(path.read_text().replace("\ntest_quadruple()\n", "\n"))
    result = run_tito("module", "check", "beta", cwd=course)
    assert result.returncode == 1
    assert "modules/source/02_beta/beta_dev.py:" in result.stdout and "never calls it" in result.stdout


def test_doctor_lists_dependencies(course):
    result = run_tito("system", "doctor", cwd=course)
    assert result.returncode == 0, result.stdout
    for dep in ("numpy", "typer", "rich", "jupytext", "nbgrader", "course root"):
        assert dep in result.stdout


def test_cli_start_up_does_not_import_heavy_libraries(course):
    code = ("import sys; sys.argv=['tito', 'module', 'test', 'alpha']\n"
            "from tito.cli import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('nbformat', 'jupytext', 'nbgrader', 'jsonschema', 'numpy') if m in sys.modules)\n"
            "print('HEAVY', heavy)\n")
    import os, subprocess, sys

    out = subprocess.run([sys.executable, "-c", code], cwd=course, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
