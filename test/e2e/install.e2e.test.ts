/**
 * The install path a user takes: Settings → Community Nodes → Install "n8n-nodes-hiapi" in a real
 * n8n 2.41.1, which calls `POST /rest/community-packages {name}`; n8n checks the version on the
 * registry, `npm pack`s it, unpacks it into ~/.n8n/nodes and loads it without a restart. Then a
 * workflow runs with the installed GPT Image 2 node against the hiapi simulator. Opt-in: HIAPI_E2E=1.
 *
 * Offline, with this build: a local verdaccio (npm package, installed once into the e2e cache
 * folder next to n8n, no uplinks) serves the packed tarball, published to it with a throwaway user.
 *
 *  1. n8n's setting for another registry, N8N_COMMUNITY_PACKAGES_REGISTRY, is refused by an
 *     unlicensed n8n (`getNpmRegistry`: FeatureNotLicensedError, feat:communityNodesCustomRegistry):
 *     the test pins that answer.
 *  2. So, as for a user, n8n keeps https://registry.npmjs.org, and reaches it through HTTPS_PROXY
 *     (n8n's own outbound client and the npm it runs both honour it): a local proxy that answers
 *     CONNECT registry.npmjs.org:443 only, with a certificate for that name from a throwaway CA
 *     (NODE_EXTRA_CA_CERTS, n8n and its npm only), and forwards the requests to verdaccio. Any
 *     other host is refused and recorded (asserted: none).
 *  3. n8n 2.41.1's v3 breaking-changes report (`GET /rest/breaking-changes/report?version=v3`)
 *     after the install: what it says about a workflow using the package is printed and pinned.
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e/install.e2e.test.ts --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';

const e2e: any = require('./n8n.js');
const {
	startSimulator,
}: { startSimulator: (options?: object) => Promise<any> } = require('../sim');

const ENABLED = process.env.HIAPI_E2E === '1';
const VERSION = '2.41.1';
const PACKAGE = 'n8n-nodes-hiapi';
const REGISTRY_HOST = 'registry.npmjs.org';
/** verdaccio 6.10.4 wants Node 22 and one of its dependencies pulls a node-fetch that does not install here. */
const VERDACCIO = { version: '6.8.0', overrides: { 'node-fetch': '2.7.0' } };

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log(
		'test/e2e/install.e2e.test.ts skipped: set HIAPI_E2E=1 to install the package through n8n from a local registry',
	);
}

const log = (m: string) => !process.env.HIAPI_E2E_QUIET && console.log(`[install e2e] ${m}`); // eslint-disable-line no-console

async function mustRun(
	cmd: string,
	args: string[],
	opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
	const r = await e2e.run(cmd, args, {
		timeoutMs: 10 * 60 * 1000,
		env: e2e.envWithThisNode({ npm_config_update_notifier: 'false' }),
		...opts,
	});
	if (r.code !== 0)
		throw new Error(
			`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${e2e.tail(r.stdout, 20)}\n${e2e.tail(r.stderr, 20)}`,
		);
	return r;
}

