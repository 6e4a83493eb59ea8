"""Large xlsx exports run as a background job (issue 8.3): checked and audited in the
request, written by the task in the owner's scope, downloaded by the owner only."""

import io

import openpyxl
import pytest

from dangjian.core.models import AuditEntry, ExportJob
from dangjian.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city, settings, tmp_path):
    settings.DANGJIAN_EXPORT_INLINE_ROWS = 2
    settings.DANGJIAN_EXPORT_DIR = tmp_path / "exports"
    for n in range(3):
        city.member(city.branches["a"], name=f"甲区党员{n}")
    city.member(city.branches["b"], name="乙区党员")
    return city


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_a_large_xlsx_export_becomes_a_job_the_owner_downloads(world, client, django_capture_on_commit_callbacks):
    owner = make_user("exporter", "secretary", world.districts["a"], also=("data_exchange",))
    _login(client, owner)
    before = AuditEntry.objects.filter(action="export").count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/io/members/export/", {"format": "xlsx", "reason": ""})
    job = ExportJob.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    # Audited once, in the request; the task wrote the file (immediate backend in tests).
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.row_count == 3 and entry.request_id and entry.request_id == job.request_id
    job.refresh_from_db()
    assert job.status == "done" and job.processed_rows == 3
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'data-testid="export-download"' in page
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"甲区党员0", "甲区党员1", "甲区党员2"}  # the sibling district's member is not there


def test_another_user_cannot_see_or_download_the_job(world, client):
    owner = make_user("exporter", "secretary", world.districts["a"], also=("data_exchange",))
    _login(client, owner)
    client.post("/io/members/export/", {"format": "xlsx", "reason": ""})
    job = ExportJob.objects.get(owner=owner)
    client.logout()
    other = make_user("sibling", "secretary", world.districts["b"], also=("data_exchange",))
    _login(client, other)
    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_small_exports_and_csv_stay_in_the_request(world, client, settings):
    owner = make_user("exporter", "secretary", world.districts["a"], also=("data_exchange",))
    _login(client, owner)
    response = client.post("/io/members/export/", {"format": "csv", "reason": ""})
    assert response.status_code == 200 and "甲区党员0" in b"".join(response.streaming_content).decode("utf-8-sig")
    settings.DANGJIAN_EXPORT_INLINE_ROWS = 100
    response = client.post("/io/members/export/", {"format": "xlsx", "reason": ""})
    assert response.status_code == 200 and not ExportJob.objects.exists()


def test_expired_jobs_and_files_are_purged(world, client, settings, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    from dangjian.core.spreadsheets.exports import path_of, purge_expired

    owner = make_user("exporter", "secretary", world.districts["a"], also=("data_exchange",))
    _login(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/io/members/export/", {"format": "xlsx", "reason": ""})
    job = ExportJob.objects.get(owner=owner)
    assert path_of(job).exists()
    assert purge_expired(now=timezone.now() + datetime.timedelta(hours=settings.DANGJIAN_EXPORT_KEEP_HOURS + 1)) == 1
    assert not path_of(job).exists() and not ExportJob.objects.exists()
