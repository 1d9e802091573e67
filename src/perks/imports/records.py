"""Reading an import file (CSV with a header line, or JSON lines) into the records a job stores.

The file is read once, when the job is enqueued: its format and header are checked there (a bad file is a
400 at once), its rows counted, and each row written as one JSON line `[line, row, problem]` (`line`
where the row starts in the file, `problem` why it could not be read), so the worker reads records
line by line, from any position, whatever the file's format was."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from perks.errors import invalid

# Spooled in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 << 20


class Format(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@dataclass(frozen=True)
class Columns:
    """The columns (fields) an importer reads: the required ones, then the optional ones."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def known(self) -> set[str]:
        return {*self.required, *self.optional}

    def describe(self) -> str:
        optional = f"; optional: {', '.join(self.optional)}" if self.optional else ""
        return f"required: {', '.join(self.required)}{optional}"


@dataclass
class Prepared:
    """The records of a file, ready to store as a job's input."""

    records: IO[bytes]
    total: int
    digest: str
    format: Format


def prepare(source: IO[bytes], columns: Columns, wanted: Format | None = None) -> Prepared:
    """Read `source` whole (CSV or JSON lines; guessed from the first character when not given)."""
    hashing = _Hashing(source)
    if not hashing.peek_text().strip():
        raise invalid("file", "is empty (the file goes in the request body, e.g. curl --data-binary @file)")
    chosen = wanted or _guess(hashing)
    records = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to the caller
    total = 0
    try:
        rows = _csv_rows(hashing, columns) if chosen is Format.CSV else _json_rows(hashing, columns)
        for line, row, problem in rows:
            records.write(json.dumps([line, row, problem], separators=(",", ":")).encode() + b"\n")
            total += 1
    except UnicodeDecodeError:
        records.close()
        raise invalid("file", "is not UTF-8 text") from None
    except BaseException:
        records.close()
        raise
    if total == 0:
        records.close()
        raise invalid("file", "has no rows to import")
    records.seek(0)
    return Prepared(records, total, hashing.hexdigest(), chosen)


def prepare_rows(rows: Iterable[dict[str, Any]]) -> Prepared:
    """Records from rows already in memory (a JSON body), numbered from 1."""
    records = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to the caller
    digest = hashlib.sha256()
    total = 0
    for total, row in enumerate(rows, start=1):
        line = json.dumps([total, row, None], separators=(",", ":")).encode() + b"\n"
        digest.update(line)
        records.write(line)
    records.seek(0)
    return Prepared(records, total, digest.hexdigest(), Format.JSONL)


def _guess(source: _Hashing) -> Format:
    first = source.peek_text().lstrip("\ufeff \t\r\n")[:1]
    return Format.JSONL if first == "{" else Format.CSV


def _csv_rows(source: _Hashing, columns: Columns) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    text = io.TextIOWrapper(io.BufferedReader(source), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    header = [name.strip() for name in next(reader, [])]
    _check_header(header, columns)
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            yield start, None, f"has {len(cells)} values; the header names {len(header)} columns"
            continue
        yield start, {name: cell for name, cell in zip(header, cells, strict=False) if cell != ""}, None


def _check_header(header: list[str], columns: Columns) -> None:
    if not any(header):
        raise invalid("file", f"must start with a header line naming its columns ({columns.describe()})")
    unknown = [name for name in header if name not in columns.known]
    if unknown:
        raise invalid("file", f"unknown column {unknown[0]!r}; the columns are {columns.describe()}")
    missing = [name for name in columns.required if name not in header]
    if missing:
        raise invalid("file", f"the header lacks {', '.join(missing)} ({columns.describe()})")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise invalid("file", f"column {repeated[0]!r} appears twice in the header")


def _json_rows(source: _Hashing, columns: Columns) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    for number, raw in enumerate(io.BufferedReader(source), start=1):
        text = decoder.decode(raw).strip()
        if not text:
            continue
        try:
            row = json.loads(text)
        except ValueError as error:
            yield number, None, f"is not valid JSON ({error})"
            continue
        if not isinstance(row, dict):
            yield number, None, "is not a JSON object"
            continue
        unknown = sorted(set(row) - columns.known)
        if unknown:
            yield number, None, f"unknown field {unknown[0]!r}; the fields are {columns.describe()}"
            continue
        yield number, row, None


class _Hashing(io.RawIOBase):
    """A read-only stream over `source` that hashes what it reads and can peek at its beginning."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self._head = b""
        self._digest = hashlib.sha256()

    def peek_text(self) -> str:
        if not self._head:
            self._head = self._source.read(4096)
            self._digest.update(self._head)
        return self._head.decode("utf-8", errors="ignore")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size], self._head = self._head[:size], self._head[size:]
            return size
        data = self._source.read(len(buffer))
        self._digest.update(data)
        buffer[: len(data)] = data
        return len(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
