import type { IExecuteFunctions } from 'n8n-workflow';

import { routeOf, userIdempotencyKey, type TaskRequest } from '../../shared/completion/request';
import type { SubmitBody } from '../../shared/types';
import { ASPECT_RATIOS, RESOLUTIONS } from './common.descriptions';
import * as imageToImage from './imageToImage.operation';
import * as textToImage from './textToImage.operation';
import { invalidField, jsonObject, nonEmptyText, oneOf } from '../../shared/validate';

const generators = { textToImage, imageToImage };
export type GenerateOperation = keyof typeof generators;

/** Everything about one item's task, checked here so a bad value fails before anything is sent or billed. */
export async function buildRequest(
	this: IExecuteFunctions,
	operation: GenerateOperation,
	itemIndex: number,
): Promise<TaskRequest> {
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
		this.getNodeParameter('aspectRatio', itemIndex, '1:1'),
		ASPECT_RATIOS,
	);
	const resolution = oneOf.call(
		this,
		itemIndex,
		'Resolution',
		this.getNodeParameter('resolution', itemIndex, '1K'),
		RESOLUTIONS,
	);
	const extra = jsonObject.call(
		this,
		itemIndex,
		'Additional Input',
		this.getNodeParameter('options.additionalInput', itemIndex, '{}'),
	);
	const modeled = { prompt, aspect_ratio: aspectRatio, resolution };
	const clash = Object.keys(extra).find((key) => key in modeled || key === 'image');
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
	const input = { ...extra, ...modeled, ...(await generator.referenceImage.call(this, itemIndex)) };

	const body: SubmitBody = { model: generator.model, input, ...routeOf.call(this, itemIndex) };
	return {
		body,
		idempotencyKey: userIdempotencyKey.call(this, itemIndex),
		echo: { prompt, aspectRatio, resolution },
	};
}
