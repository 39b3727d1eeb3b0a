"""The rating schema: validation with messages a guideline author can act on.

Pure Python, no Django: the schema is plain JSON (see DESIGN.md, "Rating schema"). Every
problem names where it is (`page_questions[1].options[0].value`) and what is wrong.
"""

import json
import math
import re
from dataclasses import dataclass

QUESTION_TYPES = ("ordinal", "categorical", "multi", "boolean", "text")
CHOICE_TYPES = ("ordinal", "categorical", "multi")
SETTINGS = ("result_questions", "page_questions", "cannot_judge_reasons", "satisfied_threshold", "relevant_threshold")
QUESTION_FIELDS = ("key", "label", "type", "required", "help", "options", "max_length")
OPTION_FIELDS = ("value", "label", "help")
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_QUESTIONS = 30
MAX_OPTIONS = 50
MAX_LABEL = 200
MAX_HELP = 2000
MAX_TEXT_LENGTH = 10_000
# Side-by-side preference: -3 (left much better) .. +3 (right much better).
PREFERENCE_KEY = "preference"
PREFERENCE_VALUES = tuple(range(-3, 4))
# Thresholds apply to these conventional questions.
THRESHOLD_QUESTIONS = {
    "satisfied_threshold": ("page_questions", "satisfaction", "page question"),
    "relevant_threshold": ("result_questions", "relevance", "result question"),
}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self):
        return f"{self.field}: {self.message}" if self.field else self.message


