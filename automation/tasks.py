"""Celery tasks of the automation app: small, idempotent, calling one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from um_portal.retry import retry_policy

from .services.simulate import simulation_fail, simulation_run

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


@shared_task(acks_late=True)
def simulate_rule(simulation_id: int) -> dict:
    """Run one simulation (claimed once: a redelivered message does nothing)."""
    try:
        simulation = simulation_run(simulation_id=simulation_id)
    except TRANSIENT_DB_ERRORS:
        simulation_fail(simulation_id=simulation_id, error="The database was unavailable; run the simulation again.")
        raise
    return {"status": simulation.status, "matched": simulation.matched}


@shared_task(**retry_policy())
def gold_cards_nightly() -> dict:
    """Recompute every gold card (beat: nightly). Safe to run twice: statuses only move on
    a change of figures or when a notice period has ended."""
    from .services.goldcard import gold_cards_evaluate

    return gold_cards_evaluate()
