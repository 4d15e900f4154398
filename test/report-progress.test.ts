// Progress output: a live line on a terminal, plain lines in pipes and under CI.
import { afterEach, describe, expect, it } from 'vitest';
import { streamLog } from '../src/coordinator/stats.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = { isTTY, columns: 60, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, chunks };
}

const savedCI = process.env.CI;
afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
});

describe('streamLog', () => {
  it('on a terminal rewrites one live line, and a plain line clears it first', () => {
    delete process.env.CI;
    const { stream, chunks } = fakeStream(true);
    const log = streamLog(stream);
    expect(log.live).toBeDefined();
    log.live!('[1.0s/2.0s] readers 10/s');
    log.live!('[1.2s/2.0s] readers 12/s ' + 'x'.repeat(100));
    log('zspage-stress: PASS');
    log('next');
    expect(chunks[0]).toBe('\r\x1b[K[1.0s/2.0s] readers 10/s');
    // Cut to the terminal's width, so it never wraps.
    expect(chunks[1]!.replace('\r\x1b[K', '')).toHaveLength(59);
    expect(chunks[2]).toBe('\r\x1b[Kzspage-stress: PASS\n');
    expect(chunks[3]).toBe('next\n');
  });

  it('has no live line when not on a terminal, or under CI', () => {
    delete process.env.CI;
    expect(streamLog(fakeStream(false).stream).live).toBeUndefined();
    process.env.CI = 'true';
    const { stream, chunks } = fakeStream(true);
    const log = streamLog(stream);
    expect(log.live).toBeUndefined();
    log('a line');
    expect(chunks).toEqual(['a line\n']);
  });
});
