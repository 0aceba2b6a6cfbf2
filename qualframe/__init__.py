"""qualframe: framework-guided qualitative analysis of interview studies.

A library first: everything the command line and the web workbench do is a function here. Names
are loaded on first use, so ``import qualframe`` stays fast::

    >>> import qualframe as qf
    >>> qf.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

# First of all: switch third-party libraries off the network before any of them can load.
from qualframe.offline import go_offline as _go_offline

_go_offline()

__version__ = "0.1.0"

#: Public name -> module that defines it. tests/test_exported_members.py pins this list.
_EXPORTS = {
    "Study": "qualframe.store.study",
    "QualframeError": "qualframe.errors",
    "import_files": "qualframe.sources",
    "set_speaker_role": "qualframe.sources",
    "import_cases": "qualframe.cases",
    "list_cases": "qualframe.cases",
    "builtin_spec": "qualframe.codebook.service",
    "read_codebook_file": "qualframe.codebook.service",
    "add_codebook": "qualframe.codebook.service",
    "add_codebook_spec": "qualframe.codebook.service",
    "add_coding": "qualframe.coding.manual",
    "add_memo": "qualframe.memos",
    "list_memos": "qualframe.memos",
    "import_codings": "qualframe.coding.manual",
    "list_codings": "qualframe.coding.manual",
    "remove_coding": "qualframe.coding.manual",
    "undo": "qualframe.coding.manual",
    "redo": "qualframe.coding.manual",
    "quotes": "qualframe.coding.retrieval",
    "search": "qualframe.coding.retrieval",
    "case_code_matrix": "qualframe.analysis.matrix",
    "framework_matrix": "qualframe.analysis.framework_matrix",
    "study_reliability": "qualframe.analysis.reliability",
    "agreement_from_file": "qualframe.analysis.agreement",
    "add_theme": "qualframe.analysis.themes",
    "prevalence": "qualframe.analysis.prevalence",
    "cooccurrence": "qualframe.analysis.cooccurrence",
    "saturation": "qualframe.analysis.saturation",
    "assign_sources": "qualframe.coding.team",
    "reconcile": "qualframe.coding.team",
    "create_app": "qualframe.web.app",
    "suggest": "qualframe.coding.suggest",
    "evaluate": "qualframe.evaluation.run",
    "extract_network": "qualframe.network.ties",
    "network_measures": "qualframe.network.measures",
    "buying_cohorts": "qualframe.network.cohorts",
    "pseudonymise": "qualframe.privacy.service",
    "load_scenario": "qualframe.simulate",
    "run_scenario": "qualframe.simulate",
    "export": "qualframe.exports",
    "export_project": "qualframe.exchange",
    "import_projects": "qualframe.exchange",
    "write_report": "qualframe.report.build",
    "build_demo": "qualframe.demo",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qualframe' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
