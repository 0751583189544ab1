"""Printed figures for the consistency audit: values, published figures and targets as a
paper prints them, each with a source and a line."""

from datetime import date

import factory

from placebook.core.models import Source
from placebook.indicators.models import IndicatorValue, PublishedFigure, Target, TargetStep
from tests.factories.core import AreaFactory
from tests.factories.indicators import IndicatorFactory, ReleaseFactory, period


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("key",)

    key = "test-paper"
    kind = Source.Kind.SEED
    title = "Committee papers, 23 January 2024"
    reference = "test_paper.txt"
    published = date(2024, 1, 23)


class PrintedValueFactory(factory.django.DjangoModelFactory):
    """A figure as printed: ``printed`` carries the precision the audit compares at."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    release = factory.SubFactory(ReleaseFactory)
    area = factory.SubFactory(AreaFactory)
    period = factory.LazyFunction(lambda: period("2021/22"))
    value = 10.0
    printed = factory.LazyAttribute(lambda o: f"{o.value:g}")
    source = factory.SubFactory(SourceFactory)
    source_line = factory.Sequence(lambda n: 100 + n)


class PublishedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishedFigure

    release = factory.SubFactory(ReleaseFactory)
    table = "Test table"
    row = factory.Sequence(lambda n: f"Row {n}")
    column = "Value"
    kind = "other"
    value = None
    printed = factory.LazyAttribute(lambda o: "" if o.value is None else f"{o.value:g}")
    source = factory.SubFactory(SourceFactory)
    source_line = factory.Sequence(lambda n: 100 + n)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    kind = "threshold"
    operator = ">="
    value = 50.0
    printed = "50%"
    source = factory.SubFactory(SourceFactory)
    source_line = factory.Sequence(lambda n: 100 + n)


class TargetStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetStep

    target = factory.SubFactory(TargetFactory, kind="trajectory", value=None)
    period = factory.LazyFunction(lambda: period("2023/24 Q1"))
    value = 1.0
