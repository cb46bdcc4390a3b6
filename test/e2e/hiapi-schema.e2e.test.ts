/**
 * End-to-end for the HiAPI node driven by hiapi's own model data, in a real n8n (2.41.1 and
 * 1.123.81 by default), against the simulator with its docs catalogue switched off: the credential
 * names only the price list (/api/pricing) and the model schemas (/api/models/content). A user's
 * view of issue 21: a list input filled from two files, an if/then rule refused locally (the item on
 * the error output), a `cancelled` / `canceled` task ending at once as a failure naming it, and Max
 * Estimated Cost refusing a 100-item run before the first submit while a run within budget carries
 * `estimatedUsd`. One workflow with two Webhook entry points, so n8n starts once per version.
 * Opt-in: HIAPI_E2E=1.
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e/hiapi-schema.e2e.test.ts --runInBand
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

const NODE_TYPE = 'n8n-nodes-hiapi.hiApi';
const CRED = { id: 'hiapiE2eSchema01', name: 'HiAPI e2e (price list and schemas only)' };
const WF = {
	id: 'hiapiE2eSchemaW1',
	/** Multipart: prompt, first, last and the files ref_a, ref_b → the "Seedance" node. */
	files: { path: 'hiapi-e2e-schema-files', webhookId: uuid(1) },
	/** JSON {count, prompt, budget} → Code (count items) → the "Batch" node. */
	batch: { path: 'hiapi-e2e-schema-batch', webhookId: uuid(2) },
};
/** seedance-2.0 at its schema's defaults (720p, 5 s) in the simulator's price list: $0.08 per second. */
const SEEDANCE_USD = 0.4;
const LAST_FRAME = 'https://frames.example/last.png';

function uuid(n: number): string {
	return `5e7a1c2d-3b4f-4a60-8d71-${String(n).padStart(12, '0')}`;
}

/**
 * The field mapper's entries for the inputs the workflow maps, as n8n's editor saves them once
 * added (what the node's getModelFields answers for seedance-2.0 from its JSON Schema).
 */
const MAPPED_FIELDS = [
	['prompt', 'Prompt', true],
	['first_frame_url', 'First frame url (URL)', false],
	['last_frame_url', 'Last frame url (URL)', false],
].map(([id, displayName, required]) => ({
	id,
	displayName,
	required,
	defaultMatch: false,
	canBeUsedToMatch: false,
	display: true,
	type: 'string',
	removed: false,
}));

const node = (name: string, type: string, position: [number, number], extra: object = {}) => ({
	id: crypto.randomUUID(),
	name,
	type,
	typeVersion: 1,
	position,
	parameters: {},
	...extra,
});

/** Wait for Result, polling often enough for the simulator's short tasks, well inside the timeout. */
const OPTIONS = { pollInterval: 0.5, timeout: 60 };

function workflow() {
	const webhook = (name: string, w: { path: string; webhookId: string }, y: number) =>
		node(name, 'n8n-nodes-base.webhook', [0, y], {
			typeVersion: 2,
			webhookId: w.webhookId,
			parameters: { httpMethod: 'POST', path: w.path, responseMode: 'onReceived', options: {} },
		});
	return {
		id: WF.id,
		name: 'HiAPI e2e: schema-driven input, statuses and budget',
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			webhook('Files Webhook', WF.files, 0),
			// seedance-2.0 picked from the list, its fields mapped, two files for one list input.
			node('Seedance', NODE_TYPE, [240, 0], {
				credentials: { hiApiApi: CRED },
				onError: 'continueErrorOutput',
				parameters: {
					operation: 'runModel',
					model: {
						__rl: true,
						mode: 'list',
						value: 'seedance-2.0',
						cachedResultName: 'seedance-2.0 (Video)',
					},
					inputMode: 'fields',
					inputFields: {
						mappingMode: 'defineBelow',
						value: {
							prompt: '={{ $json.body.prompt }}',
							first_frame_url: '={{ $json.body.first }}',
							last_frame_url: '={{ $json.body.last }}',
						},
						matchingColumns: [],
						schema: MAPPED_FIELDS,
						attemptToConvertTypes: false,
						convertFieldsToString: true,
					},
					files: { file: [{ field: 'reference_image_urls', binaryProperties: 'ref_a, ref_b' }] },
					options: OPTIONS,
				},
			}),
			node('Video Ready', 'n8n-nodes-base.noOp', [480, -100]),
			node('Refused or Failed', 'n8n-nodes-base.noOp', [480, 100]),

			webhook('Batch Webhook', WF.batch, 400),
			node('Items', 'n8n-nodes-base.code', [240, 400], {
				typeVersion: 2,
				parameters: {
					jsCode:
						'const { count, prompt, budget } = $input.first().json.body;\nreturn Array.from({ length: count }, (_, i) => ({ json: { prompt: `${prompt} ${i}`, budget } }));',
				},
			}),
			// The same model by ID with JSON input; On Error left at Stop Workflow.
			node('Batch', NODE_TYPE, [480, 400], {
				credentials: { hiApiApi: CRED },
				parameters: {
					operation: 'runModel',
					model: { __rl: true, mode: 'id', value: 'seedance-2.0' },
					inputMode: 'json',
					inputJson: '={{ JSON.stringify({ prompt: $json.prompt }) }}',
					options: { ...OPTIONS, maxEstimatedCostUsd: '={{ $json.budget }}' },
				},
			}),
			node('Priced', 'n8n-nodes-base.noOp', [720, 400]),
		],
		connections: {
			'Files Webhook': { main: [[{ node: 'Seedance', type: 'main', index: 0 }]] },
			Seedance: {
				main: [
					[{ node: 'Video Ready', type: 'main', index: 0 }],
					[{ node: 'Refused or Failed', type: 'main', index: 0 }],
				],
			},
			'Batch Webhook': { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Batch', type: 'main', index: 0 }]] },
			Batch: { main: [[{ node: 'Priced', type: 'main', index: 0 }]] },
		},
	};
}

