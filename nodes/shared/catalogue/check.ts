import type { CatalogueModel, FieldKind, ModelField } from './parse';

/** One thing wrong with an input, said so a user can fix it: the field, what is wrong, what is valid. */
export interface InputProblem {
	field: string;
	problem: string;
	valid: string;
}

const DATA_URL = /^data:([a-z]+)\/[a-z0-9.+-]+;base64,/i;

function describeValue(value: unknown): string {
	const shown = typeof value === 'string' ? `'${value.slice(0, 60)}'` : JSON.stringify(value);
	return shown === undefined ? String(value) : shown.slice(0, 80);
}

function aFile(kind: string): string {
	return kind === 'audio' ? 'an audio file' : `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} file`;
}

function typeProblem(
	field: ModelField,
	value: unknown,
	kind: FieldKind = field.kind,
): string | undefined {
	switch (kind) {
		case 'integer':
			return Number.isInteger(value) ? undefined : `${describeValue(value)} is not a whole number`;
		case 'number':
			return typeof value === 'number' && Number.isFinite(value)
				? undefined
				: `${describeValue(value)} is not a number`;
		case 'boolean':
			return typeof value === 'boolean'
				? undefined
				: `${describeValue(value)} is not true or false`;
		case 'array':
			return Array.isArray(value) ? undefined : `${describeValue(value)} is not a list`;
		case 'object':
			return value && typeof value === 'object' && !Array.isArray(value)
				? undefined
				: `${describeValue(value)} is not an object`;
		case 'image':
		case 'video':
		case 'audio': {
			if (typeof value !== 'string') return `${describeValue(value)} is not a link or a file`;
			const data = DATA_URL.exec(value);
			if (data)
				return data[1].toLowerCase() === kind
					? undefined
					: `is ${aFile(data[1].toLowerCase())}, not ${aFile(kind)}`;
			return /^https?:\/\//i.test(value)
				? undefined
				: `${describeValue(value)} is not an http(s) link`;
		}
		default:
			return typeof value === 'string' || typeof value === 'number'
				? undefined
				: `${describeValue(value)} is not text`;
	}
}

function validFor(field: ModelField): string {
	if (field.enum) return `Use one of: ${field.enum.join(', ')}.`;
	const range =
		field.minimum !== undefined || field.maximum !== undefined
			? ` from ${field.minimum ?? '…'} to ${field.maximum ?? '…'}`
			: '';
	switch (field.kind) {
		case 'integer':
			return `Give a whole number${range}.`;
		case 'number':
			return `Give a number${range}.`;
		case 'boolean':
			return 'Give true or false.';
		case 'array':
			return `Give a list${field.items ? ` of ${field.items} values` : ''}, e.g. from an expression.`;
		case 'object':
			return 'Give a JSON object.';
		case 'image':
		case 'video':
		case 'audio':
			return `Give a public http(s) link to the ${field.kind} file, or attach it from a binary property (Files).`;
		default:
			return 'Give text.';
	}
}

/**
 * Checks an input against what the catalogue says of the model, before anything is sent: unknown
 * fields (unless `refuseUnknown` is false: a list that is not hiapi's own may know less than hiapi),
 * missing required ones, enum values, types and ranges. Returns the first problem, or
 * undefined. hiapi checks again (and names what it refuses), so this only has to be right, not complete.
 */
export function checkInput(
	model: CatalogueModel,
	input: Record<string, unknown>,
	refuseUnknown = true,
): InputProblem | undefined {
	const byName = new Map(model.fields.map((f) => [f.name, f]));
	for (const name of Object.keys(input)) {
		if (refuseUnknown && !byName.has(name)) {
			return {
				field: name,
				problem: `is not an input of the model '${model.id}'`,
				valid: `Its inputs are: ${model.fields.map((f) => f.name).join(', ') || '(none listed)'}.`,
			};
		}
	}
	for (const field of model.fields) {
		const value = input[field.name];
		if (value === undefined || value === null || value === '') {
			if (field.required)
				return { field: field.name, problem: 'is required', valid: validFor(field) };
			continue;
		}
		if (field.enum) {
			if (!field.enum.some((option) => option === value || String(option) === String(value))) {
				return {
					field: field.name,
					problem: `${describeValue(value)} is not supported`,
					valid: validFor(field),
				};
			}
			continue;
		}
		const wrong = typeProblem(field, value);
		if (wrong) return { field: field.name, problem: wrong, valid: validFor(field) };
		if (field.kind === 'array' && field.items && field.items !== 'object') {
			const bad = (value as unknown[]).find(
				(entry) => typeProblem(field, entry, field.items) !== undefined,
			);
			if (bad !== undefined)
				return {
					field: field.name,
					problem: `has an entry ${typeProblem(field, bad, field.items)}`,
					valid: validFor(field),
				};
		}
		if (
			typeof value === 'number' &&
			((field.minimum !== undefined && value < field.minimum) ||
				(field.maximum !== undefined && value > field.maximum))
		) {
			return { field: field.name, problem: `${value} is out of range`, valid: validFor(field) };
		}
	}
	return undefined;
}
