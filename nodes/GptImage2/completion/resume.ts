import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { rawBodyOf, reply } from '../../shared/callback/http';
import { MAX_CALLBACK_BYTES, parseCallback } from '../../shared/callback/parse';
import { safeEqual, verifySignature } from '../../shared/callback/verify';
import { downloadOutputs } from '../../shared/images/output';
import { mapPool } from '../../shared/pool';
import { failureMessage, taskJson } from '../../shared/taskJson';
import { hiapiCredentials } from '../../shared/transport/credentials';
import { withTaskId } from '../../shared/transport/errors';
import { getTask, listTasks } from '../../shared/transport/tasks';
import { isTerminal, type Task } from '../../shared/types';
import { isPending, itemKey } from './batch';

/** One list page covers a batch of this many tasks with a single request. */
const LIST_PAGE_SIZE = 100;
/** How far back the list is read for the batch's other tasks before falling back to single reads. */
const MAX_LIST_PAGES = 5;
const DOWNLOAD_CONCURRENCY = 5;
/** Long enough for a resume to finish its downloads; after it, a later callback may try again. */
const RESUME_CLAIM_MS = 120_000;

/**
 * Executions this process is resuming. Several callbacks can each find the batch settled: n8n 2.x
 * lets one resume through and refuses the others, but only after each has downloaded every image;
 * n8n 1.x resumes once per such call and runs the rest of the workflow again each time (measured).
 */
const resuming = new Map<string, number>();

function claimResume(key: string): boolean {
	const now = Date.now();
	for (const [k, at] of resuming) if (now - at > RESUME_CLAIM_MS) resuming.delete(k);
	if (resuming.has(key)) return false;
	resuming.set(key, now);
	return true;
}

/**
 * The other tasks of the batch, read from the task list (newest first) rather than one by one,
 * so no task is read before its own callback: a batch of N costs one list read per callback.
 */
async function readOthers(this: IWebhookFunctions, taskIds: string[]): Promise<Map<string, Task>> {
	const found = new Map<string, Task>();
	const wanted = new Set(taskIds);
	for (let page = 1; page <= MAX_LIST_PAGES && found.size < wanted.size; page++) {
		const tasks = await listTasks.call(this, page, LIST_PAGE_SIZE);
		for (const task of tasks) if (wanted.has(task.taskId)) found.set(task.taskId, task);
		if (tasks.length < LIST_PAGE_SIZE) break;
	}
	// Defensive: a task the list did not show is read on its own.
	for (const taskId of wanted) if (!found.has(taskId)) found.set(taskId, await getTask.call(this, taskId));
	return found;
}

async function outputFor(
	this: IWebhookFunctions,
	stateItem: INodeExecutionData,
	task: Task,
	itemIndex: number,
	outputProperty: string,
	download: boolean,
): Promise<INodeExecutionData> {
	const pairedItem = { item: itemIndex };
	const echo = { prompt: stateItem.json.prompt, aspectRatio: stateItem.json.aspectRatio, resolution: stateItem.json.resolution };
	if (task.status !== 'success') {
		return { json: { error: withTaskId(failureMessage(task), task.taskId), taskId: task.taskId }, pairedItem };
	}
	const json = { ...taskJson(task), ...echo };
	if (!download) return { json, pairedItem };
	try {
		return { json, binary: await downloadOutputs.call(this, task, outputProperty, { itemIndex }), pairedItem };
	} catch (error) {
		return { json: { error: error instanceof Error ? error.message : String(error), taskId: task.taskId }, pairedItem };
	}
}

/**
 * A callback into the paused execution. It resumes only when every task of the batch has
 * settled; until then it answers 200 and leaves the execution waiting. Nothing written here
 * survives between calls (n8n saves nothing for a non-resuming call), so each call re-derives the
 * batch's state from the paused input and from hiapi; a lost early callback heals on the next one.
 */
export async function resumeWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const rawBody = rawBodyOf.call(this);
	if (rawBody.length > MAX_CALLBACK_BYTES) return reply.call(this, 400, { error: 'body too large' });

	const credentials = await hiapiCredentials.call(this);
	const query = this.getQueryData() as Record<string, unknown>;
	const itemIndex = Number(query.item);
	const expectedKey = Number.isInteger(itemIndex) ? itemKey(credentials.apiKey, this.getExecutionId(), itemIndex) : '';
	if (!expectedKey || typeof query.k !== 'string' || !safeEqual(query.k, expectedKey)) {
		this.logger.warn('GPT Image 2 rejected a callback: missing or wrong item key');
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	if (credentials.signingSecret) {
		const verdict = verifySignature(rawBody, this.getHeaderData() as Record<string, unknown>, credentials.signingSecret);
		if (!verdict.ok) {
			this.logger.warn(`GPT Image 2 rejected a callback: ${verdict.reason}`);
			return reply.call(this, 401, { error: 'Unauthorized' });
		}
	}
	const parsed = parseCallback(rawBody);
	if (!parsed.ok) return reply.call(this, parsed.status, { error: parsed.reason });

	const state = this.evaluateExpression('{{ $input.all() }}', 0) as unknown as INodeExecutionData[];
	const own = state[itemIndex];
	if (!isPending(own) || own.json.taskId !== parsed.task.taskId) {
		// Already settled or not this item's task: a late duplicate or a stray call, nothing to do.
		return reply.call(this, 200, { received: true, ignored: true });
	}

	let claimed: string | undefined;
	try {
		const current = await getTask.call(this, own.json.taskId);
		if (!isTerminal(current.status)) return reply.call(this, 200, { received: true, settled: false });
		const others = state.filter((item, i) => i !== itemIndex && isPending(item)).map((item) => String(item.json.taskId));
		const tasks = others.length ? await readOthers.call(this, others) : new Map<string, Task>();
		tasks.set(current.taskId, current);
		const waiting = [...tasks.values()].filter((task) => !isTerminal(task.status)).length;
		if (waiting > 0) return reply.call(this, 200, { received: true, waitingFor: waiting });

		const claim = `${this.getWorkflow().id ?? ''}:${this.getExecutionId()}`;
		if (!claimResume(claim)) return reply.call(this, 200, { received: true, resuming: true });
		claimed = claim;
		// The last task has settled: acknowledge now so hiapi does not redeliver during the downloads.
		this.getResponseObject().status(200).json({ received: true, resumed: true });
		const outputProperty = String(this.getNodeParameter('options.outputBinaryPropertyName', 'data') || 'data').trim();
		const download = this.getNodeParameter('options.download', true) !== false;
		const output: INodeExecutionData[] = state.map((item, i) => ({ json: item.json, pairedItem: { item: i } }));
		await mapPool(
			state.map((_, i) => i).filter((i) => isPending(state[i])),
			DOWNLOAD_CONCURRENCY,
			async (i) => {
				output[i] = await outputFor.call(this, state[i], tasks.get(String(state[i].json.taskId))!, i, outputProperty, download);
			},
		);
		return { noWebhookResponse: true, workflowData: [output] };
	} catch (error) {
		if (claimed) {
			// The callback was already acknowledged: release the claim so another delivery can resume.
			resuming.delete(claimed);
			return { noWebhookResponse: true };
		}
		// Not 2xx: hiapi delivers again, and the execution keeps waiting with nothing lost.
		const message = error instanceof Error ? error.message : String(error);
		return reply.call(this, 503, { error: message });
	}
}
