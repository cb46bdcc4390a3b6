'use strict';

/**
 * One clock for everything the simulator reports: log times, task phases and the Unix
 * timestamps in task objects all derive from it, so they never disagree.
 */
function createClock() {
	const origin = performance.now();
	const epochMs = Date.now();
	return {
		/** @returns {number} ms since the simulator started */
		now: () => performance.now() - origin,
		/** @param {number} t sim time in ms @returns {number} Unix seconds */
		unixSeconds: (t) => Math.floor((epochMs + t) / 1000),
		/** @param {number} t @returns {number} Unix ms */
		unixMs: (t) => epochMs + t,
	};
}

/**
 * A set of timers that can all be cancelled at once. Timers are unref'd because the listening
 * server already keeps the process alive; once closed, no new timer starts, which is what
 * lets stop() guarantee nothing lingers.
 */
function createTimers() {
	/** @type {Set<NodeJS.Timeout>} */
	const live = new Set();
	let closed = false;
	return {
		/** @param {number} ms @param {() => void} fn */
		after(ms, fn) {
			if (closed) return undefined;
			const h = setTimeout(
				() => {
					live.delete(h);
					fn();
				},
				Math.max(0, ms),
			);
			h.unref();
			live.add(h);
			return h;
		},
		/**
		 * Resolves after ms; never resolves if cancelled (the awaiting flow is simply abandoned).
		 * @param {number} ms
		 * @returns {Promise<void>}
		 */
		sleep(ms) {
			return new Promise((resolve) => this.after(ms, () => resolve(undefined)));
		},
		clear() {
			for (const h of live) clearTimeout(h);
			live.clear();
		},
		close() {
			closed = true;
			this.clear();
		},
		get size() {
			return live.size;
		},
	};
}

module.exports = { createClock, createTimers };
