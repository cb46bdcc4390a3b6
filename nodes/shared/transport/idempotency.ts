import { createHash } from 'crypto';

/**
 * Where a node run sits, for keys that make a repeat of the same request a replay instead of a
 * new, billed task. `anchor` is what stays the same when n8n runs the node again for the same
 * execution: the execution's resume secret where n8n has one (2.14+; n8n's Retry of a failed
 * execution reuses the saved execution data, secret included), else the execution ID.
 */
export interface KeyScope {
	anchor: string;
	workflowId: string;
	nodeId: string;
	runIndex: number;
}

/** How many fresh tasks a derived key may lead to when the earlier ones failed. */
export const MAX_KEY_ATTEMPTS = 5;

/**
 * The default Idempotency-Key of one item's request. The request itself is part of the key, so a
 * changed prompt or reference is a new request (never hiapi's 422 for a reused key), while Retry
 * On Fail, or n8n's Retry of the execution, sends the same key and gets the first task back.
 * `attempt` moves on to a new key only when the task behind the previous one failed.
 */
export function derivedKey(scope: KeyScope, itemIndex: number, body: object, attempt = 0): string {
	const digest = createHash('sha256')
		.update(
			JSON.stringify([scope.anchor, scope.workflowId, scope.nodeId, scope.runIndex, itemIndex]),
		)
		.update('\n')
		.update(JSON.stringify(body))
		.digest('hex')
		.slice(0, 48);
	return `n8n-${digest}${attempt > 0 ? `-${attempt}` : ''}`;
}
