"""Read-only case representations of API.md, shared by every app's API views.

They read only what `cases.selectors` prefetched: no queries per row.

The declared fields are the schema (drf-spectacular) and the reference representation;
`to_representation` builds the same dict directly (issue #13: DRF copied and walked some
forty field objects per case, a third of a page's time). Each value is shown by one
unbound DRF field of its type (`_show`), so the text is DRF's own;
tests/cases/test_api_detail_same_body.py keeps the two equal, byte for byte.
"""

from django.utils import timezone
from rest_framework import serializers

from um_portal.models import PUBLIC_STAFF_NAME
from um_portal.roles import Role, user_role

from .selectors import provider_label


class _Show:
    """The DRF field classes the case serializers declare, unbound: `to_representation` of
    a value that is not None (None shows as null, as `Serializer.to_representation` does)."""

    datetime = serializers.DateTimeField().to_representation
    date = serializers.DateField().to_representation
    uuid = serializers.UUIDField().to_representation


_show = _Show()


def _text(value) -> str | None:
    return None if value is None else str(value)


def _int(value) -> int | None:
    return None if value is None else int(value)


def _datetime(value) -> str | None:
    return None if value is None else _show.datetime(value)


def _date(value) -> str | None:
    return None if value is None else _show.date(value)


def _uuid(value) -> str | None:
    return None if value is None else _show.uuid(value)


def _coded_reason(entry) -> dict | None:
    """A decision's or pend's coded reason (reviews' reason-code catalogue), as the API shows it."""
    if entry is None:
        return None
    return {
        "code": entry.code,
        "x12_code": entry.x12_code,
        "label": entry.label,
        "member_text": entry.member_text,
        "catalogue_version": entry.catalogue.version,
    }


class MemberBriefSerializer(serializers.Serializer):
    member_number = serializers.CharField()
    name = serializers.CharField()
    date_of_birth = serializers.DateField()


class ProviderBriefSerializer(serializers.Serializer):
    npi = serializers.CharField()
    name = serializers.CharField()


class ServiceLineSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code_system = serializers.CharField()
    code = serializers.CharField()
    description = serializers.CharField()
    units = serializers.IntegerField()
    approved_units = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class ClockSerializer(serializers.Serializer):
    rule = serializers.CharField()
    due_at = serializers.DateTimeField()
    started_by = serializers.CharField()


def _service_line(line) -> dict:
    """A line as ServiceLineSerializer shows it."""
    return {
        "id": _uuid(line.id),
        "code_system": _text(line.code_system),
        "code": _text(line.code),
        "description": _text(line.description),
        "units": _int(line.units),
        "approved_units": _int(line.approved_units),
        "outcome": _text(line.outcome),
        "start_date": _date(line.start_date),
        "end_date": _date(line.end_date),
    }


def _clock(clock: dict) -> dict:
    """A clock (a dict of the case's `clocks`) as ClockSerializer shows it."""
    return {
        "rule": _text(clock["rule"]),
        "due_at": _datetime(clock["due_at"]),
        "started_by": _text(clock["started_by"]),
    }


class CaseListSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    channel = serializers.CharField()
    urgency = serializers.CharField()
    review_type = serializers.CharField()
    service_category = serializers.CharField()
    received_at = serializers.DateTimeField()
    decision_due_at = serializers.DateTimeField()
    member = serializers.SerializerMethodField()
    requesting_provider = serializers.SerializerMethodField()
    servicing_provider = serializers.SerializerMethodField()
    assigned_to = serializers.SerializerMethodField()
    change_of = serializers.SerializerMethodField(help_text="A change request: the id of the case it would change.")
    change_kind = serializers.SerializerMethodField(
        help_text="A change request: add_units, extend, change_servicing_provider (null otherwise)."
    )

    def to_representation(self, case) -> dict:
        return {
            "id": _uuid(case.id),
            "reference": _text(case.reference),
            "kind": _text(case.kind),
            "status": _text(case.status),
            "channel": _text(case.channel),
            "urgency": _text(case.urgency),
            "review_type": _text(case.review_type),
            "service_category": _text(case.service_category),
            "received_at": _datetime(case.received_at),
            "decision_due_at": _datetime(case.decision_due_at),
            "member": self.get_member(case),
            "requesting_provider": self.get_requesting_provider(case),
            "servicing_provider": self.get_servicing_provider(case),
            "assigned_to": self.get_assigned_to(case),
            "change_of": self.get_change_of(case),
            "change_kind": self.get_change_kind(case),
        }

    def get_change_of(self, case) -> str | None:
        return str(case.change_of_id) if case.change_of_id else None

    def get_change_kind(self, case) -> str | None:
        return case.change_kind or None

    def get_member(self, case) -> MemberBriefSerializer:
        m = case.member
        return {"member_number": m.member_number, "name": m.name, "date_of_birth": m.date_of_birth.isoformat()}

    def get_requesting_provider(self, case) -> ProviderBriefSerializer:
        return provider_label(case.requesting_organization, case.requesting_practitioner)

    def get_servicing_provider(self, case) -> ProviderBriefSerializer:
        return provider_label(case.servicing_organization, case.servicing_practitioner)

    def _is_provider(self) -> bool:
        # Once per serializer (a page's rows share the list's child): the context's user.
        if not hasattr(self, "_provider"):
            request = self.context.get("request")
            self._provider = request is not None and user_role(request.user) == Role.PROVIDER
        return self._provider

    def get_assigned_to(self, case) -> str | None:
        # Staff filter by the reviewer's username; providers never see a username (issue 12).
        if not case.assigned_to_id or self._is_provider():
            return None
        return case.assigned_to.username


