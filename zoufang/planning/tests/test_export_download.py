"""The office downloads the plan's tables through the queue, as xlsx and as docx, and the build is audited.

On a small town: the demo's whole workbook and printable docx are built and read back by test_walklists and
test_plan_demo; building them again only to see the download answer took about 20 s a run."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.core.testdownloads import saved_name
from zoufang.jobs.testing import queued_file


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_it_downloads_the_tables(client, town, fmt):
    client.force_login(town.users["office"])
    response = queued_file(client, f"/plan/export.{fmt}?campaign={town.campaign.slug}")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert saved_name(response).endswith(f".{fmt}")
    assert AuditEvent.objects.filter(action="export", summary=f"导出分配表 {fmt}").exists()
