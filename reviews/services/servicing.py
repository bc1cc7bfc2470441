"""Changing the servicing provider of a request, the one service for it: an in-network
redirection the referring office accepted (issue 20, `referrals.redirection_accept`) and
an approved change request moving an authorization to another provider (issue 19,
`authorization_changes.authorization_change_apply`) both call `servicing_provider_change`.

Access follows the parties (DESIGN.md rule 8): the new servicing organization may view and
act on the request (it sees the authorization it bills against); the old one keeps access
only if it also requested it. The callers record their own events (redirection accepted;
authorization changed, whose version holds the new provider)."""

from guardian.shortcuts import assign_perm

from cases.access import ACT_CODENAME, VIEW_CODENAME
from cases.models import DECIDED_STATUSES, AuthorizationRequest, AuthorizationRequestGroupObjectPermission
from cases.services.providers import organization_access_group

from ..models import Authorization


def servicing_provider_change(
    *, case: AuthorizationRequest, organization, practitioner=None, authorization: Authorization | None = None
) -> Authorization | None:
    """Make `organization` (and `practitioner`) the servicing provider of the locked `case`,
    and of the authorization it holds (`authorization`, locked by the caller, or looked up
    and locked here for a decided case: an open request holds none). Returns the
    authorization changed, if any. Lock order: the case, then its authorization."""
    old = case.servicing_organization
    case.servicing_organization, case.servicing_practitioner = organization, practitioner
    case.version += 1
    case.save(update_fields=["servicing_organization", "servicing_practitioner", "version", "updated_at"])
    if old.pk not in (organization.pk, case.requesting_organization_id) and old.access_group_id:
        AuthorizationRequestGroupObjectPermission.objects.filter(
            content_object=case, group_id=old.access_group_id
        ).delete()
    group = organization_access_group(organization=organization)
    assign_perm(f"cases.{VIEW_CODENAME}", group, case)
    assign_perm(f"cases.{ACT_CODENAME}", group, case)
    if authorization is None and case.status in DECIDED_STATUSES:
        authorization = Authorization.objects.select_for_update().filter(case=case).first()
    if authorization is not None and authorization.servicing_organization_id != organization.pk:
        authorization.servicing_organization = organization
        authorization.save(update_fields=["servicing_organization", "updated_at"])
    return authorization
