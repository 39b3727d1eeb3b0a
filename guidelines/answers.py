"""Answers checked against a rating schema: a rater's submission, or a gold item's expected answers.

Pure Python, no Django. Every problem names its place (`page.satisfaction`,
`results["v-123"].relevance`) and what is wrong, in words a rater or script author can act on.
"""

from guidelines.schema import Problem, describe

DEFAULT_TEXT_LIMIT = 2000


def _by_key(questions) -> dict[str, dict]:
    return {question["key"]: question for question in questions}


def _answer_problem(question: dict, value) -> str | None:
    kind = question["type"]
    allowed = [option["value"] for option in question.get("options", [])]
    if kind in ("ordinal", "categorical"):
        if isinstance(value, bool) or value not in allowed:
            shown = ", ".join(describe(v) for v in allowed)
            return f"{describe(value)} is not one of {shown}"
    elif kind == "multi":
        if not isinstance(value, list):
            return f"must be a list of choices, got {describe(value)}"
        for item in value:
            if item not in allowed:
                return f"{describe(item)} is not one of {', '.join(describe(v) for v in allowed)}"
        if len(set(value)) != len(value):
            return "a choice is listed twice"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return f"must be true or false, got {describe(value)}"
    elif kind == "text":
        limit = question.get("max_length", DEFAULT_TEXT_LIMIT)
        if not isinstance(value, str):
            return f"must be text, got {describe(value)}"
        if len(value) > limit:
            return f"is {len(value)} characters long; at most {limit} are allowed"
    return None


def _section(questions: dict[str, dict], answers, where: str, *, complete: bool) -> list[Problem]:
    if not isinstance(answers, dict):
        return [Problem(where, f"must be an object of answers by question key, got {describe(answers)}")]
    problems = []
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            problems.append(
                Problem(f"{where}.{key}", f"is not a question here; the questions are {', '.join(questions)}")
            )
        elif value is not None and (problem := _answer_problem(question, value)):
            problems.append(Problem(f"{where}.{key}", problem))
    if complete:
        for key, question in questions.items():
            if question.get("required") and answers.get(key) in (None, "", []):
                problems.append(Problem(f"{where}.{key}", "is required"))
    return problems


def validate_answers(
    schema: dict, *, page, results, doc_ids, cannot_judge: str | None = None, complete: bool = True
) -> list[Problem]:
    """Every problem with `page` and per-document `results` answers.

    `complete`: required questions must be answered (a submission); gold answers may be
    partial. A "cannot judge" reason replaces the answers, so nothing is then required.
    """
    problems = []
    if cannot_judge is not None:
        reasons = schema.get("cannot_judge_reasons", [])
        if cannot_judge not in reasons:
            problems.append(Problem("cannot_judge", f"{describe(cannot_judge)} is not one of {', '.join(reasons)}"))
        complete = False
    problems += _section(_by_key(schema.get("page_questions", [])), page, "page", complete=complete)
    if not isinstance(results, dict):
        return [*problems, Problem("results", f"must be an object of answers by doc_id, got {describe(results)}")]
    result_questions = _by_key(schema.get("result_questions", []))
    known = set(doc_ids)
    for doc_id, answers in results.items():
        if doc_id not in known:
            problems.append(Problem(f"results[{describe(doc_id)}]", "is not a result on this page"))
            continue
        problems += _section(result_questions, answers, f"results[{describe(doc_id)}]", complete=complete)
    if complete and result_questions and any(q.get("required") for q in result_questions.values()):
        for doc_id in doc_ids:
            if doc_id not in results:
                problems.append(Problem(f"results[{describe(doc_id)}]", "is not rated"))
    return problems
