import json
from pathlib import Path

import pytest

from tito.course import discover_modules
from tito.errors import TitoError
from tito.source import load_source, parse_marker, parse_percent, read_cells
from tito.strip import strip_solutions

from conftest import ALPHA


def test_parse_percent_cells_kinds_metadata_and_lines():
    cells = parse_percent(ALPHA, Path("alpha_dev.py"))
    assert [c.kind for c in cells] == ["markdown", "code", "code", "code", "code", "code"]
    assert cells[0].source == "# Alpha\n\nA tiny module for tito's own tests."
    assert cells[0].marker_line == 1 and cells[0].first_line == 2
    imports = cells[1]
    assert imports.directives() == {"default_exp": "core.alpha", "export": ""}
    assert imports.first_line == 7 and imports.where(2) == "alpha_dev.py:9"
    graded = cells[3]
    assert graded.is_graded and graded.grade_id == "test-double" and graded.nbgrader["points"] == 5
    assert graded.test_functions() == ["test_double"]
    assert cells[2].is_solution and not cells[2].is_graded


def test_parse_marker_reads_strict_json_and_reports_python_style():
    kind, meta, errors = parse_marker(' nbgrader={"grade": true, "points": 3}')
    assert (kind, meta, errors) == ("code", {"nbgrader": {"grade": True, "points": 3}}, [])
    kind, meta, errors = parse_marker(" [markdown]")
    assert (kind, meta, errors) == ("markdown", {}, [])
    kind, meta, errors = parse_marker(" nbgrader={'grade': True}")
    assert meta == {} and len(errors) == 1
    assert "metadata 'nbgrader' is not strict JSON" in errors[0]


def test_percent_parser_agrees_with_jupytext():
    jupytext = pytest.importorskip("jupytext")  # a declared dependency: always installed
    notebook = jupytext.reads(ALPHA, fmt="py:percent")
    cells = parse_percent(ALPHA, Path("a.py"))
    assert [c.cell_type for c in notebook.cells] == [c.kind for c in cells]
    assert [c.source for c in notebook.cells] == [c.source for c in cells]
    assert [c.metadata.get("nbgrader") for c in notebook.cells] == [c.metadata.get("nbgrader") for c in cells]


def _notebook(cells):
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_notebook_source_used_when_newer_and_different(course):
    module = discover_modules(course)[0]
    assert load_source(module).path == module.py_path and load_source(module).note is None
    code = [{"cell_type": "code", "metadata": {}, "source": ["#| default_exp core.alpha\n", "#| export\n", "X = 1"],
             "outputs": [], "execution_count": None}]
    module.ipynb_path.write_text(_notebook(code), encoding="utf-8")
    src = load_source(module)
    assert src.path == module.ipynb_path
    assert src.note == ("alpha_dev.py and alpha_dev.ipynb differ in solution code; using alpha_dev.ipynb, the newer "
                        "(run `tito sync alpha` to make them equal)")
    assert src.cells[0].where(2) == f"{module.ipynb_path}:cell 1:line 3"


def test_notebook_identical_to_py_is_not_mentioned(course):
    module = discover_modules(course)[0]
    cells = [{"cell_type": c.kind, "metadata": c.metadata, "source": c.source}
             for c in parse_percent(ALPHA, module.py_path)]
    module.ipynb_path.write_text(_notebook(cells), encoding="utf-8")
    src = load_source(module)
    assert src.path == module.py_path and src.note is None


def test_malformed_notebook_is_a_clear_error(course):
    module = discover_modules(course)[0]
    module.py_path.unlink()
    module.ipynb_path.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(TitoError, match=r"alpha_dev.ipynb:1: the notebook is not valid JSON"):
        load_source(module)


def test_missing_source_is_a_clear_error(course):
    module = discover_modules(course)[0]
    module.py_path.unlink()
    with pytest.raises(TitoError, match="has no source: expected alpha_dev.py or alpha_dev.ipynb"):
        load_source(module)


def test_strip_solutions_keeps_indentation_and_drops_hidden_tests():
    text = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n" \
           "x = 1\n### BEGIN HIDDEN TESTS\nassert f() == 1\n### END HIDDEN TESTS\ny = 2\n"
    assert strip_solutions(text) == ("def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
                                     "x = 1\ny = 2\n")
