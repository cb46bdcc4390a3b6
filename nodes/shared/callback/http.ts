import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** The request's bytes exactly as sent: signatures are over these, never over re-serialized JSON. */
export function rawBodyOf(this: IWebhookFunctions): Buffer {
	const raw = (this.getRequestObject() as { rawBody?: unknown }).rawBody;
	if (Buffer.isBuffer(raw)) return raw;
	return Buffer.from(typeof raw === 'string' ? raw : '', 'utf8');
}

/** Answers the sender directly and starts nothing: what a refused or not-yet-final callback gets. */
export function reply(
	this: IWebhookFunctions,
	status: number,
	body: IDataObject,
): IWebhookResponseData {
	this.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}
