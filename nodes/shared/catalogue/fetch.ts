import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { errorText, FETCH_TIMEOUT_MS, PublicCache, type Read } from './cache';
import { parseCatalogue, type CatalogueModel } from './parse';
import { forgetPricing } from './pricing';
import { forgetSchemas } from './schema';

export const DEFAULT_CATALOGUE_URL = 'https://www.hiapi.ai/docs/models.json';

type CatalogueContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

export interface Catalogue {
	models: CatalogueModel[];
	/** Why there are no models, when the catalogue could not be read. */
	problem?: string;
}

const cache = new PublicCache<CatalogueModel[]>();

/**
 * hiapi's model catalogue (public, no API key), fetched at most once per URL every few minutes and
 * shared by every node run in this process. It never throws: an unreachable or unreadable catalogue
 * gives no models and a `problem`, and the nodes keep working with a model ID and JSON input.
 */
export async function loadCatalogue(this: CatalogueContext, url: string): Promise<Catalogue> {
	const read = await cache.get(url, async () => await fetchCatalogue.call(this, url));
	return { models: read.value ?? [], ...(read.problem ? { problem: read.problem } : {}) };
}

async function fetchCatalogue(
	this: CatalogueContext,
	url: string,
): Promise<Read<CatalogueModel[]>> {
	try {
		const body: unknown = await this.helpers.httpRequest({
			url,
			method: 'GET',
			json: true,
			timeout: FETCH_TIMEOUT_MS,
		});
		const models = parseCatalogue(body);
		if (models.length === 0)
			return { problem: `the model catalogue at ${url} lists no readable models` };
		return { value: models };
	} catch (error) {
		return { problem: `the model catalogue at ${url} could not be read (${errorText(error)})` };
	}
}

/** For tests and for a credential change: the next read of hiapi's public model data fetches again. */
export function forgetCatalogues(): void {
	cache.clear();
	forgetSchemas();
	forgetPricing();
}
