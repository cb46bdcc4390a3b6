import type { IDataObject, IExecuteFunctions, ResourceMapperValue } from 'n8n-workflow';

import { checkInput } from '../../shared/catalogue/check';
import type { CatalogueModel, ModelField } from '../../shared/catalogue/parse';
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
 * Values as the catalogue types them: the field mapper and expressions often give "5" for 5 or
 * "true" for true, which hiapi would refuse. Anything that does not convert cleanly is left as it is,
 * for the check below to name.
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

/** Files from the item's binary data, each sent inline as a data: URL into the input field it names. */
async function attachFiles(
	this: IExecuteFunctions,
	itemIndex: number,
	input: Record<string, unknown>,
	model: CatalogueModel | undefined,
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
				"Name the model's input the file is for, e.g. image.",
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
		const field = model?.fields.find((f) => f.name === name);
		const kind = field?.kind === 'array' ? field.items : field?.kind;
		const kinds: readonly MediaKind[] =
			kind === 'image' || kind === 'video' || kind === 'audio' ? [kind] : MEDIA_KINDS_ALL;
		const urls: string[] = [];
		for (const property of properties)
			urls.push(await binaryMediaAsDataUrl.call(this, itemIndex, property, maxMb, kinds, name));
		input[name] = field?.kind === 'array' || urls.length > 1 ? urls : urls[0];
	}
}

/**
 * One item's task for any model: the model (from the list or by ID), its input (mapped fields or
 * JSON) and any files. Where the catalogue describes the model, the input is checked against it
 * before anything is sent; a model it does not know is sent as given, for hiapi to judge.
 */
export async function buildModelRequest(
	this: IExecuteFunctions,
	itemIndex: number,
	models: CatalogueModel[],
): Promise<TaskRequest> {
	const modelId = modelIdOf.call(this, itemIndex);
	const model = models.find((m) => m.id === modelId);
	const mode = this.getNodeParameter('inputMode', itemIndex, 'fields') as string;
	const input =
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
	await attachFiles.call(this, itemIndex, input, model);
	if (model) {
		for (const field of model.fields)
			if (field.name in input) input[field.name] = coerce(field, input[field.name]);
		const problem = checkInput(model, input);
		if (problem)
			throw invalidField.call(
				this,
				itemIndex,
				`Input › ${problem.field}`,
				problem.problem,
				problem.valid,
			);
	}
	return {
		body: { model: modelId, input, ...routeOf.call(this, itemIndex) },
		idempotencyKey: userIdempotencyKey.call(this, itemIndex),
		echo: {},
	};
}
