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
 * @property {string} category image | video | audio (a model outside the catalogue: image)
 * @property {string[]} outputTypes output types on success, from the catalogue entry
 * @property {string} text the input's plain text (prompt, text, lyrics...), for fail/refuse words
 */

/**
 * @typedef {object} ValidateOptions
 * @property {string[]} routes
 * @property {number} maxDataUrlBytes
 * @property {Record<string, number>} [maxDataUrlBytesByKind] per media kind (image, video, audio)
 * @property {Map<string, import('./catalogue').ModelSpec>} [models] the served catalogue's models
 * @property {boolean} [acceptUnknownModels] take models outside the catalogue with any input
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

/**
 * @param {unknown} body
 * @param {ValidateOptions} opts
 * @returns {SubmitRequest}
 */
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
	const spec = MODELS[model];
	/** @type {import('./catalogue').ModelSpec | undefined} */
	const entry = spec ? undefined : models?.get(model);
	if (!spec && !entry && !acceptUnknownModels) {
		const ids = [
			...Object.keys(MODELS),
			...[...(models?.keys() ?? [])].filter((id) => !MODELS[id]),
		];
		throw new InvalidRequest(`unknown model '${model}'; available models: ${ids.join(', ')}`);
	}
	if (entry?.category === 'text') {
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

	const input = body.input;
	if (!isObject(input)) throw new InvalidRequest('input is required and must be an object');
	if (!spec) {
		const limits = { maxDataUrlBytes, ...(maxDataUrlBytesByKind ?? {}) };
		const checked = entry ? checkFields(input, entry.fields, 'input', model, limits) : { ...input };
		return {
			model,
			route,
			input: /** @type {any} */ (checked),
			callback: checkCallback(body.callback),
			category: entry?.category ?? 'image',
			outputTypes: entry?.output ?? ['image'],
			text: textOf(checked),
		};
	}
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

	const callback = checkCallback(body.callback);
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
		category: 'image',
		outputTypes: ['image'],
		text: input.prompt,
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

const MEDIA = ['image', 'video', 'audio'];

/**
 * A media reference: an http(s) URL, or a base64 data URL of the field's kind within its limit.
 * @param {unknown} v @param {string} kind image | video | audio @param {string} path @param {number} limit
 */
function checkMedia(v, kind, path, limit) {
	if (typeof v !== 'string' || v === '') {
		throw new InvalidRequest(`${path} must be a non-empty string (an http(s) URL or a data URL)`);
	}
	if (/^data:/i.test(v)) {
		const comma = v.indexOf(',');
		const header = comma < 0 ? '' : v.slice(5, comma);
		if (comma < 0 || !new RegExp(`^${kind}/[a-z0-9.+-]+;base64$`, 'i').test(header)) {
			throw new InvalidRequest(`${path} data URL must look like data:${kind}/<type>;base64,<data>`);
		}
		const data = v.slice(comma + 1);
		if (data === '' || data.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
			throw new InvalidRequest(`${path} data URL does not carry valid base64 data`);
		}
		const bytes = Buffer.byteLength(data, 'base64');
		if (bytes > limit) {
			throw new InvalidRequest(
				`${path} data URL decodes to ${mib(bytes)} (${bytes} bytes), over the ` +
					`${mib(limit)} limit (${limit} bytes); pass an https URL instead`,
			);
		}
		return;
	}
	if (!isHttpUrl(v)) {
		const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v)?.[1];
		throw new InvalidRequest(
			`${path} must be an http(s) URL or a data:${kind}/...;base64 URL` +
				(scheme ? ` (got scheme '${scheme}:')` : ''),
		);
	}
}

/** @param {unknown} v */
const show = (v) =>
	typeof v === 'string' && v.length > 60
		? `${JSON.stringify(v.slice(0, 60))}...`
		: JSON.stringify(v);

/**
 * One value against its catalogue field.
 * @param {unknown} v @param {import('./catalogue').FieldSpec | {type: string, fields?: any[]}} f
 * @param {string} path @param {string} model @param {Record<string, number>} limits
 * @returns {unknown} the value, with defaults filled in nested objects
 */
