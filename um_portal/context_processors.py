from django.conf import settings

from .roles import user_role


def portal(request):
    return {
        "PLAN_NAME": settings.PLAN_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "SESSION_IDLE_SECONDS": settings.SESSION_COOKIE_AGE,
        "user_role": user_role(getattr(request, "user", None)),
        # The Referral Management Unit's queue in the navigation (read with the role).
        "in_referral_unit": getattr(getattr(request, "user", None), "_um_in_referral_unit", False),
    }
