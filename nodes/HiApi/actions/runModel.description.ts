import type { INodeProperties } from 'n8n-workflow';

/** The Run a Model operation's own fields: which model, its input, and files from the item. */
export const runModelFields: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The hiapi model to run',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a model...',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. seedance-2.0',
				hint: 'Any model ID hiapi accepts, including ones newer than its catalogue',
			},
		],
	},
	{
		displayName: 'Input Mode',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Map Fields',
				value: 'fields',
				description: "The model's inputs as fields, from hiapi's schema for the model",
			},
			{ name: 'JSON', value: 'json', description: "The model's input as one JSON object" },
		],
		default: 'fields',
	},
	{
		displayName: 'Input',
		name: 'inputFields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['model.value', 'options.route'],
			resourceMapper: {
				resourceMapperMethod: 'getModelFields',
				mode: 'add',
				fieldWords: { singular: 'input', plural: 'inputs' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: false,
			},
		},
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Input (JSON)',
		name: 'inputJson',
		type: 'json',
		default: '{\n  "prompt": ""\n}',
		required: true,
		description:
			'The model\'s input object, e.g. {"prompt": "a red kite", "duration": 5}. hiapi names any field it does not accept.',
		displayOptions: { show: { inputMode: ['json'] } },
	},
	{
		displayName: 'Files',
		name: 'files',
		type: 'fixedCollection',
		placeholder: 'Add File',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'Reference images, videos or audio from the incoming item, sent inline for an input field',
		options: [
			{
				displayName: 'File',
				name: 'file',
				values: [
					{
						displayName: 'Input Field',
						name: 'field',
						type: 'string',
						default: 'image',
						placeholder: 'e.g. image_urls',
						description:
							"The model's input the file goes to, as its schema names it (e.g. input_urls, image_urls, first_frame_url). A list input takes every file given for it.",
					},
					{
						displayName: 'Input Binary Fields',
						name: 'binaryProperties',
						type: 'string',
						default: 'data',
						placeholder: 'e.g. data or data, data_1',
						description:
							'Binary properties of the incoming item holding the file. Several, comma-separated, for an input that takes a list; order kept.',
					},
				],
			},
		],
	},
];
