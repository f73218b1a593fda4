import { hideBin } from 'yargs/helpers';
import { start } from './start.js';

await start(hideBin(process.argv));
