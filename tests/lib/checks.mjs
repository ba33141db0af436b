// The frame the Node test scripts share: their command line (--fathom and --workdir,
// plus a script's own options) and their checks, one line each ("ok   name (detail)"
// or "FAIL name: detail") and "N passed, M failed" at the end.
import path from 'node:path';

// --fathom F --workdir D [--NAME VALUE for each key of `extra`, whose values are the
// defaults]; both paths made absolute. Bad usage: a message and exit code 2.
export function parseArgs(script, extra = {}) {
  const usage = (why) => {
    const more = Object.keys(extra).map((k) => ` [${k} ${extra[k]}]`).join('');
    console.error(`${script}: ${why}\nusage: node ${script} --fathom /abs/path/to/fathom --workdir /abs/dir${more}`);
    process.exit(2);
  };
  const argv = process.argv.slice(2);
  const out = {};
  for (const [k, v] of Object.entries(extra)) out[k.slice(2)] = v;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a !== '--fathom' && a !== '--workdir' && !(a in extra)) usage(`unknown argument ${a}`);
    if (i + 1 >= argv.length) usage(`${a} needs a value`);
    out[a.slice(2)] = argv[++i];
  }
  if (!out.fathom || !out.workdir) usage('--fathom and --workdir are required');
  out.fathom = path.resolve(out.fathom);
  out.workdir = path.resolve(out.workdir);
  return out;
}

let passed = 0;
let failed = 0;

export function report(ok, name, detail) {
  if (ok) passed++;
  else failed++;
  console.log(ok ? `ok   ${name}${detail ? ` (${detail})` : ''}` : `FAIL ${name}: ${detail}`);
}

// Runs one check; a thrown error fails it and the run goes on, so one broken feature
// does not hide the state of the others. A returned string is shown as detail.
export async function check(name, fn) {
  try {
    const detail = await fn();
    report(true, name, typeof detail === 'string' ? detail : '');
    return true;
  } catch (err) {
    const msg = err && err.message ? err.message : String(err);
    report(false, name, msg.split('\n').slice(0, 4).join(' | '));
    return false;
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const anyFailed = () => failed > 0;

// The closing line; sets the exit code.
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
