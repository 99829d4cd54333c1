"""Use cases of premises, brands, transit permits and livestock thefts: the only code changing them.

The import point of the livestock domain; the use cases live in :mod:`.permits` (premises,
brands and transit permits) and :mod:`.thefts` (livestock theft reports).
"""

from __future__ import annotations

from alcabala.livestock.permits import (
    PERMIT,
    cancel_permit,
    expire_permits,
    find_brand,
    find_premises,
    get_permit,
    get_permit_by_number,
    get_premises,
    issue_permit,
    read_permit,
    read_permit_by_number,
    register_brand,
    register_premises,
    use_permit,
)
from alcabala.livestock.thefts import (
    LIVESTOCK_THEFT,
    cancel_livestock_theft,
    get_livestock_theft,
    recover_livestock,
    report_livestock_theft,
)

__all__ = [
    "LIVESTOCK_THEFT",
    "PERMIT",
    "cancel_livestock_theft",
    "cancel_permit",
    "expire_permits",
    "find_brand",
    "find_premises",
    "get_livestock_theft",
    "get_permit",
    "get_permit_by_number",
    "get_premises",
    "issue_permit",
    "read_permit",
    "read_permit_by_number",
    "recover_livestock",
    "register_brand",
    "register_premises",
    "report_livestock_theft",
    "use_permit",
]
