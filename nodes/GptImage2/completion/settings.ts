import type { IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_S, DEFAULT_TIMEOUT_S } from '../actions/common.descriptions';

/** Node-wide settings: read once, at item 0, since they shape the whole batch rather than one task. */
export interface RunSettings {
	concurrency: number;
	pollIntervalMs: number;
	timeoutMs: number;
	download: boolean;
	outputProperty: string;
	signal?: AbortSignal;
}

export function readSettings(this: IExecuteFunctions): RunSettings {
	const number = (name: string, fallback: number) => {
		const value = Number(this.getNodeParameter(`options.${name}`, 0, fallback));
		return Number.isFinite(value) && value > 0 ? value : fallback;
	};
	return {
		concurrency: Math.floor(number('concurrency', DEFAULT_CONCURRENCY)),
		pollIntervalMs: number('pollInterval', DEFAULT_POLL_INTERVAL_S) * 1000,
		timeoutMs: number('timeout', DEFAULT_TIMEOUT_S) * 1000,
		download: this.getNodeParameter('options.download', 0, true) !== false,
		outputProperty: String(this.getNodeParameter('options.outputBinaryPropertyName', 0, 'data') || 'data').trim(),
		signal: this.getExecutionCancelSignal?.(),
	};
}
