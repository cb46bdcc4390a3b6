import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { rawBodyOf, reply } from '../callback/http';
import { MAX_CALLBACK_BYTES, parseCallback } from '../callback/parse';
import { verifySignature } from '../callback/verify';
import { errorItem } from '../outcome/errorItem';
import { mapPool } from '../pool';
import { hiapiCredentials } from '../transport/credentials';
import { taskError } from '../transport/errors';
import { getTask, listTasks } from '../transport/tasks';
import { isTerminal, type Task } from '../types';
import {
	isPending,
	itemKey as legacyItemKey,
	itemKeyMatches,
	settledItem,
	type PendingItem,
} from './batch';

/** One list page covers a batch of this many tasks with a single request. */
const LIST_PAGE_SIZE = 100;
/** How far back the list is read for the batch's other tasks (2,000 tasks) before falling back to single reads. */
const MAX_LIST_PAGES = 20;
const DOWNLOAD_CONCURRENCY = 5;
/** hiapi's `completed` is in whole seconds, from hiapi's clock: a margin for the two clocks. */
const SAME_SECOND_MARGIN_S = 2;
/** "Near the batch's end": at most this many of its tasks still unfinished in the list. */
const NEAR_END_TASKS = 50;
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

/**
 * A task as the list shows it is trusted only when it is settled and complete: a list that lags
 * behind single reads, or an entry without its output, is checked with a read of that task.
 */
function trustworthy(task: Task | undefined): task is Task {
	return (
		!!task && (task.status === 'fail' || (task.status === 'success' && task.output.length > 0))
	);
}

/** The order that picks the resuming callback: the later `completed`, then the higher task ID. */
function settlesAfter(a: Task, b: Task): boolean {
	return a.completed > b.completed || (a.completed === b.completed && a.taskId > b.taskId);
}

/** The task that settled last. */
function lastSettled(tasks: Iterable<Task>): Task {
	let last: Task | undefined;
	for (const task of tasks) if (!last || settlesAfter(task, last)) last = task;
	return last!;
}

/**
 * Whether this callback is the one that resumes the settled batch. Callbacks reach any webhook
 * processor and processes share nothing n8n gives a webhook, yet only one of them may download the
 * outputs and resume (n8n 1.x resumes once per resuming call; 2.x lets one through, after each has
 * downloaded everything). So the choice is one every process makes alike from hiapi's own data:
 * the callback of the task that settled last. Its callback cannot have been handled before the
 * rest settled, since they settled before it did; hiapi delivers it until it is answered, so a
 * process dying mid-download hands the resume to the next delivery. `completed` is in whole
 * seconds, so tasks of the last second are ordered by ID; `mayBeLastOfItsSecond` covers the
 * callback handled before another task of its second settled.
 */
function resumesBatch(own: Task, last: Task): boolean {
	// Without completion times (hiapi did not say) there is no order: any settled view resumes.
	if (own.completed === 0 || last.completed === 0) return true;
	return own.taskId === last.taskId;
}

/**
 * The one case the choice above could leave the batch waiting: this callback is handled within the
 * second its task settled, while other tasks still run; if they all settled within that same
 * second with lower IDs, this task would be the chosen one and its callback already answered. So
 * it is answered "try again" instead, and hiapi's next delivery (seconds later) decides. Only near
 * a batch's end (few tasks left, as the list shows them) and only while that second lasts, so
 * almost every callback is handled once.
 */
function mayBeLastOfItsSecond(own: Task, unfinishedSeen: number | undefined): boolean {
	if (own.completed === 0) return false;
	const nowS = Date.now() / 1000;
	return nowS < own.completed + SAME_SECOND_MARGIN_S && (unfinishedSeen ?? 0) <= NEAR_END_TASKS;
}

interface OthersRead {
	tasks: Map<string, Task>;
	/** A task still running: the batch cannot resume yet. */
	waitingOn?: string;
	/** How many of the batch's tasks the list page showed unfinished, when it stopped there. */
	unfinishedSeen?: number;
	/** A settled task that settled after this callback's own: its callback resumes, not this one. */
	outrankedBy?: string;
}

