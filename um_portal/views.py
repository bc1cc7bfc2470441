from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .roles import Role, user_role


@login_required
def home(request):
    """Where each role goes from here."""
    role = user_role(request.user)
    return render(request, "home.html", {"role": role, "Role": Role})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
