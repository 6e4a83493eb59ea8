"""`dangjian token create|revoke --user NAME`: API tokens for scripts and other systems.

A token acts with exactly the role grants of its account, so give integrations an account
of their own with only the grants they need. Creating and revoking are audited."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from dangjian.accounts.models import User
from dangjian.core import audit


def _user(username):
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no account named {username!r}") from None


@transaction.atomic
def token_issue(*, user):
    """The account's API token, created on first use; returns (token, created)."""
    if not user.is_active:
        raise CommandError(f"account {user.username!r} is disabled")
    token, created = Token.objects.get_or_create(user=user)
    audit.record(actor=None, action="token", obj=user, object_repr=user.username,
                 after={"operation": "create" if created else "reuse"})
    return token, created


@transaction.atomic
def token_revoke(*, user):
    """Delete the account's API token; returns whether there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=None, action="token", obj=user, object_repr=user.username,
                     after={"operation": "revoke"})
    return bool(deleted)


class Command(BaseCommand):
    help = "Create (or show) or revoke the API token of an account."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="print the account's token, creating it if needed")
        create.add_argument("--user", required=True, help="username")
        revoke = sub.add_parser("revoke", help="delete the account's token; clients using it get 401")
        revoke.add_argument("--user", required=True, help="username")

    def handle(self, *args, operation, user, **options):
        account = _user(user)
        if operation == "create":
            token, created = token_issue(user=account)
            if created:
                self.stderr.write(f"created a token for {account.username}")
            self.stdout.write(token.key)
        else:
            if token_revoke(user=account):
                self.stdout.write(f"revoked the token of {account.username}")
            else:
                self.stdout.write(f"{account.username} had no token")
