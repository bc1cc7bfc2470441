"""Celery entry points of the cases app: each takes ids and calls one service."""

from celery import shared_task

from um_portal.retry import retry_policy

from .services.fax_folder import fax_folder_ingest
from .services.fax_ocr import fax_ocr_run


# OCR takes seconds a page; acks_late (settings) redelivers a fax whose worker died, and
# the run's claim makes a second delivery a no-op.
@shared_task(name="cases.tasks.fax_ocr_task", ignore_result=True, **retry_policy())
def fax_ocr_task(fax_id: str) -> str:
    return fax_ocr_run(fax_id=fax_id)


# The watched fax folder, from beat: each file is claimed by an atomic rename, so two runs
# at once (or a redelivery) file each fax once.
@shared_task(name="cases.tasks.fax_folder_ingest_task", ignore_result=True, **retry_policy())
def fax_folder_ingest_task() -> dict:
    return fax_folder_ingest().as_dict()
