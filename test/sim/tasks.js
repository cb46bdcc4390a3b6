'use strict';

const crypto = require('node:crypto');
const { outputSize, renderOutput } = require('./images');
const media = require('./media');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DEFAULT_FAIL = { code: 'TASK_FAILED', message: 'upstream rejected the prompt' };
const CANCELLED = { code: 'TASK_CANCELLED', message: 'the task was cancelled' };
/** Terminal status names hiapi's newer clients accept besides `success` and `fail`. */
const SUCCESS_ALIASES = ['success', 'succeeded', 'completed'];
const FAIL_ALIASES = ['fail', 'failed', 'error', 'cancelled', 'canceled'];

/**
 * ULID-shaped: 10 chars of millisecond time then 16 random chars, so ids sort by creation
 * like the provider's and never collide in practice.
 */
function newTaskId() {
	let time = Date.now();
	let head = '';
	for (let i = 0; i < 10; i++) {
		head = CROCKFORD[time % 32] + head;
		time = Math.floor(time / 32);
	}
	let tail = '';
	for (const b of crypto.randomBytes(16)) tail += CROCKFORD[b & 31];
	return `tk-sim-${head}${tail}`;
}

/**
 * gpt-image-2: {prompt, image?, aspect_ratio, resolution} with defaults filled; catalogue models:
 * their validated input with catalogue defaults filled.
 * @typedef {Record<string, any>} TaskInput
 */
/** @typedef {{model: string, input: TaskInput, route: string, apiKey: string}} BehaviorInput */
/** @typedef {{url: string, type?: string, expireAt: number}} TaskOutput */

/**
 * @typedef {object} PublicTask the `data` of GET /v1/tasks/{id}
 * @property {string} taskId
 * @property {string} model
 * @property {string} status queued | handling | archiving | success | fail (or a behavior's unknownStatus)
 * @property {number} created Unix seconds
 * @property {number} completed Unix seconds, 0 until terminal
 * @property {string} storage
 * @property {TaskOutput[]} output
 * @property {{code: string, message: string}} [error] on fail
 */

/**
 * @typedef {object} Behavior what setBehavior's function may return for one task
 * @property {{queued?: number, handling?: number, archiving?: number}} [durations] ms, scaled by timeScale
 * @property {{code?: string, message?: string} | boolean} [fail] end in `fail` (false: never fail)
 * @property {boolean} [never] stay in handling forever
 * @property {string} [unknownStatus] reported instead of 'handling'
 * @property {number} [outputs] number of images on success (video/audio models: of main outputs)
 * @property {number} [outputBytes] pad this task's video/audio outputs up to this many bytes (streamed)
 * @property {(task: PublicTask) => any} [mapTask] rewrites the public task object (GET, list, callbacks)
 * @property {string} [terminalStatus] the status name this task settles with: a success alias
 *   (`succeeded`, `completed`) or a failure alias (`failed`, `error`, `cancelled`, `canceled`: the
 *   task fails, with TASK_CANCELLED for the cancel spellings)
 * @property {boolean} [omitOutputType] output entries without `type`
 */

/** @typedef {(task: BehaviorInput) => Behavior | undefined | null | void} BehaviorFn */

/**
 * @typedef {object} TaskRecord
 * @property {string} id
 * @property {string} apiKey
 * @property {string} model
 * @property {string} route
 * @property {TaskInput} input
 * @property {{url: string, when: string} | undefined} callback
 * @property {string | undefined} idempotencyKey
 * @property {number} createdAt sim ms
 * @property {{queued: number, handling: number, archiving: number}} phases scaled ms
 * @property {number} settleAt sim ms at which the task becomes terminal
 * @property {boolean} never
 * @property {string | undefined} unknownStatus
 * @property {{code: string, message: string} | undefined} error set when the task will fail
 * @property {number} outputs
 * @property {string} category image | video | audio
 * @property {string[]} outputTypes type of each output, e.g. ['video', 'first_frame']
 * @property {{width: number, height: number}} size of images, first frames and video frames
 * @property {number | undefined} outputBytes padding target of video/audio outputs
 * @property {((task: PublicTask) => any) | undefined} mapTask
 * @property {Map<number, import('./media').MediaFile>} images generated files, cached
 * @property {Map<number, {sha256: string, size: number}>} digests
 * @property {number} seq creation order, to break ties between tasks created in the same ms
 * @property {string} storage temp | persistent, as submitted
 * @property {string | undefined} terminalStatus reported instead of success / fail once settled
 * @property {boolean} omitOutputType
 */

