import type {
	IBinaryData,
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
	NodeOperationError,
} from 'n8n-workflow';

import { headerText } from '../headers';
import { taskError } from '../transport/errors';
import type { HiApiContext } from '../transport/request';
import { backoffMs } from '../transport/retry';
import { sleepUnlessCancelled } from '../transport/sleep';
import type { Task, TaskOutput } from '../types';
import { numberProblem, rangeText, type NumberRange } from '../validate';

/** A CDN hiccup is worth a couple more tries; an expired link is not. */
const DOWNLOAD_TRIES = 3;
const DOWNLOAD_TIMEOUT_MS = 120_000;

export const MAX_OUTPUT_LABEL = 'Max Output Size (MB)';
/** 2 GiB: a long 4K video fits, a runaway or hostile download does not. */
export const DEFAULT_MAX_OUTPUT_MB = 2048;
const MAX_OUTPUT_RANGE: NumberRange = { min: 1, max: 1024 * 1024 };
const MB = 1024 * 1024;
/**
 * n8n's in-memory binary mode keeps a file as base64 text in the execution, and V8 caps a string
 * at 2^29 - 24 characters: no file over about 384 MB fits there, whatever Max Output Size says.
 */
const IN_MEMORY_MAX_BYTES = Math.floor(((2 ** 29 - 24) * 3) / 4);
const IN_MEMORY_NOTE = `In n8n's in-memory binary mode (N8N_DEFAULT_BINARY_DATA_MODE=default) no file over about ${Math.floor(IN_MEMORY_MAX_BYTES / MB)} MB fits, whatever this limit says: n8n keeps the file as base64 text in the execution. For big videos set N8N_DEFAULT_BINARY_DATA_MODE=filesystem (or database or S3).`;

/**
 * Failures no redelivery or retry can cure (link expired or gone, file over a limit): the trigger
 * turns them into an execution the user sees instead of asking hiapi for the callback again.
 */
const permanent = new WeakSet<object>();

export function isPermanentDownloadFailure(error: unknown): boolean {
	return typeof error === 'object' && error !== null && permanent.has(error);
}

function permanently(error: NodeOperationError): NodeOperationError {
	permanent.add(error);
	return error;
}

/** The kind an output without a `type` gets from the Content-Type it was served with. */
function kindOfMime(mime: string): string {
	const major = mime.split('/')[0];
	return major === 'image' || major === 'video' || major === 'audio' ? major : 'file';
}

/** A stored binary's size: n8n 2.x records it; 1.x only in the store's metadata (or the base64 text). */
async function storedSize(this: HiApiContext, binary: IBinaryData): Promise<number> {
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (binary.id) return (await this.helpers.getBinaryMetadata(binary.id)).fileSize;
	const text = binary.data ?? '';
	return Math.floor((text.length * 3) / 4);
}

/** The Max Output Size option of the node (execute or webhook context), checked as a number in range. */
function maxOutputBytes(
	this: HiApiContext,
	itemIndex: number | undefined,
): { bytes: number } | { problem: string } {
	const value =
		'getBodyData' in this
			? (this as IWebhookFunctions).getNodeParameter('options.maxOutputMb', DEFAULT_MAX_OUTPUT_MB)
			: (this as IExecuteFunctions).getNodeParameter(
					'options.maxOutputMb',
					itemIndex ?? 0,
					DEFAULT_MAX_OUTPUT_MB,
				);
	const problem = numberProblem(value, MAX_OUTPUT_RANGE);
	return problem ? { problem } : { bytes: Number(value) * MB };
}

const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'video/mp4': 'mp4',
	'video/webm': 'webm',
	'video/quicktime': 'mov',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/wave': 'wav',
	'audio/mpeg': 'mp3',
	'audio/mp3': 'mp3',
	'audio/mp4': 'm4a',
	'audio/ogg': 'ogg',
	'audio/flac': 'flac',
};

/** Binary property names for several outputs: data, data_1, data_2, ... */
function outputPropertyName(base: string, index: number): string {
	return index === 0 ? base : `${base}_${index}`;
}

function extensionFor(mime: string, url: string): string {
	if (EXTENSIONS[mime]) return EXTENSIONS[mime];
	const fromPath = /\.([a-z0-9]{2,5})$/i.exec(new URL(url).pathname)?.[1];
	return fromPath ? fromPath.toLowerCase() : 'bin';
}

function isFetchable(url: string): boolean {
	try {
		const { protocol } = new URL(url);
		return protocol === 'https:' || protocol === 'http:';
	} catch {
		return false;
	}
}

interface StreamResponse {
	statusCode: number;
	headers: IDataObject;
	/** A Readable: typed through n8n's helper since node built-ins may not be imported here. */
	body: Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & { destroy?: () => void };
}

/**
 * Fetches one output without the API key (output links are public and may live on another host)
 * and hands the stream to n8n's binary store, so a large image is never held whole in memory
 * where n8n stores binaries on disk.
 */
