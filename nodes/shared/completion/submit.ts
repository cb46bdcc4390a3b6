import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { derivedKey, MAX_KEY_ATTEMPTS } from '../transport/idempotency';
import { getTask, submitTask } from '../transport/tasks';
import type { SubmitBody, Task } from '../types';
import type { TaskRequest } from './request';
import type { RunSettings } from './settings';

export interface SubmittedTask {
	taskId: string;
	replayed: boolean;
	/** The task as read when an earlier try's task was picked up again (it may have settled already). */
	task?: Task;
	/** An earlier execution (before n8n's Retry) created the task: its callback goes there, not here. */
	reportsElsewhere?: boolean;
}

/**
 * Submits one item's task and records it in the run's ledger. Without a user key, the key is derived
 * from the execution chain, node, run, item and request: when n8n runs the node again (Retry On Fail,
 * or n8n's Retry of the execution), the task the earlier try created is taken up again instead of
 * billing a new one: from this node's record of earlier tries when n8n kept it (see
 * earlierTries.ts; no request at all), else from hiapi's replay of the key. A picked-up task that
 * had failed is submitted anew under the next key: a retry is meant to try again what failed, and
 * only that.
 */
export async function submitItem(
	this: IExecuteFunctions,
	request: TaskRequest,
	itemIndex: number,
	settings: RunSettings,
	callback?: SubmitBody['callback'],
): Promise<SubmittedTask> {
	try {
		return await submitOnce.call(this, request, itemIndex, settings, callback);
	} catch (error) {
		const alternate = request.alternate;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- submitOnce throws n8n's own errors already (NodeApiError from the transport, with the task ID and item): re-wrapping would drop them
		if (!alternate || !refusesField(error, alternate.refusedField)) throw error;
		this.logger.info(
			`hiapi does not take '${alternate.refusedField}' for ${request.body.model}: sending the request again with its other field name`,
			{ itemIndex, node: this.getNode().name },
		);
		const retried = { ...request, body: alternate.body, alternate: undefined };
		return await submitOnce.call(this, retried, itemIndex, settings, callback);
	}
}

/** hiapi's 400 for a field its schema does not list names the field: "additional properties not allowed: 'x'". */
function refusesField(error: unknown, field: string): boolean {
	if (!(error instanceof NodeApiError) || error.httpCode !== '400') return false;
	const said = `${error.message} ${error.description ?? ''} ${JSON.stringify(error.errorResponse ?? {})}`;
	return /additional propert/i.test(said) && said.includes(`'${field}'`);
}

async function submitOnce(
	this: IExecuteFunctions,
	request: TaskRequest,
	itemIndex: number,
	settings: RunSettings,
	callback?: SubmitBody['callback'],
): Promise<SubmittedTask> {
	const body: SubmitBody = callback ? { ...request.body, callback } : request.body;
	const common = { itemIndex, signal: settings.signal };
	const running = callback ? 'submitted' : 'still running';
	if (request.idempotencyKey) {
		const submitted = await submitTask.call(this, body, {
			...common,
			idempotencyKey: request.idempotencyKey,
			keyByUser: true,
		});
		settings.ledger.created(itemIndex, submitted.taskId, running);
		logCreated.call(this, submitted.taskId, itemIndex, submitted.replayed);
		return submitted;
	}
	const executionId = this.getExecutionId();
	for (let attempt = 0; ; attempt++) {
		const idempotencyKey = derivedKey(settings.keyScope, itemIndex, body, attempt);
		const earlier = settings.tries.tasks[idempotencyKey];
		let submitted: SubmittedTask;
		if (earlier) {
			submitted = {
				taskId: earlier.taskId,
				replayed: true,
				reportsElsewhere: earlier.executionId !== executionId,
			};
		} else {
			submitted = await submitTask.call(this, body, { ...common, idempotencyKey });
			settings.tries.tasks[idempotencyKey] = { taskId: submitted.taskId, executionId };
		}
		logCreated.call(this, submitted.taskId, itemIndex, submitted.replayed);
		if (!submitted.replayed) {
			settings.ledger.created(itemIndex, submitted.taskId, running);
			return submitted;
		}
		const task = await getTask.call(this, submitted.taskId, common);
		if (task.status !== 'fail' || attempt + 1 >= MAX_KEY_ATTEMPTS) {
			settings.ledger.created(itemIndex, task.taskId, running);
			return { ...submitted, task };
		}
		settings.ledger.created(itemIndex, task.taskId, 'failed');
	}
}

/** Whether an earlier try of this node created this item's task (so it is taken up, not submitted). */
export function triedBefore(
	request: TaskRequest,
	itemIndex: number,
	settings: RunSettings,
): boolean {
	if (request.idempotencyKey) return false;
	return derivedKey(settings.keyScope, itemIndex, request.body) in settings.tries.tasks;
}

/**
 * n8n's log is what survives a crash of the process running the node (the execution's own data is
 * saved only when the node returns), so each task ID is written there as soon as hiapi gives it.
 */
function logCreated(
	this: IExecuteFunctions,
	taskId: string,
	itemIndex: number,
	replayed: boolean,
): void {
	this.logger.info(`hiapi task ${replayed ? 'picked up again' : 'created'}: ${taskId}`, {
		taskId,
		itemIndex,
		executionId: this.getExecutionId(),
		node: this.getNode().name,
		workflowId: this.getWorkflow().id,
	});
}
