"""The users `zoufang.visits.loadbench` drives with locust (headless): read by locust, not by Django.

ZOUFANG_LOAD_JOBS names a JSON file written by the bench: the GET user's tokens and, for the submitting users,
one prepared visit per assigned target not yet visited (token, body). Each submission takes the next one with a
fresh client_uuid (idempotency key), so no two requests of a run record the same visit twice.
"""

import itertools
import json
import os
import uuid
from typing import Any

from locust import FastHttpUser, task

with open(os.environ["ZOUFANG_LOAD_JOBS"], encoding="utf-8") as _file:
    _JOBS: dict[str, Any] = json.load(_file)
_SUBMISSIONS = itertools.cycle(_JOBS["submissions"])
_READERS = itertools.cycle(_JOBS["readers"])


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
