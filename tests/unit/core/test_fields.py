from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from placebook.core.fields import MoneyField
from placebook.core.models import AuditEvent, User
from placebook.core.money import Money
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


def test_money_field_round_trips_exact_pounds():
    user = UserFactory(financial_authority_limit=Money("1234.56"))
    user.refresh_from_db()
    assert user.financial_authority_limit == Money("1234.56")
    assert str(user.financial_authority_limit) == "£1,234.56"


def test_money_field_accepts_decimal_and_string():
    user = UserFactory(financial_authority_limit=Decimal("10.10"))
    User.objects.filter(pk=user.pk).update(financial_authority_limit="20.20")
    user.refresh_from_db()
    assert user.financial_authority_limit == Money("20.20")


def test_money_field_refuses_float():
    with pytest.raises(TypeError, match="float"):
        UserFactory(financial_authority_limit=0.1)


def test_money_field_form_value_refuses_float():
    with pytest.raises(ValidationError, match="float"):
        MoneyField().to_python(0.1)


def test_money_field_refuses_other_currency():
    with pytest.raises(ValidationError, match="EUR"):
        UserFactory(financial_authority_limit=Money("5", "EUR"))


def test_money_field_filters_by_amount():
    UserFactory(username="big", financial_authority_limit=Money("500000"))
    UserFactory(username="small", financial_authority_limit=Money("5000"))
    names = User.objects.filter(financial_authority_limit__gte=Money("100000"))
    assert [u.username for u in names] == ["big"]


def test_money_change_is_audited_as_text(manager):
    from placebook.core.models import Role
    from placebook.core.services import grant_role

    user = UserFactory()
    assignment = grant_role(
        by=manager, user=user, role=Role.SENIOR_MANAGER, financial_authority_limit=Decimal("75000")
    )
    assert AuditEvent.objects.for_object(assignment).exists()


def test_money_field_validates_its_digits_in_full_clean():
    field = MoneyField(max_digits=5, decimal_places=2)
    assert field.clean("123.45", None) == Money("123.45")
    with pytest.raises(ValidationError, match="no more than 5 digits"):
        field.clean("1234.56", None)
    with pytest.raises(ValidationError, match="no more than 2 decimal places"):
        field.clean("1.234", None)
