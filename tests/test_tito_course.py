from pathlib import Path

import pytest

from tito.course import dependency_order, discover_modules, find_root, resolve_module, select_modules
from tito.errors import TitoError

from conftest import write_module


def test_discovers_modules_in_course_order(course):
    modules = discover_modules(course)
    assert [m.dirname for m in modules] == ["01_alpha", "02_beta"]
    assert modules[1].prerequisites == ("alpha",)
    assert modules[0].exports_to == "tinytorch.core.alpha"
    assert modules[0].title == "Alpha"


@pytest.mark.parametrize("ref", ["beta", "02", "2", "02_beta", "modules/source/02_beta", "modules/source/02_beta/"])
def test_resolve_module_accepts_name_number_and_directory(course, ref):
    assert resolve_module(discover_modules(course), ref).dirname == "02_beta"


def test_unknown_module_lists_valid_names_and_suggests(course):
    with pytest.raises(TitoError) as info:
        resolve_module(discover_modules(course), "alpah")
    assert info.value.message == "Unknown module 'alpah'."
    assert "Did you mean 'alpha'?" in info.value.hint
    assert "01_alpha, 02_beta" in info.value.hint


def test_select_requires_a_module_or_all(course):
    modules = discover_modules(course)
    with pytest.raises(TitoError, match="Name at least one module, or pass --all"):
        select_modules(modules, [], False)
    assert [m.name for m in select_modules(modules, [], True)] == ["alpha", "beta"]
    assert [m.name for m in select_modules(modules, ["beta", "01"], False)] == ["alpha", "beta"]


def test_dependency_order_puts_prerequisites_first(tmp_path):
    root = tmp_path / "c"
    write_module(root, "01_zeta", "", prerequisites=["omega"])
    write_module(root, "02_omega", "")
    modules = discover_modules(root)
    assert [m.name for m in dependency_order(modules, modules)] == ["omega", "zeta"]


def test_dependency_cycle_and_unknown_prerequisite_are_errors(tmp_path):
    root = tmp_path / "c"
    write_module(root, "01_a", "", prerequisites=["b"])
    write_module(root, "02_b", "", prerequisites=["a"])
    modules = discover_modules(root)
    with pytest.raises(TitoError, match="cycle: a -> b -> a"):
        dependency_order(modules, modules)
    root2 = tmp_path / "d"
    write_module(root2, "01_a", "", prerequisites=["ghost"])
    modules = discover_modules(root2)
    with pytest.raises(TitoError, match="prerequisite 'ghost' is not a module"):
        dependency_order(modules, modules)


def test_find_root_walks_up_and_fails_clearly(course, tmp_path, monkeypatch):
    monkeypatch.delenv("TITO_ROOT", raising=False)
    assert find_root(course / "modules" / "source" / "01_alpha") == course.resolve()
    with pytest.raises(TitoError, match="No TinyTorch course found"):
        find_root(tmp_path)
    monkeypatch.setenv("TITO_ROOT", str(tmp_path))
    with pytest.raises(TitoError, match="has no modules/source"):
        find_root()


def test_bad_module_yaml_is_reported(tmp_path):
    root = tmp_path / "c"
    path = write_module(root, "01_a", "")
    (path / "module.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    module = discover_modules(root)[0]
    assert len(module.config_errors) == 1
    assert "module.yaml is not valid YAML" in module.config_errors[0]
    assert module.config_errors[0].startswith(str(path / "module.yaml") + ":")
