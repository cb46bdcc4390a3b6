/**
 * End-to-end for GPT Image 2 version 2 in a real n8n (2.41.1 and 1.123.81 by default): image to image
 * with 1, 3 and 16 references from URLs and from files sends hiapi's `input_urls`, 17 are refused
 * with no task, `3:1` and a background at 2K are refused before sending, the older served schema gets
 * `image`, and a workflow saved with version 1 still runs. The simulator validates every submit
 * against the schema it serves. Each case is one POST to a Webhook workflow (the spec and the files
 * as multipart form data, the files becoming the item's binary properties), so the suite stays short.
 * Opt-in: HIAPI_E2E=1.
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e/gptimage2-v2.e2e.test.ts --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { makePng } from '../support/images';

// Typed loosely on purpose, as in the other e2e files: the helpers are plain JS shared with scripts.
const e2e: any = require('./n8n.js');
const {
	startSimulator,
}: { startSimulator: (options?: object) => Promise<any> } = require('../sim');

const ENABLED = process.env.HIAPI_E2E === '1';
const VERSIONS: string[] = (
	process.env.HIAPI_E2E_N8N_VERSIONS ||
	process.env.HIAPI_E2E_N8N_VERSION ||
	e2e.DEFAULT_VERSIONS.join(',')
)
	.split(',')
	.map((v: string) => v.trim())
	.filter(Boolean);

const GPT = 'GPT Image 2';
const CRED = {
	current: { id: 'hiapiE2eGpt2Cur1', name: 'HiAPI e2e (current schemas)' },
	legacy: { id: 'hiapiE2eGpt2Leg1', name: 'HiAPI e2e (older gpt-image-2 schema)' },
};
const WF = {
	v2: { id: 'hiapiE2eGpt2V2a1', path: 'hiapi-e2e-gpt2-v2', webhookId: uuid(1) },
	legacy: { id: 'hiapiE2eGpt2Lg01', path: 'hiapi-e2e-gpt2-legacy', webhookId: uuid(2) },
	v1: { id: 'hiapiE2eGpt2V1a1', path: 'hiapi-e2e-gpt2-v1', webhookId: uuid(3) },
};

function uuid(n: number): string {
	return `9c4f5e6d-7a81-4b92-8ca3-${String(n).padStart(12, '0')}`;
}

/** What one POST asks GPT Image 2 for: read by the workflow's expressions. */
interface Spec {
	urls: string[];
	files: string;
	ratio: string;
	res: string;
	bg: string;
}
const spec = (over: Partial<Spec>): Spec => ({
	urls: [],
	files: '',
	ratio: 'auto',
	res: '1K',
	bg: 'auto',
	...over,
});
const fromSpec = (key: keyof Spec) => `={{ JSON.parse($json.body.spec).${key} }}`;

/** Webhook (multipart: `spec` plus files) → GPT Image 2, answering with GPT Image 2's first item. */
function workflow(
	wf: { id: string; path: string; webhookId: string },
	name: string,
	gpt: { typeVersion: number; parameters: Record<string, unknown> },
	credential: { id: string; name: string },
) {
	return {
		id: wf.id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: wf.webhookId,
				parameters: { httpMethod: 'POST', path: wf.path, responseMode: 'lastNode', options: {} },
			},
			{
				id: crypto.randomUUID(),
				name: GPT,
				type: 'n8n-nodes-hiapi.gptImage2',
				position: [240, 0],
				credentials: { hiApiApi: credential },
				...gpt,
			},
		],
		connections: { Webhook: { main: [[{ node: GPT, type: 'main', index: 0 }]] } },
	};
}

/** Version 2's image to image, every choice from the POSTed spec. */
const v2Parameters = {
	operation: 'imageToImage',
	prompt: 'Combine the references',
	imageSource: 'both',
	imageUrls: [fromSpec('urls')],
	binaryPropertyName: fromSpec('files'),
	aspectRatio: fromSpec('ratio'),
	resolution: fromSpec('res'),
	background: fromSpec('bg'),
	options: { pollInterval: 0.5 },
};

/** A multipart/form-data body: the spec as a text field, then each file under its own name. */
function multipart(fields: Record<string, string>, files: Array<[string, Buffer]>) {
	const boundary = `----hiapi-e2e-${crypto.randomBytes(8).toString('hex')}`;
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
			),
		);
	}
	for (const [name, data] of files) {
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.png"\r\nContent-Type: image/png\r\n\r\n`,
			),
			data,
			Buffer.from('\r\n'),
		);
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return {
		body: Buffer.concat(parts),
		headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
	};
}

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log(
		'test/e2e/gptimage2-v2.e2e.test.ts skipped: set HIAPI_E2E=1 to run it against a real n8n',
	);
}

