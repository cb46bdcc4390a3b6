import {
	checkAgainstSchema,
	coerceToSchema,
	withSchemaDefaults,
} from '../../nodes/shared/catalogue/jsonSchema';
import { inputSchemaOf, readSchema, type JsonSchema } from '../../nodes/shared/catalogue/schema';

/**
 * An image-to-image schema in the shape hiapi serves at /api/models/content (JSON Schema 2020-12:
 * a one-value `model`, `additionalProperties: false`, URL lists with item counts, an allOf if/then),
 * written for this test; the values are ours.
 */
const imageSchema: JsonSchema = readSchema({
	$schema: 'https://json-schema.org/draft/2020-12/schema',
	type: 'object',
	additionalProperties: false,
	required: ['prompt', 'input_urls', 'model'],
	properties: {
		model: {
			type: 'string',
			enum: ['demo-image/image-to-image'],
			default: 'demo-image/image-to-image',
		},
		prompt: { type: 'string', title: 'Prompt', minLength: 1, maxLength: 20 },
		input_urls: {
			type: 'array',
			title: 'Reference Images',
			items: { type: 'string', format: 'uri' },
			minItems: 1,
			maxItems: 3,
		},
		resolution: { type: 'string', enum: ['1K', '2K', '4K'], default: '1K' },
		background: { type: 'string', enum: ['auto', 'opaque', 'transparent'] },
		seed: { type: 'integer', minimum: 0, maximum: 100 },
		strength: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
		watermark: { type: 'boolean' },
		code: { type: 'string', pattern: '^[a-z]+$' },
		mode: { const: 'fast' },
		camera: {
			type: 'object',
			additionalProperties: false,
			properties: { zoom: { type: 'number' } },
			required: ['zoom'],
		},
	},
	allOf: [
		{
			if: {
				properties: { background: { enum: ['auto', 'opaque', 'transparent'] } },
				required: ['background'],
			},
			then: { properties: { resolution: { enum: ['1K'] } } },
		},
	],
})!;

const good = { prompt: 'a kite', input_urls: ['https://x.example/a.png'] };
const check = (extra: Record<string, unknown>, base: Record<string, unknown> = good) =>
	checkAgainstSchema(imageSchema, { ...base, ...extra }, { model: 'demo-image/image-to-image' });