async function downloadOne(
	this: HiApiContext,
	task: Task,
	output: TaskOutput,
	index: number,
	opts: { itemIndex?: number; signal?: AbortSignal },
) {
	const ctx = {
		node: this.getNode(),
		itemIndex: opts.itemIndex,
		taskId: task.taskId,
		taskStatus: 'not downloaded',
	};
	if (!isFetchable(output.url)) {
		throw permanently(
			taskError(
				ctx,
				'The task output is not an http(s) link, so it was not downloaded',
				`Output: ${output.url.slice(0, 200)}`,
			),
		);
	}
	const max = maxOutputBytes.call(this, opts.itemIndex);
	if ('problem' in max) {
		throw permanently(
			taskError(
				ctx,
				`${MAX_OUTPUT_LABEL}: ${max.problem}, so the output was not downloaded`,
				rangeText(MAX_OUTPUT_RANGE),
			),
		);
	}
	const tooBig = (bytes: number) =>
		permanently(
			taskError(
				ctx,
				`The task output is ${(bytes / MB).toFixed(1)} MB, over the ${(max.bytes / MB).toFixed(0)} MB Max Output Size, so it was not kept`,
				[
					`Raise ${MAX_OUTPUT_LABEL} if a file this big is expected; the link works until it expires (Get Task).`,
					...(bytes > IN_MEMORY_MAX_BYTES ? [IN_MEMORY_NOTE] : []),
				].join(' '),
			),
		);
	const request: IHttpRequestOptions = {
		url: output.url,
		method: 'GET',
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: DOWNLOAD_TIMEOUT_MS,
		abortSignal: opts.signal,
	};
	let lastCause = '';
	for (let attempt = 0; attempt < DOWNLOAD_TRIES; attempt++) {
		if (attempt > 0 && !(await sleepUnlessCancelled(backoffMs(attempt - 1), opts.signal))) break;
		let response: StreamResponse;
		try {
			response = (await this.helpers.httpRequest(request)) as StreamResponse;
		} catch (error) {
			lastCause = error instanceof Error ? error.message : String(error);
			continue;
		}
		if (response.statusCode >= 200 && response.statusCode < 300) {
			const mime =
				headerText(response.headers?.['content-type']).split(';')[0].trim().toLowerCase() ||
				'application/octet-stream';
			// An honest server says the size first: a file over the limit is refused before a byte is read.
			const declared = Number(headerText(response.headers?.['content-length']));
			if (Number.isFinite(declared) && declared > max.bytes) {
				response.body?.destroy?.();
				throw tooBig(declared);
			}
			const suffix = index === 0 ? '' : `_${index}`;
			const fileName = `${task.taskId}${suffix}.${extensionFor(mime, output.url)}`;
			let binary;
			try {
				binary = await this.helpers.prepareBinaryData(response.body, fileName, mime);
			} catch (error) {
				lastCause = error instanceof Error ? error.message : String(error);
				// A file too big for a string: n8n's in-memory mode cannot hold it, and no retry changes that.
				if (/string longer than|Invalid string length|ERR_STRING_TOO_LONG/i.test(lastCause)) {
					throw permanently(
						taskError(
							ctx,
							'The task output is too big for n8n to hold in memory, so it was not kept',
							IN_MEMORY_NOTE,
						),
					);
				}
				// The connection can die mid-body, after the status line: that is a failed try too.
				continue;
			}
			// Without a Content-Length the size is known once stored: still refused, never handed on.
			const stored = await storedSize.call(this, binary);
			if (stored > max.bytes) throw tooBig(stored);
			if (!output.type) output.type = kindOfMime(mime);
			return binary;
		}
		response.body?.destroy?.();
		if ([403, 404, 410].includes(response.statusCode)) {
			throw permanently(
				taskError(
					ctx,
					`The output link of the task has expired or is gone (HTTP ${response.statusCode})`,
					'hiapi output links are temporary. Keep Download on so the output is saved when the task finishes.',
				),
			);
		}
		lastCause = `HTTP ${response.statusCode}`;
	}
	if (opts.signal?.aborted)
		throw taskError(ctx, 'The execution was cancelled while downloading the task output');
	throw taskError(
		ctx,
		`Could not download the task output after ${DOWNLOAD_TRIES} tries`,
		`Cause: ${lastCause}. The link works until it expires: fetch it with Get Task.`,
	);
}

/** Downloads every output of a finished task into binary properties named after `propertyName`. */
export async function downloadOutputs(
	this: HiApiContext,
	task: Task,
	propertyName: string,
	opts: { itemIndex?: number; signal?: AbortSignal } = {},
): Promise<IBinaryKeyData> {
	const binary: IBinaryKeyData = {};
	for (const [index, output] of task.output.entries()) {
		binary[outputPropertyName(propertyName, index)] = await downloadOne.call(
			this,
			task,
			output,
			index,
			opts,
		);
	}
	return binary;
}
