import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** An error about one field of one item, saying what would be valid: raised before anything is sent. */
export function invalidField(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	problem: string,
	valid: string,
): NodeOperationError {
	return new NodeOperationError(this.getNode(), `${field}: ${problem} (item ${itemIndex})`, {
		itemIndex,
		description: valid,
	});
}

export function oneOf<T extends string>(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
	allowed: readonly T[],
): T {
	const text = typeof value === 'string' ? value.trim() : String(value ?? '');
	const match = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
	if (!match) {
		throw invalidField.call(
			this,
			itemIndex,
			field,
			`'${text}' is not supported`,
			`Use one of: ${allowed.join(', ')}.`,
		);
	}
	return match;
}

export function nonEmptyText(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	const text =
		typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (!text) {
		throw invalidField.call(
			this,
			itemIndex,
			field,
			'is empty',
			`Enter a ${field.toLowerCase()}, or map one from the input with an expression.`,
		);
	}
	return text;
}

/** Additional Input arrives as a JSON string or, when set by expression, an object. */
export function jsonObject(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): Record<string, unknown> {
	let parsed = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		try {
			parsed = JSON.parse(value);
		} catch {
			throw invalidField.call(
				this,
				itemIndex,
				field,
				'is not valid JSON',
				'Give a JSON object, e.g. {"quality": "high"}.',
			);
		}
	}
	if (parsed === undefined || parsed === null) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw invalidField.call(
			this,
			itemIndex,
			field,
			'must be a JSON object',
			'Give a JSON object, e.g. {"quality": "high"}.',
		);
	}
	return parsed as Record<string, unknown>;
}

/** The bounds of a number option. */
export interface NumberRange {
	min: number;
	max: number;
	integer?: boolean;
}

/**
 * Why `value` is not a number in `range`, or undefined when it is. An expression can produce NaN,
 * Infinity, a negative or a text: each would otherwise switch a limit off or silently become a default.
 */
export function numberProblem(value: unknown, range: NumberRange): string | undefined {
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: NaN;
	const shown = typeof value === 'string' ? `'${value.slice(0, 40)}'` : String(value);
	if (!Number.isFinite(number)) return `${shown} is not a number`;
	if (range.integer && !Number.isInteger(number)) return `${shown} is not a whole number`;
	if (number < range.min || number > range.max) return `${shown} is out of range`;
	return undefined;
}

export function rangeText(range: NumberRange): string {
	return `Give a ${range.integer ? 'whole ' : ''}number from ${range.min} to ${range.max}.`;
}

/** A number option of one item, refused with its name and the item when it is not a number in range. */
export function numberInRange(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
	range: NumberRange,
): number {
	const problem = numberProblem(value, range);
	if (problem) throw invalidField.call(this, itemIndex, field, problem, rangeText(range));
	return Number(value);
}

/** What an inline-file limit (Max Inline Image Size, Max Inline File Size) may be, in MB. */
export const INLINE_MB_RANGE: NumberRange = { min: 0.1, max: 100 };

/**
 * An inline-file limit in MB: NaN or Infinity would mean no limit, a negative one would refuse every
 * file with a nonsense message.
 */
export function inlineLimitMb(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): number {
	return numberInRange.call(this, itemIndex, field, value, INLINE_MB_RANGE);
}
