// The simulator speaks hiapi's own shapes (issue 21): /api/pricing, /api/models/content, every
// submit checked against the schema it serves, gpt-image-2's current inputs and rules, status
// aliases, typeless outputs and a per-key in-flight limit.
import { startSimulator } from './sim';

type Sim = Awaited<ReturnType<typeof startSimulator>>;
const T2I = 'gpt-image-2/text-to-image';
const I2I = 'gpt-image-2/image-to-image';
const FAST = { durations: { queued: 10, handling: 40, archiving: 10 } };
const URL_A = 'https://example.com/a.png';
const PNG_DATA = `data:image/png;base64,${Buffer.alloc(64).toString('base64')}`;

const getJson = async (url: string, headers: Record<string, string> = {}) => {
	const r = await fetch(url, { headers });
	const text = await r.text();
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {}
	return { status: r.status, headers: r.headers, json };
};

const submit = async (sim: Sim, body: unknown, key = sim.apiKey) => {
	const r = await fetch(`${sim.baseUrl}/v1/tasks`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: r.status, headers: r.headers, json: (await r.json()) as any };
};

const settle = async (sim: Sim, id: string) => {
	await sim.waitFor((s) => s.tasks.get(id)!.settleAt <= s.now(), 20000);
	return sim.task(id);
};

/** The estimate rules the README documents (as hiapi's clients apply them). */
function estimate(row: any, input: Record<string, unknown>): number {
	const has = (v: unknown) =>
		Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== '' && v !== false;
	const matches = (p: any) =>
		Object.entries(p.rule ?? {}).every(([field, c]: [string, any]) => {
			if ('match' in c && ![c.match].flat().includes(input[field])) return false;
			if ('with' in c && has(input[field]) !== Boolean(c.with)) return false;
			return true;
		});
	const hits = (row.policies ?? []).filter(matches);
	const top = Math.max(0, ...hits.map((p: any) => Object.keys(p.rule).length));
	const prices = hits
		.filter((p: any) => Object.keys(p.rule).length === top)
		.map((p: any) => (p.pricing_type === 'multiply' ? row.base_usd_value * p.times : p.usd_value));
	const unit = prices.length ? Math.max(...prices) : row.base_usd_value;
	return row.factors.reduce((u: number, f: string) => u * Number(input[f] ?? 1), unit);
}

