import { createHmac } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { HiApiApi } from '../../credentials/HiApiApi.credentials';
import { createHarness, type Harness, type RunResult } from '../harness';
import { FAST, GPT, harnessFor, startSimulator, type Simulator } from '../support/env';

const KEY = 'whsec_resume_key';

describe('GPT Image 2: Wait for Callback (No Polling)', () => {
	let sim: Simulator;
	let h: Harness;

	// Callbacks go to the harness's resume URL, where nothing listens: each attempt is kept in the
	// simulator's callback log with the exact URL, headers and body, and replayed into webhook() here.
	const simOptions = { ...FAST, signingKey: KEY, callback: { retryDelaysMs: [], timeoutMs: 500 } };

	beforeAll(async () => {
		sim = await startSimulator(simOptions);
		h = harnessFor(sim, { signingSecret: KEY });
	});
	afterAll(async () => {
		await h.stop();
		await sim.stop();
	});
	beforeEach(() => sim.reset());

	// The webhook runs with the paused node's parameters, as in n8n.
	let parameters: IDataObject = {};
	const pause = (prompts: string[], options: IDataObject = {}, extra = {}) => {
		parameters = {
			operation: 'textToImage',
			prompt: '={{ $json.p }}',
			completion: 'resume',
			options: { timeout: 60, ...options },
		};
		return h.runNode({
			type: GPT,
			parameters,
			input: prompts.map((p) => ({ json: { p } })),
			...extra,
		});
	};

	const callbackFor = async (taskId: string) => {
		await sim.waitFor((s: Simulator) => s.callbackLog.some((c) => c.taskId === taskId), 5000);
		const entry = sim.callbackLog.find((c) => c.taskId === taskId)!;
		const url = new URL(entry.url);
		return {
			query: Object.fromEntries(url.searchParams),
			headers: entry.headers as Record<string, string>,
			rawBody: Buffer.from(entry.body),
		};
	};

	const deliver = (paused: RunResult, cb: Awaited<ReturnType<typeof callbackFor>>, h2 = h) =>
		h2.callWebhook({ type: GPT, parameters, waiting: paused, method: 'POST', ...cb });

	it('pauses with one pending state item per input, naming its task, before any status read', async () => {
		const paused = await pause(['one', 'two']);
		expect(paused.status).toBe('waiting');
		expect(paused.waitTill!.getTime()).toBeGreaterThan(Date.now() + 50_000);
		expect(paused.items).toHaveLength(2);
		// Items are submitted concurrently, so each task is matched to its item by prompt, not creation order.
		const ids = ['one', 'two'].map(
			(p) => [...sim.tasks.values()].find((task) => task.input.prompt === p)!.id,
		);
		// What the editor shows while waiting: the task, waiting, not a timeout.
		expect(paused.items.map((i) => i.json.taskId)).toEqual(ids);
		expect(paused.items.map((i) => i.json.status)).toEqual(['waiting', 'waiting']);
		expect(Date.parse(String(paused.items[0].json.waitingUntil))).toBe(paused.waitTill!.getTime());
		// What n8n keeps on the stack and emits at the deadline: timeout error items naming their task.
		const stack = paused.runExecutionData.executionData!.nodeExecutionStack[0].data.main[0]!;
		expect(stack.map((i) => i.json.error)).toEqual(
			ids.map((taskId, i) => ({
				message: `Timed out waiting for hiapi's callback after 60 s (task ID: ${taskId}): the task may still finish; fetch it with Get Task`,
				taskId,
				status: 'timeout',
				model: 'gpt-image-2/text-to-image',
				echo: {
					prompt: ['one', 'two'][i],
					aspectRatio: 'auto',
					resolution: '1K',
					estimatedUsd: 0.03,
					estimateRule: 'gpt-image-2/text-to-image, resolution 1K: $0.03 per task',
				},
				// What is kept of the item key: its hash (the key itself is only in the callback URL).
				keyHash: expect.stringMatching(/^[0-9a-f]{64}$/),
			})),
		);
		expect(Object.keys(stack[0].json)).toEqual(['error']);
		// The callback is this execution's resume URL (n8n's signature kept) plus item and key.
		const callback = new URL(sim.tasks.get(ids[1])!.callback!.url);
		expect(paused.resumeUrl).toBeDefined();
		expect(callback.toString().startsWith(paused.resumeUrl!.split('?')[0])).toBe(true);
		expect(callback.searchParams.get('signature')).toBe(
			new URL(paused.resumeUrl!).searchParams.get('signature'),
		);
		expect(callback.searchParams.get('item')).toBe('1');
		expect(callback.searchParams.get('k')).toMatch(/^[0-9a-f]{32}$/);
		await sim.waitFor((s: Simulator) => s.callbackLog.length >= 2, 5000);
		expect(sim.counters.getsTotal).toBe(0);
	});

	it('resumes only when the last task settles, with every item in order and the exact bytes', async () => {
		sim.setBehavior(({ input }) =>
			input.prompt === 'slow'
				? { durations: { queued: 10, handling: 2500, archiving: 10 } }
				: undefined,
		);
		const paused = await pause(['fast', 'slow', 'FAILME']);
		const [fastId, slowId, failId] = paused.items.map((i) => String(i.json.taskId));

		// The failed task must have settled before the first callback is handled, or the count below
		// depends on which of two near-simultaneous tasks the list read sees first.
		await callbackFor(fastId);
		await callbackFor(failId);
		// Of the two settled, the later one's callback (the earlier one's is told a later task resumes).
		const [fast, failed] = [sim.task(fastId), sim.task(failId)];
		const later =
			failed.completed > fast.completed || (failed.completed === fast.completed && failId > fastId)
				? failId
				: fastId;
		const earlier = later === failId ? fastId : failId;
		const outranked = await deliver(paused, await callbackFor(earlier));
		expect(outranked.workflowData).toBeUndefined();
		expect(outranked.responseBody).toEqual({ received: true, settled: true, resumesWith: later });
		const laterCallback = await callbackFor(later);
		const before = Date.now();
		const early = await deliver(paused, laterCallback);
		const tookMs = Date.now() - before;
		expect(early.workflowData).toBeUndefined();
		// The batch's leader so far, with another task still running: answered 200 "waiting", never
		// "try again", after confirming with a second read at least a second after the first that the
		// running task is still running (so it settles in a later second and its callback resumes).
		expect(early.statusCode).toBe(200);
		expect(early.responseBody).toEqual({ received: true, waitingFor: slowId });
		expect(tookMs).toBeGreaterThanOrEqual(1000);
		// The others come from one list read; the one the list shows unfinished is read to confirm (a
		// list may lag behind), then once more a second later: the batch cannot resume yet.
		expect(sim.counters.gets[slowId]).toBe(2);
		expect(sim.counters.gets[failId]).toBeUndefined();
		expect(sim.counters.gets[fastId]).toBeUndefined();

		const last = await deliver(paused, await callbackFor(slowId));
		expect(last.statusCode).toBe(200);
		expect(last.responseBody).toEqual({ received: true, resumed: true });
		// Answered by n8n as webhook() returns, after the downloads: nothing was sent before them, so a
		// process dying mid-download leaves hiapi unanswered and it delivers again.
		expect(last.response).toMatchObject({ webhookResponse: { received: true, resumed: true } });
		expect(last.response.noWebhookResponse).toBeUndefined();
		const items = last.workflowData![0];
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json).toMatchObject({ taskId: fastId, status: 'success', prompt: 'fast' });
		expect(items[1].json).toMatchObject({ taskId: slowId, status: 'success', prompt: 'slow' });
		expect(items[2].json).toEqual({
			error: {
				message: `hiapi could not generate the image: upstream rejected the prompt [TASK_FAILED] (task ID: ${failId})`,
				taskId: failId,
				status: 'fail',
				code: 'TASK_FAILED',
				model: 'gpt-image-2/text-to-image',
				prompt: 'FAILME',
				aspectRatio: 'auto',
				resolution: '1K',
				estimatedUsd: 0.03,
				estimateRule: 'gpt-image-2/text-to-image, resolution 1K: $0.03 per task',
			},
		});
		for (const item of items.slice(0, 2)) {
			expect(
				(await last.binaryBuffer(item, 'data')).equals(sim.imageBytes(String(item.json.taskId))),
			).toBe(true);
		}
		// Signed callbacks are hiapi's own word: a task is not read back after its own callback. The one
		// reads of the slow task were the leader's check and confirmation above.
		expect(sim.counters.gets[fastId]).toBeUndefined();
		expect(sim.counters.gets[slowId]).toBe(2);
		expect(sim.counters.gets[failId]).toBeUndefined();
	});

	it('honours the output binary field and Download options on resume', async () => {
		// Spaces around the name are trimmed, as in the other modes.
		const paused = await pause(['a'], { outputBinaryPropertyName: ' img ' });
		const resumed = await deliver(paused, await callbackFor(String(paused.items[0].json.taskId)));
		expect(Object.keys(resumed.workflowData![0][0].binary ?? {})).toEqual(['img']);
	});

	it('duplicate and concurrent "last" callbacks resume once: the others are acknowledged without downloading', async () => {
		// b settles last in time; in the same second as a, the higher ID's callback is the resuming one.
		sim.setBehavior(({ input }) =>
			input.prompt === 'b'
				? { durations: { queued: 30, handling: 300, archiving: 30 } }
				: undefined,
		);
		const paused = await pause(['a', 'b']);
		const [a, b] = paused.items.map((i) => String(i.json.taskId));
		await sim.waitFor(
			(s: Simulator) => s.task(b).status === 'success' && s.task(a).status === 'success',
			5000,
		);
		const [cbA, cbB] = [await callbackFor(a), await callbackFor(b)];
		const results = await Promise.all([
			deliver(paused, cbA),
			deliver(paused, cbB),
			deliver(paused, cbA),
		]);
		const resumed = results.filter((r) => r.workflowData);
		expect(resumed).toHaveLength(1);
		expect(resumed[0].workflowData![0].map((i) => i.json.taskId)).toEqual([a, b]);
		// Each other call is told the batch is being resumed here, or that the callback of the task
		// that settled last (latest second, then highest ID: b, or a when both share a second) resumes it.
		const last =
			sim.task(a).completed > sim.task(b).completed ||
			(sim.task(a).completed === sim.task(b).completed && a > b)
				? a
				: b;
		for (const other of results.filter((r) => !r.workflowData))
			expect([
				{ received: true, resuming: true },
				{ received: true, settled: true, resumesWith: last },
			]).toContainEqual(other.responseBody);
		const again = await deliver(paused, cbB);
		expect(again.workflowData).toBeUndefined();
		expect(sim.counters.cdnGets).toBe(2);
		expect(sim.counters.submits).toBe(2);
	});

	it('across webhook processors: only the callback of the task that settled last resumes, so one set of downloads', async () => {
		// A second "process": the node's modules loaded afresh, so it shares no memory with the first
		// (as a second `n8n webhook` shares none).
		let Isolated: typeof import('../../nodes/GptImage2/GptImage2.node').GptImage2 | undefined;
		jest.isolateModules(() => {
			Isolated = (
				jest.requireActual('../../nodes/GptImage2/GptImage2.node') as {
					GptImage2: NonNullable<typeof Isolated>;
				}
			).GptImage2;
		});
		const other = createHarness({
			nodeTypes: { [GPT]: new Isolated!() },
			credentialTypes: [new HiApiApi()],
			credentials: { hiApiApi: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, signingSecret: KEY } },
		});
		try {
			// 'late' settles more than a second after 'early': their `completed` seconds differ.
			sim.setBehavior(({ input }) =>
				input.prompt === 'late'
					? { durations: { queued: 10, handling: 1600, archiving: 10 } }
					: undefined,
			);
			const paused = await pause(['early', 'late']);
			const [early, late] = paused.items.map((i) => String(i.json.taskId));
			const [cbEarly, cbLate] = [await callbackFor(early), await callbackFor(late)];
			expect(sim.task(late).completed).toBeGreaterThan(sim.task(early).completed);

			// Both callbacks find the batch settled, each in its own process, at the same time.
			const [onOther, onThis] = await Promise.all([
				deliver(paused, cbEarly, other),
				deliver(paused, cbLate),
			]);
			expect(onOther.statusCode).toBe(200);
			expect(onOther.workflowData).toBeUndefined();
			expect(onOther.responseBody).toEqual({ received: true, settled: true, resumesWith: late });
			expect(onThis.responseBody).toEqual({ received: true, resumed: true });
			expect(onThis.workflowData![0].map((i) => i.json.taskId)).toEqual([early, late]);
			expect(sim.counters.cdnGets).toBe(2);

			// The last task's callback redelivered to the other process (the first died mid-download):
			// it resumes there, so the batch never waits for its deadline.
			const redelivered = await deliver(paused, cbLate, other);
			expect(redelivered.responseBody).toEqual({ received: true, resumed: true });
		} finally {
			await other.stop();
		}
	});

	describe('forged callbacks are refused and the execution keeps waiting', () => {
		it('a wrong or missing item key', async () => {
			const paused = await pause(['x']);
			const cb = await callbackFor(String(paused.items[0].json.taskId));
			for (const query of [
				{ ...cb.query, k: '0'.repeat(32) },
				{ ...cb.query, k: undefined },
				{ ...cb.query, item: '5' },
			]) {
				const result = await deliver(paused, { ...cb, query: JSON.parse(JSON.stringify(query)) });
				expect(result.statusCode).toBe(401);
				expect(result.workflowData).toBeUndefined();
			}
			expect(sim.counters.getsTotal).toBe(0);
		});
		it('a body not signed with the signing key', async () => {
			const paused = await pause(['x']);
			const cb = await callbackFor(String(paused.items[0].json.taskId));
			const ts = String(Math.floor(Date.now() / 1000));
			const forged = Buffer.from(
				cb.rawBody.toString().replace(/"status":"\w+"/, '"status":"success"'),
			);
			const wrongKey = createHmac('sha256', 'whsec_other')
				.update(`${ts}.`)
				.update(forged)
				.digest('hex');
			const result = await deliver(paused, {
				...cb,
				rawBody: forged,
				headers: { ...cb.headers, 'x-hiapi-timestamp': ts, 'x-hiapi-signature': wrongKey },
			});
			expect(result.statusCode).toBe(401);
			expect(sim.counters.cdnGets).toBe(0);
		});
		it("another task's body on this item's URL", async () => {
			const paused = await pause(['x', 'y']);
			const [x, y] = paused.items.map((i) => String(i.json.taskId));
			const cbX = await callbackFor(x);
			const cbY = await callbackFor(y);
			const result = await deliver(paused, { ...cbY, query: cbX.query });
			expect(result.statusCode).toBe(200);
			expect(result.responseBody).toEqual({ received: true, ignored: true });
			expect(result.workflowData).toBeUndefined();
		});
	});

	it('with Continue On Fail, invalid items are settled at once and the rest still pause', async () => {
		const paused = await pause(['ok', ''], {}, { continueOnFail: true });
		expect(paused.status).toBe('waiting');
		expect(paused.items[1].json).toEqual({
			error: { message: 'Prompt: is empty (item 1)', status: 'not submitted' },
		});
		const cb = await callbackFor(String(paused.items[0].json.taskId));
		const resumed = await deliver(paused, cb);
		expect(resumed.workflowData![0]).toHaveLength(2);
		expect(resumed.workflowData![0][1].json).toEqual({
			error: { message: 'Prompt: is empty (item 1)', status: 'not submitted' },
		});
	});

	it('a submit failure without Continue On Fail names the tasks already submitted', async () => {
		// One item at a time, so the third submit is item 2's.
		let submits = 0;
		sim.inject({
			route: 'submit',
			type: 'status',
			status: 402,
			body: { error_code: 'INSUFFICIENT_BALANCE', message: 'no money' },
			match: () => ++submits === 3,
		});
		const paused = await pause(['a', 'b', 'c'], { concurrency: 1 });
		expect(paused.status).toBe('error');
		const ids = [...sim.tasks.keys()];
		expect(paused.error?.message).toMatch(/^Your hiapi balance is too low/);
		expect(paused.error?.description).toContain(
			`${ids[0]} (item 0): submitted\n${ids[1]} (item 1): submitted`,
		);
		expect(paused.error?.context?.tasks).toEqual([
			{ taskId: ids[0], itemIndex: 0, state: 'submitted' },
			{ taskId: ids[1], itemIndex: 1, state: 'submitted' },
		]);
	});

	it('after a submit failure without Continue On Fail, no further item is submitted (nothing orphaned)', async () => {
		let submits = 0;
		sim.inject({
			route: 'submit',
			type: 'status',
			status: 402,
			body: { error_code: 'INSUFFICIENT_BALANCE', message: 'no money' },
			match: () => ++submits === 2,
		});
		const paused = await pause(['a', 'b', 'c', 'd'], { concurrency: 1 });
		expect(paused.status).toBe('error');
		expect(paused.error?.message).toMatch(/^Your hiapi balance is too low/);
		expect(sim.counters.submits).toBe(2);
		expect(sim.counters.tasksCreated).toBe(1);
		expect(paused.error?.description).toContain(`${[...sim.tasks.keys()][0]} (item 0)`);
	});

	describe('robust when hiapi or the webhook misbehave', () => {
		/**
		 * Pauses two tasks, waits until both have settled at hiapi, and returns the callback that
		 * resumes: the one of the task that settled last (latest `completed`, then highest ID).
		 */
		const settledPair = async (prompts: string[] = ['p', 'q']) => {
			const paused = await pause(prompts);
			const ids = paused.items.map((i) => String(i.json.taskId));
			await sim.waitFor(
				(s: Simulator) => ids.every((id) => ['success', 'fail'].includes(s.task(id).status)),
				5000,
			);
			const [p, q] = ids.map((id) => sim.task(id));
			const last =
				q.completed > p.completed || (q.completed === p.completed && ids[1] > ids[0])
					? ids[1]
					: ids[0];
			return { paused, ids, last, cb: await callbackFor(last) };
		};

		it('a list entry without its output is read on its own before it is trusted', async () => {
			const { paused, ids, last, cb } = await settledPair();
			sim.inject({ route: 'list', type: 'no-output', count: Infinity });
			const resumed = await deliver(paused, cb);
			expect(resumed.responseBody).toEqual({ received: true, resumed: true });
			expect(sim.counters.gets[ids.find((id) => id !== last)!]).toBe(1);
			for (const item of resumed.workflowData![0]) {
				expect(
					(await resumed.binaryBuffer(item, 'data')).equals(
						sim.imageBytes(String(item.json.taskId)),
					),
				).toBe(true);
			}
		});

		it('a list that lags behind (shows a settled task as running) does not hold the batch: the task is read', async () => {
			const { paused, ids, cb } = await settledPair();
			sim.inject({
				route: 'list',
				type: 'unknown-status',
				statusName: 'handling',
				count: Infinity,
			});
			const resumed = await deliver(paused, cb);
			expect(resumed.responseBody).toEqual({ received: true, resumed: true });
			expect(resumed.workflowData![0].map((i) => i.json.taskId)).toEqual(ids);
		});

		it('a failing list call falls back to single reads', async () => {
			const { paused, ids, last, cb } = await settledPair();
			sim.inject({ route: 'list', type: 'status', status: 500, count: Infinity });
			const resumed = await deliver(paused, cb);
			expect(resumed.responseBody).toEqual({ received: true, resumed: true });
			expect(resumed.workflowData![0].map((i) => i.json.status)).toEqual(['success', 'success']);
			expect(sim.counters.gets[ids.find((id) => id !== last)!]).toBe(1);
		});

		it('a download that fails after the callback was answered 200 still resumes, naming the task', async () => {
			const { paused, ids, cb } = await settledPair();
			sim.inject({ route: 'cdn', type: 'truncate', count: Infinity });
			const resumed = await deliver(paused, cb);
			expect(resumed.statusCode).toBe(200);
			const items = resumed.workflowData![0];
			expect(items.map((i) => (i.json.error as IDataObject).taskId)).toEqual(ids);
			expect(items.map((i) => (i.json.error as IDataObject).status)).toEqual([
				'not downloaded',
				'not downloaded',
			]);
			expect(String((items[0].json.error as IDataObject).message)).toMatch(
				/^Could not download the task output/,
			);
		});

		it('cancelled during the submits with Continue On Fail: still one item per input, in place', async () => {
			sim.setBehavior(() => ({ durations: { queued: 10, handling: 5000, archiving: 10 } }));
			sim.inject({ route: 'submit', type: 'slow', ms: 400, count: Infinity });
			const paused = await pause(
				['a', 'b', 'c', 'd'],
				{ concurrency: 1 },
				{ continueOnFail: true, cancelAfterMs: 600 },
			);
			const stack = paused.runExecutionData.executionData?.nodeExecutionStack[0]?.data.main[0];
			const items = stack && paused.status === 'waiting' ? stack : paused.items;
			expect(items).toHaveLength(4);
			expect(items.map((i) => i.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
				{ item: 3 },
			]);
			expect(sim.counters.tasksCreated).toBeLessThan(4);
			expect((items[3].json.error as IDataObject).status).toBe('not submitted');
		});
	});

	it('an Idempotency Key saved in the workflow never reaches hiapi: the option is hidden here and n8n drops it', async () => {
		// n8n removes hidden parameters before a node runs (Workflow → NodeHelpers.getNodeParameters), so
		// the node's own key, made from this execution, is what hiapi gets.
		const paused = await pause(['a'], { idempotencyKey: 'order-1' });
		expect(paused.status).toBe('waiting');
		const keys = sim.log.filter((l) => l.route === 'submit').map((l) => l.idempotencyKey);
		expect(keys).toHaveLength(1);
		expect(keys[0]).toMatch(/^n8n-[0-9a-f]{48}$/);
	});

	it('Retry On Fail: the retry picks up the task the first try submitted; its early settle does not hold the batch', async () => {
		// Item 1's first submit is refused: the node fails, n8n runs it again, item 0 is replayed.
		let submits = 0;
		sim.inject({
			route: 'submit',
			type: 'status',
			status: 402,
			body: { error_code: 'INSUFFICIENT_BALANCE', message: 'no money' },
			match: () => ++submits === 2,
		});
		const paused = await pause(
			['a', 'b'],
			{ concurrency: 1 },
			{ settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 1000 } },
		);
		expect(paused.status).toBe('waiting');
		expect(sim.counters.tasksCreated).toBe(2);
		const [a, b] = ['a', 'b'].map(
			(p) => [...sim.tasks.values()].find((task) => task.input.prompt === p)!.id,
		);
		expect(paused.items.map((i) => i.json.taskId)).toEqual([a, b]);
		// Item 0's task settled during the first try (its callback went to an execution still running):
		// item 1's callback alone resumes the batch, with both images.
		const resumed = await deliver(paused, await callbackFor(b));
		expect(resumed.responseBody).toEqual({ received: true, resumed: true });
		expect(resumed.workflowData![0].map((i) => i.json.taskId)).toEqual([a, b]);
		expect(
			(await resumed.binaryBuffer(resumed.workflowData![0][0], 'data')).equals(sim.imageBytes(a)),
		).toBe(true);
	});

	it('a batch of 60 settling in random order costs at most 2 status reads per task in all, and resumes once', async () => {
		// Durations spread over 0.1-1.3 s in an order unrelated to the items', as a real batch settles.
		const spread = (p: string) => (Number(/\d+/.exec(p)![0]) * 37) % 60;
		sim.setBehavior(({ input }) => ({
			durations: { queued: 10, handling: 100 + 20 * spread(String(input.prompt)), archiving: 10 },
		}));
		const prompts = Array.from({ length: 60 }, (_, i) => `tile ${i}`);
		const paused = await pause(prompts, { concurrency: 20 });
		expect(paused.status).toBe('waiting');
		const ids = paused.items.map((i) => String(i.json.taskId));
		const readsBefore = sim.counters.getsTotal + sim.log.filter((l) => l.route === 'list').length;
		expect(readsBefore).toBe(0);
		// Deliver each callback as soon as hiapi sends it, as n8n would: while the rest of the batch still runs.
		// A callback answered non-2xx is delivered again half a second later, as hiapi does.
		const delivered = new Set<string>();
		const retryAt = new Map<string, number>();
		const answers: Awaited<ReturnType<typeof deliver>>[] = [];
		let attempts = 0;
		while (!answers.some((a) => a.workflowData)) {
			const due = [...retryAt].find(([, at]) => at <= Date.now());
			let taskId: string;
			if (due) {
				taskId = due[0];
				retryAt.delete(taskId);
			} else {
				const fresh = sim.callbackLog.find(
					(c) => ids.includes(c.taskId) && !delivered.has(c.taskId),
				);
				if (!fresh) {
					await new Promise((r) => setTimeout(r, 20));
					continue;
				}
				taskId = fresh.taskId;
				delivered.add(taskId);
			}
			attempts++;
			const answer = await deliver(paused, await callbackFor(taskId));
			if (answer.statusCode >= 300) retryAt.set(taskId, Date.now() + 500);
			answers.push(answer);
		}
		const resumed = answers.filter((a) => a.workflowData);
		expect(resumed).toHaveLength(1);
		expect(resumed[0].workflowData![0].map((i) => i.json.taskId)).toEqual(ids);
		const gets = sim.counters.getsTotal;
		const lists = sim.log.filter((l) => l.route === 'list').length;
		// eslint-disable-next-line no-console
		console.log(
			`[resume] batch of 60: ${gets} GET + ${lists} list = ${((gets + lists) / 60).toFixed(2)} reads per task, ${attempts} deliveries`,
		);
		expect(gets + lists).toBeLessThanOrEqual(2 * 60);
		// Each callback handled once: none answered "try again", so no delivery beyond one per task.
		expect(answers.filter((a) => a.statusCode !== 200)).toEqual([]);
		expect(attempts).toBeLessThanOrEqual(60);
	});

	it('every task already settled before the pause was seen: one callback resumes, the rest are told which, none retried', async () => {
		const prompts = ['a', 'b', 'c', 'd', 'e'];
		const paused = await pause(prompts);
		const ids = paused.items.map((i) => String(i.json.taskId));
		await sim.waitFor((s: Simulator) => ids.every((id) => s.task(id).status === 'success'), 5000);
		const tasks = ids.map((id) => sim.task(id));
		const last = [...tasks].sort(
			(x, y) =>
				x.completed - y.completed || (x.taskId < y.taskId ? -1 : x.taskId > y.taskId ? 1 : 0),
		)[tasks.length - 1].taskId;
		// Delivered in an order unrelated to the settle order, all after the last task settled.
		const answers = [];
		for (const id of [...ids].reverse()) answers.push(await deliver(paused, await callbackFor(id)));
		expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
		const resumed = answers.filter((a) => a.workflowData);
		expect(resumed).toHaveLength(1);
		expect(resumed[0].responseBody).toEqual({ received: true, resumed: true });
		expect(answers[[...ids].reverse().indexOf(last)]).toBe(resumed[0]);
		for (const a of answers.filter((x) => !x.workflowData))
			expect(a.responseBody).toEqual({ received: true, settled: true, resumesWith: last });
		expect(resumed[0].workflowData![0].map((i) => i.json.taskId)).toEqual(ids);
	});
});
