"""Layering: ``sim/ui`` holds Streamlit code only, and nothing else imports Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UI = REPO / "sim" / "ui"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved in ``sim``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def is_glue(path: Path) -> bool:
    """Only a docstring, imports and a bare call (a package marker, re-exports, page scripts)."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    for node in body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstring
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and not node.value.args
        ):
            continue  # a page script calling its page's render()
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            continue
        return False
    return True


def uses_streamlit(path: Path) -> bool:
    return any(m == "streamlit" or m.startswith("streamlit.") for m in imported_modules(path))


def test_every_ui_module_is_streamlit_code_or_glue() -> None:
    offenders = [
        p.relative_to(REPO).as_posix()
        for p in sorted(UI.rglob("*.py"))
        if not uses_streamlit(p) and not is_glue(p)
    ]
    assert not offenders, f"plain-Python modules belong in their layer, not sim/ui: {offenders}"


def test_nothing_outside_the_app_imports_streamlit() -> None:
    allowed = {REPO / "app.py"}
    folders = [REPO / "sim", REPO / "bench"]
    offenders = [
        p.relative_to(REPO).as_posix()
        for folder in folders
        for p in sorted(folder.rglob("*.py"))
        if UI not in p.parents and p not in allowed and uses_streamlit(p)
    ]
    assert not offenders, f"only sim/ui and app.py may import streamlit: {offenders}"


def test_lower_layers_do_not_import_the_app() -> None:
    offenders = [
        p.relative_to(REPO).as_posix()
        for p in sorted((REPO / "sim").rglob("*.py"))
        if UI not in p.parents and any(m.startswith("sim.ui") for m in imported_modules(p))
    ]
    assert not offenders, f"the library must not depend on the app: {offenders}"


def test_the_checks_can_fail(tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text('"""Doc."""\nimport math\n\nX = math.pi\n')
    glue = tmp_path / "glue.py"
    glue.write_text('"""Doc."""\nfrom math import pi\n\n__all__ = ["pi"]\n')
    page = tmp_path / "page.py"
    page.write_text("import streamlit as st\n\nst.title('x')\n")
    assert not is_glue(plain) and not uses_streamlit(plain)
    assert is_glue(glue)
    assert uses_streamlit(page)


def test_streamlit_sends_nothing_by_default() -> None:
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == 1
    assert config["global"]["developmentMode"] is False
