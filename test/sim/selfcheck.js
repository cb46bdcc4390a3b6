'use strict';

// Self-check of the simulator, runnable without jest: `node test/sim/selfcheck.js`.
// Exits non-zero on the first failed check, or if anything keeps the process alive after stop().

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const zlib = require('node:zlib');
const { startSimulator } = require('./index');

const T2I = 'gpt-image-2/text-to-image';
const I2I = 'gpt-image-2/image-to-image';
const FAST = { timeScale: 0.01 }; // 300/1500/200 ms → 3/15/2 ms
/** @type {import('./index').Simulator[]} */
const sims = [];

async function sim(options = {}) {
	const s = await startSimulator({ ...FAST, ...options });
	sims.push(s);
	return s;
}

/**
 * Plain node:http with agent:false, so the check itself leaves no pooled sockets behind.
 * @returns {Promise<{status: number, headers: import('node:http').IncomingHttpHeaders, body: Buffer, json: any}>}
 */
function request(url, { method = 'GET', headers = {}, body } = {}) {
	return new Promise((resolve, reject) => {
		const data =
			body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
		const req = http.request(url, { method, headers, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const buf = Buffer.concat(chunks);
				let json;
				try {
					json = JSON.parse(buf.toString('utf8'));
				} catch {}
				resolve({
					status: /** @type {number} */ (res.statusCode),
					headers: res.headers,
					body: buf,
					json,
				});
			});
		});
		req.on('error', reject);
		req.end(data);
	});
}

const auth = (s, extra = {}) => ({
	Authorization: `Bearer ${s.apiKey}`,
	'Content-Type': 'application/json',
	...extra,
});
const submit = (s, body, extra = {}) =>
	request(`${s.baseUrl}/v1/tasks`, { method: 'POST', headers: auth(s, extra), body });
const getTask = (s, id) =>
	request(`${s.baseUrl}/v1/tasks/${encodeURIComponent(id)}`, { headers: auth(s) });
const t2i = (prompt = 'a red fox', input = {}) => ({ model: T2I, input: { prompt, ...input } });

/** Polls over HTTP, as a client would, until the task is terminal. */
async function pollDone(s, id) {
	const seen = new Set();
	for (let i = 0; i < 400; i++) {
		const r = await getTask(s, id);
		assert.equal(r.status, 200);
		seen.add(r.json.data.status);
		if (r.json.data.status === 'success' || r.json.data.status === 'fail')
			return { task: r.json.data, seen };
		await new Promise((res) => setTimeout(res, 2));
	}
	throw new Error(`task ${id} never settled`);
}

/** Walks a PNG, checking every CRC against zlib's implementation (independent of png.js). */
function parsePng(buf) {
	assert.deepEqual(
		[...buf.subarray(0, 8)],
		[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
		'PNG signature',
	);
	const chunks = [];
	for (let off = 8; off < buf.length; ) {
		const len = buf.readUInt32BE(off);
		const type = buf.toString('latin1', off + 4, off + 8);
		const data = buf.subarray(off + 8, off + 8 + len);
		const crc = buf.readUInt32BE(off + 8 + len);
		assert.equal(crc, zlib.crc32(buf.subarray(off + 4, off + 8 + len)), `CRC of ${type}`);
		chunks.push({ type, data });
		off += 12 + len;
	}
	assert.equal(chunks[0].type, 'IHDR');
	assert.equal(chunks.at(-1).type, 'IEND');
	const ihdr = chunks[0].data;
	const width = ihdr.readUInt32BE(0);
	const height = ihdr.readUInt32BE(4);
	assert.equal(ihdr[8], 8, 'bit depth');
	assert.equal(ihdr[9], 2, 'colour type RGB');
	const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
	assert.equal(zlib.inflateSync(idat).length, height * (1 + width * 3), 'IDAT size');
	return { width, height, types: chunks.map((c) => c.type) };
}

/** A callback receiver; `answer(n)` gives the status for the n-th request (1-based). */
async function receiver(answer = () => 200) {
	const got = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(answer(got.length)).end();
		});
	});
	await new Promise((res) => server.listen(0, '127.0.0.1', res));
	const url = `http://127.0.0.1:${server.address().port}/hook?token=t1`;
	return {
		got,
		url,
		close: () => new Promise((res) => (server.closeAllConnections(), server.close(res))),
	};
}