/** Tasks, their lifecycle (derived from elapsed sim time) and their public view. */
class TaskStore {
	/**
	 * @param {object} ctx
	 * @param {ReturnType<typeof import('./options').normalizeOptions>} ctx.opts
	 * @param {ReturnType<typeof import('./clock').createClock>} ctx.clock
	 * @param {ReturnType<typeof import('./clock').createTimers>} ctx.timers cleared on reset and stop
	 * @param {() => string} ctx.cdnBase
	 * @param {(task: TaskRecord) => void} ctx.onSettled
	 */
	constructor(ctx) {
		this.ctx = ctx;
		/** @type {Map<string, TaskRecord>} */
		this.map = new Map();
		this.seq = 0;
		/** @type {BehaviorFn | null} */
		this.behavior = null;
	}

	/**
	 * @param {{apiKey: string, request: import('./validate').SubmitRequest, idempotencyKey?: string}} p
	 * @returns {TaskRecord}
	 */
	create({ apiKey, request, idempotencyKey }) {
		const { opts, clock, timers } = this.ctx;
		const { model, route, input, callback } = request;
		const b = (this.behavior && this.behavior({ model, input: { ...input }, route, apiKey })) || {};
		const category = request.category ?? 'image';
		const gpt = model.startsWith('gpt-image-2/');
		const baseDurations = gpt
			? opts.durations
			: (opts.categoryDurations[category] ?? opts.durations);
		const d = { ...baseDurations, ...(b.durations ?? {}) };
		const phases = {
			queued: d.queued * opts.timeScale,
			handling: d.handling * opts.timeScale,
			archiving: d.archiving * opts.timeScale,
		};
		const named = b.terminalStatus;
		if (named !== undefined && !SUCCESS_ALIASES.includes(named) && !FAIL_ALIASES.includes(named)) {
			throw new Error(
				`terminalStatus must be one of ${[...SUCCESS_ALIASES, ...FAIL_ALIASES].join(', ')}; got '${named}'`,
			);
		}
		const cancel = named === 'cancelled' || named === 'canceled';
		let error;
		if (b.fail && typeof b.fail === 'object')
			error = { ...(cancel ? CANCELLED : DEFAULT_FAIL), ...b.fail };
		else if (named && FAIL_ALIASES.includes(named)) {
			error = { ...(cancel ? CANCELLED : DEFAULT_FAIL) };
		} else if (named && SUCCESS_ALIASES.includes(named)) error = undefined;
		else if (b.fail === true) error = { ...DEFAULT_FAIL };
		else if (b.fail === undefined) {
			const prompt = String(request.text ?? input.prompt ?? '').toLowerCase();
			if (opts.failWords.some((w) => prompt.includes(w.toLowerCase()))) error = { ...DEFAULT_FAIL };
		}
		let id = newTaskId();
		while (this.map.has(id)) id = newTaskId();
		const now = clock.now();
		/** @type {TaskRecord} */
		const task = {
			id,
			apiKey,
			model,
			route,
			input,
			callback,
			idempotencyKey,
			createdAt: now,
			phases,
			settleAt: now + phases.queued + phases.handling + phases.archiving,
			never: Boolean(b.never),
			unknownStatus: b.unknownStatus,
			error,
			...outputPlan(request, b, opts),
			outputBytes: b.outputBytes ?? opts.outputBytes[category],
			mapTask: b.mapTask,
			images: new Map(),
			digests: new Map(),
			seq: this.seq++,
			storage: request.storage ?? 'temp',
			terminalStatus: undefined,
			omitOutputType: Boolean(b.omitOutputType ?? opts.omitOutputType),
		};
		const names = opts.terminalStatus;
		task.terminalStatus = named ?? (error ? names.fail : names.success);
		this.map.set(id, task);
		if (callback && !task.never) {
			timers.after(task.settleAt - now, () => this.ctx.onSettled(task));
		}
		return task;
	}

