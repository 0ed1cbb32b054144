"""Build hook: compile the translation catalogs (``.po`` to ``.mo``) in every build.

All project metadata is in ``pyproject.toml``; this file only adds one step to setuptools'
``build_py``, so that ``pip install .``, ``pip install -e .`` and a wheel (``pip wheel .``,
``python -m build``) all carry compiled Swedish translations without ``make translations``.
The ``.mo`` files are build output and stay out of git. Babel is a build requirement in
``pyproject.toml``; entries marked fuzzy are left out, as ``pybabel compile`` does.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGS = Path("pblapp") / "translations"


def _catalogs():
    """pblapp/catalogs.py, loaded by its path: importing the package would need its
    dependencies, which a build does not have."""
    spec = importlib.util.spec_from_file_location(
        "_pblapp_catalogs", CATALOGS.parent / "catalogs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithCatalogs(build_py):
    """``build_py`` that also compiles ``pblapp/translations/*/LC_MESSAGES/*.po``."""

    def run(self) -> None:
        super().run()
        for po_path in sorted(CATALOGS.glob("*/LC_MESSAGES/*.po")):
            relative = po_path.with_suffix(".mo")
            # An editable install imports the package from the source tree, so the catalog
            # is compiled there (as ``make translations`` does); a wheel gets it in its build.
            target = relative if self.editable_mode else Path(self.build_lib) / relative
            _catalogs().compile_catalog(po_path, target)
            print(f"compiled {po_path} -> {target}")


setup(cmdclass={"build_py": BuildPyWithCatalogs})
