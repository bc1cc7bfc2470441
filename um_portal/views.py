from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rest_framework.authtoken.models import Token

from .roles import Role, user_role


@login_required
def home(request):
    """Where each role goes from here."""
    role = user_role(request.user)
    # Providers see the API docs only where their organization uses the API (issue 22, item 7).
    uses_api = (
        role == Role.PROVIDER and Token.objects.filter(user__organization_id=request.user.organization_id).exists()
    )
    return render(request, "home.html", {"role": role, "Role": Role, "uses_api": uses_api})
