"""The API's JSON renderer: DRF's JSONRenderer, the bytes written by orjson (issue #13).

Encoding a work-queue page of 50 cases with the standard library took about 0.8 ms of each
request's 10; orjson takes a tenth of that. The output is DRF's, byte for byte, for
everything the API answers (tests/um_portal/test_renderers.py): compact, UTF-8, U+2028 and
U+2029 escaped; dates, times and datetimes (and anything else orjson does not know:
decimals, lazy translations, querysets) go through DRF's own encoder. What orjson refuses
(an integer wider than 64 bits, say) and indented output (`Accept: application/json;
indent=4`) are left to DRF's renderer."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_drf_default = JSONEncoder().default
LINE_SEPARATOR = "\u2028".encode()
PARAGRAPH_SEPARATOR = "\u2029".encode()


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=_drf_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if LINE_SEPARATOR in out or PARAGRAPH_SEPARATOR in out:  # a strict JavaScript subset, as DRF's
            out = out.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
        return out
