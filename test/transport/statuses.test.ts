import type { IDataObject } from 'n8n-workflow';

import { GPT, useSimulator } from '../support/env';

/**
 * A task API may say `failed`, `error`, `cancelled`/`canceled` for a failed task and `succeeded` or
 * `completed` for a finished one. Each ends the task in every mode, read once where tasks are
 * parsed; an unknown status keeps the node waiting.
 */
describe('terminal statuses under other names', () => {
	const t = useSimulator();
	const generate = (options: IDataObject = {}) => ({
		type: GPT,
		parameters: {
			operation: 'textToImage',
			prompt: '={{ $json.prompt }}',
			options: { pollInterval: 0.1, timeout: 5, ...options },
		},
		settings: { onError: 'continueRegularOutput' as const },
	});
	/** Wait for Result reads the task list first (taskBoard.ts); a failing list leaves each task to its GET, the route faulted here. */
	const readByGet = () =>
		t.sim.inject({ route: 'list', type: 'status', status: 500, count: Infinity });
	it.each([
		['succeeded', 'failed'],
		['completed', 'error'],
		['succeeded', 'cancelled'],
		['completed', 'canceled'],
	])('Wait for Result: %s is a success, %s a failure', async (ok, failed) => {
		readByGet();
		let names = 0;
		t.sim.inject({
			route: 'get',
			type: 'unknown-status',
			count: Infinity,
			statusName: ok,
			match: (info) => !!info.taskId && t.sim.task(info.taskId).status === 'success' && ++names > 0,
		});
		t.sim.inject({
			route: 'get',
			type: 'unknown-status',
			count: Infinity,
			statusName: failed,
			match: (info) => !!info.taskId && t.sim.task(info.taskId).status === 'fail',
		});
		const r = await t.h.runNode({
			...generate(),
			input: [{ json: { prompt: 'fine' } }, { json: { prompt: 'FAILME' } }],
		});
		expect(r.status).toBe('success');
		expect(names).toBeGreaterThan(0);
		const [good, bad] = r.items;
		expect(good.json).toMatchObject({ status: 'success' });
		expect((await r.binaryBuffer(good)).equals(t.sim.imageBytes(String(good.json.taskId)))).toBe(
			true,
		);
		expect(bad.json.error).toBeDefined();
		expect(String((bad.json.error as IDataObject).message ?? bad.json.error)).toMatch(
			/could not generate/,
		);
	});

	it('an unknown status keeps the node waiting until the deadline', async () => {
		readByGet();
		t.sim.inject({
			route: 'get',
			type: 'unknown-status',
			count: Infinity,
			statusName: 'rendering',
		});
		const r = await t.h.runNode({
			...generate({ timeout: 1 }),
			input: [{ json: { prompt: 'fine' } }],
		});
		expect(String(JSON.stringify(r.items[0].json))).toMatch(/Timed out/);
	});
});
