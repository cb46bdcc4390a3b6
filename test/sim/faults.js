'use strict';

/**
 * @typedef {object} Fault
 * @property {'submit'|'get'|'list'|'cdn'|'catalogue'|'pricing'|'schema'|'callback'|'any'} route 'any' = every HTTP route, not callbacks
 * @property {string} type see HTTP_TYPES / CALLBACK_TYPES
 * @property {number} [count] how many matching requests it applies to (default 1; Infinity allowed)
 * @property {(info: {method: string, path: string, taskId?: string, headers: Record<string, any>, route: string}) => boolean} [match]
 * @property {number} [status] for 'status'
 * @property {unknown} [body] for 'status': an object (sent as JSON) or a string (sent as is)
 * @property {Record<string, string>} [headers] for 'status'
 * @property {string} [retryAfter] for '429' / '503'
 * @property {number} [ms] for 'slow' (not scaled by timeScale)
 * @property {'before'|'after'} [phase] for 'slow': wait before doing the work (default) or after it
 * @property {string} [statusName] for 'unknown-status' (default 'rendering')
 */

const HTTP_ROUTES = ['submit', 'get', 'list', 'cdn', 'catalogue', 'pricing', 'schema'];
const HTTP_TYPES = [
	'status',
	'429',
	'503',
	'reset-before',
	'reset-after',
	'slow',
	'malformed',
	'unknown-status',
	'no-output',
	'truncate',
];
const CALLBACK_TYPES = ['drop', 'slow'];

/** @param {Fault} f @returns {Fault & {count: number}} */
function checkFault(f) {
	if (!f || typeof f !== 'object') throw new TypeError('inject() needs a fault object');
	const { route, type } = f;
	if (route !== 'callback' && route !== 'any' && !HTTP_ROUTES.includes(route)) {
		throw new TypeError(
			`fault route must be one of ${[...HTTP_ROUTES, 'callback', 'any'].join(', ')}`,
		);
	}
	const types = route === 'callback' ? CALLBACK_TYPES : HTTP_TYPES;
	if (!types.includes(String(type))) {
		throw new TypeError(
			`fault type for route '${route}' must be one of ${types.join(', ')}; got '${type}'`,
		);
	}
	const count = f.count ?? 1;
	if (typeof count !== 'number' || !(count > 0)) throw new TypeError('fault count must be > 0');
	const status = Number(f.status);
	if (type === 'status' && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
		throw new TypeError('a status fault needs status: 100..599');
	}
	if (type === 'slow' && !(typeof f.ms === 'number' && f.ms >= 0)) {
		throw new TypeError('a slow fault needs ms >= 0');
	}
	if (f.match !== undefined && typeof f.match !== 'function')
		throw new TypeError('fault match must be a function');
	return { ...f, type: String(type), count };
}

/** Faults waiting to be applied, first injected first used. */
class FaultStore {
	constructor() {
		/** @type {(Fault & {count: number})[]} */
		this.faults = [];
	}

	/** @param {Fault} f */
	add(f) {
		// checkFault fills in count, so the store's faults always have one.
		this.faults.push(checkFault(f));
	}

	/**
	 * Uses up one application of the first fault that matches, and returns it.
	 * @param {string} route the request's route ('other' never matches a fault)
	 * @param {{method: string, path: string, taskId?: string, headers: Record<string, any>}} info
	 * @returns {(Fault & {count: number}) | undefined}
	 */
	take(route, info) {
		if (route === 'other') return undefined;
		for (let i = 0; i < this.faults.length; i++) {
			const f = this.faults[i];
			const routeMatches = f.route === route || (f.route === 'any' && route !== 'callback');
			if (!routeMatches) continue;
			// A throwing predicate is a test bug; treating it as "no match" keeps the request sane.
			let hit = true;
			if (f.match) {
				try {
					hit = Boolean(f.match({ ...info, route }));
				} catch {
					hit = false;
				}
			}
			if (!hit) continue;
			f.count -= 1;
			if (f.count <= 0) this.faults.splice(i, 1);
			return f;
		}
		return undefined;
	}

	clear() {
		this.faults.length = 0;
	}
}

module.exports = { FaultStore, HTTP_TYPES, CALLBACK_TYPES };
