"""Roles and the permission catalogue: one enum of permissions mapped to roles.

Views, services and the API ask `user_can(user, Perm.X)`; no permission strings are
scattered elsewhere. Groups in the database carry the role so administrators assign
roles in the admin; object permissions on cases (django-guardian) carry provider access.
"""

import functools
import re
from enum import StrEnum
from types import SimpleNamespace

from django.db import models

from . import prepared


class Role(models.TextChoices):
    PROVIDER = "provider", "Provider office"
    NURSE = "nurse", "UM nurse (RN)"
    PHYSICIAN = "physician", "Physician medical director"
    ADMIN = "um_admin", "UM administrator"
    # A service account: the fax gateway posts received faxes, and can do nothing else.
    FAX_GATEWAY = "fax_gateway", "Fax gateway (service account)"


GROUP_NAMES: dict[str, str] = {
    Role.PROVIDER: "Provider",
    Role.NURSE: "Nurse (RN)",
    Role.PHYSICIAN: "Physician",
    Role.ADMIN: "UM administrator",
    Role.FAX_GATEWAY: "Fax gateway",
}
# A capability granted on top of a role (issue 22, item 5): a UM supervisor is a nurse or
# physician in this group, which holds the Django permission below (cases migration 0022).
SUPERVISOR_GROUP = "UM supervisor"
SUPERVISOR_PERMISSION_NAME = "Can reassign cases in bulk and see reviewers' open load (UM supervisor)"
# Another (issue 20): the Referral Management Unit, nurses (or physicians) in this group work
# out-of-network referrals (reviews migration 0015 gives referral reviews the permission).
REFERRAL_UNIT_GROUP = "Referral management unit"
REFERRAL_UNIT_PERMISSION_NAME = "Can work out-of-network referrals (Referral Management Unit)"
STAFF_ROLES = frozenset({Role.NURSE, Role.PHYSICIAN, Role.ADMIN})
REVIEWER_ROLES = frozenset({Role.NURSE, Role.PHYSICIAN})


