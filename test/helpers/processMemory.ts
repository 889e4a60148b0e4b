/** Memory and sockets of another process, read from /proc (Linux). */
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';

export const procAvailable = existsSync('/proc/self/status');

/** Resident memory now and at its peak since the last reset, in MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Starts a new peak from the memory resident now (Linux: "5" to clear_refs resets VmHWM). */
export function resetPeakMemory(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Open sockets of a process: its file descriptors that are sockets. */
export function openSocketsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false; // closed while listed
    }
  }).length;
}
