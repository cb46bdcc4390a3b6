import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { checkAgainstSchema } from '../../shared/catalogue/jsonSchema';
import { estimateCost } from '../../shared/catalogue/pricing';
import { modelSchema } from '../../shared/catalogue/schema';
import { routeOf, userIdempotencyKey, type TaskRequest } from '../../shared/completion/request';
import type { SubmitBody } from '../../shared/types';
import { invalidField, jsonObject, nonEmptyText, oneOf } from '../../shared/validate';
import { RESOLUTIONS, V1_ASPECT_RATIOS } from './common.descriptions';
import { GPT_IMAGE_2 } from './facts';
import * as imageToImage from './imageToImage.operation';
import { checkCombination, checkReferenceCount, referenceSlot, schemaProblem } from './rules';
import * as textToImage from './textToImage.operation';

const generators = { textToImage, imageToImage };
export type GenerateOperation = keyof typeof generators;

/** The input fields the node sets itself: Additional Input may not set them behind its back. */
const OWNED = [
	'prompt',
	'aspect_ratio',
	'resolution',
	GPT_IMAGE_2.referenceField,
	GPT_IMAGE_2.legacyReferenceField,
];

/** Everything about one item's task, checked here so a bad value fails before anything is sent or billed. */
export async function buildRequest(
	this: IExecuteFunctions,
	operation: GenerateOperation,
	itemIndex: number,
): Promise<TaskRequest> {
	const v2 = this.getNode().typeVersion >= 2;
	const prompt = nonEmptyText.call(
		this,
		itemIndex,
		'Prompt',
		this.getNodeParameter('prompt', itemIndex),
	);
	const aspectRatio = oneOf.call(
		this,
		itemIndex,
		'Aspect Ratio',
		this.getNodeParameter('aspectRatio', itemIndex, v2 ? GPT_IMAGE_2.defaultAspectRatio : '1:1'),
		v2 ? GPT_IMAGE_2.aspectRatios : V1_ASPECT_RATIOS,
	);
	const resolution = oneOf.call(
		this,
		itemIndex,
		'Resolution',
		this.getNodeParameter('resolution', itemIndex, GPT_IMAGE_2.defaultResolution),
		RESOLUTIONS,
	);
	// Auto is what hiapi does without the field, so it is not sent (and is no error at 2K/4K).
	const chosenBackground = v2
		? oneOf.call(
				this,
				itemIndex,
				'Background',
				this.getNodeParameter('background', itemIndex, 'auto'),
				GPT_IMAGE_2.backgrounds,
			)
		: 'auto';
	const background = chosenBackground === 'auto' ? undefined : chosenBackground;
	const extra = jsonObject.call(
		this,
		itemIndex,
		'Additional Input',
		this.getNodeParameter('options.additionalInput', itemIndex, '{}'),
	);
	// Version 1 never set background, so its Additional Input still may.
	const owned = v2 ? [...OWNED, 'background'] : OWNED;
	const clash = Object.keys(extra).find((key) => owned.includes(key));
	if (clash) {
		throw invalidField.call(
			this,
			itemIndex,
			'Additional Input',
			`sets '${clash}', which the node already sets`,
			`Use the node's own field for '${clash}' and remove it from Additional Input.`,
		);
	}

	const generator = generators[operation];
	const route = routeOf.call(this, itemIndex);
	// hiapi's live schema for this model and route decides where references go and what is valid;
	// without one (unreachable), today's facts do, and hiapi judges the rest.
	const { schema } = await modelSchema.call(
		this,
		route.route ? `${generator.model}@${route.route}` : generator.model,
	);
	const input: Record<string, unknown> = {
		...extra,
		prompt,
		aspect_ratio: aspectRatio,
		resolution,
	};
	if (background) input.background = background;
	let slot: ReturnType<typeof referenceSlot> | undefined;
	if (operation === 'imageToImage') {
		slot = referenceSlot(schema);
		const references = await imageToImage.referenceImages.call(
			this,
			itemIndex,
			this.getNode().typeVersion,
		);
		checkReferenceCount.call(this, itemIndex, references.length, slot);
		input[slot.field] = slot.list ? references : references[0];
	}
	if (schema) {
		const problem = checkAgainstSchema(schema, input, { model: generator.model });
		if (problem) throw schemaProblem.call(this, itemIndex, problem);
	} else if (v2) {
		checkCombination.call(this, itemIndex, aspectRatio, resolution, background);
	}

	const body: SubmitBody = { model: generator.model, input, ...route };
	const alternate = slot && !slot.fromSchema ? olderShape(body, slot.field) : undefined;
	const echo: IDataObject = { prompt, aspectRatio, resolution };
	if (background) echo.background = background;
	const estimate = await estimateCost.call(this, generator.model, route.route, input);
	return {
		body,
		idempotencyKey: userIdempotencyKey.call(this, itemIndex),
		echo,
		...(estimate ? { estimate } : {}),
		...(alternate ? { alternate } : {}),
	};
}

/**
 * Without a readable schema the references go in today's `input_urls`; should this hiapi still take
 * the older single `image` (and refuse `input_urls` as unknown), the one reference is sent there once.
 * Several references have no older shape: hiapi's refusal stands.
 */
function olderShape(body: SubmitBody, field: string): TaskRequest['alternate'] {
	const references = body.input[field];
	if (!Array.isArray(references) || references.length !== 1) return undefined;
	const input: Record<string, unknown> = {
		...body.input,
		[GPT_IMAGE_2.legacyReferenceField]: references[0],
	};
	delete input[field];
	return { refusedField: field, body: { ...body, input } };
}
