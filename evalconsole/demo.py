"""Demo data for the embedded default: people of every role and published guidelines.

Idempotent: running it again resets the demo people's passwords and adds nothing twice.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from evalconsole.roles import Role, set_role
from guidelines import services as guideline_services
from guidelines.models import Guideline
from raters.models import RaterProfile
from raters.services import user_create

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


@transaction.atomic
def seed_demo(*, password: str) -> dict:
    people = {spec["username"]: _ensure_person(spec, password) for spec in DEMO_PEOPLE}
    guidelines = [_ensure_guideline(spec, people["owner"]) for spec in DEMO_GUIDELINES]
    return {"people": DEMO_PEOPLE, "guidelines": guidelines}
