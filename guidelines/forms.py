import json

from django import forms


class GuidelineForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.CharField(
        max_length=64, required=False, help_text="Used in URLs and the API. Left empty, it is made from the name."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class VersionForm(forms.Form):
    body_markdown = forms.CharField(
        label="SOP text (Markdown)", required=False, widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"})
    )
    schema = forms.CharField(
        label="Rating schema (JSON)", widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"})
    )
    changelog = forms.CharField(
        label="What changed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Raters read this when the version changes.",
    )

    def clean_schema(self):
        text = self.cleaned_data["schema"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"The schema is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from None

    @staticmethod
    def initial_for(version):
        return {
            "body_markdown": version.body_markdown,
            "schema": json.dumps(version.schema, indent=2, ensure_ascii=False),
            "changelog": version.changelog,
        }
