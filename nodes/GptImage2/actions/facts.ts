/**
 * GPT Image 2's inputs as hiapi's own clients describe its current schema (hiapi-gpt-image-2-skill
 * 0.4.0 and 0.4.1). The node follows the live schema when it can read it; this table is what it
 * checks against when it cannot, and what `bash run contract` compares with hiapi's live schema.
 */
export const GPT_IMAGE_2 = {
	/** Where image-to-image takes its references today: a list of URLs or data URLs. */
	referenceField: 'input_urls',
	/** The recipe's older single-reference field, still honoured when a served schema names it. */
	legacyReferenceField: 'image',
	minReferences: 1,
	maxReferences: 16,
	aspectRatios: [
		'auto',
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
		'2:1',
		'1:2',
		'3:1',
		'1:3',
		'9:21',
	],
	defaultAspectRatio: 'auto',
	resolutions: ['1K', '2K', '4K'],
	defaultResolution: '1K',
	/** Ratios hiapi does not render at a resolution (`auto` renders at 1K only). */
	unavailableRatios: {
		'1K': [],
		'2K': ['auto', '5:4', '4:5', '3:1', '1:3', '9:21'],
		'4K': ['auto', '1:1', '3:1', '1:3', '9:21'],
	} as Record<string, readonly string[]>,
	backgrounds: ['auto', 'opaque', 'transparent'],
	/** `background` is taken only at these resolutions. */
	backgroundResolutions: ['1K'],
} as const;

export type GptImage2Facts = typeof GPT_IMAGE_2;
