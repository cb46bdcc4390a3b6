import type { IDataObject } from 'n8n-workflow';

import type { SubmitBody } from '../types';

/** One item's task, as a node builds it from its parameters: what every completion mode submits. */
export interface TaskRequest {
	body: SubmitBody;
	/** The user's Idempotency Key option; without it the node derives one (see submit.ts). */
	idempotencyKey?: string;
	/** Parameters echoed on the output item, so a result can be traced to what was asked. */
	echo: IDataObject;
}

/** Builds (and checks) item `itemIndex`'s request; throws a field error before anything is sent. */
export type BuildRequest = (itemIndex: number) => Promise<TaskRequest>;
