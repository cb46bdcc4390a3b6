'use strict';

// The input schemas the simulator serves at GET /api/models/content?name=<id> and validates every
// submit against: JSON Schema 2020-12 in the shape hiapi's own clients read from hiapi
// (hiapi-api.md, "What hiapi's own clients say"): `type: object`, `additionalProperties: false`,
// `properties` with type/enum/default/title/description/lengths/ranges, URL lists as
// `items: {type: string, format: uri}` with min/max items, `required` naming `model` (a one-value
// enum the task body's top-level model satisfies), and `allOf` if/then rules. The contents are
// written here from the facts listed in hiapi-api.md, not copied from hiapi.
//
// Beside each schema the simulator keeps what a schema does not say (SimModel): the category,
// the output types of a success, and which URL fields hold which media kind (for data: URLs).

const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** gpt-image-2's ratios as hiapi's gpt-image-2 client 0.4.x lists them; `auto` is the default. */
const GPT_RATIOS = [
	'auto',
	'1:1',
	'3:2',
	'2:3',
	'4:3',
	'3:4',
	'5:4',
	'4:5',
	'16:9',
	'9:16',
	'21:9',
	'2:1',
	'1:2',
	'3:1',
	'1:3',
	'9:21',
];
/** Ratios hiapi's client says are unavailable at a resolution (default route). */
const GPT_UNAVAILABLE = {
	'2K': ['5:4', '4:5', '3:1', '1:3', '9:21'],
	'4K': ['1:1', '3:1', '1:3', '9:21'],
};
const GPT_RESOLUTIONS = ['1K', '2K', '4K'];
const GPT_BACKGROUNDS = ['auto', 'opaque', 'transparent'];
/** The older recipe's list (the `legacy` schema). */
const LEGACY_RATIOS = [
	'1:1',
	'3:2',
	'2:3',
	'4:3',
	'3:4',
	'5:4',
	'4:5',
	'16:9',
	'9:16',
	'21:9',
	'auto',
];

/**
 * @typedef {object} SimModel
 * @property {string} id bare model id
 * @property {string} category image | video | audio | text
 * @property {string[]} output output types of a success, in order (the first is the "main" one)
 * @property {Record<string, string>} media URL field (or list field) → media kind of its data: URLs
 * @property {Record<string, any>} schema the input schema of the default route
 * @property {Record<string, Record<string, any>>} routes schemas of other routes, by route name
 * @property {boolean} [docs] whether the default /docs/models.json lists it (all but routed extras)
 */

/** A one-value `model` property, as hiapi's schemas carry it. @param {string} name */
const modelProp = (name) => ({
	type: 'string',
	description: 'Model name',
	enum: [name],
	default: name,
});

/** @param {string} description @param {number} [min] @param {number} [max] */
const urlList = (description, min, max) => ({
	type: 'array',
	description,
	items: { type: 'string', format: 'uri' },
	...(min !== undefined ? { minItems: min } : {}),
	...(max !== undefined ? { maxItems: max } : {}),
});

/** @param {string} description */
const url = (description) => ({ type: 'string', format: 'uri', description });

/** @param {string} description @param {number} [maxLength] */
const prompt = (description, maxLength = 8000) => ({
	type: 'string',
	title: 'Prompt',
	description,
	minLength: 1,
	maxLength,
});

/**
 * A whole schema for model `name`.
 * @param {string} name schema name (`id` or `id@route`)
 * @param {Record<string, any>} properties
 * @param {string[]} required besides `model`
 * @param {any[]} [allOf]
 */
function objectSchema(name, properties, required, allOf) {
	return {
		$schema: SCHEMA_DIALECT,
		type: 'object',
		additionalProperties: false,
		properties: { model: modelProp(name), ...properties },
		required: [...required, 'model'],
		...(allOf && allOf.length ? { allOf } : {}),
	};
}

/** `if field is one of values, then other is one of allowed`, hiapi's conditional shape. */
function when(
	/** @type {string} */ field,
	/** @type {string[]} */ values,
	/** @type {string} */ other,
	/** @type {string[]} */ allowed,
) {
	return {
		if: { properties: { [field]: { enum: values } }, required: [field] },
		then: { properties: { [other]: { enum: allowed } } },
	};
}

