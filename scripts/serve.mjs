#!/usr/bin/env node
// `npm run serve -- <function>`: builds, then runs one function in the foreground from compiled
// JavaScript exactly as its container does (no TypeScript loader).
await import("../shared/dist/bin/serve.js");
