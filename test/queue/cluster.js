'use strict';
/**
 * A real n8n queue-mode cluster on 127.0.0.1 for the queue suite and bench/queue.ts: Postgres and
 * Redis from Debian (installed with apt-get when missing), one main (`n8n start`), workers
 * (`n8n worker`) and webhook processors (`n8n webhook`), each with its own user folder (this package
 * installed as test/e2e does it), port and task-runner broker port, one shared encryption key.
 * Optionally a round-robin HTTP proxy in front of the webhook processors, for WEBHOOK_URL.
 *
 * Plain CommonJS, Node built-ins only, like test/e2e/n8n.js (whose helpers it reuses). Run as root
 * (apt-get; Postgres is started as the `postgres` user through runuser). See test/queue/README.md.
 *
 *   const { startCluster } = require('./test/queue/cluster.js');
 *   const c = await startCluster({ version: '2.41.1', credentials: [file], workflows: [file], publish: [id] });
 *   await c.postWebhook('my-path', body);      // through webhook processor 1
 *   c.execution(id); await c.readBinary(meta); await c.bullCounts();
 *   await c.kill('worker1'); await c.restart('worker1');
 *   await c.stop();
 */

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const e2e = require('../e2e/n8n.js');

const { freePort, request, sleep, run, tail } = e2e;

function log(...args) {
	if (process.env.HIAPI_E2E_QUIET !== '1') console.log('[queue]', ...args);
}

// ---------------------------------------------------------------------------------------------
// 1. Postgres and Redis from Debian

/** The newest /usr/lib/postgresql/<major>/bin that has postgres and initdb, or undefined. */
function findPostgresBin() {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return undefined;
	const majors = fs
		.readdirSync(root)
		.filter((d) => /^\d+$/.test(d))
		.sort((a, b) => Number(b) - Number(a));
	for (const major of majors) {
		const bin = path.join(root, major, 'bin');
		if (['postgres', 'initdb', 'psql'].every((f) => fs.existsSync(path.join(bin, f))))
			return { bin, major: Number(major) };
	}
	return undefined;
}

function which(name) {
	for (const dir of (process.env.PATH || '')
		.split(path.delimiter)
		.concat(['/usr/bin', '/usr/sbin']))
		if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
	return undefined;
}

async function aptInstall(packages) {
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () =>
		run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
			env,
			timeoutMs: 15 * 60 * 1000,
		});
	let r = await install();
	if (r.code !== 0) {
		log(`apt-get install failed (exit ${r.code}); running apt-get update and trying again`);
		const u = await run('apt-get', ['update', '-qq'], { env, timeoutMs: 10 * 60 * 1000 });
		if (u.code !== 0) throw new Error(`apt-get update failed:\n${tail(u.stderr, 20)}`);
		r = await install();
	}
	if (r.code !== 0)
		throw new Error(
			`apt-get install ${packages.join(' ')} failed (exit ${r.code}):\n${tail(r.stdout, 20)}\n${tail(r.stderr, 20)}`,
		);
}

/**
 * Postgres (postgres, initdb, psql) and Redis (redis-server, redis-cli), installed from Debian
 * (`apt-get install -y postgresql redis-server`, only what is missing) when not there. The packages'
 * own services are not started (Debian's container policy-rc.d) and not used: every cluster runs
 * its own in a temporary folder. Returns the paths.
 */
async function ensureServices() {
	const missing = [];
	if (!findPostgresBin()) missing.push('postgresql');
	if (!which('redis-server') || !which('redis-cli')) missing.push('redis-server');
	if (missing.length > 0) {
		const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
		if (!isRoot || !fs.existsSync('/usr/bin/apt-get'))
			throw new Error(
				`missing ${missing.join(' and ')}: install them (Debian: apt-get install -y ${missing.join(' ')})`,
			);
		const started = Date.now();
		log(`installing ${missing.join(' ')} from Debian (apt-get install -y ${missing.join(' ')})`);
		await aptInstall(missing);
		log(`installed ${missing.join(' ')} in ${Math.round((Date.now() - started) / 1000)} s`);
	}
	const pg = findPostgresBin();
	if (!pg) throw new Error('postgresql installed, but no /usr/lib/postgresql/*/bin/postgres found');
	const redisServer = which('redis-server');
	const redisCli = which('redis-cli');
	if (!redisServer || !redisCli) throw new Error('redis-server installed, but not found on PATH');
	return {
		postgres: path.join(pg.bin, 'postgres'),
		initdb: path.join(pg.bin, 'initdb'),
		psql: path.join(pg.bin, 'psql'),
		pgMajor: pg.major,
		redisServer,
		redisCli,
	};
}

/** Every process this module started (process groups), killed when the test process exits abruptly. */
const started = new Set();
let exitHook = false;
function track(child, extraPids) {
	if (!exitHook) {
		exitHook = true;
		process.on('exit', () => {
			for (const entry of started) {
				for (const pid of entry.extraPids ? entry.extraPids() : []) {
					try {
						process.kill(pid, 'SIGKILL');
					} catch {}
				}
				try {
					process.kill(-entry.child.pid, 'SIGKILL');
				} catch {}
			}
		});
	}
	const entry = { child, extraPids };
	started.add(entry);
	child.once('exit', () => started.delete(entry));
}

