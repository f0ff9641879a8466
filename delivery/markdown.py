"""Partners' text: a small Markdown subset, rendered and sanitised, so no markup of theirs runs.

Two walls, so that one mistake is not enough:

1. Python-Markdown is stripped down to the subset partners are told about (paragraphs, bullet and
   numbered lists, bold, italics, links and line breaks). Its raw-HTML, image, heading, code,
   quote and rule processors are removed, so ``<script>`` typed in a body is kept as text and
   escaped on output, exactly as typed; ``# Heading`` stays a paragraph.
2. nh3 (the Rust ammonia sanitiser) then keeps only the tags and attributes of that subset, links
   only to http, https and mailto, and adds ``rel="noopener noreferrer"``.

:func:`sanitise_html` is the second wall on its own: the report block template runs it again over
HTML it receives in a stored snapshot, so a tampered snapshot cannot smuggle markup in either.
"""

from __future__ import annotations

import markdown as _markdown
import nh3

ALLOWED_TAGS = frozenset({"p", "ul", "ol", "li", "strong", "em", "a", "br"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

# What each removed processor would have produced; all of it is outside the subset.
_REMOVED_PREPROCESSORS = ("html_block",)
_REMOVED_BLOCK_PROCESSORS = ("code", "hashheader", "setextheader", "hr", "quote")
_REMOVED_INLINE_PATTERNS = (
    "backtick", "html", "image_link", "image_reference", "short_image_ref",
)

HELP_TEXT = (
    "You can use a blank line between paragraphs, lines starting with “- ” for bullets or "
    "“1. ” for numbered lists, **bold**, *italics* and links written as [words](https://…) "
    "or <https://…>. Other formatting and HTML show as typed."
)


def _subset_markdown() -> _markdown.Markdown:
    md = _markdown.Markdown(output_format="html")
    for name in _REMOVED_PREPROCESSORS:
        md.preprocessors.deregister(name)
    for name in _REMOVED_BLOCK_PROCESSORS:
        md.parser.blockprocessors.deregister(name)
    for name in _REMOVED_INLINE_PATTERNS:
        md.inlinePatterns.deregister(name)
    return md


# GOV.UK classes are set by the sanitiser, not typed by partners: any class they write is dropped.
GOVUK_CLASSES = {
    "p": {"class": "govuk-body"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
}

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
    set_tag_attribute_values=GOVUK_CLASSES,
)


def sanitise_html(html: str) -> str:
    """Keep only the subset's tags; drop everything else (script and style with their content)."""
    return _CLEANER.clean(html)


def render_markdown(text: str) -> str:
    """The partner's Markdown as safe HTML. A fresh parser per call: Markdown keeps state."""
    if not text or not text.strip():
        return ""
    return sanitise_html(_subset_markdown().convert(text))
