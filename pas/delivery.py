class DeliveryFailed(Exception):
    """A subscriber's endpoint did not take a notification (transient: the task retries it
    with back-off). Its own module so that the tasks and the service share it without a cycle."""
