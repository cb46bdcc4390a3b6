import type { ICredentialsDecrypted, ILoadOptionsFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE, type HiApiCredentials } from '../types';
import type { HiApiContext } from './request';

/**
 * Every getCredentials() makes n8n load and decrypt the credential again, and n8n 2.x also takes an
 * expression isolate for it: that was most of a trigger call's time in a real n8n. One read per node
 * run (execute) or per call (webhook) is enough: n8n itself reads it without an item for requests.
 */
const perContext = new WeakMap<object, Promise<HiApiCredentials>>();

export function hiapiCredentials(
	this: HiApiContext | ILoadOptionsFunctions,
): Promise<HiApiCredentials> {
	let pending = perContext.get(this);
	if (!pending) {
		pending = this.getCredentials<HiApiCredentials>(CREDENTIAL_TYPE);
		perContext.set(this, pending);
		// A failed read (e.g. no credential selected) is not remembered: the next call reports it afresh.
		pending.catch(() => perContext.delete(this));
	}
	return pending;
}

/** The already-read credential, in the form httpRequestWithAuthentication accepts instead of reading it again. */
export function decrypted(this: HiApiContext, data: HiApiCredentials): ICredentialsDecrypted {
	const ref = this.getNode().credentials?.[CREDENTIAL_TYPE];
	return { id: ref?.id ?? '', name: ref?.name ?? '', type: CREDENTIAL_TYPE, data: { ...data } };
}
