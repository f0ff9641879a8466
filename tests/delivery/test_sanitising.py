"""No markup of a partner's or reviewer's reaches a reader: it renders as text, everywhere."""

import json

import pytest
from django.template.loader import render_to_string

from delivery import services
from delivery.markdown import render_markdown, sanitise_html
from delivery.report_blocks import render_delivery_block
from delivery.services import KpiData, QuotationData, UpdateContent

SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
HOSTILE = f"{SCRIPT}{IMAGE}"


# The Markdown subset ------------------------------------------------------------------------------


def test_the_subset_renders_paragraphs_lists_bold_italics_and_links():
    html = render_markdown("**Bold** and *italic*.\n\n- one\n- two\n\n1. first\n\n[PCC](https://example.org)")
    assert '<strong>Bold</strong> and <em>italic</em>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html and "<li>one</li>" in html
    assert '<a href="https://example.org" class="govuk-link" rel="noopener noreferrer">PCC</a>' in html


def test_an_autolink_as_the_seed_writes_it_is_a_link():
    html = render_markdown("on the PCC's website <https://www.westyorkshire-pcc.gov.uk/a.aspx>")
    assert 'href="https://www.westyorkshire-pcc.gov.uk/a.aspx"' in html


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        (SCRIPT, "<script"),
        (IMAGE, "<img"),
        ("![x](https://example.org/i.png)", "<img"),
        ("[x](javascript:alert(1))", "javascript:"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ("<a href='https://evil.example' onclick='x()'>x</a>", "<a href"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ("# Heading", "<h1"),
        ("> quote", "<blockquote"),
        ("`code`", "<code"),
        ('<p style="color:red">x</p>', "<p style"),
    ],
)
def test_no_raw_html_images_scripts_or_unsafe_links_survive(text, forbidden):
    assert forbidden not in render_markdown(text)


def test_raw_html_shows_as_the_text_typed():
    assert render_markdown(SCRIPT) == '<p class="govuk-body">&lt;script&gt;alert(\'x\')&lt;/script&gt;</p>'


def test_the_second_wall_strips_markup_that_got_into_stored_html():
    html = sanitise_html(f'<p onclick="x">ok</p>{SCRIPT}<img src=x><a href="javascript:x">j</a>')
    assert "onclick" not in html and "<script" not in html and "alert" not in html
    assert "<img" not in html and "javascript" not in html


# Everywhere a reader sees it ------------------------------------------------------------------


@pytest.fixture
def hostile(obligations, organisation, priority, open_round, partner_user, staff_user):
    update = services.update_create(
        organisation=organisation, period=open_round.period, priority=priority, author=partner_user,
        content=UpdateContent(
            title=f"Title {HOSTILE}",
            body=f"Body {HOSTILE}",
            key_facts=f"Fact {HOSTILE}",
            kpis=(KpiData(label=f"Label {HOSTILE}", q1="4"),),
            quotations=(QuotationData(text=f"Quote {HOSTILE}", attribution=f"By {HOSTILE}"),),
        ),
    )
    services.update_submit(update=update, user=partner_user, expected_version=update.version)
    services.update_return(update=update, reviewer=staff_user, comment=f"Comment {HOSTILE}")
    update.refresh_from_db()
    services.update_submit(update=update, user=partner_user, expected_version=update.version)
    return update


def assert_shown_as_text(html: str, *, expected_mentions: int):
    assert "<script" not in html
    assert "<img" not in html
    assert html.count("&lt;script&gt;") >= expected_mentions


def test_hostile_text_renders_as_text_in_the_portal(partner_client, hostile):
    for path in [f"/partners/updates/{hostile.pk}/", "/partners/"]:
        html = partner_client.get(path).content.decode()
        assert "<script" not in html.replace('<script type="module"', "")
        assert "<img" not in html
        assert "&lt;script&gt;" in html


def test_hostile_text_renders_as_text_on_the_edit_form_and_preview(partner_client, hostile, staff_user):
    services.update_return(update=hostile, reviewer=staff_user, comment=f"Again {HOSTILE}")
    for path in [f"/partners/updates/{hostile.pk}/edit/", f"/partners/updates/{hostile.pk}/preview/"]:
        html = partner_client.get(path).content.decode().replace('<script type="module"', "")
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_hostile_text_renders_as_text_in_the_review(staff_client, hostile):
    for path in [f"/review/updates/{hostile.pk}/", "/review/"]:
        html = staff_client.get(path).content.decode().replace('<script type="module"', "")
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;" in html
    # Title, body, key fact, KPI label, quotation, attribution and the comment: each as text.
    review = staff_client.get(f"/review/updates/{hostile.pk}/").content.decode()
    for word in ["Title", "Body", "Fact", "Label", "Quote", "By", "Comment"]:
        assert f"{word} &lt;script&gt;" in review, word


def test_hostile_text_renders_as_text_in_the_report_block(hostile, staff_user):
    services.update_approve(update=hostile, reviewer=staff_user)
    block = render_delivery_block(period=hostile.period, priority=hostile.priority)
    block = json.loads(json.dumps(block))  # as the report stores it
    html = render_to_string("delivery/report_block.html", {"block": block})
    assert "<script" not in html and "<img" not in html
    for word in ["Title", "Body", "Fact", "Label", "Quote", "By"]:
        assert f"{word} &lt;script&gt;" in html, word


def test_markup_smuggled_into_a_stored_block_is_stripped_by_the_template(hostile, staff_user):
    services.update_approve(update=hostile, reviewer=staff_user)
    block = render_delivery_block(period=hostile.period, priority=hostile.priority)
    block["groups"][0]["sections"][0]["updates"][0]["body_html"] = f"<p>ok</p>{SCRIPT}{IMAGE}"
    html = render_to_string("delivery/report_block.html", {"block": block})
    assert '<p class="govuk-body">ok</p>' in html
    assert "<script" not in html and "<img" not in html


def test_hostile_text_is_text_in_a_published_report_version(hostile, staff_user):
    reports = pytest.importorskip("reports.services")
    from reports.models import Block, Report, Section

    services.update_approve(update=hostile, reviewer=staff_user)
    report = Report.objects.create(period=hostile.period, slug="2020-21-q4")
    section = Section.objects.create(report=report, number="2", title="Crime", priority=hostile.priority)
    Block.objects.create(section=section, kind=Block.Kind.DELIVERY_UPDATES, number="2.7", heading="Update")
    version = reports.report_publish(report=report, user=staff_user)
    # The PDF is rendered from this same HTML.
    assert "<script" not in version.body_html and "<img" not in version.body_html
    assert "Body &lt;script&gt;" in version.body_html
