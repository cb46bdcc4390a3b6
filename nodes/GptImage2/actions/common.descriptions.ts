import type { INodeProperties } from 'n8n-workflow';

import { commonOptions, optionsCollection } from '../../shared/completion/descriptions';

export const ASPECT_RATIOS = [
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
export const RESOLUTIONS = ['1K', '2K', '4K'] as const;

export const promptField: INodeProperties = {
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	typeOptions: { rows: 4 },
	required: true,
	default: '',
	placeholder: 'e.g. A watercolor fox in a misty forest, soft morning light',
	description:
		'The whole instruction for the image: subject, style, composition. For image-to-image, also say how closely to follow the reference.',
};

export const aspectRatioField: INodeProperties = {
	displayName: 'Aspect Ratio',
	name: 'aspectRatio',
	type: 'options',
	options: ASPECT_RATIOS.map((ratio) => ({
		name: ratio === 'auto' ? 'Auto' : ratio,
		value: ratio,
	})),
	default: '1:1',
	description: 'Shape of the generated image',
};

export const resolutionField: INodeProperties = {
	displayName: 'Resolution',
	name: 'resolution',
	type: 'options',
	options: RESOLUTIONS.map((value) => ({ name: value, value })),
	default: '1K',
	description: 'Size of the long side: 1K is fastest and cheapest, 4K takes longest',
};

/** GPT Image 2's own options; the shared ones (polling, timeout, download...) come from the completion machinery. */
export const optionsField: INodeProperties = optionsCollection(commonOptions, [
	{
		displayName: 'Additional Input (JSON)',
		name: 'additionalInput',
		type: 'json',
		default: '{}',
		description:
			'Extra fields merged into the task input, for model fields this node does not offer yet. hiapi rejects unknown fields by name.',
		displayOptions: { hide: { '/operation': ['getTask'] } },
	},
	{
		displayName: 'Max Inline Image Size (MB)',
		name: 'maxInlineImageMb',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 3,
		description:
			'Largest binary reference image sent inline; bigger images must be passed by URL (Image to Image only)',
		displayOptions: { show: { '/operation': ['imageToImage'] } },
	},
]);
