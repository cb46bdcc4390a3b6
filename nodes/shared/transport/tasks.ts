import { randomUUID } from 'crypto';

import { isTerminal, type SubmitBody, type Submitted, type Task, type TaskOutput } from '../types';
import { taskError } from './errors';
import { hiapiRequest, type HiApiContext } from './request';
import { sleepUnlessCancelled } from './sleep';
import type { TaskBoard } from './taskBoard';

/** hiapi's limit for Idempotency-Key, in bytes. */
export const MAX_IDEMPOTENCY_KEY_BYTES = 255;

function text(value: unknown): string {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function field(value: unknown, key: string): unknown {
	return value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

/** Unix seconds from a number, a numeric string or a date string; 0 when unreadable. */
export function unixSeconds(value: unknown): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '') {
		if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
		const ms = Date.parse(value);
		if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
	}
	return 0;
}

/**
 * hiapi's statuses are `success` and `fail`; other spellings seen in task APIs end a task the same
 * way, so they are read as those two here, once, for every mode and the trigger. Anything else
 * (including names we do not know yet) means "still running".
 */
const SUCCEEDED = new Set(['success', 'succeeded', 'completed']);
const FAILED = new Set(['fail', 'failed', 'error', 'cancelled', 'canceled']);

export function normalizeStatus(value: unknown): string {
	const status = text(value).trim();
	const lower = status.toLowerCase();
	if (SUCCEEDED.has(lower)) return 'success';
	if (FAILED.has(lower)) return 'fail';
	return status || 'unknown';
}

/**
 * Reads a task object defensively: hiapi may add fields, omit some, or (in a callback) wrap the
 * task in its {code,message,data} envelope. Malformed output entries are skipped, as the SDK does.
 */
export function normalizeTask(raw: unknown): Task | undefined {
	if (!raw || typeof raw !== 'object') return undefined;
	let record = raw as Record<string, unknown>;
	if (!record.taskId && record.data && typeof record.data === 'object') {
		record = record.data as Record<string, unknown>;
	}
	const taskId = text(record.taskId);
	if (!taskId) return undefined;
	const output: TaskOutput[] = [];
	if (Array.isArray(record.output)) {
		for (const entry of record.output) {
			if (!entry || typeof entry !== 'object') continue;
			const item = entry as Record<string, unknown>;
			if (typeof item.url !== 'string' || item.url === '') continue;
			output.push({
				url: item.url,
				// Left empty when hiapi gives none: the download labels it by the Content-Type it was served with.
				type: text(item.type),
				expireAt: unixSeconds(item.expireAt),
			});
		}
	}
	const task: Task = {
		taskId,
		model: text(record.model),
		status: normalizeStatus(record.status),
		created: unixSeconds(record.created),
		completed: unixSeconds(record.completed),
		output,
	};
	if (record.error && typeof record.error === 'object') {
		const error = record.error as Record<string, unknown>;
		task.error = { code: text(error.code) || 'TASK_FAILED', message: text(error.message) };
	} else if (task.status === 'fail') {
		task.error = { code: 'TASK_FAILED', message: '' };
	}
	return task;
}

export interface SubmitOptions {
	/** A user-chosen key makes re-runs return the first task; otherwise a fresh one per submit still makes our own retries safe. */
	idempotencyKey?: string;
	/** The user set the key (a 422 is then about their key), rather than the node deriving it. */
	keyByUser?: boolean;
	itemIndex?: number;
	signal?: AbortSignal;
}

export async function submitTask(
	this: HiApiContext,
	body: SubmitBody,
	opts: SubmitOptions = {},
): Promise<Submitted> {
	const idempotencyKey = opts.idempotencyKey || randomUUID();
	const about = {
		itemIndex: opts.itemIndex,
		model: body.model,
		idempotencyKey,
		keyByUser: opts.keyByUser,
	};
	const response = await hiapiRequest.call(this, {
		method: 'POST',
		path: '/v1/tasks',
		body,
		idempotencyKey,
		signal: opts.signal,
		about,
	});
	const taskId = text(field(response.data, 'taskId'));
	if (!taskId) {
		throw taskError(
			{ node: this.getNode(), ...about },
			'hiapi accepted the request but its answer carried no task ID',
			'The task may exist: check your hiapi task list before running again.',
		);
	}
	const replayHeader = response.headers['idempotent-replay'];
	return { taskId, replayed: String(replayHeader).toLowerCase() === 'true' };
}

export async function getTask(
	this: HiApiContext,
	taskId: string,
	opts: { itemIndex?: number; signal?: AbortSignal } = {},
): Promise<Task> {
	const about = { itemIndex: opts.itemIndex, taskId };
	const response = await hiapiRequest.call(this, {
		method: 'GET',
		path: `/v1/tasks/${encodeURIComponent(taskId)}`,
		signal: opts.signal,
		about,
	});
	const task = normalizeTask(response.data);
	if (!task) {
		throw taskError({ node: this.getNode(), ...about }, 'hiapi answered with no readable task');
	}
	return task;
}

export async function listTasks(
	this: HiApiContext,
	page = 1,
	size = 20,
	opts: { signal?: AbortSignal; retries?: number } = {},
): Promise<Task[]> {
	const response = await hiapiRequest.call(this, {
		method: 'GET',
		path: '/v1/tasks',
		qs: { page, size },
		signal: opts.signal,
		retries: opts.retries,
	});
	const tasks = field(response.data, 'tasks');
	if (!Array.isArray(tasks)) return [];
	return tasks.map(normalizeTask).filter((task): task is Task => task !== undefined);
}

export interface WaitOptions {
	intervalMs: number;
	/** Absolute deadline (epoch ms): the wait gives up then, leaving the task running at hiapi. */
	deadline: number;
	itemIndex?: number;
	signal?: AbortSignal;
	/** Called after each read, e.g. for progress or benchmarks. */
	onRead?: (task: Task) => void;
	/** The run's shared status reader (see taskBoard.ts); without it each read is the task's own GET. */
	board?: TaskBoard;
}

/** Polls until the task settles. Never resubmits: on timeout or cancel the error names the task to fetch later. */
export async function waitForTask(
	this: HiApiContext,
	taskId: string,
	opts: WaitOptions,
): Promise<Task> {
	const ctx = { node: this.getNode(), itemIndex: opts.itemIndex, taskId };
	const fetchLater =
		'The task keeps running at hiapi: fetch its result later with the Get Task operation instead of running again.';
	// Reads are spaced from the start of the previous one, so a read's own round trip does not
	// stretch the interval: a finished task is seen within one interval.
	let lastRead = Date.now();
	for (;;) {
		const remaining = opts.deadline - Date.now();
		if (remaining <= 0) {
			opts.board?.forget(taskId);
			throw taskError(
				{ ...ctx, taskStatus: 'timeout' },
				'Timed out waiting for hiapi to finish the task',
				fetchLater,
			);
		}
		const wait = Math.max(0, opts.intervalMs - (Date.now() - lastRead));
		if (!(await sleepUnlessCancelled(Math.min(wait, remaining), opts.signal))) {
			opts.board?.forget(taskId);
			throw taskError(
				{ ...ctx, taskStatus: 'cancelled' },
				'The execution was cancelled while waiting for the task',
				fetchLater,
			);
		}
		const since = lastRead;
		lastRead = Date.now();
		const task = opts.board
			? await opts.board.read(taskId, since, opts.itemIndex)
			: await getTask.call(this, taskId, { itemIndex: opts.itemIndex, signal: opts.signal });
		opts.onRead?.(task);
		if (isTerminal(task.status)) return task;
	}
}