const checks = [];
const check = (name, fn) => checks.push({ name, fn });

check('submit → poll → success → CDN serves a valid PNG sized for 16:9', async () => {
	const s = await sim({ timeScale: 0.1 }); // slow enough to see the early statuses
	const r = await submit(s, t2i('a red fox', { aspect_ratio: '16:9' }));
	assert.equal(r.status, 200);
	assert.deepEqual(Object.keys(r.json), ['code', 'message', 'data']);
	assert.equal(r.json.code, 200);
	const id = r.json.data.taskId;
	assert.match(id, /^tk-sim-[0-9A-HJKMNP-TV-Z]{26}$/);
	const first = (await getTask(s, id)).json.data;
	assert.ok(['queued', 'handling'].includes(first.status), first.status);
	assert.equal(first.completed, 0);
	assert.deepEqual(first.output, []);
	const { task, seen } = await pollDone(s, id);
	assert.equal(task.status, 'success');
	assert.ok(seen.size >= 2, `statuses seen: ${[...seen]}`);
	assert.equal(task.storage, 'temp');
	assert.equal(task.model, T2I);
	assert.ok(task.completed >= task.created && task.created > 1.6e9);
	assert.equal(task.output.length, 1);
	const out = task.output[0];
	assert.equal(out.type, 'image');
	assert.equal(typeof out.expireAt, 'number');
	assert.equal(out.url, `${s.baseUrl}/cdn/tasks/${id}/0.png`);
	const png = await request(out.url);
	assert.equal(png.status, 200);
	assert.equal(png.headers['content-type'], 'image/png');
	assert.equal(Number(png.headers['content-length']), png.body.length);
	assert.ok(png.body.equals(s.imageBytes(id)), 'CDN bytes = imageBytes()');
	const info = parsePng(png.body);
	assert.deepEqual([info.width, info.height], [64, 36]);
	assert.deepEqual(s.task(id), task);
	assert.equal(s.counters.cdnGets, 1);

	const other = (await submit(s, t2i('another', { aspect_ratio: '16:9' }))).json.data.taskId;
	assert.ok(!s.imageBytes(other).equals(s.imageBytes(id)), 'different tasks, different bytes');
	const i2i = await submit(s, {
		model: I2I,
		input: {
			prompt: 'x',
			image: 'https://example.com/a.jpg',
			aspect_ratio: '9:16',
			resolution: '2K',
		},
	});
	const big = parsePng(s.imageBytes(i2i.json.data.taskId));
	assert.deepEqual([big.width, big.height], [72, 128]);
});

check('outputPadBytes and outputsPerTask keep PNGs valid', async () => {
	const s = await sim({ outputPadBytes: 100000, outputsPerTask: 2 });
	const id = (await submit(s, t2i())).json.data.taskId;
	const { task } = await pollDone(s, id);
	assert.equal(task.output.length, 2);
	const b = (await request(task.output[1].url)).body;
	assert.ok(b.length > 100000);
	assert.ok(parsePng(b).types.includes('prVt'));
});

