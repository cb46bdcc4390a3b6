#!/usr/bin/env node
'use strict';

// `bash run contract`: compares what the nodes assume about hiapi with what hiapi serves today.
// It reads hiapi's public price list (GET /api/pricing) and input schemas
// (GET /api/models/content?name=...), and with HIAPI_API_KEY set lists one task
// (GET /v1/tasks?page=1&size=1). It never submits anything: it costs nothing.
// Each difference is printed; exit 1 when there is one. Without a network (CI), it says it could
// not reach hiapi and runs the same comparison against the local simulator (exit 0 when the
// simulator agrees with the nodes). `--sim` skips hiapi.
// Env: HIAPI_SITE_URL (default https://www.hiapi.ai), HIAPI_BASE_URL (https://api.hiapi.ai),
// HIAPI_API_KEY (optional), HIAPI_CONTRACT_TIMEOUT_MS (per request, default 15000).

const path = require('node:path');
const { validate } = require('../test/sim/jsonschema');

/** What the nodes assume where they keep no constant of their own (GPT Image 2's: nodeAssumptions). */
const ASSUMED = {
	/** JSON Schema keywords the nodes' local checks implement (nodes/shared validator). */
	schemaKeywords: [
		'$schema',
		'type',
		'title',
		'description',
		'default',
		'enum',
		'const',
		'properties',
		'required',
		'additionalProperties',
		'minimum',
		'maximum',
		'exclusiveMinimum',
		'exclusiveMaximum',
		'minLength',
		'maxLength',
		'pattern',
		'format',
		'items',
		'minItems',
		'maxItems',
		'allOf',
		'if',
		'then',
		'else',
	],
	/** price rule operators and policy types the cost estimate understands */
	ruleOperators: ['match', 'with'],
	pricingTypes: ['fixed', 'multiply'],
};

/** A module of the nodes' TypeScript source: jest resolves it itself; plain node needs ts-register. */
function nodeModule(/** @type {string} */ relative) {
	const file = path.join(__dirname, '..', relative);
	try {
		return require(file);
	} catch (error) {
		if (/** @type {any} */ (error).code !== 'MODULE_NOT_FOUND') throw error;
		require('./ts-register');
		return require(file);
	}
}

/**
 * The assumptions: GPT Image 2's from the node's own constants (nodes/GptImage2/actions/facts.ts,
 * the table its checks fall back to, and the model IDs it sends), so this check compares hiapi with
 * what the node really does; the rest from the table above.
 * @returns {Assumptions}
 */
/** @typedef {typeof ASSUMED & {gptImage2: {t2i: string, i2i: string, referenceField: string, minReferences: number, maxReferences: number, ratios: string[], defaultRatio: string, resolutions: string[], unavailable: Record<string, readonly string[]>, backgrounds: string[], backgroundResolutions: string[]}}} Assumptions */
function nodeAssumptions() {
	const { GPT_IMAGE_2: g } = nodeModule('nodes/GptImage2/actions/facts');
	return {
		...ASSUMED,
		gptImage2: {
			t2i: nodeModule('nodes/GptImage2/actions/textToImage.operation').model,
			i2i: nodeModule('nodes/GptImage2/actions/imageToImage.operation').model,
			referenceField: g.referenceField,
			minReferences: g.minReferences,
			maxReferences: g.maxReferences,
			ratios: [...g.aspectRatios],
			defaultRatio: g.defaultAspectRatio,
			resolutions: [...g.resolutions],
			unavailable: g.unavailableRatios,
			backgrounds: [...g.backgrounds],
			backgroundResolutions: [...g.backgroundResolutions],
		},
	};
}

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

class Unreachable extends Error {}

/**
 * GET a JSON document. Throws Unreachable when no HTTP answer came at all.
 * @param {string} url @param {Record<string, string>} [headers] @param {number} [timeoutMs]
 * @returns {Promise<{status: number, json: any, text: string}>}
 */
async function getJson(url, headers = {}, timeoutMs = 15000) {
	let res;
	try {
		res = await fetch(url, {
			headers: { Accept: 'application/json', ...headers },
			signal: AbortSignal.timeout(timeoutMs),
		});
	} catch (err) {
		const cause = /** @type {any} */ (err).cause;
		throw new Unreachable(
			`${url}: ${cause?.code ?? cause?.message ?? /** @type {Error} */ (err).message}`,
		);
	}
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {}
	return { status: res.status, json, text };
}

