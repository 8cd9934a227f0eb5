"""`tito module test`'s report on an 80-column terminal: one line per test, failures below."""

from __future__ import annotations

import io

from rich.console import Console

from pathlib import Path

from tito import runner
from tito.report_text import module_report

ROOT = "/home/student/tinytorch-workspace"
SOURCE = f"{ROOT}/modules/source/01_tensor/tensor_dev.py"


def _result():
    result = runner.ModuleResult("01_tensor", SOURCE)
    result.tests = [
        runner.TestResult("test_tensor_creation_with_a_rather_long_descriptive_name_for_wrapping", "test-creation", 10,
                   "pass"),
        runner.TestResult("test_tensor_arithmetic", "test-arithmetic", 10, "fail",
                   message="t + u should be [5, 7, 9], got [4, 6, 8] " + "(and more words) " * 8,
                   where=f"{SOURCE}:1234", code="assert np.allclose((t + u).data, [5, 7, 9]), " + "x" * 120,
                   output="\n".join(f"debug line {i}" for i in range(100))),
        runner.TestResult("test_tensor_matmul", "test-matmul", 10, "not_implemented",
                   message="not implemented yet: fill in the code between the TODO markers", where=f"{SOURCE}:420"),
    ]
    return result


def _render(width=80, show_output=False):
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    for line in module_report(_result(), Path(ROOT), width, show_output):
        console.print(line, soft_wrap=True)
    return buffer.getvalue().splitlines()


def test_one_line_per_test_then_each_failure_below():
    lines = _render()
    assert lines[0] == "01_tensor  modules/source/01_tensor/tensor_dev.py"
    assert lines[1].startswith(" PASS       10/10  test_tensor_creation_with_a_rather_long") and len(lines[1]) == 80
    assert lines[2] == " FAIL        0/10  test_tensor_arithmetic"
    assert lines[3] == " TODO        0/10  test_tensor_matmul"
    assert "✗ test_tensor_arithmetic (10 points): FAIL" in lines
    assert lines[-1] == "01_tensor: 1/3 tests, 10/30 points: FAIL"


def test_no_line_is_wider_than_80_and_paths_are_whole():
    lines = _render()
    assert all(len(line) <= 80 for line in lines), [l for l in lines if len(l) > 80]
    assert "  at modules/source/01_tensor/tensor_dev.py:1234" in lines  # whole, on a line of its own
    assert "  stub at modules/source/01_tensor/tensor_dev.py:420" in lines


def test_a_failing_tests_output_is_cut_to_its_first_and_last_lines():
    lines = _render()
    printed = [l for l in lines if l.startswith("  | ")]
    assert printed[0] == "  | debug line 0" and printed[19] == "  | debug line 19"
    assert printed[20] == "  | … 60 lines hidden (--show-output shows them) …"
    assert printed[21] == "  | debug line 80" and printed[-1] == "  | debug line 99"
    everything = [l for l in _render(show_output=True) if l.startswith("  | ")]
    assert len(everything) == 100


def test_status_fits_seventeen_modules_in_80_columns(tmp_path):
    from conftest import ALPHA, run_tito, write_module

    root = tmp_path / "course"
    for number in range(17):
        name = f"module_number_{number}"
        write_module(root, f"{number:02d}_{name}", ALPHA.replace("core.alpha", f"core.{name}"))
    proc = run_tito("status", cwd=root, columns=80)
    lines = proc.stdout.splitlines()
    env_lines = [l for l in lines if l.strip()[:3].rstrip("_").isdigit()]
    assert proc.returncode == 0 and len(env_lines) == 17, proc.stdout
    assert all(len(line) <= 80 for line in lines), [l for l in lines if len(l) > 80]
