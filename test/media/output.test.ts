/**
 * media/output.ts inside a real n8n execution (n8n's httpRequest, binary store and cancel signal):
 * its retries, its cancel, Max Output Size with and without a Content-Length, and the label of an
 * output hiapi gave no type. The file host is a local server whose answers each test scripts.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { HiApiApi } from '../../credentials/HiApiApi.credentials';
import { downloadOutputs } from '../../nodes/shared/media/output';
import type { Task } from '../../nodes/shared/types';
import { createHarness, type Harness } from '../harness';
import { makePng } from '../support/images';

/** What the probe's download threw, kept here: n8n saves nothing a node returns after a cancel. */
const thrown: Array<{ message: string; description?: string }> = [];

/** A test-only node: downloads the outputs of the task in its parameters, with the node's options. */
class DownloadProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Download Probe',
		name: 'downloadProbe',
		group: ['transform'],
		version: 1,
		description: 'test only',
		defaults: { name: 'Download Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Task', name: 'task', type: 'json', default: '{}' },
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				options: [
					{ displayName: 'Max Output', name: 'maxOutputMb', type: 'number', default: 2048 },
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('task', 0);
		const task = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Task;
		try {
			const binary = await downloadOutputs.call(this, task, 'data', {
				itemIndex: 0,
				signal: this.getExecutionCancelSignal(),
			});
			return [[{ json: { types: task.output.map((o) => o.type) }, binary }]];
		} catch (error) {
			const e = error as { message: string; description?: string };
			thrown.push({ message: e.message, description: e.description });
			throw error;
		}
	}
}

const PROBE = 'test.downloadProbe';

type Answer = (res: http.ServerResponse, attempt: number) => void;

describe('media/output.ts: downloading a task output', () => {
	let server: http.Server;
	let base: string;
	let h: Harness;
	let answer: Answer;
	let requests = 0;

	beforeAll(async () => {
		server = http.createServer((_req, res) => answer(res, ++requests));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		h = createHarness({
			nodeTypes: { [PROBE]: new DownloadProbe() },
			credentialTypes: [new HiApiApi()],
		});
	});
	afterAll(async () => {
		await h.stop();
		await new Promise((resolve) => server.close(resolve));
	});
	beforeEach(() => {
		requests = 0;
		thrown.length = 0;
	});

	const png = makePng(16, 16);
	const servePng: Answer = (res) =>
		res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png);
	const task = (type = 'image', taskId = 'tk-output-1'): IDataObject => ({
		taskId,
		model: 'some-model',
		status: 'success',
		created: 0,
		completed: 0,
		output: [{ url: `${base}/file`, type, expireAt: 0 }],
	});
	const run = async (t: IDataObject, options: IDataObject = {}, extra = {}) =>
		await h.runNode({
			type: PROBE,
			parameters: { task: JSON.stringify(t), options },
			input: [{ json: {} }],
			...extra,
		});

	describe('retries', () => {
		it('a host that answers 503 twice is tried again, and the third answer is kept', async () => {
			answer = (res, attempt) => (attempt < 3 ? res.writeHead(503).end() : servePng(res, attempt));
			const r = await run(task());
			expect(r.status).toBe('success');
			expect(requests).toBe(3);
			expect((await r.binaryBuffer(r.items[0], 'data')).equals(png)).toBe(true);
		});

		it('a connection that dies before answering counts as a failed try', async () => {
			answer = (res, attempt) => (attempt === 1 ? res.socket?.destroy() : servePng(res, attempt));
			const r = await run(task());
			expect(r.status).toBe('success');
			expect(requests).toBe(2);
		});

		it('after three failed tries: the error names the task and the last cause', async () => {
			answer = (res) => res.writeHead(502).end();
			const r = await run(task());
			expect(r.status).toBe('error');
			expect(requests).toBe(3);
			expect(thrown[0].message).toBe(
				'Could not download the task output after 3 tries (task ID: tk-output-1)',
			);
			expect(thrown[0].description).toMatch(/^Cause: HTTP 502\./);
		});

		it('an expired link (410) is not tried again', async () => {
			answer = (res) => res.writeHead(410).end();
			const r = await run(task());
			expect(r.status).toBe('error');
			expect(requests).toBe(1);
			expect(thrown[0].message).toMatch(/expired or is gone \(HTTP 410\)/);
		});
	});

	it('a cancel during the wait between tries stops at once, naming the task', async () => {
		answer = (res) => res.writeHead(503).end();
		const started = Date.now();
		const r = await run(task(), {}, { cancelAfterMs: 300 });
		expect(r.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(5000);
		expect(requests).toBeLessThanOrEqual(2);
		expect(thrown[0].message).toBe(
			'The execution was cancelled while downloading the task output (task ID: tk-output-1)',
		);
	});

	describe('Max Output Size', () => {
		const big = Buffer.alloc(3 * 1024 * 1024, 7);

		it('a declared Content-Length over the limit is refused before the body is read', async () => {
			answer = (res) =>
				res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': big.length }).end(big);
			const r = await run(task('video'), { maxOutputMb: 1 });
			expect(r.status).toBe('error');
			expect(requests).toBe(1);
			expect(thrown[0].message).toBe(
				'The task output is 3.0 MB, over the 1 MB Max Output Size, so it was not kept (task ID: tk-output-1)',
			);
		});

		it('a body without Content-Length over the limit is refused too, once its size is known', async () => {
			answer = (res) => {
				res.writeHead(200, { 'Content-Type': 'video/mp4' });
				res.write(big.subarray(0, 1024 * 1024));
				res.end(big.subarray(1024 * 1024));
			};
			const r = await run(task('video'), { maxOutputMb: 1 });
			expect(r.status).toBe('error');
			expect(thrown[0].message).toMatch(
				/^The task output is 3\.0 MB, over the 1 MB Max Output Size/,
			);
		});

		it('a Max Output Size that is not a number is refused by name, nothing fetched', async () => {
			answer = servePng;
			const r = await run(task(), { maxOutputMb: '={{ Number("big") }}' });
			expect(r.status).toBe('error');
			expect(requests).toBe(0);
			expect(thrown[0].message).toBe(
				'Max Output Size (MB): NaN is not a number, so the output was not downloaded (task ID: tk-output-1)',
			);
		});
	});

	it.each([
		['video/mp4', 'video'],
		['audio/mpeg; charset=binary', 'audio'],
		['image/png', 'image'],
	])('an output without a type served as %s is labelled %s', async (contentType, kind) => {
		answer = (res) => res.writeHead(200, { 'Content-Type': contentType }).end(png);
		const r = await run(task(''));
		expect(r.status).toBe('success');
		expect(r.items[0].json.types).toEqual([kind]);
	});

	it('an output with a type keeps it', async () => {
		answer = (res) => res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
		const r = await run(task('first_frame'));
		expect(r.items[0].json.types).toEqual(['first_frame']);
	});
});
