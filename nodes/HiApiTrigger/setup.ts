import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { missingSecret, type CallbackCredentials } from '../shared/callback/secrets';
import { hiapiCredentials } from '../shared/transport/credentials';
import { listTasks } from '../shared/transport/tasks';
import { authenticationOf, toleranceOf } from './auth';

const LABELS = {
	signature: 'HiAPI Signature',
	token: 'Secret Token',
	header: 'Header',
	none: 'None',
} as const;

/**
 * Runs when the workflow is published (and when the editor listens for a test event): a setup
 * that cannot work is refused there, with a message naming what is missing, instead of
 * answering hiapi 200 and failing later. hiapi has no API to register a webhook (the URL travels
 * with each task), so checking is all there is to do.
 */
export async function checkSetup(this: IHookFunctions): Promise<void> {
	const mode = authenticationOf.call(this);
	// The transport takes execute and webhook contexts; it uses only getNode, getCredentials and
	// helpers.httpRequestWithAuthentication, which a hook context has with the same signatures.
	const ctx = this as unknown as IWebhookFunctions;
	const credentials: CallbackCredentials = await hiapiCredentials.call(ctx);
	const missing = missingSecret(mode, credentials);
	if (missing) {
		throw new NodeOperationError(
			this.getNode(),
			`The HiAPI credential has no ${missing}, which Authentication '${LABELS[mode]}' needs`,
			{
				description: `Add the ${missing} to the HiAPI credential (Credentials → HiAPI API), or choose another Authentication in the HiAPI Trigger, then publish again.`,
			},
		);
	}
	// An unusable replay window is refused here, where the user sees it, not at each callback.
	if (mode === 'signature') toleranceOf.call(this);
	// One authenticated call: a wrong API key or base URL is found now, not at the first callback.
	// The transport's errors (NodeApiError) already say what hiapi answered and what to do.
	await listTasks.call(ctx, 1, 1);
}
