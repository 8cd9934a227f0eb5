"""The one executor for student code, used by `tito module test`, autograding and verify.

`execute(cells, package)` runs a notebook's (or py:percent source's) code cells in order in
a fresh interpreter inside the sandbox (tito/sandbox.py) and returns one outcome per cell.
The harness (tito/harness.py) reports over a pipe; this side enforces the wall-time limits
from outside, so no `except:` in student code can swallow them.

When the process dies (a timeout, `os._exit`, a crash, a kill), the cell that was running
gets 0 with the reason and the line, the cells that finished keep their results, and a new
process runs the cells after it (the setup cells before it run again; finished and crashed
cells do not). Nothing a student does can cost the points of tests that already passed.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tito.errors import TitoError
from tito.sandbox import SANDBOX_ROOT, Limits, bwrap_args, count_user_tasks, find_bwrap, is_privileged, \
    sandbox_problem

HARNESS = Path(__file__).with_name("harness.py")
GRACE_SECONDS = 5.0  # after a cell's own limit, before the executor kills the process itself
MAX_RESTARTS = 25
DUMP_FRAME_RE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)')
STARTED = "started"


@dataclass
class CellSpec:
    code: str
    filename: str  # what tracebacks and messages call this cell's file
    first_line: int = 1  # line of the cell's first source line in that file
    graded: bool = False
    locked: bool = False  # the harness compiles locked cells itself and guards what they define


@dataclass
class CellOutcome:
    status: str  # pass, fail, not_implemented, error, timeout, tampered, not_run
    message: str = ""
    where: str = ""
    code: str = ""
    seconds: float = 0.0
    output: str = ""
    stopped: bool = False  # the process died in this cell (a limit, an exit, a crash)

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass
class Execution:
    outcomes: list[CellOutcome]
    sandboxed: bool
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    process_output: str = ""
    restarts: int = 0
    sandbox_seconds: float = 0.0  # time from launch to the harness's first record, summed over processes


def sandbox_mode(required: bool, unsafe: bool) -> tuple[bool, str | None]:
    """(use a sandbox?, a note for the user). Raises when a required sandbox cannot be made."""
    if unsafe:
        return False, "running without a sandbox (--unsafe-no-sandbox): student code has your rights"
    problem = sandbox_problem()
    if problem is None:
        return True, None
    if required:
        raise TitoError(f"No sandbox can be made on this machine: {problem}.",
                        "Grading runs untrusted code only in a sandbox. Fix that, or pass --unsafe-no-sandbox "
                        "if you trust every submission.")
    return False, f"no sandbox on this machine ({problem}); your code runs with your own rights"


class _Run:
    """One process: launch, read its records, enforce the limits, classify how it ended."""

    def __init__(self, cells, skip, package, files, limits, sandboxed, deadline):
        self.cells, self.skip, self.limits, self.sandboxed, self.deadline = cells, skip, limits, sandboxed, deadline
        self.tmp = Path(tempfile.mkdtemp(prefix="tito-run-"))
        self.package, self.files = package, files
        self.records: dict[int, dict] = {}
        self.exits: dict[int, dict] = {}
        self.current: int | None = None
        self.current_start = 0.0
        self.done = self.forged = False
        self.killed: str | None = None
        self.output = bytearray()
        self.output_dropped = 0
        self.first_record_after: float | None = None

    # paths as the harness sees them
    def inside(self, host: Path) -> str:
        return str(host).replace(str(self.tmp), SANDBOX_ROOT, 1) if self.sandboxed else str(host)

    def prepare(self) -> tuple[list[str], dict, int]:
        pkg, work = self.tmp / "pkg", self.tmp / "work"
        for rel, data in self.package.items():
            path = pkg / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        work.mkdir(parents=True, exist_ok=True)
        for rel, data in (self.files or {}).items():
            path = work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        uid = None
        if self.sandboxed and is_privileged():
            uid = random.randint(2_000_000, 2_900_000)  # a user of its own: the process limit counts only it
            for path in [self.tmp, *self.tmp.rglob("*")]:
                os.chown(path, uid, uid, follow_symlinks=False)
            nproc = self.limits.processes
        else:
            nproc = count_user_tasks(os.getuid()) + self.limits.processes
        read_fd, write_fd = os.pipe()
        self.nonce = secrets.token_hex(16)
        spec = {
            "cells": [{"code": c.code, "filename": c.filename, "first_line": c.first_line, "graded": c.graded,
                       "locked": c.locked or c.graded, "skip": i in self.skip} for i, c in enumerate(self.cells)],
            "own_files": sorted({c.filename for c in self.cells} | {self.inside(pkg) + "/"}),
            "result_fd": write_fd, "nonce": self.nonce, "cell_timeout": self.limits.cell_timeout, "dump_path": self.inside(self.tmp / "dump.txt"),
            "limits": {"memory_mb": self.limits.memory_mb, "nproc": nproc, "processes": self.limits.processes,
                       "cpu_seconds": self.limits.cpu_seconds, "output_bytes": int(self.limits.output_mb * 2**20)},
            "uid": uid, "cwd": self.inside(work), "sys_path": [self.inside(pkg)], "argv0": self.cells[0].filename
            if self.cells else "notebook",
        }
        env = {"PATH": "/usr/bin:/bin", "HOME": self.inside(work), "LANG": "C.UTF-8", "TMPDIR": "/tmp",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg",
               # One BLAS thread: threaded BLAS waiting for a busy core is many times slower here.
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if self.sandboxed:
            argv = bwrap_args(find_bwrap(), self.tmp, HARNESS, env, is_privileged())
            argv += [sys.executable, "-I", "/opt/tito/harness.py"]
        else:
            if os.environ.get("TMPDIR"):
                env["TMPDIR"] = os.environ["TMPDIR"]
            argv = [sys.executable, "-I", str(HARNESS)]
        self.env = env
        return argv, spec, read_fd

    def run(self) -> None:
        argv, spec, read_fd = self.prepare()
        write_fd = spec["result_fd"]
        launched = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                pass_fds=(write_fd,), env=self.env if not self.sandboxed else {"PATH": "/usr/bin:/bin"},
                                start_new_session=True)
        os.close(write_fd)
        try:
            proc.stdin.write(json.dumps(spec).encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        out_fd = proc.stdout.fileno()
        buffer = b""
        open_fds = {read_fd, out_fd}
        cap = int(self.limits.output_mb * 2**20)
        while open_fds:
            now = time.perf_counter()
            waits = [self.deadline - now]
            if self.current is not None:
                waits.append(self.current_start + self.limits.cell_timeout + GRACE_SECONDS - now)
            ready, _, _ = select.select(list(open_fds), [], [], max(0.0, min(waits)))
            if not ready:
                self.killed = "wall" if time.perf_counter() >= self.deadline else "cell"
                self._kill(proc)
                continue
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_fds.discard(fd)
                    continue
                if fd == out_fd:
                    room = cap - len(self.output)
                    self.output += chunk[:max(room, 0)]
                    self.output_dropped += max(0, len(chunk) - max(room, 0))
                    continue
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if self.first_record_after is None:
                        self.first_record_after = time.perf_counter() - launched
                    self._record(line)
        os.close(read_fd)
        proc.stdout.close()
        self.returncode = proc.wait()
        if self.sandboxed and self.returncode > 128 and not self.killed:
            self.returncode = 128 - self.returncode  # bwrap, as init, reports a signal N as 128 + N
        self.dump = (self.tmp / "dump.txt").read_text(encoding="utf-8", errors="replace") \
            if (self.tmp / "dump.txt").exists() else ""
        self.pkg_dir = self.tmp / "pkg"

    def _kill(self, proc) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()

    def _record(self, line: bytes) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            self.forged = True
            return
        if not isinstance(record, dict) or record.get("nonce") != self.nonce:
            self.forged = True
            return
        event, index = record.get("event"), record.get("index")
        if event == "start":
            if index in self.records or index in self.skip or self.current is not None:
                self.forged = True
            self.current, self.current_start = index, time.perf_counter()
            self.records[index] = {"status": STARTED}
        elif event == "end":
            if index != self.current:
                self.forged = True
            for key in ("where", "message"):
                record[key] = self.relative(str(record.get(key, "")))
            self.records[index] = record
            self.current = None
        elif event == "exit":
            record["where"] = self.relative(str(record.get("where", "")))
            self.exits[index] = record
        elif event == "done":
            self.done = True

    def relative(self, text: str) -> str:
        """Package paths as `tinytorch/...`, whichever folder the package was in for this run."""
        return text.replace(self.inside(self.tmp / "pkg") + "/", "")

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _death(run: _Run, index: int, cells: list[CellSpec], limits: Limits) -> CellOutcome:
    """Why the process stopped while `index` was running, and on which line."""
    where, code = _dump_location(run, cells)
    if run.killed == "wall":
        return CellOutcome("timeout", f"timed out: the whole run took longer than {limits.wall_seconds:g}s "
                                      "(the wall-time limit)", where, code)
    if run.killed == "cell" or "Timeout (" in run.dump:
        at = f" while running {where}" if where else ""
        return CellOutcome("timeout", f"timed out after {limits.cell_timeout:g}s{at} (an infinite loop, or far "
                                      "too slow)", where, code)
    if index in run.exits:
        exit_ = run.exits[index]
        at = str(exit_.get("where", ""))
        file, _, number = at.rpartition(":")
        line = _source_line(run, cells, file, int(number)) if number.isdigit() else ""
        return CellOutcome("error", f"the code called os._exit({exit_.get('code')!r}) at {at}; "
                                    "tests must not end the process", at, line)
    if run.returncode < 0:
        name = _signal_name(run.returncode)
        if name == "SIGXCPU":
            why = f"the CPU-time limit ({limits.cpu_seconds:g}s) was reached"
        elif name == "SIGKILL":
            why = f"the process was killed (SIGKILL), most often for using more than {limits.memory_mb:g} MB"
        else:
            why = f"the process crashed ({name})"
        return CellOutcome("error", why + (f" while running {where}" if where else ""), where, code)
    at = f" while running {where}" if where else " while running this cell"
    return CellOutcome("error", f"the process exited (exit code {run.returncode}){at}; "
                                "tests must not end the process", where, code)


def _source_line(run: _Run, cells: list[CellSpec], file: str, number: int) -> str:
    """Line `number` of a cell's file or of a package file, as the student wrote it."""
    for cell in cells:
        if cell.filename == file and cell.first_line <= number < cell.first_line + cell.code.count("\n") + 1:
            return cell.code.splitlines()[number - cell.first_line].strip()
    if file.startswith("tinytorch/"):
        try:
            return (run.pkg_dir / file).read_text(encoding="utf-8").splitlines()[number - 1].strip()
        except (OSError, IndexError):
            return ""
    return ""