check('400 names the additional property and other input errors', async () => {
	const s = await sim({ maxDataUrlBytes: 1024 });
	const bad = async (body, re) => {
		const r = await submit(s, body);
		assert.equal(r.status, 400, JSON.stringify(r.json));
		assert.equal(r.json.error_code, 'INVALID_REQUEST');
		if (typeof re === 'string') assert.equal(r.json.message, re);
		else assert.match(r.json.message, re);
	};
	await bad(t2i('x', { size: '1024x1024' }), "input: additional properties not allowed: 'size'");
	await bad(
		t2i('x', { image: 'https://example.com/a.png' }),
		"input: additional properties not allowed: 'image'",
	);
	await bad(
		t2i('x', { callback: { url: 'http://a' } }),
		"input: additional properties not allowed: 'callback'",
	);
	await bad({ ...t2i(), extra: 1 }, "additional properties not allowed: 'extra'");
	await bad({ model: I2I, input: { prompt: 'x' } }, /input\.image is required/);
	await bad({ model: I2I, input: { prompt: 'x', image: 'ftp://h/a.png' } }, /scheme 'ftp:'/);
	const dataUrl = `data:image/png;base64,${Buffer.alloc(2048).toString('base64')}`;
	await bad({ model: I2I, input: { prompt: 'x', image: dataUrl } }, /2048 bytes.*1024 bytes/);
	await bad({ model: 'gpt-image-9', input: { prompt: 'x' } }, /'gpt-image-9'/);
	await bad({ ...t2i(), route: 'fast' }, /'fast'.*default, ext/);
	await bad(t2i('  '), /input\.prompt/);
	await bad(t2i('x', { aspect_ratio: '7:5' }), /aspect_ratio/);
	await bad(t2i('x', { resolution: '8K' }), /resolution/);
	await bad({ ...t2i(), callback: { url: 'file:///x' } }, /callback\.url/);
	await bad('{"model":', /not valid JSON/);
	const okI2I = await submit(s, {
		model: `${I2I}@ext`,
		input: { prompt: 'x', image: `data:image/png;base64,${Buffer.alloc(512).toString('base64')}` },
	});
	assert.equal(okI2I.status, 200);
	assert.equal(s.tasks.get(okI2I.json.data.taskId).route, 'ext');
	assert.equal(s.counters.tasksCreated, 1);
});

check('auth: unknown key, model permission, another key’s task, list', async () => {
	const s = await sim({ keys: ['sk-a', 'sk-b'], modelKeys: { [I2I]: ['sk-a'] } });
	const r1 = await request(`${s.baseUrl}/v1/tasks`, {
		method: 'POST',
		headers: { Authorization: 'Bearer nope' },
		body: t2i(),
	});
	assert.deepEqual(
		[r1.status, r1.json.error_code, r1.json.message],
		[401, 'unauthorized', 'Invalid API key.'],
	);
	const r2 = await request(`${s.baseUrl}/v1/tasks`);
	assert.equal(r2.status, 401);
	const asB = { Authorization: 'Bearer sk-b' };
	const r3 = await request(`${s.baseUrl}/v1/tasks`, {
		method: 'POST',
		headers: asB,
		body: { model: I2I, input: { prompt: 'x', image: 'https://e.com/a.png' } },
	});
	assert.deepEqual([r3.status, r3.json.error_code], [401, 'permission_denied']);
	assert.equal(r3.json.message, 'This API key cannot use the selected model.');
	const ids = [];
	for (let i = 0; i < 3; i++) ids.push((await submit(s, t2i(`n${i}`))).json.data.taskId);
	const r4 = await request(`${s.baseUrl}/v1/tasks/${ids[0]}`, { headers: asB });
	assert.deepEqual([r4.status, r4.json.error_code], [404, 'not_found']);
	const list = await request(`${s.baseUrl}/v1/tasks?page=1&size=2`, { headers: auth(s) });
	assert.equal(list.status, 200);
	assert.deepEqual(
		list.json.data.tasks.map((t) => t.taskId),
		[ids[2], ids[1]],
	);
	assert.deepEqual([list.json.data.page, list.json.data.size, list.json.data.total], [1, 2, 3]);
	const listB = await request(`${s.baseUrl}/v1/tasks`, { headers: asB });
	assert.equal(listB.json.data.total, 0);
	assert.equal(
		(await request(`${s.baseUrl}/tasks`, { headers: auth(s) })).status,
		404,
		'no /v1 → 404',
	);
	assert.equal((await getTask(s, 'tk-sim-NOPE')).status, 404);
});

