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
			input_urls: ['https://example.com/a.jpg'],
			aspect_ratio: '9:16',
			resolution: '2K',
		},
	});
	const big = parsePng(s.imageBytes(i2i.json.data.taskId));
	assert.deepEqual([big.width, big.height], [72, 128]);
});

check(
	"the examples' reference image: served without auth, the same valid PNG every time",
	async () => {
		const s = await sim();
		const url = `${s.baseUrl}/samples/reference.png`;
		const [a, b] = [await request(url), await request(url)];
		assert.equal(a.status, 200);
		assert.equal(a.headers['content-type'], 'image/png');
		assert.ok(a.body.equals(b.body), 'the same bytes every time');
		assert.deepEqual(
			[parsePng(a.body).width, parsePng(a.body).height],
			[512, 512],
			'a 512x512 PNG',
		);
		assert.equal((await request(url, { method: 'POST' })).status, 405);
	},
);

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
	await bad({ model: I2I, input: { prompt: 'x' } }, /input\.input_urls is required/);
	await bad(
		{ model: I2I, input: { prompt: 'x', input_urls: ['ftp://h/a.png'] } },
		/input\.input_urls\[0\] .*scheme 'ftp:'/,
	);
	await bad(
		{ model: I2I, input: { prompt: 'x', image: 'https://h/a.png' } },
		"input: additional properties not allowed: 'image'",
	);
	const dataUrl = `data:image/png;base64,${Buffer.alloc(2048).toString('base64')}`;
	await bad(
		{ model: I2I, input: { prompt: 'x', input_urls: [dataUrl] } },
		/2048 bytes.*1024 bytes/,
	);
	await bad({ model: 'gpt-image-9', input: { prompt: 'x' } }, /'gpt-image-9'/);
	await bad({ ...t2i(), route: 'fast' }, /'fast'.*default, ext/);
	await bad(t2i(''), /input\.prompt must be a non-empty string/);
	await bad(t2i('x', { aspect_ratio: '7:5' }), /aspect_ratio/);
	await bad(t2i('x', { resolution: '8K' }), /resolution/);
	await bad({ ...t2i(), callback: { url: 'file:///x' } }, /callback\.url/);
	await bad('{"model":', /not valid JSON/);
	const okI2I = await submit(s, {
		model: `${I2I}@ext`,
		input: {
			prompt: 'x',
			image_urls: [`data:image/png;base64,${Buffer.alloc(512).toString('base64')}`],
		},
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
		body: { model: I2I, input: { prompt: 'x', input_urls: ['https://e.com/a.png'] } },
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

// ---------------------------------------------------------------- catalogue and other models

const SEEDANCE = 'seedance-2.0';
const KLING = 'kling-3.0-turbo/image-to-video';
const TTS = 'qwen-audio-3.0-tts-flash';
const MUSIC = 'minimax-music-2.6';
const DIALOGUE = 'elevenlabs/text-to-dialogue';
const SEEDREAM = 'seedream-5.0-lite/text-to-image';

/** Boxes of an ISO-BMFF byte range; containers are walked. Every box must fit its parent exactly. */
function parseBoxes(buf, start = 0, end = buf.length) {
	const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'dinf', 'stbl']);
	const boxes = [];
	for (let off = start; off < end; ) {
		assert.ok(end - off >= 8, `box header at ${off} fits`);
		let size = buf.readUInt32BE(off);
		const type = buf.toString('latin1', off + 4, off + 8);
		let head = 8;
		if (size === 1) {
			size = Number(buf.readBigUInt64BE(off + 8));
			head = 16;
		}
		assert.ok(/^[A-Za-z0-9 ]{4}$/.test(type), `box type ${JSON.stringify(type)} at ${off}`);
		assert.ok(
			size >= head && off + size <= end,
			`box ${type} at ${off} (size ${size}) overruns ${end}`,
		);
		const b = { type, off, size, head, data: buf.subarray(off + head, off + size) };
		if (CONTAINERS.has(type)) b.children = parseBoxes(buf, off + head, off + size);
		boxes.push(b);
		off += size;
	}
	return boxes;
}

