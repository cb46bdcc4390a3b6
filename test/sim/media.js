'use strict';

// Hand-built media files for video and audio outputs, described as "files": a list of parts,
// each a Buffer or a fill (a pattern repeated to a length), so a 300 MB padded file exists only
// as a few KiB of real structure plus a pattern, and is streamed chunk by chunk (see stream()).
//   MP4: ISO-BMFF ftyp + moov (mvhd, trak/tkhd/mdia/mdhd/hdlr/minf/vmhd/dinf/stbl with an avc1
//        sample entry and its avcC) + mdat holding H.264 Baseline IDR frames made of I_PCM
//        macroblocks (raw samples, no real compression: decodable by any H.264 decoder), one
//        frame per second of the requested duration; padding is a trailing `free` box.
//   WAV: RIFF/WAVE, fmt (PCM 16-bit mono 16 kHz), a `JUNK` chunk for padding, data (a sine tone).
//   MP3: MPEG-1 Layer III frames, 128 kbit/s 48 kHz mono, silent; padding is more silent frames.

const crypto = require('node:crypto');

/**
 * @typedef {Buffer | {fill: Buffer, length: number}} Part
 * @typedef {{contentType: string, ext: string, size: number, parts: Part[]}} MediaFile
 */

/** @param {Part[]} parts */
const sizeOf = (parts) => parts.reduce((n, p) => n + (Buffer.isBuffer(p) ? p.length : p.length), 0);

/** @param {string} contentType @param {string} ext @param {Part[]} parts @returns {MediaFile} */
const makeFile = (contentType, ext, parts) => ({ contentType, ext, size: sizeOf(parts), parts });

/** A pattern part of exactly `length` bytes (the pattern repeats from the part's first byte). */
const fillPart = (/** @type {Buffer} */ fill, /** @type {number} */ length) => ({ fill, length });

// ---------------------------------------------------------------- H.264 (Baseline, I_PCM)

class BitWriter {
	constructor() {
		/** @type {number[]} */
		this.bytes = [];
		this.cur = 0;
		this.n = 0;
	}
	/** @param {number} b */
	bit(b) {
		this.cur = (this.cur << 1) | (b & 1);
		if (++this.n === 8) {
			this.bytes.push(this.cur);
			this.cur = 0;
			this.n = 0;
		}
	}
	/** @param {number} bits @param {number} v */
	u(bits, v) {
		for (let i = bits - 1; i >= 0; i--) this.bit(Math.floor(v / 2 ** i) % 2);
	}
	/** @param {number} v */
	ue(v) {
		const x = v + 1;
		const len = 32 - Math.clz32(x);
		this.u(len - 1, 0);
		this.u(len, x);
	}
	/** @param {number} v */
	se(v) {
		this.ue(v <= 0 ? -2 * v : 2 * v - 1);
	}
	alignZero() {
		while (this.n) this.bit(0);
	}
	/** @param {ArrayLike<number>} bytes byte-aligned only */
	raw(bytes) {
		for (let i = 0; i < bytes.length; i++) this.bytes.push(bytes[i]);
	}
	trailing() {
		this.bit(1);
		this.alignZero();
		return Buffer.from(this.bytes);
	}
}

/** NAL unit (no start code) with emulation prevention. @param {number} refIdc @param {number} type @param {Buffer} rbsp */
function nal(refIdc, type, rbsp) {
	const out = [(refIdc << 5) | type];
	let zeros = 0;
	for (const b of rbsp) {
		if (zeros >= 2 && b <= 3) {
			out.push(3);
			zeros = 0;
		}
		out.push(b);
		zeros = b === 0 ? zeros + 1 : 0;
	}
	return Buffer.from(out);
}

const PROFILE = 66; // Baseline
const CONSTRAINTS = 0xc0; // constraint_set0 + set1: Constrained Baseline
const LEVEL = 30;

