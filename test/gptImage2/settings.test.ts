import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { GPT, useSimulator, type Simulator } from '../support/env';

/**
 * n8n's own node settings (On Error, Retry On Fail) decide where items go and how often execute()
 * runs. These tests set them as the editor saves them and let n8n's engine apply them.
 */
describe('GPT Image 2 under n8n node settings: every paid task reaches the user, none is paid twice', () => {
	const t = useSimulator();

	const generate = (options: IDataObject = {}) => ({
		type: GPT,
		parameters: {
			operation: 'textToImage',
			prompt: '={{ $json.prompt }}',
			options: { pollInterval: 0.1, ...options },
		},
	});
	const prompts = (...list: string[]) => list.map((prompt) => ({ json: { prompt } }));
	const taskOf = (prompt: string) =>
		[...t.sim.tasks.values()].filter((task) => task.input.prompt === prompt);
	const detailsOf = (item: INodeExecutionData) => {
		const { message: _message, ...rest } = item.json.error as IDataObject;
		return rest;
	};

	it('Continue (using error output): failed, timed-out and invalid items land on the error output with their task IDs', async () => {
		t.sim.setBehavior(({ input }) =>
			String(input.prompt).includes('slow') ? { never: true } : undefined,
		);
		const r = await t.h.runNode({
			...generate({ timeout: 3 }),
			input: prompts('fine', 'FAILME', 'slow one', ''),
			settings: { onError: 'continueErrorOutput' },
		});
		expect(r.status).toBe('success');
		expect(r.outputs).toHaveLength(2);
		const [success, errors] = r.outputs;
		expect(success.map((i) => i.json.taskId)).toEqual([taskOf('fine')[0].id]);
		expect(success[0].binary?.data).toBeDefined();
		expect(errors.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }, { item: 3 }]);
		expect(errors.map(detailsOf)).toEqual([
			{ taskId: taskOf('FAILME')[0].id, status: 'fail' },
			{ taskId: taskOf('slow one')[0].id, status: 'timeout' },
			{ status: 'not submitted' },
		]);
		expect(String((errors[0].json.error as IDataObject).message)).toContain(taskOf('FAILME')[0].id);
		expect(t.sim.counters.tasksCreated).toBe(3);
	});

	it('Stop Workflow: the error names the first failure and lists every task the run created, with its state', async () => {
		t.sim.setBehavior(({ input }) =>
			input.prompt === 'slower'
				? { durations: { queued: 10, handling: 600, archiving: 10 } }
				: undefined,
		);
		const r = await t.h.runNode({
			...generate({ concurrency: 3 }),
			input: prompts('ok', 'FAILME', 'slower'),
		});
		expect(r.status).toBe('error');
		const [ok, failed, slower] = ['ok', 'FAILME', 'slower'].map((p) => taskOf(p)[0].id);
		expect(r.error?.message).toBe(
			`hiapi could not generate the image: upstream rejected the prompt [TASK_FAILED] (task ID: ${failed})`,
		);
		// The items already running finished (their tasks are paid for) and are named, so none is lost.
		expect(r.error?.description).toContain(
			`${ok} (item 0): succeeded\n${failed} (item 1): failed\n${slower} (item 2): succeeded`,
		);
		expect(r.error?.context?.tasks).toEqual([
			{ taskId: ok, itemIndex: 0, state: 'succeeded' },
			{ taskId: failed, itemIndex: 1, state: 'failed' },
			{ taskId: slower, itemIndex: 2, state: 'succeeded' },
		]);
	});

	it('Retry On Fail: a retry picks up the tasks the first try created instead of paying again', async () => {
		// The first try's downloads of item 1 all fail (3 tries), so the node fails and n8n runs it again.
		let cdnHits = 0;
		t.sim.inject({
			route: 'cdn',
			type: 'status',
			status: 500,
			count: 3,
			match: () => ++cdnHits >= 2,
		});
		const r = await t.h.runNode({
			...generate({ concurrency: 1 }),
			input: prompts('first', 'second'),
			settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 10 },
		});
		expect(r.status).toBe('success');
		expect(t.sim.counters.tasksCreated).toBe(2);
		// 1 submit per item: the retry took each task up from the node's record of its first try.
		expect(t.sim.counters.submits).toBe(2);
		expect(t.sim.counters.replays).toBe(0);
		expect(r.items.map((i) => i.json.taskId)).toEqual([
			taskOf('first')[0].id,
			taskOf('second')[0].id,
		]);
		for (const item of r.items)
			expect((await r.binaryBuffer(item)).equals(t.sim.imageBytes(String(item.json.taskId)))).toBe(
				true,
			);
	});

	it('Retry On Fail: a task that failed is submitted anew, the one that succeeded is not', async () => {
		// Fails on the first try only: the simulator fails prompts with FAILME, so switch the word off after it.
		let firstTry = true;
		t.sim.setBehavior(({ input }) =>
			input.prompt === 'flaky' && firstTry ? { fail: true } : undefined,
		);
		const r1 = t.h.runNode({
			...generate({ concurrency: 1 }),
			input: prompts('steady', 'flaky'),
			settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 500 },
		});
		await t.sim.waitFor(
			(s: Simulator) =>
				[...s.tasks.values()].some(
					(task) => task.input.prompt === 'flaky' && s.task(task.id).status === 'fail',
				),
			10_000,
		);
		firstTry = false;
		const r = await r1;
		expect(r.status).toBe('success');
		expect(taskOf('steady')).toHaveLength(1);
		const flaky = taskOf('flaky');
		expect(flaky).toHaveLength(2);
		expect(r.items[1].json).toMatchObject({ taskId: flaky[1].id, status: 'success' });
	});

	it('a new execution (the user runs the workflow again) creates new tasks unless an Idempotency Key is set', async () => {
		await t.h.runNode({ ...generate(), input: prompts('again') });
		await t.h.runNode({ ...generate(), input: prompts('again') });
		expect(taskOf('again')).toHaveLength(2);
		await t.h.runNode({ ...generate({ idempotencyKey: 'order-1' }), input: prompts('keyed') });
		await t.h.runNode({ ...generate({ idempotencyKey: 'order-1' }), input: prompts('keyed') });
		expect(taskOf('keyed')).toHaveLength(1);
	});

	it("a 422 for a key the user set blames the key; the node's own keys never meet one", async () => {
		await t.h.runNode({ ...generate({ idempotencyKey: 'order-2' }), input: prompts('one thing') });
		const r = await t.h.runNode({
			...generate({ idempotencyKey: 'order-2' }),
			input: prompts('another thing'),
		});
		expect(r.error?.message).toBe(
			"The Idempotency Key 'order-2' was already used for a different request",
		);
	});
});
