import json

from tito.course import discover_modules
from tito.export import export_modules
from tito.runner import run_module_tests
from tito.strip import strip_solutions
from tito.tools.testing import discover_tests, run_module_tests_auto


def _alpha(course):
    return discover_modules(course)[0]


def test_solution_passes_with_points(course):
    result = run_module_tests(course, _alpha(course))
    assert [(t.name, t.points, t.status) for t in result.tests] == [("test_double", 5.0, "pass"),
                                                                     ("test_area", 10.0, "pass")]
    assert result.summary() == "01_alpha: 2/2 tests, 15/15 points: PASS"
    assert result.ok and result.setup_errors == []


def test_stubs_are_reported_as_not_implemented(course):
    module = _alpha(course)
    module.py_path.write_text(strip_solutions(module.py_path.read_text()))
    result = run_module_tests(course, module)
    assert [t.status for t in result.tests] == ["not_implemented", "not_implemented"]
    assert result.tests[0].message == "not implemented yet: fill in the code between the TODO markers"
    stub_line = module.py_path.read_text().splitlines().index("    raise NotImplementedError()") + 1
    assert result.tests[0].where == f"{module.py_path}:{stub_line}"
    assert result.summary() == "01_alpha: 0/2 tests, 0/15 points: FAIL"


def test_assertion_failure_shows_message_and_student_line(course):
    module = _alpha(course)
    module.py_path.write_text(module.py_path.read_text().replace("return side * side", "return side + side"))
    result = run_module_tests(course, module)
    area = result.tests[1]
    assert area.status == "fail" and area.message == "a 3x3 box has area 9"
    line = module.py_path.read_text().splitlines().index('    assert Box().area(3) == 9, "a 3x3 box has area 9"') + 1
    assert area.where == f"{module.py_path}:{line}"
    assert area.code == 'assert Box().area(3) == 9, "a 3x3 box has area 9"'
    assert result.tests[0].status == "pass" and result.points == 5


def test_other_errors_name_the_raising_student_line(course):
    module = _alpha(course)
    module.py_path.write_text(module.py_path.read_text().replace("return 2 * x", "return 2 * undefined_name"))
    result = run_module_tests(course, module)
    double = result.tests[0]
    assert double.status == "error"
    assert double.message == "NameError: name 'undefined_name' is not defined"
    assert double.code == "return 2 * undefined_name"


def test_infinite_loop_times_out_and_later_tests_still_run(course):
    module = _alpha(course)
    module.py_path.write_text(module.py_path.read_text().replace("return 2 * x", "while True: pass"))
    result = run_module_tests(course, module, cell_timeout=1.0)
    assert [t.status for t in result.tests] == ["timeout", "pass"]
    assert result.tests[0].message.startswith("timed out after 1s")


def test_whole_module_timeout_marks_running_and_remaining_tests(course):
    module = _alpha(course)
    module.py_path.write_text(module.py_path.read_text().replace("return 2 * x", "while True: pass"))
    result = run_module_tests(course, module, timeout=2.0, cell_timeout=30.0)
    assert [t.status for t in result.tests] == ["timeout", "not_run"]
    assert result.tests[0].message == "timed out: the whole run took longer than 2s (the wall-time limit)"


def test_process_exit_costs_only_its_own_cell(course):
    module = _alpha(course)
    module.py_path.write_text(module.py_path.read_text().replace("return 2 * x", "import os; os._exit(3)"))
    result = run_module_tests(course, module)
    line = module.py_path.read_text().splitlines().index("    import os; os._exit(3)") + 1
    assert result.tests[0].status == "error"
    assert result.tests[0].message == (f"the code called os._exit(3) at {module.py_path}:{line}; "
                                       "tests must not end the process")
    assert result.tests[0].code == "import os; os._exit(3)"
    assert result.tests[1].status == "pass", "a new process runs the tests after the one that exited"
    assert result.points == 10


def test_module_level_error_is_a_setup_error(course):
    module = _alpha(course)
    module.py_path.write_text(module.py_path.read_text().replace("ANSWER = 42", "ANSWER = 1 / 0"))
    result = run_module_tests(course, module)
    assert len(result.setup_errors) == 1 and not result.ok
    assert result.setup_errors[0].message == "ZeroDivisionError: division by zero"


def test_module_using_an_exported_prerequisite(course):
    modules = discover_modules(course)
    export_modules(course, modules, modules)
    result = run_module_tests(course, modules[1])
    assert result.summary() == "02_beta: 1/1 tests, 7/7 points: PASS"