	/** @param {string} id */
	get(id) {
		return this.map.get(id);
	}

	/** Tasks of this key not yet settled at sim time t (never-ending ones included). @param {string} apiKey @param {number} t */
	inFlight(apiKey, t) {
		return [...this.map.values()].filter(
			(task) => task.apiKey === apiKey && (task.never || t < task.settleAt),
		);
	}

	/** @param {string} apiKey @returns {TaskRecord[]} newest first */
	forKey(apiKey) {
		return [...this.map.values()]
			.filter((t) => t.apiKey === apiKey)
			.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
	}

	/** @param {TaskRecord} task @param {number} t sim ms */
	statusAt(task, t) {
		// Terminal is decided against settleAt itself, so the view taken at settleAt for the
		// callback is terminal whatever the float rounding of the phase sums.
		if (!task.never && t >= task.settleAt) return task.error ? 'fail' : 'success';
		const e = t - task.createdAt;
		const { queued, handling } = task.phases;
		if (e < queued) return 'queued';
		if (task.never || e < queued + handling) return task.unknownStatus ?? 'handling';
		return 'archiving';
	}

	/** Sim ms after which the task's output URLs answer 410. @param {TaskRecord} task */
	expiresAt(task) {
		return task.settleAt + this.ctx.opts.outputTtlSeconds * 1000 * this.ctx.opts.timeScale;
	}

	/**
	 * The task as GET /v1/tasks/{id} reports it at sim time t.
	 * @param {TaskRecord} task
	 * @param {number} [t]
	 * @returns {PublicTask}
	 */
	view(task, t = this.ctx.clock.now()) {
		const { clock, opts } = this.ctx;
		const status = this.statusAt(task, t);
		const terminal = status === 'success' || status === 'fail';
		const completed = terminal ? clock.unixSeconds(task.settleAt) : 0;
		// Rounded scaled TTL keeps expireAt honest against the wall clock when timeScale < 1.
		const expireAt = completed + Math.round(opts.outputTtlSeconds * opts.timeScale);
		const base = this.ctx.cdnBase();
		/** @type {PublicTask} */
		const obj = {
			taskId: task.id,
			model: task.model,
			status: terminal && task.terminalStatus ? task.terminalStatus : status,
			created: clock.unixSeconds(task.createdAt),
			completed,
			storage: task.storage,
			output:
				status === 'success'
					? task.outputTypes.map((type, i) => {
							const url = `${base}/tasks/${encodeURIComponent(task.id)}/${i}.${this.extOf(task, i)}`;
							return task.omitOutputType ? { url, expireAt } : { url, type, expireAt };
						})
					: [],
		};
		if (status === 'fail' && task.error) obj.error = { ...task.error };
		return task.mapTask ? (task.mapTask(obj) ?? obj) : obj;
	}

	/** File extension of an output (known without rendering it). @param {TaskRecord} task @param {number} index */
	extOf(task, index) {
		const type = task.outputTypes[index];
		if (type === 'video') return 'mp4';
		if (type === 'audio') return task.input.format === 'mp3' ? 'mp3' : 'wav';
		return 'png';
	}

