/** What became of a task this run created, as far as this run knows. */
export type TaskState = 'succeeded' | 'failed' | 'still running' | 'submitted' | 'not downloaded';

interface Entry {
	itemIndex: number;
	taskId: string;
	state: TaskState;
}

/**
 * Every task a node run created or picked up again, in order. hiapi bills each one, so when the
 * run fails (On Error: Stop Workflow) the node's error lists them all with their state: the items
 * that had already succeeded are dropped by n8n with the error, and this list is the only place
 * their task IDs survive for Get Task.
 */
export class TaskLedger {
	private readonly entries = new Map<string, Entry>();

	created(itemIndex: number, taskId: string, state: TaskState = 'still running'): void {
		this.entries.set(taskId, { itemIndex, taskId, state });
	}

	settle(taskId: string, state: TaskState): void {
		const entry = this.entries.get(taskId);
		if (entry) entry.state = state;
	}

	get size(): number {
		return this.entries.size;
	}

	list(): Entry[] {
		return [...this.entries.values()].sort((a, b) => a.itemIndex - b.itemIndex);
	}

	/** One line per task, for an error description a user can act on. */
	describe(): string {
		if (this.entries.size === 0) return '';
		const lines = this.list().map((e) => `${e.taskId} (item ${e.itemIndex}): ${e.state}`);
		return `Tasks this run created (each is billed; fetch any of them with the Get Task operation instead of running again):\n${lines.join('\n')}`;
	}
}