/** Every keyword used anywhere in a schema (property names under `properties` excluded). */
function keywordsOf(/** @type {any} */ schema, /** @type {Set<string>} */ out = new Set()) {
	if (Array.isArray(schema)) schema.forEach((s) => keywordsOf(s, out));
	else if (isObject(schema)) {
		for (const [k, v] of Object.entries(schema)) {
			out.add(k);
			if (k === 'properties' && isObject(v)) Object.values(v).forEach((s) => keywordsOf(s, out));
			else if (k === 'enum' || k === 'const' || k === 'default' || k === 'required') continue;
			else keywordsOf(v, out);
		}
	}
	return out;
}

/** @param {string[]} a @param {string[]} b */
const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));
/** @param {unknown[]} xs */
const list = (xs) => xs.map(String).join(' ');

/**
 * A minimal valid input: each required field with a value its schema takes (URLs for uri fields,
 * lists of one for lists), so that probing one rule is not refused for another reason.
 * @param {any} schema @returns {Record<string, unknown>}
 */
function probe(schema) {
	const props = isObject(schema?.properties) ? schema.properties : {};
	/** @param {any} s @returns {unknown} */
	const value = (s) => {
		if (Array.isArray(s?.enum)) return s.enum[0];
		if (s?.type === 'array') return Array(Math.max(1, s.minItems ?? 1)).fill(value(s.items));
		if (s?.type === 'integer' || s?.type === 'number') return s.minimum ?? 1;
		if (s?.type === 'boolean') return false;
		if (s?.format === 'uri') return 'https://example.com/a.png';
		return 'contract probe';
	};
	return Object.fromEntries(
		(Array.isArray(schema?.required) ? schema.required : [])
			.filter((/** @type {string} */ k) => k !== 'model')
			.map((/** @type {string} */ k) => [k, value(props[k])]),
	);
}

/**
 * Compares one gpt-image-2 schema with the assumptions; returns the differences.
 * @param {string} name @param {any} schema @param {boolean} i2i @param {Assumptions} a
 */
function compareGptSchema(name, schema, i2i, a) {
	const g = a.gptImage2;
	/** @type {string[]} */
	const diffs = [];
	const props = isObject(schema?.properties) ? schema.properties : {};
	if (schema?.additionalProperties !== false) {
		diffs.push(`${name}: additionalProperties is not false (hiapi would take unknown fields)`);
	}
	const ref = props[g.referenceField];
	if (i2i) {
		if (!ref) {
			const other = Object.keys(props).filter((k) => /image|url/i.test(k));
			diffs.push(
				`${name}: no '${g.referenceField}' field; the schema's reference field(s): ${list(other) || 'none'}`,
			);
		} else {
			if (ref.type !== 'array' || ref.items?.format !== 'uri') {
				diffs.push(`${name}: '${g.referenceField}' is not an array of uri strings`);
			}
			if (ref.minItems !== g.minReferences || ref.maxItems !== g.maxReferences) {
				diffs.push(
					`${name}: '${g.referenceField}' takes ${ref.minItems ?? 0}-${ref.maxItems ?? '∞'} items; nodes assume ${g.minReferences}-${g.maxReferences}`,
				);
			}
			if (!(schema.required ?? []).includes(g.referenceField)) {
				diffs.push(`${name}: '${g.referenceField}' is not required`);
			}
		}
	} else if (ref) {
		diffs.push(`${name}: has '${g.referenceField}' (nodes send none for text-to-image)`);
	}
	const ratios = props.aspect_ratio?.enum ?? [];
	if (!sameSet(ratios, g.ratios)) {
		const extra = ratios.filter((/** @type {string} */ r) => !g.ratios.includes(r));
		const missing = g.ratios.filter((r) => !ratios.includes(r));
		diffs.push(
			`${name}: aspect_ratio differs: hiapi also has [${list(extra)}], lacks [${list(missing)}]`,
		);
	}
	if (props.aspect_ratio?.default !== g.defaultRatio) {
		diffs.push(
			`${name}: aspect_ratio default is ${JSON.stringify(props.aspect_ratio?.default)}; nodes assume '${g.defaultRatio}'`,
		);
	}
	if (!sameSet(props.resolution?.enum ?? [], g.resolutions)) {
		diffs.push(
			`${name}: resolution is [${list(props.resolution?.enum ?? [])}]; nodes assume [${list(g.resolutions)}]`,
		);
	}
	if (!sameSet(props.background?.enum ?? [], g.backgrounds)) {
		diffs.push(
			`${name}: background is [${list(props.background?.enum ?? [])}]; nodes assume [${list(g.backgrounds)}]`,
		);
	}
	const unknown = [...keywordsOf(schema)].filter((k) => !a.schemaKeywords.includes(k));
	if (unknown.length) {
		diffs.push(`${name}: uses JSON Schema keywords the nodes do not check: ${list(unknown)}`);
	}
	// The rules, by what the schema accepts: each ratio × resolution, and background × resolution.
	const base = { ...probe(schema), model: props.model?.enum?.[0] ?? name };
	const accepts = (/** @type {Record<string, unknown>} */ extra) =>
		validate({ ...base, ...extra }, schema, 'input', { model: name }) === undefined;
	for (const res of g.resolutions) {
		for (const ratio of ratios.filter((/** @type {string} */ r) => g.ratios.includes(r))) {
			const assumed = !(g.unavailable[/** @type {'1K'} */ (res)] ?? []).includes(ratio);
			const actual = accepts({ aspect_ratio: ratio, resolution: res });
			if (assumed !== actual) {
				diffs.push(
					`${name}: aspect_ratio ${ratio} at ${res}: hiapi ${actual ? 'accepts' : 'refuses'} it; nodes ${assumed ? 'send' : 'refuse'} it`,
				);
			}
		}
		if (props.background) {
			const assumed = g.backgroundResolutions.includes(res);
			const ratio = res === '1K' ? 'auto' : '16:9';
			const actual = accepts({ background: 'opaque', resolution: res, aspect_ratio: ratio });
			if (assumed !== actual) {
				diffs.push(
					`${name}: background at ${res}: hiapi ${actual ? 'accepts' : 'refuses'} it; nodes ${assumed ? 'send' : 'refuse'} it`,
				);
			}
		}
	}
	return diffs;
}

