"""Builders for tests of every app: a small city with two districts, and accounts with
grants. Everything goes through services, as production code does.

This module sits above the apps (it builds orgs and accounts), so `core.testing` can stay
free of app imports: it holds the generic helpers (the scope matrix, the picker driver),
re-exported here so that tests import from one place.
"""

import dataclasses
import datetime
import io
import itertools
import time

import pytest

from dangjian.accounts import services as account_services
from dangjian.core.testing import *  # noqa: F401,F403  (the generic helpers, one import for tests)
from dangjian.core.testing import __all__ as _core_names
from dangjian.orgs import services as org_services
from dangjian.orgs.idnumber import check_character
from dangjian.orgs.models import AreaKind, OrgKind, Sector

PASSWORD = "Test-pass-2026"
_serial = itertools.count(1)


def make_id_number(born=datetime.date(1980, 5, 17), region="320602", serial=None):
    serial = next(_serial) if serial is None else serial
    first17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_character(first17)


class City:
    """city → districts A and B → one street each → one community each → two grids → buildings."""

    def __init__(self):
        self.city_area = org_services.area_create(actor=None, parent=None, name="测试市", kind=AreaKind.CITY)
        self.city = org_services.org_create(actor=None, parent=None, name="中共测试市委", kind=OrgKind.LOCAL_COMMITTEE,
                                            sector=Sector.ORGAN, area=self.city_area)
        self.districts, self.streets, self.communities, self.grids, self.branches = {}, {}, {}, {}, {}
        for key, name in (("a", "甲区"), ("b", "乙区")):
            d_area = org_services.area_create(actor=None, parent=self.city_area, name=name, kind=AreaKind.DISTRICT)
            district = org_services.org_create(actor=None, parent=self.city, name=f"中共{name}委",
                                               kind=OrgKind.LOCAL_COMMITTEE, sector=Sector.ORGAN, area=d_area)
            s_area = org_services.area_create(actor=None, parent=d_area, name=f"{name}一街道", kind=AreaKind.STREET)
            street = org_services.org_create(actor=None, parent=district, name=f"{name}一街道党工委",
                                             kind=OrgKind.WORKING_COMMITTEE, sector=Sector.URBAN_COMMUNITY,
                                             area=s_area, is_regional=True)
            c_area = org_services.area_create(actor=None, parent=s_area, name=f"{name}幸福社区", kind=AreaKind.COMMUNITY)
            community = org_services.org_create(actor=None, parent=street, name=f"{name}幸福社区党委",
                                                kind=OrgKind.COMMITTEE, sector=Sector.URBAN_COMMUNITY, area=c_area)
            grids = []
            for g in (1, 2):
                grid = org_services.area_create(actor=None, parent=c_area, name=f"第{g}网格", kind=AreaKind.GRID)
                org_services.area_create(actor=None, parent=grid, name=f"{g}号楼", kind=AreaKind.BUILDING)
                grids.append(grid)
            branch = org_services.org_create(actor=None, parent=community, name=f"{name}幸福社区第1网格党支部",
                                             kind=OrgKind.BRANCH, sector=Sector.URBAN_COMMUNITY, area=grids[0])
            self.districts[key], self.streets[key], self.communities[key] = district, street, community
            self.grids[key], self.branches[key] = grids, branch

    def member(self, org, name="张三", **fields):
        defaults = dict(id_number=make_id_number(), joined_on=datetime.date(2010, 7, 1), status="full",
                        category="employed", phone="13812345678", address="幸福路1号")
        defaults.update(fields)
        return org_services.member_create(actor=None, org=org, name=name, **defaults)


def make_user(username, role=None, org=None, *, also=(), **kwargs):
    """An account with `role` at `org`, and the roles in `also` at the same org
    (`also=("data_exchange",)`: a secretary who may also export and import)."""
    user = account_services.user_create(actor=None, username=username, password=PASSWORD, **kwargs)
    for each in ([role] if role else []) + list(also):
        account_services.role_grant(actor=None, user=user, role=each, org=org)
    return user


