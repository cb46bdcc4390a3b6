import {
	BACKOFF_CAP_MS,
	RETRY_AFTER_CAP_MS,
	backoffMs,
	retryAfterMs,
	retryDelayMs,
} from '../../nodes/shared/transport/retry';

describe('retry timing', () => {
	const now = Date.parse('2026-11-24T12:00:00Z');

	it('backs off 0.5 s, 1 s, 2 s, ... capped at 8 s', () => {
		expect([0, 1, 2, 3, 4, 5, 9].map(backoffMs)).toEqual([
			500,
			1000,
			2000,
			4000,
			8000,
			BACKOFF_CAP_MS,
			BACKOFF_CAP_MS,
		]);
	});

	it('reads Retry-After in seconds and as an HTTP-date, capped at 60 s', () => {
		expect(retryAfterMs('3', now)).toBe(3000);
		expect(retryAfterMs('0.5', now)).toBe(500);
		expect(retryAfterMs(['2'], now)).toBe(2000);
		expect(retryAfterMs('Tue, 24 Nov 2026 12:00:07 GMT', now)).toBe(7000);
		expect(retryAfterMs('Tue, 24 Nov 2026 11:59:00 GMT', now)).toBe(0);
		expect(retryAfterMs('3600', now)).toBe(RETRY_AFTER_CAP_MS);
	});

	it('ignores what it cannot read and falls back to backoff', () => {
		expect(retryAfterMs(undefined, now)).toBeUndefined();
		expect(retryAfterMs('soon', now)).toBeUndefined();
		expect(retryAfterMs('', now)).toBeUndefined();
		expect(retryDelayMs(2, 'soon', now)).toBe(2000);
		expect(retryDelayMs(2, '1', now)).toBe(1000);
	});
});
