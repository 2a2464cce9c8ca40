"""Money in Rupiah, terbilang, and masking of personal data for public views."""

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words


def rupiah(value, cents: bool = False) -> str:
    """`Rp 1.234.567` (Indonesian grouping); `cents=True` adds `,50`."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, frac = f"{abs(amount):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}Rp {grouped}" + (f",{frac}" if cents else "")


def terbilang(value) -> str:
    """The amount in Indonesian words, as on official documents: `satu juta dua ratus ribu rupiah`."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole = int(abs(amount))
    sen = int((abs(amount) - whole) * 100)
    words = num2words(whole, lang="id") + " rupiah"
    if sen:
        words += " " + num2words(sen, lang="id") + " sen"
    return ("minus " if amount < 0 else "") + words


def mask_nik(nik: str | None) -> str:
    """Show only the region prefix and the last two digits: e.g. 3273010101900001 -> 327301********01."""
    if not nik:
        return ""
    return nik[:6] + "*" * (len(nik) - 8) + nik[-2:]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:4] + "*" * max(len(phone) - 7, 0) + phone[-3:]


def mask_name(name: str | None) -> str:
    """Keep the first letter of each word: `Siti Rahmawati` -> `S*** R*******`."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in (name or "").split())
