/**
 * The HiAPI Trigger under issue 23: a replay window that is not a number lets nothing in, and a
 * finished task whose file cannot be kept (expired link, over Max Output Size) starts the workflow
 * with an error item naming it, instead of an endless retry loop only n8n's log knows about.
 */
import { createHmac } from 'crypto';
import { NodeOperationError } from 'n8n-workflow';

import type { WebhookCallResult } from '../harness';
import { FAST, GPT, TRIGGER, harnessFor, startSimulator, type Simulator } from '../support/env';
import { startReceiver, type Captured } from '../support/receiver';
import { runWebhookMethod } from './n8nContext';

const KEY = 'whsec_safety_signing_key';
const sign = (timestamp: string, body: Buffer) =>
	createHmac('sha256', KEY).update(`${timestamp}.`).update(body).digest('hex');

describe('HiAPI Trigger: checks that cannot be switched off, tasks that cannot disappear', () => {
	let sim: Simulator;
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	let signed: ReturnType<typeof harnessFor>;

	beforeAll(async () => {
		// 3 MB of padding in each PNG: a file bigger than a 1 MB Max Output Size, served with its Content-Length.
		sim = await startSimulator({ ...FAST, signingKey: KEY, outputPadBytes: 3 * 1024 * 1024 });
		receiver = await startReceiver();
		signed = harnessFor(sim, { signingSecret: KEY });
	});
	afterAll(async () => {
		await signed.stop();
		await receiver.stop();
		await sim.stop();
	});
	beforeEach(() => {
		sim.reset();
		receiver.requests.length = 0;
	});

	async function delivered(): Promise<{ req: Captured; taskId: string }> {
		const submit = await signed.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: 'a lighthouse',
				completion: 'callback',
				callbackUrl: `${receiver.url}/hook`,
			},
			input: [{ json: {} }],
		});
		const taskId = String(submit.items[0].json.taskId);
		await sim.waitFor((s: Simulator) => s.counters.callbacksAcked >= 1, 5000);
		return { req: receiver.requests[receiver.requests.length - 1], taskId };
	}

	const call = (req: Captured, parameters = {}): Promise<WebhookCallResult> =>
		signed.callWebhook({
			type: TRIGGER,
			parameters,
			headers: req.headers,
			query: req.query,
			rawBody: req.rawBody,
		});

	describe('Signature Tolerance', () => {
		const NAN = { options: { toleranceSeconds: '={{ Number("five minutes") }}' } };

		it('that evaluates to NaN does not let a callback signed in 2001 through: refused, nothing starts', async () => {
			const { req } = await delivered();
			const old = '1000000000';
			const replay = {
				...req,
				headers: {
					...req.headers,
					'x-hiapi-timestamp': old,
					'x-hiapi-signature': sign(old, req.rawBody),
				},
			};
			const result = await call(replay, NAN);
			expect(result.statusCode).toBe(500);
			expect(result.workflowData).toBeUndefined();
			// With a usable window the same replay is a plain 401.
			expect((await call(replay)).statusCode).toBe(401);
		});

		it('that evaluates to NaN refuses even a fresh, correctly signed callback (5xx: hiapi delivers again once fixed)', async () => {
			const { req } = await delivered();
			const result = await call(req, NAN);
			expect(result.statusCode).toBe(500);
			expect(result.workflowData).toBeUndefined();
		});

		it('that evaluates to NaN: publishing is refused, naming the option', async () => {
			const refused = runWebhookMethod('create', NAN, {
				apiKey: sim.apiKey,
				baseUrl: sim.baseUrl,
				signingSecret: KEY,
			});
			await expect(refused).rejects.toThrow(NodeOperationError);
			await expect(refused).rejects.toThrow(
				/^Signature Tolerance \(Seconds\): NaN is not a number$/,
			);
		});
	});

	describe('a finished task whose file cannot be kept', () => {
		it.each([410, 404, 403])(
			'an expired link (HTTP %s) starts the workflow with an error item naming the task, its status and why; hiapi gets 2xx',
			async (status) => {
				const { req, taskId } = await delivered();
				sim.inject({ route: 'cdn', type: 'status', status, count: Infinity });
				const result = await call(req);
				expect(result.statusCode).toBe(200);
				const items = result.workflowData![0];
				expect(items).toHaveLength(1);
				expect(items[0].binary).toBeUndefined();
				expect(items[0].json).toMatchObject({ taskId, status: 'success' });
				expect(items[0].json.error).toMatchObject({
					code: 'OUTPUT_NOT_DOWNLOADED',
					message: `The output link of the task has expired or is gone (HTTP ${status}) (task ID: ${taskId})`,
				});
				// A redelivery of the same callback is a duplicate: one execution per task.
				const again = await call(req);
				expect(again.workflowData).toBeUndefined();
			},
		);

		it('a file over Max Output Size: the error item names the task and both sizes, nothing is kept', async () => {
			const { req, taskId } = await delivered();
			const result = await call(req, { options: { maxOutputMb: 1 } });
			expect(result.statusCode).toBe(200);
			const [item] = result.workflowData![0];
			expect(item.binary).toBeUndefined();
			expect((item.json.error as { message: string }).message).toMatch(
				new RegExp(
					`^The task output is 3\\.\\d MB, over the 1 MB Max Output Size, so it was not kept \\(task ID: ${taskId}\\)$`,
				),
			);
		});

		it('the default Max Output Size (2 GiB) keeps the same file', async () => {
			const { req } = await delivered();
			const result = await call(req);
			const [item] = result.workflowData![0];
			expect(item.json.error).toBeUndefined();
			expect(item.binary?.data.mimeType).toBe('image/png');
		});

		it('a transient failure (the file host answers 503 every time) still asks hiapi to deliver again', async () => {
			const { req } = await delivered();
			sim.inject({ route: 'cdn', type: 'status', status: 503, count: Infinity });
			const result = await call(req);
			expect(result.statusCode).toBe(502);
			expect(result.workflowData).toBeUndefined();
			sim.clearFaults();
			// The redelivery, once the host is back, starts the workflow with the file.
			const later = await call(req);
			expect(later.statusCode).toBe(200);
			expect(later.workflowData![0][0].binary?.data).toBeDefined();
		});
	});
});
