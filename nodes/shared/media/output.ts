import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { headerText } from '../headers';
import { taskError } from '../transport/errors';
import type { HiApiContext } from '../transport/request';
import { backoffMs } from '../transport/retry';
import { sleepUnlessCancelled } from '../transport/sleep';
import type { Task, TaskOutput } from '../types';

/** A CDN hiccup is worth a couple more tries; an expired link is not. */
const DOWNLOAD_TRIES = 3;
const DOWNLOAD_TIMEOUT_MS = 120_000;

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
		throw taskError(
			ctx,
			'The task output is not an http(s) link, so it was not downloaded',
			`Output: ${output.url.slice(0, 200)}`,
		);
	}
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
			const suffix = index === 0 ? '' : `_${index}`;
			const fileName = `${task.taskId}${suffix}.${extensionFor(mime, output.url)}`;
			try {
				return await this.helpers.prepareBinaryData(response.body, fileName, mime);
			} catch (error) {
				// The connection can die mid-body, after the status line: that is a failed try too.
				lastCause = error instanceof Error ? error.message : String(error);
				continue;
			}
		}
		response.body?.destroy?.();
		if ([403, 404, 410].includes(response.statusCode)) {
			throw taskError(
				ctx,
				`The output link of the task has expired or is gone (HTTP ${response.statusCode})`,
				'hiapi output links are temporary. Keep Download on so the image is saved when the task finishes.',
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