/** gpt-image-2's rules as hiapi's client states them (0.4.1): auto at 1K only, 2K/4K exclusions, background at 1K. */
function gptRules() {
	return [
		when('aspect_ratio', ['auto'], 'resolution', ['1K']),
		...Object.entries(GPT_UNAVAILABLE).map(([res, out]) =>
			when(
				'resolution',
				[res],
				'aspect_ratio',
				GPT_RATIOS.filter((r) => r !== 'auto' && !out.includes(r)),
			),
		),
		when('background', GPT_BACKGROUNDS, 'resolution', ['1K']),
	];
}

/** @param {string} name @param {boolean} i2i */
function gptImage2Schema(name, i2i) {
	return objectSchema(
		name,
		{
			prompt: prompt(
				i2i ? 'How to change or combine the reference images.' : 'The image to generate.',
			),
			...(i2i
				? {
						input_urls: {
							...urlList('Reference images, 1 to 16: https URLs or data:image URLs.', 1, 16),
							title: 'Reference Images',
						},
					}
				: {}),
			aspect_ratio: {
				type: 'string',
				title: 'Aspect Ratio',
				description: 'auto only at 1K; some ratios are unavailable at 2K and 4K.',
				enum: [...GPT_RATIOS],
				default: 'auto',
			},
			resolution: {
				type: 'string',
				title: 'Resolution',
				enum: [...GPT_RESOLUTIONS],
				default: '1K',
			},
			background: {
				type: 'string',
				title: 'Background',
				description: 'Only at resolution 1K.',
				enum: [...GPT_BACKGROUNDS],
			},
		},
		i2i ? ['prompt', 'input_urls'] : ['prompt'],
		gptRules(),
	);
}

/** The older shape: a single `image`, the recipe's ratio list, no background, no rules. */
function gptImage2LegacySchema(/** @type {string} */ name, /** @type {boolean} */ i2i) {
	return objectSchema(
		name,
		{
			prompt: prompt('The whole instruction.'),
			...(i2i ? { image: url('Reference image: an https URL or a data:image URL.') } : {}),
			aspect_ratio: { type: 'string', enum: [...LEGACY_RATIOS], default: '1:1' },
			resolution: { type: 'string', enum: [...GPT_RESOLUTIONS], default: '1K' },
		},
		i2i ? ['prompt', 'image'] : ['prompt'],
	);
}

/** The `ext` route of image-to-image: another reference field, 1 to 6, and a quality tier. */
function gptImage2ExtSchema(/** @type {string} */ name) {
	return objectSchema(
		name,
		{
			prompt: prompt('How to change or combine the reference images.'),
			image_urls: urlList('Reference images, 1 to 6.', 1, 6),
			aspect_ratio: {
				type: 'string',
				enum: ['1:1', '3:2', '2:3', '16:9', '9:16', 'auto'],
				default: 'auto',
			},
			quality: { type: 'string', enum: ['low', 'medium', 'high'], default: 'medium' },
		},
		['prompt', 'image_urls'],
	);
}

/**
 * The models the simulator runs by default.
 * @param {{gptImage2Schema?: 'current' | 'legacy'}} [opts]
 * @returns {SimModel[]}
 */
