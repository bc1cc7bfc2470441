"""What a provider does from the case page: the generic page door over the declarations of
`reviews.provider_actions` (role refused before the form with 404/403, one service, back to
the case page with a message), and the document download."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from reviews.provider_actions import PROVIDER_ACTIONS
from reviews.referral_actions import REDIRECTION_OFFICE_ACTIONS
from um_portal.audit import access_log_record
from um_portal.models import AccessLog

from .actions import action_page
from .api.actions import attachment_file_response
from .services.attachments import attachment_for_user

act = action_page(PROVIDER_ACTIONS, back="cases:detail")
# A proposed in-network redirection: the referring office accepts or declines (issue 20).
redirection_act = action_page(REDIRECTION_OFFICE_ACTIONS, back="cases:detail")


@login_required
@require_GET
def document_download(request, case_id, attachment_id):
    attachment = attachment_for_user(request.user, case_id=case_id, attachment_id=attachment_id)
    access_log_record(user=request.user, obj=attachment, how=AccessLog.How.DOWNLOAD, request=request)
    return attachment_file_response(attachment)