describe("simulator: hiapi's shapes", () => {
	let sim: Sim;
	beforeAll(async () => {
		sim = await startSimulator(FAST);
	});
	afterAll(() => sim.stop());
	beforeEach(() => sim.reset());

	describe('GET /api/pricing', () => {
		it('lists every model the simulator runs, routed variants and a chat model, without auth', async () => {
			const r = await getJson(sim.pricingUrl);
			expect(r.status).toBe(200);
			const names = r.json.data.map((row: any) => row.model_name);
			expect(names).toEqual(expect.arrayContaining([...sim.modelIds, `${I2I}@ext`, 'gpt-5-mini']));
			expect(names).toHaveLength(sim.modelIds.length + 1);
			for (const row of r.json.data) {
				expect(row).toEqual({
					model_name: expect.any(String),
					base_usd_value: expect.any(Number),
					base_display_unit: { en: expect.any(String) },
					factors: expect.any(Array),
					policies: expect.any(Array),
				});
			}
			expect(sim.counters.pricingGets).toBe(1);
		});

		it('prices gpt-image-2 per resolution, seedance per second, routes by quality', async () => {
			const rows = (await getJson(sim.pricingUrl)).json.data;
			const row = (name: string) => rows.find((x: any) => x.model_name === name);
			expect(row(T2I).policies).toContainEqual({
				name: 'resolution=2K',
				rule: { resolution: { match: '2K' } },
				pricing_type: 'fixed',
				usd_value: 0.05,
			});
			expect(estimate(row(T2I), { resolution: '4K' })).toBe(0.08);
			// An omitted field matches no rule: the base price, which is the default (1K) one.
			expect(estimate(row(T2I), {})).toBe(row(T2I).base_usd_value);
			expect(estimate(row(I2I), { resolution: '2K' })).toBe(0.06);
			expect(estimate(row('seedance-2.0'), { resolution: '1080p', duration: 10 })).toBeCloseTo(1.5);
			// The more specific rule (resolution and reference videos) wins.
			expect(
				estimate(row('seedance-2.0'), {
					resolution: '720p',
					duration: 10,
					reference_video_urls: [URL_A],
				}),
			).toBeCloseTo(1.2);
			expect(estimate(row(`${I2I}@ext`), { quality: 'high' })).toBeCloseTo(0.06);
			expect(estimate(row(`${I2I}@ext`), { quality: 'low' })).toBe(0.01);
		});

		it('can serve another body, and takes faults', async () => {
			sim.setPricing('not json');
			expect((await getJson(sim.pricingUrl)).json).toBeUndefined();
			sim.setPricing(undefined);
			sim.inject({ route: 'pricing', type: 'status', status: 503 });
			expect((await getJson(sim.pricingUrl)).status).toBe(503);
			expect((await getJson(sim.pricingUrl)).status).toBe(200);
		});
	});

	describe('GET /api/models/content', () => {
		it("serves gpt-image-2's current schema: input_urls 1-16, 16 ratios, background, if/then", async () => {
			const r = await getJson(sim.schemaUrl(I2I));
			expect(r.status).toBe(200);
			const s = r.json.data.input_schema;
			expect(s).toMatchObject({
				$schema: 'https://json-schema.org/draft/2020-12/schema',
				type: 'object',
				additionalProperties: false,
				required: ['prompt', 'input_urls', 'model'],
			});
			expect(s.properties.model).toMatchObject({ enum: [I2I] });
			expect(s.properties.input_urls).toMatchObject({
				type: 'array',
				items: { type: 'string', format: 'uri' },
				minItems: 1,
				maxItems: 16,
			});
			expect(s.properties.aspect_ratio.enum).toEqual(
				'auto 1:1 3:2 2:3 4:3 3:4 5:4 4:5 16:9 9:16 21:9 2:1 1:2 3:1 1:3 9:21'.split(' '),
			);
			expect(s.properties.aspect_ratio.default).toBe('auto');
			expect(s.properties.resolution.enum).toEqual(['1K', '2K', '4K']);
			expect(s.properties.background.enum).toEqual(['auto', 'opaque', 'transparent']);
			expect(s.allOf).toContainEqual({
				if: {
					properties: { background: { enum: ['auto', 'opaque', 'transparent'] } },
					required: ['background'],
				},
				then: { properties: { resolution: { enum: ['1K'] } } },
			});
			expect(sim.counters.schemaGets).toBe(1);
		});

		it('serves every model it runs; a route with a schema of its own; 404 in the error shape', async () => {
			for (const id of sim.modelIds) {
				const r = await getJson(sim.schemaUrl(id));
				expect([id, r.status]).toEqual([id, 200]);
				expect(r.json.data.input_schema.properties.model.enum).toEqual([id]);
			}
			const ext = (await getJson(sim.schemaUrl(`${I2I}@ext`))).json.data.input_schema;
			expect(ext.properties.image_urls).toMatchObject({ minItems: 1, maxItems: 6 });
			expect(ext.properties.input_urls).toBeUndefined();
			const missing = await getJson(sim.schemaUrl('no-such-model'));
			expect(missing.status).toBe(404);
			expect(missing.json).toEqual({
				error_code: 'not_found',
				message: 'Model not found: no-such-model',
			});
			expect((await getJson(sim.schemaUrl(`${T2I}@nowhere`))).status).toBe(404);
			expect((await getJson(`${sim.baseUrl}/api/models/content`)).status).toBe(400);
		});
	});

	describe('every submit is checked against the schema served for it', () => {
		const i2i = (input: Record<string, unknown>) => ({
			model: I2I,
			input: { prompt: 'p', input_urls: [URL_A], ...input },
		});
		it.each([
			[
				i2i({ input_urls: undefined, image: URL_A }),
				"input: additional properties not allowed: 'image'",
			],
			[i2i({ input_urls: [] }), 'input.input_urls must have at least 1 item(s); got 0'],
			[
				i2i({ input_urls: Array(17).fill(URL_A) }),
				'input.input_urls must have at most 16 item(s); got 17',
			],
			[
				i2i({ aspect_ratio: '3:1', resolution: '2K' }),
				'input.aspect_ratio must be one of 1:1, 3:2, 2:3, 4:3, 3:4, 16:9, 9:16, 21:9, 2:1, 1:2; got "3:1" (when input.resolution is "2K")',
			],
			[
				i2i({ aspect_ratio: '1:1', resolution: '4K' }),
				'input.aspect_ratio must be one of 3:2, 2:3, 4:3, 3:4, 5:4, 4:5, 16:9, 9:16, 21:9, 2:1, 1:2; got "1:1" (when input.resolution is "4K")',
			],
			[
				{
					model: T2I,
					input: { prompt: 'p', background: 'transparent', resolution: '2K', aspect_ratio: '16:9' },
				},
				'input.resolution must be one of 1K; got "2K" (when input.background is "transparent")',
			],
			[
				{ model: T2I, input: { prompt: 'p', aspect_ratio: 'auto', resolution: '4K' } },
				'input.resolution must be one of 1K; got "4K" (when input.aspect_ratio is "auto")',
			],
			[
				{ model: T2I, input: { prompt: 'p', model: T2I } },
				'input.model is not an input: the model goes at the top level of the request',
			],
			[{ model: T2I, input: { prompt: '' } }, 'input.prompt must be a non-empty string'],
			[
				{ model: T2I, input: { prompt: 'p' }, storage: 'forever' },
				'storage must be one of temp, persistent; got "forever"',
			],
			[
				{ model: I2I, route: 'ext', input: { prompt: 'p', input_urls: [URL_A] } },
				"input: additional properties not allowed: 'input_urls'",
			],
			[
				{ model: 'minimax-music-2.6', input: { prompt: 'p', bpm: 120 } },
				'input.bpm must be a string; got 120',
			],
		])('400 %j', async (body, message) => {
			const r = await submit(sim, body);
			expect(r.json).toEqual({ error_code: 'INVALID_REQUEST', message });
			expect(r.status).toBe(400);
			expect(sim.counters.tasksCreated).toBe(0);
		});

		it('takes 1 and 16 references (URLs and data URLs), 3:1 at 1K, background at 1K, storage', async () => {
			for (const body of [
				i2i({ aspect_ratio: '3:1', resolution: '1K', background: 'transparent' }),
				i2i({ input_urls: Array(16).fill(PNG_DATA), aspect_ratio: '5:4', resolution: '4K' }),
				{ model: I2I, route: 'ext', input: { prompt: 'p', image_urls: [URL_A], quality: 'high' } },
				{ model: 'minimax-music-2.6', input: { prompt: 'p', bpm: '120', seed: '7' } },
				{ model: 'seedance-2.0', input: { prompt: 'p', first_frame_url: URL_A, duration: 15 } },
			]) {
				const r = await submit(sim, body);
				expect([r.status, r.json.message]).toEqual([200, 'success']);
			}
			const r = await submit(sim, { model: T2I, input: { prompt: 'keep' }, storage: 'persistent' });
			const task = await settle(sim, r.json.data.taskId);
			expect(task.storage).toBe('persistent');
			expect(sim.tasks.get(task.taskId)!.input).toEqual({
				prompt: 'keep',
				aspect_ratio: 'auto',
				resolution: '1K',
			});
		});

		it('a model only a replaced catalogue lists gets a schema made from its entry', async () => {
			sim.setCatalogue({
				models: [
					{
						id: 'x-tts',
						category: 'audio',
						input: [{ name: 'text', type: 'string', required: true }],
					},
				],
			});
			const s = (await getJson(sim.schemaUrl('x-tts'))).json.data.input_schema;
			expect(s).toMatchObject({ additionalProperties: false, required: ['text', 'model'] });
			expect(
				(await submit(sim, { model: 'x-tts', input: { text: 'hi', speed: 2 } })).json.message,
			).toBe("input: additional properties not allowed: 'speed'");
			expect((await submit(sim, { model: 'x-tts', input: { text: 'hi' } })).status).toBe(200);
		});
	});

	describe('statuses and outputs', () => {
		it.each([
			['cancelled', 'TASK_CANCELLED'],
			['canceled', 'TASK_CANCELLED'],
			['failed', 'TASK_FAILED'],
			['error', 'TASK_FAILED'],
		])('a task can end %s: a failure, with its error and no output', async (name, code) => {
			sim.setBehavior(() => ({ terminalStatus: name }));
			const r = await submit(sim, { model: T2I, input: { prompt: 'p' } });
			const task = await settle(sim, r.json.data.taskId);
			expect(task).toMatchObject({ status: name, output: [], error: { code } });
		});

		it.each(['succeeded', 'completed'])('a task can end %s, with its outputs', async (name) => {
			sim.setBehavior(() => ({ terminalStatus: name }));
			const r = await submit(sim, { model: T2I, input: { prompt: 'p' } });
			const task = await settle(sim, r.json.data.taskId);
			expect(task.status).toBe(name);
			expect(task.output).toHaveLength(1);
			expect((await fetch(task.output[0].url)).status).toBe(200);
		});

		it('the terminalStatus option renames every settled task; omitOutputType drops `type`', async () => {
			const other = await startSimulator({
				...FAST,
				terminalStatus: { success: 'completed', fail: 'failed' },
				omitOutputType: true,
			});
			try {
				const ok = await submit(other, { model: 'seedance-2.0', input: { prompt: 'p' } });
				const bad = await submit(other, { model: T2I, input: { prompt: 'FAILME' } });
				const done = await settle(other, ok.json.data.taskId);
				expect(done.status).toBe('completed');
				expect(Object.keys(done.output[0]).sort()).toEqual(['expireAt', 'url']);
				const cdn = await fetch(done.output[0].url);
				expect(cdn.headers.get('content-type')).toBe('video/mp4');
				expect((await settle(other, bad.json.data.taskId)).status).toBe('failed');
			} finally {
				await other.stop();
			}
		});
	});

	describe('rate limit: maxInFlightPerKey', () => {
		it('answers 429 with Retry-After beyond N unsettled tasks of a key, creating nothing', async () => {
			const limited = await startSimulator({
				durations: { queued: 100, handling: 1500, archiving: 100 },
				keys: ['sk-a', 'sk-b'],
				maxInFlightPerKey: 2,
			});
			try {
				const body = { model: T2I, input: { prompt: 'p' } };
				const first = await submit(limited, body, 'sk-a');
				await submit(limited, body, 'sk-a');
				const third = await submit(limited, body, 'sk-a');
				expect(third.status).toBe(429);
				expect(third.json.error_code).toBe('rate_limited');
				expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
				expect((await submit(limited, body, 'sk-b')).status).toBe(200);
				expect(limited.counters.tasksCreated).toBe(3);
				expect(limited.counters.rateLimited).toBe(1);
				await settle(limited, first.json.data.taskId);
				expect((await submit(limited, body, 'sk-a')).status).toBe(200);
			} finally {
				await limited.stop();
			}
		});
	});
});

