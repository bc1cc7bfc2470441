"""Referral management API (issue 20): the unit's queue and the four actions, thin views
over the declarations of `reviews.referral_actions`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import case_for_user
from cases.api.action_views import action_api_view
from cases.models import AuthorizationRequest
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import NotAllowed
from um_portal.models import AccessLog
from um_portal.roles import Perm, user_can

from .referral_actions import REDIRECTION_OFFICE_ACTIONS, REFERRAL_NURSE_ACTIONS
from .selectors_referrals import office_redirections, referral_queue_page

RedirectionOfferView = action_api_view(REFERRAL_NURSE_ACTIONS["redirection_offer"])
OutOfNetworkApproveView = action_api_view(REFERRAL_NURSE_ACTIONS["referral_approve_out_of_network"])
RedirectionAcceptView = action_api_view(REDIRECTION_OFFICE_ACTIONS["redirection_accept"])
RedirectionDeclineView = action_api_view(REDIRECTION_OFFICE_ACTIONS["redirection_decline"])


class ReferralQueueRowSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="case.pk")
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField()
    case_status = serializers.CharField(source="case.status")
    due_at = serializers.DateTimeField()
    member = serializers.SerializerMethodField()
    requesting_provider = serializers.CharField(source="case.requesting_organization.name")
    servicing_provider = serializers.SerializerMethodField()
    network_status = serializers.CharField()
    specialty = serializers.CharField()
    specialty_name = serializers.CharField()
    intent_flags = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    alternatives = serializers.ListField(
        child=serializers.DictField(),
        help_text="The nearest in-network options at receipt: name, network, distance_miles.",
    )

    def get_member(self, review) -> dict:
        m = review.case.member
        return {"member_number": m.member_number, "name": m.name}

    def get_servicing_provider(self, review) -> dict:
        case = review.case
        practitioner = case.servicing_practitioner
        return {
            "npi": practitioner.npi if practitioner else case.servicing_organization.npi,
            "name": practitioner.name if practitioner else case.servicing_organization.name,
            "organization": case.servicing_organization.name,
        }


class ReferralQueueView(APIView):
    """Out-of-network referrals waiting on the Referral Management Unit or on the referring
    office, by due time (the unit's nurses)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str),
            OpenApiParameter("status", str, description="open, offered or declined"),
        ],
        responses=inline_serializer(
            "ReferralQueuePage",
            {
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": ReferralQueueRowSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        if not user_can(request.user, Perm.REFERRAL_MANAGE):
            raise NotAllowed("This queue is the Referral Management Unit's.")
        page = referral_queue_page(
            status=request.query_params.get("status", ""), cursor=request.query_params.get("cursor")
        )
        access_log_record_many(
            user=request.user, objs=[r.case for r in page.rows], how=AccessLog.How.API, request=request
        )
        return Response(
            {
                "next": _page_url(request, page.next_cursor),
                "previous": _page_url(request, page.previous_cursor),
                "results": ReferralQueueRowSerializer(page.rows, many=True).data,
            }
        )


class RedirectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    option = serializers.SerializerMethodField()
    message = serializers.CharField()
    offered_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField(allow_blank=True)
    response_note = serializers.CharField(allow_blank=True)
    previous_servicing_provider = serializers.CharField(source="previous_servicing_name", allow_blank=True)

    def get_option(self, offer) -> dict:
        return {
            "name": offer.option_name,
            "detail": offer.option_detail,
            "network": offer.network,
            "distance_miles": None if offer.distance_miles is None else float(offer.distance_miles),
            "organization_npi": offer.organization.npi,
            "practitioner_npi": offer.practitioner.npi if offer.practitioner_id else "",
        }


class RedirectionListView(APIView):
    """The in-network redirections proposed on a referral, oldest first, with their answers
    (the case's parties: its offices and UMOC staff; 404 for anyone else). The one with
    status "offered" is the one the referring office answers."""

    @extend_schema(responses=RedirectionSerializer(many=True))
    def get(self, request, case_id):
        queryset = AuthorizationRequest.objects.select_related("member")
        case = case_for_user(request.user, case_id, queryset=queryset)
        access_log_record(user=request.user, obj=case, how=AccessLog.How.API, request=request)
        found = office_redirections(case)
        offers = found.offers if found is not None else []
        return Response(RedirectionSerializer(offers, many=True).data)


def _page_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
