import {
	priceFor,
	pricedModels,
	readPriceRows,
	type PriceRow,
} from '../../nodes/shared/catalogue/pricing';

/**
 * A price list in the shape hiapi serves at /api/pricing (`data[]` rows with `model_name`,
 * `base_usd_value`, `factors`, `policies[].rule.<field>.match|with`, `usd_value`, `pricing_type`),
 * written for this test; the prices are ours.
 */
const rows: PriceRow[] = readPriceRows({
	data: [
		{
			model_name: 'demo-image/text-to-image',
			base_usd_value: 0.05,
			base_display_unit: { en: 'per image' },
			policies: [
				{ rule: { resolution: { match: '1K' } }, usd_value: 0.05 },
				{ rule: { resolution: { match: '2K' } }, usd_value: 0.08 },
				{ rule: { resolution: { match: '4K' } }, pricing_type: 'fixed', usd_value: 0.12 },
			],
		},
		{
			model_name: 'demo-video',
			base_usd_value: 0.1,
			factors: ['duration'],
			policies: [
				{ rule: { resolution: { match: ['480p', '720p'] } }, usd_value: 0.1 },
				{ rule: { resolution: { match: '720p' }, sound: { match: true } }, usd_value: 0.143 },
				{ rule: { resolution: { match: '1080p' } }, pricing_type: 'multiply', pricing_value: 2 },
				{ rule: { reference_video_urls: { with: true } }, usd_value: 0.25 },
			],
		},
		{ model_name: 'demo-video@ext', base_usd_value: 0.3, factors: ['duration_seconds'] },
		{
			model_name: 'demo-odd',
			base_usd_value: 0.1,
			policies: [{ rule: { n: { min: 2 } }, usd_value: 1 }],
		},
		{ model_name: 'demo-frames', base_usd_value: 0.1, factors: ['frames'] },
		{ model_name: 'demo-batch', base_usd_value: 0.025, factors: ['n'] },
		{ model_name: 'demo-quota', policies: [{ rule: {}, pricing_type: 'fixed', usd_value: null }] },
		{ model_name: 'demo-free', base_usd_value: 0 },
		{ model_name: 'demo-chat', model_type: 'Chat', base_usd_value: 1 },
		{ base_usd_value: 1 },
		'not a row',
	],
});

describe("hiapi's price list", () => {
	it('reads rows defensively; routed variants are routes of one bare model', () => {
		expect(rows.map((r) => r.name)).toEqual([
			'demo-image/text-to-image',
			'demo-video',
			'demo-video@ext',
			'demo-odd',
			'demo-frames',
			'demo-batch',
			'demo-quota',
			'demo-free',
			'demo-chat',
		]);
		expect(rows[0].unit).toBe('per image');
		expect(rows.find((r) => r.name === 'demo-chat')?.kind).toBe('chat');
		expect(pricedModels(rows).slice(0, 2)).toEqual([
			{ id: 'demo-image/text-to-image', routes: [] },
			{ id: 'demo-video', routes: ['ext'] },
		]);
		expect(readPriceRows('nonsense')).toEqual([]);
		expect(readPriceRows({ data: {} })).toEqual([]);
	});

	it('a matching policy prices the task; no match falls back to the base price', () => {
		expect(priceFor(rows, 'demo-image/text-to-image', undefined, { resolution: '2K' })).toEqual({
			usd: 0.08,
			rule: 'demo-image/text-to-image, resolution 2K: $0.08 per task',
		});
		expect(priceFor(rows, 'demo-image/text-to-image', undefined, { resolution: '4K' })?.usd).toBe(
			0.12,
		);
		expect(priceFor(rows, 'demo-image/text-to-image', undefined, {})).toEqual({
			usd: 0.05,
			rule: 'demo-image/text-to-image, base price: $0.05 per task',
		});
	});

	it('per-second prices times the duration; the most specific match wins; list matches; multiply; with', () => {
		expect(
			priceFor(rows, 'demo-video', undefined, { resolution: '720p', sound: true, duration: 4 }),
		).toEqual({
			usd: 0.572,
			rule: 'demo-video, resolution 720p, sound true: $0.143 × 4 s',
		});
		expect(priceFor(rows, 'demo-video', undefined, { resolution: '480p', duration: 5 })?.usd).toBe(
			0.5,
		);
		expect(priceFor(rows, 'demo-video', undefined, { resolution: '1080p', duration: 5 })?.usd).toBe(
			1,
		);
		expect(
			priceFor(rows, 'demo-video', undefined, {
				resolution: '1080p',
				reference_video_urls: ['https://v.example/a.mp4'],
				duration: 5,
			}),
		).toMatchObject({ usd: 1.25 }); // two one-condition rules tie: the higher price counts
		expect(priceFor(rows, 'demo-video', 'default', { duration: 2 })?.usd).toBe(0.2);
	});

	it('a factor multiplies by its input field', () => {
		expect(priceFor(rows, 'demo-batch', undefined, { n: 4 })).toEqual({
			usd: 0.1,
			rule: 'demo-batch, base price: $0.025 × n 4',
		});
		expect(priceFor(rows, 'demo-batch', undefined, { n: 0 })).toBeUndefined();
	});

	it('a route reads its own row, never the bare model', () => {
		expect(priceFor(rows, 'demo-video', 'ext', { duration: 2 })).toEqual({
			usd: 0.6,
			rule: 'demo-video@ext, base price: $0.3 × 2 s',
		});
		expect(priceFor(rows, 'demo-image/text-to-image', 'ext', {})).toBeUndefined();
	});

	it('no estimate rather than a guess', () => {
		expect(priceFor(rows, 'unknown-model', undefined, {})).toBeUndefined();
		expect(priceFor(rows, 'demo-video', undefined, { resolution: '720p' })).toBeUndefined(); // no duration
		expect(priceFor(rows, 'demo-odd', undefined, {})).toBeUndefined(); // unknown condition
		expect(priceFor(rows, 'demo-frames', undefined, {})).toBeUndefined(); // a factor the input lacks
		expect(priceFor(rows, 'demo-quota', undefined, {})).toBeUndefined(); // no USD value
		expect(priceFor(rows, 'demo-free', undefined, {})).toBeUndefined(); // a zero price
	});
});
