import type { HiApiCredentials } from '../types';

/**
 * The callback secrets live in the HiAPI credential, where n8n encrypts them, not in node
 * parameters, which n8n stores as plain text in the workflow JSON.
 */
export interface CallbackSecrets {
	/** Secret Token authentication: the value of the `token` query parameter of the Callback URL. */
	callbackToken?: string;
	/** Header authentication: the header a proxy in front of n8n adds to each callback. */
	callbackHeaderName?: string;
	callbackHeaderSecret?: string;
}

export type CallbackCredentials = HiApiCredentials & CallbackSecrets;

/** The query parameter that carries the Secret Token. */
export const TOKEN_QUERY_PARAMETER = 'token';

/** The header name when the credential leaves it empty. */
export const DEFAULT_CALLBACK_HEADER = 'X-HiAPI-Token';

/** How the HiAPI Trigger authenticates the sender of a callback. */
export type TriggerAuthentication = 'signature' | 'token' | 'header' | 'none';

export function headerNameOf(credentials: CallbackSecrets): string {
	return (credentials.callbackHeaderName ?? '').trim() || DEFAULT_CALLBACK_HEADER;
}

/**
 * What the credential lacks for an authentication mode, named as the credential form names it,
 * or undefined when nothing is missing. Shared by the publish-time check and each callback, so
 * a setup that cannot authenticate is refused with the same words in both places.
 */
export function missingSecret(
	mode: TriggerAuthentication,
	credentials: CallbackCredentials,
): string | undefined {
	if (mode === 'signature' && !credentials.signingSecret) return 'Webhook Signing Key';
	if (mode === 'token' && !credentials.callbackToken) return 'Callback Token';
	if (mode === 'header' && !credentials.callbackHeaderSecret) return 'Callback Header Secret';
	return undefined;
}

/**
 * The URL hiapi should call: the one given, plus the credential's Secret Token when it has one
 * and the URL does not carry a token yet. Users paste the trigger's Production URL unchanged.
 */
export function callbackUrlWithToken(url: string, token: string | undefined): string {
	if (!token) return url;
	const parsed = new URL(url);
	if (parsed.searchParams.has(TOKEN_QUERY_PARAMETER)) return url;
	parsed.searchParams.set(TOKEN_QUERY_PARAMETER, token);
	return parsed.toString();
}

/** The URL without query, fragment or user info: safe to show in output items and logs. */
export function withoutSecrets(url: string): string {
	const parsed = new URL(url);
	return `${parsed.origin}${parsed.pathname}`;
}
