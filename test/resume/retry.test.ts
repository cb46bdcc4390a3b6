import type { IDataObject } from 'n8n-workflow';

import { type Harness, type RunResult } from '../harness';
import { FAST, GPT, harnessFor, startSimulator, type Simulator } from '../support/env';

const KEY = 'whsec_retry_key';

/**
 * n8n's Retry of a failed execution is a new execution built from the saved one (see the harness's
 * `retryOf`): a new execution ID, so a new resume URL. The tasks the failed try created must be
 * taken up again, not paid for again, and their results must reach the new execution.
 */
describe("Wait for Callback: n8n's Retry of a batch refused part-way", () => {
	let sim: Simulator;
	let h: Harness;
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

	const parameters: IDataObject = {
		operation: 'textToImage',
		prompt: '={{ $json.p }}',
		completion: 'resume',
		// One at a time, so "item 3" is the fourth submit.
		options: { timeout: 60, concurrency: 1 },
	};
	const prompts = ['p0', 'p1', 'p2', 'p3', 'p4'];
	const run = (retryOf?: RunResult) =>
		h.runNode({
			type: GPT,
			parameters,
			input: prompts.map((p) => ({ json: { p } })),
			retryOf,
		});
	const taskOf = (prompt: string) =>
		[...sim.tasks.values()].filter((task) => task.input.prompt === prompt);
	const refuseFourthSubmit = () => {
		let submits = 0;
		sim.inject({
			route: 'submit',
			type: 'status',
			status: 402,
			match: () => ++submits === 4,
		});
	};
	const deliver = async (paused: RunResult, taskId: string) => {
		await sim.waitFor((s: Simulator) => s.callbackLog.some((c) => c.taskId === taskId), 5000);
		const entry = sim.callbackLog.find((c) => c.taskId === taskId)!;
		return await h.callWebhook({
			type: GPT,
			parameters,
			waiting: paused,
			method: 'POST',
			query: Object.fromEntries(new URL(entry.url).searchParams),
			headers: entry.headers as Record<string, string>,
			rawBody: Buffer.from(entry.body),
		});
	};

	it('creates no new task for items 0-2; a still-running one is followed to its end; the batch resumes with all five', async () => {
		// Item 2 still runs when the Retry starts; items 0 and 1 have settled.
		sim.setBehavior(({ input }) =>
			input.prompt === 'p2'
				? { durations: { queued: 10, handling: 1500, archiving: 10 } }
				: undefined,
		);
		refuseFourthSubmit();
		const failed = await run();
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/balance|402/i);
		expect(sim.counters.tasksCreated).toBe(3);
		const first = prompts.slice(0, 3).map((p) => taskOf(p)[0].id);

		// The user tops up and presses Retry.
		const retried = await run(failed);
		expect(retried.status).toBe('waiting');
		expect(sim.counters.tasksCreated).toBe(5);
		// Once paused, the record of earlier tries is dropped: nothing retries a waiting node.
		expect(retried.runExecutionData.executionData!.nodeExecutionStack[0]).not.toHaveProperty(
			'hiapiEarlierTries',
		);
		// Items 0-2 were taken up from the failed try's record: not even a replayed submit.
		expect(prompts.map((p) => taskOf(p).length)).toEqual([1, 1, 1, 1, 1]);
		expect(sim.counters.submits).toBe(4 + 2);
		expect(sim.counters.replays).toBe(0);
		expect(sim.task(first[2]).status).toBe('success');
		// The new tasks call back to the new execution's resume URL.
		const [id3, id4] = ['p3', 'p4'].map((p) => taskOf(p)[0].id);
		expect(new URL(sim.tasks.get(id3)!.callback!.url).pathname).toBe(
			new URL(retried.resumeUrl!).pathname,
		);

		await sim.waitFor(
			(s: Simulator) => s.task(id3).status === 'success' && s.task(id4).status === 'success',
			5000,
		);
		const a = await deliver(retried, id3);
		const b = await deliver(retried, id4);
		const resumed = [a, b].find((r) => r.workflowData);
		expect(resumed).toBeDefined();
		const items = resumed!.workflowData![0];
		expect(items.map((i) => i.json.taskId)).toEqual([...first, id3, id4]);
		for (const item of items) {
			expect(item.json.error).toBeUndefined();
			expect(
				(await resumed!.binaryBuffer(item)).equals(sim.imageBytes(String(item.json.taskId), 0)),
			).toBe(true);
		}
	});

	it('finishes at once when every earlier task has settled and the refused one now succeeds', async () => {
		const smaller = ['p0', 'p1', 'p2', 'p3'];
		let submits = 0;
		sim.inject({ route: 'submit', type: 'status', status: 402, match: () => ++submits === 4 });
		const input = smaller.map((p) => ({ json: { p } }));
		const failed = await h.runNode({ type: GPT, parameters, input });
		expect(failed.status).toBe('error');
		await sim.waitFor(
			(s: Simulator) => [...s.tasks.keys()].every((id) => s.task(id).status === 'success'),
			5000,
		);
		// Only item 3 is new: the retry pauses for it alone.
		const retried = await h.runNode({ type: GPT, parameters, input, retryOf: failed });
		expect(retried.status).toBe('waiting');
		expect(sim.counters.tasksCreated).toBe(4);
		const id3 = taskOf('p3')[0].id;
		await sim.waitFor((s: Simulator) => s.task(id3).status === 'success', 5000);
		const resumed = await deliver(retried, id3);
		expect(resumed.workflowData![0].map((i) => i.json.taskId)).toEqual(
			smaller.map((p) => taskOf(p)[0].id),
		);
	});

	it("without the failed try's record (n8n did not save it), the same key refuses rather than bills again", async () => {
		refuseFourthSubmit();
		const failed = await run();
		expect(failed.status).toBe('error');
		const saved = JSON.parse(
			JSON.stringify(failed.runExecutionData),
		) as RunResult['runExecutionData'];
		for (const entry of saved.executionData!.nodeExecutionStack)
			delete (entry as unknown as IDataObject).hiapiEarlierTries;
		const retried = await run({ ...failed, runExecutionData: saved });
		expect(retried.status).toBe('error');
		expect(sim.counters.tasksCreated).toBe(3);
		expect(retried.error?.description).toMatch(/earlier try/);
	});
});
