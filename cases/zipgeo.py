"""ZIP centroids and distances, offline (issue 20).

The centroids come from the data file that ships inside the `zipcodes` package (pinned in
requirements.txt); distances are great-circle distances with the `haversine` package's
mean Earth radius. Nothing here makes a network call.
"""

import functools
import re

import zipcodes
from haversine import Unit, haversine
from haversine.haversine import get_avg_earth_radius

ZIP_RE = re.compile(r"^([0-9]{5})(?:-[0-9]{4})?$", flags=re.ASCII)

# The same radius for the SQL ordering (cases.selectors_directory) and for single distances.
EARTH_RADIUS_MILES = get_avg_earth_radius(Unit.MILES)


class UnknownZip(ValueError):
    pass


def zip5(value: str) -> str | None:
    """The five-digit ZIP of "21201" or "21201-1234", else None."""
    match = ZIP_RE.match((value or "").strip())
    return match.group(1) if match else None


@functools.cache
def _centroids() -> dict[str, tuple[float, float]]:
    # One pass over the package's list (about 42,000 ZIPs) instead of its linear search per
    # lookup: a CSV load of thousands of rows stays fast.
    table = {}
    for row in zipcodes.list_all():
        try:
            table[row["zip_code"]] = (float(row["lat"]), float(row["long"]))
        except (TypeError, ValueError):
            continue
    return table


def zip_centroid(value: str) -> tuple[float, float] | None:
    """(latitude, longitude) of the ZIP's centroid, or None for a ZIP the data does not know."""
    code = zip5(value)
    if code is None:
        return None
    return _centroids().get(code)


def distance_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    return haversine(a, b, unit=Unit.MILES)
