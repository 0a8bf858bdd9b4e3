"""Bytes before rows: what kind of file this is, its text encoding, and a UTF-8 copy if needed.

DuckDB parses UTF-8 only without downloading an extension, so any other encoding is decoded
here in Python, chunk by chunk (memory does not grow with the file), into a temporary UTF-8
file. The decision is made on the head of the file; a file whose head is plain ASCII is
*tentatively* UTF-8, and the importer retries as cp1252 if DuckDB then finds bytes that are
not (see `pipeline`).
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from callkpi.errors import DataImportError

CHUNK = 1 << 22
HEAD_BYTES = 1 << 20
#: Bytes that cp1252 leaves undefined: a file holding them is latin-1, not cp1252.
_CP1252_HOLES = frozenset(b"\x81\x8d\x8f\x90\x9d")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class WrongEncodingError(DataImportError):
    """The bytes cannot be decoded with the encoding tried (the importer may try another)."""


@dataclass(frozen=True)
class Sniffed:
    """What the head of a text file says about its encoding."""

    encoding: str  # utf-8, cp1252, latin-1 or utf-16
    certain: bool  # False: pure ASCII head, so UTF-8 is a guess
    head: str  # the decoded head (BOM removed), for header and sample reading


def kind_of(path: Path, head: bytes) -> str:
    """`excel`, `parquet`, `jsonl` or `csv`, from the magic bytes, then the extension."""
    suffixes = [s.lower() for s in path.suffixes]
    if head.startswith(b"PAR1") or suffixes[-1:] == [".parquet"]:
        return "parquet"
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        if suffixes[-1:] in ([".xlsx"], [".xlsm"], [".xlsb"], [".xls"], [".ods"]):
            return "excel"
        raise DataImportError(
            f"{path}: this is a spreadsheet or an archive, not a text file; give it a name "
            "ending in .xlsx (or .xls, .ods) to import its first sheet, or export it as CSV"
        )
    if suffixes[-1:] in ([".xlsx"], [".xlsm"], [".xlsb"], [".xls"], [".ods"]):
        raise DataImportError(f"{path}: not a valid spreadsheet (the file is damaged or empty)")
    plain = [s for s in suffixes if s != ".gz"]
    if plain[-1:] in ([".jsonl"], [".ndjson"], [".json"]):
        return "jsonl"
    return "csv"


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, gunzipped when it ends in .gz."""
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    try:
        with open_bytes(path) as stream:
            return stream.read(size)
    except (OSError, EOFError) as exc:
        raise DataImportError(f"{path}: cannot read the file: {exc}") from None


def sniff(path: Path, head: bytes) -> Sniffed:
    """Decide the encoding from the head; refuse what is not text."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if encoding == "utf-16":  # the codec reads the BOM to learn the byte order
                return Sniffed(encoding, True, head.decode("utf-16", errors="ignore"))
            return Sniffed(encoding, True, head[len(bom) :].decode("utf-8", errors="ignore"))
    if b"\x00" in head:
        raise DataImportError(
            f"{path}: this looks like a binary file (it contains NUL bytes), not a CSV text file"
        )
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(head) == HEAD_BYTES and exc.start >= len(head) - 3:
            text = head[: exc.start].decode("utf-8")  # a character cut by the head's end
        else:
            # Accents that are valid UTF-8 beside a few bytes that are not: a UTF-8 file with
            # damaged lines (they become bad_row rejects), not cp1252 (which would garble it)
            mixed = head.decode("utf-8", errors="surrogateescape")
            invalid = sum(0xDC80 <= ord(c) <= 0xDCFF for c in mixed)
            valid = sum(ord(c) > 127 for c in mixed) - invalid
            if valid > invalid:
                return Sniffed("utf-8", True, head.decode("utf-8", errors="replace"))
            encoding = "latin-1" if _CP1252_HOLES & set(head) else "cp1252"
            return Sniffed(encoding, True, head.decode(encoding))
    if _looks_binary(text):
        raise DataImportError(
            f"{path}: this looks like a binary file (control characters), not a CSV text file"
        )
    return Sniffed("utf-8", not text.isascii(), text)


def _looks_binary(text: str) -> bool:
    controls = len(re.findall(r"[\x01-\x08\x0e-\x1f\x7f]", text[:65536]))
    return controls > max(8, len(text[:65536]) // 100)


def transcode(
    source: Path, target: Path, encoding: str, *, skip: int = 0, stop: int | None = None
) -> None:
    """Write `source` decoded from `encoding` as UTF-8 to `target`, chunk by chunk.

    `skip` bytes are dropped at the start (a BOM), decoding stops at byte `stop` (a footer).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with open_bytes(source) as stream, target.open("wb") as out:
        if skip:
            stream.read(skip)
            offset = skip
        while chunk := stream.read(CHUNK):
            if stop is not None and offset + len(chunk) > stop:
                chunk = chunk[: max(stop - offset, 0)]
            offset += len(chunk)
            try:
                out.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as exc:
                raise WrongEncodingError(
                    f"{source}: byte 0x{chunk[exc.start : exc.start + 1].hex().upper()} at "
                    f"offset {offset - len(chunk) + exc.start} is not {encoding}; save the file "
                    "as UTF-8 and import it again"
                ) from None
            if stop is not None and offset >= stop:
                break
        out.write(decoder.decode(b"", final=True).encode("utf-8"))


class FileHash:
    """SHA-256 of a file, computed in a thread while DuckDB reads it (hashlib frees the GIL)."""

    def __init__(self, path: Path) -> None:
        self._digest = hashlib.sha256()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(CHUNK):
                    self._digest.update(chunk)
        except OSError as exc:  # pragma: no cover - the file vanished mid-import
            self._error = exc

    def hexdigest(self) -> str:
        self._thread.join()
        if self._error is not None:  # pragma: no cover
            raise DataImportError(f"cannot read the file to hash it: {self._error}")
        return self._digest.hexdigest()


@contextmanager
def scratch_dir() -> Iterator[Path]:
    """A private temporary folder for a UTF-8 copy, removed however the import ends."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="callkpi-import-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