	/** @param {TaskRecord} task @param {number} index @returns {import('./media').MediaFile} */
	file(task, index) {
		let file = task.images.get(index);
		if (!file) {
			const type = task.outputTypes[index];
			const seed = `${task.id}/${index}`;
			const totalBytes = task.outputBytes ?? 0;
			const seconds =
				typeof task.input.duration === 'number' ? task.input.duration : type === 'video' ? 5 : 1;
			if (type === 'video') {
				file = media.mp4({ ...task.size, seconds, seed, totalBytes });
			} else if (type === 'audio') {
				file =
					this.extOf(task, index) === 'mp3'
						? media.mp3({ seconds, seed, totalBytes })
						: media.wav({ seconds, seed, totalBytes });
			} else {
				// image, first_frame and any other type: a PNG, exactly as before for gpt-image-2.
				const png = renderOutput(task.id, index, {
					...task.size,
					padBytes: this.ctx.opts.outputPadBytes,
				});
				file = media.makeFile('image/png', 'png', [png]);
			}
			task.images.set(index, file);
		}
		return file;
	}

	/** @param {TaskRecord} task @param {number} index @returns {Buffer} */
	image(task, index) {
		return media.bytesOf(this.file(task, index));
	}

	/** @param {TaskRecord} task @param {number} index @returns {{sha256: string, size: number}} */
	digest(task, index) {
		let d = task.digests.get(index);
		if (!d) {
			d = media.digestOf(this.file(task, index));
			task.digests.set(index, d);
		}
		return d;
	}

	clear() {
		this.map.clear();
	}
}

/** @type {Record<string, number>} */
const VIDEO_SHORT_SIDE = { '480p': 480, '720p': 720, '1080p': 1080 };

/**
 * How many outputs of which types, and their pixel size, from the model's catalogue entry and input.
 * @param {import('./validate').SubmitRequest} request @param {Behavior} b
 * @param {{outputsPerTask: number, imageScale: number}} opts
 */
function outputPlan(request, b, opts) {
	const { input, category } = request;
	const types = request.outputTypes?.length ? request.outputTypes : ['image'];
	const [main, ...extra] = types;
	const n = Number.isInteger(input.n) && input.n > 0 ? input.n : undefined;
	const count = b.outputs ?? (category === 'image' ? (n ?? opts.outputsPerTask) : 1);
	const outputTypes = [...Array(count).fill(main), ...(count > 0 ? extra : [])];
	const ratio =
		typeof input.aspect_ratio === 'string' && /^\d+:\d+$/.test(input.aspect_ratio)
			? input.aspect_ratio
			: category === 'video'
				? '16:9'
				: '1:1';
	let size;
	const wxh = typeof input.size === 'string' ? /^(\d+)x(\d+)$/.exec(input.size) : null;
	if (wxh) {
		size = {
			width: Math.max(1, Math.round(Number(wxh[1]) * opts.imageScale)),
			height: Math.max(1, Math.round(Number(wxh[2]) * opts.imageScale)),
		};
	} else if (category === 'video') {
		// 720p 16:9 → 1280 × 720 nominal; × imageScale, even (H.264 4:2:0), at least 16.
		const short = (VIDEO_SHORT_SIDE[input.resolution] ?? 720) * opts.imageScale;
		const [w, h] = ratio.split(':').map(Number);
		const even = (/** @type {number} */ v) => Math.max(16, 2 * Math.round(v / 2));
		size =
			w >= h
				? { width: even((short * w) / h), height: even(short) }
				: { width: even(short), height: even((short * h) / w) };
	} else {
		const res = ['1K', '2K', '4K'].includes(input.resolution) ? input.resolution : '1K';
		size = outputSize(input.aspect_ratio === 'auto' ? 'auto' : ratio, res, opts.imageScale);
	}
	return { outputs: outputTypes.length, outputTypes, category: category ?? 'image', size };
}

module.exports = { TaskStore, newTaskId, DEFAULT_FAIL, SUCCESS_ALIASES, FAIL_ALIASES };