describe('the JSON Schema validator, keyword by keyword', () => {
	it('accepts a valid input; the required one-value `model` is met by the task, never sent in input', () => {
		expect(check({})).toBeUndefined();
		expect(check({ model: 'demo-image/image-to-image' })).toMatchObject({
			fields: ['model'],
			problem: 'does not go inside the input',
		});
	});

	it('required', () => {
		expect(check({}, { input_urls: ['https://x.example/a.png'] })).toEqual({
			fields: ['prompt'],
			problem: 'is required',
			valid: 'Give text of 1 to 20 characters.',
		});
	});

	it('additionalProperties: false names the unknown field and the inputs there are', () => {
		expect(check({ size: '1K' })).toEqual({
			fields: ['size'],
			problem: "is not an input of the model 'demo-image/image-to-image'",
			valid:
				'Its inputs are: prompt, input_urls, resolution, background, seed, strength, watermark, code, mode, camera.',
		});
		// Without additionalProperties: false, hiapi may know more: unknown fields pass.
		expect(
			checkAgainstSchema({ type: 'object', properties: { a: { type: 'string' } } }, { b: 1 }),
		).toBeUndefined();
	});

	it('enum and const', () => {
		expect(check({ resolution: '8K' })).toEqual({
			fields: ['resolution'],
			problem: "'8K' is not supported",
			valid: 'Use one of: 1K, 2K, 4K.',
		});
		expect(check({ mode: 'slow' })).toEqual({
			fields: ['mode'],
			problem: "'slow' is not allowed",
			valid: "Use 'fast'.",
		});
		expect(check({ mode: 'fast' })).toBeUndefined();
	});

	it('type: integer, number, boolean, string, object, array', () => {
		expect(check({ seed: 1.5 })).toMatchObject({
			fields: ['seed'],
			problem: '1.5 is not a whole number',
		});
		expect(check({ strength: 'x' })).toMatchObject({ problem: "'x' is not a number" });
		expect(check({ watermark: 'yes' })).toMatchObject({ problem: "'yes' is not true or false" });
		expect(check({ prompt: 5 })).toMatchObject({ problem: '5 is not text' });
		expect(check({ camera: [1] })).toMatchObject({ problem: '[1] is not an object' });
		expect(check({ input_urls: 'https://x.example/a.png' })).toMatchObject({
			fields: ['input_urls'],
			problem: "'https://x.example/a.png' is not a list",
		});
	});

	it('minimum/maximum and exclusiveMinimum/exclusiveMaximum', () => {
		expect(check({ seed: 101 })).toEqual({
			fields: ['seed'],
			problem: '101 is too large',
			valid: 'Give a whole number from 0 to 100.',
		});
		expect(check({ seed: -1 })).toMatchObject({ problem: '-1 is too small' });
		expect(check({ seed: 100 })).toBeUndefined();
		expect(check({ strength: 1 })).toEqual({
			fields: ['strength'],
			problem: '1 is too large',
			valid: 'Give a number above 0 below 1.',
		});
		expect(check({ strength: 0 })).toMatchObject({ problem: '0 is too small' });
		expect(check({ strength: 0.5 })).toBeUndefined();
	});

	it('minLength/maxLength count characters', () => {
		expect(check({ prompt: '' })).toMatchObject({ fields: ['prompt'], problem: 'is empty' });
		expect(check({ prompt: 'x'.repeat(21) })).toMatchObject({
			problem: 'is too long (21 characters)',
		});
		// 20 emoji are 40 UTF-16 units but 20 characters.
		expect(check({ prompt: '😀'.repeat(20) })).toBeUndefined();
	});

	it('pattern and format: uri', () => {
		expect(check({ code: 'ABC' })).toMatchObject({
			fields: ['code'],
			problem: "'ABC' does not have the expected form",
		});
		expect(check({ input_urls: ['not a link'] })).toEqual({
			fields: ['input_urls'],
			problem: "entry 1 'not a link' is not a link",
			valid:
				'Give a list of 1 to 3 links (https://… or data: URLs), e.g. ["…"] or from an expression.',
		});
		expect(
			check({ input_urls: ['https://a.example/1.png', 'data:image/png;base64,AAAA'] }),
		).toBeUndefined();
	});

	it('minItems/maxItems and items', () => {
		expect(check({ input_urls: [] })).toMatchObject({
			fields: ['input_urls'],
			problem: 'has 0 entries',
		});
		expect(
			check({
				input_urls: [
					'https://a.example/1',
					'https://a.example/2',
					'https://a.example/3',
					'https://a.example/4',
				],
			}),
		).toMatchObject({ problem: 'has 4 entries' });
		expect(check({ input_urls: ['https://a.example/1', 7] })).toMatchObject({
			problem: 'entry 2 7 is not text',
		});
	});

	it('nested objects: properties, required, additionalProperties', () => {
		expect(check({ camera: {} })).toMatchObject({
			fields: ['camera.zoom'],
			problem: 'is required',
		});
		expect(check({ camera: { zoom: 1, tilt: 2 } })).toMatchObject({
			fields: ['camera.tilt'],
			problem: "is not an input of 'camera'",
		});
		expect(check({ camera: { zoom: 1 } })).toBeUndefined();
	});

	it('allOf if/then names both fields, says what was given and what is valid', () => {
		expect(check({ background: 'transparent', resolution: '1K' })).toBeUndefined();
		expect(check({ resolution: '4K' })).toBeUndefined();
		expect(check({ background: 'transparent', resolution: '2K' })).toEqual({
			fields: ['background', 'resolution'],
			problem: "resolution '2K' is not supported when background is 'transparent'",
			valid:
				"When background is 'transparent': Use one of: 1K. Otherwise change or remove background.",
		});
	});

	it('if/else, anyOf and oneOf', () => {
		const schema = readSchema({
			type: 'object',
			properties: {
				image: { type: 'string' },
				text: { type: 'string' },
				speed: { type: 'integer' },
			},
			if: { required: ['image'] },
			then: { properties: { speed: { maximum: 5 } } },
			else: { required: ['text'] },
		})!;
		expect(checkAgainstSchema(schema, { image: 'a', speed: 9 })).toMatchObject({
			fields: ['image', 'speed'],
		});
		expect(checkAgainstSchema(schema, {})).toEqual({
			fields: ['image', 'text'],
			problem: 'text is required when image is not set',
			valid: 'When image is not set: Give text. Otherwise change or remove image.',
		});
		expect(checkAgainstSchema(schema, { text: 'x' })).toBeUndefined();

		const anyOf = readSchema({ anyOf: [{ required: ['image'] }, { required: ['text'] }] })!;
		expect(checkAgainstSchema(anyOf, { speed: 1 })).toEqual({
			fields: ['image', 'text'],
			problem: 'fit none of the allowed combinations (image is required)',
			valid: 'Allowed: (1) image set; (2) text set.',
		});
		const oneOf = readSchema({ oneOf: [{ required: ['image'] }, { required: ['text'] }] })!;
		expect(checkAgainstSchema(oneOf, { image: 'a', text: 'b' })).toMatchObject({
			fields: ['image', 'text'],
			problem: 'fit more than one of combinations that exclude each other',
		});
		expect(checkAgainstSchema(oneOf, { image: 'a' })).toBeUndefined();
	});
});

