"""The PHI access log (design principle 8): every read of a case, member, document or
letter writes an append-only `AccessLog` row, from every door (pages, API, admin).

- `log`: the writes, `access_log_record` (one read) and `access_log_record_many` (a list
  page, one insert). An object logs itself by what it says about itself: its
  `access_log_kind` and `access_log_member_id` (cases.Member, cases.AuthorizationRequest,
  cases.Attachment, notifications.Letter), so this core package imports no app above it.
- `selectors`: reads of the log for the audit pages, keyset-paginated.
- `views`, `urls`: the audit pages at /audit/ (a composition module: it may look up cases).
"""

from .log import access_log_export_record, access_log_record, access_log_record_many

__all__ = ["access_log_export_record", "access_log_record", "access_log_record_many"]
