/** Settled states never change again; anything else (including names we do not know yet) means "still running". */
export type TerminalStatus = 'success' | 'fail';

export interface TaskOutput {
	url: string;
	type: string;
	/** Unix seconds; 0 when hiapi did not say. */
	expireAt: number;
}

export interface TaskError {
	code: string;
	message: string;
}

export interface Task {
	taskId: string;
	model: string;
	status: string;
	created: number;
	completed: number;
	output: TaskOutput[];
	error?: TaskError;
}

export interface SubmitBody {
	model: string;
	input: Record<string, unknown>;
	route?: string;
	callback?: { url: string; when: 'final' };
	/** hiapi's storage class: "persistent" keeps outputs past the ~7-day expiry, at a storage charge. Never inside `input`. */
	storage?: 'temp' | 'persistent';
}

export interface Submitted {
	taskId: string;
	/** hiapi answered with the task an earlier request with the same idempotency key created. */
	replayed: boolean;
}

export interface HiApiCredentials {
	apiKey: string;
	/** The console's whsec_... webhook signing key (named so n8n's lint treats it as a secret). */
	signingSecret?: string;
	baseUrl?: string;
	/** Where hiapi's model catalogue is read (hiapi's own by default; a proxy or the simulator in tests). */
	catalogueUrl?: string;
	/** hiapi's public model list with prices (GET /api/pricing); hiapi's own by default. */
	pricingUrl?: string;
	/** hiapi's public per-model input schemas (GET ...?name=<id>); hiapi's own by default. */
	modelSchemaUrl?: string;
}

export const CREDENTIAL_TYPE = 'hiApiApi';

export function isTerminal(status: string): status is TerminalStatus {
	return status === 'success' || status === 'fail';
}
