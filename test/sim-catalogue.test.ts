// The simulator's model catalogue, its per-model validation and its video/audio files, as the
// HiAPI node's tests will use them. Plain node:http so nothing here depends on the package.
import { createHash } from 'node:crypto';
import * as http from 'node:http';

import { startSimulator } from './sim';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEFAULT_CATALOGUE } = require('./sim/catalogue') as {
	DEFAULT_CATALOGUE: { models: Array<Record<string, any>> };
};

type Sim = Awaited<ReturnType<typeof startSimulator>>;
interface Reply {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
	json: any;
}

function request(
	url: string,
	{
		method = 'GET',
		headers = {},
		body,
	}: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const buf = Buffer.concat(chunks);
				let json: unknown;
				try {
					json = JSON.parse(buf.toString('utf8'));
				} catch {}
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
			});
		});
		req.on('error', reject);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

const submit = (sim: Sim, body: unknown) =>
	request(`${sim.baseUrl}/v1/tasks`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' },
		body,
	});

async function settled(sim: Sim, body: unknown) {
	const r = await submit(sim, body);
	expect(r.status).toBe(200);
	const id: string = r.json.data.taskId;
	// Generous: the machine may be loaded; the simulator's own clock decides, not this loop.
	await sim.waitFor((s) => ['success', 'fail'].includes(s.task(id).status), 20000);
	return sim.task(id);
}

