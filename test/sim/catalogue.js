'use strict';

// The model catalogue the simulator serves at GET /docs/models.json (no auth), in the shape
// third-party clients of hiapi read (see hiapi-api.md, "Other models and the model catalogue"):
//   {models: [{id, title, category, capability, input: [{name, type, required, enum?, default?,
//              description?, minimum?, maximum?, items?, minItems?, maxItems?}], output?}]}
// Field types: string, integer, number, boolean, array, image, video, audio (a media reference:
// an http(s) URL or a data:<kind>/...;base64 URL). An `array` field says what it holds in
// `items`: `{type: 'string'|'image'|...}` for plain values, or `{type: 'object', input: [fields]}`
// for objects whose fields are described like top-level ones. `output` (the output types a
// success carries, in order) is a simulator extra: clients must not need it.
// Validation is by the models' JSON Schemas (schemas.js), which list at least these fields; a
// replaced catalogue decides which models run (plus gpt-image-2), and its models without a
// built-in schema get one made from their entry. This catalogue is optional, as on hiapi, where
// no hiapi client reads it (the `docsCatalogue: false` option answers 404).

const { GPT_RATIOS, GPT_RESOLUTIONS, GPT_BACKGROUNDS, LEGACY_RATIOS } = require('./schemas');

/**
 * gpt-image-2's catalogue entries, following the schema the simulator serves (schemas.js):
 * `input_urls` (1 to 16 images), hiapi's current ratios and `background`; or, `legacy`, the older
 * recipe's single `image` and ratio list.
 * @param {boolean} i2i @param {boolean} [legacy]
 */
const gptImage2 = (i2i, legacy = false) => ({
	id: `gpt-image-2/${i2i ? 'image-to-image' : 'text-to-image'}`,
	title: `GPT Image 2 ${i2i ? 'Image to Image' : 'Text to Image'}`,
	category: 'image',
	capability: i2i ? 'image-to-image' : 'text-to-image',
	input: [
		{ name: 'prompt', type: 'string', required: true, description: 'The whole instruction.' },
		...(!i2i
			? []
			: legacy
				? [
						{
							name: 'image',
							type: 'image',
							required: true,
							description: 'Reference image: an https URL or a data:image/...;base64 URL.',
						},
					]
				: [
						{
							name: 'input_urls',
							type: 'array',
							required: true,
							items: { type: 'image' },
							minItems: 1,
							maxItems: 16,
							description: 'Reference images, 1 to 16.',
						},
					]),
		{
			name: 'aspect_ratio',
			type: 'string',
			required: false,
			enum: [...(legacy ? LEGACY_RATIOS : GPT_RATIOS)],
			default: legacy ? '1:1' : 'auto',
		},
		{
			name: 'resolution',
			type: 'string',
			required: false,
			enum: [...GPT_RESOLUTIONS],
			default: '1K',
		},
		...(legacy
			? []
			: [
					{
						name: 'background',
						type: 'string',
						required: false,
						enum: [...GPT_BACKGROUNDS],
						description: 'Only at resolution 1K.',
					},
				]),
	],
	output: ['image'],
});

/** @template T @param {T} v @returns {T} */
function deepFreeze(v) {
	if (typeof v === 'object' && v !== null) {
		for (const x of Object.values(v)) deepFreeze(x);
		Object.freeze(v);
	}
	return v;
}