/**
 * The price list's shape, as the nodes parse it.
 * @param {any} body @param {Assumptions} a
 */
function comparePricing(body, a) {
	/** @type {string[]} */
	const diffs = [];
	const rows = body?.data;
	if (!Array.isArray(rows)) return ['/api/pricing: no `data` array'];
	const names = new Set();
	for (const [i, row] of rows.entries()) {
		const where = `/api/pricing data[${i}]${typeof row?.model_name === 'string' ? ` (${row.model_name})` : ''}`;
		if (typeof row?.model_name !== 'string' || !row.model_name) {
			diffs.push(`${where}: no model_name`);
			continue;
		}
		names.add(row.model_name);
		if (row.base_usd_value !== undefined && typeof row.base_usd_value !== 'number') {
			diffs.push(`${where}: base_usd_value is not a number`);
		}
		if (row.factors !== undefined && row.factors !== null && !Array.isArray(row.factors)) {
			diffs.push(`${where}: factors is not a list`);
		}
		for (const [j, p] of (Array.isArray(row.policies) ? row.policies : []).entries()) {
			const type = p?.pricing_type ?? (p?.usd_value !== undefined ? 'fixed' : undefined);
			if (!a.pricingTypes.includes(type)) {
				diffs.push(`${where} policies[${j}]: pricing_type ${JSON.stringify(type)} not understood`);
			}
			for (const [field, cond] of Object.entries(isObject(p?.rule) ? p.rule : {})) {
				const ops = isObject(cond) ? Object.keys(cond) : [];
				const bad = ops.filter((o) => !a.ruleOperators.includes(o));
				if (!ops.length || bad.length) {
					diffs.push(
						`${where} policies[${j}]: rule on '${field}' uses ${list(bad) || 'no operator'}`,
					);
				}
			}
		}
	}
	const g = a.gptImage2;
	for (const id of [g.t2i, g.i2i]) {
		if (!names.has(id)) {
			diffs.push(`/api/pricing: no row for ${id}`);
			continue;
		}
		const row = rows.find((/** @type {any} */ r) => r.model_name === id);
		const matched = new Set(
			(row.policies ?? []).flatMap((/** @type {any} */ p) =>
				[p?.rule?.resolution?.match].flat().filter(Boolean),
			),
		);
		const missing = g.resolutions.filter((r) => !matched.has(r));
		if (missing.length) {
			diffs.push(`/api/pricing ${id}: no price by resolution for ${list(missing)}`);
		}
	}
	return diffs;
}

