"""The course lock: one tito command at a time writes the gradebook and the course folders.

An advisory `flock` on `.tito/course.lock`, which the kernel releases when its holder dies,
so a crashed command never blocks the next one; the file also records who holds it, for the
message a second command prints while it waits.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from tito.errors import TitoError

LOCKED_COMMANDS = ("generate", "autograde", "collect", "feedback", "release", "students import")


def lock_path(root: Path) -> Path:
    return root / ".tito" / "course.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(fd: int) -> dict:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict) -> str:
    return f"another tito nbgrader {holder.get('command', 'command')} (pid {holder.get('pid', '?')}) holds the course"


@contextmanager
def course_lock(root: Path, command: str, wait: bool = True, on_wait=None, on_takeover=None):
    """Hold the course lock for `command`. A second holder waits (saying so through `on_wait`),
    or with `wait=False` fails at once; a lock file left by a dead process is taken over."""
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise TitoError(f"{_describe(holder)}.",
                                "Wait for it to finish, or run again without --no-wait to wait.") from None
            if on_wait:
                on_wait(f"{_describe(holder)}; waiting…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        previous = _holder(fd)
        if previous.get("pid") and previous.get("pid") != os.getpid() and not _alive(int(previous["pid"])) \
                and on_takeover:
            on_takeover(f"took over the course lock left by tito nbgrader {previous.get('command', '?')} "
                        f"(pid {previous['pid']}, no longer running)")
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": command,
                                  "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
