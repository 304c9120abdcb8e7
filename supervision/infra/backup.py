"""Backup and restore of the database and the media folder, for SQLite and PostgreSQL.

A backup folder holds ``database.sqlite3`` (SQLite online backup, consistent while the app
runs) or ``database.dump`` (``pg_dump -Fc``), ``media.tar.gz`` and ``manifest.json`` with the
row counts of the main tables, which ``restore`` checks after restoring.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump/pg_restore with fixed arguments, no shell
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from ..channels import channels

MEDIA_ARCNAME = "media"


def _pg_env() -> dict:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return env


def _pg_args() -> list[str]:
    db = settings.DATABASES["default"]
    return [
        "-h",
        str(db.get("HOST") or "localhost"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db["USER"]),
    ]


def project_apps() -> list[str]:
    """The core and every registered channel (supervision.channels)."""
    return ["supervision", *(channel.app for channel in channels())]


def row_counts() -> dict[str, int]:
    # Every table of the project's own apps is counted, so a restore that lost any of them fails loudly.
    counts = {}
    for app_label in project_apps():
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.managed and not model._meta.proxy:
                counts[model._meta.label] = model._default_manager.count()
    return counts


def backup_create(*, target: Path) -> dict:
    target.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        dest = sqlite3.connect(str(target / "database.sqlite3"))
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
    elif vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        args = ["pg_dump", *_pg_args(), "-Fc", "-f", str(target / "database.dump"), name]
        # The PostgreSQL client tools are found on PATH; fixed argument list, no shell.
        subprocess.run(  # noqa: S603  # nosec B603 # fixed argv, no shell
            args,
            env=_pg_env(),
            check=True,
        )
    else:  # pragma: no cover - only the two supported engines
        raise RuntimeError(f"backup of {vendor} is not supported")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname=MEDIA_ARCNAME)
    manifest = {"created_at": timezone.now().isoformat(), "engine": vendor, "counts": row_counts()}
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def _safe_members(tar: tarfile.TarFile):
    """The archive's members with the leading ``media/`` removed, refusing anything unsafe."""
    for member in tar.getmembers():
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts or member.issym() or member.islnk():
            raise RuntimeError(f"unsafe path in media archive: {member.name}")
        if path.parts[:1] != (MEDIA_ARCNAME,):
            raise RuntimeError(f"unexpected path in media archive: {member.name}")
        relative = Path(*path.parts[1:])
        if not relative.parts:
            continue  # the folder itself
        member.name = str(relative)
        yield member


def backup_restore(*, source: Path) -> dict:
    manifest = json.loads((source / "manifest.json").read_text())
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise RuntimeError(f"backup is of {manifest['engine']}, this installation runs {vendor}")
    connections.close_all()
    if vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        restored = sqlite3.connect(str(source / "database.sqlite3"))
        live = sqlite3.connect(str(name))
        with live:
            restored.backup(live)
        live.close()
        restored.close()
    else:
        name = connection.settings_dict["NAME"]
        args = ["pg_restore", *_pg_args(), "--clean", "--if-exists", "--no-owner", "-d", name]
        subprocess.run(  # noqa: S603  # nosec B603 # fixed argv, no shell
            [*args, str(source / "database.dump")],
            env=_pg_env(),
            check=True,
        )
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        members = list(_safe_members(tar))
        # MEDIA_ROOT may be any folder (a mounted volume in production): its contents are
        # replaced, the folder itself stays.
        media.mkdir(parents=True, exist_ok=True)
        for child in media.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        tar.extractall(media, members=members, filter="data")
    counts = row_counts()
    if counts != manifest["counts"]:
        raise RuntimeError(f"restored row counts {counts} differ from the backup's {manifest['counts']}")
    return manifest
