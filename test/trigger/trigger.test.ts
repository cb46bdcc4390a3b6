import { createHmac } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { Harness, WebhookCallResult } from '../harness';
import { FAST, GPT, TRIGGER, harnessFor, startSimulator, type Simulator } from '../support/env';
import { startReceiver, type Captured } from '../support/receiver';

const KEY = 'whsec_test_signing_key';

function sign(key: string, timestamp: string, body: Buffer) {
	return createHmac('sha256', key).update(`${timestamp}.`).update(body).digest('hex');
}

describe('HiAPI Trigger', () => {
	let sim: Simulator;
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	let secret: Awaited<ReturnType<typeof startReceiver>>;
	let signed: Harness;
	let unsigned: Harness;

	beforeAll(async () => {
		sim = await startSimulator({ ...FAST, signingKey: KEY });
		receiver = await startReceiver();
		// A server the sender would love n8n to fetch from: it must never get a request.
		secret = await startReceiver();
		signed = harnessFor(sim, { signingSecret: KEY });
		unsigned = harnessFor(sim);
	});
	afterAll(async () => {
		await signed.stop();
		await unsigned.stop();
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
	async function deliveredCallback(prompt = 'a cat', query = ''): Promise<{ req: Captured; taskId: string }> {
		const submit = await unsigned.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt, completion: 'callback', callbackUrl: `${receiver.url}/hook${query}` },
			input: [{ json: {} }],
		});
		const taskId = String(submit.items[0].json.taskId);
		await sim.waitFor((s: Simulator) => s.counters.callbacksAcked >= 1, 5000);
		return { req: receiver.requests[receiver.requests.length - 1], taskId };
	}

	const call = (h: Harness, req: Captured, parameters: IDataObject = {}, staticData?: IDataObject): Promise<WebhookCallResult> =>
		h.callWebhook({ type: TRIGGER, parameters: { authentication: 'token', token: 'tok', ...parameters }, headers: req.headers, query: req.query, rawBody: req.rawBody, staticData });

	describe('with a signing key', () => {
		it('turns a signed callback into one item with the exact PNG bytes, confirmed with hiapi', async () => {
			const { req, taskId } = await deliveredCallback();
			expect(req.headers['x-hiapi-signature']).toMatch(/^[0-9a-f]{64}$/);
			const result = await call(signed, req);
			expect(result.statusCode).toBe(200);
			const items = result.workflowData![0];
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({ taskId, status: 'success', model: 'gpt-image-2/text-to-image' });
			expect(items[0].binary?.data.fileName).toBe(`${taskId}.png`);
			expect(items[0].binary?.data.mimeType).toBe('image/png');
			expect((await result.binaryBuffer(items[0], 'data')).equals(sim.imageBytes(taskId))).toBe(true);
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
			await rejected({ ...req, headers: { ...req.headers, 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sign(KEY, ts, req.rawBody) } });
		});
		it('honours a configured tolerance', async () => {
			const { req } = await deliveredCallback();
			const ts = String(Math.floor(Date.now() / 1000) - 400);
			const old = { ...req, headers: { ...req.headers, 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sign(KEY, ts, req.rawBody) } };
			expect((await call(signed, old, { options: { toleranceSeconds: 600 } })).statusCode).toBe(200);
		});
		it('rejects a tampered body', async () => {
			const { req } = await deliveredCallback();
			const body = Buffer.from(req.rawBody.toString().replace('"success"', '"fail"   '));
			expect(body.equals(req.rawBody)).toBe(false);
			await rejected({ ...req, rawBody: body });
		});
		it.each(['x-hiapi-signature', 'x-hiapi-timestamp'])('rejects a callback missing %s', async (header) => {
			const { req } = await deliveredCallback();
			const headers = { ...req.headers };
			delete headers[header];
			await rejected({ ...req, headers });
		});
		it('never fetches the URL of a forged body', async () => {
			const { req, taskId } = await deliveredCallback();
			const forged = JSON.parse(req.rawBody.toString());
			forged.output = [{ url: `${secret.url}/secret`, type: 'image', expireAt: 9999999999 }];
			const rawBody = Buffer.from(JSON.stringify(forged));
			await rejected({ ...req, rawBody });
			// Even a body signed correctly is only trusted after hiapi confirms it: the image comes from hiapi's answer.
			const ts = String(Math.floor(Date.now() / 1000));
			const resigned = { ...req, rawBody, headers: { ...req.headers, 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sign(KEY, ts, rawBody) } };
			const result = await call(signed, resigned);
			expect(result.workflowData![0][0].json.url).not.toContain(secret.url);
			expect((await result.binaryBuffer(result.workflowData![0][0], 'data')).equals(sim.imageBytes(taskId))).toBe(true);
			expect(secret.requests).toHaveLength(0);
		});
	});

	describe('without a signing key', () => {
		it('accepts the right token from the URL, rejects a missing or wrong one', async () => {
			const { req } = await deliveredCallback('a cat', '?token=tok');
			expect((await call(unsigned, req)).statusCode).toBe(200);
			expect((await call(unsigned, { ...req, query: {} })).statusCode).toBe(401);
			const wrong = await call(unsigned, { ...req, query: { token: 'tok2' } });
			expect(wrong.statusCode).toBe(401);
			expect(wrong.workflowData).toBeUndefined();
			expect(JSON.stringify(wrong.responseBody)).not.toContain('tok');
		});
		it('checks a header when set to', async () => {
			const { req } = await deliveredCallback();
			const params = { authentication: 'header', headerName: 'X-Proxy-Auth', headerValue: 'h-secret' };
			expect((await call(unsigned, req, params)).statusCode).toBe(401);
			expect((await call(unsigned, { ...req, headers: { ...req.headers, 'x-proxy-auth': 'h-secret' } }, params)).statusCode).toBe(200);
		});
		it('with no authentication and no confirmation, emits the URL but never fetches it', async () => {
			const { req } = await deliveredCallback();
			const forged = JSON.parse(req.rawBody.toString());
			forged.output = [{ url: `${secret.url}/secret`, type: 'image', expireAt: 9999999999 }];
			const result = await call(unsigned, { ...req, rawBody: Buffer.from(JSON.stringify(forged)) }, { authentication: 'none', confirm: false });
			const item = result.workflowData![0][0];
			expect(item.binary).toBeUndefined();
			expect(item.json.downloadSkipped).toMatch(/not authenticated/);
			expect(secret.requests).toHaveLength(0);
		});
		it('with no authentication but confirmation on, takes the image from hiapi\'s answer', async () => {
			const { req, taskId } = await deliveredCallback();
			const forged = JSON.parse(req.rawBody.toString());
			forged.output = [{ url: `${secret.url}/secret`, type: 'image', expireAt: 9999999999 }];
			const result = await call(unsigned, { ...req, rawBody: Buffer.from(JSON.stringify(forged)) }, { authentication: 'none' });
			expect((await result.binaryBuffer(result.workflowData![0][0], 'data')).equals(sim.imageBytes(taskId))).toBe(true);
			expect(secret.requests).toHaveLength(0);
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
			expect(item.json).toMatchObject({ taskId, status: 'fail', error: { code: 'TASK_FAILED', message: 'upstream rejected the prompt' } });
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
			const result = await call(signed, { headers: { 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sign(KEY, ts, rawBody), 'content-type': 'text/plain' }, query: {}, rawBody });
			expect(result.statusCode).toBe(400);
			expect(result.workflowData).toBeUndefined();
		});
		it('a taskId hiapi does not know is refused without an execution', async () => {
			const rawBody = Buffer.from('{"taskId":"tk-forged","status":"success","output":[]}');
			const ts = String(Math.floor(Date.now() / 1000));
			const result = await call(signed, { headers: { 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sign(KEY, ts, rawBody) }, query: {}, rawBody });
			expect(result.statusCode).toBe(400);
			expect(result.workflowData).toBeUndefined();
		});
	});

	it('the whole loop: GPT Image 2 (callback) → simulator → HTTP → trigger → item with the simulator\'s PNG', async () => {
		const executions: WebhookCallResult[] = [];
		let staticData: IDataObject = {};
		const n8n = await startReceiver(async (req) => {
			const result = await call(signed, req, {}, staticData);
			staticData = result.staticData;
			if (result.workflowData) executions.push(result);
			return { status: result.statusCode, body: result.responseBody };
		});
		await sim.stop();
		sim = await startSimulator({ ...FAST, port: sim.port, signingKey: KEY, callback: { duplicates: 2 } });
		const submit = await unsigned.runNode({
			type: GPT,
			parameters: { operation: 'textToImage', prompt: '={{ $json.p }}', completion: 'callback', callbackUrl: `${n8n.url}/webhook/x/hiapi` },
			input: [{ json: { p: 'one' } }, { json: { p: 'two' } }],
		});
		const ids = submit.items.map((i) => String(i.json.taskId));
		await sim.waitFor((s: Simulator) => s.counters.callbacksAcked >= 6, 8000);
		await n8n.stop();
		expect(executions).toHaveLength(2);
		for (const execution of executions) {
			const item = execution.workflowData![0][0];
			expect(ids).toContain(item.json.taskId);
			expect((await execution.binaryBuffer(item, 'data')).equals(sim.imageBytes(String(item.json.taskId)))).toBe(true);
		}
	});
});
