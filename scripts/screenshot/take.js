#!/usr/bin/env node
'use strict';
/**
 * Screenshot of an example workflow in the n8n editor, for the README.
 *
 *   source scripts/node24.sh && npm run build && node scripts/screenshot/take.js [options]
 *
 * Starts the end-to-end harness's n8n (test/e2e/n8n.js: cached install, this package packed and
 * loaded as a community package, the examples imported against the hiapi simulator, an owner
 * set up), opens the workflow in headless Chromium logged in as that owner, and writes a PNG.
 *
 * Options:
 *   --out <file>         PNG to write (default scripts/screenshot/workflow.png)
 *   --workflow <id>      workflow to open (default hiapiExT2I000001, examples/text-to-image.json)
 *   --run                execute it once first and open that execution (nodes show their item counts)
 *   --width <px> --height <px> --scale <n>   viewport (default 1280 × 640 at 2×)
 *   --n8n-version <v>    n8n version of the harness (default its DEFAULT_VERSION)
 *   --chromium <path>    browser binary (default: $CHROMIUM, chromium, chromium-browser, google-chrome)
 *   --driver <playwright|cli>  force a driver (default: playwright-core if it can be required, else cli)
 *   --keep               keep the n8n user folder
 *
 * Drivers: `playwright-core` (not a dependency of this package; used when it resolves, e.g.
 * hoisted from a dev tool) launches the system Chromium, sets the owner's `n8n-auth` cookie and
 * waits for the canvas. Without it, Chromium's own `--headless --screenshot` is used through a
 * small local proxy that adds the cookie to every request (the CLI has no cookie flag).
 */

const childProcess = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const e2e = require(path.join(REPO, 'test', 'e2e', 'n8n.js'));
const { startSimulator } = require(path.join(REPO, 'test', 'sim'));

const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--hide-scrollbars',
];

function parseArgs(argv) {
	const opts = {
		out: path.join(__dirname, 'workflow.png'),
		workflow: 'hiapiExT2I000001',
		run: false,
		width: 1280,
		height: 640,
		scale: 2,
		version: e2e.DEFAULT_VERSION,
		chromium: process.env.CHROMIUM || '',
		driver: '',
		keep: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const next = () => {
			if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
			return argv[++i];
		};
		if (a === '--out') opts.out = path.resolve(next());
		else if (a === '--workflow') opts.workflow = next();
		else if (a === '--run') opts.run = true;
		else if (a === '--width') opts.width = Number(next());
		else if (a === '--height') opts.height = Number(next());
		else if (a === '--scale') opts.scale = Number(next());
		else if (a === '--n8n-version') opts.version = next();
		else if (a === '--chromium') opts.chromium = next();
		else if (a === '--driver') opts.driver = next();
		else if (a === '--keep') opts.keep = true;
		else if (a === '--help' || a === '-h') {
			console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
			process.exit(0);
		} else throw new Error(`unknown option ${a}`);
	}
	return opts;
}

function log(...args) {
	console.error('[screenshot]', ...args);
}

function findChromium(preferred) {
	const candidates = [
		preferred,
		'chromium',
		'chromium-browser',
		'google-chrome',
		'google-chrome-stable',
	].filter(Boolean);
	for (const c of candidates) {
		if (path.isAbsolute(c)) {
			if (fs.existsSync(c)) return c;
			continue;
		}
		for (const dir of (process.env.PATH || '').split(path.delimiter)) {
			const p = path.join(dir, c);
			if (fs.existsSync(p)) return p;
		}
	}
	throw new Error(
		'no Chromium found: install it (Debian: apt-get install -y chromium) or pass --chromium <path>',
	);
}

function loadPlaywright() {
	try {
		return require(require.resolve('playwright-core', { paths: [REPO, __dirname] }));
	} catch {
		return undefined;
	}
}

