'use strict';

const { EventEmitter } = require('node:events');
const { normalizeOptions } = require('./options');
const { createClock, createTimers } = require('./clock');
const { FaultStore } = require('./faults');
const { IdempotencyStore } = require('./idempotency');
const { TaskStore } = require('./tasks');
const { CallbackSender } = require('./callbacks');
const { createServer } = require('./server');
const { DEFAULT_CATALOGUE } = require('./catalogue');
const { modelState, schemaFor, pricing } = require('./models');

/**
 * @typedef {object} Counters
 * @property {number} submits POST /v1/tasks requests received (faulted ones included)
 * @property {number} tasksCreated
 * @property {number} replays submits answered from an Idempotency-Key
 * @property {Record<string, number>} gets GET /v1/tasks/{id} requests per task id
 * @property {number} getsTotal
 * @property {number} lists
 * @property {number} cdnGets
 * @property {number} catalogueGets GET|HEAD /docs/models.json requests (faulted ones included)
 * @property {number} pricingGets GET|HEAD /api/pricing requests (faulted ones included)
 * @property {number} schemaGets GET|HEAD /api/models/content requests (faulted ones included)
 * @property {number} rateLimited 429 answers (the in-flight limit's and injected ones)
 * @property {number} callbacksSent delivery attempts (dropped ones included)
 * @property {number} callbacksAcked attempts answered 2xx
 * @property {number} callbacksFailed attempts answered non-2xx, errored, timed out or dropped
 */

/** @returns {Counters} */
const zeroCounters = () => ({
	submits: 0,
	tasksCreated: 0,
	replays: 0,
	gets: {},
	getsTotal: 0,
	lists: 0,
	cdnGets: 0,
	catalogueGets: 0,
	pricingGets: 0,
	schemaGets: 0,
	rateLimited: 0,
	callbacksSent: 0,
	callbacksAcked: 0,
	callbacksFailed: 0,
});

/**
 * A running hiapi simulator. Emits 'request' (a sim.log entry, once answered or reset) and
 * 'callback' (a sim.callbackLog entry, once the attempt finished).
 */
class Simulator extends EventEmitter {
	#ctx;
	#server;
	/** @type {Set<(err: Error) => void>} */
	#waiters = new Set();
	/** @type {Promise<void> | undefined} */
	#stopping;

	/** @param {ReturnType<typeof normalizeOptions>} opts */
	constructor(opts) {
		super();
		const clock = createClock();
		/** @type {Counters} */
		this.counters = zeroCounters();
		/** @type {import('./server').LogEntry[]} */
		this.log = [];
		/** @type {import('./callbacks').CallbackLogEntry[]} */
		this.callbackLog = [];
		this.baseUrl = '';
		this.port = 0;
		this.apiKey = opts.keys[0];

		const ctx = {
			opts,
			clock,
			counters: this.counters,
			log: this.log,
			callbackLog: this.callbackLog,
			taskTimers: createTimers(),
			requestTimers: createTimers(),
			faults: new FaultStore(),
			idem: new IdempotencyStore(clock.now, opts.idempotencyTtlMs),
			validKeys: new Set([...opts.keys, ...Object.values(opts.modelKeys).flat()]),
			catalogue: modelState(opts.catalogue, opts),
			pricingServed: opts.pricing,
			requestSeq: 0,
			/** @type {Map<string, number>} submits per API key between the rate-limit check and task creation */
			submitting: new Map(),
			stopped: false,
			emit: (/** @type {string} */ event, /** @type {object} */ entry) => {
				// A throwing listener belongs to the test; it must not break the request.
				try {
					this.emit(event, entry);
				} catch {}
			},
			cdnBase: () =>
				opts.cdnBaseUrl
					? opts.cdnBaseUrl.replace('{port}', String(this.port)).replace(/\/+$/, '')
					: `${this.baseUrl}/cdn`,
			/** @type {TaskStore} */
			tasks: /** @type {any} */ (undefined),
			/** @type {CallbackSender} */
			callbacks: /** @type {any} */ (undefined),
		};
		ctx.callbacks = new CallbackSender({
			...ctx,
			timers: ctx.taskTimers,
			emit: (entry) => ctx.emit('callback', entry),
		});
		ctx.tasks = new TaskStore({
			opts,
			clock,
			timers: ctx.taskTimers,
			cdnBase: ctx.cdnBase,
			onSettled: (task) => {
				if (!ctx.stopped) ctx.callbacks.deliver(task, ctx.tasks.view(task, task.settleAt));
			},
		});
		/** @type {Map<string, import('./tasks').TaskRecord>} internal task records by id */
		this.tasks = ctx.tasks.map;
		this.#ctx = ctx;
		this.#server = createServer(ctx);
	}

