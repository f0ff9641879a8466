from decimal import Decimal

import pytest

from measures import arithmetic, periods
from measures.models import Measure
from tests.factories import AreaFactory, MeasureFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory, WaveFactory, link, rating_question

DISTRICTS = ["bradford", "calderdale", "kirklees", "leeds", "wakefield"]


@pytest.fixture
def force(db):
    return AreaFactory(code="west-yorkshire", name="West Yorkshire", order=0)


@pytest.fixture
def areas(force):
    return [force] + [
        AreaFactory(code=code, name=code.title(), parent=force, order=n)
        for n, code in enumerate(DISTRICTS, 1)
    ]


@pytest.fixture
def survey(db):
    return SurveyFactory(name="Community Conversation", slug="community-conversation")


@pytest.fixture
def june(survey):
    return WaveFactory(survey=survey, code="2020-06", label="June 2020", respondents=1039)


@pytest.fixture
def october(survey):
    return WaveFactory(survey=survey, code="2020-10", label="October 2020")


@pytest.fixture
def police_work(survey):
    return rating_question(survey)


def survey_measure(code, **fields) -> Measure:
    defaults = dict(
        unit="percentage", decimals=0, polarity=arithmetic.Polarity.HIGHER_IS_BETTER,
        aggregation=Measure.Aggregation.NONE, comparison=periods.Basis.PREVIOUS_WAVE,
        band=Decimal("0.5"), name=code.replace("-", " ").capitalize(),
    )
    return MeasureFactory(code=code, **{**defaults, **fields})


@pytest.fixture
def good_job(police_work):
    """A measure fed by the rating question's "good or very good" group."""
    measure = survey_measure("police-work-good-very-good")
    link(measure, police_work, "good-very-good")
    return measure


@pytest.fixture
def feel_safe(survey):
    question = QuestionFactory(survey=survey, code="feel-safe", text="Do you feel safe in your neighbourhood?")
    from tests.surveys.factories import OptionFactory

    OptionFactory(question=question, code="safe", label="Feel safe", order=0)
    OptionFactory(question=question, code="not-safe", label="Do not feel safe", order=1)
    return question
