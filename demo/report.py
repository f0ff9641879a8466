"""The seed quarter's report (West Yorkshire, October to December 2020), as report structure.

Runs last in the demo: it needs the measures framework and its computed results, and shows the
delivery updates and survey results the other demo loaders put in. It builds the report's
sections and blocks as data (the seed's numbered commentary from 2020-21-Q3/commentary.csv, its
comments from comments.csv, its glossary from glossary.csv, and every table of the seed as a block
over the measures), then publishes version 1 through the same service staff use. The charts the
seed lost are drawn from the figures that exist.

Idempotent: once version 1 is published, a second run changes nothing (staff may have edited the
draft since; their edits go into version 2 through the admin).
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from measures.models import Measure, Period, Priority
from reports.models import Block, GlossaryTerm, MeasureComment, Report, Section
from reports.services import report_publish

DEMO_DIR = Path(__file__).resolve().parent
QUARTER = "2020-21-Q3"
SLUG = "2020-21-q3"
WY = "west-yorkshire"
DISTRICTS = ["bradford", "calderdale", "kirklees", "leeds", "wakefield"]
ALL_AREAS = [WY, *DISTRICTS]


def _areas(codes=ALL_AREAS, **extra) -> list[dict]:
    return [{"area": code, **extra} for code in codes]


# Tables, charts and blocks, each placed after a numbered paragraph of the seed -----------------

SECTIONS = [
    # order, number, title, priority slug
    (1, "1", "Current measures", None),
    (2, "2", "Tackling crime and anti-social behaviour", "tackle-crime-and-anti-social-behaviour"),
    (3, "3", "Safeguarding vulnerable people", "safeguard-vulnerable-people"),
    (4, "4", "Criminal justice", "work-to-improve-criminal-justice"),
    (5, "5", "Supporting victims and witnesses", "support-victims-and-witnesses"),
    (6, "", "Glossary", None),
]


def table(caption: str, **config) -> tuple[str, dict]:
    return Block.Kind.MEASURE_TABLE, {"caption": caption, **config}


def chart(title: str, **config) -> tuple[str, dict]:
    return Block.Kind.CHART, {"title": title, **config}


def survey(**config) -> tuple[str, dict]:
    return Block.Kind.SURVEY, {"until": "2020-12", **config}


AFTER = {
    "2.1.1": [
        chart(
            "Total recorded crime in West Yorkshire, 12 months to December", chart="bar",
            defaults={"measure": "total-recorded-crime", "area": WY},
            rows=[{"label": "Total recorded crime"}],
            columns=[{"period": "12M-2019-12"}, {"period": "12M-2020-12"}],
        ),
    ],
    "2.1.2": [
        table(
            "Recorded crime: change on the previous 12 months, by district (as published)",
            layout="grid", row_heading="Recorded crime",
            rows=[
                {"measure": "recorded-crime-change-pct", "period": "12M-2019-12",
                 "label": "12 months to Dec 2019: change (%)"},
                {"measure": "recorded-crime-change-pct", "period": "12M-2020-12",
                 "label": "12 months to Dec 2020: change (%)"},
                {"measure": "recorded-crime-change-volume", "period": "12M-2020-12",
                 "label": "Volume change, Jan – Dec 2020"},
            ],
            columns=_areas(),
        ),
        chart(
            "Change in recorded crime on the previous 12 months, by district", chart="bar",
            defaults={"measure": "recorded-crime-change-pct"},
            rows=[{"period": "12M-2019-12", "label": "12 months to Dec 2019"},
                  {"period": "12M-2020-12", "label": "12 months to Dec 2020"}],
            columns=_areas(),
        ),
    ],
    "2.2.2": [
        chart(
            "Anti-social behaviour incidents in West Yorkshire, 12 months to December", chart="bar",
            defaults={"measure": "asb-incidents", "area": WY},
            rows=[{"label": "ASB incidents"}],
            columns=[{"period": "12M-2019-12"}, {"period": "12M-2020-12"}],
        ),
    ],
    "2.3.1": [
        chart(
            "Reoffending rates of the two managed IOM cohorts", chart="bar",
            defaults={"measure": "iom-reoffending-rate", "area": WY},
            rows=[{"period": "12M-2019-12", "label": "12 months to Dec 2019"},
                  {"period": "12M-2020-12", "label": "12 months to Dec 2020"}],
            columns=[{"breakdown": "cohort-1"}, {"breakdown": "cohort-2"}],
        ),
    ],
    "2.4.1": [
        chart(
            "Proportion of police officers in operational roles", chart="bar",
            defaults={"measure": "officers-operational-roles", "area": WY},
            rows=[{"label": "Officers in operational roles"}],
            columns=[{"period": "2019-12-31"}, {"period": "2020-12-31"}],
        ),
    ],
    "2.4.3": [
        table(
            "Ethnic minority police officers (full-time equivalent) by role and district, January 2021",
            layout="grid", row_heading="Role",
            defaults={"measure": "bame-officers-fte-by-role", "period": "2021-01-31"},
            rows=[{"breakdown": code} for code in [
                "visible-operational-frontline", "non-visible-frontline", "frontline-support",
                "business-support", "national-policing"]],
            columns=_areas([*DISTRICTS, WY]),
        ),
    ],
    "2.4.4": [
        table(
            "Ethnic minority PCSOs (full-time equivalent) by role and district, January 2021",
            layout="grid", row_heading="Role",
            defaults={"measure": "bame-pcsos-fte-by-role", "period": "2021-01-31"},
            rows=[{"breakdown": code} for code in [
                "visible-operational-frontline", "non-visible-frontline", "frontline-support",
                "business-support"]],
            columns=_areas([*DISTRICTS, WY]),
        ),
    ],
    "2.5.7": [survey(survey="community-conversation", question="feel-safe")],
    "2.5.10": [survey(survey="community-conversation", question="police-work")],
    "2.5.11": [survey(survey="community-conversation", question="police-address", chart="none")],
    "2.5.13": [survey(survey="community-conversation", question="csp-response")],
    "2.5.14": [survey(survey="community-conversation", question="contact-reason", chart="none")],
    "2.6.3": [
        table(
            "Serious violence: the measures behind serious violent and knife-enabled crime",
            layout="comparison", row_heading="Crime type",
            rows=[
                {"measure": "homicide-non-domestic", "label": "Homicide (non-domestic): total recorded"},
                {"measure": "homicide-non-domestic", "breakdown": "victim-under-25",
                 "label": "Homicide (non-domestic): victim under 25"},
                {"measure": "most-serious-violence", "label": "Most serious violence: total recorded"},
                {"measure": "most-serious-violence", "breakdown": "victim-under-25",
                 "label": "Most serious violence: victim under 25"},
                {"measure": "knife-crime", "label": "Crime involving a sharp implement: total recorded"},
                {"measure": "knife-crime", "breakdown": "victim-under-25",
                 "label": "Crime involving a sharp implement: victim under 25"},
                {"measure": "knife-crime", "breakdown": "personal-robbery",
                 "label": "Crime involving a sharp implement: personal robbery"},
                {"measure": "knife-crime", "breakdown": "personal-robbery-victim-under-25",
                 "label": "Crime involving a sharp implement: personal robbery, victim under 25"},
                {"measure": "personal-robbery", "label": "Personal robbery: total recorded"},
                {"measure": "personal-robbery", "breakdown": "victim-under-25",
                 "label": "Personal robbery: victim under 25"},
                {"measure": "firearms-offences",
                 "label": "Firearms (violence against the person, excluding air weapons): total recorded"},
                {"measure": "firearms-offences", "breakdown": "victim-under-25",
                 "label": "Firearms (violence against the person, excluding air weapons): victim under 25"},
                {"measure": "air-weapon-offences", "label": "Air weapon: total recorded"},
                {"measure": "air-weapon-offences", "breakdown": "victim-under-25",
                 "label": "Air weapon: victim under 25"},
            ],
        ),
    ],
    "3.1": [
        chart(
            "Repeat rates of missing adults and children, 12 months to December 2020, by district",
            chart="bar", defaults={"period": "12M-2020-12"},
            rows=[{"measure": "repeat-missing-adults-rate", "label": "Adults"},
                  {"measure": "repeat-missing-children-rate", "label": "Children"}],
            columns=_areas(),
        ),
    ],
    "3.1.1": [
        table(
            "Missing people, 12 months to December 2020", layout="grid", row_heading="Missing people",
            defaults={"period": "12M-2020-12"},
            rows=[{"measure": "missing-adults", "label": "Missing adults"},
                  {"measure": "repeat-missing-adults", "label": "Repeat missing adults"},
                  {"measure": "repeat-missing-adults-rate", "label": "Adults' repeat rate"},
                  {"measure": "missing-children", "label": "Missing children"},
                  {"measure": "repeat-missing-children", "label": "Repeat missing children"},
                  {"measure": "repeat-missing-children-rate", "label": "Children's repeat rate"}],
            columns=_areas(),
        ),
    ],
    "3.1.3": [
        chart(
            "Repeat missing adults and children in West Yorkshire, 12 months to December", chart="bar",
            defaults={"area": WY},
            rows=[{"period": "12M-2019-12", "label": "12 months to Dec 2019"},
                  {"period": "12M-2020-12", "label": "12 months to Dec 2020"}],
            columns=[{"measure": "repeat-missing-adults", "label": "Repeat missing adults"},
                     {"measure": "repeat-missing-children", "label": "Repeat missing children"}],
        ),
    ],
    "3.2.2": [
        table(
            "Domestic incidents and crimes, April to December 2020", layout="grid", row_heading="Area",
            defaults={"period": "YTD-2020-12"},
            rows=_areas(),
            columns=[{"measure": "domestic-incidents", "label": "Domestic incidents"},
                     {"measure": "domestic-crimes", "label": "Domestic crimes"},
                     {"measure": "domestic-incident-crime-conversion", "label": "Incident to crime conversion"}],
        ),
    ],
    "3.2.4": [
        table(
            "Domestic abuse positive outcome rate, April to December", layout="comparison",
            row_heading="Area", defaults={"measure": "da-positive-outcome-rate"}, rows=_areas(),
        ),
    ],
    "3.3": [
        table(
            "Recorded rape offences, April to December", layout="comparison", transpose=True,
            row_heading="Recorded rape offences", defaults={"measure": "rape-offences"},
            rows=_areas([*DISTRICTS, WY]),
        ),
        table(
            "Rape: outcomes 1–8 rate, April to December", layout="comparison", transpose=True,
            row_heading="Outcomes 1–8 rate", defaults={"measure": "rape-outcome-rate"},
            rows=_areas([*DISTRICTS, WY]),
        ),
    ],
    "3.4": [
        chart(
            "Child sexual abuse and exploitation offences in West Yorkshire, 12-month totals",
            chart="line", defaults={"measure": "csea-offences", "area": WY},
            rows=[{"label": "Child sexual abuse and exploitation (CSEA)"},
                  {"breakdown": "cse", "label": "Of which child sexual exploitation (CSE)"}],
            columns=[{"period": "2018-19"}, {"period": "12M-2019-12"}, {"period": "2019-20"},
                     {"period": "12M-2020-12"}],
        ),
    ],
    "3.4.2": [
        table(
            "Child sexual abuse and exploitation offences", layout="comparison", row_heading="Measure",
            history=["2018-19", "2019-20"], defaults={"measure": "csea-offences"},
            rows=[{"label": "CSEA offences"}, {"breakdown": "cse", "label": "Of which CSE"}],
        ),
    ],
    "3.5": [
        table(
            "Other safeguarding data", layout="comparison", row_heading="Measure",
            history=["2018-19", "2019-20"], comment=True,
            rows=[{"measure": "mental-health-incidents", "label": "Mental health incidents"},
                  {"measure": "hate-incidents", "label": "Hate incidents"}],
        ),
    ],
    "4.1.2": [survey(survey="community-conversation", question="csp-response")],
    "4.1.3": [survey(survey="community-conversation", question="better-support", chart="none")],
    "4.3.1": [
        table(
            "DA perpetrator programme (CARA): referrals", layout="comparison", row_heading="Measure",
            rows=[{"measure": "cara-referrals", "label": "Referrals to the CARA programme"}],
        ),
    ],
    "4.3.5": [
        chart(
            "People screened by Liaison and Diversion, April to December", chart="bar",
            defaults={"measure": "liaison-diversion-screened", "area": WY},
            rows=[{"label": "People screened"}],
            columns=[{"period": "YTD-2019-12"}, {"period": "YTD-2020-12"}],
        ),
        table(
            "Liaison and Diversion", layout="comparison", row_heading="Measure",
            rows=[{"measure": "liaison-diversion-screened", "label": "People screened"},
                  {"measure": "liaison-diversion-pathway-contacts", "label": "Pathway contacts"}],
        ),
    ],
    "4.4.1": [
        table(
            "BAME representation in the workforce, December 2015 to December 2020 (number in brackets)",
            layout="grid", row_heading="Type", show_numerator=True,
            defaults={"measure": "bame-representation"},
            rows=[{"breakdown": "officers", "label": "Officers"}, {"breakdown": "staff", "label": "Staff"},
                  {"breakdown": "pcsos", "label": "PCSOs"}, {"breakdown": "specials", "label": "Specials"},
                  {"breakdown": "volunteers", "label": "Volunteers"}, {"label": "Total"}],
            columns=[{"period": f"{year}-12-31"} for year in range(2015, 2021)],
        ),
        chart(
            "BAME representation in the workforce, December 2015 to December 2020", chart="line",
            defaults={"measure": "bame-representation"}, y_label="Per cent of the workforce",
            rows=[{"breakdown": "officers", "label": "Officers"}, {"breakdown": "staff", "label": "Staff"},
                  {"breakdown": "pcsos", "label": "PCSOs"}, {"label": "Whole workforce"}],
            columns=[{"period": f"{year}-12-31"} for year in range(2015, 2021)],
        ),
    ],
    "5.1.1": [
        chart(
            "Victim satisfaction by district, 12 months to December", chart="bar",
            defaults={"measure": "victim-satisfaction"},
            rows=[{"period": "12M-2019-12", "label": "12 months to Dec 2019"},
                  {"period": "12M-2020-12", "label": "12 months to Dec 2020"}],
            columns=_areas(),
        ),
    ],
    "5.1.4": [
        table(
            "User satisfaction by district", layout="grid", row_heading="User satisfaction",
            defaults={"measure": "victim-satisfaction"},
            rows=[{"period": "12M-2020-12"}, {"period": "12M-2019-12"}],
            columns=_areas(),
        ),
    ],
    "5.2.4": [
        chart(
            "Victim Support: improvement in victims' wellbeing scores", chart="bar",
            defaults={"measure": "vs-wellbeing-improvement", "area": WY},
            rows=[{"label": "Improvement"}],
            columns=[{"period": "12M-2019-12"}, {"period": "12M-2020-12"}],
        ),
    ],
    "5.3.2": [
        table(
            "Self-referrals to Victim Support", layout="grid", row_heading="Period",
            defaults={"measure": "vs-self-referrals"},
            rows=[{"period": QUARTER, "label": "October to December 2020"},
                  {"period": "12M-2020-12", "label": "12 months to December 2020"}],
            columns=[{"area": WY, "label": "Self-referrals"}],
        ),
    ],
    "5.4": [
        table(
            "Victim repeat rate (domestic abuse), April to December", layout="comparison",
            row_heading="Area", defaults={"measure": "repeat-victim-rate-da"}, rows=_areas(),
        ),
    ],
}

DELIVERY_HEADINGS = {
    "2": ("2.7", "Update on delivery from OPCC, police and partners"),
    "3": ("3.6", "Update on delivery from OPCC, police and partners"),
    "4": ("4.5", "Current delivery"),
    "5": ("5.5", "Update on delivery from OPCC, police and partners"),
}

CURRENT_MEASURES = {
    "caption": "Current measures",
    # Section 1 of the seed shows BAME representation for officers and staff.
    "breakdowns": {"bame-representation": ["officers", "staff"]},
}


def _commentary() -> dict[str, list[dict]]:
    with open(DEMO_DIR / QUARTER / "commentary.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_section: dict[str, list[dict]] = {}
    for row in rows:
        if row["number"] == row["section"]:
            continue  # the section's own title: the Section row holds it
        by_section.setdefault(row["section"], []).append(row)
    return by_section


def _blocks_for(section: Section, paragraphs: list[dict]) -> list[Block]:
    blocks: list[Block] = []

    def add(kind, **fields):
        blocks.append(Block(section=section, order=len(blocks) + 1, kind=kind, **fields))

    for paragraph in paragraphs:
        add(Block.Kind.COMMENTARY, number=paragraph["number"], heading=paragraph["heading"],
            text=paragraph["text"])
        for kind, config in AFTER.get(paragraph["number"], []):
            add(kind, config=config)
    if section.number in DELIVERY_HEADINGS:
        number, heading = DELIVERY_HEADINGS[section.number]
        add(Block.Kind.DELIVERY_UPDATES, number=number, heading=heading)
    return blocks


def load_glossary() -> int:
    with open(DEMO_DIR / "glossary.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        GlossaryTerm.objects.update_or_create(term=row["term"], defaults={"definition": row["definition"]})
    return len(rows)


def build_structure() -> Report:
    """The draft report with every section and block of the seed (replacing any earlier draft)."""
    quarter = Period.objects.for_codes([QUARTER])[QUARTER]
    report, _ = Report.objects.update_or_create(
        slug=SLUG,
        defaults={
            "period": quarter,
            "title": "Delivery Quarterly Report",
            "subtitle": "October to December 2020",
        },
    )
    report.sections.all().delete()
    priorities = {priority.slug: priority for priority in Priority.objects.all()}
    commentary = _commentary()
    for order, number, title, priority_slug in SECTIONS:
        section = Section.objects.create(
            report=report, order=order, number=number, title=title,
            priority=priorities.get(priority_slug) if priority_slug else None,
        )
        if number == "1":
            Block.objects.create(section=section, order=1, kind=Block.Kind.CURRENT_MEASURES,
                                 config=CURRENT_MEASURES)
        elif number:
            Block.objects.bulk_create(_blocks_for(section, commentary.get(number, [])))
        else:
            Block.objects.create(section=section, order=1, kind=Block.Kind.GLOSSARY)

    with open(DEMO_DIR / QUARTER / "comments.csv", newline="", encoding="utf-8") as handle:
        comments = {row["measure"]: row["comment"] for row in csv.DictReader(handle)}
    measures = {m.code: m for m in Measure.objects.filter(code__in=comments)}
    report.measure_comments.all().delete()
    MeasureComment.objects.bulk_create([
        MeasureComment(report=report, measure=measures[code], text=text)
        for code, text in comments.items() if code in measures
    ])
    return report


def load(stdout=None) -> None:
    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    say(f"Glossary terms: {load_glossary()}")
    existing = Report.objects.filter(slug=SLUG).first()
    if existing is not None and existing.versions.exists():
        say(f"Report {SLUG}: already published, kept as it is")
        return
    with transaction.atomic():
        report = build_structure()
    blocks = Block.objects.filter(section__report=report).count()
    say(f"Report {SLUG}: {report.sections.count()} sections, {blocks} blocks")
    version = report_publish(report=report, user=None, note="")
    say(f"Report {SLUG}: published version {version.number} ({version.pdf_size:,} bytes of PDF)")
