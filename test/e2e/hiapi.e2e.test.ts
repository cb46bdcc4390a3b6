/**
 * End-to-end for the HiAPI node (any model from hiapi's catalogue) in a real n8n (2.41.1 and
 * 1.123.81 by default, one instance per version, its own user folder), against the simulator:
 * the editor's model list and field mapping through n8n's REST endpoints, a video model in Wait for
 * Result and in Wait for Callback, the HiAPI Trigger receiving a video, and the product-video
 * example. Opt-in: HIAPI_E2E=1. See test/e2e/README.md for the helpers and what they install.
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e/hiapi.e2e.test.ts --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { NodeHelpers, type INode, type INodeParameters, type INodeType } from 'n8n-workflow';

// Typed loosely on purpose, as in e2e.test.ts: the helpers are plain JS shared with scripts.
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
const TRIGGER_TYPE = 'n8n-nodes-hiapi.hiApiTrigger';
const SIGNING_KEY = 'whsec_e2e_hiapi_node_5d1e8a2c47';
const CALLBACK_TOKEN = 'e2e-hiapi-node-token-8c3f1a9d2e6b4071';

const CRED = {
	/** The examples' credential, with the simulator's catalogue URL (see the note in beforeAll). */
	shipped: { id: 'hiapiSimulator01', name: 'HiAPI (simulator)' },
	/** What the README tells a user to fill for the trigger's default authentication, plus the catalogue URL. */
	signed: { id: 'hiapiE2eHiApiSg1', name: 'HiAPI e2e (signing key, catalogue)' },
	/** Price list, schema and catalogue URLs where nothing is served: what the editor shows then. */
	noCatalogue: { id: 'hiapiE2eHiApiNc1', name: 'HiAPI e2e (catalogue unreachable)' },
	/** hiapi's own model data only: the optional docs/models.json switched off (empty URL). */
	noDocs: { id: 'hiapiE2eHiApiNd1', name: 'HiAPI e2e (no docs catalogue)' },
};

const WF = {
	poll: {
		id: 'hiapiE2eVidPoll1',
		path: 'hiapi-e2e-video-poll',
		webhookId: '8b3e4d5c-6f70-4a81-9b92-000000000001',
	},
	resume: {
		id: 'hiapiE2eVidRsm01',
		path: 'hiapi-e2e-video-resume',
		webhookId: '8b3e4d5c-6f70-4a81-9b92-000000000002',
	},
	trigger: { id: 'hiapiE2eVidTrg01', webhookId: '8b3e4d5c-6f70-4a81-9b92-000000000003' },
	example: { id: 'hiapiExPrdVid001' },
};

/**
 * The field mapper's schema for seedance-2.0 as n8n's editor saves it with the workflow (the fields
 * the node's getModelFields answers, optional ones removed until added). Test (a) checks that n8n's
 * REST endpoint answers exactly this, so the workflows below are what the editor would leave.
 */
const SEEDANCE_SCHEMA = [
	{
		id: 'prompt',
		displayName: 'Prompt',
		required: true,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: 'string',
		removed: false,
	},
	{
		id: 'resolution',
		displayName: 'Resolution',
		required: false,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: 'options',
		removed: true,
		options: ['480p', '720p', '1080p'].map((v) => ({ name: v, value: v })),
		defaultValue: '720p',
	},
	{
		id: 'duration',
		displayName: 'Duration',
		required: false,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: 'options',
		removed: true,
		options: [
			{ name: '5', value: 5 },
			{ name: '10', value: 10 },
		],
		defaultValue: 5,
	},
	{
		id: 'aspect_ratio',
		displayName: 'Aspect ratio',
		required: false,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: 'options',
		removed: true,
		options: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'].map((v) => ({ name: v, value: v })),
		defaultValue: '16:9',
	},
	{
		id: 'generate_audio',
		displayName: 'Generate audio',
		required: false,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: 'boolean',
		removed: true,
		defaultValue: false,
	},
];

