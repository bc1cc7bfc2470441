"""The office's gold-card page: its status per service group, with the figures and its
gold-card letters (PDF)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render

from automation.services.goldcard import gold_cards_for_organization
from um_portal.exceptions import NotAllowed, NotFound
from um_portal.roles import Role, user_role

from .models import GoldCardLetter


def _organization(request):
    organization = getattr(request.user, "organization", None)
    if user_role(request.user) != Role.PROVIDER or organization is None:
        raise NotAllowed("The gold-card page is for provider offices.")
    return organization


@login_required
def gold_card_page(request):
    organization = _organization(request)
    return render(
        request,
        "notifications/gold_card.html",
        {
            "organization": organization,
            "cards": gold_cards_for_organization(organization.pk),
            "letters": list(
                GoldCardLetter.objects.filter(organization=organization, issued_at__isnull=False).select_related(
                    "event"
                )
            ),
        },
    )


@login_required
def gold_card_letter_pdf(request, letter_id):
    organization = _organization(request)
    letter = GoldCardLetter.objects.filter(pk=letter_id, organization=organization, issued_at__isnull=False).first()
    if letter is None:
        raise NotFound("No such letter.")
    return FileResponse(letter.pdf.open("rb"), content_type="application/pdf", filename=f"gold-card-{letter.pk}.pdf")
