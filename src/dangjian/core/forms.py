"""Form bases every app shares."""

from django import forms

from .widgets import bind_user


class ScopedForm(forms.Form):
    """A form that knows its user: its pickers offer and accept only what the user may pick."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        bind_user(self.fields, user)
