// `npm run n8n`: a full local n8n to click in, with this package installed, the hiapi simulator
// running, a HiAPI credential pointing at it and the example workflows imported. Ctrl-C stops all.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const e2e = require('../test/e2e/n8n.js');
const { startSimulator } = require('../test/sim');

async function main() {
	const version = process.env.HIAPI_E2E_N8N_VERSION || undefined;
	const port = Number(process.env.N8N_PORT) || 5678;
	await e2e.ensureN8n(version);
	const sim = await startSimulator({ port: Number(process.env.SIM_PORT) || 0 });
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-local-n8n-'));
	const n8n = await e2e.createN8n({ version, userFolder: path.join(work, 'n8n'), port });
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		process.stdout.write('\nStopping n8n and the simulator...\n');
		await n8n.stop().catch(() => {});
		await sim.stop();
		fs.rmSync(work, { recursive: true, force: true });
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);

	await n8n.installPackage();
	const vars = e2e.exampleVars(sim.baseUrl, n8n.url, crypto.randomBytes(16).toString('hex'));
	const dir = path.join(work, 'examples', 'workflows');
	fs.mkdirSync(dir, { recursive: true });
	const cred = e2e.renderExample('hiapi-simulator.credentials.json', vars, path.dirname(dir));
	for (const file of fs.readdirSync(path.join(__dirname, '..', 'examples'))) {
		if (file.endsWith('.json') && !file.includes('credentials')) e2e.renderExample(file, vars, dir);
	}
	await n8n.importCredentials(cred.file);
	await n8n.importWorkflows(dir);
	// Before the start: a running n8n does not pick up a publish made by the CLI.
	for (const id of e2e.PUBLISHED_EXAMPLES) await n8n.activate(id);
	await n8n.start();
	const login = { email: 'owner@example.com', password: 'Hiapi-demo-1' };
	await e2e.setupOwner(n8n.url, login);
	process.stdout.write(
		[
			'',
			`n8n ${n8n.version} is running with n8n-nodes-hiapi installed: ${n8n.url}`,
			`  log in as ${login.email} / ${login.password}`,
			`  the hiapi simulator: ${sim.baseUrl} (key ${sim.apiKey}), credential "HiAPI (simulator)"`,
			'  the example workflows are imported; open one and press "Execute workflow".',
			'Ctrl-C stops everything.',
			'',
		].join('\n'),
	);
}

main().catch((error) => {
	process.stderr.write(`${error.stack || error}\n`);
	process.exit(1);
});
