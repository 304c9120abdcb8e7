#!/usr/bin/env bash
# Drill: manage.py backup of the drill (demo) database + media, restore into a NEW database and a new
# media folder, and compare row counts (the restore command checks them against the manifest) and
# every media file's checksum. Run after setup.sh.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source tests/faults/drills/env.sh
stamp=$(date -u +%Y%m%d-%H%M%S)
backup=var/drills/backup-$stamp
restored=var/drills/restored-$stamp
echo "== backup of $DATABASE_URL and $MEDIA_ROOT"
.venv/bin/python manage.py backup "$backup"
ls -la "$backup"
su postgres -c "psql -p $DRILL_PG_PORT -qc 'DROP DATABASE IF EXISTS ducha_drill_restore'"
su postgres -c "createdb -p $DRILL_PG_PORT -O ducha ducha_drill_restore"
echo "== restore into ducha_drill_restore and $restored/media"
DATABASE_URL=${DATABASE_URL%/*}/ducha_drill_restore MEDIA_ROOT=$PWD/$restored/media \
  .venv/bin/python manage.py restore "$backup" --yes
echo "== media checksums: original vs restored"
(cd "$MEDIA_ROOT" && find . -type f ! -name '.building-*' -print0 | sort -z | xargs -0 sha256sum) > "$restored/original.sha256"
(cd "$restored/media" && find . -type f ! -name '.building-*' -print0 | sort -z | xargs -0 sha256sum) > "$restored/restored.sha256"
wc -l < "$restored/original.sha256" | sed 's/^/files in the original media: /'
if diff -q "$restored/original.sha256" "$restored/restored.sha256"; then echo "media identical"; else echo "MEDIA DIFFER"; exit 1; fi
echo "== the restored database answers through the app"
DATABASE_URL=${DATABASE_URL%/*}/ducha_drill_restore .venv/bin/python manage.py shell -c "
from supervision.backup import row_counts; import json
print(json.dumps(row_counts(), ensure_ascii=False))"
echo "== restore into a media folder NOT named 'media' (MEDIA_ROOT=$restored/uploads)"
DATABASE_URL=${DATABASE_URL%/*}/ducha_drill_restore MEDIA_ROOT=$PWD/$restored/uploads \
  .venv/bin/python manage.py restore "$backup" --yes
uploads=$( (find "$restored/uploads" -type f 2>/dev/null || true) | wc -l)
echo "files under $restored/uploads: $uploads"
echo "files under $restored/media:   $(find "$restored/media" -type f | wc -l)"
echo "VERDICT PASS: round trip restored every counted row and every media file"
if [ "$uploads" -eq 0 ]; then
  echo "FINDING: restore extracts the archive's 'media/' folder next to MEDIA_ROOT, so a MEDIA_ROOT not named"
  echo "         'media' gets no files back (supervision/backup.py backup_restore: extractall(media.parent))"
fi
