import { createHash, randomBytes } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * What this node's earlier tries in the same execution chain created: the key anchor and each
 * derived Idempotency-Key's task. It lives on the node's execute data, the stack entry n8n puts
 * back when the node fails and saves with the execution; n8n's Retry starts the new execution from
 * that saved stack, so the retried node finds here the tasks its failed try paid for. That is what
 * makes the Retry of Wait for Callback cost nothing more: hiapi would refuse the same key with the
 * new execution's callback URL (422), and the task it holds reports to the old execution anyway.
 */
export interface EarlierTries {
	anchor: string;
	/** Derived Idempotency-Key → the task hiapi created under it, and the execution it reports to. */
	tasks: Record<string, { taskId: string; executionId: string }>;
	/**
	 * The secret Wait for Callback keys its callback URLs with. Not enumerable, so n8n never saves it
	 * with the execution: tries in one execution (Retry On Fail) share it in memory; n8n's Retry
	 * starts without it and makes its own, its tasks calling a new resume URL anyway.
	 */
	readonly callbackSecret: string;
}

const FIELD = 'hiapiEarlierTries';

type WithTries = { [FIELD]?: EarlierTries };

function isTries(value: unknown): value is EarlierTries {
	const v = value as EarlierTries | undefined;
	return !!v && typeof v.anchor === 'string' && !!v.tasks && typeof v.tasks === 'object';
}

/**
 * A key anchor for a first try: the execution's resume secret where n8n has one (2.14+; kept in the
 * saved execution, so the same on n8n's Retry even if this record were lost), hashed since the
 * record is saved with the execution; else the execution ID.
 */
function freshAnchor(this: IExecuteFunctions): string {
	const resumeUrl = this.getWorkflowDataProxy(0).$execution?.resumeUrl;
	if (typeof resumeUrl === 'string') {
		try {
			const secret = new URL(resumeUrl).searchParams.get('signature');
			if (secret) return `resume:${createHash('sha256').update(secret).digest('hex').slice(0, 32)}`;
		} catch {
			// No usable URL: the execution ID is the anchor.
		}
	}
	return `execution:${this.getExecutionId()}`;
}

/** This node's record of earlier tries, created (with a fresh anchor) on the first. */
export function earlierTries(this: IExecuteFunctions): EarlierTries {
	let holder: WithTries | undefined;
	try {
		holder = this.getExecuteData() as unknown as WithTries;
	} catch {
		// Contexts without execute data (an agent's tool call): a record for this run only.
	}
	const kept = holder?.[FIELD];
	const tries = (
		isTries(kept) ? kept : { anchor: freshAnchor.call(this), tasks: {} }
	) as EarlierTries;
	if (typeof tries.callbackSecret !== 'string')
		Object.defineProperty(tries, 'callbackSecret', {
			value: randomBytes(32).toString('hex'),
			enumerable: false,
		});
	if (holder) holder[FIELD] = tries;
	return tries;
}

/**
 * Drops the record once the node has paused: nothing retries a node that waits (its deadline ends
 * it with items, not an error), and the record would only add to the execution n8n loads for
 * every callback.
 */
export function forgetEarlierTries(this: IExecuteFunctions): void {
	try {
		delete (this.getExecuteData() as unknown as WithTries)[FIELD];
	} catch {
		// No execute data: nothing was kept.
	}
}
