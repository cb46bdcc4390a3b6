import type {
	FieldType,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import { listModels } from '../../shared/catalogue/forNode';
import { isModelWrapper } from '../../shared/catalogue/jsonSchema';
import type { ModelField } from '../../shared/catalogue/parse';
import { takesFiles } from '../../shared/catalogue/fileFields';
import {
	modelSchema,
	schemaNameOf,
	type JsonSchema,
	type JsonType,
} from '../../shared/catalogue/schema';

const TYPES: Record<ModelField['kind'], FieldType> = {
	string: 'string',
	integer: 'number',
	number: 'number',
	boolean: 'boolean',
	array: 'array',
	object: 'object',
	image: 'string',
	video: 'string',
	audio: 'string',
};

const SCHEMA_TYPES: Record<JsonType, FieldType> = {
	string: 'string',
	integer: 'number',
	number: 'number',
	boolean: 'boolean',
	array: 'array',
	object: 'object',
	null: 'string',
};

function words(name: string): string {
	return name.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function label(field: ModelField): string {
	return ['image', 'video', 'audio'].includes(field.kind)
		? `${words(field.name)} (${field.kind} URL)`
		: words(field.name);
}

/** A docs-catalogue field as n8n's field mapper shows it. */
export function mapperField(field: ModelField): ResourceMapperField {
	const mapped: ResourceMapperField = {
		id: field.name,
		displayName: label(field),
		required: field.required,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: field.enum ? 'options' : TYPES[field.kind],
		// Optional inputs start hidden ("Add input" offers them), so a model with many knobs opens tidy.
		removed: !field.required,
	};
	if (field.enum)
		mapped.options = field.enum.map((value) => ({
			name: String(value),
			value: typeof value === 'boolean' ? String(value) : value,
		}));
	if (field.default !== undefined) mapped.defaultValue = field.default;
	return mapped;
}

function typeOf(schema: JsonSchema): JsonType | undefined {
	const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
	return types.find((t) => t !== 'null') ?? types[0];
}

function span(low: number | undefined, high: number | undefined): string {
	if (low !== undefined && high !== undefined) return low === high ? `${low}` : `${low}–${high}`;
	if (low !== undefined) return `≥ ${low}`;
	if (high !== undefined) return `≤ ${high}`;
	return '';
}

/**
 * What the field takes, in a few words after its name. n8n's field mapper has no hint or
 * description per field (ResourceMapperField), so the constraints a user needs go into the label.
 */
function constraintWords(schema: JsonSchema): string {
	const type = typeOf(schema);
	if (schema.enum || schema.const !== undefined) return '';
	if (type === 'integer' || type === 'number')
		return span(
			schema.minimum ?? schema.exclusiveMinimum,
			schema.maximum ?? schema.exclusiveMaximum,
		);
	if (type === 'array') {
		const count = span(schema.minItems, schema.maxItems);
		const what = schema.items?.format === 'uri' ? 'list of URLs' : 'list';
		return count ? `${what}, ${count}` : what;
	}
	if (type === 'string' && schema.format === 'uri') return 'URL';
	return '';
}

/** A title in the schema's own language is kept only when a user of n8n's (English) editor can read it. */
function readable(title: string | undefined): string | undefined {
	return title && /^[\x20-\x7E]+$/.test(title) ? title : undefined;
}

function scalar(value: unknown): string | number | boolean | undefined {
	return typeof value === 'string' ||
		typeof value === 'boolean' ||
		(typeof value === 'number' && Number.isFinite(value))
		? value
		: undefined;
}

/**
 * A model's JSON Schema (hiapi's /api/models/content) as n8n's field mapper shows it: the title
 * (else the name in words) and what the field takes as its label, enums as options, the default,
 * required fields shown and marked, the optional ones offered under "Add input". Fields that take
 * files (URLs or URL lists) are never marked required (the Files option may fill them), but a
 * required one is shown. The one-value `model`
 * property is the task's own model, not an input.
 */
export function mapperFieldsFromSchema(schema: JsonSchema): ResourceMapperField[] {
	const required = new Set(schema.required ?? []);
	const fields: ResourceMapperField[] = [];
	for (const [name, property] of Object.entries(schema.properties ?? {})) {
		if (name === 'model' && isModelWrapper(property)) continue;
		const choices = property.enum ?? (property.const !== undefined ? [property.const] : undefined);
		const type = typeOf(property);
		const extra = constraintWords(property);
		const isRequired = required.has(name) && !takesFiles(property, name);
		const field: ResourceMapperField = {
			id: name,
			displayName: `${readable(property.title) ?? words(name)}${extra ? ` (${extra})` : ''}`,
			required: isRequired,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: choices ? 'options' : SCHEMA_TYPES[type ?? 'string'],
			// A required file input is shown, unforced; optional ones wait under "Add input".
			removed: !required.has(name),
		};
		if (choices) {
			field.options = choices
				.map(scalar)
				.filter((value) => value !== undefined)
				.map((value) => ({
					name: String(value),
					value: typeof value === 'boolean' ? String(value) : value,
				}));
		}
		const fallback = scalar(property.default);
		if (fallback !== undefined)
			field.defaultValue = choices && typeof fallback === 'boolean' ? String(fallback) : fallback;
		fields.push(field);
	}
	return fields;
}

/**
 * The selected model's inputs as n8n's field mapper shows them: from hiapi's JSON Schema for the
 * model (and route), else from the docs catalogue's list, else none and why.
 */
export async function getModelFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const modelId = String(
		this.getNodeParameter('model', undefined, { extractValue: true }) ?? '',
	).trim();
	if (!modelId) return { fields: [], emptyFieldsNotice: 'Choose a model first.' };
	let route = '';
	try {
		route = String(this.getNodeParameter('options.route', '') ?? '');
	} catch {
		route = '';
	}
	const { schema, problem } = await modelSchema.call(this, schemaNameOf(modelId, route));
	if (schema) return { fields: mapperFieldsFromSchema(schema) };
	const list = await listModels.call(this);
	const documented = list.models.find((m) => m.id === modelId)?.documented;
	if (!documented) {
		const why = problem ?? list.problem ?? `hiapi describes no inputs for '${modelId}'`;
		return {
			fields: [],
			emptyFieldsNotice: `No fields to map: ${why}. Set Input Mode to JSON and give the model's input there.`,
		};
	}
	// Media inputs can also come from the item's files (the Files option fills them), so none is forced here.
	return {
		fields: documented.fields.map((field) => ({
			...mapperField(field),
			...(isMedia(field) ? { required: false } : {}),
		})),
	};
}

function isMedia(field: ModelField): boolean {
	return field.kind === 'image' || field.kind === 'video' || field.kind === 'audio';
}
