// Copies what tsc does not: the SQL migrations, next to the compiled store.
import fs from 'node:fs';
fs.cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
