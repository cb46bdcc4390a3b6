import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { catalogueFor } from '../../shared/catalogue/forNode';

const CATEGORY_LABELS: Record<string, string> = {
	image: 'Image',
	video: 'Video',
	audio: 'Audio',
	other: 'Other',
};

/**
 * The model list of the editor's "From List" mode: hiapi's catalogue, text models left out (they
 * have no task API), filtered by what the user types in the title, ID, category or capability.
 */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const catalogue = await catalogueFor.call(this);
	if (catalogue.problem) {
		// n8n's editor shows only the message of a list's error (its REST answer drops the description).
		throw new NodeOperationError(
			this.getNode(),
			`Could not load hiapi's models: ${catalogue.problem}. Choose "By ID" and type the model ID (e.g. seedance-2.0) instead.`,
		);
	}
	const words = (filter ?? '').toLowerCase().split(/\s+/).filter(Boolean);
	const results = catalogue.models
		.filter((model) => model.category !== 'text')
		.filter((model) => {
			const haystack =
				`${model.title} ${model.id} ${model.category} ${model.capability}`.toLowerCase();
			return words.every((word) => haystack.includes(word));
		})
		.map((model) => ({
			name: `${model.title} (${CATEGORY_LABELS[model.category] ?? model.category})`,
			value: model.id,
			description: [model.id, model.capability].filter(Boolean).join(' · '),
		}));
	return { results };
}