	/** @returns {Promise<void>} */
	listen() {
		const { host, port } = this.#ctx.opts;
		return new Promise((resolve, reject) => {
			this.#server.once('error', reject);
			this.#server.listen(port, host, () => {
				this.#server.off('error', reject);
				const addr = /** @type {import('node:net').AddressInfo} */ (this.#server.address());
				this.port = addr.port;
				const wildcard = host === '0.0.0.0' || host === '::';
				const shown = wildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
				this.baseUrl = `http://${shown}:${this.port}`;
				resolve();
			});
		});
	}

	/** Closes the server, cancels timers and callback deliveries, destroys open sockets. */
	stop() {
		if (this.#stopping) return this.#stopping;
		const ctx = this.#ctx;
		ctx.stopped = true;
		ctx.taskTimers.close();
		ctx.requestTimers.close();
		ctx.callbacks.cancelAll();
		for (const reject of this.#waiters) reject(new Error('simulator stopped'));
		this.#waiters.clear();
		this.#stopping = new Promise((resolve) => {
			this.#server.close(() => resolve());
			this.#server.closeAllConnections();
		});
		return this.#stopping;
	}

	/** @param {import('./faults').Fault} fault @returns {void} */
	inject(fault) {
		this.#ctx.faults.add(fault);
	}

	clearFaults() {
		this.#ctx.faults.clear();
	}

	/**
	 * @param {import('./tasks').BehaviorFn | null | undefined} fn decides per task, for tasks created
	 *   from now on: durations, fail, never, unknownStatus, outputs, mapTask
	 */
	setBehavior(fn) {
		if (fn !== null && fn !== undefined && typeof fn !== 'function') {
			throw new TypeError('setBehavior needs a function (or null to clear)');
		}
		this.#ctx.tasks.behavior = fn ?? null;
	}

	/**
	 * The task exactly as GET /v1/tasks/{id} reports it now (whatever its API key).
	 * @param {string} id
	 * @returns {import('./tasks').PublicTask}
	 * @throws {Error} for an unknown id (check `sim.tasks.has(id)` to test existence)
	 */
	task(id) {
		const task = this.#ctx.tasks.get(id);
		if (!task) throw new Error(`unknown task ${id}`);
		return this.#ctx.tasks.view(task);
	}

	/** @param {string} taskId @param {number} index */
	#output(taskId, index) {
		const task = this.#ctx.tasks.get(taskId);
		if (!task) throw new Error(`unknown task ${taskId}`);
		if (!Number.isInteger(index) || index < 0 || index >= task.outputs) {
			throw new RangeError(`task ${taskId} has ${task.outputs} output(s); no index ${index}`);
		}
		return task;
	}

	/**
	 * The bytes the CDN serves for that output, whatever its type (PNG, MP4, WAV, MP3). Builds the
	 * whole file in memory: for big padded files use outputDigest().
	 * @param {string} taskId @param {number} [index] @returns {Buffer}
	 */
	outputBytes(taskId, index = 0) {
		return this.#ctx.tasks.image(this.#output(taskId, index), index);
	}

	/** Same as outputBytes() (its first name, from when outputs were all PNGs). @param {string} taskId @param {number} [index] @returns {Buffer} */
	imageBytes(taskId, index = 0) {
		return this.outputBytes(taskId, index);
	}

	/**
	 * sha256 (hex) and size of what the CDN serves for that output, computed chunk by chunk (cached).
	 * @param {string} taskId @param {number} [index] @returns {{sha256: string, size: number}}
	 */
	outputDigest(taskId, index = 0) {
		return { ...this.#ctx.tasks.digest(this.#output(taskId, index), index) };
	}

	/**
	 * What that output is: {type, contentType, ext, size} (size without building the file's padding).
	 * @param {string} taskId @param {number} [index]
	 */
	outputInfo(taskId, index = 0) {
		const task = this.#output(taskId, index);
		const file = this.#ctx.tasks.file(task, index);
		return {
			type: task.outputTypes[index],
			contentType: file.contentType,
			ext: file.ext,
			size: file.size,
		};
	}

	/** URL of the model catalogue this simulator serves (GET, no auth). */
	get catalogUrl() {
		return `${this.baseUrl}/docs/models.json`;
	}

	/** The catalogue as served now (the default one unless replaced). */
	get catalogue() {
		return this.#ctx.catalogue.served;
	}

	/** URL of the price list (GET, no auth), as on www.hiapi.ai. */
	get pricingUrl() {
		return `${this.baseUrl}/api/pricing`;
	}

	/** URL of a model's input schema (GET, no auth). @param {string} name `id` or `id@route` */
	schemaUrl(name) {
		return `${this.baseUrl}/api/models/content?name=${encodeURIComponent(name)}`;
	}

	/**
	 * The input schema served for `id` or `id@route` now (a copy), or undefined.
	 * @param {string} name
	 */
	schema(name) {
		const s = schemaFor(this.#ctx.catalogue, this.#ctx.opts.routes, name);
		return s === undefined ? undefined : structuredClone(s);
	}

	/** The ids of the models the simulator runs now (text models included). */
	get modelIds() {
		return [...this.#ctx.catalogue.models.keys()];
	}

	/** The body GET /api/pricing answers now. */
	get pricing() {
		const ctx = this.#ctx;
		return ctx.pricingServed !== undefined ? ctx.pricingServed : pricing(ctx.catalogue);
	}

	/**
	 * Serves another body at /api/pricing from now on (any JSON value, or a string sent as is;
	 * undefined: the computed price list). Prices do not change what a task costs here.
	 * @param {unknown} body
	 */
	setPricing(body) {
		this.#ctx.pricingServed = body;
	}

	/**
	 * Serves another catalogue from now on (any JSON value, or a string sent as is; undefined: the
	 * default). Its well-formed entries drive validation of later submits.
	 * @param {unknown} catalogue
	 */
	setCatalogue(catalogue) {
		this.#ctx.catalogue = modelState(catalogue, this.#ctx.opts);
	}

	/** @returns {number} sim clock in ms (the clock of log.t) */
	now() {
		return this.#ctx.clock.now();
	}

	/**
	 * Forgets tasks, counters, logs, faults, behavior and idempotency keys; stops pending callbacks;
	 * serves the catalogue and prices of the options again (undoing setCatalogue and setPricing).
	 */
	reset() {
		const ctx = this.#ctx;
		ctx.catalogue = modelState(ctx.opts.catalogue, ctx.opts);
		ctx.pricingServed = ctx.opts.pricing;
		ctx.taskTimers.clear();
		ctx.callbacks.cancelAll();
		ctx.tasks.clear();
		ctx.tasks.behavior = null;
		ctx.faults.clear();
		ctx.idem.clear();
		this.log.length = 0;
		this.callbackLog.length = 0;
		// In place: tests may hold a reference to the counters object.
		Object.assign(this.counters, zeroCounters());
	}

	/**
	 * Polls predicate(sim) every 10 ms.
	 * @param {(sim: Simulator) => unknown} predicate may return a promise
	 * @param {number} [timeoutMs]
	 * @returns {Promise<true>}
	 */
	waitFor(predicate, timeoutMs = 5000) {
		return new Promise((resolve, reject) => {
			const deadline = Date.now() + timeoutMs;
			const settle = (/** @type {Error | null} */ err) => {
				this.#waiters.delete(onStop);
				if (err) reject(err);
				else resolve(true);
			};
			const onStop = (/** @type {Error} */ err) => settle(err);
			this.#waiters.add(onStop);
			const poll = async () => {
				if (!this.#waiters.has(onStop)) return;
				try {
					if (await predicate(this)) return settle(null);
				} catch (err) {
					return settle(/** @type {Error} */ (err));
				}
				if (Date.now() >= deadline) {
					const src = String(predicate).replace(/\s+/g, ' ').slice(0, 120);
					return settle(new Error(`waitFor timed out after ${timeoutMs} ms: ${src}`));
				}
				this.#ctx.requestTimers.after(10, poll);
			};
			void poll();
		});
	}
}

/**
 * Starts a simulator on a real HTTP port.
 * @param {import('./options').SimulatorOptions} [options]
 * @returns {Promise<Simulator>}
 */
async function startSimulator(options) {
	const sim = new Simulator(normalizeOptions(options));
	await sim.listen();
	return sim;
}

module.exports = { startSimulator, Simulator, DEFAULT_CATALOGUE };
