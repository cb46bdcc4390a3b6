// Lets plain `node` run the benchmarks' TypeScript (and the nodes and test harness they load):
// the repo's shared hook transpiles each .ts file with the project's own TypeScript, sets
// N8N_LOG_LEVEL=silent and points N8N_USER_FOLDER at a temporary folder.
require('../scripts/ts-register.js');
