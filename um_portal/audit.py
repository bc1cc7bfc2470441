"""The PHI access log: one call per read, from every door."""

from .client_ip import client_ip as _client_ip
from .models import AccessLog


def access_log_record(*, user, obj, how: str, request=None, member=None) -> AccessLog:
    """Record that `user` read `obj` (a case, member, attachment or letter)."""
    from cases.models import Attachment, AuthorizationRequest, Member

    kind_by_model = {
        AuthorizationRequest: AccessLog.ObjectKind.CASE,
        Member: AccessLog.ObjectKind.MEMBER,
        Attachment: AccessLog.ObjectKind.ATTACHMENT,
    }
    kind = kind_by_model.get(type(obj))
    if kind is None:
        # Letters live in notifications; avoid importing it here.
        kind = getattr(obj, "access_log_kind", None)
    if kind is None:
        raise TypeError(f"Reads of {type(obj).__name__} are not PHI reads the log knows.")
    if member is None:
        member = obj if isinstance(obj, Member) else getattr(obj, "member", None)
        if member is None and hasattr(obj, "case"):
            member = obj.case.member
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        object_kind=kind,
        object_id=str(obj.pk),
        member=member,
        how=how,
        path=(request.path[:300] if request is not None else ""),
        ip_address=_client_ip(request),
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
        ip_address=_client_ip(request),
    )


def access_log_record_many(*, user, objs, how: str, request=None) -> None:
    """One row per object read in a list (a page of cases), in one insert."""
    rows = []
    for obj in objs:
        rows.append(
            AccessLog(
                user=user if getattr(user, "is_authenticated", False) else None,
                object_kind=AccessLog.ObjectKind.CASE,
                object_id=str(obj.pk),
                member_id=obj.member_id,
                how=how,
                path=(request.path[:300] if request is not None else ""),
                ip_address=_client_ip(request),
            )
        )
    if rows:
        AccessLog.objects.bulk_create(rows)
