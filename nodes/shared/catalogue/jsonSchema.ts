/**
 * A small JSON Schema 2020-12 validator for the keywords hiapi's model schemas use (see JsonSchema),
 * written here because n8n verifies only dependency-free packages. Pure: no I/O, never throws on what
 * a schema or an input holds. Its errors are said so a user can fix the input: the field(s), what is
 * wrong and what is valid.
 */
import type { JsonSchema, JsonType } from './schema';

/** One thing wrong with an input: the field(s) concerned, what is wrong, what is valid. */
export interface SchemaProblem {
	fields: string[];
	problem: string;
	valid: string;
}

export interface CheckContext {
	/** The model's id, for the message about a field the model does not take. */
	model?: string;
	/** The top-level properties, so a rule's `required` (in if/then) can say what its field takes. */
	top?: Record<string, JsonSchema>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(schema: JsonSchema): JsonType[] {
	return schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** hiapi's schemas list `model` as a one-value property the task's top-level model satisfies. */
export function isModelWrapper(schema: JsonSchema | undefined): boolean {
	return (
		schema !== undefined &&
		(schema.const !== undefined || (Array.isArray(schema.enum) && schema.enum.length === 1))
	);
}

function modelIsWrapped(root: JsonSchema): boolean {
	return isModelWrapper(root.properties?.model);
}

function equal(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a === 'number' && typeof b === 'number') return a === b;
	if (Array.isArray(a) && Array.isArray(b))
		return a.length === b.length && a.every((entry, i) => equal(entry, b[i]));
	if (isRecord(a) && isRecord(b)) {
		const keys = Object.keys(a);
		return (
			keys.length === Object.keys(b).length &&
			keys.every((key) => key in b && equal(a[key], b[key]))
		);
	}
	return false;
}

export function show(value: unknown): string {
	if (typeof value === 'string') {
		const text = value.startsWith('data:') ? `${value.slice(0, 30)}…` : value.slice(0, 60);
		return `'${text}'`;
	}
	const shown = JSON.stringify(value);
	return shown === undefined ? String(value) : shown.slice(0, 80);
}

function typeOk(value: unknown, type: JsonType): boolean {
	switch (type) {
		case 'string':
			return typeof value === 'string';
		case 'integer':
			return Number.isInteger(value);
		case 'number':
			return typeof value === 'number' && Number.isFinite(value);
		case 'boolean':
			return typeof value === 'boolean';
		case 'array':
			return Array.isArray(value);
		case 'object':
			return isRecord(value);
		case 'null':
			return value === null;
	}
}

const NOT_A: Record<JsonType, string> = {
	string: 'is not text',
	integer: 'is not a whole number',
	number: 'is not a number',
	boolean: 'is not true or false',
	array: 'is not a list',
	object: 'is not an object',
	null: 'is not empty (null)',
};

/** A URI as JSON Schema's `format: uri` means it: a scheme, then something (https:, data:, asset:). */
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

function length(text: string): number {
	// JSON Schema counts characters (code points), not UTF-16 units.
	return [...text].length;
}

function between(min: number | undefined, max: number | undefined, unit: string): string {
	if (min !== undefined && max !== undefined)
		return min === max ? `exactly ${min} ${unit}` : `${min} to ${max} ${unit}`;
	if (min !== undefined) return `at least ${min} ${unit}`;
	if (max !== undefined) return `at most ${max} ${unit}`;
	return '';
}

function rangeWords(schema: JsonSchema): string {
	const low =
		schema.minimum !== undefined
			? `from ${schema.minimum}`
			: schema.exclusiveMinimum !== undefined
				? `above ${schema.exclusiveMinimum}`
				: '';
	const high =
		schema.maximum !== undefined
			? `to ${schema.maximum}`
			: schema.exclusiveMaximum !== undefined
				? `below ${schema.exclusiveMaximum}`
				: '';
	if (low && high) return ` ${low} ${high}`;
	if (low) return ` ${low}`;
	if (high) return ` ${high.replace(/^to /, 'up to ')}`;
	return '';
}

function itemWords(items: JsonSchema | undefined): string {
	if (!items) return 'values';
	if (items.format === 'uri') return 'links (https://… or data: URLs)';
	if (items.enum) return `values from: ${items.enum.map(String).join(', ')}`;
	const [type] = typesOf(items);
	return (
		(
			{
				string: 'texts',
				integer: 'whole numbers',
				number: 'numbers',
				boolean: 'true/false values',
				object: 'objects',
			} as Record<string, string>
		)[type ?? ''] ?? 'values'
	);
}

/** What a value of this schema looks like, in words a user can act on. */
export function validFor(schema: JsonSchema): string {
	if (schema.const !== undefined) return `Use ${show(schema.const)}.`;
	if (schema.enum) return `Use one of: ${schema.enum.map(String).join(', ')}.`;
	const [type] = typesOf(schema);
	switch (type) {
		case 'integer':
			return `Give a whole number${rangeWords(schema)}.`;
		case 'number':
			return `Give a number${rangeWords(schema)}.`;
		case 'boolean':
			return 'Give true or false.';
		case 'array': {
			const count = between(schema.minItems, schema.maxItems, '');
			return `Give a list of ${count ? `${count.trim()} ` : ''}${itemWords(schema.items)}, e.g. ["…"] or from an expression.`;
		}
		case 'object':
			return 'Give a JSON object.';
		case 'string': {
			if (schema.format === 'uri') return 'Give a link: https://… (or a data: URL).';
			const size = between(schema.minLength, schema.maxLength, 'characters');
			return size ? `Give text of ${size}.` : 'Give text.';
		}
		default:
			return 'Give a value of the kind the model describes.';
	}
}

function join(path: string, name: string): string {
	return path ? `${path}.${name}` : name;
}

function problemAt(path: string, problem: string, valid: string): SchemaProblem {
	return { fields: [path || 'input'], problem, valid };
}

/** The fields a sub-schema speaks of: its properties and required names. */
function fieldsNamed(schema: JsonSchema, path: string): string[] {
	const names = new Set([...Object.keys(schema.properties ?? {}), ...(schema.required ?? [])]);
	return [...names].map((name) => join(path, name));
}

function unique(list: string[]): string[] {
	return [...new Set(list)];
}

/**
 * The state an `if` looked at, from the fields it names and the values the input gives them
 * ("background is 'transparent'", "image is not set"): true of the input whichever way it went.
 */
function describeCondition(condition: JsonSchema, value: unknown): string {
	const record = isRecord(value) ? value : {};
	const names = [
		...new Set([...Object.keys(condition.properties ?? {}), ...(condition.required ?? [])]),
	];
	const parts = names.map((name) =>
		record[name] === undefined ? `${name} is not set` : `${name} is ${show(record[name])}`,
	);
	return parts.length > 0 ? parts.join(' and ') : 'the input is as given';
}

function describeBranch(branch: JsonSchema): string {
	const parts: string[] = [];
	if (branch.required?.length) parts.push(`${branch.required.join(' and ')} set`);
	for (const [name, property] of Object.entries(branch.properties ?? {})) {
		if (property.const !== undefined) parts.push(`${name} = ${show(property.const)}`);
		else if (property.enum) parts.push(`${name} one of ${property.enum.map(String).join('/')}`);
	}
	return parts.length > 0 ? parts.join(', ') : validFor(branch).replace(/\.$/, '');
}

function checkObject(
	schema: JsonSchema,
	value: Record<string, unknown>,
	path: string,
	context: CheckContext,
): SchemaProblem | undefined {
	const properties = schema.properties ?? {};
	const wrapped = path === '' && modelIsWrapped(schema);
	const listed = Object.keys(properties).filter((name) => !(wrapped && name === 'model'));
	for (const name of Object.keys(value)) {
		if (wrapped && name === 'model') {
			return {
				fields: ['model'],
				problem: 'does not go inside the input',
				valid:
					'Choose the model in the Model field: the node sends it with the task, not in its input.',
			};
		}
		if (name in properties) continue;
		if (schema.additionalProperties === false) {
			return {
				fields: [join(path, name)],
				problem: `is not an input of ${path ? `'${path}'` : context.model ? `the model '${context.model}'` : 'this model'}`,
				valid: `Its inputs are: ${listed.join(', ') || '(none listed)'}.`,
			};
		}
		if (typeof schema.additionalProperties === 'object') {
			const wrong = check(schema.additionalProperties, value[name], join(path, name), context);
			if (wrong) return wrong;
		}
	}
	const required = new Set(schema.required ?? []);
	for (const [name, property] of Object.entries(properties)) {
		if (wrapped && name === 'model') continue;
		const entry = value[name];
		if (entry === undefined) {
			if (required.has(name)) return problemAt(join(path, name), 'is required', validFor(property));
			continue;
		}
		const wrong = check(property, entry, join(path, name), context);
		if (wrong) return wrong;
	}
	for (const name of required) {
		// `model` is satisfied by the task's top-level model when the schema lists it as its one value
		// (or not at all); the node never puts it in the input.
		if (name in properties || (path === '' && name === 'model')) continue;
		const known = path === '' ? context.top?.[name] : undefined;
		if (value[name] === undefined)
			return problemAt(join(path, name), 'is required', known ? validFor(known) : 'Give a value.');
	}
	return undefined;
}

function checkCombinators(
	schema: JsonSchema,
	value: unknown,
	path: string,
	context: CheckContext,
): SchemaProblem | undefined {
	for (const sub of schema.allOf ?? []) {
		const wrong = check(sub, value, path, context);
		if (wrong) return wrong;
	}
	for (const [keyword, branches] of [
		['anyOf', schema.anyOf],
		['oneOf', schema.oneOf],
	] as const) {
		if (!branches) continue;
		const results = branches.map((branch) => check(branch, value, path, context));
		const passing = results.filter((r) => r === undefined).length;
		if (passing === 0 || (keyword === 'oneOf' && passing > 1)) {
			const first = results.find((r) => r !== undefined);
			const fields = unique([
				...branches.flatMap((branch) => fieldsNamed(branch, path)),
				...(first?.fields ?? []),
			]);
			const allowed = branches.map((b, i) => `(${i + 1}) ${describeBranch(b)}`).join('; ');
			return {
				fields: fields.length > 0 ? fields : [path || 'input'],
				problem:
					passing === 0
						? `fit none of the allowed combinations${first ? ` (${first.fields.join(', ')} ${first.problem})` : ''}`
						: 'fit more than one of combinations that exclude each other',
				valid: `${passing === 0 ? 'Allowed' : 'Allowed, exactly one of'}: ${allowed}.`,
			};
		}
	}
	if (schema.if && (schema.then || schema.else)) {
		const met = check(schema.if, value, path, context) === undefined;
		const branch = met ? schema.then : schema.else;
		const wrong = branch ? check(branch, value, path, context) : undefined;
		if (wrong) {
			const conditionFields = fieldsNamed(schema.if, path);
			const condition = describeCondition(schema.if, value);
			return {
				fields: unique([...conditionFields, ...wrong.fields]),
				problem: `${wrong.fields.join(', ')} ${wrong.problem} when ${condition}`,
				valid: `When ${condition}: ${wrong.valid} Otherwise change or remove ${conditionFields.join(', ') || 'the other fields'}.`,
			};
		}
	}
	return undefined;
}

function check(
	schema: JsonSchema,
	value: unknown,
	path: string,
	context: CheckContext,
): SchemaProblem | undefined {
	if (schema.const !== undefined && !equal(value, schema.const))
		return problemAt(path, `${show(value)} is not allowed`, validFor(schema));
	if (schema.enum && !schema.enum.some((option) => equal(option, value)))
		return problemAt(path, `${show(value)} is not supported`, validFor(schema));
	const types = typesOf(schema);
	if (types.length > 0 && !types.some((type) => typeOk(value, type)))
		return problemAt(path, `${show(value)} ${NOT_A[types[0]]}`, validFor(schema));

	if (typeof value === 'number') {
		const low =
			(schema.minimum !== undefined && value < schema.minimum) ||
			(schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum);
		const high =
			(schema.maximum !== undefined && value > schema.maximum) ||
			(schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum);
		if (low || high)
			return problemAt(path, `${value} is ${low ? 'too small' : 'too large'}`, validFor(schema));
	}
	if (typeof value === 'string') {
		const size = length(value);
		if (schema.minLength !== undefined && size < schema.minLength)
			return problemAt(
				path,
				size === 0 ? 'is empty' : `is too short (${size} characters)`,
				validFor(schema),
			);
		if (schema.maxLength !== undefined && size > schema.maxLength)
			return problemAt(path, `is too long (${size} characters)`, validFor(schema));
		if (schema.format === 'uri' && !URI.test(value))
			return problemAt(path, `${show(value)} is not a link`, validFor(schema));
		if (schema.pattern !== undefined) {
			let pattern: RegExp | undefined;
			try {
				// The pattern comes from hiapi's schema (a URL shape, e.g. ^https?://): that is its purpose.
				pattern = new RegExp(schema.pattern, 'u');
			} catch {
				pattern = undefined; // A pattern JavaScript cannot read: hiapi checks it.
			}
			if (pattern && !pattern.test(value))
				return problemAt(
					path,
					`${show(value)} does not have the expected form`,
					`${validFor(schema).replace(/\.$/, '')} (matching ${schema.pattern}).`,
				);
		}
	}
	if (Array.isArray(value)) {
		const count = value.length;
		if (
			(schema.minItems !== undefined && count < schema.minItems) ||
			(schema.maxItems !== undefined && count > schema.maxItems)
		)
			return problemAt(path, `has ${count} ${count === 1 ? 'entry' : 'entries'}`, validFor(schema));
		if (schema.items) {
			for (let i = 0; i < count; i++) {
				const wrong = check(schema.items, value[i], path, context);
				if (wrong)
					return {
						...wrong,
						problem: `entry ${i + 1} ${wrong.problem}`,
						valid: validFor(schema),
					};
			}
		}
	}
	if (isRecord(value) && (schema.properties || schema.required || schema.additionalProperties)) {
		const wrong = checkObject(schema, value, path, context);
		if (wrong) return wrong;
	}
	return checkCombinators(schema, value, path, context);
}

/**
 * Checks a task's `input` against the model's schema, as hiapi would, before anything is sent:
 * unknown fields (additionalProperties: false), required ones, const/enum, types, ranges, lengths,
 * patterns, URI formats, list sizes, and the conditional rules (allOf, anyOf, oneOf, if/then/else).
 * Returns the first problem, or undefined. A required `model` whose schema is a one-value enum or
 * const is met by the task's top-level model.
 */
export function checkAgainstSchema(
	schema: JsonSchema,
	input: Record<string, unknown>,
	context: CheckContext = {},
): SchemaProblem | undefined {
	return check(schema, input, '', { ...context, top: schema.properties ?? {} });
}

function coerceValue(schema: JsonSchema, value: unknown): unknown {
	if (Array.isArray(value))
		return schema.items ? value.map((entry) => coerceValue(schema.items!, entry)) : value;
	if (isRecord(value)) return schema.properties ? coerceToSchema(schema, value) : value;
	if (typeof value !== 'string') return value;
	const text = value.trim();
	const option = [
		...(schema.enum ?? []),
		...(schema.const !== undefined ? [schema.const] : []),
	].find((candidate) => typeof candidate !== 'object' && String(candidate) === text);
	if (option !== undefined) return option;
	const types = typesOf(schema);
	if (types.length === 0 || types.includes('string')) return value;
	if ((types.includes('integer') || types.includes('number')) && text !== '') {
		const number = Number(text);
		if (Number.isFinite(number)) return number;
	}
	if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
	if (types.includes('array') || types.includes('object')) {
		if (/^[[{]/.test(text)) {
			try {
				return coerceValue(schema, JSON.parse(text));
			} catch {
				return value;
			}
		}
		// One value for a list of texts or links is a list of one.
		const itemTypes = schema.items ? typesOf(schema.items) : [];
		if (
			types.includes('array') &&
			text !== '' &&
			(itemTypes.length === 0 || itemTypes.includes('string'))
		)
			return [text];
	}
	if (types.includes('null') && text === 'null') return null;
	return value;
}

/**
 * Values as the schema types them: the field mapper and expressions often give "5" for 5, "true" for
 * true or JSON text for a list, which hiapi would refuse. What does not convert cleanly is left as it
 * is, for checkAgainstSchema to name. Returns a new object; fields the schema does not list are kept.
 */
export function coerceToSchema(
	schema: JsonSchema,
	input: Record<string, unknown>,
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(input)) {
		const property = schema.properties?.[name];
		out[name] = property ? coerceValue(property, value) : value;
	}
	return out;
}

/**
 * The input with the schema's defaults for fields left out: what hiapi will run, for a price estimate
 * (a policy for `resolution: 1K` applies to an input that leaves the default 1K). Not what is sent.
 */
export function withSchemaDefaults(
	schema: JsonSchema,
	input: Record<string, unknown>,
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, property] of Object.entries(schema.properties ?? {})) {
		if (name === 'model' && isModelWrapper(property)) continue;
		if (property.default !== undefined) out[name] = property.default;
	}
	return { ...out, ...input };
}
