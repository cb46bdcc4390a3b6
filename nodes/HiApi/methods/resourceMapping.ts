import type {
	FieldType,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import { catalogueFor } from '../../shared/catalogue/forNode';
import type { ModelField } from '../../shared/catalogue/parse';

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

function label(field: ModelField): string {
	const words = field.name.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
	return ['image', 'video', 'audio'].includes(field.kind) ? `${words} (${field.kind} URL)` : words;
}

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

/** The selected model's inputs as n8n's field mapper shows them, from hiapi's catalogue. */
export async function getModelFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const modelId = String(
		this.getNodeParameter('model', undefined, { extractValue: true }) ?? '',
	).trim();
	if (!modelId) return { fields: [], emptyFieldsNotice: 'Choose a model first.' };
	const catalogue = await catalogueFor.call(this);
	const model = catalogue.models.find((m) => m.id === modelId);
	if (!model) {
		const why = catalogue.problem ?? `hiapi's catalogue does not list '${modelId}'`;
		return {
			fields: [],
			emptyFieldsNotice: `No fields to map: ${why}. Set Input Mode to JSON and give the model's input there.`,
		};
	}
	// Media inputs can also come from the item's files (the Files option fills them), so none is forced here.
	return {
		fields: model.fields.map((field) => ({
			...mapperField(field),
			...(isMedia(field) ? { required: false } : {}),
		})),
	};
}

function isMedia(field: ModelField): boolean {
	return field.kind === 'image' || field.kind === 'video' || field.kind === 'audio';
}
