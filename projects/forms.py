from django import forms

from guidelines.selectors import published_versions
from projects.models import EvaluationProject
from projects.sampling import ALLOCATIONS, STRATEGIES


def _names(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, version):
        return f"{version.guideline.name} · v{version.number}"


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200)
    guideline_version = VersionChoice(queryset=published_versions().order_by("guideline__name", "-number"))
    kind = forms.ChoiceField(choices=EvaluationProject.Kind.choices, initial=EvaluationProject.Kind.GRADED)
    variants = forms.CharField(
        required=False,
        help_text="Side by side only: the two variant names, comma-separated (e.g. baseline, experiment).",
    )
    locales = forms.CharField(required=False, help_text="Comma-separated locale tags, e.g. it-IT, es-ES. Empty: any.")
    overlap = forms.IntegerField(initial=3, min_value=1, max_value=50, help_text="Judgments per task.")
    lease_minutes = forms.IntegerField(initial=10, min_value=1, max_value=240)
    gold_rate = forms.FloatField(initial=0.0, min_value=0, max_value=0.5, help_text="Share of gold tasks, 0 to 0.5.")
    cost_per_judgment = forms.DecimalField(initial=0, min_value=0, max_digits=10, decimal_places=4)
    deadline = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    priority = forms.IntegerField(initial=0, min_value=-100, max_value=100)

    def clean_variants(self):
        return _names(self.cleaned_data["variants"])

    def clean_locales(self):
        return _names(self.cleaned_data["locales"])

    @staticmethod
    def initial_for(project):
        return {
            "name": project.name, "guideline_version": project.guideline_version_id, "kind": project.kind,
            "variants": ", ".join(project.variants), "locales": ", ".join(project.locales), "overlap": project.overlap,
            "lease_minutes": project.lease_minutes, "gold_rate": project.gold_rate,
            "cost_per_judgment": project.cost_per_judgment, "deadline": project.deadline, "priority": project.priority,
        }  # fmt: skip


class PoolUploadForm(forms.Form):
    file = forms.FileField(label="Pool file (JSONL or CSV)")


class SampleForm(forms.Form):
    strategy = forms.ChoiceField(choices=[(s, s.replace("_", " ")) for s in STRATEGIES], initial="stratified")
    size = forms.IntegerField(min_value=1, max_value=1_000_000, label="Tasks to draw")
    strata = forms.MultipleChoiceField(
        required=False,
        choices=[("locale", "locale"), ("category", "category"), ("variant", "variant")],
        widget=forms.CheckboxSelectMultiple,
        label="Stratify by",
    )
    allocation = forms.ChoiceField(choices=[(a, a) for a in ALLOCATIONS], initial="proportional")
    seed = forms.IntegerField(
        required=False, min_value=0, help_text="Same seed, same pool: the same tasks. Empty: random."
    )
    mode = forms.ChoiceField(
        choices=[("replace", "replace every task (drafts)"), ("add", "add tasks from unsampled SERPs")],
        initial="replace",
    )
