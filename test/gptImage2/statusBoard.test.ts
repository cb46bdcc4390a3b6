import { GPT, useSimulator } from '../support/env';

/** Wait for Result reads the status of many tasks at once from hiapi's task list (taskBoard.ts). */
describe('GPT Image 2: Wait for Result reads statuses from the task list', () => {
	const t = useSimulator();

	const run = (count: number, options: Record<string, unknown> = {}) =>
		t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: '={{ $json.prompt }}',
				options: { pollInterval: 0.05, ...options },
			},
			input: Array.from({ length: count }, (_, i) => ({ json: { prompt: `p${i}` } })),
		});
	const durationOf = (prompt: string) => 100 + ((Number(prompt.slice(1)) * 37) % 500);

	it('200 items of varied durations: every item exact, under half a status read per task', async () => {
		t.sim.setBehavior(({ input }) => ({
			durations: { queued: 10, handling: durationOf(String(input.prompt)), archiving: 10 },
		}));
		const started = Date.now();
		const result = await run(200, { concurrency: 100 });
		const wall = Date.now() - started;
		expect(result.status).toBe('success');
		expect(result.items.map((i) => i.json.prompt)).toEqual(
			Array.from({ length: 200 }, (_, i) => `p${i}`),
		);
		for (const item of result.items) {
			expect(
				(await result.binaryBuffer(item)).equals(t.sim.imageBytes(String(item.json.taskId))),
			).toBe(true);
		}
		const reads = t.sim.counters.getsTotal + t.sim.counters.lists;
		expect(t.sim.counters.tasksCreated).toBe(200);
		// One GET per task per interval (the code before the task list) made 1.7 reads per task here.
		expect(reads / 200).toBeLessThanOrEqual(0.5);
		// Two waves of 100 tasks of at most 620 ms each, plus overhead: far below 200 tasks 5 at a time.
		expect(wall).toBeLessThan(15_000);
	});

	it('a task the list shows settled without its output is read by its own GET', async () => {
		t.sim.inject({ route: 'list', type: 'no-output', count: Infinity });
		const result = await run(3);
		expect(result.status).toBe('success');
		for (const item of result.items) {
			expect(
				(await result.binaryBuffer(item)).equals(t.sim.imageBytes(String(item.json.taskId))),
			).toBe(true);
		}
		expect(t.sim.counters.lists).toBeGreaterThan(0);
		for (const item of result.items)
			expect(t.sim.counters.gets[String(item.json.taskId)]).toBeGreaterThanOrEqual(1);
	});

	it('a failing task list leaves each task to its own GET', async () => {
		t.sim.inject({ route: 'list', type: 'status', status: 500, count: Infinity });
		const result = await run(2);
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(2);
	});
});
