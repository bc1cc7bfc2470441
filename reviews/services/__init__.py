"""Reviewer actions. Each function owns its transaction, locks the case row, checks the
actor's role (through `cases.access.case_for_user`), moves status through
`case_status_set` and writes the event. A refusal raises a DomainError before anything is
written (and the transaction is rolled back if anything was)."""

from .signing import signature_verify

__all__ = ["signature_verify"]
