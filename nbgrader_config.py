# nbgrader's configuration for the TinyTorch course: run nbgrader (or tito) from this folder.
# tito loads this same file; tests/test_grading_config.py fails if it and tito disagree.
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads the file)

# nbgrader's standard directories, under modules/: the assignment id is the module
# directory name (07_autograd), and submissions live in submitted/<student>/<module>/.
c.CourseDirectory.root = "modules"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# Only notebooks are released and graded: the py:percent sources hold the solutions.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py"]

# A grade cell deleted from a submission is put back and run, so it scores 0 instead of
# keeping a stale grade from an earlier submission.
c.OverwriteCells.add_missing_cells = True

# Student code runs in a kernel subprocess; a cell that runs longer than this fails.
c.Execute.timeout = 120

# Feedback never shows hidden tests (nbgrader's default feedback does).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "tito.grading.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Kernels log only errors: ipykernel otherwise warns about unencrypted TCP on every start,
# although the kernel listens on the loopback interface only.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
