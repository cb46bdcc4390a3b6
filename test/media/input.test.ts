/**
 * Reference files (media/input.ts and sniff.ts): the type from the bytes, told apart within the
 * ISO-BMFF family (MP4, MOV, M4A, HEIC, AVIF, 3GP) and the MPEG sync word (MP3, AAC); the inline
 * limit measured on the data URL actually sent; each file read once, after its size is checked.
 */
import { BinaryDataService } from 'n8n-core';
import type { IDataObject } from 'n8n-workflow';

import { forgetCatalogues } from '../../nodes/shared/catalogue/fetch';
import { sniffMedia } from '../../nodes/shared/media/input';
import { FAST, GPT, HIAPI, useSimulator } from '../support/env';
import { makePng } from '../support/images';

/** An ISO-BMFF file's start: an ftyp box with a major brand and compatible brands, then some bytes. */
function ftyp(major: string, ...compatible: string[]): Buffer {
	const size = 16 + 4 * compatible.length;
	const box = Buffer.alloc(size);
	box.writeUInt32BE(size, 0);
	box.write('ftyp', 4, 'ascii');
	box.write(major, 8, 'ascii');
	compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'ascii'));
	return Buffer.concat([box, Buffer.alloc(64)]);
}
const adts = Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc, ...Array(64).fill(0)]);
const mp3Frame = Buffer.from([0xff, 0xfb, 0x90, 0x64, ...Array(64).fill(0)]);

describe('sniffMedia', () => {
	it.each([
		['an iPhone HEIC photo', ftyp('heic', 'mif1', 'heic'), 'image/heic', 'a HEIC/HEIF photo'],
		['a HEIF image (mif1)', ftyp('mif1', 'mif1', 'heic'), 'image/heic', 'a HEIC/HEIF photo'],
		['an AVIF image', ftyp('avif', 'avif', 'mif1', 'miaf'), 'image/avif', 'an AVIF image'],
		['an AVIF image under mif1', ftyp('mif1', 'avif', 'mif1'), 'image/avif', 'an AVIF image'],
		['a 3GP video', ftyp('3gp5', '3gp5', 'isom'), 'video/3gpp', 'a 3GP video'],
		['AAC in ADTS', adts, 'audio/aac', 'AAC audio in an ADTS stream (.aac)'],
		['an MP4 (isom)', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'video/mp4', undefined],
		['an MP4 of an unknown major brand', ftyp('xyz1', 'mp42'), 'video/mp4', undefined],
		['a MOV', ftyp('qt  ', 'qt  '), 'video/quicktime', undefined],
		['an M4A', ftyp('M4A ', 'M4A ', 'mp42', 'isom'), 'audio/mp4', undefined],
		['an MP3 frame', mp3Frame, 'audio/mpeg', undefined],
		['a PNG', makePng(4, 4), 'image/png', undefined],
	])('%s', (_name, bytes, mime, unsupported) => {
		const found = sniffMedia(bytes);
		expect(found?.mime).toBe(mime);
		expect(found?.unsupported).toBe(unsupported);
	});

	it('an ISO-BMFF file of brands it does not know is not guessed to be an MP4', () => {
		expect(sniffMedia(ftyp('abcd', 'efgh'))).toBeUndefined();
	});
});

