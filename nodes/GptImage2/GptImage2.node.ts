import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	callbackUrlField,
	completionFields,
	resumeNotice,
} from '../shared/completion/descriptions';
import { taskIdField } from '../shared/completion/getTask';
import { resumeWebhook } from '../shared/completion/waitForCallback/resume';
import {
	aspectRatioFieldV1,
	aspectRatioFieldV2,
	backgroundField,
	fromV2,
	inV1,
	optionsField,
	promptField,
	resolutionField,
} from './actions/common.descriptions';
import * as imageToImage from './actions/imageToImage.operation';
import { router } from './actions/router';

const generating = { show: { operation: ['textToImage', 'imageToImage'] } };

// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete -- its only webhook is a restart webhook (Wait for Callback), which n8n never registers, as with its own Wait node: checkExists/create/delete would have nothing to do
export class GptImage2 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'GPT Image 2',
		name: 'gptImage2',
		icon: { light: 'file:../shared/icons/hiapi.svg', dark: 'file:../shared/icons/hiapi.dark.svg' },
		group: ['transform'],
		// Version 2 follows hiapi's current schema: 1–16 references, its ratio list (default auto),
		// background. Version 1 keeps its parameters and defaults, so saved workflows run as before.
		version: [1, 2],
		defaultVersion: 2,
		subtitle:
			'={{ { textToImage: "Text to Image", imageToImage: "Image to Image", getTask: "Get Task" }[$parameter["operation"]] }}',
		description: 'Generate or edit images with GPT Image 2 on hiapi, and get the result as a file',
		defaults: { name: 'GPT Image 2' },
		// What an agent reads when the user sets the tool's description by hand: it sees json only.
		usableAsTool: {
			replacements: {
				description:
					"Generate an image with GPT Image 2 from a prompt. Returns the task ID, its status and a temporary link to the image (valid until expireAt); the image file itself goes to the workflow's next steps.",
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
						name: 'Text to Image',
						value: 'textToImage',
						action: 'Generate an image from text',
						description: 'Create a new image from a prompt',
					},
					{
						name: 'Image to Image',
						value: 'imageToImage',
						action: 'Edit an image with a prompt',
						description: 'Transform reference images (URLs or files) following a prompt',
					},
					{
						name: 'Get Task',
						value: 'getTask',
						action: 'Get a task and its image',
						description: 'Fetch an earlier task by ID and download its image, e.g. after a timeout',
					},
				],
				default: 'textToImage',
			},
			{ ...promptField, displayOptions: generating },
			...imageToImage.description,
			{ ...aspectRatioFieldV1, displayOptions: { show: { ...generating.show, ...inV1 } } },
			{ ...aspectRatioFieldV2, displayOptions: { show: { ...generating.show, ...fromV2 } } },
			{ ...resolutionField, displayOptions: generating },
			{
				...backgroundField,
				displayOptions: {
					...backgroundField.displayOptions,
					show: { ...generating.show, ...fromV2 },
				},
			},
			...completionFields.map((field) => ({
				...field,
				displayOptions: {
					...field.displayOptions,
					show: { ...field.displayOptions?.show, ...generating.show },
				},
			})),
			{ ...resumeNotice, displayOptions: { show: { ...generating.show, completion: ['resume'] } } },
			{
				...callbackUrlField,
				displayOptions: { show: { ...generating.show, completion: ['callback'] } },
			},
			{ ...taskIdField, displayOptions: { show: { operation: ['getTask'] } } },
			optionsField,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeWebhook.call(this);
	}
}
