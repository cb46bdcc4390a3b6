import { createHash, createHmac, timingSafeEqual } from 'crypto';

import { headerText } from '../headers';

/** hiapi's documented replay window: a signed callback older or newer than this is refused. */
export const DEFAULT_TOLERANCE_S = 300;
/** A day: any wider and a captured callback stays replayable for longer than hiapi retries it. */
export const MAX_TOLERANCE_S = 24 * 3600;

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Equal-time comparison of two strings of any length: hashing first hides the length too. */
export function safeEqual(a: string, b: string): boolean {
	const ha = createHash('sha256').update(a, 'utf8').digest();
	const hb = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * hiapi signs `timestamp + "." + rawBody` with HMAC-SHA256 under the account's signing key.
 * The raw bytes are used as received: re-serialised JSON would not match.
 */
function expectedSignature(signingKey: string, timestamp: string, rawBody: Buffer): string {
	return createHmac('sha256', signingKey).update(`${timestamp}.`).update(rawBody).digest('hex');
}

export function verifySignature(
	rawBody: Buffer,
	headers: Record<string, unknown>,
	signingKey: string,
	options: { toleranceS?: number; nowMs?: number } = {},
): Verdict {
	const timestamp = headerText(headers['x-hiapi-timestamp']);
	const signature = headerText(headers['x-hiapi-signature']);
	if (!timestamp || !signature)
		return { ok: false, reason: 'missing X-HiAPI-Timestamp or X-HiAPI-Signature header' };
	if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed X-HiAPI-Timestamp' };
	const toleranceS = options.toleranceS ?? DEFAULT_TOLERANCE_S;
	// `skew > NaN` is false: a window that is not a positive number would let every timestamp through.
	if (!(Number.isFinite(toleranceS) && toleranceS > 0))
		return { ok: false, reason: `the replay window (${toleranceS} s) is not a positive number` };
	const skewS = Math.abs((options.nowMs ?? Date.now()) / 1000 - Number(timestamp));
	if (skewS > toleranceS)
		return {
			ok: false,
			reason: `timestamp is ${Math.round(skewS)} s away from now (limit ${toleranceS} s)`,
		};
	const expected = Buffer.from(expectedSignature(signingKey, timestamp, rawBody), 'hex');
	// Accept "sha256=<hex>" and comma-separated lists (key rotation) defensively; compare each in constant time.
	const candidates = signature.split(/[\s,]+/).map((s) => s.replace(/^(sha256|v1)=/i, ''));
	const match = candidates.some((candidate) => {
		if (!/^[0-9a-f]{64}$/i.test(candidate)) return false;
		return timingSafeEqual(Buffer.from(candidate, 'hex'), expected);
	});
	return match ? { ok: true } : { ok: false, reason: 'signature does not match the body' };
}

export function verifyToken(given: unknown, expected: string, label: string): Verdict {
	if (!expected) return { ok: false, reason: `no ${label} is configured on the node` };
	const value = headerText(given);
	if (!value) return { ok: false, reason: `missing ${label}` };
	return safeEqual(value, expected) ? { ok: true } : { ok: false, reason: `wrong ${label}` };
}
