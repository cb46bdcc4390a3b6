import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	callbackUrlWithToken,
	withoutSecrets,
	type CallbackCredentials,
} from '../callback/secrets';
import { checkHttpUrl } from '../media/input';
import { hiapiCredentials } from '../transport/credentials';
import type { TaskRequest } from './request';
import type { RunSettings } from './settings';
import { submitItem } from './submit';

export function readCallbackUrl(this: IExecuteFunctions, itemIndex: number): string {
	return checkHttpUrl.call(
		this,
		this.getNodeParameter('callbackUrl', itemIndex),
		itemIndex,
		'Callback URL',
	);
}

/**
 * "Submit Only (Callback)": hiapi posts the finished task to the URL; this item only carries the task ID.
 * The credential's Callback Token goes into the URL sent to hiapi and nowhere else: the output item
 * shows the URL without its query, so the token never lands in saved executions.
 */
export async function submitWithCallback(
	this: IExecuteFunctions,
	request: TaskRequest,
	itemIndex: number,
	settings: RunSettings,
): Promise<INodeExecutionData[]> {
	const givenUrl = readCallbackUrl.call(this, itemIndex);
	// The same cached read the submit below uses: no extra credential decryption.
	const credentials: CallbackCredentials = await hiapiCredentials.call(this);
	const callbackUrl = callbackUrlWithToken(givenUrl, credentials.callbackToken);
	const { taskId, replayed } = await submitItem.call(this, request, itemIndex, settings, {
		url: callbackUrl,
		when: 'final',
	});
	return [
		{
			json: {
				taskId,
				model: request.body.model,
				status: 'submitted',
				callbackUrl: withoutSecrets(givenUrl),
				replayed,
				...request.echo,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
