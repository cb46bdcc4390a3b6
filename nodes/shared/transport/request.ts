import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../types';
import { decrypted, hiapiCredentials } from './credentials';
import { apiError, taskError, type FailureContext } from './errors';
import { MAX_RETRIES, backoffMs, retryDelayMs } from './retry';
import { sleepUnlessCancelled } from './sleep';

export type HiApiContext = IExecuteFunctions | IWebhookFunctions;

const DEFAULT_BASE_URL = 'https://api.hiapi.ai';
/** A submit carrying a 3 MB data URL over a slow uplink still fits; a hung connection does not hold an item forever. */
const REQUEST_TIMEOUT_MS = 60_000;

export interface HiApiRequest {
	method: 'GET' | 'POST';
	/** Path under the API root, starting with /v1. */
	path: string;
	qs?: IDataObject;
	body?: object;
	/** Sent as Idempotency-Key; it is what makes a POST safe to retry when its outcome is unknown. */
	idempotencyKey?: string;
	signal?: AbortSignal;
	/** Retries allowed (default MAX_RETRIES): a read with a cheaper fallback takes fewer. */
	retries?: number;
	/** What the request is about, for error messages (the node is filled in here). */
	about?: Omit<FailureContext, 'node'>;
}

export interface HiApiResponse {
	/** The envelope's `data`, unvalidated: callers read it defensively. */
	data: unknown;
	headers: IDataObject;
	statusCode: number;
}

/** Accepts "https://api.hiapi.ai", ".../v1", ".../v1/" alike. */
function normalizeBaseUrl(raw: unknown): string {
	const text = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : DEFAULT_BASE_URL;
	return text.replace(/\/+$/, '').replace(/\/v1$/i, '');
}

function parseBody(body: unknown): { ok: true; value: unknown } | { ok: false; text: string } {
	if (body === undefined || body === null) return { ok: false, text: '' };
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return { ok: true, value: body };
	try {
		return { ok: true, value: JSON.parse(body) };
	} catch {
		return { ok: false, text: body };
	}
}

function envelopeData(value: unknown): { ok: true; data: unknown } | { ok: false } {
	if (value && typeof value === 'object' && 'data' in value) {
		return { ok: true, data: (value as { data: unknown }).data };
	}
	return { ok: false };
}

function isIdempotencyInFlight(statusCode: number, body: unknown): boolean {
	if (statusCode !== 409) return false;
	const text = JSON.stringify(body ?? '');
	return /IDEMPOTENCY_KEY_PROCESSING/i.test(text) || !/MISMATCH/i.test(text);
}

function causeOf(error: unknown): string {
	if (error && typeof error === 'object') {
		const record = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
		const code = record.code ?? record.cause?.code;
		return `${typeof record.message === 'string' ? record.message : 'network error'}${code ? ` (${String(code)})` : ''}`;
	}
	return String(error);
}

/**
 * One call to hiapi with the contract's retry rules: 429/503 and an in-flight idempotency key
 * are retried with backoff (honouring Retry-After); an unknown outcome (network error, unreadable
 * 2xx, a gateway's 502/504) is retried only when repeating it cannot bill twice: reads, and submits carrying an
 * Idempotency-Key.
 */
export async function hiapiRequest(this: HiApiContext, req: HiApiRequest): Promise<HiApiResponse> {
	const ctx: FailureContext = { node: this.getNode(), ...req.about };
	const credentials = await hiapiCredentials.call(this);
	const credentialOptions = { credentialsDecrypted: decrypted.call(this, credentials) };
	const options: IHttpRequestOptions = {
		method: req.method,
		url: `${normalizeBaseUrl(credentials.baseUrl)}${req.path}`,
		qs: req.qs,
		headers: {
			Accept: 'application/json',
			...(req.body ? { 'Content-Type': 'application/json' } : {}),
			...(req.idempotencyKey ? { 'Idempotency-Key': req.idempotencyKey } : {}),
		},
		body: req.body ? JSON.stringify(req.body) : undefined,
		json: false,
		encoding: 'text',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: REQUEST_TIMEOUT_MS,
		abortSignal: req.signal,
	};
	const retryUnknownOutcome = req.method === 'GET' || Boolean(req.idempotencyKey);

	const maxRetries = req.retries ?? MAX_RETRIES;
	for (let attempt = 0; ; attempt++) {
		let response: { statusCode: number; headers: IDataObject; body: unknown };
		try {
			response = await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				options,
				credentialOptions,
			);
		} catch (error) {
			if (req.signal?.aborted) throw cancelled(ctx);
			if (retryUnknownOutcome && attempt < maxRetries) {
				if (!(await sleepUnlessCancelled(backoffMs(attempt), req.signal))) throw cancelled(ctx);
				continue;
			}
			throw unknownOutcome(ctx, req, causeOf(error));
		}

		const parsed = parseBody(response.body);
		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) {
			const data = parsed.ok ? envelopeData(parsed.value) : { ok: false as const };
			if (data.ok) return { data: data.data, headers: response.headers ?? {}, statusCode };
			if (retryUnknownOutcome && attempt < maxRetries) {
				if (!(await sleepUnlessCancelled(backoffMs(attempt), req.signal))) throw cancelled(ctx);
				continue;
			}
			throw unknownOutcome(ctx, req, `unreadable HTTP ${statusCode} answer`);
		}

		const body = parsed.ok ? parsed.value : parsed.text;
		// A gateway's 502/504 says nothing of whether hiapi did the work: an unknown outcome, like a network error.
		const gatewayUnknown = (statusCode === 502 || statusCode === 504) && retryUnknownOutcome;
		const retryable =
			statusCode === 429 ||
			statusCode === 503 ||
			gatewayUnknown ||
			isIdempotencyInFlight(statusCode, body);
		if (retryable && attempt < maxRetries) {
			const wait = retryDelayMs(attempt, response.headers?.['retry-after']);
			if (!(await sleepUnlessCancelled(wait, req.signal))) throw cancelled(ctx);
			continue;
		}
		throw apiError({ statusCode, body }, ctx);
	}
}

function cancelled(ctx: FailureContext) {
	return taskError(
		{ ...ctx, taskStatus: ctx.taskId ? 'cancelled' : ctx.taskStatus },
		'The execution was cancelled while talking to hiapi',
		ctx.taskId
			? 'The task keeps running at hiapi; fetch it later with the Get Task operation.'
			: undefined,
	);
}

function unknownOutcome(ctx: FailureContext, req: HiApiRequest, cause: string) {
	if (req.method === 'POST' && !req.idempotencyKey) {
		return taskError(
			ctx,
			'Could not confirm whether hiapi accepted the task: the connection failed before an answer arrived',
			`It was not resubmitted, so nothing is billed twice. If it was created, it is listed in your hiapi tasks. Cause: ${cause}`,
		);
	}
	return taskError(ctx, `Could not reach hiapi after ${MAX_RETRIES + 1} tries`, `Cause: ${cause}`);
}