/** verdaccio, installed once into the e2e cache folder (CI caches that folder with n8n). */
async function ensureVerdaccio(): Promise<string> {
	const dir = path.join(e2e.cacheRoot(), `verdaccio-${VERDACCIO.version}`);
	const bin = path.join(dir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
	const marker = path.join(dir, '.hiapi-e2e-complete.json');
	if (fs.existsSync(marker) && fs.existsSync(bin)) return bin;
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify(
			{
				name: 'hiapi-e2e-verdaccio',
				private: true,
				dependencies: { verdaccio: VERDACCIO.version },
				overrides: VERDACCIO.overrides,
			},
			null,
			2,
		),
	);
	log(`installing verdaccio ${VERDACCIO.version} into ${dir} (once)`);
	const started = Date.now();
	await mustRun('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
	fs.writeFileSync(
		marker,
		JSON.stringify({ version: VERDACCIO.version, ms: Date.now() - started }),
	);
	return bin;
}

/** Starts verdaccio on 127.0.0.1 with no uplinks (it serves only what is published to it). */
async function startVerdaccio(bin: string, dir: string) {
	const port = await e2e.freePort();
	const url = `http://127.0.0.1:${port}`;
	fs.mkdirSync(path.join(dir, 'storage'), { recursive: true });
	const config = path.join(dir, 'config.yaml');
	fs.writeFileSync(
		config,
		[
			`storage: ${path.join(dir, 'storage')}`,
			'auth:',
			'  htpasswd:',
			`    file: ${path.join(dir, 'htpasswd')}`,
			'    max_users: 10',
			'uplinks: {}',
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $authenticated',
			'web:',
			'  enable: false',
			'log: { type: stdout, format: pretty, level: warn }',
			'',
		].join('\n'),
	);
	const out = fs.openSync(path.join(dir, 'verdaccio.log'), 'a');
	const child = childProcess.spawn(
		process.execPath,
		[bin, '--config', config, '--listen', `127.0.0.1:${port}`],
		{
			env: e2e.envWithThisNode(),
			stdio: ['ignore', out, out],
		},
	);
	fs.closeSync(out);
	const deadline = Date.now() + 60000;
	for (;;) {
		const r = await e2e.request(`${url}/-/ping`).catch(() => undefined);
		if (r?.status === 200) break;
		if (child.exitCode !== null || Date.now() > deadline)
			throw new Error(
				`verdaccio did not start:\n${fs.readFileSync(path.join(dir, 'verdaccio.log'), 'utf8').slice(-2000)}`,
			);
		await e2e.sleep(250);
	}
	return {
		url,
		port,
		async stop() {
			if (child.exitCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await Promise.race([exited, e2e.sleep(5000)]);
			if (child.exitCode === null) child.kill('SIGKILL');
		},
	};
}

/** A throwaway CA and a certificate for registry.npmjs.org signed by it (openssl). */
async function makeCertificates(dir: string) {
	fs.mkdirSync(dir, { recursive: true });
	const f = (n: string) => path.join(dir, n);
	fs.writeFileSync(
		f('leaf.ext'),
		`subjectAltName=DNS:${REGISTRY_HOST}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
	);
	const env = { ...process.env };
	await mustRun(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-keyout',
			f('ca.key'),
			'-out',
			f('ca.pem'),
			'-days',
			'2',
			'-subj',
			'/CN=hiapi e2e throwaway CA',
			'-addext',
			'basicConstraints=critical,CA:TRUE',
			'-addext',
			'keyUsage=critical,keyCertSign,cRLSign',
		],
		{ env },
	);
	await mustRun(
		'openssl',
		[
			'req',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-keyout',
			f('leaf.key'),
			'-out',
			f('leaf.csr'),
			'-subj',
			`/CN=${REGISTRY_HOST}`,
		],
		{ env },
	);
	await mustRun(
		'openssl',
		[
			'x509',
			'-req',
			'-in',
			f('leaf.csr'),
			'-CA',
			f('ca.pem'),
			'-CAkey',
			f('ca.key'),
			'-CAcreateserial',
			'-out',
			f('leaf.pem'),
			'-days',
			'2',
			'-extfile',
			f('leaf.ext'),
		],
		{ env },
	);
	return {
		ca: f('ca.pem'),
		key: fs.readFileSync(f('leaf.key')),
		cert: fs.readFileSync(f('leaf.pem')),
	};
}

/**
 * An HTTPS proxy for n8n: CONNECT registry.npmjs.org:443 is answered here, over TLS with the
 * throwaway certificate, and each request inside is forwarded to verdaccio. Everything else is refused.
 */
async function startRegistryProxy(verdaccioUrl: string, certs: { key: Buffer; cert: Buffer }) {
	const target = new URL(verdaccioUrl);
	const requests: string[] = [];
	const refused: string[] = [];
	const sockets = new Set<net.Socket>();
	// Plain HTTP server that receives the decrypted requests and forwards them to verdaccio.
	const inner = http.createServer((req, res) => {
		requests.push(`${req.method} ${req.url}`);
		const up = http.request(
			{
				hostname: target.hostname,
				port: target.port,
				path: req.url,
				method: req.method,
				// verdaccio writes tarball URLs from these: they stay https://registry.npmjs.org/…
				headers: { ...req.headers, host: REGISTRY_HOST, 'x-forwarded-proto': 'https' },
			},
			(r) => {
				res.writeHead(r.statusCode ?? 502, r.headers);
				r.pipe(res);
			},
		);
		up.on('error', (e) => {
			res.writeHead(502);
			res.end(String(e));
		});
		req.pipe(up);
	});
	const proxy = http.createServer((req, res) => {
		refused.push(`${req.method} ${req.url}`);
		res.writeHead(403);
		res.end('only CONNECT registry.npmjs.org:443');
	});
	proxy.on('connect', (req, socket: net.Socket) => {
		if (req.url !== `${REGISTRY_HOST}:443`) {
			refused.push(`CONNECT ${req.url}`);
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		const secure = new tls.TLSSocket(socket, { isServer: true, key: certs.key, cert: certs.cert });
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		secure.on('error', () => socket.destroy());
		inner.emit('connection', secure);
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const { port } = proxy.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		refused,
		async stop() {
			for (const s of sockets) s.destroy();
			proxy.closeAllConnections?.();
			inner.closeAllConnections?.();
			inner.close();
			await new Promise((resolve) => proxy.close(resolve));
		},
	};
}

(ENABLED ? describe : describe.skip)(
	`n8n ${VERSION}: installing ${PACKAGE} as a user does (Settings → Community Nodes)`,
	() => {
		let workDir: string;
		let sim: any;
		let registry: { url: string; stop(): Promise<void> };
		let proxy: Awaited<ReturnType<typeof startRegistryProxy>>;
		let n8n: any;
		let owner: any;
		let publishedVersion: string;
		let failed = false;
		/**
		 * Extra env of the n8n processes. N8N_UNVERIFIED_PACKAGES_ENABLED is left unset (undefined is
		 * dropped by spawn), as on a user's instance: the harness's `true` would hide v3's rule about it.
		 */
		const env: Record<string, string | undefined> = { N8N_UNVERIFIED_PACKAGES_ENABLED: undefined };
		const timings: Record<string, number> = {};

		async function step(name: string, fn: () => Promise<void>) {
			const started = Date.now();
			try {
				await fn();
			} catch (error) {
				failed = true;
				const e = error as Error;
				if (n8n) e.message += `\n--- n8n log (tail) ---\n${n8n.logTail(40)}`;
				throw e;
			} finally {
				timings[name] = Date.now() - started;
			}
		}

		beforeAll(
			async () => {
				const started = Date.now();
				workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-install-'));
				const [bin] = await Promise.all([ensureVerdaccio(), e2e.ensureN8n(VERSION)]);
				registry = await startVerdaccio(bin, path.join(workDir, 'verdaccio'));

				// A throwaway user, then `npm pack` + `npm publish` of this build, as a maintainer would.
				const user = await e2e.request(`${registry.url}/-/user/org.couchdb.user:e2e`, {
					method: 'PUT',
					body: { name: 'e2e', password: 'e2e-throwaway-7f3a' },
				});
				expect(user.status).toBe(201);
				const token = user.json().token;
				const npmrc = path.join(workDir, 'publish.npmrc');
				fs.writeFileSync(
					npmrc,
					`//127.0.0.1:${registry.url.split(':').pop()}/:_authToken=${token}\n`,
				);
				const packDir = path.join(workDir, 'pack');
				fs.mkdirSync(packDir);
				await mustRun(
					'npm',
					['pack', '--json', '--ignore-scripts', '--pack-destination', packDir],
					{ cwd: e2e.REPO_ROOT },
				);
				const tgz = fs.readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;
				await mustRun(
					'npm',
					[
						'publish',
						path.join(packDir, tgz),
						`--registry=${registry.url}/`,
						`--userconfig=${npmrc}`,
						'--ignore-scripts',
						'--provenance=false',
					],
					{ cwd: workDir },
				);
				const view = await e2e.request(`${registry.url}/${PACKAGE}`);
				expect(view.status).toBe(200);
				publishedVersion = view.json()['dist-tags'].latest;

				sim = await startSimulator({ port: await e2e.freePort() });
				n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n'), env });
				timings.setup = Date.now() - started;
			},
			20 * 60 * 1000,
		);

		afterAll(async () => {
			await n8n?.stop();
			await proxy?.stop();
			await registry?.stop();
			await sim?.stop();
			log(`timings (ms): ${JSON.stringify(timings)}`);
			if (workDir && !failed && process.env.HIAPI_E2E_KEEP !== '1')
				fs.rmSync(workDir, { recursive: true, force: true });
			else if (workDir) log(`kept ${workDir}`);
		}, 120000);

		it(
			'refuses N8N_COMMUNITY_PACKAGES_REGISTRY without an n8n license',
			async () => {
				await step('custom registry refused', async () => {
					env.N8N_COMMUNITY_PACKAGES_REGISTRY = `${registry.url}/`;
					await n8n.start();
					owner = await n8n.setupOwner();
					const r = await owner.rest('POST', '/community-packages', { name: PACKAGE });
					log(
						`with N8N_COMMUNITY_PACKAGES_REGISTRY=${registry.url}/: ${r.status} ${r.text.slice(0, 300)}`,
					);
					expect(r.status).toBeGreaterThanOrEqual(400);
					expect(r.text).toMatch(/licen[sc]e|communityNodesCustomRegistry|plan/i);
					expect(
						fs.existsSync(path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE)),
					).toBe(false);
					await n8n.stop();
					delete env.N8N_COMMUNITY_PACKAGES_REGISTRY;
				});
			},
			5 * 60 * 1000,
		);

		it(
			'installs the package through n8n from the registry, loads it without a restart, and runs it',
			async () => {
				await step('install and run', async () => {
					const certs = await makeCertificates(path.join(workDir, 'certs'));
					proxy = await startRegistryProxy(registry.url, certs);
					// n8n's outbound client and the npm it runs go through the proxy; only they trust the throwaway CA.
					Object.assign(env, {
						HTTPS_PROXY: proxy.url,
						https_proxy: proxy.url,
						NODE_EXTRA_CA_CERTS: certs.ca,
					});
					await n8n.start();

					// Before: the node panel's types do not know the package.
					const before = await owner.rest('GET', '/community-packages');
					expect(before.status).toBe(200);
					expect(before.json.data).toEqual([]);

					// What the Settings page sends when the user enters the name and confirms.
					const installStarted = Date.now();
					const r = await owner.rest('POST', '/community-packages', { name: PACKAGE });
					timings.installRequest = Date.now() - installStarted;
					log(
						`POST /rest/community-packages {name: "${PACKAGE}"}: ${r.status} in ${timings.installRequest} ms\n  proxied: ${JSON.stringify(proxy.requests)}\n  refused: ${JSON.stringify(proxy.refused)}`,
					);
					expect({
						status: r.status,
						body: r.status === 200 ? 'ok' : r.text.slice(0, 500),
					}).toEqual({ status: 200, body: 'ok' });
					const pkg = r.json.data;
					expect(pkg.packageName).toBe(PACKAGE);
					expect(pkg.installedVersion).toBe(publishedVersion);
					expect(pkg.installedNodes.map((n: any) => n.name).sort()).toEqual([
						'GPT Image 2',
						'HiAPI',
						'HiAPI Trigger',
					]);
					expect(pkg.installedNodes.map((n: any) => n.type).sort()).toEqual([
						`${PACKAGE}.gptImage2`,
						`${PACKAGE}.hiApi`,
						`${PACKAGE}.hiApiTrigger`,
					]);
					// It came from the registry, through the proxy, and nothing else was asked for.
					expect(
						proxy.requests.some((q) =>
							q.includes(`/${PACKAGE}/-/${PACKAGE}-${publishedVersion}.tgz`),
						),
					).toBe(true);
					// The only other host n8n asked for is its own list of verified packages (api.n8n.io, refused
					// here: the install goes on without it, as for an unverified package).
					expect(proxy.refused.filter((q) => q !== 'CONNECT api.n8n.io:443')).toEqual([]);
					const installedDir = path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE);
					expect(
						JSON.parse(fs.readFileSync(path.join(installedDir, 'package.json'), 'utf8')).version,
					).toBe(publishedVersion);

					// Listed in Settings → Community Nodes, and the editor's node types have it now (no restart).
					const list = await owner.rest('GET', '/community-packages');
					expect(list.json.data.map((p: any) => p.packageName)).toEqual([PACKAGE]);
					const types = await e2e.request(`${n8n.url}/types/nodes.json`, {
						headers: { cookie: owner.cookie },
					});
					const names = (types.json() as any[]).map((t) => t.name);
					expect(names).toEqual(
						expect.arrayContaining([
							`${PACKAGE}.gptImage2`,
							`${PACKAGE}.hiApi`,
							`${PACKAGE}.hiApiTrigger`,
						]),
					);

					// A credential and the text-to-image example, created as a user does (REST), run from the editor's API.
					const cred = await owner.rest('POST', '/credentials', {
						name: 'HiAPI (simulator)',
						type: 'hiApiApi',
						data: { apiKey: sim.apiKey, baseUrl: sim.baseUrl },
					});
					expect(cred.status).toBe(200);
					const example = e2e.renderExample(
						'text-to-image.json',
						{
							SIM_URL: sim.baseUrl,
							N8N_URL: n8n.url,
							CALLBACK_TOKEN: 'x',
							REFERENCE_IMAGE_URL: `${sim.baseUrl}/cdn/tasks/reference/0.png`,
						},
						workDir,
					).json;
					for (const node of example.nodes)
						if (node.credentials?.hiApiApi)
							node.credentials.hiApiApi = { id: cred.json.data.id, name: cred.json.data.name };
					const wf = await owner.rest('POST', '/workflows', {
						name: example.name,
						nodes: example.nodes,
						connections: example.connections,
						settings: example.settings ?? {},
					});
					expect(wf.status).toBe(200);
					const run = await n8n.execute(wf.json.data.id);
					expect(run.run?.status).toBe('success');
					const runData = run.run.data.resultData.runData;
					const gptNode = example.nodes.find((n: any) => n.type === `${PACKAGE}.gptImage2`).name;
					const items = runData[gptNode][0].data.main[0];
					expect(items.length).toBeGreaterThan(0);
					for (const item of items) {
						expect(item.json.status).toBe('success');
						expect(item.binary.data.mimeType).toBe('image/png');
					}
					log(
						`ran "${example.name}": ${items.length} item(s) from ${gptNode}, tasks ${items.map((i: any) => i.json.taskId).join(', ')}`,
					);

					// n8n 2.41.1's report of what n8n v3 would break, with a workflow using the package saved.
					const report = await owner.rest('GET', '/breaking-changes/report?version=v3');
					log(
						`GET /rest/breaking-changes/report?version=v3: ${report.status}\n${JSON.stringify(report.json ?? report.text, null, 1).slice(0, 6000)}`,
					);
					expect(report.status).toBe(200);
					const text = JSON.stringify(report.json);
					fs.writeFileSync(
						path.join(workDir, 'breaking-changes-v3.json'),
						JSON.stringify(report.json, null, 2),
					);
					// No workflow issue for the workflow with the package's node; the instance-wide rule on
					// unverified packages is listed (the instance relies on 2.x's default, which v3 flips).
					expect(report.json.data.report.workflowResults).toEqual([]);
					expect(text).not.toMatch(/gptImage2|hiApiTrigger|n8n-nodes-hiapi\.hiApi/);
					const rules = report.json.data.report.instanceResults.map((r: any) => r.ruleId);
					log(`v3 instance rules: ${JSON.stringify(rules)}`);
					expect(rules).toContain('unverified-packages-v3');
				});
			},
			10 * 60 * 1000,
		);
	},
);
