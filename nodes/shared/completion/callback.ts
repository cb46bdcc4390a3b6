import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { checkHttpUrl } from '../media/input';
import type { TaskRequest } from './request';
import type { RunSettings } from './settings';
import { submitItem } from './submit';

export function readCallbackUrl(this: IExecuteFunctions, itemIndex: number): string {
	return checkHttpUrl.call(this, this.getNodeParameter('callbackUrl', itemIndex), itemIndex, 'Callback URL');
}

/** "Submit Only (Callback)": hiapi posts the finished task to the URL; this item only carries the task ID. */
export async function submitWithCallback(
	this: IExecuteFunctions,
	request: TaskRequest,
	itemIndex: number,
	settings: RunSettings,
): Promise<INodeExecutionData[]> {
	const callbackUrl = readCallbackUrl.call(this, itemIndex);
	const { taskId, replayed } = await submitItem.call(this, request, itemIndex, settings, { url: callbackUrl, when: 'final' });
	return [
		{
			json: { taskId, model: request.body.model, status: 'submitted', callbackUrl, replayed, ...request.echo },
			pairedItem: { item: itemIndex },
		},
	];
}
