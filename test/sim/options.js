'use strict';

/**
 * @typedef {object} CallbackOptions
 * @property {number} [duplicates] extra deliveries of the same body after the first 2xx (default 0)
 * @property {boolean} [concurrent] send the first delivery and the duplicates at the same time
 * @property {number[]} [retryDelaysMs] waits before each retry of a failed delivery (scaled by timeScale)
 * @property {boolean} [envelope] wrap the body in {code,message,data} like a GET answer
 * @property {number} [timeoutMs] per-attempt timeout (not scaled)
 */

/**
 * @typedef {object} SimulatorOptions
 * @property {string[]} [keys] valid API keys; the first is `sim.apiKey`
 * @property {Record<string, string[]>} [modelKeys] keys allowed per model (models not listed: any valid key)
 * @property {string} [signingKey] webhook signing key ('whsec_...'); callbacks are signed when set
 * @property {{queued?: number, handling?: number, archiving?: number}} [durations] phase lengths in ms
 * @property {number} [timeScale] multiplies task durations, output TTL and callback retry delays
 * @property {string[]} [failWords] a prompt containing one (case-insensitive) ends in `fail`
 * @property {string[]} [refuseWords] a prompt containing one (case-insensitive) is refused at submit (400, no task)
 * @property {number} [maxDataUrlBytes] decoded size limit of a data URL in input.image
 * @property {number} [maxBodyBytes] request body limit (413 above it)
 * @property {number} [outputTtlSeconds] output lifetime after completion
 * @property {number} [outputsPerTask] images per successful task
 * @property {number} [imageScale] output pixels per nominal pixel (1K square → 1024 × imageScale)
 * @property {number} [outputPadBytes] size of a private ancillary PNG chunk, to make big valid files
 * @property {CallbackOptions} [callback]
 * @property {number} [submitDelayMs] time a POST /v1/tasks spends processing before it answers (not scaled)
 * @property {number} [idempotencyTtlMs] how long an Idempotency-Key is remembered (default 24 h, not scaled)
 * @property {string[]} [routes] accepted model routes
 * @property {string} [host] listen address (default 127.0.0.1)
 * @property {number} [port] listen port (default 0: any free port)
 * @property {string} [cdnBaseUrl] base of output URLs; `{port}` is replaced by the bound port
 * @property {unknown} [catalogue] served at GET /docs/models.json instead of the default catalogue
 *   (any JSON value, or a string sent as is); its well-formed entries drive validation
 * @property {boolean} [acceptUnknownModels] accept models outside the catalogue (any input, image outputs)
 * @property {{image?: number, video?: number, audio?: number}} [maxDataUrlBytesByKind] decoded data-URL
 *   limit per media kind for catalogue models (default: maxDataUrlBytes)
 * @property {{image?: Durations, video?: Durations, audio?: Durations}} [categoryDurations] phase lengths
 *   per category (default: image = durations, video = 3 × durations, audio = 1.5 × durations)
 * @property {{video?: number, audio?: number}} [outputBytes] pad video/audio outputs up to this size
 *   (streamed: never held in memory)
 * @property {'current' | 'legacy'} [gptImage2Schema] gpt-image-2's schemas: hiapi's current ones
 *   (`input_urls`, 16 ratios, background, if/then rules) or the older recipe's (`image`)
 * @property {boolean} [docsCatalogue] serve /docs/models.json (default true; false: 404)
 * @property {unknown} [pricing] served at /api/pricing instead of the computed price list
 * @property {number} [maxInFlightPerKey] at most this many unsettled tasks per API key; a submit
 *   beyond it is 429 with Retry-After (default 0: no limit)
 * @property {{success?: string, fail?: string}} [terminalStatus] status names reported once a task
 *   settles (e.g. `succeeded`, `failed`); default `success` / `fail`
 * @property {boolean} [omitOutputType] output entries without `type`
 */

/** @typedef {{queued?: number, handling?: number, archiving?: number}} Durations */

