"""Agreement statistics for inter-rater reliability (issue 16, item 3): percent agreement,
Cohen's kappa (two raters) and Fleiss' kappa (more than two), from statsmodels (pinned).

Kappa is undefined when chance agreement is total (every rating in one category): the
result says so (None) rather than printing NaN; percent agreement is still given."""

import math


def percent_agreement(pairs: list[tuple[str, str]]) -> float | None:
    if not pairs:
        return None
    return 100.0 * sum(a == b for a, b in pairs) / len(pairs)


def _finite(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def cohens_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' ratings of the same items."""
    if not pairs:
        return None
    import numpy as np
    from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
    from statsmodels.stats.inter_rater import to_table

    table, _ = to_table(np.array(pairs, dtype=object))
    if table.shape[0] < 2:
        return None  # one category only: chance agreement is total
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finite(sm_cohens_kappa(table, return_results=False))


def fleiss_kappa(ratings: list[list[str]]) -> float | None:
    """Fleiss' kappa: one row per item, one rating per rater (every row the same length)."""
    if not ratings or len(ratings[0]) < 2:
        return None
    import numpy as np
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

    counts, categories = aggregate_raters(np.array(ratings, dtype=object))
    if len(categories) < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finite(sm_fleiss_kappa(counts))
