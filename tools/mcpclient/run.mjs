// Drives `conngen mcp` with the official TypeScript MCP client, the
// strictest checker of tool results against their outputSchema: it throws
// where a result does not fit. Used by internal/e2e (TestMCPNodeClient).
//
//   node run.mjs CALLS.json COMMAND ARG...
//
// CALLS.json is a list of {"tool": name, "arguments": {...}}. Prints one
// JSON object: the tools listed, and per call its result or the error the
// client threw.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [callsFile, command, ...args] = process.argv.slice(2);
const calls = JSON.parse(readFileSync(callsFile, "utf8"));
// The whole environment: the connector reads its credentials from it.
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" });
const client = new Client({ name: "conngen-e2e", version: "1" });
await client.connect(transport);
const out = { tools: [], results: [] };
const { tools } = await client.listTools();
out.tools = tools;
for (const c of calls) {
  try {
    const result = await client.callTool({ name: c.tool, arguments: c.arguments ?? {} });
    out.results.push({ tool: c.tool, result });
  } catch (e) {
    out.results.push({ tool: c.tool, error: String(e && e.message ? e.message : e) });
  }
}
await client.close();
process.stdout.write(JSON.stringify(out));
