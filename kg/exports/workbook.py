"""The review × instrument workbook for spreadsheets: ``.xlsx`` (openpyxl) or one CSV per sheet.

Sheets: ``Reviews`` (each review's title, case, partnership, type, date, document); one sheet
per instrument type present (``Protocol``, ``Toolkit``, …): a row per instrument, most reviews
first, a column per review titled by case name and partnership in date order, a cell the number
of sentences in which the review references the instrument; and ``Evidence``: every such
sentence with its document title, recommendation number and character offsets into
``text/<file>.txt``. Reviews, counts and sentences are those of the HTML view's matrix
(``kg.viewdata``), which counts as ``kg build`` and ``recurring-instruments`` do.

Text that a spreadsheet would run as a formula (a cell opening with ``=``, ``+``, ``-``, ``@``)
is stored as text in the ``.xlsx``; in the CSV files it is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.model import INSTRUMENT_TYPES
from kg.viewdata import ViewData, read_view_data

Cell = str | int | None
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in an .xlsx


@dataclass(frozen=True)
class Sheet:
    name: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def workbook_sheets(graph: nx.MultiDiGraph) -> list[Sheet]:
    """Every sheet of the workbook, in order: Reviews, one per instrument type, Evidence."""
    view = read_view_data(graph)
    sheets = [_reviews(view)]
    for kind in INSTRUMENT_TYPES:
        if any(row.kind == kind for row in view.instruments):
            sheets.append(_matrix(view, kind))
    sheets.append(_evidence(view))
    return sheets


def _reviews(view: ViewData) -> Sheet:
    rows: list[tuple[Cell, ...]] = [
        (r.title, r.case, r.partnership, r.kind, r.date, r.document, "; ".join(r.files)) for r in view.reviews
    ]
    return Sheet("Reviews", ("Review", "Case", "Partnership", "Type", "Date", "Document", "Files"), rows)


def _matrix(view: ViewData, kind: str) -> Sheet:
    header = ("Instrument", "Other names", "Reviews", *(r.title for r in view.reviews))
    rows: list[tuple[Cell, ...]] = []
    for row in view.instruments:
        if row.kind != kind:
            continue
        cells: list[Cell] = [len(view.cites.get((r.node, row.node), ())) or None for r in view.reviews]
        rows.append((row.label, "; ".join(row.alt), len(row.referenced), *cells))
    return Sheet(kind, header, rows)


def _evidence(view: ViewData) -> Sheet:
    titles = {r.node: r for r in view.reviews}
    labels = {row.node: row for row in view.instruments}
    order = {r.node: n for n, r in enumerate(view.reviews)}
    rows: list[tuple[Cell, ...]] = []
    for (review, instrument), cites in sorted(
        view.cites.items(), key=lambda kv: (order[kv[0][0]], labels[kv[0][1]].label, kv[0][1])
    ):
        for c in cites:
            e = c.evidence
            rows.append(
                (
                    titles[review].title,
                    labels[instrument].label,
                    labels[instrument].kind,
                    view.documents.get(e.document) or titles[review].document,
                    c.number,
                    c.role,
                    c.agency,
                    e.start,
                    e.end,
                    e.quote,
                    f"text/{e.document}.txt",
                )
            )
    header = (
        "Review",
        "Instrument",
        "Type",
        "Document",
        "Recommendation",
        "In",
        "Agency",
        "Start",
        "End",
        "Sentence",
        "Text file",
    )
    return Sheet("Evidence", header, rows)


def write_xlsx(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
    """The workbook as one ``.xlsx`` file (openpyxl's write-only mode: rows are streamed)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in workbook_sheets(graph):
        ws = book.create_sheet(sheet.name)
        ws.append(_cells(ws, sheet.header))
        for row in sheet.rows:
            ws.append(_cells(ws, row))
    book.save(path)
    return [path]


def _cells(ws: object, values: tuple[Cell, ...]) -> list[object]:
    from openpyxl.cell import WriteOnlyCell

    out: list[object] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, value=_ILLEGAL.sub("\ufffd", value))
            cell.data_type = "s"  # text, even when it opens with "=": never a formula
            out.append(cell)
        else:
            out.append(value)
    return out


def csv_name(sheet: str) -> str:
    return sheet.lower() + ".csv"


def _csv_safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def write_sheets_csv(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    """The workbook as one CSV file per sheet in ``folder`` (``reviews.csv``, ``protocol.csv``, …)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in workbook_sheets(graph):
        path = folder / csv_name(sheet.name)
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(sheet.header)
            for row in sheet.rows:
                out.writerow([_csv_safe(v) for v in row])
        written.append(path)
    return written
