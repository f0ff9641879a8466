"""The seed quarter's survey results (West Yorkshire, October to December 2020), as survey data.

Loaded after the measures demo: the section 1 measures that come from surveys are linked to these
questions, so their figures are written from the survey results (surveys/services.py), not typed.
Only figures the seed gives are entered. Where it names things without figures (the themes that
dissatisfied respondents raised) they are recorded without figures; where a question's full answer
scale is not printed, the options are the ones its figures imply. The judgements are in
docs/adr/0008-survey-statistics.md, section "The demo". Safe to run twice: the second run changes
nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from measures.models import Area, Measure, Period
from surveys import services
from surveys.models import (
    Option,
    OptionGroup,
    Question,
    Segment,
    Survey,
    SurveyMeasure,
    Wave,
)

COMPLETED, SUSPENDED = Wave.Status.COMPLETED, Wave.Status.SUSPENDED
WY = "west-yorkshire"
RATING = [
    ("very-good", "Very good"), ("good", "Good"), ("satisfactory", "Satisfactory"),
    ("poor", "Poor"), ("very-poor", "Very poor"),
]
RATING_GROUPS = [
    ("good-very-good", "Good or very good", ["very-good", "good"]),
    ("satisfied", "Good, very good or satisfactory", ["very-good", "good", "satisfactory"]),
    ("poor-very-poor", "Poor or very poor", ["poor", "very-poor"]),
]
CC_NOTE = "OPCC Community Conversation survey"

SURVEYS = [
    {
        "slug": "your-views", "name": "Your Views", "owner": Survey.Owner.OPCC, "order": 1,
        "method_note": "The OPCC's survey of the public's perceptions of community safety, reported "
        "for each local authority (district) as well as West Yorkshire.",
        "waves": [
            dict(code="2020-03", label="March 2020", period="2020-03", status=COMPLETED),
            dict(code="2020-21", label="2020/21", period=None, status=SUSPENDED,
                 status_reason="suspended due to the pandemic",
                 notes="The survey could not resume in 2021 while lockdown continued."),
        ],
        "segments": [],
        "questions": [
            dict(code="feel-safe", text="How safe do you feel in your neighbourhood?",
                 options=[("safe", "Safe"), ("not-safe", "Not safe")], groups=[]),
            dict(code="police-good-job",
                 text="How good a job are the police doing in your local area?",
                 options=[("excellent", "Excellent"), ("good", "Good"), ("fair", "Fair"),
                          ("poor", "Poor"), ("very-poor", "Very poor")],
                 groups=[("good-excellent", "Good or excellent", ["excellent", "good"])]),
            dict(code="police-work", text="How satisfied are you with the work of the police in your area?",
                 options=RATING, groups=RATING_GROUPS),
            dict(code="confidence-prevent",
                 text="How confident are you that the police and partners will prevent crime and "
                 "anti-social behaviour in your area?",
                 options=[("confident", "Confident"), ("not-confident", "Not confident")], groups=[]),
        ],
        "results": [
            # wave, question, area, segment, option or group, percentage, base, note
            ("2020-03", "police-work", WY, None, "satisfied", "81", None, ""),
        ],
    },
    {
        "slug": "community-conversation", "name": "Community Conversation", "owner": Survey.Owner.OPCC,
        "order": 2,
        "method_note": "Two online surveys the OPCC ran in June and October 2020, while Your Views was "
        "suspended, on feelings of safety and how the public coped during lockdown.",
        "waves": [
            dict(code="2020-06", label="June 2020", period="2020-06", status=COMPLETED, respondents=1039,
                 notes="Respondents reflected on the summer months of 2020."),
            dict(code="2020-10", label="October 2020", period="2020-10", status=COMPLETED,
                 notes="About July to October 2020. The report says feeling of safety was strongest in "
                 "Calderdale and satisfaction with the police greatest in Kirklees and Leeds, without "
                 "figures; it does not give the number of respondents."),
        ],
        "segments": [],
        "questions": [
            dict(code="feel-safe", text="Do you feel safe in your neighbourhood?",
                 options=[("safe", "Feel safe"), ("not-safe", "Do not feel safe")], groups=[]),
            dict(code="police-work",
                 text="How would you describe the work of the police during July to October 2020?",
                 options=RATING, groups=RATING_GROUPS),
            dict(code="csp-response",
                 text="How would you rate the response of community safety partners as a whole "
                 "during the summer?",
                 decimals=1, options=RATING,
                 groups=[("good-very-good", "Good or very good", ["very-good", "good"]),
                         ("good-very-good-satisfactory", "Good, very good or satisfactory",
                          ["very-good", "good", "satisfactory"])]),
            dict(code="police-contact",
                 text="Have you had contact with the police in the last three months?",
                 options=[("yes", "Yes"), ("no", "No")], groups=[]),
            dict(code="contact-reason", text="What was your contact with the police about?",
                 kind=Question.Kind.MULTIPLE,
                 asked_of="respondents who had contact with the police in the last three months",
                 options=[("reporting-asb", "Reporting anti-social behaviour"),
                          ("reporting-covid-breaches", "Reporting people breaking Covid restrictions")],
                 groups=[]),
            dict(code="police-address", text="What issues do you want the police to address?",
                 kind=Question.Kind.THEMES,
                 asked_of="respondents dissatisfied with local police presence",
                 options=[("general-crime", "General crime"), ("asb", "Anti-social behaviour"),
                          ("drugs", "Drug dealing and drug taking"),
                          ("dangerous-driving", "Dangerous driving")],
                 groups=[]),
            dict(code="better-support",
                 text="How could the PCC and partners better support communities during the pandemic?",
                 kind=Question.Kind.THEMES,
                 options=[("neighbourhood-policing", "Improve neighbourhood policing and police visibility"),
                          ("communication", "Better communication about the support available to residents")],
                 groups=[]),
        ],
        "results": [
            ("2020-06", "feel-safe", WY, None, "safe", "86", 1039,
             "Base: the survey's 1,039 respondents (the report gives no count for the question)"),
            ("2020-10", "feel-safe", WY, None, "safe", "79", None, ""),
            ("2020-10", "police-work", WY, None, "good-very-good", "46", None, ""),
            ("2020-10", "police-work", WY, None, "satisfied", "83", None,
             "Respondents recording some degree of satisfaction"),
            ("2020-10", "police-work", WY, None, "poor-very-poor", "17", None, ""),
            ("2020-10", "csp-response", WY, None, "good-very-good", "49.5", None,
             "The report says this was close to June's figure, which it does not give"),
            ("2020-10", "csp-response", WY, None, "good-very-good-satisfactory", "86.1", None,
             "The report says this was close to June's figure, which it does not give"),
            ("2020-10", "police-contact", WY, None, "yes", "21", None, ""),
            ("2020-10", "contact-reason", WY, None, "reporting-asb", "35", None, "35% of responses"),
            ("2020-10", "contact-reason", WY, None, "reporting-covid-breaches", "21", None, ""),
            # Named as the most common topics, with no figures and no order between them.
            ("2020-10", "police-address", WY, None, "general-crime", None, None, "Among the most common topics"),
            ("2020-10", "police-address", WY, None, "asb", None, None, "Among the most common topics"),
            ("2020-10", "police-address", WY, None, "drugs", None, None, "Among the most common topics"),
            ("2020-10", "police-address", WY, None, "dangerous-driving", None, None, "Among the most common topics"),
            # "The most frequent response was … followed by …": a rank, no figures. The report
            # (4.1.3) does not say which wave; it is filed under October, the quarter's survey.
            ("2020-10", "better-support", WY, None, "neighbourhood-policing", None, None, "rank:1"),
            ("2020-10", "better-support", WY, None, "communication", None, None, "rank:2"),
        ],
    },
    {
        "slug": "csew", "name": "Crime Survey for England and Wales", "owner": Survey.Owner.NATIONAL,
        "order": 3,
        "method_note": "The Office for National Statistics' household survey. Its figures are available "
        "for West Yorkshire as a whole only.",
        "waves": [
            dict(code="12m-2019-03", label="12 months to March 2019", period="12M-2019-03", status=COMPLETED),
            dict(code="12m-2020-03", label="12 months to March 2020", period="12M-2020-03", status=COMPLETED),
            dict(code="12m-2020-12", label="12 months to December 2020", period="12M-2020-12",
                 status=SUSPENDED,
                 status_reason="force results are unavailable: the CSEW has been a telephone survey "
                 "since March 2020"),
        ],
        "segments": [],
        "questions": [
            dict(code="household-crime", text="Households that were victims of household crime",
                 decimals=1, options=[("victim", "Victim of household crime")], groups=[]),
            dict(code="personal-crime", text="Adults who were victims of personal crime",
                 decimals=1, options=[("victim", "Victim of personal crime")], groups=[]),
            dict(code="perception-asb",
                 text="Adults who perceive anti-social behaviour to be a problem in their local area",
                 decimals=1, options=[("problem", "Perceive a problem")], groups=[]),
        ],
        "results": [
            ("12m-2019-03", "household-crime", WY, None, "victim", "13.3", None, ""),
            ("12m-2020-03", "household-crime", WY, None, "victim", "10.4", None, ""),
            ("12m-2019-03", "personal-crime", WY, None, "victim", "2.8", None, ""),
            ("12m-2020-03", "personal-crime", WY, None, "victim", "2.8", None, ""),
            ("12m-2019-03", "perception-asb", WY, None, "problem", "10.9", None, ""),
            ("12m-2020-03", "perception-asb", WY, None, "problem", "12.3", None, ""),
        ],
    },
    {
        "slug": "victim-satisfaction", "name": "West Yorkshire Police victim satisfaction survey",
        "owner": Survey.Owner.FORCE, "order": 4,
        "method_note": "Victims and callers are asked about the service the police gave them: crime "
        "victims, ASB and safety and welfare callers, and victims of domestic and hate crime. The West "
        "Yorkshire figure also covers the force's central customer contact centre and Force Crime "
        "Management Unit, so it is not an average of the districts.",
        "waves": [
            dict(code="12m-2019-12", label="12 months to December 2019", period="12M-2019-12",
                 status=COMPLETED,
                 notes="The report does not give this year's number surveyed; the demo uses 9,240, "
                 "the next year's, so that the change can be tested."),
            dict(code="12m-2020-12", label="12 months to December 2020", period="12M-2020-12",
                 status=COMPLETED, respondents=9240),
        ],
        "segments": [("attended", "Attended crimes and incidents"),
                     ("unattended", "Unattended crimes and incidents")],
        "questions": [
            dict(code="overall-satisfaction",
                 text="Satisfied with the overall service provided by the police", decimals=1,
                 options=[("satisfied", "Satisfied")], groups=[]),
        ],
        "results": [
            ("12m-2019-12", "overall-satisfaction", WY, None, "satisfied", "75.1", 9240,
             "Base assumed equal to the next year's 9,240: the report gives none for this year"),
            ("12m-2019-12", "overall-satisfaction", "bradford", None, "satisfied", "74.8", None, ""),
            ("12m-2019-12", "overall-satisfaction", "calderdale", None, "satisfied", "76.5", None, ""),
            ("12m-2019-12", "overall-satisfaction", "kirklees", None, "satisfied", "77.8", None, ""),
            ("12m-2019-12", "overall-satisfaction", "leeds", None, "satisfied", "77.7", None, ""),
            ("12m-2019-12", "overall-satisfaction", "wakefield", None, "satisfied", "76.1", None, ""),
            ("12m-2020-12", "overall-satisfaction", WY, None, "satisfied", "77.4", 9240,
             "9,240 victims and callers surveyed"),
            ("12m-2020-12", "overall-satisfaction", "bradford", None, "satisfied", "77.4", None, ""),
            ("12m-2020-12", "overall-satisfaction", "calderdale", None, "satisfied", "79.2", None, ""),
            ("12m-2020-12", "overall-satisfaction", "kirklees", None, "satisfied", "81.1", None, ""),
            ("12m-2020-12", "overall-satisfaction", "leeds", None, "satisfied", "81.3", None, ""),
            ("12m-2020-12", "overall-satisfaction", "wakefield", None, "satisfied", "79.4", None, ""),
            ("12m-2020-12", "overall-satisfaction", WY, "attended", "satisfied", "81.7", None,
             "Published as “up 3.7%” on the previous 12 months, whose figure is not given"),
            ("12m-2020-12", "overall-satisfaction", WY, "unattended", "satisfied", "69.8", None,
             "Published as “increased by 3.3%” on the previous 12 months, whose figure is not given"),
        ],
    },
    {
        "slug": "victim-support-outcomes", "name": "Victim Support outcomes",
        "owner": Survey.Owner.COMMISSIONED, "order": 5,
        "method_note": "Victims supported by Victim Support score their sense of safety and five other "
        "personal wellbeing measures at the start and the end of their support.",
        "waves": [
            dict(code="12m-2019-12", label="12 months to December 2019", period="12M-2019-12", status=COMPLETED),
            dict(code="12m-2020-12", label="12 months to December 2020", period="12M-2020-12", status=COMPLETED,
                 notes="Latest data to December 2020."),
        ],
        "segments": [],
        "questions": [
            dict(code="wellbeing-improvement",
                 text="Improvement in wellbeing scores between the start and the end of support",
                 kind=Question.Kind.INDICATOR, options=[("improvement", "Improvement")], groups=[]),
        ],
        "results": [
            ("12m-2019-12", "wellbeing-improvement", WY, None, "improvement", "26", None, ""),
            ("12m-2020-12", "wellbeing-improvement", WY, None, "improvement", "28", None, ""),
        ],
    },
]

# measure code -> [(survey, question, option or group)], first link first.
LINKS = {
    "feeling-safe": [("your-views", "feel-safe", "safe"), ("community-conversation", "feel-safe", "safe")],
    "police-good-job": [("your-views", "police-good-job", "good-excellent")],
    "police-work-satisfaction": [("your-views", "police-work", "satisfied"),
                                 ("community-conversation", "police-work", "satisfied")],
    "police-work-good-very-good": [("community-conversation", "police-work", "good-very-good")],
    "police-work-poor-very-poor": [("community-conversation", "police-work", "poor-very-poor")],
    "confidence-prevent-crime-asb": [("your-views", "confidence-prevent", "confident")],
    "csp-confidence": [("community-conversation", "csp-response", "good-very-good-satisfactory")],
    "csp-response-good-very-good": [("community-conversation", "csp-response", "good-very-good")],
    "csew-household-crime": [("csew", "household-crime", "victim")],
    "csew-personal-crime": [("csew", "personal-crime", "victim")],
    "csew-perception-asb": [("csew", "perception-asb", "problem")],
    "victim-satisfaction": [("victim-satisfaction", "overall-satisfaction", "satisfied")],
    "vs-wellbeing-improvement": [("victim-support-outcomes", "wellbeing-improvement", "improvement")],
}


@transaction.atomic
def load(stdout=None) -> None:
    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    areas = {area.code: area for area in Area.objects.all()}
    period_codes = [wave["period"] for spec in SURVEYS for wave in spec["waves"] if wave["period"]]
    period_rows = Period.objects.for_codes(period_codes)
    results, bases = {}, {}
    questions = {}
    for spec in SURVEYS:
        survey, _ = Survey.objects.update_or_create(slug=spec["slug"], defaults={
            "name": spec["name"], "owner": spec["owner"], "method_note": spec["method_note"],
            "order": spec["order"],
        })
        waves = {}
        for wave in spec["waves"]:
            waves[wave["code"]], _ = Wave.objects.update_or_create(survey=survey, code=wave["code"], defaults={
                "label": wave["label"],
                "period": period_rows[wave["period"]] if wave["period"] else None,
                "status": wave["status"],
                "status_reason": wave.get("status_reason", ""),
                "respondents": wave.get("respondents"),
                "notes": wave.get("notes", ""),
            })
        segments = {}
        for order, (code, label) in enumerate(spec["segments"]):
            segments[code], _ = Segment.objects.update_or_create(
                survey=survey, code=code, defaults={"label": label, "order": order}
            )
        columns = {}
        for order, question_spec in enumerate(spec["questions"]):
            question, _ = Question.objects.update_or_create(survey=survey, code=question_spec["code"], defaults={
                "text": question_spec["text"],
                "kind": question_spec.get("kind", Question.Kind.SINGLE),
                "asked_of": question_spec.get("asked_of", ""),
                "decimals": question_spec.get("decimals", 0),
                "order": order,
            })
            questions[(spec["slug"], question.code)] = question
            options = {}
            for option_order, (code, label) in enumerate(question_spec["options"]):
                options[code], _ = Option.objects.update_or_create(
                    question=question, code=code, defaults={"label": label, "order": option_order}
                )
                columns[(question.code, code)] = (options[code].pk, None)
            for group_order, (code, label, members) in enumerate(question_spec["groups"]):
                group, _ = OptionGroup.objects.update_or_create(
                    question=question, code=code, defaults={"label": label, "order": group_order}
                )
                group.options.set([options[member] for member in members])
                columns[(question.code, code)] = (None, group.pk)
        for wave_code, question_code, area_code, segment_code, answer, percentage, base, note in spec["results"]:
            question = questions[(spec["slug"], question_code)]
            option_id, group_id = columns[(question_code, answer)]
            segment_id = segments[segment_code].pk if segment_code else None
            key = (waves[wave_code].pk, question.pk, areas[area_code].pk, segment_id, option_id, group_id)
            rank = int(note.removeprefix("rank:")) if note.startswith("rank:") else None
            results[key] = services.Figure(
                percentage=Decimal(percentage) if percentage is not None else None,
                rank=rank, note="" if rank else note,
            )
            if base is not None:
                bases[key[:4]] = base
    say(f"Surveys: {len(SURVEYS)}, questions: {len(questions)}, results: {len(results)}")

    linked, missing = _link_measures(questions)
    if missing:
        say(f"Survey links skipped, no such measure: {', '.join(missing)}")
    services.write_results(results=results, bases=bases, user=None, route="demo")
    # The links may be new although the results are not: write the linked measures' figures.
    services.feed_measures(measure_ids=linked, user=None)
    say(f"Measures fed by surveys: {len(linked)}")


def _link_measures(questions) -> tuple[list[int], list[str]]:
    measures = {measure.code: measure for measure in Measure.objects.filter(code__in=LINKS)}
    linked, missing = [], []
    for code, links in LINKS.items():
        measure = measures.get(code)
        if measure is None:
            missing.append(code)
            continue
        wanted = set()
        for survey_slug, question_code, answer in links:
            question = questions[(survey_slug, question_code)]
            option = question.options.filter(code=answer).first()
            group = None if option else question.groups.get(code=answer)
            SurveyMeasure.objects.update_or_create(
                measure=measure, question=question, defaults={"option": option, "group": group}
            )
            wanted.add(question.pk)
        SurveyMeasure.objects.filter(measure=measure).exclude(question_id__in=wanted).delete()
        linked.append(measure.pk)
    return linked, missing

