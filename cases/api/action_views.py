"""The API door of every case action (see `cases.actions`): one generic view, one class per
declaration for the schema. A role that may never do the action is refused before the body
is read (the same 403 whatever it contains); the service checks again under the row lock."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from um_portal.api import IDEMPOTENCY_PARAMETER, error_responses, idempotent_response

from ..actions import CaseAction
from ..serializers import CaseDetailSerializer
from .authorizations import case_detail_response


class CaseActionView(APIView):
    """POST an action on a case; answers the updated case."""

    # Not `action`: DRF and drf-spectacular read that name as a viewset action.
    case_action: CaseAction

    def before_body(self, request) -> None:
        """A refusal that must come before the body is parsed (an upload's size)."""

    def post(self, request, case_id):
        action = self.case_action
        case = action.precheck(request.user, case_id, need=action.perm)
        self.before_body(request)
        data = {}
        if action.api_input is not None:
            given = action.api_input(data=request.data)
            given.is_valid(raise_exception=True)
            data = dict(given.validated_data)

        def run():
            result = action.run(request.user, case, data)
            if action.api_body is None:
                return action.api_status, case_detail_response(request, case.pk).data
            return action.api_status, action.api_body(request, case, result)

        if action.idempotent:
            return idempotent_response(request, run)
        status_code, body = run()
        return Response(body, status=status_code)


def _schema(action: CaseAction) -> dict:
    response = action.api_response or CaseDetailSerializer
    responses = {action.api_status: response, **error_responses(*action.api_errors)}
    request = {action.api_content_type: action.api_input} if action.api_content_type else action.api_input
    schema = {"request": request, "responses": responses}
    if action.idempotent:
        schema["parameters"] = [IDEMPOTENCY_PARAMETER]
    if action.api_summary:
        schema["summary"] = action.api_summary
    return schema


def action_api_view(action: CaseAction, base: type[CaseActionView] = CaseActionView) -> type[CaseActionView]:
    """The view class of one declared action (its own class so the schema describes it)."""

    def post(self, request, case_id):
        return base.post(self, request, case_id)

    name = "".join(part.title() for part in action.name.split("_")) + "View"
    attrs = {"case_action": action, "post": extend_schema(**_schema(action))(post), "__module__": base.__module__}
    if action.api_description:
        attrs["__doc__"] = action.api_description
    return type(name, (base,), attrs)