/** @param {number} width even @param {number} height even */
function sps(width, height) {
	const mbW = Math.ceil(width / 16);
	const mbH = Math.ceil(height / 16);
	const w = new BitWriter();
	w.u(8, PROFILE);
	w.u(8, CONSTRAINTS);
	w.u(8, LEVEL);
	w.ue(0); // seq_parameter_set_id
	w.ue(0); // log2_max_frame_num_minus4
	w.ue(0); // pic_order_cnt_type
	w.ue(0); // log2_max_pic_order_cnt_lsb_minus4
	w.ue(0); // max_num_ref_frames
	w.u(1, 0); // gaps_in_frame_num_value_allowed_flag
	w.ue(mbW - 1);
	w.ue(mbH - 1);
	w.u(1, 1); // frame_mbs_only_flag
	w.u(1, 1); // direct_8x8_inference_flag
	const cropRight = (mbW * 16 - width) / 2;
	const cropBottom = (mbH * 16 - height) / 2;
	const crop = cropRight > 0 || cropBottom > 0;
	w.u(1, crop ? 1 : 0);
	if (crop) {
		w.ue(0);
		w.ue(cropRight);
		w.ue(0);
		w.ue(cropBottom);
	}
	w.u(1, 0); // vui_parameters_present_flag
	return nal(3, 7, w.trailing());
}

function pps() {
	const w = new BitWriter();
	w.ue(0); // pic_parameter_set_id
	w.ue(0); // seq_parameter_set_id
	w.u(1, 0); // entropy_coding_mode_flag: CAVLC
	w.u(1, 0); // bottom_field_pic_order_in_frame_present_flag
	w.ue(0); // num_slice_groups_minus1
	w.ue(0); // num_ref_idx_l0_default_active_minus1
	w.ue(0); // num_ref_idx_l1_default_active_minus1
	w.u(1, 0); // weighted_pred_flag
	w.u(2, 0); // weighted_bipred_idc
	w.se(0); // pic_init_qp_minus26
	w.se(0); // pic_init_qs_minus26
	w.se(0); // chroma_qp_index_offset
	w.u(1, 1); // deblocking_filter_control_present_flag
	w.u(1, 0); // constrained_intra_pred_flag
	w.u(1, 0); // redundant_pic_cnt_present_flag
	return nal(3, 8, w.trailing());
}

/**
 * One IDR frame of I_PCM macroblocks: a colour gradient that moves with the frame number.
 * Samples stay in 16..235, so they never form a start-code-like pattern.
 * @param {number} width @param {number} height @param {Buffer} seed @param {number} frame
 */
function idrFrame(width, height, seed, frame) {
	const mbW = Math.ceil(width / 16);
	const mbH = Math.ceil(height / 16);
	const w = new BitWriter();
	w.ue(0); // first_mb_in_slice
	w.ue(7); // slice_type: I (all slices)
	w.ue(0); // pic_parameter_set_id
	w.u(4, 0); // frame_num
	w.ue(frame % 2); // idr_pic_id: consecutive IDR pictures differ
	w.u(4, 0); // pic_order_cnt_lsb
	w.u(1, 0); // no_output_of_prior_pics_flag
	w.u(1, 0); // long_term_reference_flag
	w.se(0); // slice_qp_delta
	w.ue(1); // disable_deblocking_filter_idc: off, samples stay exact
	const clamp = (/** @type {number} */ v, /** @type {number} */ hi) =>
		16 + (((v % (hi - 15)) + (hi - 15)) % (hi - 15));
	const luma = new Uint8Array(256);
	const chroma = new Uint8Array(128);
	for (let my = 0; my < mbH; my++) {
		for (let mx = 0; mx < mbW; mx++) {
			w.ue(25); // mb_type: I_PCM
			w.alignZero(); // pcm_alignment_zero_bit
			for (let y = 0; y < 16; y++) {
				for (let x = 0; x < 16; x++) {
					const px = mx * 16 + x;
					const py = my * 16 + y;
					luma[y * 16 + x] = clamp(seed[0] + (px + py) * 3 + frame * 12, 235);
				}
			}
			for (let i = 0; i < 64; i++) {
				chroma[i] = clamp(seed[1] + mx * 8 + (i % 8) + frame * 5, 240);
				chroma[64 + i] = clamp(seed[2] + my * 8 + (i >> 3) + frame * 7, 240);
			}
			w.raw(luma);
			w.raw(chroma);
		}
	}
	return nal(3, 5, w.trailing());
}

