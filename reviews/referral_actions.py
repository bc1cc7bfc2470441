"""Referral management actions (issue 20, item 3), declared once (see `cases.actions`): the
unit's nurse proposes a redirection or approves out of network (review page and API); the
referring office accepts or declines a proposal (case page and API). Forms and API inputs
only shape input; `reviews.services.referrals` holds the rules."""

from django import forms
from rest_framework import serializers

from cases.actions import CaseAction, action_register, service_call
from um_portal.roles import Perm

from .models_referrals import APPROVAL_REASONS, OutOfNetworkReason
from .services import referrals

NOTE_MAX = referrals.NOTE_MAX
APPROVAL_CHOICES = [(r.value, r.label) for r in APPROVAL_REASONS]
DECLINE_CHOICES = OutOfNetworkReason.choices
WRITE_ERRORS = (400, 401, 403, 404, 409, 429)


class RedirectionOfferForm(forms.Form):
    # The option list's value: "organization NPI/practitioner NPI".
    organization_npi = forms.CharField(max_length=21, label="In-network option")
    practitioner_npi = forms.CharField(max_length=10, required=False, widget=forms.HiddenInput)
    message = forms.CharField(
        max_length=NOTE_MAX, label="Message to the referring office (the option and why)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def action_input(self) -> dict:
        # The option list sends "organization NPI/practitioner NPI" as one value.
        data = dict(self.cleaned_data)
        org, _, practitioner = data["organization_npi"].partition("/")
        data["organization_npi"], data["practitioner_npi"] = org, practitioner or data.get("practitioner_npi", "")
        return data


class OutOfNetworkApproveForm(forms.Form):
    reason = forms.ChoiceField(choices=APPROVAL_CHOICES, label="Reason to approve out of network")
    note = forms.CharField(max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class RedirectionAcceptForm(forms.Form):
    note = forms.CharField(max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RedirectionDeclineForm(forms.Form):
    reason = forms.ChoiceField(choices=DECLINE_CHOICES, label="Why the office keeps its choice")
    note = forms.CharField(max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VersionIn(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class RedirectionOfferIn(VersionIn):
    organization_npi = serializers.CharField(max_length=10)
    practitioner_npi = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    message = serializers.CharField(max_length=NOTE_MAX)


class OutOfNetworkApproveIn(VersionIn):
    reason = serializers.ChoiceField(choices=APPROVAL_CHOICES)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class RedirectionAcceptIn(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class RedirectionDeclineIn(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DECLINE_CHOICES)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


REFERRAL_NURSE_ACTIONS = action_register(
    CaseAction(
        "redirection_offer", Perm.REFERRAL_MANAGE,
        service_call(referrals.redirection_offer, "organization_npi", "practitioner_npi", "message", versioned=True),
        check=referrals.referral_nurse_check, form=RedirectionOfferForm,
        success="Redirection proposed: the referring office is asked to accept or decline it.",
        api_input=RedirectionOfferIn, api_errors=WRITE_ERRORS,
        api_summary="Propose an in-network redirection to the referring office (Referral Management Unit)",
    ),
    CaseAction(
        "referral_approve_out_of_network", Perm.REFERRAL_MANAGE,
        service_call(referrals.referral_approve_out_of_network, "reason", "note", versioned=True),
        check=referrals.referral_nurse_check, form=OutOfNetworkApproveForm,
        success="Approved out of network. Letters go to the member and the providers.",
        api_input=OutOfNetworkApproveIn, api_errors=WRITE_ERRORS,
        api_summary="Approve the referral as requested, out of network, with the reason (Referral Management Unit)",
    ),
)  # fmt: skip


def _office(name, run, **declared) -> CaseAction:
    # Offices answer the API once per Idempotency-Key, as their other actions.
    return CaseAction(name, Perm.REDIRECTION_RESPOND, run, check=referrals.redirection_respond_check,
                      api_errors=WRITE_ERRORS, idempotent=True, **declared)  # fmt: skip


REDIRECTION_OFFICE_ACTIONS = action_register(
    _office(
        "redirection_accept", service_call(referrals.redirection_accept, "note", by_id=False),
        form=RedirectionAcceptForm,
        success="Redirection accepted: the referral now goes to the proposed provider; the member is told by letter.",
        api_input=RedirectionAcceptIn,
        api_summary="Accept the proposed in-network redirection (the referring office)",
    ),
    _office(
        "redirection_decline", service_call(referrals.redirection_decline, "reason", "note", by_id=False),
        form=RedirectionDeclineForm,
        success="Redirection declined: the plan's referral nurse reviews the referral as requested.",
        api_input=RedirectionDeclineIn,
        api_summary="Decline the proposed redirection, with the reason (the referring office)",
    ),
)  # fmt: skip