__all__ = [*_core_names, "PASSWORD", "City", "Seeded", "make_id_number", "make_user", "seeded_module"]


def overview_panel(client, key, root=None):
    """The overview panel `key` as the home and org pages fetch it once loaded (htmx), for
    `root` (an org) or the whole scope: (status code, HTML)."""
    from django.urls import reverse

    params = {"root": root.pk} if root is not None else {}
    response = client.get(reverse("orgs:overview_panel", args=[key]), params, HTTP_HX_REQUEST="true")
    return response.status_code, response.content.decode()


# A seeded city shared by a module's tests -------------------------------------------------

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]   # what the root conftest gives tests


@dataclasses.dataclass(frozen=True)
class Seeded:
    output: str          # what the seed wrote to stdout
    seconds: float       # how long it took
    extra: object        # what `patch` returned


def seeded_module(preset="demo", *, command=False, patch=None, scope="module", databases=("default",)):
    """A fixture that loads `preset` once per module (or class, with `scope="class"`) and gives
    its tests a `Seeded`; each test still runs in its own transaction, rolled back after it.
    Tests reach it through a function-scoped fixture that also asks for `db`:

        demo_seed = seeded_module("demo")

        @pytest.fixture
        def demo(db, demo_seed):
            return demo_seed                    # demo.output is the seed's stdout

    The fixture opens a transaction on each of `databases`, seeds inside it (through
    `dangjian seed` when `command` is true, else `load_preset`) and rolls it back once the
    scope ends, then checks every table has the row count it had before. A test's own
    transaction is a savepoint inside it, so what one test changes the next does not see.
    `patch(monkeypatch)` runs just before seeding, its patches undone once the seed is in.

    Every test of the scope that uses the database sees the seeded rows, whether or not it
    asks for the fixture: tests that need an empty database go in another module, or the
    seeded tests go in a class with `scope="class"`."""

    @pytest.fixture(scope=scope)
    def seeded(django_db_setup, django_db_blocker):
        from django.core.management import call_command
        from django.db import transaction
        from django.test import override_settings

        from dangjian.orgs.seed import load_preset

        with django_db_blocker.unblock():
            before = _row_counts(databases)
            atomics = []
            try:
                for alias in databases:
                    atomic = transaction.atomic(using=alias)
                    atomic.__enter__()
                    atomics.append((alias, atomic))
                # The tests' fast hasher, so that they can check the accounts' passwords.
                with override_settings(PASSWORD_HASHERS=FAST_HASHERS), pytest.MonkeyPatch.context() as monkeypatch:
                    extra = patch(monkeypatch) if patch else None
                    out, started = io.StringIO(), time.monotonic()
                    if command:
                        call_command("seed", preset=preset, password=PASSWORD, stdout=out)
                    else:
                        load_preset(preset, password=PASSWORD, stdout=out)
                    result = Seeded(out.getvalue(), time.monotonic() - started, extra)
            except BaseException:
                _roll_back(atomics)
                raise
        try:
            yield result
        finally:
            with django_db_blocker.unblock():
                _roll_back(atomics)
                after = _row_counts(databases)
            left = {table: (before[table], count) for table, count in after.items() if count != before[table]}
            assert not left, f"the {preset} seed left rows behind (table: (before, after)): {left}"

    return seeded


def _roll_back(atomics):
    from django.db import transaction

    for alias, atomic in reversed(atomics):
        transaction.set_rollback(True, using=alias)
        atomic.__exit__(None, None, None)
    atomics.clear()


def _row_counts(databases):
    """{(alias, table): rows} for every model table, m2m tables included."""
    from django.apps import apps

    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    return {(alias, m._meta.db_table): m._base_manager.using(alias).count() for alias in databases for m in models}