function checkValue(v, f, path, model, limits) {
	const t = f.type;
	const wrong = (/** @type {string} */ what) =>
		new InvalidRequest(`${path} must be ${what}; got ${show(v)}`);
	if (MEDIA.includes(t)) {
		checkMedia(v, t, path, limits[t] ?? limits.maxDataUrlBytes);
		return v;
	}
	if (t === 'string' && typeof v !== 'string') throw wrong('a string');
	if (t === 'integer' && !Number.isInteger(v)) throw wrong('an integer');
	if (t === 'number' && !(typeof v === 'number' && Number.isFinite(v))) throw wrong('a number');
	if (t === 'boolean' && typeof v !== 'boolean') throw wrong('a boolean (true or false)');
	if (t === 'object') {
		if (!isObject(v)) throw wrong('an object');
		return checkFields(v, /** @type {any} */ (f).fields ?? [], path, model, limits);
	}
	const spec = /** @type {import('./catalogue').FieldSpec} */ (f);
	if (t === 'array') {
		if (!Array.isArray(v)) throw wrong('an array');
		if (spec.minItems !== undefined && v.length < spec.minItems) {
			throw new InvalidRequest(
				`${path} must have at least ${spec.minItems} item(s); got ${v.length}`,
			);
		}
		if (spec.maxItems !== undefined && v.length > spec.maxItems) {
			throw new InvalidRequest(
				`${path} must have at most ${spec.maxItems} item(s); got ${v.length}`,
			);
		}
		const items = spec.items ?? { type: 'string' };
		return v.map((x, i) => checkValue(x, items, `${path}[${i}]`, model, limits));
	}
	if (spec.enum && !spec.enum.includes(v)) {
		throw new InvalidRequest(`${path} must be one of ${spec.enum.join(', ')}; got ${show(v)}`);
	}
	if (typeof v === 'number') {
		const { minimum: lo, maximum: hi } = spec;
		if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) {
			const range =
				lo !== undefined && hi !== undefined
					? `from ${lo} to ${hi}`
					: lo !== undefined
						? `>= ${lo}`
						: `<= ${hi}`;
			throw new InvalidRequest(`${path} must be ${range}; got ${v}`);
		}
	}
	return v;
}

/**
 * An input object against catalogue fields: no unknown keys, required ones present (a required
 * string non-blank), each value of its type; returns the input with defaults filled in.
 * @param {Record<string, unknown>} obj @param {import('./catalogue').FieldSpec[]} fields
 * @param {string} path @param {string} model @param {Record<string, number>} limits
 */
function checkFields(obj, fields, path, model, limits) {
	rejectExtraKeys(
		obj,
		fields.map((f) => f.name),
		path,
	);
	/** @type {Record<string, unknown>} */
	const out = {};
	for (const f of fields) {
		const v = obj[f.name];
		if (v === undefined) {
			if (f.required)
				throw new InvalidRequest(`${path}.${f.name} is required for model '${model}'`);
			if (f.default !== undefined) out[f.name] = f.default;
			continue;
		}
		if (f.required && f.type === 'string' && typeof v === 'string' && v.trim() === '') {
			throw new InvalidRequest(`${path}.${f.name} is required and must be a non-empty string`);
		}
		out[f.name] = checkValue(v, f, `${path}.${f.name}`, model, limits);
	}
	return out;
}

/** Every plain-text string of an input (not URLs), for fail and refuse words. @param {unknown} v @returns {string} */
function textOf(v) {
	if (typeof v === 'string') return /^(data:|https?:\/\/)/i.test(v) ? '' : v;
	if (Array.isArray(v)) return v.map(textOf).join('\n');
	if (isObject(v)) return Object.values(v).map(textOf).join('\n');
	return '';
}

module.exports = { validateSubmit, MODELS, ASPECT_RATIOS, RESOLUTIONS };
