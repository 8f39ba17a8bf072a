from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "zoufang.ratings"
    verbose_name = _("企业评价")

    def ready(self) -> None:
        # Every path that writes an answer (the visit form, the API, the demo, the admin) gets its 督查 items in
        # the same transaction, without the forms and visits apps knowing about ratings (docs/ratings.md).
        from django.db.models.signals import post_save

        from zoufang.forms.models import FormAnswer
        from zoufang.ratings import tallies
        from zoufang.ratings.services import answer_saved

        post_save.connect(answer_saved, sender=FormAnswer, dispatch_uid="ratings.answer_saved")
        # The kept tallies move in the same transaction (decision 0012).
        tallies.connect()