const DEFAULTS = {
	keys: ['sk-sim-test'],
	modelKeys: {},
	signingKey: undefined,
	durations: { queued: 300, handling: 1500, archiving: 200 },
	timeScale: 1,
	failWords: ['FAILME'],
	refuseWords: ['REFUSEME'],
	maxDataUrlBytes: 3 * 1024 * 1024,
	maxBodyBytes: undefined,
	outputTtlSeconds: 3600,
	outputsPerTask: 1,
	imageScale: 1 / 16,
	outputPadBytes: 0,
	callback: {
		duplicates: 0,
		concurrent: false,
		retryDelaysMs: [500, 1000, 2000, 4000],
		envelope: false,
		timeoutMs: 10000,
	},
	submitDelayMs: 0,
	idempotencyTtlMs: 24 * 60 * 60 * 1000,
	routes: ['default', 'ext'],
	host: '127.0.0.1',
	port: 0,
	cdnBaseUrl: undefined,
	catalogue: undefined,
	acceptUnknownModels: false,
	maxDataUrlBytesByKind: {},
	categoryDurations: {},
	outputBytes: {},
	gptImage2Schema: 'current',
	docsCatalogue: true,
	pricing: undefined,
	maxInFlightPerKey: 0,
	terminalStatus: { success: 'success', fail: 'fail' },
	omitOutputType: false,
};

const SUCCESS_NAMES = ['success', 'succeeded', 'completed'];
const FAIL_NAMES = ['fail', 'failed', 'error', 'cancelled', 'canceled'];

/** Default phase lengths of a category, as multiples of the image (`durations`) ones. */
const CATEGORY_FACTORS = { image: 1, video: 3, audio: 1.5 };

/** @param {unknown} v @param {string} name @param {number} [min] */
function number(v, name, min = 0) {
	if (typeof v !== 'number' || Number.isNaN(v) || v < min) {
		throw new TypeError(`simulator option ${name} must be a number >= ${min}, got ${String(v)}`);
	}
	return v;
}

/** @param {unknown} v @param {string} name */
function strings(v, name) {
	if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) {
		throw new TypeError(`simulator option ${name} must be an array of non-empty strings`);
	}
	return [...v];
}

/**
 * Merges defaults and rejects malformed options early, so a typo in a test fails loudly
 * instead of silently running with defaults.
 * @param {SimulatorOptions} [o]
 */
