import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { rawBodyOf, reply } from '../../callback/http';
import { MAX_CALLBACK_BYTES, parseCallback } from '../../callback/parse';
import { verifySignature } from '../../callback/verify';
import { errorItem } from '../../outcome/errorItem';
import { mapPool } from '../../pool';
import { hiapiCredentials } from '../../transport/credentials';
import { taskError } from '../../transport/errors';
import { getTask, listTasks } from '../../transport/tasks';
import { isTerminal, type Task } from '../../types';
import { elect, lastSettled, outranks, type ElectionClock, type OthersRead } from './election';
import {
	isPending,
	itemKey as legacyItemKey,
	itemKeyMatches,
	PENDING_INDEX_EXPRESSION,
	type PendingIndex,
	settledItem,
	type PendingItem,
} from '../batch';

/** One list page covers a batch of this many tasks with a single request. */
const LIST_PAGE_SIZE = 100;
/** How far back the list is read for the batch's other tasks (2,000 tasks) before falling back to single reads. */
const MAX_LIST_PAGES = 20;
const DOWNLOAD_CONCURRENCY = 5;
/** After a resume, later callbacks of the same execution are answered without work for this long. */
const RESUMED_MEMORY_MS = 10 * 60_000;

/**
 * Executions this process is resuming (until: Infinity while the downloads run) or has resumed:
 * redeliveries of the resuming callback (or any callback, when hiapi gave no completion times)
 * reaching this process are answered without a second set of downloads (see `resumesBatch` for
 * other processes). The claim lasts as long as the resume it guards, however long its downloads take.
 */
const resuming = new Map<string, number>();

function claimResume(key: string): boolean {
	const now = Date.now();
	for (const [k, until] of resuming) if (until < now) resuming.delete(k);
	if (resuming.has(key)) return false;
	resuming.set(key, Infinity);
	return true;
}

/** n8n's clock, for the election's one pause (it compares only elapsed times). */
const webhookClock: ElectionClock = {
	now: () => Date.now(),
	sleep: async (ms) => await sleep(ms),
};

/**
 * A task as the list shows it is trusted only when it is settled and complete: a list that lags
 * behind single reads, or an entry without its output, is checked with a read of that task.
 */
function trustworthy(task: Task | undefined): task is Task {
	return (
		!!task && (task.status === 'fail' || (task.status === 'success' && task.output.length > 0))
	);
}

/**
 * The batch's other tasks, as cheaply as possible: the task list, newest first, a page at a time. A
 * settled task there that outranks this callback's own ends the check at once. A
 * task the list shows unfinished (or without its output: lists may lag or abbreviate) is read on its
 * own before it is believed, and the first one that is really still running ends the check, since
 * the batch cannot resume yet. So a callback usually costs one list page and at most one read; only
 * the last one reads the whole batch (a page per 100 tasks). Tasks the list does not reach, or a
 * list that fails, are read one by one with the same early stop.
 */
async function readOthers(
	this: IWebhookFunctions,
	taskIds: string[],
	own: Task,
): Promise<OthersRead> {
	const wanted = new Set(taskIds);
	const tasks = new Map<string, Task>();
	const settle = async (taskId: string, listed?: Task): Promise<boolean> => {
		const task = trustworthy(listed) ? listed : await getTask.call(this, taskId);
		if (!isTerminal(task.status)) return false;
		tasks.set(taskId, task);
		return true;
	};
	try {
		for (let page = 1; page <= MAX_LIST_PAGES && tasks.size < wanted.size; page++) {
			const listed = await listTasks.call(this, page, LIST_PAGE_SIZE);
			const entries = listed.filter((task) => wanted.has(task.taskId) && !tasks.has(task.taskId));
			// A task the list shows settled after this one: this callback will not resume the batch,
			// whatever the rest says, so nothing more needs reading (most callbacks stop here).
			// The latest such task is named, so the answer says which callback resumes whenever the page shows it.
			const later = entries.filter((entry) => trustworthy(entry) && outranks(entry, own));
			if (later.length) return { tasks, outrankedBy: lastSettled(later).taskId };
			// The ones the list shows unfinished first: one read of such a task usually settles the question.
			entries.sort((a, b) => Number(trustworthy(a)) - Number(trustworthy(b)));
			for (const entry of entries)
				if (!(await settle(entry.taskId, entry))) return { tasks, waitingOn: entry.taskId };
			if (listed.length < LIST_PAGE_SIZE) break;
		}
	} catch (error) {
		// The list is a shortcut: single reads below give the same answer.
		this.logger.debug(
			`${this.getNode().name} (Wait for Callback): task list unavailable, reading tasks one by one (${String(error)})`,
		);
	}
	for (const taskId of taskIds) {
		if (!tasks.has(taskId) && !(await settle(taskId))) return { tasks, waitingOn: taskId };
	}
	return { tasks };
}

