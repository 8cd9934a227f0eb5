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

# Student code never runs in a Jupyter kernel with the instructor's rights: tito's executor
# runs it in a bubblewrap sandbox, in the place of nbgrader's Execute (docs/grading.md).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "tito.grading.preprocessors.RestoreLockedCells",  # deleted or renamed locked cells come back
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "tito.grading.preprocessors.SandboxExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# RestoreLockedCells puts missing locked cells back where they stood (nbgrader's own
# add_missing_cells fails on a notebook whose deleted cell follows a non-graded locked cell).
c.OverwriteCells.add_missing_cells = False
c.RestoreLockedCells.release_directory = "modules/release"

# Limits of one submission's run; `tito nbgrader autograde --help` shows the same as options.
c.SandboxExecute.memory_mb = 4096  # address space per process
c.SandboxExecute.processes = 256
c.SandboxExecute.output_mb = 10  # kept per cell; the rest is cut with a note
c.SandboxExecute.cpu_seconds = 1800
c.SandboxExecute.wall_seconds = 600
c.SandboxExecute.cell_timeout = 60  # the same as `tito module test`, so local and graded agree

# Feedback never shows hidden tests (nbgrader's default feedback does).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "tito.grading.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
