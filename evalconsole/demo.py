"""Demo data for the embedded default: people of every role, published guidelines, and a
project with a few hundred SERPs in several locales, sampled and active.

Idempotent: running it again resets the demo people's passwords and adds nothing twice.
"""

import json
import random
import uuid
import zlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from evalconsole.roles import Role, set_role
from guidelines import services as guideline_services
from guidelines.models import Guideline, GuidelineVersion
from projects import services as project_services
from projects.models import EvaluationProject
from raters import engine
from raters import services as rater_services
from raters.models import RaterProfile
from raters.services import user_create
from reports import services as report_services

User = get_user_model()

DEMO_PEOPLE = [
    {"username": "admin", "role": Role.ADMIN, "locales": []},
    {"username": "owner", "role": Role.OWNER, "locales": []},
    {"username": "pm", "role": Role.PM, "locales": []},
    {"username": "reviewer", "role": Role.REVIEWER, "locales": ["it-IT", "de-DE"]},
    {"username": "rater", "role": Role.RATER, "locales": ["it-IT", "es-ES"]},
    {"username": "rater-de", "role": Role.RATER, "locales": ["de-DE", "en-GB"]},
]

SERP_SOP = """# SERP satisfaction

You play a user who typed the query on their phone. Judge each result for how well it meets
that user's need, then judge the page as a whole.

## Rating each result

| grade | meaning | example for *pasta carbonara* |
|---|---|---|
| 4 Fully meets | exactly what almost every user wants | a clear, complete recipe video |
| 3 Highly meets | very helpful for most users | a recipe with a small gap |
| 2 Moderately meets | helpful for some users | a carbonara variation |
| 1 Slightly meets | loosely related | a video about Rome's restaurants |
| 0 Fails to meet | unrelated, broken or spam | a car advert |

## Rating the page

Ask: *would I stop searching here, satisfied?* Tag every pain point you notice.

## When you cannot judge

Choose a reason: the page did not load, the language is one you do not read, it needs
expertise you lack, or you opted out of sensitive content.
"""

SBS_SOP = """# Side-by-side comparison

Two result pages for the same query, from two ranking strategies, shown in random order.
Rate which page better meets the user's need, from -3 (left much better) to +3 (right much
better). Judge the pages, not the side they are on.
"""

SBS_SCHEMA = {
    "page_questions": [
        {
            "key": "preference",
            "label": "Which page is better?",
            "type": "ordinal",
            "required": True,
            "options": [
                {"value": -3, "label": "Left much better"},
                {"value": -2, "label": "Left better"},
                {"value": -1, "label": "Left slightly better"},
                {"value": 0, "label": "About the same"},
                {"value": 1, "label": "Right slightly better"},
                {"value": 2, "label": "Right better"},
                {"value": 3, "label": "Right much better"},
            ],
        },
        {"key": "comment", "label": "Why?", "type": "text", "max_length": 2000},
    ],
    "cannot_judge_reasons": ["did_not_load", "foreign_language"],
}

DEMO_GUIDELINES = [
    {"slug": "serp-satisfaction", "name": "SERP satisfaction", "body": SERP_SOP, "schema": None,
     "description": "Graded relevance per result and page satisfaction, with pain points."},
    {"slug": "side-by-side", "name": "Side-by-side preference", "body": SBS_SOP, "schema": SBS_SCHEMA,
     "description": "Which of two ranking strategies serves the query better."},
]  # fmt: skip


def _ensure_person(spec: dict, password: str):
    user = User.objects.filter(username=spec["username"]).first()
    if user is None:
        return user_create(username=spec["username"], password=password, role=spec["role"], locales=spec["locales"])
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    set_role(user, spec["role"])
    RaterProfile.objects.update_or_create(user=user, defaults={"locales": spec["locales"]})
    return user