function normalizeOptions(o = {}) {
	const known = new Set(Object.keys(DEFAULTS));
	for (const k of Object.keys(o)) {
		if (!known.has(k)) throw new TypeError(`unknown simulator option '${k}'`);
	}
	const cb = { ...DEFAULTS.callback, ...(o.callback ?? {}) };
	const durations = { ...DEFAULTS.durations, ...(o.durations ?? {}) };
	const opts = {
		keys: strings(o.keys ?? DEFAULTS.keys, 'keys'),
		modelKeys: { ...(o.modelKeys ?? {}) },
		signingKey: o.signingKey,
		durations: {
			queued: number(durations.queued, 'durations.queued'),
			handling: number(durations.handling, 'durations.handling'),
			archiving: number(durations.archiving, 'durations.archiving'),
		},
		timeScale: number(o.timeScale ?? DEFAULTS.timeScale, 'timeScale'),
		failWords: strings(o.failWords ?? DEFAULTS.failWords, 'failWords'),
		refuseWords: strings(o.refuseWords ?? DEFAULTS.refuseWords, 'refuseWords'),
		maxDataUrlBytes: number(o.maxDataUrlBytes ?? DEFAULTS.maxDataUrlBytes, 'maxDataUrlBytes', 1),
		maxBodyBytes: 0,
		outputTtlSeconds: number(o.outputTtlSeconds ?? DEFAULTS.outputTtlSeconds, 'outputTtlSeconds'),
		outputsPerTask: number(o.outputsPerTask ?? DEFAULTS.outputsPerTask, 'outputsPerTask'),
		imageScale: number(o.imageScale ?? DEFAULTS.imageScale, 'imageScale'),
		outputPadBytes: number(o.outputPadBytes ?? DEFAULTS.outputPadBytes, 'outputPadBytes'),
		callback: {
			duplicates: number(cb.duplicates, 'callback.duplicates'),
			concurrent: Boolean(cb.concurrent),
			retryDelaysMs: (Array.isArray(cb.retryDelaysMs) ? cb.retryDelaysMs : []).map((d, i) =>
				number(d, `callback.retryDelaysMs[${i}]`),
			),
			envelope: Boolean(cb.envelope),
			timeoutMs: number(cb.timeoutMs, 'callback.timeoutMs', 1),
		},
		submitDelayMs: number(o.submitDelayMs ?? DEFAULTS.submitDelayMs, 'submitDelayMs'),
		idempotencyTtlMs: number(o.idempotencyTtlMs ?? DEFAULTS.idempotencyTtlMs, 'idempotencyTtlMs'),
		routes: strings(o.routes ?? DEFAULTS.routes, 'routes'),
		host: o.host ?? DEFAULTS.host,
		port: number(o.port ?? DEFAULTS.port, 'port'),
		cdnBaseUrl: o.cdnBaseUrl,
		catalogue: o.catalogue,
		acceptUnknownModels: Boolean(o.acceptUnknownModels),
		/** @type {Record<string, number>} */
		maxDataUrlBytesByKind: {},
		/** @type {Record<string, {queued: number, handling: number, archiving: number}>} */
		categoryDurations: {},
		/** @type {Record<string, number>} */
		outputBytes: {},
		/** @type {'current' | 'legacy'} */
		gptImage2Schema: o.gptImage2Schema ?? 'current',
		docsCatalogue: o.docsCatalogue ?? true,
		pricing: o.pricing,
		maxInFlightPerKey: number(o.maxInFlightPerKey ?? 0, 'maxInFlightPerKey'),
		terminalStatus: { ...DEFAULTS.terminalStatus, ...(o.terminalStatus ?? {}) },
		omitOutputType: Boolean(o.omitOutputType),
	};
	if (!['current', 'legacy'].includes(opts.gptImage2Schema)) {
		throw new TypeError(
			`simulator option gptImage2Schema must be 'current' or 'legacy'; got '${opts.gptImage2Schema}'`,
		);
	}
	if (typeof opts.docsCatalogue !== 'boolean') {
		throw new TypeError('simulator option docsCatalogue must be a boolean');
	}
	if (!SUCCESS_NAMES.includes(opts.terminalStatus.success)) {
		throw new TypeError(
			`simulator option terminalStatus.success: one of ${SUCCESS_NAMES.join(', ')}`,
		);
	}
	if (!FAIL_NAMES.includes(opts.terminalStatus.fail)) {
		throw new TypeError(`simulator option terminalStatus.fail: one of ${FAIL_NAMES.join(', ')}`);
	}
	for (const [kind, v] of Object.entries(o.maxDataUrlBytesByKind ?? {})) {
		if (!['image', 'video', 'audio'].includes(kind)) {
			throw new TypeError(
				`simulator option maxDataUrlBytesByKind.${kind}: kinds are image, video, audio`,
			);
		}
		opts.maxDataUrlBytesByKind[kind] = number(v, `maxDataUrlBytesByKind.${kind}`, 1);
	}
	for (const k of Object.keys(o.categoryDurations ?? {})) {
		if (!(k in CATEGORY_FACTORS)) {
			throw new TypeError(
				`simulator option categoryDurations.${k}: categories are image, video, audio`,
			);
		}
	}
	for (const [cat, factor] of Object.entries(CATEGORY_FACTORS)) {
		const given = /** @type {Record<string, Durations | undefined>} */ (o.categoryDurations ?? {})[
			cat
		];
		const base = given ? { ...opts.durations, ...given } : opts.durations;
		const f = given ? 1 : factor;
		opts.categoryDurations[cat] = {
			queued: number(base.queued, `categoryDurations.${cat}.queued`) * f,
			handling: number(base.handling, `categoryDurations.${cat}.handling`) * f,
			archiving: number(base.archiving, `categoryDurations.${cat}.archiving`) * f,
		};
	}
	for (const [kind, v] of Object.entries(o.outputBytes ?? {})) {
		if (!['video', 'audio'].includes(kind)) {
			throw new TypeError(
				`simulator option outputBytes.${kind}: kinds are video, audio (images: outputPadBytes)`,
			);
		}
		opts.outputBytes[kind] = number(v, `outputBytes.${kind}`);
	}
	// A base64 data URL is 4/3 of its decoded size; leave room so an oversize image still reaches
	// validation and gets the descriptive 400 rather than a bare 413.
	const biggestDataUrl = Math.max(
		opts.maxDataUrlBytes,
		...Object.values(opts.maxDataUrlBytesByKind),
	);
	opts.maxBodyBytes = number(
		o.maxBodyBytes ?? Math.ceil(biggestDataUrl * 4) + 1024 * 1024,
		'maxBodyBytes',
		1,
	);
	if (opts.keys.length === 0) throw new TypeError('simulator option keys must not be empty');
	if (opts.signingKey !== undefined && (typeof opts.signingKey !== 'string' || !opts.signingKey)) {
		throw new TypeError('simulator option signingKey must be a non-empty string');
	}
	for (const [model, list] of Object.entries(opts.modelKeys)) {
		opts.modelKeys[model] = strings(list, `modelKeys['${model}']`);
	}
	if (!opts.routes.includes('default')) opts.routes.unshift('default');
	return opts;
}

module.exports = { normalizeOptions, DEFAULTS };