/** Whether `other` rules this callback out of resuming; without completion times nothing does. */
function outranks(other: Task, own: Task): boolean {
	return other.completed !== 0 && own.completed !== 0 && settlesAfter(other, own);
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
			const later = entries.find((entry) => trustworthy(entry) && outranks(entry, own));
			if (later) return { tasks, outrankedBy: later.taskId };
			// The ones the list shows unfinished first: one read of such a task usually settles the question.
			entries.sort((a, b) => Number(trustworthy(a)) - Number(trustworthy(b)));
			for (const entry of entries)
				if (!(await settle(entry.taskId, entry)))
					return {
						tasks,
						waitingOn: entry.taskId,
						unfinishedSeen: entries.filter((e) => !trustworthy(e)).length,
					};
			if (listed.length < LIST_PAGE_SIZE) break;
		}
	} catch (error) {
		// The list is a shortcut: single reads below give the same answer.
		this.logger.debug(
			`GPT Image 2: task list unavailable, reading tasks one by one (${String(error)})`,
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
		this.logger.warn('GPT Image 2 rejected a callback: missing item or item key');
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	if (credentials.signingSecret) {
		const verdict = verifySignature(
			rawBody,
			this.getHeaderData() as Record<string, unknown>,
			credentials.signingSecret,
		);
		if (!verdict.ok) {
			this.logger.warn(`GPT Image 2 rejected a callback: ${verdict.reason}`);
			return reply.call(this, 401, { error: 'Unauthorized' });
		}
	}

	// The item key is checked against what the paused item kept of it, so a callback stays valid
	// however the credential changes while the batch waits.
	const state = this.evaluateExpression('{{ $input.all() }}', 0) as unknown as INodeExecutionData[];
	const own = state[itemIndex];
	const legacyKey = () => legacyItemKey(credentials.apiKey, this.getExecutionId(), itemIndex);
	if (!own) {
		this.logger.warn('GPT Image 2 rejected a callback: no such item');
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	if (!isPending(own)) {
		// Already settled: a late duplicate, nothing to do.
		return reply.call(this, 200, { received: true, ignored: true });
	}
	if (!itemKeyMatches(own, query.k, legacyKey)) {
		this.logger.warn('GPT Image 2 rejected a callback: wrong item key');
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	const parsed = parseCallback(rawBody);
	if (!parsed.ok) return reply.call(this, parsed.status, { error: parsed.reason });
	if (own.json.error.taskId !== parsed.task.taskId) {
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
				: await getTask.call(this, own.json.error.taskId);
		if (!isTerminal(current.status))
			return reply.call(this, 200, { received: true, settled: false });
		const others = state
			.filter((item, i) => i !== itemIndex && isPending(item))
			.map((item) => String((item as PendingItem).json.error.taskId));
		const read = await readOthers.call(this, others, current);
		if (read.outrankedBy)
			return reply.call(this, 200, {
				received: true,
				settled: true,
				resumesWith: read.outrankedBy,
			});
		if (read.waitingOn) {
			if (mayBeLastOfItsSecond(current, read.unfinishedSeen))
				return reply.call(this, 503, { received: true, retry: true, waitingFor: read.waitingOn });
			return reply.call(this, 200, { received: true, waitingFor: read.waitingOn });
		}
		tasks = read.tasks;
		tasks.set(current.taskId, current);
		const last = lastSettled(tasks.values());
		if (!resumesBatch(current, last))
			return reply.call(this, 200, { received: true, settled: true, resumesWith: last.taskId });
	} catch (error) {
		// Not 2xx: hiapi delivers again, and the execution keeps waiting with nothing lost.
		this.logger.warn(
			`GPT Image 2 could not check the batch on a callback: ${error instanceof Error ? error.message : String(error)}`,
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
			workflowData: [await batchOutput.call(this, state, tasks)],
		};
	} finally {
		resuming.set(claim, Date.now() + RESUMED_MEMORY_MS);
	}
}
