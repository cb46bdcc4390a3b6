import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * Whether an AI agent is running the node as its tool: n8n 2.x says so; 1.x does not, but runs it
 * as the node type n8n made for tools, whose name ends in "Tool".
 */
export function isAgentTool(this: IExecuteFunctions): boolean {
	return this.isToolExecution?.() === true || /Tool$/.test(this.getNode().type);
}

/**
 * An AI agent reads only an item's json: it cannot see the binary the next node gets, and the
 * task's link stops working at `expireAt`. So a tool's item also names the files the workflow
 * holds and says how long the link lasts, for the agent to tell the user.
 */
export function forAgent(item: INodeExecutionData): INodeExecutionData {
	const files: IDataObject[] = Object.entries(item.binary ?? {}).map(([field, binary]) => ({
		field,
		fileName: binary.fileName ?? null,
		mimeType: binary.mimeType,
		fileSize: binary.fileSize ?? null,
	}));
	if (files.length === 0) return item;
	const until =
		typeof item.json.expireAt === 'string' ? `: it works until ${item.json.expireAt}` : '';
	const kept = String(files[0].fileName ?? files[0].field);
	const linkNote = `The url is temporary${until}. The file itself is kept in the workflow as ${kept}.`;
	return { ...item, json: { ...item.json, files, linkNote } };
}
