"""Who changed a figure, and through what: the context django-pghistory stores with each event.

pghistory's triggers (PostgreSQL only) record every insert, update and delete, bulk writes
included. This module attaches the user and the route (a page, an import, a command) to those
events. On SQLite (the newcomer's default) there are no triggers, so it does nothing.
"""

import contextlib

import pghistory
from django.db import connection


def audit_context(**metadata):
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    return pghistory.context(**metadata)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"GET", "HEAD", "OPTIONS"}:
            return self.get_response(request)
        user = getattr(request, "user", None)
        with audit_context(
            user=user.pk if user is not None and user.is_authenticated else None,
            username=user.get_username() if user is not None and user.is_authenticated else "",
            url=request.path,
        ):
            return self.get_response(request)
