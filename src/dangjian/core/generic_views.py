"""Scoped generic views: the pages that list, show or change one kind of object.

A page names a queryset of a scoped model (anything with `visible_to(user, action)`),
and for writes a form, a service and a template. The base class does the rest, in the
spirit of NetBox's ObjectView / ObjectEditView / ObjectDeleteView:

- login required; the object is looked up in `visible_to(user, view_action)` only, so a
  page cannot forget the scope: outside it the answer is 404;
- a write needs `permission_action` ("change") on the object's org, else 403 (the form
  is not even offered; the service checks again, whatever calls it);
- the service is called with keyword arguments and `actor=request.user`; it does the
  audit. Its ValidationError is shown on the form fields it names, its ConflictError
  (a stale edit) re-renders the form with the message and status 409;
- a success message and a redirect.

Subclasses override small hooks (`get_queryset`, `service_kwargs`, `get_success_url`,
`get_extra_context`, ...), never the lookup itself.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from . import concurrency
from .exceptions import ConflictError
from .scope import scope_paths, user_can


def add_service_errors(form, error, aliases=None):
    """Show a service's ValidationError on the form fields it names (others at the top);
    `aliases` maps a service's field name to the form's (`area_id` → `area`)."""
    aliases = aliases or {}
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for field, messages_ in items:
        target = aliases.get(field, field)
        if target not in form.fields:
            target = None
        for message in messages_:
            form.add_error(target, message)


def error_messages(request, error):
    """A service's ValidationError as page messages (for actions without a form page)."""
    items = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
    for messages_ in items:
        for message in messages_:
            messages.error(request, message)


class ScopedObjectMixin(LoginRequiredMixin):
    """Finds `self.object` inside the user's scope and checks the write permission."""

    queryset = None
    view_action = "view"  # the scope in which the object is found (404 outside)
    permission_action = None  # needed on the object's org to use the page (403 without)
    permission_message = _("您无权对该组织进行此操作。")
    pk_url_kwarg = "pk"

    def get_queryset(self):
        """The unscoped base (narrow it, add select_related); scoping is applied after."""
        return self.queryset.all()

    def scope_queryset(self, queryset, action):
        """Rows of `queryset` the user may `action`. Models scoped by something other than
        an org subtree (accounts: global administrator actions) override this."""
        return queryset.visible_to(self.request.user, action)

    def get_lookup(self):
        """The primary key to look up (from the URL; a create page may take it from the query)."""
        return self.kwargs.get(self.pk_url_kwarg)

    def get_object(self):
        try:
            return self.scope_queryset(self.get_queryset(), self.view_action).get(pk=self.get_lookup())
        except (self.queryset.model.DoesNotExist, ValueError, TypeError):
            raise Http404

    def permission_org(self, obj):
        """The org whose subtree decides whether the user may act on `obj`."""
        return obj.org

    def check_permission(self, obj):
        if self.permission_action and not user_can(self.request.user, self.permission_action,
                                                   self.permission_org(obj)):
            raise PermissionDenied(self.permission_message)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.object = self.get_object()
        self.check_permission(self.object)
        return super().dispatch(request, *args, **kwargs)

    def get_extra_context(self):
        return {}


class ObjectDetailView(ScopedObjectMixin, View):
    """One object, found in the user's scope."""

    template_name = None
    context_object_name = "object"

    def get(self, request, *args, **kwargs):
        context = {"object": self.object, self.context_object_name: self.object, **self.get_extra_context()}
        return render(request, self.template_name, context)


class ObjectEditView(ScopedObjectMixin, View):
    """A form page on an object: edit it, or create something under it (an org's child,
    a list's measure). With `object_required = False` the object comes from
    `get_object()` returning None (a create with no parent), and `check_permission`
    decides alone."""

    form_class = None
    template_name = None
    service = None  # a keyword-only service function; called with actor=request.user
    permission_action = "change"
    object_required = True
    title = ""
    submit = _("保存")
    success_message = _("已保存。")
    danger = False
    multipart = False
    error_aliases = None

    def get_object(self):
        return super().get_object() if self.object_required else None

    def check_permission(self, obj):
        if obj is not None:
            super().check_permission(obj)

    def get_form_kwargs(self):
        return {}

    def get_initial(self):
        return {}

    def get_form(self):
        kwargs = self.get_form_kwargs()
        if self.request.method == "POST":
            form = self.form_class(self.request.POST, self.request.FILES or None, **kwargs) if self.multipart \
                else self.form_class(self.request.POST, **kwargs)
        else:
            form = self.form_class(initial=self.get_initial(), **kwargs)
        if self.object is not None and hasattr(self.object, "version") and \
                concurrency.service_takes_version(type(self).service):
            concurrency.add_version_field(form, self.object)  # optimistic concurrency
        return form

    def service_kwargs(self, form):
        """The service's keyword arguments besides `actor`."""
        return dict(form.cleaned_data)

    def call_service(self, form):
        return type(self).service(actor=self.request.user, **self.service_kwargs(form))

    def get_success_message(self, result):
        return self.success_message

    def get_success_url(self, result):
        return result.get_absolute_url()

    def get_title(self):
        return self.title

    def get_intro(self):
        return ""

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.form = self.get_form()
        if form.is_valid():
            try:
                result = self.call_service(form)
            except ValidationError as exc:
                add_service_errors(form, exc, self.error_aliases)
            except ConflictError as exc:
                form.add_error(None, exc.message)
                concurrency.show_conflict(form, exc)
                return self.render_form(form, status=409, conflict=exc)
            else:
                message = self.get_success_message(result)
                if message:
                    messages.success(request, message)
                return redirect(self.get_success_url(result))
        return self.render_form(form)

    def render_form(self, form, status=200, **extra):
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs["aria-invalid"] = "true"
                form.fields[name].widget.attrs["aria-describedby"] = f"{name}-errors"
        context = {
            "form": form, "object": self.object, "title": self.get_title(), "intro": self.get_intro(),
            "submit": self.submit, "danger": self.danger, "multipart": self.multipart,
            "cancel_url": self.get_cancel_url(), **self.get_extra_context(), **extra,
        }
        return render(self.request, self.template_name, context, status=status)


