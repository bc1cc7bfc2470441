"""Authorization requests: list, submit, detail."""

from datetime import UTC

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListCreateAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from reviews.selectors import case_detail, case_detail_prefilled
from um_portal.api import IDEMPOTENCY_PARAMETER, error_responses, idempotent_response
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.models import AccessLog
from um_portal.roles import Role, user_role

from ..models import AuthorizationRequest, CaseStatus, Channel, Member, ServiceCategory, Urgency
from ..selectors import API_RELATED_COLUMNS, LIST_COLUMNS, CaseRead, case_list_page, related_values_attach
from ..serializers import CaseDetailSerializer, CaseListSerializer, case_list_rows_json
from ..services.intake import authorization_submit
from .inputs import AuthorizationCreateSerializer


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    service_category = django_filters.ChoiceFilter(choices=ServiceCategory.choices)
    member_number = django_filters.CharFilter(method="filter_member_number", max_length=20)
    due_before = django_filters.IsoDateTimeFilter(
        method="filter_due_before", help_text="Decision due before this moment (ISO 8601)."
    )
    assigned_to = django_filters.CharFilter(
        method="filter_assigned_to", max_length=150, help_text="Username of the assigned reviewer, or `me`."
    )

    # Filters on related rows are semi-joins on their ids: the page query still reads only
    # the case table (by an index), whatever the filter (issue #13).
    def filter_member_number(self, queryset, name, value):
        return queryset.filter(member_id__in=Member.objects.filter(member_number=value).values("pk"))

    def filter_assigned_to(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if user_role(self.request.user) == Role.PROVIDER:
            # An answer would say which usernames exist and work on this office's cases.
            raise ValidationError({"assigned_to": ["Providers cannot filter by reviewer."]})
        from um_portal.models import User

        return queryset.filter(assigned_to_id__in=User.objects.filter(username=value).values("pk"))

    def filter_due_before(self, queryset, name, value):
        # PostgreSQL refuses offsets beyond +-15:59 that Python accepts: compare in UTC.
        try:
            moment = value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError({"due_before": ["Give a date-time between years 1 and 9999."]}) from None
        return queryset.filter(decision_due_at__lt=moment)


class CasePagination(CursorPagination):
    """Newest first, by keyset on (received_at, id): `cases.selectors.case_list_page` reads
    the page; this class gives the schema its `cursor` parameter and response shape."""

    page_size = 25
    ordering = ("-received_at", "-id")


def case_detail_response(request, case_id, *, status_code=status.HTTP_200_OK) -> Response:
    """Re-read a case with everything the detail shows and log the read."""
    case = case_detail(user=request.user, case_id=case_id, for_api=True)
    access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
    return Response(CaseDetailSerializer(case, context={"request": request}).data, status=status_code)


class AuthorizationListView(ListCreateAPIView):
    """The requests the caller may see (a provider: its organization's, as requester or
    servicer), newest first; and submitting a new one."""

    serializer_class = CaseListSerializer
    pagination_class = CasePagination
    filterset_class = CaseFilter

    def get_queryset(self):
        return AuthorizationRequest.objects.all()

    def filter_queryset(self, queryset):
        # With no filter asked for, the FilterSet would build and clean a form of six empty
        # fields to filter nothing (a tenth of the list's time, issue #13).
        if not self._filters_asked():
            return queryset
        return super().filter_queryset(queryset)

    def _filters_asked(self) -> bool:
        return any(name in self.request.query_params for name in CaseFilter.base_filters)

    def list(self, request, *args, **kwargs):
        # Filters first (400 on a bad one), then the scoped keyset page (case_list_page) as
        # values, its related rows by id, written out as CaseListSerializer would.
        filtered = self.filter_queryset(self.get_queryset())
        page = case_list_page(
            user=request.user,
            queryset=filtered,
            cursor=request.query_params.get("cursor"),
            limit=CasePagination.page_size,
            values=LIST_COLUMNS,
            # Without a filter the first page's SQL is compiled once per process (issue #13).
            compiled=None if self._filters_asked() else ("api",),
        )
        related_values_attach(page.rows, API_RELATED_COLUMNS)
        access_log_record_many(
            user=request.user,
            objs=[CaseRead(row["id"], row["member_id"]) for row in page.rows],
            how=AccessLog.How.API,
            request=request,
        )
        return Response(
            {
                "next": _page_link(request, page.next_cursor),
                "previous": _page_link(request, page.previous_cursor),
                "results": case_list_rows_json(page.rows, user=request.user),
            }
        )

    @extend_schema(responses={200: CaseListSerializer(many=True), **error_responses(400, 401, 429)})
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        request=AuthorizationCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: CaseDetailSerializer, **error_responses(400, 401, 403, 409, 429)},
    )
    def post(self, request, *args, **kwargs):
        given = AuthorizationCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)

        def run():
            case = authorization_submit(
                user=request.user,
                door=Channel.API,
                lines=[dict(line) for line in data.pop("lines")],
                **data,
            )
            detail = case_detail_prefilled(case)
            if detail is None:  # a hook changed it (a rule approved it): read it again
                return status.HTTP_201_CREATED, case_detail_response(request, case.pk).data
            access_log_record(user=request.user, obj=detail, how=AccessLog.How.API, request=request)
            return status.HTTP_201_CREATED, CaseDetailSerializer(detail, context={"request": request}).data

        return idempotent_response(request, run)


def _page_link(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return replace_query_param(request.build_absolute_uri(), "cursor", cursor)


class AuthorizationDetailView(APIView):
    """One request with its lines, decision, letters, appeals, documents and timeline."""

    @extend_schema(responses={200: CaseDetailSerializer, **error_responses(401, 404, 429)})
    def get(self, request, case_id):
        return case_detail_response(request, case_id)
