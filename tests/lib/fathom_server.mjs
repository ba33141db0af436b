// `fathom serve` processes for the Node test scripts: start one on a free port and wait
// for its "listening" line, stop it (SIGTERM, then SIGKILL), and make sure none
// outlives the script whatever happens.
import { spawn } from 'node:child_process';

export const servers = [];

export const alive = (s) => s.proc.exitCode === null && s.proc.signalCode === null;

// Resolves with {name, proc, base ("http://127.0.0.1:PORT"), log, args} once listening.
export function startServer(fathom, name, model, extra = []) {
  return new Promise((resolve, reject) => {
    const args = ['serve', model, '--port', '0', ...extra];
    const proc = spawn(fathom, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const s = { name, proc, log: '', base: null, args };
    servers.push(s);
    const timer = setTimeout(
      () => reject(new Error(`${name}: no "listening" line within 60 s; it said: ${s.log.slice(-2000)}`)),
      60000,
    );
    proc.stdout.on('data', (d) => (s.log += d));
    proc.stderr.on('data', (d) => {
      s.log += d;
      const m = s.log.match(/fathom: listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m && !s.base) {
        clearTimeout(timer);
        s.base = m[1];
        resolve(s);
      }
    });
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!s.base) reject(new Error(`${name} exited (${signal || code}) before listening: ${s.log.slice(-2000)}`));
    });
  });
}

// SIGTERM, then SIGKILL after killAfterMs; resolves with the exit code (or signal name).
export async function stopServer(s, killAfterMs = 5000) {
  if (!alive(s)) return s.proc.exitCode ?? s.proc.signalCode;
  const exited = new Promise((r) => s.proc.once('exit', (code, signal) => r(signal || code)));
  s.proc.kill('SIGTERM');
  const t = setTimeout(() => alive(s) && s.proc.kill('SIGKILL'), killAfterMs);
  const result = await exited;
  clearTimeout(t);
  return result;
}

export function killAll() {
  for (const s of servers) if (alive(s)) s.proc.kill('SIGKILL');
}

process.on('exit', killAll);
// A script that crashes still fails visibly, and still takes its servers with it.
process.on('uncaughtException', (err) => {
  console.log(`FAIL uncaught exception: ${err && err.stack ? err.stack : err}`);
  killAll();
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  console.log(`FAIL unhandled rejection: ${err && err.stack ? err.stack : err}`);
  killAll();
  process.exit(1);
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}
