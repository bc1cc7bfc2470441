"""Documents and letters go through Django's storage API to a configurable backend: a
shared folder by default, an S3-compatible store (django-storages) with FILE_STORAGE=s3,
and no code builds a path into the file store by hand."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cases", "criteria", "reviews", "notifications", "um_portal")
PROBE = (
    "import django; django.setup(); "
    "from django.core.files.storage import default_storage; "
    "from cases.models import Attachment; from notifications.models import Letter; "
    "assert Attachment._meta.get_field('file').storage is default_storage; "
    "assert Letter._meta.get_field('pdf').storage is default_storage; "
    "default_storage._setup(); s = default_storage._wrapped; "
    "print(type(s).__name__, getattr(s, 'bucket_name', s.location), getattr(s, 'endpoint_url', None), "
    "getattr(s, 'default_acl', None), getattr(s, 'file_overwrite', None), getattr(s, 'querystring_auth', None))"
)


def _probe(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "FILE_STORAGE"}}
    clean.update(DJANGO_SETTINGS_MODULE="um_portal.settings", SECRET_KEY="x" * 50, DATABASE_URL="sqlite:///:memory:")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_default_is_a_shared_folder_for_documents_and_letters(tmp_path):
    result = _probe(PRIVATE_STORAGE_ROOT=str(tmp_path / "shared"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FileSystemStorage", str(tmp_path / "shared"), "None", "None", "None", "None"]


def test_s3_compatible_store_when_configured_private_and_never_overwriting():
    result = _probe(FILE_STORAGE="s3", S3_BUCKET="um-documents", S3_ENDPOINT_URL="https://s3.example.internal")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "um-documents",
        "https://s3.example.internal",
        "private",
        "False",
        "True",
    ]


def test_an_unknown_backend_refuses_to_start():
    result = _probe(FILE_STORAGE="ftp")
    assert result.returncode != 0 and "FILE_STORAGE must be 'filesystem' or 's3'" in result.stderr


def test_no_code_builds_a_path_into_the_file_store():
    hand_built = re.compile(r"PRIVATE_STORAGE_ROOT|\.(file|pdf)\.path\b|storage\.path\(|MEDIA_ROOT")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path.name not in {"settings.py", "settings_test.py"}
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if hand_built.search(line)
    ]
    assert offenders == []