/** The catalogue served by default (frozen; each simulator serves a copy). */
const DEFAULT_CATALOGUE = deepFreeze({
	models: [
		gptImage2(false),
		gptImage2(true),
		{
			id: 'seedream-5.0-lite/text-to-image',
			title: 'Seedream 5.0 Lite Text to Image',
			category: 'image',
			capability: 'text-to-image',
			input: [
				{ name: 'prompt', type: 'string', required: true },
				{
					name: 'size',
					type: 'string',
					required: false,
					enum: ['1024x1024', '2048x2048', '1280x720', '720x1280', '1536x1024', '1024x1536'],
					default: '1024x1024',
					description: 'Width x height in pixels.',
				},
				{
					name: 'n',
					type: 'integer',
					required: false,
					minimum: 1,
					maximum: 4,
					default: 1,
					description: 'Number of images (outputs).',
				},
				{ name: 'seed', type: 'integer', required: false, minimum: 0, maximum: 2147483647 },
			],
			output: ['image'],
		},
		{
			id: 'Nano-Banana-2',
			title: 'Nano Banana 2',
			category: 'image',
			capability: 'image-to-image',
			input: [
				{ name: 'prompt', type: 'string', required: true },
				{
					name: 'image_urls',
					type: 'array',
					required: false,
					items: { type: 'image' },
					minItems: 1,
					maxItems: 4,
					description: 'Up to 4 reference images.',
				},
				{
					name: 'aspect_ratio',
					type: 'string',
					required: false,
					enum: ['1:1', '16:9', '9:16', '4:3', '3:4'],
					default: '1:1',
				},
			],
			output: ['image'],
		},
		{
			id: 'seedance-2.0',
			title: 'Seedance 2.0',
			category: 'video',
			capability: 'text-to-video',
			input: [
				{ name: 'prompt', type: 'string', required: true },
				{
					name: 'resolution',
					type: 'string',
					required: false,
					enum: ['480p', '720p', '1080p'],
					default: '720p',
				},
				{
					name: 'duration',
					type: 'integer',
					required: false,
					enum: [5, 10],
					default: 5,
					description: 'Seconds.',
				},
				{
					name: 'aspect_ratio',
					type: 'string',
					required: false,
					enum: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'],
					default: '16:9',
				},
				{ name: 'generate_audio', type: 'boolean', required: false, default: false },
			],
			output: ['video'],
		},
		{
			id: 'kling-3.0-turbo/image-to-video',
			title: 'Kling 3.0 Turbo Image to Video',
			category: 'video',
			capability: 'image-to-video',
			input: [
				{ name: 'prompt', type: 'string', required: true },
				{ name: 'image', type: 'image', required: true, description: 'First frame.' },
				{
					name: 'duration',
					type: 'integer',
					required: false,
					minimum: 3,
					maximum: 15,
					default: 5,
					description: 'Seconds.',
				},
				{ name: 'negative_prompt', type: 'string', required: false },
				{
					name: 'cfg_scale',
					type: 'number',
					required: false,
					minimum: 0,
					maximum: 1,
					default: 0.5,
				},
			],
			output: ['video', 'first_frame'],
		},
		{
			id: 'qwen-audio-3.0-tts-flash',
			title: 'Qwen Audio 3.0 TTS Flash',
			category: 'audio',
			capability: 'text-to-speech',
			input: [
				{ name: 'text', type: 'string', required: true },
				{
					name: 'voice',
					type: 'string',
					required: false,
					enum: ['Cherry', 'Ethan', 'Serena', 'Chelsie'],
					default: 'Cherry',
				},
				{ name: 'format', type: 'string', required: false, enum: ['wav', 'mp3'], default: 'wav' },
				{ name: 'rate', type: 'number', required: false, minimum: 0.5, maximum: 2, default: 1 },
				{ name: 'instruction', type: 'string', required: false },
			],
			output: ['audio'],
		},
		{
			id: 'minimax-music-2.6',
			title: 'MiniMax Music 2.6',
			category: 'audio',
			capability: 'text-to-music',
			input: [
				{
					name: 'prompt',
					type: 'string',
					required: true,
					description: 'Style, mood, instruments.',
				},
				{ name: 'lyrics', type: 'string', required: false },
				{
					name: 'reference_audio',
					type: 'audio',
					required: false,
					description: 'A song to follow.',
				},
			],
			output: ['audio'],
		},
		{
			id: 'elevenlabs/text-to-dialogue',
			title: 'ElevenLabs Text to Dialogue',
			category: 'audio',
			capability: 'text-to-dialogue',
			input: [
				{
					name: 'inputs',
					type: 'array',
					required: true,
					minItems: 1,
					maxItems: 10,
					items: {
						type: 'object',
						input: [
							{ name: 'text', type: 'string', required: true },
							{
								name: 'voice',
								type: 'string',
								required: true,
								enum: ['Aria', 'Roger', 'Sarah', 'Laura'],
							},
						],
					},
					description: 'The lines, in order: [{text, voice}].',
				},
				{
					name: 'stability',
					type: 'number',
					required: false,
					minimum: 0,
					maximum: 1,
					default: 0.5,
				},
			],
			output: ['audio'],
		},
		{
			id: 'gpt-5-mini',
			title: 'GPT-5 mini',
			category: 'text',
			capability: 'chat',
			input: [
				{ name: 'messages', type: 'array', required: true, items: { type: 'object', input: [] } },
			],
			output: [],
		},
		// Malformed on purpose (no id, input not an array): clients must skip it, not crash.
		{ title: 'Broken entry', category: 'video', input: 'prompt' },
	],
});