def _ensure_guideline(spec: dict, owner) -> Guideline:
    guideline = Guideline.objects.filter(slug=spec["slug"]).first()
    if guideline is not None:
        return guideline
    guideline = guideline_services.guideline_create(
        owner=owner, name=spec["name"], slug=spec["slug"], description=spec["description"]
    )
    draft = guideline.versions.get(number=1)
    guideline_services.version_update(
        version=draft, body_markdown=spec["body"], schema=spec["schema"], changelog="First version."
    )
    guideline_services.version_publish(version=draft)
    return guideline


DEMO_PROJECT = "Demo: video search satisfaction"
DEMO_QUERIES = {
    "it-IT": ["pasta carbonara", "tiramisù facile", "gol serie a", "meteo roma", "canzoni sanremo", "trucco occhi"],
    "es-ES": ["paella valenciana", "resumen liga", "rutina gimnasio", "viajes baratos", "tortilla de patatas"],
    "de-DE": ["käsespätzle rezept", "bundesliga tore", "fahrrad reparieren", "wandern alpen", "weihnachtsmarkt"],
    "en-GB": ["sunday roast", "premier league goals", "knitting for beginners", "london weekend", "sourdough"],
}
CATEGORIES = ["food", "sport", "music", "travel", "beauty", "howto"]


