import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	callbackUrlWithToken,
	withoutSecrets,
	type CallbackCredentials,
} from '../../shared/callback/secrets';
import { checkHttpUrl } from '../../shared/images/input';
import { hiapiCredentials } from '../../shared/transport/credentials';
import { submitTask } from '../../shared/transport/tasks';
import type { GenerationRequest } from '../actions/generate';
import type { RunSettings } from './settings';

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
	request: GenerationRequest,
	itemIndex: number,
	settings: RunSettings,
): Promise<INodeExecutionData[]> {
	const givenUrl = readCallbackUrl.call(this, itemIndex);
	// The same cached read the submit below uses: no extra credential decryption.
	const credentials: CallbackCredentials = await hiapiCredentials.call(this);
	const { taskId, replayed } = await submitTask.call(
		this,
		{
			...request.body,
			callback: { url: callbackUrlWithToken(givenUrl, credentials.callbackToken), when: 'final' },
		},
		{ idempotencyKey: request.idempotencyKey, itemIndex, signal: settings.signal },
	);
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
