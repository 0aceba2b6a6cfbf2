"""The public API is deliberate: this test changes whenever it does."""

from __future__ import annotations

import qualframe

EXPECTED = [
    "QualframeError",
    "Study",
    "__version__",
    "add_codebook",
    "add_codebook_spec",
    "add_coding",
    "add_theme",
    "agreement_from_file",
    "assign_sources",
    "cooccurrence",
    "evaluate",
    "create_app",
    "framework_matrix",
    "prevalence",
    "pseudonymise",
    "reconcile",
    "run_scenario",
    "saturation",
    "study_reliability",
    "suggest",
    "add_memo",
    "build_demo",
    "buying_cohorts",
    "builtin_spec",
    "case_code_matrix",
    "export",
    "export_project",
    "extract_network",
    "import_cases",
    "import_codings",
    "import_files",
    "import_projects",
    "list_cases",
    "list_codings",
    "list_memos",
    "load_scenario",
    "network_measures",
    "quotes",
    "read_codebook_file",
    "redo",
    "remove_coding",
    "search",
    "set_speaker_role",
    "undo",
    "write_report",
]


def test_public_api_is_pinned() -> None:
    assert sorted(qualframe.__all__) == sorted(EXPECTED)


def test_every_public_name_resolves_and_is_documented() -> None:
    for name in qualframe.__all__:
        value = getattr(qualframe, name)
        if name != "__version__":
            assert value.__doc__, f"{name} has no docstring"