def test_notebook_results_name_the_cell(course):
    module = _alpha(course)
    from tito.source import parse_percent

    text = module.py_path.read_text().replace("return side * side", "return side + side")
    cells = [{"cell_type": c.kind, "metadata": c.metadata, "source": c.source, "outputs": [], "execution_count": None}
             if c.kind == "code" else {"cell_type": c.kind, "metadata": c.metadata, "source": c.source}
             for c in parse_percent(text, module.py_path)]
    module.ipynb_path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = run_module_tests(course, module)
    assert result.source == str(module.ipynb_path)
    assert result.tests[1].status == "fail"
    assert result.tests[1].where == f"{module.ipynb_path}:cell 5:2"


def test_run_module_tests_auto_finds_tests_in_a_namespace(capsys):
    namespace = {}
    exec("def test_ok():\n    assert 1 + 1 == 2\n"
         "def test_bad():\n    assert 1 + 1 == 3, 'maths is broken'\n"
         "def helper():\n    pass\n", namespace)
    assert [t.__name__ for t in discover_tests(namespace)] == ["test_ok", "test_bad"]
    assert run_module_tests_auto("Demo", namespace=namespace) is False
    out = capsys.readouterr().out
    assert "✅ PASS  test_ok" in out and "❌ FAIL  test_bad" in out and "maths is broken" in out
    assert "Demo: 1/2 tests passed: FAIL" in out


def test_run_module_tests_auto_uses_the_callers_globals(capsys):
    namespace = {}
    exec("from tito.tools.testing import run_module_tests_auto\n"
         "calls = []\n"
         "def test_once():\n    calls.append(1)\n"
         "result = run_module_tests_auto('Demo')\n", namespace)
    assert namespace["result"] is True and namespace["calls"] == [1]


def test_run_module_tests_auto_works_in_an_ipython_kernel_namespace():
    # IPython runs each cell with `exec(code, user_ns)`: the caller's globals are the user namespace.
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("def test_kernel():\n    assert 2 * 2 == 4\n")
    shell.run_cell("from tito.tools.testing import run_module_tests_auto\nok = run_module_tests_auto('Kernel')")
    assert shell.user_ns["ok"] is True
    InteractiveShell.clear_instance()


def test_missing_export_says_which_module_to_export(course):
    modules = discover_modules(course)
    result = run_module_tests(course, modules[1])  # beta imports alpha, which is not exported
    assert result.setup_errors[0].message == "tinytorch.core.alpha is not exported yet: run `tito export alpha` first"


def test_cells_run_in_a_real_main_module_so_definitions_pickle(course):
    module = _alpha(course)
    text = module.py_path.read_text().replace(
        "    assert double(3) == 6,",
        "    import pickle, sys\n"
        "    assert pickle.loads(pickle.dumps(double)) is double, 'double must pickle by reference'\n"
        "    assert sys.modules['__main__'].double is double\n"
        "    assert double(3) == 6,")
    module.py_path.write_text(text)
    result = run_module_tests(course, module)
    assert result.tests[0].status == "pass", result.tests[0].message


def test_run_module_tests_auto_prints_points_per_test_and_the_total(capsys, course, monkeypatch):
    namespace = {}
    exec("def test_double():\n    assert 2 * 3 == 6\ndef test_area():\n    assert 3 + 3 == 9, 'a 3x3 box has area 9'\n",
         namespace)
    monkeypatch.chdir(_alpha(course).path)  # as a kernel would be: in the module's folder
    assert run_module_tests_auto("Alpha", namespace=namespace) is False
    out = capsys.readouterr().out
    assert "✅ PASS    5/5    test_double" in out and "❌ FAIL    0/10   test_area" in out
    assert "Alpha: 1/2 tests passed, 5/15 points: FAIL" in out


def test_errors_in_an_exported_earlier_module_name_its_source_line(course):
    modules = discover_modules(course)
    alpha, beta = modules
    alpha.py_path.write_text(strip_solutions(alpha.py_path.read_text()))
    export_modules(course, modules, modules)
    result = run_module_tests(course, beta)
    quad = result.tests[0]
    assert quad.status == "not_implemented"
    stub = alpha.py_path.read_text().splitlines().index("    raise NotImplementedError()") + 1
    assert quad.where == f"{alpha.py_path}:{stub}", quad.where  # not tinytorch/core/alpha.py
