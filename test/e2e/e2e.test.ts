/**
 * End-to-end: this package, packed with `npm pack`, loaded as a community package by a real n8n
 * (2.41.1 and/or 1.123.81; sqlite, regular mode), driven by the example workflows in examples/
 * against the hiapi simulator. Opt-in: HIAPI_E2E=1 (the first run installs n8n). See test/e2e/README.md.
 *
 * Run: cd /work/main && source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Typed loosely on purpose: the helpers are plain JS shared with scripts outside jest.
const e2e: any = require('./n8n.js');
const { startSimulator }: { startSimulator: (options?: object) => Promise<any> } = require('../sim');

const ENABLED = process.env.HIAPI_E2E === '1';
/** Comma-separated n8n versions, each run as its own describe block (own install, own instance). */
const VERSIONS = (process.env.HIAPI_E2E_N8N_VERSIONS || process.env.HIAPI_E2E_N8N_VERSION || e2e.DEFAULT_VERSION)
	.split(',')
	.map((v: string) => v.trim())
	.filter(Boolean);

const WF = {
	textToImage: 'hiapiExT2I000001',
	imageToImage: 'hiapiExI2IBin001',
	continueOnFail: 'hiapiExCoF000001',
	/** continue-on-fail.json with On Error left at its default (stop): made by the harness, not an example. */
	failing: 'hiapiE2eFail0001',
	callbackSubmit: 'hiapiExCbSubm001',
	callbackReceive: 'hiapiExCbRecv001',
	/** wait-for-callback.json as shipped: Webhook → Prompts → GPT Image 2 (resume) → Images Ready. */
	wait: 'hiapiExWait00001',
	/** Derived: the same against the signing simulator (credential with a signing key), timeout from the request body. */
	waitSigned: 'hiapiE2eWaitSig1',
	/** Derived: the same with a Manual Trigger, for `n8n execute`. */
	waitCli: 'hiapiE2eWaitCli1',
};
const CREDENTIAL_ID = 'hiapiSimulator01';
const SIGNED_CREDENTIAL_ID = 'hiapiSimSigned01';
const SIGNING_KEY = 'whsec_e2e_resume_3c9d1f0a7b';
const TRIGGER_WEBHOOK_ID = '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7';
const CALLBACK_TOKEN = 'e2e-callback-token-5b7f0c2d9a41e6b3';
const WAIT_PATH = 'hiapi-wait-for-callback';
const WAIT_SIGNED_PATH = 'hiapi-e2e-wait-signed';
const WORKFLOW_FILES = [
	'text-to-image.json',
	'image-to-image-binary.json',
	'continue-on-fail.json',
	'callback-submit.json',
	'callback-receive.json',
	'wait-for-callback.json',
];
/** n8n puts a per-execution secret (`signature`) into $execution.resumeUrl from 2.14 on (n8n-facts Q8). */
const hasResumeToken = (version: string) => {
	const [major, minor] = version.split('.').map(Number);
	return major > 2 || (major === 2 && minor >= 14);
};

type Item = { json: Record<string, any>; binary?: Record<string, any>; pairedItem?: unknown };

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log('test/e2e skipped: set HIAPI_E2E=1 to run the end-to-end suite against a real n8n (installs n8n on first run, ~6 min)');
}

