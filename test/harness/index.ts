/**
 * Runs package nodes through n8n-core's real WorkflowExecute / WebhookContext / RoutingNode, so tests
 * exercise n8n's own helpers (httpRequest[WithAuthentication], binary data, expressions, pairedItem,
 * continueOnFail, cancel signal, putExecutionToWait) instead of a hand-built mock context.
 * See README.md next to this file.
 */
import {
	BinaryDataConfig,
	BinaryDataService,
	CredentialTestContext,
	ErrorReporter,
	ExecuteContext,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	LoadOptionsContext,
	RoutingNode,
	WebhookContext,
	WorkflowExecute,
	getAdditionalKeys,
} from 'n8n-core';
import {
	Node,
	NodeHelpers,
	UnexpectedError,
	Workflow,
	createEmptyRunExecutionData,
	deepCopy,
	type ExecutionStatus,
	type IBinaryData,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWebhookResponseData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { HarnessCredentialsHelper } from './credentials-helper';

// n8n's logger prints every node error with its stack; keep test output readable unless asked for.
process.env.N8N_LOG_LEVEL ??= 'silent';

// n8n-core ships its own copies of @n8n/di and @n8n/backend-common (other versions than the hoisted
// ones) and resolves services (BinaryDataService, Logger, ...) from *that* DI container. Load them from
// n8n-core's location, through jest's require so the module instances are the ones n8n-core uses.
type Token<T> = abstract new (...args: never[]) => T;
interface DiContainer {
	get<T>(type: Token<T>): T;
	set<T>(type: Token<T>, instance: T): void;
}
const coreDir = path.dirname(require.resolve('n8n-core'));
const fromCore = (id: string): unknown => require(require.resolve(id, { paths: [coreDir] }));
const { Container } = fromCore('@n8n/di') as { Container: DiContainer };
const { Logger } = fromCore('@n8n/backend-common') as {
	Logger: Token<ConstructorParameters<typeof BinaryDataService>[2]>;
};

export interface HarnessOptions {
	nodeTypes: Record<string, INodeType>;
	credentialTypes: ICredentialType[];
	credentials?: Record<string, IDataObject>;
	binaryMode?: 'default' | 'filesystem';
}

export interface RunNodeOptions {
	type: string;
	parameters: IDataObject;
	input?: Array<{
		json: IDataObject;
		binary?: Record<string, { data: Buffer; fileName?: string; mimeType?: string }>;
	}>;
	continueOnFail?: boolean;
	/** n8n's node settings, as the editor saves them: On Error and Retry On Fail. */
	settings?: NodeSettings;
	credentialName?: string;
	cancelAfterMs?: number;
	timeoutMs?: number;
	/**
	 * n8n's Retry (REST /rest/executions/:id/retry) of this failed run: a new execution started from
	 * the failed one's saved data (a JSON copy), its error removed and the failed node's run popped,
	 * as n8n's ExecutionService.retry does.
	 */
	retryOf?: RunResult;
}

export interface NodeSettings {
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
}

export interface RunResult {
	status: 'success' | 'error' | 'waiting' | 'canceled' | string;
	items: INodeExecutionData[];
	outputs: INodeExecutionData[][];
	error?: Error & { description?: string; context?: IDataObject; message: string };
	waitTill?: Date;
	run: IRun;
	binaryBuffer(item: INodeExecutionData, property?: string): Promise<Buffer>;
	resumeUrl?: string;
	runExecutionData: IRunExecutionData;
}

export interface WebhookCallOptions {
	type: string;
	parameters: IDataObject;
	webhookName?: string;
	method?: string;
	headers?: Record<string, string>;
	query?: Record<string, string>;
	rawBody: Buffer;
	waiting?: RunResult;
	continueOnFail?: boolean;
	staticData?: IDataObject;
}

export interface WebhookCallResult {
	response: IWebhookResponseData;
	statusCode: number;
	responseBody: unknown;
	workflowData?: INodeExecutionData[][];
	binaryBuffer(item: INodeExecutionData, property?: string): Promise<Buffer>;
	staticData: IDataObject;
}

export interface LoadOptionsCall {
	type: string;
	parameters: IDataObject;
	/** 'listSearch' (a resource locator's list) or 'resourceMapping' (a resource mapper's fields). */
	kind: 'listSearch' | 'resourceMapping';
	method: string;
	filter?: string;
}

export interface Harness {
	runNode(o: RunNodeOptions): Promise<RunResult>;
	/** Calls a node's `methods` as n8n's editor does (REST /dynamic-node-parameters), in a real LoadOptionsContext. */
	loadOptions(o: LoadOptionsCall): Promise<unknown>;
	callWebhook(o: WebhookCallOptions): Promise<WebhookCallResult>;
	/** How many times nodes have had a credential decrypted (getCredentials, or a request that read it). */
	credentialReads(): number;
	stop(): Promise<void>;
}

export const SOURCE_NODE_NAME = 'Source';
const SOURCE_NODE_TYPE = 'n8n-nodes-harness.source';
const WORKFLOW_ID = 'harness-workflow';
const WEBHOOK_ID = '11111111-2222-3333-4444-555555555555';
export const BASE_URL = 'http://127.0.0.1:5678';

/** Execution id of each RunResult, so callWebhook({ waiting }) can rebuild that execution's context. */
const executionIds = new WeakMap<RunResult, string>();

type InputItems = NonNullable<RunNodeOptions['input']>;

/** The node that feeds `input` to the node under test; binaries go through the real prepareBinaryData. */
function sourceNodeType(input: InputItems): INodeType {
	return {
		description: {
			displayName: 'Harness Source',
			name: SOURCE_NODE_TYPE,
			group: ['input'],
			version: 1,
			description: 'Emits the test input items',
			defaults: { name: SOURCE_NODE_NAME },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			const items: INodeExecutionData[] = [];
			for (const item of input) {
				const binary: Record<string, IBinaryData> = {};
				for (const [key, b] of Object.entries(item.binary ?? {})) {
					binary[key] = await this.helpers.prepareBinaryData(b.data, b.fileName, b.mimeType);
				}
				items.push({ json: deepCopy(item.json), ...(item.binary ? { binary } : {}) });
			}
			return [items];
		},
	};
}

class HarnessImpl implements Harness {
	readonly credentialsHelper: HarnessCredentialsHelper;
	private readonly storageDir = mkdtempSync(path.join(tmpdir(), 'hiapi-binary-'));
	private readonly binaryDataService: BinaryDataService;
	private binaryReady?: Promise<void>;
	private executionCounter = 0;

	credentialReads(): number {
		return this.credentialsHelper.decrypts;
	}

	constructor(private readonly opts: HarnessOptions) {
		this.credentialsHelper = new HarnessCredentialsHelper(opts.credentialTypes, {
			...(opts.credentials ?? {}),
		});
		// 'default' = n8n's in-memory mode (base64 in item.binary.data); 'filesystem' = filesystem-v2
		// ids pointing into storageDir. Same switch as N8N_DEFAULT_BINARY_DATA_MODE; the config object is
		// built with explicit values because BinaryDataConfig's constructor reads env/InstanceSettings.
		const config: BinaryDataConfig = Object.assign(
			Object.create(BinaryDataConfig.prototype) as BinaryDataConfig,
			{
				mode: opts.binaryMode ?? 'default',
				availableModes: ['filesystem'],
				localStoragePath: this.storageDir,
				signingSecret: 'harness-signing-secret',
				dbMaxFileSize: 512,
			},
		);
		this.binaryDataService = new BinaryDataService(
			config,
			Container.get(ErrorReporter),
			Container.get(Logger),
		);
	}

	/**
	 * n8n-core's binary helpers resolve BinaryDataService from the global DI container, so the
	 * harness installs its own instance before each run. Two harnesses with different binary
	 * modes must therefore not run concurrently (sequential use is fine).
	 */
	async activate(): Promise<void> {
		this.binaryReady ??= this.binaryDataService.init();
		await this.binaryReady;
		Container.set(BinaryDataService, this.binaryDataService);
	}

	async binaryBuffer(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
		const binary = item.binary?.[property];
		if (!binary) throw new UnexpectedError(`Item has no binary property "${property}"`);
		await this.activate();
		// Same call as this.helpers.getBinaryDataBuffer(): by id in filesystem mode, base64 in memory mode.
		return await Container.get(BinaryDataService).getAsBuffer(binary);
	}

	nodeTypes(extra: Record<string, INodeType> = {}): INodeTypes {
		const all = { ...this.opts.nodeTypes, ...extra };
		const get = (name: string) => {
			const type = all[name];
			if (!type) throw new UnexpectedError(`Unknown node type "${name}"`);
			return type;
		};
		return {
			getByName: get,
			getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(get(name), version),
			getKnownTypes: () => ({}),
		};
	}

	buildNode(
		type: string,
		parameters: IDataObject,
		continueOnFail: boolean | undefined,
		credentialName?: string,
		settings: NodeSettings = {},
	): INode {
		const description = this.nodeTypes().getByNameAndVersion(type).description;
		const version = description.version;
		const credentialType = credentialName ?? this.opts.credentialTypes[0]?.name;
		return {
			id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
			name: description.defaults.name ?? description.displayName,
			type,
			typeVersion: Array.isArray(version) ? Math.max(...version) : version,
			position: [200, 0],
			webhookId: WEBHOOK_ID,
			parameters: deepCopy(parameters) as INode['parameters'],
			...(credentialType
				? { credentials: { [credentialType]: { id: '1', name: 'HiAPI test' } } }
				: {}),
			...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			...settings,
		};
	}

	additionalData(
		hooks: ExecutionLifecycleHooks | undefined,
		executionId: string | undefined,
	): IWorkflowExecuteAdditionalData {
		const unsupported = async (): Promise<never> => {
			throw new UnexpectedError('Not supported by the test harness');
		};
		return {
			credentialsHelper: this.credentialsHelper,
			hooks,
			executionId,
			currentNodeExecutionIndex: 0,
			restApiUrl: `${BASE_URL}/rest`,
			instanceBaseUrl: `${BASE_URL}/`,
			formBaseUrl: `${BASE_URL}/form`,
			formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
			formTestBaseUrl: `${BASE_URL}/form-test`,
			webhookBaseUrl: `${BASE_URL}/webhook`,
			webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
			webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
			mcpBaseUrl: `${BASE_URL}/mcp`,
			mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
			variables: {},
			externalSecretsProxy: new ExternalSecretsProxy(),
			logAiEvent: () => {},
			executeWorkflow: unsupported,
			startRunnerTask: unsupported,
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
		};
	}

	workflowData(nodes: INode[]): IWorkflowBase {
		const connections: IWorkflowBase['connections'] =
			nodes.length > 1
				? { [nodes[0].name]: { main: [[{ node: nodes[1].name, type: 'main', index: 0 }]] } }
				: {};
		return {
			id: WORKFLOW_ID,
			name: 'Harness workflow',
			active: false,
			isArchived: false,
			activeVersionId: null,
			createdAt: new Date(),
			updatedAt: new Date(),
			nodes,
			connections,
			settings: { executionOrder: 'v1' },
		};
	}

	workflow(data: IWorkflowBase, extraTypes: Record<string, INodeType>, staticData?: IDataObject) {
		return new Workflow({
			id: data.id,
			name: data.name,
			nodes: data.nodes,
			connections: data.connections,
			active: false,
			nodeTypes: this.nodeTypes(extraTypes),
			settings: data.settings,
			staticData: staticData ? deepCopy(staticData) : undefined,
		});
	}

	async runNode(o: RunNodeOptions): Promise<RunResult> {
		await this.activate();
		const executionId = String(++this.executionCounter);
		const source = sourceNodeType(o.input ?? [{ json: {} }]);
		const sourceNode: INode = {
			id: '00000000-0000-0000-0000-000000000000',
			name: SOURCE_NODE_NAME,
			type: SOURCE_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const node = this.buildNode(
			o.type,
			o.parameters,
			o.continueOnFail,
			o.credentialName,
			o.settings,
		);
		const data = this.workflowData([sourceNode, node]);
		const workflow = this.workflow(data, { [SOURCE_NODE_TYPE]: source });

		const hooks = new ExecutionLifecycleHooks('manual', executionId, data);
		// The status n8n persists is the one its workflowExecuteAfter hook receives. On cancel that hook
		// fires at once with 'canceled'; the IRun resolved later may say 'error' if the node turned the
		// abort into an error of its own, which n8n does not save.
		let savedStatus: ExecutionStatus | undefined;
		hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
			savedStatus = fullRunData.status;
		});
		const additionalData = this.additionalData(hooks, executionId);
		let execution: ReturnType<WorkflowExecute['run']>;
		if (o.retryOf) {
			const saved = JSON.parse(JSON.stringify(o.retryOf.runExecutionData)) as IRunExecutionData;
			delete saved.resultData.error;
			const last = saved.resultData.lastNodeExecuted;
			const runs = last ? saved.resultData.runData[last] : undefined;
			if (runs?.length && runs[runs.length - 1].error !== undefined) runs.pop();
			execution = new WorkflowExecute(additionalData, 'retry', saved).processRunExecutionData(
				workflow,
			);
		} else {
			execution = new WorkflowExecute(additionalData, 'manual').run({
				workflow,
				startNode: sourceNode,
			});
		}

		// cancel() is what n8n's stop button and executionTimeout do: WorkflowExecute aborts the
		// AbortController behind getExecutionCancelSignal() and the run resolves as 'canceled'.
		const timers: NodeJS.Timeout[] = [];
		if (o.cancelAfterMs !== undefined) {
			timers.push(setTimeout(() => execution.cancel(), o.cancelAfterMs));
		}
		const timeoutMs = o.timeoutMs ?? 20_000;
		let run: IRun;
		try {
			run = await Promise.race([
				execution,
				new Promise<never>((_, reject) =>
					timers.push(
						setTimeout(() => {
							execution.cancel();
							reject(new Error(`runNode: execution did not finish within ${timeoutMs} ms`));
						}, timeoutMs),
					),
				),
			]);
		} finally {
			timers.forEach(clearTimeout);
		}

		const task = run.data.resultData.runData[node.name]?.[0];
		const outputs = (task?.data?.main ?? []).map((output) => output ?? []);
		const error = (task?.error ?? run.data.resultData.error) as RunResult['error'];
		const waiting = run.status === 'waiting';
		const result: RunResult = {
			status: savedStatus ?? run.status,
			items: outputs[0] ?? [],
			outputs,
			error,
			waitTill: run.waitTill ?? undefined,
			run,
			runExecutionData: run.data,
			resumeUrl: waiting
				? getAdditionalKeys(additionalData, 'manual', run.data).$execution?.resumeUrl
				: undefined,
			binaryBuffer: async (item, property) => await this.binaryBuffer(item, property),
		};
		executionIds.set(result, executionId);
		return result;
	}

	async loadOptions(o: LoadOptionsCall): Promise<unknown> {
		await this.activate();
		const node = this.buildNode(o.type, o.parameters, false);
		const workflow = this.workflow(this.workflowData([node]), {});
		const nodeType = workflow.nodeTypes.getByNameAndVersion(
			node.type,
			node.typeVersion,
		) as INodeType;
		const context = new LoadOptionsContext(
			workflow,
			node,
			this.additionalData(undefined, undefined),
			'',
		);
		const methods = nodeType.methods?.[o.kind] as
			| Record<string, (this: unknown, ...args: unknown[]) => Promise<unknown>>
			| undefined;
		const method = methods?.[o.method];
		if (!method)
			throw new UnexpectedError(`Node type "${o.type}" has no ${o.kind} method "${o.method}"`);
		return await method.call(context, o.filter);
	}

	async callWebhook(o: WebhookCallOptions): Promise<WebhookCallResult> {
		await this.activate();
		const node = this.buildNode(o.type, o.parameters, o.continueOnFail);
		const data = this.workflowData([node]);
		const workflow = this.workflow(data, {}, o.staticData);
		const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const webhookName = o.webhookName ?? 'default';
		const description = nodeType.description.webhooks?.find((w) => w.name === webhookName);
		if (!description || !nodeType.webhook) {
			throw new UnexpectedError(`Node type "${o.type}" has no webhook "${webhookName}"`);
		}

		// Trigger: no execution yet, mode 'webhook'. Waiting node: its paused 'manual' execution.
		let runExecutionData: IRunExecutionData | null = null;
		const executionId = o.waiting && executionIds.get(o.waiting);
		if (o.waiting) {
			if (!executionId || o.waiting.status !== 'waiting') {
				throw new UnexpectedError(
					'callWebhook({ waiting }) needs a RunResult with status "waiting"',
				);
			}
			// Like n8n's WaitingWebhooks: a fresh copy of the stored execution (so nothing a call
			// mutates leaks into the next call), waitTill cleared, the waiting node's run popped.
			runExecutionData = deepCopy(o.waiting.runExecutionData);
			runExecutionData.waitTill = undefined;
			const last = runExecutionData.resultData.lastNodeExecuted;
			if (last) runExecutionData.resultData.runData[last]?.pop();
		}
		const mode: WorkflowExecuteMode = o.waiting ? 'manual' : 'webhook';

		const request = new WebhookRequest(o.method ?? String(description.httpMethod), o);
		const response = new WebhookResponse();
		const additionalData = this.additionalData(undefined, executionId);
		additionalData.httpRequest = request;
		additionalData.httpResponse = response;
		const webhookPath = workflow.expression.getSimpleParameterValue(
			node,
			description.path,
			mode,
			{},
			undefined,
			'',
		);
		const context = new WebhookContext(
			workflow,
			node,
			additionalData,
			mode,
			{
				httpMethod: request.method as IHttpRequestMethods,
				node: node.name,
				path: String(webhookPath),
				webhookDescription: description,
				workflowId: WORKFLOW_ID,
				workflowExecuteAdditionalData: additionalData,
				webhookId: WEBHOOK_ID,
			},
			[],
			runExecutionData,
		);
		// Same dispatch as n8n's WebhookService.runWebhook (class-style Node vs. INodeType).
		const result =
			nodeType instanceof Node
				? await nodeType.webhook(context)
				: ((await nodeType.webhook.call(context)) as IWebhookResponseData);

		const staticData = deepCopy({ ...workflow.staticData }) as IDataObject;
		delete staticData.__dataChanged;
		return {
			response: result,
			statusCode: response.sent ? response.statusCode : 200,
			responseBody: response.sent ? response.body : result.webhookResponse,
			workflowData: result.workflowData,
			staticData,
			binaryBuffer: async (item, property) => await this.binaryBuffer(item, property),
		};
	}

	/** What n8n's CredentialsTester does for a credential type with `test.request`. */
	async testCredential(
		typeName: string,
		data: IDataObject,
	): Promise<{ status: 'OK' | 'Error'; message: string }> {
		await this.activate();
		const credentialType = this.credentialsHelper.getType(typeName);
		const decrypted = {
			id: '1',
			name: 'HiAPI test',
			type: typeName,
			data: this.credentialsHelper.applyDefaults(typeName, data),
		};
		if (!credentialType.test) {
			// As n8n's CredentialsTester: a node that lists the credential with `testedBy` tests it with
			// its methods.credentialTest function, in a CredentialTestContext.
			for (const nodeType of Object.values(this.opts.nodeTypes)) {
				const usage = nodeType.description.credentials?.find((c) => c.name === typeName);
				const test =
					typeof usage?.testedBy === 'string'
						? nodeType.methods?.credentialTest?.[usage.testedBy]
						: undefined;
				if (!test) continue;
				const result = await test.call(
					new CredentialTestContext(this.additionalData(undefined, undefined)),
					decrypted,
				);
				return { status: result.status, message: result.message };
			}
			return { status: 'Error', message: 'No testing function found for this credential.' };
		}
		// n8n runs the request as a declarative (routing) property on a temp NoOp node.
		const testNodeType: INodeType = {
			description: {
				displayName: 'No Operation',
				name: 'n8n-nodes-base.noOp',
				group: ['organization'],
				version: 1,
				description: '',
				defaults: { name: 'Temp-Node' },
				inputs: ['main'],
				outputs: ['main'],
				credentials: [{ name: typeName, required: true }],
				properties: [
					{
						displayName: 'Temp',
						name: 'temp',
						type: 'string',
						default: '',
						routing: { request: credentialType.test.request },
					},
				],
			},
		};
		const node: INode = {
			id: 'temp',
			name: 'Temp-Node',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			credentials: { [typeName]: { id: '1', name: 'HiAPI test' } },
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes({ 'n8n-nodes-base.noOp': testNodeType }),
		});
		const context = new ExecuteContext(
			workflow,
			node,
			this.additionalData(undefined, undefined),
			'internal',
			createEmptyRunExecutionData(),
			0,
			[],
			{ main: [[{ json: {} }]] },
			{ node, data: {}, source: null },
			[],
		);
		try {
			await new RoutingNode(context, testNodeType, decrypted).runNode();
		} catch (caught) {
			// Same classification as n8n's CredentialsTester.testCredentials.
			const error = caught as Error & {
				cause?: { code?: string; response?: { status: number; statusText?: string } };
			};
			const response = error.cause?.response;
			if (response) {
				for (const rule of credentialType.test.rules ?? []) {
					if (rule.type === 'responseCode' && rule.properties.value === response.status) {
						return { status: 'Error', message: rule.properties.message };
					}
				}
				if (response.status < 199 || response.status > 299) {
					return {
						status: 'Error',
						message: response.statusText || `Received HTTP status code: ${response.status}`,
					};
				}
			} else if (error.cause?.code) {
				return { status: 'Error', message: error.cause.code };
			}
			return { status: 'Error', message: error.message };
		}
		return { status: 'OK', message: 'Connection successful!' };
	}

	async stop(): Promise<void> {
		rmSync(this.storageDir, { recursive: true, force: true });
	}
}

