"""The PHI access log: one call per read, from every door."""

from ..client_ip import client_ip
from ..models import AccessLog


def access_log_record(*, user, obj, how: str, request=None, member=None) -> AccessLog:
    """Record that `user` read `obj` (a case, member, attachment or letter). The object
    says what it is (`access_log_kind`) and whose information it holds
    (`access_log_member_id`); `member` overrides the latter where the caller knows better."""
    kind = getattr(obj, "access_log_kind", None)
    if kind not in AccessLog.ObjectKind.values:
        raise TypeError(f"Reads of {type(obj).__name__} are not PHI reads the log knows.")
    member_id = member.pk if member is not None else obj.access_log_member_id
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        object_kind=kind,
        object_id=str(obj.pk),
        member_id=member_id,
        how=how,
        path=(request.path[:300] if request is not None else ""),
        ip_address=client_ip(request),
    )


def access_log_export_record(*, user, request, row_count: int, filters_text: str) -> AccessLog:
    """An export of the access log is itself a disclosure: record who took it and what."""
    return AccessLog.objects.create(
        user=user,
        object_kind=AccessLog.ObjectKind.ACCESS_LOG,
        object_id=f"csv:{row_count}"[:64],
        member=None,
        how=AccessLog.How.EXPORT,
        path=f"{request.path} [{filters_text}]"[:300],
        ip_address=client_ip(request),
    )


def access_log_record_many(*, user, objs, how: str, request=None) -> None:
    """One row per object read in a list (a page of cases, a work queue, an admin list), in
    one insert. Each object says what it is, as for `access_log_record`."""
    rows = []
    for obj in objs:
        kind = getattr(obj, "access_log_kind", None)
        if kind not in AccessLog.ObjectKind.values:
            raise TypeError(f"Reads of {type(obj).__name__} are not PHI reads the log knows.")
        rows.append(
            AccessLog(
                user=user if getattr(user, "is_authenticated", False) else None,
                object_kind=kind,
                object_id=str(obj.pk),
                member_id=obj.access_log_member_id,
                how=how,
                path=(request.path[:300] if request is not None else ""),
                ip_address=client_ip(request),
            )
        )
    if rows:
        AccessLog.objects.bulk_create(rows)