class Perm(StrEnum):
    # Provider side (further limited to their organization's cases by object permission).
    CASE_SUBMIT = "case_submit"
    CASE_VIEW_OWN_ORG = "case_view_own_org"
    CASE_ATTACH = "case_attach"
    CASE_RESPOND = "case_respond"
    CASE_WITHDRAW = "case_withdraw"
    CASE_REQUEST_PEER_TO_PEER = "case_request_peer_to_peer"
    CASE_APPEAL = "case_appeal"
    ELIGIBILITY_CHECK = "eligibility_check"
    # UMOC side.
    CASE_VIEW_ALL = "case_view_all"
    CASE_ENTER_FOR_OTHERS = "case_enter_for_others"
    MEMBER_SEARCH = "member_search"
    QUEUE_WORK = "queue_work"
    CASE_ASSIGN = "case_assign"
    CASE_APPROVE = "case_approve"
    CASE_PEND = "case_pend"
    CASE_EXTEND = "case_extend"
    CASE_DENY_ADMINISTRATIVE = "case_deny_administrative"
    CASE_ROUTE_TO_PHYSICIAN = "case_route_to_physician"
    # Medical necessity: physicians only, and only with an active license in the
    # member's state (checked by the decision service, RULES.md section 3).
    CASE_DENY_MEDICAL_NECESSITY = "case_deny_medical_necessity"
    CASE_PARTIALLY_APPROVE = "case_partially_approve"
    APPEAL_DECIDE = "appeal_decide"
    PEER_TO_PEER_CONDUCT = "peer_to_peer_conduct"
    # UM supervisors (a granted capability, see GRANTED_PERMISSIONS): reassign several
    # cases at once and see each reviewer's open load.
    CASE_REASSIGN_BULK = "case_reassign_bulk"
    # Referral management (issue 20): the unit's nurses work out-of-network referrals and
    # propose in-network redirections (granted, see GRANTED_PERMISSIONS); the referring
    # office accepts or declines them.
    REFERRAL_MANAGE = "referral_manage"
    REDIRECTION_RESPOND = "redirection_respond"
    # Administration.
    CONFIGURE = "configure"
    AUDIT_VIEW = "audit_view"
    # The operations dashboard: administrators and physician directors.
    REPORTS_VIEW = "reports_view"
    # File a received fax into the inbox (the gateway's only permission; staff who key).
    FAX_RECEIVE = "fax_receive"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.PROVIDER: frozenset(
        {
            Perm.CASE_SUBMIT,
            Perm.CASE_VIEW_OWN_ORG,
            Perm.CASE_ATTACH,
            Perm.CASE_RESPOND,
            Perm.CASE_WITHDRAW,
            Perm.CASE_REQUEST_PEER_TO_PEER,
            Perm.CASE_APPEAL,
            Perm.ELIGIBILITY_CHECK,
            Perm.REDIRECTION_RESPOND,
        }
    ),
    Role.NURSE: frozenset(
        {
            Perm.CASE_VIEW_ALL,
            Perm.CASE_ENTER_FOR_OTHERS,
            Perm.FAX_RECEIVE,
            Perm.CASE_ATTACH,
            Perm.MEMBER_SEARCH,
            Perm.ELIGIBILITY_CHECK,
            Perm.QUEUE_WORK,
            Perm.CASE_ASSIGN,
            Perm.CASE_APPROVE,
            Perm.CASE_PEND,
            Perm.CASE_EXTEND,
            Perm.CASE_DENY_ADMINISTRATIVE,
            Perm.CASE_ROUTE_TO_PHYSICIAN,
        }
    ),
    Role.PHYSICIAN: frozenset(
        {
            Perm.CASE_VIEW_ALL,
            Perm.CASE_ATTACH,
            Perm.MEMBER_SEARCH,
            Perm.ELIGIBILITY_CHECK,
            Perm.QUEUE_WORK,
            Perm.CASE_ASSIGN,
            Perm.CASE_APPROVE,
            Perm.CASE_PEND,
            Perm.CASE_EXTEND,
            Perm.CASE_DENY_ADMINISTRATIVE,
            Perm.CASE_ROUTE_TO_PHYSICIAN,
            Perm.CASE_DENY_MEDICAL_NECESSITY,
            Perm.CASE_PARTIALLY_APPROVE,
            Perm.APPEAL_DECIDE,
            Perm.PEER_TO_PEER_CONDUCT,
            Perm.REPORTS_VIEW,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Perm.CASE_VIEW_ALL,
            Perm.CASE_ENTER_FOR_OTHERS,
            Perm.FAX_RECEIVE,
            Perm.MEMBER_SEARCH,
            Perm.ELIGIBILITY_CHECK,
            Perm.CONFIGURE,
            Perm.AUDIT_VIEW,
            Perm.REPORTS_VIEW,
        }
    ),
    Role.FAX_GATEWAY: frozenset({Perm.FAX_RECEIVE}),
}


# Permissions no role carries by itself: held through a Django permission (given to a group
# such as SUPERVISOR_GROUP, or to one user, in the admin) by a user whose role is listed.
GRANTED_PERMISSIONS: dict[Perm, tuple[str, frozenset[str]]] = {
    Perm.CASE_REASSIGN_BULK: ("cases.reassign_cases", REVIEWER_ROLES),
    Perm.REFERRAL_MANAGE: ("reviews.manage_referrals", REVIEWER_ROLES),
}


