// n8n-core writes its instance config under N8N_USER_FOLDER; keep tests out of the real home folder.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-n8n-'));
}
