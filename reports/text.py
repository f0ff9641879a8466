"""Commentary text: Markdown in, sanitised GOV.UK-styled HTML out.

Staff write the commissioner's commentary in Markdown. Whatever they paste, only a small set of
tags survives nh3 (no scripts, no styles, no attributes but a link's href), and the GOV.UK classes
are added afterwards to the tags nh3 has already normalised.
"""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}

_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<a ": '<a class="govuk-link" ',
    "<blockquote>": '<blockquote class="govuk-inset-text">',
}


def render_markdown(text: str) -> SafeString:
    if not text.strip():
        return mark_safe("")
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    for plain, styled in _CLASSES.items():
        clean = clean.replace(plain, styled)
    return mark_safe(clean)  # nh3 removed everything but the allowed tags and attributes