def user_role(user) -> str | None:
    """The user's role, from group membership (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_um_role", "unset")
    if cached != "unset":
        return cached
    with prepared.statements():  # the same text for every user: planned once per connection
        return user_groups_remember(user, list(user.groups.values_list("pk", "name")))


def user_groups_remember(user, groups) -> str | None:
    """Keep the user's groups, (pk, name) pairs, on the user object: their role, the group
    ids that hold object permissions (user_group_ids) and the units the navigation shows
    (REFERRAL_UNIT_GROUP), with no query of their own. Token authentication reads the
    groups with the token (um_portal.api_tokens); `user_role` reads them otherwise. Per
    request: the user object is read again on the next one, so a membership changed in
    the admin counts from the next request on."""
    groups = list(groups)
    names = {name for _pk, name in groups}
    user._um_group_ids = frozenset(pk for pk, _name in groups)
    user._um_in_referral_unit = REFERRAL_UNIT_GROUP in names
    role = None
    # Most privileged first, should someone be in two groups by mistake.
    for candidate in (Role.ADMIN, Role.PHYSICIAN, Role.NURSE, Role.PROVIDER, Role.FAX_GATEWAY):
        if GROUP_NAMES[candidate] in names:
            role = candidate
            break
    if role is None and user.is_superuser:
        role = Role.ADMIN
    user._um_role = role
    return role


def user_group_ids(user) -> frozenset[int]:
    """Ids of the user's groups, read with the role (cached on the user object): the
    provider lists check object permissions held by these groups."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    ids = getattr(user, "_um_group_ids", None)
    if ids is None:
        ids = user._um_group_ids = frozenset(user.groups.values_list("pk", flat=True))
    return ids


def user_can(user, perm: Perm) -> bool:
    role = user_role(user)
    if role is None:
        return False
    granted = GRANTED_PERMISSIONS.get(perm)
    if granted is not None:
        codename, roles = granted
        return role in roles and user_has_permission(user, codename)
    return perm in ROLE_PERMISSIONS[role]


def user_has_permission(user, codename: str) -> bool:
    """Whether the user holds the Django permission "app_label.codename", directly or through
    a group: one query, cached on the user (ModelBackend.has_perm reads all of the user's
    and groups' permissions in two, on every queue page). The permission's row, then an
    index probe of the user's own grants and of their groups' (the group ids read with the
    role): joining the user, group and both grant tables took 1.4 ms to plan, this 0.2 ms;
    the SQL is written from the models' metadata, as compiling the same query with two
    `Exists` cost more than running it (issue #13)."""
    if user.is_superuser:
        return True
    # On the user itself (a request's user is a lazy object: its own __dict__ is not the
    # user's), where the user's read put what it holds (user_grants_remember).
    cache = getattr(user, "_um_granted", None)
    if cache is None:
        cache = user._um_granted = {}
    if codename not in cache:
        from django.db import connection

        app_label, code = codename.split(".")
        groups = sorted(user_group_ids(user))
        with connection.cursor() as cursor:
            prepared.execute(cursor, _permission_held_sql(len(groups)), [app_label, code, user.pk, *groups])
            cache[codename] = bool(cursor.fetchone()[0])
    return cache[codename]


def user_grants_remember(user, held) -> None:
    """Keep on the user which of GRANTED_PERMISSIONS' permissions they hold, `held` being
    those they hold ("app_label.codename"), as `user_has_permission` keeps its answers: read
    with the user (`granted_held_sql`), a granted capability costs no query of its own (a
    supervisor's work queue page asked for one on every load, issue #13). Per request, as
    the groups are."""
    held = set(held)
    user._um_granted = {codename: codename in held for codename, _roles in GRANTED_PERMISSIONS.values()}


_CODENAME = re.compile(r"[a-z_]+\.[a-z_]+")


