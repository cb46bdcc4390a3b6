'use strict';

const crypto = require('node:crypto');

/**
 * JSON with object keys sorted at every level, so key order never makes two bodies differ.
 * @param {any} value
 * @returns {string}
 */
function canonicalJson(value) {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const keys = Object.keys(value).sort();
		return `{${keys.map((/** @type {string} */ k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

/** Hash of the canonical body: bodies can hold multi-megabyte data URLs. @param {unknown} body */
const fingerprint = (body) => crypto.createHash('sha256').update(canonicalJson(body)).digest('hex');

/**
 * @typedef {object} IdempotencyRecord
 * @property {string} fingerprint
 * @property {'processing' | 'done'} state
 * @property {string | undefined} taskId
 * @property {number} at sim time the key was first seen
 */

/** Idempotency keys, scoped per API key, remembered for ttlMs of sim time. */
class IdempotencyStore {
	/** @param {() => number} now @param {number} ttlMs */
	constructor(now, ttlMs) {
		this.now = now;
		this.ttlMs = ttlMs;
		/** @type {Map<string, IdempotencyRecord>} */
		this.records = new Map();
	}

	/** @param {string} apiKey @param {string} key */
	static id(apiKey, key) {
		return `${apiKey}\n${key}`;
	}

	/** @param {string} apiKey @param {string} key @returns {IdempotencyRecord | undefined} */
	lookup(apiKey, key) {
		const id = IdempotencyStore.id(apiKey, key);
		const rec = this.records.get(id);
		if (rec && this.now() - rec.at > this.ttlMs) {
			this.records.delete(id);
			return undefined;
		}
		return rec;
	}

	/** @param {string} apiKey @param {string} key @param {string} fp @returns {IdempotencyRecord} */
	reserve(apiKey, key, fp) {
		/** @type {IdempotencyRecord} */
		const rec = { fingerprint: fp, state: 'processing', taskId: undefined, at: this.now() };
		this.records.set(IdempotencyStore.id(apiKey, key), rec);
		return rec;
	}

	/**
	 * Forget a reservation whose request failed before creating a task, so a retry can succeed.
	 * @param {string} apiKey @param {string} key @param {IdempotencyRecord} rec
	 */
	release(apiKey, key, rec) {
		const id = IdempotencyStore.id(apiKey, key);
		if (this.records.get(id) === rec) this.records.delete(id);
	}

	clear() {
		this.records.clear();
	}
}

module.exports = { IdempotencyStore, canonicalJson, fingerprint };
