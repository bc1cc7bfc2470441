"""Letters, alerts, continuation of care and service-line configuration live here."""
