"""The demo's pseudonymisation stage: the synthetic transcripts come out with pseudonyms.

The demo corpus contains invented names, nicknames, estates, streets, pubs, phone numbers and dates on
purpose, so that this stage has something to do and the demo report shows pseudonymised quotes.
"""

from __future__ import annotations

from collections.abc import Callable

from qualframe.privacy.service import pseudonymise
from qualframe.store.study import Study

__all__ = ["DEMO_KEY_FILE", "DEMO_PASSPHRASE", "run_demo_stage"]

#: The demo key file's passphrase. It is printed here on purpose: the demo data is synthetic, and
#: this passphrase protects nothing. A real study's passphrase must be chosen by the researcher.
DEMO_PASSPHRASE = "qualframe demo - not a secret"
#: Where the demo keeps its key: in the demo's output folder (a real key belongs elsewhere).
DEMO_KEY_FILE = "pseudonym-key.demo"


def run_demo_stage(study: Study, log: Callable[[str], None]) -> None:
    """Pseudonymise the coded demo study, keeping the key file in the demo folder."""
    key_file = study.path / DEMO_KEY_FILE
    result = pseudonymise(study, key_file=key_file, passphrase=DEMO_PASSPHRASE, user="alex")
    log(
        f"pseudonymised {result.sources_changed} transcripts: {result.replacements} replacements of "
        f"{result.identifiers} names, places and numbers; codings kept on the same words"
    )
    log(
        f"removed {result.copies_removed} original files and backups that still held the names; "
        f"pseudonym key: {key_file} (encrypted; demo passphrase {DEMO_PASSPHRASE!r})"
    )