class CaseDetailSerializer(CaseListSerializer):
    notice_due_at = serializers.DateTimeField(allow_null=True)
    clocks = ClockSerializer(many=True)
    expedited_reason = serializers.CharField()
    place_of_service = serializers.CharField()
    clinical_summary = serializers.CharField()
    diagnosis_codes = serializers.SerializerMethodField()
    lines = ServiceLineSerializer(many=True)
    pend = serializers.SerializerMethodField()
    extension = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    authorization = serializers.SerializerMethodField()
    change = serializers.SerializerMethodField()
    letters = serializers.SerializerMethodField()
    appeals = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    def to_representation(self, case) -> dict:
        shown = super().to_representation(case)
        shown.update(
            notice_due_at=_datetime(case.notice_due_at),
            clocks=None if case.clocks is None else [_clock(clock) for clock in case.clocks],
            expedited_reason=_text(case.expedited_reason),
            place_of_service=_text(case.place_of_service),
            clinical_summary=_text(case.clinical_summary),
            diagnosis_codes=self.get_diagnosis_codes(case),
            lines=[_service_line(line) for line in case.lines.all()],
            pend=self.get_pend(case),
            extension=self.get_extension(case),
            decision=self.get_decision(case),
            authorization=self.get_authorization(case),
            change=self.get_change(case),
            letters=self.get_letters(case),
            appeals=self.get_appeals(case),
            attachments=self.get_attachments(case),
            timeline=self.get_timeline(case),
        )
        return shown

    def get_diagnosis_codes(self, case) -> list[str]:
        return [d.code for d in case.diagnoses.all()]

    def get_pend(self, case) -> dict | None:
        pends = list(case.pends.all())
        if not pends:
            return None
        pend = max(pends, key=lambda p: p.requested_at)
        return {
            "requested_information": pend.requested_information,
            "reason_code": _coded_reason(pend.coded_reason),
            "respond_by": pend.respond_by.isoformat(),
            "requested_at": pend.requested_at.isoformat(),
            "responded_at": pend.responded_at.isoformat() if pend.responded_at else None,
        }

    def get_extension(self, case) -> dict | None:
        extension = getattr(case, "extension", None)
        if extension is None:
            return None
        return {
            "reason": extension.reason,
            "ground": extension.ground,
            "rule": extension.rule,
            "new_due_at": extension.new_due_at.isoformat(),
            "granted_at": extension.granted_at.isoformat(),
        }

    def get_decision(self, case) -> dict | None:
        decisions = getattr(case, "current_decisions", None)
        if not decisions:
            return None
        d = decisions[0]
        reviewer = d.decided_by
        return {
            "outcome": d.outcome,
            "basis": d.basis or None,
            "reason": d.reason,
            "reason_code": _coded_reason(d.coded_reason),
            "criteria": [
                {"id": v.pk, "name": v.criteria_set.name, "source": v.criteria_set.source, "version": v.version}
                for v in d.criteria.all()
            ],
            "decided_by": {
                "name": reviewer.get_full_name() or (PUBLIC_STAFF_NAME if self._is_provider() else reviewer.username),
                "credentials": reviewer.credentials,
                "role": user_role(reviewer),
            },
            "decided_at": d.decided_at.isoformat(),
        }

    def get_authorization(self, case) -> dict | None:
        """What an approval lets the office do (issue 19, item 1); null until approved."""
        authorization = getattr(case, "authorization", None)
        if authorization is None:
            return None
        return {
            "number": authorization.number,
            "valid_from": authorization.valid_from.isoformat(),
            "valid_to": authorization.valid_to.isoformat(),
            "servicing_provider": provider_label(
                authorization.servicing_organization or case.servicing_organization, None
            ),
            "version": authorization.version,
            "lines": [
                {
                    "id": line.pk,
                    "line_number": line.line_number,
                    "code": line.code,
                    "start_date": line.start_date.isoformat(),
                    "end_date": line.end_date.isoformat(),
                    "approved_units": line.approved_units,
                    "used_units": line.units_used,
                    "units_used": line.units_used,  # the earlier name, kept for existing clients
                    "cancelled": line.cancelled_at is not None,
                }
                for line in authorization.lines.all()
            ],
            # Its history (issue 19, item 3): what was approved from when, by which decision.
            "versions": [
                {
                    "number": v.number,
                    "kind": v.kind,
                    "at": v.at.isoformat(),
                    "summary": v.summary,
                    "valid_from": v.valid_from.isoformat(),
                    "valid_to": v.valid_to.isoformat(),
                    "lines": v.lines,
                    "decision": {"outcome": v.decision.outcome, "decided_at": v.decision.decided_at.isoformat()}
                    if v.decision
                    else None,
                    "change_request": {"id": str(v.change_case_id), "reference": v.change_case.reference}
                    if v.change_case_id
                    else None,
                }
                for v in authorization.versions.all()
            ],
            "change_requests": [
                {
                    "id": str(c.pk),
                    "reference": c.reference,
                    "kind": c.change_kind,
                    "status": c.status,
                    "received_at": c.received_at.isoformat(),
                    "decision_due_at": c.decision_due_at.isoformat(),
                }
                for c in case.change_requests.all()
            ],
        }

    def get_change(self, case) -> dict | None:
        """A change request: what it asks of which authorization (null for other cases)."""
        if not case.change_of_id:
            return None
        details = case.change_details or {}
        return {
            "of": {"id": str(case.change_of_id), "reference": case.change_of.reference},
            "kind": case.change_kind,
            "authorization": details.get("authorization"),
            "lines": details.get("lines") or [],
            "end_date": details.get("end_date"),
            "servicing_provider_npi": details.get("servicing_provider_npi") or None,
            "reason": details.get("reason", ""),
        }

    def get_letters(self, case) -> list[dict]:
        return [
            {
                "id": str(letter.pk),
                "kind": letter.kind,
                "recipient": letter.recipient,
                "created_at": letter.created_at.isoformat(),
                "url": f"/api/v1/letters/{letter.pk}/pdf",
            }
            for letter in case.letters.all()
            if getattr(letter, "is_issued", True) and self._letter_visible(case, letter)
        ]

    def _letter_visible(self, case, letter) -> bool:
        # Providers see the letters addressed to their own organization (need to know).
        if not self._is_provider():
            return True
        from notifications.access import letter_visible_to

        letter.case = case
        return letter_visible_to(self.context["request"].user, letter)

    def get_appeals(self, case) -> list[dict]:
        return [
            {"id": a.pk, "status": a.status, "due_at": a.due_at.isoformat(), "outcome": a.outcome or None}
            for a in case.appeals.all()
        ]

    def get_attachments(self, case) -> list[dict]:
        return [
            {
                "id": str(a.pk),
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "description": a.description,
                "uploaded_at": a.uploaded_at.isoformat(),
                "active_content": a.active_content,
            }
            for a in case.attachments.all()
        ]

    def get_timeline(self, case) -> list[dict]:
        provider = self._is_provider()
        return [
            {
                "at": e.at.isoformat(),
                "event": e.kind,
                "label": e.get_kind_display(),
                "message": e.message,
                "by": (e.actor.public_name if provider else e.actor.display_name) if e.actor_id else "UM Portal",
            }
            for e in case.events.all()
            if e.provider_visible or not provider
        ]


