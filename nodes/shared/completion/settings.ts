import type { IExecuteFunctions } from 'n8n-workflow';

import { TaskLedger } from '../outcome/ledger';
import type { KeyScope } from '../transport/idempotency';
import { isAgentTool } from './agent';
import { earlierTries, type EarlierTries } from './earlierTries';
import {
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

export function readSettings(this: IExecuteFunctions, defaults: SettingDefaults = {}): RunSettings {
	const number = (name: string, fallback: number) => {
		const value = Number(this.getNodeParameter(`options.${name}`, 0, fallback));
		return Number.isFinite(value) && value > 0 ? value : fallback;
	};
	// An agent's tool call holds the conversation: unless the user set a timeout, it waits less.
	const defaultTimeoutS = isAgentTool.call(this)
		? Math.min(TOOL_TIMEOUT_S, defaults.timeoutS ?? TOOL_TIMEOUT_S)
		: (defaults.timeoutS ?? DEFAULT_TIMEOUT_S);
	const tries = earlierTries.call(this);
	return {
		concurrency: Math.floor(number('concurrency', DEFAULT_CONCURRENCY)),
		pollIntervalMs:
			number('pollInterval', defaults.pollIntervalS ?? DEFAULT_POLL_INTERVAL_S) * 1000,
		timeoutMs: number('timeout', defaultTimeoutS) * 1000,
		download: this.getNodeParameter('options.download', 0, true) !== false,
		outputProperty: String(
			this.getNodeParameter('options.outputBinaryPropertyName', 0, 'data') || 'data',
		).trim(),
		signal: this.getExecutionCancelSignal?.(),
		ledger: new TaskLedger(),
		keyScope: keyScopeOf.call(this, tries),
		tries,
	};
}
