"""placebook.stats must stay pure: numpy, scipy and the standard library only, never Django."""

import ast
import sys
from pathlib import Path

import placebook.stats

PACKAGE = Path(placebook.stats.__file__).resolve().parent
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def source_files() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert files, f"no modules found under {PACKAGE}"
    return files


def test_no_module_under_placebook_stats_imports_django():
    offenders = {
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in source_files()
        for module in imported_modules(path)
        if module.split(".")[0] == "django"
    }
    assert not offenders


def test_placebook_stats_imports_only_numpy_scipy_stdlib_and_itself():
    offenders = set()
    for path in source_files():
        for module in imported_modules(path):
            top = module.split(".")[0]
            if module == "placebook.stats" or module.startswith("placebook.stats."):
                continue
            if top in sys.stdlib_module_names or top == "__future__" or top in ALLOWED_THIRD_PARTY:
                continue
            offenders.add(f"{path.relative_to(PACKAGE)}: {module}")
    assert not offenders


def test_import_checker_sees_django_imports(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import django.db\nfrom django.conf import settings\n")
    assert imported_modules(module) == {"django.db", "django.conf"}
