"""A batch's page as the office reads it: what the sample is made of (the count asked for is not the count drawn
when coverage comes first), and how satisfied the people called said they were — the third party's 满意度, in the
results tables the page, the xlsx and the API share."""

import re
from collections import Counter
from typing import Any

import pytest

from zoufang.callbacks import results, services
from zoufang.callbacks.models import CallbackAttempt, CallbackSample
from zoufang.callbacks.tests.conftest import MAY

pytestmark = pytest.mark.django_db

ANSWERS = {"visited": "yes", "same_visitor": "yes", "mode": "home", "when": "五月初", "answered": "none_raised"}


@pytest.fixture
def batch(sampling: Any) -> Any:
    return services.draw_batch(sampling.town.campaign, MAY, by=sampling.users["office"], count=1, seed=2,
                               caller=sampling.company)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_it_says_what_the_sample_is_made_of_counted_from_the_samples(client, sampling, batch):
    reasons = Counter(batch.samples.values_list("reason", flat=True))
    assert sum(reasons.values()) > 1  # one asked for, more drawn: coverage came first
    client.force_login(sampling.users["office"])
    page = _text(client.get(f"/callbacks/{batch.public_id}/").content.decode())
    parts = "、".join(f"{CallbackSample.Reason(reason).label} {n} 条" for reason, n in sorted(
        reasons.items(), key=lambda item: list(CallbackSample.Reason.values).index(item[0])))
    assert f"共抽取 {sum(reasons.values())} 条：{parts}" in page


def test_the_results_count_each_answer_on_satisfaction(client, api_token, sampling, batch, settings):
    settings.ZOUFANG_TODAY = "2017-06-06"
    samples = list(batch.samples.select_related("visit").order_by("position"))
    for sample, satisfaction in zip(samples, ["satisfied", "unsatisfied", "fairly"], strict=False):
        services.record_attempt(sample, by=sampling.users["caller"], kind=CallbackAttempt.Kind.COMPLETED,
                                answers={**ANSWERS, "mode": sample.visit.mode, "satisfaction": satisfaction})
    said = Counter(s.answers.get("satisfaction") for s in CallbackSample.objects.filter(batch=batch))
    total = results.as_dict(results.tables(batch)[0])["total"]
    assert (total["satisfied"], total["fairly_satisfied"], total["unsatisfied"]) == (
        said["satisfied"], said["fairly"], said["unsatisfied"])
    client.force_login(sampling.users["office"])
    page = client.get(f"/callbacks/{batch.public_id}/").content.decode()
    heads = re.findall(r'<th class="num">([^<]+)</th>', page.split("</thead>")[0])
    assert heads[-4:] == ["满意", "基本满意", "不满意", "不满意已跟进"]
    api = client.get(f"/api/v1/callbacks/batches/{batch.public_id}", **api_token("office")).json()
    assert api["tables"][0]["total"]["unsatisfied"] == said["unsatisfied"]
