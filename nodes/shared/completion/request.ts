import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Estimate } from '../catalogue/pricing';
import { MAX_IDEMPOTENCY_KEY_BYTES } from '../transport/tasks';
import type { SubmitBody } from '../types';
import { invalidField } from '../validate';

/** One item's task, as a node builds it from its parameters: what every completion mode submits. */
export interface TaskRequest {
	body: SubmitBody;
	/** The user's Idempotency Key option; without it the node derives one (see submit.ts). */
	idempotencyKey?: string;
	/** Parameters echoed on the output item, so a result can be traced to what was asked. */
	echo: IDataObject;
	/**
	 * One task's public-price estimate (catalogue/pricing.ts estimateCost), where hiapi's price list
	 * gives one: put on the output item and checked against Max Estimated Cost before the first submit.
	 */
	estimate?: Estimate;
	/**
	 * The same request with one input field under another name, sent once when hiapi refuses
	 * `refusedField` as unknown (400 "additional properties not allowed"): for a field whose name
	 * hiapi changed and that no readable schema settled. A 400 creates no task, so this bills nothing.
	 */
	alternate?: { refusedField: string; body: SubmitBody };
}

/** Builds (and checks) item `itemIndex`'s request; throws a field error before anything is sent. */
export type BuildRequest = (itemIndex: number) => Promise<TaskRequest>;

/** The Idempotency Key option of an item, checked against hiapi's limit; undefined when not set. */
export function userIdempotencyKey(this: IExecuteFunctions, itemIndex: number): string | undefined {
	const key = String(this.getNodeParameter('options.idempotencyKey', itemIndex, '') ?? '').trim();
	const bytes = Buffer.byteLength(key, 'utf8');
	if (bytes > MAX_IDEMPOTENCY_KEY_BYTES) {
		throw invalidField.call(
			this,
			itemIndex,
			'Idempotency Key',
			`is ${bytes} bytes long`,
			`hiapi accepts at most ${MAX_IDEMPOTENCY_KEY_BYTES} bytes: use a shorter ID, e.g. an order number.`,
		);
	}
	return key || undefined;
}

/** The Route option as the submit body's `route` (left out for the default route). */
export function routeOf(this: IExecuteFunctions, itemIndex: number): Pick<SubmitBody, 'route'> {
	const route = String(this.getNodeParameter('options.route', itemIndex, '') ?? '').trim();
	return route && route !== 'default' ? { route } : {};
}

/** The Storage option as the submit body's `storage` (left out for hiapi's default, temporary). */
export function storageOf(this: IExecuteFunctions, itemIndex: number): Pick<SubmitBody, 'storage'> {
	const storage = this.getNodeParameter('options.storage', itemIndex, 'temp');
	return storage === 'persistent' ? { storage } : {};
}

/**
 * What every node's request gets alike, whatever built it: the Storage option in the body (top level,
 * never in the input) and the estimate on the output item.
 */
export function withRunOptions(
	this: IExecuteFunctions,
	request: TaskRequest,
	itemIndex: number,
): TaskRequest {
	const echo = request.estimate
		? { ...request.echo, estimatedUsd: request.estimate.usd, estimateRule: request.estimate.rule }
		: request.echo;
	return { ...request, body: { ...request.body, ...storageOf.call(this, itemIndex) }, echo };
}

/** "items 0, 2 and 5" */
function itemList(itemIndexes: number[]): string {
	const shown = itemIndexes.map(String);
	return shown.length > 1
		? `items ${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
		: `item ${shown[0]}`;
}

/**
 * One Idempotency Key names one task: hiapi answers a second item with the same key with the first
 * item's task (same inputs: one image, three times) or refuses it (other inputs, after the first is
 * paid for). So a key shared by several items is refused before anything is sent, naming them.
 * Returns one error per shared key, for every item that carries it.
 */
export function sharedKeyErrors(
	this: IExecuteFunctions,
	itemIndexes: number[],
): Map<number, NodeOperationError> {
	const byKey = new Map<string, number[]>();
	for (const itemIndex of itemIndexes) {
		const key = userIdempotencyKey.call(this, itemIndex);
		if (key) byKey.set(key, [...(byKey.get(key) ?? []), itemIndex]);
	}
	const errors = new Map<number, NodeOperationError>();
	for (const [key, items] of byKey) {
		if (items.length < 2) continue;
		const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
		for (const itemIndex of items) {
			errors.set(
				itemIndex,
				new NodeOperationError(
					this.getNode(),
					`Idempotency Key: ${itemList(items)} share the key '${shown}'; nothing was sent`,
					{
						itemIndex,
						description:
							"One key stands for one task: hiapi would answer the other items with the first item's task, or refuse them after the first was paid for. Give each item its own key, e.g. {{ $json.orderId }}, or leave the option empty.",
					},
				),
			);
		}
	}
	return errors;
}
