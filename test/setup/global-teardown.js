const fs = require('node:fs');

module.exports = async () => {
	if (process.env.HIAPI_TEST_OWNS_USER_FOLDER === '1' && process.env.N8N_USER_FOLDER) {
		fs.rmSync(process.env.N8N_USER_FOLDER, { recursive: true, force: true });
	}
};
