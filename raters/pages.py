"""The page(s) of an assignment as the rater sees them, built from rows of one SERP-and-results read.

Two reads bring these rows: the engine's lease statement on PostgreSQL (the lease and its pages
in one round trip) and selectors.assignment_pages otherwise. Both select PAGE_COLUMNS ordered by
SERP and rank, one row per result, and a row of NULL result columns for a SERP without results.
"""

from types import SimpleNamespace

from projects.pool_format import RESULT_FIELDS

# `s` is projects_poolserp, `r` projects_poolresult LEFT JOINed to it; the result's columns in the
# order of RESULT_FIELDS (a pool file's result fields, named as PoolResult's).
PAGE_COLUMNS = """s.id, s.query_id, s.query, s.locale, s.variant,
       r.rank, r.doc_id, r.title, r.url, r.snippet, r.media_type, r.thumbnail_url, r.sensitive"""


def shown_serp_ids(task, *, swapped: bool) -> list[int]:
    """The task's SERP ids in the order the rater sees them: left then right when side by side."""
    serp_ids = [task.serp_id] if task.serp_b_id is None else [task.serp_id, task.serp_b_id]
    if swapped:
        serp_ids.reverse()
    return serp_ids


def from_rows(task, *, swapped: bool, rows) -> list[tuple[dict, list]]:
    """[(the SERP's fields with its side, its results as plain objects with the PoolResult names)]."""
    serp_ids = shown_serp_ids(task, swapped=swapped)
    sides = [None] if len(serp_ids) == 1 else ["left", "right"]
    serps, results = {}, {serp_id: [] for serp_id in serp_ids}
    for serp_id, query_id, query, locale, variant, *result in rows:
        serps[serp_id] = {"query_id": query_id, "query": query, "locale": locale, "variant": variant}
        if result[1] is not None:
            fields = dict(zip(RESULT_FIELDS, result, strict=True))
            fields["sensitive"] = bool(fields["sensitive"])
            results[serp_id].append(SimpleNamespace(**fields))
    return [({"side": side, **serps[serp_id]}, results[serp_id]) for side, serp_id in zip(sides, serp_ids, strict=True)]