describe('reference files in the nodes', () => {
	const t = useSimulator({
		...FAST,
		categoryDurations: { video: FAST.durations, audio: FAST.durations },
	} as never);
	beforeEach(() => forgetCatalogues());

	const i2i = {
		operation: 'imageToImage',
		prompt: 'ok',
		imageSource: 'binary',
		binaryPropertyName: 'data',
		options: { pollInterval: 0.1 },
	};
	const withFile = (data: Buffer, mimeType: string) => [
		{ json: {}, binary: { data: { data, mimeType } } },
	];
	const hiapi = (field: string, model: string): IDataObject => ({
		model: { __rl: true, mode: 'id', value: model },
		inputMode: 'json',
		inputJson: '{"prompt": "x", "text": "la"}',
		files: { file: [{ field, binaryProperties: 'data' }] },
		options: { pollInterval: 0.1 },
	});

	it('GPT Image 2: an iPhone HEIC photo is named as such, with what hiapi takes', async () => {
		const r = await t.h.runNode({
			type: GPT,
			parameters: i2i,
			input: withFile(ftyp('heic', 'mif1', 'heic'), 'image/heic'),
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toBe(
			"The file in 'data' is a HEIC/HEIF photo: hiapi takes PNG, JPEG or WebP reference images",
		);
		expect(t.sim.counters.submits).toBe(0);
	});

	it('HiAPI: a HEIC photo for an image input is not called "a video"', async () => {
		const r = await t.h.runNode({
			type: HIAPI,
			parameters: hiapi('image', 'kling-3.0-turbo/image-to-video'),
			input: withFile(ftyp('heic', 'mif1', 'heic'), 'image/heic'),
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toBe(
			"Files: 'data' on item 0 is a HEIC/HEIF photo, a format hiapi does not take (input 'image')",
		);
		expect(r.error?.description).toBe(
			'hiapi takes images as PNG, JPEG, WebP or GIF: convert it first.',
		);
		expect(t.sim.counters.submits).toBe(0);
	});

	it('HiAPI: AAC in ADTS is refused plainly, not sent as an MP3', async () => {
		const r = await t.h.runNode({
			type: HIAPI,
			parameters: hiapi('reference_audio_urls', 'seedance-2.0'),
			input: withFile(adts, 'audio/aac'),
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toMatch(/is AAC audio in an ADTS stream \(\.aac\), a format hiapi/);
		expect(t.sim.counters.submits).toBe(0);
	});

	it('the inline limit is measured on the data URL: a 2.5 MB image is 3.3 MB as sent, over 3 MB', async () => {
		const image = Buffer.concat([makePng(4, 4), Buffer.alloc(2.5 * 1024 * 1024 - 100)]);
		const r = await t.h.runNode({
			type: GPT,
			parameters: i2i,
			input: withFile(image, 'image/png'),
		});
		expect(r.status).toBe('error');
		expect(r.error?.message).toMatch(
			/^The image in 'data' is 3\.33 MB, over the 3\.00 MB limit for inline images \(as a data URL: base64 makes the 2\.50 MB file a third larger\)$/,
		);
		expect(t.sim.counters.submits).toBe(0);
	});

	describe('each file is read once, and only after its size passed', () => {
		let reads: jest.SpyInstance;
		beforeEach(() => {
			reads = jest.spyOn(BinaryDataService.prototype, 'getAsBuffer');
		});
		afterEach(() => reads.mockRestore());

		it('a file that fits: one whole read per item, though every item is checked before any is sent', async () => {
			const png = makePng(16, 16);
			const r = await t.h.runNode({
				type: GPT,
				parameters: i2i,
				input: [...withFile(png, 'image/png'), ...withFile(png, 'image/png')],
			});
			expect(r.status).toBe('success');
			expect(reads).toHaveBeenCalledTimes(2);
			const sent = [...t.sim.tasks.values()].map((task) => task.input.input_urls);
			expect(sent).toEqual([
				[`data:image/png;base64,${png.toString('base64')}`],
				[`data:image/png;base64,${png.toString('base64')}`],
			]);
		});

		it('a file over the limit is refused without being read whole', async () => {
			const r = await t.h.runNode({
				type: GPT,
				parameters: { ...i2i, options: { maxInlineImageMb: 0.1 } },
				input: withFile(makePng(300, 300, true), 'image/png'),
			});
			expect(r.status).toBe('error');
			expect(r.error?.message).toMatch(/over the 0\.10 MB limit for inline images/);
			expect(reads).not.toHaveBeenCalled();
		});
	});
});
