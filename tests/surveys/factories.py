"""Factories for survey data: a survey, its waves, questions with options and groups, results."""

from decimal import Decimal

import factory

from measures.models import Period
from surveys.models import (
    Option,
    OptionGroup,
    Question,
    ResponseBase,
    Result,
    Segment,
    Survey,
    SurveyMeasure,
    Wave,
)
from tests.factories import PeriodFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Survey {n}")
    slug = factory.LazyAttribute(lambda survey: survey.name.lower().replace(" ", "-"))
    owner = Survey.Owner.OPCC


class WaveFactory(factory.django.DjangoModelFactory):
    """A completed wave filed under a month (``period="2020-10"``)."""

    class Meta:
        model = Wave
        django_get_or_create = ["survey", "code"]

    survey = factory.SubFactory(SurveyFactory)
    code = factory.Sequence(lambda n: f"{2000 + n // 12}-{n % 12 + 1:02d}")
    label = factory.LazyAttribute(lambda wave: wave.code)
    period = factory.LazyAttribute(lambda wave: PeriodFactory(code=wave.code))
    status = Wave.Status.COMPLETED


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        django_get_or_create = ["survey", "code"]

    survey = factory.SubFactory(SurveyFactory)
    code = factory.Sequence(lambda n: f"question-{n}")
    text = factory.LazyAttribute(lambda q: q.code.replace("-", " ").capitalize() + "?")
    kind = Question.Kind.SINGLE


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option
        django_get_or_create = ["question", "code"]

    question = factory.SubFactory(QuestionFactory)
    code = factory.Sequence(lambda n: f"option-{n}")
    label = factory.LazyAttribute(lambda option: option.code.replace("-", " ").capitalize())
    order = factory.Sequence(lambda n: n)


def rating_question(survey=None, *, code="police-work", text="How would you rate the work of the police?",
                    kind=Question.Kind.SINGLE):
    """The Community Conversation's rating: five options, and two groups made of them."""
    question = QuestionFactory(survey=survey or SurveyFactory(), code=code, text=text, kind=kind)
    options = {
        code: OptionFactory(question=question, code=code, label=label, order=order)
        for order, (code, label) in enumerate([
            ("very-good", "Very good"), ("good", "Good"), ("satisfactory", "Satisfactory"),
            ("poor", "Poor"), ("very-poor", "Very poor"),
        ])
    }
    good = OptionGroup.objects.create(question=question, code="good-very-good", label="Good or very good", order=0)
    good.options.set([options["very-good"], options["good"]])
    poor = OptionGroup.objects.create(question=question, code="poor-very-poor", label="Poor or very poor", order=1)
    poor.options.set([options["poor"], options["very-poor"]])
    return question


def result(wave, question, area, answer_code, percentage=None, *, segment=None, count=None, rank=None, base=None):
    """One entered result (and the area's base, when given)."""
    option = question.options.filter(code=answer_code).first()
    group = None if option else question.groups.get(code=answer_code)
    made = Result.objects.create(
        wave=wave, question=question, area=area, segment=segment, option=option, group=group,
        percentage=Decimal(str(percentage)) if percentage is not None else None, count=count, rank=rank,
    )
    if base is not None:
        ResponseBase.objects.update_or_create(
            wave=wave, question=question, area=area, segment=segment, defaults={"respondents": base}
        )
    return made


def link(measure, question, answer_code):
    option = question.options.filter(code=answer_code).first()
    group = None if option else question.groups.get(code=answer_code)
    return SurveyMeasure.objects.create(measure=measure, question=question, option=option, group=group)


def segment(survey, code, label=None):
    return Segment.objects.get_or_create(survey=survey, code=code, defaults={"label": label or code.title()})[0]


__all__ = [
    "OptionFactory", "Period", "QuestionFactory", "SurveyFactory", "WaveFactory",
    "link", "rating_question", "result", "segment",
]
