import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** Where a failure happened: enough for a message a user can act on. */
export interface FailureContext {
	node: INode;
	itemIndex?: number;
	taskId?: string;
	model?: string;
	idempotencyKey?: string;
	/** Whether the user chose the key (their 422 is their key's fault) or the node derived it. */
	keyByUser?: boolean;
	/** What became of the task, for error items: fail, timeout, cancelled, not downloaded... */
	taskStatus?: string;
}

export interface HttpFailure {
	statusCode: number;
	/** Parsed JSON when the body was JSON, else the raw text (possibly empty). */
	body: unknown;
}

/** Every message about a task ends with its id, so the work can be fetched later instead of resubmitted. */
export function withTaskId(message: string, taskId?: string): string {
	return taskId ? `${message} (task ID: ${taskId})` : message;
}

function errorFields(body: unknown): { code: string; message: string } {
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		const nested =
			record.error && typeof record.error === 'object'
				? (record.error as Record<string, unknown>)
				: {};
		const code = record.error_code ?? record.code ?? nested.code ?? '';
		const message = record.message ?? nested.message ?? '';
		return { code: String(code), message: String(message) };
	}
	return { code: '', message: typeof body === 'string' ? body.slice(0, 300) : '' };
}

/** hiapi names an unknown input field inside its message, e.g. "additional properties not allowed: 'size'". */
function additionalPropertyName(message: string): string | undefined {
	if (!/additional propert/i.test(message)) return undefined;
	const quoted = /['"`]([^'"`]+)['"`]/.exec(message);
	if (quoted) return quoted[1];
	const trailing = /:\s*([A-Za-z0-9_.-]+)\s*$/.exec(message);
	return trailing?.[1];
}

function explain(
	failure: HttpFailure,
	ctx: FailureContext,
): { message: string; description: string } {
	const { code, message: said } = errorFields(failure.body);
	const model = ctx.model ? `the model '${ctx.model}'` : 'this model';
	const detail = said
		? `hiapi said: ${said}${code ? ` [${code}]` : ''}`
		: `HTTP ${failure.statusCode}`;
	switch (failure.statusCode) {
		case 400: {
			const field = additionalPropertyName(said);
			if (field) {
				return {
					message: `hiapi does not accept the input field '${field}' for ${model}`,
					description: `Remove '${field}' (check the Additional Input option). ${detail}`,
				};
			}
			return {
				message: `hiapi rejected the request: ${said || 'invalid request'}`,
				description: detail,
			};
		}
		case 401:
			if (/permission/i.test(code) || /model/i.test(said)) {
				return {
					message: `This API key cannot use ${model}`,
					description: `Check that your hiapi plan includes ${model}, or use a key that does. ${detail}`,
				};
			}
			return {
				message: 'hiapi did not accept the API key',
				description: `Check the API key in the HiAPI credential. ${detail}`,
			};
		case 402:
			return {
				message: 'Your hiapi balance is too low for this request',
				description: `Top up the account in the hiapi console. ${detail}`,
			};
		case 403:
			return {
				message: 'hiapi refused this request for this account or key',
				description: `The key lacks permission for this action. ${detail}`,
			};
		case 404:
			return {
				message: ctx.taskId
					? 'hiapi does not know this task, or it belongs to another account'
					: 'hiapi answered Not Found',
				description: `Check the task ID and that the credential is the one that created it. ${detail}`,
			};
		case 409:
			return {
				message: 'hiapi was still processing an earlier request with the same idempotency key',
				description: `Run again in a moment; the first request's task will be returned. ${detail}`,
			};
		case 422:
			if (ctx.keyByUser) {
				return {
					message: `The Idempotency Key '${ctx.idempotencyKey ?? ''}' was already used for a different request`,
					description: `A key must identify one request: make it unique per item (e.g. include the prompt or an order ID). ${detail}`,
				};
			}
			return {
				message: `hiapi rejected the request${said ? `: ${said}` : ''}`,
				description: `The node made this request's idempotency key itself from the execution, node, item and the request, so the key already holds a task for this request with another callback: an earlier try of this execution (e.g. before n8n's Retry) created it and n8n did not save the record of it. Nothing was submitted again, so nothing is billed twice; find that task in your hiapi task list. ${detail}`,
			};
		case 429:
			return { message: 'hiapi is rate limiting this key; retries ran out', description: detail };
		case 503:
			return { message: 'hiapi is busy or unavailable; retries ran out', description: detail };
		default:
			return {
				message: `hiapi answered HTTP ${failure.statusCode}${said ? `: ${said}` : ''}`,
				description: detail,
			};
	}
}

/** Carries the task id (and what became of the task) in the error's context so error items can report it. */
function tagTask<T extends NodeApiError | NodeOperationError>(
	error: T,
	taskId?: string,
	taskStatus?: string,
): T {
	if (taskId) error.context.taskId = taskId;
	if (taskStatus) error.context.taskStatus = taskStatus;
	return error;
}

export function apiError(failure: HttpFailure, ctx: FailureContext): NodeApiError {
	const { message, description } = explain(failure, ctx);
	const response: JsonObject =
		failure.body && typeof failure.body === 'object'
			? (failure.body as JsonObject)
			: { body: String(failure.body ?? '') };
	return tagTask(
		new NodeApiError(ctx.node, response, {
			message: withTaskId(message, ctx.taskId),
			description,
			httpCode: String(failure.statusCode),
			itemIndex: ctx.itemIndex,
		}),
		ctx.taskId,
		ctx.taskStatus,
	);
}

export function taskError(
	ctx: FailureContext,
	message: string,
	description?: string,
): NodeOperationError {
	return tagTask(
		new NodeOperationError(ctx.node, withTaskId(message, ctx.taskId), {
			description,
			itemIndex: ctx.itemIndex,
		}),
		ctx.taskId,
		ctx.taskStatus,
	);
}

function contextText(error: unknown, key: 'taskId' | 'taskStatus'): string | undefined {
	if (error && typeof error === 'object' && 'context' in error) {
		const value = (error as { context?: Record<string, unknown> }).context?.[key];
		if (typeof value === 'string') return value;
	}
	return undefined;
}

export function taskIdOf(error: unknown): string | undefined {
	return contextText(error, 'taskId');
}

export function taskStatusOf(error: unknown): string | undefined {
	return contextText(error, 'taskStatus');
}

/** Errors leave the node as NodeApiError/NodeOperationError so n8n shows them properly; anything else is wrapped. */
export function asNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error), {
		itemIndex,
	});
}
