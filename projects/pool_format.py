"""Reading a pool file (JSONL, one SERP per line; or CSV, one result per row) as a stream.

Pure Python, no Django: `PoolReader` yields valid SERP records one at a time and collects
every problem it meets with its line and field, so memory does not grow with the file and a
bad file is described in one go. Nothing in a file is executed or fetched: URLs are only
checked for their scheme.
"""

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from evalconsole.locales import locale_problem

MAX_PROBLEMS = 100
MAX_RESULTS = 100
LIMITS = {
    "query_id": 200, "query": 1000, "category": 100, "variant": 100, "doc_id": 200, "title": 500,
    "url": 2048, "snippet": 2000, "media_type": 32, "thumbnail_url": 2048,
}  # fmt: skip
SERP_FIELDS = ("query_id", "query", "locale", "category", "traffic", "variant", "results")
RESULT_FIELDS = ("rank", "doc_id", "title", "url", "snippet", "media_type", "thumbnail_url", "sensitive")
CSV_COLUMNS = (*SERP_FIELDS[:-1], *RESULT_FIELDS)
CSV_REQUIRED = ("query_id", "query", "locale", "rank", "doc_id", "url")
MEDIA_TYPE = re.compile(r"[a-z][a-z0-9_]*")
BOM = b"\xef\xbb\xbf"
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class ResultRecord:
    rank: int
    doc_id: str
    title: str
    url: str
    snippet: str = ""
    media_type: str = ""
    thumbnail_url: str = ""
    sensitive: bool = False


@dataclass
class SerpRecord:
    line: int
    query_id: str
    query: str
    locale: str
    category: str = ""
    traffic: float = 0.0
    variant: str = ""
    results: list[ResultRecord] = field(default_factory=list)


class _Stop(Exception):
    """Enough problems to show; reading further would only make the list longer."""


def detect_format(filename: str, head: bytes) -> str:
    name = (filename or "").lower()
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith(".tsv"):
        return "tsv"
    if name.endswith(".csv"):
        return "csv"
    start = head.lstrip(BOM).lstrip()
    return "jsonl" if start[:1] in (b"{", b"[") else "csv"


def _describe(value) -> str:
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    return "an object" if isinstance(value, dict) else "a list"


