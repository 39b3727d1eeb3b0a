import pytest
from django.core.exceptions import ImproperlyConfigured

from evalconsole.env import env_bool, env_int, env_list, env_rate, env_str, env_url

BAD_VALUES = [
    (env_bool, {}, "maybe", "FLAG must be one of true/false/1/0/yes/no/on/off, got 'maybe'."),
    (env_int, {}, "ten", "FLAG must be a whole number, got 'ten'."),
    (env_int, {"minimum": 1}, "0", "FLAG must be at least 1, got 0."),
    (
        env_url,
        {"schemes": {"postgres"}},
        "mysql://db/x",
        "FLAG must be a URL with scheme postgres; got scheme 'mysql'.",
    ),
    *(
        (
            env_rate,
            {},
            raw,
            f"FLAG must be a number of requests per second, minute, hour or day (e.g. 5/minute) or off, got {raw!r}.",
        )
        for raw in ("5", "5/week", "0/minute", "five/minute", "5 / minute")
    ),
]


@pytest.mark.parametrize(("reader", "options", "raw", "message"), BAD_VALUES)
def test_a_bad_value_names_the_variable_and_what_was_wrong(monkeypatch, reader, options, raw, message):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured) as error:
        reader("FLAG", **options)
    assert str(error.value) == message


@pytest.mark.parametrize("reader", [env_str, env_bool, env_int, env_list])
def test_a_required_variable_that_is_unset_is_refused(monkeypatch, reader):
    monkeypatch.delenv("FLAG", raising=False)
    with pytest.raises(ImproperlyConfigured, match="^FLAG must be set.$"):
        reader("FLAG")


@pytest.mark.parametrize(
    ("reader", "raw", "expected"),
    [
        (env_bool, "YES", True),
        (env_bool, "off", False),
        (env_int, " 42 ", 42),
        (env_list, "a.example, b.example,,", ["a.example", "b.example"]),
        (env_str, "value", "value"),
        (env_rate, "5/minute", "5/minute"),
        (env_rate, "100/Hour", "100/hour"),
        (env_rate, "OFF", None),
    ],
)
def test_good_values_are_read_with_their_type(monkeypatch, reader, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert reader("FLAG") == expected


def test_an_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("FLAG", "  ")
    assert env_bool("FLAG", default=True) is True
