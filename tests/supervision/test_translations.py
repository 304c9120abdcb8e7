"""The zh_Hans catalogues: complete, no empty or fuzzy entry, and one wording per msgid.

Django merges the project catalogue (LOCALE_PATHS) and the apps' catalogues into one: for a
msgid (with the same msgctxt) present in several, the first catalogue in that order wins —
LOCALE_PATHS, then INSTALLED_APPS from the top, third-party apps included (the admin's and
django-celery-beat's catalogues come before ours). The same msgid translated differently in two
catalogues therefore shows one app another app's wording. Same meaning: make the translations
identical. Different meaning: give the strings a context (``pgettext``, ``{% translate "…"
context "…" %}``) and translate the entry with its msgctxt in the app's catalogue.

Also a script: ``python tests/supervision/test_translations.py`` lists every problem.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE = "zh_Hans"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def label(self) -> str:
        return f"{self.msgctxt}|{self.msgid!r}" if self.msgctxt is not None else repr(self.msgid)


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a PO file (obsolete ``#~`` entries and the header left out)."""
    entries: list[Entry] = []
    current = Entry()
    target: str | None = None

    def finish() -> None:
        nonlocal current, target
        if current.line and current.msgid:
            entries.append(current)
        current, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            current.flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            if keyword == "msgid" and current.line:
                finish()
            value = ast.literal_eval(rest)
            target = keyword
            if keyword == "msgid":
                current.line = number
            if keyword.startswith("msgstr"):
                current.msgstr.append("")
        if target == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif target == "msgid":
            current.msgid += value
        elif target == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        elif target and target.startswith("msgstr"):
            current.msgstr[-1] += value
    finish()
    return entries


def read_mo(path: Path) -> list[Entry]:
    """The entries of a compiled catalogue (a third-party app ships its .mo; fuzzy ones are left out)."""
    with path.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    entries: dict[tuple[str | None, str], Entry] = {}
    for key, msgstr in sorted(catalog.items(), key=lambda item: str(item[0])):
        msgid, form = key if isinstance(key, tuple) else (key, None)
        if not msgid:
            continue
        msgctxt, _, msgid = msgid.rpartition("\x04") if "\x04" in msgid else (None, "", msgid)
        entry = entries.setdefault((msgctxt, msgid), Entry(msgid=msgid, msgctxt=msgctxt))
        entry.msgstr.append(msgstr)
        if form is not None:
            entry.msgid_plural = ""
    return list(entries.values())


@dataclass
class Catalogue:
    path: Path
    ours: bool

    def entries(self) -> list[Entry]:
        return parse_po(self.path) if self.ours else read_mo(self.path)


def _is_ours(path: Path) -> bool:
    return path.is_relative_to(ROOT) and "site-packages" not in path.parts


def catalogues() -> list[Catalogue]:
    """Every zh_Hans catalogue in the order Django lets them win: LOCALE_PATHS, then INSTALLED_APPS
    from the top (third-party apps included: one listed before ours shadows our app's wording)."""
    import django
    from django.apps import apps
    from django.conf import settings

    django.setup()
    found = []
    for locale in [Path(p) for p in settings.LOCALE_PATHS] + [
        Path(a.path) / "locale" for a in apps.get_app_configs()
    ]:
        ours = _is_ours(locale)
        path = locale / LANGUAGE / "LC_MESSAGES" / ("django.po" if ours else "django.mo")
        if path.exists():
            found.append(Catalogue(path, ours))
    return found


def ours(found: list[Catalogue]) -> list[Path]:
    return [c.path for c in found if c.ours]


def name(path: Path) -> str:
    if _is_ours(path):
        return str(path.relative_to(ROOT))
    if "site-packages" in path.parts:
        return "/".join(path.parts[path.parts.index("site-packages") + 1 :])
    return str(path)