/** Checks an MP4 (ISO-BMFF, one H.264 track) and returns what a player would read from it. */
function parseMp4(buf, total = buf.length) {
	const top = parseBoxes(buf);
	assert.equal(top[0].type, 'ftyp');
	assert.equal(top[0].data.toString('latin1', 0, 4), 'isom');
	const find = (boxes, path) => {
		const [first, ...rest] = path.split('/');
		const b = boxes.find((x) => x.type === first);
		assert.ok(b, `box ${first} present`);
		return rest.length ? find(b.children, rest.join('/')) : b;
	};
	const mvhd = find(top, 'moov/mvhd').data;
	const timescale = mvhd.readUInt32BE(12);
	const duration = mvhd.readUInt32BE(16);
	const stbl = 'moov/trak/mdia/minf/stbl';
	assert.equal(find(top, 'moov/trak/mdia/hdlr').data.toString('latin1', 8, 12), 'vide');
	const tkhd = find(top, 'moov/trak/tkhd').data;
	const width = tkhd.readUInt32BE(76) / 65536;
	const height = tkhd.readUInt32BE(80) / 65536;
	const stsd = find(top, `${stbl}/stsd`).data;
	assert.equal(stsd.readUInt32BE(4), 1, 'one sample entry');
	const entry = parseBoxes(stsd, 8)[0];
	assert.equal(entry.type, 'avc1');
	assert.deepEqual([entry.data.readUInt16BE(24), entry.data.readUInt16BE(26)], [width, height]);
	const avcC = parseBoxes(stsd, 8 + 8 + 78, 8 + entry.size)[0];
	assert.equal(avcC.type, 'avcC');
	assert.deepEqual([avcC.data[0], avcC.data[1]], [1, 66], 'avcC v1, Baseline');
	assert.equal(avcC.data[8] & 0x1f, 7, 'SPS NAL');
	const stts = find(top, `${stbl}/stts`).data;
	const stsz = find(top, `${stbl}/stsz`).data;
	const count = stsz.readUInt32BE(8);
	assert.equal(stts.readUInt32BE(8), count);
	const stco = find(top, `${stbl}/stco`).data;
	const mdat = top.find((b) => b.type === 'mdat');
	let off = stco.readUInt32BE(8);
	assert.equal(off, mdat.off + mdat.head, 'first chunk at the start of mdat');
	for (let i = 0; i < count; i++) {
		const size = stsz.readUInt32BE(12 + 4 * i);
		assert.equal(buf.readUInt32BE(off) + 4, size, `sample ${i} length prefix`);
		assert.equal(buf[off + 4] & 0x1f, 5, `sample ${i} is an IDR slice`);
		off += size;
	}
	assert.ok(off <= mdat.off + mdat.size, 'samples inside mdat');
	const end = top.at(-1);
	assert.equal(end.off + end.size, total, 'boxes cover the file');
	return {
		width,
		height,
		seconds: duration / timescale,
		frames: count,
		types: top.map((b) => b.type),
	};
}

/** Checks a RIFF/WAVE file chunk by chunk. */
function parseWav(buf) {
	assert.equal(buf.toString('latin1', 0, 4), 'RIFF');
	assert.equal(buf.readUInt32LE(4) + 8, buf.length, 'RIFF size');
	assert.equal(buf.toString('latin1', 8, 12), 'WAVE');
	const chunks = {};
	for (let off = 12; off < buf.length; ) {
		const id = buf.toString('latin1', off, off + 4);
		const len = buf.readUInt32LE(off + 4);
		chunks[id] = buf.subarray(off + 8, off + 8 + len);
		off += 8 + len + (len % 2);
		assert.ok(off <= buf.length, `chunk ${id} fits`);
	}
	const fmt = chunks['fmt '];
	assert.ok(fmt && chunks.data, 'fmt and data chunks');
	const [format, channels, rate, , , bits] = [0, 2, 4, 8, 12, 14].map((o, i) =>
		i === 2 || i === 3 ? fmt.readUInt32LE(o) : fmt.readUInt16LE(o),
	);
	return {
		format,
		channels,
		rate,
		bits,
		seconds: chunks.data.length / (rate * channels * (bits / 8)),
		chunks: Object.keys(chunks),
	};
}