# The common case, checked at C speed: results that are clean by every rule the detailed
# checks below apply. Anything this does not accept goes through those checks for its message.
_RESULT_KEYS = frozenset(RESULT_FIELDS)
_CLEAN_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9][^\s/?#\x00-\x1f\x7f]*(?:[/?#][^\s\x00-\x1f\x7f]*)?")


def _clean_text(value, limit: int) -> bool:
    return value is None or (type(value) is str and len(value) <= limit and "\x00" not in value)


def _clean_url(value) -> bool:
    return type(value) is str and len(value) <= LIMITS["url"] and _CLEAN_URL.fullmatch(value) is not None


def _clean_media_type(value) -> bool:
    return type(value) is str and len(value) <= LIMITS["media_type"] and MEDIA_TYPE.fullmatch(value) is not None


def _clean_results(results: list) -> list[ResultRecord] | None:
    records, docs = [], set()
    for item in results:
        if type(item) is not dict or not item.keys() <= _RESULT_KEYS:
            return None
        rank, doc_id, url = item.get("rank"), item.get("doc_id"), item.get("url")
        title, snippet, media_type = item.get("title"), item.get("snippet"), item.get("media_type")
        thumbnail, sensitive = item.get("thumbnail_url"), item.get("sensitive")
        if (
            type(rank) is not int
            or not 1 <= rank <= MAX_RESULTS
            or type(doc_id) is not str
            or not doc_id.strip()
            or not _clean_text(doc_id, LIMITS["doc_id"])
            or doc_id in docs
            or not _clean_url(url)
            or not (thumbnail is None or thumbnail == "" or _clean_url(thumbnail))
            or not _clean_text(title, LIMITS["title"])
            or not _clean_text(snippet, LIMITS["snippet"])
            or not (media_type is None or media_type == "" or _clean_media_type(media_type))
            or not (sensitive is None or type(sensitive) is bool)
        ):  # fmt: skip
            return None
        docs.add(doc_id)
        records.append(
            ResultRecord(
                rank, doc_id, title or "", url, snippet or "", media_type or "", thumbnail or "", bool(sensitive)
            )
        )
    if sorted(record.rank for record in records) != list(range(1, len(records) + 1)):
        return None
    return records


class PoolReader:
    """Iterate over the valid SERPs of `stream` (binary); `problems` holds the rest.

    `variants`: for a side-by-side project, the two variant names every query must have.
    `locales`: when given, the only locales the project evaluates.
    `known_keys`: (query_id, variant) pairs already in the pool.
    """

    def __init__(
        self,
        stream,
        *,
        fmt: str,
        variants: tuple[str, ...] = (),
        locales: tuple[str, ...] = (),
        known_keys: Iterable = (),
    ):
        self.stream = stream
        self.fmt = fmt
        self.variants = tuple(variants)
        self.locales = tuple(locales)
        self.known_keys = set(known_keys)
        self.problems: list[Problem] = []
        self.truncated = False
        self.bytes_read = 0
        self.serps = 0
        self.results = 0
        self._seen: dict[tuple[str, str], int] = {}
        self._variants_of: dict[str, tuple[int, set[str]]] = {}

    # --- problems -----------------------------------------------------------------------

    def problem(self, line, field_name, message):
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
            raise _Stop
        self.problems.append(Problem(line, field_name, message))

    @property
    def ok(self) -> bool:
        return not self.problems

    # --- lines --------------------------------------------------------------------------

    def _lines(self) -> Iterator[tuple[int, str]]:
        """Decoded lines with their numbers, BOM and line endings removed."""
        for number, raw in enumerate(self.stream, start=1):
            self.bytes_read += len(raw)
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.problem(number, None, f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}")
                text = raw.decode("utf-8", errors="replace")
            yield number, text.rstrip("\r\n")

    def __iter__(self) -> Iterator[SerpRecord]:
        try:
            records = self._jsonl() if self.fmt == "jsonl" else self._csv()  # csv or tsv
            empty = True
            for record in records:
                empty = False
                if record is not None and self._check_key(record):
                    self.serps += 1
                    self.results += len(record.results)
                    yield record
            if empty and not self.problems:
                self.problem(None, None, "the file is empty")
            self._check_side_by_side()
        except _Stop:
            return

    # --- JSONL --------------------------------------------------------------------------

    def _jsonl(self) -> Iterator[SerpRecord | None]:
        for number, text in self._lines():
            if not text.strip():
                continue
            if number == 1 and text.lstrip().startswith("["):
                self.problem(1, None, "the file is a JSON array; give one SERP object per line (JSONL)")
                return
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                self.problem(number, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
                yield None
                continue
            if not isinstance(data, dict):
                self.problem(number, None, f"each line must be one SERP as a JSON object, got {_describe(data)}")
                yield None
                continue
            yield self._serp_from_json(number, data)

    def _serp_from_json(self, line: int, data: dict) -> SerpRecord | None:
        before = len(self.problems)
        for name in data:
            if name not in SERP_FIELDS:
                self.problem(line, name, f"unknown field; a SERP has {', '.join(SERP_FIELDS)}")
        serp = self._serp_fields(line, data, lambda name: name)
        results = data.get("results")
        records = []
        if results is None:
            self.problem(line, "results", "is required")
        elif not isinstance(results, list):
            self.problem(line, "results", f"must be a list of results, got {_describe(results)}")
        elif not results:
            self.problem(line, "results", "must not be empty")
        elif len(results) > MAX_RESULTS:
            self.problem(line, "results", f"has {len(results)} results; at most {MAX_RESULTS} are allowed")
        elif (fast := _clean_results(results)) is not None:
            records = fast
        else:
            entries = []
            for index, item in enumerate(results):
                where = f"results[{index}]"
                if not isinstance(item, dict):
                    self.problem(line, where, f"each result must be a JSON object, got {_describe(item)}")
                    entries.append((None, None, line, where))
                    continue
                for name in item:
                    if name not in RESULT_FIELDS:
                        self.problem(line, f"{where}.{name}", f"unknown field; a result has {', '.join(RESULT_FIELDS)}")
                record = self._result_fields(line, item, lambda name, where=where: f"{where}.{name}", typed=True)
                if record is not None:
                    records.append(record)
                entries.append((item.get("rank"), item.get("doc_id"), line, f"{where}."))
            self._check_ranks(line, "results", entries)
        if serp is None or len(self.problems) > before:
            return None
        serp.results = records
        return serp

    # --- CSV ----------------------------------------------------------------------------

    def _csv(self) -> Iterator[SerpRecord | None]:
        lines = self._lines()
        numbers: list[int] = []

        def texts():
            for number, text in lines:
                numbers.append(number)
                # The csv module needs the line break back to keep one inside a quoted field.
                yield text + "\n"

        reader = csv.DictReader(texts(), strict=True, delimiter="\t" if self.fmt == "tsv" else ",")
        try:
            header = reader.fieldnames
        except csv.Error as exc:
            self.problem(1, None, f"not a valid CSV header: {exc}")
            return
        if not header:
            return
        header = [name.strip() for name in header]
        reader.fieldnames = header
        bad_header = False
        for name in header:
            if name not in CSV_COLUMNS:
                self.problem(1, name or None, f"unknown column; the columns are {', '.join(CSV_COLUMNS)}")
                bad_header = True
        for name in CSV_REQUIRED:
            if name not in header:
                self.problem(1, name, "missing column")
                bad_header = True
        for name in sorted({name for name in header if header.count(name) > 1}):
            self.problem(1, name, "this column appears twice")
            bad_header = True
        if bad_header:
            return
        group: list[tuple[int, dict]] = []
        group_lines: dict[tuple[str, str], int] = {}
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.problem(numbers[-1] if numbers else None, None, f"not valid CSV: {exc}")
                return
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                self.problem(line, None, f"has {self._cells(row)} cells; the header has {len(header)}")
                continue
            key = (row["query_id"], row.get("variant", ""))
            if group and key != (group[0][1]["query_id"], group[0][1].get("variant", "")):
                yield self._serp_from_rows(group)
                group = []
            if not group and key in group_lines:
                # Rows of one SERP split apart: say so, rather than judge the pieces.
                self.problem(line, "query_id", f"{self._shown(*key)} is already at line {group_lines[key]}; "
                             "keep each SERP's rows together")  # fmt: skip
                continue
            if not group:
                group_lines[key] = line
            group.append((line, row))
        if group:
            yield self._serp_from_rows(group)

    @staticmethod
    def _cells(row: dict) -> int:
        extra = row.get(None) or []
        return sum(1 for key, value in row.items() if key is not None and value is not None) + len(extra)

    def _serp_from_rows(self, group: list[tuple[int, dict]]) -> SerpRecord | None:
        before = len(self.problems)
        first_line, first = group[0]
        serp = self._serp_fields(first_line, first, lambda name: name, from_csv=True)
        for line, row in group[1:]:
            for name in ("query", "locale", "category", "traffic"):
                if name in row and row[name] != first[name]:
                    self.problem(line, name, f"differs from line {first_line} for the same query_id")
        records, entries = [], []
        for line, row in group:
            record = self._result_fields(line, row, lambda name: name, typed=False)
            if record is not None:
                records.append(record)
            rank = row.get("rank", "").strip()
            entries.append((int(rank) if rank.isdigit() else None, row.get("doc_id"), line, ""))
        if len(group) > MAX_RESULTS:
            self.problem(first_line, None, f"this SERP has {len(group)} results; at most {MAX_RESULTS} are allowed")
        self._check_ranks(first_line, "rank", entries)
        if serp is None or len(self.problems) > before:
            return None
        serp.results = records
        return serp

    # --- fields -------------------------------------------------------------------------

    def _text(self, line, where, value, *, name, required, from_csv=False):
        if value is None or (from_csv and value == "" and not required):
            if required:
                self.problem(line, where, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(line, where, f"must be text, got {_describe(value)}")
            return None
        if required and not value.strip():
            self.problem(line, where, "must not be empty")
            return None
        if len(value) > LIMITS[name]:
            self.problem(line, where, f"is {len(value)} characters long; at most {LIMITS[name]} are allowed")
            return None
        if "\x00" in value:
            self.problem(line, where, "contains a NUL character")
            return None
        return value

    def _serp_fields(self, line, data, where, *, from_csv=False) -> SerpRecord | None:
        before = len(self.problems)
        values = {
            name: self._text(line, where(name), data.get(name), name=name, required=required, from_csv=from_csv)
            for name, required in (("query_id", True), ("query", True), ("category", False), ("variant", False))
        }
        locale = data.get("locale")
        if locale is None or locale == "":
            self.problem(line, where("locale"), "is required")
        elif problem := locale_problem(locale):
            self.problem(line, where("locale"), problem)
        elif self.locales and locale not in self.locales:
            self.problem(
                line, where("locale"), f'"{locale}" is not one of this project\'s locales ({", ".join(self.locales)})'
            )
        traffic = self._number(line, where("traffic"), data.get("traffic"), from_csv=from_csv)
        if traffic is not None and traffic < 0:
            self.problem(line, where("traffic"), f"must not be negative, got {_describe(traffic)}")
        variant = values.get("variant") or ""
        if self.variants and variant not in self.variants:
            shown = f'"{variant}"' if variant else "missing"
            self.problem(line, where("variant"), f"is {shown}; this project compares {' and '.join(self.variants)}")
        if len(self.problems) > before:
            return None
        return SerpRecord(
            line=line, query_id=values["query_id"], query=values["query"], locale=locale,
            category=values["category"] or "", traffic=float(traffic or 0), variant=variant,
        )  # fmt: skip

    def _number(self, line, where, value, *, from_csv):
        if value is None or (from_csv and value.strip() == ""):
            return 0.0
        if from_csv:
            try:
                value = float(value)
            except ValueError:
                self.problem(line, where, f"must be a number, got {_describe(value)}")
                return None
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(line, where, f"must be a number, got {_describe(value)}")
            return None
        if not math.isfinite(value):
            self.problem(line, where, "must be a finite number")
            return None
        return value

    def _url(self, line, where, value, *, required) -> str | None:
        text = self._text(line, where, value, name="url", required=required, from_csv=True)
        if not text:
            return text
        if any(ch.isspace() or ord(ch) < 32 for ch in text):
            self.problem(line, where, "must not contain spaces or control characters")
            return None
        try:
            parts = urlsplit(text)
            hostname = parts.hostname
        except ValueError:
            self.problem(line, where, "is not a valid URL")
            return None
        if parts.scheme.lower() not in ("http", "https"):
            scheme = f'"{parts.scheme}:"' if parts.scheme else "no scheme"
            self.problem(line, where, f"only http and https links are allowed, got {scheme}")
            return None
        if not hostname:
            self.problem(line, where, "has no host name")
            return None
        return text

    def _result_fields(self, line, data, where, *, typed) -> ResultRecord | None:
        before = len(self.problems)
        rank = data.get("rank")
        if typed:
            if rank is None:
                self.problem(line, where("rank"), "is required")
            elif isinstance(rank, bool) or not isinstance(rank, int):
                self.problem(line, where("rank"), f"must be a whole number, got {_describe(rank)}")
                rank = None
        else:
            try:
                rank = int(rank)
            except (TypeError, ValueError):
                self.problem(line, where("rank"), f"must be a whole number, got {_describe(rank)}")
                rank = None
        if rank is not None and not 1 <= rank <= MAX_RESULTS:
            self.problem(line, where("rank"), f"must be from 1 to {MAX_RESULTS}, got {rank}")
        texts = {
            name: self._text(line, where(name), data.get(name), name=name, required=required, from_csv=not typed)
            for name, required in (("doc_id", True), ("title", False), ("snippet", False), ("media_type", False))
        }
        doc_id, title, snippet, media_type = texts["doc_id"], texts["title"], texts["snippet"], texts["media_type"]
        if media_type and not MEDIA_TYPE.fullmatch(media_type):
            self.problem(line, where("media_type"), f"{_describe(media_type)} is not a media type like video or image")
        url = self._url(line, where("url"), data.get("url"), required=True)
        thumbnail = self._url(line, where("thumbnail_url"), data.get("thumbnail_url"), required=False)
        sensitive = data.get("sensitive", False)
        if typed:
            if sensitive is None:
                sensitive = False
            elif not isinstance(sensitive, bool):
                self.problem(line, where("sensitive"), f"must be true or false, got {_describe(sensitive)}")
        else:
            lowered = (sensitive or "").strip().lower()
            if lowered in _TRUE:
                sensitive = True
            elif lowered in _FALSE:
                sensitive = False
            else:
                self.problem(line, where("sensitive"), f"must be true or false, got {_describe(sensitive)}")
        if len(self.problems) > before:
            return None
        return ResultRecord(
            rank=rank, doc_id=doc_id, title=title or "", url=url, snippet=snippet or "",
            media_type=media_type or "", thumbnail_url=thumbnail or "", sensitive=bool(sensitive),
        )  # fmt: skip

    # --- across results and lines -------------------------------------------------------

    def _check_ranks(self, line, gap_field: str, entries: list[tuple]):
        """Ranks 1..n, each once, and each doc once per SERP; entries are (rank, doc_id, line, prefix)."""
        seen_rank: dict[int, int] = {}
        seen_doc: dict[str, int] = {}
        for rank, doc_id, here, prefix in entries:
            if isinstance(rank, int) and not isinstance(rank, bool):
                if rank in seen_rank:
                    self.problem(here, f"{prefix}rank", f"rank {rank} appears twice")
                seen_rank.setdefault(rank, rank)
            if isinstance(doc_id, str) and doc_id:
                if doc_id in seen_doc:
                    where = f"rank {seen_doc[doc_id]}" if seen_doc[doc_id] else "an earlier result"
                    self.problem(here, f"{prefix}doc_id", f"{_describe(doc_id)} is already at {where}")
                seen_doc.setdefault(doc_id, rank if isinstance(rank, int) and not isinstance(rank, bool) else 0)
        if entries and len(seen_rank) == len(entries):
            missing = [rank for rank in range(1, len(entries) + 1) if rank not in seen_rank]
            if missing:
                self.problem(
                    line, gap_field, f"ranks must run from 1 to {len(entries)} without gaps; {missing[0]} is missing"
                )

    @staticmethod
    def _shown(query_id: str, variant: str) -> str:
        return f'query_id "{query_id}"' + (f' (variant "{variant}")' if variant else "")

    def _check_key(self, record: SerpRecord) -> bool:
        key = (record.query_id, record.variant)
        shown = self._shown(*key)
        if key in self._seen:
            together = "; keep each SERP's rows together" if self.fmt != "jsonl" else ""
            self.problem(record.line, "query_id", f"{shown} is already at line {self._seen[key]}{together}")
            return False
        self._seen[key] = record.line
        if key in self.known_keys:
            self.problem(record.line, "query_id", f"{shown} is already in the pool")
            return False
        if self.variants:
            first_line, seen = self._variants_of.setdefault(record.query_id, (record.line, set()))
            seen.add(record.variant)
        return True

    def _check_side_by_side(self):
        if not self.variants:
            return
        for query_id, (line, seen) in self._variants_of.items():
            for variant in self.variants:
                if variant not in seen:
                    have = " and ".join(f'"{v}"' for v in self.variants if v in seen)
                    self.problem(line, "variant", f'query_id "{query_id}" has variant {have} but not "{variant}"')


def read_all(data: bytes, *, fmt: str, **options) -> tuple[list[SerpRecord], list[Problem]]:
    """Convenience for tests and small files: every valid SERP and every problem."""
    reader = PoolReader(io.BytesIO(data), fmt=fmt, **options)
    records = list(reader)
    return records, reader.problems
