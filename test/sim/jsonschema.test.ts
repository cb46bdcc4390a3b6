// The simulator's own JSON Schema validator (test/sim/jsonschema.js), keyword by keyword: what it
// refuses, in which words, and what it lets through.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validate, withDefaults } = require('./jsonschema') as {
	validate: (v: unknown, s: unknown, path: string, ctx: { model: string }) => string | undefined;
	withDefaults: (v: unknown, s: unknown) => unknown;
};

const ctx = { model: 'm' };
const check = (v: unknown, s: unknown) => validate(v, s, 'input', ctx);

describe('simulator JSON Schema validator', () => {
	it.each([
		[{ type: ['string', 'null'] }, 3, 'input must be a string or null; got 3'],
		[{ const: 'a' }, 'b', 'input must be "a"; got "b"'],
		[{ type: 'number', exclusiveMinimum: 0 }, 0, 'input must be > 0; got 0'],
		[{ type: 'number', exclusiveMaximum: 1 }, 1, 'input must be < 1; got 1'],
		[{ type: 'integer', minimum: 2 }, 1, 'input must be >= 2; got 1'],
		[{ type: 'string', maxLength: 2 }, 'abc', 'input must be at most 2 characters long; got 3'],
		[{ type: 'string', minLength: 3 }, 'ab', 'input must be at least 3 characters long; got 2'],
		[{ type: 'string', pattern: '^[0-9]+$' }, '12a', 'input must match ^[0-9]+$; got "12a"'],
		[{ type: 'string', format: 'uri' }, 'not a url', 'input must be a URL; got "not a url"'],
		[
			{ type: 'object', additionalProperties: { type: 'integer' } },
			{ a: 1, b: 'x' },
			'input.b must be an integer; got "x"',
		],
		[
			{ type: 'object', additionalProperties: false, properties: { a: {} } },
			{ a: 1, b: 2, c: 3 },
			"input: additional properties not allowed: 'b', 'c'",
		],
		[
			{ type: 'array', items: { type: 'object', required: ['x'] } },
			[{ x: 1 }, {}],
			"input[1].x is required for model 'm'",
		],
		[
			{ if: { properties: { a: { const: 1 } }, required: ['a'] }, else: { required: ['b'] } },
			{ a: 2 },
			`input.b is required for model 'm' (since input.a is 2)`,
		],
		[
			{
				allOf: [
					{
						if: { properties: { a: { enum: ['x'] } }, required: ['a'] },
						then: {
							allOf: [
								{
									if: { required: ['b'] },
									then: { properties: { c: { enum: [1] } } },
								},
							],
						},
					},
				],
			},
			{ a: 'x', b: true, c: 2 },
			'input.c must be one of 1; got 2 (when input.a is "x"; when input.b is true)',
		],
	])('%j refuses %j', (schema, value, message) => {
		expect(check(value, schema)).toBe(message);
	});

	it.each([
		[{ type: 'integer' }, 2.0],
		[{ type: 'number' }, 2.5],
		[{ if: { required: ['a'] }, then: { required: ['b'] } }, { c: 1 }],
		[{ properties: { a: { type: 'string' } } }, { a: undefined }],
		[{ type: 'string', minLength: 2 }, '😀😀'],
		[{ unknownKeyword: 1, type: 'string' }, 'x'],
		[{ type: 'string', format: 'uri' }, 'asset://abc'],
	])('%j takes %j', (schema, value) => {
		expect(check(value, schema)).toBeUndefined();
	});

	it('fills top-level and nested defaults without touching given values', () => {
		const schema = {
			properties: {
				a: { default: 'A' },
				b: { default: 1 },
				list: { type: 'array', items: { properties: { x: { default: 0 } } } },
			},
		};
		expect(withDefaults({ b: 2, list: [{}, { x: 5 }], extra: true }, schema)).toEqual({
			a: 'A',
			b: 2,
			list: [{ x: 0 }, { x: 5 }],
			extra: true,
		});
	});
});
