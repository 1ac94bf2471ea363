#!/bin/bash
# SPDX-License-Identifier: MIT
# permit-consent's strings are translatable: xgettext finds them through
# po/POTFILES (as `ninja permit-pot` does), including the ones users read
# most. Prints TAP.
#
#   pot.sh SOURCE_ROOT
set -u
SRC=$(realpath "${1:?usage: pot.sh SOURCE_ROOT}")
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-pot.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cd "$SRC" || exit 99

echo "1..3"
if xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments -o "$T/permit.pot" \
        --files-from=po/POTFILES 2>"$T/err"; then
        echo "ok 1 - xgettext reads every file in po/POTFILES"
else
        echo "not ok 1 - xgettext reads every file in po/POTFILES"
        sed 's/^/# /' "$T/err"
fi

missing=""
for s in '_Allow' '_Cancel' 'Developer says: “%s”' 'Required' 'Optional' 'High risk' '_Revoke' \
        'What stays as it was' 'Never used'; do
        grep -qF "msgid \"$s\"" "$T/permit.pot" || missing="$missing '$s'"
done
if [ -z "$missing" ]; then
        echo "ok 2 - the dialog's own words are marked for translation"
else
        echo "not ok 2 - not marked for translation:$missing"
fi

# Every source file of consent-ui that shows text is listed.
unlisted=""
for f in consent-ui/*.c; do
        grep -q '_("' "$f" && ! grep -qx "$f" po/POTFILES && unlisted="$unlisted $f"
done
if [ -z "$unlisted" ]; then
        echo "ok 3 - po/POTFILES lists every file with translatable strings"
else
        echo "not ok 3 - missing from po/POTFILES:$unlisted"
fi
