"""The seeded activity kinds, duty rules and threshold (data: the migration writes them,
the organisation department edits them afterwards)."""

import datetime

KINDS = [
    ("member_assembly", "支部党员大会"),
    ("committee_meeting", "支委会"),
    ("group_meeting", "党小组会"),
    ("party_lecture", "党课"),
    ("theme_day", "主题党日"),
    ("life_meeting", "组织生活会"),
    ("member_review", "民主评议党员"),
    ("central_study", "党委(党组)理论学习中心组学习"),
    ("deployment", "党建工作部署"),
]

RULES_FROM = datetime.date(2025, 1, 1)

# (kind code, frequency, times, org kinds)
RULES = [
    ("member_assembly", "quarterly", 1, ["branch"]),
    ("committee_meeting", "monthly", 1, ["branch"]),
    ("group_meeting", "monthly", 1, ["group"]),
    ("party_lecture", "quarterly", 1, ["branch"]),
    ("theme_day", "monthly", 1, ["branch"]),
    ("life_meeting", "yearly", 1, ["branch"]),
    ("member_review", "yearly", 1, ["branch"]),
    ("central_study", "quarterly", 1, ["local_committee"]),
    ("deployment", "yearly", 1, ["local_committee"]),
]

# Duties of post holders: (title, kind code, frequency, times, org kinds, post kinds).
# A branch secretary gives at least one Party lecture a year (支部书记讲党课; 002 asks leading
# cadres to 定期讲党课, and their own "示范党课" is one of the 八个一 kept by responsibilities).
POST_RULES = [
    ("支部书记讲党课", "party_lecture", "yearly", 1, ["branch"], ["secretary"]),
]

# Free-form duties, fulfilled by a fulfilment record (履职记录) rather than an activity:
# (title, frequency, times, org kinds, what the seed's records say). 002: "市委每年印发党建工作要点".
FREE_RULES = [
    ("印发年度党建工作要点", "yearly", 1, ["local_committee"], "印发《{year}年党建工作要点》，明确各职能部门年度党建任务。"),
]


def install(apps):
    ActivityKind = apps.get_model("duties", "ActivityKind")
    DutyRule = apps.get_model("duties", "DutyRule")
    DutyRuleVersion = apps.get_model("duties", "DutyRuleVersion")
    ComplianceThreshold = apps.get_model("duties", "ComplianceThreshold")
    kinds = {}
    for position, (code, name) in enumerate(KINDS):
        kinds[code], _ = ActivityKind.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not DutyRule.objects.exists():
        for code, frequency, times, org_kinds in RULES:
            rule = DutyRule.objects.create(title=kinds[code].name)
            DutyRuleVersion.objects.create(rule=rule, number=1, kind=kinds[code], frequency=frequency, times=times,
                                           org_kinds=org_kinds, valid_from=RULES_FROM)
    if any(field.name == "post_kinds" for field in DutyRuleVersion._meta.get_fields()):  # from migration 0002
        for title, code, frequency, times, org_kinds, post_kinds in POST_RULES:
            if not DutyRule.objects.filter(title=title).exists():
                rule = DutyRule.objects.create(title=title)
                DutyRuleVersion.objects.create(rule=rule, number=1, kind=kinds[code], title=title, frequency=frequency,
                                               times=times, org_kinds=org_kinds, post_kinds=post_kinds,
                                               valid_from=RULES_FROM)
    for title, frequency, times, org_kinds, _note in FREE_RULES:
        if not DutyRule.objects.filter(title=title).exists():
            rule = DutyRule.objects.create(title=title)
            DutyRuleVersion.objects.create(rule=rule, number=1, kind=None, title=title, frequency=frequency,
                                           times=times, org_kinds=org_kinds, valid_from=RULES_FROM)
    if not ComplianceThreshold.objects.filter(org__isnull=True).exists():
        ComplianceThreshold.objects.create(org=None, green=90, yellow=70)
