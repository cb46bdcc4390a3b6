import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	headerNameOf,
	missingSecret,
	TOKEN_QUERY_PARAMETER,
	type CallbackCredentials,
	type TriggerAuthentication,
} from '../shared/callback/secrets';
import {
	DEFAULT_TOLERANCE_S,
	MAX_TOLERANCE_S,
	verifySignature,
	verifyToken,
} from '../shared/callback/verify';
import { numberProblem, rangeText } from '../shared/validate';

const MODES: readonly TriggerAuthentication[] = ['signature', 'token', 'header', 'none'];

/** The node's Authentication choice; anything unreadable counts as the default, HiAPI Signature. */
export function authenticationOf(this: IHookFunctions | IWebhookFunctions): TriggerAuthentication {
	const value = this.getNodeParameter('authentication', 'signature');
	return MODES.find((mode) => mode === value) ?? 'signature';
}

export const TOLERANCE_LABEL = 'Signature Tolerance (Seconds)';

/**
 * The replay window. NaN from an expression would make every timestamp pass (`skew > NaN` is
 * false), so anything but a number in range is refused: at publish time and on each callback.
 */
export function toleranceOf(this: IHookFunctions | IWebhookFunctions): number {
	const value = this.getNodeParameter('options.toleranceSeconds', DEFAULT_TOLERANCE_S);
	const range = { min: 1, max: MAX_TOLERANCE_S };
	const problem = numberProblem(value, range);
	if (problem) {
		throw new NodeOperationError(this.getNode(), `${TOLERANCE_LABEL}: ${problem}`, {
			description: `${rangeText(range)} hiapi's own window is ${DEFAULT_TOLERANCE_S} seconds.`,
		});
	}
	return Number(value);
}

export type AuthResult =
	| { ok: true; mode: TriggerAuthentication }
	/** The sender did not prove who it is: 401, no detail. */
	| { ok: false; mode: TriggerAuthentication; kind: 'rejected'; reason: string }
	/** The credential lacks the secret the chosen mode needs: nobody can be checked, so nobody is let in. */
	| { ok: false; mode: TriggerAuthentication; kind: 'unconfigured'; missing: string }
	/** A node option is unusable (e.g. Signature Tolerance NaN): nobody can be checked safely. */
	| { ok: false; mode: TriggerAuthentication; kind: 'misconfigured'; reason: string };

/** Checks the sender of one callback with the chosen mode and the credential's secrets. */
export function authenticate(
	this: IWebhookFunctions,
	mode: TriggerAuthentication,
	credentials: CallbackCredentials,
	rawBody: Buffer,
): AuthResult {
	const missing = missingSecret(mode, credentials);
	if (missing) return { ok: false, mode, kind: 'unconfigured', missing };
	const headers = this.getHeaderData() as Record<string, unknown>;
	let verdict;
	if (mode === 'signature') {
		let toleranceS: number;
		try {
			toleranceS = toleranceOf.call(this);
		} catch (error) {
			return { ok: false, mode, kind: 'misconfigured', reason: (error as Error).message };
		}
		verdict = verifySignature(rawBody, headers, credentials.signingSecret ?? '', { toleranceS });
	} else if (mode === 'token') {
		const query = this.getQueryData() as Record<string, unknown>;
		verdict = verifyToken(
			query[TOKEN_QUERY_PARAMETER],
			credentials.callbackToken ?? '',
			'token query parameter',
		);
	} else if (mode === 'header') {
		const name = headerNameOf(credentials);
		verdict = verifyToken(
			headers[name.toLowerCase()],
			credentials.callbackHeaderSecret ?? '',
			`${name} header`,
		);
	} else {
		return { ok: true, mode };
	}
	return verdict.ok
		? { ok: true, mode }
		: { ok: false, mode, kind: 'rejected', reason: verdict.reason };
}
