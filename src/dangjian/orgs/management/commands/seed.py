"""`dangjian seed --preset demo|nantong [--if-empty] [--password PASSWORD]`

Loads a seed city in one transaction: the area tree (city → districts → streets/towns →
communities/villages → grids → buildings), the organisation tree with every sector and
the coordinating forms, members, posts, and the demo accounts (the only place accounts
are made without an administrator: presets exist for demonstrations and benchmarks).

- `demo`: two districts, about 2,400 members, loads in seconds (`make run` uses it with
  `--if-empty`, which does nothing when the database already has organisations and just
  prints the accounts again).
- `nantong`: the whole city at the scale of its Party statistics: exactly 25,199
  grassroots organisations and 465,134 members.

The demo accounts' password is `--password`, else DANGJIAN_DEMO_PASSWORD, else one
generated once into VAR_DIR/demo-password (mode 600).

Extension hook: after organisations, members and accounts are in, every installed app
that has a module `<app>.seed` defining `seed(*, preset, rng, stdout)` is called with the
preset name, a random.Random seeded from the preset and the app label, and the command's
stdout, inside the same transaction, in INSTALLED_APPS order. That is how later modules
(lists, duties …) add their demo data: they read what is there (for example the accounts
named below) and write through their services.
"""

import time
import unicodedata

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.orgs.models import Org
from dangjian.orgs.seed import PRESETS, demo_password, load_preset

ACCOUNT_ORDER = ["city_admin", "street_secretary", "community_secretary", "grid_secretary", "grid_worker", "auditor",
                 "sys_admin", "sec_admin", "audit_admin"]


class Command(BaseCommand):
    help = "载入演示数据（demo）或南通全市规模数据（nantong）。"

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="demo")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有组织时什么也不做（只列出演示账号）。")
        parser.add_argument("--password", help="演示账号的密码（默认取 DANGJIAN_DEMO_PASSWORD 或自动生成）。")

    def handle(self, *, preset, if_empty, password, verbosity, **options):
        password = password or demo_password()
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("演示账号密码不符合密码规则：" + " ".join(exc.messages)) from None
        if Org.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有组织数据，未重复载入。")
                self.print_accounts(password)
                return
            raise CommandError("数据库中已有组织数据：请使用空数据库，或加 --if-empty。")
        started = time.perf_counter()
        self.stdout.write(f"正在载入预设 {preset} …")
        result = load_preset(preset, password=password, stdout=self.stdout, verbose=verbosity >= 2)
        counts = result["counts"]
        self.stdout.write(self.style.SUCCESS(
            f"已载入 {preset}：{counts['areas']:,} 个区域，{counts['orgs']:,} 个组织，{counts['members']:,} 名党员，"
            f"{counts['posts']:,} 个职务，用时 {time.perf_counter() - started:.1f} 秒。"))
        if result["extensions"]:
            self.stdout.write("扩展数据：" + "、".join(result["extensions"]))
        self.print_accounts(password)

    def print_accounts(self, password):
        from dangjian.accounts.models import RoleGrant, User
        from dangjian.accounts.roles import SEPARATED_ADMINS

        users = {u.username: u for u in User.objects.filter(username__in=ACCOUNT_ORDER)}
        if not users:
            return
        grants = RoleGrant.objects.filter(user__in=users.values()).select_related("org", "user")
        by_user = {}
        for grant in grants:
            by_user.setdefault(grant.user.username, []).append(grant)
        sample = users.get("city_admin") or next(iter(users.values()))
        shown = password if sample.check_password(password) else "（载入时设定的密码）"
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码：{shown}）")
        for username in ACCOUNT_ORDER:
            if username not in users:
                continue
            for grant in by_user.get(username, []):
                scope = "全局（账号与审计）" if grant.role in SEPARATED_ADMINS else f"{grant.org.name}（含下级）"
                self.stdout.write(f"  {username:<20} {_pad(str(grant.get_role_display()), 14)}{scope}")


def _pad(text, width):
    """Left-align `text` in `width` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)
