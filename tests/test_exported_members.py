"""The public API is deliberate: this test changes whenever it does.

Every public name is pinned with its parameters (names, order, keyword-only marker and defaults), so
a change to what callers write is a visible change here, not an accident. Type checkers see each
name's real signature through the ``TYPE_CHECKING`` imports of ``qualframe/__init__.py``.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import qualframe

#: name -> its parameters as a caller writes them.
SIGNATURES = {
    "NetworkVocabulary": "cohort_cue='', cohort_tie='co-buying', uses_cue='', abstains_cue='', supplier_cue='', supplier_role='dealer', role_words=(), role_nouns=(), role_phrases=(), question_roles=(), cohort_attributes=<factory>, cohort_code=None, phase_cues=()",
    "QualframeError": "message",
    "Study": "path, engine, keys=None",
    "StudyPack": "name, title, description='', codebooks=<factory>, network=<factory>, scenarios=<factory>, not_names=frozenset(), framework_notes=<factory>, demo=None",
    "add_codebook": "study, source, *, name=None, user=None",
    "add_codebook_spec": "session, spec, actor",
    "add_coding": "study, *, source, code, coder=None, quote=None, start=None, end=None, occurrence=None, memo=None",
    "add_memo": "study, target, text, *, title=None, user=None",
    "add_theme": "study, name, *, definition=None, status='candidate', codes=(), colour=None, user=None",
    "agreement_from_file": "codings, *, scheme='auto', resamples=1000, level=0.95, seed=0",
    "assign_sources": "study, sources, coders, *, blind=True, user=None",
    "build_demo": "out, *, force=False, log=<callable>, pack=None",
    "builtin_spec": "name, pack=None",
    "buying_cohorts": "study, *, include_suggested=False",
    "case_code_matrix": "study, *, codebook=None, coder=None",
    "cooccurrence": "study, *, mode='overlap', distance=0, coder=None, min_frequency=1",
    "create_app": "study_path, *, token=None, team=False, host='127.0.0.1', allowed_hosts=()",
    "evaluate": "codebook, units, gold, *, train_units=None, train_labels=None, engine='auto', multi_label=None, params=None, predictions=None, out=None, resamples=1000",
    "export": "study, fmt, out, *, user=None, **options",
    "export_project": "study",
    "extract_network": "study, *, engine='lexicon', cases=None, pipeline=None, params=None, user=None, log=<callable>",
    "framework_matrix": "study, *, by='codes', codebook=None, coder=None",
    "import_cases": "study, path, *, user=None",
    "import_codings": "study, path, *, coder=None",
    "import_files": "study, paths, *, case=None, name=None, group=None, user=None, skip_duplicates=False, sources_folder=None",
    "import_projects": "study, paths, *, user=None, skip_duplicates=False, sources_folder=None",
    "list_cases": "study",
    "list_codings": "study, *, source=None, code=None, coder=None, origins=('manual', 'accepted')",
    "list_memos": "study, target=None, *, viewer=None",
    "load_scenario": "spec",
    "network_measures": "study, *, include_suggested=False",
    "prevalence": "study, *, level='code', by=None, coder=None",
    "pseudonymise": "study, *, key_file, passphrase, names=None, user=None, keep_originals=False, progress=<callable>",
    "quotes": "study, *, code=None, case=None, source=None, coder=None, origins=('manual', 'accepted'), include_children=True, viewer=None",
    "read_codebook_file": "path, name=None, pack=None",
    "register_pack": "pack, *, replace=False",
    "reconcile": "study, source, coders, *, policy=None, decisions=None, consensus='consensus', user=None",
    "redo": "study, *, user=None",
    "remove_coding": "study, coding_id, *, user=None",
    "run_scenario": "scenario, *, engine='numpy', replicates=None, dask=None, progress=False",
    "saturation": "study, *, base=4, run=2, threshold=0.05, orderings=1000, order_by=None, coder=None, codes=None, include_structural=False, seed=0",
    "search": "study, query, *, source=None, limit=200",
    "set_speaker_role": "study, source_name, speaker, role, *, user=None",
    "study_reliability": "study, coders, *, unit='turn', codes=None, scheme='auto', resamples=1000, seed=0, level=0.95",
    "suggest": "study, *, engine='auto', sources=None, codes=None, unit='sentence', multi_label=True, user=None, params=None, min_kappa=0.4, min_examples=8, all_codes=False, roles=('participant',), log=<callable>, scheduler=None",
    "undo": "study, *, user=None",
    "write_report": "study, out, fmt='html', *, user=None",
}


def _spec(value: Any) -> str:
    target = value.__init__ if inspect.isclass(value) else value
    parts: list[str] = []
    star = False
    for p in inspect.signature(target).parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if p.kind is p.VAR_KEYWORD:
            parts.append("**" + p.name)
            continue
        if p.kind is p.VAR_POSITIONAL:
            parts.append("*" + p.name)
            star = True
            continue
        default = (
            "" if p.default is p.empty else "=" + ("<callable>" if callable(p.default) else repr(p.default))
        )
        parts.append(p.name + default)
    return ", ".join(parts)


def test_public_api_is_pinned() -> None:
    assert sorted(qualframe.__all__) == sorted(["__version__", *SIGNATURES])


def test_every_public_name_keeps_its_signature_and_is_documented() -> None:
    for name, expected in SIGNATURES.items():
        value = getattr(qualframe, name)
        assert value.__doc__, f"{name} has no docstring"
        assert _spec(value) == expected, name


def test_type_checkers_see_every_public_name() -> None:
    """The TYPE_CHECKING imports name exactly the public API, from the modules that define it."""
    tree = ast.parse(Path(qualframe.__file__).read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                seen.update({alias.name: imp.module for alias in imp.names})
    assert seen == qualframe._EXPORTS
