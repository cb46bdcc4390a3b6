import type { IDataObject, IExecuteFunctions, ResourceMapperValue } from 'n8n-workflow';

import { checkInput } from '../../shared/catalogue/check';
import { fileKinds, fileSlot } from '../../shared/catalogue/fileFields';
import type { ListedModel } from '../../shared/catalogue/forNode';
import {
	checkAgainstSchema,
	coerceToSchema,
	withSchemaDefaults,
} from '../../shared/catalogue/jsonSchema';
import type { CatalogueModel, ModelField } from '../../shared/catalogue/parse';
import { estimateCost } from '../../shared/catalogue/pricing';
import { modelSchema, schemaNameOf, type JsonSchema } from '../../shared/catalogue/schema';
import { routeOf, userIdempotencyKey, type TaskRequest } from '../../shared/completion/request';
import { binaryMediaAsDataUrl, MEDIA_KINDS_ALL, type MediaKind } from '../../shared/media/input';
import { invalidField, jsonObject, nonEmptyText } from '../../shared/validate';

/** hiapi's clients report per-model inline limits of 10–30 MB; 10 MB stays within all of them. */
export const DEFAULT_MAX_INLINE_FILE_MB = 10;

export function modelIdOf(this: IExecuteFunctions, itemIndex: number): string {
	return nonEmptyText.call(
		this,
		itemIndex,
		'Model',
		this.getNodeParameter('model', itemIndex, '', { extractValue: true }),
	);
}

/** The mapped fields, without those left empty (the model's own default applies then). */
function mappedInput(this: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const mapper = this.getNodeParameter(
		'inputFields',
		itemIndex,
		{},
	) as Partial<ResourceMapperValue>;
	const input: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(mapper.value ?? {})) {
		if (value !== null && value !== undefined && value !== '') input[name] = value;
	}
	return input;
}

/**
 * Values as the docs catalogue types them (for models hiapi gives no schema for): the field mapper
 * and expressions often give "5" for 5 or "true" for true, which hiapi would refuse. Anything that
 * does not convert cleanly is left as it is, for the check to name.
 */
