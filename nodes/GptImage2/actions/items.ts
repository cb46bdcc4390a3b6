import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { mapPool } from '../../shared/pool';
import { asNodeError, taskIdOf } from '../../shared/transport/errors';

export type ItemWork = (itemIndex: number) => Promise<INodeExecutionData[]>;

export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const taskId = taskIdOf(error);
	return {
		json: { error: error instanceof Error ? error.message : String(error), ...(taskId ? { taskId } : {}) },
		pairedItem: { item: itemIndex },
	};
}

/**
 * Runs `work` for the given items, at most `concurrency` at once, and returns the outputs in input
 * order. With Continue On Fail each failed item becomes one error item (with its task ID). Without
 * it, no new item starts after the first failure, but items already in flight finish first: their
 * tasks are paid for, and stopping them half-way would only orphan them. Then the failure of the
 * lowest item index is thrown.
 */
export async function runItems(
	this: IExecuteFunctions,
	itemIndexes: number[],
	concurrency: number,
	work: ItemWork,
): Promise<Map<number, INodeExecutionData[]>> {
	const continueOnFail = this.continueOnFail();
	const signal = this.getExecutionCancelSignal?.();
	const results = new Map<number, INodeExecutionData[]>();
	const failures = new Map<number, ReturnType<typeof asNodeError>>();
	await mapPool(
		itemIndexes,
		concurrency,
		async (itemIndex) => {
			try {
				results.set(itemIndex, await work(itemIndex));
			} catch (error) {
				failures.set(itemIndex, asNodeError(this.getNode(), error, itemIndex));
				if (continueOnFail) results.set(itemIndex, [errorItem(error, itemIndex)]);
			}
		},
		() => (continueOnFail || failures.size === 0) && !signal?.aborted,
	);

	if (!continueOnFail && failures.size > 0) {
		throw failures.get(Math.min(...failures.keys()));
	}
	return results;
}

/** Checks every item before any is sent: a bad item 7 must not leave items 0-6 submitted and the run failed. */
export async function validateItems(
	this: IExecuteFunctions,
	itemCount: number,
	check: (itemIndex: number) => Promise<unknown>,
): Promise<{ valid: number[]; invalid: Map<number, INodeExecutionData[]> }> {
	const valid: number[] = [];
	const invalid = new Map<number, INodeExecutionData[]>();
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			await check(itemIndex);
			valid.push(itemIndex);
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this.getNode(), error, itemIndex);
			invalid.set(itemIndex, [errorItem(error, itemIndex)]);
		}
	}
	return { valid, invalid };
}

/** Flattens per-item outputs back into input order. */
export function inOrder(itemCount: number, ...parts: Array<Map<number, INodeExecutionData[]>>): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		for (const part of parts) {
			const items = part.get(itemIndex);
			if (items) out.push(...items);
		}
	}
	return out;
}
