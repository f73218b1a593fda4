import { hideBin } from 'yargs/helpers';
import { installFatalHandlers } from '@teacache/core';
import { main } from './main.js';

installFatalHandlers();
await main(hideBin(process.argv));
