#!/usr/bin/env bash
# Installs a released throughline binary, checked against its SHA-256:
# what action.yml runs, and what the GitLab recipe in docs/guide.md does
# inline. No Rust toolchain needed.
#
#   scripts/install.sh [VERSION] [DIR]
#
# VERSION is a full tag (v0.1.0); without it, the version in the Cargo.toml
# beside this script, so the action installs the release it was tagged
# with. The binary goes to DIR/bin (default ~/.throughline). The archive
# and its .sha256 come from $THROUGHLINE_DOWNLOAD_URL/VERSION (default:
# the GitHub releases of $THROUGHLINE_REPOSITORY, OWNER/throughline); the
# tests serve a fake release there. The target is this machine's (static
# musl on Linux), or $THROUGHLINE_TARGET. An archive whose checksum does
# not match is refused and nothing is installed.
set -euo pipefail

version=${1:-}
dir=${2:-$HOME/.throughline}
if [ -z "$version" ]; then
  # Only from a checkout: piped into bash, this script has no file, and a
  # Cargo.toml near the current folder would be someone else's.
  source=${BASH_SOURCE[0]:-}
  toml=$(dirname "$source")/../Cargo.toml
  if [ -z "$source" ] || ! grep -qx 'name = "throughline"' "$toml" 2>/dev/null; then
    echo "error: give the version to install, in full: install.sh v0.1.0" >&2
    exit 2
  fi
  version=v$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$toml" | head -n 1)
fi
case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "error: version \`$version\` is not a full tag such as v0.1.0" >&2; exit 2 ;;
esac
case "$version" in
  *[!A-Za-z0-9.+-]*) echo "error: version \`$version\` holds characters no tag has" >&2; exit 2 ;;
esac

target=${THROUGHLINE_TARGET:-}
if [ -z "$target" ]; then
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) echo "error: no release for the processor \`$arch\`; build with \`cargo install --locked\`" >&2; exit 1 ;;
  esac
  case "$(uname -s)" in
    Linux) target=$arch-unknown-linux-musl ;;
    Darwin) target=$arch-apple-darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) target=x86_64-pc-windows-msvc ;;
    *) echo "error: no release for the system \`$(uname -s)\`; build with \`cargo install --locked\`" >&2; exit 1 ;;
  esac
fi
case "$target" in
  *windows*) ext=zip exe=throughline.exe ;;
  *) ext=tar.gz exe=throughline ;;
esac

base=${THROUGHLINE_DOWNLOAD_URL:-https://github.com/${THROUGHLINE_REPOSITORY:-OWNER/throughline}/releases/download}
name="throughline-$version-$target"
archive="$name.$ext"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl --proto '=https,http' --fail --silent --show-error --location --retry 3 --output "$2" "$1"
  else
    wget --quiet --output-document="$2" "$1"
  fi
}
echo "throughline: downloading $base/$version/$archive" >&2
fetch "$base/$version/$archive" "$work/$archive"
fetch "$base/$version/$archive.sha256" "$work/$archive.sha256"

# The checksum file must name this archive and nothing else; then the
# archive's own hash must match it.
expected=$(awk -v a="$archive" '$2 == a || $2 == "*" a { print $1 }' "$work/$archive.sha256")
case "$expected" in
  [0-9a-f]*) [ ${#expected} -eq 64 ] || expected= ;;
  *) expected= ;;
esac
if [ -z "$expected" ]; then
  echo "error: $archive.sha256 holds no SHA-256 for $archive; nothing installed" >&2
  exit 1
fi
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$work/$archive" | cut -d' ' -f1)
else
  actual=$(shasum -a 256 "$work/$archive" | cut -d' ' -f1)
fi
if [ "$actual" != "$expected" ]; then
  echo "error: $archive has SHA-256 $actual, but its .sha256 says $expected; nothing installed" >&2
  exit 1
fi

mkdir "$work/unpacked"
case "$ext" in
  zip) unzip -q "$work/$archive" "$name/$exe" -d "$work/unpacked" ;;
  *) tar -xzf "$work/$archive" -C "$work/unpacked" "$name/$exe" ;;
esac
[ -f "$work/unpacked/$name/$exe" ] && [ ! -L "$work/unpacked/$name/$exe" ] || {
  echo "error: $archive holds no $name/$exe; nothing installed" >&2
  exit 1
}
mkdir -p "$dir/bin"
# Into place by a rename, so a running throughline is never overwritten.
cp "$work/unpacked/$name/$exe" "$dir/bin/.$exe.new"
chmod 755 "$dir/bin/.$exe.new"
mv -f "$dir/bin/.$exe.new" "$dir/bin/$exe"
echo "throughline: installed $("$dir/bin/$exe" --version) in $dir/bin" >&2
