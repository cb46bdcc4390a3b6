import { createHmac } from 'crypto';

import { parseCallback } from '../../nodes/shared/callback/parse';
import { safeEqual, verifySignature, verifyToken } from '../../nodes/shared/callback/verify';

const key = 'whsec_abc';
const body = Buffer.from('{"taskId":"tk-1","status":"success"}');
const now = 1_800_000_000_000;
const ts = String(now / 1000);
const sig = (k = key, t = ts, b = body) =>
	createHmac('sha256', k).update(`${t}.`).update(b).digest('hex');

describe('callback verification', () => {
	it("accepts hiapi's signature over the raw bytes, also prefixed or in a rotation list", () => {
		const headers = { 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sig() };
		expect(verifySignature(body, headers, key, { nowMs: now })).toEqual({ ok: true });
		expect(
			verifySignature(body, { ...headers, 'x-hiapi-signature': `sha256=${sig()}` }, key, {
				nowMs: now,
			}).ok,
		).toBe(true);
		expect(
			verifySignature(body, { ...headers, 'x-hiapi-signature': `${sig('old')}, ${sig()}` }, key, {
				nowMs: now,
			}).ok,
		).toBe(true);
	});

	it.each([NaN, Infinity, -300, 0])(
		'a replay window of %s lets no signed callback through, not even one from 2001',
		(toleranceS) => {
			const old = '1000000000';
			const headers = { 'x-hiapi-timestamp': old, 'x-hiapi-signature': sig(key, old) };
			const verdict = verifySignature(body, headers, key, { nowMs: now, toleranceS });
			expect(verdict).toEqual({
				ok: false,
				reason: `the replay window (${toleranceS} s) is not a positive number`,
			});
		},
	);

	it('refuses re-serialised JSON, other keys, stale timestamps and junk', () => {
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
		const headers = { 'x-hiapi-timestamp': ts, 'x-hiapi-signature': sig() };
		expect(verifySignature(reserialised, headers, key, { nowMs: now }).ok).toBe(false);
		expect(verifySignature(body, headers, 'whsec_other', { nowMs: now }).ok).toBe(false);
		expect(verifySignature(body, headers, key, { nowMs: now + 301_000 })).toEqual({
			ok: false,
			reason: 'timestamp is 301 s away from now (limit 300 s)',
		});
		expect(verifySignature(body, headers, key, { nowMs: now + 301_000, toleranceS: 400 }).ok).toBe(
			true,
		);
		expect(
			verifySignature(body, { ...headers, 'x-hiapi-timestamp': '1e9' }, key, { nowMs: now }).ok,
		).toBe(false);
		expect(
			verifySignature(body, { ...headers, 'x-hiapi-signature': 'zz' }, key, { nowMs: now }).ok,
		).toBe(false);
		expect(verifySignature(body, {}, key, { nowMs: now }).ok).toBe(false);
	});

	it('compares tokens exactly, whatever their length', () => {
		expect(safeEqual('secret', 'secret')).toBe(true);
		expect(safeEqual('secret', 'secret2')).toBe(false);
		expect(safeEqual('', 'x')).toBe(false);
		expect(verifyToken('tok', 'tok', 'token').ok).toBe(true);
		expect(verifyToken(['tok'], 'tok', 'token').ok).toBe(true);
		expect(verifyToken('tok', '', 'token')).toEqual({
			ok: false,
			reason: 'no token is configured on the node',
		});
	});

	it('parses the task object or the whole envelope, and refuses the rest', () => {
		expect(parseCallback(body)).toMatchObject({
			ok: true,
			task: { taskId: 'tk-1', status: 'success' },
		});
		const envelope = Buffer.from(
			'{"code":200,"message":"success","data":{"taskId":"tk-2","status":"fail","error":{"code":"X","message":"y"}}}',
		);
		expect(parseCallback(envelope)).toMatchObject({
			ok: true,
			task: { taskId: 'tk-2', error: { code: 'X', message: 'y' } },
		});
		expect(parseCallback(Buffer.from('nope'))).toEqual({
			ok: false,
			status: 400,
			reason: 'body is not JSON',
		});
		expect(parseCallback(Buffer.from('{}'))).toEqual({
			ok: false,
			status: 400,
			reason: 'body has no taskId',
		});
		expect(parseCallback(Buffer.alloc(0))).toMatchObject({ ok: false, status: 400 });
	});
});