/** The express.Request surface n8n's webhook layer hands to webhook(): headers, query, body, rawBody. */
class WebhookRequest {
	readonly headers: Record<string, string>;
	readonly query: Record<string, string>;
	readonly params: Record<string, string> = {};
	readonly rawBody: Buffer;
	readonly body: unknown;
	readonly url: string;
	readonly path = '/webhook';

	constructor(
		readonly method: string,
		o: Pick<WebhookCallOptions, 'headers' | 'query' | 'rawBody'>,
	) {
		this.headers = Object.fromEntries(
			Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
		);
		this.query = { ...(o.query ?? {}) };
		this.rawBody = o.rawBody;
		this.url = `${this.path}?${new URLSearchParams(this.query).toString()}`;
		// n8n's body parser: JSON and urlencoded are parsed, other types leave body undefined.
		const contentType = this.headers['content-type'] ?? '';
		if (/[/+]json\b/.test(contentType) && o.rawBody.length > 0) {
			this.body = JSON.parse(o.rawBody.toString('utf8')) as unknown;
		} else if (contentType.startsWith('application/x-www-form-urlencoded')) {
			this.body = Object.fromEntries(new URLSearchParams(o.rawBody.toString('utf8')));
		}
	}

	get(name: string): string | undefined {
		return this.headers[name.toLowerCase()];
	}

