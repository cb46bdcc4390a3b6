import type {
	INodeType,
	INodeTypeDescription,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DEFAULT_TOLERANCE_S } from '../shared/callback/verify';
import { handleCallback } from './webhook';

/**
 * hiapi has no API to register a webhook: the URL travels with each task as `callback.url`. So
 * there is nothing for n8n's checkExists/create/delete lifecycle to do, and the webhook is only
 * declared here for n8n to route it.
 */
const callbackWebhooks: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'hiapi' },
];

export class HiApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HiAPI Trigger',
		name: 'hiApiTrigger',
		icon: { light: 'file:../shared/icons/hiapi.svg', dark: 'file:../shared/icons/hiapi.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "On " + { both: "finished", success: "success", fail: "failure" }[$parameter["events"]] }}',
		description: 'Starts the workflow when hiapi reports a finished task, with the image as a file',
		defaults: { name: 'HiAPI Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hiApiApi', required: true }],
		webhooks: callbackWebhooks,
		properties: [
			{
				displayName:
					'Use this node\'s Production URL as the Callback URL of a GPT Image 2 node (Completion: Submit Only). With a Webhook Signing Key in the credential, every callback must be signed by hiapi.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Authentication (Without Signing Key)',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'Secret Token in URL',
						value: 'token',
						description: 'Append ?token=YOUR_TOKEN to the Callback URL',
					},
					{
						name: 'Header',
						value: 'header',
						description: 'A header that a proxy in front of n8n adds',
					},
					{
						name: 'None (Not Recommended)',
						value: 'none',
						description: 'Anyone who knows the URL can start the workflow',
					},
				],
				default: 'token',
				description: 'How callbacks are checked when the HiAPI credential has no webhook signing key',
			},
			{
				displayName: 'Token',
				name: 'token',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				required: true,
				description: 'A long random secret; the Callback URL must end with ?token= and this value',
				displayOptions: { show: { authentication: ['token'] } },
			},
			{
				displayName: 'Header Name',
				name: 'headerName',
				type: 'string',
				default: 'x-hiapi-token',
				displayOptions: { show: { authentication: ['header'] } },
			},
			{
				displayName: 'Header Value',
				name: 'headerValue',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				displayOptions: { show: { authentication: ['header'] } },
			},
			{
				displayName:
					'Without authentication anyone who finds the URL can start this workflow. The image is still only fetched from hiapi\'s own answer when Confirm With HiAPI is on.',
				name: 'noAuthWarning',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['none'] } },
			},
			{
				displayName: 'Confirm With HiAPI',
				name: 'confirm',
				type: 'boolean',
				default: true,
				description:
					'Whether to read the task from hiapi before trusting the callback: status and image link then come from hiapi itself',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'options',
				options: [
					{ name: 'Success and Failure', value: 'both' },
					{ name: 'Success Only', value: 'success' },
					{ name: 'Failure Only', value: 'fail' },
				],
				default: 'both',
				description: 'Which finished tasks start the workflow; a failed task comes with error.code and error.message',
			},
			{
				displayName: 'Download Image',
				name: 'download',
				type: 'boolean',
				default: true,
				description: 'Whether to download the image into the binary field "data" at once (links expire)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Signature Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TOLERANCE_S,
						description: 'How far a signed callback\'s timestamp may be from now; older ones are refused as replays',
					},
				],
			},
		],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleCallback.call(this);
	}
}
