"""Build hook: compile the translation catalogs (``.po`` to ``.mo``) in every build.

All project metadata is in ``pyproject.toml``; this file only adds one step to setuptools'
``build_py``, so that ``pip install .``, ``pip install -e .`` and a wheel (``pip wheel .``,
``python -m build``) all carry compiled Swedish translations without ``make translations``.
The ``.mo`` files are build output and stay out of git. Babel is a build requirement in
``pyproject.toml``; entries marked fuzzy are left out, as ``pybabel compile`` does.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = Path("pblapp") / "translations"


def compile_catalog(po_path: Path, mo_path: Path) -> None:
    """Write ``mo_path`` from ``po_path`` (the same output as ``pybabel compile``)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parent.parent.name)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog, use_fuzzy=False)


class BuildPyWithCatalogs(build_py):
    """``build_py`` that also compiles ``pblapp/translations/*/LC_MESSAGES/*.po``."""

    def run(self) -> None:
        super().run()
        for po_path in sorted(CATALOGS.glob("*/LC_MESSAGES/*.po")):
            relative = po_path.with_suffix(".mo")
            # An editable install imports the package from the source tree, so the catalog
            # is compiled there (as ``make translations`` does); a wheel gets it in its build.
            target = relative if self.editable_mode else Path(self.build_lib) / relative
            compile_catalog(po_path, target)
            print(f"compiled {po_path} -> {target}")


setup(cmdclass={"build_py": BuildPyWithCatalogs})
