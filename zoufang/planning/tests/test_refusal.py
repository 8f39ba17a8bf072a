"""The plan page never applies a plan that does not prove 不重不漏 (on the small town, apart from the demo)."""

from zoufang.planning.models import Assignment


def test_it_refuses_to_apply_a_plan_that_leaves_targets_out(client, town):
    """The town fixture has no 兜底 for 计家墩村: the preview says why and offers no apply; a forced POST writes nothing."""
    client.force_login(town.users["office"])
    preview = client.post("/plan/apply/", {"campaign": town.campaign.slug, "mode": "preview"}, follow=True)
    text = preview.content.decode()
    assert "此分配未通过核验（不重不漏），不能写入" in text
    left_out = "、".join(target.name for target in town.households["jijiadun"])
    assert f"计家墩村：{left_out}" in text  # the households left out, named
    assert "确认重新分配" not in text
    response = client.post("/plan/apply/", {"campaign": town.campaign.slug}, follow=True)
    text = response.content.decode()
    assert "分配未通过核验（不重不漏），未写入" in text
    assert "已完成" in text  # the job ran to its end: the refusal is its report, not a failure
    assert not Assignment.objects.filter(campaign=town.campaign).exists()