describe('simulator options for older and partial hiapi', () => {
	it("gptImage2Schema 'legacy': the single `image` field and the older ratios", async () => {
		const sim = await startSimulator({ ...FAST, gptImage2Schema: 'legacy' });
		try {
			const s = (await getJson(sim.schemaUrl(I2I))).json.data.input_schema;
			expect(s.required).toEqual(['prompt', 'image', 'model']);
			expect(s.properties.input_urls).toBeUndefined();
			const ok = await submit(sim, { model: I2I, input: { prompt: 'p', image: URL_A } });
			expect(ok.status).toBe(200);
			const bad = await submit(sim, { model: I2I, input: { prompt: 'p', input_urls: [URL_A] } });
			expect(bad.json.message).toBe("input: additional properties not allowed: 'input_urls'");
			const doc = (await getJson(sim.catalogUrl)).json.models.find((m: any) => m.id === I2I);
			expect(doc.input.map((f: any) => f.name)).toEqual([
				'prompt',
				'image',
				'aspect_ratio',
				'resolution',
			]);
		} finally {
			await sim.stop();
		}
	});

	it('docsCatalogue false: /docs/models.json is 404; schemas, prices and submits still work', async () => {
		const sim = await startSimulator({ ...FAST, docsCatalogue: false });
		try {
			const docs = await getJson(sim.catalogUrl);
			expect(docs.status).toBe(404);
			expect(docs.json.error_code).toBe('not_found');
			expect((await getJson(sim.pricingUrl)).status).toBe(200);
			expect((await getJson(sim.schemaUrl('seedance-2.0'))).status).toBe(200);
			const r = await submit(sim, { model: 'seedance-2.0', input: { prompt: 'p' } });
			expect(r.status).toBe(200);
		} finally {
			await sim.stop();
		}
	});
});
