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