/** Outputs of the whole batch; whatever cannot be produced becomes an error item naming its task. */
async function batchOutput(
	this: IWebhookFunctions,
	state: INodeExecutionData[],
	tasks: Map<string, Task>,
): Promise<INodeExecutionData[]> {
	// Items finished before the pause (an earlier try's settled tasks) keep their files.
	const output: INodeExecutionData[] = state.map((item, i) => ({
		json: item.json,
		...(item.binary ? { binary: item.binary } : {}),
		pairedItem: { item: i },
	}));
	const pending = state.map((_, i) => i).filter((i) => isPending(state[i]));
	const notDone = (i: number, cause: unknown) => {
		const taskId = String((state[i] as PendingItem).json.error.taskId);
		const message = `The task settled, but its result could not be prepared after the callback: ${cause instanceof Error ? cause.message : String(cause)}`;
		return errorItem(
			taskError(
				{ node: this.getNode(), itemIndex: i, taskId, taskStatus: 'not downloaded' },
				message,
			),
			i,
		);
	};
	try {
		const outputProperty = String(
			this.getNodeParameter('options.outputBinaryPropertyName', 'data') || 'data',
		).trim();
		const download = this.getNodeParameter('options.download', true) !== false;
		await mapPool(pending, DOWNLOAD_CONCURRENCY, async (i) => {
			const item = state[i] as PendingItem;
			try {
				output[i] = await settledItem.call(this, item, tasks.get(item.json.error.taskId)!, i, {
					outputProperty,
					download,
				});
			} catch (error) {
				output[i] = notDone(i, error);
			}
		});
	} catch (error) {
		// hiapi was already answered 200 and will not deliver again: resume anyway, naming every task.
		for (const i of pending) if (isPending(output[i])) output[i] = notDone(i, error);
	}
	return output;
}

/**
 * A callback into the paused execution. It resumes only when every task of the batch has
 * settled; until then it answers 200 and leaves the execution waiting. Nothing written here
 * survives between calls (n8n saves nothing for a non-resuming call), so each call re-derives the
 * batch's state from the paused input and from hiapi; a lost early callback heals on the next one.
 * Failed tasks come out as error items, whatever the On Error setting: n8n gives a resuming
 * webhook no way to fail the node (only a resume error set before the pause, which would fail
 * every resume).
 */
