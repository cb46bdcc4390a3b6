'use strict';

// Which models the simulator runs, and what it serves about them: the default /docs/models.json,
// GET /api/models/content (schemas) and GET /api/pricing (prices).

const { compileCatalogue, defaultCatalogueFor } = require('./catalogue');
const { builtinModels, fromCatalogueEntry } = require('./schemas');
const { priceRows } = require('./pricing');

const GPT_IDS = ['gpt-image-2/text-to-image', 'gpt-image-2/image-to-image'];

/**
 * @typedef {object} ModelState
 * @property {unknown} served what /docs/models.json answers (a JSON value, or a string sent as is)
 * @property {Map<string, import('./schemas').SimModel>} models the models the sim runs, by id
 */

/**
 * The default catalogue runs the built-in models; a replaced catalogue runs its well-formed
 * entries (built-in schema where there is one, else one made from the entry) plus gpt-image-2.
 * @param {unknown} catalogue the `catalogue` option or setCatalogue's argument (undefined: default)
 * @param {{gptImage2Schema: 'current' | 'legacy'}} opts
 * @returns {ModelState}
 */
function modelState(catalogue, opts) {
	const builtins = new Map(builtinModels(opts).map((m) => [m.id, m]));
	if (catalogue === undefined) {
		return { served: defaultCatalogueFor(opts.gptImage2Schema), models: builtins };
	}
	let parsed = catalogue;
	if (typeof catalogue === 'string') {
		try {
			parsed = JSON.parse(catalogue);
		} catch {
			parsed = undefined;
		}
	}
	/** @type {Map<string, import('./schemas').SimModel>} */
	const models = new Map();
	for (const id of GPT_IDS) models.set(id, /** @type {any} */ (builtins.get(id)));
	for (const [id, spec] of compileCatalogue(parsed)) {
		if (!models.has(id)) models.set(id, builtins.get(id) ?? fromCatalogueEntry(spec));
	}
	return { served: catalogue, models };
}

/**
 * The schema served for a name: `id` (default route) or `id@route` (a route of its own, or any
 * accepted route, which then shares the default schema).
 * @param {ModelState} state @param {string[]} routes accepted routes @param {string} name
 * @returns {Record<string, any> | undefined}
 */
function schemaFor(state, routes, name) {
	const at = name.indexOf('@');
	const id = at < 0 ? name : name.slice(0, at);
	const route = at < 0 ? 'default' : name.slice(at + 1) || 'default';
	const m = state.models.get(id);
	if (!m || !routes.includes(route)) return undefined;
	if (route !== 'default' && m.routes[route]) return m.routes[route];
	if (route === 'default') return m.schema;
	// Another accepted route without a schema of its own takes the default one, named as asked.
	const schema = structuredClone(m.schema);
	schema.properties.model = { ...schema.properties.model, enum: [name], default: name };
	return schema;
}

/** @param {ModelState} state @param {Record<string, any>} [prices] overrides by model name */
function pricing(state, prices) {
	return priceRows([...state.models.values()], prices);
}

module.exports = { modelState, schemaFor, pricing };
