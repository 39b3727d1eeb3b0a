"""The import's fast path for clean results must accept nothing the detailed checks would refuse."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from projects.pool_format import _clean_results, read_all

URLS = st.one_of(
    st.sampled_from(
        ["https://a.example/x", "HTTP://b.example", "https://[abc/", "javascript:alert(1)", "https://:80/x",
         "https://user@host/p", "https://h/a b", "https://h/\u00a0", "ftp://x", "", "https://x\x00y", "//x.example"]
    ),
    st.text(max_size=30).map(lambda tail: "https://h.example/" + tail),
)  # fmt: skip
CLEAN_URL = st.sampled_from(["https://a.example/x", "http://b.example/p?q=1#f", "HTTPS://C.example"])


@st.composite
def results(draw):
    """Mostly clean results, with now and then one thing the detailed checks refuse."""
    size = draw(st.integers(1, 4))
    items = []
    for index in range(size):
        item = {
            "rank": draw(st.one_of(st.just(index + 1), st.just(index + 1), st.integers(-1, 6), st.just(True))),
            "doc_id": draw(st.one_of(st.just(f"d{index}"), st.just(f"d{index}"), st.text(max_size=4))),
            "url": draw(st.one_of(CLEAN_URL, CLEAN_URL, URLS)),
        }
        optional = {
            "title": st.one_of(st.none(), st.text(max_size=10), st.integers()),
            "snippet": st.one_of(st.none(), st.text(max_size=10)),
            "media_type": st.sampled_from(["video", "", "Video", "a b", "x" * 40]),
            "thumbnail_url": st.one_of(st.none(), CLEAN_URL, URLS),
            "sensitive": st.one_of(st.none(), st.booleans(), st.just("yes")),
            "colour": st.just("red"),
        }
        for name, values in optional.items():
            if draw(st.booleans()):
                item[name] = draw(values)
        items.append(item)
    return items


@settings(max_examples=400, deadline=None)
@given(results())
def test_whatever_the_fast_path_accepts_the_detailed_checks_accept_too(results):
    fast = _clean_results(results)
    if fast is None:
        return
    line = json.dumps({"query_id": "q", "query": "x", "locale": "it-IT", "results": results}).encode()
    records, problems = read_all(line, fmt="jsonl")
    assert problems == []
    assert records[0].results == fast


def test_a_malformed_ipv6_host_is_a_problem_on_its_line_not_a_crash():
    line = {
        "query_id": "q",
        "query": "x",
        "locale": "it-IT",
        "results": [{"rank": 1, "doc_id": "a", "url": "http://[abc/"}],
    }
    _, problems = read_all(json.dumps(line).encode(), fmt="jsonl")
    assert [problem.as_dict() for problem in problems] == [
        {"line": 1, "field": "results[0].url", "message": "is not a valid URL"}
    ]


def test_a_clean_serp_takes_the_fast_path():
    clean = [{"rank": 1, "doc_id": "a", "url": "https://a.example/", "title": "T", "sensitive": False}]
    assert _clean_results(clean) is not None
    assert _clean_results([{**clean[0], "url": "javascript:alert(1)"}]) is None
