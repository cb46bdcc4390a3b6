/**
 * What the trigger tests need from n8n-core beyond the shared harness: the logger every node
 * context writes to (to see what n8n would log), and a real HookContext, the `this` of
 * webhookMethods (checkExists / create / delete) when a workflow is published.
 */
import { ExternalSecretsProxy, HookContext } from 'n8n-core';
import {
	UnexpectedError,
	Workflow,
	type IDataObject,
	type INode,
	type INodeType,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
} from 'n8n-workflow';
import path from 'node:path';

import { HiApiApi } from '../../credentials/HiApiApi.credentials';
import { HiApiTrigger } from '../../nodes/HiApiTrigger/HiApiTrigger.node';
import { HarnessCredentialsHelper } from '../harness/credentials-helper';
import { TRIGGER } from '../support/env';

// n8n-core resolves its Logger from its own copy of @n8n/di (see test/harness/index.ts).
type Token<T> = abstract new (...args: never[]) => T;
const coreDir = path.dirname(require.resolve('n8n-core'));
const fromCore = (id: string): unknown => require(require.resolve(id, { paths: [coreDir] }));
const { Container } = fromCore('@n8n/di') as { Container: { get<T>(type: Token<T>): T } };
const { Logger } = fromCore('@n8n/backend-common') as { Logger: Token<LoggerLike> };

type LogFn = (message: string, meta?: object) => void;
interface LoggerLike {
	error: LogFn;
	warn: LogFn;
	info: LogFn;
	debug: LogFn;
}

export interface LogLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
}

/** Records what nodes log through `this.logger` until `restore()`; n8n still gets the calls. */
export function captureLogs(): { lines: LogLine[]; restore(): void } {
	const logger = Container.get(Logger);
	const lines: LogLine[] = [];
	const spies = (['error', 'warn', 'info', 'debug'] as const).map((level) =>
		jest.spyOn(logger, level).mockImplementation((message: string) => {
			lines.push({ level, message });
		}),
	);
	return { lines, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

const BASE_URL = 'http://127.0.0.1:5678';

/**
 * Runs one of the trigger's webhookMethods in n8n-core's own HookContext, as n8n's
 * ActiveWorkflowManager does on publish ('activate') and at start ('init').
 */
export async function runWebhookMethod(
	method: 'checkExists' | 'create' | 'delete',
	parameters: IDataObject,
	credential: IDataObject,
	activation: WorkflowActivateMode = 'activate',
): Promise<boolean | undefined> {
	const nodeType: INodeType = new HiApiTrigger();
	const node: INode = {
		id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
		name: 'HiAPI Trigger',
		type: TRIGGER,
		typeVersion: 1,
		position: [0, 0],
		webhookId: '11111111-2222-3333-4444-555555555555',
		parameters: parameters as INode['parameters'],
		credentials: { hiApiApi: { id: '1', name: 'HiAPI test' } },
	};
	const workflow = new Workflow({
		id: 'hook-workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	const unsupported = async (): Promise<never> => {
		throw new UnexpectedError('Not supported in this test');
	};
	const additionalData: IWorkflowExecuteAdditionalData = {
		credentialsHelper: new HarnessCredentialsHelper([new HiApiApi()], { hiApiApi: credential }),
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}/rest`,
		instanceBaseUrl: `${BASE_URL}/`,
		formBaseUrl: `${BASE_URL}/form`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		formTestBaseUrl: `${BASE_URL}/form-test`,
		mcpBaseUrl: `${BASE_URL}/mcp`,
		mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
		webhookBaseUrl: `${BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		variables: {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		logAiEvent: () => {},
		executeWorkflow: unsupported,
		startRunnerTask: unsupported,
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
	};
	const context = new HookContext(workflow, node, additionalData, 'trigger', activation);
	const methods = nodeType.webhookMethods?.default;
	if (!methods) throw new UnexpectedError('The trigger has no webhookMethods.default');
	return await methods[method].call(context);
}
