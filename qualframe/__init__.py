"""qualframe: framework-guided qualitative analysis of interview studies.

A library first: everything the command line and the web workbench do is a function here. Type
checkers see every public name with its real signature (the ``TYPE_CHECKING`` imports below); at
run time a name is loaded on first use, because loading all of them costs about two CPU-seconds
that every command-line call would pay, and some need an optional extra (``web``, ``sim``)::

    >>> import qualframe as qf
    >>> qf.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; the same names load on first use at run time
    from qualframe.analysis.agreement import agreement_from_file
    from qualframe.analysis.cooccurrence import cooccurrence
    from qualframe.analysis.framework_matrix import framework_matrix
    from qualframe.analysis.matrix import case_code_matrix
    from qualframe.analysis.prevalence import prevalence
    from qualframe.analysis.reliability import study_reliability
    from qualframe.analysis.saturation import saturation
    from qualframe.analysis.themes import add_theme
    from qualframe.cases import import_cases, list_cases
    from qualframe.codebook.service import add_codebook, add_codebook_spec, builtin_spec, read_codebook_file
    from qualframe.coding.manual import add_coding, import_codings, list_codings, redo, remove_coding, undo
    from qualframe.coding.retrieval import quotes, search
    from qualframe.coding.suggest import suggest
    from qualframe.coding.team import assign_sources, reconcile
    from qualframe.demo import build_demo
    from qualframe.errors import QualframeError
    from qualframe.evaluation.run import evaluate
    from qualframe.exchange import export_project, import_projects
    from qualframe.imports import import_files
    from qualframe.memos import add_memo, list_memos
    from qualframe.network.cohorts import buying_cohorts
    from qualframe.network.measures import network_measures
    from qualframe.network.ties import extract_network
    from qualframe.outputs import export, write_report
    from qualframe.pack import NetworkVocabulary, StudyPack, register_pack
    from qualframe.privacy.service import pseudonymise
    from qualframe.simulate import load_scenario, run_scenario
    from qualframe.sources import set_speaker_role
    from qualframe.store.study import Study
    from qualframe.web.app import create_app

# First of all: switch third-party libraries off the network before any of them can load.
from qualframe.offline import go_offline as _go_offline

_go_offline()

__version__ = "0.1.0"

#: Public name -> module that defines it. tests/test_exported_members.py pins this list.
_EXPORTS = {
    "Study": "qualframe.store.study",
    "QualframeError": "qualframe.errors",
    "import_files": "qualframe.imports",
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
    "export": "qualframe.outputs",
    "export_project": "qualframe.exchange",
    "import_projects": "qualframe.exchange",
    "write_report": "qualframe.outputs",
    "build_demo": "qualframe.demo",
    "StudyPack": "qualframe.pack",
    "NetworkVocabulary": "qualframe.pack",
    "register_pack": "qualframe.pack",
}

__all__ = [
    "NetworkVocabulary",
    "QualframeError",
    "Study",
    "StudyPack",
    "__version__",
    "add_codebook",
    "add_codebook_spec",
    "add_coding",
    "add_memo",
    "add_theme",
    "agreement_from_file",
    "assign_sources",
    "build_demo",
    "builtin_spec",
    "buying_cohorts",
    "case_code_matrix",
    "cooccurrence",
    "create_app",
    "evaluate",
    "export",
    "export_project",
    "extract_network",
    "framework_matrix",
    "import_cases",
    "import_codings",
    "import_files",
    "import_projects",
    "list_cases",
    "list_codings",
    "list_memos",
    "load_scenario",
    "network_measures",
    "prevalence",
    "pseudonymise",
    "quotes",
    "read_codebook_file",
    "reconcile",
    "redo",
    "register_pack",
    "remove_coding",
    "run_scenario",
    "saturation",
    "search",
    "set_speaker_role",
    "study_reliability",
    "suggest",
    "undo",
    "write_report",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qualframe' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
