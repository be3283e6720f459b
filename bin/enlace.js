#!/usr/bin/env node
// The installed `enlace` command: runs the compiled CLI (built by `npm install` via the prepare script).
import process from 'node:process';
import { runCli } from '../dist/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2), process.env);