check('idempotency: replay, mismatch, too long, processing (409 + Retry-After)', async () => {
	const s = await sim();
	const body = { model: T2I, input: { prompt: 'same', aspect_ratio: '1:1' } };
	const reordered = { input: { aspect_ratio: '1:1', prompt: 'same' }, model: T2I };
	const a = await submit(s, body, { 'Idempotency-Key': 'k1' });
	const b = await submit(s, reordered, { 'Idempotency-Key': 'k1' });
	assert.equal(b.status, 200);
	assert.equal(b.json.data.taskId, a.json.data.taskId);
	assert.equal(b.headers['idempotent-replay'], 'true');
	assert.equal(a.headers['idempotent-replay'], undefined);
	assert.equal(s.counters.replays, 1);
	assert.equal(s.counters.tasksCreated, 1);
	assert.equal(s.log.at(-1).replay, true);
	assert.equal(s.log.at(-1).idempotencyKey, 'k1');
	const c = await submit(s, t2i('different'), { 'Idempotency-Key': 'k1' });
	assert.deepEqual([c.status, c.json.error_code], [422, 'IDEMPOTENCY_KEY_MISMATCH']);
	const d = await submit(s, body, { 'Idempotency-Key': 'x'.repeat(256) });
	assert.equal(d.status, 400);

	const slow = await sim({ submitDelayMs: 300 });
	const first = submit(slow, body, { 'Idempotency-Key': 'k2' });
	await slow.waitFor((x) => x.counters.submits === 1);
	const second = await submit(slow, body, { 'Idempotency-Key': 'k2' });
	assert.deepEqual([second.status, second.json.error_code], [409, 'IDEMPOTENCY_KEY_PROCESSING']);
	assert.equal(second.headers['retry-after'], '1');
	const firstR = await first;
	assert.equal(firstR.status, 200);
	const third = await submit(slow, body, { 'Idempotency-Key': 'k2' });
	assert.equal(third.json.data.taskId, firstR.json.data.taskId);
	assert.equal(slow.counters.tasksCreated, 1);
});

check('429 / 503 with Retry-After, rejected before processing', async () => {
	const s = await sim();
	s.inject({ route: 'submit', type: '429', retryAfter: '2' });
	const r = await submit(s, t2i());
	assert.deepEqual(
		[r.status, r.json.error_code, r.headers['retry-after']],
		[429, 'rate_limited', '2'],
	);
	assert.equal(s.counters.tasksCreated, 0);
	const date = new Date(Date.now() + 3000).toUTCString();
	s.inject({ route: 'any', type: '503', retryAfter: date });
	const u = await submit(s, t2i());
	assert.deepEqual(
		[u.status, u.json.error_code, u.headers['retry-after']],
		[503, 'unavailable', date],
	);
	assert.equal((await submit(s, t2i())).status, 200, 'faults are used up');
	assert.equal(s.counters.tasksCreated, 1);
	assert.deepEqual(
		s.log.map((e) => e.status),
		[429, 503, 200],
	);
});

check(
	'reset-after creates exactly one task; the retry replays it; reset-before creates none',
	async () => {
		const s = await sim();
		s.inject({ route: 'submit', type: 'reset-after' });
		await assert.rejects(
			submit(s, t2i(), { 'Idempotency-Key': 'r1' }),
			/socket hang up|ECONNRESET/,
		);
		assert.equal(s.counters.tasksCreated, 1);
		assert.equal(s.log[0].status, 'reset');
		const retry = await submit(s, t2i(), { 'Idempotency-Key': 'r1' });
		assert.equal(retry.headers['idempotent-replay'], 'true');
		assert.equal(retry.json.data.taskId, [...s.tasks.keys()][0]);
		assert.equal(s.counters.tasksCreated, 1);
		s.inject({ route: 'submit', type: 'reset-before' });
		await assert.rejects(submit(s, t2i('other')), /socket hang up|ECONNRESET/);
		assert.equal(s.counters.tasksCreated, 1);
		assert.equal(s.tasks.size, 1);
	},
);