/** Walks MPEG-1 Layer III frames (128 kbit/s, 48 kHz: 384 bytes each) to the end of the file. */
function parseMp3(buf) {
	let frames = 0;
	for (let off = 0; off < buf.length; off += 384, frames++) {
		assert.equal(buf[off], 0xff, `frame ${frames} sync`);
		assert.equal(buf[off + 1] & 0xfe, 0xfa, `frame ${frames}: MPEG-1 Layer III`);
		assert.equal(buf[off + 2] >> 4, 9, '128 kbit/s');
		assert.equal((buf[off + 2] >> 2) & 3, 1, '48 kHz');
	}
	return { frames, seconds: (frames * 1152) / 48000 };
}

check('catalogue: served without auth, malformed entry present, replaceable, faults', async () => {
	const s = await sim();
	assert.equal(s.catalogUrl, `${s.baseUrl}/docs/models.json`);
	const r = await request(s.catalogUrl);
	assert.equal(r.status, 200);
	assert.match(r.headers['content-type'], /^application\/json/);
	const models = r.json.models;
	const ids = models.map((m) => m.id);
	for (const id of [T2I, I2I, SEEDREAM, SEEDANCE, KLING, TTS, MUSIC, DIALOGUE, 'gpt-5-mini']) {
		assert.ok(ids.includes(id), `catalogue has ${id}`);
	}
	assert.ok(
		models.some((m) => typeof m.id !== 'string' || !Array.isArray(m.input)),
		'a malformed entry',
	);
	assert.deepEqual(r.json, require('./catalogue').DEFAULT_CATALOGUE);
	const seedance = models.find((m) => m.id === SEEDANCE);
	assert.equal(seedance.category, 'video');
	assert.deepEqual(seedance.input.find((f) => f.name === 'resolution').enum, [
		'480p',
		'720p',
		'1080p',
	]);
	const head = await request(s.catalogUrl, { method: 'HEAD' });
	assert.equal(head.status, 200);
	assert.equal(head.body.length, 0);
	assert.equal(Number(head.headers['content-length']), r.body.length);
	assert.equal(s.counters.catalogueGets, 2);

	s.inject({ route: 'catalogue', type: 'status', status: 500 });
	assert.equal((await request(s.catalogUrl)).status, 500);
	s.inject({ route: 'catalogue', type: 'malformed' });
	const m = await request(s.catalogUrl);
	assert.deepEqual([m.status, m.json], [200, undefined]);
	assert.equal((await request(s.catalogUrl, { method: 'POST' })).status, 405);

	// Replaced: another catalogue is served, and only its models (plus gpt-image-2) are accepted.
	s.setCatalogue({
		models: [
			{
				id: 'only-model',
				category: 'audio',
				input: [{ name: 'text', type: 'string', required: true }],
			},
		],
	});
	assert.deepEqual((await request(s.catalogUrl)).json.models[0].id, 'only-model');
	assert.equal((await submit(s, { model: 'only-model', input: { text: 'hi' } })).status, 200);
	assert.match(
		(await submit(s, { model: TTS, input: { text: 'hi' } })).json.message,
		/unknown model 'qwen/,
	);
	assert.equal((await submit(s, t2i())).status, 200, 'gpt-image-2 always works');
	s.setCatalogue('not json at all');
	assert.equal((await request(s.catalogUrl)).body.toString(), 'not json at all');
	s.reset();
	assert.deepEqual(
		(await request(s.catalogUrl)).json,
		require('./catalogue').DEFAULT_CATALOGUE,
		'reset() restores it',
	);
	const garbage = await sim({ catalogue: { models: 'nope' } });
	assert.deepEqual((await request(garbage.catalogUrl)).json, { models: 'nope' });
	assert.equal((await submit(garbage, t2i())).status, 200);
});

