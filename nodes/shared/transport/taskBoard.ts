import { isTerminal, type Task } from '../types';
import type { HiApiContext } from './request';
import { getTask, listTasks } from './tasks';

/** hiapi's largest task-list page. */
const PAGE_SIZE = 100;

interface Snapshot {
	/** When the list read started: a task seen in it was in that state at least this late. */
	startedAt: number;
	tasks: Map<string, Task>;
}

/**
 * One run's shared status reader: every waiting task is read from hiapi's task list, one list read
 * per poll interval for the whole run instead of one GET per task. A task the list does not show, or
 * shows settled without its output (lists may lag or trim), is read by its own GET.
 */
export class TaskBoard {
	private readonly waiting = new Set<string>();
	private snapshot?: Snapshot;
	private pending?: Promise<Snapshot>;

	constructor(
		private readonly ctx: HiApiContext,
		private readonly signal?: AbortSignal,
	) {}

	/** Reads `taskId`'s status from a list read started after `since` (epoch ms). */
	async read(taskId: string, since: number, itemIndex?: number): Promise<Task> {
		this.waiting.add(taskId);
		let listed: Task | undefined;
		try {
			const snapshot = await this.snapshotAfter(since);
			listed = snapshot.tasks.get(taskId);
		} catch {
			// A failed list read is not the task's failure: its own GET decides.
		}
		const complete =
			listed &&
			(!isTerminal(listed.status) || listed.status !== 'success' || listed.output.length > 0);
		let settled = true;
		try {
			const task =
				listed && complete
					? listed
					: await getTask.call(this.ctx, taskId, { itemIndex, signal: this.signal });
			settled = isTerminal(task.status);
			return task;
		} finally {
			// A failed read ends the item's wait too: either way the list need not look for it.
			if (settled) this.waiting.delete(taskId);
		}
	}

	/** Stops looking for a task whose wait ended otherwise (deadline, cancel). */
	forget(taskId: string): void {
		this.waiting.delete(taskId);
	}

	private async snapshotAfter(since: number): Promise<Snapshot> {
		if (this.snapshot && this.snapshot.startedAt >= since) return this.snapshot;
		if (this.pending) {
			const current = await this.pending;
			if (current.startedAt >= since) return current;
		}
		if (!this.pending) {
			this.pending = this.readList().finally(() => (this.pending = undefined));
		}
		return await this.pending;
	}

	private async readList(): Promise<Snapshot> {
		const startedAt = Date.now();
		const wanted = new Set(this.waiting);
		const tasks = new Map<string, Task>();
		// Newest first: the run's own tasks are on the first pages. A page or two beyond what the
		// waiting tasks fill covers others' tasks created meanwhile; the rest are read by GET.
		const maxPages = Math.ceil(wanted.size / PAGE_SIZE) + 2;
		for (let page = 1; page <= maxPages; page++) {
			// No retries: a task the list misses is read by its own GET, which retries.
			const listed = await listTasks.call(this.ctx, page, PAGE_SIZE, {
				signal: this.signal,
				retries: 0,
			});
			for (const task of listed) {
				tasks.set(task.taskId, task);
				wanted.delete(task.taskId);
			}
			if (wanted.size === 0 || listed.length < PAGE_SIZE) break;
		}
		this.snapshot = { startedAt, tasks };
		return this.snapshot;
	}
}