describe('values typed as the schema says', () => {
	it('turns mapper text into numbers, booleans, enum values and lists; leaves what does not convert', () => {
		const numeric = readSchema({
			type: 'object',
			properties: {
				duration: { type: 'integer', enum: [5, 10] },
				seed: { type: 'integer' },
				strength: { type: 'number' },
				watermark: { type: 'boolean' },
				input_urls: { type: 'array', items: { type: 'string', format: 'uri' } },
				bpm: { type: 'string' },
			},
		})!;
		expect(
			coerceToSchema(numeric, {
				duration: '5',
				seed: ' 42 ',
				strength: '0.5',
				watermark: 'true',
				input_urls: 'https://a.example/1.png',
				bpm: '120',
				other: '7',
				bad: 'x',
			}),
		).toEqual({
			duration: 5,
			seed: 42,
			strength: 0.5,
			watermark: true,
			input_urls: ['https://a.example/1.png'],
			// The schema says text: a number as text stays text.
			bpm: '120',
			other: '7',
			bad: 'x',
		});
		expect(
			coerceToSchema(numeric, {
				input_urls: '["https://a.example/1", "https://a.example/2"]',
				seed: 'x',
			}),
		).toEqual({
			input_urls: ['https://a.example/1', 'https://a.example/2'],
			seed: 'x',
		});
	});

	it("fills the schema's defaults for a price estimate, never the model wrapper", () => {
		expect(withSchemaDefaults(imageSchema, { prompt: 'x', resolution: '2K' })).toEqual({
			resolution: '2K',
			prompt: 'x',
		});
	});
});

describe("reading hiapi's /api/models/content answers", () => {
	it('takes data.input_schema, drops keywords it does not implement, and refuses what is not a schema', () => {
		const schema = inputSchemaOf({
			data: {
				input_schema: {
					type: 'object',
					properties: { a: { type: 'string', minLength: 'x', weird: 1 } },
					required: ['a', 3],
				},
			},
		});
		expect(schema).toEqual({
			type: 'object',
			properties: { a: { type: 'string' } },
			required: ['a'],
		});
		expect(inputSchemaOf({ data: null })).toBeUndefined();
		expect(inputSchemaOf('not json')).toBeUndefined();
		expect(inputSchemaOf({ data: { input_schema: { type: 'object' } } })).toBeUndefined();
	});
});
