import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { checkOnly } from '../media/input';
import { cancelledBeforeSubmit, errorItem } from '../outcome/errorItem';
import type { TaskLedger } from '../outcome/ledger';
import { mapPool } from '../pool';
import { asNodeError } from '../transport/errors';
import { sharedKeyErrors } from './request';

export type ItemWork = (itemIndex: number) => Promise<INodeExecutionData[]>;

/**
 * The error that stops the run (On Error: Stop Workflow): the first failure's message, and every
 * task the run created in its description, since n8n drops the other items' results with it.
 */
export function runError(
	this: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	ledger: TaskLedger,
) {
	const nodeError = asNodeError(this.getNode(), error, itemIndex);
	const tasks = ledger.describe();
	if (tasks) {
		nodeError.description = [nodeError.description, tasks].filter(Boolean).join('\n\n');
		nodeError.context.tasks = ledger
			.list()
			.map(({ taskId, itemIndex: item, state }) => ({ taskId, itemIndex: item, state }));
	}
	return nodeError;
}

/**
 * n8n saves nothing a node returns after a cancel, so the tasks already paid for are named in
 * n8n's log, the one record that outlives the cancelled run.
 */
export function logCancelled(this: IExecuteFunctions, ledger: TaskLedger): void {
	if (ledger.size === 0) return;
	this.logger.warn(`Execution cancelled while hiapi tasks were running. ${ledger.describe()}`, {
		executionId: this.getExecutionId(),
		node: this.getNode().name,
	});
}

/**
 * Runs `work` for the given items, at most `concurrency` at once, and returns the outputs in input
 * order. With On Error "Continue" each failed item becomes one error item (with its task ID). Without
 * it, no new item starts after the first failure, but items already in flight finish first: their
 * tasks are paid for, and stopping them half-way would only orphan them. Then the failure of the
 * lowest item index is thrown, listing every task the run created.
 */
export async function runItems(
	this: IExecuteFunctions,
	itemIndexes: number[],
	concurrency: number,
	ledger: TaskLedger,
	work: ItemWork,
): Promise<Map<number, INodeExecutionData[]>> {
	const continueOnFail = this.continueOnFail();
	const signal = this.getExecutionCancelSignal?.();
	const results = new Map<number, INodeExecutionData[]>();
	const failures = new Map<number, unknown>();
	await mapPool(
		itemIndexes,
		concurrency,
		async (itemIndex) => {
			try {
				results.set(itemIndex, await work(itemIndex));
			} catch (error) {
				failures.set(itemIndex, error);
				if (continueOnFail) results.set(itemIndex, [errorItem(error, itemIndex)]);
			}
		},
		() => (continueOnFail || failures.size === 0) && !signal?.aborted,
	);

	if (signal?.aborted) logCancelled.call(this, ledger);
	if (!continueOnFail && failures.size > 0) {
		const first = Math.min(...failures.keys());
		throw runError.call(this, failures.get(first), first, ledger);
	}
	if (continueOnFail && signal?.aborted) {
		// One item per input, always: the ones never started say so.
		for (const itemIndex of itemIndexes) {
			if (!results.has(itemIndex)) {
				results.set(itemIndex, [cancelledBeforeSubmit(itemIndex)]);
			}
		}
	}
	return results;
}

/**
 * Checks every item before any is sent: a bad item 7 must not leave items 0-6 submitted and the run
 * failed. Reference files are checked by size and type here and read when their task is sent; an
 * Idempotency Key shared by several items is refused for each of them.
 */
export async function validateItems(
	this: IExecuteFunctions,
	itemCount: number,
	check: (itemIndex: number) => Promise<unknown>,
): Promise<{ valid: number[]; invalid: Map<number, INodeExecutionData[]> }> {
	const checked: number[] = [];
	const invalid = new Map<number, INodeExecutionData[]>();
	const refuse = (error: unknown, itemIndex: number) => {
		if (!this.continueOnFail()) throw asNodeError(this.getNode(), error, itemIndex);
		invalid.set(itemIndex, [errorItem(error, itemIndex, { status: 'not submitted' })]);
	};
	await checkOnly(this, async () => {
		for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
			try {
				await check(itemIndex);
				checked.push(itemIndex);
			} catch (error) {
				refuse(error, itemIndex);
			}
		}
	});
	const shared = sharedKeyErrors.call(this, checked);
	for (const [itemIndex, error] of shared) refuse(error, itemIndex);
	return { valid: checked.filter((itemIndex) => !shared.has(itemIndex)), invalid };
}

/** Flattens per-item outputs back into input order. */
export function inOrder(
	itemCount: number,
	...parts: Array<Map<number, INodeExecutionData[]>>
): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		for (const part of parts) {
			const items = part.get(itemIndex);
			if (items) out.push(...items);
		}
	}
	return out;
}
