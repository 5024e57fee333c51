"""Static checks of the repository's addons; they need neither Odoo nor a database.

Each check runs once per `prm_*` addon folder (pytest parametrization), so the
counts tell how many addons pass which rule.
"""

import ast
import csv
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from lxml import etree

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = None

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDONS = sorted(path.parent.name for path in ROOT.glob("prm_*/__manifest__.py"))

REQUIRED_KEYS = (
    "name",
    "version",
    "license",
    "summary",
    "category",
    "website",
    "author",
    "depends",
    "development_status",
    "maintainers",
)
LICENSES = {"AGPL-3", "LGPL-3"}
VERSION_RE = re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
ACCESS_HEADER = [
    "id",
    "name",
    "model_id:id",
    "group_id:id",
    "perm_read",
    "perm_write",
    "perm_create",
    "perm_unlink",
]
MODEL_DIRS = ("models", "wizards", "wizard", "report")
# asset directives whose last argument is a file path or glob
ASSET_PATH_DIRECTIVES = {"append", "prepend", "remove", "before", "after", "replace"}

per_addon = pytest.mark.parametrize("addon", ADDONS)


def manifest(addon):
    path = ROOT / addon / "__manifest__.py"
    return ast.literal_eval(path.read_text(encoding="utf-8"))


def read_toml(path):
    text = path.read_text(encoding="utf-8")
    if tomllib:
        return tomllib.loads(text)
    return None


def test_repository_has_addons():
    assert ADDONS, f"no prm_* addon with a __manifest__.py in {ROOT}"


# --- manifest --------------------------------------------------------------------


@per_addon
def test_manifest_parses(addon):
    data = manifest(addon)
    assert isinstance(data, dict)


@per_addon
def test_manifest_keys(addon):
    data = manifest(addon)
    missing = [key for key in REQUIRED_KEYS if not data.get(key)]
    assert not missing, f"{addon}/__manifest__.py lacks {missing}"
    assert "description" not in data, (
        f"{addon}/__manifest__.py: no 'description' key (use readme/DESCRIPTION.md)"
    )


@per_addon
def test_manifest_version_and_license(addon):
    data = manifest(addon)
    assert VERSION_RE.match(data.get("version", "")), data.get("version")
    assert data.get("license") in LICENSES, data.get("license")
    assert isinstance(data.get("depends"), list)
    assert isinstance(data.get("maintainers"), list)


def _asset_paths(assets):
    for bundle, entries in assets.items():
        for entry in entries:
            if isinstance(entry, str):
                yield bundle, entry
            elif isinstance(entry, list | tuple) and entry[0] in ASSET_PATH_DIRECTIVES:
                yield bundle, entry[-1]


@per_addon
def test_manifest_files_exist(addon):
    data = manifest(addon)
    missing = []
    for key in ("data", "demo"):
        for name in data.get(key, []):
            if not (ROOT / addon / name).is_file():
                missing.append(f"{key}: {name}")
    local_addons = {path.parent.name for path in ROOT.glob("*/__manifest__.py")}
    for bundle, pattern in _asset_paths(data.get("assets", {})):
        if pattern.split("/", 1)[0] not in local_addons:
            continue  # a file of an Odoo core addon: not checkable here
        if not [path for path in ROOT.glob(pattern) if path.is_file()]:
            missing.append(f"assets[{bundle}]: {pattern}")
    assert not missing, f"{addon}/__manifest__.py lists missing files: {missing}"


# --- files -----------------------------------------------------------------------


@per_addon
def test_xml_well_formed(addon):
    errors = []
    for path in sorted((ROOT / addon).rglob("*.xml")):
        try:
            etree.parse(str(path))
        except etree.XMLSyntaxError as exc:
            errors.append(f"{path.relative_to(ROOT)}: {exc}")
    assert not errors, "\n".join(errors)


def _string_values(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple):
        return [value for elt in node.elts for value in _string_values(elt)]
    return []


def _base_names(class_node):
    names = []
    for base in class_node.bases:
        if isinstance(base, ast.Attribute):
            names.append(base.attr)
        elif isinstance(base, ast.Name):
            names.append(base.id)
    return names


