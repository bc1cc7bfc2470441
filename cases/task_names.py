"""The registered names of the tasks that cases' services enqueue after commit, through
`um_portal.enqueue.task_send_on_commit` (services never import `cases.tasks`)."""

FAX_OCR_RUN = "cases.tasks.fax_ocr_task"
