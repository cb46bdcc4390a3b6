'use strict';

const http = require('node:http');
const { fail, defaultError, serialize } = require('./replies');
const handlers = require('./handlers');
const { stream } = require('./media');

/**
 * @typedef {object} LogEntry one sim.log row per HTTP request
 * @property {number} t sim ms when the request arrived
 * @property {string} method
 * @property {string} path as requested, query included
 * @property {'submit'|'get'|'list'|'cdn'|'catalogue'|'pricing'|'schema'|'sample'|'other'} route
 * @property {number | 'reset'} status 0 while the request is still being answered
 * @property {string} [taskId]
 * @property {string} [idempotencyKey]
 * @property {boolean} [replay]
 * @property {string} [fault] type of the injected fault applied to this request
 */

/** @param {string} s */
function decode(s) {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/**
 * Which API call a request is. Only /v1 paths are API paths: a client that forgets /v1 should
 * see a 404 here rather than pass against the simulator and fail against the real service.
 * @param {string} method
 * @param {string} pathname
 * @returns {{route: LogEntry['route'], taskId?: string, index?: number, ext?: string, allow?: string}}
 */
function classify(method, pathname) {
	const read = method === 'GET' || method === 'HEAD';
	if (pathname === '/v1/tasks' || pathname === '/v1/tasks/') {
		if (method === 'POST') return { route: 'submit' };
		return read ? { route: 'list' } : { route: 'other', allow: 'GET, POST' };
	}
	let m = /^\/v1\/tasks\/([^/]+)\/?$/.exec(pathname);
	if (m) return read ? { route: 'get', taskId: decode(m[1]) } : { route: 'other', allow: 'GET' };
	m = /^\/cdn\/tasks\/([^/]+)\/(\d+)\.(png|mp4|wav|mp3)$/.exec(pathname);
	if (m) {
		if (!read) return { route: 'other', allow: 'GET, HEAD' };
		return { route: 'cdn', taskId: decode(m[1]), index: Number(m[2]), ext: m[3] };
	}
	// A fixed reference image that never expires, for examples a user imports and runs any time later.
	if (pathname === '/samples/reference.png') {
		return read ? { route: 'sample' } : { route: 'other', allow: 'GET, HEAD' };
	}
	if (pathname === '/docs/models.json') {
		return read ? { route: 'catalogue' } : { route: 'other', allow: 'GET, HEAD' };
	}
	// hiapi's website API, which its own clients read without a key: prices and input schemas.
	if (pathname === '/api/pricing') {
		return read ? { route: 'pricing' } : { route: 'other', allow: 'GET, HEAD' };
	}
	if (pathname === '/api/models/content') {
		return read ? { route: 'schema' } : { route: 'other', allow: 'GET, HEAD' };
	}
	return { route: 'other' };
}

/** @param {Record<string, any>} counters @param {ReturnType<typeof classify>} r */
function count(counters, r) {
	if (r.route === 'submit') counters.submits++;
	else if (r.route === 'list') counters.lists++;
	else if (r.route === 'cdn') counters.cdnGets++;
	else if (r.route === 'catalogue') counters.catalogueGets++;
	else if (r.route === 'pricing') counters.pricingGets++;
	else if (r.route === 'schema') counters.schemaGets++;
	else if (r.route === 'get') {
		counters.getsTotal++;
		const id = /** @type {string} */ (r.taskId);
		counters.gets[id] = (counters.gets[id] ?? 0) + 1;
	}
}

/** @param {Record<string, any>} ctx @param {import('node:http').IncomingMessage} req */
function authenticate(ctx, req) {
	const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
	return m && ctx.validKeys.has(m[1]) ? m[1] : undefined;
}

/**
 * The API work for a request that no fault short-circuited.
 * @param {Record<string, any>} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {URL} url
 * @param {ReturnType<typeof classify>} r
 * @param {LogEntry} entry
 * @param {import('./faults').Fault | undefined} fault
 * @returns {Promise<import('./replies').Reply>}
 */
async function dispatch(ctx, req, url, r, entry, fault) {
	if (r.route === 'other') {
		req.resume();
		if (r.allow) {
			return fail(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`, {
				Allow: r.allow,
			});
		}
		const hint = url.pathname.startsWith('/v1/') ? '' : ' (API paths start with /v1)';
		return fail(404, 'not_found', `No route for ${req.method} ${url.pathname}${hint}`);
	}
	const meta = { apiKey: '', taskId: r.taskId, index: r.index, ext: r.ext, url, entry, fault };
	if (r.route === 'cdn') return handlers.cdn(ctx, meta);
	if (r.route === 'sample') return handlers.sample();
	if (r.route === 'catalogue') {
		req.resume();
		return handlers.catalogue(ctx);
	}
	if (r.route === 'pricing') {
		req.resume();
		return handlers.pricing(ctx);
	}
	if (r.route === 'schema') {
		req.resume();
		return handlers.schema(ctx, meta);
	}
	const apiKey = authenticate(ctx, req);
	if (!apiKey) {
		req.resume();
		return fail(401, 'unauthorized', 'Invalid API key.');
	}
	meta.apiKey = apiKey;
	if (r.route === 'submit') return handlers.submit(ctx, req, meta);
	req.resume();
	if (r.route === 'get') return handlers.getTask(ctx, meta);
	return handlers.listTasks(ctx, meta);
}

/** @param {Record<string, any>} ctx @param {import('node:http').IncomingMessage} req @param {LogEntry} entry */
function reset(ctx, req, entry) {
	entry.status = 'reset';
	req.socket.destroy();
	ctx.emit('request', entry);
}

/**
 * @param {Record<string, any>} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {LogEntry} entry
 * @param {import('./replies').Reply} reply
 * @param {'malformed' | 'truncate'} [mangle]
 */
function send(ctx, req, res, entry, reply, mangle) {
	if (reply.file) return sendFile(ctx, req, res, entry, reply, mangle);
	let { status, headers, bytes } = serialize(reply);
	headers['X-Request-Id'] = `req-sim-${++ctx.requestSeq}`;
	if (mangle === 'malformed') {
		// Half the bytes: `{"code":200,"message":"success","data":{"taskI` is never valid JSON.
		bytes =
			bytes.length >= 2
				? bytes.subarray(0, Math.floor(bytes.length / 2))
				: Buffer.from('{"code":200,"data":');
		headers['Content-Length'] = String(bytes.length);
	}
	entry.status = mangle === 'truncate' ? 'reset' : status;
	if (status === 429) ctx.counters.rateLimited++;
	if (res.destroyed) return;
	res.writeHead(status, headers);
	if (mangle === 'truncate') {
		// Full Content-Length announced, half delivered, then the connection dies mid-body.
		res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => req.socket.destroy());
	} else {
		res.end(bytes);
	}
	ctx.emit('request', entry);
}

/**
 * A media file streamed in chunks with backpressure, never whole in memory. HEAD gets the headers
 * only. 'malformed' sends the first half (announced as such); 'truncate' announces the full size,
 * sends half, then resets the connection.
 * @param {Record<string, any>} ctx
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {LogEntry} entry
 * @param {import('./replies').Reply & {file: import('./media').MediaFile}} reply
 * @param {'malformed' | 'truncate'} [mangle]
 */
function sendFile(ctx, req, res, entry, reply, mangle) {
	const { file } = reply;
	const half = Math.floor(file.size / 2);
	/** @type {Record<string, string>} */
	const headers = {
		...(reply.headers ?? {}),
		'Content-Length': String(mangle === 'malformed' ? half : file.size),
		'Accept-Ranges': 'none',
		'X-Request-Id': `req-sim-${++ctx.requestSeq}`,
	};
	entry.status = mangle === 'truncate' ? 'reset' : reply.status;
	if (res.destroyed) return;
	res.writeHead(reply.status, headers);
	if (req.method === 'HEAD') {
		res.end();
		ctx.emit('request', entry);
		return;
	}
	const limit = mangle ? half : file.size;
	stream(res, file, limit).then(
		(complete) => {
			// Not complete: the client went away mid-body; nothing more to do.
			if (complete && mangle === 'truncate') {
				// Let what was written reach the client, then kill the connection mid-body.
				res.write('', () => req.socket.destroy());
			} else if (complete) {
				res.end();
			}
			ctx.emit('request', entry);
		},
		() => req.socket.destroy(),
	);
}

/** @param {Record<string, any>} ctx @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
async function handle(ctx, req, res) {
	const method = req.method ?? 'GET';
	const path = req.url ?? '/';
	const url = new URL(path, 'http://sim.invalid');
	const r = classify(method, url.pathname);
	/** @type {LogEntry} */
	const entry = { t: ctx.clock.now(), method, path, route: r.route, status: 0 };
	if (r.taskId !== undefined) entry.taskId = r.taskId;
	const idem = req.headers['idempotency-key'];
	if (r.route === 'submit' && typeof idem === 'string') entry.idempotencyKey = idem;
	ctx.log.push(entry);
	count(ctx.counters, r);

	const fault = ctx.faults.take(r.route, { method, path, taskId: r.taskId, headers: req.headers });
	if (fault) entry.fault = fault.type;
	const type = fault?.type;
	if (type === 'reset-before') return reset(ctx, req, entry);
	if (type === 'status') {
		req.resume();
		const body =
			fault.body !== undefined
				? fault.body
				: fault.status >= 400
					? errorBody(fault.status)
					: undefined;
		return send(ctx, req, res, entry, { status: fault.status, headers: fault.headers, body });
	}
	if (type === '429' || type === '503') {
		req.resume();
		const [code, message] = defaultError(Number(type));
		/** @type {Record<string, string>} */
		const headers =
			fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
		return send(ctx, req, res, entry, fail(Number(type), code, message, headers));
	}
	if (type === 'slow' && fault.phase !== 'after') await ctx.requestTimers.sleep(fault.ms);

	let reply;
	try {
		reply = await dispatch(ctx, req, url, r, entry, fault);
	} catch (err) {
		reply = fail(500, 'internal_error', `simulator error: ${/** @type {Error} */ (err).message}`);
	}

	if (type === 'slow' && fault.phase === 'after') await ctx.requestTimers.sleep(fault.ms);
	if (type === 'reset-after') return reset(ctx, req, entry);
	send(ctx, req, res, entry, reply, type === 'malformed' || type === 'truncate' ? type : undefined);
}

/** @param {number} status */
function errorBody(status) {
	const [code, message] = defaultError(status);
	return { error_code: code, message };
}

/** @param {Record<string, any>} ctx */
function createServer(ctx) {
	return http.createServer((req, res) => {
		req.on('error', () => {});
		res.on('error', () => {});
		handle(ctx, req, res).catch((err) => {
			if (res.headersSent || res.destroyed) return;
			const body = JSON.stringify({
				error_code: 'internal_error',
				message: `simulator error: ${err.message}`,
			});
			res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
		});
	});
}

module.exports = { createServer, classify };