def _dump_location(run: _Run, cells: list[CellSpec]) -> tuple[str, str]:
    """The most recent frame of the student's own code in faulthandler's dump."""
    own = {c.filename for c in cells}
    for line in run.dump.splitlines():
        match = DUMP_FRAME_RE.match(line)
        if not match:
            continue
        file, number = run.relative(match["file"]), int(match["line"])
        if file in own or file.startswith("tinytorch/"):
            return f"{file}:{number}", _source_line(run, cells, file, number)
    return "", ""


def execute(cells: list[CellSpec], package: dict[str, bytes], files: dict[str, bytes] | None = None,
            limits: Limits | None = None, sandboxed: bool = True) -> Execution:
    """Run `cells` in order; one outcome per cell. `package` (relative path -> bytes) is put on
    the student code's import path; `files` go into its working folder."""
    limits = limits or Limits()
    started = time.perf_counter()
    deadline = started + limits.wall_seconds
    outcomes: dict[int, CellOutcome] = {}
    execution = Execution([], sandboxed)
    output, dropped = b"", 0
    skip: set[int] = set()
    while True:
        run = _Run(cells, skip, package, files, limits, sandboxed, deadline)
        try:
            run.run()
            for index, record in run.records.items():
                if record["status"] != STARTED:
                    outcomes[index] = CellOutcome(record["status"], record.get("message", ""),
                                                  record.get("where", ""), record.get("code", ""),
                                                  record.get("seconds", 0.0), record.get("output", ""))
            output += bytes(run.output)
            dropped += run.output_dropped
            if run.first_record_after is not None:
                execution.sandbox_seconds += run.first_record_after
            if run.forged:
                for index, cell in enumerate(cells):
                    if cell.graded:
                        outcomes[index] = CellOutcome("tampered", "tampering detected: something other than the "
                                                                  "harness wrote to its results channel")
                execution.notes.append("tampering detected: forged result records")
                break
            if run.done:
                break
            running = run.current
            if running is None:
                pending = [i for i in range(len(cells)) if i not in outcomes and i not in skip]
                if not run.records:  # the harness never started: a broken sandbox or interpreter
                    text = bytes(run.output).decode(errors="replace").strip()
                    message = "the test process could not start" + (f": {text[-500:]}" if text else "")
                    for index in pending:
                        outcomes[index] = CellOutcome("error", message)
                    break
                if not pending:
                    break
                running = pending[0]
            outcomes[running] = _death(run, running, cells, limits)
            outcomes[running].stopped = True
            # finished tests and the cell that stopped the process are not run again; setup cells are
            skip |= {i for i in outcomes if cells[i].graded} | {running}
            if run.killed == "wall" or execution.restarts >= MAX_RESTARTS or time.perf_counter() >= deadline:
                break
            execution.restarts += 1
        finally:
            run.cleanup()
    for index, cell in enumerate(cells):
        if index not in outcomes:
            why = f"the whole run took longer than {limits.wall_seconds:g}s" if time.perf_counter() >= deadline \
                else "the test process stopped too often"
            outcomes[index] = CellOutcome("not_run", f"not run: {why}")
    execution.outcomes = [outcomes[i] for i in range(len(cells))]
    execution.seconds = round(time.perf_counter() - started, 3)
    if dropped:
        output += f"\n[output cut: {dropped:,} more bytes than the limit]\n".encode()
    execution.process_output = output.decode(errors="replace")
    return execution
