"""Issue 7.5: keys of the former rest_framework.authtoken table become hashed tokens (the
key keeps working for a while) and the plain-text table goes."""

import importlib

from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.accounts import tokens
from dangjian.accounts.models import ApiToken

migration = importlib.import_module("dangjian.accounts.migrations.0003_api_tokens")


class _Editor:
    """What the migration uses of a schema editor (SQLite's refuses to open inside a test's transaction)."""

    connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_legacy_keys_are_hashed_and_the_table_dropped(users):
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    created = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    editor = _Editor()
    editor.execute(f"CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created {created} NOT NULL, "
                   "user_id bigint NOT NULL)")
    editor.execute("INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                   [key, connection.ops.adapt_datetimefield_value(timezone.now()), users["a"].pk])
    migration.move_legacy_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=users["a"])
    assert token.digest == tokens.digest(key) and key not in token.prefix + token.name
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/orgs/").status_code == 200
