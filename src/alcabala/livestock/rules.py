"""The rules of the livestock registry, each written once, for the services and bulk import.

Pure functions over facts the caller looked up (who owns a brand, which marks a report
names), so that the API, the console and an import file refuse the same input alike.
"""

from __future__ import annotations

from alcabala.errors import ValidationError


def brand_on_origin(index: int, brand: str, owner: str | None, origin: str) -> None:
    """A brand on permit line ``index`` must be registered to the origin premises."""
    field = f"lines.{index}.brand"
    if owner is None:
        raise ValidationError(f"Brand {brand} is not registered.", field=field)
    if owner != origin:
        raise ValidationError(
            f"Brand {brand} is registered to premises {owner}, not to the origin "
            f"premises {origin}.",
            field=field,
        )


def needs_marks(brand: str | None, ear_tags: list[str]) -> None:
    """A theft report names the animals: by brand, by ear tags, or both."""
    if not brand and not ear_tags:
        raise ValidationError(
            "A livestock theft report needs a brand or at least one ear tag.", field="brand"
        )
