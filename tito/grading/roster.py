"""`tito nbgrader students import roster.csv`: the class list, into nbgrader's gradebook.

Names and emails then show in reports, formgrader and the CSV export, and a submission from
an id that is not on the roster is flagged when it is graded.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from tito.errors import TitoError
from tito.grading.nbg import gradebook

COLUMNS = {"id": ("id", "student", "student_id", "student id"), "first_name": ("first_name", "first name", "first"),
           "last_name": ("last_name", "last name", "last"), "email": ("email", "e-mail", "mail")}


def roster_path(root: Path) -> Path:
    return root / ".tito" / "roster.json"


def roster_ids(root: Path) -> set[str] | None:
    """The ids on the imported roster, or None when no roster was imported."""
    try:
        return set(json.loads(roster_path(root).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def read_roster(path: Path) -> list[dict]:
    """Rows of id, first_name, last_name, email; an error names the file and line."""
    from tito.grading.autograde import student_id_problem

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TitoError(f"{path} does not exist.") from None
    except UnicodeDecodeError as exc:
        raise TitoError(f"{path}: not UTF-8 text ({exc.reason}).", "Save the roster as UTF-8 CSV.") from None
    reader = csv.DictReader(text.splitlines())
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    found = {}
    for key, names in COLUMNS.items():
        found[key] = next((header[n] for n in names if n in header), None)
    if found["id"] is None:
        raise TitoError(f"{path}:1: no id column (found: {', '.join(reader.fieldnames or []) or 'nothing'}).",
                        "The first line must name the columns: id,first_name,last_name,email")
    rows, seen, problems = [], set(), []
    for number, row in enumerate(reader, start=2):
        student = (row.get(found["id"]) or "").strip()
        problem = student_id_problem(student)
        if problem or student in seen:
            problems.append(f"{path}:{number}: {problem or f'student {student!r} is listed twice'}")
            continue
        seen.add(student)
        rows.append({"id": student, **{k: (row.get(found[k]) or "").strip() or None
                                       for k in ("first_name", "last_name", "email") if found[k]}})
    if problems:
        raise TitoError("The roster has problems, so nothing was imported:\n  " + "\n  ".join(problems[:20]),
                        "Fix those lines and import again.")
    return rows


def import_roster(root: Path, path: Path) -> tuple[int, int]:
    """Create or update each student; returns (new, updated)."""
    rows = read_roster(path)
    new = updated = 0
    with gradebook(root) as gb:
        known = {s.id for s in gb.students}
        for row in rows:
            fields = {k: v for k, v in row.items() if k != "id"}
            gb.update_or_create_student(row["id"], **fields)
            new, updated = (new + 1, updated) if row["id"] not in known else (new, updated + 1)
    ids = sorted((roster_ids(root) or set()) | {r["id"] for r in rows})
    target = roster_path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(ids, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)
    return new, updated
