"""Reviewer reads: the work queues, the appeals queue, peer-to-peer talks, and what the
review page shows beside the case. Each returns a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.access import case_for_user, cases_visible_to
from cases.models import (
    OPEN_STATUSES,
    AuthorizationRequest,
    CaseEvent,
    CaseStatus,
    ServiceLine,
)
from cases.selectors import (
    API_RELATED_COLUMNS,
    DETAIL_RELATED,
    JSON_EXACT,
    LIST_COLUMNS,
    LIST_RELATED,
    case_related_attach,
    json_rows_read,
    json_rows_sql,
    related_values_attach,
)
from um_portal import prepared
from um_portal.compiled import instances_once, values_once
from um_portal.models import User
from um_portal.roles import GROUP_NAMES, Perm, Role, user_can, user_role, users_with_role

from .models import Appeal, AuthorizationVersion, Decision, PeerToPeerRequest, Pend, PhysicianLicense
from .pagination import Page, keyset_first_page, keyset_page
from .templatetags.clock_tags import SOON_SECONDS

# Most urgent first: the earliest due time, then expedited before standard when tied
# ("expedited" sorts before "standard"), then id for a stable keyset.
QUEUE_ORDER = ("decision_due_at", "urgency", "id")
PAGE_SIZE = 50

NURSE_STATUSES = (CaseStatus.RECEIVED, CaseStatus.IN_REVIEW, CaseStatus.PENDED)
PHYSICIAN_STATUSES = (CaseStatus.PHYSICIAN_REVIEW,)


@dataclass
class QueueFilters:
    urgency: str = ""
    service_category: str = ""
    status: str = ""
    assignee: str = ""  # a username, "me", or "none" (unassigned)
    line_of_business: str = ""
    due: str = ""  # "soon": due within a day, or overdue
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_params(cls, params) -> "QueueFilters":
        return cls(**{name: (params.get(name) or "").strip() for name in cls.__dataclass_fields__ if name != "extra"})


def _filtered(qs, *, user, filters: QueueFilters, statuses):
    qs = qs.filter(status__in=statuses)
    if filters.status in statuses:
        qs = qs.filter(status=filters.status)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.service_category:
        qs = qs.filter(service_category=filters.service_category)
    if filters.line_of_business:
        qs = qs.filter(coverage__line_of_business=filters.line_of_business)
    if filters.due == "soon":
        qs = qs.filter(decision_due_at__lte=timezone.now() + timedelta(seconds=SOON_SECONDS))
    if filters.assignee == "me":
        qs = qs.filter(assigned_to=user)
    elif filters.assignee == "none":
        qs = qs.filter(assigned_to__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assigned_to_id__in=User.objects.filter(username=filters.assignee).values("pk"))
    return qs


def _queue_queryset(*, user, kind: str, filters: QueueFilters | None):
    statuses = NURSE_STATUSES if kind == "nurse" else PHYSICIAN_STATUSES
    return _filtered(cases_visible_to(user), user=user, filters=filters or QueueFilters(), statuses=statuses)


# The queues' rows as values, not models (issue #13): 50 cases and their related rows as
# model instances were a third of the queue API's time at 10k cases, and serializing them
# field by field another third. The page query stays on the case table alone
# (tests/cases/test_selectors_case_list_plans.py): joined to the member and organizations
# it saved 1 ms, but its plan then turned on the statistics (a hash join where they were
# stale), and outer joins to the practitioners and users took 5-20 ms to plan. Each
# related table is read once by id, for the columns the rows show. The queue API's rows
# show what the provider list's do (cases.selectors LIST_COLUMNS, API_RELATED_COLUMNS).
# The work queue page's rows (reviews/templatetags/queue_tags.py), their lines besides.
QUEUE_PAGE_VALUES = (
    "id", "reference", "status", "urgency", "service_category", "decision_due_at", "overdue_at",
    "change_of_id", "change_kind", "member_id", "coverage_id", "requesting_organization_id", "assigned_to_id",
    "version",
)  # fmt: skip
QUEUE_PAGE_RELATED = {
    "member": ("member_number", "first_name", "last_name"),
    "coverage": ("line_of_business", "state"),
    "requesting_organization": ("name",),
    "assigned_to": ("username", "first_name", "last_name", "credentials"),
}


def _queue_key(row: dict) -> list:
    return [row[f] for f in QUEUE_ORDER]


def _queue_compiled_key(*, user, kind: str, filters: QueueFilters, cursor, limit: int, columns) -> tuple | None:
    """The key under which the first page of a queue is compiled once per process
    (`values_once`, issue #13: building and compiling it cost the queue API more than
    PostgreSQL's planning and running it), naming everything its SQL and parameters come
    from; None where it is compiled every time: a later page (a cursor), the "due soon"
    filter (it moves with the clock), another filter (`extra`), a user who does not see
    every case (their visibility is theirs; UMOC staff's is the whole table)."""
    if cursor or filters.due or filters.extra or not user_can(user, Perm.CASE_VIEW_ALL):
        return None
    mine = user.pk if filters.assignee == "me" else None
    return (
        "queue_values_page", kind, tuple(columns), limit, filters.status, filters.urgency,
        filters.service_category, filters.line_of_business, filters.assignee, mine,
    )  # fmt: skip


def queue_values_page(
    *,
    user,
    kind: str,
    filters: QueueFilters | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    columns: tuple[str, ...] = LIST_COLUMNS,
    related: dict | None = None,
    lines: bool = False,
) -> Page:
    """The nurse (received, in review, pended) or physician (routed) queue by due time, each
    row a dict of the case's `columns`, and for each foreign key `related` names (default
    API_RELATED_COLUMNS) a dict of those columns of its row (None where the case names none).
    With `lines`, `lines` lists each case's service lines as (code_system, code,
    description). One keyset query on the case table (joined only to what a filter names;
    on PostgreSQL each row's lines in it, as JSON), then one per related table by id (tables
    named twice share one; none without ids; one statement on PostgreSQL), and elsewhere one
    for the lines."""
    limit = limit or PAGE_SIZE
    filters = filters or QueueFilters()
    # On PostgreSQL the lines come in the page's own statement, one JSON array per case.
    embedded = lines and connection.vendor == "postgresql"

    def queryset():
        qs = _queue_queryset(user=user, kind=kind, filters=filters)
        if embedded:
            return qs.annotate(_lines=_lines_embedded()).values(*columns, "_lines")
        return qs.values(*columns)

    key = _queue_compiled_key(user=user, kind=kind, filters=filters, cursor=cursor, limit=limit, columns=columns)
    if key is not None:
        rows = values_once((*key, embedded), lambda: queryset().order_by(*QUEUE_ORDER)[: limit + 1])
        page = keyset_first_page(rows, limit=limit, key=_queue_key)
    else:
        page = keyset_page(queryset(), fields=QUEUE_ORDER, cursor=cursor, limit=limit, key=_queue_key)
    related_values_attach(page.rows, API_RELATED_COLUMNS if related is None else related)
    if embedded:
        fields = _lines_brief_fields()[1:]
        for row in page.rows:
            row["lines"] = [tuple(line) for line in json_rows_read(fields, row.pop("_lines"))]
    elif lines:
        by_case = {row["id"]: [] for row in page.rows}
        for case_id, *line in _lines_brief(list(by_case)):
            by_case[case_id].append(tuple(line))
        for row in page.rows:
            row["lines"] = by_case[row["id"]]
    return page


LINES_BRIEF = ("case_id", "code_system", "code", "description")


@cache
def _lines_brief_fields() -> list:
    return [ServiceLine._meta.get_field(name) for name in LINES_BRIEF]


@cache
def _lines_embedded() -> RawSQL:
    """The queue page's lines of the outer case as one JSON text (json_rows_sql), each line
    (code system, code, description) in line order: the page's rows and their lines in one
    statement (issue #13: the lines were a round trip of their own on every queue page)."""
    quote = connection.ops.quote_name
    case_id = f"{quote(AuthorizationRequest._meta.db_table)}.{quote(AuthorizationRequest._meta.pk.column)}"
    case, *fields = _lines_brief_fields()
    sql = json_rows_sql(ServiceLine, fields, f"r.{quote(case.column)} = {case_id}", ("line_number",))
    return RawSQL(sql, (), output_field=TextField())  # noqa: S611 - no input in it


def _lines_brief(case_ids: list) -> list:
    """(case id, code system, code, description) of the cases' service lines, by case and
    line number: where the lines cannot come with the page (`_lines_embedded`, PostgreSQL)."""
    if not case_ids:
        return []
    return list(
        ServiceLine.objects.filter(case_id__in=case_ids).order_by("case_id", "line_number").values_list(*LINES_BRIEF)
    )


def appeals_page(*, user, cursor: str | None = None, limit: int | None = None) -> Page:
    """Open appeals by due time; each row says whether `user` took part in the decision
    appealed (`user_involved`), in the same query."""
    visible = cases_visible_to(user).values("pk")
    qs = (
        Appeal.objects.filter(status=Appeal.Status.OPEN, case__in=visible)
        .select_related("case__member", "decision_appealed__decided_by", "assigned_to")
        .annotate(user_involved=Exists(Appeal.objects.filter(appeal_involvement_q(user), pk=OuterRef("pk"))))
    )
    return keyset_page(qs, fields=("due_at", "id"), cursor=cursor, limit=limit or PAGE_SIZE)


def appeal_detail_queryset():
    return Appeal.objects.select_related(
        "case__member",
        "decision_appealed__decided_by",
        "decision_appealed__license",
        "decided_by",
        "assigned_to",
        "coded_reason",
    ).prefetch_related("decision_appealed__criteria__criteria_set", "criteria__criteria_set")


def peer_to_peer_list(*, user, open_only: bool = True):
    """Talks requested or offered, soonest first (scheduled time, then request time)."""
    qs = PeerToPeerRequest.objects.filter(case__in=cases_visible_to(user).values("pk"))
    if open_only:
        qs = qs.filter(status__in=[PeerToPeerRequest.Status.REQUESTED, PeerToPeerRequest.Status.SCHEDULED])
    return (
        qs.select_related("case__member", "case__requesting_organization", "requested_by", "physician")
        .prefetch_related("attempts__by")
        .order_by("scheduled_for", "requested_at", "id")
    )


def queue_next_case(*, user, after_case_id) -> AuthorizationRequest | None:
    """The case to open after acting on one ("Save and next", issue 22, item 5): the most
    urgent case of the user's queue that is theirs or nobody's, other than the one just
    done. Nurses skip pended cases (they wait for the office)."""
    statuses = PHYSICIAN_STATUSES if user_role(user) == Role.PHYSICIAN else (CaseStatus.RECEIVED, CaseStatus.IN_REVIEW)
    return (
        cases_visible_to(user)
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True), status__in=statuses)
        .exclude(pk=after_case_id)
        .order_by(*QUEUE_ORDER)
        .only("pk")
        .first()
    )


