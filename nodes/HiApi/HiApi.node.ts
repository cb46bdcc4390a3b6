import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	callbackUrlField,
	commonOptions,
	completionFields,
	optionsCollection,
	resumeNotice,
} from '../shared/completion/descriptions';
import { taskIdField } from '../shared/completion/getTask';
import { resumeWebhook } from '../shared/completion/waitForCallback/resume';
import { router } from './actions/router';
import { runModelFields } from './actions/runModel.description';
import { DEFAULT_MAX_INLINE_FILE_MB } from './actions/runModel';
import { searchModels } from './methods/listSearch';
import { getModelFields } from './methods/resourceMapping';

const running = { show: { operation: ['runModel'] } };

/** Polling and timeout follow the model's kind unless set: 0 means "automatic". */
const options = optionsCollection(
	commonOptions.map((option) => {
		if (option.name === 'pollInterval') {
			return {
				...option,
				typeOptions: { minValue: 0, numberPrecision: 1 },
				default: 0,
				description:
					'How often to check an unfinished task; 0: by the model (2 s for images, 3 s for audio, 10 s for video)',
			};
		}
		if (option.name === 'timeout') {
			return {
				...option,
				default: 0,
				description:
					"How long to wait for a task before giving up (the task keeps running and the error names its ID); 0: by the model (10 min for images and audio, 30 min for video; 3 min as an AI agent's tool)",
			};
		}
		return option;
	}),
	[
		{
			displayName: 'Max Inline File Size (MB)',
			name: 'maxInlineFileMb',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: DEFAULT_MAX_INLINE_FILE_MB,
			description:
				'Largest file from Files sent inline; bigger ones must be given as URLs in the input',
			displayOptions: { show: { '/operation': ['runModel'] } },
		},
	],
);

const withRunning = (fields: INodeProperties[]) =>
	fields.map((field) => ({
		...field,
		displayOptions: {
			...field.displayOptions,
			show: { ...field.displayOptions?.show, ...running.show },
		},
	}));

// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete -- its only webhook is a restart webhook (Wait for Callback), which n8n never registers, as with its own Wait node: checkExists/create/delete would have nothing to do
export class HiApi implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HiAPI',
		name: 'hiApi',
		icon: { light: 'file:../shared/icons/hiapi.svg', dark: 'file:../shared/icons/hiapi.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "getTask" ? "Get Task" : ($parameter["model"]?.value || $parameter["model"] || "Run a Model") }}',
		description: 'Run any hiapi model (image, video, audio) and get the result as files',
		defaults: { name: 'HiAPI' },
		// What an agent reads when the user sets the tool's description by hand: it sees json only.
		usableAsTool: {
			replacements: {
				description:
					"Run a hiapi image, video or audio model. Returns the task ID, its status and temporary links to the output files (valid until expireAt); the files themselves go to the workflow's next steps.",
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hiApiApi', required: true }],
		// The resume URL of a paused execution (Wait for Callback): n8n routes it to webhook() only while
		// this execution waits, and hiapi receives it with each task, so there is nothing to register.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: '',
				restartWebhook: true,
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Run a Model',
						value: 'runModel',
						action: 'Run a model',
						description: 'Run any hiapi image, video or audio model',
					},
					{
						name: 'Get Task',
						value: 'getTask',
						action: 'Get a task and its files',
						description: 'Fetch an earlier task by ID and download its outputs',
					},
				],
				default: 'runModel',
			},
			...withRunning(runModelFields),
			...withRunning(completionFields),
			{ ...resumeNotice, displayOptions: { show: { ...running.show, completion: ['resume'] } } },
			{
				...callbackUrlField,
				displayOptions: { show: { ...running.show, completion: ['callback'] } },
			},
			{ ...taskIdField, displayOptions: { show: { operation: ['getTask'] } } },
			options,
		],
	};

	methods = {
		listSearch: { searchModels },
		resourceMapping: { getModelFields },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeWebhook.call(this);
	}
}
