"""What the account pages let a person pick. Granting a role is a global action of the
security administrator (三员分立), who holds no subtree of the org tree: the grant form's
picker offers every open organisation to an account that may grant roles, nothing to others."""

from dangjian.core import pickers
from dangjian.orgs.models import Org

from .roles import user_has_global


def _grantable_orgs(user, action):
    return Org.objects.open() if user_has_global(user, "grant_roles") else Org.objects.none()


def register():
    pickers.register("grant_org", queryset=_grantable_orgs, note=lambda org: org.get_kind_display(),
                     order_by=("depth", "path"))
