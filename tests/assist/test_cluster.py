"""``suggest --scheduler``: the texts are encoded on a Dask cluster's workers, with the same result."""

from __future__ import annotations

import shutil
from pathlib import Path

from qualframe.coding.engines import encoder
from qualframe.coding.manual import list_codings
from qualframe.coding.suggest import suggest
from qualframe.imports import import_files
from qualframe.store.study import Study


def _suggested(study: Study) -> list[tuple[str, str, int, int, float | None]]:
    return [
        (c.source, c.code, c.start, c.end, c.confidence) for c in list_codings(study, origins=("suggested",))
    ]


def test_suggestions_made_on_a_local_dask_cluster_equal_those_made_here(
    study: Study, corpus: Path, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    # the first twenty turns of a transcript: enough sentences to suggest on, quick to encode
    text = "\n\n".join((corpus / "P03.txt").read_text(encoding="utf-8").split("\n\n")[:20])
    (tmp_path / "P03.txt").write_text(text, encoding="utf-8")
    import_files(study, [tmp_path / "P03.txt"])
    study.close()
    shutil.copytree(study.path, tmp_path / "twin")
    here, there = Study.open(study.path), Study.open(tmp_path / "twin")
    options = {"engine": "embedding", "codes": ["janis-groupthink"], "all_codes": True}
    try:
        encoder.get_encoder()._cache.clear()  # nothing encoded in this process may be reused
        encoder._WORKER_ENCODERS.clear()
        with LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster:
            remote = suggest(there, scheduler=cluster.scheduler_address, **options)
        assert encoder._WORKER_ENCODERS, "the worker encoded the texts"
        encoder.get_encoder()._cache.clear()
        local = suggest(here, **options)
        assert remote.units == local.units > 20 and remote.suggestions == local.suggestions > 0
        assert _suggested(there) == _suggested(here)
    finally:
        here.close()
        there.close()
