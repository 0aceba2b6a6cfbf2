"""Dask plumbing for simulator sweeps and assisted coding: connect, map with progress, clean up.

``"local"`` starts a :class:`distributed.LocalCluster` on this machine (one single-threaded worker per
core, since each task is already vectorised); any other string is the address of a running scheduler
(``tcp://host:8786``), for a real cluster; a ready :class:`distributed.Client` is used as is. Dask is
imported only here and only when asked for, so plain runs stay light.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from qualframe.errors import InputError

__all__ = ["ProgressBar", "dask_client", "map_on_dask"]


class ProgressBar:
    """A one-line text progress bar on stderr (no dependency, safe in logs and notebooks)."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0

    def update(self, step: int = 1) -> None:
        """Advance by ``step`` and redraw."""
        self.done += step
        filled = round(self.width * self.done / self.total)
        end = "\n" if self.done >= self.total else ""
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}{end}"
        )
        self.stream.flush()


@contextmanager
def dask_client(
    dask: Any,
    n_workers: int | None = None,
    processes: bool = True,
    *,
    option: str = "--dask",
    warm_up: str = "qualframe.simulate.engine_numpy",
) -> Iterator[Any]:
    """Yield a Dask client for ``"local"``, a scheduler address, or a ready client (left open).

    ``option`` names the command-line option in messages; ``warm_up`` is the module every worker
    imports before the work starts (the simulator's engine, or assisted coding's encoder).
    """
    try:
        from dask import config as dask_config
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the sim extra installs it
        raise InputError("Dask is not installed: install qualframe[sim] to use --dask") from None
    if isinstance(dask, Client):
        yield dask
        return
    if not isinstance(dask, str) or not dask:
        raise InputError(f"{option} must be 'local' or a scheduler address, got {dask!r}")
    if dask == "local":
        workers = n_workers or max(1, os.cpu_count() or 1)
        # Dask sets MALLOC_TRIM_THRESHOLD_ for its workers, and setting it switches off glibc's dynamic
        # mmap threshold: every megabyte array the engine allocates each week is then a fresh mmap,
        # page faults included, which made workers 2-3x slower. Leave glibc's defaults alone.
        environ = {
            key: value
            for key, value in dask_config.get("distributed.nanny.pre-spawn-environ", {}).items()
            if key != "MALLOC_TRIM_THRESHOLD_"
        }
        try:
            # the workers' statistical profiler samples every 10 ms, costly next to array-heavy tasks
            settings = {
                "distributed.nanny.pre-spawn-environ": environ,
                "distributed.worker.profile.enabled": False,
            }
            with dask_config.set(settings):
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=":0",  # any free port: never collides with another cluster
                    silence_logs=logging.ERROR,
                )
        except RuntimeError as exc:
            raise InputError(
                f"could not start local Dask workers ({exc}); in a Python script, run the simulation "
                "under `if __name__ == '__main__':`, or run without Dask"
            ) from None
        client = Client(cluster)
        try:
            client.run(importlib.import_module, warm_up)
            yield client
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = Client(dask, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {dask!r}: {exc}") from None
    try:
        # every worker imports the code now, so start-up is not counted as the work's time
        client.run(importlib.import_module, warm_up)
        yield client
    finally:
        client.close()


def map_on_dask(
    client: Any,
    function: Callable[..., Any],
    items: Sequence[Any],
    label: str,
    progress: bool = True,
) -> list[Any]:
    """``[function(item) for item in items]`` on the cluster, in order, with a progress bar."""
    from distributed import as_completed

    futures = client.map(function, items, pure=False)
    index = {future.key: i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(items)
    bar = ProgressBar(label, len(items)) if progress else None
    for future in as_completed(futures):
        results[index[future.key]] = future.result()
        if bar is not None:
            bar.update()
    return results
