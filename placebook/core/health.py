from django.db import connection


def database_status() -> dict:
    """Whether the database answers a trivial query; never raises."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to reach the database is a status, not a crash
        return {
            "status": "unavailable",
            "vendor": connection.vendor,
            "error": exc.__class__.__name__,
        }
    return {"status": "ok", "vendor": connection.vendor}
