// Runs `mmhs serve` on loopback with ephemeral ports and a fresh data directory.
import { spawn } from "node:child_process";
import { MMHS_BIN, freePort, tempDir } from "./env.mjs";

export async function startServer() {
  const data = tempDir("mmhs-data-");
  const httpPort = await freePort();
  const smtpPort = await freePort();
  const origin = `http://127.0.0.1:${httpPort}`;
  const child = spawn(MMHS_BIN, ["serve", "--data", data, "--http", `127.0.0.1:${httpPort}`, "--smtp", `127.0.0.1:${smtpPort}`], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mmhs serve exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${origin}/`, { redirect: "manual" });
      if (r.status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`mmhs serve did not answer on ${origin} within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    origin,
    data,
    smtpPort,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => { child.once("exit", r); setTimeout(r, 5000); });
      }
    },
  };
}