(ENABLED ? describe.each(VERSIONS) : describe.skip.each(VERSIONS))(
	'n8n %s: GPT Image 2 v2 against hiapi-shaped schemas',
	(VERSION: string) => {
		let sim: any;
		let legacySim: any;
		let n8n: any;
		let workDir: string;
		let failed = false;
		const figures: Record<string, number> = {};

		async function withLogs(fn: () => Promise<void>) {
			try {
				await fn();
			} catch (error) {
				failed = true;
				const e = error as Error;
				if (n8n) e.message += `\n\n--- n8n server log (tail) ---\n${n8n.logTail(60)}`;
				throw e;
			}
		}

		const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://ref.example/${i}.png`);
		/** Different bytes per file, so order and content can both be checked. */
		const pngs = (n: number) => Array.from({ length: n }, (_, i) => makePng(6 + i, 6));
		const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

		/**
		 * POSTs one case to a workflow; resolves the HTTP status, the tasks the simulator created for it
		 * and, on error, GPT Image 2's error as n8n saved it.
		 */
		async function post(
			wf: { id: string; path: string },
			s: Spec,
			files: Buffer[] = [],
			simulator = sim,
		) {
			const before = new Set(simulator.tasks.keys());
			const done = n8n.executions({ workflowId: wf.id }).length;
			const form = multipart(
				{ spec: JSON.stringify(s) },
				files.map((data, i) => [`ref_${i}`, data]),
			);
			const started = Date.now();
			const r = await n8n.postWebhook(wf.path, form.body, { headers: form.headers });
			const rows = await n8n.waitForExecutions(
				{ workflowId: wf.id },
				{ count: done + 1, timeoutMs: 60000 },
			);
			figures.maxPostMs = Math.max(figures.maxPostMs ?? 0, Date.now() - started);
			const ex = n8n.execution(rows[rows.length - 1].id);
			const tasks = [...simulator.tasks.values()].filter((t: any) => !before.has(t.id));
			return { status: r.status, tasks, error: e2e.runError(ex.data, GPT), ex };
		}

		beforeAll(
			async () => {
				try {
					await e2e.ensureN8n(VERSION);
					const durations = { queued: 50, handling: 200, archiving: 50 };
					sim = await startSimulator({ port: await e2e.freePort(), durations });
					legacySim = await startSimulator({
						port: await e2e.freePort(),
						durations,
						gptImage2Schema: 'legacy',
					});
					workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-gpt2-'));
					n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
					await n8n.installPackage();

					const credential = (s: any) => ({
						apiKey: s.apiKey,
						baseUrl: s.baseUrl,
						modelSchemaUrl: `${s.baseUrl}/api/models/content`,
						pricingUrl: `${s.baseUrl}/api/pricing`,
					});
					const credFile = path.join(workDir, 'credentials.json');
					fs.writeFileSync(
						credFile,
						JSON.stringify([
							{ ...CRED.current, type: 'hiApiApi', data: credential(sim) },
							{ ...CRED.legacy, type: 'hiApiApi', data: credential(legacySim) },
						]),
					);
					const dir = path.join(workDir, 'workflows');
					fs.mkdirSync(dir);
					const workflows = [
						workflow(
							WF.v2,
							'GPT Image 2 v2 e2e',
							{ typeVersion: 2, parameters: v2Parameters },
							CRED.current,
						),
						workflow(
							WF.legacy,
							'GPT Image 2 v2 e2e (older schema)',
							{ typeVersion: 2, parameters: v2Parameters },
							CRED.legacy,
						),
						// Saved with version 1 at its defaults: n8n stored only what differs from them.
						workflow(
							WF.v1,
							'GPT Image 2 v1 e2e',
							{
								typeVersion: 1,
								parameters: {
									operation: 'imageToImage',
									prompt: 'Turn it into a watercolor',
									imageUrl: '={{ JSON.parse($json.body.spec).urls[0] }}',
									options: { pollInterval: 0.5 },
								},
							},
							CRED.current,
						),
					];
					for (const wf of workflows) {
						fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf));
					}
					await n8n.importCredentials(credFile);
					await n8n.importWorkflows(dir);
					for (const wf of Object.values(WF)) await n8n.activate(wf.id);
					await n8n.start();
				} catch (error) {
					failed = true;
					const e = error as Error;
					if (n8n) e.message += `\n\n--- n8n server log (tail) ---\n${n8n.logTail(60)}`;
					throw e;
				}
			},
			20 * 60 * 1000,
		);

		afterAll(async () => {
			await n8n?.stop();
			await sim?.stop();
			await legacySim?.stop();
			// eslint-disable-next-line no-console
			console.log(`[e2e] n8n ${VERSION} GPT Image 2 v2 figures: ${JSON.stringify(figures)}`);
			if (workDir) {
				if (failed || process.env.HIAPI_E2E_KEEP === '1') {
					// eslint-disable-next-line no-console
					console.log(`[e2e] kept ${workDir} (n8n log: ${n8n?.logFile})`);
				} else {
					fs.rmSync(workDir, { recursive: true, force: true });
				}
			}
		}, 60000);

		test('1, 3 and 16 references from URLs, then from files, are sent as input_urls in order', async () => {
			await withLogs(async () => {
				for (const n of [1, 3, 16]) {
					const byUrl = await post(WF.v2, spec({ urls: urls(n) }));
					expect(byUrl.error).toBeUndefined();
					expect(byUrl.status).toBe(200);
					expect(byUrl.tasks.map((t: any) => t.input)).toEqual([
						{
							prompt: 'Combine the references',
							aspect_ratio: 'auto',
							resolution: '1K',
							input_urls: urls(n),
						},
					]);

					const files = pngs(n);
					const names = files.map((_, i) => `ref_${i}`).join(', ');
					const byFile = await post(WF.v2, spec({ files: names }), files);
					expect(byFile.error).toBeUndefined();
					expect(byFile.tasks.map((t: any) => t.input.input_urls)).toEqual([files.map(dataUrl)]);
				}
			});
		}, 180000);

		test('17 references are refused before anything is sent, naming the field, item and limit', async () => {
			await withLogs(async () => {
				const r = await post(WF.v2, spec({ urls: urls(16), files: 'ref_0' }), pngs(1));
				expect(r.status).not.toBe(200);
				expect(r.tasks).toHaveLength(0);
				expect(r.error.message).toBe(
					"Image URLs / Input Binary Fields: 17 reference images, over the limit of 16 for hiapi's 'input_urls' (item 0)",
				);
			});
		}, 60000);

		test('3:1 at 1K is sent; 3:1 at 2K and a background at 2K are refused before sending', async () => {
			await withLogs(async () => {
				const ok = await post(WF.v2, spec({ urls: urls(1), ratio: '3:1' }));
				expect(ok.error).toBeUndefined();
				expect(ok.tasks.map((t: any) => t.input.aspect_ratio)).toEqual(['3:1']);

				const wide = await post(WF.v2, spec({ urls: urls(1), ratio: '3:1', res: '2K' }));
				expect(wide.tasks).toHaveLength(0);
				expect(wide.error.message).toMatch(/aspect_ratio|Aspect Ratio/);
				expect(wide.error.message).toMatch(/resolution|Resolution/);
				expect(wide.error.message).toMatch(/\(item 0\)/);

				const bg = await post(
					WF.v2,
					spec({ urls: urls(1), ratio: '16:9', res: '2K', bg: 'opaque' }),
				);
				expect(bg.tasks).toHaveLength(0);
				expect(bg.error.message).toMatch(/background|Background/);
				expect(bg.error.message).toMatch(/resolution|Resolution/);
			});
		}, 60000);

		test('where hiapi serves the older schema, the one reference goes to input.image', async () => {
			await withLogs(async () => {
				const r = await post(WF.legacy, spec({ urls: urls(1), ratio: '1:1' }), [], legacySim);
				expect(r.error).toBeUndefined();
				expect(r.tasks.map((t: any) => t.input)).toEqual([
					{
						prompt: 'Combine the references',
						aspect_ratio: '1:1',
						resolution: '1K',
						image: urls(1)[0],
					},
				]);
			});
		}, 60000);

		test('a workflow saved with version 1 still runs: 1:1 at 1K, its one reference in input_urls', async () => {
			await withLogs(async () => {
				const r = await post(WF.v1, spec({ urls: urls(1) }));
				expect(r.error).toBeUndefined();
				expect(r.status).toBe(200);
				expect(r.tasks.map((t: any) => t.input)).toEqual([
					{
						prompt: 'Turn it into a watercolor',
						aspect_ratio: '1:1',
						resolution: '1K',
						input_urls: urls(1),
					},
				]);
				const [item] = e2e.nodeOutput(r.ex.data, GPT);
				expect(item.json).toMatchObject({ status: 'success', aspectRatio: '1:1' });
			});
		}, 60000);
	},
);
