"""GET /api/v1/referral-options/ (issue 20, item 2): in-network options nearest first."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination

from um_portal.api import error_responses
from um_portal.audit import access_log_record
from um_portal.exceptions import NotAllowed
from um_portal.models import AccessLog
from um_portal.roles import STAFF_ROLES, Perm, user_can, user_role

from ..access import member_for_user
from ..choices import LineOfBusiness
from ..models import NetworkStatus
from ..selectors_directory import (
    NO_DISTANCE,
    OPTION_ORDERING,
    SEARCH_RADII,
    options_within,
    provider_network,
    referral_options_queryset,
    referral_options_rows,
    referral_search,
)


class ReferralOptionsQuerySerializer(serializers.Serializer):
    specialty = serializers.CharField(
        max_length=20, required=False, help_text="NUCC taxonomy code, e.g. 207RC0000X (cardiovascular disease)."
    )
    service_code = serializers.CharField(
        max_length=10, required=False, help_text="CPT or HCPCS code of the service (imaging, laboratory)."
    )
    member_number = serializers.CharField(max_length=20, required=False)
    member_date_of_birth = serializers.DateField(
        required=False, help_text="Required for provider offices with member_number (minimum necessary)."
    )
    near_zip = serializers.CharField(
        max_length=10, required=False, help_text="Distance from this ZIP (default: the member's ZIP)."
    )
    line_of_business = serializers.ChoiceField(
        choices=LineOfBusiness.choices, required=False, help_text="Default: the member's on `on`."
    )
    on = serializers.DateField(required=False, help_text="Network status on this date (default today).")
    servicing_npi = serializers.CharField(
        max_length=10, required=False, help_text="The servicing provider chosen so far: its network status is answered."
    )


class ReferralOptionSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization_name")
    practitioner = serializers.SerializerMethodField()
    network = serializers.ChoiceField(choices=NetworkStatus.choices)
    specialties = serializers.ListField(child=serializers.CharField())
    address = serializers.CharField()
    zip = serializers.CharField(source="zip_code")
    distance_miles = serializers.FloatField(allow_null=True, help_text="From the ZIP centroid; null if unknown.")
    accepting_new_patients = serializers.BooleanField()
    phone = serializers.CharField()
    npi = serializers.CharField(help_text="The practitioner's NPI, else the organization's.")
    organization_npi = serializers.CharField()
    location_id = serializers.IntegerField()

    def get_practitioner(self, option) -> str | None:
        return option.practitioner_name or None


class OptionsPagination(CursorPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = OPTION_ORDERING

    def paginate_queryset(self, queryset, request, view=None):
        """A page from the first radius around the cursor's position that holds it: a
        forward page (options beyond the position) is accepted from a radius only when
        the option after the page lies within it too, so the page and the next cursor are
        those of the whole query; a backward page lies below the position, which bounds
        it. Only the last resort reads the whole directory."""
        search = view._search() if view is not None else None
        if search is None or search.origin is None:
            return super().paginate_queryset(queryset, request, view)
        cursor = self.decode_cursor(request)
        position = float(cursor.position) if cursor is not None and cursor.position is not None else 0.0
        if cursor is not None and cursor.reverse:
            radii = (position,) if position < max(SEARCH_RADII) else ()
        else:
            radii = tuple(position + radius for radius in SEARCH_RADII) if position < NO_DISTANCE else ()
        for radius in radii:
            page = super().paginate_queryset(options_within(queryset, search, radius), request, view)
            if self.has_next or (cursor is not None and cursor.reverse):
                return page
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["notes"] = {"type": "array", "items": {"type": "string"}}
        response["properties"]["search"] = {"type": "object", "description": "The question as understood."}
        response["properties"]["servicing"] = {
            "type": "object",
            "nullable": True,
            "description": "Network status of `servicing_npi` (npi, name, network, in_network, meaning, distance).",
        }
        return response


class ReferralOptionsView(ListAPIView):
    """In-network referral options for a specialty and/or a service, nearest first from the
    member's ZIP (or `near_zip`), for the member's line of business. Options without a
    distance (a location without coordinates) come last. Provider offices name a member by
    number and date of birth; an unknown specialty or ZIP is 400."""

    serializer_class = ReferralOptionSerializer
    pagination_class = OptionsPagination
    filter_backends: list = []

    def _search(self):
        if not hasattr(self, "_checked"):
            user = self.request.user
            if not (user_can(user, Perm.ELIGIBILITY_CHECK) or user_role(user) in STAFF_ROLES):
                raise NotAllowed("Your role does not allow looking up referral options.")
            query = ReferralOptionsQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            q = query.validated_data
            member = None
            if q.get("member_number"):
                member = member_for_user(
                    user, member_number=q["member_number"], date_of_birth=q.get("member_date_of_birth")
                )
                access_log_record(user=user, obj=member, how=AccessLog.How.API, request=self.request)
            self._checked = referral_search(
                specialty=q.get("specialty"),
                service_code=q.get("service_code"),
                member=member,
                near_zip=q.get("near_zip"),
                line_of_business=q.get("line_of_business"),
                on=q.get("on"),
            )
        return self._checked

    def get_queryset(self):
        return referral_options_queryset(self._search())

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.get_queryset())
        options = referral_options_rows(rows)
        response = self.get_paginated_response(self.get_serializer(options, many=True).data)
        search = self._search()
        response.data["notes"] = list(search.notes)
        response.data["search"] = {
            "specialty": {"code": search.specialty.code, "name": search.specialty.display_name}
            if search.specialty
            else None,
            "service_code": search.service_code or None,
            "near_zip": search.origin_zip,
            "line_of_business": search.line_of_business,
            "line_of_business_label": LineOfBusiness(search.line_of_business).label
            if search.line_of_business
            else None,
            "on": search.day.isoformat(),
        }
        response.data["servicing"] = self._servicing(search)
        return response

    def _servicing(self, search) -> dict | None:
        npi = (self.request.query_params.get("servicing_npi") or "").strip()
        if not npi:
            return None
        chosen = provider_network(
            npi=npi, line_of_business=search.line_of_business, on=search.day, origin=search.origin
        )
        if chosen is None:
            return None
        name = chosen.practitioner.name if chosen.practitioner else chosen.organization.name
        return {
            "npi": npi,
            "name": name,
            "organization": chosen.organization.name,
            "network": chosen.status,
            "network_label": chosen.label,
            "in_network": chosen.in_network,
            "meaning": chosen.meaning,
            "distance_miles": chosen.distance_miles,
        }

    @extend_schema(
        parameters=[ReferralOptionsQuerySerializer],
        responses={200: ReferralOptionSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)
