"""multipart/mixed bodies for statements with attachments (Communication 1.5.2), and signatures.

Parsing and building are pure functions over bytes; JWS signatures (Data 2.6) are checked with
the ``cryptography`` package.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
from dataclasses import dataclass

from . import formats, iris
from .errors import BadRequest

_HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


@dataclass
class Part:
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def boundary_of(content_type: str) -> str:
    match = _BOUNDARY.search(content_type or "")
    if not match:
        raise BadRequest("Content-Type: multipart/mixed needs a boundary parameter")
    return match.group(1) or match.group(2)


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart/mixed body into parts (headers lower-cased)."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise BadRequest("multipart body: no parts delimited by the boundary")
    parts: list[Part] = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        else:
            raise BadRequest("multipart body: a boundary line must end with CRLF")
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition(b"\n\n")
        if not sep:
            raise BadRequest("multipart body: a part has no blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").splitlines():
            if not line.strip():
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise BadRequest(f"multipart body: malformed part header {line[:60]!r}")
            headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers=headers, body=content))
    else:
        raise BadRequest("multipart body: the closing boundary is missing")
    if not parts:
        raise BadRequest("multipart body: no parts")
    return parts


def hash_matches(sha2: str, content: bytes) -> bool:
    algorithm = _HASHES.get(len(sha2))
    return algorithm is not None and algorithm(content).hexdigest() == sha2.lower()


def attachment_parts(parts: list[Part], version: str) -> dict[str, tuple[str, bytes]]:
    """Check the attachment parts (all but the first); return {sha2: (content type, content)}."""
    found: dict[str, tuple[str, bytes]] = {}
    for index, part in enumerate(parts[1:], start=2):
        sha2 = part.headers.get("x-experience-api-hash")
        if not sha2:
            raise BadRequest(
                f"multipart part {index}: the X-Experience-API-Hash header is required"
            )
        encoding = part.headers.get("content-transfer-encoding")
        # 1.0.x requires the header; 2.0 lets it go, but any value given must be binary.
        if (encoding is not None or not version.startswith("2.")) and (
            encoding or ""
        ).strip().lower() != "binary":
            raise BadRequest(
                f"multipart part {index}: Content-Transfer-Encoding must be binary (Data 2.4.11)"
            )
        if not hash_matches(sha2, part.body):
            raise BadRequest(
                f"multipart part {index}: the content does not match its X-Experience-API-Hash"
            )
        found[sha2.lower()] = (
            part.headers.get("content-type", "application/octet-stream"),
            part.body,
        )
    return found


def check_attachments(statements: list[dict], parts: dict[str, tuple[str, bytes]]) -> None:
    """Every attachment without fileUrl has a part, and every part belongs to an attachment."""
    declared: set[str] = set()
    for index, statement in enumerate(statements):
        for number, attachment in enumerate(statement.get("attachments") or []):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            if "fileUrl" not in attachment and sha2 not in parts:
                raise BadRequest(
                    f"statements[{index}].attachments[{number}]: no fileUrl and no multipart part "
                    "with this sha2 (Data 2.4.11)"
                )
    for sha2 in parts:
        if sha2 not in declared:
            raise BadRequest(
                f"multipart part with hash {sha2}: no statement attachment declares it"
            )


def build_multipart(first: bytes, parts: list[tuple[str, str, bytes]], boundary: str) -> bytes:
    """A multipart/mixed body: the JSON part, then (sha2, content type, content) parts."""
    out = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), first, b"\r\n"]
    for sha2, content_type, content in parts:
        out.append(
            (
                f"--{boundary}\r\nContent-Type: {content_type}\r\n"
                f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n"
            ).encode()
        )
        out.append(content)
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


# --- signed statements (Data 2.6) ---------------------------------------------------------------


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _comparable(statement: dict) -> dict:
    result = copy.deepcopy(statement)
    for key in ("authority", "stored", "version", "id"):
        result.pop(key, None)
    attachments = [
        a
        for a in result.get("attachments") or []
        if a.get("usageType") != iris.SIGNATURE_USAGE_TYPE
    ]
    if attachments:
        result["attachments"] = attachments
    else:
        result.pop("attachments", None)
    return formats.with_comparable_durations(result)


def verify_signature(statement: dict, jws: bytes, path: str) -> None:
    """Check a statement's JWS signature: RS256/384/512, the payload equals the statement,
    and, when the header carries an x5c certificate chain, the signature verifies with it."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        text = jws.decode("ascii").strip()
        header_b64, payload_b64, signature_b64 = text.split(".")
        header = json.loads(_b64url(header_b64))
        payload = json.loads(_b64url(payload_b64))
        signature = _b64url(signature_b64)
    except (UnicodeDecodeError, ValueError, binascii.Error):
        raise BadRequest(f"{path}: the signature is not a JWS in compact serialization") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise BadRequest(f"{path}: the JWS header and payload must be JSON objects")
    algorithms = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
    if header.get("alg") not in algorithms:
        raise BadRequest(f"{path}: the JWS algorithm must be RS256, RS384 or RS512 (Data 2.6)")
    if "id" in payload and str(payload["id"]).lower() != str(statement.get("id", "")).lower():
        raise BadRequest(f"{path}: the signed payload has a different statement id")
    if _comparable(payload) != _comparable(statement):
        raise BadRequest(f"{path}: the signed payload does not match the statement (Data 2.6)")
    chain = header.get("x5c")
    if chain:
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
            key = certificate.public_key()
        except (ValueError, TypeError, IndexError, binascii.Error):
            raise BadRequest(f"{path}: the x5c certificate cannot be read") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise BadRequest(f"{path}: the x5c certificate must hold an RSA key")
        try:
            key.verify(
                signature,
                f"{header_b64}.{payload_b64}".encode("ascii"),
                padding.PKCS1v15(),
                algorithms[header["alg"]](),
            )
        except InvalidSignature:
            raise BadRequest(f"{path}: the JWS signature does not verify") from None


def check_signatures(statements: list[dict], parts: dict[str, tuple[str, bytes]]) -> None:
    for index, statement in enumerate(statements):
        for number, attachment in enumerate(statement.get("attachments") or []):
            if attachment["usageType"] != iris.SIGNATURE_USAGE_TYPE:
                continue
            part = parts.get(attachment["sha2"].lower())
            path = f"statements[{index}].attachments[{number}]"
            if part is None:
                raise BadRequest(f"{path}: a signature must be sent as a multipart part")
            verify_signature(statement, part[1], path)
