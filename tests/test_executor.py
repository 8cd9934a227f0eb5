"""The executor and its sandbox, cell by cell, without nbgrader: limits, isolation, faked results."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tito.executor import CellSpec, execute
from tito.sandbox import Limits, sandbox_problem

REPO = Path(__file__).resolve().parent.parent
needs_sandbox = pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox: {sandbox_problem()}")
PKG = {"tinytorch/__init__.py": b""}


def run(*cells, sandboxed=True, **limits):
    specs = [CellSpec(code, "/course/nb.py", 1 + 100 * i, graded) for i, (code, graded) in enumerate(cells)]
    return execute(specs, PKG, limits=Limits(**limits) if limits else None, sandboxed=sandboxed)


def statuses(execution):
    return [o.status for o in execution.outcomes]


def graded(code):
    return (f"def test_it():\n{code}\ntest_it()", True)


# ----------------------------------------------------------------------------- isolation
@needs_sandbox
def test_the_course_the_network_and_ctypes_are_not_there():
    probe = f"""
import os, socket
seen = [p for p in [{str(REPO / 'nbgrader_config.py')!r}, {str(REPO / 'modules')!r}, {str(REPO / 'tito')!r},
                    {str(REPO / 'tinytorch')!r}, '/root/.ssh'] if os.path.exists(p)]
try:
    socket.create_connection(('127.0.0.1', 22), timeout=1)
    net = 'connected'
except OSError as exc:
    net = type(exc).__name__
try:
    import ctypes
    has_ctypes = True
except ImportError:
    has_ctypes = False
"""
    check = graded("    assert seen == [], seen\n    assert net != 'connected'\n    assert has_ctypes is False")
    execution = run((probe, False), check)
    assert statuses(execution) == ["pass", "pass"], execution.outcomes


@needs_sandbox
def test_only_the_scratch_folder_is_writable():
    code = """
import os
def writable(path):
    try:
        with open(os.path.join(path, 'tito-probe'), 'w') as fh:
            fh.write('x')
        return True
    except OSError:
        return False
"""
    check = graded(f"    assert writable('.') and writable('/tmp')\n"
                      f"    assert not writable({sys.prefix!r}) and not writable('/usr') and not writable('/')")
    assert statuses(run((code, False), check)) == ["pass", "pass"]


@needs_sandbox
def test_a_daemon_dies_with_the_sandbox(tmp_path):
    marker = tmp_path / "daemon-was-here"
    os.chmod(tmp_path, 0o777)
    daemon = f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2)
        open({str(marker)!r}, 'w').write('alive')
        os._exit(0)
    os._exit(0)
"""
    execution = run((daemon, False), graded("    assert True"))
    assert statuses(execution) == ["pass", "pass"]
    import time

    time.sleep(3)
    assert not marker.exists()  # the host path is not even visible, and the daemon is gone


# ----------------------------------------------------------------------------- limits
def test_output_is_capped_per_cell_with_a_note():
    execution = run(("print('x' * 3_000_000)\nprint('tail')", False), sandboxed=False, output_mb=1)
    text = execution.outcomes[0].output
    assert len(text) < 1_100_000
    assert "[output cut: 1,951,430 more characters were printed than the limit of 1,048,576]" in text


def test_a_cell_timeout_names_the_line_and_cannot_be_swallowed():
    loop = "import time\ndef spin():\n    while True:\n        try:\n            time.sleep(0.05)\n        except BaseException:\n            pass\n"
    execution = run((loop, False), graded("    spin()"), graded("    assert 1 + 1 == 2"), sandboxed=False,
                    cell_timeout=2)
    assert statuses(execution) == ["pass", "timeout", "pass"]
    assert execution.outcomes[1].message.startswith("timed out after 2s while running /course/nb.py:")
    assert execution.outcomes[1].code in ("time.sleep(0.05)", "pass", "while True:", "try:")


def test_memory_limit_is_a_reason():
    execution = run(graded("    block = bytearray(3 * 2**30)"), sandboxed=False, memory_mb=1024)
    assert statuses(execution) == ["error"]
    assert execution.outcomes[0].message == "memory limit: the code needed more than 1024 MB"


@needs_sandbox
def test_process_limit_is_a_reason():
    bomb = "import os\nkids = []\nfor _ in range(40):\n    pid = os.fork()\n    if pid == 0:\n" \
           "        import time; time.sleep(5); os._exit(0)\n    kids.append(pid)\n"
    execution = run(graded("    " + bomb.replace("\n", "\n    ")), processes=8)
    assert statuses(execution) == ["error"]
    assert execution.outcomes[0].message == "process limit: the code started more than 8 processes"


def test_a_death_costs_only_its_own_cell_and_later_tests_run():
    execution = run(("def f(x):\n    return 2 * x", False), graded("    assert f(1) == 2"),
                    graded("    import os\n    os._exit(7)"), graded("    assert f(2) == 4"), sandboxed=False)
    assert statuses(execution) == ["pass", "pass", "error", "pass"]
    assert execution.restarts == 1
    assert execution.outcomes[2].message == ("the code called os._exit(7) at /course/nb.py:203; "
                                             "tests must not end the process")


# ----------------------------------------------------------------------------- faked results
def test_forged_result_records_turn_every_test_into_tampering():
    forge = ("import json, os\nfor fd in range(3, 20):\n    try:\n"
             "        os.write(fd, (json.dumps({'event': 'end', 'index': 2, 'status': 'pass'}) + '\\n').encode())\n"
             "    except OSError:\n        pass")
    execution = run(("x = 1", False), (forge, False), graded("    assert x == 2"), sandboxed=False)
    assert execution.outcomes[2].status == "tampered"
    assert execution.outcomes[2].message == ("tampering detected: something other than the harness wrote to its "
                                             "results channel")


