"""Confidentiality: pseudonymisation that keeps codings aligned, and the audit trail's checks.

``plan_pseudonymisation`` finds every identifier (Presidio over spaCy plus qualframe's own UK
recognisers and the researcher's list) and decides each replacement; ``apply_pseudonymisation``
rewrites the study in one audited transaction and seals the key in its own encrypted file. See
docs/security.md for the threat model.
"""

from __future__ import annotations

from qualframe.privacy.keyfile import default_key_path, read_key_file, write_key_file
from qualframe.privacy.service import (
    Identifier,
    PseudonymisationPlan,
    PseudonymisationResult,
    Replacement,
    apply_pseudonymisation,
    load_book,
    plan_pseudonymisation,
    pseudonymise,
)

__all__ = [
    "Identifier",
    "PseudonymisationPlan",
    "PseudonymisationResult",
    "Replacement",
    "apply_pseudonymisation",
    "default_key_path",
    "load_book",
    "plan_pseudonymisation",
    "pseudonymise",
    "read_key_file",
    "write_key_file",
]
