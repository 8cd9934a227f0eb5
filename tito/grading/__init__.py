"""The instructor pipeline: notebooks, nbgrader release, verification, autograding, feedback, reports.

Every module here that imports nbgrader does so through `tito.grading.nbg`, and only the
commands that need it import these modules, so `tito --help` stays fast.
"""
