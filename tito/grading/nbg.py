"""The one place that talks to nbgrader: course directories, configuration, API and gradebook.

Two start-up costs of nbgrader are avoided here, with the same results:
- jsonschema imports `rfc3987_syntax` when it is installed and builds a grammar for the
  "iri" string format (about 1.3 s); notebooks never use that format, so it is skipped.
- a new gradebook asks for the alembic head revision by running `alembic heads` in a
  subprocess (about 3 s, and it fails when the venv's bin/ is not on PATH); the same
  revision is read in-process from nbgrader's migration scripts.
- the gradebook is SQLite, committed dozens of times per submission; in WAL mode with
  synchronous=NORMAL a commit does not wait for the disk twice (a crash loses no data and
  cannot corrupt the file; a power cut may lose the last commits, and .tito/backups has
  the gradebook from before the batch).
- nbgrader checks every cell's metadata with `jsonschema.validate`, which validates the
  schema itself each time (about a third of autograding's own time); the same check is made
  with one validator per schema.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tito.errors import TitoError

CONFIG_FILE = "nbgrader_config.py"
COURSE_DIR = "modules"  # CourseDirectory.root, relative to the repository root
DIRECTORIES = {
    "source_directory": "source",
    "release_directory": "release",
    "submitted_directory": "submitted",
    "autograded_directory": "autograded",
    "feedback_directory": "feedback",
}
GRADEBOOK = "gradebook.db"
SANDBOX_EXECUTE = "tito.grading.preprocessors.SandboxExecute"
RESTORE_LOCKED = "tito.grading.preprocessors.RestoreLockedCells"


@dataclass(frozen=True)
class CoursePaths:
    root: Path  # the repository root

    @property
    def course(self) -> Path:
        return self.root / COURSE_DIR

    @property
    def source(self) -> Path:
        return self.course / DIRECTORIES["source_directory"]

    @property
    def release(self) -> Path:
        return self.course / DIRECTORIES["release_directory"]

    @property
    def submitted(self) -> Path:
        return self.course / DIRECTORIES["submitted_directory"]

    @property
    def autograded(self) -> Path:
        return self.course / DIRECTORIES["autograded_directory"]

    @property
    def feedback(self) -> Path:
        return self.course / DIRECTORIES["feedback_directory"]

    @property
    def gradebook(self) -> Path:
        return self.course / GRADEBOOK

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"


def _fast_imports() -> None:
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # import now raises ImportError: format skipped


@functools.lru_cache(maxsize=None)
def alembic_head() -> str:
    """The gradebook schema revision nbgrader stamps new databases with, read in-process."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader import dbutil

    config = Config()
    config.set_main_option("script_location", dbutil.ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


def _cached_schema_validation() -> None:
    import types

    import jsonschema
    from nbgrader.nbgraderformat import common

    if getattr(common.jsonschema, "tito_cached", False):
        return
    validators: dict[str, object] = {}

    def validate(instance, schema):
        key = json.dumps(schema, sort_keys=True)
        validator = validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate, tito_cached=True)


def _sqlite_pragmas() -> None:
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(_sqlite_pragmas, "done", False):
        return

    @event.listens_for(Engine, "connect")
    def wal(connection, _record):
        if isinstance(connection, sqlite3.Connection):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")  # a reader (report) never fails on the writer
            cursor.close()

    _sqlite_pragmas.done = True


def nbgrader_modules():
    """Import nbgrader (once per process) with the start-up fixes above."""
    _fast_imports()
    import warnings

    # nbgrader's gradebook trips SQLAlchemy's autoflush warnings on every autograde; they are
    # about nbgrader's internals, not the course, and bury the useful output.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    import nbgrader.api

    if nbgrader.api.get_alembic_version is not alembic_head:
        nbgrader.api.get_alembic_version = alembic_head
    _cached_schema_validation()
    _sqlite_pragmas()
    return nbgrader


def config_problems(root: Path) -> list[str]:
    """Where the committed nbgrader_config.py disagrees with the directories tito uses."""
    _fast_imports()
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    path = root / CONFIG_FILE
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except ConfigFileNotFound:
        return [f"{path}: missing; tito needs it to run nbgrader"]
    except Exception as exc:  # a syntax error or the like in the instructor's config
        return [f"{path}: cannot be loaded: {type(exc).__name__}: {exc}"]
    course = config.CourseDirectory
    expected = {"root": COURSE_DIR, **DIRECTORIES}
    problems = []
    for key, value in expected.items():
        actual = course.get(key, None)
        if actual != value:
            problems.append(f"{path}: CourseDirectory.{key} is {actual!r} but tito uses {value!r}")
    if "*.py" not in (course.get("ignore", None) or []):
        problems.append(f"{path}: CourseDirectory.ignore must contain '*.py', or the solution sources "
                        "would be copied into the release")
    autograde = config.Autograde
    steps = [str(p) for p in (autograde.get("autograde_preprocessors", None) or [])]
    if SANDBOX_EXECUTE not in steps or any(p.endswith(".Execute") and p != SANDBOX_EXECUTE for p in steps):
        problems.append(f"{path}: Autograde.autograde_preprocessors must run {SANDBOX_EXECUTE} and not nbgrader's "
                        "Execute, which runs student code outside the sandbox")
    if RESTORE_LOCKED not in [str(p) for p in (autograde.get("sanitize_preprocessors", None) or [])]:
        problems.append(f"{path}: Autograde.sanitize_preprocessors must include {RESTORE_LOCKED}")
    return problems


def load_config(root: Path):
    """The committed nbgrader configuration, with the course root made absolute."""
    problems = config_problems(root)
    if problems:
        raise TitoError("nbgrader_config.py and tito disagree:\n  " + "\n  ".join(problems),
                        "Restore the committed nbgrader_config.py, or fix the values it names.")
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(CoursePaths(root).course)
    return config


def make_api(root: Path, package_root: Path | None = None, **overrides):
    """nbgrader's own API object for this course; `overrides` are extra config values by section.

    Submissions run in tito's sandbox; their earlier modules come from the student's own
    submissions, else from the course at `package_root` (default: the course itself)."""
    nbgrader_modules()
    from nbgrader.apps import NbGraderAPI

    config = load_config(root)
    paths = CoursePaths(root)
    config.RestoreLockedCells.release_directory = str(paths.release)
    config.SandboxExecute.course_root = str((package_root or root).resolve())
    config.SandboxExecute.submitted_directory = str(paths.submitted)
    for section, values in overrides.items():
        for key, value in values.items():
            setattr(config[section], key, value)
    return NbGraderAPI(config=config)


@contextmanager
def gradebook(root: Path):
    """nbgrader's Gradebook for the course database (created on first use)."""
    nbgrader_modules()
    from nbgrader.api import Gradebook

    paths = CoursePaths(root)
    paths.course.mkdir(parents=True, exist_ok=True)
    with Gradebook(paths.db_url) as gb:
        yield gb


def log_tail(result: dict, lines: int = 8) -> str:
    """What went wrong in an nbgrader API call: its [ERROR] lines and the exception, not a traceback."""
    text = "\n".join(part for part in (result.get("log") or "", result.get("error") or "") if part)
    all_lines = [l.rstrip() for l in text.splitlines() if l.strip()]
    wanted = [l.strip() for l in all_lines
              if l.lstrip().startswith("[ERROR]") or re.match(r"^\s*[\w.]+(Error|Exception|Exit)\b:?", l)]
    return "\n".join(list(dict.fromkeys(wanted or all_lines))[-lines:])