// ---------------------------------------------------------------- ISO-BMFF

/** @param {string} type @param {...Buffer} payload */
function box(type, ...payload) {
	const body = Buffer.concat(payload);
	const head = Buffer.alloc(8);
	head.writeUInt32BE(8 + body.length, 0);
	head.write(type, 4, 'latin1');
	return Buffer.concat([head, body]);
}

/** @param {string} type @param {number} version @param {number} flags @param {...Buffer} payload */
function fullBox(type, version, flags, ...payload) {
	const vf = Buffer.alloc(4);
	vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
	return box(type, vf, ...payload);
}

/** @param {...number} values @returns {Buffer} big-endian u32s */
const u32 = (...values) => {
	const b = Buffer.alloc(4 * values.length);
	values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
	return b;
};
/** @param {...number} values @returns {Buffer} big-endian u16s */
const u16 = (...values) => {
	const b = Buffer.alloc(2 * values.length);
	values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 2 * i));
	return b;
};
const MATRIX = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);
const TIMESCALE = 1000;

/**
 * @param {object} p
 * @param {number} p.width @param {number} p.height @param {number} p.seconds whole seconds, >= 1
 * @param {string} p.seed @param {number} [p.totalBytes] pad with a trailing `free` box up to this size
 * @returns {MediaFile}
 */
function mp4({ width, height, seconds, seed, totalBytes = 0 }) {
	const s = crypto.createHash('sha256').update(seed).digest();
	const spsNal = sps(width, height);
	const ppsNal = pps();
	const frames = Math.max(1, Math.round(seconds));
	const samples = Array.from({ length: frames }, (_, i) => {
		const f = idrFrame(width, height, s, i);
		return Buffer.concat([u32(f.length), f]);
	});
	const duration = frames * TIMESCALE;
	const avcC = box(
		'avcC',
		Buffer.from([1, PROFILE, CONSTRAINTS, LEVEL, 0xff, 0xe1]),
		u16(spsNal.length),
		spsNal,
		Buffer.from([1]),
		u16(ppsNal.length),
		ppsNal,
	);
	const compressor = Buffer.alloc(32);
	compressor.write('\x0bhiapi-sim', 0, 'latin1');
	const avc1 = box(
		'avc1',
		Buffer.alloc(6), // reserved
		u16(1), // data_reference_index
		Buffer.alloc(16), // pre_defined, reserved
		u16(width, height),
		u32(0x480000, 0x480000, 0), // 72 dpi, reserved
		u16(1), // frame_count
		compressor,
		u16(0x18, 0xffff), // depth, pre_defined = -1
		avcC,
	);
	const moov = (/** @type {number} */ chunkOffset) =>
		box(
			'moov',
			fullBox(
				'mvhd',
				0,
				0,
				u32(0, 0, TIMESCALE, duration, 0x10000),
				u16(0x100),
				Buffer.alloc(10),
				MATRIX,
				Buffer.alloc(24),
				u32(2),
			),
			box(
				'trak',
				fullBox(
					'tkhd',
					0,
					3,
					u32(0, 0, 1, 0, duration, 0, 0),
					u16(0, 0, 0, 0),
					MATRIX,
					u32(width * 0x10000, height * 0x10000),
				),
				box(
					'mdia',
					fullBox('mdhd', 0, 0, u32(0, 0, TIMESCALE, duration), u16(0x55c4, 0)), // 'und'
					fullBox(
						'hdlr',
						0,
						0,
						u32(0),
						Buffer.from('vide', 'latin1'),
						Buffer.alloc(12),
						Buffer.from('VideoHandler\0', 'latin1'),
					),
					box(
						'minf',
						fullBox('vmhd', 0, 1, u16(0, 0, 0, 0)),
						box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
						box(
							'stbl',
							fullBox('stsd', 0, 0, u32(1), avc1),
							fullBox('stts', 0, 0, u32(1, frames, TIMESCALE)),
							fullBox('stsc', 0, 0, u32(1, 1, frames, 1)),
							fullBox('stsz', 0, 0, u32(0, frames, ...samples.map((x) => x.length))),
							fullBox('stco', 0, 0, u32(1, chunkOffset)),
						),
					),
				),
			),
		);
	const ftyp = box(
		'ftyp',
		Buffer.from('isom', 'latin1'),
		u32(0x200),
		Buffer.from('isomiso2avc1mp41', 'latin1'),
	);
	const moovLen = moov(0).length;
	const mdat = box('mdat', ...samples);
	const parts = /** @type {Part[]} */ ([ftyp, moov(ftyp.length + moovLen + 8), mdat]);
	const natural = ftyp.length + moovLen + mdat.length;
	if (totalBytes > natural) {
		// A 32-bit size up to 4 GiB; past that the 64-bit largesize form (size field = 1).
		const padLen = Math.max(16, totalBytes - natural);
		const large = padLen > 0xffffffff;
		const head = Buffer.alloc(large ? 16 : 8);
		head.writeUInt32BE(large ? 1 : padLen, 0);
		head.write('free', 4, 'latin1');
		if (large) head.writeBigUInt64BE(BigInt(padLen), 8);
		parts.push(head, fillPart(s, padLen - head.length));
	}
	return makeFile('video/mp4', 'mp4', parts);
}

