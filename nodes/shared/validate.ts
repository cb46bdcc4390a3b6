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
