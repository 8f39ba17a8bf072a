"""The users `zoufang.visits.loadbench` drives with locust (headless): read by locust, not by Django.

ZOUFANG_LOAD_JOBS names a JSON file written by the bench: the GET user's tokens and, for the submitting users,
one prepared visit per assigned target not yet visited (token, body). Each submission takes the next one with a
fresh client_uuid (idempotency key), so no two requests of a run record the same visit twice; ZOUFANG_LOAD_SKIP
skips the visits an earlier phase of the run recorded, so a later phase records first visits too.
ZOUFANG_LOAD_PACE_SECONDS is the paced users' mean think time between two submissions.
"""

import itertools
import json
import os
import random
import time
import uuid
from typing import Any

from locust import FastHttpUser, task

with open(os.environ["ZOUFANG_LOAD_JOBS"], encoding="utf-8") as _file:
    _JOBS: dict[str, Any] = json.load(_file)
_SKIP = int(os.environ.get("ZOUFANG_LOAD_SKIP", "0")) % max(1, len(_JOBS["submissions"]))
_SUBMISSIONS = itertools.cycle(_JOBS["submissions"][_SKIP:] + _JOBS["submissions"][:_SKIP])
_READERS = itertools.cycle(_JOBS["readers"])
PACE_SECONDS = float(os.environ.get("ZOUFANG_LOAD_PACE_SECONDS", "40"))


class CheapestGet(FastHttpUser):
    """GET /api/v1/auth/tokens: token authentication and one small query, the cheapest authenticated endpoint."""

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(_READERS)}"}

    @task
    def my_tokens(self) -> None:
        self.client.get("/api/v1/auth/tokens", headers=self.headers, name="GET 最便宜的认证接口")


class VisitSubmission(FastHttpUser):
    """POST /api/v1/visits: a cadre's visit to a target assigned to them, with its questionnaires answered."""

    @task
    def submit(self) -> None:
        job = next(_SUBMISSIONS)
        body = {**job["body"], "client_uuid": str(uuid.uuid4())}
        with self.client.post("/api/v1/visits", json=body, headers={"Authorization": f"Bearer {job['token']}"},
                              name="POST 登记走访", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")


class PacedVisitSubmission(VisitSubmission):
    """The same submissions at a cadre's pace: a think time drawn from an exponential law of mean PACE_SECONDS
    after each answer (arrivals at random, as from many phones), the clients' first submissions spread over the
    first PACE_SECONDS instead of arriving together."""

    def wait_time(self) -> float:
        return random.expovariate(1 / PACE_SECONDS)  # noqa: S311 - load timing, not a secret

    def on_start(self) -> None:
        time.sleep(random.uniform(0, PACE_SECONDS))  # noqa: S311 - load timing, not a secret
