/**
 * End-to-end for the HiAPI Trigger's setup, in a real n8n (2.41.1 and 1.123.81 by default, one
 * instance per version, its own user folder): every workflow is callback-receive.json as a user
 * leaves it (only the fields the README tells them to set), callbacks come from the simulator over
 * HTTP. Opt-in: HIAPI_E2E=1. See test/e2e/README.md for the helpers and what they install.
 *
 * Run: source scripts/node24.sh && npm run build && HIAPI_E2E=1 npx jest test/e2e/trigger.e2e.test.ts --runInBand
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

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

const SIGNING_KEY = 'whsec_e2e_trigger_7a1c4e9f20';
const CALLBACK_TOKEN = 'e2e-trigger-token-0f3b8d2a6c914e57';
const HEADER_NAME = 'X-Proxy-Auth';
const HEADER_SECRET = 'e2e-header-secret-9c2e71d4';
/** A second hiapi account: the simulator keeps tasks per API key and answers 404 for another key's task. */
const OTHER_ACCOUNT_KEY = 'sk-sim-other-account';

/** The example credential (Callback Token) plus one credential per setup under test. */
const CRED = {
	shipped: { id: 'hiapiSimulator01', name: 'HiAPI (simulator)' },
	signed: { id: 'hiapiE2eTrgSig01', name: 'HiAPI e2e (signing key)' },
	header: { id: 'hiapiE2eTrgHdr01', name: 'HiAPI e2e (callback header)' },
	plain: { id: 'hiapiE2eTrgPln01', name: 'HiAPI e2e (API key only)' },
	other: { id: 'hiapiE2eTrgOth01', name: 'HiAPI e2e (another account)' },
};

interface Setup {
	id: string;
	webhookId: string;
	credential: { id: string; name: string };
	/** The trigger's parameters as the user leaves them: only what the README says to set. */
	parameters: Record<string, unknown>;
}
const SETUPS: Record<string, Setup> = {
	/** Defaults: Authentication HiAPI Signature, a credential with a signing key. */
	signature: {
		id: 'hiapiE2eTrgSig01',
		webhookId: '7a2d3c4b-5e6f-4a70-8b81-000000000001',
		credential: CRED.signed,
		parameters: {},
	},
	/** callback-receive.json exactly as shipped (Secret Token, the token in the credential). */
	token: {
		id: 'hiapiExCbRecv001',
		webhookId: '6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7',
		credential: CRED.shipped,
		parameters: { authentication: 'token' },
	},
	header: {
		id: 'hiapiE2eTrgHdr01',
		webhookId: '7a2d3c4b-5e6f-4a70-8b81-000000000003',
		credential: CRED.header,
		parameters: { authentication: 'header' },
	},
	none: {
		id: 'hiapiE2eTrgNon01',
		webhookId: '7a2d3c4b-5e6f-4a70-8b81-000000000004',
		credential: CRED.plain,
		parameters: { authentication: 'none' },
	},
	/** Left at the default (HiAPI Signature) with a credential that has no signing key: must not publish. */
	noKey: {
		id: 'hiapiE2eTrgNoK01',
		webhookId: '7a2d3c4b-5e6f-4a70-8b81-000000000005',
		credential: CRED.plain,
		parameters: {},
	},
	/** Secret Token with a credential whose API key is of another hiapi account. */
	otherAccount: {
		id: 'hiapiE2eTrgOth01',
		webhookId: '7a2d3c4b-5e6f-4a70-8b81-000000000006',
		credential: CRED.other,
		parameters: { authentication: 'token' },
	},
};
const SUBMIT_WORKFLOW = 'hiapiExCbSubm001';

type Item = { json: Record<string, any>; binary?: Record<string, any> };

if (!ENABLED) {
	// eslint-disable-next-line no-console
	console.log('test/e2e/trigger.e2e.test.ts skipped: set HIAPI_E2E=1 to run it against a real n8n');
}