// ---------------------------------------------------------------- WAV

const WAV_RATE = 16000;

/**
 * @param {object} p
 * @param {number} p.seconds @param {string} p.seed @param {number} [p.totalBytes] pad with a JUNK chunk
 * @returns {MediaFile}
 */
function wav({ seconds, seed, totalBytes = 0 }) {
	const s = crypto.createHash('sha256').update(seed).digest();
	const n = Math.max(1, Math.round(seconds * WAV_RATE));
	const data = Buffer.alloc(n * 2);
	const freq = 220 + (s[0] << 1); // 220..730 Hz, per output
	for (let i = 0; i < n; i++) {
		data.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * freq * i) / WAV_RATE)), i * 2);
	}
	const fmt = Buffer.alloc(16);
	fmt.writeUInt16LE(1, 0); // PCM
	fmt.writeUInt16LE(1, 2); // mono
	fmt.writeUInt32LE(WAV_RATE, 4);
	fmt.writeUInt32LE(WAV_RATE * 2, 8); // byte rate
	fmt.writeUInt16LE(2, 12); // block align
	fmt.writeUInt16LE(16, 14); // bits per sample
	const chunkHead = (/** @type {string} */ id, /** @type {number} */ len) => {
		const h = Buffer.alloc(8);
		h.write(id, 0, 'latin1');
		h.writeUInt32LE(len, 4);
		return h;
	};
	const natural = 12 + 8 + 16 + 8 + data.length;
	let junk = 0;
	if (totalBytes > natural) junk = Math.max(8, totalBytes - natural + ((totalBytes - natural) % 2));
	const riffSize = natural - 8 + junk;
	if (riffSize > 0xffffffff) throw new RangeError('a WAV file cannot be over 4 GiB');
	const head = Buffer.concat([
		chunkHead('RIFF', riffSize),
		Buffer.from('WAVE', 'latin1'),
		chunkHead('fmt ', 16),
		fmt,
	]);
	/** @type {Part[]} */
	const parts = [head];
	if (junk) parts.push(chunkHead('JUNK', junk - 8), fillPart(s, junk - 8));
	parts.push(chunkHead('data', data.length), data);
	return makeFile('audio/wav', 'wav', parts);
}

// ---------------------------------------------------------------- MP3

const MP3_FRAME_BYTES = 384; // 144 * 128000 / 48000, no padding
const MP3_FRAME_SAMPLES = 1152;

