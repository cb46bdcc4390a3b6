import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	callbackUrlWithToken,
	withoutSecrets,
	type CallbackCredentials,
} from '../../callback/secrets';
import { checkHttpUrl } from '../../media/input';
import { hiapiCredentials } from '../../transport/credentials';
import type { TaskRequest } from '../request';
import type { RunSettings } from '../settings';
import { submitItem } from '../submit';

export function readCallbackUrl(this: IExecuteFunctions, itemIndex: number): string {
	return checkHttpUrl.call(
		this,
		this.getNodeParameter('callbackUrl', itemIndex),
		itemIndex,
		'Callback URL',
	);
}

/**
 * The origin of this n8n's webhooks: where a HiAPI Trigger's Production URL lives. n8n builds the
 * execution's resume URL on the same webhook base (its WEBHOOK_URL setting), so its origin is it.
 */
function ownWebhookOrigin(this: IExecuteFunctions): string | undefined {
	const resumeUrl = this.getWorkflowDataProxy(0).$execution?.resumeUrl;
	try {
		return typeof resumeUrl === 'string' ? new URL(resumeUrl).origin : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The Callback Token opens this n8n's HiAPI Triggers: it goes only to a URL on this n8n's own
 * webhook origin, never to another host (which would receive it through hiapi).
 */
export function tokenFor(
	this: IExecuteFunctions,
	url: string,
	token: string | undefined,
): string | undefined {
	if (!token) return undefined;
	const own = ownWebhookOrigin.call(this);
	return own !== undefined && new URL(url).origin === own ? token : undefined;
}

/**
 * "Submit Only (Callback)": hiapi posts the finished task to the URL; this item only carries the task ID.
 * The credential's Callback Token goes into the URL sent to hiapi when that URL is this n8n's own
 * webhook, and nowhere else: the output item shows the URL without its query, so the token never
 * lands in saved executions.
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
	const callbackUrl = callbackUrlWithToken(
		givenUrl,
		tokenFor.call(this, givenUrl, credentials.callbackToken),
	);
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
