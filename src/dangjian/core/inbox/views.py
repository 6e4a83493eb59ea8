from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import count, sections, services
from .models import DigestFrequency, Feedback, FeedbackKind, InboxSettings


class SettingsForm(forms.Form):
    digest = forms.ChoiceField(label=gettext_lazy("待办摘要"), choices=DigestFrequency.choices,
                               widget=forms.RadioSelect)


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=FeedbackKind.choices, widget=forms.RadioSelect,
                             initial=FeedbackKind.SUGGESTION)
    text = forms.CharField(label=gettext_lazy("内容"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=services.FEEDBACK_MAX)


@login_required
def inbox(request):
    """What waits for me, from every module; each row links to where it is done."""
    user = request.user
    current = InboxSettings.objects.filter(user=user).values_list("digest", flat=True).first()
    form = SettingsForm(initial={"digest": current or DigestFrequency.DAILY})
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            services.settings_update(actor=user, digest=form.cleaned_data["digest"])
            messages.success(request, _("已保存待办摘要的设置。"))
            return redirect("inbox")
    found = sections(user, entries=True)
    total = sum(s.count for s in found)
    return render(request, "core/inbox.html", {
        "sections": found, "total": total, "inbox_total": total, "settings_form": form,
    }, status=400 if form.is_bound else 200)


def badge(request):
    """The header badge, fetched by htmx after the page loads, so that no page pays for the
    inbox's counts before it is shown (and no page's query bound depends on them)."""
    total = count(request.user) if request.user.is_authenticated else 0
    response = render(request, "core/_inbox_badge.html", {"total": total})
    response["Cache-Control"] = "private, no-store"
    return response


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None


def feedback(request):
    """投诉建议 about the platform, from any page's footer (signed in or not)."""
    page = _safe_next(request, request.POST.get("page") or request.GET.get("page")) or ""
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_send(actor=request.user, kind=form.cleaned_data["kind"],
                                   text=form.cleaned_data["text"], page=page)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已收到您的投诉建议，系统管理员会处理。"))
            return redirect(page or "feedback")
    return render(request, "core/feedback.html", {"form": form, "page": page},
                  status=400 if form.is_bound else 200)


@login_required
def feedback_list(request):
    """The system administrators' list of complaints and suggestions."""
    if not services.audit_scope_global(request.user):
        raise PermissionDenied(_("只有系统管理员可以查看投诉建议。"))
    if request.method == "POST":
        item = get_object_or_404(Feedback, pk=request.POST.get("id") or 0)
        services.feedback_handle(actor=request.user, feedback=item)
        messages.success(request, _("已标为已处理。"))
        return redirect("feedback_list")
    rows = Feedback.objects.select_related("author").order_by("handled_at", "-created_at")[:200]
    return render(request, "core/feedback_list.html", {"rows": rows})

