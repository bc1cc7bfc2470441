"""The registered names of the tasks pas's services enqueue after commit, through
`um_portal.enqueue.task_send` (services never import `pas.tasks`, which imports them)."""

PAS_NOTIFICATION_SEND = "pas.tasks.pas_notification_send"
