import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapPool } from '../../shared/pool';
import { hiapiCredentials } from '../../shared/transport/credentials';
import { asNodeError, withTaskId } from '../../shared/transport/errors';
import { submitTask } from '../../shared/transport/tasks';
import { buildRequest, type GenerateOperation } from '../actions/generate';
import { errorItem } from '../actions/items';
import { PENDING, itemKey, type PendingJson } from './batch';
import type { RunSettings } from './settings';

function resumeUrlOf(this: IExecuteFunctions): string {
	const value = this.evaluateExpression('{{ $execution.resumeUrl }}', 0);
	if (typeof value !== 'string' || !/^https?:\/\//.test(value)) {
		throw new NodeOperationError(this.getNode(), 'This n8n version gives no resume URL, so Wait for Callback cannot work here', {
			description: 'Use Completion: Wait for Result instead.',
		});
	}
	return value;
}

/**
 * "Wait for Callback (No Polling)": submits every item with this execution's resume URL as the
 * callback, then pauses the execution. It holds no worker and no poll while it waits; hiapi's
 * callbacks wake it (see resume.ts) and the deadline ends it.
 */
export async function submitAndPause(
	this: IExecuteFunctions,
	operation: GenerateOperation,
	valid: number[],
	settled: Map<number, INodeExecutionData[]>,
	settings: RunSettings,
): Promise<INodeExecutionData[][]> {
	if (this.isToolExecution?.()) {
		throw new NodeOperationError(this.getNode(), 'Wait for Callback is not available when the node runs as an AI tool', {
			description: 'Use Completion: Wait for Result.',
		});
	}
	const itemCount = this.getInputData().length;
	// Everything that can fail locally is resolved before the first task is paid for.
	const base = resumeUrlOf.call(this);
	const waitTill = new Date(Date.now() + settings.timeoutMs);
	const { apiKey } = await hiapiCredentials.call(this);
	const executionId = this.getExecutionId();

	const state = new Map<number, INodeExecutionData>();
	const failures = new Map<number, unknown>();
	const continueOnFail = this.continueOnFail();
	// As in Wait for Result: once the run is going to fail, a task started now would be paid for and orphaned.
	const shouldStart = () => (continueOnFail || failures.size === 0) && !settings.signal?.aborted;
	await mapPool(valid, settings.concurrency, async (itemIndex) => {
		try {
			const request = await buildRequest.call(this, operation, itemIndex);
			const url = new URL(base);
			url.searchParams.set('item', String(itemIndex));
			url.searchParams.set('k', itemKey(apiKey, executionId, itemIndex));
			const { taskId } = await submitTask.call(
				this,
				{ ...request.body, callback: { url: url.toString(), when: 'final' } },
				{ idempotencyKey: request.idempotencyKey, itemIndex, signal: settings.signal },
			);
			const json: PendingJson = {
				taskId,
				model: request.body.model,
				status: PENDING,
				error: withTaskId(`Timed out waiting for hiapi's callback after ${settings.timeoutMs / 1000} s`, taskId),
				...request.echo,
			};
			state.set(itemIndex, { json, pairedItem: { item: itemIndex } });
		} catch (error) {
			failures.set(itemIndex, error);
		}
	}, shouldStart);

	if (failures.size > 0 && !continueOnFail) {
		const first = Math.min(...failures.keys());
		const submitted = [...state.entries()].map(([i, item]) => `${item.json.taskId} (item ${i})`);
		if (submitted.length === 0) throw asNodeError(this.getNode(), failures.get(first), first);
		const cause = failures.get(first);
		throw new NodeOperationError(
			this.getNode(),
			`Item ${first} could not be submitted: ${cause instanceof Error ? cause.message : String(cause)}`,
			{
				itemIndex: first,
				description: `These tasks were already submitted and keep running; fetch them with Get Task instead of running again: ${submitted.join(', ')}`,
			},
		);
	}
	for (const [itemIndex, error] of failures) settled.set(itemIndex, [errorItem(error, itemIndex)]);

	const items: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		items.push(...(settled.get(itemIndex) ?? (state.has(itemIndex) ? [state.get(itemIndex)!] : [])));
	}
	if (state.size === 0) return [items];

	// The replaced input is what n8n keeps while waiting and emits at the deadline (n8n runs no node code then).
	this.getExecuteData().data.main[0] = items;
	await this.putExecutionToWait(waitTill);
	return [items];
}
