import pytest

from inspections.models import InspectionSettings
from supervision.models import DepartmentKind
from tests.factories import DepartmentFactory


@pytest.fixture
def config(db):
    return InspectionSettings.get()


@pytest.fixture
def guahao(db):
    return DepartmentFactory(code="GHC", name="挂号处", kind=DepartmentKind.WINDOW)


@pytest.fixture
def baojie(db):
    return DepartmentFactory(code="BJ", name="保洁", kind=DepartmentKind.SUPPORT)
