import type { INodeProperties } from 'n8n-workflow';

import { commonOptions, optionsCollection } from '../../shared/completion/descriptions';
import { GPT_IMAGE_2 } from './facts';

/**
 * Node version 1 offered the recipe's ratios, defaulting to 1:1: kept as they were, since n8n saves
 * only non-default values and a v1 workflow saved with the default must keep sending 1:1.
 */
export const V1_ASPECT_RATIOS = [
	'1:1',
	'3:2',
	'2:3',
	'4:3',
	'3:4',
	'5:4',
	'4:5',
	'16:9',
	'9:16',
	'21:9',
	'auto',
] as const;
export const RESOLUTIONS = GPT_IMAGE_2.resolutions;

/** n8n's display condition on the node's version: only in version 1, and from version 2 on. */
export const inV1 = { '@version': [1] };
export const fromV2 = { '@version': [{ _cnd: { gte: 2 } }] };

const ratioName = (ratio: string) => (ratio === 'auto' ? 'Auto' : ratio);

export const promptField: INodeProperties = {
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	typeOptions: { rows: 4 },
	required: true,
	default: '',
	placeholder: 'e.g. A watercolor fox in a misty forest, soft morning light',
	description:
		'The whole instruction for the image: subject, style, composition. For image-to-image, also say how closely to follow the references.',
};

export const aspectRatioFieldV1: INodeProperties = {
	displayName: 'Aspect Ratio',
	name: 'aspectRatio',
	type: 'options',
	options: V1_ASPECT_RATIOS.map((ratio) => ({ name: ratioName(ratio), value: ratio })),
	default: '1:1',
	description: 'Shape of the generated image',
};

export const aspectRatioFieldV2: INodeProperties = {
	displayName: 'Aspect Ratio',
	name: 'aspectRatio',
	type: 'options',
	options: GPT_IMAGE_2.aspectRatios.map((ratio) => ({ name: ratioName(ratio), value: ratio })),
	default: 'auto',
	description:
		'Shape of the generated image. Auto (hiapi picks) works at 1K only; at 2K hiapi has no 5:4, 4:5, 3:1, 1:3 or 9:21, at 4K no 1:1, 3:1, 1:3 or 9:21.',
};

export const resolutionField: INodeProperties = {
	displayName: 'Resolution',
	name: 'resolution',
	type: 'options',
	options: RESOLUTIONS.map((value) => ({ name: value, value })),
	default: '1K',
	description: 'Size of the long side: 1K is fastest and cheapest, 4K takes longest',
};

/** hiapi takes `background` at 1K only; hidden at 2K/4K, still shown when Resolution is an expression. */
export const backgroundField: INodeProperties = {
	displayName: 'Background',
	name: 'background',
	type: 'options',
	options: [
		{ name: 'Auto', value: 'auto', description: 'Let the model decide (not sent)' },
		{ name: 'Opaque', value: 'opaque' },
		{ name: 'Transparent', value: 'transparent', description: 'A PNG with an alpha channel' },
	],
	default: 'auto',
	description: 'Background of the generated image; hiapi takes it at 1K only',
	displayOptions: { hide: { resolution: ['2K', '4K'] } },
};

/** GPT Image 2's own options; the shared ones (polling, timeout, download...) come from the completion machinery. */
export const optionsField: INodeProperties = optionsCollection(commonOptions, [
	{
		displayName: 'Additional Input (JSON)',
		name: 'additionalInput',
		type: 'json',
		default: '{}',
		description:
			'Extra fields merged into the task input, for model fields this node does not offer yet. It cannot set the fields the node sets (prompt, references, ratio, resolution, background). hiapi rejects unknown fields by name.',
		displayOptions: { hide: { '/operation': ['getTask'] } },
	},
	{
		displayName: 'Max Inline Image Size (MB)',
		name: 'maxInlineImageMb',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 3,
		description:
			'Largest binary reference image sent inline (each one); bigger images must be passed by URL (Image to Image only)',
		displayOptions: { show: { '/operation': ['imageToImage'] } },
	},
]);
