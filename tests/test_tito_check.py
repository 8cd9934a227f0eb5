from tito.check import check_module
from tito.course import discover_modules

from conftest import ALPHA, nb, write_module


def _problems(tmp_path, source, yaml_exports="tinytorch.core.alpha"):
    root = tmp_path / "c"
    write_module(root, "01_alpha", source, exports_to=yaml_exports)
    module = discover_modules(root)[0]
    return [p.replace(str(module.py_path), "F") for p in check_module(module)]


def test_clean_module_has_no_problems(tmp_path):
    assert _problems(tmp_path, ALPHA) == []


def test_python_style_metadata_is_reported_with_line(tmp_path):
    source = ALPHA.replace(nb(grade=True, grade_id="test-area", locked=True, points=10),
                           "# %% nbgrader={'grade': True, 'grade_id': 'test-area', 'points': 10}")
    problems = _problems(tmp_path, source)
    line = source.splitlines().index("# %% nbgrader={'grade': True, 'grade_id': 'test-area', 'points': 10}") + 1
    assert len(problems) == 2
    assert problems[0].startswith(f"F:{line}: metadata 'nbgrader' is not strict JSON")
    # the cell has lost its metadata, so its test is no longer graded: said too
    assert problems[1] == (f"F:{line}: cell defines test_area but has no nbgrader metadata, so it is not graded; "
                           'mark it "grade": true, "locked": true with points')


def test_indented_cell_marker(tmp_path):
    source = ALPHA.replace("    return 2 * x\n", "    return 2 * x\n    # %% not a cell\n")
    problems = _problems(tmp_path, source)
    line = source.splitlines().index("    # %% not a cell") + 1
    assert problems == [f"F:{line}: indented '# %%': jupytext treats it as a cell break and splits the code "
                        "there; write '# %%' at column 0, or reword the comment"]


def test_unbalanced_and_misplaced_solution_markers(tmp_path):
    source = ALPHA.replace("    ### END SOLUTION\n\n\nclass Box", "\n\nclass Box", 1)
    problems = _problems(tmp_path, source)
    lines = source.splitlines()
    first = lines.index("        ### BEGIN SOLUTION") + 1  # inside Box.area, after the unclosed one
    opened = lines.index("    ### BEGIN SOLUTION") + 1
    assert problems == [f"F:{first}: '### BEGIN SOLUTION' before '### END SOLUTION' closes the block opened at "
                        f"F:{opened}"]
    source = ALPHA.replace("import math\n", "import math\n### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n")
    problems = _problems(tmp_path, source)
    line = source.splitlines().index("### BEGIN SOLUTION") + 1
    assert problems == [f"F:{line}: '### BEGIN SOLUTION' in a cell without \"solution\": true; "
                        "nbgrader would leave the answer in the student version"]
    source = ALPHA.replace("def test_double():", "### END SOLUTION\ndef test_double():")
    problems = _problems(tmp_path, source)
    line = source.splitlines().index("### END SOLUTION") + 1
    assert problems == [f"F:{line}: '### END SOLUTION' without a matching opening marker"]


def test_duplicate_grade_id_and_missing_points(tmp_path):
    source = ALPHA.replace('"grade_id": "test-area", "locked": true, "points": 10',
                           '"grade_id": "test-double", "locked": true')
    problems = _problems(tmp_path, source)
    assert len(problems) == 2
    assert "duplicate grade_id 'test-double' (first used at F:" in problems[0]
    assert "graded cell 'test-double' has no points" in problems[1]


def test_graded_cell_that_never_calls_its_test(tmp_path):
    source = ALPHA.replace("\ntest_area()\n", "\n")
    problems = _problems(tmp_path, source)
    assert len(problems) == 1
    assert problems[0].endswith("graded cell 'test-area' defines test_area() but never calls it, so its points "
                                "cannot be lost; add `test_area()` at the end of the cell")


def test_missing_default_exp_and_disagreement(tmp_path):
    problems = _problems(tmp_path, ALPHA.replace("#| default_exp core.alpha\n", ""))
    assert problems == ["F:1: no `#| default_exp core.<name>` line; add it to the first code cell"]
    problems = _problems(tmp_path, ALPHA, yaml_exports="tinytorch.core.other")
    assert len(problems) == 1 and "default_exp core.alpha disagrees with module.yaml" in problems[0]


def test_syntax_error_in_code_cell(tmp_path):
    source = ALPHA.replace("ANSWER = 42", "ANSWER = (42")
    problems = _problems(tmp_path, source)
    assert len(problems) == 1 and "code cell does not parse" in problems[0]


def test_metadata_on_a_plain_cell_is_reported(tmp_path):
    source = ALPHA.replace(nb(grade_id="alpha-imports", locked=True), nb(grade_id="alpha-imports"))
    problems = _problems(tmp_path, source)
    assert len(problems) == 1
    assert problems[0].startswith("F:6: nbgrader metadata on a cell that is neither graded, a solution nor locked")


def test_a_hint_that_gives_away_a_solution_line_is_reported(tmp_path):
    solution = "    clipped = np.clip(values, lower, upper)"
    source = ALPHA.replace("    return 2 * x\n", f"{solution}\n    return 2 * x\n")
    assert _problems(tmp_path, source) == []  # the line alone, inside its solution: fine
    # the same line inside a longer docstring line, a markdown hint and provided code: all three said
    leaky = (source.replace('"""TODO: return twice x."""', '"""Hint: `clipped = np.clip(values, lower, upper)`."""')
             .replace("# A tiny module for tito's own tests.", "# Try clipped = np.clip(values, lower, upper) here.")
             .replace("_private = 1", "_private = 'clipped = np.clip(values, lower, upper)'"))
    problems = _problems(tmp_path, leaky)
    lines = leaky.splitlines()
    origin = lines.index(solution) + 1
    spots = [n for n, line in enumerate(lines, start=1) if "np.clip(values" in line and n != origin]
    assert len(spots) == 3
    assert problems == [f"F:{n}: gives away the solution line at F:{origin} ('clipped = np.clip(values, lower, "
                        "upper)'); reword it so it teaches the idea without the code" for n in spots]


def test_short_and_comment_solution_lines_are_not_leaks(tmp_path):
    # `return 2 * x` (12 chars) also appears outside; a comment inside a solution is not code
    source = ALPHA.replace("    return 2 * x\n", "    # multiply by two, like return 2 * x\n    return 2 * x\n")
    source = source.replace("_private = 1", "_private = 'return 2 * x  # multiply by two, like return 2 * x'")
    assert _problems(tmp_path, source) == []


def test_uses_must_name_an_earlier_function_or_class(tmp_path):
    header = nb(grade=True, grade_id="test-area", locked=True, points=10)
    assert _problems(tmp_path, ALPHA.replace(header, header + "\n#| uses: double, Box.area")) == []
    source = ALPHA.replace(header, header + "\n#| uses: double, triple")
    line = source.splitlines().index("#| uses: double, triple") + 1
    assert _problems(tmp_path, source) == [f"F:{line}: `#| uses:` names triple, which no earlier cell of this "
                                           "module defines; name the function or class of an earlier step"]