check(
	'website API: prices and schemas of every model run, no auth; docs catalogue optional',
	async () => {
		const s = await sim();
		const prices = await request(`${s.baseUrl}/api/pricing`);
		assert.equal(prices.status, 200);
		const names = prices.json.data.map((r) => r.model_name);
		for (const id of s.modelIds) {
			assert.ok(names.includes(id), `priced: ${id}`);
			const r = await request(s.schemaUrl(id));
			assert.equal(r.status, 200, id);
			assert.equal(r.json.data.input_schema.additionalProperties, false, id);
			assert.deepEqual(r.json.data.input_schema.properties.model.enum, [id]);
		}
		assert.ok(names.includes(`${I2I}@ext`));
		const i2i = (await request(s.schemaUrl(I2I))).json.data.input_schema;
		assert.deepEqual(i2i.required, ['prompt', 'input_urls', 'model']);
		assert.equal(i2i.properties.input_urls.maxItems, 16);
		assert.equal((await request(s.schemaUrl('nope'))).status, 404);
		assert.deepEqual([s.counters.pricingGets, s.counters.schemaGets], [1, s.modelIds.length + 2]);
		const off = await sim({ docsCatalogue: false, gptImage2Schema: 'legacy' });
		assert.equal((await request(off.catalogUrl)).status, 404);
		const legacy = (await request(off.schemaUrl(I2I))).json.data.input_schema;
		assert.deepEqual(legacy.required, ['prompt', 'image', 'model']);
		const ok = await submit(off, {
			model: I2I,
			input: { prompt: 'x', image: 'https://e.com/a.png' },
		});
		assert.equal(ok.status, 200);
	},
);

