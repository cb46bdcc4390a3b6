'use strict';

const zlib = require('node:zlib');

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Own CRC table rather than zlib.crc32 so the encoder does not depend on a recent Node, and the
// self-check can verify it against zlib.crc32 as an independent implementation.
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

/** @param {Buffer[]} parts @returns {number} */
function crc32(...parts) {
	let c = 0xffffffff;
	for (const buf of parts) {
		for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	}
	return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type four ASCII letters @param {Buffer} data */
function chunk(type, data) {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(head.subarray(4), data), 0);
	return Buffer.concat([head, data, crc]);
}

/**
 * Encodes an 8-bit RGB PNG.
 * @param {object} p
 * @param {number} p.width
 * @param {number} p.height
 * @param {(y: number, row: Buffer) => void} p.fillRow writes width*3 RGB bytes for row y
 * @param {string} [p.comment] stored in a tEXt "Comment" chunk
 * @param {Buffer} [p.pad] payload of a private ancillary `prVt` chunk (decoders skip it)
 * @returns {Buffer}
 */
function encodePng({ width, height, fillRow, comment, pad }) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type: truecolour
	ihdr[10] = 0; // deflate
	ihdr[11] = 0; // adaptive filtering
	ihdr[12] = 0; // no interlace
	const stride = width * 3 + 1;
	const raw = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		raw[y * stride] = 0; // filter: none
		fillRow(y, raw.subarray(y * stride + 1, (y + 1) * stride));
	}
	const parts = [SIGNATURE, chunk('IHDR', ihdr)];
	if (comment) parts.push(chunk('tEXt', Buffer.from(`Comment\0${comment}`, 'latin1')));
	parts.push(chunk('IDAT', zlib.deflateSync(raw)));
	if (pad && pad.length) parts.push(chunk('prVt', pad));
	parts.push(chunk('IEND', Buffer.alloc(0)));
	return Buffer.concat(parts);
}

module.exports = { encodePng, crc32, SIGNATURE };
