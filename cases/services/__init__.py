"""Writes with a business rule. Import from the topic modules:
`cases.services.workflow`, `cases.services.intake`, `cases.services.providers`."""