@functools.cache
def _permission_sql() -> SimpleNamespace:
    """What the permission statements are written from (the models' tables and columns):
    `table(model)`, `column(model, field)`, the grant tables (`own`: a user's, `held`: a
    group's, `member`: memberships) and the permission `p` joined to its content type `c`
    (`permissions`), with their id, app label and codename columns."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    return SimpleNamespace(
        table=table,
        column=column,
        own=get_user_model().user_permissions.through,
        held=Group.permissions.through,
        member=get_user_model().groups.through,
        permissions=(
            f"{table(Permission)} p JOIN {table(ContentType)} c"
            f" ON c.{quote(ContentType._meta.pk.column)} = p.{column(Permission, 'content_type')}"
        ),
        permission_id=f"p.{quote(Permission._meta.pk.column)}",
        app_label=f"c.{column(ContentType, 'app_label')}",
        codename=f"p.{column(Permission, 'codename')}",
    )


@functools.cache
def granted_held_sql(user_id_sql: str) -> str:
    """An SQL expression: the array of GRANTED_PERMISSIONS' permissions ("app_label.codename")
    the user whose id is `user_id_sql` holds, directly or through a group, as
    `user_has_permission` answers for each."""
    sql = _permission_sql()
    table, column, own, held, member = sql.table, sql.column, sql.own, sql.held, sql.member
    codenames = [codename for codename, _roles in GRANTED_PERMISSIONS.values()]
    if not all(_CODENAME.fullmatch(codename) for codename in codenames):  # written into the SQL below
        raise ValueError(f"GRANTED_PERMISSIONS names a permission that is not app_label.codename: {codenames}")
    wanted = ", ".join(f"('{app_label}', '{code}')" for app_label, code in (c.split(".") for c in codenames))
    return (
        f"ARRAY(SELECT {sql.app_label} || '.' || {sql.codename} FROM {sql.permissions}"  # noqa: S608 - names are the models', the codenames this module's
        f" WHERE ({sql.app_label}, {sql.codename}) IN ({wanted})"
        f" AND (EXISTS (SELECT 1 FROM {table(own)} o WHERE o.{column(own, 'user')} = {user_id_sql}"
        f" AND o.{column(own, 'permission')} = {sql.permission_id})"
        f" OR EXISTS (SELECT 1 FROM {table(held)} h JOIN {table(member)} m"
        f" ON m.{column(member, 'group')} = h.{column(held, 'group')}"
        f" WHERE m.{column(member, 'user')} = {user_id_sql} AND h.{column(held, 'permission')} = {sql.permission_id})))"
    )


@functools.cache
def _permission_held_sql(groups: int) -> str:
    """`user_has_permission`'s statement for a user in `groups` groups (parameters: the app
    label, the codename, the user's id, then the group ids)."""
    sql = _permission_sql()
    table, column, own, held = sql.table, sql.column, sql.own, sql.held
    probes = [
        f"EXISTS (SELECT 1 FROM {table(own)} o WHERE o.{column(own, 'user')} = %s"  # noqa: S608 - names are the models'
        f" AND o.{column(own, 'permission')} = {sql.permission_id})"
    ]
    if groups:
        placeholders = ", ".join(["%s"] * groups)
        probes.append(
            f"EXISTS (SELECT 1 FROM {table(held)} h WHERE h.{column(held, 'group')} IN ({placeholders})"  # noqa: S608 - names are the models'
            f" AND h.{column(held, 'permission')} = {sql.permission_id})"
        )
    return (
        f"SELECT EXISTS (SELECT 1 FROM {sql.permissions}"  # noqa: S608 - names are the models'
        f" WHERE {sql.app_label} = %s AND {sql.codename} = %s AND ({' OR '.join(probes)}))"
    )


def is_staff_role(user) -> bool:
    return user_role(user) in STAFF_ROLES


