import { createHmac } from 'crypto';
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';

import { BASE_URL, type Harness, type WebhookCallResult } from '../harness';
import { FAST, GPT, TRIGGER, harnessFor, startSimulator, type Simulator } from '../support/env';
import { startReceiver, type Captured } from '../support/receiver';
import { captureLogs, runWebhookMethod } from './n8nContext';

const KEY = 'whsec_test_signing_key';
/** A second hiapi account's API key: the simulator keeps tasks per key and answers 404 for another key's task. */
const OTHER_ACCOUNT_KEY = 'sk-sim-other-account';
const TOKEN = 'tok-5d1c9e0b7a3f';
const HEADER_SECRET = 'h-secret-8e2a';

function sign(key: string, timestamp: string, body: Buffer) {
	return createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex');
}

describe('HiAPI Trigger', () => {
	let sim: Simulator;
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	let secret: Awaited<ReturnType<typeof startReceiver>>;
	let signed: Harness;
	let unsigned: Harness;
	/** Credentials holding the Secret Token, the header secret, or the API key of another account. */
	let tokened: Harness;
	let headered: Harness;
	let otherAccount: Harness;

	beforeAll(async () => {
		sim = await startSimulator({
			...FAST,
			signingKey: KEY,
			keys: ['sk-sim-test', OTHER_ACCOUNT_KEY],
		});
		receiver = await startReceiver();
		// A server the sender would love n8n to fetch from: it must never get a request.
		secret = await startReceiver();
		signed = harnessFor(sim, { signingSecret: KEY });
		unsigned = harnessFor(sim);
		tokened = harnessFor(sim, { callbackToken: TOKEN });
		headered = harnessFor(sim, {
			callbackHeaderName: 'X-Proxy-Auth',
			callbackHeaderSecret: HEADER_SECRET,
		});
		otherAccount = harnessFor(sim, {
			apiKey: OTHER_ACCOUNT_KEY,
			signingSecret: KEY,
			callbackToken: TOKEN,
		});
	});
	afterAll(async () => {
		await signed.stop();
		await unsigned.stop();
		await tokened.stop();
		await headered.stop();
		await otherAccount.stop();
		await receiver.stop();
		await secret.stop();
		await sim.stop();
	});
	beforeEach(() => {
		sim.reset();
		receiver.requests.length = 0;
		secret.requests.length = 0;
	});

	/** Submits a task with a callback to the receiver and returns the request the simulator really sent. */
	async function deliveredCallback(
		prompt = 'a cat',
		query = '',
	): Promise<{ req: Captured; taskId: string }> {
		const submit = await unsigned.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt,
				completion: 'callback',
				callbackUrl: `${receiver.url}/hook${query}`,
			},
			input: [{ json: {} }],
		});
		const taskId = String(submit.items[0].json.taskId);
		await sim.waitFor((s: Simulator) => s.counters.callbacksAcked >= 1, 5000);
		return { req: receiver.requests[receiver.requests.length - 1], taskId };
	}

	const call = (
		h: Harness,
		req: Captured,
		parameters: IDataObject = {},
		staticData?: IDataObject,
	): Promise<WebhookCallResult> =>
		h.callWebhook({
			type: TRIGGER,
			parameters,
			headers: req.headers,
			query: req.query,
			rawBody: req.rawBody,
			staticData,
		});

	describe('with a signing key', () => {
		it('turns a signed callback into one item with the exact PNG bytes, confirmed with hiapi', async () => {
			const { req, taskId } = await deliveredCallback();
			expect(req.headers['x-hiapi-signature']).toMatch(/^[0-9a-f]{64}$/);
			const result = await call(signed, req);
			expect(result.statusCode).toBe(200);
			const items = result.workflowData![0];
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({
				taskId,
				status: 'success',
				model: 'gpt-image-2/text-to-image',
			});
			expect(items[0].binary?.data.fileName).toBe(`${taskId}.png`);
			expect(items[0].binary?.data.mimeType).toBe('image/png');
			expect((await result.binaryBuffer(items[0], 'data')).equals(sim.imageBytes(taskId))).toBe(
				true,
			);
			expect(sim.counters.gets[taskId]).toBe(1);
		});

		it('reads the credential once per callback (check and confirmation share it)', async () => {
			const { req, taskId } = await deliveredCallback();
			const before = signed.credentialReads();
			const result = await call(signed, req);
			expect(result.statusCode).toBe(200);
			expect(sim.counters.gets[taskId]).toBe(1);
			expect(signed.credentialReads() - before).toBe(1);
		});

		const rejected = async (req: Captured, h = signed) => {
			const result = await call(h, req);
			expect(result.statusCode).toBe(401);
			expect(result.workflowData).toBeUndefined();
			expect(sim.counters.cdnGets).toBe(0);
			return result;
		};

		it('rejects a bad signature', async () => {
			const { req } = await deliveredCallback();
			await rejected({ ...req, headers: { ...req.headers, 'x-hiapi-signature': 'ab'.repeat(32) } });
		});
		it('rejects a signature made with another key', async () => {
			const { req } = await deliveredCallback();
			const other = harnessFor(sim, { signingSecret: 'whsec_other' });
			await rejected(req, other);
			await other.stop();
		});
		it.each([
			['stale', -301],
			['future', 301],
		])('rejects a %s timestamp even when correctly signed', async (_name, offset) => {
			const { req } = await deliveredCallback();
			// Rounded away from now, so the time the call itself takes cannot bring it back inside the window.
			const ts = String((offset > 0 ? Math.ceil : Math.floor)(Date.now() / 1000) + offset);
			await rejected({
				...req,
				headers: {
					...req.headers,
					'x-hiapi-timestamp': ts,
					'x-hiapi-signature': sign(KEY, ts, req.rawBody),
				},
			});
		});
		it('honours a configured tolerance', async () => {
			const { req } = await deliveredCallback();
			const ts = String(Math.floor(Date.now() / 1000) - 400);
			const old = {
				...req,
				headers: {
					...req.headers,
					'x-hiapi-timestamp': ts,
					'x-hiapi-signature': sign(KEY, ts, req.rawBody),
				},
			};
			expect((await call(signed, old, { options: { toleranceSeconds: 600 } })).statusCode).toBe(
				200,
			);
		});
		it('rejects a tampered body', async () => {
			const { req } = await deliveredCallback();
			const body = Buffer.from(req.rawBody.toString().replace('"success"', '"fail"   '));
			expect(body.equals(req.rawBody)).toBe(false);
			await rejected({ ...req, rawBody: body });
		});
		it.each(['x-hiapi-signature', 'x-hiapi-timestamp'])(
			'rejects a callback missing %s',
			async (header) => {
				const { req } = await deliveredCallback();
				const headers = { ...req.headers };
				delete headers[header];
				await rejected({ ...req, headers });
			},
		);
		it('never fetches the URL of a forged body', async () => {
			const { req, taskId } = await deliveredCallback();
			const forged = JSON.parse(req.rawBody.toString());
			forged.output = [{ url: `${secret.url}/secret`, type: 'image', expireAt: 9999999999 }];
			const rawBody = Buffer.from(JSON.stringify(forged));
			await rejected({ ...req, rawBody });
			// Even a body signed correctly is only trusted after hiapi confirms it: the image comes from hiapi's answer.
			const ts = String(Math.floor(Date.now() / 1000));
			const resigned = {
				...req,
				rawBody,
				headers: {
					...req.headers,
					'x-hiapi-timestamp': ts,
					'x-hiapi-signature': sign(KEY, ts, rawBody),
				},
			};
			const result = await call(signed, resigned);
			expect(result.workflowData![0][0].json.url).not.toContain(secret.url);
			expect(
				(await result.binaryBuffer(result.workflowData![0][0], 'data')).equals(
					sim.imageBytes(taskId),
				),
			).toBe(true);
			expect(secret.requests).toHaveLength(0);
		});
	});

	describe('Authentication', () => {
		it('left at its default (HiAPI Signature), accepts a signed callback with no other parameter set', async () => {
			const { req, taskId } = await deliveredCallback();
			const result = await call(signed, req, {});
			expect(result.statusCode).toBe(200);
			expect(result.workflowData![0][0].json.taskId).toBe(taskId);
		});

		it('Secret Token: the token from the credential, in the URL; a missing or wrong one gets 401 and no detail', async () => {
			const { req } = await deliveredCallback('a cat', `?token=${TOKEN}`);
			const mode = { authentication: 'token' };
			expect((await call(tokened, req, mode)).statusCode).toBe(200);
			for (const query of [{}, { token: `${TOKEN}x` }, { token: '' }] as Array<
				Record<string, string>
			>) {
				const refused = await call(tokened, { ...req, query }, mode);
				expect(refused.statusCode).toBe(401);
				expect(refused.responseBody).toEqual({ error: 'Unauthorized' });
				expect(refused.workflowData).toBeUndefined();
			}
		});

		it('Secret Token ignores a signature: a signed callback without the token is refused', async () => {
			const both = harnessFor(sim, { signingSecret: KEY, callbackToken: TOKEN });
			const { req } = await deliveredCallback();
			expect(req.headers['x-hiapi-signature']).toBeDefined();
			expect((await call(both, req, { authentication: 'token' })).statusCode).toBe(401);
			await both.stop();
		});

		it('Header: the credential names the header and holds its secret', async () => {
			const { req } = await deliveredCallback();
			const mode = { authentication: 'header' };
			expect((await call(headered, req, mode)).statusCode).toBe(401);
			const wrong = await call(
				headered,
				{ ...req, headers: { ...req.headers, 'x-proxy-auth': 'nope' } },
				mode,
			);
			expect(wrong.statusCode).toBe(401);
			expect(wrong.responseBody).toEqual({ error: 'Unauthorized' });
			expect(
				(
					await call(
						headered,
						{ ...req, headers: { ...req.headers, 'x-proxy-auth': HEADER_SECRET } },
						mode,
					)
				).statusCode,
			).toBe(200);
		});

		it('Header: an empty header name in the credential means X-HiAPI-Token', async () => {
			const h = harnessFor(sim, { callbackHeaderName: '', callbackHeaderSecret: HEADER_SECRET });
			const { req } = await deliveredCallback();
			const result = await call(
				h,
				{ ...req, headers: { ...req.headers, 'x-hiapi-token': HEADER_SECRET } },
				{ authentication: 'header' },
			);
			expect(result.statusCode).toBe(200);
			await h.stop();
		});

		it.each([
			['signature', {}, 'Webhook Signing Key'],
			['token', { callbackHeaderSecret: HEADER_SECRET }, 'Callback Token'],
			['header', { callbackToken: TOKEN }, 'Callback Header Secret'],
		])(
			'%s mode with that secret missing from the credential: refused (never accepted), a generic 5xx, the log names the field',
			async (authentication, credential, field) => {
				const h = harnessFor(sim, credential);
				const { req } = await deliveredCallback('a cat', `?token=${TOKEN}`);
				const logs = captureLogs();
				let result: WebhookCallResult;
				try {
					result = await call(
						h,
						{ ...req, headers: { ...req.headers, 'x-hiapi-token': HEADER_SECRET } },
						{ authentication },
					);
				} finally {
					logs.restore();
					await h.stop();
				}
				// hiapi delivers a non-2xx again: fixing the credential later loses no callback.
				expect(result.statusCode).toBeGreaterThanOrEqual(500);
				expect(result.workflowData).toBeUndefined();
				expect(JSON.stringify(result.responseBody)).not.toMatch(
					/credential|Signing|Token|Header|secret/i,
				);
				expect(logs.lines.some((l) => l.level === 'error' && l.message.includes(field))).toBe(true);
				expect(sim.counters.gets[JSON.parse(req.rawBody.toString()).taskId] ?? 0).toBe(0);
			},
		);

		it('None: accepts any caller (the existing None tests cover what it then trusts)', async () => {
			const { req } = await deliveredCallback();
			expect(
				(await call(unsigned, { ...req, headers: {} }, { authentication: 'none' })).statusCode,
			).toBe(200);
		});

		it('with no authentication and no confirmation, emits the URL but never fetches it', async () => {
			const { req } = await deliveredCallback();
			const forged = JSON.parse(req.rawBody.toString());
			forged.output = [{ url: `${secret.url}/secret`, type: 'image', expireAt: 9999999999 }];
			const result = await call(
				unsigned,
				{ ...req, rawBody: Buffer.from(JSON.stringify(forged)) },
				{ authentication: 'none', confirm: false },
			);
			const item = result.workflowData![0][0];
			expect(item.binary).toBeUndefined();
			expect(item.json.downloadSkipped).toMatch(/not authenticated/);
			expect(secret.requests).toHaveLength(0);
		});
		it("with no authentication but confirmation on, takes the image from hiapi's answer", async () => {
			const { req, taskId } = await deliveredCallback();
			const forged = JSON.parse(req.rawBody.toString());
			forged.output = [{ url: `${secret.url}/secret`, type: 'image', expireAt: 9999999999 }];
			const result = await call(
				unsigned,
				{ ...req, rawBody: Buffer.from(JSON.stringify(forged)) },
				{ authentication: 'none' },
			);
			expect(
				(await result.binaryBuffer(result.workflowData![0][0], 'data')).equals(
					sim.imageBytes(taskId),
				),
			).toBe(true);
			expect(secret.requests).toHaveLength(0);
		});
	});

	describe("publishing (webhookMethods.default, in n8n-core's HookContext)", () => {
		const credential = (extra: IDataObject = {}) => ({
			apiKey: sim.apiKey,
			baseUrl: sim.baseUrl,
			...extra,
		});

		it('checkExists answers false (so n8n runs create) and delete answers true', async () => {
			expect(await runWebhookMethod('checkExists', {}, credential())).toBe(false);
			expect(await runWebhookMethod('delete', {}, credential())).toBe(true);
		});

		it.each([
			['signature', {}, { signingSecret: KEY }],
			['token', { authentication: 'token' }, { callbackToken: TOKEN }],
			['header', { authentication: 'header' }, { callbackHeaderSecret: HEADER_SECRET }],
			['none', { authentication: 'none' }, {}],
		])(
			'%s with what it needs: create checks the credential with one authenticated call and succeeds',
			async (_mode, parameters, extra) => {
				const before = sim.counters.lists;
				expect(await runWebhookMethod('create', parameters, credential(extra))).toBe(true);
				expect(sim.counters.lists - before).toBe(1);
			},
		);

		it.each([
			[
				'signature (the default)',
				{},
				{ callbackToken: TOKEN },
				'Webhook Signing Key',
				'HiAPI Signature',
			],
			[
				'token',
				{ authentication: 'token' },
				{ signingSecret: KEY },
				'Callback Token',
				'Secret Token',
			],
			[
				'header',
				{ authentication: 'header' },
				{ callbackToken: TOKEN },
				'Callback Header Secret',
				'Header',
			],
		])(
			'%s without its secret: create throws a NodeOperationError naming the missing field, before calling hiapi',
			async (_mode, parameters, extra, field, label) => {
				const before = sim.counters.lists;
				const refused = runWebhookMethod('create', parameters, credential(extra));
				await expect(refused).rejects.toThrow(NodeOperationError);
				await expect(refused).rejects.toThrow(new RegExp(`no ${field}.*'${label}'`));
				expect(sim.counters.lists).toBe(before);
			},
		);

		it("a wrong API key: create fails with hiapi's refusal", async () => {
			const refused = runWebhookMethod(
				'create',
				{},
				credential({ apiKey: 'sk-wrong', signingSecret: KEY }),
			);
			await expect(refused).rejects.toThrow(NodeApiError);
			await expect(refused).rejects.toMatchObject({ httpCode: '401' });
		});
	});

	describe('a credential of another hiapi account', () => {
		it.each([
			['signature', {}, ''],
			['token', { authentication: 'token' }, `?token=${TOKEN}`],
		])(
			'%s: hiapi answers 404 → n8n logs the task and the fix; the answer says what to fix',
			async (_mode, parameters, query) => {
				const { req, taskId } = await deliveredCallback('a cat', query);
				const logs = captureLogs();
				let result: WebhookCallResult;
				try {
					result = await call(otherAccount, req, parameters);
				} finally {
					logs.restore();
				}
				expect(result.statusCode).toBe(400);
				expect(result.workflowData).toBeUndefined();
				expect(result.responseBody).toMatchObject({
					taskId,
					fix: expect.stringMatching(/credential.*account/),
				});
				const line = logs.lines.find((l) => l.message.includes(taskId));
				expect(line?.level).toMatch(/warn|error/);
				expect(line?.message).toMatch(/another hiapi account/);
				// The task was really asked for with the other key (that is what 404'd).
				expect(sim.counters.gets[taskId]).toBe(1);
			},
		);

		it('without authentication the 404 answer carries no detail', async () => {
			const none = harnessFor(sim, { apiKey: OTHER_ACCOUNT_KEY });
			const { req } = await deliveredCallback();
			const result = await call(none, req, { authentication: 'none' });
			await none.stop();
			expect(result.statusCode).toBe(400);
			expect(result.responseBody).toEqual({ error: 'unknown task' });
		});
	});

	describe('answers to callers', () => {
		it("a failure on this side (hiapi unreachable) is a generic 5xx; the detail goes to n8n's log", async () => {
			const { req, taskId } = await deliveredCallback();
			sim.inject({
				route: 'get',
				type: 'status',
				status: 500,
				count: Infinity,
				body: { error_code: 'internal', message: 'db shard 7 exploded at 10.0.0.12' },
			});
			const logs = captureLogs();
			let result: WebhookCallResult;
			try {
				result = await call(signed, req);
			} finally {
				logs.restore();
			}
			expect(result.statusCode).toBeGreaterThanOrEqual(500);
			expect(result.workflowData).toBeUndefined();
			expect(JSON.stringify(result.responseBody)).not.toMatch(/shard|10\.0\.0|hiapi|500|internal/i);
			expect(logs.lines.some((l) => l.message.includes(taskId))).toBe(true);
		});

		it('a refused sender gets exactly {error: "Unauthorized"}', async () => {
			const { req } = await deliveredCallback();
			const result = await call(signed, {
				...req,
				headers: { ...req.headers, 'x-hiapi-signature': 'ab'.repeat(32) },
			});
			expect(result.statusCode).toBe(401);
			expect(result.responseBody).toEqual({ error: 'Unauthorized' });
		});
	});

	describe('Submit Only output', () => {
		/** The callback URL GPT Image 2 sent hiapi for a task, as the simulator stored it. */
		const sentCallbackUrl = (taskId: unknown): string => {
			const url = sim.tasks.get(String(taskId))?.callback?.url;
			if (!url) throw new Error(`task ${String(taskId)} was submitted without a callback`);
			return url;
		};
		it("GPT Image 2 adds the credential's token to this n8n's webhook URL it sends hiapi, and the output item holds no token", async () => {
			const both = harnessFor(sim, { callbackToken: TOKEN });
			// This n8n's own webhook origin (the harness's): the only place the token may go.
			const own = `${BASE_URL}/webhook/abc/hiapi`;
			const submit = await both.runNode({
				type: GPT,
				parameters: {
					operation: 'textToImage',
					prompt: 'a cat',
					completion: 'callback',
					callbackUrl: own,
				},
				input: [{ json: {} }],
			});
			await both.stop();
			expect(submit.status).toBe('success');
			const item = submit.items[0];
			const sent = new URL(sentCallbackUrl(item.json.taskId));
			expect(sent.searchParams.get('token')).toBe(TOKEN);
			expect(`${sent.origin}${sent.pathname}`).toBe(own);
			expect(JSON.stringify(submit.items)).not.toContain(TOKEN);
			expect(JSON.stringify(submit.runExecutionData)).not.toContain(TOKEN);
			expect(item.json.callbackUrl).toBe(own);
		});

		it('a token the user put in the URL reaches hiapi but not the output item', async () => {
			const submit = await unsigned.runNode({
				type: GPT,
				parameters: {
					operation: 'textToImage',
					prompt: 'a cat',
					completion: 'callback',
					callbackUrl: `${receiver.url}/hook?token=${TOKEN}`,
				},
				input: [{ json: {} }],
			});
			const item = submit.items[0];
			expect(new URL(sentCallbackUrl(item.json.taskId)).searchParams.get('token')).toBe(TOKEN);
			expect(JSON.stringify(submit.items)).not.toContain(TOKEN);
		});

		it("the credential's token does not replace one already in the URL", async () => {
			const both = harnessFor(sim, { callbackToken: TOKEN });
			const submit = await both.runNode({
				type: GPT,
				parameters: {
					operation: 'textToImage',
					prompt: 'a cat',
					completion: 'callback',
					callbackUrl: `${receiver.url}/hook?token=mine`,
				},
				input: [{ json: {} }],
			});
			await both.stop();
			const sent = new URL(sentCallbackUrl(submit.items[0].json.taskId));
			expect(sent.searchParams.getAll('token')).toEqual(['mine']);
		});
	});

	describe('delivery', () => {
		it('a duplicate delivery yields no second execution (static data carried between calls)', async () => {
			const { req } = await deliveredCallback();
			const staticData: IDataObject = {};
			const first = await call(signed, req, {}, staticData);
			expect(first.workflowData).toBeDefined();
			const second = await call(signed, req, {}, first.staticData);
			expect(second.statusCode).toBe(200);
			expect(second.responseBody).toEqual({ received: true, duplicate: true });
			expect(second.workflowData).toBeUndefined();
		});
		it('concurrent copies of one delivery yield one execution; the others get a retryable answer', async () => {
			const { req } = await deliveredCallback();
			const results = await Promise.all([1, 2, 3].map(() => call(signed, req, {}, {})));
			expect(results.filter((r) => r.workflowData)).toHaveLength(1);
			expect(results.filter((r) => r.statusCode === 409)).toHaveLength(2);
		});
		it('a failed task emits an item with error.code and error.message', async () => {
			const { req, taskId } = await deliveredCallback('FAILME please');
			const result = await call(signed, req);
			const item = result.workflowData![0][0];
			expect(item.json).toMatchObject({
				taskId,
				status: 'fail',
				error: { code: 'TASK_FAILED', message: 'upstream rejected the prompt' },
			});
			expect(item.binary).toBeUndefined();
		});
		it('events filter: failures are ignored when only successes are wanted', async () => {
			const { req } = await deliveredCallback('FAILME please');
			const result = await call(signed, req, { events: 'success' });
			expect(result.statusCode).toBe(200);
			expect(result.workflowData).toBeUndefined();
		});
		it('with Download off, emits the URL only', async () => {
			const { req, taskId } = await deliveredCallback();
			const result = await call(signed, req, { download: false });
			expect(result.workflowData![0][0].binary).toBeUndefined();
			expect(result.workflowData![0][0].json.url).toBe(sim.task(taskId).output[0].url);
			expect(sim.counters.cdnGets).toBe(0);
		});
		it.each([
			['an oversize body', Buffer.alloc(1024 * 1024 + 1, 0x20)],
			['a non-JSON body', Buffer.from('taskId=tk-1')],
			['a body without taskId', Buffer.from('{"status":"success"}')],
		])('%s gets 400 and no execution', async (_name, rawBody) => {
			const ts = String(Math.floor(Date.now() / 1000));
			// text/plain: n8n's own JSON parser would refuse a broken JSON body before the node saw it.
			const result = await call(signed, {
				headers: {
					'x-hiapi-timestamp': ts,
					'x-hiapi-signature': sign(KEY, ts, rawBody),
					'content-type': 'text/plain',
				},
				query: {},
				rawBody,
			});
			expect(result.statusCode).toBe(400);
			expect(result.workflowData).toBeUndefined();
		});
		it('a taskId hiapi does not know is refused without an execution', async () => {
			const rawBody = Buffer.from('{"taskId":"tk-forged","status":"success","output":[]}');
			const ts = String(Math.floor(Date.now() / 1000));
			const result = await call(signed, {
				headers: { 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sign(KEY, ts, rawBody) },
				query: {},
				rawBody,
			});
			expect(result.statusCode).toBe(400);
			expect(result.workflowData).toBeUndefined();
		});
	});

	it("the whole loop: GPT Image 2 (callback) → simulator → HTTP → trigger → item with the simulator's PNG", async () => {
		const executions: WebhookCallResult[] = [];
		let staticData: IDataObject = {};
		const n8n = await startReceiver(async (req) => {
			const result = await call(signed, req, {}, staticData);
			staticData = result.staticData;
			if (result.workflowData) executions.push(result);
			return { status: result.statusCode, body: result.responseBody };
		});
		await sim.stop();
		sim = await startSimulator({
			...FAST,
			port: sim.port,
			signingKey: KEY,
			callback: { duplicates: 2 },
		});
		const submit = await unsigned.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: '={{ $json.p }}',
				completion: 'callback',
				callbackUrl: `${n8n.url}/webhook/x/hiapi`,
			},
			input: [{ json: { p: 'one' } }, { json: { p: 'two' } }],
		});
		const ids = submit.items.map((i) => String(i.json.taskId));
		await sim.waitFor((s: Simulator) => s.counters.callbacksAcked >= 6, 8000);
		await n8n.stop();
		expect(executions).toHaveLength(2);
		for (const execution of executions) {
			const item = execution.workflowData![0][0];
			expect(ids).toContain(item.json.taskId);
			expect(
				(await execution.binaryBuffer(item, 'data')).equals(
					sim.imageBytes(String(item.json.taskId)),
				),
			).toBe(true);
		}
	});
});
