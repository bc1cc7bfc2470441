from datetime import UTC, datetime, timedelta

from reviews.templatetags.clock_tags import due_class, time_left

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_time_left_reads_in_plain_words():
    assert time_left(NOW + timedelta(days=2, hours=3), NOW) == "2 days 3 h left"
    assert time_left(NOW + timedelta(hours=5, minutes=7), NOW) == "5 h 7 min left"
    assert time_left(NOW + timedelta(minutes=40), NOW) == "40 min left"
    assert time_left(NOW - timedelta(hours=5), NOW) == "overdue by 5 h 0 min"
    assert time_left(None, NOW) == ""


def test_due_class_colours_by_time_left():
    assert due_class(NOW + timedelta(days=3), NOW) == "due-ok"
    assert due_class(NOW + timedelta(hours=3), NOW) == "due-soon"
    assert due_class(NOW - timedelta(seconds=1), NOW) == "due-over"