def untranslated(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        for e in parse_po(path):
            if "fuzzy" in e.flags:
                problems.append(f"{name(path)}:{e.line} fuzzy: {e.label()}")
            elif not e.msgstr or not all(s.strip() for s in e.msgstr):
                problems.append(f"{name(path)}:{e.line} empty: {e.label()}")
    return problems


def collisions(found: list[Catalogue]) -> list[str]:
    """Entries of our catalogues that another catalogue, earlier in the merge, translates differently.

    Our core catalogue overriding a third-party app's wording is deliberate and not reported."""
    seen: dict[tuple, list[tuple[Catalogue, Entry]]] = defaultdict(list)
    for catalogue in found:
        for e in catalogue.entries():
            if all(s.strip() for s in e.msgstr) and "fuzzy" not in e.flags:
                seen[(e.msgctxt, e.msgid)].append((catalogue, e))
    problems = []
    for entries in seen.values():
        winner = entries[0][1].msgstr
        if all(e.msgstr == winner for c, e in entries if c.ours):
            continue
        lines = [f"  {name(c.path)}:{e.line} {' / '.join(e.msgstr)}" for c, e in entries]
        problems.append(
            f"{entries[0][1].label()} (shown everywhere: {' / '.join(winner)})\n" + "\n".join(lines)
        )
    return problems


def placeholder_mismatches(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        for e in parse_po(path):
            if "python-format" not in e.flags:
                continue
            wanted = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
            for s in e.msgstr:
                if s and sorted(PLACEHOLDER.findall(s)) != wanted:
                    problems.append(f"{name(path)}:{e.line} {e.label()} → {s!r}")
    return problems


def test_every_app_catalogue_is_checked():
    found = {name(c.path) for c in catalogues() if c.ours}
    for app in ("inspections", "followups", "complaints", "surveys", "servicedesk", "reports"):
        assert f"{app}/locale/{LANGUAGE}/LC_MESSAGES/django.po" in found
    assert f"locale/{LANGUAGE}/LC_MESSAGES/django.po" in found


def test_parser_reads_contexts_plurals_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "survey"\nmsgid ""\n"Open "\n"%(n)s"\nmsgstr "开放"\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    first, second = parse_po(po)
    assert (first.msgctxt, first.msgid, first.msgstr, first.flags) == (
        "survey",
        "Open %(n)s",
        ["开放"],
        {"fuzzy", "python-format"},
    )
    assert (second.msgid_plural, second.msgstr) == ("%(n)s days", [""])
    problems = untranslated([po])
    assert len(problems) == 2 and "fuzzy" in problems[0] and "empty" in problems[1]
    first_app, second_app = tmp_path / "first.po", tmp_path / "second.po"
    first_app.write_text(
        'msgid "Day"\nmsgstr "天"\n\nmsgctxt "date"\nmsgid "Day"\nmsgstr "日期"\n', encoding="utf-8"
    )
    second_app.write_text('msgid "Day"\nmsgstr "日期"\n', encoding="utf-8")
    assert len(collisions([Catalogue(first_app, True), Catalogue(second_app, True)])) == 1
    assert not collisions([Catalogue(first_app, True)])
    # Empty and fuzzy entries are not compiled, so they shadow nothing (they fail the other test).
    assert not collisions([Catalogue(po, True), Catalogue(second_app, True)])
    assert len(placeholder_mismatches([po])) == 1


def test_no_empty_or_fuzzy_translation():
    problems = untranslated(ours(catalogues()))
    assert not problems, "Untranslated entries:\n" + "\n".join(problems)


def test_same_msgid_has_the_same_translation_in_every_catalogue():
    problems = collisions(catalogues())
    assert not problems, (
        "The same msgid is translated differently; only the first catalogue's wording is shown. "
        "Make them identical, or give the app's strings a context:\n" + "\n".join(problems)
    )


def test_translations_keep_the_placeholders():
    problems = placeholder_mismatches(ours(catalogues()))
    assert not problems, "Placeholders differ from the msgid:\n" + "\n".join(problems)


def missing_from_catalogues(workdir: Path) -> list[str]:
    """Strings in the code that are in no catalogue (shown in English): ``make makemessages`` run
    on a copy of the sources, its msgids compared with the committed catalogues."""
    recipe = re.search(r"^makemessages:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    ignores = re.findall(r"--ignore=(\S+)", recipe.splitlines()[0])
    app_dirs = re.search(r"for app in ([^;]+);", recipe).group(1).split()
    copy = workdir / "src"
    skip = shutil.ignore_patterns(".*", "var", "staticfiles", "static", "docs", "build", "*.egg-info")
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda d, names: {*skip(d, names), *(n for n in names if n.endswith((".po", ".mo")))},
    )
    env = {**os.environ, "DEBUG": "1", "DUCHA_VAR_DIR": str(workdir / "var")}
    command = [sys.executable, str(copy / "manage.py"), "makemessages", "-l", LANGUAGE, "-v0"]
    runs = [(copy, [f"--ignore={i}" for i in ignores])] + [(copy / app, []) for app in app_dirs]
    for cwd, extra in runs:
        subprocess.run([*command, *extra], cwd=cwd, env=env, check=True, capture_output=True)
    problems = []
    for fresh in sorted(copy.glob(f"**/locale/{LANGUAGE}/LC_MESSAGES/django.po")):
        relative = fresh.relative_to(copy)
        committed = {e.key[:2] for e in parse_po(ROOT / relative)} if (ROOT / relative).exists() else set()
        for e in parse_po(fresh):
            if e.key[:2] not in committed:
                problems.append(f"{relative}: {e.label()}")
    return problems


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_string_in_the_code_is_in_a_catalogue(tmp_path):
    problems = missing_from_catalogues(tmp_path)
    assert not problems, "Not in any catalogue (run make makemessages and translate):\n" + "\n".join(problems)


def test_contexts_reach_the_right_wording():
    """Spot-check of the compiled, merged catalogue (``make messages``)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Source") == "来源"
        assert translation.pgettext("holiday calendar", "Source") == "依据"
        assert translation.gettext("Findings") == "问题台账"
        assert translation.pgettext("count", "Findings") == "问题数"
        assert translation.gettext("Share") == "占比"
        assert translation.pgettext("follow-up policy", "Share") == "随访比例"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings_test")
    found = catalogues()
    sections = [
        ("Empty or fuzzy", untranslated(ours(found))),
        ("Same msgid, different msgstr", collisions(found)),
        ("Placeholders differ", placeholder_mismatches(ours(found))),
    ]
    if shutil.which("xgettext"):
        with tempfile.TemporaryDirectory() as workdir:
            sections.append(("Not in any catalogue", missing_from_catalogues(Path(workdir))))
    for title, problems in sections:
        print(f"== {title}: {len(problems)}")
        print("\n".join(problems))
    sys.exit(1 if any(problems for _, problems in sections) else 0)
