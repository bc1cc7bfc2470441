"""The registered names of the tasks that notifications' services enqueue after commit,
through `um_portal.enqueue.task_send` (services never import `notifications.tasks`, which
imports them). A test checks each name against the registered tasks."""

LETTERS_GENERATE_FOR_EVENT = "notifications.tasks.letters_generate_for_event"
LETTER_ISSUE = "notifications.tasks.letter_issue_task"
LETTER_EMAIL_SEND = "notifications.tasks.letter_email_send"
CONTINUATION_OF_CARE_RUN = "notifications.tasks.continuation_of_care_run"
NOTIFICATIONS_EMAIL_SEND = "notifications.tasks.notifications_email_send"
PROVIDER_NOTICES_FOR_EVENT = "notifications.tasks.provider_notices_for_event"
