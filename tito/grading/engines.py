"""Where sandboxed executions run: threads on this machine, or a Dask distributed cluster.

Only execution fans out. Each job carries what it needs (tito/grading/sandboxed.py `Job`),
and its result, plain data, comes back to the one process that writes the gradebook.
Both engines hand back futures with `.done()` and `.result()`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from tito.errors import TitoError


class LocalEngine:
    """N executions at once on this machine. Threads are enough: each one only waits for its
    sandboxed process."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)
        self.pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="tito-exec")
        self.where = f"{self.jobs} at a time on this machine"

    def submit(self, key: str, job):
        from tito.grading.sandboxed import run_job

        return self.pool.submit(run_job, job)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """The same executions on a Dask cluster (`dask scheduler`, then `dask worker ADDRESS` on each
    machine with the course's environment). A worker that dies mid-task has its tasks run again
    elsewhere by the scheduler; each result is still applied once, by the key of its student."""

    def __init__(self, address: str, timeout: float = 20):
        try:
            from distributed import Client
        except ImportError:
            raise TitoError("--scheduler needs Dask distributed, which is not installed.",
                            "pip install -e '.[cluster]' (or pip install distributed)") from None
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise TitoError(f"Cannot reach the Dask scheduler at {address}: {exc}.",
                            "Start one with `dask scheduler`, and workers with `dask worker ADDRESS`.") from None
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.where = f"on the Dask cluster at {address} ({workers} worker(s))"

    def submit(self, key: str, job):
        from tito.grading.sandboxed import run_job

        # a key of its own per run and student: Dask never mixes two runs' results
        return self.client.submit(run_job, job, key=f"tito-{key}-{os.urandom(4).hex()}", pure=False)

    def close(self) -> None:
        self.client.close()


def make_engine(jobs: int | None, scheduler: str | None):
    if scheduler:
        return DaskEngine(scheduler)
    return LocalEngine(jobs or os.cpu_count() or 1)
