"""Projects that look like real work for the rater console: several results per page, titles,
hosts, snippets and thumbnails, so the console is tested (and looked at) as raters see it.

Rows are written straight to the tables, as the engine tests do: the console must cope with
whatever the pool holds, including text that the import would have refused.
"""

import base64

from django.utils import timezone

from projects.models import EvaluationProject, PoolResult, PoolSerp, SamplingRun, Task

THUMBNAIL_HOST = "https://thumbs.example"
# A 1x1 PNG; the browser tests serve it for every thumbnail (no request leaves the machine).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkqPv/HwAFhAJ/wlseKgAAAABJRU5ErkJggg=="
)

TITLES = [
    "Spaghetti alla carbonara: the real Roman recipe in 5 minutes",
    "Carbonara without cream — chef explains every step",
    "I tried 3 viral pasta hacks so you don't have to",
    "Guanciale vs pancetta: which one for carbonara?",
    "Rome food tour: where locals eat carbonara",
    "Car advert: the new city hatchback",
]
SNIPPET = "Eggs, pecorino, guanciale and black pepper. No cream, ever: the sauce comes from the pasta water."


def result_rows(serp, *, results=5, sensitive=(), thumbnails=True, **fields):
    """PoolResult rows for a page: `sensitive` holds the ranks to mark, `fields` overrides every row."""
    return [
        PoolResult(
            serp=serp,
            rank=rank,
            doc_id=f"{serp.query_id}-{serp.variant or 'v'}-{rank}",
            sensitive=rank in sensitive,
            **{
                "title": TITLES[(rank - 1) % len(TITLES)],
                "url": f"https://videos.example/{serp.query_id}/{rank}",
                "snippet": SNIPPET,
                "media_type": "video",
                "thumbnail_url": f"{THUMBNAIL_HOST}/{serp.query_id}/{rank}.png" if thumbnails else "",
                **fields,
            },
        )  # fmt: skip
        for rank in range(1, results + 1)
    ]


def console_project(
    *, owner, version, tasks=4, results=5, sensitive=(), overlap=1, locale="it-IT", serp_fields=None, **result_fields
):
    """An active graded project of `tasks` pages, first page first in every rater's queue."""
    project = EvaluationProject.objects.create(
        name="Video search, Italy", owner=owner, guideline_version=version, overlap=overlap,
        status=EvaluationProject.Status.ACTIVE, activated_at=timezone.now(), locales=[locale],
    )  # fmt: skip
    serps = PoolSerp.objects.bulk_create(
        [
            PoolSerp(
                project=project,
                query_id=f"q-{n}",
                locale=locale,
                **{"query": f"pasta carbonara {n}", **(serp_fields or {})},
            )
            for n in range(tasks)
        ]  # fmt: skip
    )
    PoolResult.objects.bulk_create(
        [row for serp in serps for row in result_rows(serp, results=results, sensitive=sensitive, **result_fields)]
    )
    run = SamplingRun.objects.create(project=project, strategy="uniform", size=tasks, seed=1, created_by=owner)
    Task.objects.bulk_create(
        [
            Task(
                project=project,
                sampling_run=run,
                serp=serp,
                query_id=serp.query_id,
                locale=locale,
                inclusion_probability=1.0,
                overlap=overlap,
                shuffle=n,
                has_sensitive=bool(sensitive),
            )  # fmt: skip
            for n, serp in enumerate(serps)
        ]
    )
    return project


def serve_thumbnails(page):
    """Answer every thumbnail request with a small PNG, so pages render as they would online."""
    page.route(f"{THUMBNAIL_HOST}/**", lambda route: route.fulfill(status=200, content_type="image/png", body=PNG))


def dress_results(project):
    """Give a project's results (e.g. from helpers_sbs) titles, hosts, snippets and thumbnails."""
    rows = list(PoolResult.objects.filter(serp__project=project).select_related("serp"))
    for row in rows:
        row.title = TITLES[(row.rank - 1 + len(row.serp.variant)) % len(TITLES)]
        row.url = f"https://videos.example/{row.doc_id}"
        row.snippet = SNIPPET
        row.media_type = "video"
        row.thumbnail_url = f"{THUMBNAIL_HOST}/{row.doc_id}.png"
    PoolResult.objects.bulk_update(rows, ["title", "url", "snippet", "media_type", "thumbnail_url"])
