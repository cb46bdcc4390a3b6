'use strict';
/**
 * Drives a real n8n (installed from the npm registry into a cache folder) for the end-to-end suite:
 * install (cached), load this package as a community package, import credentials and workflows,
 * start/stop the server, run workflows from the CLI, and read finished executions (with their
 * binary data) from n8n's sqlite database.
 *
 * Plain CommonJS, Node built-ins only. Needs Node >= 24 (n8n 2.x) running this file: child
 * processes (npm, n8n and n8n's task runner) get this Node first on PATH.
 */

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const DEFAULT_VERSION = '2.41.1';
/** What the suite runs by default: the newest 2.x and the newest 1.x. */
const DEFAULT_VERSIONS = ['2.41.1', '1.123.81'];
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-hiapi';
const MARKER = '.hiapi-e2e-complete.json';

// ---------------------------------------------------------------------------------------------
// small utilities

function log(...args) {
	if (process.env.HIAPI_E2E_QUIET !== '1') console.log('[e2e]', ...args);
}

function nodeMajor() {
	return Number(process.versions.node.split('.')[0]);
}

/** npm settings a user may set in the environment on purpose (network access), kept for child npm runs. */
const NPM_ENV_KEPT = new Set([
	'registry',
	'cache',
	'proxy',
	'https_proxy',
	'http_proxy',
	'noproxy',
	'cafile',
	'ca',
	'strict_ssl',
	'userconfig',
]);

/** PATH with the running Node first, so `npm`, `n8n` and n8n's `spawn('node')` use the same Node. */
function envWithThisNode(extra = {}) {
	const binDir = path.dirname(process.execPath);
	const env = { ...process.env };
	// Never leak a test runner's environment: n8n refuses to load nodes when NODE_ENV=test
	// (LoadNodesAndCredentials.init: "Not available in tests"), which jest sets.
	if (env.NODE_ENV === 'test') delete env.NODE_ENV;
	for (const key of Object.keys(env)) {
		if (key.startsWith('JEST_')) delete env[key];
		// `npx jest` / `npm test` export the outer npm's resolved config as npm_config_* (this repo's
		// .npmrc has ignore-scripts=true, which silently turned `npm rebuild` into a no-op) plus
		// npm_package_*/npm_lifecycle_*. Child npm commands must read their own folder's config.
		const m = /^npm_config_(.*)$/i.exec(key);
		if (m && !NPM_ENV_KEPT.has(m[1].toLowerCase())) delete env[key];
		else if (
			/^npm_(package|lifecycle|command|execpath|node_execpath)/i.test(key) ||
			key === 'INIT_CWD'
		)
			delete env[key];
	}
	Object.assign(env, extra);
	env.PATH = [binDir, process.env.PATH || ''].filter(Boolean).join(path.delimiter);
	// node-gyp builds native modules against these headers (the official tarball layout has include/node).
	const nodeDir = path.dirname(binDir);
	if (!env.npm_config_nodedir && fs.existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) {
		env.npm_config_nodedir = nodeDir;
	}
	return env;
}

/**
 * Runs a command, collecting output. Resolves {code, signal, stdout, stderr, ms}; never rejects on
 * a non-zero exit (callers decide). `logFile` also receives both streams.
 */
function run(cmd, args, { cwd, env, logFile, timeoutMs = 0, input } = {}) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = childProcess.spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
		const out = [];
		const err = [];
		const logStream = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
		if (logStream) logStream.write(`\n$ ${cmd} ${args.join(' ')}\n`);
		child.stdout.on('data', (d) => {
			out.push(d);
			logStream?.write(d);
		});
		child.stderr.on('data', (d) => {
			err.push(d);
			logStream?.write(d);
		});
		let timer;
		if (timeoutMs > 0) {
			timer = setTimeout(() => {
				logStream?.write(`\n[e2e] timeout after ${timeoutMs} ms, killing\n`);
				child.kill('SIGKILL');
			}, timeoutMs);
		}
		child.on('error', (e) => {
			clearTimeout(timer);
			logStream?.end();
			reject(e);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const result = {
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				ms: Date.now() - started,
			};
			if (logStream)
				logStream.end(`\n[exit ${code}${signal ? ' ' + signal : ''} after ${result.ms} ms]\n`, () =>
					resolve(result),
				);
			else resolve(result);
		});
		if (input !== undefined) child.stdin.end(input);
		else child.stdin.end();
	});
}

function tail(text, lines = 80) {
	return String(text).split('\n').slice(-lines).join('\n');
}

/** A free TCP port on 127.0.0.1 (a small race is possible until something binds it). */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Minimal HTTP client (no fetch: keeps this file independent of the test environment's globals).
 * Resolves {status, headers, body: Buffer, text(), json()}.
 */
function request(url, { method = 'GET', headers = {}, body, timeoutMs = 30000 } = {}) {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		let payload = body;
		const h = { ...headers };
		if (payload !== undefined && !Buffer.isBuffer(payload) && typeof payload !== 'string') {
			payload = JSON.stringify(payload);
			h['content-type'] ??= 'application/json';
		}
		if (payload !== undefined) h['content-length'] = Buffer.byteLength(payload);
		const req = http.request(u, { method, headers: h, timeout: timeoutMs }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const buf = Buffer.concat(chunks);
				resolve({
					status: res.statusCode,
					headers: res.headers,
					body: buf,
					text: () => buf.toString('utf8'),
					json: () => JSON.parse(buf.toString('utf8')),
				});
			});
			res.on('error', reject);
		});
		req.on('timeout', () =>
			req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)),
		);
		req.on('error', reject);
		req.end(payload);
	});
}

// ---------------------------------------------------------------------------------------------
// 1. install n8n (cached)