check(
	'catalogue models: validation names the field (keys, required, enum, type, range, media, arrays)',
	async () => {
		const s = await sim({ maxDataUrlBytes: 1024, maxDataUrlBytesByKind: { audio: 4096 } });
		const bad = async (body, re) => {
			const r = await submit(s, body);
			assert.equal(r.status, 400, JSON.stringify(r.json));
			assert.equal(r.json.error_code, 'INVALID_REQUEST');
			if (typeof re === 'string') assert.equal(r.json.message, re);
			else assert.match(r.json.message, re);
		};
		const vid = (input) => ({ model: SEEDANCE, input: { prompt: 'a cat', ...input } });
		await bad(vid({ size: '1x1' }), "input: additional properties not allowed: 'size'");
		await bad({ model: SEEDANCE, input: {} }, "input.prompt is required for model 'seedance-2.0'");
		await bad(
			vid({ resolution: '4K' }),
			'input.resolution must be one of 480p, 720p, 1080p, 4k; got "4K"',
		);
		await bad(vid({ duration: 16 }), 'input.duration must be from 4 to 15; got 16');
		await bad(
			vid({ last_frame_url: 'https://e.com/b.png' }),
			/^input\.first_frame_url is required .*when input\.last_frame_url is/,
		);
		await bad(
			vid({ reference_image_urls: Array(10).fill('https://e.com/a.png') }),
			'input.reference_image_urls must have at most 9 item(s); got 10',
		);
		await bad(vid({ duration: '5' }), 'input.duration must be an integer; got "5"');
		await bad(vid({ generate_audio: 'yes' }), /^input\.generate_audio must be a boolean/);
		await bad(vid({ prompt: '' }), 'input.prompt must be a non-empty string');
		await bad(
			{ model: MUSIC, input: { prompt: 'x', bpm: 120 } },
			'input.bpm must be a string; got 120',
		);
		await bad(
			{ model: SEEDREAM, input: { prompt: 'x', n: 5 } },
			'input.n must be from 1 to 4; got 5',
		);
		await bad(
			{ model: SEEDREAM, input: { prompt: 'x', n: 1.5 } },
			'input.n must be an integer; got 1.5',
		);
		await bad(
			{ model: TTS, input: { text: 'x', rate: 'fast' } },
			'input.rate must be a number; got "fast"',
		);
		await bad(
			{ model: KLING, input: { prompt: 'x' } },
			"input.image is required for model 'kling-3.0-turbo/image-to-video'",
		);
		const png = `data:image/png;base64,${Buffer.alloc(600).toString('base64')}`;
		const wavUrl = `data:audio/wav;base64,${Buffer.alloc(3000).toString('base64')}`;
		await bad(
			{ model: KLING, input: { prompt: 'x', image: 'ftp://h/a.png' } },
			/input\.image must be an http\(s\) URL .*scheme 'ftp:'/,
		);
		await bad(
			{ model: KLING, input: { prompt: 'x', image: wavUrl } },
			/input\.image data URL must look like data:image\//,
		);
		await bad(
			{ model: MUSIC, input: { prompt: 'x', reference_audio: png } },
			/input\.reference_audio data URL must look like data:audio\//,
		);
		await bad(
			{
				model: MUSIC,
				input: {
					prompt: 'x',
					reference_audio: `data:audio/mp3;base64,${Buffer.alloc(5000).toString('base64')}`,
				},
			},
			/input\.reference_audio data URL decodes to .*5000 bytes.*4096 bytes/,
		);
		await bad(
			{ model: DIALOGUE, input: { inputs: [] } },
			'input.inputs must have at least 1 item(s); got 0',
		);
		await bad({ model: DIALOGUE, input: { inputs: 'hello' } }, /^input\.inputs must be an array/);
		await bad(
			{ model: DIALOGUE, input: { inputs: [{ text: 'hi', voice: 'Bob' }] } },
			/^input\.inputs\[0\]\.voice must be one of Aria/,
		);
		await bad(
			{ model: DIALOGUE, input: { inputs: [{ text: 'hi' }] } },
			/^input\.inputs\[0\]\.voice is required/,
		);
		await bad(
			{ model: DIALOGUE, input: { inputs: [{ text: 'hi', voice: 'Aria', x: 1 }] } },
			"input.inputs[0]: additional properties not allowed: 'x'",
		);
		await bad(
			{
				model: 'Nano-Banana-2',
				input: { prompt: 'x', image_urls: ['https://e.com/a.png', 'mailto:a@b'] },
			},
			/^input\.image_urls\[1\] must be an http\(s\) URL/,
		);
		await bad({ model: 'gpt-5-mini', input: { messages: [] } }, /text model: use the chat API/);
		await bad(
			{ model: 'veo-9', input: { prompt: 'x' } },
			/unknown model 'veo-9'; available models: .*seedance-2\.0/,
		);
		await bad({ model: TTS, input: { text: 'please REFUSEME' } }, /refused/);
		assert.equal(s.counters.tasksCreated, 0);

		const ok = async (body) => {
			const r = await submit(s, body);
			assert.equal(r.status, 200, JSON.stringify(r.json));
			return s.tasks.get(r.json.data.taskId);
		};
		const t = await ok(vid({}));
		assert.deepEqual(
			t.input,
			{
				prompt: 'a cat',
				resolution: '720p',
				duration: 5,
				aspect_ratio: '16:9',
				generate_audio: true,
				return_last_frame: false,
			},
			'defaults filled',
		);
		await ok({ model: KLING, input: { prompt: 'x', image: png, duration: 3, cfg_scale: 0.25 } });
		await ok({ model: MUSIC, input: { prompt: 'x', lyrics: 'la la', reference_audio: wavUrl } });
		await ok({
			model: DIALOGUE,
			input: {
				inputs: [
					{ text: 'hi', voice: 'Aria' },
					{ text: 'hello', voice: 'Roger' },
				],
			},
		});
		await ok({
			model: 'Nano-Banana-2',
			input: { prompt: 'x', image_urls: [png, 'https://e.com/b.png'] },
		});
		const failing = await ok({
			model: DIALOGUE,
			input: { inputs: [{ text: 'FAILME', voice: 'Aria' }] },
		});
		assert.equal(
			failing.error.code,
			'TASK_FAILED',
			'fail words are looked for in every text field',
		);

		const loose = await sim({ acceptUnknownModels: true });
		const u = await submit(loose, { model: 'veo-9', input: { prompt: 'x', anything: [1] } });
		assert.equal(u.status, 200);
		const { task } = await pollDone(loose, u.json.data.taskId);
		assert.deepEqual(
			task.output.map((o) => o.type),
			['image'],
		);
	},
);