def demo_pool(serps: int = 300, seed: int = 7) -> bytes:
    """A few hundred SERP snapshots in several locales, as JSONL."""
    rng = random.Random(seed)
    lines = []
    for n in range(serps):
        locale = list(DEMO_QUERIES)[n % len(DEMO_QUERIES)]
        base = rng.choice(DEMO_QUERIES[locale])
        query = base if n < 40 else f"{base} {rng.choice(['video', '2026', 'tutorial', 'live', 'short'])}"
        results = [
            {
                "rank": rank,
                "doc_id": f"v-{n:04d}-{rank}",
                "title": f"{query.title()} · clip {rank}",
                "url": f"https://videos.example/watch/{n:04d}{rank}",
                "snippet": f"{rng.randint(1, 900)}k views · {rng.randint(1, 30)} days ago "
                f"· creator{rng.randint(1, 99)}",
                "media_type": rng.choice(["video", "video", "video", "image", "live"]),
                "sensitive": rng.random() < 0.04,
            }
            for rank in range(1, 9)
        ]
        serp = {
            "query_id": f"demo-{n:04d}", "query": query, "locale": locale, "category": rng.choice(CATEGORIES),
            "traffic": int(rng.paretovariate(1.2) * 100), "results": results,
        }  # fmt: skip
        lines.append(json.dumps(serp, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def _ensure_project(owner) -> EvaluationProject:
    project = EvaluationProject.objects.filter(name=DEMO_PROJECT).first()
    if project is not None:
        return project
    version = GuidelineVersion.objects.get(
        guideline__slug="serp-satisfaction", status=GuidelineVersion.Status.PUBLISHED
    )
    project = project_services.project_create(
        owner=owner, name=DEMO_PROJECT, guideline_version=version, locales=list(DEMO_QUERIES), overlap=3,
        cost_per_judgment=Decimal("0.40"), gold_rate=0.05,
    )  # fmt: skip
    job = project_services.pool_upload(
        project=project, file=ContentFile(demo_pool(), name="demo-pool.jsonl"), created_by=owner
    )
    # Run the import here unless an in-process Celery already did; a worker finds it taken.
    project_services.pool_import_run(job_id=job.pk)
    project_services.tasks_sample(
        project=project, created_by=owner, strategy="stratified", size=120, strata=["locale"], seed=2026
    )
    return project_services.project_transition(project=project, action="activate")


JUDGED_PROJECT = "Demo: last month's run (judged)"
VENDOR_RATERS = [f"vendor-{n}" for n in range(1, 7)]


def _simulated_answers(rng: random.Random, assignment, skill: float) -> dict:
    """Answers a plausible rater would give: grades around each result's quality, noisier for the less skilled."""
    results = assignment_results(assignment)
    grades = {}
    for result in results:
        quality = (zlib.crc32(result.doc_id.encode()) % 1000) / 1000 * 4 * (1.1 - result.rank / 12)
        grades[result.doc_id] = max(0, min(4, round(quality + rng.gauss(0, 1.2 - skill))))
    top = [grades[result.doc_id] for result in results[:3]] or [2]
    score = max(1, min(5, round(1 + sum(top) / len(top) + rng.gauss(0, 0.8 - skill / 2))))
    chances = {"irrelevant_top": 0.5 if top[0] < 2 else 0.05, "outdated": 0.15, "duplicates": 0.1, "low_quality": 0.08}
    pains = [pain for pain, chance in chances.items() if rng.random() < chance]
    comment = rng.choice(["", "", "Top result is off-topic.", "Several results repeat the same video.", "Old content."])
    return {
        "page": {"satisfaction": score, "pain_points": pains, "comment": comment if pains else ""},
        "results": {doc_id: {"relevance": grade} for doc_id, grade in grades.items()},
    }


def assignment_results(assignment) -> list:
    from raters.selectors import assignment_pages  # noqa: PLC0415 - demo only

    return [result for _serp, results in assignment_pages(assignment=assignment) for result in results]


def _ensure_judged_project(owner, password: str) -> EvaluationProject:
    """A project judged by six simulated vendor raters, with a report, so the dashboards have data."""
    project = EvaluationProject.objects.filter(name=JUDGED_PROJECT).first()
    if project is not None:
        return project
    version = GuidelineVersion.objects.get(
        guideline__slug="serp-satisfaction", status=GuidelineVersion.Status.PUBLISHED
    )
    raters = []
    for username in VENDOR_RATERS:
        rater = User.objects.filter(username=username).first() or user_create(
            username=username, password=password, role=Role.RATER, locales=list(DEMO_QUERIES),
            qualifications=["serp-satisfaction"],
        )  # fmt: skip
        raters.append(rater)
    project = project_services.project_create(
        owner=owner, name=JUDGED_PROJECT, guideline_version=version, locales=list(DEMO_QUERIES), overlap=3,
        cost_per_judgment=Decimal("0.40"),
    )  # fmt: skip
    job = project_services.pool_upload(
        project=project, file=ContentFile(demo_pool(serps=160, seed=11), name="judged-pool.jsonl"), created_by=owner
    )
    project_services.pool_import_run(job_id=job.pk)
    project_services.tasks_sample(
        project=project, created_by=owner, strategy="stratified", size=60, strata=["locale"], seed=2025
    )
    project = project_services.project_transition(project=project, action="activate")
    rng = random.Random(2025)
    # One transaction for the whole simulated week: a commit per judgment is slow on SQLite.
    with transaction.atomic():
        working = dict(enumerate(raters))
        while working:  # in turns, so every vendor rater gets a share of the work
            for number, rater in list(working.items()):
                assignment = engine.lease_next(rater=rater, project=project)
                if assignment is None:
                    del working[number]
                    continue
                rater_services.judgment_submit(
                    assignment=assignment, submission_id=uuid.UUID(int=rng.getrandbits(128)),
                    active_ms=max(3_000, int(rng.gauss(40_000, 12_000))),
                    **_simulated_answers(rng, assignment, skill=0.3 + number / 10),
                )  # fmt: skip
    report_services.report_request(project=project, created_by=owner)
    return project


def seed_demo(*, password: str) -> dict:
    with transaction.atomic():
        people = {spec["username"]: _ensure_person(spec, password) for spec in DEMO_PEOPLE}
        guidelines = [_ensure_guideline(spec, people["owner"]) for spec in DEMO_GUIDELINES]
        for spec in DEMO_PEOPLE:
            if spec["role"] in (Role.RATER, Role.REVIEWER):
                people[spec["username"]].rater_profile.qualifications.add(*guidelines)
    project = _ensure_project(people["owner"])
    judged = _ensure_judged_project(people["owner"], password)
    return {"people": DEMO_PEOPLE, "guidelines": guidelines, "project": project, "judged_project": judged}
