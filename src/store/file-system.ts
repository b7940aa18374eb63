/**
 * File-system checks and errors in words, for the CLI and the folder store (Node only): where a folder or
 * file is about to be written, say before any work whether it can be, and why not in the system's terms.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
  EEXIST: 'something is already there',
};

/** "permission denied (EACCES)": the cause of a failed file-system call, without its stack. */
export function fileSystemReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return `${REASONS[code] ?? 'the system refused'} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

async function statOrNothing(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    // Nothing there, or a file where a folder of the path should be: the caller looks further up.
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Why `path` cannot be written as a `kind`, or undefined when it can. */
async function whyNotWritable(path: string, kind: 'file' | 'folder'): Promise<string | undefined> {
  try {
    const there = await statOrNothing(path);
    if (there) {
      if (kind === 'folder' && !there.isDirectory()) return 'a file is there, and this writes a folder';
      if (kind === 'file' && there.isDirectory()) return 'a folder is there, and this writes a file';
      await access(path, constants.W_OK);
      return undefined;
    }
    // Nothing there yet: it is made inside the nearest folder that exists above it.
    let above = dirname(resolve(path));
    let info = await statOrNothing(above);
    while (!info) {
      above = dirname(above);
      info = await statOrNothing(above);
    }
    if (!info.isDirectory()) return `${above} is a file, not a folder`;
    await access(above, constants.W_OK);
    return undefined;
  } catch (err) {
    return fileSystemReason(err);
  }
}

/** Throws one line, before any work, unless `path` can be written as a `kind` (made, or replaced). */
export async function checkWritable(path: string, kind: 'file' | 'folder'): Promise<void> {
  const why = await whyNotWritable(path, kind);
  if (why !== undefined) throw new Error(`cannot write ${path}: ${why}`);
}
