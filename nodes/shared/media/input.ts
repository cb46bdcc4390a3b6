import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { inlineLimitMb } from '../validate';
import { SNIFF_BYTES, sniffMedia, TAKEN, type MediaKind } from './sniff';

/** hiapi's recipe keeps data URLs under about 3 MB; bigger references should go by URL. */
export const DEFAULT_MAX_INLINE_MB = 3;

export { MEDIA_KINDS_ALL, sniffMedia, type MediaKind } from './sniff';

/**
 * Contexts whose items are being checked, not sent (see checkOnly): a reference file is then
 * checked by its size and first bytes, and read whole only when its task is really built.
 */
const checking = new WeakSet<object>();

/**
 * Runs `check` with reference files checked without reading them whole. The requests it builds are
 * thrown away (every item is checked before any is sent, then built again to be sent), so their
 * data URLs carry the type but not the bytes.
 */
export async function checkOnly<T>(ctx: IExecuteFunctions, check: () => Promise<T>): Promise<T> {
	checking.add(ctx);
	try {
		return await check();
	} finally {
		checking.delete(ctx);
	}
}

/** The length of a data URL of `bytes` bytes: base64 makes every 3 bytes 4 characters. */
function dataUrlLength(mime: string, bytes: number): number {
	return `data:${mime};base64,`.length + 4 * Math.ceil(bytes / 3);
}

/** What is known of a binary before reading it: its size (from n8n's metadata) and its first bytes. */
async function inspect(
	this: IExecuteFunctions,
	binary: IBinaryData,
): Promise<{ size: number; head: Buffer }> {
	if (binary.id) {
		// Filesystem, database or S3 mode: the metadata has the size, a short stream the first bytes.
		const { fileSize } = await this.helpers.getBinaryMetadata(binary.id);
		const stream = await this.helpers.getBinaryStream(binary.id, SNIFF_BYTES);
		let head = Buffer.alloc(0);
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			head = Buffer.concat([head, Buffer.from(chunk)]);
			if (head.length >= SNIFF_BYTES) break;
		}
		// Leaving the loop early does not close every stream: make sure the file is released.
		(stream as { destroy?: () => void }).destroy?.();
		return { size: fileSize, head };
	}
	// In-memory mode: the bytes are base64 text already in the item; size and head come from it.
	const text = binary.data ?? '';
	const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
	return {
		size: Math.floor((text.length * 3) / 4) - padding,
		head: Buffer.from(text.slice(0, Math.ceil(SNIFF_BYTES / 3) * 4), 'base64'),
	};
}

const MB = 1024 * 1024;

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
	const limit = inlineLimitMb.call(this, itemIndex, 'Max Inline Image Size (MB)', maxMb) * MB;
	const { size, head } = await inspect.call(this, item.binary[propertyName]);
	const found = sniffMedia(head);
	if (!found || found.kind !== 'image' || found.unsupported || found.mime === 'image/gif') {
		const declared = item.binary[propertyName].mimeType || 'unknown type';
		throw new NodeOperationError(
			this.getNode(),
			found?.unsupported
				? `The file in '${propertyName}' is ${found.unsupported}: hiapi takes PNG, JPEG or WebP reference images`
				: `The file in '${propertyName}' is not a PNG, JPEG or WebP image (${declared})`,
			{
				itemIndex,
				description: 'hiapi accepts PNG, JPEG and WebP reference images. Convert the file first.',
			},
		);
	}
	const encoded = dataUrlLength(found.mime, size);
	if (encoded > limit) {
		throw new NodeOperationError(
			this.getNode(),
			`The image in '${propertyName}' is ${formatMb(encoded)}, over the ${formatMb(limit)} limit for inline images (as a data URL: base64 makes the ${formatMb(size)} file a third larger)`,
			{
				itemIndex,
				description:
					'Pass the image by URL instead (Image Source: URL), shrink it, or raise Max Inline Image Size.',
			},
		);
	}
	return await asDataUrl.call(this, itemIndex, propertyName, found.mime);
}

/** Read once, when the request is really built: the placeholder while items are only checked. */
async function asDataUrl(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	mime: string,
): Promise<string> {
	if (checking.has(this)) return `data:${mime};base64,`;
	const bytes = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
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
	const limit = inlineLimitMb.call(this, itemIndex, 'Max Inline File Size (MB)', maxMb) * MB;
	const { size, head } = await inspect.call(this, item.binary[propertyName]);
	const found = sniffMedia(head);
	const wanted = kinds.map((k) => KIND_WORDS[k]).join(' or ');
	if (found?.unsupported) {
		throw new NodeOperationError(
			this.getNode(),
			`Files: '${propertyName}' on item ${itemIndex} is ${found.unsupported}, a format hiapi does not take (input '${field}')`,
			{
				itemIndex,
				description: `hiapi takes ${KIND_WORDS[found.kind].replace(/^an? /, '')}s as ${TAKEN[found.kind]}: convert it first.`,
			},
		);
	}
	if (!found || !kinds.includes(found.kind)) {
		const declared = item.binary[propertyName].mimeType || 'unknown type';
		throw new NodeOperationError(
			this.getNode(),
			`Files: '${propertyName}' on item ${itemIndex} is ${found ? KIND_WORDS[found.kind] : `not a file type hiapi takes (${declared})`}, but input '${field}' needs ${wanted}`,
			{
				itemIndex,
				description: `Images: ${TAKEN.image}. Video: ${TAKEN.video}. Audio: ${TAKEN.audio}.`,
			},
		);
	}
	const encoded = dataUrlLength(found.mime, size);
	if (encoded > limit) {
		throw new NodeOperationError(
			this.getNode(),
			`Files: '${propertyName}' on item ${itemIndex} is ${formatMb(encoded)}, over the ${formatMb(limit)} limit for inline files (as a data URL: base64 makes the ${formatMb(size)} file a third larger)`,
			{
				itemIndex,
				description: `Give input '${field}' a public URL instead, or raise the Max Inline File Size option.`,
			},
		);
	}
	return await asDataUrl.call(this, itemIndex, propertyName, found.mime);
}
