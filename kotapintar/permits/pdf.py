"""The issued permit as a PDF: pure Python (fpdf2), DejaVu fonts vendored in `fonts/`, QR code by segno.

`render_permit_pdf` only lays out what the caller gives it (a `PermitDocument`); numbering, the
certificate text and the signature (`kotapintar.permits.signing.sign_pdf`) happen elsewhere. The
layout follows an Indonesian official letter: the city's letterhead (kop surat) in its colour, the
permit title and number, the holder, the subject lines, the text, the levy with its terbilang, the
validity, then the QR code for verification beside the electronic signature block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from kotapintar.core.formatting import rupiah, terbilang

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
SERIF, SANS = "DejaVuSerif", "DejaVuSans"
FONT_FILES = {
    (SERIF, ""): "DejaVuSerif.ttf",
    (SERIF, "B"): "DejaVuSerif-Bold.ttf",
    (SANS, ""): "DejaVuSans.ttf",
    (SANS, "B"): "DejaVuSans-Bold.ttf",
}

MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]
ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
DEFAULT_COLOR = "#0b5394"

# Page geometry (mm, A4 portrait).
PAGE_W = 210
MARGIN = 20
CONTENT_W = PAGE_W - 2 * MARGIN
BAND_H = 34
FOOTER_H = 22
LABEL_W = 52
COLON_W = 5

UU_ITE_NOTE = ("Dokumen ini ditandatangani secara elektronik. Sesuai Pasal 5 ayat (1) UU Nomor 11 Tahun 2008 "
               "tentang Informasi dan Transaksi Elektronik, dokumen elektronik dan/atau hasil cetaknya "
               "merupakan alat bukti hukum yang sah.")


@dataclass(frozen=True)
class PermitDocument:
    """Everything printed on a permit, already rendered to text by the caller."""

    city_name: str  # "Kota Bandung"
    province_name: str  # "Jawa Barat"
    department_name: str  # "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
    city_color: str  # "#0b6e4f"
    title: str  # permit type, e.g. "Persetujuan Bangunan Gedung (PBG)"
    number: str  # "503/0001/DPMPTSP/2026"
    holder_name: str
    holder_id_masked: str  # NIK masked like 327301********02
    fields: list[tuple[str, str]]  # subject lines: ("Lokasi", "Jl. ..."), ("Luas bangunan", "120 m²")
    body: str  # certificate text; blank lines separate paragraphs
    issued_at: datetime  # aware; shown in `timezone` with its label WIB/WITA/WIT
    timezone: str  # "Asia/Makassar"
    valid_until: date | None  # None: no expiry date
    fee: Decimal | None  # the levy (retribusi); None: no fee line
    verification_url: str  # in the QR code and printed under it
    signer_name: str
    signer_title: str
    logo: bytes | None = None  # optional city emblem (PNG/JPEG) in the letterhead


def render_permit_pdf(doc: PermitDocument) -> bytes:
    """The unsigned permit PDF (A4). Sign it with `kotapintar.permits.signing.sign_pdf`."""
    pdf = _PermitPDF(doc)
    pdf.render()
    return bytes(pdf.output())


# --- formatting helpers ------------------------------------------------------------------------


def tanggal(value: date) -> str:
    """`12 Maret 2026`."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def zone_label(timezone: str, moment: datetime) -> str:
    return ZONE_LABELS.get(timezone) or moment.tzname() or timezone


def local_time(doc: PermitDocument) -> datetime:
    return doc.issued_at.astimezone(ZoneInfo(doc.timezone))


def place_name(city_name: str) -> str:
    """`Kota Bandung` -> `Bandung` (the place in "Ditetapkan di ...")."""
    for prefix in ("Kota ", "Kabupaten ", "Kab. "):
        if city_name.startswith(prefix):
            return city_name[len(prefix):]
    return city_name


def government_name(city_name: str) -> str:
    """`Kota Bandung` -> `PEMERINTAH KOTA BANDUNG`."""
    return f"PEMERINTAH {city_name}".upper()


def _rgb(color: str) -> tuple[int, int, int]:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", color or ""):
        color = DEFAULT_COLOR
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    """factor < 1 darkens, > 1 lightens towards white."""
    if factor <= 1:
        return tuple(round(c * factor) for c in rgb)
    return tuple(round(c + (255 - c) * (factor - 1)) for c in rgb)


