"""What a letter may load while WeasyPrint prints it: the project's own static files (fonts,
logo, images), and nothing else (issue 12, item 2).

WeasyPrint's default fetcher opens `file:`, `http(s):`, `ftp:` and `data:` URLs: a template
holding `<link rel="attachment" href="file:///proc/self/environ">` embedded the server's
environment in a provider's letter. Letters are printed with `ASSET_BASE_URL` as base URL,
so a relative reference ("logo.png") or one under it names a static file; the fetcher
serves those through Django's static file finders (the same files `collectstatic` ships)
and refuses every other URL, whatever its scheme. The host is under `.invalid`, a name
that can never resolve (RFC 2606): nothing is ever fetched over the network.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_BASE_URL = "https://letter-assets.invalid/static/"
_ASSET = urlsplit(ASSET_BASE_URL)


class LetterAssetFetcher(URLFetcher):
    """Serves `ASSET_BASE_URL<path>` from the static files; refuses anything else with a
    ValueError, which WeasyPrint logs and skips (the letter prints without it)."""

    def fetch(self, url, headers=None):
        path = _static_path(url)
        if path is None:
            raise ValueError(f"Letters load only the portal's own static files, not {url[:80]!r}.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def _static_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (_ASSET.scheme, _ASSET.netloc) or parts.query or parts.username:
        return None
    if not parts.path.startswith(_ASSET.path):
        return None
    relative = unquote(parts.path[len(_ASSET.path) :])
    if not relative or "\x00" in relative or any(step in ("", ".", "..") for step in relative.split("/")):
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if not found:
        return None
    path = Path(found).resolve()
    return path if path.is_file() else None


letter_url_fetcher = LetterAssetFetcher(allowed_protocols=("https",), allow_redirects=False)