describe('simulator: model catalogue and other models', () => {
	let sim: Sim;
	beforeAll(async () => {
		sim = await startSimulator({ durations: { queued: 10, handling: 30, archiving: 10 } });
	});
	afterAll(() => sim.stop());
	beforeEach(() => sim.reset());

	test('GET /docs/models.json serves the default catalogue without auth, malformed entry included', async () => {
		const r = await request(sim.catalogUrl);
		expect(r.status).toBe(200);
		expect(r.json).toEqual(DEFAULT_CATALOGUE);
		const ids = r.json.models.map((m: { id?: string }) => m.id);
		expect(ids).toEqual(
			expect.arrayContaining([
				'gpt-image-2/text-to-image',
				'seedance-2.0',
				'kling-3.0-turbo/image-to-video',
				'qwen-audio-3.0-tts-flash',
				'elevenlabs/text-to-dialogue',
				'gpt-5-mini',
			]),
		);
		expect(
			r.json.models.some(
				(m: { id?: unknown; input?: unknown }) =>
					typeof m.id !== 'string' || !Array.isArray(m.input),
			),
		).toBe(true);
		expect(sim.counters.catalogueGets).toBe(1);
	});

	test('catalogue faults and replacement', async () => {
		sim.inject({ route: 'catalogue', type: 'status', status: 503 });
		expect((await request(sim.catalogUrl)).status).toBe(503);
		sim.inject({ route: 'catalogue', type: 'malformed' });
		expect((await request(sim.catalogUrl)).json).toBeUndefined();
		sim.setCatalogue({
			models: [
				{
					id: 'x-tts',
					category: 'audio',
					input: [{ name: 'text', type: 'string', required: true }],
				},
			],
		});
		try {
			expect((await request(sim.catalogUrl)).json.models[0].id).toBe('x-tts');
			expect((await submit(sim, { model: 'x-tts', input: { text: 'hi' } })).status).toBe(200);
			expect(
				(await submit(sim, { model: 'seedance-2.0', input: { prompt: 'hi' } })).json.message,
			).toMatch(/^unknown model 'seedance-2.0'/);
		} finally {
			sim.setCatalogue(undefined);
		}
	});

	test.each([
		[
			{ model: 'seedance-2.0', input: { prompt: 'x', fps: 30 } },
			"input: additional properties not allowed: 'fps'",
		],
		[
			{ model: 'seedance-2.0', input: { prompt: 'x', resolution: '4K' } },
			'input.resolution must be one of 480p, 720p, 1080p, 4k; got "4K"',
		],
		[
			{ model: 'seedance-2.0', input: { prompt: 'x', duration: '5' } },
			'input.duration must be an integer; got "5"',
		],
		[
			{ model: 'qwen-audio-3.0-tts-flash', input: { voice: 'Cherry' } },
			"input.text is required for model 'qwen-audio-3.0-tts-flash'",
		],
		[
			{
				model: 'minimax-music-2.6',
				input: { prompt: 'x', reference_audio: 'data:image/png;base64,AAAA' },
			},
			'input.reference_audio data URL must look like data:audio/<type>;base64,<data>',
		],
		[
			{
				model: 'elevenlabs/text-to-dialogue',
				input: { inputs: [{ text: 'hi', voice: 'Nobody' }] },
			},
			'input.inputs[0].voice must be one of Aria, Roger, Sarah, Laura; got "Nobody"',
		],
		[
			{ model: 'gpt-5-mini', input: { messages: [] } },
			"model 'gpt-5-mini' is a text model: use the chat API; /v1/tasks runs image, video and audio models",
		],
	])('400 naming the field: %j', async (body, message) => {
		const r = await submit(sim, body);
		expect([r.status, r.json.error_code, r.json.message]).toEqual([
			400,
			'INVALID_REQUEST',
			message,
		]);
	});

	test('a video task: slower than an image, an MP4 with its first frame', async () => {
		const task = await settled(sim, {
			model: 'kling-3.0-turbo/image-to-video',
			input: { prompt: 'x', image: 'https://example.com/a.png', duration: 4 },
		});
		expect(task.status).toBe('success');
		expect(task.output.map((o) => [o.type, o.url.split('.').pop()])).toEqual([
			['video', 'mp4'],
			['first_frame', 'png'],
		]);
		const record = sim.tasks.get(task.taskId)!;
		expect(record.phases.handling).toBe(90);
		const mp4 = await request(task.output[0].url);
		expect(mp4.headers['content-type']).toBe('video/mp4');
		expect(mp4.body.equals(sim.outputBytes(task.taskId, 0))).toBe(true);
		expect(mp4.body.toString('latin1', 4, 8)).toBe('ftyp');
		expect(mp4.body.includes(Buffer.from('avcC'))).toBe(true);
		const png = await request(task.output[1].url);
		expect(png.headers['content-type']).toBe('image/png');
		expect(png.body.equals(sim.outputBytes(task.taskId, 1))).toBe(true);
	});

	test('audio: WAV by default, MP3 on request', async () => {
		const wav = await settled(sim, { model: 'qwen-audio-3.0-tts-flash', input: { text: 'hello' } });
		const w = await request(wav.output[0].url);
		expect([
			wav.output[0].type,
			w.headers['content-type'],
			w.body.toString('latin1', 8, 12),
		]).toEqual(['audio', 'audio/wav', 'WAVE']);
		const mp3 = await settled(sim, {
			model: 'qwen-audio-3.0-tts-flash',
			input: { text: 'hello', format: 'mp3' },
		});
		expect(mp3.output[0].url).toMatch(/\/0\.mp3$/);
		const m = await request(mp3.output[0].url);
		expect([m.headers['content-type'], m.body[0], m.body[1]]).toEqual(['audio/mpeg', 0xff, 0xfb]);
		expect(m.body.equals(sim.outputBytes(mp3.taskId))).toBe(true);
	});

	test('a padded 48 MiB video streams whole and matches outputDigest', async () => {
		const size = 48 * 1024 * 1024;
		sim.setBehavior(() => ({ outputBytes: size }));
		const task = await settled(sim, { model: 'seedance-2.0', input: { prompt: 'big' } });
		const head = await request(task.output[0].url, { method: 'HEAD' });
		expect([head.status, Number(head.headers['content-length']), head.body.length]).toEqual([
			200,
			size,
			0,
		]);
		const { sha256, n } = await new Promise<{ sha256: string; n: number }>((resolve, reject) => {
			http
				.get(task.output[0].url, { agent: false }, (res) => {
					const h = createHash('sha256');
					let n = 0;
					res.on('data', (c: Buffer) => {
						n += c.length;
						h.update(c);
					});
					res.on('end', () => resolve({ sha256: h.digest('hex'), n }));
					res.on('error', reject);
				})
				.on('error', reject);
		});
		expect({ sha256, size: n }).toEqual(sim.outputDigest(task.taskId));
		expect(sim.outputInfo(task.taskId)).toEqual({
			type: 'video',
			contentType: 'video/mp4',
			ext: 'mp4',
			size,
		});
	});
});
