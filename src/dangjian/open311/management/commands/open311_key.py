"""`dangjian open311-key create --name NAME | list | revoke --id N` (also `open311_key`).

The key of a GeoReport v2 client (a resident app, a city hotline's system) is printed
once, at creation; the database keeps only its hash. Posting requests needs a key;
reading them does not. Creating and revoking are audited."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.core import context
from dangjian.open311 import services
from dangjian.open311.models import Open311Client


class Command(BaseCommand):
    help = "Create, list or revoke the keys of Open311 GeoReport v2 clients."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="create a client and print its key (shown only this once)")
        create.add_argument("--name", required=True, help="the client system, e.g. 'city hotline app'")
        sub.add_parser("list", help="every client: id, name, key prefix, state, last use")
        revoke = sub.add_parser("revoke", help="revoke a client's key; its posts are refused from then on")
        revoke.add_argument("--id", type=int, required=True, help="client id, from `list`")

    def handle(self, *args, operation, **options):
        with context.job("open311-key"):
            getattr(self, f"_{operation}")(**options)

    def _create(self, name, **options):
        try:
            client, key = services.client_create(actor=None, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from None
        self.stderr.write(f"created Open311 client {client.pk} ({client.prefix}…) {client.name!r}; "
                          "the key is shown only now:")
        self.stdout.write(key)

    def _list(self, **options):
        for client in Open311Client.objects.all():
            state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
            used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "never"
            self.stdout.write(f"{client.pk}\t{client.name}\t{client.prefix}…\t{state}\t"
                              f"created {client.created_at:%Y-%m-%d}\tlast used {used}")

    def _revoke(self, id, **options):
        client = Open311Client.objects.filter(pk=id).first()
        if client is None:
            raise CommandError(f"no Open311 client with id {id}")
        was_active = client.revoked_at is None
        services.client_revoke(actor=None, client=client)
        self.stdout.write(f"revoked Open311 client {client.pk} {client.name!r}" if was_active
                          else f"Open311 client {client.pk} was already revoked")
