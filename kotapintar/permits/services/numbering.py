"""Gap-free numbers per city, purpose and year.

The counter row is locked and incremented inside the caller's transaction: if the issuing fails
and rolls back, the increment rolls back with it, so no number is ever skipped or used twice.
"""

from django.db import IntegrityError, transaction

from kotapintar.core.models import City
from kotapintar.permits.models import NumberSequence


def next_number(*, city: City, key: str, year: int) -> int:
    with transaction.atomic():
        try:
            with transaction.atomic():
                NumberSequence.objects.get_or_create(city=city, key=key, year=year)
        except IntegrityError:  # created concurrently by another transaction: fine
            pass
        sequence = NumberSequence.objects.select_for_update().get(city=city, key=key, year=year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return sequence.last
