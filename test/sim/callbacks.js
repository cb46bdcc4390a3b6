'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

/**
 * Signature over `timestamp + "." + rawBody`. The signing key is used as its UTF-8 string,
 * 'whsec_' prefix included, with no base64 decoding: that is what the provider's SDK verifier does.
 * @param {string} signingKey
 * @param {string} timestamp Unix seconds
 * @param {string} body raw body as sent
 */
function sign(signingKey, timestamp, body) {
	return crypto.createHmac('sha256', signingKey).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * @typedef {object} CallbackLogEntry
 * @property {number} t sim ms when the attempt started
 * @property {string} taskId
 * @property {string} url
 * @property {number | 'error'} status receiver's status, or 'error' (network error, timeout, drop fault)
 * @property {number} attempt 1-based, counting every attempt for the task (duplicates included)
 * @property {boolean} duplicate true for the extra deliveries made after the first 2xx
 * @property {Record<string, string>} headers as sent
 * @property {string} body raw body as sent
 * @property {string} [error] why it failed when status is 'error'
 * @property {string} [fault] the injected fault type, if any
 */

/** Delivers settled tasks to their callback URLs: at least once, retried, optionally duplicated. */
class CallbackSender {
	/**
	 * @param {object} ctx
	 * @param {ReturnType<typeof import('./options').normalizeOptions>} ctx.opts
	 * @param {ReturnType<typeof import('./clock').createClock>} ctx.clock
	 * @param {ReturnType<typeof import('./clock').createTimers>} ctx.timers cleared on reset and stop
	 * @param {import('./faults').FaultStore} ctx.faults
	 * @param {Record<string, any>} ctx.counters
	 * @param {CallbackLogEntry[]} ctx.callbackLog
	 * @param {(entry: CallbackLogEntry) => void} ctx.emit
	 */
	constructor(ctx) {
		this.ctx = ctx;
		/** @type {Set<import('node:http').ClientRequest>} */
		this.inflight = new Set();
		// Bumped by reset()/stop(): flows from an older generation stop at their next step.
		this.generation = 0;
	}

	/** @param {import('./tasks').TaskRecord} task @param {object} view the task object at settle time */
	deliver(task, view) {
		const { envelope } = this.ctx.opts.callback;
		const body = JSON.stringify(envelope ? { code: 200, message: 'success', data: view } : view);
		this.run(task.id, /** @type {{url: string}} */ (task.callback).url, body).catch(() => {});
	}

	/** @param {string} taskId @param {string} url @param {string} body */
	async run(taskId, url, body) {
		const { duplicates, concurrent, retryDelaysMs } = this.ctx.opts.callback;
		const gen = this.generation;
		let attempt = 0;
		const send = (/** @type {boolean} */ duplicate) =>
			this.attempt(taskId, url, body, ++attempt, duplicate);
		const primary = async () => {
			for (let retry = 0; ; retry++) {
				if (await send(false)) return true;
				if (retry >= retryDelaysMs.length || gen !== this.generation) return false;
				await this.ctx.timers.sleep(retryDelaysMs[retry] * this.ctx.opts.timeScale);
				if (gen !== this.generation) return false;
			}
		};
		// The primary's first attempt starts first (attempt 1), the duplicates right behind it.
		const delivered = primary();
		if (concurrent) for (let i = 0; i < duplicates; i++) void send(true);
		if (!(await delivered) || concurrent) return;
		for (let i = 0; i < duplicates && gen === this.generation; i++) await send(true);
	}

	/**
	 * One POST; resolves true on a 2xx. Never rejects.
	 * @param {string} taskId @param {string} url @param {string} body
	 * @param {number} attempt @param {boolean} duplicate
	 * @returns {Promise<boolean>}
	 */
	async attempt(taskId, url, body, attempt, duplicate) {
		const { opts, clock, counters, faults } = this.ctx;
		const t = clock.now();
		/** @type {Record<string, string>} */
		const headers = {
			'Content-Type': 'application/json',
			'Content-Length': String(Buffer.byteLength(body)),
			'User-Agent': 'hiapi-sim/1.0',
		};
		if (opts.signingKey) {
			const ts = String(clock.unixSeconds(t));
			headers['X-HiAPI-Timestamp'] = ts;
			headers['X-HiAPI-Signature'] = sign(opts.signingKey, ts, body);
		}
		counters.callbacksSent++;
		const gen = this.generation;
		const record = (/** @type {number | 'error'} */ status, /** @type {object} */ extra = {}) => {
			const ok = typeof status === 'number' && status >= 200 && status < 300;
			if (gen !== this.generation) return ok;
			if (ok) counters.callbacksAcked++;
			else counters.callbacksFailed++;
			/** @type {CallbackLogEntry} */
			const entry = { t, taskId, url, status, attempt, duplicate, headers, body, ...extra };
			this.ctx.callbackLog.push(entry);
			this.ctx.emit(entry);
			return ok;
		};

		const fault = faults.take('callback', { method: 'POST', path: url, taskId, headers });
		if (fault?.type === 'drop')
			return record('error', { error: 'dropped by fault injection', fault: 'drop' });
		if (fault?.type === 'slow') await this.ctx.timers.sleep(/** @type {number} */ (fault.ms));

		const result = await this.post(url, headers, body, opts.callback.timeoutMs);
		return record(result.status, {
			...(result.error ? { error: result.error } : {}),
			...(fault ? { fault: fault.type } : {}),
		});
	}

	/**
	 * @param {string} url @param {Record<string, string>} headers @param {string} body @param {number} timeoutMs
	 * @returns {Promise<{status: number | 'error', error?: string}>}
	 */
	post(url, headers, body, timeoutMs) {
		return new Promise((resolve) => {
			let done = false;
			const finish = (/** @type {{status: number | 'error', error?: string}} */ r) => {
				if (done) return;
				done = true;
				this.inflight.delete(req);
				resolve(r);
			};
			/** @type {import('node:http').ClientRequest} */
			let req;
			try {
				const mod = new URL(url).protocol === 'https:' ? https : http;
				// agent:false: one connection per attempt, closed after, so nothing outlives stop().
				req = mod.request(url, { method: 'POST', headers, agent: false, timeout: timeoutMs });
			} catch (err) {
				resolve({ status: 'error', error: String(/** @type {Error} */ (err).message) });
				return;
			}
			this.inflight.add(req);
			req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
			req.on('error', (err) => finish({ status: 'error', error: err.message }));
			// The status line is the ack; the receiver's body is irrelevant and only drained.
			req.on('response', (res) => {
				res.on('error', () => {});
				res.resume();
				finish({ status: /** @type {number} */ (res.statusCode) });
			});
			req.end(body);
		});
	}

	/** Abandons every flow and aborts in-flight requests. */
	cancelAll() {
		this.generation++;
		for (const req of this.inflight) req.destroy();
		this.inflight.clear();
	}
}

module.exports = { CallbackSender, sign };
