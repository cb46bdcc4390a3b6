import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { checkHttpUrl } from '../../shared/images/input';
import { submitTask } from '../../shared/transport/tasks';
import type { GenerationRequest } from '../actions/generate';
import type { RunSettings } from './settings';

export function readCallbackUrl(this: IExecuteFunctions, itemIndex: number): string {
	return checkHttpUrl.call(this, this.getNodeParameter('callbackUrl', itemIndex), itemIndex, 'Callback URL');
}

/** "Submit Only (Callback)": hiapi posts the finished task to the URL; this item only carries the task ID. */
export async function submitWithCallback(
	this: IExecuteFunctions,
	request: GenerationRequest,
	itemIndex: number,
	settings: RunSettings,
): Promise<INodeExecutionData[]> {
	const callbackUrl = readCallbackUrl.call(this, itemIndex);
	const { taskId, replayed } = await submitTask.call(
		this,
		{ ...request.body, callback: { url: callbackUrl, when: 'final' } },
		{ idempotencyKey: request.idempotencyKey, itemIndex, signal: settings.signal },
	);
	return [
		{
			json: { taskId, model: request.body.model, status: 'submitted', callbackUrl, replayed, ...request.echo },
			pairedItem: { item: itemIndex },
		},
	];
}