/** A silent MPEG-1 Layer III frame; `extra` goes into its ancillary data. @param {Buffer} [extra] */
function mp3Frame(extra) {
	const f = Buffer.alloc(MP3_FRAME_BYTES);
	// sync, MPEG-1, Layer III, no CRC | 128 kbit/s, 48 kHz, no padding | mono, original
	f.set([0xff, 0xfb, 0x94, 0xc4], 0);
	// 17 zero bytes of side info (main_data_begin 0, part2_3_length 0: silence), then ancillary.
	if (extra) extra.copy(f, 4 + 17, 0, Math.min(extra.length, MP3_FRAME_BYTES - 21));
	return f;
}

/**
 * @param {object} p
 * @param {number} p.seconds @param {string} p.seed @param {number} [p.totalBytes] more silent frames up to at least this size
 * @returns {MediaFile}
 */
function mp3({ seconds, seed, totalBytes = 0 }) {
	const s = crypto.createHash('sha256').update(seed).digest();
	const frames = Math.max(1, Math.ceil((seconds * 48000) / MP3_FRAME_SAMPLES));
	const total = Math.max(frames, Math.ceil(totalBytes / MP3_FRAME_BYTES));
	return makeFile('audio/mpeg', 'mp3', [
		mp3Frame(s),
		fillPart(mp3Frame(), (total - 1) * MP3_FRAME_BYTES),
	]);
}

// ---------------------------------------------------------------- files

const CHUNK = 64 * 1024;

/** The pattern repeated to about 64 KiB (a whole number of repeats, so chunks chain). @param {Buffer} fill */
function fillChunk(fill) {
	const reps = Math.max(1, Math.floor(CHUNK / fill.length));
	return Buffer.alloc(reps * fill.length, fill);
}

/**
 * Yields the file's bytes in chunks of at most ~64 KiB, up to `limit` bytes.
 * @param {MediaFile} file @param {number} [limit]
 * @returns {Generator<Buffer>}
 */
function* chunks(file, limit = file.size) {
	let left = limit;
	for (const part of file.parts) {
		if (left <= 0) return;
		if (Buffer.isBuffer(part)) {
			for (let off = 0; off < part.length && left > 0; off += CHUNK) {
				const c = part.subarray(off, off + Math.min(CHUNK, left));
				left -= c.length;
				yield c;
			}
			continue;
		}
		const chunk = fillChunk(part.fill);
		let n = Math.min(part.length, left);
		left -= n;
		while (n > 0) {
			const c = chunk.subarray(0, Math.min(n, chunk.length));
			n -= c.length;
			yield c;
		}
	}
}

/** @param {MediaFile} file @returns {Buffer} every byte, in memory: for small files and tests */
function bytesOf(file) {
	if (file.parts.length === 1 && Buffer.isBuffer(file.parts[0])) return file.parts[0];
	const out = Buffer.allocUnsafe(file.size);
	let off = 0;
	for (const c of chunks(file)) off += c.copy(out, off);
	return out;
}

/** @param {MediaFile} file @returns {{sha256: string, size: number}} */
function digestOf(file) {
	const h = crypto.createHash('sha256');
	for (const c of chunks(file)) h.update(c);
	return { sha256: h.digest('hex'), size: file.size };
}

/**
 * Writes up to `limit` bytes of the file to a response, honouring backpressure.
 * Resolves true when all was written, false when the response closed first.
 * @param {import('node:http').ServerResponse} res @param {MediaFile} file @param {number} [limit]
 * @returns {Promise<boolean>}
 */
async function stream(res, file, limit = file.size) {
	for (const c of chunks(file, limit)) {
		if (res.destroyed) return false;
		if (!res.write(c)) {
			const open = await new Promise((resolve) => {
				const done = (/** @type {boolean} */ v) => {
					res.off('drain', onDrain);
					res.off('close', onClose);
					resolve(v);
				};
				const onDrain = () => done(true);
				const onClose = () => done(false);
				res.on('drain', onDrain);
				res.on('close', onClose);
			});
			if (!open) return false;
		}
	}
	return !res.destroyed;
}

module.exports = {
	mp4,
	wav,
	mp3,
	makeFile,
	chunks,
	bytesOf,
	digestOf,
	stream,
	WAV_RATE,
	MP3_FRAME_BYTES,
};
