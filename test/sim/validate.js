'use strict';

/**
 * Per model: which input keys it accepts and whether `image` is required.
 * @type {Record<string, {keys: string[], image: boolean}>}
 */
const MODELS = {
	'gpt-image-2/text-to-image': { keys: ['prompt', 'aspect_ratio', 'resolution'], image: false },
	'gpt-image-2/image-to-image': {
		keys: ['prompt', 'image', 'aspect_ratio', 'resolution'],
		image: true,
	},
};
const ASPECT_RATIOS = [
	'1:1',
	'3:2',
	'2:3',
	'4:3',
	'3:4',
	'5:4',
	'4:5',
	'16:9',
	'9:16',
	'21:9',
	'auto',
];
const RESOLUTIONS = ['1K', '2K', '4K'];
const TOP_LEVEL_KEYS = ['model', 'input', 'route', 'callback'];
const CALLBACK_KEYS = ['url', 'when'];

/**
 * @typedef {object} SubmitRequest
 * @property {string} model bare model id (legacy `model@route` split off)
 * @property {string} route resolved route ('default' when omitted)
 * @property {import('./tasks').TaskInput} input
 * @property {{url: string, when: string} | undefined} callback
 */

class InvalidRequest extends Error {}

/** @param {unknown} v @returns {v is Record<string, unknown>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Mirrors the provider's JSON-schema wording, which clients may match on.
 * @param {Record<string, unknown>} obj @param {string[]} allowed @param {string} where
 */
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

/** @param {unknown} image @param {number} maxDataUrlBytes */
function checkImage(image, maxDataUrlBytes) {
	if (typeof image !== 'string' || image === '') {
		throw new InvalidRequest(
			'input.image must be a non-empty string (an http(s) URL or a data URL)',
		);
	}
	if (/^data:/i.test(image)) {
		// indexOf rather than one regex over the whole string: data URLs run to megabytes.
		const comma = image.indexOf(',');
		const header = comma < 0 ? '' : image.slice(5, comma);
		if (comma < 0 || !/^image\/[a-z0-9.+-]+;base64$/i.test(header)) {
			throw new InvalidRequest(
				'input.image data URL must look like data:image/<type>;base64,<data>',
			);
		}
		const data = image.slice(comma + 1);
		if (data === '' || data.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
			throw new InvalidRequest('input.image data URL does not carry valid base64 data');
		}
		const bytes = Buffer.byteLength(data, 'base64');
		if (bytes > maxDataUrlBytes) {
			throw new InvalidRequest(
				`input.image data URL decodes to ${mib(bytes)} (${bytes} bytes), over the ` +
					`${mib(maxDataUrlBytes)} limit (${maxDataUrlBytes} bytes); pass an https URL instead`,
			);
		}
		return;
	}
	if (!isHttpUrl(image)) {
		const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(image)?.[1];
		throw new InvalidRequest(
			`input.image must be an http(s) URL or a data:image/...;base64 URL` +
				(scheme ? ` (got scheme '${scheme}:')` : ''),
		);
	}
}

/**
 * Validates a parsed POST /v1/tasks body the way the provider does: strictly, naming the field.
 * @param {unknown} body
 * @param {{routes: string[], maxDataUrlBytes: number}} opts
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

/**
 * @param {unknown} body
 * @param {{routes: string[], maxDataUrlBytes: number}} opts
 * @returns {SubmitRequest}
 */
function check(body, { routes, maxDataUrlBytes }) {
	if (!isObject(body)) throw new InvalidRequest('request body must be a JSON object');
	rejectExtraKeys(body, TOP_LEVEL_KEYS, '');
	if (typeof body.model !== 'string' || body.model === '') {
		throw new InvalidRequest('model is required (e.g. gpt-image-2/image-to-image)');
	}
	const at = body.model.indexOf('@');
	const model = at < 0 ? body.model : body.model.slice(0, at);
	const legacyRoute = at < 0 ? undefined : body.model.slice(at + 1);
	const spec = MODELS[model];
	if (!spec) {
		throw new InvalidRequest(
			`unknown model '${model}'; available models: ${Object.keys(MODELS).join(', ')}`,
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

	const input = body.input;
	if (!isObject(input)) throw new InvalidRequest('input is required and must be an object');
	rejectExtraKeys(input, spec.keys, 'input');
	if (typeof input.prompt !== 'string' || input.prompt.trim() === '') {
		throw new InvalidRequest('input.prompt is required and must be a non-empty string');
	}
	if (spec.image) {
		if (input.image === undefined) {
			throw new InvalidRequest(`input.image is required for model '${model}'`);
		}
		checkImage(input.image, maxDataUrlBytes);
	}
	const aspectRatio = input.aspect_ratio ?? '1:1';
	if (!ASPECT_RATIOS.includes(/** @type {string} */ (aspectRatio))) {
		throw new InvalidRequest(
			`input.aspect_ratio must be one of ${ASPECT_RATIOS.join(', ')}; got ${JSON.stringify(aspectRatio)}`,
		);
	}
	const resolution = input.resolution ?? '1K';
	if (!RESOLUTIONS.includes(/** @type {string} */ (resolution))) {
		throw new InvalidRequest(
			`input.resolution must be one of ${RESOLUTIONS.join(', ')}; got ${JSON.stringify(resolution)}`,
		);
	}

	let callback;
	if (body.callback !== undefined) {
		if (!isObject(body.callback))
			throw new InvalidRequest('callback must be an object {url, when}');
		rejectExtraKeys(body.callback, CALLBACK_KEYS, 'callback');
		if (typeof body.callback.url !== 'string' || !isHttpUrl(body.callback.url)) {
			throw new InvalidRequest('callback.url must be an http(s) URL');
		}
		const when = body.callback.when ?? 'final';
		if (when !== 'final')
			throw new InvalidRequest(`callback.when must be 'final'; got ${JSON.stringify(when)}`);
		callback = { url: body.callback.url, when };
	}

	return {
		model,
		route,
		input: {
			prompt: input.prompt,
			...(spec.image ? { image: /** @type {string} */ (input.image) } : {}),
			aspect_ratio: /** @type {string} */ (aspectRatio),
			resolution: /** @type {string} */ (resolution),
		},
		callback,
	};
}

module.exports = { validateSubmit, MODELS, ASPECT_RATIOS, RESOLUTIONS };
