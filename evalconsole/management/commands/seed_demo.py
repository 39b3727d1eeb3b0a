from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evalconsole.demo import seed_demo

DEFAULT_PASSWORD = "evalconsole-demo"


class Command(BaseCommand):
    help = "Create demo people of every role, published guidelines and an active project (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password for every demo person")
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (demo accounts share a known password)"
        )

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a shared, printed password; it runs only with DEBUG=true "
                "unless you pass --force."
            )
        seeded = seed_demo(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in at /login/ as:"))
        for person in seeded["people"]:
            self.stdout.write(f"  {person['username']:<10} role {person['role']:<9} password {password}")
        for guideline in seeded["guidelines"]:
            self.stdout.write(f"  guideline {guideline.slug} (published)")
        project = seeded["project"]
        self.stdout.write(f"  project {project.name!r}: {project.serps.count()} SERPs, {project.tasks.count()} tasks")
