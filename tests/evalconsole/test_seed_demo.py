import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from guidelines.models import Guideline, GuidelineVersion


def test_seed_demo_creates_every_role_and_published_guidelines_and_can_run_again(db, capsys):
    call_command("seed_demo", force=True, password="demo-pass-123")
    call_command("seed_demo", force=True, password="demo-pass-123")
    out = capsys.readouterr().out
    assert "owner      role owner     password demo-pass-123" in out
    for username, home in [("admin", "/admin/"), ("owner", "/projects/"), ("pm", "/dashboards/"),
                           ("reviewer", "/review/"), ("rater", "/console/")]:  # fmt: skip
        client = Client()
        assert client.login(username=username, password="demo-pass-123"), username
        assert client.get("/")["Location"] == home
    assert Guideline.objects.count() == 2
    assert GuidelineVersion.objects.filter(status="published").count() == 2


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=true"):
        call_command("seed_demo")
    assert Guideline.objects.count() == 0
