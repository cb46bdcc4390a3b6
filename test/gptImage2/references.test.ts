import type { IDataObject } from 'n8n-workflow';

import { forgetSchemas } from '../../nodes/shared/catalogue/schema';
import type { Harness } from '../harness';
import { GPT, harnessFor, useSimulator, type SimOptions } from '../support/env';
import { makePng } from '../support/images';

/**
 * GPT Image 2 version 2 against the simulator's hiapi-shaped schemas: references go where the
 * served schema says (`input_urls` today, `image` in the older shape), and the ratio, resolution and
 * background rules are checked before anything is sent.
 */
describe('GPT Image 2 v2: references and hiapi’s current rules', () => {
	const t = useSimulator();
	const fast = { pollInterval: 0.1 };
	const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://ref.example/${i}.png`);
	/** Different bytes per file, so order and content can both be checked. */
	const pngs = (n: number) => Array.from({ length: n }, (_, i) => makePng(8 + i, 8));
	const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
	const withFiles = (files: Buffer[], prefix = 'ref_') => ({
		json: {},
		binary: Object.fromEntries(
			files.map((data, i) => [`${prefix}${i}`, { data, mimeType: 'image/png' }]),
		),
	});

	/** A harness whose credential reads the simulator's schemas (or, `schemas: false`, finds none). */
	let withSchemas: Harness;
	let noSchemas: Harness;
	beforeAll(() => {
		withSchemas = harnessFor(t.sim, { modelSchemaUrl: `${t.sim.baseUrl}/api/models/content` });
		noSchemas = harnessFor(t.sim, { modelSchemaUrl: `${t.sim.baseUrl}/no-such-schema` });
	});
	afterAll(async () => {
		await withSchemas.stop();
		await noSchemas.stop();
	});

	const i2i = (extra: IDataObject): IDataObject => ({
		operation: 'imageToImage',
		prompt: 'combine these',
		options: fast,
		...extra,
	});
	const sent = () => [...t.sim.tasks.values()].map((task) => task.input);

	describe.each([
		['with the served schema', () => withSchemas, true],
		['without a schema (the facts table)', () => noSchemas, false],
	])('%s', (_name, harness, fromSchema) => {
		it.each([1, 3, 16])('sends %i URL reference(s) as input_urls, in order', async (n) => {
			const result = await harness().runNode({
				type: GPT,
				parameters: i2i({ imageUrls: urls(n) }),
			});
			expect(result.error?.message).toBeUndefined();
			expect(result.status).toBe('success');
			expect(sent()).toEqual([
				{ prompt: 'combine these', aspect_ratio: 'auto', resolution: '1K', input_urls: urls(n) },
			]);
		});

		it.each([1, 3, 16])('sends %i binary reference(s) as data URLs in input_urls', async (n) => {
			const files = pngs(n);
			const names = files.map((_, i) => `ref_${i}`).join(', ');
			const result = await harness().runNode({
				type: GPT,
				parameters: i2i({ imageSource: 'binary', binaryPropertyName: names }),
				input: [withFiles(files)],
			});
			expect(result.status).toBe('success');
			expect(sent()[0].input_urls).toEqual(files.map(dataUrl));
		});

		it('URLs and files together: the URLs first, then the files, order kept', async () => {
			const files = pngs(2);
			const result = await harness().runNode({
				type: GPT,
				parameters: i2i({
					imageSource: 'both',
					imageUrls: ['https://ref.example/a.png', '={{ $json.more }}'],
					binaryPropertyName: 'ref_1,ref_0',
				}),
				input: [{ ...withFiles(files), json: { more: ['https://ref.example/b.png'] } }],
			});
			expect(result.status).toBe('success');
			expect(sent()[0].input_urls).toEqual([
				'https://ref.example/a.png',
				'https://ref.example/b.png',
				dataUrl(files[1]),
				dataUrl(files[0]),
			]);
		});

		it('17 references are refused before anything is sent, naming the field, item and limit', async () => {
			const result = await harness().runNode({
				type: GPT,
				parameters: i2i({ imageSource: 'both', imageUrls: urls(16), binaryPropertyName: 'ref_0' }),
				input: [withFiles(pngs(1))],
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				"Image URLs / Input Binary Fields: 17 reference images, over the limit of 16 for hiapi's 'input_urls' (item 0)",
			);
			expect(t.sim.counters.submits).toBe(0);
		});

		it('3:1 at 1K is sent', async () => {
			const result = await harness().runNode({
				type: GPT,
				parameters: { operation: 'textToImage', prompt: 'wide', aspectRatio: '3:1', options: fast },
			});
			expect(result.status).toBe('success');
			expect(sent()).toEqual([{ prompt: 'wide', aspect_ratio: '3:1', resolution: '1K' }]);
		});

		it('background at 1K is sent', async () => {
			const result = await harness().runNode({
				type: GPT,
				parameters: {
					operation: 'textToImage',
					prompt: 'logo',
					aspectRatio: '1:1',
					background: 'transparent',
					options: fast,
				},
			});
			expect(result.status).toBe('success');
			expect(sent()[0]).toMatchObject({ background: 'transparent', resolution: '1K' });
		});

		it.each([
			['3:1 at 2K', { aspectRatio: '3:1', resolution: '2K' }, /aspect_ratio|Aspect Ratio/],
			['auto at 4K', { resolution: '4K' }, /aspect_ratio|Aspect Ratio/],
			[
				'background at 2K (resolution from an expression)',
				{ aspectRatio: '16:9', resolution: '={{ "2K" }}', background: 'opaque' },
				/background|Background/,
			],
		])('%s is refused before anything is sent, naming the fields', async (_case, fields, named) => {
			const result = await harness().runNode({
				type: GPT,
				parameters: { operation: 'textToImage', prompt: 'p', ...fields, options: fast },
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(named);
			expect(result.error?.message).toMatch(/resolution|Resolution/);
			expect(result.error?.message).toMatch(/\(item 0\)/);
			// The schema's own if/then rules name hiapi's fields too; the facts table says it in the node's words.
			expect(result.error?.message).toMatch(
				fromSchema
					? /\((aspect_ratio|background), resolution\)|\(resolution, aspect_ratio\)/
					: /^(Aspect Ratio|Background) and Resolution: /,
			);
			expect(result.error?.description).toMatch(/Use one of|use one of|Set Background/);
			expect(t.sim.counters.submits).toBe(0);
		});
	});

	it('no reference at all is refused before anything is sent', async () => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: i2i({ imageSource: 'both', imageUrls: [], binaryPropertyName: '' }),
		});
		expect(result.error?.message).toBe(
			'Image URLs / Input Binary Fields: gives no reference image (item 0)',
		);
		expect(t.sim.counters.submits).toBe(0);
	});

	it.each([
		['input_urls', '{"input_urls": ["https://x.example/a.png"]}'],
		['image', '{"image": "https://x.example/a.png"}'],
		['background', '{"background": "opaque"}'],
		['aspect_ratio', '{"aspect_ratio": "1:1"}'],
	])('Additional Input may not set %s', async (field, json) => {
		const result = await t.h.runNode({
			type: GPT,
			parameters: i2i({ imageUrls: urls(1), options: { ...fast, additionalInput: json } }),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			`Additional Input: sets '${field}', which the node already sets (item 0)`,
		);
		expect(t.sim.counters.submits).toBe(0);
	});

	it("each item carries its estimate from hiapi's price list; Max Estimated Cost refuses an over-budget run with 0 tasks", async () => {
		const priced = harnessFor(t.sim, {
			modelSchemaUrl: `${t.sim.baseUrl}/api/models/content`,
			pricingUrl: `${t.sim.baseUrl}/api/pricing`,
		});
		try {
			const ok = await priced.runNode({
				type: GPT,
				parameters: i2i({ imageUrls: urls(2), aspectRatio: '16:9', resolution: '2K' }),
			});
			expect(ok.status).toBe('success');
			// The simulator prices gpt-image-2/image-to-image at $0.06 at 2K.
			expect(ok.items[0].json.estimatedUsd).toBe(0.06);
			expect(String(ok.items[0].json.estimateRule)).toMatch(/2K/);

			const before = t.sim.counters.submits;
			const over = await priced.runNode({
				type: GPT,
				parameters: i2i({ imageUrls: urls(1), options: { ...fast, maxEstimatedCostUsd: 0.1 } }),
				input: [{ json: {} }, { json: {} }, { json: {} }],
			});
			expect(over.status).toBe('error');
			expect(over.error?.message).toMatch(/0\.12/);
			expect(t.sim.counters.submits).toBe(before);
		} finally {
			await priced.stop();
		}
	});

	describe('when hiapi still serves the older schema (a single image)', () => {
		const legacy: SimOptions = { gptImage2Schema: 'legacy' };
		// The node keeps a schema for a few minutes, as it would from hiapi: this simulator changed it.
		beforeEach(forgetSchemas);
		afterAll(forgetSchemas);

		it('one reference is sent as input.image, a string', async () => {
			await t.reconfigure(legacy);
			const result = await withSchemas.runNode({
				type: GPT,
				parameters: i2i({ imageUrls: urls(1), aspectRatio: '1:1' }),
			});
			expect(result.status).toBe('success');
			expect(sent()).toEqual([
				{ prompt: 'combine these', aspect_ratio: '1:1', resolution: '1K', image: urls(1)[0] },
			]);
		});

		it('without a readable schema: input_urls refused by hiapi (400, no task), sent once more as image', async () => {
			await t.reconfigure(legacy);
			const result = await noSchemas.runNode({
				type: GPT,
				parameters: i2i({ imageUrls: urls(1), aspectRatio: '1:1' }),
			});
			expect(result.error?.message).toBeUndefined();
			expect(result.status).toBe('success');
			// Two requests, one task: the first was refused naming input_urls, the second taken.
			expect(t.sim.counters.submits).toBe(2);
			expect(sent()).toEqual([
				{ prompt: 'combine these', aspect_ratio: '1:1', resolution: '1K', image: urls(1)[0] },
			]);
			expect(result.items[0].json.taskId).toBe([...t.sim.tasks.keys()][0]);
		});

		it('without a readable schema, several references have no older shape: hiapi refuses, once', async () => {
			await t.reconfigure(legacy);
			const result = await noSchemas.runNode({
				type: GPT,
				parameters: i2i({ imageUrls: urls(2), aspectRatio: '1:1' }),
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/input_urls/);
			expect(t.sim.counters.submits).toBe(1);
			expect(t.sim.tasks.size).toBe(0);
		});

		it('two references are refused before anything is sent: that schema takes one', async () => {
			await t.reconfigure(legacy);
			const result = await withSchemas.runNode({
				type: GPT,
				parameters: i2i({ imageUrls: urls(2), aspectRatio: '1:1' }),
			});
			expect(result.error?.message).toBe(
				"Image URLs / Input Binary Fields: 2 reference images, over the limit of 1 for hiapi's 'image' (item 0)",
			);
			expect(t.sim.counters.submits).toBe(0);
		});
	});
});
