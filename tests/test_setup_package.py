"""Tests of the exported `tinytorch.core.setup` (build it with `tito export setup`)."""

import platform
import sys

import numpy as np

from tinytorch.core.setup import personal_info, system_info


def test_personal_info_has_all_fields():
    info = personal_info()
    assert isinstance(info, dict)
    assert set(info) >= {"developer", "email", "institution", "system_name"}
    for key in ("developer", "email", "institution", "system_name"):
        assert isinstance(info[key], str) and info[key].strip(), key


def test_personal_info_email_looks_valid():
    email = personal_info()["email"]
    local, at, domain = email.partition("@")
    assert at == "@" and local
    assert "." in domain and not domain.startswith(".") and not domain.endswith(".")
    assert " " not in email


def test_personal_info_has_no_template_text():
    for value in personal_info().values():
        lowered = value.lower()
        assert "your name" not in lowered and "todo" not in lowered, value


def test_personal_info_returns_fresh_dict():
    first = personal_info()
    first["developer"] = "changed"
    assert personal_info()["developer"] != "changed"


def test_system_info_matches_environment():
    info = system_info()
    v = sys.version_info
    assert info["python_version"] == f"{v.major}.{v.minor}.{v.micro}"
    assert info["platform"] == platform.system()
    assert info["machine"] == platform.machine()
    assert info["numpy_version"] == np.__version__


def test_system_info_values_are_strings():
    info = system_info()
    assert set(info) >= {"python_version", "platform", "machine", "numpy_version"}
    assert all(isinstance(value, str) for value in info.values())
    assert info["python_version"].count(".") == 2
