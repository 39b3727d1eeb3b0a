"""Guideline Markdown becomes HTML that can go into any page: formatting stays, scripts go."""

# The tables below keep one case to a line, so they read as a list of rules.
# ruff: noqa: E501

import re

import pytest

from guidelines.rendering import render_markdown


def test_it_keeps_headings_paragraphs_and_emphasis():
    assert render_markdown("## Grades\n\nRate **every** result, *carefully*.") == (
        "<h3>Grades</h3>\n<p>Rate <strong>every</strong> result, <em>carefully</em>.</p>"
    )


@pytest.mark.parametrize(
    ("markdown", "heading"),
    [
        ("# Purpose", "<h2>Purpose</h2>"),
        ("## Grades", "<h3>Grades</h3>"),
        ("##### Fine print", "<h6>Fine print</h6>"),
        ("###### Finer print", "<h6>Finer print</h6>"),
        ("<h1>Raw</h1>", "<h2>Raw</h2>"),
    ],
)
def test_headings_move_one_level_down_so_the_page_keeps_its_one_h1(markdown, heading):
    assert render_markdown(markdown) == heading


def test_it_keeps_tables():
    html = render_markdown("| Grade | Meaning |\n|---|---|\n| 4 | Fully meets |")
    assert html == (
        "<table>\n<thead>\n<tr>\n<th>Grade</th>\n<th>Meaning</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>4</td>\n<td>Fully meets</td>\n</tr>\n</tbody>\n</table>"
    )


def test_it_keeps_lists_and_code():
    html = render_markdown("- one\n- two\n\n```\n<b>raw</b>\n```")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<pre><code>&lt;b&gt;raw&lt;/b&gt;\n</code></pre>" in html


def test_it_keeps_links_and_opens_them_away_from_the_console():
    assert render_markdown('[Examples](https://example.com/sop "The SOP")') == (
        '<p><a href="https://example.com/sop" title="The SOP" target="_blank" rel="noopener noreferrer">Examples</a></p>'
    )


def test_it_keeps_mailto_and_relative_links():
    assert 'href="mailto:qa@example.com"' in render_markdown("[Ask QA](mailto:qa@example.com)")
    assert 'href="/guidelines/serp/"' in render_markdown("[Other](/guidelines/serp/)")


def test_it_adds_noopener_even_when_the_author_wrote_their_own_rel():
    html = render_markdown('<a href="https://example.com" rel="opener" target="_self">x</a>')
    assert html == '<p><a href="https://example.com" target="_blank" rel="noopener noreferrer">x</a></p>'


def test_it_returns_nothing_for_no_text():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


# fmt: off
# Each payload, and the text that must not survive it (matched case-insensitively).
DANGEROUS = [
    pytest.param("<script>alert(1)</script>Hello", r"<script|alert", id="script-tag"),
    pytest.param("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>", r"<script|evil", id="script-tag-upper-case"),
    pytest.param('<img src="x.png" onerror="alert(1)">', r"onerror|alert", id="onerror-attribute"),
    pytest.param('<a href="https://example.com" onclick="alert(1)">c</a>', r"onclick|alert", id="onclick-attribute"),
    pytest.param("<p onmouseover='alert(1)'>hover</p>", r"onmouseover|alert", id="onmouseover-attribute"),
    pytest.param("<svg onload=alert(1)>", r"<svg|onload|alert", id="svg-onload"),
    pytest.param("<body onload=alert(1)>", r"<body|onload|alert", id="body-onload"),
    pytest.param('<iframe src="https://evil.example"></iframe>', r"<iframe|evil", id="iframe"),
    pytest.param("<style>body{display:none}</style>", r"<style|display", id="style-tag"),
    pytest.param('<p style="background:url(javascript:alert(1))">x</p>', r"style|javascript", id="style-attribute"),
    pytest.param('<form action="https://evil.example"><input name="password"></form>', r"<form|<input", id="form"),
    pytest.param("[click](javascript:alert(1))", r"javascript|href", id="javascript-link"),
    pytest.param("[click](jAvAsCrIpT:alert(1))", r"javascript|href", id="javascript-link-mixed-case"),
    pytest.param('<a href=" javascript:alert(1)">click</a>', r"javascript|href", id="javascript-link-leading-space"),
    pytest.param('<a href="jav&#x09;ascript:alert(1)">click</a>', r"javascript|href", id="javascript-link-with-encoded-tab"),
    pytest.param('<a href="&#106;avascript:alert(1)">click</a>', r"avascript|href", id="javascript-link-entity-encoded"),
    pytest.param('<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">c</a>', r"href|alert", id="javascript-link-fully-hex-encoded"),
    pytest.param("[click](&#106;avascript:alert(1))", r"avascript|href", id="markdown-link-entity-encoded"),
    pytest.param("[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", r"data:|href", id="data-link"),
    pytest.param("[click](vbscript:msgbox(1))", r"vbscript|href", id="vbscript-link"),
    pytest.param('<img src="javascript:alert(1)">', r"javascript|src", id="javascript-image"),
    pytest.param('<img src="data:image/svg+xml;base64,PHN2Zz4=">', r"data:|src", id="data-image"),
    pytest.param('<object data="x.swf"></object><embed src="x.swf">', r"<object|<embed", id="object-and-embed"),
    pytest.param('<meta http-equiv="refresh" content="0;url=https://evil.example">', r"<meta|evil", id="meta-refresh"),
]
# fmt: on


@pytest.mark.parametrize(("payload", "forbidden"), DANGEROUS)
def test_it_drops_anything_that_could_run_in_the_page(payload, forbidden):
    html = render_markdown(payload)
    assert not re.search(forbidden, html, flags=re.IGNORECASE), html


def test_it_keeps_the_text_around_a_dropped_script():
    assert render_markdown("<script>alert(1)</script>Hello").strip() == "<p>Hello</p>"


def test_a_dropped_link_keeps_its_text():
    assert render_markdown("[Read this](javascript:alert(1))") == (
        '<p><a target="_blank" rel="noopener noreferrer">Read this</a></p>'
    )


def test_it_drops_class_attributes_but_keeps_ids_for_anchors():
    assert render_markdown('<div id="grades" class="hidden">x</div>') == '<div id="grades">x</div>'