class ObjectActionView(ScopedObjectMixin, View):
    """A button on an object's page (POST only): an optional small form, the service,
    a message, back to the page. Refusals become messages on that page."""

    http_method_names = ["post"]
    form_class = None
    service = None
    permission_action = "change"
    success_message = ""
    invalid_message = ""

    def get_form_kwargs(self):
        return {}

    def service_kwargs(self, form):
        return dict(form.cleaned_data) if form is not None else {}

    def call_service(self, form):
        return type(self).service(actor=self.request.user, **self.service_kwargs(form))

    def get_success_message(self, result):
        return self.success_message

    def get_object_url(self):
        """The object's page, where the button was and where messages are shown."""
        return self.object.get_absolute_url()

    def get_success_url(self, result):
        return self.get_object_url()

    def get_failure_url(self):
        return self.get_object_url()

    def form_invalid(self, form):
        if self.invalid_message:
            messages.error(self.request, self.invalid_message)
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(self.request, message)
        return redirect(self.get_failure_url())

    def post(self, request, *args, **kwargs):
        form = self.form = None
        if self.form_class is not None:
            form = self.form = self.form_class(request.POST, **self.get_form_kwargs())
        if form is not None:
            if not form.is_valid():
                return self.form_invalid(form)
        try:
            result = self.call_service(form)
        except (ValidationError, ConflictError) as exc:
            if isinstance(exc, ConflictError):
                messages.error(request, exc.message)
            else:
                error_messages(request, exc)
            return redirect(self.get_failure_url())
        if hasattr(result, "status_code"):  # the service's result is itself the page to show
            return result
        message = self.get_success_message(result)
        if message:
            messages.success(request, message)
        return redirect(self.get_success_url(result))


class ObjectDeleteView(ObjectActionView):
    """Delete an object through its service; back to the list, or to the object on refusal."""

    success_message = _("已删除。")
    success_url = None

    def get_success_url(self, result):
        return self.success_url


class ObjectListView(LoginRequiredMixin, View):
    """A list page: the user's scope, a filter, a table (sorting, pagination, empty state).

    `filter_defaults` apply unless the user chose (open orgs, active members);
    `filter_fields` are shown, the others ride along as hidden inputs."""

    queryset = None
    view_action = "view"
    filterset_class = None
    filter_defaults = {}
    filter_fields = ()
    table_class = None
    template_name = None

    def get_queryset(self):
        return self.queryset.all()

    def scope_queryset(self, queryset, action):
        return queryset.visible_to(self.request.user, action)

    def has_scope(self):
        """Whether the user holds any grant for this list (an empty page then says why)."""
        return bool(scope_paths(self.request.user, self.view_action))

    def get_filter_data(self):
        data = self.request.GET.copy()
        for key, value in self.filter_defaults.items():
            if key not in data:
                data[key] = value
        return data

    def get_table_kwargs(self):
        return {}

    def get_extra_context(self, table, filterset):
        return {}

    def get(self, request, *args, **kwargs):
        rows = self.scope_queryset(self.get_queryset(), self.view_action)
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(self.get_filter_data(), queryset=rows, request=request)
            rows = filterset.qs if filterset.is_valid() else rows.none()
        table = self.table_class(rows, request=request, filtered=bool(set(request.GET) - {"page", "sort"}),
                                 no_scope=not self.has_scope(), **self.get_table_kwargs())
        context = {"table": table, "page": table.page, "query": table.query, "filter": filterset}
        if filterset is not None:
            form = filterset.form
            context["fields"] = [form[name] for name in self.filter_fields]
            context["hidden_fields"] = [form[name] for name in form.fields if name not in self.filter_fields]
        context.update(self.get_extra_context(table, filterset))
        return render(request, self.template_name, context)


class StoredFileView(ScopedObjectMixin, View):
    """A kept file, to those who may see its record (never a public media URL): photos open
    in the page, other files download. The model has `file`, `name`, `content_type`, and
    `is_photo` (or `kind == "photo"`)."""

    def get(self, request, *args, **kwargs):
        item = self.object
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise Http404
        inline = getattr(item, "is_photo", getattr(item, "kind", None) == "photo")
        response = FileResponse(handle, content_type=item.content_type, as_attachment=not inline,
                                filename=item.name)
        response["Cache-Control"] = "private, max-age=3600"
        return response
