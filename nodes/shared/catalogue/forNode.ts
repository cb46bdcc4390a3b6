import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { hiapiCredentials } from '../transport/credentials';
import type { HiApiCredentials } from '../types';
import { loadCatalogue, type Catalogue } from './fetch';
import type { CatalogueModel, ModelCategory } from './parse';
import { loadPricing, pricedModels, type PriceRow } from './pricing';

type Context = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/** One model as the HiAPI node offers it: hiapi's price list, with the docs catalogue's words where it has them. */
export interface ListedModel {
	id: string;
	title: string;
	category: ModelCategory;
	capability: string;
	/** Routes hiapi prices as `<id>@<route>`. */
	routes: string[];
	/** The docs catalogue's entry, when it lists the model (its fields serve when hiapi gives no schema). */
	documented?: CatalogueModel;
}

export interface ModelList {
	models: ListedModel[];
	/** Why the list is empty, when neither source could be read. */
	problem?: string;
}

/**
 * The docs catalogue named by the credential's Model Catalogue URL. It appears in no hiapi code, so
 * it is optional: an empty URL turns it off, and an unreachable one just adds nothing.
 */
export async function catalogueFor(this: Context): Promise<Catalogue> {
	let url = '';
	try {
		const credentials: HiApiCredentials = await hiapiCredentials.call(this);
		url = String(credentials.catalogueUrl ?? '').trim();
	} catch {
		return { models: [], problem: 'no credential to read the model catalogue URL from' };
	}
	if (!url) return { models: [], problem: 'no Model Catalogue URL is set' };
	return await loadCatalogue.call(this, url);
}

const TEXT_KINDS = ['text', 'chat', 'llm', 'language', 'completion', 'completions', 'embedding'];

/** What a price row says of its kind, in the catalogue's categories; text for chat and token-priced models. */
function categoryOfRow(row: PriceRow | undefined): ModelCategory | undefined {
	if (!row) return undefined;
	const kind = row.kind ?? '';
	if (TEXT_KINDS.includes(kind)) return 'text';
	if (/token/i.test(row.unit ?? '')) return 'text';
	for (const category of ['image', 'video', 'audio'] as const)
		if (kind.includes(category)) return category;
	return undefined;
}

/**
 * The kind a model id suggests (`…-video`, `…/text-to-image`, `…-tts`), only for the list's labels
 * and the automatic poll interval when nothing else says it: never for what is sent or priced.
 */
function categoryOfId(id: string): ModelCategory {
	const words = id.toLowerCase();
	if (/video|seedance|kling|veo|hailuo|wan\d/.test(words)) return 'video';
	if (/audio|tts|music|speech|voice|dialogue/.test(words)) return 'audio';
	if (/image|banana|flux|seedream/.test(words)) return 'image';
	return 'other';
}

/**
 * hiapi's models for the HiAPI node: the bare ids of hiapi's price list (GET /api/pricing, what its
 * own clients read), `<id>@<route>` rows as that model's routes, titles and categories from the docs
 * catalogue where it answers. Text models are left out (they have no task API). Without the price
 * list, the docs catalogue alone; without either, no models and why. Never throws.
 */
export async function listModels(this: Context): Promise<ModelList> {
	const [pricing, catalogue] = await Promise.all([loadPricing.call(this), catalogueFor.call(this)]);
	const documented = new Map(catalogue.models.map((model) => [model.id, model]));
	if (pricing.rows.length === 0) {
		if (catalogue.models.length === 0)
			return {
				models: [],
				problem: [pricing.problem, catalogue.problem].filter(Boolean).join('; and '),
			};
		const models = catalogue.models
			.filter((model) => model.category !== 'text')
			.map((model) => ({ ...model, routes: [], documented: model }));
		return { models };
	}
	const rowsById = new Map<string, PriceRow>();
	for (const row of pricing.rows) if (!rowsById.has(row.model)) rowsById.set(row.model, row);
	const models: ListedModel[] = [];
	for (const { id, routes } of pricedModels(pricing.rows)) {
		const docs = documented.get(id);
		const category =
			docs && docs.category !== 'other'
				? docs.category
				: (categoryOfRow(rowsById.get(id)) ?? categoryOfId(id));
		if (category === 'text') continue;
		models.push({
			id,
			title: docs?.title ?? id,
			category,
			capability: docs?.capability ?? '',
			routes,
			...(docs ? { documented: docs } : {}),
		});
	}
	return { models };
}

/** The category of a model for run-wide defaults: the list's, or what its id suggests. */
export function categoryOf(models: ListedModel[], id: string | undefined): ModelCategory {
	if (!id) return 'other';
	return models.find((model) => model.id === id)?.category ?? categoryOfId(id);
}
