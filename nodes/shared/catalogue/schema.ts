import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { hiapiCredentials } from '../transport/credentials';
import { errorText, FETCH_TIMEOUT_MS, PublicCache, type Read } from './cache';

export const DEFAULT_MODEL_SCHEMA_URL = 'https://www.hiapi.ai/api/models/content';

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';

/**
 * The part of JSON Schema 2020-12 that hiapi's model schemas use (GET /api/models/content?name=<id>,
 * `data.input_schema`), as this package reads it. Anything else a schema holds is dropped when read,
 * so the validator only meets keywords it implements.
 */
export interface JsonSchema {
	type?: JsonType | JsonType[];
	properties?: Record<string, JsonSchema>;
	required?: string[];
	enum?: unknown[];
	const?: unknown;
	default?: unknown;
	title?: string;
	description?: string;
	minimum?: number;
	maximum?: number;
	exclusiveMinimum?: number;
	exclusiveMaximum?: number;
	minLength?: number;
	maxLength?: number;
	pattern?: string;
	items?: JsonSchema;
	minItems?: number;
	maxItems?: number;
	format?: string;
	/** false: only the listed properties (hiapi refuses any other); a schema: what others must be. */
	additionalProperties?: boolean | JsonSchema;
	allOf?: JsonSchema[];
	anyOf?: JsonSchema[];
	oneOf?: JsonSchema[];
	if?: JsonSchema;
	then?: JsonSchema;
	else?: JsonSchema;
}

type Context = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

const TYPES: JsonType[] = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null'];
const NUMBERS = [
	'minimum',
	'maximum',
	'exclusiveMinimum',
	'exclusiveMaximum',
	'minLength',
	'maxLength',
	'minItems',
	'maxItems',
] as const;
const TEXTS = ['title', 'description', 'pattern', 'format'] as const;
const SUBSCHEMAS = ['items', 'if', 'then', 'else'] as const;
const LISTS = ['allOf', 'anyOf', 'oneOf'] as const;
/** Deeper than any real input schema; a cycle or a hostile body stops here instead of overflowing. */
const MAX_DEPTH = 12;

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A schema from an untrusted body, keeping only the keywords above with values of the right type.
 * Never throws; undefined for what is not a schema at all.
 */
export function readSchema(raw: unknown, depth = 0): JsonSchema | undefined {
	if (raw === true) return {};
	if (!isRecord(raw) || depth > MAX_DEPTH) return undefined;
	const schema: JsonSchema = {};
	const types = (Array.isArray(raw.type) ? raw.type : [raw.type]).filter(
		(t): t is JsonType => typeof t === 'string' && (TYPES as string[]).includes(t),
	);
	if (types.length === 1) schema.type = types[0];
	else if (types.length > 1) schema.type = types;
	if (isRecord(raw.properties)) {
		schema.properties = {};
		for (const [name, value] of Object.entries(raw.properties)) {
			const property = readSchema(value, depth + 1);
			if (property) schema.properties[name] = property;
		}
	}
	if (Array.isArray(raw.required))
		schema.required = raw.required.filter((r): r is string => typeof r === 'string');
	if (Array.isArray(raw.enum)) schema.enum = [...raw.enum];
	if ('const' in raw) schema.const = raw.const;
	if ('default' in raw) schema.default = raw.default;
	for (const key of NUMBERS) {
		const value = raw[key];
		if (typeof value === 'number' && Number.isFinite(value)) schema[key] = value;
	}
	for (const key of TEXTS) {
		const value = raw[key];
		if (typeof value === 'string') schema[key] = value;
	}
	for (const key of SUBSCHEMAS) {
		const sub = readSchema(raw[key], depth + 1);
		if (sub) schema[key] = sub;
	}
	for (const key of LISTS) {
		if (!Array.isArray(raw[key])) continue;
		const subs = (raw[key] as unknown[])
			.map((entry) => readSchema(entry, depth + 1))
			.filter((entry): entry is JsonSchema => entry !== undefined);
		if (subs.length > 0) schema[key] = subs;
	}
	if (raw.additionalProperties === false || raw.additionalProperties === true)
		schema.additionalProperties = raw.additionalProperties;
	else {
		const extra = readSchema(raw.additionalProperties, depth + 1);
		if (extra) schema.additionalProperties = extra;
	}
	return schema;
}

/** The input schema in a /api/models/content answer (`{data: {input_schema}}`), or undefined. */
export function inputSchemaOf(body: unknown): JsonSchema | undefined {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	const data = isRecord(value) && isRecord(value.data) ? value.data : undefined;
	const schema = readSchema(data?.input_schema);
	// An input schema describes an object with properties: anything else says nothing usable.
	return schema?.properties ? schema : undefined;
}

const schemas = new PublicCache<JsonSchema>();

/** The name hiapi's schema endpoint knows a model and route by: `<id>@<route>` for a route other than the default. */
export function schemaNameOf(modelId: string, route?: string): string {
	const chosen = (route ?? '').trim();
	return chosen && chosen !== 'default' && !modelId.includes('@')
		? `${modelId}@${chosen}`
		: modelId;
}

/** The schema URL for one model: hiapi names routed variants `<id>@<route>` there too. */
export function schemaUrl(base: string, modelId: string): string {
	const separator = base.includes('?') ? '&' : '?';
	return `${base}${separator}name=${encodeURIComponent(modelId)}`;
}

async function fetchSchema(this: Context, url: string): Promise<Read<JsonSchema>> {
	try {
		const body: unknown = await this.helpers.httpRequest({
			url,
			method: 'GET',
			json: true,
			timeout: FETCH_TIMEOUT_MS,
		});
		const value = inputSchemaOf(body);
		return value ? { value } : { problem: `hiapi gave no input schema at ${url}` };
	} catch (error) {
		return { problem: `hiapi's model schema at ${url} could not be read (${errorText(error)})` };
	}
}

/**
 * One model's input schema from hiapi's public model data (no API key), read at most once per URL
 * every few minutes (a failed read is retried after 30 s). `modelId` is the bare id, or
 * `<id>@<route>` for a routed variant. Never throws: without a schema the caller sends the input
 * as given and hiapi judges it.
 */
export async function modelSchema(
	this: Context,
	modelId: string,
): Promise<{ schema?: JsonSchema; problem?: string }> {
	let base = DEFAULT_MODEL_SCHEMA_URL;
	try {
		const credentials = await hiapiCredentials.call(this);
		base = String(credentials.modelSchemaUrl ?? '').trim() || DEFAULT_MODEL_SCHEMA_URL;
	} catch {
		// No credential (yet): hiapi's public endpoint needs none.
	}
	const url = schemaUrl(base, modelId);
	const read = await schemas.get(url, async () => await fetchSchema.call(this, url));
	return read.value ? { schema: read.value } : { problem: read.problem };
}

/** For tests and for a credential change: the next read fetches again. */
export function forgetSchemas(): void {
	schemas.clear();
}