/** A long-running process in its own process group, logging to `logFile`; resolves nothing. */
function spawnLogged(cmd, args, { env, cwd, logFile, header }) {
	const fd = fs.openSync(logFile, 'a');
	if (header) fs.writeSync(fd, `\n===== ${header} at ${new Date().toISOString()} =====\n`);
	const offset = fs.fstatSync(fd).size;
	const child = childProcess.spawn(cmd, args, {
		cwd,
		env,
		stdio: ['ignore', fd, fd],
		detached: true,
	});
	fs.closeSync(fd);
	let exited = null;
	const exitPromise = new Promise((resolve) =>
		child.once('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		}),
	);
	return { child, offset, exitPromise, exited: () => exited };
}

function logSince(file, offset) {
	try {
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
	} catch {
		return '';
	}
}

/**
 * Postgres in `<dir>/pg` (owned by the `postgres` user: initdb and postgres refuse to run as root),
 * on 127.0.0.1:<port>, database and user `n8n` (password auth over TCP). `fsync=off`: a throwaway
 * test database (options.fsync to turn it on). Returns {host, port, user, password, database, psql(), stop()}.
 */
async function startPostgres({ dir, port, bins, fsync = false, maxConnections = 200 } = {}) {
	bins ??= await ensureServices();
	port ??= await freePort();
	// The postgres user must reach its data dir, and `dir` may sit in root's 0700 temp folders: the
	// data lives in a folder of its own under /tmp (world-traversable), linked from `dir` as `pg`.
	const pgRoot = fs.mkdtempSync(
		path.join(fs.existsSync('/tmp') ? '/tmp' : os.tmpdir(), 'hiapi-queue-pg-'),
	);
	fs.chmodSync(pgRoot, 0o755);
	const dataDir = path.join(pgRoot, 'data');
	try {
		fs.symlinkSync(pgRoot, path.join(dir, 'pg'));
	} catch {}
	const logFile = path.join(dir, 'postgres.log');
	const user = 'n8n';
	const password = crypto.randomBytes(12).toString('hex');
	const database = 'n8n';
	fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const pwFile = path.join(pgRoot, 'pw');
	fs.writeFileSync(pwFile, password + '\n', { mode: 0o644 });
	const asPostgres = ['-u', 'postgres', '--'];
	const owner = await run('chown', ['-R', 'postgres:postgres', dataDir]);
	if (owner.code !== 0) throw new Error(`chown postgres ${dataDir} failed: ${owner.stderr}`);
	const init = await run(
		'runuser',
		[
			...asPostgres,
			bins.initdb,
			'-D',
			dataDir,
			'-U',
			user,
			`--pwfile=${pwFile}`,
			'--auth-local=trust',
			'--auth-host=scram-sha-256',
			'-E',
			'UTF8',
			'--no-instructions',
		],
		{ cwd: '/', logFile },
	);
	fs.rmSync(pwFile, { force: true });
	if (init.code !== 0)
		throw new Error(`initdb failed (exit ${init.code}):\n${tail(init.stdout + init.stderr, 30)}`);
	const proc = spawnLogged(
		'runuser',
		[
			...asPostgres,
			bins.postgres,
			'-D',
			dataDir,
			'-p',
			String(port),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			`unix_socket_directories=${dataDir}`,
			'-c',
			`max_connections=${maxConnections}`,
			'-c',
			`fsync=${fsync ? 'on' : 'off'}`,
			'-c',
			`synchronous_commit=${fsync ? 'on' : 'off'}`,
			'-c',
			`full_page_writes=${fsync ? 'on' : 'off'}`,
		],
		{ cwd: '/', logFile, header: 'postgres' },
	);
	const postmasterPid = () => {
		try {
			return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
		} catch {
			return 0;
		}
	};
	track(proc.child, () => [postmasterPid()].filter(Boolean));
	const env = { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' };
	const psqlArgs = ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-v', 'ON_ERROR_STOP=1'];
	const pg = {
		host: '127.0.0.1',
		port,
		user,
		password,
		database,
		dataDir,
		pgRoot,
		logFile,
		/** Runs SQL with psql -At; resolves stdout (rejects on an error). */
		async psql(sql, { db = database, timeoutMs = 120000 } = {}) {
			const r = await run(bins.psql, [...psqlArgs, '-d', db, '-At', '-q', '-f', '-'], {
				env,
				input: sql,
				timeoutMs,
			});
			if (r.code !== 0) throw new Error(`psql failed (exit ${r.code}): ${r.stderr}\nSQL: ${sql}`);
			return r.stdout;
		},
		/** Stops it: fast shutdown (SIGINT to the postmaster), SIGKILL after 10 s. */
		async stop() {
			if (proc.exited()) return;
			const pid = postmasterPid();
			try {
				if (pid) process.kill(pid, 'SIGINT');
				else process.kill(-proc.child.pid, 'SIGTERM');
			} catch {}
			const timer = setTimeout(() => {
				try {
					if (pid) process.kill(pid, 'SIGKILL');
					process.kill(-proc.child.pid, 'SIGKILL');
				} catch {}
			}, 10000);
			await proc.exitPromise;
			clearTimeout(timer);
		},
	};
	const deadline = Date.now() + 60000;
	for (;;) {
		if (proc.exited())
			throw new Error(
				`postgres exited during start (${JSON.stringify(proc.exited())}):\n${tail(fs.readFileSync(logFile, 'utf8'), 30)}`,
			);
		try {
			await pg.psql('SELECT 1', { db: 'postgres', timeoutMs: 5000 });
			break;
		} catch (e) {
			if (Date.now() > deadline) {
				await pg.stop();
				throw new Error(`postgres not ready after 60 s: ${e.message}`);
			}
			await sleep(200);
		}
	}
	await pg.psql(`CREATE DATABASE ${database}`, { db: 'postgres' });
	return pg;
}

/** redis-server on 127.0.0.1:<port>, no persistence, in `dir`. Returns {host, port, cli(args), stop()}. */
async function startRedis({ dir, port, bins } = {}) {
	bins ??= await ensureServices();
	port ??= await freePort();
	const logFile = path.join(dir, 'redis.log');
	const proc = spawnLogged(
		bins.redisServer,
		[
			'--bind',
			'127.0.0.1',
			'--port',
			String(port),
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--daemonize',
			'no',
		],
		{ cwd: dir, logFile, header: 'redis-server' },
	);
	track(proc.child);
	const redis = {
		host: '127.0.0.1',
		port,
		logFile,
		/** redis-cli -p <port> <args...>; resolves the trimmed stdout. */
		async cli(...args) {
			const r = await run(bins.redisCli, ['-h', '127.0.0.1', '-p', String(port), ...args], {
				timeoutMs: 30000,
			});
			if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${r.stderr}`);
			return r.stdout.trim();
		},
		async stop() {
			if (proc.exited()) return;
			try {
				process.kill(-proc.child.pid, 'SIGTERM');
			} catch {}
			const timer = setTimeout(() => {
				try {
					process.kill(-proc.child.pid, 'SIGKILL');
				} catch {}
			}, 5000);
			await proc.exitPromise;
			clearTimeout(timer);
		},
	};
	const deadline = Date.now() + 30000;
	for (;;) {
		if (proc.exited())
			throw new Error(
				`redis-server exited during start:\n${tail(fs.readFileSync(logFile, 'utf8'), 20)}`,
			);
		try {
			if ((await redis.cli('ping')) === 'PONG') break;
		} catch {}
		if (Date.now() > deadline) {
			await redis.stop();
			throw new Error('redis-server not ready after 30 s');
		}
		await sleep(100);
	}
	return redis;
}

// ---------------------------------------------------------------------------------------------
// 2. a round-robin proxy in front of the webhook processors

/**
 * An HTTP proxy on 127.0.0.1 that sends each request to the next of `targets` (base URLs) in turn,
 * like a load balancer. A target that refuses the connection (a killed processor) is skipped for
 * that request (nginx's proxy_next_upstream error); a connection lost after the request went out is
 * answered 502. Counts requests per target and keeps the requests in flight.
 */
async function startProxy({ targets, port } = {}) {
	port ??= await freePort();
	let next = 0;
	const counts = Object.fromEntries(targets.map((t) => [t, 0]));
	const inflight = new Set();
	const answered = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const first = next++ % targets.length;
			const attempt = (tried) => {
				const target = targets[(first + tried) % targets.length];
				const entry = { target, method: req.method, url: req.url, started: Date.now() };
				inflight.add(entry);
				const up = http.request(
					new URL(req.url, target),
					{
						method: req.method,
						headers: { ...req.headers, host: new URL(target).host, connection: 'close' },
						agent: false,
					},
					(upRes) => {
						counts[target]++;
						res.writeHead(upRes.statusCode, upRes.headers);
						upRes.pipe(res);
						upRes.on('end', () => {
							inflight.delete(entry);
							answered.push({ ...entry, status: upRes.statusCode, ms: Date.now() - entry.started });
						});
						upRes.on('error', () => {
							inflight.delete(entry);
							res.destroy();
						});
					},
				);
				up.on('error', (err) => {
					inflight.delete(entry);
					if (err.code === 'ECONNREFUSED' && tried + 1 < targets.length) return attempt(tried + 1);
					answered.push({
						...entry,
						status: 502,
						error: err.message,
						ms: Date.now() - entry.started,
					});
					if (!res.headersSent) {
						res.writeHead(502, { 'content-type': 'application/json' });
						res.end(JSON.stringify({ error: `bad gateway: ${err.message}` }));
					} else res.destroy();
				});
				up.end(body);
			};
			attempt(0);
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		counts,
		answered,
		inflight: () => [...inflight],
		stop: () =>
			new Promise((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}

/**
 * A plain forwarding proxy on 127.0.0.1 (e.g. in front of the simulator's CDN, so that a download
 * can be traced to the process that made it): each request goes to `proxy.target` (settable after
 * start); `onRequest({remotePort, method, url})` is called as it arrives, while the client's socket
 * is open.
 */
async function startForwardProxy({ target, port, onRequest } = {}) {
	port ??= await freePort();
	const proxy = { url: `http://127.0.0.1:${port}`, port, target };
	const server = http.createServer((req, res) => {
		try {
			onRequest?.({ remotePort: req.socket.remotePort, method: req.method, url: req.url });
		} catch {}
		const up = http.request(
			new URL(req.url, proxy.target),
			{ method: req.method, headers: { ...req.headers, host: new URL(proxy.target).host } },
			(upRes) => {
				res.writeHead(upRes.statusCode, upRes.headers);
				upRes.pipe(res);
				upRes.on('error', () => res.destroy());
			},
		);
		up.on('error', () => res.destroy());
		req.pipe(up);
	});
	await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
	proxy.stop = () =>
		new Promise((resolve) => {
			server.closeAllConnections?.();
			server.close(() => resolve());
		});
	return proxy;
}

/** The socket inode of the loopback TCP connection from local port `clientPort` to `serverPort` (/proc/net/tcp*). */
function socketInode(clientPort, serverPort) {
	const hex = (n) => n.toString(16).toUpperCase().padStart(4, '0');
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text = '';
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n').slice(1)) {
			const f = line.trim().split(/\s+/);
			if (f.length < 10) continue;
			if (f[1].endsWith(`:${hex(clientPort)}`) && f[2].endsWith(`:${hex(serverPort)}`)) return f[9];
		}
	}
	return undefined;
}

/** Which of `pids` holds socket `inode` among its open files, or undefined. */
function pidOfSocket(inode, pids) {
	const want = `socket:[${inode}]`;
	for (const pid of pids) {
		let fds = [];
		try {
			fds = fs.readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			try {
				if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === want) return pid;
			} catch {}
		}
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// 3. n8n processes

const READY_LINE = {
	start: 'Editor is now accessible via',
	worker: 'n8n worker is now ready',
	webhook: 'Webhook listener waiting for requests.',
};

/** Max VmRSS (kB) of a pid from /proc, or 0. */
function rssKb(pid) {
	try {
		const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}

/** Pids of every descendant of `pid` (task runners), from /proc/<pid>/task/<pid>/children. */
function descendants(pid) {
	const out = [];
	const stack = [pid];
	while (stack.length) {
		const p = stack.pop();
		let kids = [];
		try {
			kids = fs
				.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8')
				.trim()
				.split(/\s+/)
				.filter(Boolean)
				.map(Number);
		} catch {}
		out.push(...kids);
		stack.push(...kids);
	}
	return out;
}

/**
 * Starts a queue-mode cluster. Options (all optional):
 * - version ('2.41.1'), workDir (a temp folder), workers (2), webhooks (2), concurrency (10: `n8n worker --concurrency`)
 * - webhookUrl: 'webhook1' (WEBHOOK_URL = webhook processor 1, the default) or 'proxy' (WEBHOOK_URL = the
 *   round-robin proxy: each call to a webhook goes to the next processor)
 * - poolSize (DB_POSTGRESDB_POOL_SIZE; unset = n8n's default, 2), expressionEngine (N8N_EXPRESSION_ENGINE; unset = n8n's default)
 * - credentials: [file], workflows: [file], publish: [workflowId] (imported and published with the CLI before main starts)
 * - env: extra env for every n8n process; pgFsync (false)
 * Returns the cluster (see the object below). On a failed start everything started is stopped.
 */
async function startCluster(options = {}) {
	const {
		version = e2e.DEFAULT_VERSION,
		workers = 2,
		webhooks = 2,
		concurrency = 10,
		webhookUrl: webhookUrlMode = 'webhook1',
		poolSize,
		expressionEngine,
		credentials = [],
		workflows = [],
		publish = [],
		env: extraEnv = {},
		pgFsync = false,
	} = options;
	const t0 = Date.now();
	const timings = {};
	const mark = (label, since) => (timings[label] = Date.now() - since);
	const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-queue-'));
	fs.mkdirSync(workDir, { recursive: true });
	const v2 = e2e.n8nMajor(version) >= 2;

	const cluster = {
		version,
		workDir,
		timings,
		procs: {},
		pg: undefined,
		redis: undefined,
		proxy: undefined,
	};
	const cleanups = [];
	const stopAll = async () => {
		while (cleanups.length) {
			const fn = cleanups.pop();
			try {
				await fn();
			} catch (e) {
				log(`cleanup: ${e.message}`);
			}
		}
	};

	try {
		let t = Date.now();
		const [bin, bins] = await Promise.all([e2e.ensureN8n(version), ensureServices()]);
		mark('install check', t);
		t = Date.now();
		// Each is stopped on the way out as soon as it runs, whatever happens to the other.
		const [pg, redis] = await Promise.all([
			startPostgres({ dir: workDir, bins, fsync: pgFsync }).then((p) => {
				cleanups.unshift(() => p.stop());
				return p;
			}),
			startRedis({ dir: workDir, bins }).then((r) => {
				cleanups.unshift(() => r.stop());
				return r;
			}),
		]);
		cluster.pg = pg;
		cluster.redis = redis;
		mark('postgres + redis', t);
		log(
			`postgres ${bins.pgMajor} on :${pg.port}, redis on :${redis.port} (${timings['postgres + redis']} ms)`,
		);

		// Ports and user folders.
		const names = [
			'main',
			...Array.from({ length: workers }, (_, i) => `worker${i + 1}`),
			...Array.from({ length: webhooks }, (_, i) => `webhook${i + 1}`),
		];
		const defs = {};
		for (const name of names) {
			const role = name === 'main' ? 'start' : name.replace(/\d+$/, '');
			defs[name] = {
				name,
				role,
				port: await freePort(),
				userFolder: path.join(workDir, name),
			};
			fs.mkdirSync(defs[name].userFolder, { recursive: true });
		}
		if (webhooks > 0 && webhookUrlMode === 'proxy') {
			cluster.proxy = await startProxy({
				targets: names
					.filter((n) => n.startsWith('webhook'))
					.map((n) => `http://127.0.0.1:${defs[n].port}`),
			});
			cleanups.push(() => cluster.proxy.stop());
		}
		const webhookBase =
			webhookUrlMode === 'proxy' && cluster.proxy
				? cluster.proxy.url
				: `http://127.0.0.1:${defs[webhooks > 0 ? 'webhook1' : 'main'].port}`;
		cluster.webhookUrl = webhookBase;
		cluster.url = `http://127.0.0.1:${defs.main.port}`;

		// The package, packed once and copied into every user folder (what installPackage writes).
		t = Date.now();
		const pkg = await e2e.installPackage(defs.main.userFolder);
		for (const name of names.slice(1)) {
			const from = path.join(defs.main.userFolder, '.n8n', 'nodes');
			fs.cpSync(from, path.join(defs[name].userFolder, '.n8n', 'nodes'), { recursive: true });
		}
		mark('install package', t);
		cluster.packageVersion = pkg.version;

		const encryptionKey = crypto.randomBytes(24).toString('hex');
		const prefix = `hiapi-q-${crypto.randomBytes(3).toString('hex')}`;
		cluster.bullPrefix = prefix;
		/** The env of one process: the shared queue/DB settings, its own folder, port and broker port. */
		const envFor = async (def) =>
			e2e.n8nEnv({
				userFolder: def.userFolder,
				port: def.port,
				brokerPort: await freePort(),
				encryptionKey,
				version,
				extra: {
					DB_TYPE: 'postgresdb',
					DB_POSTGRESDB_HOST: pg.host,
					DB_POSTGRESDB_PORT: String(pg.port),
					DB_POSTGRESDB_DATABASE: pg.database,
					DB_POSTGRESDB_USER: pg.user,
					DB_POSTGRESDB_PASSWORD: pg.password,
					...(poolSize ? { DB_POSTGRESDB_POOL_SIZE: String(poolSize) } : {}),
					...(expressionEngine ? { N8N_EXPRESSION_ENGINE: expressionEngine } : {}),
					EXECUTIONS_MODE: 'queue',
					QUEUE_BULL_REDIS_HOST: redis.host,
					QUEUE_BULL_REDIS_PORT: String(redis.port),
					QUEUE_BULL_PREFIX: prefix,
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(def.port),
					// Every process builds resume and webhook URLs from this: all point at the same place.
					WEBHOOK_URL: `${webhookBase}/`,
					N8N_WEBHOOK_URL: `${webhookBase}/`,
					N8N_EDITOR_BASE_URL: `${cluster.url}/`,
					// 2.x: database (queue mode's default; shared by all processes through Postgres).
					// 1.x has no database mode: binaries stay in the execution data (mode "default").
					N8N_DEFAULT_BINARY_DATA_MODE: v2 ? 'database' : 'default',
					...extraEnv,
				},
			});
		cluster.envFor = (name) => envFor(defs[name]);

		/** `n8n <args>` with main's env (imports, publish): runs before main starts. */
		const cliLog = path.join(workDir, 'cli.log');
		cluster.cli = async (args, { timeoutMs = 5 * 60 * 1000 } = {}) => {
			const r = await run(process.execPath, [bin, ...args], {
				cwd: defs.main.userFolder,
				env: await envFor(defs.main),
				logFile: cliLog,
				timeoutMs,
			});
			if (r.code !== 0)
				throw new Error(
					`n8n ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.stdout, 30)}\n${tail(r.stderr, 30)}`,
				);
			return r;
		};

		t = Date.now();
		// The first command creates the schema (migrations); then the rest.
		for (const file of credentials) await cluster.cli(['import:credentials', `--input=${file}`]);
		if (credentials.length === 0) await cluster.cli(['list:workflow']);
		mark('migrations + credentials', t);
		t = Date.now();
		if (workflows.length > 0) {
			const dir = path.join(workDir, 'workflows-import');
			fs.mkdirSync(dir, { recursive: true });
			for (const file of workflows) fs.copyFileSync(file, path.join(dir, path.basename(file)));
			await cluster.cli(['import:workflow', '--separate', `--input=${dir}`]);
		}
		mark('import workflows', t);
		t = Date.now();
		// Two CLI boots at a time (2 cores).
		for (let i = 0; i < publish.length; i += 2)
			await Promise.all(
				publish
					.slice(i, i + 2)
					.map((id) =>
						cluster.cli(
							v2
								? ['publish:workflow', `--id=${id}`]
								: ['update:workflow', `--id=${id}`, '--active=true'],
						),
					),
			);
		mark('publish', t);

		// -- process control ----------------------------------------------------------------
		const startProc = async (name, { readinessTimeoutMs = 240000 } = {}) => {
			const def = defs[name];
			const logFile = path.join(def.userFolder, 'n8n.log');
			const args = [bin, def.role];
			if (def.role === 'worker') args.push(`--concurrency=${concurrency}`);
			const s = Date.now();
			const proc = spawnLogged(process.execPath, args, {
				cwd: def.userFolder,
				env: await envFor(def),
				logFile,
				header: `n8n ${def.role} (${name})`,
			});
			track(proc.child);
			const url = `http://127.0.0.1:${def.port}`;
			const p = {
				...def,
				url,
				logFile,
				pid: proc.child.pid,
				exited: proc.exited,
				exitPromise: proc.exitPromise,
				startedAt: s,
			};
			cluster.procs[name] = p;
			const deadline = Date.now() + readinessTimeoutMs;
			for (;;) {
				if (proc.exited())
					throw new Error(
						`n8n ${def.role} (${name}) exited during start (${JSON.stringify(proc.exited())}):\n${tail(logSince(logFile, proc.offset), 60)}`,
					);
				if (logSince(logFile, proc.offset).includes(READY_LINE[def.role])) {
					try {
						const r = await request(`${url}/healthz/readiness`, { timeoutMs: 2000 });
						if (r.status === 200) break;
					} catch {}
				}
				if (Date.now() > deadline) {
					await cluster.kill(name);
					throw new Error(
						`n8n ${def.role} (${name}) not ready after ${readinessTimeoutMs} ms:\n${tail(logSince(logFile, proc.offset), 60)}`,
					);
				}
				await sleep(250);
			}
			p.startMs = Date.now() - s;
			return p;
		};

		/** SIGKILL (default) or another signal to the process group of `name` (n8n and its task runner); waits for the exit. */
		cluster.kill = async (name, signal = 'SIGKILL') => {
			const p = cluster.procs[name];
			if (!p || p.exited()) return p?.exited();
			try {
				process.kill(-p.pid, signal);
			} catch {}
			const timer =
				signal === 'SIGKILL'
					? undefined
					: setTimeout(() => {
							try {
								process.kill(-p.pid, 'SIGKILL');
							} catch {}
						}, 10000);
			const result = await p.exitPromise;
			clearTimeout(timer);
			try {
				process.kill(-p.pid, 'SIGKILL');
			} catch {}
			return result;
		};
		/** Stops `name` cleanly (SIGTERM, SIGKILL after 10 s). */
		cluster.stopProc = (name) => cluster.kill(name, 'SIGTERM');
		/** Starts `name` again (same folder, port and env) after kill/stopProc; resolves once it is ready. */
		cluster.restart = async (name, opts) => {
			await cluster.kill(name);
			return startProc(name, opts);
		};
		cleanups.push(async () => {
			// Workers and webhook processors first, main last; each gets 10 s to finish cleanly.
			await Promise.all(names.slice(1).map((n) => cluster.kill(n, 'SIGTERM')));
			await cluster.kill('main', 'SIGTERM');
		});

		t = Date.now();
		await startProc('main');
		mark('start main', t);
		t = Date.now();
		await Promise.all(names.slice(1).map((n) => startProc(n)));
		mark('start workers + webhooks', t);
		timings.total = Date.now() - t0;
		log(
			`n8n ${version} queue cluster ready in ${Math.round(timings.total / 1000)} s: main ${cluster.url}, ${workers} workers, ${webhooks} webhook processors, WEBHOOK_URL ${webhookBase}`,
		);
	} catch (error) {
		await stopAll();
		error.message += `\n(cluster folder: ${workDir})`;
		throw error;
	}

	// -- the rest of the API -------------------------------------------------------------------
	const pg = cluster.pg;

	/** Rows of a SELECT as objects (json_agg through psql). */
	cluster.sql = async (select) => {
		const out = await pg.psql(`SELECT coalesce(json_agg(t), '[]'::json) FROM (${select}) t`);
		return JSON.parse(out.trim() || '[]');
	};

	const lit = (v) => `'${String(v).replace(/'/g, "''")}'`;

	/** execution_entity rows (oldest first), optionally filtered by {workflowId, status, mode, afterId}. */
	cluster.executions = async ({ workflowId, status, mode, afterId } = {}) => {
		const where = [];
		if (workflowId) where.push(`"workflowId" = ${lit(workflowId)}`);
		if (status) where.push(`status = ${lit(status)}`);
		if (mode) where.push(`mode = ${lit(mode)}`);
		if (afterId !== undefined) where.push(`id > ${Number(afterId)}`);
		return cluster.sql(
			`SELECT id::text AS id, "workflowId", status, mode, finished, "startedAt", "stoppedAt", "waitTill", "retryOf"
			 FROM execution_entity${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY id`,
		);
	};

	/** One execution: the row plus `data` (decoded IRunExecutionData) and `workflowData`. */
	cluster.execution = async (id) => {
		const [row] = await cluster.sql(
			`SELECT id::text AS id, "workflowId", status, mode, finished, "startedAt", "stoppedAt", "waitTill" FROM execution_entity WHERE id = ${Number(id)}`,
		);
		if (!row) throw new Error(`no execution ${id}`);
		const data = await pg.psql(
			`SELECT data FROM execution_data WHERE "executionId" = ${Number(id)}`,
			{ timeoutMs: 300000 },
		);
		const wf = await pg.psql(
			`SELECT "workflowData" FROM execution_data WHERE "executionId" = ${Number(id)}`,
		);
		return {
			...row,
			data: data.trim() ? e2e.unflatten(data.trim()) : undefined,
			workflowData: wf.trim() ? JSON.parse(wf.trim()) : undefined,
		};
	};

	const FINAL = ['success', 'error', 'crashed', 'canceled'];
	cluster.FINAL = FINAL;

	/** Polls execution `id` until its status is one of `statuses`; returns the row. */
	cluster.waitForStatus = async (
		id,
		statuses = FINAL,
		{ timeoutMs = 120000, intervalMs = 500 } = {},
	) => {
		const want = [].concat(statuses);
		const deadline = Date.now() + timeoutMs;
		let row;
		for (;;) {
			[row] = await cluster.sql(
				`SELECT id::text AS id, status, finished, "startedAt", "stoppedAt", "waitTill" FROM execution_entity WHERE id = ${Number(id)}`,
			);
			if (row && want.includes(row.status)) return row;
			if (Date.now() > deadline)
				throw new Error(
					`execution ${id} not ${want.join('/')} after ${timeoutMs} ms: ${JSON.stringify(row)}`,
				);
			await sleep(intervalMs);
		}
	};

	/**
	 * POSTs to a production webhook (`<base>/webhook/<path>`; base = webhook processor 1 by default),
	 * retrying 404 "not registered" for up to `registerTimeoutMs`.
	 */
	cluster.postWebhook = async (
		webhookPath,
		body,
		{ base, registerTimeoutMs = 60000, headers = {} } = {},
	) => {
		base ??= cluster.procs.webhook1?.url ?? cluster.url;
		const deadline = Date.now() + registerTimeoutMs;
		for (;;) {
			const r = await request(`${base}/webhook/${webhookPath}`, { method: 'POST', body, headers });
			if (r.status !== 404 || Date.now() > deadline) return r;
			await sleep(250);
		}
	};

	/** POSTs a webhook and returns the id of the execution it created (polls execution_entity). */
	cluster.startExecution = async (workflowId, webhookPath, body, opts = {}) => {
		const before = new Set((await cluster.executions({ workflowId })).map((r) => r.id));
		const r = await cluster.postWebhook(webhookPath, body, opts);
		if (r.status !== 200) throw new Error(`POST /webhook/${webhookPath}: ${r.status} ${r.text()}`);
		const deadline = Date.now() + (opts.timeoutMs ?? 60000);
		for (;;) {
			const fresh = (await cluster.executions({ workflowId })).find((row) => !before.has(row.id));
			if (fresh) return fresh.id;
			if (Date.now() > deadline) throw new Error(`no execution of ${workflowId} after the POST`);
			await sleep(200);
		}
	};

	/**
	 * The bytes of binary entries. `database:<uuid>` (2.x) are read from binary_data in one query per
	 * call; inline `data` (1.x's default mode) is decoded. Returns Buffers in the order given.
	 */
	cluster.readBinaries = async (metas) => {
		const ids = [];
		for (const meta of metas) {
			if (typeof meta?.id === 'string' && meta.id) {
				const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(meta.id);
				if (!meta.id.startsWith('database') || !m)
					throw new Error(`binary ${meta.id}: only database mode is shared across queue processes`);
				ids.push(m[1]);
			}
		}
		const byId = new Map();
		for (let i = 0; i < ids.length; i += 500) {
			const chunk = ids.slice(i, i + 500);
			const rows = await cluster.sql(
				`SELECT "fileId"::text AS id, encode(data, 'base64') AS b64 FROM binary_data WHERE "fileId" IN (${chunk.map(lit).join(',')})`,
			);
			for (const row of rows) byId.set(row.id, Buffer.from(row.b64, 'base64'));
		}
		return metas.map((meta) => {
			if (typeof meta?.id === 'string' && meta.id) {
				const id = /([0-9a-f-]{36})$/i.exec(meta.id)[1];
				if (!byId.has(id)) throw new Error(`binary ${meta.id} not in binary_data`);
				return byId.get(id);
			}
			if (typeof meta?.data === 'string') return Buffer.from(meta.data, 'base64');
			throw new Error(`not a binary entry: ${JSON.stringify(meta)}`);
		});
	};
	cluster.readBinary = async (meta) => (await cluster.readBinaries([meta]))[0];

	/** Bull's job counts for n8n's queue: {active, wait, delayed, completed, failed}. */
	cluster.bullCounts = async () => {
		const key = (k) => `${cluster.bullPrefix}:jobs:${k}`;
		const [active, wait, delayed, completed, failed] = await Promise.all([
			cluster.redis.cli('LLEN', key('active')),
			cluster.redis.cli('LLEN', key('wait')),
			cluster.redis.cli('ZCARD', key('delayed')),
			cluster.redis.cli('ZCARD', key('completed')),
			cluster.redis.cli('ZCARD', key('failed')),
		]);
		return {
			active: Number(active),
			wait: Number(wait),
			delayed: Number(delayed),
			completed: Number(completed),
			failed: Number(failed),
		};
	};

	/** Every process's log since it was first started, name → text. */
	cluster.logs = () =>
		Object.fromEntries(
			Object.values(cluster.procs).map((p) => [
				p.name,
				fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8') : '',
			]),
		);
	cluster.logTails = (lines = 40) =>
		Object.entries(cluster.logs())
			.map(
				([name, text]) => `--- ${name} (${cluster.procs[name].logFile}) ---\n${tail(text, lines)}`,
			)
			.join('\n');

	/** n8n's event logs of every process (`n8nEventLog*.log` in each user folder), with the process name. */
	cluster.eventLog = () =>
		Object.values(cluster.procs).flatMap((p) => {
			const dir = path.join(p.userFolder, '.n8n');
			if (!fs.existsSync(dir)) return [];
			return (
				fs
					.readdirSync(dir)
					// n8nEventLog.log on main; n8nEventLog-worker.log, -webhook-processor.log (and rotated -1, -2…) elsewhere.
					.filter((f) => /^n8nEventLog.*\.log$/.test(f))
					.flatMap((f) =>
						fs
							.readFileSync(path.join(dir, f), 'utf8')
							.split('\n')
							.filter((l) => l.startsWith('{'))
							.flatMap((l) => {
								try {
									const msg = JSON.parse(l);
									return msg.eventName ? [{ ...msg, process: p.name }] : [];
								} catch {
									return [];
								}
							}),
					)
			);
		});
	/** How many Bull jobs were enqueued for execution `id` (its start, then one per resume), from the event logs. */
	cluster.jobsEnqueued = (id) =>
		cluster
			.eventLog()
			.filter(
				(e) =>
					String(e.payload?.executionId) === String(id) && e.eventName === 'n8n.queue.job.enqueued',
			).length;
	/** How often execution `id` ran to its end, over every process's event log. */
	cluster.workflowEnds = (id) =>
		cluster
			.eventLog()
			.filter(
				(e) =>
					String(e.payload?.executionId) === String(id) &&
					/^n8n\.workflow\.(success|failed)$/.test(e.eventName),
			).length;

	/**
	 * The name of the cluster process (n8n or its task runner counts as that process) whose TCP
	 * connection from local port `clientPort` reaches `serverPort` on loopback, e.g. a download arriving
	 * at a startForwardProxy. Undefined when none (or the connection is gone).
	 */
	cluster.processOfConnection = (clientPort, serverPort) => {
		const inode = socketInode(clientPort, serverPort);
		if (!inode) return undefined;
		for (const p of Object.values(cluster.procs)) {
			if (p.exited()) continue;
			if (pidOfSocket(inode, [p.pid, ...descendants(p.pid)])) return p.name;
		}
		return undefined;
	};

	/**
	 * Samples VmRSS of every n8n process (and, separately, of its task runners) every `ms`.
	 * stop() → {name: {maxKb, maxWithChildrenKb, samples}}.
	 */
	cluster.sampleRss = (ms = 1000) => {
		const stats = {};
		const sample = () => {
			for (const p of Object.values(cluster.procs)) {
				if (p.exited()) continue;
				const own = rssKb(p.pid);
				const all = own + descendants(p.pid).reduce((sum, pid) => sum + rssKb(pid), 0);
				const s = (stats[p.name] ??= { maxKb: 0, maxWithChildrenKb: 0, samples: 0 });
				s.maxKb = Math.max(s.maxKb, own);
				s.maxWithChildrenKb = Math.max(s.maxWithChildrenKb, all);
				s.samples++;
			}
		};
		sample();
		const timer = setInterval(sample, ms);
		return {
			stats,
			stop() {
				clearInterval(timer);
				sample();
				return stats;
			},
		};
	};

	cluster.stop = async () => {
		const s = Date.now();
		await stopAll();
		cluster.timings.stop = Date.now() - s;
	};
	/** Deletes the cluster folder and Postgres's (after stop()). */
	cluster.cleanup = () => {
		fs.rmSync(cluster.pg.pgRoot, { recursive: true, force: true });
		fs.rmSync(workDir, { recursive: true, force: true });
	};
	return cluster;
}

module.exports = {
	ensureServices,
	findPostgresBin,
	startPostgres,
	startRedis,
	startProxy,
	startForwardProxy,
	startCluster,
	rssKb,
	descendants,
};
