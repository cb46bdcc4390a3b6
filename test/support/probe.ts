import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { hiapiRequest } from '../../nodes/shared/transport/request';
import { getTask, listTasks, submitTask, waitForTask } from '../../nodes/shared/transport/tasks';
import type { SubmitBody, Task } from '../../nodes/shared/types';

/**
 * A test-only node that drives the shared transport from inside a real n8n execution, so the
 * transport is measured with n8n's own httpRequestWithAuthentication, credentials and cancel signal.
 */
export class TransportProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'test only',
		defaults: { name: 'Transport Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hiApiApi', required: true }],
		properties: [
			{ displayName: 'Action', name: 'action', type: 'string', default: '' },
			{ displayName: 'Args', name: 'args', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const action = this.getNodeParameter('action', 0) as string;
		const raw = this.getNodeParameter('args', 0);
		const args = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject;
		const signal = this.getExecutionCancelSignal();
		let json: IDataObject;
		switch (action) {
			case 'submit':
				json = {
					...(await submitTask.call(this, args.body as unknown as SubmitBody, {
						idempotencyKey: args.idempotencyKey as string,
						keyByUser: Boolean(args.idempotencyKey),
						signal,
					})),
				};
				break;
			case 'get':
				json = { ...(await getTask.call(this, args.taskId as string, { signal })) };
				break;
			case 'list':
				json = { tasks: (await listTasks.call(this, 1, 20, { signal })).map((t) => ({ ...t })) };
				break;
			case 'run': {
				const seen: string[] = [];
				const submitted = await submitTask.call(this, args.body as unknown as SubmitBody, {
					idempotencyKey: args.idempotencyKey as string,
					signal,
				});
				const task: Task = await waitForTask.call(this, submitted.taskId, {
					intervalMs: (args.intervalMs as number) ?? 50,
					deadline: Date.now() + ((args.timeoutMs as number) ?? 10_000),
					signal,
					onRead: (t) => seen.push(t.status),
				});
				json = { ...task, seen, replayed: submitted.replayed };
				break;
			}
			case 'postWithoutKey':
				json = {
					data: (
						await hiapiRequest.call(this, {
							method: 'POST',
							path: '/v1/tasks',
							body: args.body as object,
							signal,
						})
					).data as IDataObject,
				};
				break;
			default:
				throw new Error(`unknown probe action ${action}`);
		}
		return [[{ json, pairedItem: { item: 0 } }]];
	}
}
