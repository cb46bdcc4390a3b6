import { credentialTest } from '../harness';
import { PROBE, harnessFor, useSimulator } from '../support/env';

const T2I = 'gpt-image-2/text-to-image';
const body = (prompt = 'a red fox', extra: Record<string, unknown> = {}) => ({
	model: T2I,
	input: { prompt, aspect_ratio: '1:1', resolution: '1K', ...extra },
});

describe('shared transport against the simulator', () => {
	const t = useSimulator();

	const probe = (action: string, args: Record<string, unknown> = {}, extra = {}) =>
		t.h.runNode({ type: PROBE, parameters: { action, args: JSON.stringify(args) }, ...extra });

	describe('credential test', () => {
		it('accepts a valid key and sends GET /v1/tasks?page=1&size=1', async () => {
			const result = await credentialTest(t.h, 'hiApiApi', {
				apiKey: t.sim.apiKey,
				baseUrl: t.sim.baseUrl,
			});
			expect(result.status).toBe('OK');
			const request = t.sim.log.find((r) => r.route === 'list');
			expect(request?.path).toBe('/v1/tasks?page=1&size=1');
		});
		it('rejects an unknown key saying what to do, never the key', async () => {
			const result = await credentialTest(t.h, 'hiApiApi', {
				apiKey: 'sk-wrong-secret-value',
				baseUrl: t.sim.baseUrl,
			});
			expect(result).toEqual({
				status: 'Error',
				message:
					'hiapi did not accept the API key (HTTP 401): copy it again from the hiapi console (it starts with sk-)',
			});
			expect(result.message).not.toContain('sk-wrong');
		});
		it('names the network error when hiapi cannot be reached', async () => {
			const result = await credentialTest(t.h, 'hiApiApi', {
				apiKey: t.sim.apiKey,
				baseUrl: 'http://127.0.0.1:1/v1',
			});
			expect(result).toEqual({ status: 'Error', message: 'ECONNREFUSED' });
		});
		it.each([['/v1'], ['/v1/'], ['/'], ['//']])(
			'accepts a base URL ending in %s',
			async (suffix) => {
				const result = await credentialTest(t.h, 'hiApiApi', {
					apiKey: t.sim.apiKey,
					baseUrl: t.sim.baseUrl + suffix,
				});
				expect(result.status).toBe('OK');
			},
		);
	});

	it('submits, waits through every in-progress status and returns the settled task', async () => {
		const result = await probe('run', { body: body() });
		expect(result.status).toBe('success');
		const task = result.items[0].json;
		expect(task.status).toBe('success');
		expect(String(task.taskId)).toMatch(/^tk-/);
		expect((task.output as Array<{ url: string }>)[0].url).toContain(String(task.taskId));
		expect(task.seen).toEqual(expect.arrayContaining(['success']));
		// Every submit carries an idempotency key, generated when the user gives none.
		const submit = t.sim.log.find((r) => r.route === 'submit');
		expect(submit?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('reads a task through every lifecycle status, unknown names included, without crashing', async () => {
		t.sim.setBehavior(() => ({
			unknownStatus: 'rendering',
			durations: { queued: 400, handling: 400, archiving: 400 },
		}));
		// Each phase spans many 20 ms reads, so a loaded machine still lands a read in every one.
		const result = await probe('run', { body: body(), intervalMs: 20 });
		expect(result.status).toBe('success');
		const seen = result.items[0].json.seen as string[];
		expect(seen).toEqual(expect.arrayContaining(['queued', 'rendering', 'archiving', 'success']));
		expect(seen.indexOf('queued')).toBeLessThan(seen.indexOf('rendering'));
	});

	it('returns a failed task with its error code and message', async () => {
		const result = await probe('run', { body: body('please FAILME now') });
		const task = result.items[0].json;
		expect(task.status).toBe('fail');
		expect(task.error).toEqual({ code: 'TASK_FAILED', message: 'upstream rejected the prompt' });
	});

	it('lists tasks newest first', async () => {
		await probe('submit', { body: body('one') });
		await probe('submit', { body: body('two') });
		const result = await probe('list');
		const tasks = result.items[0].json.tasks as Array<{ taskId: string }>;
		expect(tasks).toHaveLength(2);
		expect(tasks[0].taskId).toBe([...t.sim.tasks.keys()][1]);
	});

	describe('the error table', () => {
		const expectError = async (args: Record<string, unknown>, action = 'submit') => {
			const result = await probe(action, args);
			expect(result.status).toBe('error');
			const error = result.error!;
			// No secret ever reaches an error.
			expect(
				JSON.stringify({ m: error.message, d: error.description, c: error.context }),
			).not.toContain(t.sim.apiKey);
			return error;
		};

		it('401 for an unknown key, without retrying', async () => {
			const bad = harnessFor(t.sim, { apiKey: 'sk-not-a-key' });
			const result = await bad.runNode({
				type: PROBE,
				parameters: { action: 'submit', args: JSON.stringify({ body: body() }) },
			});
			await bad.stop();
			expect(result.error?.message).toMatch(/did not accept the API key/);
			expect(result.error?.message).not.toContain('sk-not-a-key');
			expect(t.sim.counters.submits).toBe(1);
		});

		it('401 permission_denied names the model and the plan', async () => {
			await t.reconfigure({ modelKeys: { [T2I]: ['sk-other'] } });
			const error = await expectError({ body: body() });
			expect(error.message).toContain(`cannot use the model '${T2I}'`);
			expect(error.description).toMatch(/plan/);
			expect(t.sim.counters.submits).toBe(1);
		});

		it('400 additional properties names the offending key', async () => {
			const error = await expectError({ body: body('x', { size: '1024x1024' }) });
			expect(error.message).toContain("input field 'size'");
			expect(t.sim.counters.tasksCreated).toBe(0);
		});

		it("400 invalid request passes hiapi's reason on", async () => {
			const error = await expectError({ body: { ...body(), route: 'nowhere' } });
			expect(error.message).toMatch(/rejected the request/);
			expect(error.message).toMatch(/nowhere|route/i);
		});

		it.each([
			[402, /balance/],
			[403, /refused/],
		])('%i gets a plain message and no retry', async (status, pattern) => {
			t.sim.inject({
				route: 'submit',
				type: 'status',
				status,
				body: { error_code: `E${status}`, message: 'nope' },
			});
			const error = await expectError({ body: body() });
			expect(error.message).toMatch(pattern);
			expect(t.sim.counters.submits).toBe(1);
		});

		it('404 on a read names the task', async () => {
			const error = await expectError({ taskId: 'tk-nope' }, 'get');
			expect(error.message).toMatch(/does not know this task/);
			expect(error.message).toContain('(task ID: tk-nope)');
			expect(error.context?.taskId).toBe('tk-nope');
		});

		it('422 idempotency mismatch is not retried and explains the key', async () => {
			await probe('submit', { body: body('first'), idempotencyKey: 'order-1' });
			const error = await expectError({ body: body('second'), idempotencyKey: 'order-1' });
			expect(error.message).toContain("'order-1' was already used");
			expect(t.sim.counters.tasksCreated).toBe(1);
		});

		it('409 IDEMPOTENCY_KEY_PROCESSING is retried until the first request answers', async () => {
			await t.reconfigure({ submitDelayMs: 400 });
			const [a, b] = await Promise.all([
				probe('submit', { body: body(), idempotencyKey: 'k-409' }),
				new Promise((r) => setTimeout(r, 100)).then(() =>
					probe('submit', { body: body(), idempotencyKey: 'k-409' }),
				),
			]);
			expect(a.items[0].json.taskId).toBe(b.items[0].json.taskId);
			expect(b.items[0].json.replayed).toBe(true);
			expect(t.sim.counters.tasksCreated).toBe(1);
			expect(t.sim.log.some((r) => r.status === 409)).toBe(true);
		});
	});

	describe('retries', () => {
		it('honours Retry-After in seconds on 429 (measured on the simulator clock)', async () => {
			t.sim.inject({ route: 'submit', type: '429', retryAfter: '1' });
			const result = await probe('submit', { body: body() });
			expect(result.status).toBe('success');
			const submits = t.sim.log.filter((r) => r.route === 'submit');
			expect(submits.map((r) => r.status)).toEqual([429, 200]);
			expect(submits[1].t - submits[0].t).toBeGreaterThanOrEqual(950);
			expect(t.sim.counters.tasksCreated).toBe(1);
		});

		it('honours Retry-After as an HTTP-date on 503', async () => {
			const submitted = await probe('submit', { body: body() });
			// Built just before the read (not before the submit), 3 s ahead: after the date's whole-second
			// truncation it is still 2 s or more away, so the wait is at least 1 s even on a slow machine.
			const at = new Date(Date.now() + 3000).toUTCString();
			t.sim.inject({ route: 'get', type: '503', retryAfter: at });
			const result = await probe('get', { taskId: submitted.items[0].json.taskId });
			expect(result.status).toBe('success');
			const gets = t.sim.log.filter((r) => r.route === 'get');
			expect(gets.map((r) => r.status)).toEqual([503, 200]);
			expect(gets[1].t - gets[0].t).toBeGreaterThanOrEqual(900);
		});

		it('backs off exponentially without Retry-After and gives up after bounded retries', async () => {
			t.sim.inject({ route: 'submit', type: '503', count: Infinity });
			// 15.5 s of backoff: more than the harness's default 20 s leaves room for on a slow machine.
			const result = await probe('submit', { body: body() }, { timeoutMs: 35_000 });
			expect(result.error?.message).toMatch(/busy or unavailable; retries ran out/);
			const submits = t.sim.log.filter((r) => r.route === 'submit');
			expect(submits).toHaveLength(6);
			const gaps = submits.slice(1).map((r, i) => r.t - submits[i].t);
			expect(gaps[0]).toBeGreaterThanOrEqual(450);
			expect(gaps[1]).toBeGreaterThanOrEqual(950);
			expect(gaps[2]).toBeGreaterThanOrEqual(1950);
			expect(t.sim.counters.tasksCreated).toBe(0);
		}, 40_000);

		it('a connection reset after creation, with the key, yields exactly one task', async () => {
			t.sim.inject({ route: 'submit', type: 'reset-after' });
			const result = await probe('run', { body: body() });
			expect(result.status).toBe('success');
			expect(t.sim.counters.submits).toBe(2);
			expect(t.sim.counters.tasksCreated).toBe(1);
			expect(t.sim.counters.replays).toBe(1);
		});

		it('a connection reset before creation is retried into one task', async () => {
			t.sim.inject({ route: 'submit', type: 'reset-before' });
			const result = await probe('submit', { body: body() });
			expect(result.status).toBe('success');
			expect(t.sim.counters.tasksCreated).toBe(1);
		});

		it('a POST without an idempotency key is not retried and says the outcome is unknown', async () => {
			t.sim.inject({ route: 'submit', type: 'reset-after' });
			const result = await probe('postWithoutKey', { body: body() });
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/Could not confirm whether hiapi accepted the task/);
			expect(result.error?.description).toMatch(/not resubmitted/);
			expect(t.sim.counters.submits).toBe(1);
			expect(t.sim.counters.tasksCreated).toBe(1);
		});

		it('a gateway 502/504 is an unknown outcome: reads and keyed submits are retried, into one task', async () => {
			t.sim.inject({
				route: 'submit',
				type: 'status',
				status: 504,
				body: '<html>Gateway Timeout</html>',
			});
			const submitted = await probe('submit', { body: body() });
			expect(submitted.status).toBe('success');
			t.sim.inject({ route: 'get', type: 'status', status: 502, body: '<html>Bad Gateway</html>' });
			const result = await probe('get', { taskId: submitted.items[0].json.taskId });
			expect(result.status).toBe('success');
			expect(t.sim.log.filter((r) => r.route === 'submit').map((r) => r.status)).toEqual([
				504, 200,
			]);
			expect(t.sim.log.filter((r) => r.route === 'get').map((r) => r.status)).toEqual([502, 200]);
			expect(t.sim.counters.tasksCreated).toBe(1);
		});

		it('a gateway 502 on a POST without an idempotency key is not retried', async () => {
			t.sim.inject({
				route: 'submit',
				type: 'status',
				status: 502,
				body: '<html>Bad Gateway</html>',
			});
			const result = await probe('postWithoutKey', { body: body() });
			expect(result.status).toBe('error');
			expect(t.sim.counters.submits).toBe(1);
		});

		it('a malformed 2xx on submit is retried with the same key: one task', async () => {
			t.sim.inject({ route: 'submit', type: 'malformed' });
			const result = await probe('submit', { body: body() });
			expect(result.status).toBe('success');
			expect(result.items[0].json.replayed).toBe(true);
			expect(t.sim.counters.tasksCreated).toBe(1);
			const keys = new Set(
				t.sim.log.filter((r) => r.route === 'submit').map((r) => r.idempotencyKey),
			);
			expect(keys.size).toBe(1);
		});

		it('malformed JSON and resets on reads are retried', async () => {
			const submitted = await probe('submit', { body: body() });
			t.sim.inject({ route: 'get', type: 'malformed' });
			t.sim.inject({ route: 'get', type: 'reset-before' });
			const result = await probe('get', { taskId: submitted.items[0].json.taskId });
			expect(result.status).toBe('success');
			expect(t.sim.log.filter((r) => r.route === 'get')).toHaveLength(3);
		});

		it('slow answers still succeed', async () => {
			t.sim.inject({ route: 'submit', type: 'slow', ms: 700 });
			const result = await probe('submit', { body: body() });
			expect(result.status).toBe('success');
		});
	});

	describe('waiting', () => {
		it('times out on a task that never finishes, naming it, and never resubmits', async () => {
			t.sim.setBehavior(() => ({ never: true }));
			const result = await probe('run', { body: body(), intervalMs: 50, timeoutMs: 400 });
			expect(result.status).toBe('error');
			const taskId = [...t.sim.tasks.keys()][0];
			expect(result.error?.message).toContain(
				`Timed out waiting for hiapi to finish the task (task ID: ${taskId})`,
			);
			expect(result.error?.description).toMatch(/Get Task/);
			expect(t.sim.counters.submits).toBe(1);
		});

		it('stops polling at once when the execution is cancelled', async () => {
			t.sim.setBehavior(() => ({ never: true }));
			const result = await probe(
				'run',
				{ body: body(), intervalMs: 100, timeoutMs: 60_000 },
				{ cancelAfterMs: 450 },
			);
			expect(result.status).not.toBe('success');
			// A read already on the wire when the cancel came may still land; after that, nothing (polling would add one per 100 ms).
			await new Promise((r) => setTimeout(r, 150));
			const reads = t.sim.counters.getsTotal;
			// Polling had started, so silence after the cancel means something.
			expect(reads).toBeGreaterThan(0);
			expect(reads).toBeLessThanOrEqual(6);
			await new Promise((r) => setTimeout(r, 600));
			expect(t.sim.counters.getsTotal).toBe(reads);
		});
	});
});
