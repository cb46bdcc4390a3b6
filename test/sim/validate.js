'use strict';

const { validate: validateSchema, withDefaults, isObject } = require('./jsonschema');

const TOP_LEVEL_KEYS = ['model', 'input', 'route', 'callback', 'storage'];
const CALLBACK_KEYS = ['url', 'when'];
const STORAGE = ['temp', 'persistent'];

/**
 * @typedef {object} SubmitRequest
 * @property {string} model bare model id (legacy `model@route` split off)
 * @property {string} route resolved route ('default' when omitted)
 * @property {import('./tasks').TaskInput} input the validated input, schema defaults filled in
 * @property {{url: string, when: string} | undefined} callback
 * @property {string} storage temp | persistent
 * @property {string} category image | video | audio (a model the sim does not know: image)
 * @property {string[]} outputTypes output types on success
 * @property {string} text the input's plain text (prompt, text, lyrics...), for fail/refuse words
 */

/**
 * @typedef {object} ValidateOptions
 * @property {string[]} routes
 * @property {number} maxDataUrlBytes
 * @property {Record<string, number>} [maxDataUrlBytesByKind] per media kind (image, video, audio)
 * @property {Map<string, import('./schemas').SimModel>} models the models the sim runs now
 * @property {boolean} [acceptUnknownModels] take models it does not run, with any input
 */

class InvalidRequest extends Error {}

/** @param {Record<string, unknown>} obj @param {string[]} allowed @param {string} where */
function rejectExtraKeys(obj, allowed, where) {
	const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
	if (extra.length) {
		const names = extra.map((k) => `'${k}'`).join(', ');
		throw new InvalidRequest(
			`${where ? `${where}: ` : ''}additional properties not allowed: ${names}`,
		);
	}
}

/** @param {string} s */
function isHttpUrl(s) {
	try {
		const u = new URL(s);
		return (u.protocol === 'http:' || u.protocol === 'https:') && Boolean(u.hostname);
	} catch {
		return false;
	}
}

const mib = (/** @type {number} */ n) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/**
 * A media reference (a `format: uri` string of a model): an http(s) URL, or a base64 data URL of
 * the field's media kind within its size limit, as hiapi takes them.
 * @param {string} v @param {string | undefined} kind image | video | audio; undefined: any type
 * @param {string} path @param {number} limit decoded bytes
 * @returns {string | undefined} what is wrong
 */
function mediaProblem(v, kind, path, limit) {
	const kindText = kind ?? '<type>';
	if (/^data:/i.test(v)) {
		// indexOf rather than one regex over the whole string: data URLs run to megabytes.
		const comma = v.indexOf(',');
		const header = comma < 0 ? '' : v.slice(5, comma);
		const mime = kind ? `${kind}/[a-z0-9.+-]+` : '[a-z]+/[a-z0-9.+-]+';
		if (comma < 0 || !new RegExp(`^${mime};base64$`, 'i').test(header)) {
			return `${path} data URL must look like data:${kind ? `${kind}/<type>` : '<type>/<subtype>'};base64,<data>`;
		}
		const data = v.slice(comma + 1);
		if (data === '' || data.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
			return `${path} data URL does not carry valid base64 data`;
		}
		const bytes = Buffer.byteLength(data, 'base64');
		if (bytes > limit) {
			return (
				`${path} data URL decodes to ${mib(bytes)} (${bytes} bytes), over the ` +
				`${mib(limit)} limit (${limit} bytes); pass an https URL instead`
			);
		}
		return undefined;
	}
	if (isHttpUrl(v)) return undefined;
	const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v)?.[1];
	return (
		`${path} must be an http(s) URL or a data:${kindText}/...;base64 URL` +
		(scheme ? ` (got scheme '${scheme}:')` : '')
	);
}

/**
 * Validates a parsed POST /v1/tasks body the way hiapi does: against the model's schema,
 * strictly, naming the field.
 * @param {unknown} body
 * @param {ValidateOptions} opts
 * @returns {{ok: true, value: SubmitRequest} | {ok: false, message: string}}
 */
function validateSubmit(body, opts) {
	try {
		return { ok: true, value: check(body, opts) };
	} catch (err) {
		if (err instanceof InvalidRequest) return { ok: false, message: err.message };
		throw err;
	}
}

