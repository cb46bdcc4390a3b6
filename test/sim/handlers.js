'use strict';

const { ok, fail } = require('./replies');
const { validateSubmit } = require('./validate');
const { fingerprint } = require('./idempotency');
const media = require('./media');
const { renderOutput } = require('./images');
const { schemaFor, pricing } = require('./models');

/**
 * @typedef {object} RequestMeta
 * @property {string} apiKey authenticated key ('' for the CDN)
 * @property {string} [taskId] from the path
 * @property {number} [index] output index, for the CDN
 * @property {string} [ext] file extension in the CDN path
 * @property {URL} url
 * @property {Record<string, any>} entry this request's sim.log entry (handlers add taskId/replay)
 * @property {import('./faults').Fault} [fault]
 */

/** @param {import('node:http').IncomingMessage} req @param {number} limit */
function readBody(req, limit) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			// Keep draining past the limit so the 413 can still be written on a sane connection.
			if (size <= limit) chunks.push(c);
		});
		req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/**
 * POST /v1/tasks
 * @param {Record<string, any>} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {RequestMeta} meta
 */
async function submit(ctx, req, meta) {
	const { opts, counters, idem, tasks } = ctx;
	const raw = await readBody(req, opts.maxBodyBytes);
	if (raw === null) {
		return fail(
			413,
			'payload_too_large',
			`request body is over the ${opts.maxBodyBytes} byte limit`,
		);
	}
	let body;
	try {
		body = JSON.parse(raw.toString('utf8'));
	} catch (err) {
		return fail(
			400,
			'INVALID_REQUEST',
			`request body is not valid JSON: ${/** @type {Error} */ (err).message}`,
		);
	}
	const v = validateSubmit(body, { ...opts, models: ctx.catalogue.models });
	if (!v.ok) return fail(400, 'INVALID_REQUEST', v.message);
	// A prompt with a refuse word is turned down at submit, before any task exists (no bill).
	const prompt = String(v.value.text).toLowerCase();
	if (opts.refuseWords.some((/** @type {string} */ w) => prompt.includes(w.toLowerCase()))) {
		return fail(400, 'INVALID_REQUEST', 'input.prompt was refused by the content policy');
	}
	const allowed = opts.modelKeys[v.value.model];
	if (allowed && !allowed.includes(meta.apiKey)) {
		return fail(401, 'permission_denied', 'This API key cannot use the selected model.');
	}

	const header = req.headers['idempotency-key'];
	const key = Array.isArray(header) ? header[0] : header;
	let rec;
	if (key !== undefined) {
		if (key === '' || Buffer.byteLength(key) > 255) {
			return fail(400, 'INVALID_REQUEST', 'Idempotency-Key must be 1 to 255 bytes');
		}
		const fp = fingerprint(body);
		const prev = idem.lookup(meta.apiKey, key);
		if (prev && prev.fingerprint !== fp) {
			return fail(
				422,
				'IDEMPOTENCY_KEY_MISMATCH',
				'This Idempotency-Key was already used with a different request body.',
			);
		}
		if (prev && prev.state === 'processing') {
			return fail(
				409,
				'IDEMPOTENCY_KEY_PROCESSING',
				'A request with this Idempotency-Key is still being processed; retry later.',
				{ 'Retry-After': '1' },
			);
		}
		if (prev) {
			counters.replays++;
			meta.entry.replay = true;
			meta.entry.taskId = prev.taskId;
			return ok({ taskId: prev.taskId }, { 'Idempotent-Replay': 'true' });
		}
	}
	// hiapi-style rate limit: at most N unsettled tasks per key; a submit beyond it creates nothing.
	const limit = opts.maxInFlightPerKey;
	if (limit > 0) {
		const now = ctx.clock.now();
		const open = tasks.inFlight(meta.apiKey, now);
		// Submits still in submitDelayMs count too: their tasks are about to exist.
		if (open.length + (ctx.submitting.get(meta.apiKey) ?? 0) >= limit) {
			const next = Math.min(
				...open.map((/** @type {any} */ t) => (t.never ? Infinity : t.settleAt)),
			);
			const seconds = Number.isFinite(next) ? Math.max(1, Math.ceil((next - now) / 1000)) : 1;
			return fail(
				429,
				'rate_limited',
				`Too many tasks in flight for this API key (limit ${limit}); retry after one settles.`,
				{ 'Retry-After': String(seconds) },
			);
		}
	}
	if (key !== undefined) rec = idem.reserve(meta.apiKey, key, fingerprint(body));

	// The key is reserved during this wait: a same-key request now gets 409.
	const pending = (/** @type {number} */ d) =>
		ctx.submitting.set(meta.apiKey, (ctx.submitting.get(meta.apiKey) ?? 0) + d);
	pending(1);
	let task;
	try {
		if (opts.submitDelayMs > 0) await ctx.requestTimers.sleep(opts.submitDelayMs);
		task = tasks.create({ apiKey: meta.apiKey, request: v.value, idempotencyKey: key });
	} catch (err) {
		if (rec) idem.release(meta.apiKey, key, rec);
		return fail(
			500,
			'internal_error',
			`simulator behavior function threw: ${/** @type {Error} */ (err).message}`,
		);
	} finally {
		pending(-1);
	}
	if (rec) {
		rec.state = 'done';
		rec.taskId = task.id;
	}
	counters.tasksCreated++;
	meta.entry.taskId = task.id;
	return ok({ taskId: task.id });
}

