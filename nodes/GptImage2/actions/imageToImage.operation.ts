import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	DEFAULT_MAX_INLINE_MB,
	binaryImageAsDataUrl,
	checkHttpUrl,
} from '../../shared/media/input';
import { invalidField, oneOf } from '../../shared/validate';
import { fromV2, inV1 } from './common.descriptions';

export const model = 'gpt-image-2/image-to-image';

/** Version 1: one reference, by URL or from one binary property (kept as it was). */
const fieldsV1: INodeProperties[] = [
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{ name: 'URL', value: 'url', description: 'A public link to the reference image' },
			{
				name: 'Binary File',
				value: 'binary',
				description: 'An image from the incoming item, e.g. from HTTP Request or Read Files',
			},
		],
		default: 'url',
		displayOptions: { show: inV1 },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/reference.jpg',
		description: 'Public http(s) link to the reference image (PNG, JPEG or WebP)',
		displayOptions: { show: { ...inV1, imageSource: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		description:
			'Binary property of the incoming item that holds the reference image (PNG, JPEG or WebP)',
		displayOptions: { show: { ...inV1, imageSource: ['binary'] } },
	},
];

/**
 * Version 2: 1–16 references. URLs are a multi-value list (one URL per entry, "Add Image URL" for the
 * next), the shape n8n users know from other list fields; an entry whose expression gives an array
 * adds every URL in it, so a list from an earlier node maps in one go. Files are named the way n8n's
 * own nodes take several binary properties: comma-separated.
 */
const fieldsV2: INodeProperties[] = [
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{ name: 'URLs', value: 'url', description: 'Public links to the reference images' },
			{
				name: 'Binary Files',
				value: 'binary',
				description: 'Images from the incoming item, e.g. from HTTP Request or Read Files',
			},
			{
				name: 'URLs and Binary Files',
				value: 'both',
				description: 'The URLs first, then the files, in the order given',
			},
		],
		default: 'url',
		displayOptions: { show: fromV2 },
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Image URL' },
		default: [],
		placeholder: 'https://example.com/reference.jpg',
		description:
			'Public http(s) links to the reference images (PNG, JPEG or WebP), in order. An expression may give a list of links.',
		displayOptions: { show: { ...fromV2, imageSource: ['url', 'both'] } },
	},
	{
		displayName: 'Input Binary Fields',
		name: 'binaryPropertyName',
		type: 'string',
		// Not required: with URLs and Binary Files it may be left empty; an item with no reference at
		// all is refused when it runs.
		default: 'data',
		placeholder: 'e.g. data, ref_a, ref_b',
		description:
			'Binary properties of the incoming item that hold the reference images (PNG, JPEG or WebP), comma-separated, in order',
		displayOptions: { show: { ...fromV2, imageSource: ['binary', 'both'] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['imageToImage'] } }, [
	...fieldsV1,
	...fieldsV2,
]);

/** The reference images of an item, in order, as hiapi takes them: URLs as given, files as data URLs. */
export async function referenceImages(
	this: IExecuteFunctions,
	itemIndex: number,
	version: number,
): Promise<string[]> {
	const sources = version >= 2 ? ['url', 'binary', 'both'] : ['url', 'binary'];
	const source = oneOf.call(
		this,
		itemIndex,
		'Image Source',
		this.getNodeParameter('imageSource', itemIndex),
		sources,
	);
	const maxMb = Number(
		this.getNodeParameter('options.maxInlineImageMb', itemIndex, DEFAULT_MAX_INLINE_MB),
	);
	if (version < 2) {
		if (source === 'url') {
			return [checkHttpUrl.call(this, this.getNodeParameter('imageUrl', itemIndex), itemIndex)];
		}
		const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
		return [await binaryImageAsDataUrl.call(this, itemIndex, property, maxMb)];
	}
	const references: string[] = [];
	if (source !== 'binary') {
		const urls = listOfUrls(this.getNodeParameter('imageUrls', itemIndex, []));
		urls.forEach((url, n) =>
			references.push(checkHttpUrl.call(this, url, itemIndex, `Image URLs (entry ${n + 1})`)),
		);
	}
	if (source !== 'url') {
		const names = binaryNames(this.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
		for (const name of names) {
			references.push(await binaryImageAsDataUrl.call(this, itemIndex, name, maxMb));
		}
	}
	// With both sources either may be empty (e.g. mapped from an item that has only files).
	if (references.length === 0) {
		const field = {
			url: 'Image URLs',
			binary: 'Input Binary Fields',
			both: 'Image URLs / Input Binary Fields',
		}[source];
		throw invalidField.call(
			this,
			itemIndex,
			field ?? 'Image URLs',
			'gives no reference image',
			"Image to Image needs 1 to 16 reference images: add public http(s) links to Image URLs, or name the item's binary properties in Input Binary Fields, comma-separated (e.g. data, ref_a).",
		);
	}
	return references;
}

/** Each multi-value entry is one URL, or (from an expression) a list of them. */
function listOfUrls(value: unknown): unknown[] {
	const entries = Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value];
	return entries.flatMap((entry) => (Array.isArray(entry) ? entry : [entry]));
}

/** `ref_a, ref_b` (or a list from an expression) as property names, order kept. */
function binaryNames(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	return parts.map((name) => name.trim()).filter((name) => name !== '');
}