/** @param {unknown} body @param {ValidateOptions} opts @returns {SubmitRequest} */
function check(
	body,
	{ routes, maxDataUrlBytes, maxDataUrlBytesByKind, models, acceptUnknownModels },
) {
	if (!isObject(body)) throw new InvalidRequest('request body must be a JSON object');
	rejectExtraKeys(body, TOP_LEVEL_KEYS, '');
	if (typeof body.model !== 'string' || body.model === '') {
		throw new InvalidRequest('model is required (e.g. gpt-image-2/image-to-image)');
	}
	const at = body.model.indexOf('@');
	const model = at < 0 ? body.model : body.model.slice(0, at);
	const legacyRoute = at < 0 ? undefined : body.model.slice(at + 1);
	const m = models.get(model);
	if (!m && !acceptUnknownModels) {
		throw new InvalidRequest(
			`unknown model '${model}'; available models: ${[...models.keys()].join(', ')}`,
		);
	}
	if (m?.category === 'text') {
		throw new InvalidRequest(
			`model '${model}' is a text model: use the chat API; /v1/tasks runs image, video and audio models`,
		);
	}
	if (body.route !== undefined && typeof body.route !== 'string') {
		throw new InvalidRequest('route must be a string');
	}
	const norm = (/** @type {string|undefined} */ r) => (r === undefined || r === '' ? 'default' : r);
	if (
		legacyRoute !== undefined &&
		body.route !== undefined &&
		norm(legacyRoute) !== norm(body.route)
	) {
		throw new InvalidRequest(
			`route given twice: '${legacyRoute}' in model and '${body.route}' in route`,
		);
	}
	const route = norm(legacyRoute ?? body.route);
	if (!routes.includes(route)) {
		throw new InvalidRequest(
			`unknown route '${route}' for model '${model}'; available routes: ${routes.join(', ')}`,
		);
	}
	if (body.storage !== undefined && !STORAGE.includes(/** @type {string} */ (body.storage))) {
		throw new InvalidRequest(
			`storage must be one of ${STORAGE.join(', ')}; got ${JSON.stringify(body.storage)}`,
		);
	}

	const input = body.input;
	if (!isObject(input)) throw new InvalidRequest('input is required and must be an object');
	const callback = checkCallback(body.callback);
	const storage = /** @type {string} */ (body.storage ?? 'temp');
	if (!m) {
		return {
			model,
			route,
			input: { ...input },
			callback,
			storage,
			category: 'image',
			outputTypes: ['image'],
			text: textOf(input),
		};
	}
	if (input.model !== undefined) {
		throw new InvalidRequest(
			'input.model is not an input: the model goes at the top level of the request',
		);
	}
	const routed = route !== 'default' && m.routes[route] !== undefined;
	const schema = routed ? m.routes[route] : m.schema;
	const name = routed ? `${model}@${route}` : model;
	const limits = { maxDataUrlBytes, ...(maxDataUrlBytesByKind ?? {}) };
	// The schema's `model` (a one-value enum in `required`) is the request's top-level model.
	const problem = validateSchema({ ...input, model: name }, schema, 'input', {
		model: name,
		uri: (v, path) => {
			const field = /^input\.([^.[]+)/.exec(path)?.[1] ?? '';
			const kind = m.media[field];
			return mediaProblem(v, kind, path, (kind && limits[kind]) || limits.maxDataUrlBytes);
		},
	});
	if (problem) throw new InvalidRequest(problem);
	const filled = /** @type {Record<string, any>} */ (withDefaults(input, schema));
	delete filled.model;
	return {
		model,
		route,
		input: filled,
		callback,
		storage,
		category: m.category,
		outputTypes: m.output,
		text: textOf(input),
	};
}

/** @param {unknown} cb @returns {{url: string, when: string} | undefined} */
function checkCallback(cb) {
	if (cb === undefined) return undefined;
	if (!isObject(cb)) throw new InvalidRequest('callback must be an object {url, when}');
	rejectExtraKeys(cb, CALLBACK_KEYS, 'callback');
	if (typeof cb.url !== 'string' || !isHttpUrl(cb.url)) {
		throw new InvalidRequest('callback.url must be an http(s) URL');
	}
	const when = cb.when ?? 'final';
	if (when !== 'final')
		throw new InvalidRequest(`callback.when must be 'final'; got ${JSON.stringify(when)}`);
	return { url: cb.url, when: /** @type {string} */ (when) };
}

/** Every plain-text string of an input (not URLs), for fail and refuse words. @param {unknown} v @returns {string} */
function textOf(v) {
	if (typeof v === 'string') return /^(data:|https?:\/\/)/i.test(v) ? '' : v;
	if (Array.isArray(v)) return v.map(textOf).join('\n');
	if (isObject(v)) return Object.values(v).map(textOf).join('\n');
	return '';
}

module.exports = { validateSubmit, mediaProblem };
