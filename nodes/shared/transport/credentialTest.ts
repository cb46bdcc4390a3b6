import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { explain } from './errors';
import { normalizeBaseUrl } from './request';

/** The editor waits on this; a key check that hangs longer than this is a network problem. */
const TEST_TIMEOUT_MS = 15_000;

interface RequestFailure {
	statusCode?: number;
	response?: { status?: number; statusCode?: number; body?: unknown; data?: unknown };
	/** request-promise style: the response body. */
	error?: unknown;
	cause?: { code?: string };
	code?: string;
	message?: string;
}

function bodyOf(failure: RequestFailure): unknown {
	const body = failure.error ?? failure.response?.body ?? failure.response?.data;
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/**
 * The credential test as a function rather than a declarative request: n8n reports a refused
 * declarative test by its HTTP status text alone ("Unauthorized"), while hiapi's answer says why
 * (a revoked key, a key without access, a balance). The request is the cheapest authenticated one.
 */
export async function hiApiApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const apiKey = typeof data.apiKey === 'string' ? data.apiKey.trim() : '';
	if (!apiKey) return { status: 'Error', message: 'Enter the API key from the hiapi console' };
	const baseUrl = normalizeBaseUrl(data.baseUrl);
	try {
		// A credential test gets no httpRequest: ICredentialTestFunctions.helpers offers only request.
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		await this.helpers.request({
			method: 'GET',
			uri: `${baseUrl}/v1/tasks`,
			qs: { page: 1, size: 1 },
			headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
			json: true,
			timeout: TEST_TIMEOUT_MS,
		});
		return { status: 'OK', message: 'Connection successful!' };
	} catch (caught) {
		const failure = (caught ?? {}) as RequestFailure;
		const statusCode =
			failure.statusCode ?? failure.response?.status ?? failure.response?.statusCode;
		if (typeof statusCode === 'number' && statusCode > 0) {
			const { message, description } = explain({ statusCode, body: bodyOf(failure) }, {});
			return { status: 'Error', message: `${message} (HTTP ${statusCode}). ${description}` };
		}
		const code = failure.cause?.code ?? failure.code;
		return {
			status: 'Error',
			message: `Could not reach hiapi at ${baseUrl}${code ? ` (${code})` : ''}: check the Base URL and the network`,
		};
	}
}
