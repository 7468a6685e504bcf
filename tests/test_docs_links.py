"""Every ``docs/<file>.md#<section>`` the code, templates, tests and docs cite names a section
that exists, so someone with only the repository can follow each citation."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"docs/(\w+)\.md#([\w-]+)")
SUFFIXES = (".py", ".html", ".md", ".js", ".css", ".toml", ".cfg")
SOURCE_FOLDERS = ("crm", "surveys", "templates", "tests", "docs", "bench", "static/js", "scripts")


def sections_of(doc: Path) -> set[str]:
    """The ``{#id}`` anchors of a Markdown file, and its headings' GitHub-style slugs."""
    text = doc.read_text(encoding="utf-8")
    found = set(re.findall(r"\{#([\w-]+)\}", text))
    for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE):
        plain = re.sub(r"\{#[\w-]+\}", "", heading)
        found.add(re.sub(r"[^\w\- ]", "", plain).strip().lower().replace(" ", "-"))
    return found


def sources() -> list[Path]:
    """The project's own files that may cite the docs (not the venv, nor npm's packages)."""
    files = [ROOT / name for name in ("README.md", "app.py", "config.py", "Makefile")]
    for folder in SOURCE_FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in SUFFIXES]
    return [p for p in files if p.is_file()]


def test_every_cited_docs_section_exists():
    sections = {doc.stem: sections_of(doc) for doc in (ROOT / "docs").glob("*.md")}
    missing = {}
    for path in sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        for doc, section in CITATION.findall(text):
            if section not in sections.get(doc, set()):
                missing.setdefault(f"docs/{doc}.md#{section}", str(path.relative_to(ROOT)))
    assert missing == {}
