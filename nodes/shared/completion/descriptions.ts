import type { INodeProperties } from 'n8n-workflow';

/** hiapi's SDK polls every 3 s; 2 s notices a finished image sooner for one extra read a minute. */
export const DEFAULT_POLL_INTERVAL_S = 2;
/** The SDK's default wait; the recipe's "safe ceiling" is 5 min at 1K, so 10 min leaves room for 4K. */
export const DEFAULT_TIMEOUT_S = 600;
export const DEFAULT_CONCURRENCY = 5;
/** An AI agent waits inside its tool call, holding the conversation: a shorter default wait. */
export const TOOL_TIMEOUT_S = 180;

const pollOption = {
	name: 'Wait for Result',
	value: 'poll',
	description: 'Submit, check the task until it finishes, and output the image',
};
const callbackOption = {
	name: 'Submit Only (Callback)',
	value: 'callback',
	description:
		'Submit with a callback URL and output the task ID at once; a HiAPI Trigger workflow receives the image',
};
const resumeOption = {
	name: 'Wait for Callback (No Polling)',
	value: 'resume',
	description:
		'Submit, pause the execution, and resume it when hiapi calls back: no polling, no worker held while waiting',
};

/**
 * Two declarations of one parameter: an AI agent needs the result within its own tool call, so
 * agents see only Wait for Result (a callback or a paused execution would leave it with nothing).
 */
export const completionFields: INodeProperties[] = [
	{
		displayName: 'Completion',
		name: 'completion',
		type: 'options',
		noDataExpression: true,
		options: [pollOption, callbackOption, resumeOption],
		default: 'poll',
		description: 'How the node finishes',
		displayOptions: { hide: { '@tool': [true] } },
	},
	{
		displayName: 'Completion',
		name: 'completion',
		type: 'options',
		noDataExpression: true,
		options: [pollOption],
		default: 'poll',
		description: 'How the node finishes',
		displayOptions: { show: { '@tool': [true] } },
	},
];

export const resumeNotice: INodeProperties = {
	displayName:
		"hiapi must be able to reach this n8n instance: its public address comes from n8n's WEBHOOK_URL setting. The execution pauses until every item's task has finished or the timeout passes. Failed or timed-out tasks then come out as error items (with their task ID) whatever the On Error setting: n8n cannot fail a node as it resumes.",
	name: 'resumeNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { completion: ['resume'] } },
};

export const callbackUrlField: INodeProperties = {
	displayName: 'Callback URL',
	name: 'callbackUrl',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'https://your-n8n.example.com/webhook/.../hiapi',
	description:
		'Where hiapi posts the finished task: typically the Production URL of a HiAPI Trigger node',
	displayOptions: { show: { completion: ['callback'] } },
};

/** Options every model node has, each with the modes it applies to noted in its description. */
export const commonOptions: INodeProperties[] = [
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: DEFAULT_CONCURRENCY,
		description:
			'How many items are submitted and waited for at the same time (1 = one after another). Read once per run, from the first item.',
	},
	{
		displayName: 'Download Output',
		name: 'download',
		type: 'boolean',
		default: true,
		description:
			'Whether to download the output into binary data at once. Output links expire, so turn this off only if the next step fetches the URL right away. Read once per run.',
		// Submit Only hands the result to the callback URL: nothing is downloaded here.
		displayOptions: { hide: { '/completion': ['callback'] } },
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.orderId }}',
		description:
			'A key that identifies this request (up to 255 bytes), e.g. an order ID. A new execution with the same key and inputs returns the first task instead of paying for a new one. Without it, retries within one execution are already free.',
		// Each Wait for Callback request carries its execution's own callback URL, so a key can never
		// return an earlier execution's task there.
		displayOptions: { hide: { '/completion': ['resume'], '/operation': ['getTask'] } },
	},
	{
		displayName: 'Max Estimated Cost (USD)',
		name: 'maxEstimatedCostUsd',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		description:
			"Refuse the whole run before anything is submitted when its estimated cost (hiapi's public prices, before any account discount) is over this, or cannot be estimated; 0: no limit. Read once per run.",
		displayOptions: { hide: { '/operation': ['getTask'] } },
	},
	{
		displayName: 'Output Binary Field',
		name: 'outputBinaryPropertyName',
		type: 'string',
		default: 'data',
		description:
			'Binary property for the output file; further outputs of the same task go to data_1, data_2 and so on. Read once per run.',
		displayOptions: { hide: { '/completion': ['callback'] } },
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 1 },
		default: DEFAULT_POLL_INTERVAL_S,
		description: 'How often to check an unfinished task (Wait for Result only). Read once per run.',
		displayOptions: { show: { '/completion': ['poll'] } },
	},
	{
		displayName: 'Route',
		name: 'route',
		type: 'string',
		default: '',
		placeholder: 'e.g. ext',
		description: 'Optional hiapi model route; empty uses the default route',
		displayOptions: { hide: { '/operation': ['getTask'] } },
	},
	{
		displayName: 'Storage',
		name: 'storage',
		type: 'options',
		options: [
			{
				name: 'Temporary',
				value: 'temp',
				description: 'The default: output links expire after about 7 days',
			},
			{
				name: 'Persistent',
				value: 'persistent',
				description:
					'Outputs are kept past the 7-day expiry, for a storage charge on top of the task (see hiapi pricing)',
			},
		],
		default: 'temp',
		description: 'How long hiapi keeps the output files',
		displayOptions: { hide: { '/operation': ['getTask'] } },
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: DEFAULT_TIMEOUT_S,
		description:
			"How long to wait for a task before giving up; the task keeps running at hiapi and the error names its ID for Get Task. As an AI agent's tool the default is 3 minutes. Read once per run.",
		displayOptions: { show: { '/completion': ['poll', 'resume'] } },
	},
];

/** An Options collection from option lists, sorted by name as n8n's editor expects. */
export function optionsCollection(...lists: INodeProperties[][]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: lists.flat().sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