check('GET faults: status, malformed, unknown-status, slow; behaviors', async () => {
	const s = await sim();
	const id = (await submit(s, t2i())).json.data.taskId;
	s.inject({ route: 'get', type: 'status', status: 402 });
	const p = await getTask(s, id);
	assert.deepEqual([p.status, p.json.error_code], [402, 'insufficient_balance']);
	s.inject({ route: 'get', type: 'malformed' });
	const m = await getTask(s, id);
	assert.equal(m.status, 200);
	assert.equal(m.json, undefined, 'body is not JSON');
	s.inject({ route: 'get', type: 'unknown-status', match: (info) => info.taskId === id });
	assert.equal((await getTask(s, id)).json.data.status, 'rendering');
	s.inject({ route: 'get', type: 'slow', ms: 100 });
	const t0 = Date.now();
	assert.equal((await getTask(s, id)).status, 200);
	assert.ok(Date.now() - t0 >= 95);
	assert.deepEqual(
		s.log.slice(1).map((e) => e.fault),
		['status', 'malformed', 'unknown-status', 'slow'],
	);
	assert.equal(s.counters.gets[id], 4);

	s.setBehavior(({ input }) =>
		input.prompt === 'stuck' ? { never: true, unknownStatus: 'rendering' } : undefined,
	);
	const stuck = (await submit(s, t2i('stuck'))).json.data.taskId;
	await new Promise((res) => setTimeout(res, 60));
	assert.equal(s.task(stuck).status, 'rendering');
	assert.equal(s.task(stuck).completed, 0);
	const failing = (await submit(s, t2i('please FailMe now'))).json.data.taskId;
	const { task } = await pollDone(s, failing);
	assert.deepEqual(task.error, { code: 'TASK_FAILED', message: 'upstream rejected the prompt' });
	assert.deepEqual(task.output, []);
	assert.equal((await request(`${s.baseUrl}/cdn/tasks/${failing}/0.png`)).status, 404);
});

check('callback: signed, retried after 500, body is the task object', async () => {
	const rx = await receiver((n) => (n === 1 ? 500 : 200));
	const signingKey = 'whsec_selfcheck';
	const s = await sim({ signingKey });
	const id = (await submit(s, { ...t2i(), callback: { url: rx.url, when: 'final' } })).json.data
		.taskId;
	await s.waitFor((x) => x.counters.callbacksAcked === 1, 3000);
	assert.equal(rx.got.length, 2);
	assert.deepEqual(
		s.callbackLog.map((e) => [e.status, e.attempt]),
		[
			[500, 1],
			[200, 2],
		],
	);
	assert.equal(s.counters.callbacksFailed, 1);
	for (const { headers, raw } of rx.got) {
		const ts = headers['x-hiapi-timestamp'];
		assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 300, 'timestamp is now');
		const expected = crypto.createHmac('sha256', signingKey).update(`${ts}.${raw}`).digest('hex');
		assert.equal(headers['x-hiapi-signature'], expected);
		assert.equal(headers['content-type'], 'application/json');
		const body = JSON.parse(raw);
		assert.equal(body.taskId, id);
		assert.equal(body.status, 'success');
		assert.deepEqual(body, s.task(id));
	}
	await rx.close();
});

