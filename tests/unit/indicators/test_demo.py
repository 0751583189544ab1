import io

import pytest
from django.core.management import call_command

from placebook.core.models import AuditEvent
from placebook.indicators.definitions import read_definitions
from placebook.indicators.models import Indicator, IndicatorValue, PublishedFigure, Target

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo", stdout=io.StringIO())


def test_every_definition_file_loads():
    definitions = read_definitions()
    load()
    assert Indicator.objects.count() == len(definitions) > 90


def test_demo_loads_seed_figures_with_provenance():
    load()
    value = IndicatorValue.objects.current().get(
        indicator__code="phof-smoking-prevalence-adults",
        period__label="2022",
        area__code="E08000014",
        sex="Persons",
    )
    assert value.value == 7.9
    # First printed in the report's text (line 2450); the dashboard (line 3121) agrees.
    assert value.source.reference.startswith("002_")
    assert value.source_line == 2450
    assert Target.objects.filter(kind="annual_cap").exists()
    assert PublishedFigure.objects.filter(kind="rank").count() > 100


def test_table_figure_is_current_and_narrative_kept_as_history():
    load()
    # Under-75 cancer mortality: 135.1 in the text (line 3021), 135.5 in the dashboard.
    figures = IndicatorValue.objects.filter(
        indicator__code="phof-under-75-mortality-cancer", area__code="E08000014"
    )
    assert figures.get(is_current=True).value == 135.5
    assert figures.get(is_current=False).value == 135.1


def test_current_column_read_as_provisional_in_year_figure():
    load()
    value = IndicatorValue.objects.current().get(
        indicator__code="ascof-1c1a-self-directed-support-clients", area__code="E08000014"
    )
    assert value.period.label == "2023/24"
    assert value.status == "provisional"
    assert "Printed as 'Current'" in value.note_text


def test_demo_indicators_load_is_idempotent():
    load()
    counts = (IndicatorValue.objects.count(), AuditEvent.objects.count())
    load()
    assert (IndicatorValue.objects.count(), AuditEvent.objects.count()) == counts
