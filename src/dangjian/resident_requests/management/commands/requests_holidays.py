"""Load a year of public holidays and adjusted working days from a CSV file:
`date,kind,name` lines (kind: holiday or workday; a header line is allowed)."""

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Load holidays (date,kind,name; kind holiday/workday) from CSV; --replace-year clears that year first."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--replace-year", type=int)

    def handle(self, *args, path, replace_year=None, **options):
        from dangjian.core import audit

        from ...models import Holiday, HolidayKind

        rows = []
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                for number, line in enumerate(csv.reader(handle), start=1):
                    if not line or not line[0].strip() or line[0].strip().lower() == "date":
                        continue
                    try:
                        day = datetime.date.fromisoformat(line[0].strip())
                    except ValueError:
                        raise CommandError(_("第%(n)d行：日期无效。") % {"n": number}) from None
                    kind = (line[1].strip() if len(line) > 1 else "").lower()
                    if kind not in HolidayKind.values:
                        raise CommandError(_("第%(n)d行：类型应为 holiday 或 workday。") % {"n": number})
                    rows.append((day, kind, (line[2].strip() if len(line) > 2 else "")[:40]))
        except OSError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            if replace_year:
                Holiday.objects.filter(date__year=replace_year).delete()
            for day, kind, name in rows:
                Holiday.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
            audit.record(actor=None, action="import", object_type="resident_requests.holiday",
                         object_repr=_("节假日"), row_count=len(rows))
        self.stdout.write(_("已载入 %(n)d 天。") % {"n": len(rows)})
