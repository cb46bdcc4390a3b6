import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { rawBodyOf, reply } from '../shared/callback/http';
import { MAX_CALLBACK_BYTES, parseCallback } from '../shared/callback/parse';
import { DEFAULT_TOLERANCE_S, verifySignature, verifyToken, type Verdict } from '../shared/callback/verify';
import { downloadOutputs } from '../shared/media/output';
import { taskJson } from '../shared/taskJson';
import { hiapiCredentials } from '../shared/transport/credentials';
import { getTask } from '../shared/transport/tasks';
import { isTerminal, type Task } from '../shared/types';
import { dedupFor } from './dedup';

/** The signing key, when the credential has one, overrides the node's own check: hiapi's signature is the stronger proof. */
async function authenticate(this: IWebhookFunctions, rawBody: Buffer): Promise<Verdict & { method: string }> {
	const credentials = await hiapiCredentials.call(this);
	const headers = this.getHeaderData() as Record<string, unknown>;
	if (credentials.signingSecret) {
		const toleranceS = Number(this.getNodeParameter('options.toleranceSeconds', DEFAULT_TOLERANCE_S));
		return { ...verifySignature(rawBody, headers, credentials.signingSecret, { toleranceS }), method: 'signature' };
	}
	const mode = this.getNodeParameter('authentication', 'token') as string;
	if (mode === 'token') {
		const query = this.getQueryData() as Record<string, unknown>;
		return { ...verifyToken(query.token, String(this.getNodeParameter('token', '')), 'token query parameter'), method: mode };
	}
	if (mode === 'header') {
		const name = String(this.getNodeParameter('headerName', '')).toLowerCase();
		return { ...verifyToken(headers[name], String(this.getNodeParameter('headerValue', '')), `${name || 'header'} value`), method: mode };
	}
	return { ok: true, method: 'none' };
}

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
	const auth = await authenticate.call(this, rawBody);
	if (!auth.ok) {
		this.logger.warn(`HiAPI Trigger rejected a callback (${auth.method}): ${auth.reason}`);
		return reply.call(this, 401, { error: 'Unauthorized' });
	}
	const parsed = parseCallback(rawBody);
	if (!parsed.ok) return reply.call(this, parsed.status, { error: parsed.reason });

	const node = this.getNode();
	const dedup = dedupFor(this.getWorkflowStaticData('node'), `${this.getWorkflow().id ?? ''}:${node.id}`, parsed.task.taskId);
	const claim = dedup.claim();
	if (claim === 'seen') return reply.call(this, 200, { received: true, duplicate: true });
	// A concurrent copy is still being handled: a non-2xx makes hiapi try it again later, when it is either done or failed.
	if (claim === 'in-flight') return reply.call(this, 409, { error: 'already being handled', retry: true });

	try {
		let task: Task = parsed.task;
		const confirm = this.getNodeParameter('confirm', true) !== false;
		if (confirm) {
			task = await getTask.call(this, parsed.task.taskId);
			if (!isTerminal(task.status)) {
				dedup.abandon();
				return reply.call(this, 409, { error: `task is still ${task.status}`, retry: true });
			}
		}
		const events = this.getNodeParameter('events', 'both') as string;
		if ((events === 'success' && task.status !== 'success') || (events === 'fail' && task.status !== 'fail')) {
			dedup.done();
			return reply.call(this, 200, { received: true, ignored: `${task.status} events are off` });
		}
		const json = taskJson(task);
		// An unauthenticated body's URL is never fetched; hiapi's own answer (confirm) or a verified sender makes it trustworthy.
		const trusted = confirm || auth.method !== 'none';
		let binary;
		if (task.status === 'success' && this.getNodeParameter('download', true) !== false) {
			if (trusted) binary = await downloadOutputs.call(this, task, 'data');
			else json.downloadSkipped = 'The sender is not authenticated and Confirm With HiAPI is off, so the URL was not fetched';
		}
		dedup.done();
		return {
			webhookResponse: { received: true, taskId: task.taskId },
			workflowData: [[{ json, ...(binary ? { binary } : {}) }]],
		};
	} catch (error) {
		dedup.abandon();
		// hiapi does not know the task: a forged or foreign callback, not worth a redelivery.
		if ((error as { httpCode?: unknown }).httpCode === '404') {
			return reply.call(this, 400, { error: 'unknown task', taskId: parsed.task.taskId });
		}
		const message = error instanceof Error ? error.message : String(error);
		this.logger.warn(`HiAPI Trigger could not hand over task ${parsed.task.taskId}: ${message}`);
		// Not 2xx, so hiapi delivers again later.
		return reply.call(this, 502, { error: message, taskId: parsed.task.taskId });
	}
}
