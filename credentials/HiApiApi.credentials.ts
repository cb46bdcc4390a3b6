import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class HiApiApi implements ICredentialType {
	name = 'hiApiApi';

	displayName = 'HiAPI API';

	icon: Icon = {
		light: 'file:../nodes/shared/icons/hiapi.svg',
		dark: 'file:../nodes/shared/icons/hiapi.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-hiapi/n8n-nodes-hiapi#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'sk-...',
			description: 'The API key from the hiapi console',
		},
		{
			displayName: 'Webhook Signing Key',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'whsec_...',
			description:
				"The webhook signing key from the hiapi console. Needed by the HiAPI Trigger's default authentication (HiAPI Signature); when set, Wait for Callback checks the signature too.",
		},
		{
			displayName: 'Callback Token',
			name: 'callbackToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Only for the HiAPI Trigger's Secret Token authentication: a long random secret. GPT Image 2 (Submit Only) adds it to the Callback URL as ?token=…, so paste the trigger's Production URL unchanged.",
		},
		{
			displayName: 'Callback Header Name',
			name: 'callbackHeaderName',
			type: 'string',
			default: 'X-HiAPI-Token',
			description:
				"Only for the HiAPI Trigger's Header authentication: the header that a proxy in front of n8n adds to each callback",
		},
		{
			displayName: 'Callback Header Secret',
			name: 'callbackHeaderSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Only for the HiAPI Trigger's Header authentication: the value the proxy puts in that header",
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.hiapi.ai',
			description: 'The hiapi API address, with or without a trailing /v1',
		},
		{
			displayName: 'Pricing URL',
			name: 'pricingUrl',
			type: 'string',
			default: 'https://www.hiapi.ai/api/pricing',
			description:
				"Where the nodes read hiapi's public model list and prices (no API key): the HiAPI node's model list and every cost estimate. Change it only for a proxy or a test server.",
		},
		{
			displayName: 'Model Schema URL',
			name: 'modelSchemaUrl',
			type: 'string',
			default: 'https://www.hiapi.ai/api/models/content',
			description:
				"Where the nodes read each model's input schema (public, no API key; ?name=<model> is added): the HiAPI node's fields and the checks before sending. Change it only for a proxy or a test server.",
		},
		{
			displayName: 'Model Catalogue URL',
			name: 'catalogueUrl',
			type: 'string',
			default: 'https://www.hiapi.ai/docs/models.json',
			description:
				"Optional: a catalogue of model titles and categories the HiAPI node adds to hiapi's price list where it answers (public, no API key). Empty or unreachable, the node does without it.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// The list call is the cheapest authenticated request; the replace() calls accept a base URL
	// typed with or without "/v1" (any case) and trailing slashes, as the transport does.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ String($credentials.baseUrl || "https://api.hiapi.ai").trim().replace(/\\/+$/, "").replace(/\\/v1$/i, "") }}',
			url: '/v1/tasks',
			method: 'GET',
			qs: { page: 1, size: 1 },
		},
		// n8n shows a refused declarative test by its status text alone ("Unauthorized"); these say what
		// to do. hiapi's own wording would need a test function, whose only HTTP helper (request) n8n's
		// verification scanner rejects as deprecated.
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'hiapi did not accept the API key (HTTP 401): copy it again from the hiapi console (it starts with sk-)',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 402,
					message: "hiapi accepted the key but the account's balance is too low (HTTP 402)",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'hiapi refused this key access to the task list (HTTP 403): check its permissions',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No hiapi API answered at this Base URL (HTTP 404 for /v1/tasks): check the Base URL',
				},
			},
		],
	};
}
