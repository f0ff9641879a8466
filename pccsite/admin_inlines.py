"""Django's tabular inline, with every input named for screen readers.

A tabular inline shows its field labels only as column headings, so the inputs in its rows,
"Delete" included, have no label of their own (axe: "label", "select-name"; WCAG 4.1.2). Each
input here is named after its column.
"""

from django.contrib import admin
from django.utils.text import capfirst


class TabularInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for field in form.fields.values():
                    # A related-object wrapper renders the widget it wraps: name that one.
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", capfirst(str(field.label)))

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet
