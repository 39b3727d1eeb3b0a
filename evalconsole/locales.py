"""Locale tags: the BCP 47 subset evalconsole uses (language, optional script, optional region).

Examples: `it-IT`, `pt-BR`, `zh-Hant-TW`, `es-419`, `en`. Case is checked, not folded, so the
same locale never appears under two spellings in reports.
"""

import re

LOCALE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")


def locale_problem(value) -> str | None:
    if not isinstance(value, str):
        return f"a locale must be text like it-IT, got {value!r}"
    if not LOCALE_PATTERN.fullmatch(value):
        return f'"{value[:40]}" is not a locale tag like it-IT, pt-BR or zh-Hant-TW'
    return None
