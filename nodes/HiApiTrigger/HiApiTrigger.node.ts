import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DEFAULT_TOLERANCE_S, MAX_TOLERANCE_S } from '../shared/callback/verify';
import { DEFAULT_MAX_OUTPUT_MB } from '../shared/media/output';
import { checkSetup } from './setup';
import { handleCallback } from './webhook';

export class HiApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HiAPI Trigger',
		name: 'hiApiTrigger',
		icon: { light: 'file:../shared/icons/hiapi.svg', dark: 'file:../shared/icons/hiapi.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ "On " + { both: "finished", success: "success", fail: "failure" }[$parameter["events"]] }}',
		// n8n's node panel shows one "HiAPI" entry for this trigger and the HiAPI node, with this description.
		description:
			'Run any hiapi image, video or audio model, or start a workflow when a task finishes, with its file',
		defaults: { name: 'HiAPI Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hiApiApi', required: true }],
		// The path stays "hiapi": Production URLs already pasted into Callback URLs end with it.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: 'hiapi',
			},
		],
		properties: [
			{
				displayName:
					"Paste this node's Production URL, unchanged, as the Callback URL of a GPT Image 2 or HiAPI node (Completion: Submit Only (Callback)), then publish this workflow. Publishing checks the credential with hiapi.",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'HiAPI Signature',
						value: 'signature',
						description:
							"Each callback is signed by hiapi and checked with the credential's Webhook Signing Key (from the hiapi console)",
					},
					{
						name: 'Secret Token',
						value: 'token',
						description:
							"The credential's Callback Token, which the GPT Image 2 and HiAPI nodes add for you to a Callback URL on this n8n",
					},
					{
						name: 'Header',
						value: 'header',
						description:
							"A header that a proxy in front of n8n adds: the credential's Callback Header Name and Secret",
					},
					{
						name: 'None (Not Recommended)',
						value: 'none',
						description: 'Anyone who knows the URL can start the workflow',
					},
				],
				default: 'signature',
				description:
					'How a callback proves it comes from hiapi. The secret each choice needs is kept in the HiAPI credential; publishing fails when it is missing.',
			},
			{
				displayName:
					"Without authentication anyone who finds the URL can start this workflow. The output is still only fetched from hiapi's own answer when Confirm With HiAPI is on.",
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
					'Whether to read the task from hiapi before trusting the callback: status and output links then come from hiapi itself',
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
				description:
					'Which finished tasks start the workflow; a failed task comes with error.code and error.message',
			},
			{
				displayName: 'Download Image',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download the output (image, video or audio) into the binary field "data" at once (links expire); further outputs go to data_1, data_2 and so on',
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
						typeOptions: { minValue: 1, maxValue: MAX_TOLERANCE_S },
						default: DEFAULT_TOLERANCE_S,
						description:
							"How far a signed callback's timestamp may be from now; older ones are refused as replays",
						displayOptions: { show: { '/authentication': ['signature'] } },
					},
					{
						displayName: 'Max Output Size (MB)',
						name: 'maxOutputMb',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 1024 * 1024 },
						default: DEFAULT_MAX_OUTPUT_MB,
						description:
							"Largest output file downloaded; a bigger one starts the workflow with an error item naming the task. In n8n's in-memory binary mode no file over about 384 MB fits whatever this says.",
						displayOptions: { show: { '/download': [true] } },
					},
				],
			},
		],
	};

	/**
	 * hiapi has no API to register a webhook: the URL travels with each task as `callback.url`.
	 * The lifecycle is still where n8n lets a trigger refuse to be published, so create() checks
	 * the setup there, checkExists() always lets it run, and delete() has nothing to remove.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await checkSetup.call(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleCallback.call(this);
	}
}
