import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { parseCatalogue, type CatalogueModel } from './parse';

export const DEFAULT_CATALOGUE_URL = 'https://www.hiapi.ai/docs/models.json';
/** The catalogue changes when hiapi adds a model: minutes of staleness cost nothing. */
const FRESH_MS = 5 * 60_000;
/** A failed fetch is not retried for this long, so an unreachable catalogue does not slow every run. */
const FAILED_MS = 30_000;
const FETCH_TIMEOUT_MS = 10_000;

type CatalogueContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

export interface Catalogue {
	models: CatalogueModel[];
	/** Why there are no models, when the catalogue could not be read. */
	problem?: string;
}

const cache = new Map<string, { until: number; catalogue: Promise<Catalogue> }>();

/**
 * hiapi's model catalogue (public, no API key), fetched at most once per URL every few minutes and
 * shared by every node run in this process. It never throws: an unreachable or unreadable catalogue
 * gives no models and a `problem`, and the nodes keep working with a model ID and JSON input.
 */
export async function loadCatalogue(this: CatalogueContext, url: string): Promise<Catalogue> {
	const now = Date.now();
	const hit = cache.get(url);
	if (hit && hit.until > now) return await hit.catalogue;
	const catalogue = fetchCatalogue.call(this, url);
	const entry = { until: now + FRESH_MS, catalogue };
	cache.set(url, entry);
	const result = await catalogue;
	if (result.problem) entry.until = Date.now() + FAILED_MS;
	return result;
}

async function fetchCatalogue(this: CatalogueContext, url: string): Promise<Catalogue> {
	try {
		const body: unknown = await this.helpers.httpRequest({
			url,
			method: 'GET',
			json: true,
			timeout: FETCH_TIMEOUT_MS,
		});
		const models = parseCatalogue(body);
		if (models.length === 0)
			return { models, problem: `the model catalogue at ${url} lists no readable models` };
		return { models };
	} catch (error) {
		return {
			models: [],
			problem: `the model catalogue at ${url} could not be read (${error instanceof Error ? error.message : String(error)})`,
		};
	}
}

/** For tests and for a credential change: the next read fetches again. */
export function forgetCatalogues(): void {
	cache.clear();
}