check(
	'video, audio and multi-image outputs: types, extensions, content types, valid files',
	async () => {
		const s = await sim();
		const run = async (body) => {
			const r = await submit(s, body);
			assert.equal(r.status, 200, JSON.stringify(r.json));
			const { task } = await pollDone(s, r.json.data.taskId);
			assert.equal(task.status, 'success');
			return task;
		};
		const fetchOut = async (task, i, type, ext, contentType) => {
			const out = task.output[i];
			assert.equal(out.type, type);
			assert.equal(out.url, `${s.baseUrl}/cdn/tasks/${task.taskId}/${i}.${ext}`);
			const r = await request(out.url);
			assert.equal(r.status, 200);
			assert.equal(r.headers['content-type'], contentType);
			assert.equal(Number(r.headers['content-length']), r.body.length);
			assert.ok(r.body.equals(s.outputBytes(task.taskId, i)), 'CDN bytes = outputBytes()');
			const d = s.outputDigest(task.taskId, i);
			assert.deepEqual(d, {
				sha256: crypto.createHash('sha256').update(r.body).digest('hex'),
				size: r.body.length,
			});
			return r.body;
		};

		const video = await run({
			model: SEEDANCE,
			input: { prompt: 'waves', duration: 10, resolution: '1080p', aspect_ratio: '9:16' },
		});
		assert.equal(video.output.length, 1);
		const mp4 = parseMp4(await fetchOut(video, 0, 'video', 'mp4', 'video/mp4'));
		assert.deepEqual([mp4.width, mp4.height, mp4.seconds, mp4.frames], [68, 120, 10, 10]);
		assert.deepEqual(mp4.types, ['ftyp', 'moov', 'mdat']);
		assert.equal(
			(await request(`${s.baseUrl}/cdn/tasks/${video.taskId}/0.png`)).status,
			404,
			'wrong extension',
		);

		const kling = await run({ model: KLING, input: { prompt: 'x', image: 'https://e.com/a.png' } });
		assert.deepEqual(
			kling.output.map((o) => o.type),
			['video', 'first_frame'],
		);
		assert.equal(parseMp4(await fetchOut(kling, 0, 'video', 'mp4', 'video/mp4')).seconds, 5);
		assert.deepEqual(
			Object.values(parsePng(await fetchOut(kling, 1, 'first_frame', 'png', 'image/png'))).slice(
				0,
				2,
			),
			[80, 46],
		);

		const tts = await run({ model: TTS, input: { text: 'hello' } });
		const w = parseWav(await fetchOut(tts, 0, 'audio', 'wav', 'audio/wav'));
		assert.deepEqual([w.format, w.channels, w.rate, w.bits, w.seconds], [1, 1, 16000, 16, 1]);
		const mp3 = await run({ model: TTS, input: { text: 'hello', format: 'mp3' } });
		assert.deepEqual(parseMp3(await fetchOut(mp3, 0, 'audio', 'mp3', 'audio/mpeg')), {
			frames: 42,
			seconds: 1.008,
		});

		const dream = await run({ model: SEEDREAM, input: { prompt: 'x', n: 3, size: '1280x720' } });
		assert.deepEqual(
			dream.output.map((o) => o.type),
			['image', 'image', 'image'],
		);
		for (let i = 0; i < 3; i++)
			assert.deepEqual(
				Object.values(parsePng(await fetchOut(dream, i, 'image', 'png', 'image/png'))).slice(0, 2),
				[80, 45],
			);
		assert.ok(!s.outputBytes(dream.taskId, 0).equals(s.outputBytes(dream.taskId, 1)));
		assert.deepEqual(s.outputInfo(video.taskId), {
			type: 'video',
			contentType: 'video/mp4',
			ext: 'mp4',
			size: s.outputDigest(video.taskId).size,
		});
	},
);