function builtinModels(opts = {}) {
	const legacy = opts.gptImage2Schema === 'legacy';
	const T2I = 'gpt-image-2/text-to-image';
	const I2I = 'gpt-image-2/image-to-image';
	const gpt = legacy ? gptImage2LegacySchema : gptImage2Schema;
	return [
		{
			id: T2I,
			category: 'image',
			output: ['image'],
			media: {},
			schema: gpt(T2I, false),
			routes: {},
		},
		{
			id: I2I,
			category: 'image',
			output: ['image'],
			media: legacy ? { image: 'image' } : { input_urls: 'image' },
			schema: gpt(I2I, true),
			routes: { ext: gptImage2ExtSchema(`${I2I}@ext`) },
		},
		{
			id: 'seedream-5.0-lite/text-to-image',
			category: 'image',
			output: ['image'],
			media: {},
			schema: objectSchema(
				'seedream-5.0-lite/text-to-image',
				{
					prompt: prompt('The image to generate.'),
					size: {
						type: 'string',
						description: 'Width x height in pixels.',
						enum: ['1024x1024', '2048x2048', '1280x720', '720x1280', '1536x1024', '1024x1536'],
						default: '1024x1024',
					},
					n: {
						type: 'integer',
						description: 'Number of images (outputs).',
						minimum: 1,
						maximum: 4,
						default: 1,
					},
					seed: { type: 'integer', minimum: 0, maximum: 2147483647 },
				},
				['prompt'],
			),
			routes: {},
		},
		{
			id: 'Nano-Banana-2',
			category: 'image',
			output: ['image'],
			media: { image_urls: 'image' },
			schema: objectSchema(
				'Nano-Banana-2',
				{
					prompt: prompt('The image to generate or the change to make.'),
					image_urls: urlList('Up to 4 reference images.', 1, 4),
					aspect_ratio: {
						type: 'string',
						enum: ['1:1', '16:9', '9:16', '4:3', '3:4'],
						default: '1:1',
					},
				},
				['prompt'],
			),
			routes: {},
		},
		{
			id: 'seedance-2.0',
			category: 'video',
			output: ['video'],
			media: {
				first_frame_url: 'image',
				last_frame_url: 'image',
				reference_image_urls: 'image',
				reference_video_urls: 'video',
				reference_audio_urls: 'audio',
			},
			schema: objectSchema(
				'seedance-2.0',
				{
					prompt: prompt('Subject, motion, camera, mood and sound.'),
					first_frame_url: url('First frame image.'),
					last_frame_url: url('Last frame image; needs first_frame_url.'),
					reference_image_urls: urlList('Reference images, at most 9.', 1, 9),
					reference_video_urls: urlList('Reference videos, at most 3 (URLs).', 1, 3),
					reference_audio_urls: urlList('Reference audio clips, at most 3.', 1, 3),
					resolution: {
						type: 'string',
						enum: ['480p', '720p', '1080p', '4k'],
						default: '720p',
					},
					duration: {
						type: 'integer',
						description: 'Seconds.',
						minimum: 4,
						maximum: 15,
						default: 5,
					},
					aspect_ratio: {
						type: 'string',
						enum: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', 'adaptive'],
						default: '16:9',
					},
					generate_audio: { type: 'boolean', default: true },
					return_last_frame: { type: 'boolean', default: false },
					seed: { type: 'integer', minimum: 0, maximum: 2147483647 },
				},
				['prompt'],
				[
					{
						if: { required: ['last_frame_url'] },
						then: { required: ['first_frame_url'] },
					},
				],
			),
			routes: {},
		},
		{
			id: 'kling-3.0-turbo/image-to-video',
			category: 'video',
			output: ['video', 'first_frame'],
			media: { image: 'image' },
			schema: objectSchema(
				'kling-3.0-turbo/image-to-video',
				{
					prompt: prompt('The motion to make.'),
					image: url('First frame.'),
					duration: {
						type: 'integer',
						description: 'Seconds.',
						minimum: 3,
						maximum: 15,
						default: 5,
					},
					negative_prompt: { type: 'string', maxLength: 2500 },
					cfg_scale: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
				},
				['prompt', 'image'],
			),
			routes: {},
		},
		{
			id: 'qwen-audio-3.0-tts-flash',
			category: 'audio',
			output: ['audio'],
			media: {},
			schema: objectSchema(
				'qwen-audio-3.0-tts-flash',
				{
					text: { type: 'string', title: 'Text', minLength: 1, maxLength: 10000 },
					voice: {
						type: 'string',
						enum: ['Cherry', 'Ethan', 'Serena', 'Chelsie'],
						default: 'Cherry',
					},
					format: { type: 'string', enum: ['wav', 'mp3'], default: 'wav' },
					rate: { type: 'number', minimum: 0.5, maximum: 2, default: 1 },
					instruction: { type: 'string', maxLength: 1000 },
				},
				['text'],
			),
			routes: {},
		},
		{
			id: 'minimax-music-2.6',
			category: 'audio',
			output: ['audio'],
			media: { reference_audio: 'audio' },
			schema: objectSchema(
				'minimax-music-2.6',
				{
					prompt: prompt('Style, mood, instruments.', 2000),
					lyrics: { type: 'string', maxLength: 3500 },
					reference_audio: url('A song to follow.'),
					// Numbers as strings, as hiapi's music models take them: follow the type.
					bpm: { type: 'string', description: 'Beats per minute, e.g. "120".', maxLength: 3 },
					seed: { type: 'string', description: 'A seed, as a string.', maxLength: 10 },
				},
				['prompt'],
			),
			routes: {},
		},
		{
			id: 'elevenlabs/text-to-dialogue',
			category: 'audio',
			output: ['audio'],
			media: {},
			schema: objectSchema(
				'elevenlabs/text-to-dialogue',
				{
					inputs: {
						type: 'array',
						description: 'The lines, in order: [{text, voice}].',
						minItems: 1,
						maxItems: 10,
						items: {
							type: 'object',
							additionalProperties: false,
							properties: {
								text: { type: 'string', minLength: 1 },
								voice: { type: 'string', enum: ['Aria', 'Roger', 'Sarah', 'Laura'] },
							},
							required: ['text', 'voice'],
						},
					},
					stability: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
				},
				['inputs'],
			),
			routes: {},
		},
		{
			id: 'gpt-5-mini',
			category: 'text',
			output: [],
			media: {},
			schema: objectSchema(
				'gpt-5-mini',
				{ messages: { type: 'array', minItems: 1, items: { type: 'object' } } },
				['messages'],
			),
			routes: {},
		},
	];
}

