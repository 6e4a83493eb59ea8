"""The list pages of units, reports, agreements, alliances and instructors, as core tables.

Their columns are of a few kinds (a name linking to the row's page, a choice, an
organisation, a date, a count); the helpers below build each kind once."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.tables import Column, Table
from dangjian.core.text import PinyinOrder


def _sort(field, sortable):
    return (field, "pk") if sortable is True else sortable or None


def link(name, label, url_name, *, pk="row.pk", text=None, sortable=True, after=""):
    """The row's name or title, linking to its detail page (`url_name`, with `pk`)."""
    text = text or f"row.{name}"
    return Column(name, label, order_by=_sort(name, sortable), css="wrap",
                  template=f'<a href="{{% url "{url_name}" {pk} %}}">{{{{ {text} }}}}</a>{after}')


def choice(name, label):
    """A choice field, shown by its label, sorted by its code."""
    return Column(name, label, accessor=f"get_{name}_display", order_by=(name, "pk"), css="meta")


def org(name, label, *, sortable=True):
    """An organisation by its short name, sorted in tree order."""
    return Column(name, label, order_by=_sort(f"{name}__path", sortable), css="meta",
                  template=f"{{{{ row.{name}.short_name|default:row.{name}.name }}}}")


def date(name, label, *, field=None, template=None):
    """A date (or a period, with `template`), sorted by `field` (the column's own by default)."""
    return Column(name, label, order_by=(field or name, "pk"), css="meta",
                  template=template or f'{{{{ row.{name}|date:"Y-m-d" }}}}')


def count(name, label):
    return Column(name, label, css="num")


class UnitTable(Table):
    columns = [
        link("name", _("单位名称"), "cobuilding:unit_detail", sortable=(PinyinOrder(), "pk"),
             after='{% if row.closed_on %} <span class="badge badge-closed">{{ row.closed_on|date:"Y-m-d" }}</span>'
                   '{% endif %}'),
        choice("kind", _("单位类型")),
        Column("coverage", _("党组织覆盖方式"), order_by=("coverage", "pk"), css="meta",
               template='<span class="badge coverage-{{ row.coverage }}">{{ row.get_coverage_display }}</span>'),
        Column("covering_org", _("覆盖党组织"), css="meta",
               template="{% if row.covering_org %}{{ row.covering_org.short_name|default:row.covering_org.name }}"
                        "{% else %}—{% endif %}"),
        org("org", _("属地党组织")),
        Column("staff_size", _("从业人员数"), order_by=("staff_size", "pk"), css="num",
               template="{{ row.staff_size|default_if_none:'—' }}"),
    ]
    empty_text = _("管辖范围内还没有登记驻区单位。")
    empty_filtered_text = _("没有符合条件的驻区单位，可清除筛选后再看。")


class UnitReportTable(Table):
    columns = [
        link("unit", _("驻区单位"), "cobuilding:unit_detail", pk="row.unit_id", text="row.unit.name",
             sortable=False),
        org("community", _("报到社区党组织")),
        choice("status", _("状态")),
        date("registered_at", _("登记时间")),
        Column("offer", _("可提供的资源与服务"), css="wrap"),
    ]
    empty_text = _("管辖范围内还没有单位报到。")
    empty_filtered_text = _("没有符合条件的报到记录，可清除筛选后再看。")


class AgreementTable(Table):
    columns = [
        link("title", _("协议名称"), "cobuilding:agreement_detail"),
        choice("kind", _("协议类型")),
        org("org", _("社区/街道党组织")),
        date("period", _("期限"), field="start_on",
             template='{{ row.start_on|date:"Y-m-d" }} — {{ row.end_on|date:"Y-m-d" }}'),
        count("n_parties", _("共建单位数")),
    ]
    empty_text = _("管辖范围内还没有共建协议。")
    empty_filtered_text = _("没有符合条件的共建协议，可清除筛选后再看。")


class AllianceTable(Table):
    columns = [
        link("name", _("名称"), "cobuilding:alliance_detail"),
        choice("kind", _("类型")),
        org("lead_org", _("牵头党组织")),
        date("founded_on", _("成立日期")),
        count("n_members", _("成员数")),
    ]
    empty_text = _("管辖范围内还没有党建联盟。")
    empty_filtered_text = _("没有符合条件的党建联盟，可清除筛选后再看。")


class InstructorTable(Table):
    columns = [
        link("name", _("姓名"), "cobuilding:instructor_detail", sortable=False),
        Column("former_post", _("原任职务"), css="meta"),
        org("org", _("选派党组织")),
        date("appointed_on", _("选派日期")),
        count("units", _("派驻单位数")),
    ]
    empty_text = _("管辖范围内还没有党建指导员。")
    empty_filtered_text = _("没有符合条件的党建指导员，可清除筛选后再看。")
