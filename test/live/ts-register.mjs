// node --import ./test/live/ts-register.mjs script.mjs  => script may import src/**/*.ts via .js paths.
import { register } from 'node:module';
register('./ts-hooks.mjs', import.meta.url);
