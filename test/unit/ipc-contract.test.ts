import { describe, expect, it } from 'vitest';
import { buildApi } from '../../src/shared/ipc/api';
import { CHANNEL_NAME, type IpcResult } from '../../src/shared/ipc/define';
import { CHANNEL_NAMES, contract, EVENT_NAMES } from '../../src/shared/ipc/contract';

describe('IPC contract', () => {
  it('lists exactly these channels and events (update the snapshot on purpose when adding one)', () => {
    expect(Object.entries(contract).map(([name, spec]) => `${name} — ${spec.summary}`)).toMatchSnapshot();
    expect(EVENT_NAMES).toMatchSnapshot();
  });

  it('names every channel and event domain:action', () => {
    for (const name of [...CHANNEL_NAMES, ...EVENT_NAMES]) expect(name).toMatch(CHANNEL_NAME);
  });

  it('builds window.api with one function per channel, calling that channel', async () => {
    const calls: [string, unknown][] = [];
    const api = buildApi(
      async (channel, input): Promise<IpcResult<unknown>> => {
        calls.push([channel, input]);
        return { ok: true, data: null };
      },
      () => () => undefined,
    );
    await api.settings.update({ theme: 'dark' });
    await api.app.info();
    await api.activity.list({ limit: 3 });
    expect(calls).toEqual([
      ['settings:update', { theme: 'dark' }],
      ['app:info', undefined],
      ['activity:list', { limit: 3 }],
    ]);
    const functions = Object.entries(api)
      .filter(([key]) => key !== 'on')
      .flatMap(([domain, group]) => Object.keys(group as object).map((action) => `${domain}.${action}`));
    expect(functions).toHaveLength(CHANNEL_NAMES.length);
  });

  it('passes event subscriptions through and returns the unsubscribe function', () => {
    const seen: string[] = [];
    let unsubscribed = false;
    const api = buildApi(
      async () => ({ ok: true, data: null }),
      (event, listener) => {
        seen.push(event);
        listener({});
        return () => (unsubscribed = true);
      },
    );
    let received = 0;
    const off = api.on('task:progress', () => received++);
    off();
    expect(seen).toEqual(['task:progress']);
    expect(received).toBe(1);
    expect(unsubscribed).toBe(true);
  });
});
