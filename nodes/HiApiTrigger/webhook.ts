import type {
	IBinaryKeyData,
	IDataObject,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { rawBodyOf, reply } from '../shared/callback/http';
import { MAX_CALLBACK_BYTES, parseCallback } from '../shared/callback/parse';
import type { CallbackCredentials } from '../shared/callback/secrets';
import { downloadOutputs, isPermanentDownloadFailure } from '../shared/media/output';
import { taskJson } from '../shared/taskJson';
import { hiapiCredentials } from '../shared/transport/credentials';
import { getTask } from '../shared/transport/tasks';
import { isTerminal, type Task } from '../shared/types';
import { authenticate, authenticationOf } from './auth';
import { dedupFor } from './dedup';

/** What any caller gets when the fault is on this side: the details go to n8n's log, never to the caller. */
const NOT_HANDLED = {
	error: 'The callback could not be handled; deliver it again later',
	retry: true,
};

/**
 * One hiapi callback → at most one execution. Order: size, sender, body, duplicates, then hiapi's
 * own word on the task; only then is an output URL fetched, so a forged body never makes n8n
 * fetch an address of the sender's choosing.
 */
export async function handleCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const rawBody = rawBodyOf.call(this);
	if (rawBody.length > MAX_CALLBACK_BYTES) {
		return reply.call(this, 400, { error: `body over ${MAX_CALLBACK_BYTES} bytes` });
	}
	const mode = authenticationOf.call(this);
	const credentials: CallbackCredentials = await hiapiCredentials.call(this);
	const auth = authenticate.call(this, mode, credentials, rawBody);
	if (!auth.ok && auth.kind === 'unconfigured') {
		// Publishing refuses this setup; it can still happen when the credential is edited afterwards.
		// A 5xx makes hiapi deliver again, so callbacks are not lost once the credential is fixed.
		this.logger.error(
			`HiAPI Trigger refused a callback: Authentication '${mode}' needs the ${auth.missing} in the HiAPI credential, which is empty`,
		);
		return reply.call(this, 500, NOT_HANDLED);
	}
	if (!auth.ok && auth.kind === 'misconfigured') {
		// Publishing refuses this too; an expression can still change its value later. 5xx: hiapi delivers again.
		this.logger.error(`HiAPI Trigger refused a callback: ${auth.reason}`);
		return reply.call(this, 500, NOT_HANDLED);
	}
	if (!auth.ok) {
		this.logger.warn(`HiAPI Trigger rejected a callback (${mode}): ${auth.reason}`);
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	const parsed = parseCallback(rawBody);
	if (!parsed.ok) return reply.call(this, parsed.status, { error: parsed.reason });
	const { taskId } = parsed.task;

	const node = this.getNode();
	const dedup = dedupFor(
		this.getWorkflowStaticData('node'),
		`${this.getWorkflow().id ?? ''}:${node.id}`,
		taskId,
	);
	const claim = dedup.claim();
	if (claim === 'seen') return reply.call(this, 200, { received: true, duplicate: true });
	// A concurrent copy is still being handled: a non-2xx makes hiapi try it again later, when it is either done or failed.
	if (claim === 'in-flight')
		return reply.call(this, 409, { error: 'already being handled', retry: true });

	try {
		let task: Task = parsed.task;
		const confirm = this.getNodeParameter('confirm', true) !== false;
		if (confirm) {
			task = await getTask.call(this, taskId);
			if (!isTerminal(task.status)) {
				dedup.abandon();
				return reply.call(this, 409, { error: `task is still ${task.status}`, retry: true });
			}
		}
		const events = this.getNodeParameter('events', 'both') as string;
		if (
			(events === 'success' && task.status !== 'success') ||
			(events === 'fail' && task.status !== 'fail')
		) {
			dedup.done();
			return reply.call(this, 200, { received: true, ignored: `${task.status} events are off` });
		}
		// An unauthenticated body's URL is never fetched; hiapi's own answer (confirm) or a verified sender makes it trustworthy.
		const trusted = confirm || mode !== 'none';
		let binary;
		let skipped: string | undefined;
		if (task.status === 'success' && this.getNodeParameter('download', true) !== false) {
			if (trusted) {
				const downloaded = await downloadOutputs.call(this, task, 'data').then(
					(files) => ({ files }),
					(error: unknown) => ({ error }),
				);
				if ('error' in downloaded) {
					if (!isPermanentDownloadFailure(downloaded.error)) {
						dedup.abandon();
						return notHandled.call(this, taskId, downloaded.error);
					}
					// No redelivery can cure an expired link or a file over a limit: the workflow starts
					// with an error item naming the task, so the user sees it (and hiapi stops retrying).
					this.logger.warn(
						`HiAPI Trigger: task ${taskId} finished but its output was not kept: ${(downloaded.error as Error).message}`,
					);
					dedup.done();
					return started(task, { error: notDownloaded(downloaded.error) });
				}
				binary = downloaded.files;
			} else
				skipped =
					'The sender is not authenticated and Confirm With HiAPI is off, so the URL was not fetched';
		}
		dedup.done();
		// After the download: an output without a type is labelled by the Content-Type it was served with.
		return started(task, skipped ? { downloadSkipped: skipped } : {}, binary);
	} catch (error) {
		dedup.abandon();
		if ((error as { httpCode?: unknown }).httpCode === '404')
			return unknownTask.call(this, mode, taskId);
		return notHandled.call(this, taskId, error);
	}
}

/** A failure a later delivery may not meet (hiapi or the file host briefly down): not 2xx, so hiapi delivers again. */
function notHandled(this: IWebhookFunctions, taskId: string, error: unknown): IWebhookResponseData {
	const message = error instanceof Error ? error.message : String(error);
	this.logger.warn(`HiAPI Trigger could not hand over task ${taskId}: ${message}`);
	return reply.call(this, 502, NOT_HANDLED);
}

/**
 * hiapi does not know the task for this credential's API key. With an authenticated sender (hiapi
 * signed it, or it knew the token) the likely cause is a credential of another hiapi account:
 * n8n's log names the task and the fix, and so does the answer, which only that sender sees.
 * Without authentication it is as likely a forgery, which learns nothing.
 */
function unknownTask(this: IWebhookFunctions, mode: string, taskId: string): IWebhookResponseData {
	if (mode === 'none') return reply.call(this, 400, { error: 'unknown task' });
	const fix =
		'Select, in the HiAPI Trigger, a HiAPI credential whose API key belongs to the hiapi account that submitted the task';
	this.logger.warn(
		`HiAPI Trigger: hiapi answered 404 for task ${taskId}, although the callback passed '${mode}' authentication: the credential's API key is probably of another hiapi account. ${fix}.`,
	);
	return reply.call(this, 400, {
		error: "unknown task: hiapi does not know it for this trigger's API key",
		taskId,
		fix,
	});
}

/** The error of an output that could not be kept, for the item json: what happened and what to do. */
function notDownloaded(error: unknown): IDataObject {
	const { message, description } = error as { message: string; description?: string | null };
	return { code: 'OUTPUT_NOT_DOWNLOADED', message, ...(description ? { description } : {}) };
}

/** Starts the workflow with one item for the task. */
function started(task: Task, extra: IDataObject, binary?: IBinaryKeyData): IWebhookResponseData {
	const json = { ...taskJson(task), ...extra };
	return {
		webhookResponse: { received: true, taskId: task.taskId },
		workflowData: [[{ json, ...(binary ? { binary } : {}) }]],
	};
}
