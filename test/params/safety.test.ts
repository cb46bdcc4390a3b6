/**
 * No setting or input can switch a check off (issue 23): every number option is a number in range
 * or refused by name, a Callback Token goes only to this n8n, and one Idempotency Key is never
 * shared by several items. Each case runs the real node against the simulator.
 */

import { forgetCatalogues } from '../../nodes/shared/catalogue/fetch';
import { BASE_URL } from '../harness';
import { GPT, HIAPI, harnessFor, useSimulator } from '../support/env';
import { makePng } from '../support/images';

describe('number options are numbers in range, or refused by name', () => {
	const t = useSimulator();
	const t2i = { operation: 'textToImage', prompt: 'a kite' };

	it.each([
		['Concurrency', { concurrency: '={{ Number("many") }}' }, /^Concurrency: NaN is not a number/],
		['Concurrency', { concurrency: 0 }, /^Concurrency: 0 is out of range/],
		['Concurrency', { concurrency: '={{ 2.5 }}' }, /^Concurrency: 2.5 is not a whole number/],
		['Timeout', { timeout: -5 }, /^Timeout \(Seconds\): -5 is out of range/],
		['Timeout', { timeout: '={{ Infinity }}' }, /^Timeout \(Seconds\): Infinity is not a number/],
		['Poll Interval', { pollInterval: 1e9 }, /^Poll Interval \(Seconds\): 1000000000 is out/],
		['Poll Interval', { pollInterval: '={{ 0/0 }}' }, /^Poll Interval \(Seconds\): NaN/],
		['Max Output Size', { maxOutputMb: '={{ Number("2 GB") }}' }, /^Max Output Size \(MB\): NaN/],
		['Max Output Size', { maxOutputMb: -1 }, /^Max Output Size \(MB\): -1 is out of range/],
	])('%s %j is refused before anything is sent', async (_name, options, message) => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: { ...t2i, options },
			input: [{ json: {} }],
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toMatch(message);
		expect(r.error?.description).toMatch(/^Give a (whole )?number from/);
		expect(t.sim.counters.submits).toBe(0);
	});

	it('0 still means "automatic" for Timeout and Poll Interval', async () => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: { ...t2i, options: { timeout: 0, pollInterval: 0 } },
			input: [{ json: {} }],
		});
		expect(r.status).toBe('success');
	});

	const png = makePng(8, 8);
	const withImage = (v: string) => ({
		json: { v },
		binary: { data: { data: png, mimeType: 'image/png' } },
	});

	it('Max Inline Image Size that evaluates to NaN is refused naming the option and the item (it meant no limit)', async () => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'imageToImage',
				prompt: 'ok',
				imageSource: 'binary',
				binaryPropertyName: 'data',
				options: { maxInlineImageMb: '={{ $json.v === "ok" ? 3 : Number($json.v) }}' },
			},
			input: [withImage('ok'), withImage('lots')],
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toBe('Max Inline Image Size (MB): NaN is not a number (item 1)');
		expect(r.error?.context?.itemIndex).toBe(1);
		expect(t.sim.counters.submits).toBe(0);
	});

	it('Max Inline File Size that evaluates to Infinity is refused (it meant no limit)', async () => {
		forgetCatalogues();
		const r = await t.h.runNode({
			type: HIAPI,
			parameters: {
				model: { __rl: true, mode: 'id', value: 'kling-3.0-turbo/image-to-video' },
				inputMode: 'json',
				inputJson: '{"prompt": "zoom out"}',
				files: { file: [{ field: 'image', binaryProperties: 'data' }] },
				options: { maxInlineFileMb: '={{ Infinity }}' },
			},
			input: [withImage('ok')],
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toBe('Max Inline File Size (MB): Infinity is not a number (item 0)');
		expect(t.sim.counters.submits).toBe(0);
	});
});

describe('one Idempotency Key on several items is refused before anything is sent', () => {
	const t = useSimulator();

	it.each([
		['the same prompt', '={{ "kite" }}'],
		['different prompts', '={{ $json.p }}'],
	])('with %s: 0 tasks, the items named', async (_name, prompt) => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt,
				options: { idempotencyKey: 'order-42' },
			},
			input: [{ json: { p: 'a' } }, { json: { p: 'b' } }, { json: { p: 'c' } }],
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toBe(
			"Idempotency Key: items 0, 1 and 2 share the key 'order-42'; nothing was sent",
		);
		expect(r.error?.description).toMatch(/its own key/);
		expect(t.sim.counters.submits).toBe(0);
	});

	it('with Continue On Fail, the items sharing a key become error items and the others run', async () => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: 'a kite',
				options: { idempotencyKey: '={{ $json.k }}', pollInterval: 0.5 },
			},
			input: [{ json: { k: 'a' } }, { json: { k: 'dup' } }, { json: { k: 'dup' } }],
			continueOnFail: true,
		});
		expect(r.status).toBe('success');
		expect(r.items[0].json.status).toBe('success');
		for (const item of [r.items[1], r.items[2]]) {
			expect(item.json.error).toEqual({
				message: "Idempotency Key: items 1 and 2 share the key 'dup'; nothing was sent",
				status: 'not submitted',
			});
		}
		expect(t.sim.counters.submits).toBe(1);
	});

	it('distinct keys per item still run', async () => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: {
				operation: 'textToImage',
				prompt: 'a kite',
				completion: 'callback',
				callbackUrl: `${BASE_URL}/webhook/abc/hiapi`,
				options: { idempotencyKey: '={{ $json.k }}' },
			},
			input: [{ json: { k: 'a' } }, { json: { k: 'b' } }],
		});
		expect(r.status).toBe('success');
		expect(t.sim.counters.submits).toBe(2);
	});
});

describe('the Callback Token goes only to this n8n', () => {
	const TOKEN = 'tok-only-for-this-n8n-51e0';
	const t = useSimulator();

	const submit = async (callbackUrl: string) => {
		const h = harnessFor(t.sim, { callbackToken: TOKEN });
		try {
			const r = await h.runNode({
				type: GPT,
				parameters: {
					operation: 'textToImage',
					prompt: 'a kite',
					completion: 'callback',
					callbackUrl,
				},
				input: [{ json: {} }],
			});
			expect(r.status).toBe('success');
			const task = t.sim.tasks.get(String(r.items[0].json.taskId));
			return new URL(String(task?.callback?.url));
		} finally {
			await h.stop();
		}
	};

	it.each([
		['another host', 'https://hooks.example.org/webhook/abc/hiapi'],
		['another port of this host', 'http://127.0.0.1:5679/webhook/abc/hiapi'],
		['a look-alike host name', 'http://127.0.0.1.example.org:5678/webhook/abc/hiapi'],
	])('not to %s', async (_name, url) => {
		const sent = await submit(url);
		expect(sent.searchParams.has('token')).toBe(false);
		expect(sent.toString()).not.toContain(TOKEN);
	});

	it("to this n8n's own webhook URL (the origin of its webhooks)", async () => {
		const sent = await submit(`${BASE_URL}/webhook/abc/hiapi`);
		expect(sent.searchParams.get('token')).toBe(TOKEN);
	});
});
