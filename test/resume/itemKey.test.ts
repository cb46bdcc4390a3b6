import type { IDataObject } from 'n8n-workflow';

import type { Harness, RunResult } from '../harness';
import { FAST, GPT, harnessFor, startSimulator, type Simulator } from '../support/env';

const SIGNING = 'whsec_item_key';
const OLD_KEY = 'sk-before-rotation';
const NEW_KEY = 'sk-after-rotation';

/**
 * The item key in a Wait for Callback URL ties a callback to its execution and item. It must not
 * depend on the API key: a user rotating the key while a batch waits would otherwise see every
 * callback refused and the batch time out with its tasks paid for.
 */
describe('Wait for Callback: the item key outlives a rotated API key', () => {
	let sim: Simulator;
	let before: Harness;
	let after: Harness;
	const parameters: IDataObject = {
		operation: 'textToImage',
		prompt: '={{ $json.p }}',
		completion: 'resume',
		options: { timeout: 60 },
	};

	beforeAll(async () => {
		sim = await startSimulator({
			...FAST,
			keys: [OLD_KEY, NEW_KEY],
			signingKey: SIGNING,
			callback: { retryDelaysMs: [], timeoutMs: 500 },
		});
		before = harnessFor(sim, { apiKey: OLD_KEY, signingSecret: SIGNING });
		after = harnessFor(sim, { apiKey: NEW_KEY, signingSecret: SIGNING });
	});
	afterAll(async () => {
		await before.stop();
		await after.stop();
		await sim.stop();
	});
	beforeEach(() => sim.reset());

	const callbackOf = async (taskId: string) => {
		await sim.waitFor((s: Simulator) => s.callbackLog.some((c) => c.taskId === taskId), 5000);
		const entry = sim.callbackLog.find((c) => c.taskId === taskId)!;
		return {
			query: Object.fromEntries(new URL(entry.url).searchParams),
			headers: entry.headers as Record<string, string>,
			rawBody: Buffer.from(entry.body),
		};
	};
	const deliver = (h: Harness, paused: RunResult, cb: Awaited<ReturnType<typeof callbackOf>>) =>
		h.callWebhook({ type: GPT, parameters, waiting: paused, method: 'POST', ...cb });

	// One item: the simulator ties tasks to the key that created them (a new key reads none of
	// them), so a single signed callback, which needs no read, is what isolates the item key here.
	it('a batch paused under the old key resumes after the credential got a new one', async () => {
		const paused = await before.runNode({ type: GPT, parameters, input: [{ json: { p: 'one' } }] });
		expect(paused.status).toBe('waiting');
		const id = String(paused.items[0].json.taskId);
		const result = await deliver(after, paused, await callbackOf(id));
		expect(result.statusCode).toBe(200);
		const items = result.workflowData?.[0] ?? [];
		expect(items.map((i) => i.json.taskId)).toEqual([id]);
		expect((await result.binaryBuffer(items[0])).equals(sim.imageBytes(id, 0))).toBe(true);
	});

	it('still refuses a callback whose item key is wrong or belongs to another item', async () => {
		const paused = await before.runNode({
			type: GPT,
			parameters,
			input: [{ json: { p: 'one' } }, { json: { p: 'two' } }],
		});
		const ids = paused.items.map((i) => String(i.json.taskId));
		const cb = await callbackOf(ids[0]);
		const other = await callbackOf(ids[1]);
		const wrong = await deliver(after, paused, {
			...cb,
			query: { ...cb.query, k: '0'.repeat(32) },
		});
		expect(wrong.statusCode).toBe(401);
		const swapped = await deliver(after, paused, {
			...cb,
			query: { ...cb.query, k: other.query.k },
		});
		expect(swapped.statusCode).toBe(401);
		const missing = await deliver(after, paused, { ...cb, query: { item: '0' } });
		expect(missing.statusCode).toBe(401);
		// What the paused state keeps is the key's hash, never the key itself.
		const stack = paused.runExecutionData.executionData!.nodeExecutionStack[0].data.main[0]!;
		expect(JSON.stringify(paused.runExecutionData)).not.toContain(cb.query.k);
		expect(stack[0].json.error).toMatchObject({ keyHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
	});
});
