import subprocess
import sys

from conftest import REPO
from tito import doctor
from tito.course import discover_modules
from tito.export import export_modules
from tito.status import module_status


def test_doctor_reports_missing_dependency_with_fix(monkeypatch):
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda dist: None if dist == "nbgrader" else real(dist))
    checks = {c.name: c for c in doctor.diagnose()}
    assert checks["nbgrader"].ok is False and checks["nbgrader"].found == "not installed"
    assert checks["nbgrader"].fix == "make install  (or: python -m pip install -e '.[dev]')"
    assert checks["numpy"].ok is True
    assert checks["torch (optional)"].ok is True  # optional tools never fail the doctor


def test_status_tracks_export_freshness(course):
    modules = discover_modules(course)
    rows = {row[0]: row for row in module_status(course, modules)}
    assert rows["01_alpha"] == ("01_alpha", "no", "-", "-", "-", "never")
    export_modules(course, modules, modules)
    assert module_status(course, modules)[0][1] == "ok"
    path = modules[0].py_path
    path.write_text(path.read_text().replace("ANSWER = 42", "ANSWER = 43"))
    assert module_status(course, modules)[0][1] == "stale"


def test_tinytorch_imports_only_numpy_and_the_standard_library():
    code = ("import sys\n"
            "before = set(sys.modules)\n"
            "import importlib, pkgutil, tinytorch.core\n"
            "for info in pkgutil.iter_modules(tinytorch.core.__path__):\n"
            "    importlib.import_module('tinytorch.core.' + info.name)\n"
            "tops = {m.split('.')[0] for m in set(sys.modules) - before}\n"
            "print(sorted(t for t in tops if t not in sys.stdlib_module_names and not t.startswith('_')))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.stdout.strip() == "['numpy', 'tinytorch']", out.stdout + out.stderr
