"""Roles and what each allows. A role is granted at an org and applies to its subtree;
the three separated administrators (三员) act on accounts and the audit log only."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("组织部管理员")
    SECRETARY = "secretary", _("书记")
    PARTY_AFFAIRS_WORKER = "party_affairs_worker", _("党务工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    DATA_EXCHANGE = "data_exchange", _("数据导入导出")
    MEMBER = "member", _("党员")
    AUDITOR = "auditor", _("审计员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


SEPARATED_ADMINS = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
# Administrators get the shorter idle timeout and always need a second factor.
ADMIN_ROLES = SEPARATED_ADMINS | {Role.ORG_ADMIN}

# Actions on business data inside the granted subtree.
#   view            organisations, areas, posts
#   view_members    member records (masked)
#   change          create and edit orgs, members, posts
#   export          exports (files of members and organisations)
#   import          imports (a row also needs `change` on the org it names)
#   view_full_id    full ID numbers and phones (audited)
#   view_audit      audit entries inside the subtree
#   grant           grant and revoke business roles inside the subtree
# Global actions of the separated administrators (the grant's org does not matter).
#   manage_accounts, grant_roles, reset_passwords, lock_accounts, approve_bulk, view_audit_all
CAPABILITIES = {
    Role.ORG_ADMIN: {"view", "view_members", "change", "export", "import", "view_full_id", "view_audit", "grant"},
    # A secretary (a grid branch's included) acts on the own subtree every day without a second
    # factor; exports and imports are a separate grant (issue 9.1).
    Role.SECRETARY: {"view", "view_members", "change"},
    Role.PARTY_AFFAIRS_WORKER: {"view", "view_members", "change"},
    # Governance staff: reads the grid's people and places.
    Role.GRID_WORKER: {"view", "view_members"},
    Role.DATA_EXCHANGE: {"view", "view_members", "export", "import"},
    Role.MEMBER: {"view"},
    Role.AUDITOR: {"view", "view_members", "view_audit"},
    Role.SYSTEM_ADMIN: {"manage_accounts"},
    Role.SECURITY_ADMIN: {"grant_roles", "reset_passwords", "lock_accounts", "approve_bulk"},
    Role.AUDIT_ADMIN: {"view_audit_all"},
}

# Holding any of these needs a second factor (issue: security baseline).
SENSITIVE_ACTIONS = {"view_full_id", "export", "import", "manage_accounts", "grant_roles", "view_audit_all"}


def two_factor_required_for_roles(roles, is_superuser=False):
    """Administrators, and anyone who may see full ID numbers or export, need a second factor."""
    return is_superuser or any(role in ADMIN_ROLES or CAPABILITIES.get(role, set()) & SENSITIVE_ACTIONS
                               for role in roles)


# Where each separated administrator lands (issue 9.3): their own page, not an empty overview.
ADMIN_LANDINGS = (("manage_accounts", "accounts:user_list"), ("grant_roles", "accounts:user_list"),
                  ("approve_bulk", "accounts:approvals"), ("view_audit_all", "accounts:audit_list"))


def separated_admin_landing(user):
    from django.urls import reverse

    from dangjian.core.scope import scope_paths

    if scope_paths(user, "view"):
        return None  # a business account (the separated administrators hold no business grant)
    for action, name in ADMIN_LANDINGS:
        if user_has_global(user, action):
            return reverse(name)
    return None


def role_allows(role, action):
    return action in CAPABILITIES.get(role, set())


def open_grants(user):
    """(role, org path) of the user's grants at open organisations: one query."""
    return list(user.role_grants.filter(org__closed_at__isnull=True).values_list("role", "org__path"))


def user_has_global(user, action):
    if not getattr(user, "is_authenticated", False):
        return False
    cache = user.__dict__.setdefault("_global_cache", {})
    if action not in cache:
        cache[action] = any(role_allows(role, action) for role in user.role_grants.values_list("role", flat=True))
    return cache[action]