/** n8n with the examples imported (against a simulator) and an owner; returns {n8n, sim, owner, workDir}. */
async function startHarness(opts) {
	const sim = await startSimulator({ port: await e2e.freePort() });
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-screenshot-'));
	const n8n = await e2e.createN8n({ version: opts.version, userFolder: path.join(workDir, 'n8n') });
	log(`n8n ${opts.version} in ${workDir}`);
	await n8n.installPackage();
	const vars = {
		SIM_URL: sim.baseUrl,
		N8N_URL: n8n.url,
		CALLBACK_TOKEN: 'screenshot-callback-token',
		REFERENCE_IMAGE_URL: `${sim.baseUrl}/cdn/tasks/reference/0.png`,
	};
	const workflowsDir = path.join(workDir, 'workflows');
	fs.mkdirSync(workflowsDir, { recursive: true });
	const cred = e2e.renderExample('hiapi-simulator.credentials.json', vars, workDir);
	for (const f of fs.readdirSync(e2e.EXAMPLES_DIR)) {
		if (f.endsWith('.json') && !f.includes('credentials')) e2e.renderExample(f, vars, workflowsDir);
	}
	await n8n.importCredentials(cred.file);
	await n8n.importWorkflows(workflowsDir);
	let executionId;
	if (opts.run) {
		const r = await n8n.execute(opts.workflow);
		if (!r.run || r.run.status !== 'success')
			throw new Error(
				`running ${opts.workflow} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`,
			);
		const rows = n8n.executions({ workflowId: opts.workflow });
		executionId = rows[rows.length - 1].id;
	}
	await n8n.start();
	const owner = await n8n.setupOwner();
	return { n8n, sim, owner, workDir, executionId };
}

