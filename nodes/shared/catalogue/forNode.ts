import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { hiapiCredentials } from '../transport/credentials';
import type { HiApiCredentials } from '../types';
import { DEFAULT_CATALOGUE_URL, loadCatalogue, type Catalogue } from './fetch';
import type { CatalogueModel } from './parse';

type Context = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/** The catalogue named by the node's credential (its Model Catalogue URL, hiapi's by default). */
export async function catalogueFor(this: Context): Promise<Catalogue> {
	const credentials: HiApiCredentials = await hiapiCredentials.call(this);
	const url = String(credentials.catalogueUrl ?? '').trim() || DEFAULT_CATALOGUE_URL;
	return await loadCatalogue.call(this, url);
}

/** One model of the catalogue, or undefined (unknown model, or no catalogue: the node then sends as given). */
export async function catalogueModel(
	this: Context,
	modelId: string,
): Promise<CatalogueModel | undefined> {
	const { models } = await catalogueFor.call(this);
	return models.find((model) => model.id === modelId);
}
