"""The one access helper for cases.

`case_for_user` answers NotFound (404) when the user may not see the case, exactly as
when it does not exist, and NotAllowed (403) when they may see it but not do this. It
reads only: a refused attempt writes nothing.
"""

import uuid

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, Expression, F

from um_portal.compiled import instances_once
from um_portal.exceptions import NotAllowed, NotFound, ValidationFailed
from um_portal.roles import Perm, Role, user_can, user_group_ids, user_role

from .models import AuthorizationRequest, AuthorizationRequestGroupObjectPermission, InpatientStay, Member

VIEW_CODENAME = "view_authorizationrequest"
ACT_CODENAME = "act_on_authorizationrequest"

# Provider actions need the object permission to act, not only to view.
PROVIDER_ACTING_PERMS = frozenset(
    {Perm.CASE_ATTACH, Perm.CASE_RESPOND, Perm.CASE_WITHDRAW, Perm.CASE_REQUEST_PEER_TO_PEER, Perm.CASE_APPEAL}
)


_permission_ids: dict[str, int] = {}


def case_permission_id(codename: str) -> int:
    """The id of the case object permission `codename` (view or act), read once per process
    and forgotten after every migrate or flush (CasesConfig.ready): grants are written in
    bulk and checked without joining the permission tables."""
    if codename not in _permission_ids:
        from django.contrib.auth.models import Permission

        _permission_ids.update(
            Permission.objects.filter(
                content_type__app_label="cases", codename__in=[VIEW_CODENAME, ACT_CODENAME]
            ).values_list("codename", "pk")
        )
    return _permission_ids[codename]


def case_permission_ids_forget(**kwargs) -> None:
    _permission_ids.clear()


def _grants(user, codename: str = VIEW_CODENAME):
    """The user's groups' object permissions `codename` on cases: filtered by the cached
    permission id and group ids (read with the role), so no join to the permission, group
    or membership tables (issue #13: each joined table is planned on every request)."""
    return AuthorizationRequestGroupObjectPermission.objects.filter(
        permission_id=case_permission_id(codename), group_id__in=sorted(user_group_ids(user))
    )