/** A multipart/form-data body: text fields, then each file under its own name (n8n's binary property). */
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
		'test/e2e/hiapi-schema.e2e.test.ts skipped: set HIAPI_E2E=1 to run it against a real n8n',
	);
}

(ENABLED ? describe.each(VERSIONS) : describe.skip.each(VERSIONS))(
	"n8n %s: HiAPI node on hiapi's price list and schemas",
	(VERSION: string) => {
		let sim: any;
		let n8n: any;
		let workDir: string;
		let failed = false;
		let begun = 0;
		const figures: Record<string, unknown> = {};

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

		/** Two different PNGs, so that order and content can both be checked. */
		const refA = makePng(7, 5);
		const refB = makePng(5, 9);
		const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
		const lastId = () => Math.max(0, ...n8n.executions({}).map((r: any) => Number(r.id)));

		/**
		 * POSTs to one entry of the workflow and waits for the execution it started to finish;
		 * resolves that execution, the tasks the simulator created for it and the submits it received.
		 */
		async function post(entry: 'files' | 'batch', body: Buffer | object, headers = {}) {
			const afterId = lastId();
			const before = new Set(sim.tasks.keys());
			const submits = sim.counters.submits;
			const started = Date.now();
			const r = await n8n.postWebhook(WF[entry].path, body, { headers });
			expect(r.status).toBe(200);
			const [row] = await n8n.waitForExecutions(
				{ workflowId: WF.id, afterId },
				{ count: 1, timeoutMs: 90000 },
			);
			const ex = n8n.execution(row.id);
			return {
				row,
				data: ex.data,
				ms: Date.now() - started,
				submits: sim.counters.submits - submits,
				tasks: [...sim.tasks.values()].filter((t: any) => !before.has(t.id)),
			};
		}

		const postFiles = (fields: { prompt: string; first?: string; last?: string }) => {
			const form = multipart({ first: '', last: '', ...fields }, [
				['ref_a', refA],
				['ref_b', refB],
			]);
			return post('files', form.body, form.headers);
		};

		/**
		 * Status reads of a task that reached hiapi after it settled (GET by ID and list pages). The
		 * node stops at the first read that reports the end: at most 1 (0 when that read arrived a
		 * moment before the settle time and was answered after it); polling on would make dozens.
		 */
		const readsAfterSettle = (task: any) =>
			sim.log.filter(
				(e: any) =>
					e.t >= task.settleAt &&
					((e.route === 'get' && e.taskId === task.id) || e.route === 'list'),
			).length;

		beforeAll(
			async () => {
				begun = Date.now();
				try {
					await e2e.ensureN8n(VERSION);
					sim = await startSimulator({
						port: await e2e.freePort(),
						durations: { queued: 50, handling: 200, archiving: 50 },
						docsCatalogue: false,
					});
					sim.setBehavior(({ input }: { input: { prompt?: string } }) => {
						const prompt = String(input.prompt ?? '');
						if (prompt.startsWith('[cancelled]')) return { terminalStatus: 'cancelled' };
						if (prompt.startsWith('[canceled]')) return { terminalStatus: 'canceled' };
						return undefined;
					});
					workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-schema-'));
					n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
					await n8n.installPackage();

					const credFile = path.join(workDir, 'credentials.json');
					fs.writeFileSync(
						credFile,
						JSON.stringify([
							{
								...CRED,
								type: 'hiApiApi',
								data: {
									apiKey: sim.apiKey,
									baseUrl: sim.baseUrl,
									// The optional docs catalogue switched off: hiapi's own model data only.
									catalogueUrl: '',
									pricingUrl: sim.pricingUrl,
									modelSchemaUrl: `${sim.baseUrl}/api/models/content`,
								},
							},
						]),
					);
					const dir = path.join(workDir, 'workflows');
					fs.mkdirSync(dir);
					fs.writeFileSync(path.join(dir, `${WF.id}.json`), JSON.stringify(workflow()));
					await n8n.importCredentials(credFile);
					await n8n.importWorkflows(dir);
					await n8n.activate(WF.id);
					const started = Date.now();
					await n8n.start();
					figures.startMs = Date.now() - started;
					// Package install, imports, activation (CLI boots) and the start.
					figures.setupMs = Date.now() - begun;
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
			figures.totalMs = Date.now() - begun;
			// eslint-disable-next-line no-console
			console.log(`[e2e] n8n ${VERSION} HiAPI schema figures: ${JSON.stringify(figures)}`);
			if (workDir) {
				if (failed || process.env.HIAPI_E2E_KEEP === '1') {
					// eslint-disable-next-line no-console
					console.log(`[e2e] kept ${workDir} (n8n log: ${n8n?.logFile})`);
				} else {
					fs.rmSync(workDir, { recursive: true, force: true });
				}
			}
		}, 60000);

		test('a list input filled from two binary properties is sent as two data URLs: the exact bytes, in order', async () => {
			await withLogs(async () => {
				const r = await postFiles({ prompt: 'a lighthouse at dusk' });
				figures.filesMs = r.ms;
				expect(e2e.runError(r.data, 'Seedance')).toBeUndefined();
				expect(r.row.status).toBe('success');
				expect(r.tasks).toHaveLength(1);
				const [task] = r.tasks;
				expect(task.model).toBe('seedance-2.0');
				// The simulator validated this submit against the schema it serves (no unknown field).
				const sent = task.input.reference_image_urls;
				expect(sent).toEqual([dataUrl(refA), dataUrl(refB)]);
				const bytes = sent.map((u: string) => Buffer.from(u.split(',')[1], 'base64'));
				expect(bytes[0].equals(refA)).toBe(true);
				expect(bytes[1].equals(refB)).toBe(true);
				expect(task.input).toMatchObject({ prompt: 'a lighthouse at dusk' });
				expect(task.input).not.toHaveProperty('first_frame_url');
				expect(task.input).not.toHaveProperty('last_frame_url');

				const [item, ...more] = e2e.nodeOutput(r.data, 'Video Ready');
				expect(more).toHaveLength(0);
				expect(item.json).toMatchObject({
					taskId: task.id,
					status: 'success',
					estimatedUsd: SEEDANCE_USD,
				});
				const video: Buffer = n8n.readBinary(item.binary.data, { executionId: r.row.id });
				expect(item.binary.data.mimeType).toBe('video/mp4');
				expect(video.equals(sim.outputBytes(task.id, 0))).toBe(true);
				expect(e2e.nodeOutput(r.data, 'Refused or Failed')).toBeUndefined();
			});
		}, 120000);

		test('an if/then rule broken (last_frame_url without first_frame_url) is refused locally naming both fields; the item goes to the error output', async () => {
			await withLogs(async () => {
				const r = await postFiles({ prompt: 'a door opening', last: LAST_FRAME });
				figures.ifThenMs = r.ms;
				expect(r.submits).toBe(0);
				expect(r.tasks).toHaveLength(0);
				expect(r.row.status).toBe('success');
				expect(e2e.nodeOutput(r.data, 'Seedance', { output: 0 })).toEqual([]);
				const refused = e2e.nodeOutput(r.data, 'Refused or Failed');
				expect(refused).toHaveLength(1);
				expect(refused[0].json.error).toMatchObject({
					message: `Input › last_frame_url, first_frame_url: first_frame_url is required when last_frame_url is '${LAST_FRAME}' (item 0)`,
					status: 'not submitted',
				});
				expect(e2e.nodeOutput(r.data, 'Video Ready')).toBeUndefined();

				// Both frames given: the rule holds and hiapi (the simulator, validating) takes it.
				const ok = await postFiles({
					prompt: 'a door opening',
					first: 'https://frames.example/first.png',
					last: LAST_FRAME,
				});
				expect(ok.row.status).toBe('success');
				expect(ok.tasks.map((t: any) => [t.input.first_frame_url, t.input.last_frame_url])).toEqual(
					[['https://frames.example/first.png', LAST_FRAME]],
				);
				expect(e2e.nodeOutput(ok.data, 'Video Ready')).toHaveLength(1);
			});
		}, 120000);

		test('a task that ends `cancelled` fails the node at once, naming the task; `canceled` goes to the error output', async () => {
			await withLogs(async () => {
				const r = await post('batch', { count: 1, prompt: '[cancelled] storm', budget: 0 });
				figures.cancelledMs = r.ms;
				expect(r.row.status).toBe('error');
				expect(r.tasks).toHaveLength(1);
				const [task] = r.tasks;
				expect(sim.task(task.id).status).toBe('cancelled');
				const error = e2e.runError(r.data, 'Batch');
				figures.cancelledError = error.message;
				expect(error.message).toContain(task.id);
				expect(`${error.message} ${error.description ?? ''}`).toMatch(/cancel/i);
				expect(error.message).not.toMatch(/timed out|timeout/i);
				// It stopped at the read that saw the task cancelled: no polling on to the timeout.
				expect(readsAfterSettle(task)).toBeLessThanOrEqual(1);
				expect(e2e.nodeOutput(r.data, 'Priced')).toBeUndefined();

				const us = await postFiles({ prompt: '[canceled] storm' });
				expect(us.row.status).toBe('success');
				expect(us.tasks).toHaveLength(1);
				expect(sim.task(us.tasks[0].id).status).toBe('canceled');
				const [failedItem, ...more] = e2e.nodeOutput(us.data, 'Refused or Failed');
				expect(more).toHaveLength(0);
				expect(failedItem.json.error).toMatchObject({ taskId: us.tasks[0].id });
				expect(failedItem.json.error.message).toContain(us.tasks[0].id);
				expect(failedItem.json.error.message).not.toMatch(/timed out|timeout/i);
				expect(readsAfterSettle(us.tasks[0])).toBeLessThanOrEqual(1);
			});
		}, 120000);

		test('Max Estimated Cost refuses a 100-item run over budget before the first submit; within budget each item carries estimatedUsd', async () => {
			await withLogs(async () => {
				const over = await post('batch', { count: 100, prompt: 'poster', budget: 39.99 });
				figures.overBudgetMs = over.ms;
				expect(over.row.status).toBe('error');
				expect(over.submits).toBe(0);
				expect(over.tasks).toHaveLength(0);
				expect(e2e.runError(over.data, 'Batch').message).toBe(
					`Estimated cost $40.00 for 100 items ($${SEEDANCE_USD} each) is over the Max Estimated Cost of $39.99: nothing was submitted`,
				);

				// Exactly at the limit: 2 × $0.40 = $0.80 runs.
				const within = await post('batch', { count: 2, prompt: 'poster', budget: 0.8 });
				figures.withinBudgetMs = within.ms;
				expect(within.row.status).toBe('success');
				expect(within.tasks).toHaveLength(2);
				const items = e2e.nodeOutput(within.data, 'Batch');
				// Submitted concurrently: the items keep their input order, the tasks may not.
				expect(items.map((i: any) => i.json.taskId).sort()).toEqual(
					within.tasks.map((t: any) => t.id).sort(),
				);
				expect(items.map((i: any) => i.json.estimatedUsd)).toEqual([SEEDANCE_USD, SEEDANCE_USD]);
				expect(items.map((i: any) => i.json.estimateRule)).toEqual([
					expect.stringMatching(/^seedance-2\.0/),
					expect.stringMatching(/^seedance-2\.0/),
				]);
				// The docs catalogue was never asked for: the price list and the schemas were enough.
				expect(sim.counters.catalogueGets).toBe(0);
			});
		}, 120000);
	},
);
