"""`dangjian create_admin USERNAME --role system_admin|security_admin|audit_admin`:
the first separated administrators of a new deployment (or a replacement when none is
left). Never a Django superuser. The password is asked for, or read from standard input."""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.accounts import services
from dangjian.accounts.roles import SEPARATED_ADMINS
from dangjian.core import context
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "Create a system, security or audit administrator account."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(str(r) for r in SEPARATED_ADMINS))
        parser.add_argument("--display-name", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, username, role, display_name, password_stdin, **options):
        root = Org.objects.filter(depth=1).order_by("path").first()
        if root is None:
            raise CommandError("no organisation yet: load the organisation tree first")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码: ")
            if password != getpass.getpass("再次输入: "):
                raise CommandError("the two passwords differ")
        try:
            with context.job("create-admin"), transaction.atomic():
                user = services.user_create(actor=None, username=username, password=password,
                                            display_name=display_name)
                services.role_grant(actor=None, user=user, role=role, org=root)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"created {username} ({role}); a second factor is enrolled at first login")