/** Catalogue field type → JSON Schema, for models known only from a served catalogue. */
const PLAIN = ['string', 'integer', 'number', 'boolean'];

/**
 * A schema for a model the sim runs only because a replaced catalogue lists it, so that it too
 * is validated by schema and served at /api/models/content.
 * @param {import('./catalogue').ModelSpec} spec @returns {SimModel}
 */
function fromCatalogueEntry(spec) {
	/** @type {Record<string, string>} */
	const media = {};
	/** @param {import('./catalogue').FieldSpec | {type: string, fields?: any[]}} f @param {string} [name] */
	const prop = (f, name) => {
		const t = f.type;
		if (['image', 'video', 'audio'].includes(t)) {
			if (name) media[name] = t;
			return { type: 'string', format: 'uri' };
		}
		if (t === 'object') return objectOf(/** @type {any} */ (f).fields ?? []);
		const s = /** @type {import('./catalogue').FieldSpec} */ (f);
		/** @type {Record<string, any>} */
		const out = { type: PLAIN.includes(t) || t === 'array' ? t : 'string' };
		if (t === 'array') {
			const items = s.items ?? { type: 'string' };
			if (['image', 'video', 'audio'].includes(items.type) && name) media[name] = items.type;
			out.items = prop(items);
		}
		for (const k of /** @type {const} */ ([
			'enum',
			'default',
			'minimum',
			'maximum',
			'minItems',
			'maxItems',
		])) {
			if (s[k] !== undefined) out[k] = s[k];
		}
		return out;
	};
	/** @param {import('./catalogue').FieldSpec[]} fields */
	const objectOf = (fields) => ({
		type: 'object',
		additionalProperties: false,
		properties: Object.fromEntries(fields.map((f) => [f.name, prop(f)])),
		required: fields.filter((f) => f.required).map((f) => f.name),
	});
	const properties = Object.fromEntries(spec.fields.map((f) => [f.name, prop(f, f.name)]));
	return {
		id: spec.id,
		category: spec.category,
		output: spec.output,
		media,
		schema: objectSchema(
			spec.id,
			properties,
			spec.fields.filter((f) => f.required).map((f) => f.name),
		),
		routes: {},
	};
}

module.exports = {
	builtinModels,
	fromCatalogueEntry,
	GPT_RATIOS,
	GPT_UNAVAILABLE,
	GPT_RESOLUTIONS,
	GPT_BACKGROUNDS,
	LEGACY_RATIOS,
	SCHEMA_DIALECT,
};
