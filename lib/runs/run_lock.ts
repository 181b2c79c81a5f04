// One training process per run folder: <run>/.lock holds the owner's pid, host and process start
// time. A second process refuses while that owner lives; a lock left by a killed process (its pid
// gone, or reused by a process that started later) is taken over. The lock file is created whole
// (written beside, then hard-linked into place), so a reader never sees half of one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const LOCK_FILE = '.lock';

interface LockInfo {
  pid: number;
  host: string;
  /** Kernel start time of the process (/proc/<pid>/stat field 22), to tell a reused pid apart. */
  start: string | null;
  since: string;
}

/** A process's start time in clock ticks since boot (Linux), or null where /proc is not there. */
function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(info: LockInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(info.pid);
  return info.start === null || start === null || start === info.start;
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return Number.isInteger(v.pid) && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Takes dir's lock or throws a message naming the process that holds it; returns the release function. */
export function lockRunFolder(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: os.hostname(), start: processStart(process.pid), since: new Date().toISOString() };
  const tmp = path.join(dir, `${LOCK_FILE}.${process.pid}.${Date.now()}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(me));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw e;
      }
      const held = readLock(file);
      if (held !== undefined && held.host !== me.host) {
        throw new Error(
          `${dir} is locked by process ${held.pid} on ${held.host} (since ${held.since}); ` + `if that process is gone, remove ${file}`,
        );
      }
      if (held !== undefined && alive(held)) {
        throw new Error(
          `${dir} is in use by another mcr2 process (pid ${held.pid}, since ${held.since}); ` +
            'wait for it to finish, or give this run another --tail',
        );
      }
      // Left by a process that is gone (or unreadable: written by a tool, not by us): take it over.
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    if (readLock(file)?.pid === me.pid) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}
