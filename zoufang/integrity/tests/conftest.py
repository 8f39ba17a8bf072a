"""The visits tests' town with a campaign, questionnaires and the 派出所 party member assigned."""

from zoufang.visits.tests.conftest import visiting

__all__ = ["visiting"]
