#!/usr/bin/env bash
# The action's install step: build the package from the action's own copy of this
# repository, pack it, and install the tarball into a folder of its own under the
# runner's temp, so the user's project and its package.json stay as they are.
# Installing the tarball runs no script. A second use in the same job reuses the install.
set -euo pipefail
src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
tool="${RUNNER_TEMP:?RUNNER_TEMP is not set}/zspage-stress"
bin="$tool/node_modules/.bin/zspage-stress"

if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "::error title=zspage-stress::needs Node.js 20 or later, found $(node --version)"
  exit 2
fi

if [ -x "$bin" ] && [ "$(cat "$tool/.installed-from" 2>/dev/null)" = "$src" ]; then
  echo "zspage-stress: already installed in $tool"
else
  rm -rf "$tool" && mkdir -p "$tool"
  # A fresh checkout has no node_modules: the build needs the dev dependencies.
  if [ ! -f "$src/node_modules/.package-lock.json" ]; then
    (cd "$src" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
  # npm pack builds first (prepack).
  tarball="$(cd "$src" && npm pack --silent --pack-destination "$tool" | tail -n 1)"
  (cd "$tool" && echo '{ "private": true }' > package.json &&
    npm install --no-audit --no-fund --loglevel=error "./$tarball")
  echo "$src" > "$tool/.installed-from"
  echo "zspage-stress: installed $tarball in $tool"
fi
echo "bin=$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
