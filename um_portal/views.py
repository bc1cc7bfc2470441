from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .roles import Role, user_role


@login_required
def home(request):
    """Where each role goes from here."""
    role = user_role(request.user)
    return render(request, "home.html", {"role": role, "Role": Role})
