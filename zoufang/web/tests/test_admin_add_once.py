"""An admin add form sent twice (a double click, the browser's resend after a timeout) adds one row, also for a
row without a natural key (a project, a household without an ID number): the form carries a request key."""

from typing import Any

from django.test import Client

from zoufang.core.testforms import form_values
from zoufang.registry.models import Target

ADD = "/admin/registry/target/add/"


def _project(client: Client, town: Any) -> dict[str, Any]:
    form = form_values(client.get(ADD).content.decode(), "target_form")
    return {**form, "kind": Target.Kind.PROJECT, "region": town.jijiadun.pk, "name": "计家墩村污水管网改造",
            "_save": "保存"}


def test_the_add_form_sent_twice_adds_one_row_and_says_it_was_saved_already(town: Any, office_admin: Client) -> None:
    sent = _project(office_admin, town)
    assert office_admin.post(ADD, sent).status_code == 302
    again = office_admin.post(ADD, sent, follow=True)
    project = Target.objects.get(name="计家墩村污水管网改造")  # one row
    # The row the first sending added is opened, with a word that this one added nothing.
    assert again.redirect_chain[-1][0] == f"/admin/registry/target/{project.pk}/change/"
    assert "这张表单刚才已经保存过，没有再添加一次；下面就是那时添加的走访对象。" in again.content.decode()


def test_a_new_add_form_adds_another_row(town: Any, office_admin: Client) -> None:
    """Two projects of one name are the office's to decide (another form, another key): not refused."""
    assert office_admin.post(ADD, _project(office_admin, town)).status_code == 302
    assert office_admin.post(ADD, _project(office_admin, town)).status_code == 302
    assert Target.objects.filter(name="计家墩村污水管网改造").count() == 2


def test_the_admin_index_s_hidden_table_headings_are_read_aloud_in_chinese(office_admin: Client) -> None:
    """Django's app list names its columns for screen readers only, in English: zoufang's locale gives them Chinese."""
    page = office_admin.get("/admin/").content.decode()
    for english in ("Model name", "Add link", "Change or view list link"):
        assert english not in page
    assert "数据类别" in page