def case_list_rows_json(rows, *, user) -> list[dict]:
    """List rows read as values (`case_list_page(values=LIST_COLUMNS)` or the queues'
    `queue_values_page`, with `related_values_attach(rows, API_RELATED_COLUMNS)`) in
    CaseListSerializer's shape, key for key and value for value, written out: model
    instances and that serializer's fields cost more than the rest of the request (issue
    #13; tests hold the two equal for the queue and the provider list)."""
    tz = timezone.get_current_timezone()
    # Providers never see a staff username (issue 12), as CaseListSerializer.get_assigned_to.
    show_assignee = user_role(user) != Role.PROVIDER
    return [
        {
            "id": str(row["id"]),
            "reference": row["reference"],
            "kind": row["kind"],
            "status": row["status"],
            "channel": row["channel"],
            "urgency": row["urgency"],
            "review_type": row["review_type"],
            "service_category": row["service_category"],
            "received_at": _datetime_json(row["received_at"], tz),
            "decision_due_at": _datetime_json(row["decision_due_at"], tz),
            "member": {
                "member_number": row["member"]["member_number"],
                "name": f"{row['member']['first_name']} {row['member']['last_name']}",
                "date_of_birth": row["member"]["date_of_birth"].isoformat(),
            },
            "requesting_provider": _provider_json(row, "requesting"),
            "servicing_provider": _provider_json(row, "servicing"),
            "assigned_to": row["assigned_to"]["username"] if row["assigned_to"] and show_assignee else None,
            "change_of": str(row["change_of_id"]) if row["change_of_id"] else None,
            "change_kind": row["change_kind"] or None,
        }
        for row in rows
    ]


def _datetime_json(value, tz) -> str | None:
    # As DRF's DateTimeField writes it: in the current time zone, ISO 8601, UTC as "Z".
    if not value:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _provider_json(row: dict, which: str) -> dict:
    # cases.selectors.provider_label, from values: the practitioner if there is one.
    practitioner = row[f"{which}_practitioner"]
    if practitioner is not None:
        suffix = f", {practitioner['credentials']}" if practitioner["credentials"] else ""
        return {"npi": practitioner["npi"], "name": f"{practitioner['first_name']} {practitioner['last_name']}{suffix}"}
    organization = row[f"{which}_organization"]
    return {"npi": organization["npi"], "name": organization["name"]}