(ENABLED ? describe.each(VERSIONS) : describe.skip.each(VERSIONS))(
	'n8n %s: HiAPI Trigger setup end to end',
	(VERSION: string) => {
		let sim: any;
		let n8n: any;
		let owner: any;
		let workDir: string;
		let proxy: { url: string; stop(): Promise<void> };
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

		const productionUrl = (setup: Setup) => `${n8n.url}/webhook/${setup.webhookId}/hiapi`;

		/** Rows of a read-only query on n8n's sqlite database. */
		function query(sql: string, ...args: unknown[]): any[] {
			const db = n8n.db();
			try {
				return db.prepare(sql).all(...args);
			} finally {
				db.close();
			}
		}

		/**
		 * The activation error n8n keeps for a workflow, waiting for it: n8n 2.41 retries a trigger's
		 * activation 5 times (1, 2, 4, 8 s apart) and then stores the node's error with the published
		 * version (workflow_publication_trigger_status); n8n 1.x keeps it in its activation-error cache,
		 * which the editor reads through GET /rest/active-workflows/error/:id.
		 */
		async function activationError(workflowId: string): Promise<string> {
			const deadline = Date.now() + 90000;
			for (;;) {
				let message = '';
				if (e2e.n8nMajor(VERSION) >= 2) {
					const failed = query(
						"SELECT errorMessage FROM workflow_publication_trigger_status WHERE workflowId = ? AND status = 'failed'",
						workflowId,
					);
					message = failed.map((r) => String(r.errorMessage)).join('\n');
				} else {
					const r = await owner.rest('GET', `/active-workflows/error/${workflowId}`);
					message = r.json?.data ? JSON.stringify(r.json.data) : '';
				}
				if (message) return message;
				if (Date.now() > deadline)
					throw new Error(`no activation error recorded for ${workflowId}`);
				await e2e.sleep(1000);
			}
		}
		const serverLog = () => fs.readFileSync(n8n.logFile, 'utf8');

		/** Submits a task straight to the simulator with this callback URL (what GPT Image 2's Submit Only sends). */
		async function submit(callbackUrl: string, prompt = 'a lighthouse at dusk'): Promise<string> {
			const r = await e2e.request(`${sim.baseUrl}/v1/tasks`, {
				method: 'POST',
				headers: { authorization: `Bearer ${sim.apiKey}` },
				body: {
					model: 'gpt-image-2/text-to-image',
					input: { prompt },
					callback: { url: callbackUrl, when: 'final' },
				},
			});
			expect(r.status).toBe(200);
			return r.json().data.taskId;
		}

		const deliveries = (taskId: string) => sim.callbackLog.filter((c: any) => c.taskId === taskId);
		async function firstDelivery(taskId: string) {
			await sim.waitFor((s: any) => s.callbackLog.some((c: any) => c.taskId === taskId), 60000);
			return deliveries(taskId)[0];
		}

		/** Executions of a workflow whose trigger output holds `taskId`, with the decoded data. */
		function executionsFor(workflowId: string, taskId: string) {
			return n8n
				.executions({ workflowId })
				.map((row: any) => ({ row, ex: n8n.execution(row.id) }))
				.filter(({ ex }: any) =>
					(e2e.nodeOutput(ex.data, 'HiAPI Trigger') ?? []).some(
						(i: Item) => i.json.taskId === taskId,
					),
				);
		}

		/** The one execution for the task: success, the image's exact bytes, and the item past Remove Duplicates. */
		async function expectOneExecutionWithImage(setup: Setup, taskId: string) {
			await n8n.waitForExecutions(
				{ workflowId: setup.id },
				{
					predicate: () => executionsFor(setup.id, taskId).length >= 1,
					finished: false,
					timeoutMs: 60000,
				},
			);
			const [{ row }] = executionsFor(setup.id, taskId);
			const done = await n8n.waitForStatus(row.id, ['success', 'error', 'crashed']);
			expect(done.status).toBe('success');
			const ex = n8n.execution(row.id);
			const [item]: Item[] = e2e.nodeOutput(ex.data, 'HiAPI Trigger');
			expect(item.json).toMatchObject({ taskId, status: 'success' });
			expect(
				n8n.readBinary(item.binary!.data, { executionId: row.id }).equals(sim.imageBytes(taskId)),
			).toBe(true);
			expect(e2e.nodeOutput(ex.data, 'Image Received').map((i: Item) => i.json.taskId)).toEqual([
				taskId,
			]);
			expect(executionsFor(setup.id, taskId)).toHaveLength(1);
			return row;
		}

		/** callback-receive.json with another id, webhook, credential and trigger parameters. */
		function receiveWorkflow(template: any, setup: Setup, label: string) {
			const wf = JSON.parse(JSON.stringify(template));
			wf.id = setup.id;
			wf.name = `HiAPI e2e trigger: ${label}`;
			for (const node of wf.nodes) node.id = crypto.randomUUID();
			const trigger = wf.nodes.find((n: any) => n.type === 'n8n-nodes-hiapi.hiApiTrigger');
			trigger.webhookId = setup.webhookId;
			trigger.parameters = { ...setup.parameters };
			trigger.credentials = { hiApiApi: setup.credential };
			return wf;
		}

		beforeAll(
			async () => {
				try {
					await e2e.ensureN8n(VERSION);
					sim = await startSimulator({
						port: await e2e.freePort(),
						signingKey: SIGNING_KEY,
						keys: ['sk-sim-test', OTHER_ACCOUNT_KEY],
						durations: { queued: 100, handling: 400, archiving: 100 },
						callback: { retryDelaysMs: [500, 1000, 2000] },
					});
					workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-e2e-trigger-'));
					n8n = await e2e.createN8n({ version: VERSION, userFolder: path.join(workDir, 'n8n') });
					await n8n.installPackage();

					// A proxy in front of n8n, as the Header authentication expects: it adds the secret header.
					proxy = await startProxy(() => n8n.url, { [HEADER_NAME.toLowerCase()]: HEADER_SECRET });

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
					const { json: receive } = e2e.renderExample('callback-receive.json', vars, workflowsDir);
					e2e.renderExample('callback-submit.json', vars, workflowsDir);
					const credentials = JSON.parse(fs.readFileSync(cred.file, 'utf8'));
					const base = { apiKey: sim.apiKey, baseUrl: sim.baseUrl };
					credentials.push(
						{ ...CRED.signed, type: 'hiApiApi', data: { ...base, signingSecret: SIGNING_KEY } },
						{
							...CRED.header,
							type: 'hiApiApi',
							data: {
								...base,
								callbackHeaderName: HEADER_NAME,
								callbackHeaderSecret: HEADER_SECRET,
							},
						},
						{ ...CRED.plain, type: 'hiApiApi', data: base },
						{
							...CRED.other,
							type: 'hiApiApi',
							data: { ...base, apiKey: OTHER_ACCOUNT_KEY, callbackToken: CALLBACK_TOKEN },
						},
					);
					fs.writeFileSync(cred.file, JSON.stringify(credentials, null, '\t'));
					// The shipped example's trigger is exactly what the token setup expects; the others derive from it.
					expect(
						receive.nodes.find((n: any) => n.type === 'n8n-nodes-hiapi.hiApiTrigger').parameters,
					).toMatchObject(SETUPS.token.parameters);
					for (const [label, setup] of Object.entries(SETUPS)) {
						if (setup.id === SETUPS.token.id) continue;
						fs.writeFileSync(
							path.join(workflowsDir, `trigger-${label}.json`),
							JSON.stringify(receiveWorkflow(receive, setup, label), null, '\t'),
						);
					}
					await n8n.importCredentials(cred.file);
					await n8n.importWorkflows(workflowsDir);
					// Published before the start, as a user's n8n activates them when it starts ('init').
					for (const setup of Object.values(SETUPS)) await n8n.activate(setup.id);
					await n8n.start();
					owner = await n8n.setupOwner();
					// /healthz/readiness answers before published webhooks are registered: wait for each route.
					for (const setup of Object.values(SETUPS)) {
						if (setup === SETUPS.noKey) continue;
						const deadline = Date.now() + 60000;
						for (;;) {
							const probe = await e2e.request(productionUrl(setup), {
								method: 'POST',
								body: { taskId: 'probe' },
							});
							if (probe.status !== 404) break;
							if (Date.now() > deadline) throw new Error(`${setup.id}: webhook never registered`);
							await e2e.sleep(250);
						}
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
			await proxy?.stop();
			await sim?.stop();
			// eslint-disable-next-line no-console
			console.log(`[e2e] n8n ${VERSION} trigger figures: ${JSON.stringify(figures)}`);
			if (workDir) {
				if (failed || process.env.HIAPI_E2E_KEEP === '1') {
					// eslint-disable-next-line no-console
					console.log(`[e2e] kept ${workDir} (n8n log: ${n8n?.logFile})`);
				} else {
					fs.rmSync(workDir, { recursive: true, force: true });
				}
			}
		}, 60000);

		test(
			'HiAPI Signature, the default: a credential with a signing key and nothing else set → one execution with the image',
			async () => {
				await withLogs(async () => {
					const setup = SETUPS.signature;
					const taskId = await submit(productionUrl(setup));
					const delivery = await firstDelivery(taskId);
					expect(delivery.headers['X-HiAPI-Signature']).toMatch(/^[0-9a-f]{64}$/);
					expect(delivery.status).toBe(200);
					await expectOneExecutionWithImage(setup, taskId);
					// An unsigned copy of the same body: 401 and nothing else, no execution.
					const before = n8n.executions({ workflowId: setup.id }).length;
					const forged = await e2e.request(productionUrl(setup), {
						method: 'POST',
						body: delivery.body,
						headers: { 'content-type': 'application/json' },
					});
					expect(forged.status).toBe(401);
					expect(forged.json()).toEqual({ error: 'Unauthorized' });
					await e2e.sleep(1000);
					expect(n8n.executions({ workflowId: setup.id })).toHaveLength(before);
				});
			},
			3 * 60 * 1000,
		);

		test(
			'Secret Token from the credential: the shipped examples; the token never reaches an output item, a saved execution or the log',
			async () => {
				await withLogs(async () => {
					const setup = SETUPS.token;
					const r = await n8n.execute(SUBMIT_WORKFLOW);
					expect(r.run?.status).toBe('success');
					const [submitted]: Item[] = e2e.nodeOutput(r.run, 'GPT Image 2');
					const { taskId } = submitted.json;
					// hiapi got the Production URL with the credential's token added by GPT Image 2 ...
					expect(sim.tasks.get(taskId).callback.url).toBe(
						`${productionUrl(setup)}?token=${CALLBACK_TOKEN}`,
					);
					// ... the output item only the URL without its query.
					expect(submitted.json.callbackUrl).toBe(productionUrl(setup));
					expect(JSON.stringify(r.run)).not.toContain(CALLBACK_TOKEN);
					const delivery = await firstDelivery(taskId);
					expect(delivery.status).toBe(200);
					const row = await expectOneExecutionWithImage(setup, taskId);
					// The saved executions as stored (raw DB text) and everything n8n logged.
					const raw = (id: string) =>
						query('SELECT data FROM execution_data WHERE executionId = ?', String(id))[0].data;
					const [saved] = n8n.executions({ workflowId: SUBMIT_WORKFLOW }).slice(-1);
					for (const id of [saved.id, row.id]) expect(raw(id)).not.toContain(CALLBACK_TOKEN);
					expect(serverLog()).not.toContain(CALLBACK_TOKEN);
					expect(fs.readFileSync(n8n.cliLogFile, 'utf8')).not.toContain(CALLBACK_TOKEN);
					// A wrong token: 401, no detail.
					const wrong = await e2e.request(`${productionUrl(setup)}?token=nope`, {
						method: 'POST',
						body: delivery.body,
						headers: { 'content-type': 'application/json' },
					});
					expect(wrong.status).toBe(401);
					expect(wrong.json()).toEqual({ error: 'Unauthorized' });
				});
			},
			3 * 60 * 1000,
		);

		test(
			"Header: a proxy in front of n8n adds the credential's header → one execution; without the proxy → 401",
			async () => {
				await withLogs(async () => {
					const setup = SETUPS.header;
					const taskId = await submit(`${proxy.url}/webhook/${setup.webhookId}/hiapi`);
					expect((await firstDelivery(taskId)).status).toBe(200);
					await expectOneExecutionWithImage(setup, taskId);
					const direct = await submit(productionUrl(setup));
					expect((await firstDelivery(direct)).status).toBe(401);
					expect(executionsFor(setup.id, direct)).toHaveLength(0);
				});
			},
			3 * 60 * 1000,
		);

		test(
			"None: any caller starts it; the image still comes from hiapi's own answer",
			async () => {
				await withLogs(async () => {
					const setup = SETUPS.none;
					const taskId = await submit(productionUrl(setup));
					expect((await firstDelivery(taskId)).status).toBe(200);
					await expectOneExecutionWithImage(setup, taskId);
				});
			},
			3 * 60 * 1000,
		);

		test(
			'HiAPI Signature with a credential without signing key: n8n refuses to activate it, naming the missing key',
			async () => {
				await withLogs(async () => {
					const setup = SETUPS.noKey;
					const message = await activationError(setup.id);
					figures.activationErrorNoKey = message.slice(0, 200);
					expect(message).toMatch(/no Webhook Signing Key.*HiAPI Signature/);
					expect(serverLog()).toMatch(/no Webhook Signing Key/);
					// Nothing listens: a callback is not accepted and then failed.
					const r = await e2e.request(productionUrl(setup), {
						method: 'POST',
						body: { taskId: 'x' },
					});
					expect(r.status).toBe(404);
					expect(n8n.executions({ workflowId: setup.id })).toHaveLength(0);
					if (e2e.n8nMajor(VERSION) >= 2) {
						// Publishing again from the editor (REST, n8n 2.x): what n8n answers is recorded, not assumed.
						const wf = await owner.rest('GET', `/workflows/${setup.id}`);
						const publish = await owner.rest('POST', `/workflows/${setup.id}/activate`, {
							versionId: wf.json?.data?.versionId,
						});
						figures.restPublishNoKey = `${publish.status} ${JSON.stringify(publish.json ?? publish.text).slice(0, 240)}`;
						const after = await e2e.request(productionUrl(setup), {
							method: 'POST',
							body: { taskId: 'x' },
						});
						expect(after.status).toBe(404);
					}
				});
			},
			3 * 60 * 1000,
		);

		test(
			'a credential of another hiapi account: hiapi answers 404, n8n logs the task and the fix, the answer says what to fix',
			async () => {
				await withLogs(async () => {
					const setup = SETUPS.otherAccount;
					const taskId = await submit(`${productionUrl(setup)}?token=${CALLBACK_TOKEN}`);
					const delivery = await firstDelivery(taskId);
					expect(delivery.status).toBe(400);
					const answer = await e2e.request(`${productionUrl(setup)}?token=${CALLBACK_TOKEN}`, {
						method: 'POST',
						body: delivery.body,
						headers: { 'content-type': 'application/json' },
					});
					expect(answer.status).toBe(400);
					expect(answer.json()).toMatchObject({
						taskId,
						fix: expect.stringMatching(/credential.*account/),
					});
					const line = serverLog()
						.split('\n')
						.find((l) => l.includes(taskId) && /another hiapi account/.test(l));
					expect(line).toBeDefined();
					expect(n8n.executions({ workflowId: setup.id })).toHaveLength(0);
				});
			},
			3 * 60 * 1000,
		);

		test(
			'duplicate deliveries: what static data keeps, and Remove Duplicates stopping a repeat after a restart (measured)',
			async () => {
				await withLogs(async () => {
					const setup = SETUPS.signature;
					// Several tasks, delivered one after the other by the simulator.
					const ids: string[] = [];
					for (let i = 0; i < 4; i++) {
						const taskId = await submit(productionUrl(setup), `dedup ${i}`);
						expect((await firstDelivery(taskId)).status).toBe(200);
						await expectOneExecutionWithImage(setup, taskId);
						ids.push(taskId);
					}
					const handled = [...n8n.executions({ workflowId: setup.id })].length;
					const staticSeen = () => {
						const db = n8n.db();
						try {
							const row = db
								.prepare('SELECT staticData FROM workflow_entity WHERE id = ?')
								.get(setup.id);
							const data = row?.staticData ? JSON.parse(row.staticData) : {};
							const node = Object.values(data).find(
								(v: any) => v && typeof v === 'object' && 'seenTasks' in v,
							) as any;
							return Object.keys(node?.seenTasks ?? {});
						} finally {
							db.close();
						}
					};
					const kept = staticSeen();
					figures.staticDataKept = `${kept.length} of ${handled} handled tasks in workflow_entity.staticData`;

					// A repeat after a restart: the in-process record is gone, only what n8n saved remains.
					await n8n.stop();
					await n8n.start();
					const repeatId = ids[ids.length - 1];
					const body = Buffer.from(JSON.stringify(sim.task(repeatId)));
					const post = async () => {
						const ts = String(Math.floor(Date.now() / 1000));
						const signature = crypto
							.createHmac('sha256', SIGNING_KEY)
							.update(`${ts}.`)
							.update(body)
							.digest('hex');
						return await n8n.postWebhook(`${setup.webhookId}/hiapi`, body, {
							headers: {
								'content-type': 'application/json',
								'x-hiapi-timestamp': ts,
								'x-hiapi-signature': signature,
							},
						});
					};
					const repeat = await post();
					expect(repeat.status).toBe(200);
					const again = await post();
					expect(again.status).toBe(200);
					// Give a repeat that got past the trigger time to run through Remove Duplicates.
					await e2e.sleep(3000);
					const runs = executionsFor(setup.id, repeatId);
					for (const { row } of runs)
						await n8n.waitForStatus(row.id, ['success', 'error', 'crashed']);
					const reached = executionsFor(setup.id, repeatId).filter(
						({ ex }: any) => (e2e.nodeOutput(ex.data, 'Image Received') ?? []).length > 0,
					);
					figures.repeatAfterRestart =
						`trigger ${kept.includes(repeatId) ? 'remembered the task (static data)' : 'did not remember the task'}: ` +
						`${runs.length} execution(s) of the task in all; Image Received ran in ${reached.length}`;
					// What the README promises: the nodes after Remove Duplicates run once per task.
					expect(reached).toHaveLength(1);
					// And the trigger's own record is what static data held: remembered → no new execution.
					if (kept.includes(repeatId)) expect(runs).toHaveLength(1);
					// The second repeat, in the same process, never starts an execution.
					expect(runs.length).toBeLessThanOrEqual(2);
				});
			},
			5 * 60 * 1000,
		);
	},
);

/** An HTTP proxy to n8n that adds `headers` to each request, like a reverse proxy in front of n8n. */
async function startProxy(target: () => string, headers: Record<string, string>) {
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			try {
				const r = await e2e.request(`${target()}${req.url}`, {
					method: req.method,
					body: Buffer.concat(chunks),
					headers: {
						'content-type': String(req.headers['content-type'] ?? 'application/json'),
						...headers,
					},
				});
				res
					.writeHead(r.status, {
						'content-type': String(r.headers['content-type'] ?? 'application/json'),
					})
					.end(r.body);
			} catch (error) {
				res.writeHead(502).end(String(error));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