check(
	'padded video/audio stay valid; HEAD, truncate, malformed, 404/410 on every type',
	async () => {
		const s = await sim({ outputBytes: { video: 200000, audio: 100001 }, outputTtlSeconds: 30 });
		const vid = (await submit(s, { model: SEEDANCE, input: { prompt: 'x' } })).json.data.taskId;
		const aud = (await submit(s, { model: TTS, input: { text: 'x' } })).json.data.taskId;
		const mp3 = (await submit(s, { model: TTS, input: { text: 'x', format: 'mp3' } })).json.data
			.taskId;
		assert.equal(
			(await request(`${s.baseUrl}/cdn/tasks/${vid}/0.mp4`)).status,
			404,
			'before success',
		);
		const v = await pollDone(s, vid);
		await pollDone(s, aud);
		await pollDone(s, mp3);
		const vbytes = (await request(v.task.output[0].url)).body;
		assert.equal(vbytes.length, 200000);
		assert.deepEqual(parseMp4(vbytes).types, ['ftyp', 'moov', 'mdat', 'free']);
		const abytes = s.outputBytes(aud);
		assert.equal(abytes.length, 100002, 'JUNK chunks are even-sized');
		assert.deepEqual(parseWav(abytes).chunks, ['fmt ', 'JUNK', 'data']);
		assert.equal(parseMp3(s.outputBytes(mp3)).frames, Math.ceil(100001 / 384));

		const url = (id, ext) => `${s.baseUrl}/cdn/tasks/${id}/0.${ext}`;
		const head = await request(url(vid, 'mp4'), { method: 'HEAD' });
		assert.deepEqual(
			[head.status, head.headers['content-length'], head.headers['content-type'], head.body.length],
			[200, '200000', 'video/mp4', 0],
		);
		for (const [id, ext] of [
			[vid, 'mp4'],
			[aud, 'wav'],
			[mp3, 'mp3'],
		]) {
			const full = s.outputBytes(id);
			s.inject({ route: 'cdn', type: 'truncate' });
			await assert.rejects(
				request(url(id, ext)),
				/aborted|ECONNRESET|socket hang up/,
				`truncate ${ext}`,
			);
			s.inject({ route: 'cdn', type: 'malformed' });
			const m = await request(url(id, ext));
			assert.equal(m.status, 200);
			assert.ok(
				m.body.equals(full.subarray(0, Math.floor(full.length / 2))),
				`malformed ${ext}: first half`,
			);
		}
		await new Promise((res) => setTimeout(res, 350)); // TTL 30 s × 0.01
		for (const [id, ext] of [
			[vid, 'mp4'],
			[aud, 'wav'],
			[mp3, 'mp3'],
		]) {
			assert.equal((await request(url(id, ext))).status, 410, `${ext} expires`);
		}
	},
);

check(
	'per-category durations: video 3×, audio 1.5× by default; options and behaviors override',
	async () => {
		const s = await sim();
		const phases = async (body) => s.tasks.get((await submit(s, body)).json.data.taskId).phases;
		const img = await phases(t2i());
		const vid = await phases({ model: SEEDANCE, input: { prompt: 'x' } });
		const aud = await phases({ model: TTS, input: { text: 'x' } });
		assert.deepEqual(img, { queued: 3, handling: 15, archiving: 2 });
		assert.deepEqual(vid, { queued: 9, handling: 45, archiving: 6 });
		assert.deepEqual(aud, { queued: 4.5, handling: 22.5, archiving: 3 });
		s.setBehavior(({ model }) =>
			model === SEEDANCE ? { durations: { handling: 100 } } : undefined,
		);
		assert.deepEqual(await phases({ model: SEEDANCE, input: { prompt: 'x' } }), {
			queued: 9,
			handling: 1,
			archiving: 6,
		});
		const o = await sim({
			durations: { queued: 0, handling: 0, archiving: 0 },
			categoryDurations: { audio: { handling: 1000 } },
		});
		assert.deepEqual(
			o.tasks.get((await submit(o, { model: SEEDANCE, input: { prompt: 'x' } })).json.data.taskId)
				.phases,
			{ queued: 0, handling: 0, archiving: 0 },
		);
		assert.deepEqual(
			o.tasks.get((await submit(o, { model: TTS, input: { text: 'x' } })).json.data.taskId).phases,
			{ queued: 0, handling: 10, archiving: 0 },
		);
	},
);

