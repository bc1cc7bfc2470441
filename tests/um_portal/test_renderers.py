"""The API renderer writes DRF's JSON, byte for byte, with orjson (um_portal/renderers.py)."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from um_portal.renderers import FastJSONRenderer

EASTERN = zoneinfo.ZoneInfo("America/New_York")


class Colour(models.TextChoices):
    RED = "red", "Red"


class Size(models.IntegerChoices):
    BIG = 3, "Big"


SAMPLES = {
    "scalars": {"s": "plain", "i": 7, "f": 1.5, "neg": -0.25, "t": True, "n": None, "empty": [], "obj": {}},
    "unicode": {"name": "Zoë Ångström 日本 ✓", "quote": 'a "b" \\ c\n\t', "control": "\x01\x1f"},
    "line separators": {"text": "one\u2028two\u2029three"},
    "utc datetime": datetime.datetime(2026, 12, 1, 5, 6, 7, 123456, tzinfo=datetime.UTC),
    "utc datetime, whole seconds": datetime.datetime(2026, 12, 1, 5, 6, 7, tzinfo=datetime.UTC),
    "eastern datetime": datetime.datetime(2026, 3, 8, 1, 30, tzinfo=EASTERN),
    "naive datetime": datetime.datetime(2026, 1, 2, 3, 4, 5, 6),
    "date and time": [datetime.date(2026, 2, 28), datetime.time(23, 59, 1, 500000)],
    "decimal and uuid": [decimal.Decimal("12.50"), uuid.UUID("12345678-1234-5678-1234-567812345678")],
    "lazy and choices": {"label": gettext_lazy("Approved"), "colour": Colour.RED, "size": Size.BIG},
    "int keys": {1: "one", 2: ["two"]},
    "drf containers": ReturnDict({"results": ReturnList([{"a": 1}], serializer=None)}, serializer=None),
    "nested": {"a": [{"b": [{"c": [1, 2, {"d": None}]}]}]},
    "timedelta": datetime.timedelta(hours=1, seconds=30),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_same_bytes_as_drf(name):
    data = SAMPLES[name]
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_line_separators_are_escaped():
    assert FastJSONRenderer().render({"t": "a\u2028b\u2029"}) == b'{"t":"a\\u2028b\\u2029"}'


def test_indented_output_is_drf_own():
    data = {"a": [1, 2]}
    accepted = "application/json; indent=4"
    assert (
        FastJSONRenderer().render(data, accepted)
        == JSONRenderer().render(data, accepted)
        == (b'{\n    "a": [\n        1,\n        2\n    ]\n}')
    )


def test_what_orjson_refuses_is_left_to_drf():
    huge = {"n": 2**70}
    assert FastJSONRenderer().render(huge) == JSONRenderer().render(huge) == b'{"n":1180591620717411303424}'
    with pytest.raises(TypeError):
        FastJSONRenderer().render({"x": object()})


def test_nothing_renders_as_nothing():
    assert FastJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_the_api_answers_with_it(client, provider):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=provider)
    response = client.get("/api/v1/authorizations/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert response.content == JSONRenderer().render(response.data)
