import { GPT, type Simulator, useSimulator } from '../support/env';

describe('GPT Image 2: batches, failures and recovery', () => {
	const t = useSimulator();

	const generate = (options: Record<string, unknown> = {}, extra = {}) => ({
		type: GPT,
		parameters: {
			operation: 'textToImage',
			prompt: '={{ $json.prompt }}',
			options: { pollInterval: 0.05, ...options },
		},
		...extra,
	});
	const taskOf = (prompt: string) =>
		[...t.sim.tasks.values()].find((t) => t.input.prompt === prompt)!;

	it('Continue On Fail: success, failed task, timeout and invalid input give one paired item each', async () => {
		t.sim.setBehavior(({ input }) =>
			String(input.prompt).includes('slow') ? { never: true } : undefined,
		);
		const result = await t.h.runNode({
			// The deadline must outlast the 150 ms tasks by far, even on a slow machine: only 'slow one' may miss it.
			...generate({ timeout: 3 }),
			input: [
				{ json: { prompt: 'fine' } },
				{ json: { prompt: 'FAILME' } },
				{ json: { prompt: 'slow one' } },
				{ json: { prompt: '' } },
			],
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(4);
		expect(result.items.map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		const [ok, failed, timedOut, invalid] = result.items.map((i) => i.json);
		expect(ok).toMatchObject({ status: 'success', taskId: taskOf('fine').id });
		expect(result.items[0].binary?.data).toBeDefined();
		// Error items are {error: {message, taskId, status}}: the shape n8n routes to the error output, with the task ID kept.
		expect(failed).toEqual({
			error: {
				message: `hiapi could not generate the image: upstream rejected the prompt [TASK_FAILED] (task ID: ${taskOf('FAILME').id})`,
				taskId: taskOf('FAILME').id,
				status: 'fail',
			},
		});
		expect(timedOut.error).toMatchObject({ taskId: taskOf('slow one').id, status: 'timeout' });
		expect((timedOut.error as { message: string }).message).toMatch(
			/^Timed out waiting for hiapi to finish the task/,
		);
		expect(invalid).toEqual({
			error: { message: 'Prompt: is empty (item 3)', status: 'not submitted' },
		});
		expect(t.sim.counters.tasksCreated).toBe(3);
	});

	it('keeps input order under concurrency even when later items finish first', async () => {
		const prompts = ['a', 'b', 'c', 'd', 'e', 'f'];
		t.sim.setBehavior(({ input }) => ({
			durations: {
				queued: 10,
				handling: (6 - prompts.indexOf(String(input.prompt))) * 60,
				archiving: 10,
			},
		}));
		const result = await t.h.runNode({
			...generate({ concurrency: 3 }),
			input: prompts.map((prompt) => ({ json: { prompt } })),
		});
		expect(result.items.map((i) => i.json.prompt)).toEqual(prompts);
		expect(result.items.map((i) => i.pairedItem)).toEqual(prompts.map((_, item) => ({ item })));
		for (const item of result.items) {
			expect(
				(await result.binaryBuffer(item)).equals(t.sim.imageBytes(String(item.json.taskId))),
			).toBe(true);
		}
		// Items really overlapped: 3 tasks in flight at once (the third started before any of the first
		// three settled), never more (the fourth only after one of them settled).
		const tasks = [...t.sim.tasks.values()].sort((x, y) => x.createdAt - y.createdAt);
		const firstSettled = Math.min(...tasks.slice(0, 3).map((task) => task.settleAt));
		expect(tasks[2].createdAt).toBeLessThan(firstSettled);
		expect(tasks[3].createdAt).toBeGreaterThanOrEqual(firstSettled);
	});

	it('reads the credential once per node run, however many requests it makes', async () => {
		const before = t.h.credentialReads();
		const result = await t.h.runNode({
			...generate(),
			input: ['p', 'q', 'r'].map((prompt) => ({ json: { prompt } })),
		});
		expect(result.status).toBe('success');
		const requests =
			t.sim.counters.submits +
			t.sim.counters.lists +
			Object.values(t.sim.counters.gets).reduce((a, b) => a + b, 0);
		expect(requests).toBeGreaterThanOrEqual(4);
		expect(t.h.credentialReads() - before).toBe(1);
	});

	it('concurrency 1 runs items one after another', async () => {
		const result = await t.h.runNode({
			...generate({ concurrency: 1 }),
			input: [{ json: { prompt: 'x' } }, { json: { prompt: 'y' } }],
		});
		expect(result.status).toBe('success');
		const [x, y] = [taskOf('x'), taskOf('y')];
		expect(y.createdAt).toBeGreaterThanOrEqual(x.settleAt);
	});

	it('without Continue On Fail, fails with the first error after in-flight items settle', async () => {
		t.sim.setBehavior(({ input }) =>
			input.prompt === 'slow'
				? { durations: { queued: 10, handling: 400, archiving: 10 } }
				: undefined,
		);
		const result = await t.h.runNode({
			...generate({ concurrency: 2 }),
			input: [
				{ json: { prompt: 'FAILME' } },
				{ json: { prompt: 'slow' } },
				{ json: { prompt: 'never started' } },
			],
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain(`(task ID: ${taskOf('FAILME').id})`);
		expect(result.error?.context?.itemIndex).toBe(0);
		// Item 1 was in flight: it was waited for and downloaded, not abandoned mid-way.
		expect(t.sim.counters.cdnGets).toBe(1);
		// Item 2 was never submitted.
		expect(t.sim.counters.tasksCreated).toBe(2);
	});

	it('Get Task recovers a task whose wait timed out, without resubmitting', async () => {
		// Long enough that the timed-out run and the early Get Task both finish before it, even on a slow machine.
		t.sim.setBehavior(() => ({ durations: { queued: 10, handling: 2500, archiving: 10 } }));
		const first = await t.h.runNode({
			...generate({ timeout: 0.2 }),
			input: [{ json: { prompt: 'late' } }],
			continueOnFail: true,
		});
		const taskId = String((first.items[0].json.error as { taskId: string }).taskId);
		expect(first.items[0].json.error).toMatchObject({
			message: expect.stringMatching(/Timed out/),
		});
		const early = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'getTask', taskId },
			input: [{ json: {} }],
		});
		expect(early.items[0].json.status).not.toBe('success');
		expect(early.items[0].binary).toBeUndefined();
		await t.sim.waitFor((s: Simulator) => s.task(taskId).status === 'success', 5000);
		const late = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'getTask', taskId: '={{ $json.id }}' },
			input: [{ json: { id: taskId } }],
		});
		expect(late.items[0].json).toMatchObject({ taskId, status: 'success' });
		expect((await late.binaryBuffer(late.items[0])).equals(t.sim.imageBytes(taskId))).toBe(true);
		expect(t.sim.counters.submits).toBe(1);
	});

	it("Get Task on a failed task answers with the task and hiapi's error, not a node error", async () => {
		const first = await t.h.runNode({
			...generate(),
			input: [{ json: { prompt: 'FAILME' } }],
			continueOnFail: true,
		});
		const taskId = String((first.items[0].json.error as { taskId: string }).taskId);
		const result = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'getTask', taskId },
			input: [{ json: {} }],
		});
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({
			taskId,
			status: 'fail',
			error: { code: 'TASK_FAILED', message: 'upstream rejected the prompt' },
		});
		expect(result.items[0].binary).toBeUndefined();
		// An unknown task is still an error of the read.
		const unknown = await t.h.runNode({
			type: GPT,
			parameters: { operation: 'getTask', taskId: 'tk-sim-unknown' },
			input: [{ json: {} }],
		});
		expect(unknown.status).toBe('error');
		expect(unknown.error?.message).toContain('tk-sim-unknown');
	});

	it('cancelling the execution stops polling at once', async () => {
		t.sim.setBehavior(() => ({ never: true }));
		const result = await t.h.runNode({
			...generate({ pollInterval: 0.1, concurrency: 3 }),
			input: [{ json: { prompt: '1' } }, { json: { prompt: '2' } }, { json: { prompt: '3' } }],
			cancelAfterMs: 500,
		});
		expect(result.status).not.toBe('success');
		// A read already on the wire when the cancel came may still land; after that, nothing (polling would add one per 100 ms).
		await new Promise((r) => setTimeout(r, 150));
		// Status reads are task-list reads (taskBoard.ts) or a task's own GET.
		const statusReads = () => t.sim.counters.getsTotal + t.sim.counters.lists;
		const reads = statusReads();
		// Polling had started, so silence after the cancel means something.
		expect(reads).toBeGreaterThan(0);
		await new Promise((r) => setTimeout(r, 600));
		expect(statusReads()).toBe(reads);
	});

	it('Submit Only (Callback) returns the task ID at once, without polling', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: '={{ $json.prompt }}',
				completion: 'callback',
				callbackUrl: 'https://n8n.example/webhook/abc/hiapi?token=t',
			},
			input: [{ json: { prompt: 'one' } }, { json: { prompt: 'two' } }],
		});
		expect(result.status).toBe('success');
		expect(result.items.map((i) => i.json.status)).toEqual(['submitted', 'submitted']);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const task = taskOf('two');
		// The token reaches hiapi, never the output item (it would travel on to every later node and the saved execution).
		expect(result.items[1].json).toMatchObject({
			taskId: task.id,
			model: 'gpt-image-2/text-to-image',
			callbackUrl: 'https://n8n.example/webhook/abc/hiapi',
		});
		expect(JSON.stringify(result.items)).not.toContain('token=t');
		expect(task.callback).toEqual({
			url: 'https://n8n.example/webhook/abc/hiapi?token=t',
			when: 'final',
		});
		expect(t.sim.counters.getsTotal).toBe(0);
	});
});