export async function resumeWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const rawBody = rawBodyOf.call(this);
	if (rawBody.length > MAX_CALLBACK_BYTES)
		return reply.call(this, 400, { error: 'body too large' });

	const credentials = await hiapiCredentials.call(this);
	const query = this.getQueryData() as Record<string, unknown>;
	const itemIndex = Number(query.item);
	if (!Number.isInteger(itemIndex) || itemIndex < 0 || typeof query.k !== 'string') {
		this.logger.warn(
			`${this.getNode().name} (Wait for Callback) rejected a callback: missing item or item key`,
		);
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	if (credentials.signingSecret) {
		const verdict = verifySignature(
			rawBody,
			this.getHeaderData() as Record<string, unknown>,
			credentials.signingSecret,
		);
		if (!verdict.ok) {
			this.logger.warn(
				`${this.getNode().name} (Wait for Callback) rejected a callback: ${verdict.reason}`,
			);
			return reply.call(this, 401, { error: 'Unauthorized' });
		}
	}

	// The item key is checked against what the paused item kept of it, so a callback stays valid
	// however the credential changes while the batch waits.
	// A callback that does not resume needs only the paused items' task IDs and key hashes; the
	// items themselves are read only by the one that resumes (see batch.ts's PENDING_INDEX_EXPRESSION).
	const index = this.evaluateExpression(PENDING_INDEX_EXPRESSION, 0) as unknown as PendingIndex;
	if (!Array.isArray(index) || itemIndex >= index.length) {
		this.logger.warn(
			`${this.getNode().name} (Wait for Callback) rejected a callback: no such item`,
		);
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	const own = index[itemIndex];
	if (!own) {
		// Already settled: a late duplicate, nothing to do.
		return reply.call(this, 200, { received: true, ignored: true });
	}
	const legacyKey = () => legacyItemKey(credentials.apiKey, this.getExecutionId(), itemIndex);
	if (!itemKeyMatches(own.keyHash ?? undefined, query.k, legacyKey)) {
		this.logger.warn(
			`${this.getNode().name} (Wait for Callback) rejected a callback: wrong item key`,
		);
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	const parsed = parseCallback(rawBody);
	if (!parsed.ok) return reply.call(this, parsed.status, { error: parsed.reason });
	if (own.taskId !== parsed.task.taskId) {
		// Not this item's task: a stray call, nothing to do.
		return reply.call(this, 200, { received: true, ignored: true });
	}

	const claim = `${this.getWorkflow().id ?? ''}:${this.getExecutionId()}`;
	let tasks: Map<string, Task>;
	try {
		// A body hiapi signed is hiapi's own word on the task: no need to read it back. Otherwise (the
		// item key only proves the caller knows the URL) its status and links are confirmed first.
		const current =
			credentials.signingSecret && trustworthy(parsed.task)
				? parsed.task
				: await getTask.call(this, own.taskId);
		if (!isTerminal(current.status))
			return reply.call(this, 200, { received: true, settled: false });
		const others = index
			.filter((entry, i) => i !== itemIndex && entry !== null)
			.map((entry) => entry!.taskId);
		const verdict = await elect(current, {
			readOthers: async () => await readOthers.call(this, others, current),
			readTask: async (taskId) => await getTask.call(this, taskId),
			clock: webhookClock,
		});
		if ('retry' in verdict) return reply.call(this, 503, { received: true, retry: true });
		if ('waitingFor' in verdict)
			return reply.call(this, 200, { received: true, waitingFor: verdict.waitingFor });
		if (!verdict.resume)
			return reply.call(this, 200, {
				received: true,
				settled: true,
				resumesWith: verdict.resumesWith,
			});
		tasks = verdict.tasks;
	} catch (error) {
		// Not 2xx: hiapi delivers again, and the execution keeps waiting with nothing lost.
		this.logger.warn(
			`${this.getNode().name} (Wait for Callback) could not check the batch on a callback: ${error instanceof Error ? error.message : String(error)}`,
		);
		return reply.call(this, 503, { error: 'temporarily unable to check the batch', retry: true });
	}
	if (!claimResume(claim)) return reply.call(this, 200, { received: true, resuming: true });

	// The last task has settled. hiapi gets its answer only when the outputs are in n8n's store (n8n
	// answers as webhook() returns): a process that dies while downloading leaves the callback
	// unanswered, so hiapi delivers it again and another call resumes, instead of the batch sitting
	// until its deadline as "timed out". A redelivery that reaches this process meanwhile is answered
	// "resuming" by the claim.
	try {
		return {
			webhookResponse: { received: true, resumed: true },
			workflowData: [
				await batchOutput.call(
					this,
					this.evaluateExpression('{{ $input.all() }}', 0) as unknown as INodeExecutionData[],
					tasks,
				),
			],
		};
	} finally {
		resuming.set(claim, Date.now() + RESUMED_MEMORY_MS);
	}
}