def declared_models(addon):
    """Models an addon creates: `_name` set and not one of its `_inherit`s,
    abstract models excepted (they have no table to grant access to)."""
    models = {}
    for folder in MODEL_DIRS:
        for path in sorted((ROOT / addon / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                if "AbstractModel" in _base_names(node):
                    continue
                attrs = {}
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign):
                        for target in stmt.targets:
                            if isinstance(target, ast.Name):
                                attrs[target.id] = stmt.value
                abstract = attrs.get("_abstract")
                if isinstance(abstract, ast.Constant) and abstract.value is True:
                    continue
                names = _string_values(attrs.get("_name"))
                inherits = _string_values(attrs.get("_inherit"))
                if names and names[0] not in inherits:
                    models[names[0]] = path.relative_to(ROOT)
    return models


def access_rows(addon):
    path = ROOT / addon / "security" / "ir.model.access.csv"
    if not path.exists():
        return None, []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        rows = [dict(zip(header, row, strict=False)) for row in reader if row]
    return header, rows


@per_addon
def test_access_csv_header(addon):
    header, _rows = access_rows(addon)
    if header is None:
        assert not declared_models(addon), (
            f"{addon} declares models but has no security/ir.model.access.csv"
        )
        return
    assert header == ACCESS_HEADER
    assert "security/ir.model.access.csv" in manifest(addon).get("data", []), (
        f"{addon}/__manifest__.py does not load security/ir.model.access.csv"
    )


@per_addon
def test_models_have_access_rules(addon):
    _header, rows = access_rows(addon)
    granted = {row.get("model_id:id", "").removeprefix(f"{addon}.") for row in rows}
    missing = [
        f"{name} ({path})"
        for name, path in sorted(declared_models(addon).items())
        if "model_" + name.replace(".", "_") not in granted
    ]
    assert not missing, (
        f"models without a row in {addon}/security/ir.model.access.csv: {missing}"
    )


@per_addon
def test_pyproject_uses_whool(addon):
    path = ROOT / addon / "pyproject.toml"
    assert path.is_file(), f"{addon}/pyproject.toml is missing"
    data = read_toml(path)
    if data is None:
        assert "whool" in path.read_text(encoding="utf-8")
        return
    build = data.get("build-system", {})
    assert build.get("build-backend") == "whool.buildapi", build
    assert any(req.startswith("whool") for req in build.get("requires", [])), build


@per_addon
def test_readme_and_icon(addon):
    assert (ROOT / addon / "readme" / "DESCRIPTION.md").is_file(), (
        f"{addon}/readme/DESCRIPTION.md is missing"
    )
    assert (ROOT / addon / "static" / "description" / "icon.png").is_file(), (
        f"{addon}/static/description/icon.png is missing"
    )


@per_addon
def test_pot_file_when_translated(addon):
    """An addon with an i18n/ folder ships its template i18n/<addon>.pot."""
    i18n = ROOT / addon / "i18n"
    if i18n.is_dir():
        assert (i18n / f"{addon}.pot").is_file(), f"{addon}/i18n/{addon}.pot missing"


def test_metapackage_lists_installable_addons():
    data = read_toml(ROOT / "setup" / "_metapackage" / "pyproject.toml")
    if data is None:
        pytest.fail("tomllib (Python >= 3.11) is needed to read the metapackage")
    installable = {
        addon for addon in ADDONS if manifest(addon).get("installable", True)
    }
    listed = set()
    for requirement in data["project"]["dependencies"]:
        match = re.fullmatch(r"odoo-addon-(\w+)==18\.0\.\*", requirement)
        assert match, f"unexpected metapackage dependency {requirement!r}"
        listed.add(match[1])
    assert listed == installable, (
        "setup/_metapackage/pyproject.toml must list exactly the installable "
        f"addons: add {sorted(installable - listed)}, remove "
        f"{sorted(listed - installable)}"
    )


# --- code style --------------------------------------------------------------------


def _ruff(*args):
    command = [sys.executable, "-m", "ruff"]
    if subprocess.run([*command, "--version"], capture_output=True).returncode:
        command = [shutil.which("ruff") or "ruff"]
    return subprocess.run(
        [*command, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_check():
    result = _ruff("check", "--no-fix", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
