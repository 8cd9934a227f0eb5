"""tito: the TinyTorch course command line (export, test, check, grade, release).

Kept import-light: nothing heavy is imported here, so `tito --help` stays fast and the
in-notebook test runner (`tito.tools.testing`) can be imported from a student's kernel.
"""

__version__ = "0.1.0"
