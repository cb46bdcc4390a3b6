import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import {
	NodeApiError,
	NodeOperationError,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type JsonObject,
} from 'n8n-workflow';

import { createHarness, credentialTest, type Harness } from './index';

// ---- a local API the test nodes talk to ------------------------------------------------------
let server: Server;
let baseUrl = '';
const seen: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
let slowRequestClosed = false;

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			seen.push({ url: req.url ?? '', headers: req.headers, body });
			const send = (status: number, json: unknown) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(json));
			};
			if (req.url === '/me') {
				return req.headers.authorization === 'Bearer good-key'
					? send(200, { ok: true })
					: send(401, { error: 'bad key' });
			}
			if (req.url === '/echo')
				return send(200, { auth: req.headers.authorization, body: JSON.parse(body) as unknown });
			if (req.url === '/fail') return send(500, { error: 'boom' });
			if (req.url === '/slow') {
				res.on('close', () => (slowRequestClosed = true)); // never answered: only an abort ends it
				return;
			}
			send(404, { error: 'not found' });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	seen.length = 0;
});

// ---- test credential type and nodes -------------------------------------------------------------
class TestApi implements ICredentialType {
	name = 'testApi';
	displayName = 'Test API';
	properties: ICredentialType['properties'] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://unused.invalid' },
		{ displayName: 'Region', name: 'region', type: 'string', default: 'eu' },
	];
	authenticate: ICredentialType['authenticate'] = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};
	test: ICredentialType['test'] = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/me' } };
}

const base: Pick<
	INodeType['description'],
	'group' | 'version' | 'description' | 'inputs' | 'outputs'
> = {
	group: ['transform'],
	version: 1,
	description: 'test node',
	inputs: ['main'],
	outputs: ['main'],
};

/** POSTs each item's prompt with httpRequestWithAuthentication; honours continueOnFail per item. */
class EchoNode implements INodeType {
	description: INodeType['description'] = {
		...base,
		displayName: 'Echo',
		name: 'test.echo',
		defaults: { name: 'Echo' },
		credentials: [{ name: 'testApi', required: true }],
		properties: [
			{ displayName: 'Prompt', name: 'prompt', type: 'string', default: '' },
			{ displayName: 'Path', name: 'path', type: 'string', default: '/echo' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { baseUrl: url, region } = await this.getCredentials<{ baseUrl: string; region: string }>(
			'testApi',
		);
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			try {
				const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'testApi', {
					method: 'POST',
					url: `${url}${this.getNodeParameter('path', i) as string}`,
					body: { prompt: this.getNodeParameter('prompt', i) },
					json: true,
				})) as IDataObject;
				out.push({ json: { ...response, region }, pairedItem: { item: i } });
			} catch (error) {
				if (!this.continueOnFail())
					throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex: i });
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [out];
	}
}

