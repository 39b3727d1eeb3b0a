"""Differences between two guideline versions: the SOP text line by line, the schema by question.

Pure Python so the page and the API show the same thing.
"""

import difflib
import json

from guidelines.schema import SETTINGS


def diff_text(old: str, new: str) -> list[dict]:
    """Lines tagged `equal`, `delete` or `insert`, with their line numbers on each side."""
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    rows = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                {"op": "equal", "old": i + 1, "new": j + 1, "text": old_lines[i]}
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        rows += [{"op": "delete", "old": i + 1, "new": None, "text": old_lines[i]} for i in range(i1, i2)]
        rows += [{"op": "insert", "old": None, "new": j + 1, "text": new_lines[j]} for j in range(j1, j2)]
    return rows


def unified_text(old: str, new: str, *, old_name: str, new_name: str) -> str:
    lines = difflib.unified_diff(
        (old or "").splitlines(), (new or "").splitlines(), fromfile=old_name, tofile=new_name, lineterm=""
    )
    return "\n".join(lines)


def _by_key(schema: dict, section: str) -> dict[str, dict]:
    return {q["key"]: q for q in schema.get(section, []) if isinstance(q, dict) and "key" in q}


def _diff_options(old: list, new: list) -> list[dict]:
    """Options by value: added, removed, relabelled; and the order, if only that moved."""
    before = {json.dumps(o.get("value")): o for o in old if isinstance(o, dict)}
    after = {json.dumps(o.get("value")): o for o in new if isinstance(o, dict)}
    changes = []
    for value in after.keys() - before.keys():
        changes.append({"field": f"option {value}", "from": None, "to": after[value].get("label")})
    for value in before.keys() - after.keys():
        changes.append({"field": f"option {value}", "from": before[value].get("label"), "to": None})
    for value in before.keys() & after.keys():
        for name in ("label", "help"):
            if before[value].get(name) != after[value].get(name):
                suffix = "" if name == "label" else " help"
                changes.append(
                    {"field": f"option {value}{suffix}", "from": before[value].get(name), "to": after[value].get(name)}
                )
    changes.sort(key=lambda change: change["field"])
    old_order = [v for v in before if v in after]
    new_order = [v for v in after if v in before]
    if old_order != new_order:
        changes.append({"field": "option order", "from": [json.loads(v) for v in old_order],
                        "to": [json.loads(v) for v in new_order]})  # fmt: skip
    return changes


def diff_schema(old: dict, new: dict) -> dict:
    """Questions added, removed or changed (field by field), and changed top-level settings."""
    questions = []
    for section in ("result_questions", "page_questions"):
        before, after = _by_key(old, section), _by_key(new, section)
        for key in before.keys() - after.keys():
            questions.append({"section": section, "key": key, "change": "removed", "fields": []})
        for key in after.keys() - before.keys():
            questions.append({"section": section, "key": key, "change": "added", "fields": []})
        for key in before.keys() & after.keys():
            fields = []
            for name in sorted(before[key].keys() | after[key].keys()):
                old_value, new_value = before[key].get(name), after[key].get(name)
                if old_value == new_value:
                    continue
                if name == "options" and isinstance(old_value, list) and isinstance(new_value, list):
                    fields += _diff_options(old_value, new_value)
                else:
                    fields.append({"field": name, "from": old_value, "to": new_value})
            if fields:
                questions.append({"section": section, "key": key, "change": "changed", "fields": fields})
    questions.sort(key=lambda q: (q["section"] != "result_questions", q["key"]))
    settings = [
        {"setting": name, "from": old.get(name), "to": new.get(name)}
        for name in SETTINGS
        if name not in ("result_questions", "page_questions") and old.get(name) != new.get(name)
    ]
    return {"questions": questions, "settings": settings}
