"""Forms of the knowledge-base authoring pages: the editor, review settings, uploads."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.kb import manage_selectors, services
from helpline.kb.choices import ArticleType, Audience, Language
from helpline.kb.models import Article, KbCategory


class ArticleForm(forms.Form):
    """Title, type, audience, language, links, tags, text and why it changed."""

    title = forms.CharField(label=_("Title"), max_length=250)
    type = forms.ChoiceField(label=_("Type"), choices=ArticleType.choices)
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=Audience.choices,
        help_text=_("Public articles are shown to requesters once published."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Part of the article's URL; made from the title when left empty."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=KbCategory.objects.all(), required=False
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=600, required=False, help_text=_("Separated by commas.")
    )
    translation_of = forms.IntegerField(
        label=_("Translation of article number"),
        required=False,
        min_value=1,
        help_text=_("Links this article with the same article in the other language."),
    )
    guide = forms.ModelChoiceField(
        label=_("Chapter of user guide"),
        queryset=Article.objects.none(),
        required=False,
    )
    position = forms.IntegerField(
        label=_("Chapter number"), min_value=0, max_value=10_000, required=False
    )
    body_md = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "true"}),
        help_text=_("Markdown. Link another article with [[address]] or [[address|text]]."),
    )
    message = forms.CharField(
        label=_("What changed"),
        max_length=300,
        help_text=_("Saved with the version, e.g. 'Added the VPN step for Windows 11'."),
    )

    def __init__(self, *args, article: Article | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.article = article
        guides = manage_selectors.guides()
        if article is not None:
            guides = guides.exclude(pk=article.pk)
            # The address and language make the public URL: fixed once the article exists.
            for name in ("language", "slug"):
                self.fields[name].disabled = True
                self.fields[name].required = False
        self.fields["guide"].queryset = guides

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean_translation_of(self) -> Article | None:
        number = self.cleaned_data.get("translation_of")
        if not number:
            return None
        other = Article.objects.filter(pk=number).first()
        if other is None or (self.article is not None and other.pk == self.article.pk):
            raise forms.ValidationError(_("There is no other article with this number."))
        return other

    def clean(self) -> dict:
        data = super().clean()
        other = data.get("translation_of")
        language = self.article.language if self.article else data.get("language")
        if other is not None and other.language == language:
            self.add_error("translation_of", _("A translation must be in the other language."))
        return data

    def article_data(self) -> services.ArticleData:
        data = self.cleaned_data
        language = self.article.language if self.article else data["language"]
        slug = self.article.slug if self.article else data.get("slug", "")
        return services.ArticleData(
            title=data["title"],
            body_md=data["body_md"].replace("\r\n", "\n"),
            language=language,
            type=data["type"],
            audience=data["audience"],
            tags=data["tags"],
            category=data["category"],
            slug=slug,
            guide=data["guide"],
            position=data.get("position") or 0,
            translation_of=data.get("translation_of"),
        )

    @classmethod
    def initial_for(cls, article: Article) -> dict:
        others = article.__class__.objects.filter(translation_group=article.translation_group)
        other = others.exclude(pk=article.pk).values_list("pk", flat=True).first()
        return {
            "title": article.title,
            "type": article.type,
            "audience": article.audience,
            "language": article.language,
            "slug": article.slug,
            "category": article.category_id,
            "tags": ", ".join(article.tags),
            "translation_of": other,
            "guide": article.guide_id,
            "position": article.position,
            "body_md": article.body_md,
        }


class ReviewForm(forms.Form):
    """Who reviews, who owns, and when the article is next due for review."""

    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Reviewers, supervisors and administrators may publish."),
    )
    review_due = forms.DateField(
        label=_("Review due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        staff = manage_selectors.staff()
        self.fields["owner"].queryset = staff
        self.fields["reviewers"].queryset = staff

    def due_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("review_due")
        if day is None:
            return None
        return dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone())


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Image or file"))