def describe(value) -> str:
    """A short, JSON-flavoured rendering of a value for an error message."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _key_problem(value) -> str | None:
    if not isinstance(value, str):
        return f"must be text, got {describe(value)}"
    if not KEY_PATTERN.fullmatch(value):
        return (
            f"{describe(value)} is not a valid key; use lower-case letters, digits and underscores, "
            "starting with a letter, at most 40 characters"
        )
    return None


def _text_problem(value, *, limit: int, required: bool) -> str | None:
    if value is None:
        return "is required" if required else None
    if not isinstance(value, str):
        return f"must be text, got {describe(value)}"
    if required and not value.strip():
        return "must not be empty"
    if len(value) > limit:
        return f"is longer than {limit} characters"
    return None


class _Validator:
    def __init__(self):
        self.problems: list[Problem] = []
        self.key_owner: dict[str, str] = {}

    def add(self, field: str, message: str):
        self.problems.append(Problem(field, message))

    def run(self, schema) -> list[Problem]:
        if not isinstance(schema, dict):
            self.add("", f"the schema must be a JSON object, got {describe(schema)}")
            return self.problems
        for name in schema:
            if name not in SETTINGS:
                self.add(name, f"unknown setting; expected one of {', '.join(sorted(SETTINGS))}")
        questions = {}
        for section in ("result_questions", "page_questions"):
            questions[section] = self.questions(section, schema.get(section, []))
        if schema.get("result_questions", []) == [] and schema.get("page_questions", []) == []:
            self.add("", "the schema has no questions; add at least one result or page question")
        self.reasons(schema.get("cannot_judge_reasons", []))
        for name in THRESHOLD_QUESTIONS:
            if name in schema:
                self.threshold(name, schema[name], questions)
        return self.problems

    def questions(self, section: str, value) -> list[dict]:
        if not isinstance(value, list):
            self.add(section, f"must be a list of questions, got {describe(value)}")
            return []
        if len(value) > MAX_QUESTIONS:
            self.add(section, f"has {len(value)} questions; at most {MAX_QUESTIONS} are allowed")
        valid = []
        for index, question in enumerate(value):
            where = f"{section}[{index}]"
            if not isinstance(question, dict):
                self.add(where, f"each question must be an object, got {describe(question)}")
                continue
            if self.question(where, section, question):
                valid.append(question)
        return valid

    def question(self, where: str, section: str, question: dict) -> bool:
        before = len(self.problems)
        for name in question:
            if name not in QUESTION_FIELDS:
                self.add(f"{where}.{name}", f"unknown field; a question has {', '.join(QUESTION_FIELDS)}")
        key = question.get("key")
        if key is None:
            self.add(f"{where}.key", "is required")
        elif problem := _key_problem(key):
            self.add(f"{where}.key", problem)
        elif key in self.key_owner:
            self.add(f"{where}.key", f"{describe(key)} is already used by {self.key_owner[key]}")
        else:
            self.key_owner[key] = where
        if problem := _text_problem(question.get("label"), limit=MAX_LABEL, required=True):
            self.add(f"{where}.label", problem)
        if problem := _text_problem(question.get("help"), limit=MAX_HELP, required=False):
            self.add(f"{where}.help", problem)
        if "required" in question and not isinstance(question["required"], bool):
            self.add(f"{where}.required", f"must be true or false, got {describe(question['required'])}")
        kind = question.get("type")
        if kind is None:
            self.add(f"{where}.type", "is required")
            return False
        if kind not in QUESTION_TYPES:
            self.add(
                f"{where}.type", f"{describe(kind)} is not a question type; use one of {', '.join(QUESTION_TYPES)}"
            )
            return False
        if kind in CHOICE_TYPES:
            self.options(where, kind, question.get("options"))
        elif "options" in question:
            self.add(f"{where}.options", f"{kind} questions take no options")
        if "max_length" in question:
            limit = question["max_length"]
            if kind != "text":
                self.add(f"{where}.max_length", "only text questions take max_length")
            elif not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_TEXT_LENGTH:
                self.add(
                    f"{where}.max_length", f"must be a whole number from 1 to {MAX_TEXT_LENGTH}, got {describe(limit)}"
                )
        if key == PREFERENCE_KEY:
            self.preference(where, section, question)
        return len(self.problems) == before

    def options(self, where: str, kind: str, options) -> None:
        field = f"{where}.options"
        if options is None:
            self.add(field, f"is required for {kind} questions")
            return
        if not isinstance(options, list):
            self.add(field, f"must be a list of options, got {describe(options)}")
            return
        if not options:
            self.add(field, "must not be empty")
            return
        if len(options) > MAX_OPTIONS:
            self.add(field, f"has {len(options)} options; at most {MAX_OPTIONS} are allowed")
        if kind == "ordinal" and len(options) < 2:
            self.add(field, "an ordinal scale needs at least 2 options")
        seen: dict[object, int] = {}
        numbers = []
        for index, option in enumerate(options):
            here = f"{field}[{index}]"
            if not isinstance(option, dict):
                self.add(here, f"each option must be an object with value and label, got {describe(option)}")
                continue
            for name in option:
                if name not in OPTION_FIELDS:
                    self.add(f"{here}.{name}", f"unknown field; an option has {', '.join(OPTION_FIELDS)}")
            if problem := _text_problem(option.get("label"), limit=MAX_LABEL, required=True):
                self.add(f"{here}.label", problem)
            if "value" not in option:
                self.add(f"{here}.value", "is required")
                continue
            value = option["value"]
            if kind == "ordinal":
                if not _is_number(value):
                    self.add(f"{here}.value", f"ordinal values must be numbers, got {describe(value)}")
                    continue
                if not math.isfinite(value):
                    self.add(f"{here}.value", "must be a finite number")
                    continue
                numbers.append(value)
            elif problem := _key_problem(value):
                self.add(f"{here}.value", f"{kind} values must be keys: {problem}")
                continue
            if value in seen:
                self.add(f"{here}.value", f"{describe(value)} is already the value of options[{seen[value]}]")
            else:
                seen[value] = index
        if kind == "ordinal" and len(numbers) == len(options) and numbers != sorted(numbers):
            self.add(field, "ordinal options must be listed from the lowest value to the highest")

    def preference(self, where: str, section: str, question: dict) -> None:
        if section != "page_questions":
            self.add(f"{where}.key", "the side-by-side preference is a page question; move it to page_questions")
        elif question.get("type") != "ordinal":
            self.add(f"{where}.type", "the side-by-side preference must be an ordinal question")
        else:
            values = [o.get("value") for o in question.get("options") or [] if isinstance(o, dict)]
            if values != list(PREFERENCE_VALUES):
                self.add(
                    f"{where}.options",
                    "the side-by-side preference scale must be the whole numbers -3 (left much better) "
                    "to 3 (right much better), in order",
                )

    def reasons(self, reasons) -> None:
        field = "cannot_judge_reasons"
        if not isinstance(reasons, list):
            self.add(field, f"must be a list of reason keys, got {describe(reasons)}")
            return
        seen = set()
        for index, reason in enumerate(reasons):
            if problem := _key_problem(reason):
                self.add(f"{field}[{index}]", problem)
            elif reason in seen:
                self.add(f"{field}[{index}]", f"{describe(reason)} is listed twice")
            seen.add(reason)

    def threshold(self, name: str, value, questions: dict[str, list[dict]]) -> None:
        section, key, noun = THRESHOLD_QUESTIONS[name]
        if not _is_number(value):
            self.add(name, f"must be a number, got {describe(value)}")
            return
        target = next((q for q in questions[section] if q.get("key") == key), None)
        if target is None or target.get("type") != "ordinal":
            self.add(name, f'needs an ordinal {noun} with key "{key}" to apply to')
            return
        values = [o["value"] for o in target["options"]]
        low, high = min(values), max(values)
        if not low <= value <= high:
            self.add(
                name, f'{describe(value)} is off the scale of {noun} "{key}" ({describe(low)} to {describe(high)})'
            )


def validate_schema(schema) -> list[Problem]:
    """Every problem in `schema`, in document order; an empty list means it is valid."""
    return _Validator().run(schema)


def is_side_by_side(schema: dict) -> bool:
    return any(q.get("key") == PREFERENCE_KEY for q in schema.get("page_questions", []))


def questions(schema: dict, section: str) -> list[dict]:
    return list(schema.get(section, []))


STARTER_SCHEMA = {
    "result_questions": [
        {
            "key": "relevance",
            "label": "Needs met",
            "type": "ordinal",
            "required": True,
            "options": [
                {"value": 0, "label": "Fails to meet"},
                {"value": 1, "label": "Slightly meets"},
                {"value": 2, "label": "Moderately meets"},
                {"value": 3, "label": "Highly meets"},
                {"value": 4, "label": "Fully meets"},
            ],
        }
    ],
    "page_questions": [
        {
            "key": "satisfaction",
            "label": "Overall satisfaction",
            "type": "ordinal",
            "required": True,
            "options": [
                {"value": 1, "label": "Very dissatisfied"},
                {"value": 2, "label": "Dissatisfied"},
                {"value": 3, "label": "Neutral"},
                {"value": 4, "label": "Satisfied"},
                {"value": 5, "label": "Very satisfied"},
            ],
        },
        {
            "key": "pain_points",
            "label": "Pain points",
            "type": "multi",
            "options": [
                {"value": "irrelevant_top", "label": "Irrelevant top results"},
                {"value": "outdated", "label": "Outdated content"},
                {"value": "duplicates", "label": "Duplicate results"},
                {"value": "low_quality", "label": "Low-quality media"},
            ],
        },
        {"key": "comment", "label": "Comment", "type": "text", "max_length": 2000},
    ],
    "cannot_judge_reasons": ["did_not_load", "foreign_language", "needs_expertise", "sensitive_opt_out"],
    "satisfied_threshold": 4,
    "relevant_threshold": 2,
}