type Item = { json: Record<string, any>; binary?: Record<string, any>; pairedItem?: unknown };

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log('test/e2e/hiapi.e2e.test.ts skipped: set HIAPI_E2E=1 to run it against a real n8n');
}

/** The HiAPI node as a user leaves it: seedance-2.0 picked from the list, the prompt mapped as a field. */
function videoNode(completion: 'poll' | 'resume', credential: { id: string; name: string }) {
	return {
		id: `6c4f5e6d-7a81-4b92-8ca3-00000000010${completion === 'poll' ? 1 : 2}`,
		name: 'HiAPI',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [220, 0],
		parameters: {
			operation: 'runModel',
			model: {
				__rl: true,
				mode: 'list',
				value: 'seedance-2.0',
				cachedResultName: 'Seedance 2.0 (Video)',
			},
			inputMode: 'fields',
			inputFields: {
				mappingMode: 'defineBelow',
				value: { prompt: '={{ $json.body.prompt }}' },
				matchingColumns: [],
				schema: SEEDANCE_SCHEMA,
				attemptToConvertTypes: false,
				convertFieldsToString: true,
			},
			completion,
			options: {},
		},
		credentials: { hiApiApi: credential },
	};
}

/** Webhook (POST {prompt}) → HiAPI (seedance-2.0) → No Operation. */
function videoWorkflow(which: 'poll' | 'resume') {
	const w = WF[which];
	return {
		id: w.id,
		name: `HiAPI e2e: seedance-2.0, ${which === 'poll' ? 'Wait for Result' : 'Wait for Callback'}`,
		nodes: [
			{
				id: `6c4f5e6d-7a81-4b92-8ca3-00000000000${which === 'poll' ? 1 : 2}`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: w.webhookId,
				parameters: { httpMethod: 'POST', path: w.path, responseMode: 'onReceived', options: {} },
			},
			videoNode(which, CRED.signed),
			{
				id: `6c4f5e6d-7a81-4b92-8ca3-00000000020${which === 'poll' ? 1 : 2}`,
				name: 'Video Ready',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [440, 0],
				parameters: {},
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'HiAPI', type: 'main', index: 0 }]] },
			HiAPI: { main: [[{ node: 'Video Ready', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

/** HiAPI Trigger with every parameter at its default (Authentication: HiAPI Signature) → No Operation. */
function triggerWorkflow() {
	return {
		id: WF.trigger.id,
		name: 'HiAPI e2e: trigger receives a video',
		nodes: [
			{
				id: '6c4f5e6d-7a81-4b92-8ca3-000000000301',
				name: 'HiAPI Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: WF.trigger.webhookId,
				parameters: {},
				credentials: { hiApiApi: CRED.signed },
			},
			{
				id: '6c4f5e6d-7a81-4b92-8ca3-000000000302',
				name: 'Video Received',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: {
			'HiAPI Trigger': { main: [[{ node: 'Video Received', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

(ENABLED ? describe.each(VERSIONS) : describe.skip.each(VERSIONS))(
	'n8n %s: HiAPI node end to end',
	(VERSION: string) => {
		let sim: any;
		let n8n: any;
		let owner: any;
		let workDir: string;
		let failed = false;
		const figures: Record<string, unknown> = {};

		async function withLogs(fn: () => Promise<void>) {
			try {
				await fn();
			} catch (error) {
				failed = true;
				const e = error as Error;
				if (n8n)
					e.message += `\n\n--- n8n server log (tail) ---\n${n8n.logTail(60)}\n--- n8n CLI log (tail) ---\n${n8n.cliLogTail(30)}`;
				throw e;
			}
		}

		const productionUrl = () => `${n8n.url}/webhook/${WF.trigger.webhookId}/hiapi`;
		const seconds = (since: number) => Number(((Date.now() - since) / 1000).toFixed(1));

		/** The one execution of a workflow started after `afterId`, finished. */
		async function nextExecution(workflowId: string, afterId: number, timeoutMs = 120000) {
			const [row] = await n8n.waitForExecutions({ workflowId, afterId }, { count: 1, timeoutMs });
			return { row, ex: n8n.execution(row.id) };
		}
		const lastId = () => Math.max(0, ...n8n.executions({}).map((r: any) => Number(r.id)));

		/** The bytes n8n saved for a binary entry, compared with the simulator's file, plus type and name. */
		function expectFile(
			meta: any,
			executionId: string,
			taskId: string,
			index: number,
			mimeType: string,
			ext: string,
		) {
			expect(meta).toMatchObject({
				mimeType,
				fileName: `${taskId}${index === 0 ? '' : `_${index}`}.${ext}`,
			});
			const bytes: Buffer = n8n.readBinary(meta, { executionId });
			const expected: Buffer = sim.outputBytes(taskId, index);
			expect(bytes.length).toBe(expected.length);
			expect(bytes.equals(expected)).toBe(true);
			return bytes;
		}

		/** The node's parameters as the editor holds them (every default filled in), for its REST calls. */
		function editorParameters(values: INodeParameters): INodeParameters {
			const { HiApi } = require('../../dist/nodes/HiApi/HiApi.node.js');
			const type: INodeType = new HiApi();
			const node = {
				name: 'HiAPI',
				type: NODE_TYPE,
				typeVersion: 1,
				parameters: values,
			} as unknown as INode;
			return (
				NodeHelpers.getNodeParameters(
					type.description.properties,
					values,
					true,
					false,
					node,
					type.description,
				) ?? {}
			);
		}

		/** The body n8n's editor sends to /rest/dynamic-node-parameters/* (ParameterInputList / ResourceMapper). */
		async function editorRequest(
			path: string,
			methodName: string,
			values: INodeParameters,
			extra: Record<string, unknown> = {},
		) {
			const personal = await owner.rest('GET', '/projects/personal');
			const body: Record<string, unknown> = {
				nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
				path,
				methodName,
				currentNodeParameters: editorParameters(values),
				credentials: { hiApiApi: CRED.signed },
				projectId: personal.json?.data?.id,
				...extra,
			};
			// The 2.x editor also sends the workflow being edited; 1.x's DTO has no such field.
			if (e2e.n8nMajor(VERSION) >= 2) body.workflowId = WF.poll.id;
			return body;
		}

		beforeAll(
			async () => {
				try {
					await e2e.ensureN8n(VERSION);
					sim = await startSimulator({
						port: await e2e.freePort(),
						signingKey: SIGNING_KEY,
						durations: { queued: 100, handling: 400, archiving: 100 },
						callback: { retryDelaysMs: [500, 1000, 2000] },
					});
					workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-node-'));
					n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
					await n8n.installPackage();

					const vars = {
						SIM_URL: sim.baseUrl,
						N8N_URL: n8n.url,
						CALLBACK_TOKEN,
						REFERENCE_IMAGE_URL: `${sim.baseUrl}/cdn/none.png`,
					};
					const dir = path.join(workDir, 'examples');
					const workflowsDir = path.join(dir, 'workflows');
					fs.mkdirSync(workflowsDir, { recursive: true });
					const cred = e2e.renderExample('hiapi-simulator.credentials.json', vars, dir);
					e2e.renderExample('product-video.json', vars, workflowsDir);
					const credentials = JSON.parse(fs.readFileSync(cred.file, 'utf8'));
					// The shipped credential names the simulator's model data ({{SIM_URL}}/api/pricing...).
					expect(credentials[0].data.catalogueUrl).toBe(sim.catalogUrl);
					expect(credentials[0].data.pricingUrl).toBe(sim.pricingUrl);
					credentials.push({
						...CRED.signed,
						type: 'hiApiApi',
						data: {
							apiKey: sim.apiKey,
							baseUrl: sim.baseUrl,
							signingSecret: SIGNING_KEY,
							catalogueUrl: sim.catalogUrl,
							pricingUrl: sim.pricingUrl,
							modelSchemaUrl: `${sim.baseUrl}/api/models/content`,
						},
					});
					credentials.push({
						...CRED.noCatalogue,
						type: 'hiApiApi',
						data: {
							apiKey: sim.apiKey,
							baseUrl: sim.baseUrl,
							catalogueUrl: `${sim.baseUrl}/docs/no-such-catalogue.json`,
							pricingUrl: `${sim.baseUrl}/api/no-such-pricing`,
							modelSchemaUrl: `${sim.baseUrl}/api/no-such-schema`,
						},
					});
					credentials.push({
						...CRED.noDocs,
						type: 'hiApiApi',
						data: {
							apiKey: sim.apiKey,
							baseUrl: sim.baseUrl,
							catalogueUrl: '',
							pricingUrl: sim.pricingUrl,
							modelSchemaUrl: `${sim.baseUrl}/api/models/content`,
						},
					});
					fs.writeFileSync(cred.file, JSON.stringify(credentials, null, '\t'));
					for (const [file, wf] of [
						['video-poll.json', videoWorkflow('poll')],
						['video-resume.json', videoWorkflow('resume')],
						['video-trigger.json', triggerWorkflow()],
					] as const) {
						fs.writeFileSync(path.join(workflowsDir, file), JSON.stringify(wf, null, '\t'));
					}
					await n8n.importCredentials(cred.file);
					await n8n.importWorkflows(workflowsDir);
					for (const id of [WF.poll.id, WF.resume.id, WF.trigger.id]) await n8n.activate(id);
					const started = Date.now();
					await n8n.start();
					figures.startS = seconds(started);
					owner = await n8n.setupOwner();
					// The trigger answers 401 to an unsigned probe once its route is registered.
					const deadline = Date.now() + 60000;
					for (;;) {
						const probe = await e2e.request(productionUrl(), {
							method: 'POST',
							body: { taskId: 'probe' },
						});
						if (probe.status !== 404) break;
						if (Date.now() > deadline) throw new Error('the trigger webhook never registered');
						await e2e.sleep(250);
					}
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
			// eslint-disable-next-line no-console
			console.log(`[e2e] n8n ${VERSION} HiAPI node figures: ${JSON.stringify(figures)}`);
			if (workDir) {
				if (failed || process.env.HIAPI_E2E_KEEP === '1') {
					// eslint-disable-next-line no-console
					console.log(`[e2e] kept ${workDir} (n8n log: ${n8n?.logFile})`);
				} else {
					fs.rmSync(workDir, { recursive: true, force: true });
				}
			}
		}, 60000);

		test('the credential test in n8n says what to do about a refused key, and passes a good one', async () => {
			await withLogs(async () => {
				// The body the editor's credential modal posts on "Retry" / save.
				const test = (apiKey: string) =>
					owner.rest('POST', '/credentials/test', {
						// The saved credential being edited, with the key the user typed.
						credentials: {
							...CRED.noCatalogue,
							type: 'hiApiApi',
							data: { apiKey, baseUrl: sim.baseUrl },
						},
					});
				const refused = await test('sk-revoked-key-value');
				expect(refused.status).toBe(200);
				// n8n 2.x applies the credential's rules; 1.x answers a 401 with its own fixed text.
				expect(refused.json.data).toEqual({
					status: 'Error',
					message: VERSION.startsWith('1.')
						? 'Authorization failed - please check your credentials'
						: 'hiapi did not accept the API key (HTTP 401): copy it again from the hiapi console (it starts with sk-)',
				});
				const accepted = await test(sim.apiKey);
				expect(accepted.json.data).toEqual({ status: 'OK', message: 'Connection successful!' });
			});
		}, 60000);

		test(
			"the editor's model list and field mapping come from the simulator's price list and schemas through n8n's REST endpoints (docs catalogue off too)",
			async () => {
				await withLogs(async () => {
					const catalogueGets = sim.counters.catalogueGets;
					const listBody = (filter?: string) =>
						editorRequest(
							'parameters.model',
							'searchModels',
							{ model: { __rl: true, mode: 'list', value: '' } },
							filter ? { filter } : {},
						);

					// Every model hiapi's price list names, routed rows as routes of their model, the chat
					// model (priced by tokens) left out.
					const pricingGets = sim.counters.pricingGets;
					const all = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-locator-results',
						await listBody(),
					);
					expect(all.status).toBe(200);
					const expected = [
						...new Set<string>(
							sim.pricing.data.map((row: any) => String(row.model_name).split('@')[0]),
						),
					].filter((id) => id !== 'gpt-5-mini');
					const ids = all.json.data.results.map((r: any) => r.value);
					expect(ids).toEqual(expected);
					expect(ids).toHaveLength(9);
					expect(ids).not.toContain('gpt-5-mini');
					expect(ids).not.toContain('gpt-image-2/image-to-image@ext');
					expect(sim.counters.pricingGets).toBeGreaterThan(pricingGets);

					// What the user types filters it.
					const video = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-locator-results',
						await listBody('video'),
					);
					expect(video.status).toBe(200);
					expect(video.json.data.results).toEqual([
						{
							name: 'Seedance 2.0 (Video)',
							value: 'seedance-2.0',
							description: 'seedance-2.0 · text-to-video',
						},
						{
							name: 'Kling 3.0 Turbo Image to Video (Video)',
							value: 'kling-3.0-turbo/image-to-video',
							description: 'kling-3.0-turbo/image-to-video · image-to-video',
						},
					]);
					const speech = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-locator-results',
						await listBody('speech'),
					);
					expect(speech.json.data.results.map((r: any) => r.value)).toEqual([
						'qwen-audio-3.0-tts-flash',
					]);

					// The field mapper for the model picked from the list.
					const mapper = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-mapper-fields',
						await editorRequest('parameters.inputFields', 'getModelFields', {
							model: {
								__rl: true,
								mode: 'list',
								value: 'seedance-2.0',
								cachedResultName: 'Seedance 2.0 (Video)',
							},
						}),
					);
					expect(mapper.status).toBe(200);
					// From the model's JSON Schema (/api/models/content), never its `model` property.
					const byId = Object.fromEntries(mapper.json.data.fields.map((f: any) => [f.id, f]));
					expect(Object.keys(byId)).toEqual(
						Object.keys(sim.schema('seedance-2.0').properties).filter((k) => k !== 'model'),
					);
					expect(byId.prompt).toMatchObject({
						displayName: 'Prompt',
						required: true,
						removed: false,
					});
					expect(byId.resolution).toMatchObject({
						type: 'options',
						options: ['480p', '720p', '1080p', '4k'].map((v) => ({ name: v, value: v })),
						defaultValue: '720p',
					});
					expect(byId.duration).toMatchObject({ displayName: 'Duration (4–15)', type: 'number' });
					expect(byId.reference_image_urls).toMatchObject({
						displayName: 'Reference image urls (list of URLs, 1–9)',
						type: 'array',
						required: false,
					});

					// A required media input is shown, but not required (Files can fill it).
					const kling = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-mapper-fields',
						await editorRequest('parameters.inputFields', 'getModelFields', {
							model: { __rl: true, mode: 'id', value: 'kling-3.0-turbo/image-to-video' },
						}),
					);
					const image = kling.json.data.fields.find((f: any) => f.id === 'image');
					expect(image).toMatchObject({
						displayName: 'Image (URL)',
						required: false,
						type: 'string',
						removed: false,
					});
					expect(kling.json.data.fields.find((f: any) => f.id === 'cfg_scale')).toMatchObject({
						displayName: 'Cfg scale (0–1)',
						type: 'number',
						defaultValue: 0.5,
					});

					// With the docs catalogue switched off, the list and the fields come from hiapi alone.
					const credentials = { hiApiApi: CRED.noDocs };
					const bare = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-locator-results',
						await editorRequest(
							'parameters.model',
							'searchModels',
							{ model: { __rl: true, mode: 'list', value: '' } },
							{ credentials },
						),
					);
					expect(bare.status).toBe(200);
					expect(bare.json.data.results.map((r: any) => r.value)).toEqual(expected);
					const i2i = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-mapper-fields',
						await editorRequest(
							'parameters.inputFields',
							'getModelFields',
							{ model: { __rl: true, mode: 'id', value: 'gpt-image-2/image-to-image' } },
							{ credentials },
						),
					);
					expect(i2i.json.data.fields.map((f: any) => f.id)).toEqual(
						expect.arrayContaining(['prompt', 'input_urls', 'aspect_ratio', 'resolution']),
					);

					// n8n fetched the catalogue itself (cached for minutes across these calls).
					figures.catalogueGetsForEditor = sim.counters.catalogueGets - catalogueGets;
					expect(sim.counters.catalogueGets).toBeGreaterThan(catalogueGets);
				});
			},
			3 * 60 * 1000,
		);

		test(
			'the editor without a reachable catalogue: the list says why, the mapper points to JSON input',
			async () => {
				await withLogs(async () => {
					const credentials = { hiApiApi: CRED.noCatalogue };
					const list = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-locator-results',
						await editorRequest(
							'parameters.model',
							'searchModels',
							{ model: { __rl: true, mode: 'list', value: '' } },
							{ credentials },
						),
					);
					figures.listWithoutCatalogue = `${list.status} ${JSON.stringify(list.json ?? list.text).slice(0, 300)}`;
					expect(list.status).toBeGreaterThanOrEqual(400);
					expect(JSON.stringify(list.json ?? list.text)).toMatch(
						/Could not load hiapi's models: hiapi's price list at http:\/\/127\.0\.0\.1:\d+\/api\/no-such-pricing could not be read .*the model catalogue at http:\/\/127\.0\.0\.1:\d+\/docs\/no-such-catalogue\.json could not be read/,
					);
					const mapper = await owner.rest(
						'POST',
						'/dynamic-node-parameters/resource-mapper-fields',
						await editorRequest(
							'parameters.inputFields',
							'getModelFields',
							{ model: { __rl: true, mode: 'id', value: 'seedance-2.0' } },
							{ credentials },
						),
					);
					expect(mapper.status).toBe(200);
					expect(mapper.json.data.fields).toEqual([]);
					expect(mapper.json.data.emptyFieldsNotice).toMatch(/Set Input Mode to JSON/);
				});
			},
			3 * 60 * 1000,
		);

		// n8n's REST error answer for a list keeps only the message (it copies the other fields of a
		// NodeApiError only: n8n/dist/response-helper.js sendErrorResponse), so the hint to choose
		// "By ID" is part of the message.
		test(
			'the editor without a reachable catalogue: the list error the editor receives tells the user to choose By ID',
			async () => {
				const list = await owner.rest(
					'POST',
					'/dynamic-node-parameters/resource-locator-results',
					await editorRequest(
						'parameters.model',
						'searchModels',
						{ model: { __rl: true, mode: 'list', value: '' } },
						{ credentials: { hiApiApi: CRED.noCatalogue } },
					),
				);
				expect(list.status).toBeGreaterThanOrEqual(400);
				expect(JSON.stringify(list.json ?? list.text)).toMatch(/Could not load hiapi's models/);
				expect(JSON.stringify(list.json ?? list.text)).toMatch(/By ID/);
			},
			60 * 1000,
		);

		test(
			'seedance-2.0, Wait for Result: the MP4 n8n saved is the exact file, with its type and name',
			async () => {
				await withLogs(async () => {
					const before = lastId();
					const started = Date.now();
					const r = await n8n.postWebhook(WF.poll.path, {
						prompt: 'A paper boat drifting on a pond at dawn',
					});
					expect(r.status).toBe(200);
					const { row, ex } = await nextExecution(WF.poll.id, before);
					figures.pollS = seconds(started);
					expect(row.status).toBe('success');
					const [item]: Item[] = e2e.nodeOutput(ex.data, 'HiAPI');
					const taskId = String(item.json.taskId);
					expect(item.json).toMatchObject({
						status: 'success',
						model: 'seedance-2.0',
						outputs: [{ type: 'video' }],
						// The price list's 720p rate (the schema's default) × the default 5 s.
						estimatedUsd: 0.4,
						estimateRule: 'seedance-2.0, resolution 720p: $0.08 × 5 s',
					});
					const bytes = expectFile(item.binary!.data, row.id, taskId, 0, 'video/mp4', 'mp4');
					expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
					// The mapped prompt went out; the model's defaults stayed the model's.
					expect(sim.tasks.get(taskId).input).toMatchObject({
						prompt: 'A paper boat drifting on a pond at dawn',
						resolution: '720p',
						duration: 5,
					});
					expect(e2e.nodeOutput(ex.data, 'Video Ready').map((i: Item) => i.json.taskId)).toEqual([
						taskId,
					]);
					figures.pollStatusReads = sim.counters.gets[taskId] ?? 0;
				});
			},
			3 * 60 * 1000,
		);

		test(
			'seedance-2.0, Wait for Callback: the execution pauses, the callback resumes it with the exact MP4',
			async () => {
				await withLogs(async () => {
					const before = lastId();
					const started = Date.now();
					const r = await n8n.postWebhook(WF.resume.path, {
						prompt: 'Waves rolling onto a pebble beach',
					});
					expect(r.status).toBe(200);
					const [waiting] = await n8n.waitForExecutions(
						{ workflowId: WF.resume.id, afterId: before },
						{ finished: false, predicate: (rows: any[]) => rows.length > 0, timeoutMs: 60000 },
					);
					const done = await n8n.waitForStatus(waiting.id, ['success', 'error', 'crashed'], {
						timeoutMs: 120000,
					});
					figures.resumeS = seconds(started);
					expect(done.status).toBe('success');
					const ex = n8n.execution(waiting.id);
					const [item]: Item[] = e2e.nodeOutput(ex.data, 'HiAPI');
					const taskId = String(item.json.taskId);
					// hiapi got this execution's resume URL as the task's callback.
					expect(sim.tasks.get(taskId).callback.url).toContain(`/webhook-waiting/${waiting.id}`);
					// hiapi's callback is answered when the resuming call has the video (after the download),
					// so the answer can reach the simulator a moment after n8n saved the run: wait for it.
					await sim.waitFor((s: any) => s.callbackLog.some((c: any) => c.taskId === taskId), 30000);
					expect(sim.callbackLog.filter((c: any) => c.taskId === taskId)[0].status).toBe(200);
					expect(item.json).toMatchObject({ status: 'success', model: 'seedance-2.0' });
					expectFile(item.binary!.data, waiting.id, taskId, 0, 'video/mp4', 'mp4');
					expect(e2e.nodeOutput(ex.data, 'Video Ready').map((i: Item) => i.json.taskId)).toEqual([
						taskId,
					]);
					figures.resumeStatusReads = sim.counters.gets[taskId] ?? 0;
					await e2e.sleep(1000);
					expect(n8n.workflowEnds(waiting.id)).toBe(1);
				});
			},
			3 * 60 * 1000,
		);

		test(
			'HiAPI Trigger (HiAPI Signature, the default): a finished seedance-2.0 task → one execution with the MP4',
			async () => {
				await withLogs(async () => {
					const before = lastId();
					const submit = await e2e.request(`${sim.baseUrl}/v1/tasks`, {
						method: 'POST',
						headers: { authorization: `Bearer ${sim.apiKey}` },
						body: {
							model: 'seedance-2.0',
							input: { prompt: 'A lantern glowing in fog' },
							callback: { url: productionUrl(), when: 'final' },
						},
					});
					expect(submit.status).toBe(200);
					const taskId = submit.json().data.taskId;
					await sim.waitFor((s: any) => s.callbackLog.some((c: any) => c.taskId === taskId), 60000);
					const [delivery] = sim.callbackLog.filter((c: any) => c.taskId === taskId);
					expect(delivery.headers['X-HiAPI-Signature']).toMatch(/^[0-9a-f]{64}$/);
					expect(delivery.status).toBe(200);
					const { row, ex } = await nextExecution(WF.trigger.id, before);
					expect(row.status).toBe('success');
					expect(row.mode).toBe('webhook');
					const [item]: Item[] = e2e.nodeOutput(ex.data, 'HiAPI Trigger');
					expect(item.json).toMatchObject({ taskId, status: 'success', model: 'seedance-2.0' });
					expectFile(item.binary!.data, row.id, taskId, 0, 'video/mp4', 'mp4');
					expect(e2e.nodeOutput(ex.data, 'Video Received').map((i: Item) => i.json.taskId)).toEqual(
						[taskId],
					);
					await e2e.sleep(1000);
					expect(n8n.executions({ workflowId: WF.trigger.id, afterId: before })).toHaveLength(1);
				});
			},
			3 * 60 * 1000,
		);

		test(
			'the product-video example: product shot, video from it and voice-over, each saved exactly, together on the last item',
			async () => {
				await withLogs(async () => {
					const started = Date.now();
					const r = await n8n.execute(WF.example.id);
					figures.exampleS = seconds(started);
					expect(r.run?.status).toBe('success');
					const [row] = n8n.executions({ workflowId: WF.example.id }).slice(-1);
					expect(row.status).toBe('success');
					const ex = n8n.execution(row.id);
					const task = (node: string) => {
						const items: Item[] = e2e.nodeOutput(ex.data, node);
						expect(items).toHaveLength(1);
						expect(items[0].json.status).toBe('success');
						return String(items[0].json.taskId);
					};
					const shot = task('Product Shot');
					const video = task('Product Video');
					const voice = task('Voice-over');
					const product = e2e.nodeOutput(ex.data, 'Product')[0].json;
					expect(sim.tasks.get(shot)).toMatchObject({
						model: 'gpt-image-2/text-to-image',
						input: { prompt: product.imagePrompt },
					});
					expect(sim.tasks.get(video)).toMatchObject({
						model: 'kling-3.0-turbo/image-to-video',
						input: { prompt: product.videoPrompt },
					});
					expect(sim.tasks.get(voice)).toMatchObject({
						model: 'qwen-audio-3.0-tts-flash',
						input: { text: product.voiceOver },
					});
					// The product shot went to the video model as its image, byte for byte.
					expect(sim.tasks.get(video).input.image).toBe(
						`data:image/png;base64,${sim.outputBytes(shot, 0).toString('base64')}`,
					);

					const [all, ...more]: Item[] = e2e.nodeOutput(ex.data, 'All Files');
					expect(more).toHaveLength(0);
					expect(Object.keys(all.binary ?? {}).sort()).toEqual([
						'data',
						'video',
						'video_1',
						'voiceover',
					]);
					const png = expectFile(all.binary!.data, row.id, shot, 0, 'image/png', 'png');
					expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
					expectFile(all.binary!.video, row.id, video, 0, 'video/mp4', 'mp4');
					expectFile(all.binary!.video_1, row.id, video, 1, 'image/png', 'png');
					const wav = expectFile(all.binary!.voiceover, row.id, voice, 0, 'audio/wav', 'wav');
					expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
				});
			},
			4 * 60 * 1000,
		);
	},
);
