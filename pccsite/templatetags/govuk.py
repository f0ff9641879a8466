"""Template tags that wrap GOV.UK Frontend pieces once, so pages never paste component HTML."""

from django import forms, template
from django.utils.html import format_html

register = template.Library()

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
}


def _widget_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return ""  # the field template gives checkboxes their own class
    for widget_type, css_class in _WIDGET_CLASSES.items():
        if isinstance(widget, widget_type):
            return css_class
    return "govuk-input"


@register.filter
def field_kind(bound_field) -> str:
    """How the field template lays a field out: checkbox, choices (radios/checkboxes) or input."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.simple_tag
def govuk_widget(bound_field, extra_class: str = ""):
    """Render a field's widget with the GOV.UK class, error state and aria-describedby."""
    widget = bound_field.field.widget
    css_class = _widget_class(widget)
    classes = [css_class] if css_class else []
    if bound_field.errors and css_class:
        classes.append(f"{css_class}--error")
    if extra_class:
        classes.append(extra_class)
    existing = widget.attrs.get("class")
    if existing:
        classes.append(existing)
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}-error")
    attrs = {"class": " ".join(classes)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)


@register.inclusion_tag("components/tag.html")
def status_tag(label: str, colour: str = ""):
    return {"label": label, "colour": colour}


@register.simple_tag
def visually_hidden(text: str):
    return format_html('<span class="govuk-visually-hidden">{}</span>', text)
