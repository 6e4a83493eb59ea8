from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from .landing import landing_url


def healthz(request):
    """Liveness and database reachability, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": connection.vendor})
    except Exception as exc:  # a health check reports, never raises
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)


@login_required
def home(request):
    """The user's subtree at a glance; `?root=<org id>` narrows it to a visible org. Without
    `root`, a user whose work is elsewhere (core.landing) is sent there."""
    # core sits below every app; the home page is the one place that reaches up to orgs.
    from dangjian.orgs import selectors
    from dangjian.orgs.views import overview_context, root_from_request, visible_ancestors

    if "root" not in request.GET:
        url = landing_url(request.user)
        if url:
            return redirect(url)
    root = root_from_request(request)
    context = overview_context(request.user, root)
    context["root"] = root
    context["roots"] = selectors.root_orgs(request.user)
    context["ancestors"] = visible_ancestors(request.user, root) if root is not None else []
    return render(request, "core/home.html", context)
