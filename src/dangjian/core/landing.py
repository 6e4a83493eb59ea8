"""Where "/" takes a user. Apps register rules in `AppConfig.ready()` (core imports no app):
the three separated administrators land on their own pages, a branch's secretary on the
branch; everyone else gets the overview. A rule returns a URL or None; the lowest order wins."""

_rules = []


def register(rule, *, order=100):
    _rules.append((order, rule))
    _rules.sort(key=lambda item: item[0])


def landing_url(user):
    """The first URL a registered rule gives for `user`, or None for the overview."""
    for _order, rule in _rules:
        url = rule(user)
        if url:
            return url
    return None
