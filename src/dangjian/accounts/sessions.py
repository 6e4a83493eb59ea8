from django.contrib.sessions.models import Session
from django.utils import timezone


def end_sessions_of(user):
    """Delete every live session that belongs to `user`."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
