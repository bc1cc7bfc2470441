"""PHI access logging for lists: one insert per page, however many rows it shows."""

from um_portal.client_ip import client_ip
from um_portal.models import AccessLog


def queue_access_log(*, user, cases, how: str, request=None) -> None:
    """Log that `user` saw these cases' member details in a queue (one bulk insert)."""
    rows = [
        AccessLog(
            user=user,
            object_kind=AccessLog.ObjectKind.CASE,
            object_id=str(case.pk),
            member_id=case.member_id,
            how=how,
            path=(request.path[:300] if request is not None else ""),
            ip_address=client_ip(request),
        )
        for case in cases
    ]
    if rows:
        AccessLog.objects.bulk_create(rows)