def users_with_role(*roles: str, include_superusers: bool = False):
    """Active users holding any of these roles (by group), each once, by pk: the one query
    for "who are the nurses / the supervisors". `include_superusers` adds superusers who are
    in no group (they act as administrators, see `user_role`)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef, Q

    # A membership probe per user, not a join to the memberships with DISTINCT: the work
    # queue's reviewer list took 1.1-2.1 ms to plan that way, 0.3 ms this way (issue #13).
    user_model = get_user_model()
    member = user_model.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=[GROUP_NAMES[role] for role in roles]
    )
    in_groups = Q(Exists(member))
    if include_superusers:
        in_groups |= Q(is_superuser=True)
    return user_model.objects.filter(in_groups, is_active=True).order_by("pk")


def users_with_granted(perm: Perm):
    """Active users holding a granted permission (GRANTED_PERMISSIONS): through a group or
    directly, and in one of the roles it is granted to (as `user_can` decides it), by pk."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    codename, roles = GRANTED_PERMISSIONS[perm]
    app_label, code = codename.split(".")
    holds = Q(groups__permissions__content_type__app_label=app_label, groups__permissions__codename=code) | Q(
        user_permissions__content_type__app_label=app_label, user_permissions__codename=code
    )
    in_role = get_user_model().objects.filter(groups__name__in=[GROUP_NAMES[r] for r in sorted(roles)])
    return get_user_model().objects.filter(holds, is_active=True, pk__in=in_role.values("pk")).distinct().order_by("pk")


def alert_supervisors() -> list:
    """Who gets a supervisor's deadline alert (issue 22): the UM supervisors; where the plan
    has named none yet, the administrators (superusers too), so the alert is never unseen."""
    supervisors = list(users_with_granted(Perm.CASE_REASSIGN_BULK))
    return supervisors or list(users_with_role(Role.ADMIN, include_superusers=True))


def roles_sync(**kwargs) -> None:
    """Make sure one group per role exists (run after every migrate)."""
    from django.contrib.auth.models import Group

    for name in GROUP_NAMES.values():
        Group.objects.get_or_create(name=name)
    supervisor_group_sync()
    referral_unit_group_sync()


def _granted_group_sync(perm: Perm, *, model: str, group_name: str, permission_name: str):
    """A group holding a granted permission (made by a migration; this keeps it after a
    database flush, which empties the permission table too). By name, so this lowest layer
    imports no app's models."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    codename = GRANTED_PERMISSIONS[perm][0]
    app_label, code = codename.split(".")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=code, defaults={"name": permission_name}
    )
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(permission)
    return group


def supervisor_group_sync():
    """The UM supervisor group with its permission (cases migration 0022 makes it)."""
    return _granted_group_sync(
        Perm.CASE_REASSIGN_BULK,
        model="authorizationrequest",
        group_name=SUPERVISOR_GROUP,
        permission_name=SUPERVISOR_PERMISSION_NAME,
    )


def referral_unit_group_sync():
    """The Referral Management Unit's group with its permission (issue 20)."""
    return _granted_group_sync(
        Perm.REFERRAL_MANAGE,
        model="referralreview",
        group_name=REFERRAL_UNIT_GROUP,
        permission_name=REFERRAL_UNIT_PERMISSION_NAME,
    )


def _permission_caches_forget(user) -> None:
    """Forget what the user object remembers of their groups and permissions (Django's
    caches and ours), after their groups changed: on the user itself, a request's lazy
    user included (its own __dict__ is not the user's)."""
    for cache in ("_um_granted", "_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        try:
            delattr(user, cache)
        except AttributeError:
            pass
    user._um_group_ids = None


def user_unit_set(*, user, unit: str, member: bool = True) -> None:
    """Put the user in a group that grants a permission (REFERRAL_UNIT_GROUP, SUPERVISOR_GROUP)
    or take them out."""
    group = {REFERRAL_UNIT_GROUP: referral_unit_group_sync, SUPERVISOR_GROUP: supervisor_group_sync}[unit]()
    if member:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    _permission_caches_forget(user)


def user_set_supervisor(*, user, supervisor: bool = True) -> None:
    """Make the user a UM supervisor (or not): membership of SUPERVISOR_GROUP."""
    group = supervisor_group_sync()
    if supervisor:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    _permission_caches_forget(user)


def user_set_role(*, user, role: str) -> None:
    """Put the user in exactly one role group."""
    from django.contrib.auth.models import Group

    roles_sync()
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    user._um_role = "unset"
    user._um_group_ids = None
