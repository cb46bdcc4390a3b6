import { createHash } from 'crypto';

/**
 * Where a node run sits, for keys that make a repeat of the same request a replay instead of a
 * new, billed task. `anchor` is what stays the same when n8n runs the node again for the same
 * execution (Retry On Fail) or retries the execution (n8n's Retry: a new execution built from the
 * saved one): see completion/earlierTries.ts for where it comes from.
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
 * changed prompt or reference is a new request, while Retry On Fail, or n8n's Retry of the
 * execution, sends the same key. The callback is left out: it holds the execution's resume URL,
 * which n8n's Retry changes (a new execution), and the task is the same whoever it reports to.
 * `attempt` moves on to a new key only when the task behind the previous one failed.
 */
export function derivedKey(scope: KeyScope, itemIndex: number, body: object, attempt = 0): string {
	const request: Record<string, unknown> = { ...body };
	delete request.callback;
	const digest = createHash('sha256')
		.update(
			JSON.stringify([scope.anchor, scope.workflowId, scope.nodeId, scope.runIndex, itemIndex]),
		)
		.update('\n')
		.update(JSON.stringify(request))
		.digest('hex')
		.slice(0, 48);
	return `n8n-${digest}${attempt > 0 ? `-${attempt}` : ''}`;
}