class CaseGrantExists(Expression):
    """`EXISTS` a django-guardian row granting permission `permission_id` on the case at
    `case_ref` (of the query it filters) to one of `group_ids`: one index probe per case.

    What `Exists(grants.filter(content_object_id=OuterRef(case_ref)))` says, written from
    the grant model's metadata instead of compiled from a subquery (issue #13: building and
    compiling one branch of the provider list took 2.0-2.6 ms of CPU with the subquery,
    1.1-1.4 ms with this; the list has two). No group: nothing matches."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, *, permission_id: int, group_ids, case_ref: str = "pk"):
        super().__init__(output_field=BooleanField())
        self.permission_id = permission_id
        self.group_ids = tuple(sorted(group_ids))
        self.case = F(case_ref)

    def get_source_expressions(self):
        return [self.case]

    def set_source_expressions(self, exprs):
        (self.case,) = exprs

    def as_sql(self, compiler, connection):
        if not self.group_ids:
            raise EmptyResultSet
        case_sql, case_params = compiler.compile(self.case)
        meta = AuthorizationRequestGroupObjectPermission._meta
        quote = connection.ops.quote_name

        def column(name: str) -> str:
            return "g." + quote(meta.get_field(name).column)

        groups = ", ".join(["%s"] * len(self.group_ids))
        sql = (
            f"EXISTS (SELECT 1 FROM {quote(meta.db_table)} g WHERE {column('permission')} = %s"  # noqa: S608 - names are the model's
            f" AND {column('group')} IN ({groups}) AND {column('content_object')} = {case_sql})"
        )
        return sql, (self.permission_id, *self.group_ids, *case_params)


def case_granted(user, codename: str = VIEW_CODENAME, *, case_ref: str = "pk") -> CaseGrantExists:
    """The case (`case_ref` of the query filtered) has a grant `codename` held by one of the
    user's groups: guardian stays the authority for every case a provider sees (one index
    probe per case read, no join)."""
    return CaseGrantExists(
        permission_id=case_permission_id(codename), group_ids=user_group_ids(user), case_ref=case_ref
    )


def cases_visible_to(user, queryset=None):
    """Cases this user may see: all of them for UMOC staff, their organization's for providers,
    none for anyone else."""
    qs = AuthorizationRequest.objects.all() if queryset is None else queryset
    access = _access(user)
    if access == "all":
        return qs
    if access == "granted":
        return qs.filter(case_granted(user))
    return qs.none()


def _access(user) -> str:
    """How `user` sees cases: "all" (UMOC staff), "granted" (a provider: the cases its
    groups hold a grant on) or "none"."""
    if user_can(user, Perm.CASE_VIEW_ALL):
        return "all"
    if user_role(user) == Role.PROVIDER:
        return "granted"
    return "none"


def case_for_user(
    user, case_id, *, need: Perm | None = None, queryset=None, lock: bool = False, compiled: str | None = None
) -> AuthorizationRequest:
    """Fetch a case the user may see, optionally checking they may do `need` on it.
    With lock=True the row is locked (call inside a transaction).

    `compiled` names `queryset` (which must not depend on the user or the case; then it
    may be a function giving it, called only when compiling): the read is compiled once
    per process for that name and the kind of access the user has
    (`um_portal.compiled.instances_once`), the case's id, the permission's and the user's
    groups' ids its parameters (issue #13: building and compiling it cost a case detail
    more than PostgreSQL reading it)."""
    try:
        pk = uuid.UUID(str(case_id))
    except (TypeError, ValueError, AttributeError):
        raise NotFound("No such case.") from None
    if compiled is not None and not lock:
        case = _case_compiled(user, pk, queryset, compiled)
    else:
        qs = cases_visible_to(user, queryset)
        if lock:
            qs = qs.select_for_update(of=("self",))
        # No ordering: the primary key finds one row (the model's default order cost a compile).
        case = next(iter(qs.filter(pk=pk).order_by()[:1]), None)
    if case is None:
        raise NotFound("No such case.")
    if need is not None:
        if not user_can(user, need):
            raise NotAllowed("Your role does not allow this action on a case.")
        if user_role(user) == Role.PROVIDER and need in PROVIDER_ACTING_PERMS:
            if not _grants(user, ACT_CODENAME).filter(content_object_id=case.pk).exists():
                raise NotAllowed("Your organization may view this case but not act on it.")
    return case


def _case_compiled(user, pk: uuid.UUID, queryset, name: str) -> AuthorizationRequest | None:
    """`case_for_user`'s read, compiled once per `name` and kind of access: what
    `cases_visible_to` filters on (nothing for staff who see every case, a grant held by
    one of the user's groups for a provider), with the ids as parameters."""
    access = _access(user)
    if access == "all":
        args = (pk,)
    elif access == "granted":
        groups = sorted(user_group_ids(user))
        if not groups:  # CaseGrantExists: no group, no case
            return None
        args = (pk, case_permission_id(VIEW_CODENAME), *groups)
    else:
        return None

    def build(pk, permission_id=None, *group_ids):
        qs = queryset() if callable(queryset) else queryset
        qs = AuthorizationRequest.objects.all() if qs is None else qs
        if permission_id is not None:
            qs = qs.filter(CaseGrantExists(permission_id=permission_id, group_ids=group_ids))
        return qs.filter(pk=pk).order_by()[:1]

    found = instances_once(("case_for_user", name, access, len(args)), build, args)
    return found[0] if found else None


def stay_for_user(user, stay_id, *, need: Perm | None = None, lock: bool = False):
    """The one access helper for inpatient stays: UMOC staff see them (404 for anyone else,
    as for a stay that does not exist); `need` is checked after (403). With lock=True the
    row is locked (call inside a transaction)."""
    try:
        pk = int(str(stay_id))
    except (TypeError, ValueError):
        raise NotFound("No such stay.") from None
    if not user_can(user, Perm.CASE_VIEW_ALL):
        raise NotFound("No such stay.")
    qs = InpatientStay.objects.select_related("case", "member", "facility", "open_review__case")
    if lock:
        qs = qs.select_for_update(of=("self",))
    stay = qs.filter(pk=pk).first()
    if stay is None:
        raise NotFound("No such stay.")
    if need is not None and not user_can(user, need):
        raise NotAllowed("Your role does not allow this action on a stay.")
    return stay


def member_for_user(user, *, member_number: str, date_of_birth=None) -> Member:
    """The one access helper for a member named by number: UMOC staff who search members
    find any member (a date of birth, if given, must match); provider offices must give the
    date of birth too and get the member only when both match (minimum necessary, as for
    eligibility checks). Missing and not matching are the same 404; a role that checks no
    eligibility is 403. Coverages come prefetched. Reads only."""
    number = (member_number or "").strip().upper()
    if user_can(user, Perm.MEMBER_SEARCH):
        qs = Member.objects.filter(member_number=number)
        if date_of_birth is not None:
            qs = qs.filter(date_of_birth=date_of_birth)
    elif user_can(user, Perm.ELIGIBILITY_CHECK):
        if date_of_birth is None:
            raise ValidationFailed(
                "Give the member's date of birth with the member number.",
                errors={"member_date_of_birth": ["Required with member_number."]},
            )
        qs = Member.objects.filter(member_number=number, date_of_birth=date_of_birth)
    else:
        raise NotAllowed("Your role does not allow looking members up.")
    member = qs.prefetch_related("coverages").first() if number else None
    if member is None:
        raise NotFound("No such member: check the member number and date of birth.")
    return member
