import factory

from placebook.core.services import get_or_create_period
from placebook.indicators.models import Indicator, IndicatorValue, Release


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator-{n}")
    framework = "PHOF"
    name = factory.Sequence(lambda n: f"Indicator {n}")
    definition = "People with the outcome as a percentage of people eligible."
    unit = "percentage"
    polarity = "lower_is_better"
    value_type = "proportion"
    period_type = "financial_year"
    geography_level = "upper_tier_la"
    data_source = "OHID Fingertips"
    update_frequency = "annual"
    owner = "Sefton Public Health"


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    key = factory.Sequence(lambda n: f"release-{n}")
    title = factory.Sequence(lambda n: f"Release {n}")


def period(text: str):
    return get_or_create_period(text)


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    area = factory.SubFactory("tests.factories.core.AreaFactory")
    period = factory.LazyFunction(lambda: period("2021/22"))
    value = 50.0
