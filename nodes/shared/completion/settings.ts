import type { IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_MAX_OUTPUT_MB } from '../media/output';
import { TaskLedger } from '../outcome/ledger';
import type { KeyScope } from '../transport/idempotency';
import { TaskBoard } from '../transport/taskBoard';
import { numberInRange, type NumberRange } from '../validate';
import { isAgentTool } from './agent';
import { earlierTries, type EarlierTries } from './earlierTries';
import {
	commonOptions,
	DEFAULT_CONCURRENCY,
	DEFAULT_POLL_INTERVAL_S,
	DEFAULT_TIMEOUT_S,
	TOOL_TIMEOUT_S,
} from './descriptions';

/** Node-wide settings: read once, at item 0, since they shape the whole batch rather than one task. */
export interface RunSettings {
	concurrency: number;
	pollIntervalMs: number;
	timeoutMs: number;
	download: boolean;
	outputProperty: string;
	signal?: AbortSignal;
	/** Every task this run creates, for the node's error when the run fails. */
	ledger: TaskLedger;
	/** What the default idempotency keys of this run are derived from. */
	keyScope: KeyScope;
	/** The tasks earlier tries of this node created, by derived key (n8n's Retry finds them here). */
	tries: EarlierTries;
	/** Reads the status of every task this run waits for from one task-list read per interval. */
	board: TaskBoard;
}

/** The scope of this run's default keys; its anchor outlives n8n's Retry (see earlierTries.ts). */
function keyScopeOf(this: IExecuteFunctions, tries: EarlierTries): KeyScope {
	return {
		anchor: tries.anchor,
		workflowId: String(this.getWorkflow().id ?? ''),
		nodeId: this.getNode().id,
		runIndex: Number(this.getWorkflowDataProxy(0).$runIndex) || 0,
	};
}

/** What a node's model kind suggests when the user left an option at "automatic" (0 or unset). */
export interface SettingDefaults {
	pollIntervalS?: number;
	timeoutS?: number;
}

/**
 * Upper bounds the editor does not set: a poll interval or timeout beyond these is a typo or an
 * expression gone wrong (and a wait past about 24 days overflows the timer, which then fires at once).
 */
const MAX_POLL_INTERVAL_S = 3600;
const MAX_TIMEOUT_S = 7 * 24 * 3600;

/** A number option's label and upper bound as the node's description declares them. */
function declared(name: string, max: number): { label: string; max: number } {
	const option = commonOptions.find((o) => o.name === name);
	return { label: option?.displayName ?? name, max: Number(option?.typeOptions?.maxValue ?? max) };
}

export function readSettings(this: IExecuteFunctions, defaults: SettingDefaults = {}): RunSettings {
	/**
	 * A node-wide number option. Unset (or 0 where 0 means "automatic") gives the fallback; anything
	 * else must be a number in range: NaN, Infinity or a negative from an expression is refused,
	 * naming the option, rather than silently replaced.
	 */
	const number = (
		name: string,
		fallback: number,
		bounds: Omit<NumberRange, 'max'> & { max: number; zeroIsAuto?: boolean },
	) => {
		const value = this.getNodeParameter(`options.${name}`, 0, fallback);
		if (value === undefined || value === null || value === '') return fallback;
		if (bounds.zeroIsAuto && (value === 0 || value === '0')) return fallback;
		const { label, max } = declared(name, bounds.max);
		return numberInRange.call(this, 0, label, value, { ...bounds, max });
	};
	const download = this.getNodeParameter('options.download', 0, true) !== false;
	// Read again where each file is downloaded; checked here too, so a bad value stops the run before
	// any task is paid for rather than after.
	if (download) number('maxOutputMb', DEFAULT_MAX_OUTPUT_MB, { min: 1, max: 1024 * 1024 });
	// An agent's tool call holds the conversation: unless the user set a timeout, it waits less.
	const defaultTimeoutS = isAgentTool.call(this)
		? Math.min(TOOL_TIMEOUT_S, defaults.timeoutS ?? TOOL_TIMEOUT_S)
		: (defaults.timeoutS ?? DEFAULT_TIMEOUT_S);
	const tries = earlierTries.call(this);
	return {
		concurrency: number('concurrency', DEFAULT_CONCURRENCY, {
			min: 1,
			max: 100,
			integer: true,
		}),
		pollIntervalMs:
			number('pollInterval', defaults.pollIntervalS ?? DEFAULT_POLL_INTERVAL_S, {
				zeroIsAuto: true,
				// Lower bounds stay loose: saved workflows and tests hold fractions of a second.
				min: 0.01,
				max: MAX_POLL_INTERVAL_S,
			}) * 1000,
		timeoutMs:
			number('timeout', defaultTimeoutS, { zeroIsAuto: true, min: 0.1, max: MAX_TIMEOUT_S }) * 1000,
		download,
		outputProperty: String(
			this.getNodeParameter('options.outputBinaryPropertyName', 0, 'data') || 'data',
		).trim(),
		signal: this.getExecutionCancelSignal?.(),
		board: new TaskBoard(this, this.getExecutionCancelSignal?.()),
		ledger: new TaskLedger(),
		keyScope: keyScopeOf.call(this, tries),
		tries,
	};
}
