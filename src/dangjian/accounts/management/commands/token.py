"""`dangjian token create --user NAME --name TEXT [--days N] | list --user NAME | revoke --id N | revoke --user NAME`.

The key is printed once, at creation; the database keeps only its hash. A token acts with
exactly the role grants of its account, so give integrations an account of their own with
only the grants they need. Creating and revoking are audited."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts import tokens
from dangjian.accounts.models import ApiToken, User
from dangjian.core import context


def _user(username):
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no account named {username!r}") from None


class Command(BaseCommand):
    help = "Create, list or revoke the API tokens of an account."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="create a token and print its key (shown only this once)")
        create.add_argument("--user", required=True, help="username")
        create.add_argument("--name", default="dangjian token", help="what the token is for, e.g. the calling system")
        create.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS,
                            help=f"valid for this many days (default {tokens.DEFAULT_DAYS}, at most {tokens.MAX_DAYS})")
        listing = sub.add_parser("list", help="the account's tokens: id, name, prefix, expiry, last use")
        listing.add_argument("--user", required=True, help="username")
        revoke = sub.add_parser("revoke", help="revoke a token (--id) or all of an account's tokens (--user)")
        target = revoke.add_mutually_exclusive_group(required=True)
        target.add_argument("--id", type=int, help="token id, from `list`")
        target.add_argument("--user", help="username: revoke all its tokens")

    def handle(self, *args, operation, **options):
        with context.job("token"):
            getattr(self, f"_{operation}")(**options)

    def _create(self, user, name, days, **options):
        account = _user(user)
        try:
            token, key = tokens.token_create(actor=None, user=account, name=name, days=days)
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from None
        self.stderr.write(f"created token {token.pk} ({token.prefix}…) for {account.username}, "
                          f"valid until {token.expires_at:%Y-%m-%d}; the key is shown only now:")
        self.stdout.write(key)

    def _list(self, user, **options):
        for token in ApiToken.objects.filter(user=_user(user)):
            state = "revoked" if token.revoked_at else ("active" if token.is_usable() else "expired")
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(f"{token.pk}\t{token.name}\t{token.prefix}…\t{state}\t"
                              f"expires {token.expires_at:%Y-%m-%d}\tlast used {used}")

    def _revoke(self, id=None, user=None, **options):
        if id is not None:
            token = ApiToken.objects.select_related("user").filter(pk=id).first()
            if token is None:
                raise CommandError(f"no token with id {id}")
            was_usable = token.is_usable()
            tokens.token_revoke(actor=None, token=token)
            self.stdout.write(f"revoked token {token.pk} of {token.user.username}" if was_usable
                              else f"token {token.pk} was already revoked or expired")
            return
        account = _user(user)
        count = tokens.token_revoke_all(actor=None, user=account)
        self.stdout.write(f"revoked {count} token(s) of {account.username}")
