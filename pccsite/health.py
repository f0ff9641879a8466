"""Can the app reach its database and its broker? Used by /healthz."""

from django.conf import settings
from django.db import connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return {"ok": False, "detail": f"database unreachable: {type(error).__name__}"}
    return {"ok": True, "detail": connection.vendor}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": "no broker configured: tasks run in-process"}
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2
    )
    try:
        client.ping()
    except Exception as error:
        return {"ok": False, "detail": f"broker unreachable: {type(error).__name__}"}
    finally:
        client.close()
    return {"ok": True, "detail": "redis"}