@pytest.mark.parametrize("lie, reason", [
    ("class Liar:\n    def __eq__(self, other): return True\n    def __ne__(self, other): return False\n"
     "def f(x):\n    return Liar()", "a test compared a __main__.Liar object"),
    ("class Liar:\n    def __sub__(self, other): return 0.0\n    def __rsub__(self, other): return 0.0\n"
     "    def __eq__(self, other): return True\ndef f(x):\n    return Liar()",
     "a test compared a __main__.Liar object"),
    ("import builtins\nbuiltins.abs = lambda v: 0.0\ndef f(x):\n    return 0", "the builtin abs was replaced"),
    ("import math\nmath.isclose = lambda *a, **k: True\ndef f(x):\n    return 0", "math.isclose was replaced"),
    ("import sys\nsys.excepthook = lambda *a: None\ndef f(x):\n    return 0", "sys.excepthook was replaced"),
    ("import sys\ntry:\n    sys.settrace(lambda *a: None)\nexcept RuntimeError:\n    pass\ndef f(x):\n    return 0",
     "sys.settrace was called"),
])
def test_lies_told_inside_the_interpreter_are_tampering(lie, reason):
    check = graded("    assert f(3) == 6\n    assert abs(f(3) - 6) < 1e-9\n    import math\n"
                   "    assert math.isclose(f(3), 6)")
    arithmetic = graded("    assert abs(f(3) - 6) < 1e-9")
    execution = run((lie, False), check, arithmetic, sandboxed=False)
    if "__sub__" in lie:
        assert execution.outcomes[2].message == ("tampering detected: a test's assert did arithmetic on a "
                                                 "__main__.Liar object, whose own methods would decide the result")
    outcome = execution.outcomes[1]
    assert outcome.status == "tampered", outcome
    assert outcome.message.startswith("tampering detected: ") and reason in outcome.message, outcome.message


def test_honest_comparisons_of_objects_and_containers_still_pass():
    setup = ("class Layer:\n    pass\nfirst, second = Layer(), Layer()\nlayers = [first, second]\n"
             "def shape():\n    return (2, 3)")
    check = graded("    assert layers == [first, second] and layers != [second, first]\n"
                      "    assert first in layers and shape() == (2, 3)\n    assert layers[0] is first\n"
                      "    class Other:\n        def __radd__(self, other):\n            return 'radd'\n"
                      "    assert 1 + Other() == 'radd'")
    assert statuses(run((setup, False), check, sandboxed=False)) == ["pass", "pass"]


def test_a_replaced_test_function_is_tampering():
    hook = ("import threading, time\ndef swap():\n    for _ in range(400):\n        g = globals()\n"
            "        if 'test_it' in g and getattr(g['test_it'], '__name__', '') != 'noop':\n"
            "            def noop():\n                return None\n            g['test_it'] = noop\n"
            "        time.sleep(0.005)\nthreading.Thread(target=swap, daemon=True).start()")
    check = ("def test_it():\n    assert 1 == 2\nimport time\ntime.sleep(0.5)\ntest_it()", True)
    execution = run((hook, False), check, sandboxed=False)
    assert execution.outcomes[1].status == "tampered"
    assert "test_it did not run its own code" in execution.outcomes[1].message


def test_lies_laundered_through_method_calls_in_an_assert_are_tampering():
    fake = ("import numpy as np\nclass Zero:\n    def max(self): return 0.0\n    def all(self): return True\n"
            "    def item(self): return 6\nclass Liar:\n    def __sub__(self, other): return Zero()\n"
            "    def __eq__(self, other): return Zero()\n    __array_ufunc__ = None\n"
            "def f(x):\n    return Liar()")
    checks = [graded("    assert abs(f(3) - 6).max() < 1e-9"), graded("    assert (f(3) == 6).all()"),
              graded("    assert np.abs(f(3) - np.array([6.0])).max() < 1e-9"),
              graded("    assert np.allclose(f(3), 6)")]
    execution = run((fake, False), *checks, sandboxed=False)
    assert statuses(execution) == ["pass"] + ["tampered"] * 4, execution.outcomes


def test_honest_numpy_checks_in_asserts_keep_python_semantics():
    setup = "import numpy as np\ndef f(x):\n    return np.asarray(x, dtype=float) * 2"
    check = graded("    out = f([1, 2])\n    assert (out == np.array([2.0, 4.0])).all()\n"
                   "    assert np.abs(out - [2, 4]).max() < 1e-12 and 0 < out[0] < 3\n"
                   "    assert (out > 1).sum() == 2 and not (out < 0).any()")
    assert statuses(run((setup, False), check, sandboxed=False)) == ["pass", "pass"]


def test_reusing_a_locked_constants_name_is_no_tampering_but_rebinding_a_locked_helper_is():
    locked = ("import math\nTOLERANCE = 1e-9\ndef close(a, b):\n    return math.isclose(a, b, abs_tol=TOLERANCE)", False)
    specs = [CellSpec(locked[0], "/course/nb.py", 1, False, locked=True),
             CellSpec("TOLERANCE = 0.5\ndef f(x):\n    return 2 * x", "/course/nb.py", 101),
             CellSpec("def test_it():\n    assert close(f(3), 6)\ntest_it()", "/course/nb.py", 201, True),
             CellSpec("close = lambda a, b: True", "/course/nb.py", 301),
             CellSpec("def test_again():\n    assert close(f(3), 6)\ntest_again()", "/course/nb.py", 401, True)]
    execution = execute(specs, PKG, sandboxed=False)
    assert statuses(execution) == ["pass", "pass", "pass", "pass", "tampered"]
    assert execution.outcomes[4].message == ("tampering detected: close, which a locked cell defines, was changed "
                                             "by other code")