function coerce(field: ModelField, value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (field.enum) return field.enum.find((option) => String(option) === text) ?? value;
	if (
		(field.kind === 'integer' || field.kind === 'number') &&
		text !== '' &&
		Number.isFinite(Number(text))
	)
		return Number(text);
	if (field.kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
	if ((field.kind === 'array' || field.kind === 'object') && /^[[{]/.test(text)) {
		try {
			return JSON.parse(text);
		} catch {
			return value;
		}
	}
	return value;
}

/** Where a file may go and what it may be, as the model's schema or docs entry says. */
interface FileTarget {
	list: boolean;
	kinds: readonly MediaKind[];
}

function fileTarget(
	this: IExecuteFunctions,
	itemIndex: number,
	modelId: string,
	name: string,
	schema: JsonSchema | undefined,
	documented: CatalogueModel | undefined,
): FileTarget | undefined {
	if (schema) {
		const property = schema.properties?.[name];
		if (property) {
			const slot = fileSlot(name, property);
			if (slot) return { list: slot === 'list', kinds: fileKinds(name, property) };
		}
		if (property || schema.additionalProperties === false) {
			const takers = Object.entries(schema.properties ?? {})
				.filter(([field, p]) => fileSlot(field, p) !== undefined)
				.map(([field]) => field);
			throw invalidField.call(
				this,
				itemIndex,
				'Files › Input Field',
				property
					? `input '${name}' of the model '${modelId}' does not take files`
					: `'${name}' is not an input of the model '${modelId}'`,
				takers.length > 0
					? `Inputs that take files: ${takers.join(', ')}.`
					: `The model '${modelId}' takes no files: remove the Files entry.`,
			);
		}
		return undefined;
	}
	const field = documented?.fields.find((f) => f.name === name);
	if (!field) return undefined;
	const kind = field.kind === 'array' ? field.items : field.kind;
	return {
		list: field.kind === 'array',
		kinds: kind === 'image' || kind === 'video' || kind === 'audio' ? [kind] : MEDIA_KINDS_ALL,
	};
}

/**
 * Files from the item's binary data, each sent inline as a data: URL into the input it names: one
 * file for a single-URL input, a list (in the order given, after any URLs already there) for a list
 * input, even of one. Each file is checked by its bytes against the kinds the input takes; list sizes
 * are checked with the rest of the input.
 */
async function attachFiles(
	this: IExecuteFunctions,
	itemIndex: number,
	input: Record<string, unknown>,
	modelId: string,
	schema: JsonSchema | undefined,
	documented: CatalogueModel | undefined,
): Promise<void> {
	const files = (this.getNodeParameter('files.file', itemIndex, []) as IDataObject[]) ?? [];
	const maxMb =
		Number(
			this.getNodeParameter('options.maxInlineFileMb', itemIndex, DEFAULT_MAX_INLINE_FILE_MB),
		) || DEFAULT_MAX_INLINE_FILE_MB;
	for (const file of files) {
		const name = String(file.field ?? '').trim();
		if (!name)
			throw invalidField.call(
				this,
				itemIndex,
				'Files › Input Field',
				'is empty',
				"Name the model's input the file is for, e.g. image_urls.",
			);
		const properties = String(file.binaryProperties ?? '')
			.split(',')
			.map((p) => p.trim())
			.filter(Boolean);
		if (properties.length === 0) {
			throw invalidField.call(
				this,
				itemIndex,
				'Files › Input Binary Fields',
				`is empty (for input '${name}')`,
				'Give the binary property holding the file, e.g. data.',
			);
		}
		const target = fileTarget.call(this, itemIndex, modelId, name, schema, documented);
		if (target && !target.list && properties.length > 1) {
			throw invalidField.call(
				this,
				itemIndex,
				'Files › Input Binary Fields',
				`names ${properties.length} files for input '${name}', which takes one`,
				'Give one binary property here, or choose an input that takes a list of files.',
			);
		}
		const urls: string[] = [];
		for (const property of properties)
			urls.push(
				await binaryMediaAsDataUrl.call(
					this,
					itemIndex,
					property,
					maxMb,
					target?.kinds ?? MEDIA_KINDS_ALL,
					name,
				),
			);
		const list = target ? target.list : urls.length > 1;
		if (list) {
			const given = input[name];
			const before = Array.isArray(given)
				? given
				: given === undefined || given === ''
					? []
					: [given];
			input[name] = [...before, ...urls];
		} else input[name] = urls[0];
	}
}

/**
 * One item's task for any model: the model (from the list or by ID), its input (mapped fields or
 * JSON) and any files. Where hiapi gives the model's JSON Schema, the input is typed and checked
 * against it before anything is sent, unknown fields included (hiapi refuses them too); where only
 * the docs catalogue describes it, unknown fields go to hiapi, which may know more; a model neither
 * describes is sent as given, for hiapi to judge. The estimate comes from hiapi's price list, with
 * the schema's defaults for fields left out.
 */
export async function buildModelRequest(
	this: IExecuteFunctions,
	itemIndex: number,
	models: ListedModel[],
): Promise<TaskRequest> {
	const modelId = modelIdOf.call(this, itemIndex);
	const { route } = routeOf.call(this, itemIndex);
	const mode = this.getNodeParameter('inputMode', itemIndex, 'fields') as string;
	let input =
		mode === 'json'
			? {
					...jsonObject.call(
						this,
						itemIndex,
						'Input (JSON)',
						this.getNodeParameter('inputJson', itemIndex, '{}'),
					),
				}
			: mappedInput.call(this, itemIndex);
	const { schema } = await modelSchema.call(this, schemaNameOf(modelId, route));
	const documented = schema ? undefined : models.find((m) => m.id === modelId)?.documented;
	if (schema) input = coerceToSchema(schema, input);
	else if (documented)
		for (const field of documented.fields)
			if (field.name in input) input[field.name] = coerce(field, input[field.name]);
	await attachFiles.call(this, itemIndex, input, modelId, schema, documented);

	if (schema) {
		const problem = checkAgainstSchema(schema, input, { model: modelId });
		if (problem)
			throw invalidField.call(
				this,
				itemIndex,
				`Input › ${problem.fields.join(', ')}`,
				problem.problem,
				problem.valid,
			);
	} else if (documented) {
		const problem = checkInput(documented, input, false);
		if (problem)
			throw invalidField.call(
				this,
				itemIndex,
				`Input › ${problem.field}`,
				problem.problem,
				problem.valid,
			);
	}
	const estimate = await estimateCost.call(
		this,
		modelId,
		route,
		schema ? withSchemaDefaults(schema, input) : input,
	);
	return {
		body: { model: modelId, input, ...(route ? { route } : {}) },
		idempotencyKey: userIdempotencyKey.call(this, itemIndex),
		echo: {},
		...(estimate ? { estimate } : {}),
	};
}
