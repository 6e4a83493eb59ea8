"""`dangjian import orgs|members|lists FILE [--user NAME] [--dry-run]`

Imports a registry-shaped spreadsheet (.xlsx or .csv; docs/registry-columns.md). Every
problem is printed as “row N, column: reason” and the command exits non-zero having
changed nothing. Without --user it runs as the system (no scope limit, may create
top-level organisations); with --user it is limited to that account's `change` scope.
"""

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import User
from dangjian.core.spreadsheets.importer import run_import
from dangjian.core.spreadsheets.reader import SpreadsheetError, open_path


class Command(BaseCommand):
    help = "Import organisations or members from an .xlsx or .csv file in the registry's columns (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["orgs", "members", "lists"])
        parser.add_argument("file")
        parser.add_argument("--user", help="act as this account (its change scope applies)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, change nothing")

    def handle(self, *args, kind, file, user=None, dry_run=False, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active account named {user!r}")
        try:
            sheet = open_path(file)
        except FileNotFoundError:
            raise CommandError(f"no such file: {file}") from None
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from None
        result = run_import(kind, actor=actor, sheet=sheet, dry_run=dry_run)
        if not result.ok:
            for problem in result.problems:
                where = f"第 {problem.row} 行" if problem.row is not None else "文件"
                column = f"，{problem.column}" if problem.column else ""
                self.stderr.write(f"{where}{column}：{problem.reason}")
            raise CommandError(f"{result.problem_count} 个问题，未做任何修改。")
        if dry_run:
            self.stdout.write(f"检查通过：{result.rows} 行，没有问题（未写入）。")
        else:
            self.stdout.write(f"导入完成：新建 {result.created} 条记录。")