def reviewers_for_assignment(*, state: str = ""):
    """Active nurses and physicians, for the reassign and route forms; `is_physician` is
    annotated so the forms need no query per user. With the member's `state`, also
    `licensed_here`: the physician holds a license active today in that state (issue 22,
    item 5: the lists say who may decide for this member). Compiled once per process (and
    day, with a state): compiling its subqueries cost a work-queue page more than running
    them (issue #13)."""
    today = timezone.localdate() if state else None
    return instances_once(
        ("reviewers_for_assignment", state, today), lambda: _reviewers_for_assignment(state=state, today=today)
    )


def _reviewers_for_assignment(*, state: str, today):
    physician_group = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=GROUP_NAMES[Role.PHYSICIAN]
    )
    # Each reviewer's open load (issue 22, item 5): the cases they hold, in the same query.
    load = (
        AuthorizationRequest.objects.filter(assigned_to=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = users_with_role(Role.NURSE, Role.PHYSICIAN).annotate(
        is_physician=Exists(physician_group), open_load=Coalesce(Subquery(load), 0)
    )
    if state:
        licensed = PhysicianLicense.objects.filter(physician=OuterRef("pk"), state=state, expires_on__gte=today).filter(
            Q(issued_on__isnull=True) | Q(issued_on__lte=today)
        )
        qs = qs.annotate(licensed_here=Exists(licensed), member_state=Value(state))
    return qs.order_by("last_name", "username")


def appeal_involvement_q(user) -> Q:
    """`reviews.services.appeals.appeal_involved_user_ids`'s rule as a filter on Appeal
    rows (for the appeals queue, one query): keep the two in step."""
    acted = CaseEvent.objects.filter(case_id=OuterRef("case_id"), actor=user, at__lte=OuterRef("filed_at")).exclude(
        kind__in=[CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.ATTACHMENT_ADDED]
    )
    talked = PeerToPeerRequest.objects.filter(case_id=OuterRef("case_id"), physician=user)
    return Q(decision_appealed__decided_by=user) | Q(case__assigned_to=user) | Q(Exists(acted)) | Q(Exists(talked))


def decisions_current():
    """Each case's current decision (one at most, by constraint) with who decided and on
    which license: the one definition of \"the decision\" that pages, API, letters and
    provider requests read."""
    return Decision.objects.filter(is_current=True).select_related("decided_by", "license", "coded_reason__catalogue")


def decision_current(*, case) -> Decision | None:
    """The case's current decision, or None while undecided (read from the case pages'
    prefetch, `case_detail_queryset`, where the case has it)."""
    prefetched = getattr(case, "current_decisions", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return decisions_current().filter(case=case).first()


def decision_criteria_used(*, case) -> list:
    """The criteria versions cited in the case's current decision, by name and version."""
    decision = decision_current(case=case)
    if decision is None:
        return []
    return list(decision.criteria.select_related("criteria_set").order_by("criteria_set__name", "version"))


def _detail_prefetches(*, for_api: bool) -> list[tuple[str | None, str, Callable[[], str | Prefetch]]]:
    """(the relation `_probe_annotation` answers for, or None: always read; the relation
    the lookup reads; a function giving the lookup), the lookups built only when read."""
    prefetches = [
        ("diagnoses", "diagnoses", lambda: "diagnoses"),
        ("lines", "lines", lambda: "lines"),
        ("attachments", "attachments", lambda: "attachments"),
        (
            None,
            "events",
            lambda: Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
        ),
        (
            "decisions",
            "decisions",
            lambda: Prefetch(
                "decisions",
                queryset=decisions_current().prefetch_related("criteria__criteria_set"),
                to_attr="current_decisions",
            ),
        ),
        (
            "pends",
            "pends",
            lambda: Prefetch("pends", queryset=Pend.objects.select_related("coded_reason__catalogue")),
        ),
        ("appeals", "appeals", lambda: "appeals"),
        ("letters", "letters", lambda: "letters"),
        ("extension", "extension", lambda: "extension"),
        ("authorization", "authorization", lambda: "authorization__lines"),
        ("authorization", "authorization", lambda: "authorization__servicing_organization"),
        # Issue 19, item 3: the authorization's history and the changes asked of it.
        (
            "authorization",
            "authorization",
            lambda: Prefetch(
                "authorization__versions",
                queryset=AuthorizationVersion.objects.select_related("decision", "change_case").order_by("number"),
            ),
        ),
        (None, "change_of", lambda: "change_of"),  # a foreign key: read only when the case has one
    ]
    if not for_api:
        prefetches += [
            ("peer_to_peers", "peer_to_peers", lambda: "peer_to_peers"),
            ("change_requests", "change_requests", lambda: Prefetch("change_requests", queryset=_change_requests())),
        ]
    return prefetches


def case_detail_queryset(*, for_api: bool = False):
    """The case table alone (filtered by primary key, and for a provider by a grant), with
    what the case pages and the API detail show prefetched: one small query per related
    table, each by the case's id. The member, coverage, organizations, practitioners and
    assignee are read by id after it (`case_detail`): a join of the ten tables cost 3-5 ms
    of planning per read for under 0.3 ms of execution (issue #13).

    `for_api`: only what the API detail shows (`cases.serializers.CaseDetailSerializer`):
    no peer-to-peer talks, and the change requests made of an authorization read by
    `case_detail` only when the case has one (the detail shows them inside it)."""
    lookups = [make() for _, _, make in _detail_prefetches(for_api=for_api)]
    return AuthorizationRequest.objects.prefetch_related(*lookups)


def _change_requests(columns=None):
    qs = AuthorizationRequest.objects.order_by("received_at", "id")
    return qs.only(*columns) if columns else qs


# The case's relations `_probe_annotation` asks about: most cases have few of them (a new
# case has no decision, pend, appeal, letter, extension, authorization or talk yet).
PROBED_RELATIONS = (
    "diagnoses", "lines", "attachments", "decisions", "pends", "appeals", "letters", "extension", "authorization",
    "peer_to_peers", "change_requests",
)  # fmt: skip


@cache
def _probe_annotation() -> RawSQL:
    """Which of PROBED_RELATIONS the outer case has rows in, as one integer: bit i set when
    relation i has a row (an `EXISTS` over its table by the case's id, each planned apart),
    read in the case's own query (issue #13: a query of their own was a round trip per
    detail; eleven annotations and the model's default ordering took 1.0 ms to compile, one
    bitmask without ordering 0.4 ms)."""
    quote = connection.ops.quote_name
    case_id = f"{quote(AuthorizationRequest._meta.db_table)}.{quote(AuthorizationRequest._meta.pk.column)}"
    bits = []
    for i, name in enumerate(PROBED_RELATIONS):
        relation = AuthorizationRequest._meta.get_field(name)
        # Aliased: change requests are cases too, and the outer case's name must stay its own.
        where = f"r.{quote(relation.field.column)} = {case_id}"
        if name == "decisions":  # the current one: `decisions_current`
            where += f" AND r.{quote(Decision._meta.get_field('is_current').column)}"
        table = quote(relation.related_model._meta.db_table)
        bits.append(f"CASE WHEN EXISTS (SELECT 1 FROM {table} r WHERE {where}) THEN {1 << i} ELSE 0 END")  # noqa: S608 - names are the models'
    return RawSQL(" + ".join(bits), (), output_field=IntegerField())  # noqa: S611 - no input in it


# The related rows a case page and the API detail show, read in the case's own query when
# statements are prepared (PostgreSQL plans the join once per connection; planned on every
# read, the join cost 3-5 ms, issue #13): not the assignee, whom a provider never sees.
DETAIL_JOINED = tuple(name for name in DETAIL_RELATED if name != "assigned_to")


# The case's relations read inside the case's own statement when statements are prepared,
# each as one JSON array (issue #13): nearly every case has diagnoses and lines, every case
# events, and each was a round trip of its own on every case read. The rows are made into
# model instances as the relation's own read makes them, in its model's order, with the
# rows of the foreign keys named beside it (select_related: an event's actor). Only a
# relation whose fields (and its joined rows' fields) are all of types JSON brings back as
# the ORM reads them (cases.selectors.JSON_EXACT) is embedded; one that gains another type
# is read by its own query again (tests/reviews/test_case_detail_embedded.py then fails, to
# say so).
RELATIONS_EMBEDDED = {"diagnoses": (), "lines": (), "events": ("actor",)}


@cache
def _relations_embedded() -> tuple[str, ...]:
    return tuple(
        name
        for name in RELATIONS_EMBEDDED
        if all(field.get_internal_type() in JSON_EXACT for field in _embedded_fields(name))
    )


@cache
def _embedded_parts(name: str) -> tuple:
    """(foreign key, its target's concrete fields) of relation `name`'s JSON rows, in their
    order: (None, the relation's model's fields) first, then each of RELATIONS_EMBEDDED's
    keys whose rows come with them."""
    model = AuthorizationRequest._meta.get_field(name).related_model
    keys = [model._meta.get_field(key) for key in RELATIONS_EMBEDDED[name]]
    return ((None, tuple(model._meta.concrete_fields)),) + tuple(
        (key, tuple(key.related_model._meta.concrete_fields)) for key in keys
    )


def _embedded_keys(name: str) -> tuple:
    return tuple(key for key, _fields in _embedded_parts(name)[1:])


@cache
def _embedded_fields(name: str) -> list:
    """The fields of each JSON row of relation `name`: its model's, then each joined row's."""
    return [field for _key, fields in _embedded_parts(name) for field in fields]


@cache
def _embedded_annotations() -> dict[str, RawSQL]:
    """`_embedded_<relation>`: the JSON text of the relation's rows, every concrete field of
    its model (and of the rows its RELATIONS_EMBEDDED keys point to), by the outer case's id."""
    quote = connection.ops.quote_name
    case_id = f"{quote(AuthorizationRequest._meta.db_table)}.{quote(AuthorizationRequest._meta.pk.column)}"
    annotations = {}
    for name in _relations_embedded():
        relation = AuthorizationRequest._meta.get_field(name)
        model = relation.related_model
        sql = json_rows_sql(
            model,
            list(model._meta.concrete_fields),
            f"r.{quote(relation.field.column)} = {case_id}",
            tuple(model._meta.ordering),
            joined=_embedded_keys(name),
        )
        annotations[f"_embedded_{name}"] = RawSQL(sql, (), output_field=TextField())  # noqa: S611 - no input in it
    return annotations


def _case_with_probes(user, case_id, *, need=None, joined=(), embedded=False) -> AuthorizationRequest:
    """`case_for_user`, the case's row carrying which of PROBED_RELATIONS it has rows in,
    with its `joined` related rows (select_related) and, if `embedded`, the rows of
    RELATIONS_EMBEDDED as JSON (PostgreSQL)."""

    def queryset():  # built only when compiled
        probed = AuthorizationRequest.objects.annotate(_relations=_probe_annotation())
        if embedded:
            probed = probed.annotate(**_embedded_annotations())
        # select_related() of nothing would join every foreign key that cannot be null.
        return probed.select_related(*joined) if joined else probed

    key = f"relations probed, {', '.join(joined)} joined{', relations embedded' if embedded else ''}"
    return case_for_user(user, case_id, need=need, queryset=queryset, compiled=key)


def _relation_embedded_read(case, name: str) -> None:
    """Relation `name` of `case` (one of RELATIONS_EMBEDDED) as prefetching it leaves it,
    from the JSON the case's read carried: each row pointing back to the case, and to the
    rows of its joined keys (None where a key is empty), as select_related leaves them."""
    relation = AuthorizationRequest._meta.get_field(name)
    model = relation.related_model
    parts = _embedded_parts(name)
    rows = []
    for values in json_rows_read(_embedded_fields(name), getattr(case, f"_embedded_{name}")):
        row, offset = None, 0
        for key, fields in parts:
            chunk = values[offset : offset + len(fields)]
            offset += len(fields)
            if key is None:
                row = model.from_db(case._state.db, [f.attname for f in fields], chunk)
                continue
            joined = None
            if getattr(row, key.attname) is not None:
                joined = key.related_model.from_db(case._state.db, [f.attname for f in fields], chunk)
            key.set_cached_value(row, joined)
        relation.field.set_cached_value(row, case)
        rows.append(row)
    _relation_rows_set(case, name, rows)


def _relations_present(case) -> set[str]:
    """Which of PROBED_RELATIONS the case has rows in (issue #13: a prefetch costs the ORM
    1-2 ms of Python even when it finds nothing), as `_case_with_probes` read it."""
    return {name for i, name in enumerate(PROBED_RELATIONS) if case._relations & (1 << i)}


def _relation_empty(case, name: str) -> None:
    """Leave on `case` what prefetching relation `name` gives when it finds no row."""
    if name == "decisions":
        case.current_decisions = []
        return
    relation = AuthorizationRequest._meta.get_field(name)
    if relation.one_to_one:
        relation.set_cached_value(case, None)
        return
    _relation_rows_set(case, name, [])


def _relation_rows_set(case, name: str, rows: list) -> None:
    """Leave on `case` what prefetching the many rows of relation `name` gives: `rows`."""
    queryset = getattr(case, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    case._prefetched_objects_cache[name] = queryset


# The case's rows in tables with a foreign key to it, read without Django's prefetch: by a
# query compiled once per process (um_portal.compiled.instances_once) with the case's id as
# its parameter (issue #13: building, compiling and matching a prefetch cost the ORM 0.3-0.5 ms
# of CPU each on every case read). Others (the current decision's criteria, the
# authorization's lines and versions, the extension) go through prefetch_related_objects.
RELATIONS_COMPILED = ("diagnoses", "lines", "attachments", "events", "pends", "appeals", "letters")


def _relation_read(case, name: str, make) -> None:
    """Relation `name` of `case` (one of RELATIONS_COMPILED) as prefetching `make()` (its
    name or a Prefetch of it) leaves it: the rows of the lookup's queryset (the model's
    default one for a name) that point to the case, each pointing back to it. The lookup
    must be the same on every call (the key names the relation only)."""
    field = AuthorizationRequest._meta.get_field(name).field

    def build(case_id):
        lookup = make()
        base = lookup.queryset if isinstance(lookup, Prefetch) else None
        base = field.model._default_manager.all() if base is None else base
        return base.filter(**{field.attname: case_id})

    rows = instances_once(("case relation", name), build, (case.pk,))
    for row in rows:
        field.set_cached_value(row, case)
    _relation_rows_set(case, name, rows)


# What the API detail shows of each change request made of the case's authorization.
API_CHANGE_REQUEST_COLUMNS = (
    "id", "reference", "change_of_id", "change_kind", "status", "received_at", "decision_due_at",
)  # fmt: skip
# The related rows the API detail shows, read by id: no coverage (the detail does not show
# it), and no assignee for a provider (providers never see one: CaseListSerializer).
API_DETAIL_RELATED = LIST_RELATED
API_DETAIL_RELATED_PROVIDER = tuple(name for name in LIST_RELATED if name != "assigned_to")


def case_detail(*, user, case_id, need=None, for_api: bool = False) -> AuthorizationRequest:
    """The case as the case pages (or, `for_api`, the API detail) show it, if `user` may
    see it (and do `need`): `cases.access.case_for_user`, compiled once, its row saying
    which related tables hold its rows (index probes in the same query) and, when
    statements are prepared, carrying its member, coverage, organizations and practitioners
    (DETAIL_JOINED); the prefetches of `case_detail_queryset` for the relations it has
    rows in only (the others are left empty, as their prefetch would leave them), most by
    queries compiled once (RELATIONS_COMPILED); then the related rows not joined by id
    (the assignee for staff; all of them without prepared statements). Every read is the
    same text for every case (the ids are parameters), prepared once per connection (issue
    #13: PostgreSQL spent 1.1 ms planning the case read with its probes, 1.5 ms for all of
    them, on each request)."""
    with prepared.statements():
        return _case_detail(user=user, case_id=case_id, need=need, for_api=for_api)


def _case_detail(*, user, case_id, need, for_api: bool) -> AuthorizationRequest:
    joined = DETAIL_JOINED if prepared.enabled() else ()
    embedded = _relations_embedded() if prepared.enabled() else ()
    case = _case_with_probes(user, case_id, need=need, joined=joined, embedded=bool(embedded))
    present = _relations_present(case)
    if for_api and "authorization" not in present:
        present.discard("change_requests")  # shown inside the authorization only
    case._prefetched_objects_cache = {}
    lookups = []
    for name, relation, make in _detail_prefetches(for_api=for_api):
        if name is not None and name not in present:
            continue
        if relation in embedded:
            _relation_embedded_read(case, relation)
        elif relation in RELATIONS_COMPILED:
            _relation_read(case, relation, make)
        elif relation == "change_of" and case.change_of_id is None:
            AuthorizationRequest._meta.get_field("change_of").set_cached_value(case, None)
        else:
            lookups.append(make())
    for name in set(PROBED_RELATIONS) - present:
        _relation_empty(case, name)
    if for_api and "change_requests" in present:
        lookups.append(Prefetch("change_requests", queryset=_change_requests(API_CHANGE_REQUEST_COLUMNS)))
    prefetch_related_objects([case], *lookups)
    if not for_api:
        case_related_attach([case], [name for name in DETAIL_RELATED if name not in joined])
        return case
    related = API_DETAIL_RELATED_PROVIDER if user_role(user) == Role.PROVIDER else API_DETAIL_RELATED
    case_related_attach([case], [name for name in related if name not in joined], columns=API_RELATED_COLUMNS)
    return case


def case_detail_prefilled(case) -> AuthorizationRequest | None:
    """`case` as `case_detail_queryset` would give it, from what the intake just wrote and
    kept in memory (its lines, diagnoses, documents and events: a new case has no decision,
    pend, letter, appeal, talk or extension yet), so answering a submit reads nothing again
    (issue #13: ten re-reads of the case per submit). None when that cannot be trusted (a
    hook changed the case, or it did not come from the intake): read it with the queryset."""
    prefetched = getattr(case, "_prefetched_objects_cache", None)
    new_events = getattr(case, "new_events", None)
    if (
        case.status != CaseStatus.RECEIVED
        or prefetched is None
        or new_events is None
        or not {"lines", "diagnoses", "attachments"} <= set(prefetched)
    ):
        return None
    prefetched.update(
        events=sorted(new_events, key=lambda e: (e.at, e.pk)),
        pends=[],
        appeals=[],
        letters=[],
        peer_to_peers=[],
        change_requests=[],
    )
    case.current_decisions = []
    case._state.fields_cache["extension"] = None
    case._state.fields_cache["authorization"] = None
    return case


PRIOR_REQUESTS_SHOWN = 10


def prior_requests(*, case: AuthorizationRequest, user) -> list[AuthorizationRequest]:
    """The member's other requests, newest first (one query, lines prefetched in a second)."""
    return list(
        cases_visible_to(user)
        .filter(member_id=case.member_id)
        .exclude(pk=case.pk)
        .prefetch_related("lines")
        .order_by("-received_at")[:PRIOR_REQUESTS_SHOWN]
    )


def case_peer_to_peers(*, case: AuthorizationRequest):
    return list(
        case.peer_to_peers.select_related("physician", "requested_by")
        .prefetch_related("attempts__by")
        .order_by("-requested_at")
    )


def reviewer_loads(*, now=None):
    """Each active nurse and physician with their open load, for the UM supervisor's panel
    (issue 22, item 5): `open_load` (open cases they hold), `due_today` (of those, due on
    the plan's calendar day today, whether or not the hour has passed) and `overdue`. One
    query: three counted subqueries beside the reviewers. Nurses first, then physicians."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today, time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    held = AuthorizationRequest.objects.filter(assigned_to=OuterRef("pk"), status__in=OPEN_STATUSES).order_by()

    def counted(qs):
        return Coalesce(Subquery(qs.values("assigned_to").annotate(n=Count("pk")).values("n")), 0)

    physician_group = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=GROUP_NAMES[Role.PHYSICIAN]
    )
    return (
        users_with_role(Role.NURSE, Role.PHYSICIAN)
        .annotate(
            is_physician=Exists(physician_group),
            open_load=counted(held),
            due_today=counted(held.filter(decision_due_at__gte=start, decision_due_at__lt=end)),
            overdue=counted(held.filter(decision_due_at__lt=now)),
        )
        .order_by("is_physician", "last_name", "username")
    )
