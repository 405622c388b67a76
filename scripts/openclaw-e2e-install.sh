#!/usr/bin/env bash
# Installs the OpenClaw release the end-to-end test runs against into .e2e/openclaw (git-ignored),
# using the repo's pinned Node 24 (OpenClaw needs Node >= 24.16). Reused when the right version is there.
# Prints the path of the openclaw executable on the last line of stdout.
set -euo pipefail

OPENCLAW_VERSION="${OPENCLAW_VERSION:-2026.9.6}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$repo_root/.e2e/openclaw"
node_bin_dir="$repo_root/node_modules/.bin"
installed_manifest="$prefix/node_modules/openclaw/package.json"
openclaw_bin="$prefix/node_modules/.bin/openclaw"

if [[ ! -x "$node_bin_dir/node" ]]; then
  echo "missing $node_bin_dir/node: run npm ci in $repo_root first" >&2
  exit 1
fi
export PATH="$node_bin_dir:$PATH"

installed_version() {
  [[ -f "$installed_manifest" ]] || return 0
  node -p "require(process.argv[1]).version" "$installed_manifest"
}

if [[ "$(installed_version)" == "$OPENCLAW_VERSION" && -x "$openclaw_bin" ]]; then
  echo "openclaw@$OPENCLAW_VERSION already installed in $prefix" >&2
else
  echo "installing openclaw@$OPENCLAW_VERSION into $prefix" >&2
  mkdir -p "$prefix"
  started=$SECONDS
  npm install --prefix "$prefix" "openclaw@$OPENCLAW_VERSION" \
    --omit=optional --no-audit --no-fund >&2
  echo "installed in $((SECONDS - started)) s" >&2
  if [[ "$(installed_version)" != "$OPENCLAW_VERSION" ]]; then
    echo "openclaw@$OPENCLAW_VERSION did not install into $prefix" >&2
    exit 1
  fi
fi

echo "$openclaw_bin"
