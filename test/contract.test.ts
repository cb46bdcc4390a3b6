// `bash run contract` (scripts/contract.js): it compares what hiapi serves with what the nodes
// assume, prints each difference, and falls back to the simulator when hiapi cannot be reached.
import { execFile } from 'node:child_process';
import * as path from 'node:path';

import { startSimulator } from './sim';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compare, comparePricing, nodeAssumptions } = require('../scripts/contract') as {
	compare: (t: { site: string; api: string; apiKey?: string }) => Promise<{
		checks: string[];
		diffs: string[];
	}>;
	comparePricing: (body: unknown, a: unknown) => string[];
	nodeAssumptions: () => Record<string, any>;
};

const SCRIPT = path.join(__dirname, '..', 'scripts', 'contract.js');
const FAST = { durations: { queued: 10, handling: 20, archiving: 10 } };

/** Runs the script as `bash run contract` does, with this environment; never throws. */
function runScript(env: Record<string, string>, args: string[] = []) {
	return new Promise<{ code: number; out: string }>((resolve) => {
		execFile(
			process.execPath,
			[SCRIPT, ...args],
			{ env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30000 },
			(err, stdout, stderr) => {
				const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
				resolve({ code, out: `${stdout}${stderr}` });
			},
		);
	});
}

/** What the nodes assume: GPT Image 2's from the node's own constants. */
const ASSUMED = nodeAssumptions();

describe('contract check', () => {
	it('finds no difference against the default simulator (what CI runs offline)', async () => {
		const sim = await startSimulator(FAST);
		try {
			const r = await compare({ site: sim.baseUrl, api: sim.baseUrl, apiKey: sim.apiKey });
			expect(r.diffs).toEqual([]);
			expect(r.checks).toContain('GET /v1/tasks?page=1&size=1 → 200');
			// Reads only: it never creates a task.
			expect(sim.counters.submits).toBe(0);
			expect(sim.counters.lists).toBe(1);
		} finally {
			await sim.stop();
		}
	});

	it('names each difference of an older hiapi: the reference field, ratios, default, rules', async () => {
		const sim = await startSimulator({ ...FAST, gptImage2Schema: 'legacy' });
		try {
			const { diffs } = await compare({ site: sim.baseUrl, api: sim.baseUrl });
			expect(diffs).toEqual(
				expect.arrayContaining([
					"gpt-image-2/image-to-image: no 'input_urls' field; the schema's reference field(s): image",
					'gpt-image-2/image-to-image: aspect_ratio differs: hiapi also has [], lacks [2:1 1:2 3:1 1:3 9:21]',
					`gpt-image-2/text-to-image: aspect_ratio default is "1:1"; nodes assume 'auto'`,
					'gpt-image-2/text-to-image: aspect_ratio 5:4 at 2K: hiapi accepts it; nodes refuse it',
					'gpt-image-2/text-to-image: background is []; nodes assume [auto opaque transparent]',
				]),
			);
			expect(sim.counters.submits).toBe(0);
		} finally {
			await sim.stop();
		}
	});

	it('flags price rows the estimate cannot read', () => {
		const body = {
			data: [
				{
					model_name: ASSUMED.gptImage2.t2i,
					base_usd_value: 0.03,
					factors: [],
					policies: [
						{ rule: { resolution: { match: '1K' } }, usd_value: 0.03 },
						{ rule: { resolution: { between: ['2K', '4K'] } }, pricing_type: 'tiered' },
					],
				},
				{ base_usd_value: 1 },
			],
		};
		expect(comparePricing(body, ASSUMED)).toEqual([
			`/api/pricing data[0] (${ASSUMED.gptImage2.t2i}) policies[1]: pricing_type "tiered" not understood`,
			`/api/pricing data[0] (${ASSUMED.gptImage2.t2i}) policies[1]: rule on 'resolution' uses between`,
			'/api/pricing data[1]: no model_name',
			`/api/pricing gpt-image-2/text-to-image: no price by resolution for 2K 4K`,
			`/api/pricing: no row for ${ASSUMED.gptImage2.i2i}`,
		]);
		expect(comparePricing({ models: [] }, ASSUMED)).toEqual(['/api/pricing: no `data` array']);
	});

	it('offline: says it could not reach hiapi, compares the simulator, exits 0', async () => {
		// Port 1 on loopback refuses at once: the same path as no network at all.
		const r = await runScript({ HIAPI_SITE_URL: 'http://127.0.0.1:1' });
		expect(r.out).toMatch(/^could not reach hiapi \(http:\/\/127\.0\.0\.1:1\/api\/pricing: /);
		expect(r.out).toContain('no differences from what the nodes assume');
		expect(r.code).toBe(0);
	});

	it('reached: prints the differences of the hiapi it reads and exits 1', async () => {
		const sim = await startSimulator({ ...FAST, gptImage2Schema: 'legacy' });
		try {
			const r = await runScript({ HIAPI_SITE_URL: sim.baseUrl });
			expect(r.out).toContain(`hiapi (${sim.baseUrl}):`);
			expect(r.out).toContain("- gpt-image-2/image-to-image: no 'input_urls' field");
			expect(r.out).not.toMatch(/could not reach/);
			expect(r.code).toBe(1);
		} finally {
			await sim.stop();
		}
	});
});
