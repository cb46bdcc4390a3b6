import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** hiapi's recipe keeps data URLs under about 3 MB; bigger references should go by URL. */
export const DEFAULT_MAX_INLINE_MB = 3;

const SIGNATURES: Array<{ mime: string; test: (b: Buffer) => boolean }> = [
	{ mime: 'image/png', test: (b) => b.length > 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a },
	{ mime: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
	{
		mime: 'image/webp',
		test: (b) => b.length > 12 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP',
	},
];

/** The real type of an image from its first bytes: a declared MIME type or file name can lie. */
function sniffImageType(bytes: Buffer): string | undefined {
	return SIGNATURES.find((s) => s.test(bytes))?.mime;
}

function formatMb(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** A reference or callback given by address: only web URLs, since hiapi reaches it from its side. */
export function checkHttpUrl(this: IExecuteFunctions, value: unknown, itemIndex: number, field = 'Image URL'): string {
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
			{ itemIndex, description: `Give a full address starting with https:// (or http://) in ${field}.` },
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
		throw new NodeOperationError(this.getNode(), `No binary property '${propertyName}' on item ${itemIndex}`, {
			itemIndex,
			description: present.length
				? `Set Input Binary Field to one of: ${present.join(', ')}.`
				: 'The incoming item has no binary data: add a node that loads the image (e.g. HTTP Request or Read/Write Files from Disk) before this one.',
		});
	}
	const bytes = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	const mime = sniffImageType(bytes);
	if (!mime) {
		const declared = item.binary[propertyName].mimeType || 'unknown type';
		throw new NodeOperationError(this.getNode(), `The file in '${propertyName}' is not a PNG, JPEG or WebP image (${declared})`, {
			itemIndex,
			description: 'hiapi accepts PNG, JPEG and WebP reference images. Convert the file first.',
		});
	}
	const limit = maxMb * 1024 * 1024;
	if (bytes.length > limit) {
		throw new NodeOperationError(
			this.getNode(),
			`The image in '${propertyName}' is ${formatMb(bytes.length)}, over the ${formatMb(limit)} limit for inline images`,
			{ itemIndex, description: 'Pass the image by URL instead (Image Source: URL), or shrink it first.' },
		);
	}
	return `data:${mime};base64,${bytes.toString('base64')}`;
}
