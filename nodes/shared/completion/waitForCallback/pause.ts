import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cancelledBeforeSubmit, errorItem, type ErrorJson } from '../../outcome/errorItem';
import { mapPool } from '../../pool';
import { hiapiCredentials } from '../../transport/credentials';
import { waitForTask } from '../../transport/tasks';
import { isTerminal, type Task } from '../../types';
import { isAgentTool } from '../agent';
import { logCancelled, runError } from '../items';
import type { BuildRequest } from '../request';
import { itemKey, itemKeyHash, pendingItem, settledItem, type PendingItem } from '../batch';
import type { RunSettings } from '../settings';
import { forgetEarlierTries } from '../earlierTries';
import { submitItem, triedBefore } from '../submit';

function resumeUrlOf(this: IExecuteFunctions): string {
	const value = this.evaluateExpression('{{ $execution.resumeUrl }}', 0);
	if (typeof value !== 'string' || !/^https?:\/\//.test(value)) {
		throw new NodeOperationError(
			this.getNode(),
			'This n8n version gives no resume URL, so Wait for Callback cannot work here',
			{
				description: 'Use Completion: Wait for Result instead.',
			},
		);
	}
	return value;
}

/** What the editor shows while the execution waits: the task and that it is waiting, not a timeout. */
function waitingView(state: PendingItem, waitTill: Date): INodeExecutionData {
	const { taskId, model, echo } = state.json.error;
	return {
		json: { taskId, model, status: 'waiting', waitingUntil: waitTill.toISOString(), ...echo },
		pairedItem: state.pairedItem,
	};
}

/**
 * "Wait for Callback (No Polling)": submits every item with this execution's resume URL as the
 * callback, then pauses the execution. It holds no worker and no poll while it waits; hiapi's
 * callbacks wake it (see resume.ts) and the deadline ends it.
 */
export async function submitAndPause(
	this: IExecuteFunctions,
	build: BuildRequest,
	valid: number[],
	settled: Map<number, INodeExecutionData[]>,
	settings: RunSettings,
): Promise<INodeExecutionData[][]> {
	if (isAgentTool.call(this)) {
		throw new NodeOperationError(
			this.getNode(),
			'Wait for Callback is not available when the node runs as an AI tool',
			{
				description: 'Use Completion: Wait for Result.',
			},
		);
	}
	const itemCount = this.getInputData().length;
	// Everything that can fail locally is resolved before the first task is paid for.
	const base = resumeUrlOf.call(this);
	const waitTill = new Date(Date.now() + settings.timeoutMs);
	// The credential is read before anything is paid for: a missing one fails here.
	await hiapiCredentials.call(this);
	const executionId = this.getExecutionId();

	const state = new Map<number, PendingItem>();
	/** Tasks an earlier try of this node already created and that have settled since: no callback will wake us for them. */
	const alreadySettled = new Map<number, Task>();
	const failures = new Map<number, unknown>();
	const continueOnFail = this.continueOnFail();
	// As in Wait for Result: once the run is going to fail, a task started now would be paid for and orphaned.
	const shouldStart = () => (continueOnFail || failures.size === 0) && !settings.signal?.aborted;
	const submit = async (itemIndex: number) => {
		try {
			const request = await build(itemIndex);
			const url = new URL(base);
			url.searchParams.set('item', String(itemIndex));
			const key = itemKey(settings.tries.callbackSecret, executionId, itemIndex);
			url.searchParams.set('k', key);
			const submitted = await submitItem.call(this, request, itemIndex, settings, {
				url: url.toString(),
				when: 'final',
			});
			const task = {
				taskId: submitted.taskId,
				model: request.body.model,
				echo: request.echo,
				keyHash: itemKeyHash(key),
			};
			state.set(itemIndex, pendingItem(itemIndex, task, settings.timeoutMs / 1000));
			let current = submitted.task;
			// A task an earlier execution created (before n8n's Retry) calls back there, never here:
			// it is followed by reading it until it settles, before any new task is submitted, so
			// the new tasks' callbacks find this execution already waiting.
			if (submitted.reportsElsewhere && current && !isTerminal(current.status)) {
				current = await waitForTask.call(this, submitted.taskId, {
					intervalMs: settings.pollIntervalMs,
					deadline: waitTill.getTime(),
					itemIndex,
					signal: settings.signal,
				});
			}
			if (current && isTerminal(current.status)) alreadySettled.set(itemIndex, current);
		} catch (error) {
			failures.set(itemIndex, error);
		}
	};
	// Items an earlier try already paid for go first: they need no new task, and the ones still
	// running are followed to their end here (see above).
	const earlier = new Set<number>();
	// Only a node that ran before in this execution chain has a record to look items up in.
	if (Object.keys(settings.tries.tasks).length > 0)
		for (const itemIndex of valid)
			if (triedBefore(await build(itemIndex), itemIndex, settings)) earlier.add(itemIndex);
	await mapPool([...earlier], settings.concurrency, submit, shouldStart);
	await mapPool(
		valid.filter((i) => !earlier.has(i)),
		settings.concurrency,
		submit,
		shouldStart,
	);

	if (settings.signal?.aborted) logCancelled.call(this, settings.ledger);
	if (failures.size > 0 && !continueOnFail) {
		const first = Math.min(...failures.keys());
		throw runError.call(this, failures.get(first), first, settings.ledger);
	}
	for (const [itemIndex, error] of failures) settled.set(itemIndex, [errorItem(error, itemIndex)]);
	// One item per input, always: items never submitted (the run was cancelled) say so.
	for (const itemIndex of valid) {
		if (!state.has(itemIndex) && !settled.has(itemIndex)) {
			settled.set(itemIndex, [cancelledBeforeSubmit(itemIndex)]);
		}
	}

	// Tasks that had settled already (picked up from an earlier try) will not call back: they are
	// finished now, and when that leaves nothing to wait for, the node finishes at once.
	await mapPool([...alreadySettled.keys()], settings.concurrency, async (itemIndex) => {
		const task = alreadySettled.get(itemIndex)!;
		const item = await settledItem.call(this, state.get(itemIndex)!, task, itemIndex, settings);
		settings.ledger.settle(task.taskId, item.json.error ? 'failed' : 'succeeded');
		settled.set(itemIndex, [item]);
		state.delete(itemIndex);
	});
	if (state.size === 0 && alreadySettled.size > 0) {
		const failed = [...alreadySettled.keys()]
			.sort((a, b) => a - b)
			.find((i) => settled.get(i)?.[0]?.json.error);
		if (failed !== undefined && !continueOnFail) {
			const message = String((settled.get(failed)![0].json.error as ErrorJson).message);
			throw runError.call(
				this,
				new NodeOperationError(this.getNode(), message, { itemIndex: failed }),
				failed,
				settings.ledger,
			);
		}
	}

	const stackItems: INodeExecutionData[] = [];
	const shown: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const pending = state.get(itemIndex);
		stackItems.push(...(settled.get(itemIndex) ?? (pending ? [pending] : [])));
		shown.push(...(settled.get(itemIndex) ?? (pending ? [waitingView(pending, waitTill)] : [])));
	}
	if (state.size === 0) return [stackItems];

	// The replaced input is what n8n keeps while waiting and emits at the deadline (n8n runs no node code then).
	this.getExecuteData().data.main[0] = stackItems;
	forgetEarlierTries.call(this);
	await this.putExecutionToWait(waitTill);
	return [shown];
}
