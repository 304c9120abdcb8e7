import pytest

from servicedesk.models import ServiceCentre, ServiceKind
from tests.reports.conftest import need_poppler  # noqa: F401  (the report section's PDF test)


@pytest.fixture
def centre(desk):
    centre = ServiceCentre.objects.create(name="门诊客服中心", location="门诊楼一楼大厅")
    centre.members.add(desk)
    return centre


@pytest.fixture
def other_centre(db):
    from supervision.models import Role
    from tests.factories import UserFactory

    centre = ServiceCentre.objects.create(name="住院部服务台", location="住院楼一楼")
    centre.members.add(UserFactory(username="desk-ward", roles=[Role.DESK]))
    return centre


@pytest.fixture
def wheelchair(db):
    # Seeded by the data migration.
    return ServiceKind.objects.get(name="轮椅")
