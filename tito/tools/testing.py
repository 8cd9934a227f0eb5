"""The in-notebook test runner called by the locked last cell of every module.

`run_module_tests_auto("Autograd")` finds the `test_*` functions defined in the caller's
namespace and runs each once. It reads the caller's globals from its stack frame, which is
the user namespace both in a Jupyter/IPython kernel and in a script; the original looked at
`sys.modules["__main__"]`'s file and found no tests inside Jupyter.
"""

from __future__ import annotations

import inspect
import time
import traceback
import types
from pathlib import Path


def discover_tests(namespace: dict) -> list[types.FunctionType]:
    """The `test_*` functions defined in `namespace` itself, in definition order."""
    tests = []
    for name, obj in list(namespace.items()):
        if (
            name.startswith("test_")
            and isinstance(obj, types.FunctionType)
            and obj.__globals__ is namespace  # defined here, not imported from elsewhere
        ):
            tests.append(obj)
    return tests


def _failure_summary(exc: BaseException) -> str:
    if isinstance(exc, NotImplementedError):
        return "not implemented yet: fill in the code between the TODO markers"
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (line {frames[-1].lineno}: {frames[-1].line})" if frames else ""
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, AssertionError):
        message = f"{type(exc).__name__}: {message}"
    return message + where


def points_by_test(folder: Path | None = None) -> dict[str, float]:
    """The points of each test function, from the module source or notebook in `folder` (the
    kernel's working folder): the points of its graded cell, shared by the tests it defines."""
    folder = folder or Path.cwd()
    from tito.errors import TitoError
    from tito.source import read_cells

    for path in sorted(folder.glob("*_dev.ipynb")) + sorted(folder.glob("*_dev.py")):
        try:
            cells = read_cells(path)
        except TitoError:
            continue
        points = {}
        for cell in cells:
            names = cell.test_functions() if cell.is_graded else []
            for name in names:
                points[name] = float(cell.nbgrader.get("points", 0) or 0) / len(names)
        if points:
            return points
    return {}


def run_module_tests_auto(module_name: str, namespace: dict | None = None, verbose: bool = True,
                          points: dict[str, float] | None = None) -> bool:
    """Run every test_* function of the calling notebook/script once; True if all pass. Prints
    each test's points and the total, as `tito module test` does."""
    if namespace is None:
        caller = inspect.currentframe().f_back
        namespace = caller.f_globals
    tests = discover_tests(namespace)
    if not tests:
        print(f"⚠️  {module_name}: no test_* functions found in this namespace.")
        return False

    results = []
    for test in tests:
        start = time.perf_counter()
        try:
            test()
            ok, detail = True, ""
        except Exception as exc:  # a failing student test must not stop the others
            ok, detail = False, _failure_summary(exc)
        results.append((test.__name__, ok, time.perf_counter() - start, detail))

    passed = sum(ok for _, ok, _, _ in results)
    points = points_by_test() if points is None else points
    if verbose:
        print()
        print(f"🧪 {module_name} module tests")
        for name, ok, seconds, detail in results:
            mark = "✅ PASS" if ok else "❌ FAIL"
            worth = points.get(name)
            score = f"{worth if ok else 0:>4g}/{worth:<4g}" if worth is not None else ""
            print(f"  {mark} {score} {name}  ({seconds:.3f}s)" + (f"\n         {detail}" if detail else ""))
        verdict = "PASS" if passed == len(results) else "FAIL"
        total = ""
        if points:
            got = sum(points.get(name, 0) for name, ok, _, _ in results if ok)
            total = f", {got:g}/{sum(points.get(name, 0) for name, *_ in results):g} points"
        print(f"{module_name}: {passed}/{len(results)} tests passed{total}: {verdict}")
    return passed == len(results)
