"""Tables of records: CSV (comma or semicolon, UTF-8) and JSON (a list of objects).

Columns are checked against what the importer reads before any row is: an unknown
or missing column refuses the whole file, naming the column.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path

from importers.core import FileRejected
from importers.loading import Batch

BATCH_SIZE = 20_000


def read(path: Path, *, columns: Sequence[str], required: Sequence[str],
         list_key: str | None = None, batch_size: int = BATCH_SIZE) -> Iterator[Batch]:
    """Batches of records; ``list_key`` also accepts JSON like ``{"rights": [...]}``."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path, columns, required)
    elif suffix == ".json":
        records = _json_records(path, columns, required, list_key)
    else:
        raise FileRejected(f"{path}: expected a .csv or .json file")
    while chunk := list(islice(records, batch_size)):
        locators = [where for where, _ in chunk]
        yield Batch(
            size=len(chunk),
            locator=locators.__getitem__,
            columns={name: [record.get(name) for _, record in chunk] for name in columns},
        )


def _check_columns(path: Path, found: Sequence[str], columns: Sequence[str],
                   required: Sequence[str], where: str = "") -> None:
    unknown = [c for c in found if c not in columns]
    if unknown:
        raise FileRejected(
            f"{path}{where}: unknown column {unknown[0]!r}"
            f"{f' (and {len(unknown) - 1} more)' if len(unknown) > 1 else ''}; "
            f"the columns are: {', '.join(columns)}"
        )
    missing = [c for c in required if c not in found]
    if missing:
        raise FileRejected(f"{path}{where}: the required column {missing[0]!r} is missing")


def _csv_records(path: Path, columns, required) -> Iterator[tuple[str, dict]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
        sample = handle.read(8192)
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRejected(f"{path}: cannot be read as UTF-8 CSV: {exc}") from None
    if not sample.strip():
        raise FileRejected(f"{path}: the file is empty")
    handle.seek(0)
    delimiter = ";" if sample.splitlines()[0].count(";") > sample.splitlines()[0].count(",") else ","
    reader = csv.DictReader(handle, delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    _check_columns(path, header, columns, required)
    with handle:
        try:
            for record in reader:
                line = reader.line_num
                if None in record:  # more cells than header columns
                    raise FileRejected(f"{path}: line {line} has more cells than the header has columns")
                yield f"line {line}", {k: (v if v != "" else None) for k, v in record.items()}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileRejected(f"{path}: line {reader.line_num}: {exc}") from None


def load_json(path: Path):
    """The parsed JSON of a file; malformed JSON refused with the line and column."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise FileRejected(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRejected(f"{path}: cannot be read: {exc}") from None


def _json_records(path: Path, columns, required, list_key) -> Iterator[tuple[str, dict]]:
    data = load_json(path)
    if isinstance(data, dict) and list_key and isinstance(data.get(list_key), list):
        data = data[list_key]
    if not isinstance(data, list):
        raise FileRejected(f"{path}: expected a JSON list of records"
                           f"{f' (or an object with a {list_key!r} list)' if list_key else ''}")
    for n, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise FileRejected(f"{path}: record {n} is not a JSON object")
        _check_columns(path, list(record), columns, required, where=f", record {n}")
        yield f"record {n}", record
