"""Keep every library qualframe loads off the network: switched off once, before any of them loads.

qualframe promises that nothing leaves the machine unless the researcher configures a remote model
endpoint. Python code can be checked for that, but native libraries decide for themselves, so the
switches are environment variables that the libraries read when they start, and they must be set
before the first import. :func:`go_offline` runs when the ``qualframe`` package is imported, ahead of
every other import of ours, and sets them for this process and every process it starts (Dask
workers, the server's threads). It overrides values set outside qualframe: an ``HF_HUB_OFFLINE=0``
left in a shell profile for other work must not let a transcript's process reach a model hub.

What each switch stops (checked by ``tests/privacy/test_no_egress.py`` under strace):

* ``ORT_DISABLE_TELEMETRY``: ONNX Runtime's native telemetry (1DS), which otherwise starts when
  ``onnxruntime`` is imported, writes a device identifier and an event store under
  ``~/.cache/Microsoft/DeveloperTools/.onnxruntime`` and, some ten seconds later, looks up and posts
  to ``mobile.events.data.microsoft.com``. Its runtime switch
  (``onnxruntime.disable_telemetry_events()``) does not stop the first upload; this variable does,
  but only when it is set before ONNX Runtime loads. :data:`ONNXRUNTIME_PRELOADED` records a process
  in which something imported ``onnxruntime`` before qualframe could set it.
* ``HF_HUB_OFFLINE``, ``TRANSFORMERS_OFFLINE``, ``HF_DATASETS_OFFLINE``: Hugging Face libraries
  (sentence-transformers, transformers, tokenizers) never ask the hub for a model, a newer revision
  or a file; models load from the installed packages only.
* ``HF_HUB_DISABLE_TELEMETRY`` and ``DO_NOT_TRACK``: no usage pings from ``huggingface_hub`` (and
  any other library that honours the common ``DO_NOT_TRACK`` convention).

The other libraries qualframe loads were checked and need nothing: PyTorch, spaCy, Presidio
(qualframe gives it the installed spaCy pipeline and a Public Suffix List that needs no download),
matplotlib, scikit-learn, SQLite/SQLCipher, Dask (a local cluster listens on 127.0.0.1 only), and
uvicorn (it only listens). httpx, used only by the ``llm`` engine, ignores proxy settings for a
loopback endpoint (:mod:`qualframe.coding.engines.llm`).
"""

from __future__ import annotations

import os
import sys

__all__ = ["ONNXRUNTIME_PRELOADED", "SWITCHES", "go_offline", "quiet_onnxruntime"]

#: Environment variables set by :func:`go_offline`, with what each one stops.
SWITCHES: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "ONNX Runtime's native telemetry (device id file and uploads to Microsoft)",
    "HF_HUB_OFFLINE": "Hugging Face hub requests (models load from installed packages only)",
    "TRANSFORMERS_OFFLINE": "transformers' own hub requests",
    "HF_DATASETS_OFFLINE": "datasets' hub requests",
    "HF_HUB_DISABLE_TELEMETRY": "huggingface_hub usage pings",
    "DO_NOT_TRACK": "usage pings of libraries that follow the DO_NOT_TRACK convention",
}

#: True when ``onnxruntime`` was imported before qualframe could switch its telemetry off.
ONNXRUNTIME_PRELOADED = False


def go_offline() -> None:
    """Set every switch in :data:`SWITCHES` to ``1`` for this process and the processes it starts."""
    global ONNXRUNTIME_PRELOADED
    if "onnxruntime" in sys.modules and os.environ.get("ORT_DISABLE_TELEMETRY") != "1":
        ONNXRUNTIME_PRELOADED = True
    for name in SWITCHES:
        os.environ[name] = "1"


def quiet_onnxruntime() -> None:
    """Before an ONNX Runtime session (sentence encoder, speech detector): suppress its telemetry events.

    The environment switch set by :func:`go_offline` did the rest if it came before ONNX Runtime
    loaded; when it did not, a warning says how to run so that it does.
    """
    go_offline()
    try:
        import onnxruntime
    except ImportError:
        return
    disable = getattr(onnxruntime, "disable_telemetry_events", None)
    if disable is not None:
        disable()
    if ONNXRUNTIME_PRELOADED:
        import logging

        logging.getLogger("qualframe").warning(
            "onnxruntime was imported before qualframe, so its start-up telemetry could not be switched "
            "off; import qualframe first, or set ORT_DISABLE_TELEMETRY=1 before starting Python."
        )
