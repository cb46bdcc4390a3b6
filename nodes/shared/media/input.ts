import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** hiapi's recipe keeps data URLs under about 3 MB; bigger references should go by URL. */
export const DEFAULT_MAX_INLINE_MB = 3;

export type MediaKind = 'image' | 'video' | 'audio';
export const MEDIA_KINDS_ALL: readonly MediaKind[] = ['image', 'video', 'audio'];

const ascii = (b: Buffer, from: number, to: number) =>
	b.length >= to ? b.toString('ascii', from, to) : '';
/** The brand of an ISO-BMFF file (MP4, MOV, M4A): "ftyp" at offset 4, then four letters. */
const isoBrand = (b: Buffer) => (ascii(b, 4, 8) === 'ftyp' ? ascii(b, 8, 12) : '');

const SIGNATURES: Array<{ mime: string; kind: MediaKind; test: (b: Buffer) => boolean }> = [
	{
		mime: 'image/png',
		kind: 'image',
		test: (b) =>
			b.length > 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a,
	},
	{
		mime: 'image/jpeg',
		kind: 'image',
		test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
	},
	{
		mime: 'image/webp',
		kind: 'image',
		test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
	},
	{ mime: 'image/gif', kind: 'image', test: (b) => /^GIF8[79]a$/.test(ascii(b, 0, 6)) },
	{
		mime: 'audio/wav',
		kind: 'audio',
		test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE',
	},
	{ mime: 'audio/mp4', kind: 'audio', test: (b) => /^M4A/.test(isoBrand(b)) },
	{ mime: 'video/quicktime', kind: 'video', test: (b) => isoBrand(b) === 'qt  ' },
	{ mime: 'video/mp4', kind: 'video', test: (b) => isoBrand(b) !== '' },
	{
		mime: 'video/webm',
		kind: 'video',
		test: (b) => b.length > 4 && b.readUInt32BE(0) === 0x1a45dfa3,
	},
	{
		mime: 'audio/mpeg',
		kind: 'audio',
		test: (b) =>
			ascii(b, 0, 3) === 'ID3' || (b.length > 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0),
	},
	{ mime: 'audio/ogg', kind: 'audio', test: (b) => ascii(b, 0, 4) === 'OggS' },
	{ mime: 'audio/flac', kind: 'audio', test: (b) => ascii(b, 0, 4) === 'fLaC' },
];

/** The real type of a file from its first bytes: a declared MIME type or file name can lie. */
export function sniffMedia(bytes: Buffer): { mime: string; kind: MediaKind } | undefined {
	const match = SIGNATURES.find((s) => s.test(bytes));
	return match ? { mime: match.mime, kind: match.kind } : undefined;
}

/** The real type of an image from its first bytes. */
function sniffImageType(bytes: Buffer): string | undefined {
	const found = sniffMedia(bytes);
	return found?.kind === 'image' && found.mime !== 'image/gif' ? found.mime : undefined;
}

function formatMb(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** A reference or callback given by address: only web URLs, since hiapi reaches it from its side. */
export function checkHttpUrl(
	this: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
	field = 'Image URL',
): string {
	const raw = typeof value === 'string' ? value.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(raw);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
		throw new NodeOperationError(
			this.getNode(),
			`${field}: '${raw.slice(0, 100)}' is not an http(s) address (item ${itemIndex})`,
			{
				itemIndex,
				description: `Give a full address starting with https:// (or http://) in ${field}.`,
			},
		);
	}
	return url.toString();
}

/**
 * Reads a reference image from the item's binary property through n8n's helpers (so it works in
 * memory, filesystem and S3 binary modes) and turns it into the data: URL hiapi accepts.
 */
export async function binaryImageAsDataUrl(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	maxMb: number,
): Promise<string> {
	const item = this.getInputData()[itemIndex];
	if (!item?.binary?.[propertyName]) {
		const present = Object.keys(item?.binary ?? {});
		throw new NodeOperationError(
			this.getNode(),
			`No binary property '${propertyName}' on item ${itemIndex}`,
			{
				itemIndex,
				description: present.length
					? `Set Input Binary Field to one of: ${present.join(', ')}.`
					: 'The incoming item has no binary data: add a node that loads the image (e.g. HTTP Request or Read/Write Files from Disk) before this one.',
			},
		);
	}
	const bytes = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	const mime = sniffImageType(bytes);
	if (!mime) {
		const declared = item.binary[propertyName].mimeType || 'unknown type';
		throw new NodeOperationError(
			this.getNode(),
			`The file in '${propertyName}' is not a PNG, JPEG or WebP image (${declared})`,
			{
				itemIndex,
				description: 'hiapi accepts PNG, JPEG and WebP reference images. Convert the file first.',
			},
		);
	}
	const limit = maxMb * 1024 * 1024;
	if (bytes.length > limit) {
		throw new NodeOperationError(
			this.getNode(),
			`The image in '${propertyName}' is ${formatMb(bytes.length)}, over the ${formatMb(limit)} limit for inline images`,
			{
				itemIndex,
				description: 'Pass the image by URL instead (Image Source: URL), or shrink it first.',
			},
		);
	}
	return `data:${mime};base64,${bytes.toString('base64')}`;
}

const KIND_WORDS: Record<MediaKind, string> = {
	image: 'an image',
	video: 'a video',
	audio: 'an audio file',
};

/**
 * A reference file of any kind from the item's binary property, checked by its bytes (it must be one
 * of `kinds`) and its size, as the data: URL hiapi accepts. Read through n8n's helpers, so it works in
 * every binary data mode.
 */
export async function binaryMediaAsDataUrl(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	maxMb: number,
	kinds: readonly MediaKind[],
	field: string,
): Promise<string> {
	const item = this.getInputData()[itemIndex];
	if (!item?.binary?.[propertyName]) {
		const present = Object.keys(item?.binary ?? {});
		throw new NodeOperationError(
			this.getNode(),
			`Files: no binary property '${propertyName}' on item ${itemIndex} (for input '${field}')`,
			{
				itemIndex,
				description: present.length
					? `Use one of the item's binary properties: ${present.join(', ')}.`
					: 'The incoming item has no binary data: add a node that loads the file (e.g. HTTP Request or Read/Write Files from Disk) before this one.',
			},
		);
	}
	const bytes = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	const found = sniffMedia(bytes);
	if (!found || !kinds.includes(found.kind)) {
		const declared = item.binary[propertyName].mimeType || 'unknown type';
		const wanted = kinds.map((k) => KIND_WORDS[k]).join(' or ');
		throw new NodeOperationError(
			this.getNode(),
			`Files: '${propertyName}' on item ${itemIndex} is ${found ? KIND_WORDS[found.kind] : `not a file type hiapi takes (${declared})`}, but input '${field}' needs ${wanted}`,
			{
				itemIndex,
				description:
					'Images: PNG, JPEG, WebP, GIF. Video: MP4, MOV, WebM. Audio: WAV, MP3, M4A, OGG, FLAC.',
			},
		);
	}
	const limit = maxMb * 1024 * 1024;
	if (bytes.length > limit) {
		throw new NodeOperationError(
			this.getNode(),
			`Files: '${propertyName}' on item ${itemIndex} is ${formatMb(bytes.length)}, over the ${formatMb(limit)} limit for inline files`,
			{
				itemIndex,
				description: `Give input '${field}' a public URL instead, or raise the Max Inline File Size option.`,
			},
		);
	}
	return `data:${found.mime};base64,${bytes.toString('base64')}`;
}
