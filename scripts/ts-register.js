// Lets plain `node` run this repo's TypeScript (demo, benchmarks, test harness) without a build
// step or another dependency: each .ts file is transpiled with the project's own TypeScript.
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	sourceMap: false,
};

require.extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};

process.env.N8N_LOG_LEVEL ??= 'silent';
if (!process.env.N8N_USER_FOLDER) {
	const os = require('node:os');
	const path = require('node:path');
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-n8n-'));
}