/** Reads the input binary through n8n's helpers and writes an upper-cased copy. */
class UpperNode implements INodeType {
	description: INodeType['description'] = {
		...base,
		displayName: 'Upper',
		name: 'test.upper',
		defaults: { name: 'Upper' },
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const input = this.helpers.assertBinaryData(i, 'data');
			const buffer = await this.helpers.getBinaryDataBuffer(i, 'data');
			let streamed: string | undefined;
			if (input.id) {
				const chunks: Buffer[] = [];
				for await (const c of (await this.helpers.getBinaryStream(input.id)) as Readable)
					chunks.push(c as Buffer);
				streamed = Buffer.concat(chunks).toString('utf8');
			}
			const data = await this.helpers.prepareBinaryData(
				Buffer.from(buffer.toString('utf8').toUpperCase()),
				'out.txt',
				'text/plain',
			);
			out.push({
				json: { inputId: input.id ?? null, streamed: streamed ?? null },
				binary: { data },
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}

/** Waits on the execution cancel signal (like a polling loop would). */
let cancelObserved = false;
class SleepNode implements INodeType {
	description: INodeType['description'] = {
		...base,
		displayName: 'Sleep',
		name: 'test.sleep',
		defaults: { name: 'Sleep' },
		credentials: [{ name: 'testApi', required: true }],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const signal = this.getExecutionCancelSignal();
		signal?.addEventListener('abort', () => (cancelObserved = true));
		const { baseUrl: url } = await this.getCredentials<{ baseUrl: string }>('testApi');
		try {
			await this.helpers.httpRequestWithAuthentication.call(this, 'testApi', {
				url: `${url}/slow`,
				abortSignal: signal,
			});
		} catch {
			// A node that reports the abort in its own words: n8n still saves the run as 'canceled'.
			throw new NodeOperationError(this.getNode(), 'Stopped while waiting for the API');
		}
		return [this.getInputData()];
	}
}

/** Pauses with putExecutionToWait; its webhook() resumes with the stored batch. */
class WaitNode implements INodeType {
	description: INodeType['description'] = {
		...base,
		displayName: 'Waiter',
		name: 'test.wait',
		defaults: { name: 'Waiter' },
		properties: [],
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
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resumeUrl = this.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string;
		const items = this.getInputData().map((item, i) => ({
			json: { ...item.json, taskId: `task-${i}`, resumeUrl },
			pairedItem: { item: i },
		}));
		// Store the batch as the node's stack input, which n8n keeps while waiting (n8n-facts Q3).
		this.getExecuteData().data.main[0] = items;
		await this.putExecutionToWait(new Date(Date.now() + 60_000));
		return [items];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const batch = this.evaluateExpression('{{ $input.all() }}', 0) as INodeExecutionData[];
		const body = this.getBodyData() as IDataObject;
		return {
			webhookResponse: { received: true },
			workflowData: [
				batch.map((item) => ({
					json: {
						...item.json,
						result: body.result,
						sameUrl:
							this.evaluateExpression('{{ $execution.resumeUrl }}', 0) === item.json.resumeUrl,
					},
				})),
			],
		};
	}
}

/** Webhook trigger: checks an HMAC over the raw body, stores a binary, dedups via static data. */
class HookNode implements INodeType {
	description: INodeType['description'] = {
		...base,
		displayName: 'Hook Trigger',
		name: 'test.hook',
		group: ['trigger'],
		defaults: { name: 'Hook Trigger' },
		inputs: [],
		credentials: [{ name: 'testApi', required: true }],
		properties: [],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const { apiKey } = await this.getCredentials<{ apiKey: string }>('testApi');
		const raw = this.getRequestObject().rawBody;
		const expected = createHmac('sha256', apiKey).update(raw).digest('hex');
		if (this.getHeaderData()['x-signature'] !== expected) {
			this.getResponseObject().status(401).json({ error: 'bad signature' });
			return { noWebhookResponse: true };
		}
		const body = this.getBodyData() as { id: string };
		const staticData = this.getWorkflowStaticData('node') as { seen?: string[] };
		if (staticData.seen?.includes(body.id)) return { webhookResponse: { duplicate: true } };
		staticData.seen = [...(staticData.seen ?? []), body.id];
		const data = await this.helpers.prepareBinaryData(raw, 'body.json', 'application/json');
		return {
			workflowData: [
				[{ json: { ...body, url: this.getNodeWebhookUrl('default') ?? '' }, binary: { data } }],
			],
		};
	}
}

const nodeTypes = {
	'test.echo': new EchoNode(),
	'test.upper': new UpperNode(),
	'test.sleep': new SleepNode(),
	'test.wait': new WaitNode(),
	'test.hook': new HookNode(),
};

function makeHarness(
	binaryMode: 'default' | 'filesystem' = 'default',
	apiKey = 'good-key',
): Harness {
	return createHarness({
		nodeTypes,
		credentialTypes: [new TestApi()],
		credentials: { testApi: { apiKey, baseUrl } },
		binaryMode,
	});
}

// ---- tests --------------------------------------------------------------------------------------
describe('harness', () => {
	let h: Harness;
	beforeAll(() => (h = makeHarness()));
	afterAll(async () => await h.stop());

	it('applies the credential authenticate block, resolves expressions per item and pairs items', async () => {
		const r = await h.runNode({
			type: 'test.echo',
			parameters: { prompt: '={{ $json.prompt }} #{{ $itemIndex }}' },
			input: [{ json: { prompt: 'a cat' } }, { json: { prompt: 'a dog' } }],
		});
		expect(r.status).toBe('success');
		expect(seen.map((s) => s.headers.authorization)).toEqual([
			'Bearer good-key',
			'Bearer good-key',
		]);
		expect(r.items.map((i) => i.json)).toEqual([
			{ auth: 'Bearer good-key', body: { prompt: 'a cat #0' }, region: 'eu' },
			{ auth: 'Bearer good-key', body: { prompt: 'a dog #1' }, region: 'eu' },
		]);
		expect(r.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('fails the run with the node error, or emits an error item with continueOnFail', async () => {
		const failed = await h.runNode({ type: 'test.echo', parameters: { path: '/fail' } });
		expect(failed.status).toBe('error');
		// n8n stores the error as a plain copy ({ ...error, message, stack }), not an Error instance.
		expect(failed.error).toMatchObject({
			name: 'NodeApiError',
			message: 'The service was not able to process your request',
			description: 'Request failed with status code 500',
			httpCode: '500',
			context: { data: { error: 'boom' } },
		});

		const continued = await h.runNode({
			type: 'test.echo',
			parameters: { path: '/fail' },
			continueOnFail: true,
		});
		expect(continued.status).toBe('success');
		expect(continued.items).toEqual([
			{
				json: { error: 'The service was not able to process your request' },
				pairedItem: { item: 0 },
			},
		]);
	});

	it('reports a missing credential like n8n', async () => {
		const noCreds = createHarness({ nodeTypes, credentialTypes: [new TestApi()] });
		const r = await noCreds.runNode({ type: 'test.echo', parameters: {} });
		expect(r.status).toBe('error');
		expect(r.error?.message).toContain('does not exist for type "testApi"');
		await noCreds.stop();
	});

	it('cancelAfterMs aborts the execution cancel signal and the run ends canceled', async () => {
		cancelObserved = false;
		slowRequestClosed = false;
		const started = Date.now();
		const r = await h.runNode({ type: 'test.sleep', parameters: {}, cancelAfterMs: 200 });
		expect(cancelObserved).toBe(true);
		expect(r.status).toBe('canceled');
		expect(r.run.status).toBe('error'); // the late IRun; n8n keeps the hook's 'canceled'
		expect(r.error?.message).toBe('Stopped while waiting for the API');
		expect(Date.now() - started).toBeLessThan(5000);
		for (let i = 0; i < 100 && !slowRequestClosed; i++)
			await new Promise((resolve) => setTimeout(resolve, 20));
		expect(slowRequestClosed).toBe(true);
	});

	it('putExecutionToWait → waiting with a resumable $execution.resumeUrl; webhook() sees the batch', async () => {
		const r = await h.runNode({
			type: 'test.wait',
			parameters: {},
			input: [{ json: { n: 1 } }, { json: { n: 2 } }],
		});
		expect(r.status).toBe('waiting');
		expect(r.waitTill).toBeInstanceOf(Date);
		expect(r.resumeUrl).toMatch(
			/^http:\/\/127\.0\.0\.1:5678\/webhook-waiting\/\d+\?signature=[0-9a-f]{64}$/,
		);
		expect(r.items.map((i) => i.json.resumeUrl)).toEqual([r.resumeUrl, r.resumeUrl]);

		const call = await h.callWebhook({
			type: 'test.wait',
			parameters: {},
			waiting: r,
			headers: { 'content-type': 'application/json' },
			query: { signature: new URL(r.resumeUrl ?? '').searchParams.get('signature') ?? '' },
			rawBody: Buffer.from(JSON.stringify({ result: 'done' })),
		});
		expect(call.statusCode).toBe(200);
		expect(call.responseBody).toEqual({ received: true });
		expect(
			call.workflowData?.[0].map((i) => [i.json.taskId, i.json.n, i.json.result, i.json.sameUrl]),
		).toEqual([
			['task-0', 1, 'done', true],
			['task-1', 2, 'done', true],
		]);
	});

	it('webhook trigger: raw body, 401 via the response object, workflowData with binary, static data dedup', async () => {
		const raw = Buffer.from('{"id":"evt-1","x":1}');
		const sig = createHmac('sha256', 'good-key').update(raw).digest('hex');
		const call = (signature: string, staticData?: IDataObject) =>
			h.callWebhook({
				type: 'test.hook',
				parameters: {},
				headers: { 'Content-Type': 'application/json', 'X-Signature': signature },
				rawBody: raw,
				staticData,
			});

		const rejected = await call('nope');
		expect(rejected.statusCode).toBe(401);
		expect(rejected.responseBody).toEqual({ error: 'bad signature' });
		expect(rejected.workflowData).toBeUndefined();

		const first = await call(sig);
		expect(first.statusCode).toBe(200);
		const item = first.workflowData?.[0][0];
		expect(item?.json).toEqual({
			id: 'evt-1',
			x: 1,
			url: expect.stringMatching(/\/webhook\/.+\/webhook$/),
		});
		expect((await first.binaryBuffer(item as INodeExecutionData)).equals(raw)).toBe(true);

		const second = await call(sig, first.staticData);
		expect(second.response).toEqual({ webhookResponse: { duplicate: true } });
	});

	it('credentialTest sends test.request through n8n with authenticate applied', async () => {
		expect(await credentialTest(h, 'testApi', { apiKey: 'good-key', baseUrl })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen[0].headers.authorization).toBe('Bearer good-key');
		expect(await credentialTest(h, 'testApi', { apiKey: 'bad', baseUrl })).toEqual({
			status: 'Error',
			message: 'Unauthorized',
		});
		expect(
			await credentialTest(h, 'testApi', { apiKey: 'x', baseUrl: 'http://127.0.0.1:1' }),
		).toEqual({
			status: 'Error',
			message: 'ECONNREFUSED',
		});
	});
});

describe.each(['default', 'filesystem'] as const)('binary data in %s mode', (mode) => {
	let h: Harness;
	beforeAll(() => (h = makeHarness(mode)));
	afterAll(async () => await h.stop());

	it('round-trips input and output binaries through n8n helpers', async () => {
		const r = await h.runNode({
			type: 'test.upper',
			parameters: {},
			input: [
				{
					json: {},
					binary: {
						data: { data: Buffer.from('hello'), fileName: 'in.txt', mimeType: 'text/plain' },
					},
				},
			],
		});
		expect(r.status).toBe('success');
		const [item] = r.items;
		expect(item.binary?.data).toMatchObject({ fileName: 'out.txt', mimeType: 'text/plain' });
		expect((await r.binaryBuffer(item)).toString()).toBe('HELLO');
		if (mode === 'filesystem') {
			expect(item.json.inputId).toMatch(/^filesystem-v2:/);
			expect(item.json.streamed).toBe('hello');
			expect(item.binary?.data.id).toMatch(/^filesystem-v2:/);
		} else {
			expect(item.json.inputId).toBeNull();
			expect(item.binary?.data.id).toBeUndefined();
			expect(item.binary?.data.data).toBe(Buffer.from('HELLO').toString('base64'));
		}
	});
});
