import { hideBin } from 'yargs/helpers';
// the fatal handlers alone: the whole of core (schemas, CSV, PNG) is not needed to print --help
import { installFatalHandlers } from '@teacache/core/fatal';
import { main } from './main.js';

installFatalHandlers();
await main(hideBin(process.argv));
