from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness and database reachability, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": connection.vendor})
    except Exception as exc:  # a health check reports, never raises
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
