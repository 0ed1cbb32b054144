"""The translation catalogs, compiled from ``.po`` to the ``.mo`` that gettext reads.

Every build compiles them (``setup.py`` loads this file by its path, before pblapp's own
dependencies are installed, so it imports only the standard library and Babel), and so does
the server at start when a catalog is missing or older than its ``.po``: ``python run.py``
in a source tree after a non-editable ``pip install .`` imports the tree, which has none.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent / "translations"


def compile_catalog(po_path: Path, mo_path: Path) -> None:
    """Write ``mo_path`` from ``po_path`` (the same output as ``pybabel compile``: entries
    marked fuzzy are left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parent.parent.name)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog, use_fuzzy=False)


def compile_stale(folder: Path = FOLDER) -> list[Path]:
    """Compile each catalog under ``folder`` whose ``.mo`` is missing or older than its
    ``.po``; returns the ``.mo`` files written. One that cannot be written (a read-only
    install) is left as it is."""
    written = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.is_file() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            compile_catalog(po_path, mo_path)
        except (OSError, ImportError):
            continue
        written.append(mo_path)
    return written
