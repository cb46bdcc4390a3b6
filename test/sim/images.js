'use strict';

const crypto = require('node:crypto');
const { encodePng } = require('./png');

/** @type {Record<string, number>} */
const LONG_SIDE = { '1K': 1024, '2K': 2048, '4K': 4096 };

/**
 * Pixel size of an output: the long side follows the resolution, the other the aspect ratio,
 * both times imageScale so tests get small files by default.
 * @param {string} aspectRatio e.g. '16:9' or 'auto'
 * @param {string} resolution '1K' | '2K' | '4K'
 * @param {number} imageScale
 * @returns {{width: number, height: number}}
 */
function outputSize(aspectRatio, resolution, imageScale) {
	const [w, h] = aspectRatio === 'auto' ? [1, 1] : aspectRatio.split(':').map(Number);
	const long = (LONG_SIDE[resolution] ?? 1024) * imageScale;
	const width = w >= h ? long : (long * w) / h;
	const height = w >= h ? (long * h) / w : long;
	return { width: Math.max(1, Math.round(width)), height: Math.max(1, Math.round(height)) };
}

/**
 * The image for one output. Colours come from a hash of the task id and index, so each output
 * has its own bytes, and the same output always has the same bytes.
 * @param {string} taskId
 * @param {number} index
 * @param {{width: number, height: number, padBytes: number}} p
 * @returns {Buffer}
 */
function renderOutput(taskId, index, { width, height, padBytes }) {
	const seed = crypto.createHash('sha256').update(`${taskId}/${index}`).digest();
	const [r0, g0, b0] = seed;
	const fillRow = (/** @type {number} */ y, /** @type {Buffer} */ row) => {
		const g = (g0 + Math.floor((y * 255) / Math.max(1, height - 1))) & 0xff;
		for (let x = 0; x < width; x++) {
			row[x * 3] = (r0 + Math.floor((x * 255) / Math.max(1, width - 1))) & 0xff;
			row[x * 3 + 1] = g;
			row[x * 3 + 2] = (b0 + ((x + y) >> 2)) & 0xff;
		}
	};
	const pad = padBytes > 0 ? Buffer.alloc(padBytes).fill(seed) : undefined;
	return encodePng({ width, height, fillRow, comment: `hiapi-sim ${taskId}/${index}`, pad });
}

module.exports = { outputSize, renderOutput };