check('a 300 MB video is streamed with bounded memory (simulator in a child process)', async () => {
	const BIG = 300 * 1024 * 1024;
	const { fork } = require('node:child_process');
	const child = fork(__filename, ['--big-child', String(BIG)], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const replies = [];
	let waiting;
	child.on('message', (m) => (waiting ? (waiting(m), (waiting = undefined)) : replies.push(m)));
	const ask = (msg) =>
		new Promise((resolve) => {
			waiting = resolve;
			if (msg) child.send(msg);
		});
	try {
		const { baseUrl, apiKey } = replies.shift() ?? (await ask());
		const s = { baseUrl, apiKey };
		const id = (await submit(s, { model: SEEDANCE, input: { prompt: 'big' } })).json.data.taskId;
		const { task } = await pollDone(s, id);
		const before = await ask({ cmd: 'rss' });
		const h = crypto.createHash('sha256');
		const t0 = Date.now();
		const { status, size, contentLength, prefix } = await new Promise((resolve, reject) => {
			http
				.get(task.output[0].url, { agent: false }, (res) => {
					let n = 0;
					const first = [];
					res.on('data', (c) => {
						if (n < 65536) first.push(c);
						n += c.length;
						h.update(c);
					});
					res.on('end', () =>
						resolve({
							status: res.statusCode,
							size: n,
							contentLength: Number(res.headers['content-length']),
							prefix: Buffer.concat(first),
						}),
					);
					res.on('error', reject);
				})
				.on('error', reject);
		});
		const ms = Date.now() - t0;
		const after = await ask({ cmd: 'rss' });
		const digest = await ask({ cmd: 'digest', id });
		assert.deepEqual([status, size, contentLength], [200, BIG, BIG]);
		assert.deepEqual(digest, { sha256: h.digest('hex'), size: BIG });
		// The head of the file parses up to the padding box, whose size reaches the end of the file.
		const ftypLen = prefix.readUInt32BE(0);
		const top = parseBoxes(prefix, 0, ftypLen + prefix.readUInt32BE(ftypLen));
		assert.deepEqual(
			top.map((b) => b.type),
			['ftyp', 'moov'],
		);
		const mdatOff = top[1].off + top[1].size;
		const freeOff = mdatOff + prefix.readUInt32BE(mdatOff);
		assert.equal(prefix.toString('latin1', freeOff + 4, freeOff + 8), 'free');
		assert.equal(freeOff + prefix.readUInt32BE(freeOff), BIG);
		const growth = (after.maxRss - before.rss) / 1024 / 1024;
		console.log(
			`     300 MiB in ${ms} ms (${Math.round(BIG / 1024 / 1024 / (ms / 1000))} MiB/s); simulator RSS ${(before.rss / 1048576).toFixed(0)} MiB before, ` +
				`peak ${(after.maxRss / 1048576).toFixed(0)} MiB during: growth ${growth.toFixed(1)} MiB`,
		);
		assert.ok(growth < 64, `simulator RSS grew ${growth.toFixed(1)} MiB serving 300 MiB`);
	} finally {
		child.kill();
	}
});

/** Child side of the 300 MB check: a simulator padding videos, answering RSS and digest questions. */
async function bigChild(bytes) {
	const s = await startSimulator({ ...FAST, outputBytes: { video: bytes } });
	process.on('message', (m) => {
		if (m.cmd === 'rss') {
			process.send({
				rss: process.memoryUsage().rss,
				maxRss: process.resourceUsage().maxRSS * 1024,
			});
		} else if (m.cmd === 'digest') {
			process.send(s.outputDigest(m.id));
		}
	});
	process.on('disconnect', () => s.stop());
	process.send({ baseUrl: s.baseUrl, apiKey: s.apiKey });
}

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

(process.argv[2] === '--big-child' ? bigChild(Number(process.argv[3])) : main()).catch((err) => {
	console.error(err);
	process.exit(1);
});
