"""Provider organizations, their staff and their object permissions on cases."""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm

from um_portal.roles import Role, user_set_role

from ..access import ACT_CODENAME, VIEW_CODENAME
from ..models import AuthorizationRequest, ProviderOrganization


def organization_access_group(*, organization: ProviderOrganization) -> Group:
    """The group holding this organization's object permissions (created on first use)."""
    if organization.access_group_id:
        return organization.access_group
    group, _ = Group.objects.get_or_create(name=f"Provider organization {organization.pk}")
    organization.access_group = group
    organization.save(update_fields=["access_group"])
    return group


@transaction.atomic
def provider_user_attach(*, user, organization: ProviderOrganization) -> None:
    """Make `user` staff of `organization`: provider role, organization, access group."""
    user.organization = organization
    user.save(update_fields=["organization"])
    user_set_role(user=user, role=Role.PROVIDER)
    user.groups.add(organization_access_group(organization=organization))
    user._um_group_ids = None  # um_portal.roles.user_group_ids reads them again


def case_grant_organization_access(*, case: AuthorizationRequest) -> None:
    """Requesting and servicing organizations may view and act on the case."""
    for organization in {case.requesting_organization, case.servicing_organization}:
        group = organization_access_group(organization=organization)
        assign_perm(f"cases.{VIEW_CODENAME}", group, case)
        assign_perm(f"cases.{ACT_CODENAME}", group, case)


def case_servicing_provider_set(*, case: AuthorizationRequest, organization, practitioner=None) -> None:
    """Change the servicing provider of a locked case (a redirection the office accepted,
    issue 20): the new organization may view and act on it; the old one, no longer a party
    unless it also requested the case, loses its access (DESIGN.md rule 8). The caller
    records the event."""
    from ..models import AuthorizationRequestGroupObjectPermission

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
