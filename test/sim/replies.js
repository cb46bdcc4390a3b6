'use strict';

/**
 * @typedef {object} Reply what a handler wants to answer, before faults reshape it
 * @property {number} status
 * @property {Record<string, string>} [headers]
 * @property {unknown} body object → JSON, Buffer → raw bytes, string → raw text, undefined → empty
 * @property {import('./media').MediaFile} [file] streamed instead of body (CDN outputs)
 */

/** @param {unknown} data @param {Record<string, string>} [headers] @returns {Reply} */
const ok = (data, headers = {}) => ({
	status: 200,
	headers,
	body: { code: 200, message: 'success', data },
});

/**
 * @param {number} status @param {string} errorCode @param {string} message
 * @param {Record<string, string>} [headers]
 * @returns {Reply}
 */
const fail = (status, errorCode, message, headers = {}) => ({
	status,
	headers,
	body: { error_code: errorCode, message },
});

/**
 * Default error codes for injected status faults that come without a body.
 * @type {Record<number, [string, string]>}
 */
const STATUS_CODES = {
	400: ['INVALID_REQUEST', 'Invalid request.'],
	401: ['unauthorized', 'Invalid API key.'],
	402: ['insufficient_balance', 'Insufficient balance.'],
	403: ['forbidden', 'This account cannot perform this action.'],
	404: ['not_found', 'Not found.'],
	408: ['timeout', 'Request timed out.'],
	409: ['conflict', 'Conflict.'],
	422: ['unprocessable', 'Unprocessable request.'],
	429: ['rate_limited', 'Too many requests.'],
	500: ['internal_error', 'Internal server error.'],
	502: ['bad_gateway', 'Bad gateway.'],
	503: ['unavailable', 'Service unavailable.'],
	504: ['gateway_timeout', 'Gateway timeout.'],
};

/** @param {number} status @returns {[string, string]} */
function defaultError(status) {
	return STATUS_CODES[status] ?? [status >= 500 ? 'internal_error' : 'error', `HTTP ${status}`];
}

/**
 * Turns a reply into status, headers and bytes, with Content-Type and Content-Length set.
 * @param {Reply} reply
 * @returns {{status: number, headers: Record<string, string>, bytes: Buffer}}
 */
function serialize(reply) {
	const headers = { ...(reply.headers ?? {}) };
	const has = (/** @type {string} */ name) =>
		Object.keys(headers).some((k) => k.toLowerCase() === name);
	let bytes;
	if (reply.body === undefined) bytes = Buffer.alloc(0);
	else if (Buffer.isBuffer(reply.body)) bytes = reply.body;
	else if (typeof reply.body === 'string') {
		bytes = Buffer.from(reply.body);
		if (!has('content-type')) headers['Content-Type'] = 'text/plain; charset=utf-8';
	} else {
		bytes = Buffer.from(JSON.stringify(reply.body));
		if (!has('content-type')) headers['Content-Type'] = 'application/json; charset=utf-8';
	}
	if (!has('content-length')) headers['Content-Length'] = String(bytes.length);
	return { status: reply.status, headers, bytes };
}

module.exports = { ok, fail, defaultError, serialize };
