import type { IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { hiapiCredentials } from '../transport/credentials';
import { errorText, FETCH_TIMEOUT_MS, PublicCache, type Read } from './cache';

export const DEFAULT_PRICING_URL = 'https://www.hiapi.ai/api/pricing';

type Context = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/**
 * One row of hiapi's public price list (GET /api/pricing, `data[]`), as read defensively. `model_name`
 * is a bare id or `<id>@<route>` for a routed variant; the other fields are kept raw and judged only
 * when a price is asked for, so a row this package cannot price still names a model.
 */
export interface PriceRow {
	/** `model_name` as hiapi wrote it. */
	name: string;
	/** The bare id a task request uses. */
	model: string;
	/** The route of a `<id>@<route>` row. */
	route?: string;
	/** What the row says of the model's kind, where it says it (`category`, `model_type`, …). */
	kind?: string;
	/** `base_display_unit.en`, e.g. "per image", where given. */
	unit?: string;
	raw: Record<string, unknown>;
}

/** A run's price for one task: USD, and the pricing rule that gave it, in words. */
export interface Estimate {
	usd: number;
	rule: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/** The rows of a /api/pricing answer (`{data: [...]}` or a bare list); `[]` for anything else. */
export function readPriceRows(body: unknown): PriceRow[] {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return [];
		}
	}
	const list = Array.isArray(value) ? value : isRecord(value) ? value.data : undefined;
	if (!Array.isArray(list)) return [];
	const rows: PriceRow[] = [];
	for (const entry of list) {
		if (!isRecord(entry)) continue;
		const name = text(entry.model_name);
		if (!name) continue;
		const at = name.indexOf('@');
		const model = at > 0 ? name.slice(0, at) : name;
		const route = at > 0 ? name.slice(at + 1) || undefined : undefined;
		const kind = [entry.category, entry.model_type, entry.model_category, entry.kind]
			.map(text)
			.find(Boolean)
			?.toLowerCase();
		const display = isRecord(entry.base_display_unit)
			? text(entry.base_display_unit.en)
			: text(entry.base_display_unit);
		rows.push({
			name,
			model,
			...(route ? { route } : {}),
			...(kind ? { kind } : {}),
			...(display ? { unit: display } : {}),
			raw: entry,
		});
	}
	return rows;
}

/** The models a price list names: bare ids in the order first seen, each with its routes. */
export function pricedModels(rows: PriceRow[]): Array<{ id: string; routes: string[] }> {
	const byId = new Map<string, string[]>();
	for (const row of rows) {
		const routes = byId.get(row.model) ?? [];
		if (row.route && !routes.includes(row.route)) routes.push(row.route);
		byId.set(row.model, routes);
	}
	return [...byId].map(([id, routes]) => ({ id, routes }));
}

const DURATION_FACTORS = ['duration', 'seconds', 'duration_seconds'];

function positive(value: unknown): number | undefined {
	if (value === null || value === undefined || value === '' || typeof value === 'boolean')
		return undefined;
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : undefined;
}

function hasValue(value: unknown): boolean {
	return Array.isArray(value)
		? value.length > 0
		: value !== undefined && value !== null && value !== '' && value !== false;
}

/**
 * Whether a policy's rule applies to the input. hiapi's clients know two conditions per field:
 * `match` (the value, or one of a list) and `with` (whether the field is given at all); anything
 * else makes the price unknown (undefined), never a guess.
 */
function ruleMatches(rule: unknown, input: Record<string, unknown>): boolean | undefined {
	if (rule === undefined || rule === null) return true;
	if (!isRecord(rule)) return undefined;
	let matches = true;
	for (const [field, condition] of Object.entries(rule)) {
		if (!isRecord(condition)) return undefined;
		const operators = Object.keys(condition);
		if (operators.length === 0 || operators.some((op) => op !== 'match' && op !== 'with'))
			return undefined;
		const value = input[field];
		if ('match' in condition) {
			const expected = condition.match;
			if (Array.isArray(expected) ? !expected.includes(value) : value !== expected) matches = false;
		}
		if ('with' in condition && hasValue(value) !== Boolean(condition.with)) matches = false;
	}
	return matches;
}

function ruleWords(rule: unknown): string {
	if (!isRecord(rule) || Object.keys(rule).length === 0) return 'any input';
	return Object.entries(rule)
		.map(([field, condition]) => {
			const c = isRecord(condition) ? condition : {};
			const parts: string[] = [];
			if ('match' in c)
				parts.push(
					`${field} ${Array.isArray(c.match) ? c.match.map(String).join('/') : String(c.match)}`,
				);
			if ('with' in c) parts.push(`${c.with ? 'with' : 'without'} ${field}`);
			return parts.join(', ');
		})
		.join(', ');
}

function money(usd: number): string {
	return `$${Number(usd.toFixed(6))}`;
}

/** A policy's price for one unit, as hiapi's clients read it; undefined when it is not a clear price. */
function policyPrice(
	policy: Record<string, unknown>,
	base: number | undefined,
): number | undefined {
	const type = text(policy.pricing_type) || (policy.usd_value !== undefined ? 'fixed' : '');
	if (type === 'fixed') return positive(policy.usd_value);
	if (type === 'multiply') {
		const times = positive(policy.times ?? policy.pricing_value);
		return times !== undefined && base !== undefined ? base * times : undefined;
	}
	return undefined;
}

