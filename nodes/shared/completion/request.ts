import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

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
