"""The test subprocess: runs one module's cells in order and records each graded cell's result.

Started by `tito.runner` as `python -m tito._child SPEC.json` in a fresh interpreter, so
student code never runs inside tito. It imports only the standard library; the student's
code imports numpy and tinytorch itself. Results are appended to a JSON-lines file and
flushed after every cell, so the parent still knows what finished if this process hangs
or dies.
"""

from __future__ import annotations

import builtins
import json
import linecache
import os
import signal
import sys
import time
import traceback
import types


class CellTimeout(BaseException):
    """Raised by the alarm; a BaseException so a student's `except Exception` cannot swallow it."""


def _on_alarm(signum, frame):
    raise CellTimeout()


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _blame(exc: BaseException, own_files: tuple[str, ...]) -> tuple[str, str]:
    """The innermost traceback line that is the student's own code (module source or tinytorch)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename:
        text = (exc.text or "").strip()
        return f"{exc.filename}:{exc.lineno}", text
    for frame in reversed(frames):
        if frame.filename.startswith(own_files):
            return f"{frame.filename}:{frame.lineno}", (frame.line or "").strip()
    if frames:
        frame = frames[-1]
        return f"{frame.filename}:{frame.lineno}", (frame.line or "").strip()
    return "", ""


def classify(exc: BaseException, own_files: tuple[str, ...]) -> dict:
    where, code = _blame(exc, own_files)
    if any(isinstance(e, NotImplementedError) for e in _chain(exc)):
        status, message = "not_implemented", "not implemented yet: fill in the code between the TODO markers"
    elif isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("tinytorch."):
        status = "error"
        message = f"{exc.name} is not exported yet: run `tito export {exc.name.rsplit('.', 1)[-1]}` first"
    elif isinstance(exc, AssertionError):
        status, message = "fail", str(exc) or f"assertion failed: {code}"
    elif isinstance(exc, SystemExit):
        status, message = "error", f"the code called exit({exc.code!r}); tests must not exit the interpreter"
    else:
        status, message = "error", f"{type(exc).__name__}: {exc}"
    return {"status": status, "message": message, "where": where, "code": code}


def run(spec: dict) -> None:
    own_files = tuple(spec["own_files"])
    # The cells run in a real `__main__` module, as in a notebook kernel or a script, so that
    # what they define can be pickled by reference (multiprocessing needs that).
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    namespace = main.__dict__
    can_alarm = hasattr(signal, "setitimer")
    if can_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
    with open(spec["results"], "a", encoding="utf-8") as out:
        for index, cell in enumerate(spec["cells"]):
            filename, code = cell["filename"], cell["code"]
            if cell["virtual"]:  # notebook cells: let tracebacks show their lines
                linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
            padded = "\n" * (cell["first_line"] - 1) + code
            record = {"index": index, "status": "pass", "message": "", "where": "", "code": ""}
            start = time.perf_counter()
            try:
                compiled = compile(padded, filename, "exec")
                if can_alarm:
                    signal.setitimer(signal.ITIMER_REAL, spec["cell_timeout"])
                try:
                    exec(compiled, namespace)
                finally:
                    if can_alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
            except CellTimeout:
                record.update(status="timeout",
                              message=f"timed out after {spec['cell_timeout']:g}s (an infinite loop, or far too slow)")
            except (Exception, SystemExit) as exc:
                record.update(classify(exc, own_files))
            record["seconds"] = round(time.perf_counter() - start, 4)
            out.write(json.dumps(record) + "\n")
            out.flush()


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    sys.argv = [spec["argv0"]]
    os.chdir(spec["cwd"])
    run(spec)


if __name__ == "__main__":
    main()
