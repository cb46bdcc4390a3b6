import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	DEFAULT_MAX_INLINE_MB,
	binaryImageAsDataUrl,
	checkHttpUrl,
} from '../../shared/media/input';
import { oneOf } from '../../shared/validate';

export const model = 'gpt-image-2/image-to-image';

const fields: INodeProperties[] = [
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
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/reference.jpg',
		description: 'Public http(s) link to the reference image (PNG, JPEG or WebP)',
		displayOptions: { show: { imageSource: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		description:
			'Binary property of the incoming item that holds the reference image (PNG, JPEG or WebP)',
		displayOptions: { show: { imageSource: ['binary'] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['imageToImage'] } }, fields);

/** The reference image as hiapi's `input.image`: a URL as given, or the binary file as a data URL. */
export async function referenceImage(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<Record<string, unknown>> {
	const source = oneOf.call(
		this,
		itemIndex,
		'Image Source',
		this.getNodeParameter('imageSource', itemIndex),
		['url', 'binary'],
	);
	if (source === 'url') {
		return {
			image: checkHttpUrl.call(this, this.getNodeParameter('imageUrl', itemIndex), itemIndex),
		};
	}
	const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const maxMb = Number(
		this.getNodeParameter('options.maxInlineImageMb', itemIndex, DEFAULT_MAX_INLINE_MB),
	);
	return { image: await binaryImageAsDataUrl.call(this, itemIndex, property, maxMb) };
}