/** Waits until the canvas shows the workflow's nodes and their icons have loaded. */
async function shootWithPlaywright(playwright, chromium, url, cookie, opts) {
	// A new empty profile, as with the CLI driver (playwright takes it as an argument, not a flag).
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-chromium-'));
	const context = await playwright.chromium.launchPersistentContext(userDataDir, {
		executablePath: chromium,
		headless: true,
		args: CHROMIUM_FLAGS.filter((f) => f !== '--headless'),
		viewport: { width: opts.width, height: opts.height },
		deviceScaleFactor: opts.scale,
		reducedMotion: 'reduce',
	});
	try {
		const { hostname } = new URL(url);
		const [name, ...rest] = cookie.split('=');
		await context.addCookies([{ name, value: rest.join('='), domain: hostname, path: '/' }]);
		const page = await context.newPage();
		await page.goto(url, { waitUntil: 'networkidle', timeout: 120000 });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
		// Icons are <img> elements (community nodes) or inline SVG; wait until every <img> in a node has loaded.
		await page.waitForFunction(
			() =>
				[...document.querySelectorAll('[data-test-id="canvas-node"] img')].every(
					(img) => img.complete && img.naturalWidth > 0,
				),
			undefined,
			{ timeout: 30000 },
		);
		// Collapse the Logs panel (a click on its header toggles it) for more canvas.
		const logsBody = page
			.locator('[data-test-id="logs-overview-body"], [data-test-id="logs-overview-empty"]')
			.first();
		if (await logsBody.isVisible().catch(() => false)) {
			await page.locator('[data-test-id="logs-overview-header"]').first().click();
			await page.waitForTimeout(500);
		}
		// Fit the workflow to the view ("1" is n8n's zoom-to-fit shortcut, the canvas needs focus).
		const box = await page.locator('[data-test-id="canvas-node"]').first().boundingBox();
		if (box) await page.mouse.click(Math.max(5, box.x - 60), Math.max(5, box.y - 60));
		await page.keyboard.press('1');
		// Park the pointer on empty canvas (hovering a trigger node shows an extra button).
		await page.mouse.move(90, 130);
		await page.waitForTimeout(1500);
		const nodes = await page.$$eval('[data-test-id="canvas-node"]', (els) =>
			els.map((el) => el.textContent?.trim().slice(0, 60)),
		);
		log(`canvas nodes: ${JSON.stringify(nodes)}`);
		await page.screenshot({ path: opts.out });
	} finally {
		await context.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
}

/**
 * A local proxy in front of n8n that adds the owner's cookie to every request (HTTP and the
 * push WebSocket), so plain `chromium --headless --screenshot` sees a logged-in editor.
 */
function cookieProxy(target, cookie) {
	const t = new URL(target);
	// As if the browser talked to n8n itself: n8n checks Origin against its host (push connection, POSTs).
	const upstreamHeaders = (req) => ({
		...req.headers,
		host: t.host,
		...(req.headers.origin ? { origin: t.origin } : {}),
		...(req.headers.referer
			? { referer: req.headers.referer.replace(/^https?:\/\/[^/]+/, t.origin) }
			: {}),
		cookie: [req.headers.cookie, cookie].filter(Boolean).join('; '),
	});
	const server = http.createServer((req, res) => {
		const up = http.request(
			{
				hostname: t.hostname,
				port: t.port,
				path: req.url,
				method: req.method,
				headers: upstreamHeaders(req),
			},
			(r) => {
				res.writeHead(r.statusCode || 502, r.headers);
				r.pipe(res);
			},
		);
		up.on('error', () => res.destroy());
		req.pipe(up);
	});
	server.on('upgrade', (req, socket, head) => {
		const upstream = net.connect(Number(t.port), t.hostname, () => {
			const headers = upstreamHeaders(req);
			upstream.write(
				`${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(headers)
					.map(([k, v]) => `${k}: ${v}`)
					.join('\r\n')}\r\n\r\n`,
			);
			if (head?.length) upstream.write(head);
			upstream.pipe(socket);
			socket.pipe(upstream);
		});
		upstream.on('error', () => socket.destroy());
		socket.on('error', () => upstream.destroy());
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function shootWithCli(chromium, url, cookie, opts) {
	const proxy = await cookieProxy(new URL(url).origin, cookie);
	const { port } = proxy.address();
	const u = new URL(url);
	const proxied = `http://127.0.0.1:${port}${u.pathname}${u.search}`;
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-chromium-'));
	const args = [
		...CHROMIUM_FLAGS,
		`--user-data-dir=${userDataDir}`,
		`--window-size=${opts.width},${opts.height}`,
		`--force-device-scale-factor=${opts.scale}`,
		// Lets the editor load and render before the capture (virtual time runs as fast as the page
		// allows); without reduced motion the canvas was caught mid fade-in.
		'--virtual-time-budget=30000',
		'--force-prefers-reduced-motion',
		'--run-all-compositor-stages-before-draw',
		`--screenshot=${opts.out}`,
		proxied,
	];
	try {
		await new Promise((resolve, reject) => {
			const child = childProcess.spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
			let err = '';
			child.stderr.on('data', (d) => (err += d));
			const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
			child.on('exit', (code) => {
				clearTimeout(timer);
				if (code === 0 && fs.existsSync(opts.out)) resolve();
				else reject(new Error(`chromium exited ${code}:\n${err.slice(-2000)}`));
			});
		});
	} finally {
		proxy.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	const chromium = findChromium(opts.chromium);
	const playwright = opts.driver === 'cli' ? undefined : loadPlaywright();
	if (opts.driver === 'playwright' && !playwright)
		throw new Error('playwright-core cannot be required from this repository');
	const harness = await startHarness(opts);
	try {
		const page = harness.executionId
			? `${harness.n8n.url}/workflow/${opts.workflow}/executions/${harness.executionId}`
			: `${harness.n8n.url}/workflow/${opts.workflow}`;
		fs.mkdirSync(path.dirname(opts.out), { recursive: true });
		log(
			`opening ${page} with ${playwright ? 'playwright-core' : 'chromium --screenshot'} (${chromium})`,
		);
		if (playwright)
			await shootWithPlaywright(playwright, chromium, page, harness.owner.cookie, opts);
		else await shootWithCli(chromium, page, harness.owner.cookie, opts);
		log(`wrote ${opts.out} (${fs.statSync(opts.out).size} bytes)`);
	} finally {
		await harness.n8n.stop();
		await harness.sim.stop();
		if (!opts.keep) fs.rmSync(harness.workDir, { recursive: true, force: true });
		else log(`kept ${harness.workDir}`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
