"""The bundle format: a zip of newline-delimited JSON chunk files plus a signed manifest.

::

    chunks/000001-statements.ndjson   one statement a line: "<seq>\\t<statement JSON>"
    chunks/000002-records.ndjson      one record a line: {"table", "id", "op", "changed_at", "data"}
    manifest.json                     {"format", "from", "to", "marks", "ack", "chunks": [...]}
    manifest.sig                      Ed25519 signature (base64) of the manifest bytes

The manifest lists every chunk with its SHA-256, so a bundle is checked completely (signature,
then every chunk) before anything is applied. Chunks are written and read one at a time, so
memory stays flat whatever the size of the bundle. Online sync sends the same chunks over HTTP.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

FORMAT = "unmic-field-kit-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
READ_BLOCK = 1 << 20


class BundleError(Exception):
    """A bundle (or a pushed chunk) that cannot be accepted; the message says why."""


@dataclass
class Chunk:
    kind: str  # statements | records
    body: bytes  # newline-delimited lines
    count: int
    last: int  # the highest statement seq in it (0 for records)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class Manifest:
    sender: str
    sender_role: str
    recipient: str
    created_at: str
    marks: dict
    ack: dict
    chunks: list[dict] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "from": self.sender,
                "from_role": self.sender_role,
                "to": self.recipient,
                "created_at": self.created_at,
                "marks": self.marks,
                "ack": self.ack,
                "chunks": self.chunks,
            },
            indent=1,
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BundleError(f"not a field kit bundle (format {data.get('format')!r})")
            manifest = cls(
                sender=str(data["from"]),
                sender_role=str(data["from_role"]),
                recipient=str(data["to"]),
                created_at=str(data["created_at"]),
                marks={k: int(v) for k, v in data["marks"].items()},
                ack={k: int(v) for k, v in data["ack"].items()},
                chunks=list(data["chunks"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BundleError(f"the bundle manifest is unreadable ({exc})") from None
        return manifest


def write(path, manifest: Manifest, chunks: Iterator[Chunk], sign, progress=None) -> Manifest:
    """Write ``chunks`` one by one, then the manifest and its signature (``sign(bytes)``)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for number, chunk in enumerate(chunks, start=1):
            name = f"chunks/{number:06d}-{chunk.kind}.ndjson"
            zf.writestr(name, chunk.body)
            manifest.chunks.append(
                {
                    "name": name,
                    "kind": chunk.kind,
                    "count": chunk.count,
                    "last": chunk.last,
                    "sha256": chunk.sha256,
                }
            )
            if progress:
                progress(chunk)
        raw = manifest.to_bytes()
        zf.writestr(MANIFEST, raw)
        zf.writestr(SIGNATURE, sign(raw))
    return manifest


class Reader:
    """An open bundle: :meth:`verify` first, then :meth:`chunks` to apply."""

    def __init__(self, path):
        try:
            self.zf = zipfile.ZipFile(path)
            self.raw_manifest = self.zf.read(MANIFEST)
            self.signature = self.zf.read(SIGNATURE).decode("ascii").strip()
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, UnicodeDecodeError) as exc:
            raise BundleError(
                f"the bundle is incomplete or damaged (truncated copy?): {exc}; "
                "nothing was imported"
            ) from None
        self.manifest = Manifest.from_bytes(self.raw_manifest)

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def verify_chunks(self, progress=None) -> None:
        """Every chunk listed is present and has the SHA-256 the signed manifest gives."""
        names = set(self.zf.namelist())
        for entry in self.manifest.chunks:
            name = entry["name"]
            if name not in names:
                raise BundleError(f"the bundle is incomplete: {name} is missing; nothing imported")
            digest = hashlib.sha256()
            try:
                with self.zf.open(name) as fh:
                    while block := fh.read(READ_BLOCK):
                        digest.update(block)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise BundleError(
                    f"the bundle is damaged ({name}: {exc}); nothing was imported"
                ) from None
            if digest.hexdigest() != entry["sha256"]:
                raise BundleError(
                    f"{name} does not match its checksum (altered or damaged); nothing imported"
                )
            if progress:
                progress(entry)

    def chunks(self) -> Iterator[tuple[dict, bytes]]:
        for entry in self.manifest.chunks:
            yield entry, self.zf.read(entry["name"])
