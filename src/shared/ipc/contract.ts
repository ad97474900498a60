import { z } from 'zod';
import { SettingsPatchSchema, SettingsSchema } from '../settings';
import { channel } from './define';

/**
 * Every request the renderer can make of main. Main registers a handler for each (and only these) in one
 * place; preload builds `window.api` from the same object, so a channel exists everywhere or nowhere.
 */
export const contract = {
  'app:info': channel({
    summary: 'Versions and paths shown in the About panel',
    input: z.void(),
    output: z.object({
      name: z.string(),
      version: z.string(),
      versions: z.object({
        electron: z.string().nullable(),
        chrome: z.string().nullable(),
        node: z.string(),
        sqlite: z.string(),
      }),
      platform: z.string(),
      dataFolder: z.string(),
    }),
  }),
  'settings:get': channel({
    summary: 'The current settings, with defaults filled in',
    input: z.void(),
    output: SettingsSchema,
  }),
  'settings:update': channel({
    summary: 'Change some settings; answers the full settings after the change',
    input: SettingsPatchSchema,
    output: SettingsSchema,
  }),
  'keychain:status': channel({
    summary: 'Whether the OS keychain can be reached (secrets are stored only there)',
    input: z.void(),
    output: z.object({
      available: z.boolean(),
      backend: z.string(),
      /** When unavailable: what happened and what to do, in plain words. */
      message: z.string().nullable(),
    }),
  }),
  'activity:list': channel({
    summary: 'The most recent entries of the activity log, newest first',
    input: z.object({ limit: z.number().int().min(1).max(500).default(100) }),
    output: z.array(
      z.object({
        id: z.number().int(),
        at: z.string(),
        kind: z.string(),
        message: z.string(),
      }),
    ),
  }),
} as const;

/**
 * Events main sends to the renderer (progress of long tasks). Main validates each payload before sending.
 */
export const events = {
  'task:progress': z.object({
    taskId: z.string(),
    label: z.string(),
    done: z.number().int().min(0),
    total: z.number().int().min(0).nullable(),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    message: z.string().nullable(),
  }),
  'settings:changed': SettingsSchema,
} as const;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export type ChannelInput<C extends ChannelName> = z.input<Contract[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Contract[C]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const CHANNEL_NAMES = Object.keys(contract) as ChannelName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];
/** Prefix of the IPC channel that carries events, so event and request names can never collide. */
export const EVENT_CHANNEL_PREFIX = 'event:';
