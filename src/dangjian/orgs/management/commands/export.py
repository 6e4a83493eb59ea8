"""`dangjian export orgs|members --user NAME [--format xlsx|csv] [--within ID]
[--filter KEY=VALUE ...] [--full-id] [--reason TEXT] -o FILE`

Exports, as the named account would from the list pages: its export scope, the same
filters, masked personal data unless --full-id (which needs view_full_id), a reason
above the bulk threshold, and one audit entry with the row count.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from dangjian.accounts.models import User
from dangjian.orgs import spreadsheets as io


class Command(BaseCommand):
    help = "Export organisations or members in the registry's columns to an .xlsx or .csv file (audited)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["orgs", "members"])
        parser.add_argument("--user", required=True, help="export as this account (its scope applies)")
        parser.add_argument("--format", choices=["xlsx", "csv"], help="default: from the file name, else xlsx")
        parser.add_argument("--within", type=int, help="only this org's subtree (org id)")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="a list filter, as in the page's query string (repeatable)")
        parser.add_argument("--full-id", action="store_true", help="full ID numbers, phones and addresses")
        parser.add_argument("--reason", default="", help="why (required above the bulk threshold)")
        parser.add_argument("-o", "--output", required=True, help="file to write")

    def handle(self, *args, kind, user, output, within=None, reason="", full_id=False, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active account named {user!r}")
        fmt = options.get("format") or ("csv" if output.lower().endswith(".csv") else "xlsx")
        params = QueryDict(mutable=True)
        for item in options.get("filter") or []:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter needs KEY=VALUE, got {item!r}")
            params.appendlist(key.strip(), value.strip())
        if within is not None:
            params["within"] = str(within)
        try:
            if kind == "orgs":
                export = io.export_orgs(actor=actor, params=params, fmt=fmt, reason=reason)
            else:
                export = io.export_members(actor=actor, params=params, fmt=fmt, reason=reason, full_id=full_id)
        except ValidationError as exc:
            messages = [f"{key}: {' '.join(msgs)}" for key, msgs in exc.message_dict.items()]
            raise CommandError("; ".join(messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "permission denied") from None
        with open(output, "wb") as handle:
            export.write(handle)
        self.stdout.write(f"已导出 {export.count} 行到 {output}")
