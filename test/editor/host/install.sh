#!/usr/bin/env bash
# Installs the pinned code-server (package-lock.json here) into test/editor/host/node_modules
# so the offline editor tests (test/editor/offline) have a real VS Code host, without any
# binary download at install time:
#   - code-server's own postinstall (which runs `npm install` in lib/vscode and would let
#     @vscode/ripgrep fetch rg from GitHub) is skipped with --ignore-scripts and replayed
#     here step by step;
#   - @vscode/ripgrep gets Debian's /usr/bin/rg (package `ripgrep`) as its bin/rg, so its
#     postinstall sees bin/ present and downloads nothing;
#   - native modules (argon2, kerberos, node-pty, spdlog, ...) are built from source with
#     node-gyp against /usr's Node headers (prebuild downloads disabled).
# Prerequisites (Debian): python3 make g++ ripgrep libkrb5-dev — .ci/run installs them.
# Idempotent: a stamp records the lock file + this script's hash; a second run is a no-op.
set -euo pipefail

HOST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HOST_DIR"
STAMP="node_modules/.governance-host-ready"
WANT="$(cat package-lock.json install.sh | sha256sum | cut -d' ' -f1)"
CS="node_modules/code-server"

if [ "${1-}" != "--force" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
  && [ -x "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; then
  echo "editor host: code-server already installed ($HOST_DIR/$CS)"
  exit 0
fi

missing=()
command -v rg >/dev/null || missing+=("ripgrep (Debian package ripgrep)")
[ -f /usr/include/gssapi/gssapi.h ] || missing+=("gssapi headers (Debian package libkrb5-dev)")
for tool in python3 make g++; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "$(node -p 'process.versions.node.split(".")[0]')" != "20" ]; then
  missing+=("Node.js 20 (code-server 4.99 requires it; found $(node --version))")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "editor host: cannot build code-server, missing: ${missing[*]}" >&2
  echo "editor host: on Debian run: apt-get install -y ripgrep libkrb5-dev python3 make g++" >&2
  exit 1
fi

# Everything below may run as root (CI): npm must not drop privileges for lifecycle scripts.
export npm_config_unsafe_perm=true
# Never fetch prebuilt native binaries (prebuild-install, node-pre-gyp): build from source.
export npm_config_build_from_source=true
# node-gyp compiles each native module with as many make jobs as the machine has cores.
export JOBS=max
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
NPM_QUIET=(--no-audit --no-fund --loglevel=error)

# node-pty's postinstall ends with `npx node-gyp configure -f compile_commands_json`; npx needs
# leave to fetch node-gyp (plain JS) from the npm registry when it is not cached.
export npm_config_yes=true

echo "editor host: npm ci (code-server, scripts deferred)"
rm -f "$STAMP"
npm ci --ignore-scripts "${NPM_QUIET[@]}"

echo "editor host: building argon2 from source"
npm rebuild argon2 "${NPM_QUIET[@]}" >/dev/null

echo "editor host: installing VS Code server dependencies (lib/vscode)"
(
  cd "$CS/lib/vscode"
  npm install --omit=dev --ignore-scripts "${NPM_QUIET[@]}"
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  echo "editor host: building native modules (node-gyp)"
  npm rebuild --foreground-scripts "${NPM_QUIET[@]}" > "$HOST_DIR/node_modules/.native-build.log" 2>&1 \
    || { tail -40 "$HOST_DIR/node_modules/.native-build.log" >&2; exit 1; }
  # What code-server's postinstall.sh does after its npm install.
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
  (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
  cd extensions
  npm install --omit=dev "${NPM_QUIET[@]}" >/dev/null
)

# Smoke check: the server entry point answers and the native modules load.
node "$CS/out/node/entry.js" --version >/dev/null
(cd "$CS/lib/vscode" && node -e '
  for (const m of ["kerberos", "node-pty", "@vscode/spdlog", "native-watchdog", "@parcel/watcher", "@vscode/deviceid"]) require(m);
') || { echo "editor host: a native module failed to load" >&2; exit 1; }

echo "$WANT" > "$STAMP"
echo "editor host: code-server $(node -p "require('./$CS/package.json').version") ready in $HOST_DIR/$CS"