(ENABLED ? describe.each(VERSIONS) : describe.skip.each(VERSIONS))('n8n %s end-to-end', (VERSION: string) => {
	const timings: Record<string, number> = {};
	async function timed(label: string, fn: () => Promise<any>): Promise<any> {
		const started = Date.now();
		try {
			return await fn();
		} finally {
			timings[label] = Date.now() - started;
		}
	}

	let sim: any;
	let n8n: any;
	let workDir: string;
	let referenceTaskId: string;
	let owner: any;
	let failed = false;

	/** Runs a test body; on failure, adds the tail of n8n's logs to the error. */
	async function withLogs(fn: () => Promise<void>) {
		try {
			await fn();
		} catch (error) {
			failed = true;
			const e = error as Error;
			e.message += `\n\n--- n8n server log (tail) ---\n${n8n?.logTail(60)}\n--- n8n CLI log (tail) ---\n${n8n?.cliLogTail(40)}`;
			throw e;
		}
	}

	/** `n8n execute` for a workflow; fails with the CLI output when no run JSON came back. */
	async function execute(workflowId: string) {
		const r = await n8n.execute(workflowId);
		if (!r.run) throw new Error(`n8n execute --id=${workflowId} gave no run JSON (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
		return r;
	}

	/** The finished execution as stored in the DB, with its decoded data. */
	function stored(workflowId: string, mode?: string) {
		const rows = n8n.executions({ workflowId, ...(mode ? { mode } : {}) });
		expect(rows.length).toBeGreaterThan(0);
		return n8n.execution(rows[rows.length - 1].id);
	}

	beforeAll(async () => {
		try {
			await setUp();
		} catch (error) {
			failed = true;
			const e = error as Error;
			if (n8n) e.message += `\n\n--- n8n server log (tail) ---\n${n8n.logTail(60)}\n--- n8n CLI log (tail) ---\n${n8n.cliLogTail(40)}`;
			throw e;
		}
	}, 20 * 60 * 1000);

	async function setUp() {
		const bin = await timed('ensureN8n', () => e2e.ensureN8n(VERSION));
		expect(fs.existsSync(bin)).toBe(true);

		// The simulator first: its URL goes into the credential before n8n is started.
		const simPort = await e2e.freePort();
		sim = await startSimulator({ port: simPort, callback: { duplicates: 1 } });

		workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-'));
		n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
		const pkg = await timed('installPackage', () => n8n.installPackage());
		expect(pkg.files).toEqual(
			expect.arrayContaining([
				'package.json',
				'dist/credentials/HiApiApi.credentials.js',
				'dist/nodes/GptImage2/GptImage2.node.js',
				'dist/nodes/HiApiTrigger/HiApiTrigger.node.js',
			]),
		);

		// A reference image for image-to-image: a finished task's output on the simulator's CDN.
		const submit = await e2e.request(`${sim.baseUrl}/v1/tasks`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sim.apiKey}` },
			body: { model: 'gpt-image-2/text-to-image', input: { prompt: 'reference: a red square', aspect_ratio: '1:1', resolution: '1K' } },
		});
		expect(submit.status).toBe(200);
		referenceTaskId = submit.json().data.taskId;
		await sim.waitFor((s: any) => s.task(referenceTaskId).status === 'success', 30000);

		const vars = {
			SIM_URL: sim.baseUrl,
			N8N_URL: n8n.url,
			CALLBACK_TOKEN,
			REFERENCE_IMAGE_URL: sim.task(referenceTaskId).output[0].url,
		};
		const rendered = path.join(workDir, 'examples');
		const workflowsDir = path.join(rendered, 'workflows');
		fs.mkdirSync(workflowsDir, { recursive: true });
		const cred = e2e.renderExample('hiapi-simulator.credentials.json', vars, rendered);
		for (const f of WORKFLOW_FILES) e2e.renderExample(f, vars, workflowsDir);
		const cof = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'continue-on-fail.json'), 'utf8'));
		cof.id = WF.failing;
		cof.name = 'HiAPI e2e: failing task stops the run';
		for (const node of cof.nodes) delete node.onError;
		fs.writeFileSync(path.join(workflowsDir, 'failing.json'), JSON.stringify(cof, null, '\t'));

		// CLI imports and publishing go before the start: a running n8n does not pick up a publish
		// made by the CLI ("Changes will not take effect if n8n is running").
		await timed('importCredentials', () => n8n.importCredentials(cred.file));
		await timed('importWorkflows', () => n8n.importWorkflows(workflowsDir));
		await timed('publish', () => n8n.publish(WF.callbackReceive));
		await timed('start', () => n8n.start());
		// The owner (REST) is needed for what has no CLI: node types as the editor sees them, the credential test.
		owner = await timed('setupOwner', () => n8n.setupOwner());
	}

	afterAll(async () => {
		await n8n?.stop();
		await sim?.stop();
		// eslint-disable-next-line no-console
		console.log(`[e2e] timings (ms): ${JSON.stringify(timings)}`);
		if (workDir) {
			if (failed || process.env.HIAPI_E2E_KEEP === '1') {
				// eslint-disable-next-line no-console
				console.log(`[e2e] kept ${workDir} (n8n logs: ${n8n?.logFile}, ${n8n?.cliLogFile})`);
			} else {
				fs.rmSync(workDir, { recursive: true, force: true });
			}
		}
	}, 60000);

	test('the packed package is loaded by n8n (node types served to the editor)', async () => {
		await withLogs(async () => {
			// 2.41 serves these to logged-in users only (401 without the cookie).
			const headers = { cookie: owner.cookie };
			const r = await e2e.request(`${n8n.url}/types/nodes.json`, { headers });
			expect(r.status).toBe(200);
			const names = (r.json() as Array<{ name: string }>).map((t) => t.name);
			expect(names).toEqual(expect.arrayContaining(['n8n-nodes-hiapi.gptImage2', 'n8n-nodes-hiapi.hiApiTrigger']));
			const creds = await e2e.request(`${n8n.url}/types/credentials.json`, { headers });
			expect((creds.json() as Array<{ name: string }>).map((t) => t.name)).toContain('hiApiApi');
		});
	}, 60000);

	test('text to image: 2 items, each binary equals the simulator image', async () => {
		await withLogs(async () => {
			const r = await timed('test:textToImage', () => execute(WF.textToImage));
			expect(r.run.status).toBe('success');
			const items: Item[] = e2e.nodeOutput(r.run, 'GPT Image 2');
			expect(items).toHaveLength(2);

			// The same run as stored in n8n's DB, binary read from the filesystem store.
			const exec = stored(WF.textToImage, 'cli');
			expect(exec.status).toBe('success');
			const storedItems: Item[] = e2e.nodeOutput(exec.data, 'GPT Image 2');
			expect(storedItems).toHaveLength(2);
			const prompts = storedItems.map((it) => it.json.prompt);
			expect(prompts).toEqual(['A watercolor fox in a misty forest, soft morning light', 'A lighthouse on a cliff at dusk, oil painting']);
			for (const [i, item] of storedItems.entries()) {
				expect(item.json.status).toBe('success');
				expect(item.json.taskId).toMatch(/^tk-/);
				expect(item.pairedItem).toEqual({ item: i });
				expect(item.binary?.data?.mimeType).toBe('image/png');
				expect(item.binary?.data?.id).toMatch(/^filesystem-v2:/);
				const bytes: Buffer = n8n.readBinary(item.binary!.data);
				expect(bytes.equals(sim.imageBytes(item.json.taskId))).toBe(true);
				expect(sim.tasks.get(item.json.taskId).model).toBe('gpt-image-2/text-to-image');
			}
		});
	}, 5 * 60 * 1000);

	test('image to image from a binary made in the workflow (HTTP Request download)', async () => {
		await withLogs(async () => {
			const r = await timed('test:imageToImage', () => execute(WF.imageToImage));
			expect(r.run.status).toBe('success');
			const exec = stored(WF.imageToImage, 'cli');
			const [downloaded]: Item[] = e2e.nodeOutput(exec.data, 'Download Reference Image');
			const reference = sim.imageBytes(referenceTaskId);
			expect(n8n.readBinary(downloaded.binary!.data).equals(reference)).toBe(true);

			const items: Item[] = e2e.nodeOutput(exec.data, 'GPT Image 2');
			expect(items).toHaveLength(1);
			const { taskId } = items[0].json;
			const task = sim.tasks.get(taskId);
			expect(task.model).toBe('gpt-image-2/image-to-image');
			// The reference went inline, as a data URL of exactly the downloaded bytes.
			const m = /^data:(image\/[a-z]+);base64,(.+)$/.exec(task.input.image);
			expect(m?.[1]).toBe('image/png');
			expect(Buffer.from(m![2], 'base64').equals(reference)).toBe(true);
			expect(n8n.readBinary(items[0].binary!.data).equals(sim.imageBytes(taskId))).toBe(true);
		});
	}, 5 * 60 * 1000);

	test('continue on fail: 3 items, 2 images and 1 error item with its taskId', async () => {
		await withLogs(async () => {
			const r = await timed('test:continueOnFail', () => execute(WF.continueOnFail));
			expect(r.run.status).toBe('success');
			const exec = stored(WF.continueOnFail, 'cli');
			const items: Item[] = e2e.nodeOutput(exec.data, 'GPT Image 2');
			expect(items).toHaveLength(3);
			expect(items.map((it) => it.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			for (const i of [0, 2]) {
				expect(items[i].json.status).toBe('success');
				expect(n8n.readBinary(items[i].binary!.data).equals(sim.imageBytes(items[i].json.taskId))).toBe(true);
			}
			const bad = items[1];
			expect(bad.binary).toBeUndefined();
			expect(typeof bad.json.error).toBe('string');
			expect(bad.json.error).toMatch(/TASK_FAILED|rejected|fail/i);
			expect(bad.json.taskId).toMatch(/^tk-/);
			expect(sim.task(bad.json.taskId).status).toBe('fail');
		});
	}, 5 * 60 * 1000);

	test('without continue on fail, a failed task fails the run with a clear message naming the task', async () => {
		await withLogs(async () => {
			const r = await timed('test:failing', () => execute(WF.failing));
			expect(r.code).not.toBe(0);
			expect(r.run.status).toBe('error');
			const exec = stored(WF.failing, 'cli');
			expect(exec.status).toBe('error');
			const error = e2e.runError(exec.data, 'GPT Image 2');
			expect(error).toBeDefined();
			expect(e2e.runError(exec.data)?.message).toBe(error.message);
			const text = `${error.message} ${error.description ?? ''}`;
			expect(text).toMatch(/upstream rejected the prompt/);
			expect(text).toMatch(/TASK_FAILED/);
			// The message names the failed task so it can be looked up later.
			const taskId = /tk-[A-Za-z0-9_-]+/.exec(text)?.[0];
			expect(taskId).toBeDefined();
			expect(sim.task(taskId).status).toBe('fail');
			expect(sim.tasks.get(taskId).input.prompt).toMatch(/^FAILME/);
			// eslint-disable-next-line no-console
			console.log(`[e2e] failed run: exit ${r.code}, node error: ${error.message}`);
		});
	}, 5 * 60 * 1000);

	test('callback loop: submit → simulator callback → ONE trigger execution with the image, despite a duplicate delivery', async () => {
		await withLogs(async () => {
			const hookUrl = `${n8n.url}/webhook/${TRIGGER_WEBHOOK_ID}/hiapi`;
			// /healthz/readiness answers before published webhooks are registered: wait for the route
			// (a wrong token gets the node's 401 once it exists, n8n's 404 before).
			const deadline = Date.now() + 60000;
			for (;;) {
				const probe = await e2e.request(`${hookUrl}?token=wrong`, { method: 'POST', body: { taskId: 'probe' } });
				if (probe.status !== 404) {
					expect(probe.status).toBe(401);
					break;
				}
				if (Date.now() > deadline) throw new Error(`trigger webhook never registered: ${probe.status} ${probe.text()}`);
				await e2e.sleep(500);
			}
			const rows = n8n.webhooks();
			expect(rows.map((w: any) => w.webhookPath)).toContain(`${TRIGGER_WEBHOOK_ID}/hiapi`);
			expect(n8n.executions({ workflowId: WF.callbackReceive })).toHaveLength(0);

			const started = Date.now();
			const r = await execute(WF.callbackSubmit);
			expect(r.run.status).toBe('success');
			const [submitted]: Item[] = e2e.nodeOutput(r.run, 'GPT Image 2');
			const { taskId } = submitted.json;
			expect(taskId).toMatch(/^tk-/);
			const task = sim.tasks.get(taskId);
			expect(task.callback.url).toBe(`${hookUrl}?token=${CALLBACK_TOKEN}`);

			// The simulator delivers once, then once more (duplicates: 1) after the first 2xx.
			await sim.waitFor((s: any) => s.callbackLog.filter((c: any) => c.taskId === taskId).length >= 2, 60000);
			const deliveries = sim.callbackLog.filter((c: any) => c.taskId === taskId);
			expect(deliveries.map((c: any) => [c.status, c.duplicate])).toEqual([
				[200, false],
				[200, true],
			]);

			const [exec0] = await n8n.waitForExecutions({ workflowId: WF.callbackReceive }, { count: 1, timeoutMs: 60000 });
			timings['test:callbackLoop'] = Date.now() - started;
			// Give a wrongly accepted duplicate time to show up as a second execution.
			await e2e.sleep(3000);
			const all = n8n.executions({ workflowId: WF.callbackReceive });
			expect(all).toHaveLength(1);
			expect(exec0.mode).toBe('webhook');
			expect(exec0.status).toBe('success');

			const exec = n8n.execution(exec0.id);
			const [fromTrigger]: Item[] = e2e.nodeOutput(exec.data, 'HiAPI Trigger');
			expect(fromTrigger.json.taskId).toBe(taskId);
			expect(fromTrigger.json.status).toBe('success');
			expect(n8n.readBinary(fromTrigger.binary!.data).equals(sim.imageBytes(taskId))).toBe(true);
			const [received]: Item[] = e2e.nodeOutput(exec.data, 'Image Received');
			expect(received.json.taskId).toBe(taskId);
		});
	}, 5 * 60 * 1000);

	test('credential test through n8n (REST /rest/credentials/test as the owner)', async () => {
		await withLogs(async () => {
			const body = (data: Record<string, unknown>) => ({
				credentials: { id: CREDENTIAL_ID, name: 'HiAPI (simulator)', type: 'hiApiApi', data },
			});
			const ok = await timed('test:credentialTest', () =>
				owner.rest('POST', '/credentials/test', body({ apiKey: sim.apiKey, baseUrl: `${sim.baseUrl}/v1/` })),
			);
			expect(ok.status).toBe(200);
			expect(ok.json.data).toEqual(expect.objectContaining({ status: 'OK' }));

			const bad = await owner.rest('POST', '/credentials/test', body({ apiKey: 'sk-wrong', baseUrl: sim.baseUrl }));
			expect(bad.status).toBe(200);
			expect(bad.json.data.status).toBe('Error');
		});
	}, 60000);
});
