import { isTerminal, type Task } from '../../types';

/**
 * Which callback of a waiting batch resumes it. Callbacks reach any webhook processor and
 * processes share nothing n8n gives a webhook, yet only one of them may download the outputs and
 * resume (n8n 1.x resumes once per resuming call; 2.x lets one through, after each has downloaded
 * everything). So the choice is one every process makes alike from hiapi's own data: the callback
 * of the task that settled last (latest `completed`, then highest task ID). hiapi delivers a
 * callback until it is answered 2xx, so a process dying mid-download hands the resume on.
 *
 * `completed` is in whole seconds of hiapi's clock. The one way that choice could leave a batch
 * waiting: a callback answered "still waiting" while another task runs, that task then settling
 * within the same second with a lower ID, which makes the answered callback the chosen one. So a
 * callback that sees a task still running confirms it with a second read at least a second after
 * the first: a task still running then settles at least a second after this callback's task did,
 * so its callback outranks this one, and "still waiting" is safe. Only elapsed time on n8n's own
 * clock is used, never n8n's clock against hiapi's, so a skewed clock cannot stall a batch; and
 * only the callback that leads the batch so far waits, for at most about a second.
 */

/** The order that picks the resuming callback: the later `completed`, then the higher task ID. */
export function settlesAfter(a: Task, b: Task): boolean {
	return a.completed > b.completed || (a.completed === b.completed && a.taskId > b.taskId);
}

/** Whether `other` rules this callback out of resuming; without completion times nothing does. */
export function outranks(other: Task, own: Task): boolean {
	return other.completed !== 0 && own.completed !== 0 && settlesAfter(other, own);
}

/** The task that settled last. */
export function lastSettled(tasks: Iterable<Task>): Task {
	let last: Task | undefined;
	for (const task of tasks) if (!last || settlesAfter(task, last)) last = task;
	return last!;
}

/** What one look at the batch's other tasks found (see resume.ts's readOthers). */
export interface OthersRead {
	/** The other tasks found settled. */
	tasks: Map<string, Task>;
	/** A task still running: the batch cannot resume yet. */
	waitingOn?: string;
	/** A settled task that settled after this callback's own: its callback resumes, not this one. */
	outrankedBy?: string;
}

export interface ElectionClock {
	/** Milliseconds on n8n's clock: only differences are used. */
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface ElectionDeps {
	readOthers(): Promise<OthersRead>;
	/** A fresh read of one task. */
	readTask(taskId: string): Promise<Task>;
	clock: ElectionClock;
}

export type Verdict =
	| { resume: true; tasks: Map<string, Task> }
	| { resume: false; resumesWith: string }
	| { resume: false; waitingFor: string }
	/** Undecided after several looks (tasks kept settling): hiapi should deliver again. */
	| { resume: false; retry: true };

/** Reads this far apart (hiapi's `completed` is in whole seconds), plus a margin for the round trips. */
export const CONFIRM_GAP_MS = 1100;
/** Looks at the batch per callback before handing the question to hiapi's next delivery. */
export const MAX_LOOKS = 4;

/** Decides what one callback of a settled task does; see the module comment. */
export async function elect(own: Task, deps: ElectionDeps): Promise<Verdict> {
	for (let look = 0; look < MAX_LOOKS; look++) {
		const read = await deps.readOthers();
		const seenAt = deps.clock.now();
		if (read.outrankedBy) return { resume: false, resumesWith: read.outrankedBy };
		if (!read.waitingOn) {
			const tasks = new Map(read.tasks);
			tasks.set(own.taskId, own);
			const last = lastSettled(tasks.values());
			// Without completion times (hiapi did not say) there is no order: any settled view resumes.
			if (own.completed === 0 || last.completed === 0 || last.taskId === own.taskId)
				return { resume: true, tasks };
			return { resume: false, resumesWith: last.taskId };
		}
		if (own.completed === 0) return { resume: false, waitingFor: read.waitingOn };
		await deps.clock.sleep(Math.max(0, seenAt + CONFIRM_GAP_MS - deps.clock.now()));
		const watched = await deps.readTask(read.waitingOn);
		if (!isTerminal(watched.status)) return { resume: false, waitingFor: read.waitingOn };
		// It settled meanwhile: after this callback's task, its callback (or a later one) resumes;
		// within this callback's second with a lower ID, the batch is looked at again.
		if (outranks(watched, own)) return { resume: false, resumesWith: watched.taskId };
	}
	return { resume: false, retry: true };
}
