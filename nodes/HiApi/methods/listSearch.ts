import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listModels } from '../../shared/catalogue/forNode';

const CATEGORY_LABELS: Record<string, string> = {
	image: 'Image',
	video: 'Video',
	audio: 'Audio',
	other: 'Other',
};

/**
 * The model list of the editor's "From List" mode: hiapi's models (its price list, with the docs
 * catalogue's titles where it answers), text models left out (they have no task API), filtered by
 * what the user types in the title, ID, category, capability or routes.
 */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const list = await listModels.call(this);
	if (list.models.length === 0) {
		// n8n's editor shows only the message of a list's error (its REST answer drops the description).
		throw new NodeOperationError(
			this.getNode(),
			`Could not load hiapi's models: ${list.problem ?? 'none listed'}. Choose "By ID" and type the model ID (e.g. seedance-2.0) instead.`,
		);
	}
	const words = (filter ?? '').toLowerCase().split(/\s+/).filter(Boolean);
	const results = list.models
		.filter((model) => {
			const haystack =
				`${model.title} ${model.id} ${model.category} ${model.capability} ${model.routes.join(' ')}`.toLowerCase();
			return words.every((word) => haystack.includes(word));
		})
		.map((model) => ({
			name: `${model.title} (${CATEGORY_LABELS[model.category] ?? model.category})`,
			value: model.id,
			description: [
				model.id,
				model.capability,
				model.routes.length > 0 ? `routes: ${model.routes.join(', ')} (Options › Route)` : '',
			]
				.filter(Boolean)
				.join(' · '),
		}));
	return { results };
}