/**
 * Runs every comparison against one hiapi (or simulator).
 * @param {{site: string, api: string, apiKey?: string, timeoutMs?: number}} target
 * @returns {Promise<{checks: string[], diffs: string[]}>}
 */
async function compare(target) {
	const a = nodeAssumptions();
	const t = target.timeoutMs ?? 15000;
	/** @type {string[]} */
	const checks = [];
	/** @type {string[]} */
	const diffs = [];
	const pricing = await getJson(`${target.site}/api/pricing`, {}, t);
	checks.push(`GET /api/pricing → ${pricing.status}`);
	if (pricing.status !== 200) diffs.push(`/api/pricing answered ${pricing.status}`);
	else diffs.push(...comparePricing(pricing.json, a));
	for (const [name, i2i] of /** @type {const} */ ([
		[a.gptImage2.t2i, false],
		[a.gptImage2.i2i, true],
	])) {
		const r = await getJson(
			`${target.site}/api/models/content?name=${encodeURIComponent(name)}`,
			{},
			t,
		);
		checks.push(`GET /api/models/content?name=${name} → ${r.status}`);
		const schema = r.json?.data?.input_schema;
		if (r.status !== 200 || !isObject(schema)) {
			diffs.push(`/api/models/content?name=${name}: ${r.status}, no data.input_schema object`);
			continue;
		}
		diffs.push(...compareGptSchema(name, schema, i2i, a));
	}
	const unknown = await getJson(
		`${target.site}/api/models/content?name=${encodeURIComponent('no-such-model/contract-probe')}`,
		{},
		t,
	);
	checks.push(`GET /api/models/content?name=<unknown> → ${unknown.status}`);
	if (unknown.status === 200 && isObject(unknown.json?.data?.input_schema)) {
		diffs.push('/api/models/content answers an unknown model with a schema');
	}
	if (target.apiKey) {
		const r = await getJson(
			`${target.api}/v1/tasks?page=1&size=1`,
			{ Authorization: `Bearer ${target.apiKey}` },
			t,
		);
		checks.push(`GET /v1/tasks?page=1&size=1 → ${r.status}`);
		if (r.status !== 200 || !Array.isArray(r.json?.data?.tasks)) {
			diffs.push(`/v1/tasks?page=1&size=1: ${r.status}, no data.tasks list`);
		}
	}
	return { checks, diffs };
}

/** @param {string} title @param {{checks: string[], diffs: string[]}} r */
function print(title, r) {
	console.log(title);
	for (const c of r.checks) console.log(`  ${c}`);
	if (!r.diffs.length) console.log('  no differences from what the nodes assume');
	else {
		console.log(`  ${r.diffs.length} difference(s) from what the nodes assume:`);
		for (const d of r.diffs) console.log(`  - ${d}`);
	}
}

async function main() {
	const env = process.env;
	const site = (env.HIAPI_SITE_URL || 'https://www.hiapi.ai').replace(/\/+$/, '');
	const api = (env.HIAPI_BASE_URL || 'https://api.hiapi.ai')
		.replace(/\/+$/, '')
		.replace(/\/v1$/, '');
	const timeoutMs = Number(env.HIAPI_CONTRACT_TIMEOUT_MS) || 15000;
	if (!process.argv.includes('--sim')) {
		try {
			const r = await compare({ site, api, apiKey: env.HIAPI_API_KEY || undefined, timeoutMs });
			print(`hiapi (${site}${env.HIAPI_API_KEY ? `, tasks at ${api}` : ''}):`, r);
			return r.diffs.length ? 1 : 0;
		} catch (err) {
			if (!(err instanceof Unreachable)) throw err;
			console.log(
				`could not reach hiapi (${err.message}): comparing with the local simulator instead`,
			);
		}
	}
	const { startSimulator } = require(path.join(__dirname, '..', 'test', 'sim'));
	const sim = await startSimulator();
	try {
		const r = await compare({ site: sim.baseUrl, api: sim.baseUrl, apiKey: sim.apiKey, timeoutMs });
		print(`simulator (${sim.baseUrl}):`, r);
		return r.diffs.length ? 1 : 0;
	} finally {
		await sim.stop();
	}
}

if (require.main === module) {
	main().then(
		(code) => {
			process.exitCode = code;
		},
		(err) => {
			console.error(err);
			process.exitCode = 2;
		},
	);
}

module.exports = { compare, compareGptSchema, comparePricing, nodeAssumptions, Unreachable };