check('callback: duplicates (sequential and concurrent), drop fault, envelope, fail', async () => {
	const rx = await receiver();
	const seq = await sim({ callback: { duplicates: 2 } });
	const id = (await submit(seq, { ...t2i(), callback: { url: rx.url } })).json.data.taskId;
	await seq.waitFor((x) => x.callbackLog.length === 3, 3000);
	assert.equal(rx.got.length, 3);
	assert.equal(new Set(rx.got.map((g) => g.raw)).size, 1, 'same body each time');
	assert.deepEqual(
		seq.callbackLog.map((e) => e.duplicate),
		[false, true, true],
	);
	assert.equal(rx.got[0].headers['x-hiapi-signature'], undefined, 'unsigned without signingKey');
	assert.equal(JSON.parse(rx.got[0].raw).taskId, id);

	rx.got.length = 0;
	const conc = await sim({ callback: { duplicates: 2, concurrent: true, envelope: true } });
	conc.inject({
		route: 'callback',
		type: 'drop',
		count: 1,
		match: (info) => info.headers['Content-Type'] === 'application/json',
	});
	const cid = (await submit(conc, { ...t2i('FAILME'), callback: { url: rx.url } })).json.data
		.taskId;
	await conc.waitFor((x) => x.counters.callbacksAcked === 3, 3000);
	assert.equal(conc.counters.callbacksFailed, 1);
	assert.equal(conc.counters.callbacksSent, 4);
	assert.equal(conc.callbackLog.find((e) => e.status === 'error').fault, 'drop');
	const env = JSON.parse(rx.got[0].raw);
	assert.equal(env.code, 200);
	assert.equal(env.data.taskId, cid);
	assert.equal(env.data.status, 'fail');
	await rx.close();
});

check('output URL answers 410 after expireAt', async () => {
	const s = await sim({ outputTtlSeconds: 20 }); // × timeScale 0.01 → 200 ms
	const id = (await submit(s, t2i())).json.data.taskId;
	const { task } = await pollDone(s, id);
	assert.equal(task.output[0].expireAt, task.completed + Math.round(20 * 0.01));
	assert.equal((await request(task.output[0].url)).status, 200);
	await new Promise((res) => setTimeout(res, 250));
	const gone = await request(task.output[0].url);
	assert.deepEqual([gone.status, gone.json.error_code], [410, 'expired']);
	assert.equal((await request(`${s.baseUrl}/cdn/tasks/tk-sim-NOPE/0.png`)).status, 404);
});

check('reset() clears state; stop() twice is harmless', async () => {
	const s = await sim();
	const counters = s.counters;
	await submit(s, t2i());
	s.inject({ route: 'get', type: 'status', status: 500, count: Infinity });
	s.reset();
	assert.equal(counters.submits, 0);
	assert.equal(s.tasks.size, 0);
	assert.equal(s.log.length, 0);
	const id = (await submit(s, t2i())).json.data.taskId;
	assert.equal((await getTask(s, id)).status, 200, 'faults cleared');
	await s.stop();
	await s.stop();
	await assert.rejects(submit(s, t2i()), /ECONNREFUSED/);
});

async function main() {
	const started = Date.now();
	let failed = 0;
	for (const { name, fn } of checks) {
		const t0 = Date.now();
		try {
			await fn();
			console.log(`ok   ${name} (${Date.now() - t0} ms)`);
		} catch (err) {
			failed++;
			console.log(`FAIL ${name}\n     ${err.stack.split('\n').slice(0, 4).join('\n     ')}`);
		}
	}
	await Promise.all(sims.map((s) => s.stop()));
	console.log(
		`${checks.length - failed}/${checks.length} checks passed in ${Date.now() - started} ms`,
	);
	if (failed) {
		process.exitCode = 1;
		return;
	}
	// Natural exit proves stop() left nothing behind; this unref'd timer only fires if something did.
	setTimeout(() => {
		console.log(
			`FAIL something keeps the process alive after stop(): ${process.getActiveResourcesInfo()}`,
		);
		process.exit(1);
	}, 3000).unref();
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
