"""A small study for the analysis pages: four cases with attributes, two coders, a theme, markup.

Built from the workbench's template study (one transcript, P01) in a second or two, so the
analysis pages are tested without the demo: three more transcripts, the cases' attributes,
codings by ``tester`` everywhere and by ``sam`` on P01 and P02 (partly agreeing), and a theme.
P04 and one case attribute hold markup, to prove every page shows it as text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from qualframe.analysis.themes import add_theme
from qualframe.cases import import_cases
from qualframe.coding.manual import add_coding
from qualframe.imports import import_files
from qualframe.store.study import Study

EVIL = "<script>alert('x')</script>"
THEME = "Keeping the group together"

TRANSCRIPTS = {
    "P02": """[00:00:03] Interviewer: Who do you buy with?

[00:00:08] P02: Me and Shaun put in together, every day. If one of us is short the other covers it.

[00:00:30] Interviewer: Did you ever think of stopping?

[00:00:35] P02: You don't say it out loud. They'd call you a grass if you walked away.
""",
    "P03": """[00:00:02] Interviewer: Tell me about the lads.

[00:00:06] P03: We're all the same, we all look after each other. Nothing bad happens to us.

[00:00:40] Interviewer: And if someone wanted out?

[00:00:44] P03: Gaz would have a word with him. Nobody walks away from the lads.
""",
    "P04": f"""[00:00:01] Interviewer: What did the leaflet say?

[00:00:05] P04: It said {EVIL} on the back, no joke. We put in together for a bag after.

[00:00:20] Interviewer: Would you talk to the group about it?

[00:00:24] P04: You keep it to yourself. Nobody walks away from the lads.
""",
}

CASES = f"""case,pathway,interview_date
P01,without trauma,2023-03-14
P02,with trauma,2023-03-20
P03,without trauma,2023-04-02
P04,{EVIL.replace(",", " ")},2023-04-11
"""

#: (source, code, quote, coder)
CODINGS = [
    ("P02", "Buying together", "Me and Shaun put in together, every day.", "tester"),
    ("P02", "Self-censorship", "You don't say it out loud.", "tester"),
    ("P02", "Direct pressure on dissenters", "They'd call you a grass if you walked away.", "tester"),
    ("P03", "Illusion of invulnerability", "Nothing bad happens to us.", "tester"),
    ("P03", "Self-appointed mindguards", "Gaz would have a word with him.", "tester"),
    ("P03", "Direct pressure on dissenters", "Nobody walks away from the lads.", "tester"),
    ("P04", "Buying together", "We put in together for a bag after.", "tester"),
    ("P04", "Self-censorship", "You keep it to yourself.", "tester"),
    ("P04", "Direct pressure on dissenters", "Nobody walks away from the lads.", "tester"),
    ("P04", "Transactional tie", f"It said {EVIL} on the back", "tester"),
    # sam double-codes P01 and P02: agrees on two passages, cuts one differently, adds one
    ("P01", "Self-censorship", "You don't say you want to stop.", "sam"),
    ("P01", "Direct pressure on dissenters", "They'd call me a grass. Nobody walks away", "sam"),
    ("P02", "Self-censorship", "You don't say it out loud.", "sam"),
    ("P02", "Illusion of unanimity", "If one of us is short the other covers it.", "sam"),
]


def build_analysis_study(template: Path, folder: Path) -> Path:
    """Copy the web template study to ``folder`` and add the analysis material; returns its path."""
    shutil.copytree(template, folder)
    study = Study.open(folder)
    try:
        for name, text in TRANSCRIPTS.items():
            (folder.parent / f"{name}.txt").write_text(text, encoding="utf-8")
        import_files(study, [folder.parent / f"{name}.txt" for name in TRANSCRIPTS], user="tester")
        (folder.parent / "cases.csv").write_text(CASES, encoding="utf-8")
        import_cases(study, folder.parent / "cases.csv", user="tester")
        for source, code, quote, coder in CODINGS:
            add_coding(study, source=source, code=code, quote=quote, coder=coder)
        add_theme(
            study,
            THEME,
            definition=f"Pressure keeps everyone in; doubts stay unsaid. {EVIL}",
            status="reviewed",
            codes=["Self-censorship", "Direct pressure on dissenters", "Self-appointed mindguards"],
            user="tester",
        )
    finally:
        study.close()
    return folder
