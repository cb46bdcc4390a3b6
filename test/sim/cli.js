#!/usr/bin/env node
'use strict';

// Standalone simulator for manual runs, the demo and a real n8n: `npm run sim`.
// Env: SIM_HOST, SIM_PORT, SIM_KEY, SIM_SIGNING_KEY, SIM_TIME_SCALE, SIM_QUIET=1 (no request lines).

const { startSimulator } = require('./index');

/** @param {string} name */
function envNumber(name) {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return undefined;
	const n = Number(raw);
	if (!Number.isFinite(n) || n < 0) {
		console.error(`${name} must be a non-negative number, got '${raw}'`);
		process.exit(2);
	}
	return n;
}

async function main() {
	const env = process.env;
	const sim = await startSimulator({
		...(env.SIM_HOST ? { host: env.SIM_HOST } : {}),
		port: envNumber('SIM_PORT') ?? 0,
		...(env.SIM_KEY ? { keys: [env.SIM_KEY] } : {}),
		...(env.SIM_SIGNING_KEY ? { signingKey: env.SIM_SIGNING_KEY } : {}),
		timeScale: envNumber('SIM_TIME_SCALE') ?? 1,
		...(env.SIM_GPT_IMAGE_2_SCHEMA === 'legacy' ? { gptImage2Schema: 'legacy' } : {}),
		...(env.SIM_DOCS_CATALOGUE === '0' ? { docsCatalogue: false } : {}),
		maxInFlightPerKey: envNumber('SIM_MAX_IN_FLIGHT') ?? 0,
	});

	// KEY=value lines so scripts can read them; the first line is for people.
	console.log(`hiapi simulator listening on ${sim.baseUrl}`);
	console.log(`HIAPI_BASE_URL=${sim.baseUrl}`);
	console.log(`HIAPI_API_KEY=${sim.apiKey}`);
	if (env.SIM_SIGNING_KEY) console.log(`HIAPI_SIGNING_KEY=${env.SIM_SIGNING_KEY}`);

	if (env.SIM_QUIET !== '1') {
		// stderr, so stdout stays the machine-readable lines above.
		sim.on('request', (e) => {
			const extra = [e.taskId, e.replay ? 'replay' : '', e.fault ? `fault=${e.fault}` : '']
				.filter(Boolean)
				.join(' ');
			console.error(
				`${(e.t / 1000).toFixed(3)}s ${e.method} ${e.path} -> ${e.status} ${extra}`.trim(),
			);
		});
		sim.on('callback', (e) => {
			console.error(
				`${(e.t / 1000).toFixed(3)}s callback #${e.attempt} ${e.taskId} -> ${e.url} ${e.status}`,
			);
		});
	}

	let stopping = false;
	const shutdown = (/** @type {string} */ signal) => {
		if (stopping) return;
		stopping = true;
		sim.stop().then(() => {
			console.log(`hiapi simulator stopped (${signal})`);
		});
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
	console.error(`hiapi simulator failed to start: ${err.message}`);
	process.exit(1);
});