/**
 * One task's public-price estimate from the price list, the way hiapi's own clients compute it:
 * the row of the model (`<id>@<route>` for a route); among the policies whose rule matches the
 * input, the most specific one (most conditions), the highest price if several tie; otherwise the
 * row's base price. A `duration` factor makes it a price per second, times the input's duration.
 * Anything unclear (no row, an unknown condition, factor or policy type, a missing or zero price)
 * gives undefined: no estimate, never a guess. `input` should carry the schema's defaults
 * (withSchemaDefaults), since a policy may match a default value.
 */
export function priceFor(
	rows: PriceRow[],
	modelId: string,
	route: string | undefined,
	input: Record<string, unknown>,
): Estimate | undefined {
	const name =
		route && route !== 'default' && !modelId.includes('@') ? `${modelId}@${route}` : modelId;
	const row = rows.find((r) => r.name === name);
	if (!row) return undefined;
	const raw = row.raw;

	// `factors` name the input fields the unit price is multiplied by: `duration` (or hiapi's aliases
	// `seconds`, `duration_seconds`) makes it a price per second, `n` per output. A factor the input
	// does not give as a positive number (e.g. a chat model's tokens) leaves no estimate.
	let units = 1;
	let per = 'per task';
	if (raw.factors !== undefined && raw.factors !== null) {
		if (!Array.isArray(raw.factors)) return undefined;
		const parts: string[] = [];
		for (const factor of raw.factors) {
			const name = typeof factor === 'string' ? factor.trim() : '';
			if (!name) return undefined;
			const isDuration = DURATION_FACTORS.includes(name.toLowerCase());
			const amount = positive(input[name] ?? (isDuration ? input.duration : undefined));
			if (amount === undefined) return undefined;
			units *= amount;
			parts.push(isDuration ? `${amount} s` : `${name} ${amount}`);
		}
		if (parts.length > 0) per = `× ${parts.join(' × ')}`;
	}

	const base = positive(raw.base_usd_value ?? raw.model_price);
	const policies = raw.policies ?? [];
	if (!Array.isArray(policies)) return undefined;
	const matching: Array<Record<string, unknown>> = [];
	for (const policy of policies) {
		if (!isRecord(policy)) return undefined;
		const applies = ruleMatches(policy.rule, input);
		if (applies === undefined) return undefined;
		if (applies) matching.push(policy);
	}

	let unitPrice: number | undefined;
	let because: string;
	if (matching.length > 0) {
		const size = (p: Record<string, unknown>) =>
			isRecord(p.rule) ? Object.keys(p.rule).length : 0;
		const specificity = Math.max(...matching.map(size));
		const best = matching.filter((p) => size(p) === specificity);
		const prices = best.map((p) => policyPrice(p, base));
		if (prices.some((p) => p === undefined)) return undefined;
		unitPrice = Math.max(...(prices as number[]));
		because = ruleWords(best[prices.indexOf(unitPrice)].rule);
	} else {
		unitPrice = base;
		because = 'base price';
	}
	if (unitPrice === undefined) return undefined;
	const usd = Number((unitPrice * units).toFixed(6));
	return { usd, rule: `${name}, ${because}: ${money(unitPrice)} ${per}` };
}

const lists = new PublicCache<PriceRow[]>();

async function fetchPrices(this: Context, url: string): Promise<Read<PriceRow[]>> {
	try {
		const body: unknown = await this.helpers.httpRequest({
			url,
			method: 'GET',
			json: true,
			timeout: FETCH_TIMEOUT_MS,
		});
		const rows = readPriceRows(body);
		return rows.length > 0
			? { value: rows }
			: { problem: `hiapi's price list at ${url} lists no models` };
	} catch (error) {
		return { problem: `hiapi's price list at ${url} could not be read (${errorText(error)})` };
	}
}

/**
 * hiapi's public price list (no API key), the one hiapi's own clients read for model names and
 * prices: fetched at most once per URL every few minutes (a failure is retried after 30 s). Never
 * throws: without it there are no rows and a `problem`.
 */
export async function loadPricing(this: Context): Promise<{ rows: PriceRow[]; problem?: string }> {
	let url = DEFAULT_PRICING_URL;
	try {
		const credentials = await hiapiCredentials.call(this);
		url = String(credentials.pricingUrl ?? '').trim() || DEFAULT_PRICING_URL;
	} catch {
		// No credential (yet): hiapi's public endpoint needs none.
	}
	const read = await lists.get(url, async () => await fetchPrices.call(this, url));
	return { rows: read.value ?? [], ...(read.problem ? { problem: read.problem } : {}) };
}

/**
 * One task's estimated public price (before any account discount), or undefined when hiapi's price
 * list gives none for this model, route and input: never a guess. Never throws.
 */
export async function estimateCost(
	this: Context,
	modelId: string,
	route: string | undefined,
	input: Record<string, unknown>,
): Promise<Estimate | undefined> {
	const { rows } = await loadPricing.call(this);
	return priceFor(rows, modelId, route, input);
}

/** For tests and for a credential change: the next read fetches again. */
export function forgetPricing(): void {
	lists.clear();
}