const CATEGORIES = ['image', 'video', 'audio', 'text'];
const FIELD_TYPES = [
	'string',
	'integer',
	'number',
	'boolean',
	'array',
	'image',
	'video',
	'audio',
	'object',
];

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * @typedef {object} FieldSpec
 * @property {string} name
 * @property {string} type one of FIELD_TYPES ('string' for unknown types, like a client would)
 * @property {boolean} required
 * @property {unknown[]} [enum]
 * @property {unknown} [default]
 * @property {number} [minimum]
 * @property {number} [maximum]
 * @property {number} [minItems]
 * @property {number} [maxItems]
 * @property {{type: string, fields?: FieldSpec[]}} [items]
 */

/**
 * @typedef {object} ModelSpec
 * @property {string} id
 * @property {string} category image | video | audio | text
 * @property {FieldSpec[]} fields
 * @property {string[]} output output types on success, in order
 */

/** @param {unknown} raw @returns {FieldSpec[] | undefined} undefined when not a usable field list */
function compileFields(raw) {
	if (!Array.isArray(raw)) return undefined;
	/** @type {FieldSpec[]} */
	const fields = [];
	for (const f of raw) {
		if (!isObject(f) || typeof f.name !== 'string' || f.name === '') continue;
		const type = FIELD_TYPES.includes(f.type) ? f.type : 'string';
		/** @type {FieldSpec} */
		const spec = { name: f.name, type, required: f.required === true };
		if (Array.isArray(f.enum)) spec.enum = f.enum;
		if (f.default !== undefined) spec.default = f.default;
		for (const k of /** @type {const} */ (['minimum', 'maximum', 'minItems', 'maxItems'])) {
			if (typeof f[k] === 'number') spec[k] = f[k];
		}
		if (type === 'array') {
			const items = isObject(f.items) ? f.items : {};
			const itemType = FIELD_TYPES.includes(items.type) ? items.type : 'string';
			spec.items = { type: itemType };
			if (itemType === 'object') spec.items.fields = compileFields(items.input) ?? [];
		}
		fields.push(spec);
	}
	return fields;
}

/**
 * The models a served catalogue defines, keyed by id; entries without an id, with an unknown
 * category or without an input array are skipped, as clients are told to.
 * @param {unknown} catalogue
 * @returns {Map<string, ModelSpec>}
 */
function compileCatalogue(catalogue) {
	/** @type {Map<string, ModelSpec>} */
	const models = new Map();
	const list = isObject(catalogue) && Array.isArray(catalogue.models) ? catalogue.models : [];
	for (const m of list) {
		if (!isObject(m) || typeof m.id !== 'string' || m.id === '') continue;
		if (!CATEGORIES.includes(m.category)) continue;
		const fields = compileFields(m.input);
		if (!fields) continue;
		const fallback = m.category === 'text' ? [] : [m.category];
		const output =
			Array.isArray(m.output) && m.output.every((t) => typeof t === 'string') ? m.output : fallback;
		models.set(m.id, { id: m.id, category: m.category, fields, output });
	}
	return models;
}

/**
 * The default catalogue for a gpt-image-2 schema choice: DEFAULT_CATALOGUE itself, or a copy
 * whose gpt-image-2 entries are the legacy ones.
 * @param {'current' | 'legacy'} gptImage2Schema
 */
function defaultCatalogueFor(gptImage2Schema) {
	if (gptImage2Schema !== 'legacy') return structuredClone(DEFAULT_CATALOGUE);
	const c = structuredClone(DEFAULT_CATALOGUE);
	c.models = c.models.map((/** @type {any} */ m) =>
		m.id === 'gpt-image-2/text-to-image'
			? gptImage2(false, true)
			: m.id === 'gpt-image-2/image-to-image'
				? gptImage2(true, true)
				: m,
	);
	return c;
}

module.exports = {
	DEFAULT_CATALOGUE,
	defaultCatalogueFor,
	compileCatalogue,
	CATEGORIES,
	FIELD_TYPES,
};
