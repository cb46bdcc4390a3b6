// n8n-core writes its instance config under N8N_USER_FOLDER: one temporary folder per jest run
// keeps tests out of the real home folder; global-teardown.js removes it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
	if (!process.env.N8N_USER_FOLDER) {
		process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'hiapi-n8n-'));
		process.env.HIAPI_TEST_OWNS_USER_FOLDER = '1';
	}
};
