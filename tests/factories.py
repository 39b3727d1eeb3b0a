import copy

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from guidelines.models import Guideline, GuidelineVersion
from guidelines.schema import STARTER_SCHEMA
from raters.models import RaterProfile

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if not create or not extracted:
            return
        if extracted == "admin":
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        else:
            user.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def locales(user, create, extracted, **kwargs):
        if create:
            RaterProfile.objects.create(user=user, locales=list(extracted or []))


class GuidelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guideline

    slug = factory.Sequence(lambda n: f"guideline-{n}")
    name = factory.Sequence(lambda n: f"Guideline {n}")
    owner = factory.SubFactory(UserFactory, role="owner")


class VersionFactory(factory.django.DjangoModelFactory):
    """A version written straight to the table, as tests need states the services forbid."""

    class Meta:
        model = GuidelineVersion

    guideline = factory.SubFactory(GuidelineFactory)
    number = factory.Sequence(lambda n: n + 1)
    body_markdown = "# Rate the page\n\nJudge every result."
    schema = factory.LazyFunction(lambda: copy.deepcopy(STARTER_SCHEMA))
    changelog = "First version."
    created_by = factory.SelfAttribute("guideline.owner")

    class Params:
        published = factory.Trait(
            status=GuidelineVersion.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )
