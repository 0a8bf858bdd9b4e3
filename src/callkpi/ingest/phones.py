"""Phone numbers to E.164 (the `phonenumbers` library) and keyed pseudonyms (HMAC-SHA256).

Normalising runs as a DuckDB function over Arrow batches with a cache, since an export
repeats the same numbers; a value that is not a possible phone number becomes NULL (and a
`bad_value` reject). Pseudonyms are computed in SQL from the two HMAC pads, passed as query
parameters: the key itself is never written to the store, its SQL text or the ledger.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa

from callkpi.errors import DataImportError
from callkpi.ingest.mapping import E164_FUNCTION

KEY_ENV = "CALLKPI_PSEUDONYM_KEY"
KEY_FILE_ENV = "CALLKPI_PSEUDONYM_KEY_FILE"


@lru_cache(maxsize=200_000)
def e164(text: str, region: str) -> str | None:
    """`+33612345678` for `06 12 34 56 78` (region FR), None if it cannot be a number."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _e164_batch(texts: pa.Array, regions: pa.Array) -> pa.Array:
    values = texts.to_pylist()
    codes = regions.to_pylist()
    return pa.array(
        [None if v is None else e164(v, c or "FR") for v, c in zip(values, codes, strict=True)],
        pa.string(),
    )


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make `ck_import_e164(text, region)` available on this connection."""
    with contextlib.suppress(duckdb.InvalidInputException, duckdb.CatalogException):
        con.remove_function(E164_FUNCTION)
    con.create_function(
        E164_FUNCTION,
        _e164_batch,
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        type="arrow",
        null_handling="special",
    )


def unregister(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.InvalidInputException, duckdb.CatalogException):
        con.remove_function(E164_FUNCTION)


def hmac_parameters(key: bytes | None) -> dict[str, bytes]:
    """The inner and outer HMAC-SHA256 pads of `key`, as query parameters."""
    if key is None:
        return {}
    if not key:
        raise DataImportError("the pseudonym key is empty")
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return {
        "ck_ipad": bytes(b ^ 0x36 for b in block),
        "ck_opad": bytes(b ^ 0x5C for b in block),
    }


def pseudonym(key: bytes, text: str) -> str:
    """The pseudonym callkpi stores for `text` (the first 32 hex digits of its HMAC)."""
    import hmac

    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def key_from_environment(key_file: str | Path | None = None) -> bytes | None:
    """The pseudonym key: a key file (argument, or $CALLKPI_PSEUDONYM_KEY_FILE), else
    $CALLKPI_PSEUDONYM_KEY; None when neither is set. Kept outside the database."""
    path = key_file or os.environ.get(KEY_FILE_ENV)
    if path:
        try:
            data = Path(path).read_bytes().strip()
        except OSError as exc:
            raise DataImportError(f"cannot read the pseudonym key file {path}: {exc}") from None
        if not data:
            raise DataImportError(f"the pseudonym key file {path} is empty")
        return data
    value = os.environ.get(KEY_ENV)
    return value.encode("utf-8") if value else None
