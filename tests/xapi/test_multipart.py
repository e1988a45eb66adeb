"""multipart/mixed parsing as clients send it (CRLF or bare LF lines, no space after colons)."""

from __future__ import annotations

import hashlib

import pytest

from lms.xapi import multipart
from lms.xapi.errors import BadRequest

TEXT = b"here is a simple attachment"
SHA = hashlib.sha256(TEXT).hexdigest()


def test_bare_lf_body_with_preamble_and_epilogue():
    body = (
        (
            "---------314159265358979323846\nContent-Type: application/json\n\n{}\n"
            "---------314159265358979323846\nContent-Type: text/plain\n"
            f"Content-Transfer-Encoding: binary\nX-Experience-API-Hash: {SHA}\n\n"
        ).encode()
        + TEXT
        + b"\n---------314159265358979323846--\n"
    )
    parts = multipart.parse_multipart(
        body, "multipart/mixed; boundary=-------314159265358979323846"
    )
    assert [p.content_type for p in parts] == ["application/json", "text/plain"]
    assert multipart.attachment_parts(parts, "1.0.3") == {SHA: ("text/plain", TEXT)}


def test_crlf_body_without_spaces_after_colons():
    body = (
        (
            f"\r\n--b1\r\nContent-Type:application/json\r\n\r\n{{}}\r\n--b1\r\n"
            f"Content-Type:application/octet-stream\r\nContent-Transfer-Encoding:binary\r\n"
            f"X-Experience-API-Hash:{SHA}\r\n\r\n"
        ).encode()
        + TEXT
        + b"\r\n--b1--"
    )
    parts = multipart.parse_multipart(body, 'multipart/mixed; boundary="b1"')
    assert parts[1].body == TEXT


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--b1\r\nContent-Type: application/json\r\n\r\n{}\r\n--b1--", "multipart/mixed"),
        (b"no boundary here", "multipart/mixed; boundary=b1"),
        (b"--b1\r\nContent-Type: application/json\r\n\r\n{}\r\n", "multipart/mixed; boundary=b1"),
        (b"--b1\r\nbroken header line\r\n\r\n{}\r\n--b1--", "multipart/mixed; boundary=b1"),
    ],
)
def test_malformed_bodies(body, content_type):
    with pytest.raises(BadRequest):
        multipart.parse_multipart(body, content_type)
