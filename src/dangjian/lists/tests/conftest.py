import datetime
import io

import pytest

from dangjian.testing import make_user
from dangjian.lists import services
from dangjian.lists.models import ListKind

TODAY = datetime.date(2026, 6, 15)
# Plans relative to the real date, so that nothing is overdue unless a test says so.
REAL_TODAY = datetime.date.today()
START = REAL_TODAY - datetime.timedelta(days=60)
DEADLINE = REAL_TODAY + datetime.timedelta(days=90)
# Smallest valid files of each kind, for evidence uploads.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


class Upload(io.BytesIO):
    def __init__(self, data, name):
        super().__init__(data)
        self.name = name
        self.size = len(data)


@pytest.fixture
def people(city):
    return {
        "community": make_user("community_secretary", "secretary", city.communities["a"], also=("data_exchange",)),
        "street": make_user("street_secretary", "secretary", city.streets["a"], also=("data_exchange",)),
        "other": make_user("other_secretary", "secretary", city.communities["b"], also=("data_exchange",)),
        "grid": make_user("grid_worker", "grid_worker", city.communities["a"]),
    }


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_list(actor, org, **fields):
    defaults = dict(kind=ListKind.TASK, title="2026年建设任务清单", period_start=START - datetime.timedelta(days=30),
                    period_end=DEADLINE + datetime.timedelta(days=30))
    defaults.update(fields)
    return services.list_create(actor=actor, org=org, **defaults)


def make_measure(actor, lst, org, **fields):
    defaults = dict(title="建成党群服务站", target="服务站挂牌运行", start_on=START, deadline=DEADLINE)
    if "deadline" in fields and "start_on" not in fields:
        defaults["start_on"] = min(START, fields["deadline"])
    defaults.update(fields)
    return services.measure_create(actor=actor, lst=lst, org=org, **defaults)
