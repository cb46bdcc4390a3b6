'use strict';

// The price list the simulator serves at GET /api/pricing (no auth), in the shape hiapi's own
// clients read (hiapi-api.md, "What hiapi's own clients say"):
//   {data: [{model_name, base_usd_value, base_display_unit: {en}, factors: [input field],
//            policies: [{name, rule: {<input field>: {match: value | [values], with?: boolean}},
//                        pricing_type: 'fixed' | 'multiply', usd_value | times}]}]}
// A routed variant is its own row, `<id>@<route>`. The figures are made up for tests; the
// matching rules they are written for are in README.md ("Prices").

/** @typedef {{name?: string, rule: Record<string, {match?: unknown, with?: boolean}>, pricing_type: string, usd_value?: number, times?: number}} Policy */
/** @typedef {{base_usd_value: number, unit: string, factors?: string[], policies?: Policy[]}} Price */

/** @param {string} field @param {Record<string, number>} byValue @returns {Policy[]} */
const fixedBy = (field, byValue) =>
	Object.entries(byValue).map(([value, usd]) => ({
		name: `${field}=${value}`,
		rule: { [field]: { match: value } },
		pricing_type: 'fixed',
		usd_value: usd,
	}));

/** @type {Record<string, Price>} */
const PRICES = {
	// Per image, by resolution. An omitted resolution matches no policy: the base is the 1K price.
	'gpt-image-2/text-to-image': {
		base_usd_value: 0.03,
		unit: 'per output image',
		policies: fixedBy('resolution', { '1K': 0.03, '2K': 0.05, '4K': 0.08 }),
	},
	'gpt-image-2/image-to-image': {
		base_usd_value: 0.04,
		unit: 'per output image',
		policies: fixedBy('resolution', { '1K': 0.04, '2K': 0.06, '4K': 0.09 }),
	},
	'gpt-image-2/image-to-image@ext': {
		base_usd_value: 0.02,
		unit: 'per output image',
		policies: [
			{
				name: 'LOW',
				rule: { quality: { match: ['low'] } },
				pricing_type: 'fixed',
				usd_value: 0.01,
			},
			{ name: 'HIGH', rule: { quality: { match: 'high' } }, pricing_type: 'multiply', times: 3 },
		],
	},
	'seedream-5.0-lite/text-to-image': {
		base_usd_value: 0.025,
		unit: 'per output image',
		factors: ['n'],
	},
	'Nano-Banana-2': { base_usd_value: 0.039, unit: 'per output image' },
	// Per second of video: the price of the most specific matching policy × duration.
	'seedance-2.0': {
		base_usd_value: 0.08,
		unit: 'per second',
		factors: ['duration'],
		policies: [
			...fixedBy('resolution', { '480p': 0.05, '720p': 0.08, '1080p': 0.15, '4k': 0.3 }),
			{
				name: '720p with reference videos',
				rule: { resolution: { match: '720p' }, reference_video_urls: { with: true } },
				pricing_type: 'fixed',
				usd_value: 0.12,
			},
		],
	},
	'kling-3.0-turbo/image-to-video': {
		base_usd_value: 0.07,
		unit: 'per second',
		factors: ['duration'],
	},
	'qwen-audio-3.0-tts-flash': { base_usd_value: 0.002, unit: 'per request' },
	'minimax-music-2.6': { base_usd_value: 0.035, unit: 'per song' },
	'elevenlabs/text-to-dialogue': { base_usd_value: 0.01, unit: 'per request' },
	// A chat model: priced by tokens, which no task input carries (nodes leave such models out).
	'gpt-5-mini': {
		base_usd_value: 0.25,
		unit: 'per 1M input tokens',
		factors: ['input_tokens', 'output_tokens'],
	},
};

/** A price for a model known only from a replaced catalogue. */
const FALLBACK = { base_usd_value: 0.01, unit: 'per request' };

/** @param {string} name @param {Price} p */
function row(name, p) {
	return {
		model_name: name,
		base_usd_value: p.base_usd_value,
		base_display_unit: { en: p.unit },
		factors: [...(p.factors ?? [])],
		policies: structuredClone(p.policies ?? []),
	};
}

/**
 * One row per model the sim runs and per route with a schema of its own (`id@route`).
 * @param {import('./schemas').SimModel[]} models
 * @param {Record<string, Price>} [overrides] by model name
 */
function priceRows(models, overrides = {}) {
	const prices = { ...PRICES, ...overrides };
	const rows = [];
	for (const m of models) {
		rows.push(row(m.id, prices[m.id] ?? FALLBACK));
		for (const route of Object.keys(m.routes)) {
			const name = `${m.id}@${route}`;
			rows.push(row(name, prices[name] ?? prices[m.id] ?? FALLBACK));
		}
	}
	return { data: rows };
}

module.exports = { priceRows, PRICES };