	header(name: string): string | undefined {
		return this.get(name);
	}
}

/** Records what webhook() sends through getResponseObject() (the express.Response methods nodes use). */
class WebhookResponse {
	statusCode = 200;
	body: unknown;
	sent = false;
	readonly headers: Record<string, string> = {};

	get headersSent(): boolean {
		return this.sent;
	}

	status(code: number): this {
		this.statusCode = code;
		return this;
	}

	setHeader(name: string, value: string): this {
		this.headers[name.toLowerCase()] = value;
		return this;
	}

	set(name: string, value: string): this {
		return this.setHeader(name, value);
	}

	header(name: string, value: string): this {
		return this.setHeader(name, value);
	}

	getHeader(name: string): string | undefined {
		return this.headers[name.toLowerCase()];
	}

	writeHead(code: number, headers?: Record<string, string>): this {
		this.statusCode = code;
		for (const [k, v] of Object.entries(headers ?? {})) this.setHeader(k, v);
		return this;
	}

	json(body: unknown): this {
		this.setHeader('content-type', 'application/json');
		return this.end(body);
	}

	send(body?: unknown): this {
		return this.end(body);
	}

	sendStatus(code: number): this {
		return this.status(code).end();
	}

	end(body?: unknown): this {
		if (this.sent) throw new UnexpectedError('Response already sent');
		if (body !== undefined) this.body = body;
		this.sent = true;
		return this;
	}
}

export function createHarness(opts: HarnessOptions): Harness {
	return new HarnessImpl(opts);
}

export async function credentialTest(
	harness: Harness,
	credentialTypeName: string,
	data: IDataObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	if (!(harness instanceof HarnessImpl))
		throw new UnexpectedError('Not a harness from createHarness');
	return await harness.testCredential(credentialTypeName, data);
}
