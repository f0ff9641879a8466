"""Load the demo's framework and figures through the same import service as the admin.

Going through ``measures.importing`` (not the ORM) means the demo files are checked by the rules
analysts' files are checked by: a demo file with a bad row fails loudly instead of loading
something the admin would refuse. Idempotent: a second load finds every row unchanged.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model

from measures.models import Area, Measure, Period, PrintedFigure
from measures.importing import ImportRejected, import_measures, import_values

DEMO_DIR = Path(__file__).resolve().parent
FRAMEWORK = DEMO_DIR / "framework.csv"
VALUES = DEMO_DIR / "2020-21-Q3" / "values.csv"
PRINTED = DEMO_DIR / "2020-21-Q3" / "printed.csv"


def load(stdout=None) -> None:
    """Import demo/framework.csv, then the seed quarter's figures, as the user "opcc" if present.

    Raises :class:`ImportRejected` listing every row error if either file has one.
    """
    user = get_user_model().objects.filter(username="opcc").first()
    for path, service in ((FRAMEWORK, import_measures), (VALUES, import_values)):
        summary = service(
            source=path.read_bytes(), filename=path.name, user=user,
            username=None if user is not None else "demo loader",
        )
        if summary.errors:
            raise ImportRejected(summary.errors)
        if stdout is not None:
            stdout.write(f"{path.relative_to(DEMO_DIR)}: {summary.counts}")
    count = load_printed()
    if stdout is not None:
        stdout.write(f"{PRINTED.relative_to(DEMO_DIR)}: {count} printed differences to check")


def load_printed() -> int:
    """The seed report's own printed differences, which recalculation checks (and flags)."""
    with open(PRINTED, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    periods = Period.objects.for_codes({row["period"] for row in rows})
    for row in rows:
        measure = Measure.objects.get(code=row["measure"])
        PrintedFigure.objects.update_or_create(
            measure=measure,
            area=Area.objects.get(code=row["area"]),
            breakdown=measure.breakdowns.get(code=row["breakdown"]) if row["breakdown"] else None,
            period=periods[row["period"]],
            figure=row["figure"],
            defaults={"printed": Decimal(row["printed"]), "source": row["source"]},
        )
    return len(rows)