/** GET /v1/tasks/{taskId} @param {Record<string, any>} ctx @param {RequestMeta} meta */
function getTask(ctx, meta) {
	const task = ctx.tasks.get(meta.taskId);
	if (!task || task.apiKey !== meta.apiKey) {
		return fail(404, 'not_found', `Task not found: ${meta.taskId}`);
	}
	const view = ctx.tasks.view(task);
	if (meta.fault?.type === 'unknown-status') {
		return ok({ ...view, status: meta.fault.statusName ?? 'rendering' });
	}
	return ok(view);
}

/** @param {string | null} v @param {number} dflt */
const intParam = (v, dflt) => (v === null || v === '' ? dflt : /^\d+$/.test(v) ? Number(v) : NaN);

/** GET /v1/tasks?page=&size= @param {Record<string, any>} ctx @param {RequestMeta} meta */
function listTasks(ctx, meta) {
	const page = intParam(meta.url.searchParams.get('page'), 1);
	const size = intParam(meta.url.searchParams.get('size'), 20);
	if (!(page >= 1)) return fail(400, 'INVALID_REQUEST', 'page must be an integer >= 1');
	if (!(size >= 1 && size <= 100))
		return fail(400, 'INVALID_REQUEST', 'size must be an integer from 1 to 100');
	const all = ctx.tasks.forKey(meta.apiKey);
	const now = ctx.clock.now();
	const statusName =
		meta.fault?.type === 'unknown-status' ? (meta.fault.statusName ?? 'rendering') : undefined;
	const page_ = all
		.slice((page - 1) * size, page * size)
		.map((/** @type {import('./tasks').TaskRecord} */ t) => {
			const view = ctx.tasks.view(t, now);
			// 'no-output': list entries without their output, as a list view might abbreviate them.
			if (meta.fault?.type === 'no-output') delete view.output;
			return statusName ? { ...view, status: statusName } : view;
		});
	return ok({ tasks: page_, page, size, total: all.length });
}

/** A JSON body of the website API (no envelope: its clients read `data`). @param {unknown} body */
const website = (body) => ({
	status: 200,
	headers: {
		'Content-Type': 'application/json; charset=utf-8',
		'Cache-Control': 'public, max-age=300',
	},
	body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** GET /api/pricing (no auth): every model the sim runs, with its prices @param {Record<string, any>} ctx */
function pricingList(ctx) {
	return website(ctx.pricingServed !== undefined ? ctx.pricingServed : pricing(ctx.catalogue));
}

/** GET /api/models/content?name=<id | id@route> (no auth): the model's input schema @param {Record<string, any>} ctx @param {RequestMeta} meta */
function schema(ctx, meta) {
	const name = meta.url.searchParams.get('name');
	if (!name)
		return fail(
			400,
			'INVALID_REQUEST',
			'name is required (a model id, e.g. ?name=gpt-image-2/image-to-image)',
		);
	const s = schemaFor(ctx.catalogue, ctx.opts.routes, name);
	if (!s) return fail(404, 'not_found', `Model not found: ${name}`);
	return website({ data: { name, input_schema: s } });
}

/** GET /docs/models.json (no auth): the served catalogue @param {Record<string, any>} ctx */
function catalogue(ctx) {
	if (!ctx.opts.docsCatalogue) return fail(404, 'not_found', 'No route for GET /docs/models.json');
	const c = ctx.catalogue.served;
	return {
		status: 200,
		headers: {
			'Content-Type': 'application/json; charset=utf-8',
			'Cache-Control': 'public, max-age=300',
		},
		body: typeof c === 'string' ? c : JSON.stringify(c),
	};
}

/** GET /cdn/tasks/{taskId}/{index}.{png|mp4|wav|mp3} (no auth, like a real CDN) @param {Record<string, any>} ctx @param {RequestMeta} meta */
function cdn(ctx, meta) {
	const { tasks, clock } = ctx;
	const task = tasks.get(meta.taskId);
	const now = clock.now();
	const index = /** @type {number} */ (meta.index);
	if (
		!task ||
		index >= task.outputs ||
		tasks.statusAt(task, now) !== 'success' ||
		(meta.ext !== undefined && meta.ext !== tasks.extOf(task, index))
	) {
		return fail(404, 'not_found', 'No such object.');
	}
	const expiresAt = tasks.expiresAt(task);
	if (now >= expiresAt) {
		const when = new Date(clock.unixMs(expiresAt)).toISOString();
		return fail(410, 'expired', `This output expired at ${when}.`);
	}
	const file = tasks.file(task, index);
	return { status: 200, headers: { 'Content-Type': file.contentType }, file };
}

/** A 512×512 PNG, the same bytes every time: examples' reference image. */
let sampleFile;
function sample() {
	if (!sampleFile) {
		const png = renderOutput('sample-reference', 0, { width: 512, height: 512, padBytes: 0 });
		sampleFile = media.makeFile('image/png', 'png', [png]);
	}
	return { status: 200, headers: { 'Content-Type': 'image/png' }, file: sampleFile };
}

module.exports = {
	submit,
	getTask,
	listTasks,
	cdn,
	catalogue,
	pricing: pricingList,
	schema,
	sample,
};
