/**
 * hiapi's model catalogue as this package reads it. Its shape is inferred from third-party clients,
 * not documented: every entry is read defensively, a malformed one is skipped, an unknown field type
 * is treated as text. Nothing here may throw on what the catalogue holds.
 */

export type ModelCategory = 'image' | 'video' | 'audio' | 'text' | 'other';
export type FieldKind =
	| 'string'
	| 'integer'
	| 'number'
	| 'boolean'
	| 'array'
	| 'object'
	| 'image'
	| 'video'
	| 'audio';
export const MEDIA_KINDS = ['image', 'video', 'audio'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface ModelField {
	name: string;
	kind: FieldKind;
	/** The type as the catalogue wrote it, for messages ("resolution is a string"). */
	declaredType: string;
	required: boolean;
	enum?: Array<string | number | boolean>;
	default?: string | number | boolean;
	description?: string;
	minimum?: number;
	maximum?: number;
	/** For array fields: the kind of their entries, when the catalogue says. */
	items?: FieldKind;
}

export interface CatalogueModel {
	id: string;
	title: string;
	category: ModelCategory;
	capability: string;
	fields: ModelField[];
}

const KINDS: Record<string, FieldKind> = {
	string: 'string',
	text: 'string',
	str: 'string',
	enum: 'string',
	integer: 'integer',
	int: 'integer',
	number: 'number',
	float: 'number',
	double: 'number',
	boolean: 'boolean',
	bool: 'boolean',
	array: 'array',
	list: 'array',
	object: 'object',
	json: 'object',
	image: 'image',
	image_url: 'image',
	video: 'video',
	video_url: 'video',
	audio: 'audio',
	audio_url: 'audio',
};

const CATEGORIES: ModelCategory[] = ['image', 'video', 'audio', 'text'];

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function scalar(value: unknown): string | number | boolean | undefined {
	return typeof value === 'string' ||
		typeof value === 'boolean' ||
		(typeof value === 'number' && Number.isFinite(value))
		? value
		: undefined;
}

function finite(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function kindOf(type: unknown): FieldKind {
	return KINDS[text(type).toLowerCase()] ?? 'string';
}

function parseField(raw: unknown): ModelField | undefined {
	if (!raw || typeof raw !== 'object') return undefined;
	const record = raw as Record<string, unknown>;
	const name = text(record.name);
	if (!name) return undefined;
	const declaredType = text(record.type) || 'string';
	const field: ModelField = {
		name,
		kind: kindOf(declaredType),
		declaredType,
		required: record.required === true,
	};
	if (Array.isArray(record.enum)) {
		const values = record.enum
			.map(scalar)
			.filter((v): v is string | number | boolean => v !== undefined);
		if (values.length > 0) field.enum = values;
	}
	const fallback = scalar(record.default);
	if (fallback !== undefined) field.default = fallback;
	const description = text(record.description);
	if (description) field.description = description;
	const minimum = finite(record.minimum ?? record.min);
	const maximum = finite(record.maximum ?? record.max);
	if (minimum !== undefined) field.minimum = minimum;
	if (maximum !== undefined) field.maximum = maximum;
	if (field.kind === 'array' && record.items !== undefined) {
		const items =
			record.items && typeof record.items === 'object'
				? (record.items as Record<string, unknown>).type
				: record.items;
		field.items = kindOf(items);
	}
	return field;
}

function parseModel(raw: unknown): CatalogueModel | undefined {
	if (!raw || typeof raw !== 'object') return undefined;
	const record = raw as Record<string, unknown>;
	const id = text(record.id);
	if (!id) return undefined;
	const declared = text(record.category).toLowerCase();
	const category = (CATEGORIES as string[]).includes(declared)
		? (declared as ModelCategory)
		: 'other';
	const seen = new Set<string>();
	const fields: ModelField[] = [];
	for (const entry of Array.isArray(record.input) ? record.input : []) {
		const field = parseField(entry);
		if (field && !seen.has(field.name)) {
			seen.add(field.name);
			fields.push(field);
		}
	}
	return {
		id,
		title: text(record.title) || id,
		category,
		capability: text(record.capability),
		fields,
	};
}

/** The catalogue's models, malformed entries left out; `[]` for anything that is not a catalogue. */
export function parseCatalogue(body: unknown): CatalogueModel[] {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return [];
		}
	}
	const list = Array.isArray(value)
		? value
		: value && typeof value === 'object'
			? (value as { models?: unknown }).models
			: undefined;
	if (!Array.isArray(list)) return [];
	const models: CatalogueModel[] = [];
	const seen = new Set<string>();
	for (const entry of list) {
		const model = parseModel(entry);
		if (model && !seen.has(model.id)) {
			seen.add(model.id);
			models.push(model);
		}
	}
	return models;
}
