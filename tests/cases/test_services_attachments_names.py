"""Uploaded documents' names are sanitized and take the detected file type's extension."""

import pytest

from cases.services.attachments import attachment_name_sanitize


@pytest.mark.parametrize(
    ("given", "extension", "expected"),
    [
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Knee X-ray (left).JPG", "jpg", "Knee X-ray _left.jpg"),
        ("évaluation clinique.pdf", "pdf", "evaluation clinique.pdf"),
        ("malware.exe", "png", "malware.png"),
        ("", "tif", "document.tif"),
        ("...", "pdf", "document.pdf"),
        ("a" * 300 + ".pdf", "pdf", "a" * 115 + ".pdf"),
    ],
)
def test_filenames_are_sanitized_and_take_the_detected_extension(given, extension, expected):
    assert attachment_name_sanitize(given, extension=extension) == expected
