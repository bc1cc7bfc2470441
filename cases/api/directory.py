"""Member eligibility and the provider directory."""

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination

from um_portal.api import error_responses
from um_portal.audit import access_log_record
from um_portal.exceptions import NotAllowed, ValidationFailed
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from ..models import LineOfBusiness, Member, ProviderOrganization
from ..selectors import member_eligibility


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    on = serializers.DateField()
    plan = serializers.CharField(allow_null=True)
    line_of_business = serializers.CharField(allow_null=True)
    state = serializers.CharField(allow_null=True)
    coverage_start = serializers.DateField(allow_null=True)
    coverage_end = serializers.DateField(allow_null=True)


class MemberSerializer(serializers.Serializer):
    member_number = serializers.CharField()
    name = serializers.CharField()
    date_of_birth = serializers.DateField()
    line_of_business = serializers.SerializerMethodField()
    state = serializers.CharField()
    eligibility = serializers.SerializerMethodField()

    def _eligibility(self, member) -> dict:
        if not hasattr(member, "_eligibility"):
            member._eligibility = member_eligibility(member=member, day=self.context["on"])
        return member._eligibility

    def get_line_of_business(self, member) -> str | None:
        return self._eligibility(member)["line_of_business"]

    def get_eligibility(self, member) -> EligibilitySerializer:
        return EligibilitySerializer(self._eligibility(member)).data


class MemberQuerySerializer(serializers.Serializer):
    member_number = serializers.CharField(max_length=20, required=False)
    date_of_birth = serializers.DateField(required=False)
    on = serializers.DateField(required=False, help_text="Eligibility on this date (default today).")
    name = serializers.CharField(max_length=80, required=False, help_text="Staff only: part of a name.")
    line_of_business = serializers.ChoiceField(choices=LineOfBusiness.choices, required=False)
    state = serializers.CharField(max_length=2, required=False)


class NamePagination(CursorPagination):
    page_size = 25
    ordering = ("last_name", "first_name", "id")


class MemberListView(ListAPIView):
    """Members with their eligibility. Providers must give member_number and date_of_birth
    (minimum necessary) and get at most one member; staff may search."""

    serializer_class = MemberSerializer
    pagination_class = NamePagination
    filter_backends: list = []

    def _query(self) -> dict:
        if not hasattr(self, "_validated_query"):
            query = MemberQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            self._validated_query = query.validated_data
        return self._validated_query

    def get_queryset(self):
        user, q = self.request.user, self._query()
        qs = Member.objects.prefetch_related("coverages")
        if user_can(user, Perm.MEMBER_SEARCH):
            if q.get("member_number"):
                qs = qs.filter(member_number=q["member_number"].strip().upper())
            if q.get("date_of_birth"):
                qs = qs.filter(date_of_birth=q["date_of_birth"])
            for word in q.get("name", "").split():
                qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
            if q.get("line_of_business"):
                qs = qs.filter(coverages__line_of_business=q["line_of_business"]).distinct()
            if q.get("state"):
                qs = qs.filter(state=q["state"].upper())
            return qs
        if not user_can(user, Perm.ELIGIBILITY_CHECK):
            raise NotAllowed("Your role does not allow eligibility checks.")
        if any(q.get(f) for f in ("name", "line_of_business", "state")):
            raise NotAllowed("Providers look members up by member number and date of birth only.")
        if not (q.get("member_number") and q.get("date_of_birth")):
            raise ValidationFailed(
                "Give both member_number and date_of_birth.",
                errors={f: ["Required."] for f in ("member_number", "date_of_birth") if not q.get(f)},
            )
        return qs.filter(member_number=q["member_number"].strip().upper(), date_of_birth=q["date_of_birth"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "on": self._query().get("on") or timezone.localdate()}

    @extend_schema(
        parameters=[MemberQuerySerializer],
        responses={200: MemberSerializer(many=True), **error_responses(400, 401, 403, 429)},
    )
    def get(self, request, *args, **kwargs):
        response = self.list(request, *args, **kwargs)
        return response

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for member in page if page is not None else []:
            access_log_record(user=self.request.user, obj=member, how=AccessLog.How.API, request=self.request)
        return page


class PractitionerBriefSerializer(serializers.Serializer):
    npi = serializers.CharField()
    name = serializers.CharField()
    specialty = serializers.CharField()


class ProviderSerializer(serializers.Serializer):
    npi = serializers.CharField()
    name = serializers.CharField()
    organization = serializers.CharField(source="name")
    kind = serializers.CharField()
    state = serializers.CharField()
    contracted = serializers.SerializerMethodField()
    agreement_start = serializers.SerializerMethodField()
    agreement_end = serializers.SerializerMethodField()
    practitioners = PractitionerBriefSerializer(many=True, source="practitioners.all")

    def _latest(self, org):
        agreements = sorted(org.agreements.all(), key=lambda a: a.effective_date, reverse=True)
        return agreements[0] if agreements else None

    def get_contracted(self, org) -> bool:
        today = timezone.localdate()
        return any(a.is_active_on(today) for a in org.agreements.all())

    def get_agreement_start(self, org) -> str | None:
        latest = self._latest(org)
        return latest.effective_date.isoformat() if latest else None

    def get_agreement_end(self, org) -> str | None:
        latest = self._latest(org)
        return latest.end_date.isoformat() if latest and latest.end_date else None


class ProviderQuerySerializer(serializers.Serializer):
    npi = serializers.CharField(max_length=10, required=False, help_text="Organization or practitioner NPI.")
    name = serializers.CharField(max_length=80, required=False)
    kind = serializers.ChoiceField(choices=ProviderOrganization.Kind.choices, required=False)


class OrganizationPagination(CursorPagination):
    page_size = 50
    ordering = ("name", "id")


class ProviderListView(ListAPIView):
    """The provider directory: organizations with their practitioners, contract status and
    agreement dates (any logged-in user)."""

    serializer_class = ProviderSerializer
    pagination_class = OrganizationPagination
    filter_backends: list = []

    def get_queryset(self):
        query = ProviderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        qs = ProviderOrganization.objects.prefetch_related("agreements", "practitioners")
        if q.get("npi"):
            qs = qs.filter(Q(npi=q["npi"]) | Q(practitioners__npi=q["npi"])).distinct()
        for word in q.get("name", "").split():
            qs = qs.filter(
                Q(name__icontains=word)
                | Q(practitioners__last_name__icontains=word)
                | Q(practitioners__first_name__icontains=word)
            ).distinct()
        if q.get("kind"):
            qs = qs.filter(kind=q["kind"])
        return qs

    @extend_schema(
        parameters=[ProviderQuerySerializer],
        responses={200: ProviderSerializer(many=True), **error_responses(400, 401, 429)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)