function cacheRoot() {
	return process.env.HIAPI_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-hiapi');
}

function n8nDir(version = DEFAULT_VERSION) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

function n8nBin(version = DEFAULT_VERSION) {
	return path.join(n8nDir(version), 'node_modules', 'n8n', 'bin', 'n8n');
}

function isInstalled(version = DEFAULT_VERSION) {
	return fs.existsSync(path.join(n8nDir(version), MARKER)) && fs.existsSync(n8nBin(version));
}

/** One installer at a time per cache folder (another jest worker or a second terminal waits). */
async function withLock(lockDir, fn, { waitMs = 20 * 60 * 1000 } = {}) {
	const started = Date.now();
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			// A lock left by a dead process is taken over.
			let pid = 0;
			try {
				pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			} catch {}
			let alive = false;
			if (pid) {
				try {
					process.kill(pid, 0);
					alive = true;
				} catch {}
			}
			if (!alive && Date.now() - fs.statSync(lockDir).mtimeMs > 5000) {
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() - started > waitMs)
				throw new Error(`timed out waiting for the install lock ${lockDir}`);
			await sleep(2000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

/** Major version of an n8n version string ('1.123.81' → 1). */
function n8nMajor(version = DEFAULT_VERSION) {
	return Number(String(version).split('.')[0]);
}

/**
 * How a given n8n version is installed and driven. Measured differences (see /work/shared/n8n-facts.md):
 * - 2.x: Node >= 24; `npm install n8n@<v> --ignore-scripts`; native modules sqlite3 + isolated-vm;
 *   workflows are activated with `publish:workflow`.
 * - 1.x (1.123.81 checked): Node 20 to 24; its n8n-nodes-base depends on `xlsx` as a tarball URL outside
 *   the registries, so the host package.json overrides it with the registry's `xlsx@0.18.5`; only
 *   sqlite3 is native; workflows are activated with `update:workflow --active=true`.
 */
function installPlan(version = DEFAULT_VERSION) {
	if (n8nMajor(version) >= 2) {
		return {
			minNode: 24,
			hostPackage: { name: 'n8n-e2e-host', private: true },
			steps: [
				['install', `n8n@${version}`, '--ignore-scripts', '--no-audit', '--no-fund'],
				// Explicit: an ignore-scripts=true in some npmrc would make the rebuild a silent no-op.
				['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false'],
			],
			nativeModules: ['sqlite3', 'isolated-vm'],
		};
	}
	return {
		minNode: 20,
		// `npm install n8n@1.x` alone fails: n8n-nodes-base asks for https://cdn.sheetjs.com/xlsx-0.20.2/xlsx-0.20.2.tgz.
		hostPackage: {
			name: 'n8n-e2e-host',
			private: true,
			dependencies: { n8n: version },
			overrides: { xlsx: '0.18.5' },
		},
		steps: [
			['install', '--ignore-scripts', '--no-audit', '--no-fund'],
			['rebuild', 'sqlite3', '--ignore-scripts=false'],
		],
		nativeModules: ['sqlite3'],
	};
}

/**
 * Installs n8n into `${HIAPI_E2E_CACHE:-~/.cache/n8n-nodes-hiapi}/n8n-<version>` unless a
 * completed install is there (marker file), and returns the path of its `bin/n8n`.
 *
 * 2.x (measured 5–6 min, 2.9 GB): `npm install n8n@<version> --ignore-scripts` (a plain install
 * runs a build step that downloads from outside the registries and fails), then
 * `npm rebuild sqlite3 isolated-vm` for this Node's ABI (n8n 2.x needs Node >= 24).
 * 1.x: a host package.json depending on n8n with `"overrides": {"xlsx": "0.18.5"}`, `npm install
 * --ignore-scripts`, then `npm rebuild sqlite3` (see installPlan).
 */
async function ensureN8n(version = DEFAULT_VERSION) {
	if (isInstalled(version)) return n8nBin(version);
	const plan = installPlan(version);
	if (nodeMajor() < plan.minNode) {
		throw new Error(
			`n8n ${version} needs Node >= ${plan.minNode}; this is ${process.version}. Run: source scripts/node24.sh`,
		);
	}
	const dir = n8nDir(version);
	fs.mkdirSync(cacheRoot(), { recursive: true });
	return await withLock(`${dir}.lock`, async () => {
		if (isInstalled(version)) return n8nBin(version);
		fs.mkdirSync(dir, { recursive: true });
		const pkgPath = path.join(dir, 'package.json');
		// 1.x needs its overrides in place before the install; 2.x keeps whatever npm wrote there.
		if (!fs.existsSync(pkgPath) || plan.hostPackage.overrides) {
			fs.writeFileSync(pkgPath, JSON.stringify(plan.hostPackage, null, 2) + '\n');
		}
		const logFile = path.join(dir, 'install.log');
		const env = envWithThisNode({ npm_config_update_notifier: 'false' });
		const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
		const started = Date.now();
		log(
			`installing n8n@${version} into ${dir} (${n8nMajor(version) >= 2 ? 'about 6' : 'about 3'} minutes; log: ${logFile})`,
		);
		for (const args of plan.steps) {
			const r = await run(npm, args, { cwd: dir, env, logFile, timeoutMs: 30 * 60 * 1000 });
			if (r.code !== 0) {
				throw new Error(
					`npm ${args.join(' ')} failed (exit ${r.code}) in ${dir}:\n${tail(r.stderr || r.stdout, 40)}`,
				);
			}
		}
		// The native bindings must load on this Node, or n8n fails at start with a confusing error.
		const requires = plan.nativeModules.map((m) => `require(${JSON.stringify(m)})`).join('; ');
		const check = await run(process.execPath, ['-e', requires], { cwd: dir, env });
		if (check.code !== 0)
			throw new Error(
				`${plan.nativeModules.join('/')} do not load after the rebuild:\n${tail(check.stderr, 20)}`,
			);
		const seconds = Math.round((Date.now() - started) / 1000);
		fs.writeFileSync(
			path.join(dir, MARKER),
			JSON.stringify(
				{ version, node: process.version, installedAt: new Date().toISOString(), seconds },
				null,
				2,
			) + '\n',
		);
		log(`n8n@${version} installed in ${seconds} s`);
		return n8nBin(version);
	});
}

// ---------------------------------------------------------------------------------------------
// 2. load this package like a user's community package

/** Minimal reader for the gzip'd ustar archives `npm pack` writes (pax and GNU long names included). */
function untar(tgzPath, destDir, { strip = 1 } = {}) {
	const buf = zlib.gunzipSync(fs.readFileSync(tgzPath));
	let offset = 0;
	let longName;
	let paxPath;
	const str = (b) => b.toString('utf8').replace(/\0.*$/s, '');
	while (offset + 512 <= buf.length) {
		const header = buf.subarray(offset, offset + 512);
		if (header.every((b) => b === 0)) break;
		const size = parseInt(str(header.subarray(124, 136)).trim() || '0', 8);
		const type = String.fromCharCode(header[156] || 48);
		const prefix = str(header.subarray(345, 500));
		let name = str(header.subarray(0, 100));
		if (prefix) name = `${prefix}/${name}`;
		const mode = parseInt(str(header.subarray(100, 108)).trim() || '644', 8);
		const body = buf.subarray(offset + 512, offset + 512 + size);
		offset += 512 + Math.ceil(size / 512) * 512;
		if (type === 'L') {
			longName = str(body);
			continue;
		}
		if (type === 'x') {
			const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
			if (m) paxPath = m[1];
			continue;
		}
		if (type === 'g') continue;
		name = paxPath || longName || name;
		paxPath = longName = undefined;
		const parts = name.split('/').filter(Boolean).slice(strip);
		if (parts.length === 0 || parts.includes('..')) continue;
		const target = path.join(destDir, ...parts);
		if (type === '5') fs.mkdirSync(target, { recursive: true });
		else if (type === '0' || type === '\0' || type === '7') {
			fs.mkdirSync(path.dirname(target), { recursive: true });
			fs.writeFileSync(target, body, { mode: mode & 0o777 });
		}
	}
}

/**
 * Packs the repository (`npm pack`, so exactly the published file set: run `npm run build` first)
 * and unpacks it into `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-hiapi`, the way n8n 2.41's
 * own installer does (community-packages.service.js downloadPackage: pack, untar with
 * --strip-components=1, drop dev/peer/optional dependencies, install the rest, record it in
 * nodes/package.json). At start n8n scans `<nodes>/node_modules/n8n-nodes-*` for packages
 * (CommunityPackagesModule.nodeLoaders → scanDirectoryForPackages); nodes/package.json is not
 * read for loading, but written as n8n does. Returns {dir, version, tarball}.
 */
async function installPackage(userFolder) {
	const distEntry = path.join(REPO_ROOT, 'dist');
	if (!fs.existsSync(distEntry))
		throw new Error(`${distEntry} is missing: run \`npm run build\` first`);
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-pack-'));
	try {
		const env = envWithThisNode({ npm_config_update_notifier: 'false' });
		const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
		const r = await run(
			npm,
			['pack', '--json', '--ignore-scripts', '--pack-destination', packDir],
			{ cwd: REPO_ROOT, env },
		);
		if (r.code !== 0) throw new Error(`npm pack failed (exit ${r.code}):\n${tail(r.stderr, 30)}`);
		const tgz = fs.readdirSync(packDir).find((f) => f.endsWith('.tgz'));
		if (!tgz) throw new Error(`npm pack wrote no tarball:\n${r.stdout}\n${r.stderr}`);
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		const dest = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
		fs.rmSync(dest, { recursive: true, force: true });
		fs.mkdirSync(dest, { recursive: true });
		untar(path.join(packDir, tgz), dest, { strip: 1 });

		const pkgFile = path.join(dest, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...pkg } = JSON.parse(
			fs.readFileSync(pkgFile, 'utf8'),
		);
		fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
		if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
			const args = [
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
			];
			const ri = await run(npm, args, { cwd: dest, env });
			if (ri.code !== 0) throw new Error(`npm install in ${dest} failed:\n${tail(ri.stderr, 30)}`);
		}
		const nodesPkgFile = path.join(nodesDir, 'package.json');
		let nodesPkg = { name: 'installed-nodes', private: true, dependencies: {} };
		if (fs.existsSync(nodesPkgFile)) nodesPkg = JSON.parse(fs.readFileSync(nodesPkgFile, 'utf8'));
		nodesPkg.dependencies = { ...(nodesPkg.dependencies || {}), [PACKAGE_NAME]: pkg.version };
		fs.writeFileSync(nodesPkgFile, JSON.stringify(nodesPkg, null, 2));
		const files = [];
		const walk = (d) => {
			for (const e of fs.readdirSync(d, { withFileTypes: true })) {
				const p = path.join(d, e.name);
				if (e.isDirectory()) walk(p);
				else files.push(path.relative(dest, p));
			}
		};
		walk(dest);
		return { dir: dest, version: pkg.version, tarball: tgz, files };
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// 3. environment, server, CLI

/**
 * The environment every n8n process of one instance shares (server and CLI): its own user
 * folder (sqlite DB, encryption key, binary data), 127.0.0.1 only, no outbound calls.
 */
function n8nEnv({
	userFolder,
	port,
	brokerPort,
	encryptionKey,
	version = DEFAULT_VERSION,
	extra = {},
}) {
	const v2 = n8nMajor(version) >= 2;
	const noProxy = ['127.0.0.1', 'localhost', '::1', process.env.NO_PROXY, process.env.no_proxy]
		.filter(Boolean)
		.join(',');
	return envWithThisNode({
		// As in n8n's Docker image (unset would mean "development": e.g. watching node folders).
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '2',
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		// n8n 2.41 deprecates WEBHOOK_URL in favour of N8N_WEBHOOK_URL (same meaning, read first);
		// 1.x reads only WEBHOOK_URL (1.123.81 dist/services/url.service.js).
		...(v2
			? { N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/` }
			: { WEBHOOK_URL: `http://127.0.0.1:${port}/` }),
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_SECURE_COOKIE: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		EXECUTIONS_MODE: 'regular',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		EXECUTIONS_DATA_PRUNE: 'false',
		GENERIC_TIMEZONE: 'UTC',
		// The Code node runs in a task runner child process (internal mode, the default); each n8n
		// process (server, every CLI command) starts its own broker, so each needs its own port.
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// No outbound calls: telemetry, version check, templates, banners, license renewal, AI.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		// mcp-registry (2.x) refreshes a server list from api.n8n.io at start. 1.x has no such module
		// and exits with 'Unknown module "mcp-registry"' if it is named here.
		...(v2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		N8N_LOG_LEVEL: process.env.HIAPI_E2E_N8N_LOG_LEVEL || 'info',
		// For profiling n8n itself, e.g. HIAPI_E2E_N8N_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof".
		...(process.env.HIAPI_E2E_N8N_NODE_OPTIONS
			? { NODE_OPTIONS: process.env.HIAPI_E2E_N8N_NODE_OPTIONS }
			: {}),
		N8N_LOG_OUTPUT: 'console',
		NO_PROXY: noProxy,
		no_proxy: noProxy,
		...extra,
	});
}

/**
 * One n8n instance: a user folder (temp dir unless given), a port, and the env shared by its
 * server and CLI commands. Returns an object with the helpers bound to that env.
 */
async function createN8n({ version = DEFAULT_VERSION, userFolder, port, env: extraEnv = {} } = {}) {
	const bin = await ensureN8n(version);
	userFolder ??= fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-n8n-'));
	fs.mkdirSync(userFolder, { recursive: true });
	port ??= await freePort();
	const encryptionKey = crypto.randomBytes(24).toString('hex');
	const url = `http://127.0.0.1:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');
	const cliLogFile = path.join(userFolder, 'n8n-cli.log');
	const dbFile = path.join(userFolder, '.n8n', 'database.sqlite');

	/** Env for one process; each process gets its own task-runner broker port. */
	const envFor = async () =>
		n8nEnv({
			userFolder,
			port,
			brokerPort: await freePort(),
			encryptionKey,
			version,
			extra: extraEnv,
		});

	let server;

	const inst = {
		version,
		bin,
		userFolder,
		port,
		url,
		logFile,
		cliLogFile,
		dbFile,

		installPackage: () => installPackage(userFolder),

		/** Runs `n8n <args>` with this instance's env. Resolves {code, stdout, stderr, ms}. */
		async cli(args, { timeoutMs = 5 * 60 * 1000 } = {}) {
			return await run(process.execPath, [bin, ...args], {
				cwd: userFolder,
				env: await envFor(),
				logFile: cliLogFile,
				timeoutMs,
			});
		},

		async cliOk(args, opts) {
			const r = await inst.cli(args, opts);
			if (r.code !== 0) {
				throw new Error(
					`n8n ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.stdout, 30)}\n${tail(r.stderr, 30)}`,
				);
			}
			return r;
		},

		importCredentials: (file) => inst.cliOk(['import:credentials', `--input=${file}`]),
		importWorkflow: (file) => inst.cliOk(['import:workflow', `--input=${file}`]),
		/** Every *.json in `dir` in one command (one n8n boot instead of one per file). */
		importWorkflows: (dir) => inst.cliOk(['import:workflow', '--separate', `--input=${dir}`]),
		publish: (id) => inst.cliOk(['publish:workflow', `--id=${id}`]),
		/**
		 * Makes a workflow's triggers listen from the next start: `publish:workflow` on 2.x,
		 * `update:workflow --active=true` on 1.x (which has no publish command). Run it before start().
		 */
		activate: (id) =>
			n8nMajor(version) >= 2
				? inst.cliOk(['publish:workflow', `--id=${id}`])
				: inst.cliOk(['update:workflow', `--id=${id}`, '--active=true']),

		/**
		 * POSTs to a production webhook path (`<url>/webhook/<path>`), retrying n8n's 404 "not
		 * registered" for up to `registerTimeoutMs`: /healthz/readiness answers before the active
		 * workflows' webhooks are registered. Returns the response.
		 */
		async postWebhook(webhookPath, body, { registerTimeoutMs = 60000, headers = {} } = {}) {
			const deadline = Date.now() + registerTimeoutMs;
			for (;;) {
				const r = await request(`${url}/webhook/${webhookPath}`, { method: 'POST', body, headers });
				if (r.status !== 404 || Date.now() > deadline) return r;
				await sleep(250);
			}
		},

		/** Polls execution `id` until its status is one of `statuses`; returns the row. */
		async waitForStatus(id, statuses, { timeoutMs = 60000 } = {}) {
			const want = [].concat(statuses);
			const deadline = Date.now() + timeoutMs;
			let row;
			for (;;) {
				try {
					row = listExecutions(dbFile, {}).find((r) => String(r.id) === String(id));
				} catch (e) {
					if (!/locked|busy/i.test(String(e.message))) throw e;
				}
				if (row && want.includes(row.status)) return row;
				if (Date.now() > deadline) {
					throw new Error(
						`execution ${id} not ${want.join('/')} after ${timeoutMs} ms: ${JSON.stringify(row)}`,
					);
				}
				await sleep(100);
			}
		},

		/**
		 * `n8n execute --id=<id> --rawOutput`: runs the workflow in a separate n8n process (mode
		 * 'cli') and returns the run (IRun: {status, data.resultData.runData, ...}) parsed from
		 * stdout. On a failed run n8n prints the run via its logger and exits 1; the run is then
		 * parsed from that text when possible. Returns {run, code, stdout, stderr, ms}.
		 */
		async execute(id, { timeoutMs = 5 * 60 * 1000 } = {}) {
			const r = await inst.cli(['execute', `--id=${id}`, '--rawOutput'], { timeoutMs });
			return { ...r, run: parseRunJson(r.stdout) };
		},

		/** Starts `n8n start` and waits for /healthz/readiness. */
		async start({ readinessTimeoutMs = 180000 } = {}) {
			if (server) throw new Error('n8n is already running');
			server = await startServer({
				bin,
				env: await envFor(),
				cwd: userFolder,
				logFile,
				url,
				readinessTimeoutMs,
			});
			return server;
		},

		/** Stops n8n; `{ signal: 'SIGKILL' }` kills it as a crash would (nothing is saved on the way out). */
		async stop(opts) {
			if (!server) return;
			const s = server;
			server = undefined;
			await s.stop(opts);
		},

		get running() {
			return !!server;
		},

		logTail: (lines = 120) =>
			fs.existsSync(logFile) ? tail(fs.readFileSync(logFile, 'utf8'), lines) : '(no log)',
		cliLogTail: (lines = 120) =>
			fs.existsSync(cliLogFile) ? tail(fs.readFileSync(cliLogFile, 'utf8'), lines) : '(no log)',

		// -- reading results --------------------------------------------------------------
		db: () => openDb(dbFile),
		executions: (filter) => listExecutions(dbFile, filter),
		execution: (id) => readExecution(dbFile, id),
		waitForExecutions: (filter, opts) => waitForExecutions(dbFile, filter, opts),
		webhooks: () => withDb(dbFile, (db) => db.prepare('SELECT * FROM webhook_entity').all()),
		readBinary: (binaryMeta, opts) => readBinary(userFolder, binaryMeta, opts),
		eventLog: () => readEventLog(userFolder),
		/**
		 * How many times execution `id` ran to its end, from n8n's event log (`n8n.workflow.success` /
		 * `n8n.workflow.failed` events in <userFolder>/.n8n/n8nEventLog*.log). A resumed execution that
		 * finishes once counts 1. The log is written asynchronously: read it a moment after the finish.
		 */
		workflowEnds: (id) =>
			readEventLog(userFolder).filter(
				(e) =>
					String(e.payload?.executionId) === String(id) &&
					/^n8n\.workflow\.(success|failed)$/.test(e.eventName),
			).length,

		// -- REST as the instance owner ---------------------------------------------------
		setupOwner: (owner) => setupOwner(url, owner),

		/** Deletes the user folder (call after stop()). */
		cleanup() {
			if (server) throw new Error('stop n8n first');
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
	return inst;
}

/**
 * Finds the IRun JSON object in `n8n execute` output. With --rawOutput a successful run is the
 * whole stdout; a failed run is printed by n8n's logger between other log lines, so documents
 * starting with a "{" line and ending with a "}" line are tried, longest first.
 */
function parseRunJson(text) {
	const s = String(text);
	const starts = [];
	const ends = [];
	if (s.startsWith('{')) starts.push(0);
	for (let i = s.indexOf('\n{'); i !== -1; i = s.indexOf('\n{', i + 1)) starts.push(i + 1);
	for (let i = s.indexOf('\n}'); i !== -1; i = s.indexOf('\n}', i + 1)) ends.push(i + 2);
	if (s.trimEnd().endsWith('}')) ends.push(s.trimEnd().length);
	for (const start of starts) {
		for (const end of [...new Set(ends)].sort((a, b) => b - a)) {
			if (end <= start) break;
			try {
				const obj = JSON.parse(s.slice(start, end));
				if (obj && typeof obj === 'object' && ('data' in obj || 'status' in obj)) return obj;
			} catch {}
		}
	}
	return undefined;
}

const servers = new Set();
let exitHookInstalled = false;
function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// Last resort: never leave an n8n behind when the test process ends abruptly.
	process.on('exit', () => {
		for (const child of servers) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}
	});
}

/** The text appended to `file` after byte `offset`. */
function logSince(file, offset) {
	const fd = fs.openSync(file, 'r');
	try {
		const size = fs.fstatSync(fd).size;
		if (size <= offset) return '';
		const buf = Buffer.alloc(size - offset);
		fs.readSync(fd, buf, 0, buf.length, offset);
		return buf.toString('utf8');
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * `n8n start` in its own process group (so its task-runner child dies with it), logging to
 * `logFile`. Resolves {url, pid, stop()} once GET /healthz/readiness answers 200.
 * stop(): SIGTERM to the group, SIGKILL after 10 s.
 */
async function startServer({ bin, env, cwd, logFile, url, readinessTimeoutMs = 180000 }) {
	installExitHook();
	const logFd = fs.openSync(logFile, 'a');
	fs.writeSync(logFd, `\n===== n8n start at ${new Date().toISOString()} =====\n`);
	const logOffset = fs.fstatSync(logFd).size;
	const started = Date.now();
	const child = childProcess.spawn(process.execPath, [bin, 'start'], {
		cwd,
		env,
		stdio: ['ignore', logFd, logFd],
		detached: true,
	});
	fs.closeSync(logFd);
	servers.add(child);
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			servers.delete(child);
			resolve(exited);
		});
	});

	/** SIGTERM (a clean shutdown), or `signal: 'SIGKILL'` for a crash. */
	const stop = async ({ signal = 'SIGTERM' } = {}) => {
		if (exited) return exited;
		try {
			process.kill(-child.pid, signal);
		} catch {}
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}, 10000);
		const result = await exitPromise;
		clearTimeout(timer);
		// The task runner is in the same group; make sure nothing of it survives.
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {}
		return result;
	};

	const deadline = Date.now() + readinessTimeoutMs;
	for (;;) {
		if (exited) {
			throw new Error(
				`n8n exited during start (${JSON.stringify(exited)}). Log ${logFile}:\n${tail(fs.readFileSync(logFile, 'utf8'), 60)}`,
			);
		}
		// Readiness is not enough: 1.x answers it before its REST API is mounted (POST /rest/owner/setup →
		// 404 "Cannot POST") and before its startup crash recovery has run (which briefly marks a waiting
		// execution 'crashed' and then restores 'waiting'). Both versions print "Editor is now accessible
		// via" once the start sequence is over (recovery, active workflows, routes).
		try {
			const r = await request(`${url}/healthz/readiness`, { timeoutMs: 2000 });
			if (r.status === 200 && logSince(logFile, logOffset).includes('Editor is now accessible via'))
				break;
		} catch {}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(
				`n8n not ready after ${readinessTimeoutMs} ms. Log ${logFile}:\n${tail(fs.readFileSync(logFile, 'utf8'), 60)}`,
			);
		}
		await sleep(250);
	}
	return { url, pid: child.pid, startMs: Date.now() - started, stop, exited: () => exited };
}

/**
 * Starts an n8n server for `userFolder` on `port` (both optional) and returns {url, stop(), n8n},
 * `n8n` being the full instance helper (createN8n) sharing the same env.
 */
async function startN8n({ userFolder, port, env, version } = {}) {
	const n8n = await createN8n({ userFolder, port, env, version });
	const s = await n8n.start();
	return { url: n8n.url, stop: () => n8n.stop(), startMs: s.startMs, n8n };
}

// ---------------------------------------------------------------------------------------------
// 4. reading executions from the sqlite database

function sqliteModule() {
	// process.getBuiltinModule bypasses test-runner module registries (jest) that may not know node:sqlite.
	const mod =
		typeof process.getBuiltinModule === 'function'
			? process.getBuiltinModule('node:sqlite')
			: require('node:sqlite');
	if (!mod) throw new Error('node:sqlite is not available (Node >= 22.13 / 24 needed)');
	return mod;
}

/** Read-only connection; n8n runs sqlite in WAL mode (DB_SQLITE_POOL_SIZE > 0), so reading while it writes is safe. */
function openDb(dbFile) {
	const { DatabaseSync } = sqliteModule();
	const db = new DatabaseSync(dbFile, { readOnly: true });
	db.exec('PRAGMA busy_timeout = 5000');
	return db;
}

function withDb(dbFile, fn) {
	const db = openDb(dbFile);
	try {
		return fn(db);
	} finally {
		db.close();
	}
}

/** Rows of execution_entity (newest last), optionally filtered by {workflowId, status, mode, afterId}. */
function listExecutions(dbFile, { workflowId, status, mode, afterId } = {}) {
	return withDb(dbFile, (db) => {
		const where = [];
		const args = [];
		if (workflowId) {
			where.push('workflowId = ?');
			args.push(workflowId);
		}
		if (status) {
			where.push('status = ?');
			args.push(status);
		}
		if (mode) {
			where.push('mode = ?');
			args.push(mode);
		}
		if (afterId !== undefined) {
			where.push('CAST(id AS INTEGER) > ?');
			args.push(Number(afterId));
		}
		const sql = `SELECT id, workflowId, status, mode, finished, startedAt, stoppedAt, waitTill, retryOf FROM execution_entity${
			where.length ? ' WHERE ' + where.join(' AND ') : ''
		} ORDER BY CAST(id AS INTEGER)`;
		return db
			.prepare(sql)
			.all(...args)
			.map((r) => ({ ...r }));
	});
}

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

/** Polls until `count` executions matching the filter have finished (or `predicate(rows)` holds). */
async function waitForExecutions(
	dbFile,
	filter = {},
	{ count = 1, timeoutMs = 60000, finished = true, predicate } = {},
) {
	const deadline = Date.now() + timeoutMs;
	let rows = [];
	for (;;) {
		try {
			rows = listExecutions(dbFile, filter);
		} catch (e) {
			if (!/locked|busy/i.test(String(e.message))) throw e;
		}
		const done = finished ? rows.filter((r) => FINISHED.has(r.status)) : rows;
		if (predicate ? predicate(rows) : done.length >= count) return done;
		if (Date.now() > deadline) {
			throw new Error(
				`timed out after ${timeoutMs} ms waiting for ${count} execution(s) ${JSON.stringify(filter)}; have ${JSON.stringify(rows)}`,
			);
		}
		await sleep(250);
	}
}

/**
 * n8n stores execution data with `flatted` (circular-safe JSON: an array of nodes where string
 * values that are numeric indexes point at other entries). Decoded here with no dependency.
 */
function unflatten(text) {
	const input = JSON.parse(text);
	if (!Array.isArray(input)) return input;
	const wrapped = input.map((v) => (typeof v === 'string' ? new String(v) : v)); // eslint-disable-line no-new-wrappers
	const seen = new Set();
	const revive = (value) => {
		if (value instanceof String) return String(value);
		if (value === null || typeof value !== 'object') return value;
		if (seen.has(value)) return value;
		seen.add(value);
		for (const key of Object.keys(value)) {
			const v = value[key];
			if (typeof v === 'string' && /^\d+$/.test(v)) {
				const target = wrapped[Number(v)];
				if (target instanceof String) value[key] = String(target);
				else {
					value[key] = target;
					revive(target);
				}
			} else if (v !== null && typeof v === 'object') {
				revive(v);
			}
		}
		return value;
	};
	return revive(wrapped[0]);
}

/**
 * One execution: the execution_entity row plus `data` (the decoded IRunExecutionData: resultData.runData,
 * resultData.error, executionData...) and `workflowData`.
 */
function readExecution(dbFile, id) {
	return withDb(dbFile, (db) => {
		const row = db.prepare('SELECT * FROM execution_entity WHERE id = ?').get(String(id));
		if (!row) throw new Error(`no execution ${id}`);
		const dataRow = db
			.prepare('SELECT * FROM execution_data WHERE executionId = ?')
			.get(String(id));
		const result = { ...row };
		if (dataRow) {
			result.data = dataRow.data ? unflatten(dataRow.data) : undefined;
			result.workflowData = dataRow.workflowData ? JSON.parse(dataRow.workflowData) : undefined;
		}
		return result;
	});
}

/** The output items of `nodeName` in a decoded run (IRunExecutionData or IRun), run `runIndex`, output `output`. */
function nodeOutput(data, nodeName, { runIndex = 0, output = 0 } = {}) {
	const d = data && data.data && data.data.resultData ? data.data : data;
	const runs = d && d.resultData && d.resultData.runData && d.resultData.runData[nodeName];
	if (!runs || !runs[runIndex]) return undefined;
	const main = runs[runIndex].data && runs[runIndex].data.main;
	return main ? main[output] || [] : [];
}

/** The error of `nodeName` (runData[...].error) or the execution's (resultData.error). */
function runError(data, nodeName) {
	const d = data && data.data && data.data.resultData ? data.data : data;
	if (!d || !d.resultData) return undefined;
	if (nodeName) {
		const runs = d.resultData.runData && d.resultData.runData[nodeName];
		return runs && runs[0] && runs[0].error;
	}
	return d.resultData.error;
}

/**
 * The bytes of a binary entry (an item's `binary.<field>` object) of a finished execution.
 * - `id: 'filesystem-v2:<path>'` → `<userFolder>/.n8n/storage/<path>` (n8n 2.x filesystem mode)
 * - `id: 'filesystem:<file>'` → the legacy layout `<userFolder>/.n8n/binaryData/<file>`
 * - no id → inline base64 in `data` (binary mode "default").
 */
function readBinary(userFolder, meta, { executionId } = {}) {
	if (!meta || typeof meta !== 'object')
		throw new Error(`not a binary entry: ${JSON.stringify(meta)}`);
	const n8nFolder = path.join(userFolder, '.n8n');
	if (typeof meta.id === 'string' && meta.id) {
		const colon = meta.id.indexOf(':');
		const mode = meta.id.slice(0, colon);
		const fileIds = [meta.id.slice(colon + 1)];
		// n8n 1.x stores a webhook trigger's binary under executions/temp/ and moves it to
		// executions/<id>/ when saving, but may leave the saved id pointing at temp/ (see README).
		if (executionId !== undefined && fileIds[0].includes('/executions/temp/')) {
			fileIds.push(fileIds[0].replace('/executions/temp/', `/executions/${executionId}/`));
		}
		const candidates = fileIds.flatMap((fileId) =>
			mode === 'filesystem-v2'
				? [path.join(n8nFolder, 'storage', fileId), path.join(n8nFolder, 'binaryData', fileId)]
				: [path.join(n8nFolder, 'binaryData', fileId), path.join(n8nFolder, 'storage', fileId)],
		);
		for (const file of candidates) {
			const resolved = path.resolve(file);
			if (!resolved.startsWith(path.resolve(n8nFolder) + path.sep)) continue;
			if (fs.existsSync(resolved)) return fs.readFileSync(resolved);
		}
		throw new Error(`binary ${meta.id} not found (looked in ${candidates.join(', ')})`);
	}
	if (typeof meta.data === 'string') return Buffer.from(meta.data, 'base64');
	throw new Error(`binary entry has neither id nor data: ${JSON.stringify(meta)}`);
}

/** n8n's event log (`<userFolder>/.n8n/n8nEventLog*.log`, one JSON message per line), oldest file first. */
function readEventLog(userFolder) {
	const dir = path.join(userFolder, '.n8n');
	if (!fs.existsSync(dir)) return [];
	const files = fs
		.readdirSync(dir)
		.filter((f) => /^n8nEventLog(-\d+)?\.log$/.test(f))
		.sort((a, b) => {
			const n = (f) => Number((/-(\d+)\.log$/.exec(f) || [0, 0])[1]);
			return n(b) - n(a); // -2 is older than -1, which is older than the current file
		});
	const events = [];
	for (const f of files) {
		for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
			if (!line.startsWith('{')) continue;
			try {
				const msg = JSON.parse(line);
				if (msg.eventName) events.push(msg);
			} catch {}
		}
	}
	return events;
}

// ---------------------------------------------------------------------------------------------
// 5. REST as the owner (for what has no CLI: the credential test)

/**
 * Creates the instance owner through `POST /rest/owner/setup` (allowed once, on a fresh
 * instance) and returns a small client carrying its `n8n-auth` cookie.
 */
async function setupOwner(
	url,
	{
		email = 'e2e@example.com',
		password = 'E2e-password-1',
		firstName = 'E2E',
		lastName = 'Owner',
	} = {},
) {
	const r = await request(`${url}/rest/owner/setup`, {
		method: 'POST',
		body: { email, password, firstName, lastName },
	});
	if (r.status !== 200) throw new Error(`owner setup failed: ${r.status} ${r.text()}`);
	const cookies = [].concat(r.headers['set-cookie'] || []).map((c) => c.split(';')[0]);
	const auth = cookies.find((c) => c.startsWith('n8n-auth='));
	if (!auth) throw new Error(`owner setup set no n8n-auth cookie: ${JSON.stringify(r.headers)}`);
	const rest = async (method, p, body) => {
		const res = await request(`${url}/rest${p}`, { method, body, headers: { cookie: auth } });
		let json;
		try {
			json = res.json();
		} catch {}
		return { status: res.status, json, text: res.text() };
	};
	return { cookie: auth, rest, user: r.json().data };
}

// ---------------------------------------------------------------------------------------------
// 6. example workflows

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/**
 * Reads `examples/<name>`, replaces `{{NAME}}` placeholders (SIM_URL, N8N_URL, ...) and writes
 * the result into `dir`. Unreplaced placeholders are an error. Returns {file, json}.
 */
function renderExample(name, vars, dir) {
	let text = fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8');
	text = text.replace(/\{\{([A-Z][A-Z0-9_]*)\}\}/g, (m, key) => {
		if (!(key in vars)) throw new Error(`${name}: no value for placeholder ${m}`);
		return String(vars[key]);
	});
	const file = path.join(dir, name);
	fs.writeFileSync(file, text);
	return { file, json: JSON.parse(text) };
}

/**
 * Examples that start from a webhook (the trigger receiving callbacks, the Wait for Callback batch):
 * published as they are imported, by `bash run n8n` and by the suite alike, so their production
 * URLs answer from the first run.
 */
const PUBLISHED_EXAMPLES = ['hiapiExCbRecv001', 'hiapiExWait00001'];

/** Values for the examples' placeholders; the reference image is one the simulator always serves. */
function exampleVars(simBaseUrl, n8nUrl, callbackToken) {
	return {
		SIM_URL: simBaseUrl,
		N8N_URL: n8nUrl,
		CALLBACK_TOKEN: callbackToken,
		REFERENCE_IMAGE_URL: `${simBaseUrl}/samples/reference.png`,
	};
}

module.exports = {
	PUBLISHED_EXAMPLES,
	exampleVars,
	DEFAULT_VERSION,
	DEFAULT_VERSIONS,
	REPO_ROOT,
	n8nMajor,
	installPlan,
	EXAMPLES_DIR,
	cacheRoot,
	n8nDir,
	n8nBin,
	isInstalled,
	ensureN8n,
	installPackage,
	createN8n,
	startN8n,
	n8nEnv,
	freePort,
	request,
	sleep,
	parseRunJson,
	unflatten,
	listExecutions,
	readExecution,
	waitForExecutions,
	nodeOutput,
	runError,
	readBinary,
	readEventLog,
	setupOwner,
	renderExample,
	untar,
};

// ---------------------------------------------------------------------------------------------
// 7. a browser for the editor tests (added for editor.e2e.test.ts; nothing above uses it)

/** The first Chromium found: $CHROMIUM, then chromium / chromium-browser / google-chrome on PATH. */
function findChromium(preferred = process.env.CHROMIUM) {
	const names = [
		preferred,
		'chromium',
		'chromium-browser',
		'google-chrome',
		'google-chrome-stable',
	].filter(Boolean);
	for (const c of names) {
		if (path.isAbsolute(c)) {
			if (fs.existsSync(c)) return c;
			continue;
		}
		for (const dir of (process.env.PATH || '').split(path.delimiter)) {
			const p = path.join(dir, c);
			if (dir && fs.existsSync(p)) return p;
		}
	}
	return undefined;
}

/**
 * Chromium for the editor tests. When none is found and this process runs as root on Debian/Ubuntu
 * (a fresh CI machine), installs Debian's `chromium` package with apt-get (about 1-2 min) and says so;
 * otherwise throws with what to install. Returns the browser's path.
 */
async function ensureChromium({
	log = (m) => !process.env.HIAPI_E2E_QUIET && console.log(`[e2e] ${m}`),
} = {}) {
	const found = findChromium();
	if (found) return found;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!isRoot || !fs.existsSync('/usr/bin/apt-get')) {
		throw new Error(
			'no Chromium found: install it (Debian: apt-get install -y chromium), or set CHROMIUM=<path>',
		);
	}
	log(
		"no Chromium found: installing Debian's chromium package (apt-get update && apt-get install -y chromium)",
	);
	const started = Date.now();
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [
		['update', '-qq'],
		['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
	]) {
		const r = await run('apt-get', args, { env, timeoutMs: 15 * 60 * 1000 });
		if (r.code !== 0)
			throw new Error(
				`apt-get ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.stdout, 20)}\n${tail(r.stderr, 20)}`,
			);
	}
	const installed = findChromium();
	if (!installed) throw new Error('apt-get installed chromium but no chromium binary is on PATH');
	log(`installed ${installed} in ${Math.round((Date.now() - started) / 1000)} s`);
	return installed;
}

module.exports.findChromium = findChromium;
module.exports.ensureChromium = ensureChromium;

// Internals the install test reuses (exported as they are, unchanged).
module.exports.envWithThisNode = envWithThisNode;
module.exports.run = run;
module.exports.tail = tail;
