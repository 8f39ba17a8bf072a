"""Tokens taken before 0007 cannot say whether a second factor was given: count them as taken on a password alone.

0007 added `ApiToken.password_only` defaulting to False, which made every token taken before it count as taken
with two factors: a cadre's token, taken on a password, kept working after the cadre was given an office role
(the hole 0007 closed for new tokens). Now such a token stops once its account needs two factors; an office
account's old token stops at once (its holder takes a new one with the code, once)."""

from typing import Any

from django.db import migrations


def count_as_password_only(apps: Any, schema_editor: Any) -> None:
    apps.get_model("accounts", "ApiToken").objects.update(password_only=True)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0007_api_token_password_only"),
    ]

    operations = [
        migrations.RunPython(count_as_password_only, migrations.RunPython.noop),
    ]
