#!/usr/bin/env bash
# Packs one built binary as a release asset, as the release workflow
# (.github/workflows/release.yml) does for each target and
# tests/testsuite/release.rs does for this machine's:
#
#   scripts/package-release.sh VERSION TARGET BINARY OUT_DIR
#
# VERSION is the tag, in full (v0.1.0); TARGET a Rust target triple. Writes
# OUT_DIR/throughline-VERSION-TARGET.tar.gz (.zip for Windows targets),
# holding the folder throughline-VERSION-TARGET/ with the binary, README.md
# and the licence files, and beside it the archive's SHA-256 in the format
# of `sha256sum` (ARCHIVE.sha256), which scripts/install.sh, action.yml and
# the CI recipes of docs/guide.md check before they unpack. The names are
# what `[package.metadata.binstall]` in Cargo.toml expects.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 VERSION TARGET BINARY OUT_DIR" >&2
  exit 2
fi
version=$1 target=$2 binary=$3 out=$4
case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "error: version \`$version\` is not a full tag such as v0.1.0" >&2; exit 2 ;;
esac
case "$target" in
  *[!A-Za-z0-9_.-]* | "") echo "error: \`$target\` is not a target triple" >&2; exit 2 ;;
esac
[ -f "$binary" ] || { echo "error: no binary at $binary" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
name="throughline-$version-$target"
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
case "$target" in
  *windows*) exe=throughline.exe ;;
  *) exe=throughline ;;
esac
cp "$binary" "$stage/$name/$exe"
chmod 755 "$stage/$name/$exe"
cp "$root/README.md" "$stage/$name/"
for licence in "$root"/LICENSE*; do
  [ -f "$licence" ] && cp "$licence" "$stage/$name/"
done

# Same bytes for the same binary: sorted names, fixed owner and times.
case "$target" in
  *windows*)
    archive="$name.zip"
    rm -f "$out/$archive"
    # Windows runners have 7-Zip rather than zip.
    if command -v zip >/dev/null 2>&1; then
      (cd "$stage" && zip -qrX "$out/$archive" "$name")
    else
      (cd "$stage" && 7z a -tzip -bd "$out/$archive" "$name" >/dev/null)
    fi
    ;;
  *)
    archive="$name.tar.gz"
    # GNU tar's flags where it is tar (Linux); macOS's bsdtar packs as it finds.
    if tar --version 2>/dev/null | grep -q GNU; then
      tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - "$name"
    else
      tar -C "$stage" -cf - "$name"
    fi | gzip -9n > "$out/$archive"
    ;;
esac
if command -v sha256sum >/dev/null 2>&1; then
  (cd "$out" && sha256sum "$archive" > "$archive.sha256")
else
  (cd "$out" && shasum -a 256 "$archive" > "$archive.sha256")
fi
echo "$out/$archive"
