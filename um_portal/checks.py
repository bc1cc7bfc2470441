"""Deployment checks (`manage.py check --deploy`): the security baseline's switches."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def security_baseline_check(app_configs, **kwargs):
    warnings = []
    if not settings.MFA_ENFORCED:
        warnings.append(
            Warning(
                "MFA_ENFORCED is off: staff reach member health information with a password alone.",
                hint="Unset MFA_ENFORCED (default on). Only `make run` demo mode turns it off.",
                id="um_portal.W001",
            )
        )
    if not settings.AXES_ENABLED:
        warnings.append(
            Warning(
                "AXES_ENABLED is off: failed sign-ins are not counted and nobody is locked out.",
                hint="Unset AXES_ENABLED (default on).",
                id="um_portal.W002",
            )
        )
    if settings.DEMO_MODE:
        warnings.append(
            Warning(
                "DEMO_MODE is on: accounts without a second factor may enrol one from their password alone.",
                hint="Unset DEMO_MODE (default off). Only `make run` turns it on; enrol staff with enrolment links.",
                id="um_portal.W003",
            )
        )
    return warnings