# --- layout ------------------------------------------------------------------------------------

INK = (25, 25, 25)
GREY = (95, 95, 95)


class _PermitPDF(FPDF):
    def __init__(self, doc: PermitDocument):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc
        self.color = _rgb(doc.city_color)
        # Text on the band must stay readable whatever the city's colour.
        self.band_text = (255, 255, 255) if _luminance(self.color) < 0.4 else INK
        # Accent for lines and headings on white: the city colour, darkened if it is too light.
        self.accent = self.color if _luminance(self.color) < 0.3 else _shade(self.color, 0.45)
        for (family, style), filename in FONT_FILES.items():
            self.add_font(family, style, str(FONTS_DIR / filename))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=FOOTER_H + 4)
        local = local_time(doc)
        self.set_title(f"{doc.title} — {doc.number}")
        self.set_subject(f"{doc.title} {doc.number}, {doc.holder_name}")
        self.set_author(f"{doc.department_name}, {doc.city_name}")
        self.set_creator("Kota Pintar")
        self.set_keywords(doc.number)
        self.set_lang("id-ID")
        self.set_creation_date(local)

    # fpdf2 calls these on every page.
    def header(self):
        if self.page_no() == 1:
            self._letterhead()
        else:
            self.set_y(10)
            self.set_font(SANS, "", 8)
            self.set_text_color(*GREY)
            self.cell(CONTENT_W, 5, f"{self.doc.title} — Nomor {self.doc.number}", align="R",
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_draw_color(*self.accent)
            self.set_line_width(0.3)
            self.line(MARGIN, self.get_y() + 1, PAGE_W - MARGIN, self.get_y() + 1)
            self.set_y(24)

    def footer(self):
        top = self.h - FOOTER_H
        self.set_draw_color(*self.accent)
        self.set_line_width(0.3)
        self.line(MARGIN, top, PAGE_W - MARGIN, top)
        self.set_xy(MARGIN, top + 1.5)
        self.set_font(SANS, "", 6.8)
        self.set_text_color(*GREY)
        text_w = CONTENT_W - 24
        self.multi_cell(text_w, 3.1, f"{UU_ITE_NOTE} Keaslian dokumen dapat diperiksa dengan memindai kode QR "
                                     f"atau membuka {self.doc.verification_url}", align="L")
        self.set_xy(PAGE_W - MARGIN - 22, top + 1.5)
        self.cell(22, 3.1, f"Halaman {self.page_no()} dari {{nb}}", align="R")

    # --- blocks ---

    def render(self):
        self.add_page()
        self._title()
        self._holder_and_fields()
        self._body()
        self._fee_and_validity()
        self._closing()

    def _letterhead(self):
        doc = self.doc
        self.set_fill_color(*self.color)
        self.rect(0, 0, PAGE_W, BAND_H, style="F")
        self.set_fill_color(*_shade(self.color, 0.7))
        self.rect(0, BAND_H, PAGE_W, 1.6, style="F")
        left = MARGIN
        if doc.logo:
            self.image(BytesIO(doc.logo), x=MARGIN, y=5, h=BAND_H - 10, keep_aspect_ratio=True)
            left = MARGIN + BAND_H - 6
        width = PAGE_W - MARGIN - left - (BAND_H - 6 if doc.logo else 0)
        self.set_text_color(*self.band_text)
        size = 11 if self._fits(doc.department_name.upper(), SANS, "B", 11, width) else 9.5
        dept_lines = min(len(self._lines(doc.department_name.upper(), width)), 3)
        self.set_xy(left, max(3.0, (BAND_H - (7 + 5.2 * dept_lines + 5)) / 2))
        self.set_font(SANS, "B", 15)
        self.cell(width, 7, government_name(doc.city_name), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(SANS, "B", size)
        self.multi_cell(width, 5.2, doc.department_name.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT,
                        max_line_height=5.2)
        self.set_font(SANS, "", 8.5)
        self.cell(width, 5, f"Provinsi {doc.province_name}", align="C")
        self.set_y(BAND_H + 10)

    def _title(self):
        doc = self.doc
        self.set_text_color(*INK)
        self.set_font(SERIF, "B", 14)
        title = doc.title.upper()
        self.multi_cell(CONTENT_W, 7, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        line_w = min(self.get_string_width(title), CONTENT_W)
        self.set_draw_color(*INK)
        self.set_line_width(0.35)
        self.line((PAGE_W - line_w) / 2, self.get_y() + 0.3, (PAGE_W + line_w) / 2, self.get_y() + 0.3)
        self.ln(2)
        self.set_font(SERIF, "", 11)
        self.cell(CONTENT_W, 6, f"Nomor: {doc.number}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(6)

    def _section(self, text: str):
        self._keep(12)
        self.set_font(SERIF, "B", 11)
        self.set_text_color(*self.accent)
        self.cell(CONTENT_W, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(0.5)

    def _row(self, label: str, value: str, *, bold: bool = False, note: str = ""):
        """`label : value` with both columns wrapping; a row never splits across pages."""
        indent = 6
        value_w = CONTENT_W - indent - LABEL_W - COLON_W
        line_h = 5.6
        self.set_font(SERIF, "", 10.5)
        label_lines = len(self._lines(label, LABEL_W))
        self.set_font(SERIF, "B" if bold else "", 10.5)
        value_lines = len(self._lines(value or "-", value_w))
        note_lines = len(self._lines(note, value_w)) if note else 0
        self._keep(line_h * max(label_lines, value_lines + note_lines) + 1.2)
        x, y = MARGIN + indent, self.get_y()
        self.set_font(SERIF, "", 10.5)
        self.set_xy(x, y)
        self.multi_cell(LABEL_W, line_h, label, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        bottom = self.get_y()
        self.set_xy(x + LABEL_W, y)
        self.cell(COLON_W, line_h, ":")
        self.set_xy(x + LABEL_W + COLON_W, y)
        self.set_font(SERIF, "B" if bold else "", 10.5)
        self.multi_cell(value_w, line_h, value or "-", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if note:
            self.set_x(x + LABEL_W + COLON_W)
            self.set_font(SERIF, "", 9.5)
            self.set_text_color(*GREY)
            self.multi_cell(value_w, line_h - 0.6, note, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
        self.set_y(max(bottom, self.get_y()) + 1.2)

    def _holder_and_fields(self):
        doc = self.doc
        self._section("Diberikan kepada:")
        self._row("Nama", doc.holder_name, bold=True)
        self._row("NIK", doc.holder_id_masked or "-")
        if doc.fields:
            self.ln(2)
            self._section("Dengan rincian:")
            for label, value in doc.fields:
                self._row(label, value)
        self.ln(3)

    def _body(self):
        text = (self.doc.body or "").strip()
        if not text:
            return
        self.set_font(SERIF, "", 10.5)
        self.set_text_color(*INK)
        for paragraph in re.split(r"\n\s*\n", text):
            self.multi_cell(CONTENT_W, 5.6, " ".join(paragraph.split()), align="J",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2.5)
        self.ln(1)

    def _fee_and_validity(self):
        doc = self.doc
        if doc.fee is None and doc.valid_until is None:
            self._row("Masa berlaku", "Tidak dibatasi waktu, selama ketentuan dalam izin ini dipenuhi")
            return
        if doc.fee is not None:
            self._row("Retribusi daerah", rupiah(doc.fee), bold=True, note=f"({terbilang(doc.fee)})")
        if doc.valid_until is not None:
            self._row("Berlaku sampai dengan", tanggal(doc.valid_until))
        else:
            self._row("Masa berlaku", "Tidak dibatasi waktu, selama ketentuan dalam izin ini dipenuhi")

    def _closing(self):
        """QR code (left) and the electronic signature block (right), kept together on one page."""
        doc = self.doc
        local = local_time(doc)
        sig_w = 84
        sig_x = PAGE_W - MARGIN - sig_w
        qr_size = 34
        text_w = sig_x - MARGIN - 8
        place = f"Ditetapkan di {place_name(doc.city_name)}"
        when = f"pada tanggal {tanggal(local.date())}\npukul {local:%H.%M} {zone_label(doc.timezone, local)}"
        self.set_font(SERIF, "", 10.5)
        head_lines = len(self._lines(place, sig_w)) + len(self._lines(when, sig_w))
        self.set_font(SERIF, "B", 10.5)
        title_lines = len(self._lines(doc.signer_title, sig_w))
        self.set_font(SERIF, "B", 11)
        name_lines = len(self._lines(doc.signer_name, sig_w))
        self.set_font(SANS, "", 7.5)
        url_lines = len(self._lines(doc.verification_url, text_w))
        sig_h = 5.4 * (head_lines + title_lines) + 2 + 2 + 18 + 5.6 * name_lines
        qr_h = qr_size + 6 + 3.6 * url_lines
        self.ln(4)
        self._keep(max(sig_h, qr_h) + 2)
        top = self.get_y()

        # Signature block.
        self.set_text_color(*INK)
        self.set_font(SERIF, "", 10.5)
        self.set_xy(sig_x, top)
        self.multi_cell(sig_w, 5.4, place, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.multi_cell(sig_w, 5.4, when, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(sig_x, self.get_y() + 2)
        self.set_font(SERIF, "B", 10.5)
        self.multi_cell(sig_w, 5.4, doc.signer_title, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        box_y = self.get_y() + 2
        self.set_fill_color(*_shade(self.color, 1.88))
        self.set_draw_color(*self.accent)
        self.set_line_width(0.4)
        self.rect(sig_x, box_y, sig_w, 15, style="DF")
        self.set_fill_color(*self.accent)
        self.rect(sig_x, box_y, 2.2, 15, style="F")
        self.set_xy(sig_x + 5, box_y + 2.6)
        self.set_font(SANS, "B", 9)
        self.set_text_color(*self.accent)
        self.cell(sig_w - 7, 4.6, "Ditandatangani secara elektronik", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(sig_w - 7, 4, "dengan sertifikat elektronik (PAdES)", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(sig_x, box_y + 18)
        self.set_text_color(*INK)
        self.set_font(SERIF, "B", 11)
        self.multi_cell(sig_w, 5.6, doc.signer_name, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if name_lines == 1:
            name_w = self.get_string_width(doc.signer_name)
            self.set_draw_color(*INK)
            self.set_line_width(0.3)
            self.line(sig_x, self.get_y() + 0.2, sig_x + name_w, self.get_y() + 0.2)
        sig_bottom = self.get_y()

        # QR code with the verification address.
        self._qr(doc.verification_url, MARGIN, top, qr_size)
        self.link(MARGIN, top, qr_size, qr_size, doc.verification_url)
        self.set_xy(MARGIN, top + qr_size + 2)
        self.set_font(SANS, "B", 7.5)
        self.set_text_color(*INK)
        self.cell(text_w, 4, "Pindai untuk memeriksa keaslian:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*self.accent)
        self.multi_cell(text_w, 3.6, doc.verification_url, align="L", link=doc.verification_url,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_y(max(sig_bottom, self.get_y()) + 2)

    def _qr(self, data: str, x: float, y: float, size: float):
        """The QR code as filled rectangles (vector, sharp at any zoom), with a white quiet zone."""
        qr = segno.make(data, error="m", micro=False)
        matrix = qr.matrix
        quiet = 2  # modules of quiet zone inside `size`
        module = size / (len(matrix) + 2 * quiet)
        self.set_fill_color(255, 255, 255)
        self.rect(x, y, size, size, style="F")
        self.set_fill_color(0, 0, 0)
        for row_index, row in enumerate(matrix):
            top = y + (row_index + quiet) * module
            col = 0
            while col < len(row):
                if row[col]:
                    start = col
                    while col < len(row) and row[col]:
                        col += 1
                    # A hair of overlap so viewers do not show seams between rows.
                    self.rect(x + (start + quiet) * module, top, (col - start) * module, module + 0.02, style="F")
                else:
                    col += 1

    # --- utilities ---

    def _lines(self, text: str, width: float) -> list[str]:
        return self.multi_cell(width, 5, text, dry_run=True, output=MethodReturnValue.LINES)

    def _fits(self, text: str, family: str, style: str, size: float, width: float) -> bool:
        self.set_font(family, style, size)
        return self.get_string_width(text) <= width

    def _keep(self, height: float):
        """Start a new page unless `height` mm still fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
